"""Public Telegram channels' web preview, ``https://t.me/s/<channel>``: the page Telegram
serves to anyone, with no account, no login and no API key, read as posts.

:func:`preview_url` is a preview page's address and :func:`parse_preview` turns one page into
its posts (:class:`Post`) and its "older posts" cursor, with no network and no state. Markup
is read by its public class names (``tgme_widget_message`` and friends, as the projects that
parse these pages read it); a page that should show posts and shows none has a
:attr:`PreviewPage.problem` (changed markup), never read as silence.

Reading a channel's pages over HTTP is :mod:`newsmon.fetch.telegram_pages`; one fetch cycle
over a channel (what is new, edited or deleted, and its state) is
:mod:`newsmon.fetch.telegram_channel`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

MAX_POSTS_PER_PAGE = 200  # a preview shows ~20; a page claiming more is read up to this


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


def preview_url(base: str, channel: str, before: int | None = None) -> str:
    return f"{base.rstrip('/')}/s/{channel}" + (f"?before={before}" if before else "")


def _read_post(widget: Any, channel: str) -> Post | None:
    """One message widget as a post; None when its id is not one of the channel's."""
    pid = _post_id(widget.get("data-post"), channel)
    if pid is None:
        return None
    post = Post(pid, f"https://t.me/{channel}/{pid}", "media")
    post.published_at = _when(widget)
    if "service_message" in _classes(widget):
        post.kind = "service"
    else:
        texts = [
            t
            for t in _find(widget, "tgme_widget_message_text")
            if "js-message_reply_text" not in _classes(t)
        ]
        if texts:
            post.links = [a.get("href") for a in texts[0].iter("a") if a.get("href")]
            post.text = _text_of(texts[0])
            post.kind = "text" if post.text else "media"
    fwd = _find(widget, "tgme_widget_message_forwarded_from_name")
    if fwd:
        post.forwarded_from = fwd[0].get("href") or _text_of(fwd[0]) or None
    reply = _find(widget, "tgme_widget_message_reply")
    if reply:
        post.reply_to = reply[0].get("href") or None
    return post


def _older_cursor(doc: Any, posts: list[Post]) -> int | None:
    """The page's "load older posts" cursor, else its oldest post's id."""
    before = None
    for el in _find(doc, "tme_messages_more"):
        value = el.get("data-before") or ""
        if value.isdigit():
            before = int(value)
    if before is None and posts:
        before = posts[0].id if posts[0].id > 1 else None
    return before


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
        post = _read_post(w, channel)
        if post is not None:
            posts.append(post)
    posts.sort(key=lambda p: p.id)
    before = _older_cursor(doc, posts)
    page = PreviewPage(title, posts, before, truncated=max(0, len(widgets) - MAX_POSTS_PER_PAGE))
    if not posts:
        if doc.xpath("//*[@data-post]"):
            page.problem = "the page has posts but not the markup newsmon reads (markup changed?)"
        elif header or _find(doc, "tgme_channel_info"):
            page.problem = None  # a channel with no posts yet
        else:
            page.problem = "no channel preview on the page (not a public channel?)"
    return page
