"""A full disk: a run on a small real filesystem (a tmpfs mounted for the test) ends in one
line that names the path, the space free and the space the run needed; the database stays
as it was, the run's staging is removed, and once there is room the next run stores all.

Needs root (mount); skipped elsewhere, saying so."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS, stored_state

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
WORDS = [
    w
    for p in sorted(SEEDS.glob("*.txt"))
    for w in p.read_text(encoding="utf-8").split()
    if w.isalpha()
]


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs, unmounted after the test."""
    mount = tmp_path / "fs"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _corpus(path: Path, n: int, seed: int) -> Path:
    """``n`` distinct articles of ~2.4 kB of real words."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = " ".join(rng.choice(WORDS) for _ in range(380))
            rec = {"url": f"https://example.org/{seed}/{i}", "title": f"Report {i}", "text": text}
            fh.write(json.dumps(rec | {"published_at": "2024-03-01T10:00:00Z"}) + "\n")
    return path


def _ingest(db: Path, path: Path, config: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, NEWSMON_DB=str(db), NEWSMON_HOME=str(ROOT))
    env.pop("NEWSMON_CONFIG", None)
    if config is not None:
        env["NEWSMON_CONFIG"] = str(config)
    return subprocess.run(
        [NEWSMON, "ingest", "-q", str(path)], capture_output=True, text=True, env=env, timeout=600
    )


def _no_check_config(tmp_path: Path) -> Path:
    """The packaged settings with ``ingest.disk_check`` off: the run tries, and meets the
    full disk mid-way."""
    text = (ROOT / "include" / "config" / "newsmon.yaml").read_text(encoding="utf-8")
    assert "\ningest:\n" in text
    path = tmp_path / "no-disk-check.yaml"
    path.write_text(text.replace("\ningest:\n", "\ningest:\n  disk_check: false\n"), "utf-8")
    return path


def _assert_one_line(result: subprocess.CompletedProcess, fs: Path) -> str:
    assert result.returncode == 4, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, line
    assert line.startswith(f"newsmon: disk full at {fs}"), line
    assert " MB free; the run needed about " in line, line
    return line


def _staging_left(fs: Path) -> list[str]:
    staging = fs / "staging"
    return sorted(p.name for p in staging.iterdir()) if staging.is_dir() else []


def test_a_run_that_cannot_fit_is_refused_before_it_writes(tmp_path: Path, small_fs: Path) -> None:
    db = small_fs / "news.duckdb"
    assert _ingest(db, SEEDS).returncode == 0
    before = stored_state(db)
    result = _ingest(db, _corpus(tmp_path / "big.jsonl", 4000, 1))
    line = _assert_one_line(result, small_fs)
    assert "Nothing was read or stored: the database is as it was" in line
    assert _staging_left(small_fs) == []
    assert stored_state(db) == before


def test_a_disk_that_fills_mid_run_leaves_the_database_and_no_staging(
    tmp_path: Path, small_fs: Path
) -> None:
    db = small_fs / "news.duckdb"
    assert _ingest(db, SEEDS).returncode == 0
    before = stored_state(db)
    config = _no_check_config(tmp_path)
    big = _corpus(tmp_path / "big.jsonl", 4000, 1)
    line = _assert_one_line(_ingest(db, big, config), small_fs)  # staging fills the disk
    assert "The database is as it was before the run; its staging was removed" in line
    assert _staging_left(small_fs) == []
    assert not list((small_fs / "read").glob(".*.tmp"))  # no half-written analyst copy
    assert stored_state(db) == before
    # a smaller run whose staging fits but whose chunk does not (the database's WAL): the
    # chunk is rolled back, whichever write meets the full disk first
    (small_fs / "ballast").write_bytes(b"\0" * 1_000_000)
    small = _corpus(tmp_path / "small.jsonl", 400, 2)
    _assert_one_line(_ingest(db, small, config), small_fs)
    assert _staging_left(small_fs) == []
    assert stored_state(db) == before
    # room again: the next run stores everything (nothing of the failed runs is missed)
    subprocess.run(["mount", "-o", "remount,size=96m", str(small_fs)], check=True)
    done = _ingest(db, small, config)
    assert done.returncode == 0, done.stderr
    assert len(stored_state(db)["articles"]) == len(before["articles"]) + 400
