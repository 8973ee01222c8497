"""Analysts beside the pipeline: readers of the analyst copy never stop the writer, and the
clients analysts install (duckdb-cli 1.5, the previous DuckDB Python) open it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
NEWSMON = str(BIN / "newsmon")
PREVIOUS_DUCKDB = ROOT / ".venv" / "compat" / "duckdb-1.5"


def _settings(tmp: Path, db: Path) -> dict[str, str]:
    settings = {"db_path": str(db), "db_lock_wait_seconds": 2, "alerts": {"channels": ["log"]}}
    (tmp / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    return dict(os.environ, NEWSMON_CONFIG=str(tmp / "settings.yaml"), NEWSMON_DB=str(db))


def _ingest(env: dict[str, str], *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NEWSMON, "ingest", *map(str, paths), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _more(tmp: Path) -> Path:
    path = tmp / "more.jsonl"
    rows = [
        {
            "url": f"https://more.example/{i}",
            "title": f"Call-up in district {i}",
            "text": f"Military enlistment office {i} handed call-up papers to reservists of district {i} "
            f"as mobilization continues, officials in district number {i} said on day {i}.",
        }
        for i in range(7)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_reader_held_open_never_stops_the_writer(tmp_path: Path) -> None:
    db = tmp_path / "data" / "news.duckdb"
    env = _settings(tmp_path, db)
    assert _ingest(env, SEEDS).returncode == 0
    copy = db.parent / "read" / "news.duckdb"
    assert copy.exists()
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            f"con = duckdb.connect({str(copy)!r}, read_only=True)\n"
            "for _ in range(12):\n"  # 12 s: longer than the writer's 2 s lock wait
            "    print(con.execute('select count(*) from articles').fetchone()[0], flush=True)\n"
            "    time.sleep(1)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "5"
        started = time.monotonic()
        done = _ingest(env, _more(tmp_path))
        assert done.returncode == 0, done.stderr[-2000:]
        assert time.monotonic() - started < 12, "the writer did not wait for the reader"
        seen = [line.strip() for line in reader.stdout]
    finally:
        reader.kill()
        reader.wait()
    assert seen and set(seen) == {"5"}, "the open session kept reading its snapshot"
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 12, (
            "a new session sees the run"
        )


def test_the_analysts_clients_open_the_copy(tmp_path: Path) -> None:
    db = tmp_path / "data" / "news.duckdb"
    env = _settings(tmp_path, db)
    assert _ingest(env, SEEDS).returncode == 0
    copy = db.parent / "read" / "news.duckdb"
    query = (
        "select count(*) as n from story_topics where topic = 'mobilization';"
        " select count(*) from article_evidence;"
    )
    cli = shutil.which("duckdb", path=str(BIN))
    assert cli, "duckdb-cli is installed by make install"
    done = subprocess.run(
        [cli, "-readonly", "-csv", str(copy), "-c", query],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:2] == ["n", "5"]
    version = subprocess.run([cli, "-version"], capture_output=True, text=True, timeout=60).stdout
    assert version.startswith("v1.5"), version
    if not PREVIOUS_DUCKDB.exists():
        pytest.skip("the previous DuckDB Python is installed by make install")
    code = (
        "import duckdb, sys; print(duckdb.__version__);"
        f"con = duckdb.connect({str(copy)!r}, read_only=True);"
        'print(con.execute("select count(*) from articles").fetchone()[0])'
    )
    old = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(PREVIOUS_DUCKDB)),
    )
    assert old.returncode == 0, old.stderr[-2000:]
    assert old.stdout.split() == ["1.5.6", "5"]


def test_a_database_in_the_newer_format_is_published_readable(tmp_path: Path) -> None:
    db = tmp_path / "data" / "news.duckdb"
    db.parent.mkdir(parents=True)
    duckdb.connect(str(db)).close()  # made by DuckDB 2 in its own format, before this release
    env = _settings(tmp_path, db)
    assert _ingest(env, SEEDS).returncode == 0
    copy = db.parent / "read" / "news.duckdb"
    cli = shutil.which("duckdb", path=str(BIN))
    done = subprocess.run(
        [cli, "-readonly", "-csv", str(copy), "-c", "select count(*) from articles"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "5"


def test_the_readme_questions_run_in_the_analysts_shell(tmp_path: Path) -> None:
    """Every query under "Ten questions" in the README, in duckdb-cli 1.5 on the copy."""
    import re

    db = tmp_path / "data" / "news.duckdb"
    env = _settings(tmp_path, db)
    from datetime import UTC, datetime

    today = datetime.now(UTC).isoformat()
    texts = [
        "Police detained dozens of protesters at an anti-war rally in Moscow on Sunday.",
        "Military enlistment offices handed call-up papers to students as mobilization continues.",
    ]
    dated = tmp_path / "dated.jsonl"
    rows = [
        {"url": f"https://d.example/{i}", "source": f"Outlet {i}", "published_at": today, "text": t}
        for i, t in enumerate(texts)
    ]
    dated.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    labelled = ROOT / "tests" / "data" / "labelled" / "tune-2.jsonl"
    assert _ingest(env, SEEDS, labelled, dated).returncode == 0
    copy = db.parent / "read" / "news.duckdb"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = (
        readme.split("Ten questions analysts ask first:", 1)[1]
        .split("```sql", 1)[1]
        .split("```", 1)[0]
    )
    queries = [q.strip() for q in re.split(r";\s*\n", block) if q.strip()]
    assert len(queries) == 10
    with duckdb.connect(str(copy), read_only=True) as con:
        article, story = con.execute("select article_id, story_id from articles limit 1").fetchone()
        signal = con.execute("select signal_id from signals limit 1").fetchone()[0]
    cli = shutil.which("duckdb", path=str(BIN))
    for query in queries:
        sql = (
            query.replace("where article_id = '…'", f"where article_id = '{article}'")
            .replace("where story_id = '…'", f"where story_id = '{story}'")
            .replace("'new_story:mobilization:…'", f"'{signal}'")
        )
        done = subprocess.run(
            [cli, "-readonly", "-csv", str(copy), "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "Error" not in done.stderr, (query, done.stderr)
        assert (
            len(done.stdout.splitlines()) >= 2 or "alerts" in query or "ingest_errors" in query
        ), (query, done.stdout)
