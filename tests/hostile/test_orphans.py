"""A run killed from outside leaves no worker processes behind: its forkserver dies with
it, and the workers with the forkserver (Linux). They used to wait for work forever,
~70 MB each, after every SIGKILLed ingest or fetch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

OWNER = """
import os, sys, time
from pathlib import Path

def work(i):
    Path(sys.argv[1], str(os.getpid())).write_text("")
    time.sleep(120)
    return i

if __name__ == "__main__":
    from newsmon.parallel import parallel_map
    list(parallel_map(work, range(2), 2, isolate=True))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie not yet reaped by init counts as gone
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_the_run_that_started_them(tmp_path: Path) -> None:
    script = tmp_path / "owner.py"
    script.write_text(OWNER, encoding="utf-8")
    pids = tmp_path / "pids"
    pids.mkdir()
    owner = subprocess.Popen([sys.executable, str(script), str(pids)])
    try:
        for _ in range(600):
            if len(list(pids.iterdir())) == 2:
                break
            time.sleep(0.1)
        workers = [int(p.name) for p in pids.iterdir()]
        assert len(workers) == 2 and all(_alive(w) for w in workers)
        owner.send_signal(signal.SIGKILL)
        owner.wait(30)
        for _ in range(300):
            if not any(_alive(w) for w in workers):
                break
            time.sleep(0.1)
        left = [w for w in workers if _alive(w)]
    finally:
        owner.kill()
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], "the workers outlived the run"
