"""A Telegram channel's preview pages read over HTTP within a cycle's page budget.

:class:`PreviewReader` fetches preview pages (``https://t.me/s/<channel>``, older ones with
``?before=<id>``) through the cycle's ``get``, parses them with
:func:`newsmon.fetch.telegram.parse_preview`, and keeps what they showed: the posts by id,
the id range each page covered, the channel's title, and an :class:`IngestError` for every
page that could not be read as the channel's posts (a missing channel, a join page instead
of a preview, changed markup). It walks the newest pages down to the last post read, then
the gaps earlier cycles left, until the budget is spent or a page fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsmon.fetch.telegram import MAX_POSTS_PER_PAGE, Post, PreviewPage, parse_preview, preview_url
from newsmon.read.html import decode_html
from newsmon.records import IngestError


@dataclass
class PreviewReader:
    """One channel's preview pages in one cycle; ``get(url)`` returns a FetchResult and
    ``budget`` is the number of pages still to be read."""

    channel: str
    get: Callable[[str], Any]
    base: str
    budget: int
    title: str | None = None
    seen: dict[int, Post] = field(default_factory=dict)  # every post the pages showed
    ranges: list[tuple[int, int]] = field(default_factory=list)  # each page's (lowest, highest)
    errors: list[IngestError] = field(default_factory=list)
    pages: int = 0  # pages requested
    failed: bool = False  # a page could not be read: no more pages this cycle

    def read_newest(self, last: int) -> int | None:
        """The newest pages, down to post ``last`` (the highest read before; 0 when none
        was, and one page is enough); the lowest post id they reached."""
        before: int | None = None
        lowest: int | None = None
        while self.budget > 0:
            self.budget -= 1
            got = self.page(before)
            if got is None:
                self.failed = True
                break
            if not got.posts:
                break
            lowest = got.posts[0].id
            if lowest <= last + 1 or not last or got.before is None:
                break
            before = got.before
        return lowest

    def read_gaps(self, gaps: list[list[int]]) -> list[list[int]]:
        """Older gaps (``[floor, before)``: ids not yet read), the newest first, while pages
        remain; what is left of them for the next cycle."""
        still: list[list[int]] = []
        for floor, ceiling in sorted(gaps, key=lambda g: -g[1]):
            cursor = self._read_gap(floor, ceiling)
            if cursor > floor + 1:
                still.append([floor, cursor])
        return still

    def _read_gap(self, floor: int, ceiling: int) -> int:
        """Pages below ``ceiling`` down to ``floor``; the lowest id not yet read past."""
        cursor = ceiling
        while self.budget > 0 and not self.failed and cursor > floor + 1:
            self.budget -= 1
            got = self.page(cursor)
            if got is None:
                self.failed = True
                break
            if not got.posts or got.before is None or got.posts[0].id >= cursor:
                cursor = floor + 1
                break
            cursor = got.posts[0].id
        return cursor

    def page(self, before: int | None) -> PreviewPage | None:
        """One preview page (older than post ``before``), its posts kept; None, with its
        error kept, when it is no readable preview of the channel."""
        url = preview_url(self.base, self.channel, before)
        res = self.get(url)
        self.pages += 1
        problem = self._unreadable(url, res)
        if problem:
            self.errors.append(IngestError(url, "telegram", problem))
            return None
        parsed = parse_preview(decode_html(res.body, res.headers.get("content-type")), self.channel)
        if parsed.problem:
            self.errors.append(IngestError(url, "telegram", parsed.problem))
            return None
        if parsed.truncated:
            self.errors.append(
                IngestError(
                    url,
                    "telegram",
                    f"page shows more than {MAX_POSTS_PER_PAGE} posts;"
                    f" read the newest {MAX_POSTS_PER_PAGE}",
                    f"{parsed.truncated + MAX_POSTS_PER_PAGE} posts",
                )
            )
        self.title = self.title or parsed.title
        for p in parsed.posts:
            self.seen[p.id] = p
        if parsed.posts:
            self.ranges.append((parsed.posts[0].id, parsed.posts[-1].id))
        return parsed

    def _unreadable(self, url: str, res: Any) -> str | None:
        """Why an answer is no preview page of the channel, if it is not."""
        if not res.ok:
            if res.status == 404:
                return f"channel @{self.channel} does not exist (HTTP 404)"
            return res.error or f"HTTP {res.status}"
        final = urlsplit(res.final_url or url).path.rstrip("/")
        if not final.startswith("/s/"):  # t.me sends a non-public name to its join page
            return f"channel @{self.channel} has no public preview (private, or not a channel)"
        return None
