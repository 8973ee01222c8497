"""The alert outbox's bookkeeping in the database: building messages, suppressing repeats,
recording a delivery's results, settling deliveries that crashed before recording, and
holding a watchlist's alerts back (broken for now, gone, or not yet its time).

:mod:`newsmon.flows.deliver` runs the three steps of a delivery with these.
"""

from __future__ import annotations

import logging
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from newsmon.alerting.channels import build_message
from newsmon.alerting.render import message_to_dict
from newsmon.alerting.watchlists import Watchlist, WatchlistFile, channel_watchlist
from newsmon.config import Settings
from newsmon.staging import read_jsonl
from newsmon.storage import runs
from newsmon.storage.db import execute

log = logging.getLogger(__name__)


def deliveries_root(settings: Settings) -> Path:
    """Where deliveries keep their outbox and results, one folder each."""
    return settings.staging_dir / "deliveries"


def message_for(con: duckdb.DuckDBPyConnection, alert_id: str, now: datetime) -> dict | None:
    """One alert's message; None when it cannot be built (its signal or story gone, data
    no message can be made of): that alert is failed with the reason, and the others go
    out. One such alert stopped every delivery, this one and each after it."""
    try:
        return message_to_dict(build_message(con, alert_id))
    except Exception as exc:  # noqa: BLE001 - whatever one alert's data raises costs that alert
        error = f"the message could not be built: {type(exc).__name__}: {exc}"[:500]
        execute(
            con,
            "alerting/alerts/attempt_failed",
            ids=[alert_id],
            error=error,
            now=now,
            max_attempts=0,
        )
        log.warning("alert %s failed: %s", alert_id, error)
        return None


def apply_results(
    con: duckdb.DuckDBPyConnection, settings: Settings, folder: Path, now: datetime
) -> dict[str, int]:
    """Record one delivery's results (``results.jsonl``) and remove its folder: sent, or a
    failed attempt (``failed`` after ``max_attempts``)."""
    counts = {"sent": 0, "retry_later": 0, "failed": 0}
    for result in read_jsonl(folder / "results.jsonl"):
        if result["error"] is None:
            execute(con, "alerting/alerts/sent", ids=result["ids"], now=now)
            counts["sent"] += len(result["ids"])
            continue
        rows = execute(
            con,
            "alerting/alerts/attempt_failed",
            ids=result["ids"],
            error=result["error"],
            now=now,
            max_attempts=settings.alerts.max_attempts,
        ).fetchall()
        failed = sum(1 for _, status in rows if status == "failed")
        counts["failed"] += failed
        counts["retry_later"] += len(rows) - failed
    shutil.rmtree(folder, ignore_errors=True)
    return counts


LEFTOVER_AFTER_SECONDS = 3600  # older than any send task may run (execution_timeout 30 min)


def record_leftovers(
    con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime
) -> tuple[int, set[str]]:
    """Results of deliveries that crashed before recording them are recorded now, so a
    message that went out is not sent again. Returns that count and the alerts of
    deliveries still under way (another process is sending them: not prepared again)."""
    root = deliveries_root(settings)
    done, in_flight = 0, set()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if not folder.is_dir():
            continue
        owner = (folder / "owner").read_text() if (folder / "owner").exists() else None
        gone = runs.owner_gone(owner) is not None
        if gone or time.time() - folder.stat().st_mtime > LEFTOVER_AFTER_SECONDS:
            done += sum(apply_results(con, settings, folder, now).values())
            continue
        for batch in read_jsonl(folder / "outbox.jsonl"):
            in_flight.update(m["alert_id"] for m in batch["messages"])
            in_flight.update(batch.get("rest_ids", []))
    return done, in_flight


def suppress_repeats(
    con: duckdb.DuckDBPyConnection,
    channel: str,
    rows: list[tuple[str, str | None]],
    now: datetime,
    hours: float,
) -> list[tuple[str, str | None]]:
    """Drop (and mark suppressed) alerts for stories alerted on this channel within the cooldown."""
    stories = [s for _, s in rows if s]
    if not stories or hours <= 0:
        return rows
    recent = {
        r[0]
        for r in execute(
            con,
            "alerting/alerts/recently_sent_stories",
            channel=channel,
            since=now - timedelta(hours=hours),
            stories=stories,
        ).fetchall()
    }
    keep, seen_now = [], set()
    for alert_id, story in rows:
        if story and (story in recent or story in seen_now):
            reason = f"cooldown: story {story} already alerted on {channel} within {hours:g}h"
            execute(con, "alerting/alerts/suppress", alert_id=alert_id, now=now, reason=reason)
            continue
        if story:
            seen_now.add(story)
        keep.append((alert_id, story))
    return keep


def pending_by_channel(
    con: duckdb.DuckDBPyConnection, in_flight: set[str]
) -> tuple[dict[str, list[tuple[str, str | None]]], dict[str, list[str]]]:
    """The pending alerts per channel (with their story), and the briefs per channel (a
    brief is a message of its own, whenever it was queued)."""
    by_channel: dict[str, list[tuple[str, str | None]]] = {}
    briefs: dict[str, list[str]] = {}
    for channel, alert_id, story, kind in execute(con, "alerting/alerts/pending").fetchall():
        if alert_id in in_flight:
            continue
        if kind == "brief":
            briefs.setdefault(channel, []).append(alert_id)
        else:
            by_channel.setdefault(channel, []).append((alert_id, story))
    return by_channel, briefs


def watch_gate(
    con: duckdb.DuckDBPyConnection,
    wfile: WatchlistFile,
    channel: str,
    rows: list[tuple[str, str | None]],
    now: datetime,
) -> tuple[str | None, Watchlist | None]:
    """Whether a channel's pending alerts are held back, and the watchlist it belongs to.
    Held: ``unconfigured`` while its watchlist cannot be used (a mistake in the file: they
    wait for the fix), ``suppressed`` once it left the file or no longer delivers there
    (marked so), ``scheduled`` until its hourly or daily time."""
    listed = channel_watchlist(channel)
    if listed is None:
        return None, None
    wl = next((w for w in wfile.watchlists if w.name == listed), None)
    if wl is None and wfile.is_rejected(listed):
        log.warning("watchlist %s cannot be used now; %d alert(s) wait for it", listed, len(rows))
        return "unconfigured", None
    if wl is None or channel not in map(wl.channel, wl.deliver.channels):
        retire(con, channel, listed, rows, now)
        return "suppressed", wl
    if not _due(con, wl, channel, now):
        return "scheduled", wl
    return None, wl


def _due(con: duckdb.DuckDBPyConnection, wl: Watchlist, channel: str, now: datetime) -> bool:
    """Whether a watchlist's channel sends in this delivery (its schedule)."""
    if wl.deliver.schedule.every == "each":
        return True
    oldest, last_sent = execute(con, "alerting/alerts/channel_times", channel=channel).fetchone()
    return oldest is not None and wl.deliver.schedule.due(now, oldest, last_sent)


def retire(
    con: duckdb.DuckDBPyConnection,
    channel: str,
    name: str,
    rows: list[tuple[str, str | None]],
    now: datetime,
) -> None:
    """The alerts of a watchlist that left the file (or no longer delivers there): not sent."""
    reason = f"watchlist {name} no longer delivers to {channel}"
    for alert_id, _ in rows:
        execute(con, "alerting/alerts/suppress", alert_id=alert_id, now=now, reason=reason)
