"""The tests' network guard reaches the Python processes a test starts, not just pytest's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
except ConnectionRefusedError as e:
    print("refused:", e)
"""


def test_a_subprocess_connecting_beyond_loopback_is_stopped_and_logged() -> None:
    log = Path(os.environ["NEWSMON_TEST_NETGUARD"])
    before = log.stat().st_size
    try:
        out = subprocess.run(
            [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
        ).stdout
        logged = log.read_text(encoding="utf-8")[before:]
    finally:
        with log.open("r+", encoding="utf-8") as fh:  # this test's own attempt is not a failure
            fh.truncate(before)
    assert "refused: test process tried to reach the network: ('192.0.2.1', 80)" in out
    assert "tried to reach ('192.0.2.1', 80)" in logged


def test_loopback_is_allowed_in_a_subprocess() -> None:
    probe = (
        "import socket\n"
        "s = socket.socket()\n"
        "print(s.connect_ex(('127.0.0.1', 9)) != 0)\n"  # refused by the kernel, not the guard
    )
    log = Path(os.environ["NEWSMON_TEST_NETGUARD"])
    before = log.stat().st_size
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    assert log.stat().st_size == before
