"""The overview page's figures: stories per topic per day, the spike marks, each topic's
last 24 hours against its baseline, the latest signals and the week's regions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from newsmon.console.queries.reading import has, rows, utcnow
from newsmon.storage.db import execute

WINDOWS = (30, 90, 365)  # days the overview chart can show


@dataclass
class Overview:
    days: int
    since: date
    until: date
    topics: list[str]
    daily: list[dict[str, Any]]  # topic, day, stories, undated
    spikes: list[dict[str, Any]]
    counts: list[dict[str, Any]]  # topic, last_24h, baseline_per_day
    signals: list[dict[str, Any]]
    regions: list[dict[str, Any]] = field(default_factory=list)  # mobilization, this week
    country: str = ""  # the filter: "" the watch's scope, "all", or one ISO 3166-1 code
    countries: list[str] = field(default_factory=list)  # the codes offered, commonest first


def overview(
    con: duckdb.DuckDBPyConnection,
    topics: list[str],
    days: int = 30,
    now: datetime | None = None,
    limit: int = 20,
    country: str = "",
) -> Overview:
    """The overview's figures; ``country`` filters the topics counted: "" those about the
    watch's countries (as the signals count them), "all", or one ISO 3166-1 code. A copy
    published before topics had countries counts every topic."""
    now = now or utcnow()
    until = now.astimezone(UTC).date()
    since = until - timedelta(days=days - 1)
    scoped = has(con, "watch_countries")
    country = country.strip().upper() if country.strip().lower() != "all" else "all"
    if scoped:
        daily = rows(
            execute(con, "console/daily_scoped", since=since, until=until, country=country)
        )
        recent = rows(execute(con, "console/recent_counts_scoped", now=now, country=country))
        countries = [r[0] for r in execute(con, "console/topic_countries", limit=12).fetchall()]
    else:
        daily = rows(execute(con, "console/daily", since=since, until=until))
        recent = rows(execute(con, "console/recent_counts", now=now))
        countries, country = [], "all"
    spikes = rows(execute(con, "console/spikes", since=since, until=until))
    counted = {r["topic"]: r for r in recent}
    counts = [counted.get(t, {"topic": t, "last_24h": 0, "baseline_per_day": 0.0}) for t in topics]
    signals = rows(execute(con, "console/latest_signals", topic=None, limit=limit))
    regions = (
        rows(execute(con, "console/region_week", today=until, limit=15))
        if has(con, "article_regions")
        else []
    )
    return Overview(
        days, since, until, topics, daily, spikes, counts, signals, regions, country, countries
    )
