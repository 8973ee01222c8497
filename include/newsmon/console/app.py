"""The console's FastAPI app: wiring only, the pages' routes are in
:mod:`newsmon.console.views`.

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

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from fastapi import FastAPI

from newsmon.config import Settings, load_settings
from newsmon.console import queries
from newsmon.console.views import (
    export,
    feeds,
    overview,
    search,
    signal,
    sources,
    story,
    watchlists,
)
from newsmon.console.views.state import Console


def create_app(
    settings: Callable[[], Settings] = load_settings,
    dependencies: Sequence[Any] = (),
    now: Callable[[], datetime] = queries.utcnow,
) -> FastAPI:
    """The console, every route behind ``dependencies``; ``settings`` and ``now`` are read
    afresh on each request (a test passes its own)."""
    app = FastAPI(
        title="newsmon console",
        dependencies=list(dependencies),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.console = Console(settings, now)
    for view in (overview, signal, story, search, sources, export, feeds, watchlists):
        app.include_router(view.router)
    return app
