"""parallel_map on a real process pool: results in order, the input consumed as it goes."""

from __future__ import annotations

from collections.abc import Iterator

from newsmon.parallel import IN_FLIGHT_PER_WORKER, parallel_map


class Counted:
    """An iterator of 0..n-1 that counts how many items were taken from it."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.taken = 0

    def __iter__(self) -> Iterator[int]:
        for i in range(self.n):
            self.taken += 1
            yield i


def test_results_come_in_input_order_from_a_pool() -> None:
    items = list(range(-500, 500))
    assert list(parallel_map(abs, items, workers=2, min_items=1, chunksize=7)) == [
        abs(i) for i in items
    ]


def test_an_iterator_is_consumed_a_few_chunks_ahead_not_all_at_once() -> None:
    """100,000s of work items (a folder of files) must not be held, nor their results:
    the first result is given when at most a few chunks per worker were taken."""
    source = Counted(10_000)
    results = parallel_map(abs, source, workers=2, min_items=1, chunksize=10, count=source.n)
    assert next(results) == 0
    assert source.taken <= 2 * IN_FLIGHT_PER_WORKER * 10 + 10
    assert sum(results) == sum(range(1, 10_000))
    assert source.taken == 10_000


def test_too_little_work_runs_in_process() -> None:
    source = Counted(5)
    assert list(parallel_map(abs, source, workers=2, min_items=64, count=5)) == list(range(5))
