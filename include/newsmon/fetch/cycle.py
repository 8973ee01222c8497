"""One fetch cycle over the configured sources: feeds, URL lists and Telegram channels to
documents.

For a feed: a conditional GET (ETag / Last-Modified) and a hash of the body, so an
unchanged feed costs one request and no parsing; feedparser reads RSS 0.9x/1.0/2.0 and
Atom, also malformed or non-UTF-8 ones where it can. Only links not fetched before are
downloaded (up to ``max_articles`` per source), as :class:`newsmon.fetch.pages.Pages`, and
the cycle's pages are extracted together at its end
(:func:`newsmon.fetch.page_extraction.extract_all`). A Telegram channel is read by
:func:`newsmon.fetch.telegram_channel.read_channel`. Every failure is an
:class:`IngestError` with the URL, stage and reason.

A cycle has a time budget (``fetch.cycle_budget_seconds``): past it, no new page or
source is started. Links left over (by the budget or by ``max_articles``) are not lost:
the feed's validators and hash are not advanced, so the next cycle reads it again and
takes the links not fetched yet. Each source's outcome (``ok``, ``unchanged``,
``deferred`` or ``failed: <reason>``) is reported, so a cycle in which every source
failed is visible.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from newsmon import progress
from newsmon.article.identity import canonical_url
from newsmon.fetch.feeds import FeedDocument, FeedEntry, read_feed
from newsmon.fetch.http import Fetcher
from newsmon.fetch.page_extraction import extract_all
from newsmon.fetch.pages import Pages
from newsmon.fetch.retries import RetryRule
from newsmon.fetch.sources import Source
from newsmon.fetch.telegram import preview_url
from newsmon.fetch.telegram_channel import ChannelState, read_channel
from newsmon.records import IngestError, RawDoc

log = logging.getLogger(__name__)


@dataclass
class CycleResult:
    docs: list[RawDoc] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    feed_state: list[dict[str, Any]] = field(default_factory=list)
    fetched: list[dict[str, Any]] = field(default_factory=list)
    telegram_posts: list[dict[str, Any]] = field(default_factory=list)
    telegram_channels: list[dict[str, Any]] = field(default_factory=list)
    posts_skipped: int = 0  # telegram posts with no text (media only, service messages)
    entries_read: int = 0  # entries of the feeds read this cycle
    entries_skipped: dict[str, int] = field(default_factory=dict)  # feed entries: reason -> n
    retries: list[dict[str, Any]] = field(default_factory=list)  # the retry queue's new rows
    pending: list[Any] = field(default_factory=list)  # pages downloaded, to extract: Pending
    # documents that go after the cycle's pages (posts after the articles they link to, so
    # a post can join their story)
    after_pages: list[RawDoc] = field(default_factory=list)
    feeds_unchanged: int = 0
    deferred: int = 0  # links (or whole sources) left for the next cycle
    outcomes: dict[str, str] = field(default_factory=dict)  # source -> ok | unchanged | ...

    @property
    def failed_sources(self) -> dict[str, str]:
        return {k: v for k, v in self.outcomes.items() if v.startswith("failed")}


@dataclass
class _Cycle:
    """What every source of one cycle shares."""

    out: CycleResult
    seen: set[str]  # canonical URLs fetched before (and this cycle): not again
    fetcher: Fetcher
    raw_dir: Path
    now: datetime
    deadline: float  # time.monotonic() past which no new page or source is started
    rule: RetryRule

    def over(self) -> bool:
        return time.monotonic() >= self.deadline

    def pages(self, source: Source) -> Pages:
        return Pages(source, self.fetcher, self.raw_dir, self.now, self.out, self.rule)


def fetch_cycle(
    sources: list[Source],
    state: dict[str, dict[str, Any]],
    seen: set[str],
    fetcher: Fetcher,
    raw_dir: Path,
    now: datetime,
    budget_seconds: float | None = None,
    telegram: dict[str, Any] | None = None,
    telegram_base: str = "https://t.me",
    retries: list[dict[str, Any]] | None = None,
    retry: RetryRule | None = None,
    workers: int = 0,
) -> CycleResult:
    """Fetch every source once, within ``budget_seconds``. ``state``: per feed its etag,
    last_modified, content_hash; ``seen``: canonical URLs already fetched (not again);
    ``telegram``: per channel what earlier cycles read (:class:`ChannelState`);
    ``retries``: the queued pages due for another attempt (:mod:`newsmon.fetch.retries`);
    ``workers``: extractor processes for the pages (0: one per core; always at least one
    apart from this process, so a page that crashes its extractor costs only itself)."""
    deadline = time.monotonic() + (budget_seconds if budget_seconds is not None else 1e12)
    cycle = _Cycle(CycleResult(), seen, fetcher, raw_dir, now, deadline, retry or RetryRule())
    out = cycle.out
    with progress.stage("fetch", total=len(sources), unit="source") as step:
        for source in sources:
            step(1)
            if cycle.over():
                out.outcomes[source.name] = "deferred: the cycle's time budget ran out"
                out.deferred += 1
                continue
            # the per-source boundary: one broken source never stops the others
            try:
                if source.type == "telegram":
                    prev = (telegram or {}).get(source.channel or "")
                    out.outcomes[source.name] = _fetch_telegram(cycle, source, prev, telegram_base)
                    continue
                due = [r for r in retries or [] if r["source"] == source.name]
                out.outcomes[source.name] = _fetch_source(cycle, source, state, due)
            except Exception as exc:
                log.exception("source %s failed", source.name)
                reason = f"unexpected error: {type(exc).__name__}: {exc}"
                out.errors.append(IngestError(source.url or source.name, "fetch", reason))
                out.outcomes[source.name] = f"failed: {reason}"
    _finish(out, workers)
    return out


def _finish(out: CycleResult, workers: int) -> None:
    """The cycle's pages extracted, the documents that wait for them added after them, and
    the sources deferred logged."""
    if out.pending:  # every page of the cycle, in extractor processes (``workers``)
        extract_all(out.pending, workers)
        out.pending = []
    out.docs += out.after_pages
    out.after_pages = []
    for name, outcome in out.outcomes.items():  # a failure is logged by the run (once)
        if outcome.startswith("deferred"):
            log.warning("source %s %s", name, outcome)


def _fetch_telegram(cycle: _Cycle, source: Source, prev: dict[str, Any] | None, base: str) -> str:
    """Read one public channel's new and edited posts (and, when asked, the articles
    link-only posts point to, fetched and extracted as a feed's links are); its outcome in
    words."""
    out, now = cycle.out, cycle.now
    channel = source.channel or ""
    got = read_channel(
        channel,
        ChannelState.of(prev),
        lambda url: cycle.fetcher.get(url, allow_private=source.allow_private),
        base,
        now,
        max_pages=source.max_pages,
        lang=source.lang,
    )
    posts = got.docs  # added after the articles they link to, so a post can join their story
    out.errors += got.errors
    out.telegram_posts += got.posts
    out.telegram_channels.append(got.state)
    out.posts_skipped += got.skipped
    error = got.errors[-1].reason if got.outcome.startswith("failed") else None
    out.feed_state.append(
        {
            "source": source.name,
            "url": preview_url(base, channel),
            "checked_at": now.isoformat(),
            "status": None if error else 200,
            "etag": None,
            "last_modified": None,
            "content_hash": None,
            "error": error,
        }
    )
    if got.outcome.startswith("failed") or not source.follow_links:
        out.docs += posts
        return got.outcome
    pages = cycle.pages(source)  # as a feed's links are
    for link in got.link_only:
        canon = canonical_url(link)
        if canon in cycle.seen or pages.taken >= source.max_articles or cycle.over():
            continue
        cycle.seen.add(canon)
        pages.fetch(FeedEntry(link, None, None, None))
    out.after_pages += posts  # after the pages they link to are extracted
    return got.outcome


def _fetch_source(
    cycle: _Cycle, source: Source, state: dict[str, dict[str, Any]], retries: list[dict[str, Any]]
) -> str:
    """Fetch one source's queued pages that are due, then its new links; its outcome in
    words."""
    out = cycle.out
    pages = cycle.pages(source)
    for queued in retries:  # whether or not the feed changed
        if cycle.over():
            break
        pages.retry(queued)
    row: dict[str, Any] | None = None
    if source.type == "urls":
        entries = [FeedEntry(u, None, None, None) for u in source.urls]
    else:
        prev = state.get(source.name, {})
        feed, row, problem = _feed_entries(source, prev, cycle.fetcher, cycle.now, out)
        if problem:
            return problem
        entries = feed.entries
        out.entries_read += len(entries)
    left = 0
    for entry in entries:
        if entry.link is None or not source.pages:  # the entry's own text is the article
            pages.entry_only(entry)
            continue
        canon = canonical_url(entry.link)
        if canon in cycle.seen:
            continue
        if source.max_articles == 0:
            continue  # a feed watched for itself: no articles taken, none waiting
        if pages.taken >= source.max_articles or cycle.over():
            left += 1  # not marked seen: the next cycle takes it
            continue
        cycle.seen.add(canon)
        pages.fetch(entry)
    if left and row is not None:  # read the feed again next cycle for the links left over
        prev = state.get(source.name, {})
        row |= {k: prev.get(k) for k in ("etag", "last_modified", "content_hash")}
    out.deferred += left
    if pages.taken and pages.failed == pages.taken and not pages.kept_feed_text:
        return f"failed: every page failed ({pages.reasons[0]})"
    if left:
        return f"deferred: {left} links left for the next cycle"
    if row is not None and not entries:
        return "ok: a quiet feed (no entries)"
    return "ok"


def _feed_entries(
    source: Source,
    prev: dict[str, Any],
    fetcher: Fetcher,
    now: datetime,
    out: CycleResult,
) -> tuple[FeedDocument, dict[str, Any], str | None]:
    """``(feed, feed-state row, outcome)``: the outcome is set when there is nothing to
    fetch (the feed is unchanged, or could not be read). A feed with no entries is read
    (its state advances) and has nothing to fetch: a quiet feed is not a failed one."""
    res = fetcher.get(
        source.url,
        allow_private=source.allow_private,
        etag=prev.get("etag"),
        last_modified=prev.get("last_modified"),
    )
    row = {
        "source": source.name,
        "url": source.url,
        "checked_at": now.isoformat(),
        "status": res.status,
        "etag": prev.get("etag"),
        "last_modified": prev.get("last_modified"),
        "content_hash": prev.get("content_hash"),
        "error": res.error,
    }
    out.feed_state.append(row)
    nothing = FeedDocument("")
    if res.not_modified:
        out.feeds_unchanged += 1
        return nothing, row, "unchanged"
    if not res.ok:
        reason = res.error or f"HTTP {res.status}"
        out.errors.append(IngestError(source.url, "feed", reason, res.detail))
        return nothing, row, f"failed: {reason}"
    digest = hashlib.sha256(res.body).hexdigest()
    row |= {"etag": res.headers.get("etag"), "last_modified": res.headers.get("last-modified")}
    if digest == prev.get("content_hash"):
        out.feeds_unchanged += 1
        return nothing, row, "unchanged"
    # relative links resolve against where the feed says it is, else where it was found
    base = res.final_url or source.url or ""
    if res.headers.get("content-location"):
        base = urljoin(base, res.headers["content-location"])
    feed = read_feed(res.body, res.headers.get("content-type", ""), base)
    if feed.problem:
        row["error"] = f"feed parse error: {feed.problem}"
        out.errors.append(IngestError(source.url, "feed", row["error"]))
        return feed, row, f"failed: {row['error']}"
    row["content_hash"] = digest
    return feed, row, None
