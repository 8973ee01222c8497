"""The watchlists page (``/watchlists``): each watchlist's matches per day, its newest
matches with why they matched, and how its alerts went. Read-only: watchlists are edited
in ``watchlists.yaml``, versioned with the project."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.console import chart, queries
from newsmon.console.views.overview import feed_files
from newsmon.console.views.respond import empty, page
from newsmon.console.views.state import ConsoleDep, NoData

router = APIRouter()


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists(request: Request, console: ConsoleDep) -> Response:
    try:
        with console.reading() as (_, con):
            found = queries.watchlists_page(con, console.now())
    except NoData:
        return empty(request, console, "watchlists")
    feeds = feed_files(console)
    for w in found:
        w["bars"] = chart.bars(w["per_day"], w["days"], "matches per day")
        w["feed"] = w["anchor"] if w["anchor"] in feeds else None
    return page(request, console, "watchlists.html", "watchlists", watchlists=found)
