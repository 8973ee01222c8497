"""The flows, in order: what ``newsmon ingest`` and ``newsmon fetch`` run in one process.

The DAGs run the same stages as separate tasks (``dags/``); this module is the table of
contents of an article's way from a file or a feed to an alert:

    ingest:  discover_files -> read_files  -> tag_articles -> store_articles -> detect_signals
    fetch:   plan_fetch     -> fetch_batch -> tag_articles -> store_articles -> detect_signals
    alerts:  delivery.prepare -> delivery.send -> delivery.record

Stages live in :mod:`newsmon.stages` and :mod:`newsmon.fetch_stages`, the hand-over
between them in :mod:`newsmon.staging`, a run's status in :mod:`newsmon.runs`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from newsmon import runs
from newsmon.config import Settings
from newsmon.fetch_stages import fetch_batch, plan_fetch, record_cycle
from newsmon.stages import (
    Progress,
    detect_signals,
    discover_files,
    read_files,
    store_articles,
    tag_articles,
)


def ingest(
    settings: Settings,
    paths: Iterable[str | Path],
    *,
    run_id: str | None = None,
    force: bool = False,
    as_of: date | None = None,
    progress: Callable[[int | None, str], Progress] | None = None,
) -> dict[str, Any]:
    """Read, clean, tag and store files and folders; raise signals."""
    run_id = run_id or runs.new_run_id("ingest")
    found = discover_files(settings, run_id, paths, force=force)
    read = read_files(
        settings, run_id, progress(found["files_to_read"], "read + clean") if progress else None
    )
    tagged = tag_articles(settings, run_id, progress(read["articles"], "tag") if progress else None)
    stored = store_articles(settings, run_id)
    signals = detect_signals(settings, run_id, as_of)
    return {
        "run_id": run_id,
        "files_found": found["files_found"],
        "files_skipped": found["files_skipped"],
        "documents": read["documents"],
    } | _outcome(tagged, stored, signals)


def fetch(
    settings: Settings, *, run_id: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """One fetch cycle over the configured sources; tag, store and raise signals."""
    run_id = run_id or runs.new_run_id("fetch")
    plan = plan_fetch(settings, run_id)
    batches = [fetch_batch(settings, run_id, names, i) for i, names in enumerate(plan["batches"])]
    tagged = tag_articles(settings, run_id)
    stored = store_articles(settings, run_id)
    signals = detect_signals(settings, run_id, as_of)
    cycle = record_cycle(settings, run_id, batches)
    return {
        "run_id": run_id,
        "sources": plan["sources"],
        "sources_failed": cycle["sources_failed"],
        "all_failed": cycle["all_failed"],
        "failed": {k: v for b in batches for k, v in b["failed"].items()},
        "feeds_unchanged": sum(b["feeds_unchanged"] for b in batches),
        "deferred": cycle["deferred"],
        "pages": sum(b["pages"] for b in batches),
        "requests": sum(b["requests"] for b in batches),
    } | _outcome(tagged, stored, signals)


def _outcome(
    tagged: dict[str, Any], stored: dict[str, Any], signals: dict[str, Any]
) -> dict[str, Any]:
    """What every flow reports of its shared stages."""
    keys = ("articles_new", "articles_updated", "articles_unchanged", "stories_new", "errors")
    return {k: stored[k] for k in keys} | {
        "topics": tagged["topics"],
        "signals_new": signals["signals_new"],
        "alerts_queued": signals["alerts_queued"],
    }
