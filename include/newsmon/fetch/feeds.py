"""A feed document as its entries: RSS 0.9x/1.0/2.0 and Atom (feedparser), and JSON Feed.

Each entry keeps what the publisher put in it, for the fetch to use when the linked page
cannot be had: its link (resolved against the feed's final URL, its ``Content-Location``
and ``xml:base``), its guid, title, date, authors, and its own text as plain text: the
richest of its content (``content:encoded``, Atom ``<content>``, JSON Feed
``content_html``/``content_text``) and its summary.

A feed with no entries is a quiet feed, not a broken one. A document that is no feed (an
HTML page, a login wall, broken XML with nothing to salvage) has a :attr:`FeedDocument.problem`
in plain words; an encoding warning of the parser is not one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsmon.read.dates import parse_iso

_JSON_FEED = re.compile(r"^https?://jsonfeed\.org/version/1(\.\d+)?/?$")
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "table",
        "section",
        "article",
        "figure",
        "figcaption",
        "header",
        "footer",
        "dd",
        "dt",
        "dl",
        "aside",
    ]
)


@dataclass(frozen=True)
class FeedEntry:
    link: str | None  # an absolute http(s) URL, or None: the entry has none that is usable
    guid: str | None
    title: str | None
    published: datetime | None
    content: str = ""  # the entry's full text, as plain text ("" when it carries none)
    summary: str = ""  # its summary or description, as plain text
    authors: tuple[str, ...] = ()
    unusable_link: str | None = None  # a link given but not fetchable (javascript:, mailto:)

    def text(self) -> tuple[str, str] | None:
        """``(text, text_source)``: the richest text the entry carries (content, else
        summary, else title), or None when it carries no text at all."""
        if self.content.strip():
            return self.content, "feed_content"
        if self.summary.strip():
            return self.summary, "feed_summary"
        if (self.title or "").strip():
            return self.title or "", "title"
        return None


@dataclass
class FeedDocument:
    kind: str  # rss20, atom10, jsonfeed11, ... ("" when it is no feed)
    entries: list[FeedEntry] = field(default_factory=list)
    problem: str | None = None  # why it is no feed, in plain words
    title: str | None = None


def fragment_text(markup: str) -> str:
    """An HTML fragment (a feed's content or summary) as plain text: paragraphs apart, a
    ``<br>`` a line break, scripts and styles gone; plain text stays as it is."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return markup.strip()
    for el in root.iter("script", "style", "noscript", "template"):
        el.text = ""
        for child in list(el):
            el.remove(child)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in _BLOCKS:
            el.text = "\n\n" + (el.text or "")
            el.tail = "\n\n" + (el.tail or "")
    text = "".join(t for t in root.itertext() if isinstance(t, str))
    lines = [" ".join(line.split()) for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _absolute(link: Any, base: str) -> str | None:
    if not isinstance(link, str) or not link.strip():
        return None
    try:
        url = urljoin(base, link.strip()) if base else link.strip()
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _when(value: Any) -> datetime | None:
    if value and isinstance(value, tuple | list):
        try:
            return datetime(*value[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            return None
    return None


def _names(people: Any) -> tuple[str, ...]:
    out: list[str] = []
    for p in people or []:
        name = p.get("name") if isinstance(p, dict) else None
        if isinstance(name, str) and name.strip() and name.strip() not in out:
            out.append(name.strip())
    return tuple(out)


def _plain(item: Any) -> str:
    """A feedparser text construct (``{value, type}``) as plain text."""
    if not isinstance(item, dict):
        return ""
    value = item.get("value")
    if not isinstance(value, str):
        return ""
    if (item.get("type") or "").lower() == "text/plain":
        return value.strip()
    return fragment_text(value)


def _from_feedparser(entry: Any, base: str) -> FeedEntry:
    contents = [_plain(c) for c in entry.get("content") or []]
    content = max(contents, key=len, default="")
    summary = _plain(entry.get("summary_detail")) or fragment_text(entry.get("summary") or "")
    if summary == content:  # the same text offered twice (RSS description and content)
        summary = ""
    title = entry.get("title")
    guid = entry.get("id")
    link = entry.get("link")
    if not link and entry.get("guidislink") is not False and isinstance(guid, str):
        link = guid  # an RSS guid that is a permalink
    usable = _absolute(link, base)
    return FeedEntry(
        link=usable,
        guid=guid if isinstance(guid, str) and guid.strip() else None,
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        published=_when(entry.get("published_parsed")) or _when(entry.get("updated_parsed")),
        content=content,
        summary=summary,
        authors=_names(entry.get("authors")),
        unusable_link=link.strip()
        if not usable and isinstance(link, str) and link.strip()
        else None,
    )


def _looks_json(body: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _json_feed(body: bytes, base: str) -> FeedDocument:
    """A JSON Feed 1.0 or 1.1 document (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return FeedDocument("", problem=f"not a feed: JSON that does not parse ({exc})")
    except RecursionError:  # arrays in arrays, thousands deep: no feed is shaped so
        return FeedDocument("", problem="not a feed: JSON nested too deeply to read")
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not _JSON_FEED.match(version):
        return FeedDocument("", problem="not a feed: JSON without a JSON Feed version")
    kind = "jsonfeed" + version.rstrip("/").rsplit("/", 1)[-1].replace(".", "")
    home = doc.get("feed_url") or doc.get("home_page_url")
    base = base or (home if isinstance(home, str) else "")
    feed_authors = doc.get("authors") or (
        [doc["author"]] if isinstance(doc.get("author"), dict) else []
    )
    items = doc.get("items")
    entries = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        html, text = item.get("content_html"), item.get("content_text")
        content = fragment_text(html) if isinstance(html, str) and html.strip() else ""
        if not content and isinstance(text, str):
            content = text.strip()
        summary = item.get("summary")
        summary = fragment_text(summary) if isinstance(summary, str) else ""
        published = item.get("date_published") or item.get("date_modified")
        guid = item.get("id")
        title = item.get("title")
        authors = item.get("authors") or (
            [item["author"]] if isinstance(item.get("author"), dict) else feed_authors
        )
        link = item.get("url") or item.get("external_url")
        usable = _absolute(item.get("url"), base) or _absolute(item.get("external_url"), base)
        entries.append(
            FeedEntry(
                link=usable,
                guid=str(guid) if isinstance(guid, str | int) and str(guid).strip() else None,
                title=title.strip() if isinstance(title, str) and title.strip() else None,
                published=parse_iso(published) if isinstance(published, str) else None,
                content=content,
                summary="" if summary == content else summary,
                authors=_names(authors),
                unusable_link=link.strip()
                if not usable and isinstance(link, str) and link.strip()
                else None,
            )
        )
    title = doc.get("title")
    return FeedDocument(kind, entries, title=title if isinstance(title, str) else None)


def read_feed(body: bytes, content_type: str = "", base_url: str = "") -> FeedDocument:
    """The entries of a feed document fetched from ``base_url`` (its final URL after
    redirects, or its ``Content-Location``)."""
    if _looks_json(body, content_type):
        return _json_feed(body, base_url)
    import feedparser

    headers = {"content-type": content_type}
    if base_url:
        headers["content-location"] = base_url  # the base of relative links
    parsed = feedparser.parse(body, response_headers=headers)
    entries = [_from_feedparser(e, base_url) for e in parsed.entries]
    title = parsed.feed.get("title") if parsed.get("feed") else None
    exc = parsed.get("bozo_exception")
    broken = type(exc).__name__ == "SAXParseException"  # not well-formed (not an encoding note)
    if entries or (parsed.get("version") and not broken):
        return FeedDocument(parsed.get("version") or "unknown", entries, title=title)
    head = body[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return FeedDocument("", problem="not a feed: an HTML page (markup changed, or a wall?)")
    if broken and parsed.get("version"):
        return FeedDocument(
            "", problem=f"a broken feed: its XML breaks off or does not parse ({exc}), no entries"
        )
    if broken:
        return FeedDocument("", problem=f"not a feed: XML that does not parse ({exc})")
    if not body.strip():
        return FeedDocument("", problem="not a feed: an empty answer")
    return FeedDocument("", problem="not a feed: no RSS, Atom or JSON Feed element found")
