"""The console's FastAPI app: routes that read the analyst copy and render a page or a CSV.

:func:`create_app` takes the dependencies every route must pass; the Airflow plugin
(``plugins/newsmon_console.py``) gives Airflow's own login checks, so nothing is served to
someone who is not signed in to Airflow. Routes are plain ``def``: FastAPI runs them in
its thread pool, each with its own cursor on the analyst copy, held open across requests
(:class:`~newsmon.storage.readcopy.HeldCopy`) and reopened when a run publishes a new one; the
writer never touches that file, so a page can neither block nor slow a run. Links inside
the pages are built from the app's mount point (``root_path``), so they work wherever
Airflow mounts it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import duckdb
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from newsmon.config import ConfigError, Settings, load_settings
from newsmon.console import chart, queries
from newsmon.console.pages import render, to_csv
from newsmon.storage.readcopy import HeldCopy

log = logging.getLogger(__name__)

# No script runs on these pages, and nothing loads from elsewhere: a title that slipped
# past escaping still could not run or phone home.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

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


class NoData(Exception):
    """No analyst copy yet (no run has finished since the database was made)."""


def create_app(
    settings: Callable[[], Settings] = load_settings,
    dependencies: Sequence[Any] = (),
    now: Callable[[], datetime] = queries.utcnow,
) -> FastAPI:
    app = FastAPI(
        title="newsmon console",
        dependencies=list(dependencies),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    held = HeldCopy()

    @contextmanager
    def reading() -> Iterator[tuple[Settings, duckdb.DuckDBPyConnection]]:
        s = settings()
        if not s.read_db_path.exists():  # never the writer's file: a page must not lock it
            raise NoData(str(s.read_db_path))
        with held.reading(s) as con:
            yield s, con

    def page(request: Request, template: str, name: str, **context: Any) -> HTMLResponse:
        s = settings()
        published = None
        for path in (s.read_db_path, s.db_path):
            if path.exists():
                published = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                break
        html = render(
            template,
            root=request.scope.get("root_path", "").rstrip("/"),
            page=name,
            published=published,
            **context,
        )
        return HTMLResponse(html, headers=SECURITY_HEADERS)

    def empty(request: Request, name: str) -> HTMLResponse:
        return page(
            request,
            "missing.html",
            name,
            what=(
                "No data yet: no run has published the analyst copy. Run the pipeline once"
                " (make run, or trigger news_ingest); every run publishes it."
            ),
        )

    def topics(s: Settings) -> list[str]:
        return _topics(str(s.topics_path), s.topics_path.stat().st_mtime_ns)

    def configured(s: Settings) -> list[dict[str, Any]]:
        from newsmon.fetch.sources import load_sources

        try:
            return [vars(x) for x in load_sources(s.sources_path)]
        except (ConfigError, OSError) as exc:
            log.warning("console: sources not readable: %s", exc)
            return []

    def csv(name: str, records: list[dict[str, Any]]) -> Response:
        return Response(
            to_csv(CSV_COLUMNS[name], records),
            media_type="text/csv; charset=utf-8",
            headers=SECURITY_HEADERS
            | {"Content-Disposition": f'attachment; filename="newsmon-{name}.csv"'},
        )

    @app.get("/", response_class=HTMLResponse)
    def overview(
        request: Request, days: int = 30, country: str = Query("", max_length=3)
    ) -> Response:
        days = min(queries.WINDOWS, key=lambda w: abs(w - days))
        try:
            with reading() as (s, con):
                ov = queries.overview(con, topics(s), days, now(), country=_country(country))
                trouble = queries.source_trouble(queries.sources_page(con, configured(s), now()))
        except NoData:
            return empty(request, "overview")
        root = request.scope.get("root_path", "").rstrip("/")
        svg = chart.topic_chart(
            ov.topics,
            ov.since,
            ov.until,
            ov.daily,
            ov.spikes,
            link=lambda sid: f"{root}/signal?id={quote(sid, safe='')}",
        )
        table: dict[date, dict[str, int]] = {}
        for r in ov.daily:
            table.setdefault(r["day"], {})[r["topic"]] = r["stories"]
        return page(
            request,
            "overview.html",
            "overview",
            ov=ov,
            windows=queries.WINDOWS,
            chart=svg,
            legend=chart.legend(ov.topics),
            table=sorted(table.items(), reverse=True),
            spiked={(s["topic"], s["day"]) for s in ov.spikes},
            trouble=trouble,
        )

    @app.get("/signal", response_class=HTMLResponse)
    def signal(request: Request, id: str = Query(..., max_length=200)) -> Response:
        try:
            with reading() as (_, con):
                sp = queries.signal_page(con, id)
        except NoData:
            return empty(request, "overview")
        if sp is None:
            return _missing(page(request, "missing.html", "overview", what="No such signal."))
        return page(request, "signal.html", "overview", sp=sp, topic=sp.signal["topic"])

    @app.get("/story", response_class=HTMLResponse)
    def story(
        request: Request,
        id: str = Query(..., max_length=200),
        topic: str | None = Query(None, max_length=100),
    ) -> Response:
        try:
            with reading() as (_, con):
                st = queries.story_page(con, id, topic=topic or None)
        except NoData:
            return empty(request, "overview")
        if st is None:
            return _missing(page(request, "missing.html", "overview", what="No such story."))
        return page(request, "story.html", "overview", st=st, topic=topic or None)

    def search_args(
        q: str, topic: str, lang: str, source: str, since: str, until: str
    ) -> tuple[dict[str, Any], str | None]:
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

    @app.get("/search", response_class=HTMLResponse)
    def search(
        request: Request,
        q: str = Query("", max_length=500),
        topic: str = Query("", max_length=100),
        lang: str = Query("", max_length=20),
        source: str = Query("", max_length=300),
        since: str = Query("", max_length=20),
        until: str = Query("", max_length=20),
    ) -> Response:
        f, error = search_args(q, topic, lang, source, since, until)
        limit = 50
        try:
            with reading() as (s, con):
                results = queries.search_page(con, limit=limit, **f)
                opts = queries.choices(con)
                names = topics(s)
        except NoData:
            return empty(request, "search")
        export = f"{request.scope.get('root_path', '').rstrip('/')}/export/search.csv"
        if request.url.query:
            export += "?" + request.url.query
        return page(
            request,
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

    @app.get("/sources", response_class=HTMLResponse)
    def sources(request: Request) -> Response:
        try:
            with reading() as (s, con):
                found = queries.sources_page(con, configured(s), now())
                errs = queries.errors(con)
        except NoData:
            return empty(request, "sources")
        for row in found:
            row["bars"] = chart.bars(row["per_day"], row["days"], "articles per day")
        alarms = sum(1 for r in found if r["status"] in ("failing", "silent"))
        return page(request, "sources.html", "sources", sources=found, errors=errs, alarms=alarms)

    @app.get("/export/{name}.csv")
    def export(
        request: Request,
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
            with reading() as (s, con):
                records = _records(con, s, name, days, id, topic, now(), configured, country)
                if name == "search":
                    f, _ = search_args(q, topic, lang, source, since, until)
                    records = queries.search_page(con, limit=1000, **f)
        except NoData:
            records = []
        return csv(name, records)

    return app


def _country(value: str) -> str:
    """The overview's country filter from a query string: "", "all" or a two-letter code;
    anything else is the default (the watch)."""
    value = value.strip()
    if value.lower() == "all":
        return "all"
    return value.upper() if len(value) == 2 and value.isalpha() and value.isascii() else ""


def _records(
    con: duckdb.DuckDBPyConnection,
    s: Settings,
    name: str,
    days: int,
    ident: str,
    topic: str,
    now: datetime,
    configured: Callable[[Settings], list[dict[str, Any]]],
    country: str = "",
) -> list[dict[str, Any]]:
    if name in ("counts", "daily", "regions"):
        days = min(queries.WINDOWS, key=lambda w: abs(w - days))
        topics = _topics(str(s.topics_path), s.topics_path.stat().st_mtime_ns)
        ov = queries.overview(con, topics, days, now, limit=0, country=_country(country))
        return {"counts": ov.counts, "daily": ov.daily, "regions": ov.regions}[name]
    if name == "signals":
        return queries.rows(
            queries.run(con, "console/latest_signals", topic=topic or None, limit=1000)
        )
    if name == "spike_stories":
        sp = queries.signal_page(con, ident)
        return sp.stories if sp else []
    if name == "alerts":  # a signal's alerts, or those of every signal of a story
        sp = queries.signal_page(con, ident)
        if sp is not None:
            return sp.alerts
        st = queries.story_page(con, ident)
        return st.alerts if st else []
    if name in ("evidence", "copies"):
        st = queries.story_page(con, ident, topic=topic or None)
        if st is None:
            return []
        if name == "copies":
            return st.copies
        return [vars(e) | {"snippet": "".join(p for p, _ in e.parts)} for e in st.evidence]
    if name == "sources":
        return queries.sources_page(con, configured(s), now)
    if name == "errors":
        return queries.errors(con, limit=10_000)
    return []


@lru_cache(maxsize=8)
def _topics(path: str, mtime_ns: int) -> list[str]:
    """The taxonomy's topics, read again only when the file changes."""
    from newsmon.tagging.taxonomy import load_taxonomy

    return list(load_taxonomy(path).topics)


def _missing(response: HTMLResponse) -> HTMLResponse:
    response.status_code = 404
    return response
