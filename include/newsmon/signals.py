"""Signals: what analysts are alerted about. Each is written once, whatever the reruns.

- ``new_story:<topic>:<story_id>``: a story first seen in a run, with a score for one of
  ``signals.new_story_topics`` at or above the topic's threshold (i.e. the topic is assigned).
- ``spike:<topic>:<day>``: that day's stories on a topic against the mean of the trailing
  ``baseline_days``; fires when the count reaches ``min_count`` and ``ratio`` times the
  baseline (floored at ``min_baseline``). Both numbers are stored with the signal.
- ``region_spike:<topic>:<region>:<day>``: the same rule per region (ISO 3166-2 code, stored
  in ``signals.region``) for ``signals.region_spike_topics``: a story counts for every
  region its copies place it in.

History is recorded, not alerted: a new-story signal whose story was first seen in a
backfill run, or was published more than ``signals.recent_days`` before the run, and a spike
raised by a backfill run, are written with ``suppressed = 'backfill'``; their alerts are
written as ``suppressed`` with the reason and never delivered.

Detection covers every run whose signals are not yet done and that is no longer running
(loaded, finished or failed), so a failed detection is caught up by the next run, and the
stories a killed run stored still get their signals. Each new signal gets one pending alert per
configured channel in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from newsmon.config import Settings
from newsmon.db import run, transaction
from newsmon.faults import checkpoint

log = logging.getLogger(__name__)


def _recent_since(settings: Settings, as_of: date) -> datetime | None:
    """Stories published before this are history (``signals.recent_days``; 0: no window)."""
    days = settings.signals.recent_days
    if days <= 0:
        return None
    return datetime.combine(as_of, time.min, UTC) - timedelta(days=days)


def spike_fires(count: int, baseline: float, settings: Settings) -> bool:
    spike = settings.signals.spike
    return count >= spike.min_count and count >= spike.ratio * max(baseline, spike.min_baseline)


def detect(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: date, now: datetime, run_id: str
) -> dict[str, Any]:
    """Write new signals and their pending alerts; mark the covered runs done."""
    with transaction(con):
        pending = [r[0] for r in run(con, "runs/awaiting_signals").fetchall()]
        new_signals: list[str] = []
        if pending and settings.signals.new_story_topics:
            rows = run(
                con,
                "insert_new_story_signals",
                runs=pending,
                topics=list(settings.signals.new_story_topics),
                run_id=run_id,
                now=now,
                recent_since=_recent_since(settings, as_of),
            ).fetchall()
            new_signals += [r[0] for r in rows]
        backfill = bool((run(con, "runs/is_backfill", run_id=run_id).fetchone() or [False])[0])
        new_signals += _spikes(con, settings, as_of, now, run_id, backfill)
        queued = suppressed = 0
        if new_signals:
            statuses = run(
                con,
                "alerts/queue",
                signals=new_signals,
                channels=list(settings.alerts.channels),
                now=now,
                recent_days=settings.signals.recent_days,
            ).fetchall()
            suppressed = sum(1 for _, status in statuses if status == "suppressed")
            queued = len(statuses) - suppressed
        checkpoint("signals")
        run(con, "runs/signals_done", runs=pending, now=now)
        run(
            con,
            "runs/signals_counted",
            run_id=run_id,
            signals_new=len(new_signals),
            alerts_queued=queued,
        )
    counts = {
        "run_id": run_id,
        "covered": pending,
        "runs_covered": len(pending),
        "signals_new": len(new_signals),
        "alerts_queued": queued,
        "alerts_suppressed": suppressed,
    }
    log.info("signals %s: %s", run_id, counts)
    return counts


def _spikes(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    as_of: date,
    now: datetime,
    run_id: str,
    backfill: bool,
) -> list[str]:
    """Topic spikes, then the same rule per region for ``region_spike_topics``."""
    spike = settings.signals.spike
    start = as_of - timedelta(days=spike.baseline_days)
    counts: dict[tuple[str, str | None], dict[date, int]] = {}
    for topic, day, n in run(
        con, "spike_counts", start=start, as_of=as_of, topics=list(settings.signals.spike_topics)
    ).fetchall():
        counts.setdefault((topic, None), {})[day] = n
    if settings.signals.region_spike_topics:
        for topic, region, day, n in run(
            con,
            "region_spike_counts",
            start=start,
            as_of=as_of,
            topics=list(settings.signals.region_spike_topics),
        ).fetchall():
            counts.setdefault((topic, region), {})[day] = n
    names = dict(run(con, "region_names").fetchall())
    fired: list[str] = []
    for (topic, region), days in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        count = days.get(as_of, 0)
        baseline = sum(n for d, n in days.items() if d < as_of) / spike.baseline_days
        if not spike_fires(count, baseline, settings):
            continue
        where = f" in {names.get(region, region)} ({region})" if region else ""
        reason = (
            f"{topic}{where}: {count} stories on {as_of.isoformat()}"
            f" vs {spike.baseline_days}-day baseline {baseline:.1f}"
        )
        params = dict(
            topic=topic,
            day=as_of,
            count_day=count,
            baseline=baseline,
            reason=reason,
            run_id=run_id,
            now=now,
            suppressed="backfill" if backfill else None,
        )
        if region:
            inserted = run(con, "insert_region_spike_signal", region=region, **params).fetchall()
        else:
            inserted = run(con, "insert_spike_signal", **params).fetchall()
        fired += [r[0] for r in inserted]
    return fired
