"""Disk space: what each part of newsmon's data takes, what a run needs, a full disk said in
one line, and the cap on the raw pages kept.

A year of news fills disks: the analyst copy doubles the database, a run's staging holds
its chunks (about 7 bytes per byte of JSON Lines read: each article's text with its
signature, bands, index terms and tags), and fetched raw pages accumulate.

- :func:`usage`: the bytes of each part (database, analyst copy, raw pages, staging,
  DuckDB's spill folder) and the space free where each lives, for ``newsmon summary`` and
  the console's sources page.
- :func:`require`: before a run reads, the space it will need (:func:`run_needs`) is checked
  against what is free; a run that cannot fit is refused before it writes anything.
- :func:`guard_disk`: a stage that runs out of space anyway (the estimate is an estimate;
  other programs write too) removes the run's staging and raises :class:`DiskFull`, whose
  message is one line: the path, the space free, the space the run needed.
- :func:`trim_raw_pages`: ``fetch.raw_pages_max_mb`` keeps the newest raw pages under a cap.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from newsmon.config import Settings
from newsmon.staging import RunFolder

# staged bytes per byte read, and database bytes per byte read (the overlap corpus of
# ``make bench``, JSON Lines: 14.1 MB read staged 100.8 MB and grew the database by 35 MB;
# markup files stage less than they weigh)
STAGING_PER_BYTE = 7.5
STAGING_PER_MARKUP_BYTE = 1.0
DATABASE_PER_BYTE = 2.5
MARKUP = (".html", ".htm", ".xml")

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
_FULL_WORDS = re.compile(r"No space left on device|Disk quota exceeded|not enough space", re.I)
_FILE_IN_MESSAGE = re.compile(r'(?:file|directory) "([^"]+)"')


class DiskFull(Exception):
    """A run stopped (or refused) for want of disk space; ``str()`` is one plain line."""

    def __init__(self, path: Path | str, free: int, needed: int | None, outcome: str) -> None:
        self.path, self.free, self.needed, self.outcome = str(path), free, needed, outcome
        need = f"; the run needed about {mb(needed)} there" if needed else ""
        super().__init__(f"disk full at {self.path}: {mb(free)} free{need}. {outcome}")


def mb(size: int | None) -> str:
    """``size`` bytes for people."""
    size = size or 0
    if size >= 10**9:
        return f"{size / 10**9:.1f} GB"
    return f"{size / 10**6:.1f} MB"


def free_bytes(path: Path) -> int:
    """The space free to this process on the filesystem that holds (or will hold) ``path``."""
    return shutil.disk_usage(_existing(path)).free


def full_disk_path(exc: BaseException) -> str | None:
    """The path that could not be written when ``exc`` (or an exception it came from) is a
    full disk or an exceeded quota ('' when no path is known); None for any other error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return str(current.filename or "")
        text = str(current)
        if _FULL_WORDS.search(text):  # DuckDB says it in its message
            found = _FILE_IN_MESSAGE.search(text)
            return found.group(1) if found else ""
        current = current.__cause__ or current.__context__
    return None


def _dir_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (0 if it is not there); files that vanish while
    counted (a run removing its staging) are skipped."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
    return total


def parts(settings: Settings) -> dict[str, list[Path]]:
    """Where each part of newsmon's data lives."""
    db = settings.db_path
    return {
        "database": [db, db.with_name(db.name + ".wal")],
        "analyst copy": [settings.read_db_path.parent],
        "raw pages": [settings.raw_dir],
        "staging": [settings.staging_dir],
        "spill": [db.with_name(db.name + ".tmp")],  # DuckDB's temp_directory
    }


def _existing(path: Path) -> Path:
    """``path``, or its nearest ancestor that exists."""
    return next((p for p in (path, *path.parents) if p.exists()), Path("/"))


def usage(settings: Settings) -> dict[str, dict[str, Any]]:
    """Per part: its bytes, the folder it lives in, and the space free there (measured once
    per filesystem, so parts on one filesystem show the same figure)."""
    out: dict[str, dict[str, Any]] = {}
    free: dict[int, int] = {}
    for name, paths in parts(settings).items():
        home = _existing(paths[0])
        dev = home.stat().st_dev
        if dev not in free:
            free[dev] = shutil.disk_usage(home).free
        out[name] = {
            "bytes": sum(_dir_bytes(p) for p in paths),
            "path": str(paths[0]),
            "free": free[dev],
        }
    return out


