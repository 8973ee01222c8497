"""Re-processing what is stored: extract raw pages again, tag every article again.

``reextract`` (after an extractor upgrade) runs stored raw pages through the same
:func:`~newsmon.read.html.page_to_document` as a fetch and the shared tag/store/detect
stages, as a run of its own. ``retag`` (after a taxonomy change) replaces every article's
topics in one transaction and raises no signals.
"""

from __future__ import annotations

import gzip
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from newsmon import progress
from newsmon.alerting.atom_feeds import write_topic_feeds
from newsmon.config import Settings
from newsmon.flows.store import detect_signals, store_articles
from newsmon.flows.tag import tag_articles
from newsmon.flows.workers import articles_from, topics_row
from newsmon.read.html import decode_html, page_to_document
from newsmon.records import IngestError, RawDoc, guarded
from newsmon.staging import RunFolder, max_json_object, write_jsonl
from newsmon.storage import runs
from newsmon.storage.articles import upsert_regions
from newsmon.storage.db import execute, open_db, set_memory_limit, transaction
from newsmon.storage.readcopy import publish
from newsmon.tagging.regions import load_gazetteer, load_tagger
from newsmon.tagging.taxonomy import load_taxonomy

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


RETAG_MEMORY = "2GB"  # the whole retag is one transaction (measured: 100,000 articles fit)


def retag(settings: Settings, batch: int = 5000) -> dict[str, Any]:
    """Re-tag every stored article with the current taxonomy and gazetteer, in one
    transaction."""
    tax = load_taxonomy(settings.topics_path)
    gaz = load_gazetteer(settings.regions_path)
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    staged = RunFolder(settings.staging_dir, runs.new_run_id("retag"))
    staged.path.mkdir(parents=True, exist_ok=True)
    with open_db(settings, compact=True) as con:  # every tag row is replaced: compact after
        # one transaction replaces every article's tags: DuckDB keeps it in memory until the
        # commit, so the retag gets more room than a run's chunk-sized transactions need
        set_memory_limit(con, RETAG_MEMORY)
        before = dict(execute(con, "flows/maintenance/topic_counts").fetchall())
        n, files = _tag_all(con, tagger, staged, batch, sum(before.values()) or None)
        with transaction(con):
            execute(con, "flows/maintenance/clear_all_topics")
            execute(con, "flows/maintenance/clear_all_regions")
            upsert_regions(con, settings)
            for path in files:
                _replace_tags(con, path, tax.version, gaz.version)
        after = dict(execute(con, "flows/maintenance/topic_counts").fetchall())
        publish(con, settings)
        write_topic_feeds(con, settings, runs.now())  # tags changed: so did the feeds
    staged.remove()
    topics = sorted(set(before) | set(after))
    return {
        "articles": n,
        "taxonomy_version": tax.version,
        "topics": {t: {"before": before.get(t, 0), "after": after.get(t, 0)} for t in topics},
    }


def _tag_all(
    con: Any, tagger: Any, staged: RunFolder, batch: int, total: int | None
) -> tuple[int, list[Path]]:
    """Tag every stored article into tags files of ``batch`` articles each (each loads in
    bounded memory); the rows written and the files."""
    files: list[Path] = []
    cursor = execute(con, "flows/maintenance/all_articles")
    n = seq = 0
    with progress.stage("retag", total=total, unit="article") as step:
        while chunk := cursor.fetchmany(batch):
            rows = []
            for art_id, origin, title, text in chunk:
                art = {"article_id": art_id, "title": title, "text": text, "seq": seq}
                row = guarded(origin, "tag", topics_row, art, tagger)
                seq += 1
                if not isinstance(row, IngestError):
                    rows.append(row)
            path = staged.path / f"tags-{len(files):05d}.jsonl"
            n += write_jsonl(path, rows)
            files.append(path)
            step(len(chunk))
    return n, files


def _replace_tags(con: Any, path: Path, taxonomy_version: str, gazetteer_version: str) -> None:
    """One tags file's topics and regions into the tables (cleared before)."""
    execute(
        con, "storage/articles/incoming_tags", topics=str(path), max_object=max_json_object(path)
    )
    execute(con, "storage/articles/incoming_topics")
    execute(
        con,
        "flows/maintenance/insert_all_topics",
        taxonomy_version=taxonomy_version,
        now=runs.now(),
    )
    execute(con, "storage/articles/incoming_regions")
    execute(
        con,
        "flows/maintenance/insert_all_regions",
        gazetteer_version=gazetteer_version,
        now=runs.now(),
    )
