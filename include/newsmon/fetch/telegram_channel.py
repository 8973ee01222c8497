"""One fetch cycle over a public Telegram channel, and the channel's state between cycles.

:func:`read_channel` reads a channel's preview pages (:mod:`newsmon.fetch.telegram_pages`):
the newest pages down to the last post already read, then any gap an earlier cycle had to
leave, at most ``max_pages`` pages. It returns (:class:`ChannelRead`) the new and edited
posts as documents, every post's ``telegram_posts`` row, the ids that vanished from a page
that should show them (deletions are kept: they are a signal of their own), the article
links that posts only point to, and the channel's new state (:class:`ChannelState` is what
earlier cycles read: the highest post id, the gaps still to read, recent posts' text hashes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newsmon.fetch.telegram import Post
from newsmon.fetch.telegram_pages import PreviewReader
from newsmon.records import IngestError, RawDoc

LINK_ONLY_CHARS = 40  # a post whose text is a link and at most this much else


@dataclass
class ChannelState:
    last: int = 0  # the highest post id read
    gaps: list[list[int]] = field(default_factory=list)  # [floor, before): ids not yet read
    hashes: dict[int, str] = field(default_factory=dict)  # recent posts' text hashes

    @classmethod
    def of(cls, raw: dict[str, Any] | None) -> ChannelState:
        raw = raw or {}
        return cls(
            int(raw.get("last") or 0),
            [list(map(int, g)) for g in raw.get("gaps") or []],
            {int(k): v for k, v in (raw.get("hashes") or {}).items()},
        )


@dataclass
class ChannelRead:
    docs: list[RawDoc] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)  # telegram_posts rows
    errors: list[IngestError] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)  # telegram_channels row
    skipped: int = 0  # media-only posts and service messages
    pages: int = 0
    outcome: str = "ok"
    link_only: list[str] = field(default_factory=list)  # article URLs posts only point to


def post_title(channel: str, text: str, words: int = 12) -> str:
    first = text.split("\n", 1)[0].split()
    head = " ".join(first[:words]) + ("\u2026" if len(first) > words or "\n" in text else "")
    return f"@{channel}: {head}"


def read_channel(
    channel: str,
    prev: ChannelState,
    get: Callable[[str], Any],
    base: str,
    now: datetime,
    *,
    max_pages: int = 5,
    first_pages: int = 1,
    lang: str | None = None,
) -> ChannelRead:
    """One cycle over a channel. ``get(url)`` returns a FetchResult; ``prev`` is what earlier
    cycles read. New posts above ``prev.last`` are read newest page first; when the page
    budget runs out before reaching ``prev.last``, the ids in between become a gap that later
    cycles read (``?before=``) before anything else is lost."""
    budget = max_pages if prev.last else min(first_pages, max_pages)
    reader = PreviewReader(channel, get, base, budget)
    gaps = [g[:] for g in prev.gaps]
    lowest = reader.read_newest(prev.last)
    top = max(reader.seen, default=prev.last)
    if not reader.failed and prev.last and lowest is not None and lowest > prev.last + 1:
        gaps.append([prev.last, lowest])  # ids in (prev.last, lowest) wait for the next cycle
    still = reader.read_gaps(gaps)
    out = ChannelRead(errors=reader.errors, pages=reader.pages)
    if reader.failed and not reader.seen:
        out.outcome = f"failed: {out.errors[-1].reason}"
        out.state = channel_row(channel, None, prev.last, prev.gaps, now, out.errors[-1].reason)
        return out
    for pid in sorted(reader.seen):
        _take_post(out, reader.seen[pid], channel, prev, now, reader.title or f"@{channel}", lang)
    for low, high in reader.ranges:  # a post read before, in a shown range, now absent: deleted
        for pid in prev.hashes:
            if low <= pid <= high and pid not in reader.seen:
                out.posts.append(deleted_row(channel, pid, now))
    out.state = channel_row(channel, reader.title, max(top, prev.last), still, now, None)
    if still:
        out.outcome = (
            f"deferred: {sum(h - f - 1 for f, h in still)} older post ids left for the next cycle"
        )
    return out


def _take_post(
    out: ChannelRead,
    p: Post,
    channel: str,
    prev: ChannelState,
    now: datetime,
    source: str,
    lang: str | None,
) -> None:
    """A post the pages showed: its row when it is new or edited (or has no text), and its
    document when it is a text post not stored as it is."""
    row = post_row(channel, p, now)
    if p.kind != "text":
        out.skipped += 1
        out.posts.append(row)
        return
    if prev.hashes.get(p.id) == p.text_hash:
        return  # already stored, unchanged
    out.posts.append(row)
    web = [u for u in p.links if u.startswith(("http://", "https://"))]
    out.docs.append(
        RawDoc(
            origin=p.url,
            kind="post",
            text=p.text,
            # a post has no headline: "@channel: its first words" (not a line of the text,
            # so cleaning keeps every line of the post)
            title=post_title(channel, p.text),
            url=p.url,
            published_at=p.published_at,
            date_source="telegram" if p.published_at else None,
            source=source,
            lang=lang,
            links=web,
        )
    )
    rest = p.text
    for link in p.links:
        rest = rest.replace(link, "")
    if p.links and len(rest.strip()) <= LINK_ONLY_CHARS:
        out.link_only += web


def post_row(channel: str, p: Post, now: datetime) -> dict[str, Any]:
    """A post's ``telegram_posts`` row."""
    return {
        "channel": channel,
        "post_id": p.id,
        "url": p.url,
        "kind": p.kind,
        "text_hash": p.text_hash if p.kind == "text" else None,
        "text": p.text if p.kind == "text" else None,
        "forwarded_from": p.forwarded_from,
        "reply_to": p.reply_to,
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "seen_at": now.isoformat(),
        "deleted": False,
    }


def deleted_row(channel: str, pid: int, now: datetime) -> dict[str, Any]:
    """The ``telegram_posts`` row of a post read before and gone from its page now."""
    return {
        "channel": channel,
        "post_id": pid,
        "url": f"https://t.me/{channel}/{pid}",
        "kind": "text",
        "text_hash": None,
        "text": None,
        "forwarded_from": None,
        "reply_to": None,
        "published_at": None,
        "seen_at": now.isoformat(),
        "deleted": True,
    }


def channel_row(
    channel: str,
    title: str | None,
    last: int,
    gaps: list[list[int]],
    now: datetime,
    error: str | None,
) -> dict[str, Any]:
    """The channel's ``telegram_channels`` row: its state for the next cycle."""
    return {
        "channel": channel,
        "title": title,
        "last_post_id": last,
        "gaps": gaps,
        "checked_at": now.isoformat(),
        "error": error,
    }
