"""An article page fetched for a feed entry or URL, and what happens when it cannot be had.

:func:`fetch_record` keeps a fetched page gzip-compressed by content hash (for ``newsmon
reextract``, :func:`store_raw`) and gives its extraction job, which
:mod:`newsmon.fetch.page_extraction` makes a document with the cycle's other pages.

:class:`Pages` fetches a source's pages and loses nothing a feed carries:

- **The feed's text as the article of last resort.** When the page cannot be had (4xx, 5xx
  after the fetcher's retries, a time-out, robots.txt, not HTML, nothing to extract), the
  entry's own text is stored: its content, else its summary, else its title
  (``text_source`` ``feed_content`` | ``feed_summary`` | ``title``; the page's error row
  stays). When the page gives less text than the feed's content or summary, the feed's
  text is kept instead. A page has ``text_source`` ``page``.
- **A retry queue** (table ``fetch_retries``, the rule in :mod:`newsmon.fetch.retries`). A
  failure that may heal queues the page, tried again in later cycles whether or not its
  feed changed; a page given up gets an ``ingest_errors`` row that says so. A page that
  heals replaces the feed text stored for it (same URL, same article).
- **An entry without a usable link** is an article of its own text, identified by its
  feed and guid (else by its text); one with neither link nor text is counted as skipped.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from newsmon.article.identity import canonical_url
from newsmon.fetch.feeds import FeedEntry
from newsmon.fetch.http import Fetcher, FetchResult
from newsmon.fetch.page_extraction import ExtractJob, Pending
from newsmon.fetch.retries import RetryRule, heals, retry_row
from newsmon.records import IngestError, RawDoc

_HTML_TYPES = ("text/html", "application/xhtml+xml")


class SourceLike(Protocol):
    name: str
    url: str | None
    lang: str | None
    allow_private: bool


def store_raw(raw_dir: Path, body: bytes) -> tuple[str, str]:
    """Keep a page compressed under its content hash; ``(hash, relative path)``."""
    digest = hashlib.sha256(body).hexdigest()
    rel = f"{digest[:2]}/{digest}.html.gz"
    path = raw_dir / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(body, compresslevel=6))
        tmp.replace(path)
    return digest, rel


def fetch_record(
    res: FetchResult,
    source: SourceLike,
    raw_dir: Path,
    now: datetime,
    feed_title: str | None = None,
    feed_date: datetime | None = None,
) -> tuple[ExtractJob | IngestError, dict[str, Any]]:
    """A fetched page's record, and its extraction job (the raw page is stored) or the
    reason it is no page to extract."""
    record = {
        "url": res.url,
        "canonical_url": canonical_url(res.url),
        "source": source.name,
        "status": res.status,
        "fetched_at": now.isoformat(),
        "final_url": res.final_url,
        "content_hash": None,
        "raw_path": None,
        "error": res.error,
    }
    if not res.ok:
        return IngestError(res.url, "fetch", res.error or f"HTTP {res.status}", res.detail), record
    ctype = res.headers.get("content-type", "")
    if ctype and ctype.split(";")[0].strip().lower() not in _HTML_TYPES:
        record["error"] = f"not an article (content type {ctype.split(';')[0].strip()})"
        return IngestError(res.url, "fetch", record["error"]), record
    digest, rel = store_raw(raw_dir, res.body)
    record |= {"content_hash": digest, "raw_path": rel}
    job = ExtractJob(
        res.url,
        res.final_url,
        str(raw_dir / rel),
        ctype,
        source.name,
        source.lang,
        feed_title,
        feed_date,
        now,
    )
    return job, record


def feed_doc(
    entry: FeedEntry,
    source: SourceLike,
    now: datetime,
    text: tuple[str, str],
    origin: str,
    key: str | None = None,
) -> RawDoc:
    """A feed entry's own text as a document (``text``: ``(text, text_source)``)."""
    return RawDoc(
        origin=origin,
        kind="feed",
        text=text[0],
        title=entry.title,
        url=entry.link,
        published_at=entry.published or now,
        date_source="feed" if entry.published else "fetched",
        source=source.name,
        lang=source.lang,
        authors=list(entry.authors),
        text_source=text[1],
        key=key,
    )


