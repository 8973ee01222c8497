"""What makes the fetcher polite to a host: its robots.txt, and a pace per host.

:class:`RobotsRules` holds one cycle's robots.txt rules per origin (``scheme://host``):
seeded from the files fetched in recent cycles, fetched once per origin otherwise (a
robots.txt answering 4xx allows everything; one that cannot be fetched or answers 5xx
disallows the host for this cycle), and the files it fetched kept for the next cycles'
cache. :class:`HostGate` lets one request at a time go to a host, ``delay`` seconds apart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from protego import Protego


class HostGate:
    """One request at a time per host, ``delay`` seconds apart."""

    def __init__(self, delay: float, sleep: Callable[[float], None]) -> None:
        self.delay = delay
        self.sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def wait(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            gap = self.delay - (time.monotonic() - last)
            if gap > 0:
                self.sleep(gap)
        self._last[host] = time.monotonic()


class Answer(Protocol):
    """What fetching a robots.txt came to (a :class:`newsmon.fetch.http.FetchResult`)."""

    status: int | None
    body: bytes
    error: str | None

    @property
    def ok(self) -> bool: ...


class RobotsRules:
    """robots.txt per origin for one cycle; ``cache``: origin -> {status, body} of the
    robots.txt files fetched recently."""

    def __init__(self, cache: dict[str, dict[str, Any]] | None = None) -> None:
        self._rules: dict[str, Protego | None] = {}
        for origin, cached in (cache or {}).items():
            status = cached.get("status")
            if status is not None and 400 <= status < 500:
                self._rules[origin] = Protego.parse("")
            elif status is not None and 200 <= status < 300:
                self._rules[origin] = Protego.parse(cached.get("body") or "")
        self._unreachable: dict[str, str | None] = {}
        self.fetched: list[dict[str, Any]] = []  # for the cache of the next cycles

    def allows(self, url: str, user_agent: str, fetch: Callable[[str], Answer]) -> tuple[bool, str]:
        """Whether ``url`` may be fetched, and why not; ``fetch(url)`` gets a robots.txt."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._rules:
            res = fetch(origin + "/robots.txt")
            if res.error and res.error.startswith("host "):
                return False, res.error  # the address rule, not robots.txt, refuses this host
            self._learn(origin, res)
        rules = self._rules[origin]
        if rules is None:
            return False, self._unreachable.get(origin) or (
                f"robots.txt of {parts.netloc} could not be read; not fetching this cycle"
            )
        if not rules.can_fetch(url, user_agent):
            return False, "disallowed by robots.txt"
        return True, ""

    def _learn(self, origin: str, res: Answer) -> None:
        """An origin's rules from its robots.txt answer (kept for the cache when final)."""
        if res.status is not None and (res.ok or (400 <= res.status < 500 and res.status != 429)):
            body = res.body.decode("utf-8", "replace") if res.ok else ""
            self.fetched.append({"origin": origin, "status": res.status, "body": body})
        if res.status is not None and 400 <= res.status < 500:
            self._rules[origin] = Protego.parse("")  # no robots.txt: everything allowed
        elif not res.ok:
            self._rules[origin] = None
            # the host's own failure (refused, timed out) says more than "robots.txt"
            self._unreachable[origin] = res.error if res.status is None else None
        else:
            self._rules[origin] = Protego.parse(res.body.decode("utf-8", "replace"))
