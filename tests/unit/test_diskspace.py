"""Disk space: what a full disk looks like in an error, the estimate a run is checked
against, disk use per part, and the raw pages' cap (real files in a temporary folder)."""

from __future__ import annotations

import errno
import os
from dataclasses import replace

import duckdb
import pytest

from newsmon import diskspace
from newsmon.config import ConfigError, FetchConfig, IngestSettings


def test_a_full_disk_is_found_through_the_chain_and_in_duckdbs_words() -> None:
    full = OSError(errno.ENOSPC, "No space left on device", "/data/staging/x.jsonl")
    try:
        try:
            raise full
        except OSError as exc:
            raise RuntimeError("writing the chunk failed") from exc
    except RuntimeError as outer:
        assert diskspace.full_disk_path(outer) == "/data/staging/x.jsonl"
    quota = OSError(errno.EDQUOT, "Disk quota exceeded")
    assert diskspace.full_disk_path(quota) == ""
    duck = duckdb.IOException(
        'IO Error: Could not write file "/data/news.duckdb.wal": No space left on device'
    )
    assert diskspace.full_disk_path(duck) == "/data/news.duckdb.wal"
    assert diskspace.full_disk_path(OSError(errno.EACCES, "Permission denied")) is None
    assert diskspace.full_disk_path(ValueError("bad value")) is None


def test_disk_full_says_it_in_one_line() -> None:
    exc = diskspace.DiskFull("/data", 1_200_000, 140_800_000, "Nothing was stored.")
    assert str(exc) == (
        "disk full at /data: 1.2 MB free; the run needed about 140.8 MB there. Nothing was stored."
    )
    assert "\n" not in str(exc)


def test_a_run_needs_staging_and_database_room_by_the_bytes_it_reads() -> None:
    files = [
        {"path": "/in/a.jsonl", "size": 10_000_000, "start": 4_000_000, "end": 10_000_000},
        {"path": "/in/page.html", "size": 1_000_000},
    ]
    needs = diskspace.run_needs(iter(files))
    assert needs["staging"] == int(6_000_000 * diskspace.STAGING_PER_BYTE) + 1_000_000
    assert needs["database"] == int(7_000_000 * diskspace.DATABASE_PER_BYTE)


def test_require_refuses_what_cannot_fit_and_removes_the_run_staging(settings) -> None:
    run = settings.staging_dir / "run-1"
    run.mkdir(parents=True)
    (run / "files.jsonl").write_text("{}\n")
    diskspace.require(settings, "run-1", {"staging": 1, "database": 1})  # fits
    assert run.exists()
    with pytest.raises(diskspace.DiskFull) as caught:
        diskspace.require(settings, "run-1", {"staging": 10**18, "database": 0})
    assert "the run needed about" in str(caught.value)
    assert not run.exists()


def test_usage_counts_each_part(settings) -> None:
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    settings.db_path.write_bytes(b"x" * 1000)
    (settings.raw_dir / "ab").mkdir(parents=True)
    (settings.raw_dir / "ab" / "p.html.gz").write_bytes(b"y" * 300)
    found = diskspace.usage(settings)
    assert found["database"]["bytes"] == 1000
    assert found["raw pages"]["bytes"] == 300
    assert found["staging"]["bytes"] == 0 and found["analyst copy"]["bytes"] == 0
    assert len({p["free"] for p in found.values()}) == 1  # one filesystem, one figure


def test_raw_pages_over_the_cap_go_oldest_first(settings) -> None:
    folder = settings.raw_dir / "00"
    folder.mkdir(parents=True)
    for i in range(5):
        page = folder / f"{i}.html.gz"
        page.write_bytes(b"z" * 400_000)
        os.utime(page, ns=(10**18 + i, 10**18 + i))  # page 0 the oldest
    capped = replace(settings, fetch=replace(settings.fetch, raw_pages_max_mb=1.0))
    assert diskspace.trim_raw_pages(capped) == {"removed": 3, "bytes": 1_200_000}
    assert sorted(p.name for p in folder.iterdir()) == ["3.html.gz", "4.html.gz"]
    assert diskspace.trim_raw_pages(settings) == {"removed": 0, "bytes": 0}  # no cap: all kept


@pytest.mark.parametrize("bad", [-1, "10MB", True, float("inf")])
def test_the_raw_pages_cap_must_be_megabytes(bad: object) -> None:
    with pytest.raises(ConfigError, match="raw_pages_max_mb"):
        FetchConfig(raw_pages_max_mb=bad)  # type: ignore[arg-type]


def test_disk_check_must_be_a_boolean() -> None:
    with pytest.raises(ConfigError, match="disk_check"):
        IngestSettings(disk_check="no")  # type: ignore[arg-type]


def test_a_stage_that_meets_a_full_disk_removes_its_staging(settings) -> None:
    run = settings.staging_dir / "run-2"
    run.mkdir(parents=True)
    (run / "articles-00000.jsonl").write_bytes(b"a" * 5000)

    @diskspace.guard_disk
    def read_files(settings, run_id):  # noqa: ANN001, ANN202 (a stage's shape)
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(diskspace.DiskFull) as caught:
        read_files(settings, "run-2")
    message = str(caught.value)
    assert message.startswith(f"disk full at {settings.staging_dir}: ")
    assert "The database is as it was before the run; its staging was removed (0.0 MB)" in message
    assert not run.exists()

    @diskspace.guard_disk
    def other(settings, run_id):  # noqa: ANN001, ANN202
        raise ValueError("not a disk problem")

    with pytest.raises(ValueError):
        other(settings, "run-2")


def test_the_line_says_what_the_failed_stage_leaves(settings) -> None:
    """Where the run stopped decides what it kept: a store keeps its earlier chunks, the
    signals stage keeps every article (the next run raises their signals)."""

    def full(settings, run_id):  # noqa: ANN001, ANN202 (a stage's shape)
        raise OSError(errno.ENOSPC, "No space left on device", "/data/news.duckdb.wal")

    said = {}
    for name in ("store_articles", "detect_signals"):
        full.__name__ = name
        with pytest.raises(diskspace.DiskFull) as caught:
            diskspace.guard_disk(full)(settings, "run-3")
        said[name] = str(caught.value)
    assert "Chunks the run stored before stay stored" in said["store_articles"]
    assert "The run's articles are stored; the next run raises" in said["detect_signals"]
    assert said["detect_signals"].startswith("disk full at /data/news.duckdb.wal: ")
