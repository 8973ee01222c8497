"""Map a function over work items in a process pool when that pays, in order."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

IN_FLIGHT_PER_WORKER = 2  # chunks handed to the pool ahead of the one the caller waits for


def _forkserver() -> Any:
    """The forkserver context, its server preloading nothing: by default it imports the
    parent's ``__main__`` (an Airflow task runner, a benchmark script) and holds it for as
    long as the parent lives (50 MB for the benchmark). The workers import what their
    function needs (:mod:`newsmon.prepare`, 47 MB each)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([])
    return ctx


def _apply(fn: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    return [fn(item) for item in chunk]


def parallel_map(
    fn: Callable[[Any], Any],
    items: Iterable[Any],
    workers: int,
    min_items: int = 64,
    chunksize: int | None = None,
    count: int | None = None,
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
    """
    workers = workers or os.cpu_count() or 1
    if count is None:
        items = list(items)
        count = len(items)
    if workers <= 1 or count < min_items:
        yield from map(fn, items)
        return
    size = chunksize or max(1, min(256, count // (workers * 8)))
    source = iter(items)
    with ProcessPoolExecutor(max_workers=workers, mp_context=_forkserver()) as pool:
        pending: deque[Future[list[Any]]] = deque()
        while True:
            while len(pending) < workers * IN_FLIGHT_PER_WORKER:
                chunk = list(itertools.islice(source, size))
                if not chunk:
                    break
                pending.append(pool.submit(_apply, fn, chunk))
            if not pending:
                return
            yield from pending.popleft().result()
