"""What every route shares: the app's dependencies (its settings, its clock and the analyst
copy it holds open) as one :class:`Console`, made by
:func:`~newsmon.console.app.create_app` and kept on ``app.state``; a route takes it as a
:data:`ConsoleDep` parameter. Also the two files a page reads besides the copy: the
taxonomy's topics and the configured sources.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any

import duckdb
from fastapi import Depends, Request

from newsmon.config import ConfigError, Settings
from newsmon.storage.readcopy import HeldCopy

log = logging.getLogger(__name__)


class NoData(Exception):
    """No analyst copy yet (no run has finished since the database was made)."""


@dataclass
class Console:
    """The console's dependencies: ``settings`` and ``now`` as :func:`create_app` was given
    them (a test fixes them), and the analyst copy held open across requests."""

    settings: Callable[[], Settings]
    now: Callable[[], datetime]
    held: HeldCopy = field(default_factory=HeldCopy)

    @contextmanager
    def reading(self) -> Iterator[tuple[Settings, duckdb.DuckDBPyConnection]]:
        """The settings and a cursor on the analyst copy; :class:`NoData` if there is none."""
        s = self.settings()
        if not s.read_db_path.exists():  # never the writer's file: a page must not lock it
            raise NoData(str(s.read_db_path))
        with self.held.reading(s) as con:
            yield s, con


async def current_console(request: Request) -> Console:
    """The app's :class:`Console` (async: no thread is needed to look it up)."""
    return request.app.state.console


ConsoleDep = Annotated[Console, Depends(current_console)]


def topics(s: Settings) -> list[str]:
    return _topics(str(s.topics_path), s.topics_path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _topics(path: str, mtime_ns: int) -> list[str]:
    """The taxonomy's topics, read again only when the file changes."""
    from newsmon.tagging.taxonomy import load_taxonomy

    return list(load_taxonomy(path).topics)


def configured(s: Settings) -> list[dict[str, Any]]:
    """The configured sources as dicts; none (and a warning) if the file cannot be read."""
    from newsmon.fetch.sources import load_sources

    try:
        return [vars(x) for x in load_sources(s.sources_path)]
    except (ConfigError, OSError) as exc:
        log.warning("console: sources not readable: %s", exc)
        return []
