"""Public Telegram channels read through their web preview, ``https://t.me/s/<channel>``:
the page Telegram serves to anyone, with no account, no login and no API key.

:func:`parse_preview` turns one preview page into posts; :func:`read_channel` reads a channel
for one fetch cycle (the newest pages down to the last post already read, then any gap an
earlier cycle had to leave, at most ``max_pages`` pages), and returns the new and edited
posts as documents, the ids that vanished from a page that should show them (deletions are
kept: they are a signal of their own), and the channel's new state. Markup is read by its
public class names (``tgme_widget_message`` and friends, as the projects that parse these
pages read it); a page that should show posts and shows none is reported as changed markup,
never stored as silence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from newsmon.read.html import decode_html
from newsmon.records import IngestError, RawDoc

MAX_POSTS_PER_PAGE = 200  # a preview shows ~20; a page claiming more is read up to this
LINK_ONLY_CHARS = 40  # a post whose text is a link and at most this much else


@dataclass
class Post:
    id: int
    url: str  # https://t.me/<channel>/<id>
    kind: str  # text | media (no text) | service
    text: str = ""
    published_at: datetime | None = None
    forwarded_from: str | None = None
    reply_to: str | None = None
    links: list[str] = field(default_factory=list)

    @property
    def text_hash(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class PreviewPage:
    title: str | None
    posts: list[Post]
    before: int | None  # the "load older posts" cursor, when the page has one
    problem: str | None = None  # why the page cannot be read as a channel's posts
    truncated: int = 0  # posts beyond MAX_POSTS_PER_PAGE, not read


def _classes(el: Any) -> set[str]:
    return set((el.get("class") or "").split())


def _find(el: Any, cls: str) -> list[Any]:
    return el.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")


def _text_of(el: Any) -> str:
    """A message's text as a reader sees it: line breaks kept, links' and emoji's text kept."""
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    text = "".join(el.itertext())
    lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
    return "\n".join(lines).strip()


def _post_id(value: str | None, channel: str) -> int | None:
    if not value or "/" not in value:
        return None
    name, _, number = value.rpartition("/")
    # ASCII digits only, and an id that fits the database's bigint (a hostile page's
    # "99999999999999999999" or "²" is skipped, not a failed run)
    if name.lower() != channel.lower() or not (number.isascii() and number.isdigit()):
        return None
    if len(number) > 15 or int(number) == 0:
        return None
    return int(number)


def _when(el: Any) -> datetime | None:
    times = el.xpath(".//time[@datetime]")
    if not times:
        return None
    try:
        when = datetime.fromisoformat(times[-1].get("datetime").replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse_preview(html: str, channel: str) -> PreviewPage:
    """One preview page's posts, oldest first, and its "older posts" cursor."""
    import lxml.html

    if not html.strip():
        return PreviewPage(None, [], None, "empty page")
    try:
        doc = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError) as exc:
        return PreviewPage(None, [], None, f"not an HTML page ({exc})")
    header = _find(doc, "tgme_channel_info_header_title")
    title = _text_of(header[0]) or None if header else None
    widgets = _find(doc, "tgme_widget_message")
    widgets = [w for w in widgets if w.get("data-post")]
    posts: list[Post] = []
    for w in widgets[-MAX_POSTS_PER_PAGE:]:  # the newest, which the page lists last
        pid = _post_id(w.get("data-post"), channel)
        if pid is None:
            continue
        post = Post(pid, f"https://t.me/{channel}/{pid}", "media")
        post.published_at = _when(w)
        if "service_message" in _classes(w):
            post.kind = "service"
        else:
            texts = [
                t
                for t in _find(w, "tgme_widget_message_text")
                if "js-message_reply_text" not in _classes(t)
            ]
            if texts:
                post.links = [a.get("href") for a in texts[0].iter("a") if a.get("href")]
                post.text = _text_of(texts[0])
                post.kind = "text" if post.text else "media"
        fwd = _find(w, "tgme_widget_message_forwarded_from_name")
        if fwd:
            post.forwarded_from = fwd[0].get("href") or _text_of(fwd[0]) or None
        reply = _find(w, "tgme_widget_message_reply")
        if reply:
            post.reply_to = reply[0].get("href") or None
        posts.append(post)
    posts.sort(key=lambda p: p.id)
    more = _find(doc, "tme_messages_more")
    before = None
    for el in more:
        value = el.get("data-before") or ""
        if value.isdigit():
            before = int(value)
    if before is None and posts:
        before = posts[0].id if posts[0].id > 1 else None
    page = PreviewPage(title, posts, before, truncated=max(0, len(widgets) - MAX_POSTS_PER_PAGE))
    if not posts:
        if doc.xpath("//*[@data-post]"):
            page.problem = "the page has posts but not the markup newsmon reads (markup changed?)"
        elif header or _find(doc, "tgme_channel_info"):
            page.problem = None  # a channel with no posts yet
        else:
            page.problem = "no channel preview on the page (not a public channel?)"
    return page


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


