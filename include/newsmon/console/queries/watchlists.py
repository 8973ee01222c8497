"""The watchlists page: each watchlist's definition, matches per day, newest matches with
why they matched, and delivery; and the watchlists one story matched."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from newsmon.alerting.atom_feeds import watch_feed_name
from newsmon.alerting.watch_signals import describe, snippet_of
from newsmon.console.queries.reading import has, rows
from newsmon.storage.db import execute

_MATCHED = re.compile(r"\[([^\[\]]+)\]")  # a snippet's matched words, as search.snippet marks them
DAYS = 30  # the matches-per-day bars cover this many days
LATEST = 10  # newest matches shown per watchlist


def watchlists_page(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict[str, Any]]:
    """Every watchlist the copy knows (in use first), each with ``days``/``per_day`` (the
    bars), ``latest`` (its newest matches, each with ``why``) and its delivery figures."""
    if not has(con, "watchlists"):
        return []
    until = now.date()
    since = until - timedelta(days=DAYS - 1)
    found = rows(execute(con, "console/watchlists", since=now - timedelta(days=7)))
    per_day: dict[str, dict[date, int]] = {}
    for r in rows(execute(con, "console/watchlist_days", since=since)):
        per_day.setdefault(r["watchlist"], {})[r["day"]] = r["matches"]
    latest: dict[str, list[dict[str, Any]]] = {}
    for r in rows(execute(con, "console/watchlist_latest", limit=LATEST)):
        r["why"] = _why(r["watchlist"], r.pop("evidence"), r["title"], r.pop("text"))
        latest.setdefault(r["watchlist"], []).append(r)
    days = [since + timedelta(days=i) for i in range(DAYS)]
    for w in found:
        w["definition"] = json.loads(w["definition"]) if w["definition"] else {}
        w["days"] = days
        w["per_day"] = [per_day.get(w["name"], {}).get(d, 0) for d in days]
        w["latest"] = latest.get(w["name"], [])
        w["anchor"] = watch_feed_name(w["name"])
    return found


def story_watchlists(con: duckdb.DuckDBPyConnection, story_id: str) -> list[dict[str, Any]]:
    """The watchlists a story matched, each with ``why`` and its ``anchor`` on the page."""
    if not has(con, "watchlist_matches"):
        return []
    found = rows(execute(con, "console/story_watchlists", story_id=story_id))
    for r in found:
        r["why"] = _why(r["watchlist"], r.pop("evidence"))
        r["anchor"] = watch_feed_name(r["watchlist"])
    return found


def _why(
    name: str, evidence: str, title: str | None = None, text: str | None = None
) -> dict[str, Any]:
    """What matched, and (given the text) the snippet as (text, matched) parts for
    ``<mark>``."""
    data = json.loads(evidence)
    found = snippet_of(title, text, data) if text else None
    parts = [(part, i % 2 == 1) for i, part in enumerate(_MATCHED.split(found or ""))]
    return {"text": describe(name, data).split(": ", 1)[-1], "snippet": [p for p in parts if p[0]]}
