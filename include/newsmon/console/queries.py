"""What each console page shows, read from the analyst copy by the SQL in
``include/sql/queries/console``. Functions take an open read-only connection and return
plain rows (dicts); the time they judge by (``now``) is a parameter, so a test can fix it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb

from newsmon import clock
from newsmon.storage.db import run
from newsmon.storage.search import search_on, snippet_parts

WINDOWS = (30, 90, 365)  # days the overview chart can show
SILENT_FACTOR = 2.0  # silent: no new article for this many times its usual longest gap
SILENT_MIN = timedelta(hours=6)  # ... and never before this long
ACTIVITY_DAYS = 30  # the window a source's usual gap is learnt over
MIN_ARRIVALS = 4  # fewer arrivals than this in the window: too few to judge


def rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def utcnow() -> datetime:
    return clock.now()


def has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the copy has this table or view (one made before an upgrade may not, until
    the next run publishes a new one)."""
    found = con.execute(
        "select count(*) from duckdb_tables() where table_name = $n"
        " union all select count(*) from duckdb_views() where view_name = $n",
        {"n": name},
    ).fetchall()
    return any(n for (n,) in found)


# -- overview ---------------------------------------------------------------------------------


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
        daily = rows(run(con, "console/daily_scoped", since=since, until=until, country=country))
        recent = rows(run(con, "console/recent_counts_scoped", now=now, country=country))
        countries = [r[0] for r in run(con, "console/topic_countries", limit=12).fetchall()]
    else:
        daily = rows(run(con, "console/daily", since=since, until=until))
        recent = rows(run(con, "console/recent_counts", now=now))
        countries, country = [], "all"
    spikes = rows(run(con, "console/spikes", since=since, until=until))
    counted = {r["topic"]: r for r in recent}
    counts = [counted.get(t, {"topic": t, "last_24h": 0, "baseline_per_day": 0.0}) for t in topics]
    signals = rows(run(con, "console/latest_signals", topic=None, limit=limit))
    regions = (
        rows(run(con, "console/region_week", today=until, limit=15))
        if has(con, "article_regions")
        else []
    )
    return Overview(
        days, since, until, topics, daily, spikes, counts, signals, regions, country, countries
    )


# -- signal and story -------------------------------------------------------------------------


@dataclass
class EvidenceLine:
    article_id: str
    source: str | None
    topic: str
    score: float
    term: str
    field: str
    weight: float
    parts: list[tuple[str, bool]]  # the snippet, the matched words marked
    country: str | None = None  # the country the topic is about, in this copy


@dataclass
class StoryPage:
    story: dict[str, Any]
    copies: list[dict[str, Any]]
    evidence: list[EvidenceLine]
    signals: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    regions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SignalPage:
    signal: dict[str, Any]
    story: StoryPage | None = None  # a new-story signal
    stories: list[dict[str, Any]] = field(default_factory=list)  # a spike: its day's stories
    alerts: list[dict[str, Any]] = field(default_factory=list)


def signal_page(con: duckdb.DuckDBPyConnection, signal_id: str) -> SignalPage | None:
    found = rows(run(con, "console/signal", signal_id=signal_id))
    if not found:
        return None
    sig = found[0]
    page = SignalPage(sig)
    page.alerts = rows(run(con, "console/signal_alerts", signal_ids=[signal_id]))
    if sig["story_id"]:
        page.story = story_page(con, sig["story_id"], topic=sig["topic"])
    elif sig["day"] is not None:
        region = sig.get("region") if has(con, "story_regions") else None
        page.stories = rows(
            run(
                con,
                "console/spike_stories",
                topic=sig["topic"],
                day=sig["day"],
                region=region,
                limit=50,
            )
        )
    return page


def story_page(
    con: duckdb.DuckDBPyConnection, story_id: str, topic: str | None = None
) -> StoryPage | None:
    found = rows(run(con, "console/story", story_id=story_id))
    if not found:
        return None
    story = found[0]
    copies = rows(run(con, "console/story_copies", story_id=story_id))
    evidence: list[EvidenceLine] = []
    for row in rows(run(con, "console/story_evidence", story_id=story_id, topic=topic)):
        bodies = {"title": row["title"] or "", "text": row["text"] or ""}
        country = row.get("country")
        lines = [(e, e["term"]) for e in row["evidence"] or []]
        # the evidence that placed the topic in its country, after the topic's own
        lines += [(e, f"country {country}: {e['term']}") for e in row.get("country_evidence") or []]
        for e, term in lines:
            evidence.append(
                EvidenceLine(
                    row["article_id"],
                    row["source"],
                    row["topic"],
                    row["score"],
                    term,
                    e["field"],
                    e["weight"],
                    marked(bodies.get(e["field"], ""), e["start"], e["end"]),
                    country,
                )
            )
    signal_ids = list(story["signal_ids"] or [])
    signals = [rows(run(con, "console/signal", signal_id=s))[0] for s in signal_ids]
    alerts = rows(run(con, "console/signal_alerts", signal_ids=signal_ids)) if signal_ids else []
    regions = (
        rows(run(con, "console/story_regions", story_id=story_id))
        if has(con, "story_regions")
        else []
    )
    return StoryPage(story, copies, evidence, signals, alerts, regions)


