"""A story's page (``/story?id=``, optionally ``&topic=``): its copies, the evidence that
tagged it, its signals and their alerts, its regions."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.console import queries
from newsmon.console.views.respond import empty, not_found, page
from newsmon.console.views.state import ConsoleDep, NoData

router = APIRouter()


@router.get("/story", response_class=HTMLResponse)
def story(
    request: Request,
    console: ConsoleDep,
    id: str = Query(..., max_length=200),
    topic: str | None = Query(None, max_length=100),
) -> Response:
    try:
        with console.reading() as (_, con):
            st = queries.story_page(con, id, topic=topic or None)
    except NoData:
        return empty(request, console, "overview")
    if st is None:
        return not_found(request, console, "No such story.")
    return page(request, console, "story.html", "overview", st=st, topic=topic or None)
