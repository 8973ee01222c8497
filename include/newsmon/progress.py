"""Progress of long work, stage by stage: a bar on a terminal, periodic lines elsewhere.

Stages report through :func:`stage`::

    with progress.stage("store", total=len(chunks), unit="chunk") as step:
        for chunk in chunks:
            ...
            step(1)

Where it goes is set once per process by :func:`configure`: ``"bar"`` (a tqdm bar on
stderr, for a terminal), ``"lines"`` (a line on stderr when a stage starts, every
``every`` seconds while it runs and when it ends), ``"log"`` (the same lines through
:mod:`logging`: what an Airflow task log shows; the default) or ``"quiet"``. Lines are short
(well under a kilobyte) whatever the work.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

log = logging.getLogger("newsmon.progress")

_MODE = "log"
_EVERY = 15.0


def configure(mode: str, every: float = 15.0) -> None:
    """``bar``, ``lines``, ``log`` or ``quiet``; ``every``: seconds between periodic lines."""
    global _MODE, _EVERY
    if mode not in ("bar", "lines", "log", "quiet"):
        raise ValueError(f"unknown progress mode {mode!r}")
    _MODE, _EVERY = mode, every


def _emit(text: str) -> None:
    if _MODE == "lines":
        print(text, file=sys.stderr, flush=True)
    elif _MODE == "log":
        log.info("%s", text)


def _figure(done: int, total: int | None, unit: str) -> str:
    if total:
        return f"{done:,}/{total:,} {unit}s ({100 * done / total:.0f}%)"
    return f"{done:,} {unit}s"


@contextmanager
def stage(
    name: str, total: int | None = None, unit: str = "item"
) -> Iterator[Callable[[int], None]]:
    """Report one stage's progress: yields ``step(n)`` to call as ``n`` more units are done."""
    if _MODE == "quiet":
        yield lambda n: None
        return
    started = last = time.monotonic()
    done = 0
    bar = None
    if _MODE == "bar":
        from tqdm import tqdm

        bar = tqdm(
            total=total, desc=name, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True
        )
    else:
        _emit(f"{name}: started" + (f", {total:,} {unit}s" if total else ""))

    def step(n: int) -> None:
        nonlocal done, last
        done += n
        if bar is not None:
            bar.update(n)
            return
        now = time.monotonic()
        if now - last >= _EVERY:
            last = now
            rate = done / (now - started) if now > started else 0.0
            _emit(f"{name}: {_figure(done, total, unit)}, {rate:,.0f}/s")

    try:
        yield step
    finally:
        if bar is not None:
            bar.close()
        else:
            _emit(
                f"{name}: done, {_figure(done, total, unit)} in {time.monotonic() - started:.1f}s"
            )