def preview_url(base: str, channel: str, before: int | None = None) -> str:
    return f"{base.rstrip('/')}/s/{channel}" + (f"?before={before}" if before else "")


def read_channel(
    channel: str,
    prev: ChannelState,
    get: Any,
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
    out = ChannelRead()
    title: str | None = None
    seen: dict[int, Post] = {}
    present: set[int] = set()
    ranges: list[tuple[int, int]] = []
    budget = max_pages if prev.last else min(first_pages, max_pages)
    gaps = [g[:] for g in prev.gaps]

    def page(before: int | None) -> PreviewPage | None:
        nonlocal title
        url = preview_url(base, channel, before)
        res = get(url)
        out.pages += 1
        if not res.ok:
            reason = res.error or f"HTTP {res.status}"
            if res.status == 404:
                reason = f"channel @{channel} does not exist (HTTP 404)"
            out.errors.append(IngestError(url, "telegram", reason))
            return None
        final = urlsplit(res.final_url or url).path.rstrip("/")
        if not final.startswith("/s/"):  # t.me sends a non-public name to its join page
            out.errors.append(
                IngestError(
                    url,
                    "telegram",
                    f"channel @{channel} has no public preview (private, or not a channel)",
                )
            )
            return None
        parsed = parse_preview(decode_html(res.body, res.headers.get("content-type")), channel)
        if parsed.problem:
            out.errors.append(IngestError(url, "telegram", parsed.problem))
            return None
        if parsed.truncated:
            out.errors.append(
                IngestError(
                    url,
                    "telegram",
                    f"page shows more than {MAX_POSTS_PER_PAGE} posts;"
                    f" read the newest {MAX_POSTS_PER_PAGE}",
                    f"{parsed.truncated + MAX_POSTS_PER_PAGE} posts",
                )
            )
        title = title or parsed.title
        for p in parsed.posts:
            seen[p.id] = p
            present.add(p.id)
        if parsed.posts:
            ranges.append((parsed.posts[0].id, parsed.posts[-1].id))
        return parsed

    # 1. the newest pages, down to the last post read
    before: int | None = None
    lowest: int | None = None
    failed = False
    while budget > 0:
        budget -= 1
        got = page(before)
        if got is None:
            failed = True
            break
        if not got.posts:
            break
        lowest = got.posts[0].id
        if lowest <= prev.last + 1 or not prev.last or got.before is None:
            break
        before = got.before
    top = max(seen, default=prev.last)
    if not failed and prev.last and lowest is not None and lowest > prev.last + 1:
        gaps.append([prev.last, lowest])  # ids in (prev.last, lowest) wait for the next cycle
    # 2. older gaps, while pages remain
    still: list[list[int]] = []
    for floor, ceiling in sorted(gaps, key=lambda g: -g[1]):
        cursor = ceiling
        while budget > 0 and not failed and cursor > floor + 1:
            budget -= 1
            got = page(cursor)
            if got is None:
                failed = True
                break
            if not got.posts or got.before is None or got.posts[0].id >= cursor:
                cursor = floor + 1
                break
            cursor = got.posts[0].id
        if cursor > floor + 1:
            still.append([floor, cursor])
    if failed and not seen:
        out.outcome = f"failed: {out.errors[-1].reason}"
        out.state = {
            "channel": channel,
            "title": None,
            "last_post_id": prev.last,
            "gaps": prev.gaps,
            "checked_at": now.isoformat(),
            "error": out.errors[-1].reason,
        }
        return out

    # what is new, edited or gone
    for pid in sorted(seen):
        p = seen[pid]
        row = {
            "channel": channel,
            "post_id": pid,
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
        if p.kind != "text":
            out.skipped += 1
            out.posts.append(row)
            continue
        known = prev.hashes.get(pid)
        if known == p.text_hash:
            continue  # already stored, unchanged
        out.posts.append(row)
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
                source=title or f"@{channel}",
                lang=lang,
                links=[u for u in p.links if u.startswith(("http://", "https://"))],
            )
        )
        rest = p.text
        for link in p.links:
            rest = rest.replace(link, "")
        if p.links and len(rest.strip()) <= LINK_ONLY_CHARS:
            out.link_only += [u for u in p.links if u.startswith(("http://", "https://"))]
    for low, high in ranges:  # a post read before, in a shown range, and now absent: deleted
        for pid in prev.hashes:
            if low <= pid <= high and pid not in present:
                out.posts.append(
                    {
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
                )
    out.state = {
        "channel": channel,
        "title": title,
        "last_post_id": max(top, prev.last),
        "gaps": still,
        "checked_at": now.isoformat(),
        "error": None,
    }
    if still:
        out.outcome = (
            f"deferred: {sum(h - f - 1 for f, h in still)} older post ids left for the next cycle"
        )
    return out
