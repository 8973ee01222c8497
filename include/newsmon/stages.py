"""The task-sized stages every flow shares: discover, read, tag, store, detect.

Each takes the settings and a run id, does one job, hands its records over in the run's
:class:`~newsmon.staging.RunFolder` and returns a dict of counts (what Airflow passes on in
XCom). Only :func:`discover_files`, :func:`store_articles` and :func:`detect_signals` open
the database; in Airflow they run in the 1-slot ``newsmon_duckdb`` pool.

Every per-document step (decoding, parsing, dates, cleaning, tagging, serialisation) runs
inside :func:`~newsmon.records.guarded`, so an input that breaks one of them costs itself
and leaves an ``ingest_errors`` row; the run goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any

from newsmon import jsonl, progress, runs
from newsmon.clean import clean_document, host_name, load_rules
from newsmon.config import Settings
from newsmon.db import open_db, run
from newsmon.dedup import (
    MinHasher,
    article_id,
    band_keys,
    canonical_url,
    content_hash,
    norm_words,
)
from newsmon.faults import checkpoint
from newsmon.language import language_of
from newsmon.load import FileRef, discover, read_file, record_to_doc
from newsmon.parallel import parallel_map
from newsmon.readcopy import publish
from newsmon.records import ArticleRecord, IngestError, RawDoc, dumps, guarded
from newsmon.regions import load_tagger, region_rows, score_both
from newsmon.search import index_terms
from newsmon.staging import JsonlWriter, RunFolder, read_jsonl, write_jsonl
from newsmon.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

SEQ_BLOCK = 2**32  # seq = block * SEQ_BLOCK + position: file (or fetch batch) order, then record


def folder(settings: Settings, run_id: str) -> RunFolder:
    return RunFolder(settings.staging_dir, run_id)


# -- discover ---------------------------------------------------------------------------------


def discover_files(
    settings: Settings,
    run_id: str,
    paths: Iterable[str | Path],
    *,
    trigger: str = "cli",
    made_by: str = "newsmon ingest",
    force: bool = False,
    backfill: bool = False,
) -> dict[str, Any]:
    """Start the run and list its input files, skipping those read before unchanged
    (a JSON Lines file that has only grown is read from where the last run stopped)."""
    paths = [str(p) for p in paths]
    refs, errors = discover(paths, settings.ingest.extensions)
    staged = folder(settings, run_id)
    with open_db(settings) as con:
        runs.recover_stale(con, settings)
        runs.start(
            con,
            staged,
            kind="ingest",
            trigger=trigger,
            made_by=made_by,
            paths=paths,
            backfill=backfill,
        )
        known: dict[str, dict[str, Any]] = {}
        if refs and not force:
            cur = run(con, "known_files", paths=[r.path for r in refs])
            names = [d[0] for d in cur.description]
            known = {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}
        todo = [r for r in refs if _changed(r, known.get(r.path))]
        run(
            con,
            "runs/discovered",
            run_id=run_id,
            files_found=len(refs),
            files_skipped=len(refs) - len(todo),
        )
    staged.write_files(asdict(part) for r in todo for part in _parts(r, known.get(r.path), errors))
    staged.write_errors("discover", (e.to_dict() for e in errors))
    counts = {
        "run_id": run_id,
        "files_found": len(refs),
        "files_to_read": len(todo),
        "files_skipped": len(refs) - len(todo),
        "errors": len(errors),
    }
    log.info("discover %s: %s", run_id, counts)
    return counts


def _changed(ref: FileRef, known: dict[str, Any] | None) -> bool:
    return known is None or (known["size"], known["mtime_ns"]) != (ref.size, ref.mtime_ns)


def _parts(ref: FileRef, known: dict[str, Any] | None, errors: list[IngestError]) -> list[FileRef]:
    """The work items of one file: itself, or a JSON Lines file's ranges from where the last
    run stopped reading it (see :mod:`newsmon.jsonl`)."""
    if not ref.path.lower().endswith(".jsonl"):
        return [ref]
    try:
        start, line = jsonl.resume_point(ref.path, ref.size, known)
        head = replace(ref, head=jsonl.head_hash(ref.path, ref.size))
        head = replace(head, head_bytes=min(ref.size, jsonl.HEAD_BYTES))
        return jsonl.plan(head, start, line)
    except OSError as exc:
        errors.append(IngestError(ref.path, "read", f"cannot read file: {exc.strerror or exc}"))
        return []


# -- read: decode, parse, clean, identify, tag ------------------------------------------------

_HASHER: MinHasher | None = None


def _hasher(settings: Settings) -> MinHasher:
    global _HASHER
    if _HASHER is None or _HASHER.num_perm != settings.dedup.num_perm:
        _HASHER = MinHasher(settings.dedup.num_perm, settings.dedup.shingle_words)
    return _HASHER


def build_article(raw: RawDoc, settings: Settings, seq: int) -> ArticleRecord | IngestError:
    """Clean one document and give it its identity and near-duplicate keys."""
    cleaned = clean_document(raw, load_rules(settings.cleaning_path))
    if not cleaned.text.strip():
        return IngestError(raw.origin, "clean", "no article text left after removing boilerplate")
    canonical = canonical_url(raw.url)
    words = norm_words(cleaned.text)
    text_hash = content_hash(cleaned.text, words)
    signature = _hasher(settings).signature(cleaned.text, words)
    lang, lang_source = language_of(raw.lang, cleaned.title, cleaned.text)
    terms = index_terms(cleaned.title, cleaned.text, words)
    return ArticleRecord(
        article_id=article_id(canonical, text_hash),
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
    tagger = load_tagger(settings.topics_path, settings.regions_path)
    out: list[tuple[str, str | None]] = []
    for i, doc in enumerate(docs):
        if doc.note:  # e.g. an impossible date: the article is kept without it
            errors.append(IngestError(doc.origin, "date", doc.note))
        art = guarded(doc.origin, "clean", build_article, doc, settings, block * SEQ_BLOCK + i)
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


def _read_one(
    args: tuple[int, dict[str, Any], Settings],
) -> tuple[list[tuple[str, str | None]], list[dict], dict]:
    """One work item (a file, or a JSON Lines range): its staged article and topics lines."""
    index, ref_dict, settings = args
    ref = FileRef(**ref_dict)
    summary: dict[str, Any] = dict(ref_dict)
    if ref.path.lower().endswith(".jsonl"):
        result = guarded(
            ref.path, "read", jsonl.read_range, ref, settings.ingest.max_record_bytes, record_to_doc
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


def read_files(settings: Settings, run_id: str) -> dict[str, Any]:
    """Read, clean and tag every file (or JSON Lines range) listed by :func:`discover_files`
    into article and topics chunks, in parallel when there is enough work.

    The list of work items is streamed from the staging folder and the per-file results
    and errors are streamed back to it, so memory does not grow with the number of files
    (100,000 files held as lists cost the main process ~200 MB)."""
    staged = folder(settings, run_id)
    count = size = 0
    for r in staged.files():
        count += 1
        size += (r["end"] if r.get("end") is not None else r["size"]) - r.get("start", 0)
    topics: dict[str, int] = {}
    paths: set[str] = set()
    tally = {"errors": 0, "clean": 0}

    def lines(
        step: Callable[[int], None], write_error: JsonlWriter, write_result: JsonlWriter
    ) -> Iterator[tuple[str, str | None]]:
        work = ((i, r, settings) for i, r in enumerate(staged.files()))
        few = 1 if size > 2 * jsonl.RANGE_BYTES else 64  # a big archive is worth the pool
        # a chunk of work items carries at most ~1 MB of input (its results are ~4x that)
        per_chunk = max(1, int(jsonl.RANGE_BYTES / max(1, size / max(1, count))))
        for arts, errs, summary in parallel_map(
            _read_one,
            work,
            settings.ingest.workers,
            min_items=few,
            chunksize=min(per_chunk, max(1, count // (2 * 8))),
            count=count,
        ):
            for e in errs:
                write_error(e)
                tally["errors"] += 1
                tally["clean"] += e["stage"] == "clean"
            for topic, n in summary.pop("topics").items():
                topics[topic] = topics.get(topic, 0) + n
            paths.add(summary["path"])
            write_result(summary)
            yield from arts
            step(
                summary["end"] - summary["start"]
                if summary.get("end") is not None
                else summary["size"]
            )
            checkpoint("read")

    with (
        progress.stage("read + clean + tag", total=size, unit="byte") as step,
        staged.errors_writer("read") as write_error,
        staged.file_results_writer() as write_result,
    ):
        n = staged.write_articles(
            lines(step, write_error, write_result),
            settings.ingest.batch_size,
            max_bytes=settings.ingest.batch_bytes,
        )
    counts = {
        "run_id": run_id,
        "files_read": len(paths),
        "topics": topics,
        "documents": n + tally["clean"],
        "articles": n,
        "errors": tally["errors"],
    }
    log.info("read %s: %s", run_id, counts)
    return counts


# -- tag --------------------------------------------------------------------------------------


def topics_row(art: dict[str, Any], tagger: Any) -> dict[str, Any]:
    """An article's staged tags: its topics and the regions it places things in
    (``tagger``: :func:`newsmon.regions.load_tagger`)."""
    topics, regions = score_both(art["title"] or "", art["text"], tagger)
    return {
        "article_id": art["article_id"],
        "seq": art["seq"],
        "topics": [
            {
                "topic": t.topic,
                "score": round(t.score, 3),
                "evidence": [e.to_dict() for e in t.evidence],
            }
            for t in topics
        ],
        "regions": region_rows(regions),
    }


def _tag_chunk(args: tuple[int, str, str, Settings]) -> dict[str, Any]:
    chunk, articles, topics, settings = args
    tagger = load_tagger(settings.topics_path, settings.regions_path)
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


def tag_articles(settings: Settings, run_id: str) -> dict[str, Any]:
    """Score every staged article against the taxonomy, one topics chunk per articles chunk."""
    staged = folder(settings, run_id)
    tax = load_taxonomy(settings.topics_path)
    work = [
        (c, str(p), str(staged.topics_file(c)), settings)
        for c, p in staged.article_chunks()
        if not staged.topics_file(c).exists()  # read_files tags as it reads
    ]
    articles, topics, errors = 0, {}, 0
    if work:  # chunks that read_files or a fetch batch did not tag already
        with progress.stage("tag", total=len(work), unit="chunk") as step:
            for result in parallel_map(_tag_chunk, work, settings.ingest.workers, min_items=2):
                articles += result["articles"]
                for topic, n in result["topics"].items():
                    topics[topic] = topics.get(topic, 0) + n
                staged.write_errors(f"tag-{result['chunk']:05d}", result["errors"])
                errors += len(result["errors"])
                step(1)
    counts = {
        "run_id": run_id,
        "articles": articles,
        "taxonomy_version": tax.version,
        "topics": topics,
        "errors": errors,
    }
    log.info("tag %s: %s", run_id, counts)
    return counts


# -- store and detect -------------------------------------------------------------------------


def store_articles(settings: Settings, run_id: str, trigger: str = "cli") -> dict[str, Any]:
    """Write the run's staged articles, topics, errors and bookkeeping to DuckDB."""
    from newsmon.store import store_run

    tag_articles(settings, run_id)  # chunks staged untagged (none, unless from an older version)
    tax = load_taxonomy(settings.topics_path)
    with open_db(settings) as con:
        runs.heartbeat(con, run_id, trigger)
        return store_run(con, settings, folder(settings, run_id), tax.version, runs.now())


def detect_signals(settings: Settings, run_id: str, as_of: date | None = None) -> dict[str, Any]:
    """Raise the signals of every run not yet covered and queue their alerts; the run's
    staging folder is no longer needed."""
    from newsmon.signals import detect

    now = runs.now()
    with progress.stage("signals + publish") as step, open_db(settings) as con:
        runs.recover_stale(con, settings)
        counts = detect(con, settings, as_of or now.date(), now, run_id)
        step(1)
        publish(con, settings)  # the run is done: readers see it
    for covered in [run_id, *counts.pop("covered")]:  # a run killed in detection is done now
        folder(settings, covered).remove()
    return counts
