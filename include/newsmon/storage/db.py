"""The one place that opens DuckDB.

Connections are short (``with connect(path) as con``) because DuckDB allows one writing
process per file: a second process gets a lock error, which :func:`connect` retries with
backoff. The schema is created idempotently from ``include/sql/schema/*.sql`` (tables, in
file-name order) and ``include/sql/views/*.sql``; queries live in ``include/sql/queries``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from newsmon.config import SQL_DIR, Settings

log = logging.getLogger(__name__)

LOCK_RETRY_SECONDS = 120.0


class DatabaseBusy(RuntimeError):
    """Another process kept the DuckDB file locked for longer than we were willing to wait."""


@lru_cache(maxsize=64)
def sql(name: str) -> str:
    """The text of ``include/sql/queries/<name>.sql``."""
    return (SQL_DIR / "queries" / f"{name}.sql").read_text(encoding="utf-8")


def execute(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> duckdb.DuckDBPyConnection:
    """Execute ``queries/<name>.sql`` with the named parameters its text uses (``$name``)."""
    text = sql(name)
    used = set(re.findall(r"\$([A-Za-z_]\w*)", text))
    missing = used - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameter(s) {', '.join(sorted(missing))}")
    return con.execute(text, {k: v for k, v in params.items() if k in used})


def run_on_catalog(
    con: duckdb.DuckDBPyConnection, name: str, catalog: str, **params: Any
) -> duckdb.DuckDBPyConnection:
    """:func:`execute` a query whose text names a catalog (``{catalog}``), which cannot be a
    parameter: the name is put in as a quoted identifier."""
    text = sql(name).replace("{catalog}", '"' + catalog.replace('"', '""') + '"')
    used = set(re.findall(r"\$([A-Za-z_]\w*)", text))
    return con.execute(text, {k: v for k, v in params.items() if k in used})


def set_memory_limit(con: duckdb.DuckDBPyConnection, size: str) -> None:
    """Change the connection's buffer pool (a size the settings loader checked)."""
    execute(con, "storage/db/memory_limit", size=size)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


_REQUIRES = {
    "-- requires table: ": "storage/db/table_exists",
    "-- requires primary key: ": "storage/db/has_primary_key",
    "-- requires missing column: ": "storage/db/column_missing",
}


@lru_cache(maxsize=1)
def _schema_files() -> tuple[tuple[str, str], ...]:
    """``(name, text)`` of every schema file, then every view file, in the order they run."""
    return tuple(
        (f"{folder}/{path.name}", path.read_text(encoding="utf-8"))
        for folder in ("schema", "views")
        for path in sorted((SQL_DIR / folder).glob("*.sql"))
    )


