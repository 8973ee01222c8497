"""The morning brief: one message a day, the general one and one per watchlist that asks
for ``daily@HH:MM Zone``, through the alert outbox (exactly once, redacted errors).

A brief is due at the first check after its local time (``news_brief`` checks hourly;
``newsmon brief`` sends today's at once). It is a ``brief`` signal,
``brief:general:<local day>`` or ``brief:watch/<name>:<local day>``, holding its content
as built then (``signals.detail``), with one alert per channel: a rerun the same day
inserts nothing, so nothing is sent twice. What it holds, over the 24 hours before it:

- per topic in scope (the signals' topics; a watchlist's own, or all of them): stories
  against the mean of the 7 days before, whether a spike fired, and the 8 days as bars;
- the top stories by the outlets carrying them, with their links;
- regions the stories name that none named in the 28 days before;
- configured sources that went silent (the Sources page's rule).

The general brief counts stories about the watched countries; a watchlist's, its matches.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from newsmon.alerting.brief_settings import BriefSettings
from newsmon.alerting.watchlists import Watchlist, load_watchlists
from newsmon.config import Settings
from newsmon.console import chart
from newsmon.console.queries.sources import sources_page
from newsmon.storage import runs
from newsmon.storage.db import execute, open_db, transaction
from newsmon.storage.readcopy import publish

log = logging.getLogger(__name__)

DAYS = 8  # the brief's day and the 7 before
Q = "flows/brief/"


@dataclass(frozen=True)
class Due:
    """One brief to build: its scope, its channels and the 24 hours it covers."""

    signal_id: str
    watchlist: Watchlist | None
    channels: tuple[str, ...]
    day: str  # its local day (YYYY-MM-DD)
    end: datetime
    top: int
    hours: float = 24.0  # the stretch it covers, up to ``end``


def due_briefs(
    settings: Settings, now: datetime, force: bool = False, hours: float = 24.0
) -> list[Due]:
    """The briefs due at ``now``: the general one and each daily watchlist's, at the last
    slot of its schedule (``force``: now, today's local day), covering ``hours``."""
    wfile = load_watchlists(settings)
    brief: BriefSettings = wfile.brief
    found = []
    scopes: list[tuple[Watchlist | None, Any, tuple[str, ...], str]] = [
        (None, brief.schedule, brief.channels_of(settings.alerts.channels), "general")
    ]
    for wl in wfile.watchlists:
        if wl.deliver.schedule.every == "daily":
            channels = tuple(wl.channel(kind) for kind in wl.deliver.channels)
            scopes.append((wl, wl.deliver.schedule, channels, f"watch/{wl.name}"))
    for wl, schedule, channels, scope in scopes:
        if not channels:
            continue
        end = now if force else schedule.latest_slot(now)
        day = end.astimezone(schedule.tzinfo).date().isoformat()
        found.append(Due(f"brief:{scope}:{day}", wl, channels, day, end, brief.top, hours))
    return found


def queue_briefs(
    settings: Settings, now: datetime | None = None, force: bool = False, hours: float = 24.0
) -> dict[str, Any]:
    """Build and queue every brief due and not yet queued; their alerts go out with the
    next delivery."""
    now = now or runs.now()
    due = due_briefs(settings, now, force, hours)
    queued: list[str] = []
    with open_db(settings) as con:
        ids = [b.signal_id for b in due]
        done = {r[0] for r in execute(con, Q + "queued", ids=ids).fetchall()} if ids else set()
        for brief in (b for b in due if b.signal_id not in done):
            with transaction(con):
                content = brief_content(con, settings, brief)
                reason = f"brief for {brief.day}: " + headline(content)
                inserted = execute(
                    con,
                    Q + "insert_signal",
                    signal_id=brief.signal_id,
                    day=brief.day,
                    reason=reason,
                    run_id=f"news_brief__{brief.day}",
                    now=now,
                    watchlist=brief.watchlist.name if brief.watchlist else None,
                    detail=json.dumps(content, ensure_ascii=False, default=str),
                ).fetchall()
                if inserted:
                    execute(
                        con,
                        "alerting/alerts/queue",
                        signals=[brief.signal_id],
                        channels=list(brief.channels),
                        now=now,
                        recent_days=0,
                    )
                    queued.append(brief.signal_id)
        if queued:
            publish(con, settings)
    counts = {"due": len(due), "queued": queued}
    log.info("briefs: %s", counts)
    return counts


def brief_content(con: duckdb.DuckDBPyConnection, settings: Settings, brief: Due) -> dict[str, Any]:
    """What one brief says (JSON-ready)."""
    wl = brief.watchlist
    end = brief.end
    start = end - timedelta(hours=brief.hours)
    scope = dict(watchlist=wl.name if wl else None)
    topics = (
        list(wl.topics)
        if wl and wl.topics
        else list(
            dict.fromkeys((*settings.signals.new_story_topics, *settings.signals.spike_topics))
        )
    )
    per_day: dict[str, list[int]] = {t: [0] * DAYS for t in topics}
    for topic, ago, n in execute(con, Q + "topic_days", end=end, topics=topics, **scope).fetchall():
        if 0 <= ago < DAYS:
            per_day[topic][DAYS - 1 - ago] = n
    spiked = {
        t
        for (t,) in execute(
            con, Q + "spiked_topics", first_day=start.date(), last_day=end.date()
        ).fetchall()
    }
    days = [(end - timedelta(days=DAYS - 1 - i)).date() for i in range(DAYS)]
    rows = []
    for topic, counts in per_day.items():
        mean = sum(counts[:-1]) / (DAYS - 1)
        rows.append(
            {
                "topic": topic,
                "stories": counts[-1],
                "mean_7d": round(mean, 2),
                "ratio": round(counts[-1] / mean, 2) if mean else None,
                "spike": topic in spiked,
                "per_day": counts,
                "chart": chart.bars(counts, days, f"{topic} stories, 24 hours each"),
            }
        )
    cur = execute(con, Q + "top_stories", start=start, end=end, limit=brief.top, **scope)
    names = [d[0] for d in cur.description]
    top = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    regions = execute(con, Q + "new_regions", start=start, end=end, **scope).fetchall()
    return {
        "scope": wl.name if wl else "general",
        "day": brief.day,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "topics": rows,
        "top_stories": top,
        "new_regions": [{"region": r, "name": n, "stories": k} for r, n, k in regions],
        "silent_sources": _silent(con, settings, end),
    }


def _silent(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime) -> list[dict]:
    """Configured sources that went silent (the Sources page's rule), with why."""
    from newsmon.fetch.sources import load_sources

    try:
        configured = [vars(x) for x in load_sources(settings.sources_path)]
    except Exception as exc:  # noqa: BLE001 - an unreadable sources file costs this section
        log.warning("brief: sources not readable: %s", exc)
        return []
    return [
        {"source": r["source"], "why": r["why"]}
        for r in sources_page(con, configured, now)
        if r["configured"] and r["status"] == "silent"
    ]


def headline(content: dict[str, Any]) -> str:
    """The brief in one line: each topic's stories, the risen ones marked."""
    parts = []
    for t in content["topics"]:
        mark = " (spike)" if t["spike"] else (" ↑" if t["ratio"] and t["ratio"] >= 2 else "")
        parts.append(f"{t['topic']} {t['stories']}{mark}")
    return ", ".join(parts) or "no topics"
