"""The schema files are applied to a database once per version of them, not per connection."""

from __future__ import annotations

from pathlib import Path

from newsmon.storage.db import connect, schema_mark


def _views(con, name: str) -> int:  # noqa: ANN001
    return con.execute(
        "select count(*) from duckdb_views() where view_name = ?", [name]
    ).fetchone()[0]


def test_schema_files_run_once_per_version_of_them(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    with connect(db):
        pass
    with connect(db) as con:
        marks = con.execute("select task from db_maintenance where task like 'schema %'").fetchall()
        assert marks == [(schema_mark(),)]
        con.execute("drop view article_evidence")
    with connect(db) as con:  # the same files: nothing is run again
        assert _views(con, "article_evidence") == 0
        con.execute("update db_maintenance set task = 'schema 0000' where task like 'schema %'")
    with connect(db) as con:  # other files (an upgrade): all run, and the new mark replaces the old
        assert _views(con, "article_evidence") == 1
        marks = con.execute("select task from db_maintenance where task like 'schema %'").fetchall()
        assert marks == [(schema_mark(),)]


def test_a_database_from_before_the_mark_gets_the_schema(tmp_path: Path) -> None:
    """A file made before marks existed (tables, no mark): the files run, then it is marked."""
    db = tmp_path / "news.duckdb"
    with connect(db) as con:
        con.execute("delete from db_maintenance")
        con.execute("drop view article_evidence")
    with connect(db) as con:
        assert _views(con, "article_evidence") == 1
        assert con.execute("select count(*) from db_maintenance").fetchone()[0] == 1


def test_error_rows_of_one_problem_made_before_detail_are_merged(tmp_path: Path) -> None:
    """A database from before ``ingest_errors.detail``: reasons that held the read time
    (one row per minute a rerun happened in) or a measured size become one row per problem,
    their seen_count added, first and last sightings kept, what varied in detail."""
    import duckdb

    db = tmp_path / "news.duckdb"
    old = (
        "create table ingest_errors (error_id varchar primary key, origin varchar not null,"
        " stage varchar not null, reason varchar not null, first_run_id varchar not null,"
        " last_run_id varchar not null, first_seen_at timestamptz not null,"
        " last_seen_at timestamptz not null, seen_count integer not null default 1)"
    )
    future = (
        "published_at 2099-12-31 23:59 UTC is after the time it was read ({} UTC);"
        " stored without a date"
    )
    rows = [
        ("a.jsonl#L3", "date", future.format("2026-12-06 08:31"), "r1", "2026-12-06 08:31", 1),
        ("a.jsonl#L3", "date", future.format("2026-12-06 08:32"), "r2", "2026-12-06 08:32", 2),
        ("a.jsonl#L3", "date", future.format("2026-12-07 10:00"), "r4", "2026-12-07 10:00", 1),
        ("big.txt", "read", "file too large (50.0 MB > 20 MB limit)", "r1", "2026-12-06 08:31", 1),
        ("big.txt", "read", "file too large (51.2 MB > 20 MB limit)", "r3", "2026-12-06 09:00", 1),
        (
            "u",
            "fetch",
            "unexpected error: took 15.27s at 2026-12-06 08:31:07",
            "r1",
            "2026-12-06 08:31",
            1,
        ),
        (
            "u",
            "fetch",
            "unexpected error: took 3.1s at 2026-12-06 09:40:00",
            "r3",
            "2026-12-06 09:40",
            1,
        ),
        ("b.txt", "discover", "unsupported file type '.pdf'", "r1", "2026-12-06 08:31", 3),
    ]
    with duckdb.connect(str(db)) as con:
        con.execute(old)
        for origin, stage, reason, run_id, at, n in rows:
            con.execute(
                "insert into ingest_errors values (sha1(?), ?, ?, ?, ?, ?, ?::timestamptz,"
                " ?::timestamptz, ?)",
                [f"{origin}|{stage}|{reason}", origin, stage, reason, run_id, run_id, at, at, n],
            )
    with connect(db) as con:
        got = con.execute(
            "select origin, reason, detail, first_run_id, last_run_id, seen_count,"
            " error_id = sha1(origin || '|' || stage || '|' || reason)"
            " from ingest_errors order by origin"
        ).fetchall()
    assert got == [
        (
            "a.jsonl#L3",
            "published_at is more than a day after the time it was read; stored without a date",
            "published_at 2099-12-31 23:59 UTC, read at 2026-12-07 10:00 UTC",
            "r1",
            "r4",
            4,
            True,
        ),
        ("b.txt", "unsupported file type '.pdf'", None, "r1", "r1", 3, True),
        ("big.txt", "file too large (over the 20 MB limit)", "51.2 MB", "r1", "r3", 2, True),
        (
            "u",
            "unexpected error: took … at …",
            "unexpected error: took 3.1s at 2026-12-06 09:40:00",
            "r1",
            "r3",
            2,
            True,
        ),
    ]
    with connect(db) as con:  # applied once: a later connection changes nothing
        assert con.execute("select sum(seen_count) from ingest_errors").fetchone()[0] == 11
