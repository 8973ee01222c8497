"""What the read stage's workers do with each document: decode, parse, clean, give it its
identity and near-duplicate keys, count its index terms and tag it; staged as lines.

The workers run only this module and what it imports, which never opens or imports DuckDB
(tests/unit/test_imports.py checks): each worker would carry ~25 MB of it for nothing,
beside the writer that stores chunks while they read.

Every per-document step runs inside :func:`~newsmon.records.guarded`, so an input that
breaks one of them costs itself and leaves an ``ingest_errors`` row; the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from newsmon import clock
from newsmon.article.clean import clean_document, host_name
from newsmon.article.identity import (
    MinHasher,
    article_id,
    band_keys,
    canonical_url,
    content_hash,
    norm_words,
)
from newsmon.article.index_terms import index_terms
from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.read import jsonl_ranges
from newsmon.read.boilerplate import load_rules
from newsmon.read.files import FileRef, read_file, record_to_doc
from newsmon.read.language import language_of
from newsmon.records import ArticleRecord, IngestError, RawDoc, dumps, guarded
from newsmon.staging import read_jsonl, write_jsonl
from newsmon.tagging.regions import load_tagger, region_rows, score_both

SEQ_BLOCK = 2**32  # seq = block * SEQ_BLOCK + position: file (or fetch batch) order, then record

_HASHER: MinHasher | None = None


def _hasher(settings: Settings) -> MinHasher:
    global _HASHER
    if _HASHER is None or _HASHER.num_perm != settings.dedup.num_perm:
        _HASHER = MinHasher(settings.dedup.num_perm, settings.dedup.shingle_words)
    return _HASHER


FUTURE_SLACK = timedelta(days=1)  # time zones run from UTC-12 to UTC+14
FUTURE_DATE = "published_at is more than a day after the time it was read; stored without a date"


def _from_the_future(published: datetime | None, origin: str, notes: list[IngestError]) -> bool:
    """Whether ``published`` is more than a day after now, the time the article is read: a
    publisher's clock or template, not news from tomorrow (a story dated 2099 was alerted as
    new and sorted first in every "latest" query). Such a date is noted and not kept."""
    now = clock.now()
    if published is None or published <= now + FUTURE_SLACK:
        return False
    notes.append(
        IngestError(
            origin,
            "date",
            FUTURE_DATE,
            f"published_at {published:%Y-%m-%d %H:%M} UTC, read at {now:%Y-%m-%d %H:%M} UTC",
        )
    )
    return True


def _only_its_headline(text: str, title: str | None) -> bool:
    """Whether ``text`` says nothing but ``title`` (which cleaning drops as a repeated
    headline): a feed item or record that is only a headline."""
    words = norm_words(text)
    return bool(title and words) and words == norm_words(title)


def build_article(
    raw: RawDoc, settings: Settings, seq: int, notes: list[IngestError] | None = None
) -> ArticleRecord | IngestError:
    """Clean one document and give it its identity and near-duplicate keys; what is worth
    saying about it but costs it nothing (a date not kept) goes to ``notes``."""
    cleaned = clean_document(raw, load_rules(settings.cleaning_path))
    if not cleaned.text.strip() and _only_its_headline(raw.text, cleaned.title):
        cleaned = replace(cleaned, text=cleaned.title)  # a headline-only item: tagged from it
    if not cleaned.text.strip():
        return IngestError(raw.origin, "clean", "no article text left after removing boilerplate")
    if _from_the_future(cleaned.published_at, raw.origin, notes if notes is not None else []):
        cleaned = replace(cleaned, published_at=None, date_source=None)
    canonical = canonical_url(raw.url)
    words = norm_words(cleaned.text)
    text_hash = content_hash(cleaned.text, words)
    signature = _hasher(settings).signature(cleaned.text, words)
    lang, lang_source = language_of(raw.lang, cleaned.title, cleaned.text)
    terms = index_terms(cleaned.title, cleaned.text, words)
    return ArticleRecord(
        article_id=article_id(canonical, text_hash, raw.key),
        url=raw.url,
        canonical_url=canonical,
        origin=raw.origin,
        source=cleaned.source,
        title=cleaned.title,
        text=cleaned.text,
        lang=lang,
        lang_source=lang_source,
        source_host=None if cleaned.source else host_name(raw.url),
        links=[canonical_url(u) for u in raw.links[:20]],
        authors=raw.authors,
        published_at=cleaned.published_at.isoformat() if cleaned.published_at else None,
        date_source=cleaned.date_source,
        content_hash=text_hash,
        chars=len(cleaned.text),
        signature=signature.tolist(),
        bands=band_keys(signature, settings.dedup.bands),
        seq=seq,
        index_terms=terms[0] if terms else None,
        index_tfs=terms[1] if terms else None,
        text_source=raw.text_source,
    )


def articles_from(
    docs: Iterable[RawDoc],
    settings: Settings,
    block: int,
    errors: list[IngestError],
    per_topic: dict[str, int] | None = None,
) -> list[tuple[str, str | None]]:
    """Staged ``(article line, topics line)`` pairs for ``docs``, cleaned and tagged; what
    fails is appended to ``errors`` (an article whose tagging fails is kept untagged), the
    articles per topic are counted into ``per_topic``."""
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    out: list[tuple[str, str | None]] = []
    for i, doc in enumerate(docs):
        if doc.note:  # e.g. an impossible date: the article is kept without it
            errors.append(IngestError(doc.origin, "date", doc.note))
        art = guarded(
            doc.origin, "clean", build_article, doc, settings, block * SEQ_BLOCK + i, errors
        )
        if isinstance(art, IngestError):
            errors.append(art)
            continue
        line = guarded(doc.origin, "clean", art.to_json)
        if isinstance(line, IngestError):
            errors.append(line)
            continue
        row = guarded(doc.origin, "tag", topics_row, vars(art), tagger)
        if isinstance(row, IngestError):
            errors.append(row)
            out.append((line, None))
        else:
            out.append((line, dumps(row)))
            if per_topic is not None:
                for t in row["topics"]:
                    per_topic[t["topic"]] = per_topic.get(t["topic"], 0) + 1
    return out


def read_item(
    args: tuple[int, dict[str, Any], Settings],
) -> tuple[list[tuple[str, str | None]], list[dict], dict]:
    """One work item (a file, or a JSON Lines range): its staged article and topics lines."""
    index, ref_dict, settings = args
    checkpoint("read-item", ref_dict["path"])
    ref = FileRef(**ref_dict)
    summary: dict[str, Any] = dict(ref_dict)
    if ref.path.lower().endswith(".jsonl"):
        result = guarded(
            ref.path,
            "read",
            jsonl_ranges.read_range,
            ref,
            settings.ingest.max_record_bytes,
            record_to_doc,
        )
        if isinstance(result, IngestError):  # e.g. the file went away: read it again next run
            docs, errors = [], [result]
            summary["failed"] = True
        else:
            docs, errors, read_to, lines = result
            summary |= {"read_bytes": read_to, "read_lines": ref.line - 1 + lines}
    else:
        result = guarded(ref.path, "read", read_file, ref, settings.ingest.max_file_bytes)
        docs, errors = ([], [result]) if isinstance(result, IngestError) else result
    topics: dict[str, int] = {}
    out = articles_from(docs, settings, index, errors, topics)
    summary |= {"documents": len(docs), "errors": len(errors)}
    return out, [e.to_dict() for e in errors], summary | {"topics": topics}


CRASHED = (
    "its reader process died reading it, beside others and then alone (a crash in a library,"
    " or the kernel ending it for its memory); skipped while unchanged, --force reads it again"
)


def crashed_item(
    args: tuple[int, dict[str, Any], Settings],
) -> tuple[list[tuple[str, str | None]], list[dict], dict]:
    """The result of a work item that killed the reader process reading it, twice: an
    error, and the file (or JSON Lines range) counted as read, so that the runs after this
    one do not stop on it again while it is unchanged."""
    _, ref_dict, _ = args
    summary: dict[str, Any] = dict(ref_dict) | {"documents": 0, "errors": 1, "topics": {}}
    origin, reason, detail = ref_dict["path"], CRASHED, ""
    if ref_dict["path"].lower().endswith(".jsonl") and ref_dict.get("end") is not None:
        first = ref_dict.get("line", 1)
        try:
            with open(ref_dict["path"], "rb") as fh:
                fh.seek(ref_dict.get("start", 0))
                lines = fh.read(ref_dict["end"] - ref_dict.get("start", 0)).count(b"\n")
        except OSError:  # gone or unreadable now: read it again next time
            summary["failed"] = True
            lines = 0
        summary |= {"read_bytes": ref_dict["end"], "read_lines": first - 1 + lines}
        origin = f"{ref_dict['path']}#L{first}"
        detail = f"lines {first}-{first + max(lines, 1) - 1}"
    return [], [IngestError(origin, "read", reason, detail).to_dict()], summary


def topics_row(art: dict[str, Any], tagger: Any) -> dict[str, Any]:
    """An article's staged tags: its topics and the regions it places things in
    (``tagger``: :func:`newsmon.tagging.regions.load_tagger`)."""
    topics, regions = score_both(art["title"] or "", art["text"], tagger)
    return {
        "article_id": art["article_id"],
        "seq": art["seq"],
        "topics": [
            {
                "topic": t.topic,
                "score": round(t.score, 3),
                "evidence": [e.to_dict() for e in t.evidence],
                "country": t.country,
                "country_evidence": [e.to_dict() for e in t.country_evidence],
            }
            for t in topics
        ],
        "regions": region_rows(regions),
    }


def tag_chunk(args: tuple[int, str, str, Settings]) -> dict[str, Any]:
    chunk, articles, topics, settings = args
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    per_topic: dict[str, int] = {}
    errors: list[dict[str, Any]] = []

    def rows() -> Iterator[dict[str, Any]]:
        for art in read_jsonl(Path(articles)):
            row = guarded(art["origin"], "tag", topics_row, art, tagger)
            if isinstance(row, IngestError):  # stored untagged, with the reason
                errors.append(row.to_dict())
                continue
            for t in row["topics"]:
                per_topic[t["topic"]] = per_topic.get(t["topic"], 0) + 1
            yield row

    n = write_jsonl(Path(topics), rows())
    return {"chunk": chunk, "articles": n, "topics": per_topic, "errors": errors}


def tag_stored(
    args: tuple[list[tuple[str, str, str | None, str]], int, Settings],
) -> tuple[list[dict], list[tuple[str, str]]]:
    """A batch of stored articles ``(article_id, origin, title, text)`` tagged again (a
    retag's work item; ``seq``: the batch's first article's place): their tags rows, and
    ``(article_id, reason)`` of each article whose tagging failed."""
    rows, seq, settings = args
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    out, failed = [], []
    for i, (art_id, origin, title, text) in enumerate(rows):
        art = {"article_id": art_id, "title": title, "text": text, "seq": seq + i}
        row = guarded(origin, "tag", topics_row, art, tagger)
        if isinstance(row, IngestError):
            failed.append((art_id, f"{row.reason} {row.detail}".strip()))
        else:
            out.append(row)
    return out, failed
