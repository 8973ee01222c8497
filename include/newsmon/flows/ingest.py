"""The ingest flow's own stages: discover the input files, read them (and store as they are read).

Each takes the settings and a run id, does one job, hands its records over in the run's
:class:`~newsmon.staging.RunFolder` and returns a dict of counts (what Airflow passes on in
XCom). Only :func:`discover_files` opens the database (and :func:`read_and_store`, which
``newsmon ingest`` runs in place of read and :func:`~newsmon.flows.store.store_articles`); in
Airflow it runs in the 1-slot ``newsmon_duckdb`` pool.

The work done per document (decoding, parsing, dates, cleaning, tagging, serialisation) is
in :mod:`newsmon.flows.workers`, which the read stage's worker processes run.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from newsmon import progress
from newsmon.config import Settings
from newsmon.diskspace import guard_disk, require, run_needs
from newsmon.faults import checkpoint
from newsmon.flows.store import store_articles
from newsmon.flows.workers import crashed_item, read_item
from newsmon.parallel import parallel_map
from newsmon.read import jsonl_ranges
from newsmon.read.files import FileRef, discover
from newsmon.records import IngestError
from newsmon.staging import JsonlWriter, RunFolder
from newsmon.storage import runs
from newsmon.storage.db import execute, open_db, set_memory_limit
from newsmon.storage.runs import folder
from newsmon.tagging.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


# -- discover ---------------------------------------------------------------------------------


@guard_disk
def discover_files(
    settings: Settings,
    run_id: str,
    paths: Iterable[str | Path],
    *,
    trigger: str = "cli",
    made_by: str = "newsmon ingest",
    force: bool = False,
    backfill: bool = False,
    airflow_run_id: str | None = None,
) -> dict[str, Any]:
    """Start the run and list its input files, skipping those read before unchanged
    (a JSON Lines file that has only grown is read from where the last run stopped)."""
    paths = [str(p) for p in paths]
    refs, errors = discover(paths, settings.ingest.extensions)
    with runs.begin(
        settings,
        run_id,
        kind="ingest",
        trigger=trigger,
        made_by=made_by,
        paths=paths,
        backfill=backfill,
        airflow_run_id=airflow_run_id,
    ) as (con, staged):
        known: dict[str, dict[str, Any]] = {}
        if refs and not force:
            cur = execute(con, "flows/ingest/known_files", paths=[r.path for r in refs])
            names = [d[0] for d in cur.description]
            known = {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
        todo = [r for r in refs if _changed(r, known.get(r.path))]
        execute(
            con,
            "storage/runs/discovered",
            run_id=run_id,
            files_found=len(refs),
            files_skipped=len(refs) - len(todo),
        )
    staged.write_files(asdict(part) for r in todo for part in _parts(r, known.get(r.path), errors))
    staged.write_errors("discover", (e.to_dict() for e in errors))
    counts = {
        "run_id": run_id,
        "files_found": len(refs),
        "files_to_read": len(todo),
        "files_skipped": len(refs) - len(todo),
        "errors": len(errors),
    }
    log.info("discover %s: %s", run_id, counts)
    return counts


def _changed(ref: FileRef, known: dict[str, Any] | None) -> bool:
    return known is None or (known["size"], known["mtime_ns"]) != (ref.size, ref.mtime_ns)


def _parts(ref: FileRef, known: dict[str, Any] | None, errors: list[IngestError]) -> list[FileRef]:
    """The work items of one file: itself, or a JSON Lines file's ranges from where the last
    run stopped reading it (see :mod:`newsmon.read.jsonl_ranges`)."""
    if not ref.path.lower().endswith(".jsonl"):
        return [ref]
    try:
        start, line = jsonl_ranges.resume_point(ref.path, ref.size, known)
        head = replace(ref, head=jsonl_ranges.head_hash(ref.path, ref.size))
        head = replace(head, head_bytes=min(ref.size, jsonl_ranges.HEAD_BYTES))
        return jsonl_ranges.plan(head, start, line)
    except OSError as exc:
        errors.append(IngestError(ref.path, "read", f"cannot read file: {exc.strerror or exc}"))
        return []


# -- read: decode, parse, clean, identify, tag ------------------------------------------------


@guard_disk
def read_files(settings: Settings, run_id: str) -> dict[str, Any]:
    """Read, clean and tag every file (or JSON Lines range) listed by :func:`discover_files`
    into article and topics chunks, in parallel when there is enough work.

    The list of work items is streamed from the staging folder and the per-file results
    and errors are streamed back to it, so memory does not grow with the number of files
    (100,000 files held as lists cost the main process ~200 MB)."""
    staged = folder(settings, run_id)
    count = size = 0
    for r in staged.files():
        count += 1
        size += (r["end"] if r.get("end") is not None else r["size"]) - r.get("start", 0)
    if settings.ingest.disk_check:  # a run that cannot fit is refused before it writes
        require(settings, run_id, run_needs(staged.files()))
    with (
        progress.stage("read + clean + tag", total=size, unit="byte") as step,
        staged.errors_writer("read") as write_error,
        staged.file_results_writer() as write_result,
    ):
        tally = _ReadTally(step, write_error, write_result)
        n = staged.write_articles(
            _read_lines(settings, staged, count, size, tally),
            settings.ingest.batch_size,
            max_bytes=settings.ingest.batch_bytes,
        )
    _give_back_memory()
    counts = {
        "run_id": run_id,
        "files_read": len(tally.paths),
        "topics": tally.topics,
        "documents": n + tally.clean,
        "articles": n,
        "errors": tally.errors,
    }
    log.info("read %s: %s", run_id, counts)
    return counts


@dataclass
class _ReadTally:
    """What the read stage counts as results come back, and where it writes them."""

    step: Callable[[int], None]
    write_error: JsonlWriter
    write_result: JsonlWriter
    topics: dict[str, int] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)
    errors: int = 0
    clean: int = 0

    def add(self, errs: list[dict[str, Any]], summary: dict[str, Any]) -> None:
        for e in errs:
            self.write_error(e)
            self.errors += 1
            self.clean += e["stage"] == "clean"
        for topic, n in summary.pop("topics").items():
            self.topics[topic] = self.topics.get(topic, 0) + n
        self.paths.add(summary["path"])
        self.write_result(summary)


def _read_lines(
    settings: Settings, staged: RunFolder, count: int, size: int, tally: _ReadTally
) -> Iterator[tuple[str, str | None]]:
    """The staged article lines of every work item, read by the workers, in order."""
    work = ((i, r, settings) for i, r in enumerate(staged.files()))
    few = 1 if size > 2 * jsonl_ranges.RANGE_BYTES else 64  # a big archive is worth the pool
    # a chunk of work items carries at most ~1 MB of input (its results are ~4x that)
    per_chunk = max(1, int(jsonl_ranges.RANGE_BYTES / max(1, size / max(1, count))))
    for arts, errs, summary in parallel_map(
        read_item,
        work,
        settings.ingest.workers,
        min_items=few,
        chunksize=min(per_chunk, max(1, count // (2 * 8))),
        count=count,
        on_crash=crashed_item,
    ):
        tally.add(errs, summary)
        yield from arts
        tally.step(
            summary["end"] - summary["start"] if summary.get("end") is not None else summary["size"]
        )
        checkpoint("read")


def _give_back_memory() -> None:
    """Hand the heap the read stage freed back to the system before the writer starts:
    glibc keeps it otherwise (~30 MB of the main process after 40,000 articles, which the
    store's peak then stands on)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@guard_disk
def read_and_store(
    settings: Settings, run_id: str, trigger: str = "cli"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`read_files`, then :func:`store_articles`, as ``newsmon ingest`` runs them; or,
    with ``ingest.store_while_reading``, both at once: the reading goes on in a thread (its
    workers in their processes) while this one stores each chunk as soon as it is staged,
    so the writer's work, a third of a run on overlapping news, overlaps the reading
    instead of following it (10-15% less time on 2 cores; nothing gained where reading
    dominates, as for texts of undeclared language). It is off by default: the writer's
    memory and the workers' then add up, ~100 MB more at peak (100,000 files of random
    words: 571 MB for the whole process tree, against 468 MB one after the other). The
    database is opened when the first chunk is staged and held to the end, one checkpoint
    for the run (one per chunk left the file 18% larger); meanwhile DuckDB's buffer pool
    is ``ingest.store_while_reading_memory``. The DAG keeps read and store apart as two
    tasks, so that reading does not hold the writer slot.

    A chunk is stored exactly as :func:`store_articles` would store it (chunks appear whole
    and in order), so the outcome is the same. A failure in either is raised once the
    reading has stopped; when the reading fails, every chunk it staged whole is stored
    first (the run stays unfinished: its files are read again next time, and what they
    hold is then unchanged). When both fail, the first failure is raised, with the other
    in a note."""
    if not settings.ingest.store_while_reading:
        return read_files(settings, run_id), store_articles(settings, run_id, trigger)
    reading = _Reading(settings, run_id)
    failed = reading.failed
    try:
        stored = _store_while_reading(settings, run_id, trigger, reading)
    except Exception as exc:
        read_failed_first = bool(failed)
        reading.thread.join()  # the error is raised once the reading has stopped
        if read_failed_first:  # storing what it had staged failed too: the cause comes first
            failed[0].add_note(f"storing the chunks staged before it failed also failed: {exc!r}")
            raise failed[0]  # noqa: B904 (the store's error stays chained as its context)
        if failed:
            exc.add_note(f"the reading failed too: {failed[0]!r}")
        raise
    # (an interrupt is not held up: the reading is a daemon thread, its workers get the
    # signal too, and the next run finds this one's process gone)
    reading.thread.join()
    if failed:
        raise failed[0]
    return reading.read, stored if stored is not None else store_articles(settings, run_id, trigger)


class _Reading:
    """:func:`read_files` in a thread: its counts, or what it raised once it is over."""

    def __init__(self, settings: Settings, run_id: str) -> None:
        self.read: dict[str, Any] = {}
        self.failed: list[BaseException] = []
        self.thread = threading.Thread(
            target=self._read, args=(settings, run_id), name=f"newsmon-read-{run_id}", daemon=True
        )
        self.thread.start()

    def _read(self, settings: Settings, run_id: str) -> None:
        try:
            self.read.update(read_files(settings, run_id))
        except BaseException as exc:  # raised in the caller's thread once the reading is over
            self.failed.append(exc)


def _store_while_reading(
    settings: Settings, run_id: str, trigger: str, reading: _Reading
) -> dict[str, Any] | None:
    """Store each chunk as soon as it is staged, while the reading goes on; the store's
    counts when the reading succeeded (None when there was nothing, or it failed)."""
    from newsmon.storage.articles import store_ready

    thread, staged = reading.thread, folder(settings, run_id)
    while thread.is_alive() and not staged.article_chunks():
        thread.join(POLL_SECONDS)
    if not staged.article_chunks():
        return None
    version = load_taxonomy(settings.topics_path).version
    with open_db(settings) as con:
        runs.heartbeat(con, run_id, trigger)
        set_memory_limit(con, settings.ingest.store_while_reading_memory)
        while thread.is_alive():
            if not store_ready(con, settings, staged, version, runs.now()):
                thread.join(POLL_SECONDS)
        set_memory_limit(con, settings.db_memory_limit)
        # what was staged last; every whole chunk, even when the reading failed
        store_ready(con, settings, staged, version, runs.now())
        if not reading.failed:
            return store_articles(settings, run_id, trigger, con=con)
    return None


POLL_SECONDS = 0.2  # how often read_and_store looks for a newly staged chunk