def schema_mark() -> str:
    """``schema <hash>`` of the schema and view files: changes when any of them does."""
    digest = hashlib.sha256()
    for name, text in _schema_files():
        digest.update(f"{name}\0{text}\0".encode())
    return f"schema {digest.hexdigest()[:16]}"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables, run due migrations, (re)create views; all idempotent. A database
    that these very files were applied to (its ``db_maintenance`` row ``schema <hash>``)
    is left as it is: running the ~30 statements on every connection was ~40 ms each,
    three times per run (a sixth of a rerun over unchanged files).

    A file whose first line is ``-- requires table: <name>``, ``-- requires primary key:
    <table>`` or ``-- requires missing column: <table>.<column>`` is a migration: it runs,
    in one transaction, only while that old table (or key) exists, or that column does not,
    and changes that when done.
    """
    mark = schema_mark()
    with contextlib.suppress(duckdb.CatalogException):  # a new file has no db_maintenance
        if execute(con, "flows/maintenance/schema_current", mark=mark).fetchone()[0]:
            return
    for _name, text in _schema_files():
        first = text.split("\n", 1)[0]
        check = next((q for p, q in _REQUIRES.items() if first.startswith(p)), None)
        if check is None:
            con.execute(text)
            continue
        table = first.split(":", 1)[1].strip()
        if execute(con, check, table=table).fetchone()[0]:
            with transaction(con):
                con.execute(text)
    execute(con, "flows/maintenance/schema_applied", mark=mark)


def _busy_message(db: Path, error: str, waited: float) -> str:
    """One plain line: who holds the file and what to do."""
    m = re.search(r"held in (?P<prog>\S+) \(PID (?P<pid>\d+)\)", error)
    who = f"{Path(m['prog']).name}, PID {m['pid']}" if m else "another process"
    return (
        f"the database {db} is in use by {who} (waited {waited:g}s). DuckDB allows one"
        " process at a time, and a read-only session blocks writers too: close that session"
        " or let the other run finish, then try again."
    )


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


@contextmanager
def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    wait: float = LOCK_RETRY_SECONDS,
    memory_limit: str = "256MB",
    storage_version: str | None = None,
    checkpoint_wal: str = "1GB",
    compact_hours: float | None = None,
    compact: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the database (creating it and its schema for writers), retrying while locked.

    Compaction: at a checkpoint DuckDB merges and rewrites recent row groups of the tables
    that grew ("vacuum" tasks), and that work grows with the database (a 10,000-article run's
    closing checkpoint at 70,000 stored articles: 5.6 s with it, 0.8 s without). With
    ``compact_hours`` set, a writer checkpoints without it, and the first writer to close
    after ``compact_hours`` since the last compaction (or ``compact=True``) compacts.
    ``None`` leaves DuckDB's default: every checkpoint may compact.
    """
    db = Path(path)
    if read_only and not db.exists():
        raise FileNotFoundError(f"no database at {db}: run `newsmon ingest` first")
    db.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    delay = 0.2
    while True:
        try:
            config = {"memory_limit": memory_limit}
            if not read_only:  # one checkpoint per run (on close), not one per chunk
                config["checkpoint_threshold"] = checkpoint_wal
                if compact_hours is not None and not compact:
                    config["max_vacuum_tasks"] = 0
            if storage_version and not read_only:  # a new file is written in this format
                config["storage_compatibility_version"] = storage_version
            con = duckdb.connect(str(db), read_only=read_only, config=config)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(_busy_message(db, str(exc), wait)) from exc
            log.info("database %s is locked by another process; retrying in %.1fs", db, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    try:
        execute(con, "storage/db/utc")
        if not read_only:
            ensure_schema(con)
        yield con
        if not read_only and (compact or compact_hours is not None):
            _compact_if_due(con, compact_hours or 0.0, compact)
    finally:
        con.close()


def _compact_if_due(con: duckdb.DuckDBPyConnection, hours: float, force: bool) -> None:
    """Let the closing checkpoint compact when it is due; a failure here only postpones it."""
    try:
        if force or execute(con, "flows/maintenance/compaction_due", hours=hours).fetchone()[0]:
            execute(con, "storage/db/vacuum_tasks", tasks=DUCKDB_VACUUM_TASKS)
            execute(con, "flows/maintenance/compacted")
            log.info("compacting the database at this checkpoint (due every %gh)", hours)
    except duckdb.Error as exc:
        log.warning("database compaction postponed: %s", exc)


def open_reader(path: str | Path, memory_limit: str = "256MB") -> duckdb.DuckDBPyConnection:
    """A read-only connection the caller keeps and closes (a server holding the analyst
    copy open across requests; never the writer's file, which it would lock)."""
    con = duckdb.connect(str(path), read_only=True, config={"memory_limit": memory_limit})
    execute(con, "storage/db/utc")
    return con


DUCKDB_VACUUM_TASKS = 100  # DuckDB's default max_vacuum_tasks


def open_db(settings: Settings, **kwargs: Any) -> Any:
    """:func:`connect` to the configured database with the configured memory limit and
    lock wait."""
    kwargs.setdefault("wait", settings.db_lock_wait_seconds)
    return connect(
        settings.db_path,
        memory_limit=settings.db_memory_limit,
        storage_version=settings.db_storage_version,
        checkpoint_wal=settings.db_checkpoint_wal,
        compact_hours=settings.db_compact_hours,
        **kwargs,
    )