@dataclass
class Pages:
    """One source's page fetches in one cycle, with the feed-text fallback and the retry
    queue (see the module's docstring); what it makes goes into ``out`` (a
    :class:`newsmon.fetch.cycle.CycleResult`)."""

    source: SourceLike
    fetcher: Fetcher
    raw_dir: Path
    now: datetime
    out: Any
    rule: RetryRule
    taken: int = 0  # new links fetched (not queued retries)
    failed: int = 0  # ... that failed to download
    kept_feed_text: int = 0  # ... whose entry's own text was stored instead
    reasons: list[str] = field(default_factory=list)

    def fetch(self, entry: FeedEntry) -> None:
        """Fetch a new entry's page (``entry.link``)."""
        self.taken += 1
        self._attempt(entry, entry.text(), None)

    def retry(self, queued: dict[str, Any]) -> None:
        """Fetch a page from the retry queue again (a row of ``fetch/due_retries``)."""
        published = queued.get("published_at")
        if isinstance(published, str):
            published = datetime.fromisoformat(published)
        entry = FeedEntry(queued["url"], None, queued.get("title"), published)
        text = queued.get("feed_text")
        feed = (
            (text, queued["feed_text_source"]) if text and queued.get("feed_text_source") else None
        )
        self._attempt(entry, feed, queued)

    def entry_only(self, entry: FeedEntry) -> None:
        """An entry whose own text is the article: it has no usable link, or its source
        takes no pages (``pages: false``)."""
        if entry.unusable_link:  # said once, as a page that cannot be fetched would be
            scheme = (
                entry.unusable_link.split(":", 1)[0].lower() if ":" in entry.unusable_link else ""
            )
            reason = (
                f"unsupported URL scheme '{scheme[:20]}': only http and https are fetched"
                if scheme.isalpha()
                else "not a usable link"
            )
            self.out.errors.append(
                IngestError(
                    entry.unusable_link[:500], "fetch", reason + "; the entry's own text is kept"
                )
            )
        text = entry.text()
        if text is None:
            reason = (
                "entry with no text (its source takes no pages)"
                if entry.link
                else "entry with neither a link nor any text"
            )
            self.out.entries_skipped[reason] = self.out.entries_skipped.get(reason, 0) + 1
            return
        if entry.link:  # pages: false; the article is still the page's, by its URL
            self.out.docs.append(feed_doc(entry, self.source, self.now, text, entry.link))
            return
        feed = self.source.url or self.source.name
        key = f"{feed}#{entry.guid}" if entry.guid else None
        self.out.docs.append(
            feed_doc(entry, self.source, self.now, text, key or f"{feed}#entry", key)
        )

    def _attempt(
        self, entry: FeedEntry, feed: tuple[str, str] | None, queued: dict[str, Any] | None
    ) -> None:
        assert entry.link is not None
        res = self.fetcher.get(entry.link, allow_private=self.source.allow_private)
        job, record = fetch_record(
            res, self.source, self.raw_dir, self.now, entry.title, entry.published
        )
        self.out.fetched.append(record)
        if isinstance(job, ExtractJob):  # extracted with the cycle's other pages: extract_all
            settle = partial(self.settle, record=record, entry=entry, feed=feed, queued=queued)
            self.out.pending.append(Pending(job, record, settle))
            return
        if queued is None and not (record["error"] or "").startswith("not an article"):
            self.failed += 1
            self.reasons.append(job.reason)
        self.settle(job, record, entry, feed, queued)

    def settle(
        self,
        doc: RawDoc | IngestError,
        record: dict[str, Any],
        entry: FeedEntry,
        feed: tuple[str, str] | None,
        queued: dict[str, Any] | None,
    ) -> None:
        """What a page came to: its document (or the feed's text, when that is more), or
        its error, the feed's text, and its place in the retry queue."""
        if isinstance(doc, RawDoc):
            doc.text_source = "page"
            if not doc.authors and entry.authors:  # the feed names them, the page does not
                doc.authors = list(entry.authors)
            if feed and feed[1] != "title" and len(feed[0].strip()) > len(doc.text.strip()):
                doc = replace(doc, text=feed[0], text_source=feed[1])  # the page gave less
            self.out.docs.append(doc)
            if queued:
                self.out.retries.append(self._retry_row(entry, feed, queued, "done"))
            return
        self.out.errors.append(doc)
        if heals(record["error"], record["status"]):
            row = self._retry_row(entry, feed, queued, "waiting", record["error"] or doc.reason)
            if row["status"] == "gave_up":
                self.out.errors.append(
                    IngestError(
                        entry.link or "",
                        "fetch",
                        f"gave up: the page failed {row['attempts']} times",
                        f"first failure {row['first_failed_at'][:16]} UTC, last: {row['last_error']}",
                    )
                )
            self.out.retries.append(row)
        elif queued:
            self.out.retries.append(self._retry_row(entry, feed, queued, "done"))
        if queued is None and feed is not None:  # the article of last resort
            self.out.docs.append(feed_doc(entry, self.source, self.now, feed, entry.link or ""))
            self.kept_feed_text += 1

    def _retry_row(
        self,
        entry: FeedEntry,
        feed: tuple[str, str] | None,
        queued: dict[str, Any] | None,
        status: str,
        error: str | None = None,
    ) -> dict[str, Any]:
        return retry_row(
            entry,
            feed,
            queued,
            status,
            error,
            source=self.source.name,
            rule=self.rule,
            now=self.now,
        )
