"""The schema files are applied to a database once per version of them, not per connection."""

from __future__ import annotations

from pathlib import Path

from newsmon.db import connect, schema_mark


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
