"""Polite, safe HTTP for feeds and article pages. Failures are values, never exceptions.

Politeness: robots.txt honoured and at most one request at a time per host with ``delay``
seconds between them (:mod:`newsmon.fetch.politeness`), a clear User-Agent, connect/read
timeouts, a maximum body size (counted after gzip decoding), redirects followed by hand
(each hop checked again), and retries with doubling backoff on 429/5xx that honour
``Retry-After`` up to a cap.

Deadline: every request has a total deadline (``request_deadline_seconds``: connect,
headers and body together), see :mod:`newsmon.fetch.netguard`.

Safety: only http(s), and the address rule of :mod:`newsmon.fetch.netguard`, applied where each
connection is made and so to every redirect hop: link-local and cloud-metadata addresses
never; private and loopback ones only for a source with ``allow_private: true`` (the tests
use 127.0.0.1).
Conditional GET: pass ``etag`` / ``last_modified`` and a 304 comes back as ``status=304``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from newsmon.config import FetchConfig
from newsmon.fetch.netguard import Deadline, guarded_session, host_problem, refusal
from newsmon.fetch.politeness import HostGate, RobotsRules

# failures worth another attempt within the request (after the 429s and 5xx)
_RETRIED_ERRORS = (
    "timed out",
    "connection failed",
    "connection refused",
    "connection reset",
    "cannot resolve",
    "TLS handshake",
)


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None = None  # HTTP status; None when no response
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # a plain reason when the fetch failed: the same each time
    detail: str = ""  # what may differ each time (a declared size)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


def network_reason(exc: BaseException, url: str) -> str:
    """A failed connection's cause in plain words, from the exception and its causes: a name
    that does not resolve, a refused or reset connection, a failed TLS handshake; else
    ``connection failed: <kind>``."""
    import socket
    import ssl

    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    seen: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in seen and len(seen) < 10:
        seen.append(e)
        e = (
            e.__cause__
            or e.__context__
            or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
        )
        # urllib3 keeps the cause in .reason
        reason = getattr(seen[-1], "reason", None)
        if isinstance(reason, BaseException) and reason not in seen and e is None:
            e = reason
    names = " ".join(type(x).__name__ for x in seen) + " " + " ".join(str(x) for x in seen)
    if (
        any(isinstance(x, socket.gaierror) for x in seen)
        or "NameResolution" in names
        or ("Name or service not known" in names or "Temporary failure in name resolution" in names)
    ):
        return f"cannot resolve {host} (no DNS or network?)"
    if any(isinstance(x, ConnectionRefusedError) for x in seen) or "Connection refused" in names:
        return f"connection refused by {host}"
    if any(isinstance(x, ConnectionResetError) for x in seen) or "Connection reset" in names:
        return f"connection reset by {host}"
    if any(isinstance(x, ssl.SSLError) for x in seen) or isinstance(
        exc, requests.exceptions.SSLError
    ):
        return f"TLS handshake with {host} failed"
    return f"connection failed: {type(exc).__name__}"


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, cap))


class Fetcher:
    def __init__(
        self,
        settings: FetchConfig | None = None,
        sleep: Callable[[float], None] = time.sleep,
        robots_cache: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """``robots_cache``: origin -> {status, body} of robots.txt files fetched recently."""
        self.settings = settings or FetchConfig()
        self.sleep = sleep
        self._sessions = {
            flag: guarded_session(self.settings.user_agent, flag) for flag in (False, True)
        }
        self._gate = HostGate(self.settings.per_host_delay_seconds, sleep)
        self._robots = RobotsRules(robots_cache)
        self.requests_made = 0

    # -- checks ----------------------------------------------------------------------------

    def _check(self, url: str, allow_private: bool) -> str | None:
        """Scheme and host name; the addresses are checked where the connection is made."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError as exc:
            return f"not a valid URL: {exc}"
        if parts.scheme not in ("http", "https"):
            return f"unsupported URL scheme '{parts.scheme or '(none)'}': only http and https are fetched"
        if not parts.hostname:
            return "URL has no host"
        return host_problem(parts.hostname, allow_private)

    def robots_allows(self, url: str, allow_private: bool = False) -> tuple[bool, str]:
        return self._robots.allows(
            url,
            self.settings.user_agent,
            lambda robots_url: self._get(robots_url, allow_private, {}, check_robots=False),
        )

    @property
    def robots_fetched(self) -> list[dict[str, Any]]:
        """The robots.txt files fetched this cycle, for the cache of the next cycles."""
        return self._robots.fetched

    # -- requests --------------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        allow_private: bool = False,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, allow_private, headers, check_robots=True)

    def _get(
        self, url: str, allow_private: bool, headers: dict[str, str], check_robots: bool
    ) -> FetchResult:
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            problem = self._check(current, allow_private)
            if problem:
                return FetchResult(url, current, error=problem)
            if check_robots:
                allowed, reason = self.robots_allows(current, allow_private)
                if not allowed:
                    return FetchResult(url, current, error=reason)
            res = self._with_retries(url, current, headers, allow_private)
            if res.status in (301, 302, 303, 307, 308) and res.error is None:
                location = res.headers.get("location")
                if not location:
                    return FetchResult(
                        url,
                        current,
                        res.status,
                        error=f"HTTP {res.status} redirect without a Location",
                    )
                current = urljoin(current, location)
                continue
            return res
        return FetchResult(
            url, current, error=f"too many redirects (more than {self.settings.max_redirects})"
        )

    def _with_retries(
        self, url: str, current: str, headers: dict[str, str], allow_private: bool
    ) -> FetchResult:
        s = self.settings
        res = FetchResult(url, current)
        for attempt in range(s.retries + 1):
            res = self._once(url, current, headers, allow_private)
            if res.error and res.error.startswith(("host ", "refused:")):
                return res  # the address rule: trying again changes nothing
            retryable = (
                res.status == 429
                or (res.status is not None and res.status >= 500)
                or (res.error is not None and res.error.startswith(_RETRIED_ERRORS))
            )
            if not retryable or attempt == s.retries:
                return res
            wait = _retry_after(res.headers.get("retry-after"), s.max_retry_after_seconds)
            self.sleep(wait if wait is not None else s.backoff_seconds * 2**attempt)
        return res

    def _once(
        self, url: str, current: str, headers: dict[str, str], allow_private: bool
    ) -> FetchResult:
        s = self.settings
        host = urlsplit(current).netloc
        with self._gate.lock(host):
            self._gate.wait(host)
            self.requests_made += 1
            with Deadline(s.request_deadline_seconds) as deadline:
                res = self._exchange(url, current, headers, allow_private)
            if deadline.expired:  # whatever came back was cut off by the deadline
                res = FetchResult(
                    url,
                    current,
                    res.status,
                    error=f"timed out: no complete answer within {s.request_deadline_seconds:g}s",
                )
            return res

    def _exchange(
        self, url: str, current: str, headers: dict[str, str], allow_private: bool
    ) -> FetchResult:
        s = self.settings
        try:
            resp = self._sessions[allow_private].get(
                current,
                headers=headers,
                timeout=(s.timeout_seconds, s.timeout_seconds),
                allow_redirects=False,
                stream=True,
            )
        except requests.Timeout:
            return FetchResult(url, current, error=f"timed out after {s.timeout_seconds:g}s")
        except requests.RequestException as exc:
            if refusal():
                return FetchResult(url, current, error=refusal())
            return FetchResult(url, current, error=network_reason(exc, current))
        try:
            result = FetchResult(
                url,
                current,
                resp.status_code,
                headers={k.lower(): v for k, v in resp.headers.items()},
            )
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > s.max_bytes:
                result.error = f"too large (over the {s.max_bytes / 1e6:g} MB limit)"
                result.detail = f"declared {int(declared) / 1e6:.1f} MB"
                return result
            body = bytearray()
            for chunk in resp.iter_content(65536):
                body.extend(chunk)
                if len(body) > s.max_bytes:
                    result.error = f"too large (more than {s.max_bytes / 1e6:g} MB)"
                    return result
            result.body = bytes(body)
            if resp.status_code >= 400:
                result.error = f"HTTP {resp.status_code}"
            return result
        except requests.RequestException as exc:
            kind = (
                "timed out"
                if isinstance(exc, requests.Timeout | requests.exceptions.ConnectionError)
                else "connection failed"
            )
            return FetchResult(
                url, current, resp.status_code, error=f"{kind} while reading: {type(exc).__name__}"
            )
        finally:
            resp.close()
