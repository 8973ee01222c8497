"""Signals: what analysts are alerted about. Each is written once, whatever the reruns.

- ``new_story:<topic>:<story_id>``: a story first seen in a run, with a score for one of
  ``signals.new_story_topics`` at or above the topic's threshold (i.e. the topic is assigned).
- ``spike:<topic>:<day>``: more of this topic, not more news. The day's stories on a topic
  (about a watched country: ``watch.countries``) as a share of all the day's stories,
  against its share of all stories over the trailing ``baseline_days``; fires when the count
  reaches ``min_count`` and ``ratio`` times the count that share predicts for the day
  (floored at ``min_baseline``), and only once the window holds ``min_baseline_stories``
  stories. Adding or losing sources moves both the topic and the day's total, so it fires
  no spike; topics about other countries fill neither the count nor the baseline. The
  count, the mean count a day, both shares and the day's total are stored with the signal.
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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from newsmon.alerting.watch_signals import detect_watch
from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.storage.db import execute, transaction

log = logging.getLogger(__name__)


def _recent_since(settings: Settings, as_of: date) -> datetime | None:
    """Stories published before this are history (``signals.recent_days``; 0: no window)."""
    days = settings.signals.recent_days
    if days <= 0:
        return None
    return datetime.combine(as_of, time.min, UTC) - timedelta(days=days)


@dataclass(frozen=True)
class SpikeFigures:
    """One topic's (or topic and region's) numbers for one day."""

    count: int  # its stories that day
    day_stories: int  # all stories that day
    baseline: float  # its mean stories a day over the window
    share_day: float  # count / day_stories
    share_baseline: float | None  # its share of all stories over the window (None: no window)
    expected: float  # the count share_baseline predicts for the day

    @classmethod
    def of(
        cls, days: dict[date, int], totals: dict[date, int], as_of: date, baseline_days: int
    ) -> SpikeFigures:
        count, day_total = days.get(as_of, 0), totals.get(as_of, 0)
        before = sum(n for d, n in days.items() if d < as_of)
        before_total = sum(n for d, n in totals.items() if d < as_of)
        share_base = before / before_total if before_total else None
        return cls(
            count=count,
            day_stories=day_total,
            baseline=before / baseline_days,
            share_day=count / day_total if day_total else 0.0,
            share_baseline=share_base,
            expected=(share_base or 0.0) * day_total,
        )


def spike_fires(f: SpikeFigures, before_total: int, settings: Settings) -> bool:
    """The share rule (see the module's docstring)."""
    spike = settings.signals.spike
    return (
        before_total >= spike.min_baseline_stories
        and f.count >= spike.min_count
        and f.count >= spike.ratio * max(f.expected, spike.min_baseline)
    )


def _spike_reason(topic: str, where: str, f: SpikeFigures, as_of: date, days: int) -> str:
    return (
        f"{topic}{where}: {f.count} of {f.day_stories} stories on {as_of.isoformat()}"
        f" ({f.share_day:.1%}) vs {f.share_baseline or 0:.1%} over the {days} days before"
        f" (expected {f.expected:.1f}; {f.baseline:.1f} a day)"
    )


def sync_watch(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The watch's scope (``watch.countries``, ``watch.unplaced``) into the database, where
    the signal queries, the views and the console read it (macro ``in_watch``)."""
    execute(con, "alerting/watch/set_countries", countries=list(settings.watch.countries))
    execute(con, "alerting/watch/set_unplaced", unplaced=settings.watch.unplaced)


def detect(
    con: duckdb.DuckDBPyConnection, settings: Settings, as_of: date, now: datetime, run_id: str
) -> dict[str, Any]:
    """Write new signals and their pending alerts; mark the covered runs done."""
    with transaction(con):
        sync_watch(con, settings)
        pending = [r[0] for r in execute(con, "storage/runs/awaiting_signals").fetchall()]
        new_signals: list[str] = []
        if pending and settings.signals.new_story_topics:
            rows = execute(
                con,
                "alerting/signals/insert_new_story_signals",
                runs=pending,
                topics=list(settings.signals.new_story_topics),
                run_id=run_id,
                now=now,
                recent_since=_recent_since(settings, as_of),
            ).fetchall()
            new_signals += [r[0] for r in rows]
        backfill = bool(
            (execute(con, "storage/runs/is_backfill", run_id=run_id).fetchone() or [False])[0]
        )
        new_signals += _spikes(con, settings, as_of, now, run_id, backfill)
        queued = suppressed = 0
        if new_signals:
            statuses = execute(
                con,
                "alerting/alerts/queue",
                signals=new_signals,
                channels=list(settings.alerts.channels),
                now=now,
                recent_days=settings.signals.recent_days,
            ).fetchall()
            suppressed = sum(1 for _, status in statuses if status == "suppressed")
            queued = len(statuses) - suppressed
        watch = detect_watch(
            con, settings, pending, run_id, now, as_of, _recent_since(settings, as_of)
        )
        queued += watch["watch_alerts"]
        checkpoint("signals")
        execute(con, "storage/runs/signals_done", runs=pending, now=now)
        execute(
            con,
            "storage/runs/signals_counted",
            run_id=run_id,
            signals_new=len(new_signals) + watch["watch_signals"],
            alerts_queued=queued,
        )
    counts = {
        "run_id": run_id,
        "covered": pending,
        "runs_covered": len(pending),
        "signals_new": len(new_signals),
        "alerts_queued": queued,
        "alerts_suppressed": suppressed,
        **watch,
    }
    log.info("signals %s: %s", run_id, counts)
    return counts


def _daily_counts(
    con: duckdb.DuckDBPyConnection, settings: Settings, start: date, as_of: date
) -> dict[tuple[str, str | None], dict[date, int]]:
    """Stories a day per watched topic (region None), and per topic and region for
    ``region_spike_topics``."""
    counts: dict[tuple[str, str | None], dict[date, int]] = {}
    for topic, day, n in execute(
        con,
        "alerting/signals/spike_counts",
        start=start,
        as_of=as_of,
        topics=list(settings.signals.spike_topics),
    ).fetchall():
        counts.setdefault((topic, None), {})[day] = n
    if settings.signals.region_spike_topics:
        for topic, region, day, n in execute(
            con,
            "alerting/signals/region_spike_counts",
            start=start,
            as_of=as_of,
            topics=list(settings.signals.region_spike_topics),
        ).fetchall():
            counts.setdefault((topic, region), {})[day] = n
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
    counts = _daily_counts(con, settings, start, as_of)
    totals = dict(
        execute(con, "alerting/signals/day_story_counts", start=start, as_of=as_of).fetchall()
    )
    before_total = sum(n for d, n in totals.items() if d < as_of)
    names = dict(execute(con, "alerting/signals/region_names").fetchall())
    fired: list[str] = []
    for (topic, region), days in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        f = SpikeFigures.of(days, totals, as_of, spike.baseline_days)
        if not spike_fires(f, before_total, settings):
            continue
        where = f" in {names.get(region, region)} ({region})" if region else ""
        params = dict(
            topic=topic,
            day=as_of,
            count_day=f.count,
            baseline=f.baseline,
            share_day=f.share_day,
            share_baseline=f.share_baseline,
            day_stories=f.day_stories,
            reason=_spike_reason(topic, where, f, as_of, spike.baseline_days),
            run_id=run_id,
            now=now,
            suppressed="backfill" if backfill else None,
        )
        if region:
            inserted = execute(
                con, "alerting/signals/insert_region_spike_signal", region=region, **params
            ).fetchall()
        else:
            inserted = execute(con, "alerting/signals/insert_spike_signal", **params).fetchall()
        fired += [r[0] for r in inserted]
    return fired
