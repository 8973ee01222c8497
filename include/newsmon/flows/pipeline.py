"""The flows, in order: what ``newsmon ingest`` and ``newsmon fetch`` run in one process.

The DAGs run the same stages as separate tasks (``dags/``); this module is the table of
contents of an article's way from a file or a feed to an alert:

    ingest:  discover_files -> read_files  -> store_articles -> detect_signals
    fetch:   plan_fetch     -> fetch_batch -> store_articles -> detect_signals -> record_cycle

``read_files`` and ``fetch_batch`` clean and tag each document as they stage it (in worker
processes), so the only stage that writes articles is ``store_articles``. Here ingest runs
the two through ``read_and_store``: one after the other, or at once with
``ingest.store_while_reading`` (each chunk stored as soon as it is staged, while the
workers read the next); the DAG runs them as two tasks, one after the other.
    alerts:  delivery.prepare -> delivery.send -> delivery.record

Stages live in :mod:`newsmon.flows.ingest`, :mod:`newsmon.flows.fetch` and :mod:`newsmon.flows.store`, the hand-over
between them in :mod:`newsmon.staging`, a run's status in :mod:`newsmon.storage.runs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from newsmon.config import Settings
from newsmon.diskspace import DiskFull
from newsmon.flows.fetch import fetch_batch, plan_fetch, record_cycle
from newsmon.flows.ingest import discover_files, read_and_store
from newsmon.flows.store import detect_signals, store_articles
from newsmon.storage import runs
from newsmon.storage.db import DatabaseBusy, open_db

log = logging.getLogger(__name__)


def ingest(
    settings: Settings,
    paths: Iterable[str | Path],
    *,
    run_id: str | None = None,
    force: bool = False,
    backfill: bool = False,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Read, clean, tag and store files and folders; raise signals. A ``backfill`` run loads
    history: its signals are recorded, not alerted."""
    run_id = run_id or runs.new_run_id("ingest")
    with _failure_recorded(settings, run_id):
        found = discover_files(settings, run_id, paths, force=force, backfill=backfill)
        read, stored = read_and_store(settings, run_id)
        signals = detect_signals(settings, run_id, as_of)
    return {
        "run_id": run_id,
        "files_found": found["files_found"],
        "files_skipped": found["files_skipped"],
        "documents": read["documents"],
    } | _outcome(read["topics"], stored, signals)


def fetch(
    settings: Settings, *, run_id: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """One fetch cycle over the configured sources; tag, store and raise signals."""
    run_id = run_id or runs.new_run_id("fetch")
    with _failure_recorded(settings, run_id):
        plan = plan_fetch(settings, run_id)
        batches = [
            fetch_batch(settings, run_id, names, i) for i, names in enumerate(plan["batches"])
        ]
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
        "retries_due": plan.get("retries_due", 0),
        "retries_waiting": sum(b.get("retries_waiting", 0) for b in batches),
        "retries_given_up": sum(b.get("retries_given_up", 0) for b in batches),
        "entries_read": sum(b.get("entries_read", 0) for b in batches),
        "entries_skipped": _sum_topics(b.get("entries_skipped", {}) for b in batches),
        "staged": sum(b.get("articles", 0) for b in batches),
    } | _outcome(_sum_topics(b.get("topics", {}) for b in batches), stored, signals)


@contextmanager
def _failure_recorded(settings: Settings, run_id: str) -> Iterator[None]:
    """A flow that fails marks its run failed with the error, as a DAG's failure callback
    does (else it waits, ``running``, for a later run to find its process gone); what it
    stored stays. The error is raised as it was."""
    try:
        yield
    except DatabaseBusy:  # the database could not be opened: nothing to record it in
        raise
    except Exception as exc:
        try:
            with open_db(settings, wait=10) as con:
                runs.mark_failed(con, run_id, f"{type(exc).__name__}: {exc}")
        except Exception as why:  # recording must never mask the failure itself
            # (on a full disk the next run records it: this run's process is gone by then)
            quiet = isinstance(exc, DiskFull)
            (log.debug if quiet else log.warning)(
                "could not record the failure of run %s: %s", run_id, why
            )
        raise


def _sum_topics(parts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for part in parts:
        for topic, n in part.items():
            total[topic] = total.get(topic, 0) + n
    return total


def _outcome(
    topics: dict[str, int], stored: dict[str, Any], signals: dict[str, Any]
) -> dict[str, Any]:
    """What every flow reports of its shared stages."""
    keys = ("articles_new", "articles_updated", "articles_unchanged", "stories_new", "errors")
    return {k: stored[k] for k in keys} | {
        "topics": topics,
        "signals_new": signals["signals_new"],
        "alerts_queued": signals["alerts_queued"],
        "alerts_suppressed": signals.get("alerts_suppressed", 0),
        "watch_matches": signals.get("watch_matches", 0),
    }
