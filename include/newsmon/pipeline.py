"""The ingest path shared by the ``newsmon`` CLI and the Airflow DAGs.

discover -> extract (read + clean) -> tag -> load -> detect signals. Each stage is one
function that takes the settings and a run id and returns a dict of counts; stages hand
their records over in ``<staging_dir>/<run_id>/*.jsonl`` files, so Airflow tasks pass only
the run id and counts through XCom. Only :func:`discover`, :func:`load` and
:func:`detect` open the database (route them through the 1-slot pool in Airflow).
"""

from __future__ import annotations

import itertools
import json
import logging
import multiprocessing
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsmon import load as loader
from newsmon.clean import clean_document, load_rules
from newsmon.config import Settings
from newsmon.db import open_db
from newsmon.db import run as run_sql
from newsmon.dedup import MinHasher, article_id, band_keys, canonical_url, content_hash
from newsmon.models import IngestError, RawDoc
from newsmon.tag import load_taxonomy, score_topics

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


# -- run bookkeeping --------------------------------------------------------------------------


def new_run_id(trigger: str = "cli") -> str:
    return f"{trigger}__{datetime.now(UTC):%Y%m%dT%H%M%SZ}__{secrets.token_hex(3)}"


def safe_run_id(run_id: str) -> str:
    """An Airflow run id (``manual__2026-11-22T01:02:03+00:00``) as a folder-safe id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_") or "run"


def staging(settings: Settings, run_id: str) -> Path:
    return settings.staging_dir / safe_run_id(run_id)


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, default=str))
            fh.write("\n")
            n += 1
    tmp.replace(path)  # a retried task never sees half a file
    return n


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _now() -> datetime:
    return datetime.now(UTC)


# -- discover ---------------------------------------------------------------------------------


def discover(
    settings: Settings,
    run_id: str,
    paths: Iterable[str | Path],
    *,
    trigger: str = "cli",
    force: bool = False,
) -> dict[str, Any]:
    """List input files; skip the ones already read unchanged (unless ``force``)."""
    paths = [str(p) for p in paths]
    refs, errors = loader.discover(paths, settings.ingest.extensions)
    with open_db(settings) as con:
        con.execute(
            "insert into pipeline_runs (run_id, trigger, started_at, status, paths)"
            " values (?, ?, ?, 'running', ?) on conflict do nothing",
            [run_id, trigger, _now(), paths],
        )
        known: dict[str, tuple[int, int]] = {}
        if refs and not force:
            rows = con.execute(
                "select path, size, mtime_ns from source_files where path in (select unnest(?::varchar[]))",
                [[r.path for r in refs]],
            ).fetchall()
            known = {p: (s, m) for p, s, m in rows}
        todo = [r for r in refs if known.get(r.path) != (r.size, r.mtime_ns)]
        con.execute(
            "update pipeline_runs set files_found = ?, files_skipped = ? where run_id = ?",
            [len(refs), len(refs) - len(todo), run_id],
        )
    root = staging(settings, run_id)
    _write_jsonl(root / "files.jsonl", (asdict(r) for r in todo))
    _write_jsonl(root / "errors-discover.jsonl", (e.to_dict() for e in errors))
    counts = {
        "run_id": run_id,
        "files_found": len(refs),
        "files_to_read": len(todo),
        "files_skipped": len(refs) - len(todo),
        "errors": len(errors),
    }
    log.info("discover %s: %s", run_id, counts)
    return counts


# -- extract: read + clean --------------------------------------------------------------------


_HASHER: MinHasher | None = None


def _hasher(settings: Settings) -> MinHasher:
    global _HASHER
    if _HASHER is None or _HASHER.num_perm != settings.dedup.num_perm:
        _HASHER = MinHasher(settings.dedup.num_perm, settings.dedup.shingle_words)
    return _HASHER


def article_record(raw: RawDoc, settings: Settings) -> dict[str, Any] | IngestError:
    """Clean one document and compute its identity and near-duplicate keys."""
    cleaned = clean_document(raw, load_rules(settings.cleaning_path))
    if not cleaned.text.strip():
        return IngestError(raw.origin, "clean", "no article text left after removing boilerplate")
    canonical = canonical_url(raw.url)
    text_hash = content_hash(cleaned.text)
    signature = _hasher(settings).signature(cleaned.text)
    return {
        "article_id": article_id(canonical, text_hash),
        "url": raw.url,
        "canonical_url": canonical,
        "origin": raw.origin,
        "source": cleaned.source,
        "title": cleaned.title,
        "text": cleaned.text,
        "lang": raw.lang,
        "authors": raw.authors,
        "published_at": cleaned.published_at.isoformat() if cleaned.published_at else None,
        "date_source": cleaned.date_source,
        "content_hash": text_hash,
        "chars": len(cleaned.text),
        "signature": signature.tolist(),
        "bands": band_keys(signature, settings.dedup.bands),
    }


def _extract_file(args: tuple[dict[str, Any], Settings]) -> tuple[list[dict], list[dict], dict]:
    ref_dict, settings = args
    ref = loader.FileRef(**ref_dict)
    docs, errors = loader.read_file(ref, settings.ingest.max_file_bytes)
    articles: list[dict[str, Any]] = []
    for doc in docs:
        result = article_record(doc, settings)
        if isinstance(result, IngestError):
            errors.append(result)
        else:
            articles.append(result)
    summary = ref_dict | {"documents": len(docs), "errors": len(errors)}
    return articles, [e.to_dict() for e in errors], summary


def _map(
    fn: Callable[[Any], Any], items: list[Any], workers: int, min_items: int = 64
) -> Iterator[Any]:
    """``map`` over a process pool when it pays (several workers, enough items), in order."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(items) < min_items:
        yield from map(fn, items)
        return
    # forkserver: workers start from a clean single-threaded server, never from a fork of a
    # threaded process (an Airflow task runner has threads).
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
    ) as pool:
        yield from pool.map(fn, items, chunksize=max(1, min(256, len(items) // (workers * 8))))


def _write_chunks(root: Path, rows: Iterator[dict[str, Any]], batch: int, first: int = 0) -> int:
    """Write ``articles-NNNNN.jsonl`` files of ``batch`` rows, numbered from ``first``."""
    n = 0
    for chunk in itertools.count(first):
        part = list(itertools.islice(rows, batch))
        if not part:
            return n
        n += _write_jsonl(root / f"articles-{chunk:05d}.jsonl", part)
    return n  # pragma: no cover - itertools.count never ends


def extract(settings: Settings, run_id: str, progress: Progress | None = None) -> dict[str, Any]:
    """Read and clean every file listed by :func:`discover` into chunks of ``batch_size``."""
    root = staging(settings, run_id)
    for old in root.glob("articles-*.jsonl"):
        old.unlink()  # a retried task starts its chunks afresh
    refs = list(_read_jsonl(root / "files.jsonl"))
    errors: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    batch = max(1, settings.ingest.batch_size)
    seq = 0

    def articles() -> Iterator[dict[str, Any]]:
        nonlocal seq
        for arts, errs, summary in _map(
            _extract_file, [(r, settings) for r in refs], settings.ingest.workers
        ):
            errors.extend(errs)
            files.append(summary)
            for art in arts:
                art["seq"] = seq
                seq += 1
                yield art
            if progress:
                progress(1)

    n = _write_chunks(root, articles(), batch)
    _write_jsonl(root / "errors-extract.jsonl", errors)
    _write_jsonl(root / "file-results.jsonl", files)
    documents = n + sum(1 for e in errors if e["stage"] == "clean")
    counts = {
        "run_id": run_id,
        "files_read": len(files),
        "documents": documents,
        "articles": n,
        "errors": len(errors),
    }
    log.info("extract %s: %s", run_id, counts)
    return counts


# -- tag --------------------------------------------------------------------------------------


def _tag_row(art: dict[str, Any], tax: Any) -> dict[str, Any]:
    topics = score_topics(art["title"] or "", art["text"], tax)
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
    }


def _tag_chunk(args: tuple[str, Settings]) -> dict[str, int]:
    articles_path, settings = args
    tax = load_taxonomy(settings.topics_path)
    source = Path(articles_path)
    per_topic: dict[str, int] = {}

    def rows() -> Iterator[dict[str, Any]]:
        for art in _read_jsonl(source):
            row = _tag_row(art, tax)
            for t in row["topics"]:
                per_topic[t["topic"]] = per_topic.get(t["topic"], 0) + 1
            yield row

    n = _write_jsonl(source.with_name(source.name.replace("articles-", "topics-")), rows())
    return {"articles": n} | {f"topic:{k}": v for k, v in per_topic.items()}


def tag(settings: Settings, run_id: str, progress: Progress | None = None) -> dict[str, Any]:
    """Score every extracted article against the taxonomy, one output chunk per input chunk."""
    root = staging(settings, run_id)
    tax = load_taxonomy(settings.topics_path)
    chunks = sorted(str(p) for p in root.glob("articles-*.jsonl"))
    total: dict[str, int] = {}
    for result in _map(
        _tag_chunk, [(c, settings) for c in chunks], settings.ingest.workers, min_items=2
    ):
        for k, v in result.items():
            total[k] = total.get(k, 0) + v
        if progress:
            progress(result["articles"])
    topics = {k.split(":", 1)[1]: v for k, v in total.items() if k.startswith("topic:")}
    counts = {
        "run_id": run_id,
        "articles": total.get("articles", 0),
        "taxonomy_version": tax.version,
        "topics": topics,
    }
    log.info("tag %s: %s", run_id, counts)
    return counts


# -- fetch ------------------------------------------------------------------------------------

CHUNKS_PER_BATCH = 1000  # chunk numbers of fetch batch k start at k * CHUNKS_PER_BATCH


def plan_fetch(settings: Settings, run_id: str, *, trigger: str = "cli") -> dict[str, Any]:
    """Read the sources and the fetch state once (DuckDB) and split the sources into batches."""
    from newsmon.crawl import load_sources

    sources = load_sources(settings.sources_path)
    with open_db(settings) as con:
        con.execute(
            "insert into pipeline_runs (run_id, trigger, started_at, status, paths)"
            " values (?, ?, ?, 'running', ?) on conflict do nothing",
            [run_id, trigger, _now(), [str(settings.sources_path)]],
        )
        state = {
            r[0]: {"etag": r[1], "last_modified": r[2], "content_hash": r[3]}
            for r in con.execute(
                "select source, etag, last_modified, content_hash from feed_state"
            ).fetchall()
        }
        seen = [r[0] for r in run_sql(con, "seen_urls").fetchall()]
        robots = {
            origin: {"status": status, "body": body}
            for origin, status, body in con.execute(
                "select origin, status, body from robots_cache where fetched_at >= ?",
                [_now() - timedelta(hours=24)],
            ).fetchall()
        }
    root = staging(settings, run_id)
    root.mkdir(parents=True, exist_ok=True)
    (root / "fetch-plan.json").write_text(
        json.dumps({"state": state, "seen": seen, "robots": robots}), encoding="utf-8"
    )
    size = max(1, settings.fetch.sources_per_batch)
    names = [s.name for s in sources]
    batches = [names[i : i + size] for i in range(0, len(names), size)]
    log.info(
        "fetch plan %s: %d sources in %d batches, %d URLs seen before",
        run_id,
        len(names),
        len(batches),
        len(seen),
    )
    return {"run_id": run_id, "batches": batches, "sources": len(names), "seen": len(seen)}


def fetch_batch(
    settings: Settings, run_id: str, names: list[str], index: int, now: datetime | None = None
) -> dict[str, Any]:
    """Fetch one batch of sources (no database access): staged like extracted files."""
    from newsmon.crawl import load_sources, run_cycle
    from newsmon.fetch import Fetcher

    now = now or _now()
    root = staging(settings, run_id)
    plan = json.loads((root / "fetch-plan.json").read_text(encoding="utf-8"))
    sources = [s for s in load_sources(settings.sources_path) if s.name in set(names)]
    fetcher = Fetcher(settings.fetch, robots_cache=plan.get("robots", {}))
    result = run_cycle(sources, plan["state"], set(plan["seen"]), fetcher, settings.raw_dir, now)
    errors = [e.to_dict() for e in result.errors]
    rows = []
    for doc in result.docs:
        rec = article_record(doc, settings)
        if isinstance(rec, IngestError):
            errors.append(rec.to_dict())
        else:
            rec["seq"] = index * 10_000_000 + len(rows)
            rows.append(rec)
    for old in root.glob("articles-*.jsonl"):  # a retried batch replaces only its own chunks
        if int(old.stem.split("-")[1]) // CHUNKS_PER_BATCH == index:
            old.unlink()
    n = _write_chunks(
        root, iter(rows), max(1, settings.ingest.batch_size), index * CHUNKS_PER_BATCH
    )
    _write_jsonl(root / f"errors-fetch-{index:03d}.jsonl", errors)
    _write_jsonl(root / f"feed-state-{index:03d}.jsonl", result.feed_state)
    _write_jsonl(root / f"fetched-{index:03d}.jsonl", result.fetched)
    robots = (r | {"fetched_at": now.isoformat()} for r in fetcher.robots_fetched)
    _write_jsonl(root / f"robots-{index:03d}.jsonl", robots)
    counts = {
        "run_id": run_id,
        "batch": index,
        "sources": len(sources),
        "feeds_unchanged": result.feeds_unchanged,
        "pages": len(result.fetched),
        "articles": n,
        "errors": len(errors),
        "requests": fetcher.requests_made,
    }
    log.info("fetch %s batch %d: %s", run_id, index, counts)
    return counts


def fetch(
    settings: Settings,
    *,
    run_id: str | None = None,
    trigger: str = "cli",
    as_of: date | None = None,
) -> dict[str, Any]:
    """One fetch cycle in one process: what ``newsmon fetch`` runs."""
    run_id = run_id or new_run_id(trigger)
    plan = plan_fetch(settings, run_id, trigger=trigger)
    batches = [fetch_batch(settings, run_id, names, i) for i, names in enumerate(plan["batches"])]
    tagged = tag(settings, run_id)
    loaded = load(settings, run_id)
    signals = detect(settings, run_id, as_of)
    total = lambda key: sum(b[key] for b in batches)  # noqa: E731
    return {
        "run_id": run_id,
        "sources": plan["sources"],
        "feeds_unchanged": total("feeds_unchanged"),
        "pages": total("pages"),
        "requests": total("requests"),
        "articles_new": loaded["articles_new"],
        "stories_new": loaded["stories_new"],
        "topics": tagged["topics"],
        "errors": loaded["errors"],
        "signals_new": signals["signals_new"],
        "alerts_queued": signals["alerts_queued"],
    }


def reextract(settings: Settings, *, run_id: str | None = None) -> dict[str, Any]:
    """Extract every stored raw page again (after an extractor upgrade), without fetching."""
    import gzip

    from newsmon.crawl import decode_html
    from newsmon.extract import extract_article

    run_id = run_id or new_run_id("reextract")
    with open_db(settings) as con:
        con.execute(
            "insert into pipeline_runs (run_id, trigger, started_at, status) values (?, 'reextract', ?, 'running')",
            [run_id, _now()],
        )
        rows = con.execute(
            "select f.url, f.final_url, f.source, f.raw_path, a.published_at, a.date_source from fetched_urls f"
            " left join articles a on a.canonical_url = f.canonical_url"
            " where f.raw_path is not null and f.error is null order by f.fetched_at"
        ).fetchall()
    root = staging(settings, run_id)
    errors: list[dict[str, Any]] = []

    def records() -> Iterator[dict[str, Any]]:
        for seq, (url, final_url, source, raw_path, published, date_source) in enumerate(rows):
            try:
                body = gzip.decompress((settings.raw_dir / raw_path).read_bytes())
                page = extract_article(decode_html(body, None), final_url or url)
            except Exception as exc:  # a missing or unreadable page is recorded; the rest go on
                errors.append(
                    {"origin": url, "stage": "reextract", "reason": f"{type(exc).__name__}: {exc}"}
                )
                continue
            keep = date_source in ("feed", "fetched") and page.date_source != "meta"
            doc = RawDoc(
                origin=url,
                kind="html",
                text=page.text,
                title=page.title,
                url=page.canonical_url or final_url or url,
                published_at=published if keep else page.published_at,
                date_source=date_source if keep else page.date_source,
                source=source,
                lang=page.lang,
                authors=page.authors,
            )
            rec = article_record(doc, settings)
            if isinstance(rec, IngestError):
                errors.append(rec.to_dict())
                continue
            rec["seq"] = seq
            yield rec

    n = _write_chunks(root, records(), max(1, settings.ingest.batch_size))
    _write_jsonl(root / "errors-reextract.jsonl", errors)
    tag(settings, run_id)
    loaded = load(settings, run_id)
    detect(settings, run_id)
    return {
        "run_id": run_id,
        "pages": len(rows),
        "articles": n,
        "updated": loaded["articles_updated"],
        "unchanged": loaded["articles_unchanged"],
        "new": loaded["articles_new"],
        "errors": len(errors),
    }


# -- load, signals, alerts --------------------------------------------------------------------


def load(settings: Settings, run_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Write the run's staged articles, topics and errors to DuckDB (a transaction per chunk)."""
    from newsmon.store import load_run

    tax = load_taxonomy(settings.topics_path)
    with open_db(settings) as con:
        return load_run(
            con, settings, run_id, staging(settings, run_id), tax.version, now or _now()
        )


def detect(
    settings: Settings, run_id: str, as_of: date | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Raise the signals of every run not yet covered; queue their alerts."""
    from newsmon.signals import detect as detect_signals

    now = now or _now()
    with open_db(settings) as con:
        counts = detect_signals(con, settings, as_of or now.date(), now, run_id)
    shutil.rmtree(staging(settings, run_id), ignore_errors=True)
    return counts


def deliver(
    settings: Settings, now: datetime | None = None, channels: Iterable[Any] = ()
) -> dict[str, Any]:
    """Send pending alerts (``channels``: Slack/email channel objects, see newsmon_airflow)."""
    from newsmon.alerts import deliver as deliver_alerts

    with open_db(settings) as con:
        return deliver_alerts(con, settings, now or _now(), channels)


def mark_failed(settings: Settings, run_id: str, error: str) -> None:
    """Record a failed run (used by the DAGs' failure callback)."""
    with open_db(settings, wait=10) as con:
        con.execute(
            "update pipeline_runs set status = 'failed', last_error = ?, finished_at = ?"
            " where run_id = ? and status <> 'success'",
            [error[:1000], _now(), run_id],
        )


def ingest(
    settings: Settings,
    paths: Iterable[str | Path],
    *,
    run_id: str | None = None,
    trigger: str = "cli",
    force: bool = False,
    as_of: date | None = None,
    progress: Callable[[int | None, str], Progress] | None = None,
) -> dict[str, Any]:
    """The whole ingest path in one process: what ``newsmon ingest`` runs."""
    run_id = run_id or new_run_id(trigger)
    found = discover(settings, run_id, paths, trigger=trigger, force=force)
    bar = progress(found["files_to_read"], "read + clean") if progress else None
    extracted = extract(settings, run_id, bar)
    bar = progress(extracted["articles"], "tag") if progress else None
    tagged = tag(settings, run_id, bar)
    loaded = load(settings, run_id)
    signals = detect(settings, run_id, as_of)
    return {
        "run_id": run_id,
        "files_found": found["files_found"],
        "files_skipped": found["files_skipped"],
        "documents": extracted["documents"],
        "articles_new": loaded["articles_new"],
        "articles_updated": loaded["articles_updated"],
        "articles_unchanged": loaded["articles_unchanged"],
        "stories_new": loaded["stories_new"],
        "topics": tagged["topics"],
        "errors": loaded["errors"],
        "signals_new": signals["signals_new"],
        "alerts_queued": signals["alerts_queued"],
    }


# -- retag ------------------------------------------------------------------------------------


def retag(settings: Settings, batch: int = 5000) -> dict[str, Any]:
    """Re-tag every stored article with the current taxonomy, in one transaction."""
    tax = load_taxonomy(settings.topics_path)
    tmp = settings.staging_dir / f"retag-{secrets.token_hex(4)}" / "topics.jsonl"
    with open_db(settings) as con:
        before = dict(
            con.execute("select topic, count(*) from article_topics group by topic").fetchall()
        )
        cursor = con.execute("select article_id, title, text from articles order by article_id")

        def rows() -> Iterator[dict[str, Any]]:
            seq = 0
            while chunk := cursor.fetchmany(batch):
                for art_id, title, text in chunk:
                    row = _tag_row(
                        {"article_id": art_id, "title": title, "text": text, "seq": seq}, tax
                    )
                    seq += 1
                    yield row

        n = _write_jsonl(tmp, rows())
        con.execute("begin transaction")
        try:
            con.execute("delete from article_topics")
            if n:
                run_sql(con, "stage_topics", topics=str(tmp))
                con.execute(
                    "insert into article_topics select article_id, topic, score, evidence, ?, ? from stage_topics",
                    [tax.version, _now()],
                )
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
        after = dict(
            con.execute("select topic, count(*) from article_topics group by topic").fetchall()
        )
    shutil.rmtree(tmp.parent, ignore_errors=True)
    topics = sorted(set(before) | set(after))
    return {
        "articles": n,
        "taxonomy_version": tax.version,
        "topics": {t: {"before": before.get(t, 0), "after": after.get(t, 0)} for t in topics},
    }


# -- summary ----------------------------------------------------------------------------------


def summary(settings: Settings) -> dict[str, Any]:
    """Totals for people: what is in the database and what the last run did."""
    with open_db(settings, read_only=True) as con:
        one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
        last = con.execute(
            "select run_id, status, files_found, files_skipped, articles_new, stories_new, errors,"
            " signals_new, alerts_queued from pipeline_runs order by started_at desc limit 1"
        ).fetchone()
        return {
            "database": str(settings.db_path),
            "articles": one("select count(*) from articles"),
            "stories": one("select count(*) from stories"),
            "topics": dict(
                con.execute(
                    "select topic, count(*) from article_topics group by topic order by 2 desc"
                ).fetchall()
            ),
            "signals": one("select count(*) from signals"),
            "alerts": dict(
                con.execute("select status, count(*) from alerts group by status").fetchall()
            ),
            "alerts_by_channel": {
                channel: dict(zip(statuses, counts, strict=True))
                for channel, statuses, counts in con.execute(
                    "select channel, list(status order by status), list(n order by status)"
                    " from (select channel, status, count(*) as n from alerts group by all)"
                    " group by channel order by channel"
                ).fetchall()
            },
            "ingest_errors": one("select count(*) from ingest_errors"),
            "last_run": dict(
                zip(
                    (
                        "run_id",
                        "status",
                        "files_found",
                        "files_skipped",
                        "articles_new",
                        "stories_new",
                        "errors",
                        "signals_new",
                        "alerts_queued",
                    ),
                    last or (),
                    strict=False,
                )
            ),
        }
