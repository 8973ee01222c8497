"""The fetch flow's own stages: plan the cycle (database), fetch a batch (network only).

:func:`plan_fetch` starts the run, reads the fetch state once (:func:`read_fetch_state`:
feed validators, URLs fetched before, fresh robots.txt files, Telegram channels, pages due
again) into the run folder and splits the sources into batches (:func:`batches_by_host`);
:func:`fetch_batch` fetches one batch with no database access, so network waits never hold
the writer, and stages its articles and what it learned like the read stage does. Storing,
tagging and signals are the shared :mod:`newsmon.flows.store`.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

import duckdb

from newsmon.config import Settings
from newsmon.diskspace import guard_disk, trim_raw_pages
from newsmon.fetch.cycle import CycleResult, fetch_cycle
from newsmon.fetch.http import Fetcher
from newsmon.fetch.retries import RetryRule
from newsmon.fetch.sources import load_sources
from newsmon.flows.workers import articles_from
from newsmon.records import IngestError
from newsmon.staging import RunFolder
from newsmon.storage import runs
from newsmon.storage.db import execute, open_db
from newsmon.storage.runs import folder

log = logging.getLogger(__name__)


_DUE_RETRY_COLUMNS = (
    "canonical_url",
    "url",
    "source",
    "title",
    "published_at",
    "feed_text",
    "feed_text_source",
    "attempts",
    "first_failed_at",
)  # the columns of fetch/due_retries


def plan_fetch(
    settings: Settings,
    run_id: str,
    *,
    trigger: str = "cli",
    made_by: str = "newsmon fetch",
    airflow_run_id: str | None = None,
) -> dict[str, Any]:
    """Start a fetch run: read the fetch state once and split the sources into batches."""
    sources = load_sources(settings.sources_path)
    with runs.begin(
        settings,
        run_id,
        kind="fetch",
        trigger=trigger,
        made_by=made_by,
        paths=[str(settings.sources_path)],
        airflow_run_id=airflow_run_id,
    ) as (con, staged):
        plan = read_fetch_state(con)
    staged.write_plan(plan)
    seen, retries = plan["seen"], plan["retries"]
    names = [s.name for s in sources]
    batches = batches_by_host(sources, settings.fetch.sources_per_batch, settings)
    log.info(
        "fetch plan %s: %d sources in %d batches, %d URLs seen before, %d pages due again",
        run_id,
        len(names),
        len(batches),
        len(seen),
        len(retries),
    )
    return {
        "run_id": run_id,
        "batches": batches,
        "sources": len(names),
        "seen": len(seen),
        "retries_due": len(retries),
    }


def read_fetch_state(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What a fetch cycle needs of the database, as the run's plan: feed validators
    (``state``), URLs fetched before (``seen``), fresh robots.txt files (``robots``),
    Telegram channels' state (``telegram``) and the pages due again (``retries``)."""
    state = {
        source: {"etag": etag, "last_modified": modified, "content_hash": digest}
        for source, etag, modified, digest in execute(con, "fetch/feed_state").fetchall()
    }
    seen = [r[0] for r in execute(con, "fetch/seen_urls").fetchall()]
    telegram = _telegram_state(con)
    retries = [
        dict(zip(_DUE_RETRY_COLUMNS, row, strict=True))
        for row in execute(con, "fetch/due_retries", now=runs.now()).fetchall()
    ]
    for r in retries:
        for k in ("published_at", "first_failed_at"):
            r[k] = r[k].isoformat() if r[k] is not None else None
    since = runs.now() - timedelta(hours=24)
    robots = {
        origin: {"status": status, "body": body}
        for origin, status, body in execute(con, "fetch/fresh_robots", since=since).fetchall()
    }
    return {
        "state": state,
        "seen": seen,
        "robots": robots,
        "telegram": telegram,
        "retries": retries,
    }


