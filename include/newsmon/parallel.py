"""Map a function over work items in a process pool when that pays, in order."""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 2  # chunks handed to the pool ahead of the one the caller waits for
MAX_CRASHED = 10  # items that may each kill a worker alone before the map gives up


def _forkserver() -> Any:
    """The forkserver context, its server preloading only :mod:`newsmon.orphans` (so it
    dies with its owner): by default it imports the parent's ``__main__`` (an Airflow task runner, a benchmark script) and holds it for as
    long as the parent lives (50 MB for the benchmark). The workers import what their
    function needs (:mod:`newsmon.flows.workers`, 47 MB each)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["newsmon.orphans"])  # it dies with its owner (Linux)
    return ctx


def _die_with_parent() -> None:
    """A worker's initializer: SIGKILL it when its forkserver dies (Linux), as the
    forkserver is when the pool's owner dies (:mod:`newsmon.orphans`, which only the
    forkserver imports: imported here it would tie the owner to its own parent)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def _apply(fn: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    return [fn(item) for item in chunk]


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int,
    min_items: int = 64,
    chunksize: int | None = None,
    count: int | None = None,
    on_crash: Callable[[Any], Any] | None = None,
    isolate: bool = False,
) -> Iterator[Any]:
    """``map`` over a process pool when it pays (several workers, enough items), in order.

    ``chunksize`` items travel to a worker (and their results back) together; by default
    up to 256, fewer when there are few items. ``items`` may be an iterator (then give its
    ``count``): it is consumed as the work goes, only a few chunks per worker ahead of the
    caller, so neither the items nor their results pile up in memory, however many there
    are (``Executor.map`` would submit them all at once). Results are held until the
    caller takes them, so items with big results (a megabyte range of an archive) go one
    at a time.

    ``workers`` 0 means one per core. forkserver: workers start from a clean single-threaded
    server, never from a fork of a threaded process (an Airflow task runner has threads).

    A worker that dies (a crash in a C library, the kernel's OOM killer, a ``kill -9``)
    breaks the pool. With ``on_crash``, the items that were in flight are then run again
    one at a time in a fresh pool; one that kills its worker alone too gives
    ``on_crash(item)`` as its result, and the rest go on; more than ``MAX_CRASHED`` such
    items is not bad items but workers that cannot run, and the pool's error is raised.
    Without ``on_crash``, or in this process (one worker, few items), the death is the
    caller's. ``isolate``: never in this process (a pool of one worker at least), for work
    whose crash must cost only its item however few items there are. A daemonic process (a
    task on a Celery prefork worker) may start no process: there, everything runs here.
    """
    workers = workers or os.cpu_count() or 1
    if count is None:
        items = list(items)
        count = len(items)
    if not count:
        return
    if not isolate and (workers <= 1 or count < min_items):
        yield from map(fn, items)
        return
    if multiprocessing.current_process().daemon:
        # a daemonic process may not start processes: a task on a Celery prefork worker
        # runs in one. The work is done here, and a crash is the caller's.
        log.warning(
            "no worker processes in a daemonic process (a Celery prefork worker?):"
            " %d items handled in this process",
            count,
        )
        yield from map(fn, items)
        return
    size = chunksize or max(1, min(256, count // (workers * 8)))
    yield from _pooled(fn, iter(items), workers, size, on_crash)


@dataclass
class _InFlight:
    """What one pool holds: chunks submitted, and a chunk being handed to it."""

    pending: deque[tuple[list[Any], Future[list[Any]]]] = field(default_factory=deque)
    taking: list[Any] = field(default_factory=list)

    def items(self) -> list[Any]:
        return [item for chunk, _ in self.pending for item in chunk] + self.taking


def _pooled(
    fn: Callable[[Any], Any],
    source: Iterator[Any],
    workers: int,
    size: int,
    on_crash: Callable[[Any], Any] | None,
) -> Iterator[Any]:
    """The pool's side of :func:`parallel_map`: a fresh pool after a worker died, with the
    items that were in flight tried alone first (``suspects``)."""
    suspects: deque[Any] = deque()  # after a worker died: its items and those beside them
    crashed = 0
    while True:
        flight = _InFlight()
        try:
            with ProcessPoolExecutor(
                max_workers=workers, mp_context=_forkserver(), initializer=_die_with_parent
            ) as pool:
                yield from _in_pool(pool, fn, source, workers, size, suspects, flight)
                return
        except BrokenProcessPool:
            if on_crash is None:
                raise
            if suspects:  # alone in a fresh worker, it killed that one too
                crashed += 1
                if crashed > MAX_CRASHED:  # not a few bad items: workers cannot run here
                    raise
                yield on_crash(suspects.popleft())
            else:  # any item in flight may have done it: each is tried alone, in order
                suspects.extend(flight.items())


def _in_pool(
    pool: ProcessPoolExecutor,
    fn: Callable[[Any], Any],
    source: Iterator[Any],
    workers: int,
    size: int,
    suspects: deque[Any],
    flight: _InFlight,
) -> Iterator[Any]:
    """Results in order, a few chunks per worker ahead of the caller; suspects one at a
    time, so the item that kills its worker is known."""
    while True:
        if suspects:
            result = pool.submit(fn, suspects[0]).result()
            suspects.popleft()
            yield result
            continue
        while len(flight.pending) < workers * IN_FLIGHT_PER_WORKER:
            flight.taking = list(itertools.islice(source, size))
            if not flight.taking:
                break
            flight.pending.append((flight.taking, pool.submit(_apply, fn, flight.taking)))
            flight.taking = []
        if not flight.pending:
            return
        result_chunk = flight.pending[0][1].result()
        flight.pending.popleft()
        yield from result_chunk