def run_needs(files: Iterator[dict[str, Any]]) -> dict[str, int]:
    """The space a run reading ``files`` (staged work items: path, size, range) needs, by
    part: its staging and the database's growth."""
    staging = database = 0
    for f in files:
        size = (f["end"] if f.get("end") is not None else f["size"]) - f.get("start", 0)
        markup = str(f["path"]).lower().endswith(MARKUP)
        staging += int(size * (STAGING_PER_MARKUP_BYTE if markup else STAGING_PER_BYTE))
        database += int(size * DATABASE_PER_BYTE)
    return {"staging": staging, "database": database}


def _by_filesystem(settings: Settings, needs: dict[str, int]) -> Iterator[tuple[Path, int]]:
    """``(a folder, bytes needed)`` per filesystem the needs fall on."""
    where = {"staging": settings.staging_dir, "database": settings.db_path.parent}
    totals: dict[int, tuple[Path, int]] = {}
    for part, size in needs.items():
        folder = where[part]
        dev = _existing(folder).stat().st_dev
        path, total = totals.get(dev, (folder, 0))
        totals[dev] = (path, total + size)
    yield from totals.values()


def require(settings: Settings, run_id: str, needs: dict[str, int]) -> None:
    """Refuse the run (:class:`DiskFull`, its staging removed) when a filesystem it writes
    to has less free than the run needs there."""
    for folder, needed in _by_filesystem(settings, needs):
        free = free_bytes(folder)
        if free < needed:
            RunFolder(settings.staging_dir, run_id).remove()
            raise DiskFull(
                folder,
                free,
                needed,
                "Nothing was read or stored: the database is as it was. Free some space"
                " (or move the data folder) and run again.",
            )


F = TypeVar("F", bound=Callable[..., Any])


def guard_disk(stage: F) -> F:
    """A stage ``(settings, run_id, ...)`` that meets a full disk removes the run's staging
    (which would keep the disk full until the next run) and raises :class:`DiskFull`."""

    @functools.wraps(stage)
    def run(settings: Settings, run_id: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return stage(settings, run_id, *args, **kwargs)
        except DiskFull:
            raise
        except Exception as exc:
            path = full_disk_path(exc)
            if path is None:
                raise
            raise _stopped(settings, run_id, stage.__name__, path) from exc

    return run  # type: ignore[return-value]


def _stopped(settings: Settings, run_id: str, stage: str, path: str) -> DiskFull:
    """The :class:`DiskFull` of a run stopped in ``stage``, after its staging is removed."""
    staged = RunFolder(settings.staging_dir, run_id)
    written = _dir_bytes(staged.path)
    try:  # the list of the run's inputs, unless the disk filled while it was written
        files = list(staged.files()) if staged.path.is_dir() else []
    except (OSError, ValueError):
        files = []
    needs = run_needs(iter(files)) if files else {"staging": written}
    staged.remove()
    reading = stage in ("discover_files", "read_files", "fetch_batch")
    # where it failed: the file named, else what the stage writes
    target = Path(path) if path else settings.staging_dir if reading else settings.db_path.parent
    kept = {  # what the stage leaves, in the words of the stage that failed
        "detect_signals": "The run's articles are stored; the next run raises their signals",
        "store_articles": "Chunks the run stored before stay stored; the next run reads (or"
        " fetches) the rest again",
        "read_and_store": "Chunks the run stored before stay stored; the next run reads the"
        " rest again",
    }.get(stage, "The database is as it was before the run")
    return DiskFull(
        target,
        free_bytes(target),
        max(sum(needs.values()), written) or None,
        f"{kept}; its staging was removed ({mb(written)}). Free some space and run again.",
    )


def trim_raw_pages(settings: Settings) -> dict[str, int]:
    """Keep the raw pages under ``fetch.raw_pages_max_mb``: the oldest (by the time they
    were written) are removed first. An article whose page is gone keeps its text, but
    ``newsmon reextract`` can no longer extract it again (it says how many it skipped)."""
    cap = settings.fetch.raw_pages_max_mb
    if cap is None or not settings.raw_dir.is_dir():
        return {"removed": 0, "bytes": 0}
    pages = []
    for path in settings.raw_dir.glob("*/*.html.gz"):
        try:
            st = path.stat()
        except OSError:
            continue
        pages.append((st.st_mtime_ns, path.name, path, st.st_size))
    total = sum(p[3] for p in pages)
    limit = int(cap * 10**6)
    removed = freed = 0
    for _, _, path, size in sorted(pages):
        if total - freed <= limit:
            break
        path.unlink(missing_ok=True)
        removed += 1
        freed += size
    return {"removed": removed, "bytes": freed}
