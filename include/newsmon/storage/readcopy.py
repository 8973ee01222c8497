"""The analyst copy: a read-only snapshot that readers open, so readers and the writer never
wait for each other.

DuckDB lets one process write a file, and a reader holding it open (a notebook, the CLI, a
BI tool) makes the writer wait and fail. So readers never open the writer's file:
:func:`publish` runs at the end of every write phase that finishes a run (signal
detection, alert recording, retag), while the writer still holds its lock. It checkpoints
(the file then holds every committed row, with an empty WAL), copies the file to a
temporary name beside ``data/read/news.duckdb`` and renames it into place atomically. A
reader who has the old copy open keeps reading it (the old inode lives on until closed);
the next one sees the new copy. Readers cannot touch the writer's file, so they can
neither block nor corrupt it.

The copy is a plain file copy (``copy_file_range``: a reflink on filesystems that have
them) when the database is stored in the format the analysts' clients read
(``db_storage_version``, default ``v1.5.0``: DuckDB 1.5 and 2.x); a database made in a
newer format is exported table by table into that format instead, which costs more.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.storage.db import connect, execute, open_reader, run_on_catalog

log = logging.getLogger(__name__)

# DuckDB's file header: 8 bytes checksum, "DUCK", then the storage version (uint64, LE).
_FORMATS = {"v1.5.0": 68}


def storage_version(path: Path) -> int | None:
    try:
        with path.open("rb") as fh:
            head = fh.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[8:12] != b"DUCK":
        return None
    return struct.unpack("<Q", head[12:20])[0]


def _copy(src: Path, dst: Path) -> None:
    """Copy a file in the kernel (copy_file_range: a reflink where the filesystem can)."""
    with src.open("rb") as fin, dst.open("wb") as fout:
        size = os.fstat(fin.fileno()).st_size
        try:
            done = 0
            while done < size:
                n = os.copy_file_range(fin.fileno(), fout.fileno(), size - done)
                if n == 0:
                    break
                done += n
        except OSError:  # another filesystem kind: plain copy
            fin.seek(0)
            fout.seek(0)
            fout.truncate()
            shutil.copyfileobj(fin, fout, 16 << 20)
        fout.flush()
        os.fsync(fout.fileno())


def publish(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    """Replace the analyst copy with the database as committed now (the caller writes).

    A failure (a full disk, say) is logged and returned, never raised: readers keep the
    previous copy, whose age ``newsmon summary`` shows, and the run that called goes on.
    """
    try:
        return _publish(con, settings)
    except (OSError, duckdb.Error) as exc:
        # a half-written copy (a full disk) must not keep the space until the next publish
        tmp = settings.read_db_path.with_name(f".{settings.read_db_path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        log.warning("analyst copy not published (readers keep the previous one): %s", exc)
        return {"path": str(settings.read_db_path), "error": f"{type(exc).__name__}: {exc}"}


def _publish(con: duckdb.DuckDBPyConnection, settings: Settings) -> dict[str, Any]:
    started = time.perf_counter()
    target = settings.read_db_path
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):  # left by a publish that died
        stale.unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    execute(con, "storage/publish/checkpoint")
    wanted = _FORMATS.get(settings.db_storage_version)
    if wanted is not None and storage_version(settings.db_path) == wanted:
        method = "copy"
        _copy(settings.db_path, tmp)
    else:  # an older database in a newer format: export into the readable one
        method = "export"
        execute(con, "storage/publish/attach", path=str(tmp), version=settings.db_storage_version)
        try:
            current = execute(con, "storage/publish/current_database").fetchone()[0]
            run_on_catalog(con, "storage/publish/copy", current)
        finally:
            execute(con, "storage/publish/detach")
    checkpoint("publish")  # a crash here leaves the previous copy whole and a stale tmp
    os.replace(tmp, target)
    result = {
        "path": str(target),
        "method": method,
        "bytes": target.stat().st_size,
        "seconds": round(time.perf_counter() - started, 3),
    }
    log.info("analyst copy published: %s", result)
    return result


class HeldCopy:
    """The analyst copy held open by a long-lived reader (the console's server), so that its
    pages find the data in DuckDB's cache instead of reading the file afresh each time
    (at 100,000 articles a search took 240 ms on a new connection, 130 ms on a warm one).

    Each :meth:`reading` gives a cursor of one connection; when a run publishes a new copy
    (a new inode), the next reading waits for the readers of the old one to finish, closes
    it and opens the new. Until then the old copy's disk space stays held. Where no
    analyst copy exists yet, reading falls back to a short connection to the writer's file,
    never held, so the writer is never locked out.
    """

    def __init__(self, wait: float = 30.0) -> None:
        self._cond = threading.Condition()
        self._key: tuple[str, int, int] | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._active = 0
        self._wait = wait

    @contextmanager
    def reading(self, settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
        path = settings.read_db_path
        try:
            st = path.stat()
        except FileNotFoundError:
            with open_read(settings) as con:
                yield con
            return
        key = (str(path), st.st_ino, st.st_mtime_ns)
        with self._cond:
            # DuckDB hands a second connection to a path the database it already has open
            # there: the old copy must be let go (its readers done) before the new one can
            # be opened. A reader still busy after `wait` keeps the old one in use.
            stale = key != self._key or self._con is None
            if stale and self._cond.wait_for(lambda: self._active == 0, timeout=self._wait):
                if self._con is not None:
                    self._con.close()
                self._con = open_reader(path, settings.db_memory_limit)
                self._key = key
            assert self._con is not None
            cur = self._con.cursor()
            self._active += 1
        try:
            execute(cur, "storage/db/utc")
            yield cur
        finally:
            cur.close()
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            if self._con is not None:
                self._con.close()
            self._con, self._key = None, None


@contextmanager
def open_read(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the analyst copy (the writer's file where none exists yet,
    as after an upgrade, until the next run publishes one)."""
    path = settings.read_db_path if settings.read_db_path.exists() else settings.db_path
    with connect(path, read_only=True, wait=settings.db_lock_wait_seconds) as con:
        yield con
