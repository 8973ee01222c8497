"""Named pause points, so tests can kill a real process at a chosen moment.

``checkpoint("store")`` does nothing unless ``NEWSMON_PAUSE_AT`` names that point
(``store``, or ``store#2`` for its second passing; with ``NEWSMON_PAUSE_MATCH`` set, only
passings whose ``detail``, such as the file a reader is at, contains it count). Then it
writes the point and this process's PID to ``NEWSMON_PAUSE_FILE`` and waits to be killed:
the crash-recovery tests send it ``SIGKILL`` from outside, as a crash or an operator
would, and run newsmon again (or, for a reader process, let the run go on).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

_passed: Counter[str] = Counter()


def checkpoint(name: str, detail: str = "") -> None:
    target = os.environ.get("NEWSMON_PAUSE_AT")
    if not target:
        return
    if os.environ.get("NEWSMON_PAUSE_MATCH", "") not in detail:
        return
    _passed[name] += 1
    point, _, nth = target.partition("#")
    if point != name or _passed[name] != int(nth or 1):
        return
    marker = os.environ.get("NEWSMON_PAUSE_FILE")
    if marker:
        Path(marker).write_text(f"{name} {os.getpid()}\n", encoding="utf-8")
    while True:  # until killed
        time.sleep(0.5)
