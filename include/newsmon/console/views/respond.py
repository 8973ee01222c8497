"""How a console page answers: an HTML page rendered with the app's mount point (so its links
work wherever Airflow mounts it) and the analyst copy's age, the no-data page, a 404, and
the security headers every answer carries, CSV included.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from newsmon.console.pages import render
from newsmon.console.views.state import Console

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


def root(request: Request) -> str:
    """Where the app is mounted (``/newsmon`` in Airflow), without a trailing slash."""
    return request.scope.get("root_path", "").rstrip("/")


def page(
    request: Request, console: Console, template: str, name: str, **context: Any
) -> HTMLResponse:
    """``template`` rendered as the page ``name`` (its tab in the navigation)."""
    s = console.settings()
    published = None
    for path in (s.read_db_path, s.db_path):
        if path.exists():
            published = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            break
    html = render(template, root=root(request), page=name, published=published, **context)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def empty(request: Request, console: Console, name: str) -> HTMLResponse:
    """The page to show while no run has published the analyst copy."""
    return page(
        request,
        console,
        "missing.html",
        name,
        what=(
            "No data yet: no run has published the analyst copy. Run the pipeline once"
            " (make run, or trigger news_ingest); every run publishes it."
        ),
    )


def not_found(request: Request, console: Console, what: str) -> HTMLResponse:
    """A 404 page saying what was not found ("No such story.")."""
    response = page(request, console, "missing.html", "overview", what=what)
    response.status_code = 404
    return response
