"""A signal's page (``/signal?id=``): why it fired, its alerts, and its story (a new-story
signal) or the day's stories behind it (a spike)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.console import queries
from newsmon.console.views.respond import empty, not_found, page
from newsmon.console.views.state import ConsoleDep, NoData

router = APIRouter()


@router.get("/signal", response_class=HTMLResponse)
def signal(request: Request, console: ConsoleDep, id: str = Query(..., max_length=200)) -> Response:
    try:
        with console.reading() as (_, con):
            sp = queries.signal_page(con, id)
    except NoData:
        return empty(request, console, "overview")
    if sp is None:
        return not_found(request, console, "No such signal.")
    return page(request, console, "signal.html", "overview", sp=sp, topic=sp.signal["topic"])
