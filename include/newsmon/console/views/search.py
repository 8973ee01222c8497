"""The search page (``/search``): articles matching the words asked for, filtered by topic,
language, outlet and dates, with a link to the same search as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.console import queries
from newsmon.console.views.respond import empty, page, root
from newsmon.console.views.state import ConsoleDep, NoData, topics

router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    console: ConsoleDep,
    q: str = Query("", max_length=500),
    topic: str = Query("", max_length=100),
    lang: str = Query("", max_length=20),
    source: str = Query("", max_length=300),
    since: str = Query("", max_length=20),
    until: str = Query("", max_length=20),
) -> Response:
    f, error = search_filters(q, topic, lang, source, since, until)
    limit = 50
    try:
        with console.reading() as (s, con):
            results = queries.search_page(con, limit=limit, **f)
            opts = queries.choices(con)
            names = topics(s)
    except NoData:
        return empty(request, console, "search")
    export = f"{root(request)}/export/search.csv"
    if request.url.query:
        export += "?" + request.url.query
    return page(
        request,
        console,
        "search.html",
        "search",
        f=f,
        results=results,
        opts=opts,
        topics=names,
        limit=limit,
        error=error,
        export=export,
    )


def search_filters(
    q: str, topic: str, lang: str, source: str, since: str, until: str
) -> tuple[dict[str, Any], str | None]:
    """The search's arguments from the query string (empty is no filter), and an error line
    if a date is not one (that filter is then dropped)."""
    error = None
    dates: dict[str, date | None] = {}
    for key, value in (("since", since), ("until", until)):
        try:
            dates[key] = date.fromisoformat(value) if value else None
        except ValueError:
            dates[key] = None
            error = f"Not a date (YYYY-MM-DD): {value}"
    return (
        {"q": q.strip(), "topic": topic or None, "lang": lang or None, "source": source or None}
        | dates,
        error,
    )
