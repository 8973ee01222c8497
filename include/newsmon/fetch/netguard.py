"""Where newsmon may connect, decided where the connection is made, and a deadline per request.

The address rule (:func:`address_problem`): link-local and cloud-metadata addresses
(169.254.0.0/16, fe80::/10, 100.100.100.200, fd00:ec2::254, 168.63.129.16, the metadata
host names), unspecified, multicast and reserved addresses are never fetched; private and
loopback ones only where a source allows them. IPv4 inside IPv6 is judged as IPv4.

:func:`guarded_session` gives a ``requests`` session whose connections resolve the host
once, check every address it resolves to, and connect to a checked address: a
DNS-rebinding server cannot swap in another address between check and connect.

:class:`Deadline` bounds one request in all (connect, TLS, headers, body): a watchdog
shuts the socket when it passes, so a server that trickles a byte a second cannot hold a
fetch for hours (a read timeout alone restarts with every byte).
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import threading
from typing import Any

import requests

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "metadata.azure.internal",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254", "168.63.129.16")
)


def address_problem(ip: IPAddress, allow_private: bool) -> str | None:
    """Why ``ip`` may not be fetched, or None. Link-local and metadata: never."""
    mapped = getattr(ip, "ipv4_mapped", None) or getattr(ip, "sixtofour", None)
    if mapped is not None:
        ip = mapped
    if ip.is_link_local or ip in _METADATA_ADDRESSES:
        return f"{ip} is a link-local or cloud metadata address; never fetched"
    if ip.is_unspecified or ip.is_multicast or ip.is_reserved:
        return f"{ip} is not a unicast host address; never fetched"
    if not allow_private and not ip.is_global:
        return f"resolves to a non-public address ({ip}); allow_private is off"
    return None


def host_problem(host: str, allow_private: bool) -> str | None:
    """Why a host name may not be fetched before resolving it (metadata names), or None."""
    if host.lower().rstrip(".") in _METADATA_HOSTS:
        return f"host {host} is a cloud metadata service; never fetched"
    return None


class _Watch(threading.local):
    """This thread's current request: its deadline and the last refusal by the address rule."""

    deadline: Deadline | None = None
    blocked: str | None = None


_WATCH = _Watch()


class Deadline:
    """Shuts the socket of the current request when ``seconds`` have passed.

    The socket is registered by the connection as it is made (or reused); the shutdown goes
    through a duplicate of its file descriptor, which also reaches a socket that TLS has
    wrapped (the wrapper keeps the same descriptor), so a trickled handshake is cut too.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._fd: int | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _WATCH.deadline = self
        _WATCH.blocked = None
        self._timer.start()
        return self

    def attach(self, sock: socket.socket) -> None:
        with self._lock:
            self._fd = sock.fileno()
            if self.expired:
                self._shut()

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut()

    def _shut(self) -> None:
        if self._fd is None or self._fd < 0:
            return
        with contextlib.suppress(OSError):
            dup = socket.socket(fileno=os.dup(self._fd))
            try:
                dup.shutdown(socket.SHUT_RDWR)
            finally:
                dup.close()

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._fd = None
        _WATCH.deadline = None


class _GuardedConnection:
    """Mixed into urllib3's connections: resolve once, check every address, connect to a
    checked one; register the socket so the request's deadline can shut it."""

    allow_private = False
    # set by the subclasses below; annotations for the attributes urllib3 provides
    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
        from urllib3.util import connection

        problem = host_problem(self.host, self.allow_private)
        try:
            infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[arg-type]
        addresses = [info[4][0] for info in infos]
        for address in addresses:
            problem = problem or address_problem(
                ipaddress.ip_address(address.split("%", 1)[0]), self.allow_private
            )
        if problem:
            _WATCH.blocked = (
                f"host {self.host}: {problem}" if not problem.startswith("host") else problem
            )
            raise NewConnectionError(self, _WATCH.blocked)  # type: ignore[arg-type]
        last: Exception | None = None
        for address in dict.fromkeys(addresses):  # connect to the address just checked
            try:
                sock = connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as exc:
                last = exc
                continue
            if _WATCH.deadline is not None:
                _WATCH.deadline.attach(sock)
            return sock
        if isinstance(last, TimeoutError | socket.timeout):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out")  # type: ignore[arg-type]
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}")  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> Any:
        sock = getattr(self, "sock", None)
        if sock is not None and _WATCH.deadline is not None:
            _WATCH.deadline.attach(sock)  # a kept-alive connection: watch its socket
        return super().request(*args, **kwargs)  # type: ignore[misc]


def guarded_session(user_agent: str, allow_private: bool) -> requests.Session:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    flag = {"allow_private": allow_private}
    http_conn = type("GuardedHTTPConnection", (_GuardedConnection, HTTPConnection), flag)
    https_conn = type("GuardedHTTPSConnection", (_GuardedConnection, HTTPSConnection), flag)
    pools = {
        "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

    session = requests.Session()
    session.headers["User-Agent"] = user_agent
    session.trust_env = False  # no proxies or netrc from the environment
    for scheme in ("http://", "https://"):
        session.mount(scheme, GuardedAdapter())
    return session


def refusal() -> str | None:
    """Why the address rule refused this thread's last connection, if it did."""
    return _WATCH.blocked
