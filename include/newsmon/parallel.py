"""Map a function over work items in a process pool when that pays, in order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def parallel_map(
    fn: Callable[[Any], Any],
    items: list[Any],
    workers: int,
    min_items: int = 64,
    chunksize: int | None = None,
) -> Iterator[Any]:
    """``map`` over a process pool when it pays (several workers, enough items), in order.

    ``chunksize`` items travel to a worker (and their results back) together; by default
    up to 256, fewer when there are few items. Results are held until the caller takes
    them, so items with big results (a megabyte range of an archive) go one at a time.

    ``workers`` 0 means one per core. forkserver: workers start from a clean single-threaded
    server, never from a fork of a threaded process (an Airflow task runner has threads).
    """
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(items) < min_items:
        yield from map(fn, items)
        return
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
    ) as pool:
        size = chunksize or max(1, min(256, len(items) // (workers * 8)))
        yield from pool.map(fn, items, chunksize=size)