def _telegram_state(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per channel what earlier cycles read: its last post, gaps and recent posts' hashes."""
    telegram: dict[str, Any] = {
        channel: {"last": last, "gaps": json.loads(gaps or "[]"), "hashes": {}}
        for channel, last, gaps in execute(con, "fetch/telegram_channels").fetchall()
    }
    for channel, post_id, text_hash in execute(con, "fetch/telegram_recent_posts").fetchall():
        telegram.setdefault(channel, {"last": 0, "gaps": [], "hashes": {}})
        telegram[channel]["hashes"][str(post_id)] = text_hash
    return telegram


def source_host(source: Any, settings: Settings) -> str:
    """The host a source's requests go to first (its feed's, its first URL's, or t.me's)."""
    from urllib.parse import urlsplit

    if source.type == "telegram":
        url = settings.fetch.telegram_base_url
    else:
        url = source.url or (source.urls[0] if source.urls else "")
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def batches_by_host(sources: list[Any], size: int, settings: Settings) -> list[list[str]]:
    """Source names in batches of about ``size``, every host's sources in one batch: each
    batch is one task, and the per-host delay holds within a process, so two tasks on two
    workers never hit one host at once. A host with more sources than ``size`` makes one
    bigger batch rather than two that would run side by side."""
    by_host: dict[str, list[str]] = {}
    for s in sources:
        by_host.setdefault(source_host(s, settings), []).append(s.name)
    size = max(1, size)
    batches: list[list[str]] = []
    current: list[str] = []
    for names in by_host.values():
        if current and len(current) + len(names) > size:
            batches.append(current)
            current = []
        current += names
    if current:
        batches.append(current)
    return batches


@guard_disk
def fetch_batch(
    settings: Settings, run_id: str, names: list[str], index: int, now: datetime | None = None
) -> dict[str, Any]:
    """Fetch one batch of sources (no database access), staged like read files."""
    now = now or runs.now()
    staged = folder(settings, run_id)
    plan = staged.plan()
    wanted = set(names)
    sources = [s for s in load_sources(settings.sources_path) if s.name in wanted]
    fetcher = Fetcher(settings.fetch, robots_cache=plan.get("robots", {}))
    result = fetch_cycle(
        sources,
        plan["state"],
        set(plan["seen"]),
        fetcher,
        settings.raw_dir,
        now,
        settings.fetch.cycle_budget_seconds,
        telegram=plan.get("telegram", {}),
        telegram_base=settings.fetch.telegram_base_url,
        retries=plan.get("retries", []),
        workers=settings.ingest.workers,
        retry=RetryRule(
            settings.fetch.retry_attempts, settings.fetch.retry_minutes, settings.fetch.retry_hours
        ),
    )
    errors: list[IngestError] = list(result.errors)
    topics: dict[str, int] = {}
    lines = articles_from(result.docs, settings, index, errors, topics)
    n = staged.write_articles(
        lines, settings.ingest.batch_size, batch=index, max_bytes=settings.ingest.batch_bytes
    )
    staged.write_errors(f"fetch-{index:03d}", (e.to_dict() for e in errors))
    _stage_tables(staged, index, result, fetcher, now)
    failed = result.failed_sources
    for name, outcome in failed.items():
        log.warning("fetch %s: source %s %s", run_id, name, outcome)
    counts = {
        "run_id": run_id,
        "batch": index,
        "topics": topics,
        "sources": len(sources),
        "sources_failed": len(failed),
        "failed": failed,
        **_cycle_counts(result),
        "articles": n,
        "errors": len(errors),
        "requests": fetcher.requests_made,
    }
    log.info(
        "fetch %s batch %d: %s", run_id, index, {k: v for k, v in counts.items() if k != "failed"}
    )
    return counts


def _stage_tables(
    staged: RunFolder, index: int, result: CycleResult, fetcher: Fetcher, now: datetime
) -> None:
    """What the batch learned, staged for the store stage: feed state, pages fetched,
    Telegram posts and channels, robots.txt files and the retry queue."""
    staged.write_fetch_table("feed-state", index, result.feed_state)
    staged.write_fetch_table("fetched", index, result.fetched)
    staged.write_fetch_table("telegram-posts", index, result.telegram_posts)
    staged.write_fetch_table("telegram-channels", index, result.telegram_channels)
    robots = (r | {"fetched_at": now.isoformat()} for r in fetcher.robots_fetched)
    staged.write_fetch_table("robots", index, robots)
    staged.write_fetch_table("retries", index, result.retries)


def _cycle_counts(result: CycleResult) -> dict[str, Any]:
    """The cycle's own counts in a batch's counts."""
    return {
        "feeds_unchanged": result.feeds_unchanged,
        "deferred": result.deferred,
        "pages": len(result.fetched),
        "posts_skipped": result.posts_skipped,
        "entries_read": result.entries_read,
        "entries_skipped": result.entries_skipped,
        "retries_waiting": sum(r["status"] == "waiting" for r in result.retries),
        "retries_given_up": sum(r["status"] == "gave_up" for r in result.retries),
    }


def record_cycle(settings: Settings, run_id: str, batches: list[dict[str, Any]]) -> dict[str, Any]:
    """Write how the cycle went to the run's record; say so loudly when every source failed."""
    sources = sum(b["sources"] for b in batches)
    failed = {name: why for b in batches for name, why in b.get("failed", {}).items()}
    deferred = sum(b["deferred"] for b in batches)
    every = bool(sources) and len(failed) == sources
    last_error = (
        f"every source failed ({sources} of {sources}); see ingest_errors" if every else None
    )
    with open_db(settings) as con:
        execute(
            con,
            "storage/runs/fetched",
            run_id=run_id,
            sources=sources,
            sources_failed=len(failed),
            deferred=deferred,
            last_error=last_error,
        )
    if every:
        log.error("fetch %s: %s", run_id, last_error)
    trimmed = trim_raw_pages(settings)  # the cycle's pages are stored: the oldest may go
    if trimmed["removed"]:
        log.info("fetch %s: removed the %d oldest raw pages (%d bytes)", run_id, *trimmed.values())
    return {
        "run_id": run_id,
        "sources": sources,
        "sources_failed": len(failed),
        "deferred": deferred,
        "all_failed": every,
        "raw_pages_removed": trimmed["removed"],
    }
