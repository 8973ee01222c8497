"""The overview page (``/``): stories per topic per day over 30, 90 or 365 days as a chart and
a table, each topic's last 24 hours, the latest signals, the week's regions, and a line at
the top when configured sources are failing or silent."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.alerting.atom_feeds import feeds_dir
from newsmon.console import chart, queries
from newsmon.console.views.respond import empty, page, root
from newsmon.console.views.state import Console, ConsoleDep, NoData, configured, topics

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    console: ConsoleDep,
    days: int = 30,
    country: str = Query("", max_length=3),
) -> Response:
    days = nearest_window(days)
    try:
        with console.reading() as (s, con):
            ov = queries.overview(
                con, topics(s), days, console.now(), country=country_filter(country)
            )
            trouble = queries.source_trouble(
                queries.sources_page(con, configured(s), console.now())
            )
    except NoData:
        return empty(request, console, "overview")
    base = root(request)
    svg = chart.topic_chart(
        ov.topics,
        ov.since,
        ov.until,
        ov.daily,
        ov.spikes,
        link=lambda sid: f"{base}/signal?id={quote(sid, safe='')}",
    )
    table: dict[date, dict[str, int]] = {}
    for r in ov.daily:
        table.setdefault(r["day"], {})[r["topic"]] = r["stories"]
    return page(
        request,
        console,
        "overview.html",
        "overview",
        ov=ov,
        windows=queries.WINDOWS,
        chart=svg,
        legend=chart.legend(ov.topics),
        table=sorted(table.items(), reverse=True),
        spiked={(s["topic"], s["day"]) for s in ov.spikes},
        trouble=trouble,
        feeds=feed_files(console),
    )


def feed_files(console: Console) -> set[str]:
    """The topics whose Atom feed has been written (the cards link to them)."""
    folder = feeds_dir(console.settings())
    return {p.stem for p in folder.glob("*.atom")} if folder.is_dir() else set()


def nearest_window(days: int) -> int:
    """The chart's window (30, 90 or 365 days) nearest the days asked for."""
    return min(queries.WINDOWS, key=lambda w: abs(w - days))


def country_filter(value: str) -> str:
    """The overview's country filter from a query string: "", "all" or a two-letter code;
    anything else is the default (the watch)."""
    value = value.strip()
    if value.lower() == "all":
        return "all"
    return value.upper() if len(value) == 2 and value.isalpha() and value.isascii() else ""
