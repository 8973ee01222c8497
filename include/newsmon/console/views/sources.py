"""The sources page (``/sources``): each source's health, its articles per day as small bars,
and the recent ingest errors."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from newsmon import diskspace
from newsmon.config import Settings
from newsmon.console import chart, queries
from newsmon.console.views.respond import empty, page
from newsmon.console.views.state import ConsoleDep, NoData, configured

router = APIRouter()

DISK_SECONDS = 60.0  # disk use is counted at most this often (a year of raw pages is many files)
_disk: dict[str, Any] = {}
_disk_lock = threading.Lock()


def disk_use(settings: Settings) -> list[dict[str, Any]]:
    """The disk use of each part (:func:`newsmon.diskspace.usage`), counted again after
    DISK_SECONDS, with its size and the space free in people's units."""
    with _disk_lock:
        key = str(settings.db_path)
        if _disk.get("key") != key or time.monotonic() - _disk.get("at", 0.0) > DISK_SECONDS:
            _disk.update(key=key, at=time.monotonic(), parts=diskspace.usage(settings))
        parts = _disk["parts"]
    return [
        {
            "part": name,
            "size": diskspace.mb(p["bytes"]),
            "path": p["path"],
            "free": diskspace.mb(p["free"]),
        }
        for name, p in parts.items()
    ]


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
        request,
        console,
        "sources.html",
        "sources",
        sources=found,
        errors=errs,
        alarms=alarms,
        disk=disk_use(s),
    )