def marked(text: str, start: int, end: int, width: int = 70) -> list[tuple[str, bool]]:
    """The words around ``text[start:end]`` with that match marked: the evidence as the
    tagger saw it (offsets into the stored title or text)."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:  # whole words only
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    parts = [
        ("\u2026" if left > 0 else "", False),
        (
            " ".join(text[left:start].split()) + (" " if text[left:start][-1:].isspace() else ""),
            False,
        ),
        (text[start:end], True),
        ((" " if text[end:right][:1].isspace() else "") + " ".join(text[end:right].split()), False),
        ("\u2026" if right < len(text) else "", False),
    ]
    return [p for p in parts if p[0]]


# -- search -----------------------------------------------------------------------------------


def search_page(
    con: duckdb.DuckDBPyConnection,
    q: str,
    *,
    topic: str | None = None,
    lang: str | None = None,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    if not q.strip():
        return []
    found, prefixes = search_on(
        con, q, topic=topic, lang=lang, source=source, since=since, until=until, limit=limit
    )
    for row in found:
        row["parts"] = snippet_parts(row.pop("text"), prefixes)
        row["snippet"] = "".join(p for p, _ in row["parts"])
    return found


def choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The languages and outlets present, for the search filters."""
    langs = [
        r[0]
        for r in con.execute(
            "select distinct lang from articles where lang is not null order by 1"
        ).fetchall()
    ]
    sources = [
        r[0]
        for r in con.execute(
            "select source from articles where source is not null group by 1 order by count(*) desc, 1 limit 500"
        ).fetchall()
    ]
    return {"langs": langs, "sources": sorted(sources, key=str.lower)}


# -- sources ----------------------------------------------------------------------------------


def sources_page(
    con: duckdb.DuckDBPyConnection,
    configured: list[dict[str, Any]],
    now: datetime | None = None,
    days: int = 14,
) -> list[dict[str, Any]]:
    """One row per source: configured feeds and URL lists, and every outlet articles came
    from; each with its fetch health, its articles per day and whether it went silent."""
    now = now or utcnow()
    activity = {
        r["source"]: r
        for r in rows(run(con, "console/source_activity", now=now, window_days=ACTIVITY_DAYS))
    }
    last = {r["source"]: r for r in rows(run(con, "console/source_last_article"))}
    known = con.execute(
        "select count(*) from duckdb_columns() where table_name = 'feed_state' and column_name = 'last_ok_at'"
    ).fetchone()[0]
    fetched = "console/source_fetches" if known else "console/source_fetches_before_v120"
    fetches = {r["source"]: r for r in rows(run(con, fetched))}
    daily: dict[str, dict[date, int]] = {}
    for r in rows(run(con, "console/source_daily", now=now, days=days)):
        daily.setdefault(r["source"], {})[r["day"]] = r["articles"]
    today = now.astimezone(UTC).date()
    day_list = [today - timedelta(days=days - 1 - i) for i in range(days)]
    kinds = {c["name"]: c for c in configured}
    names = list(kinds) + sorted(
        (set(last) | set(fetches)) - set(kinds), key=lambda s: (s or "").lower()
    )
    out = []
    for name in names:
        conf = kinds.get(name, {})
        f = fetches.get(name, {})
        act = activity.get(name, {})
        seen = last.get(name, {})
        per_day = [daily.get(name, {}).get(d, 0) for d in day_list]
        row = {
            "source": name,
            "type": conf.get("type", "files"),
            "url": conf.get("url") or f.get("feed_url"),
            "configured": name in kinds,
            "last_ok_at": _latest(f.get("feed_ok_at"), f.get("page_ok_at")),
            "checked_at": f.get("checked_at"),
            "last_error": None,
            "last_error_at": None,
            "last_article_at": seen.get("last_article_at"),
            "articles_total": seen.get("articles_total", 0),
            "articles_14d": sum(per_day),
            "per_day": per_day,
            "days": day_list,
            "usual_gap_seconds": act.get("usual_gap_seconds"),
            "arrivals": act.get("arrivals", 0),
        }
        if f.get("feed_error"):
            row["last_error"], row["last_error_at"] = f["feed_error"], f.get("checked_at")
        if f.get("page_error") and (
            row["last_error_at"] is None or (f.get("page_error_at") or now) > row["last_error_at"]
        ):
            row["last_error"], row["last_error_at"] = f["page_error"], f.get("page_error_at")
        row["status"], row["why"] = judge(row, now)
        out.append(row)
    return out


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
    return rows(run(con, "console/errors", stage=stage, limit=limit))
