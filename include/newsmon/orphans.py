"""Imported by the forkserver of :mod:`newsmon.parallel` when it starts, and by nothing
else (importing it ties the importing process to its parent): on Linux, the kernel is
asked to SIGKILL the forkserver when the process that started it dies. A run killed from
outside (SIGKILL, the OOM killer) otherwise left its forkserver and idle worker processes
behind, ~70 MB each, waiting for work forever; the workers die with the forkserver
(``newsmon.parallel._die_with_parent``)."""

from __future__ import annotations

import sys


def die_with_parent() -> None:
    """PR_SET_PDEATHSIG: SIGKILL this process when the thread that started it exits."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        return


# only in a forkserver (``python -c "from multiprocessing.forkserver import main; ..."``):
# an import anywhere else (a test importing every module) changes nothing
if sys.argv[:1] == ["-c"] and "multiprocessing.forkserver" in sys.modules:
    die_with_parent()
