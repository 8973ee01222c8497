"""The retry queue's rule (table ``fetch_retries``): which failures of a page may heal by
themselves, when to try such a page again, and the queue's row for it.

A failure that may heal (5xx, 429, a time-out, a failed or reset connection, robots.txt
that could not be read) queues the page: tried again ``RetryRule.minutes`` later, then
doubling, up to ``RetryRule.attempts`` attempts within ``RetryRule.hours``; then it is
given up. :class:`newsmon.fetch.pages.Pages` applies the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from newsmon.article.identity import canonical_url
from newsmon.fetch.feeds import FeedEntry

# failures that may heal by themselves: worth another attempt in a later cycle
_HEALS = (
    "timed out",
    "connection failed",
    "connection refused",
    "connection reset",
    "cannot resolve",
    "HTTP 5",
    "HTTP 429",
    "robots.txt of ",
)
_HEALS_INSIDE = (" while reading",)


@dataclass(frozen=True)
class RetryRule:
    attempts: int = 5  # attempts in all, the first included
    minutes: float = 15.0  # the wait after the first failure, doubling after each
    hours: float = 24.0  # no attempt later than this after the first failure

    def next_attempt(self, attempts: int, first_failed: datetime, now: datetime) -> datetime | None:
        """When to try a page that has failed ``attempts`` times; None: give up."""
        if attempts >= self.attempts:
            return None
        when = now + timedelta(minutes=self.minutes * 2 ** (attempts - 1))
        return when if when <= first_failed + timedelta(hours=self.hours) else None


def heals(error: str | None, status: int | None) -> bool:
    """Whether a page's failure may heal by itself (and is worth another attempt)."""
    if status is not None and (status >= 500 or status == 429):
        return True
    return bool(error) and (
        error.startswith(_HEALS) or any(part in error for part in _HEALS_INSIDE)  # type: ignore[union-attr]
    )


def retry_row(
    entry: FeedEntry,
    feed: tuple[str, str] | None,
    queued: dict[str, Any] | None,
    status: str,
    error: str | None,
    *,
    source: str,
    rule: RetryRule,
    now: datetime,
) -> dict[str, Any]:
    """A page's ``fetch_retries`` row after an attempt (``queued``: its row before, None for
    a first attempt): ``status`` ``waiting`` (``gave_up`` when the rule says so) or ``done``."""
    attempts = int(queued["attempts"]) + 1 if queued else 1
    first = queued.get("first_failed_at") if queued else None
    if isinstance(first, str):
        first = datetime.fromisoformat(first)
    first = first or now
    when = rule.next_attempt(attempts, first, now) if status == "waiting" else None
    if status == "waiting" and when is None:
        status = "gave_up"
    return {
        "canonical_url": canonical_url(entry.link),
        "url": entry.link,
        "source": source,
        "title": entry.title,
        "published_at": entry.published.isoformat() if entry.published else None,
        "feed_text": feed[0] if feed else None,
        "feed_text_source": feed[1] if feed else None,
        "attempts": attempts,
        "first_failed_at": first.astimezone(UTC).isoformat(),
        "next_attempt_at": when.isoformat() if when else None,
        "last_error": error,
        "status": status,
    }
