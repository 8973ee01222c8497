"""Re-processing what is stored: extract raw pages again.

``reextract`` (after an extractor upgrade) runs stored raw pages through the same
:func:`~newsmon.read.html.page_to_document` as a fetch and the shared tag/store/detect
stages, as a run of its own. Tagging every article again is :mod:`newsmon.flows.retag`.
"""

from __future__ import annotations

import gzip
import logging
from datetime import datetime
from typing import Any

from newsmon.config import Settings
from newsmon.flows.store import detect_signals, store_articles
from newsmon.flows.tag import tag_articles
from newsmon.flows.workers import articles_from
from newsmon.read.html import decode_html, page_to_document
from newsmon.records import IngestError, RawDoc, guarded
from newsmon.storage import runs
from newsmon.storage.db import execute

log = logging.getLogger(__name__)


RAW_PAGE_GONE = (
    "its raw page is no longer kept (removed by fetch.raw_pages_max_mb, or by hand);"
    " the article keeps the text extracted when it was fetched"
)


def _raw_page(
    settings: Settings,
    url: str,
    final_url: str | None,
    source: str | None,
    raw_path: str,
    published: datetime | None,
    date_source: str | None,
) -> RawDoc | IngestError:
    page = settings.raw_dir / raw_path
    if not page.exists():
        return IngestError(url, "reextract", RAW_PAGE_GONE)
    html = decode_html(gzip.decompress(page.read_bytes()), None)
    keep = (published, date_source) if date_source in ("feed", "fetched") else None
    return page_to_document(html, origin=url, url=final_url or url, source=source, keep_date=keep)


def reextract(settings: Settings, *, run_id: str | None = None) -> dict[str, Any]:
    """Extract every stored raw page again, without fetching; changed articles are updated."""
    run_id = run_id or runs.new_run_id("reextract")
    with runs.begin(
        settings, run_id, kind="reextract", trigger="cli", made_by="newsmon reextract", paths=[]
    ) as (con, staged):
        pages = execute(con, "flows/maintenance/raw_pages").fetchall()
    errors: list[IngestError] = []
    docs: list[RawDoc] = []
    gone = 0  # pages the raw_pages_max_mb cap removed: counted, not errors
    for url, *rest in pages:
        doc = guarded(url, "reextract", _raw_page, settings, url, *rest)
        if isinstance(doc, IngestError) and doc.reason == RAW_PAGE_GONE:
            gone += 1
            continue
        (errors if isinstance(doc, IngestError) else docs).append(doc)
    n = staged.write_articles(
        articles_from(docs, settings, 0, errors),
        settings.ingest.batch_size,
        max_bytes=settings.ingest.batch_bytes,
    )
    staged.write_errors("reextract", (e.to_dict() for e in errors))
    tag_articles(settings, run_id)
    stored = store_articles(settings, run_id)
    detect_signals(settings, run_id)
    return {
        "run_id": run_id,
        "pages": len(pages),
        "articles": n,
        "updated": stored["articles_updated"],
        "unchanged": stored["articles_unchanged"],
        "new": stored["articles_new"],
        "pages_gone": gone,
        "errors": len(errors),
    }
