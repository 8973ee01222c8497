"""The CSV downloads (``/export/<table>.csv``): the tables behind the pages, a column list
each, with the page's own filters (``days``, ``country``, ``id``, ``topic``, the search's);
an unknown table is a 404, and no analyst copy yet gives the header row alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb
from fastapi import APIRouter, Query
from fastapi.responses import Response

from newsmon.config import Settings
from newsmon.console import queries
from newsmon.console.pages import to_csv
from newsmon.console.views.overview import country_filter, nearest_window
from newsmon.console.views.respond import SECURITY_HEADERS
from newsmon.console.views.search import search_filters
from newsmon.console.views.state import ConsoleDep, NoData, configured, topics
from newsmon.storage.db import execute

router = APIRouter()

CSV_COLUMNS = {
    "counts": ["topic", "last_24h", "baseline_per_day"],
    "regions": ["region", "name", "status", "stories_7d", "baseline_per_7d"],
    "daily": ["topic", "day", "stories", "undated"],
    "signals": [
        "created_at",
        "signal_id",
        "kind",
        "topic",
        "region",
        "title",
        "source",
        "url",
        "source_count",
        "day",
        "count_day",
        "baseline",
        "score",
        "reason",
        "suppressed",
        "story_id",
    ],
    "spike_stories": [
        "story_id",
        "title",
        "score",
        "article_count",
        "source_count",
        "published_at",
    ],
    "evidence": [
        "topic",
        "score",
        "country",
        "term",
        "weight",
        "field",
        "source",
        "article_id",
        "snippet",
    ],
    "copies": [
        "source",
        "title",
        "url",
        "published_at",
        "date_source",
        "lang",
        "first_seen_at",
        "is_first",
        "article_id",
    ],
    "alerts": [
        "signal_id",
        "kind",
        "topic",
        "channel",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ],
    "search": [
        "score",
        "title",
        "source",
        "published_at",
        "lang",
        "url",
        "story_id",
        "article_id",
        "snippet",
    ],
    "sources": [
        "source",
        "type",
        "url",
        "status",
        "why",
        "last_ok_at",
        "last_error",
        "last_error_at",
        "last_article_at",
        "articles_14d",
        "per_day",
    ],
    "errors": [
        "last_seen_at",
        "stage",
        "origin",
        "reason",
        "detail",
        "seen_count",
        "first_seen_at",
    ],
}


@router.get("/export/{name}.csv")
def export(
    console: ConsoleDep,
    name: str,
    days: int = 30,
    id: str = Query("", max_length=200),
    q: str = Query("", max_length=500),
    topic: str = Query("", max_length=100),
    lang: str = Query("", max_length=20),
    source: str = Query("", max_length=300),
    since: str = Query("", max_length=20),
    until: str = Query("", max_length=20),
    country: str = Query("", max_length=3),
) -> Response:
    if name not in CSV_COLUMNS:
        return Response("no such table\n", status_code=404, media_type="text/plain")
    try:
        with console.reading() as (s, con):
            records = _records(con, s, name, days, id, topic, console.now(), country)
            if name == "search":
                f, _ = search_filters(q, topic, lang, source, since, until)
                records = queries.search_page(con, limit=1000, **f)
    except NoData:
        records = []
    return Response(
        to_csv(CSV_COLUMNS[name], records),
        media_type="text/csv; charset=utf-8",
        headers=SECURITY_HEADERS
        | {"Content-Disposition": f'attachment; filename="newsmon-{name}.csv"'},
    )


def _records(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    name: str,
    days: int,
    ident: str,
    topic: str,
    now: datetime,
    country: str = "",
) -> list[dict[str, Any]]:
    """The rows of the table ``name`` (none for ``search``, which the route reads itself)."""
    if name in ("counts", "daily", "regions"):
        days = nearest_window(days)
        ov = queries.overview(con, topics(s), days, now, limit=0, country=country_filter(country))
        return {"counts": ov.counts, "daily": ov.daily, "regions": ov.regions}[name]
    if name == "signals":
        return queries.rows(execute(con, "console/latest_signals", topic=topic or None, limit=1000))
    if name in ("spike_stories", "alerts", "evidence", "copies"):
        return _story_records(con, name, ident, topic)
    if name == "sources":
        return queries.sources_page(con, configured(s), now)
    if name == "errors":
        return queries.errors(con, limit=10_000)
    return []


def _story_records(
    con: duckdb.DuckDBPyConnection, name: str, ident: str, topic: str
) -> list[dict[str, Any]]:
    """The tables of a signal's or a story's page, ``ident`` the signal's or story's id."""
    if name == "spike_stories":
        sp = queries.signal_page(con, ident)
        return sp.stories if sp else []
    if name == "alerts":  # a signal's alerts, or those of every signal of a story
        sp = queries.signal_page(con, ident)
        if sp is not None:
            return sp.alerts
        st = queries.story_page(con, ident)
        return st.alerts if st else []
    st = queries.story_page(con, ident, topic=topic or None)
    if st is None:
        return []
    if name == "copies":
        return st.copies
    return [vars(e) | {"snippet": "".join(p for p, _ in e.parts)} for e in st.evidence]
