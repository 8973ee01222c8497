"""The sources page: one row per source (configured feeds and URL lists, and every outlet
articles came from) with its fetch health, its articles per day and a verdict (failing,
silent, quiet, waiting or ok) with the reason; the Overview's one-line summary of the
configured sources in trouble; the recent ingest errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from newsmon.console.queries.reading import rows, utcnow
from newsmon.storage.db import execute

SILENT_FACTOR = 2.0  # silent: no new article for this many times its usual longest gap
SILENT_MIN = timedelta(hours=6)  # ... and never before this long
ACTIVITY_DAYS = 30  # the window a source's usual gap is learnt over
MIN_ARRIVALS = 4  # fewer arrivals than this in the window: too few to judge


def sources_page(
    con: duckdb.DuckDBPyConnection,
    configured: list[dict[str, Any]],
    now: datetime | None = None,
    days: int = 14,
) -> list[dict[str, Any]]:
    """One row per source: configured feeds and URL lists, and every outlet articles came
    from; each with its fetch health, its articles per day and whether it went silent."""
    now = now or utcnow()
    activity = _by_source(
        execute(con, "console/source_activity", now=now, window_days=ACTIVITY_DAYS)
    )
    last = _by_source(execute(con, "console/source_last_article"))
    known = execute(con, "console/feed_state_has_last_ok_at").fetchone()[0]
    fetched = "console/source_fetches" if known else "console/source_fetches_before_v120"
    fetches = _by_source(execute(con, fetched))
    daily: dict[str, dict[date, int]] = {}
    for r in rows(execute(con, "console/source_daily", now=now, days=days)):
        daily.setdefault(r["source"], {})[r["day"]] = r["articles"]
    today = now.astimezone(UTC).date()
    day_list = [today - timedelta(days=days - 1 - i) for i in range(days)]
    kinds = {c["name"]: c for c in configured}
    names = list(kinds) + sorted(
        (set(last) | set(fetches)) - set(kinds), key=lambda s: (s or "").lower()
    )
    return [
        _source_row(
            name,
            kinds.get(name),
            fetches.get(name, {}),
            activity.get(name, {}),
            last.get(name, {}),
            [daily.get(name, {}).get(d, 0) for d in day_list],
            day_list,
            now,
        )
        for name in names
    ]


def _by_source(cur: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    return {r["source"]: r for r in rows(cur)}


def _source_row(
    name: str,
    conf: dict[str, Any] | None,
    fetch: dict[str, Any],
    activity: dict[str, Any],
    seen: dict[str, Any],
    per_day: list[int],
    days: list[date],
    now: datetime,
) -> dict[str, Any]:
    """A source's row: its configuration (``conf``, None if not configured), what fetching
    knows of it, its arrivals, its last article, its articles per day, and the verdict."""
    config = conf or {}
    row = {
        "source": name,
        "type": config.get("type", "files"),
        "url": config.get("url") or fetch.get("feed_url"),
        "configured": conf is not None,
        "last_ok_at": _latest(fetch.get("feed_ok_at"), fetch.get("page_ok_at")),
        "checked_at": fetch.get("checked_at"),
        "last_error": None,
        "last_error_at": None,
        "last_article_at": seen.get("last_article_at"),
        "articles_total": seen.get("articles_total", 0),
        "articles_14d": sum(per_day),
        "per_day": per_day,
        "days": days,
        "usual_gap_seconds": activity.get("usual_gap_seconds"),
        "arrivals": activity.get("arrivals", 0),
    }
    if fetch.get("feed_error"):
        row["last_error"], row["last_error_at"] = fetch["feed_error"], fetch.get("checked_at")
    if fetch.get("page_error") and (
        row["last_error_at"] is None or (fetch.get("page_error_at") or now) > row["last_error_at"]
    ):
        row["last_error"], row["last_error_at"] = fetch["page_error"], fetch.get("page_error_at")
    row["status"], row["why"] = judge(row, now)
    return row


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def source_trouble(rows: list[dict[str, Any]]) -> str | None:
    """One line for the top of the Overview when configured sources are failing or silent
    ("2 of 3 sources failing since 2026-12-06 08:00 UTC; 1 silent"), else None."""
    mine = [r for r in rows if r.get("configured")]
    failing = [r for r in mine if r["status"] == "failing"]
    silent = [r for r in mine if r["status"] == "silent"]
    if not failing and not silent:
        return None
    parts = []
    if failing:
        worked = [r["last_ok_at"] for r in failing if r.get("last_ok_at") is not None]
        if len(worked) < len(failing):
            since = "; some never fetched" if worked else ", none ever fetched"
        else:
            since = f" since {min(worked).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        parts.append(f"{len(failing)} of {len(mine)} sources failing{since}")
    if silent:
        parts.append(
            f"{len(silent)} silent" if failing else f"{len(silent)} of {len(mine)} sources silent"
        )
    return "; ".join(parts)


def judge(row: dict[str, Any], now: datetime) -> tuple[str, str]:
    """``(status, why)``: ``failing`` (its last check failed), ``silent`` (no new article
    for longer than SILENT_FACTOR times its usual longest gap), ``quiet`` (too few
    arrivals to judge), ``waiting`` (configured, no article yet) or ``ok``."""
    if row["last_error"] and row["checked_at"] and row["last_error_at"] == row["checked_at"]:
        return "failing", f"last check failed: {row['last_error']}"
    last = row["last_article_at"]
    if last is None:
        if row["checked_at"] is not None:
            return "silent", "checked, but no article has come from it yet"
        return "waiting", "no fetch and no article yet"
    since = now - last
    gap = row["usual_gap_seconds"]
    if row["arrivals"] < MIN_ARRIVALS or gap is None:
        if since > timedelta(days=ACTIVITY_DAYS):
            return "silent", f"no new article for {span(since)}"
        return "quiet", f"too few arrivals in {ACTIVITY_DAYS} days to know its rhythm"
    allowed = max(timedelta(seconds=gap * SILENT_FACTOR), SILENT_MIN)
    if since > allowed:
        return "silent", (
            f"no new article for {span(since)}; it usually waits at most "
            f"{span(timedelta(seconds=gap))} between arrivals"
        )
    return (
        "ok",
        f"last new article {span(since)} ago; usual longest gap {span(timedelta(seconds=gap))}",
    )


def span(delta: timedelta) -> str:
    """A duration in words a person reads at a glance: 3 d 4 h, 5 h 10 min, 40 min."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes and hours < 10 else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def errors(
    con: duckdb.DuckDBPyConnection, stage: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    return rows(execute(con, "console/errors", stage=stage, limit=limit))
