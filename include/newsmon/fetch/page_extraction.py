"""The cycle's downloaded article pages made documents in extractor processes.

:func:`newsmon.fetch.pages.fetch_record` stores a fetched page and gives its
:class:`ExtractJob`; :func:`extract_all` extracts every page of the cycle with
:func:`extract_page` (:mod:`newsmon.read.extraction`, with its date's provenance: page
``meta``, ``url``, ``feed``, else ``fetched``) in extractor processes, where a page that
crashes lxml or an extractor costs only itself (:func:`extract_crashed`), and hands each
document, or the reason there is none, back to the :class:`Pending` page's owner.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newsmon.faults import checkpoint
from newsmon.read.html import decode_html, page_to_document
from newsmon.records import IngestError, RawDoc, guarded
from newsmon.textio import NotText


@dataclass(frozen=True)
class ExtractJob:
    """A downloaded page waiting for extraction, as it travels to an extractor process."""

    url: str  # the link fetched (the document's origin)
    final_url: str
    raw_path: str  # the stored raw page (gzip)
    content_type: str
    source: str
    lang: str | None
    feed_title: str | None
    feed_date: datetime | None
    fetched_at: datetime


def extract_page(job: ExtractJob) -> RawDoc | IngestError:
    """A downloaded page as a document, or the reason it is not one (in an extractor
    process: a page that crashes lxml or the extractors costs only itself)."""
    checkpoint("extract-page", job.url)
    return guarded(job.url, "extract", _page_document, job)


def extract_crashed(job: ExtractJob) -> IngestError:
    """What a page that killed its extractor process, twice, comes to."""
    return IngestError(
        job.url, "extract", "the page crashed its extractor (the process died); not tried again"
    )


def _page_document(job: ExtractJob) -> RawDoc | IngestError:
    body = gzip.decompress(Path(job.raw_path).read_bytes())
    try:
        html = decode_html(body, job.content_type)
    except NotText as exc:
        return IngestError(job.url, "extract", str(exc))
    return page_to_document(
        html,
        origin=job.url,
        url=job.final_url,
        source=job.source,
        lang=job.lang,
        feed_title=job.feed_title,
        feed_date=job.feed_date,
        fetched_at=job.fetched_at,
    )


@dataclass
class Pending:
    """A page downloaded and waiting for extraction, with what deciding its fate needs."""

    job: ExtractJob
    record: dict[str, Any]  # the fetch record, which an extraction error is written into
    settle: Callable[[RawDoc | IngestError], None]  # decides what the page comes to


def extract_all(pending: list[Pending], workers: int) -> None:
    """Extract the cycle's downloaded pages in extractor processes (at least one, also when
    ``workers`` is 1): a page that kills its process (a crash in lxml or an extractor, the
    OOM killer) is an ``extract`` error of its own and the others are stored; its URL counts
    as fetched, so it is not downloaded again."""
    from newsmon.parallel import parallel_map

    jobs = [p.job for p in pending]
    docs = parallel_map(
        extract_page, jobs, workers, count=len(jobs), on_crash=extract_crashed, isolate=True
    )
    for p, doc in zip(pending, docs, strict=True):
        if isinstance(doc, IngestError):
            p.record["error"] = doc.reason
        p.settle(doc)
