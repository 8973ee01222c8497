"""HTML pages to documents with newspaper4k, strictly offline.

newspaper4k asks tldextract for domain parts, and tldextract's default extractor
downloads the public-suffix list on first use. We swap in one that only reads the
snapshot bundled with tldextract, before newspaper is imported, so parsing a page
never touches the network. ``fetch_images=False`` and no ``.nlp()`` for the same reason.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _offline_newspaper() -> Any:
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": we never use its NLP parts
        import newspaper

    return newspaper


def parse_html(html: str, url: str | None = None) -> dict[str, Any]:
    """Title, text, authors, publish date (UTC), language and canonical URL of one page."""
    newspaper = _offline_newspaper()
    article = newspaper.Article(url or "", fetch_images=False)
    article.download(input_html=html)
    article.parse()
    published = article.publish_date
    if isinstance(published, datetime):
        published = published.replace(tzinfo=UTC) if published.tzinfo is None else published
        published = published.astimezone(UTC)
    else:
        published = None
    return {
        "title": (article.title or "").strip() or None,
        "text": article.text or "",
        "authors": list(article.authors or []),
        "published_at": published,
        "lang": (article.meta_lang or "").strip() or None,
        "canonical_url": (article.canonical_link or "").strip() or None,
    }
