"""The sources page (``/sources``): each source's health, its articles per day as small bars,
and the recent ingest errors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.console import chart, queries
from newsmon.console.views.respond import empty, page
from newsmon.console.views.state import ConsoleDep, NoData, configured

router = APIRouter()


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, console: ConsoleDep) -> Response:
    try:
        with console.reading() as (s, con):
            found = queries.sources_page(con, configured(s), console.now())
            errs = queries.errors(con)
    except NoData:
        return empty(request, console, "sources")
    for row in found:
        row["bars"] = chart.bars(row["per_day"], row["days"], "articles per day")
    alarms = sum(1 for r in found if r["status"] in ("failing", "silent"))
    return page(
        request, console, "sources.html", "sources", sources=found, errors=errs, alarms=alarms
    )
