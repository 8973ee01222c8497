"""An HTML page's bytes to a document: decoded text, then the story picked out of it.

Used for local ``.html`` files, fetched pages, Telegram previews and re-extraction alike.
"""

from __future__ import annotations

import re
from datetime import datetime

from newsmon.read.extraction import NotAnArticle, extract_article
from newsmon.records import IngestError, RawDoc
from newsmon.textio import decode_bytes


def _charset(content_type: str | None) -> str | None:
    m = re.search(r"charset=([\w-]+)", content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_html(body: bytes, content_type: str | None) -> str:
    """A page's text: in the charset its ``Content-Type`` declares when that decodes it,
    else in the one detected."""
    declared = _charset(content_type)
    if declared:
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(body)[0]


def page_to_document(
    html: str,
    *,
    origin: str,
    url: str | None = None,
    source: str | None = None,
    lang: str | None = None,
    feed_title: str | None = None,
    feed_date: datetime | None = None,
    fetched_at: datetime | None = None,
    keep_date: tuple[datetime | None, str | None] | None = None,
) -> RawDoc | IngestError:
    """An HTML page as a document, or the reason it is not an article.

    Dates: the page's own metadata wins; else the feed's date, else a date in the URL,
    else ``fetched_at`` (the fetch time). ``keep_date`` (re-extraction) is a stored
    ``(published_at, date_source)`` that stays unless the page now has a metadata date.
    """
    page = extract_article(html, url)
    if isinstance(page, NotAnArticle):
        return IngestError(origin, "extract", page.reason)
    published, date_source = page.published_at, page.date_source
    if date_source != "meta":
        if keep_date is not None and keep_date[0] is not None:
            published, date_source = keep_date
        elif feed_date is not None:
            published, date_source = feed_date, "feed"  # a feed's date beats a URL's
    if published is None and fetched_at is not None:
        published, date_source = fetched_at, "fetched"
    return RawDoc(
        origin=origin,
        kind="html",
        text=page.text,
        title=page.title or feed_title,
        url=page.canonical_url or url,
        published_at=published,
        date_source=date_source,
        source=source,
        lang=page.lang or lang,
        authors=page.authors,
    )
