"""The tests' network guard, carried into every Python process a test starts.

``tests/conftest.py`` puts this folder first on ``PYTHONPATH`` and names a log file in
``NEWSMON_TEST_NETGUARD``; every Python subprocess (``newsmon``, ``airflow``, Celery
workers, the API server) then imports this module at start-up, and a connection beyond
127.0.0.1 / ::1 fails there and is written to the log, which the pytest fixture reads after
each test: the test fails even where the program caught the error and went on.
"""

from __future__ import annotations

import os
import socket

_LOG = os.environ.get("NEWSMON_TEST_NETGUARD")


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    return str(host) in ("localhost", "::1") or str(host).startswith("127.")


def _install(log: str) -> None:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"pid {os.getpid()}: tried to reach {address!r}\n")
            raise ConnectionRefusedError(f"test process tried to reach the network: {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        check(self, address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


if _LOG:
    _install(_LOG)
