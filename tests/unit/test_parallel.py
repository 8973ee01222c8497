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


def dies_on(item: tuple[int, frozenset[int]]) -> int:
    """``item[0]`` squared, or this worker process killed (SIGKILL: nothing to catch) when
    it is one of ``item[1]``."""
    import os
    import signal

    value, deadly = item
    if value in deadly:
        os.kill(os.getpid(), signal.SIGKILL)
    return value * value


def test_an_item_that_kills_its_worker_costs_only_itself() -> None:
    """Two items among 300 kill the worker that runs them: the items in flight beside them
    are run again alone in a fresh pool, the two kill their workers alone too and give
    ``on_crash``'s result, and every other result comes, in order."""
    deadly = frozenset({77, 211})
    items = [(i, deadly) for i in range(300)]
    got = list(
        parallel_map(
            dies_on, items, workers=2, min_items=1, chunksize=9, on_crash=lambda it: -it[0]
        )
    )
    assert got == [-i if i in deadly else i * i for i in range(300)]


def test_a_worker_death_without_on_crash_is_the_callers() -> None:
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    items = [(i, frozenset({5})) for i in range(40)]
    with pytest.raises(BrokenProcessPool):
        list(parallel_map(dies_on, items, workers=2, min_items=1, chunksize=3))


def test_workers_that_always_die_are_not_blamed_on_the_items() -> None:
    """Every item kills its worker: that is not bad items but workers that cannot run; after
    MAX_CRASHED items the pool's error is raised (the run fails and is read again next
    time) instead of every item being skipped as bad."""
    from concurrent.futures.process import BrokenProcessPool

    import pytest

    from newsmon.parallel import MAX_CRASHED

    items = [(i, frozenset(range(100))) for i in range(100)]
    crashed: list[int] = []

    def note(it: tuple[int, frozenset[int]]) -> int:
        crashed.append(it[0])
        return -1

    with pytest.raises(BrokenProcessPool):
        list(parallel_map(dies_on, items, workers=2, min_items=1, chunksize=5, on_crash=note))
    assert crashed == list(range(MAX_CRASHED))


def test_a_json_lines_range_that_kills_its_reader_is_passed_over_whole(tmp_path) -> None:  # noqa: ANN001
    """A range of an archive that killed its reader twice is an error naming its lines,
    and counts as read up to its end, so the next run reads on from there."""
    from newsmon.config import load_settings
    from newsmon.flows.workers import crashed_item

    path = tmp_path / "archive.jsonl"
    path.write_bytes(b'{"a": 1}\n' * 10 + b'{"b": 2}\n' * 5 + b'{"c": 3}\n')
    start, end = 90, 90 + 9 * 5  # lines 11-15
    ref = {
        "path": str(path),
        "size": path.stat().st_size,
        "mtime_ns": 0,
        "start": start,
        "end": end,
        "line": 11,
    }
    arts, errors, summary = crashed_item((0, ref, load_settings()))
    assert arts == []
    assert [(e["origin"], e["stage"]) for e in errors] == [(f"{path}#L11", "read")]
    assert errors[0]["reason"].startswith("its reader process died")
    assert errors[0]["detail"] == "lines 11-15"
    assert summary["read_bytes"] == end and summary["read_lines"] == 15
    assert not summary.get("failed") and summary["errors"] == 1
    whole = {"path": str(tmp_path / "page.html"), "size": 10, "mtime_ns": 0}
    _, errors, summary = crashed_item((1, whole, load_settings()))
    assert errors[0]["origin"] == whole["path"] and "read_bytes" not in summary


def _in_a_daemon(q) -> None:  # noqa: ANN001
    from newsmon.parallel import parallel_map

    q.put(list(parallel_map(abs, [-1, -2, 3], 2, isolate=True)))


def test_a_daemonic_process_maps_in_itself() -> None:
    """A task on a Celery prefork worker runs in a daemonic process, which may start no
    process: the map runs there instead of failing ("daemonic processes are not allowed to
    have children" failed every fetch batch on Celery)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_in_a_daemon, args=(q,), daemon=True)
    p.start()
    assert q.get(timeout=120) == [1, 2, 3]
    p.join(30)
    assert p.exitcode == 0
