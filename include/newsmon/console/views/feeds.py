"""The Atom feeds (``/feeds/<topic>.atom``): the files the signals stage writes after each
publish, served as they are, so a feed reader can follow a topic through the console."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from newsmon.alerting.atom_feeds import FEED_NAME, feeds_dir
from newsmon.console.views.respond import SECURITY_HEADERS, not_found
from newsmon.console.views.state import ConsoleDep

router = APIRouter()


@router.get("/feeds/{name}.atom")
def feed(request: Request, console: ConsoleDep, name: str) -> Response:
    path = feeds_dir(console.settings()) / f"{name}.atom"
    if not FEED_NAME.fullmatch(name) or not path.is_file():
        return not_found(request, console, "No such feed (a run writes one per watched topic).")
    return Response(path.read_bytes(), media_type="application/atom+xml", headers=SECURITY_HEADERS)
