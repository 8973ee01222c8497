"""The search page: articles matching the words asked for (with the filters), each with its
snippet and the matched words marked, and the languages and outlets the filters offer."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from newsmon.storage.db import execute
from newsmon.storage.search import search_on, snippet_parts


def search_page(
    con: duckdb.DuckDBPyConnection,
    q: str,
    *,
    topic: str | None = None,
    lang: str | None = None,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    if not q.strip():
        return []
    found, prefixes = search_on(
        con, q, topic=topic, lang=lang, source=source, since=since, until=until, limit=limit
    )
    for row in found:
        row["parts"] = snippet_parts(row.pop("text"), prefixes)
        row["snippet"] = "".join(p for p, _ in row["parts"])
    return found


def choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The languages and outlets present, for the search filters."""
    langs = [r[0] for r in execute(con, "console/search_langs").fetchall()]
    sources = [r[0] for r in execute(con, "console/search_sources").fetchall()]
    return {"langs": langs, "sources": sorted(sources, key=str.lower)}
