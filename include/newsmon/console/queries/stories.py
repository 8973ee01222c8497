"""A signal's page and a story's page: the signal with its alerts, and either its story or,
for a spike, that day's stories; a story with its copies, the evidence that tagged it (the
matched words marked in their snippet), its signals, their alerts and its regions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from newsmon.console.queries.reading import has, rows
from newsmon.console.queries.watchlists import story_watchlists
from newsmon.storage.db import execute


@dataclass
class EvidenceLine:
    article_id: str
    source: str | None
    topic: str
    score: float
    term: str
    field: str
    weight: float
    parts: list[tuple[str, bool]]  # the snippet, the matched words marked
    country: str | None = None  # the country the topic is about, in this copy


@dataclass
class StoryPage:
    story: dict[str, Any]
    copies: list[dict[str, Any]]
    evidence: list[EvidenceLine]
    signals: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    regions: list[dict[str, Any]] = field(default_factory=list)
    watchlists: list[dict[str, Any]] = field(default_factory=list)  # those it matched


@dataclass
class SignalPage:
    signal: dict[str, Any]
    story: StoryPage | None = None  # a new-story signal
    stories: list[dict[str, Any]] = field(default_factory=list)  # a spike: its day's stories
    alerts: list[dict[str, Any]] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)  # the run that raised it


def signal_page(con: duckdb.DuckDBPyConnection, signal_id: str) -> SignalPage | None:
    found = rows(execute(con, "console/signal", signal_id=signal_id))
    if not found:
        return None
    sig = found[0]
    page = SignalPage(sig)
    page.alerts = rows(execute(con, "console/signal_alerts", signal_ids=[signal_id]))
    page.run = next(iter(rows(execute(con, "console/signal_run", run_id=sig["run_id"]))), {})
    if sig["story_id"]:
        page.story = story_page(con, sig["story_id"], topic=sig["topic"])
    elif sig["day"] is not None:
        region = sig.get("region") if has(con, "story_regions") else None
        page.stories = rows(
            execute(
                con,
                "console/spike_stories",
                topic=sig["topic"],
                day=sig["day"],
                region=region,
                limit=50,
            )
        )
    return page


def story_page(
    con: duckdb.DuckDBPyConnection, story_id: str, topic: str | None = None
) -> StoryPage | None:
    found = rows(execute(con, "console/story", story_id=story_id))
    if not found:
        return None
    story = found[0]
    copies = rows(execute(con, "console/story_copies", story_id=story_id))
    evidence: list[EvidenceLine] = []
    for row in rows(execute(con, "console/story_evidence", story_id=story_id, topic=topic)):
        bodies = {"title": row["title"] or "", "text": row["text"] or ""}
        country = row.get("country")
        lines = [(e, e["term"]) for e in row["evidence"] or []]
        # the evidence that placed the topic in its country, after the topic's own
        lines += [(e, f"country {country}: {e['term']}") for e in row.get("country_evidence") or []]
        for e, term in lines:
            evidence.append(
                EvidenceLine(
                    row["article_id"],
                    row["source"],
                    row["topic"],
                    row["score"],
                    term,
                    e["field"],
                    e["weight"],
                    marked(bodies.get(e["field"], ""), e["start"], e["end"]),
                    country,
                )
            )
    signal_ids = list(story["signal_ids"] or [])
    signals = [rows(execute(con, "console/signal", signal_id=s))[0] for s in signal_ids]
    alerts = (
        rows(execute(con, "console/signal_alerts", signal_ids=signal_ids)) if signal_ids else []
    )
    regions = (
        rows(execute(con, "console/story_regions", story_id=story_id))
        if has(con, "story_regions")
        else []
    )
    return StoryPage(
        story, copies, evidence, signals, alerts, regions, story_watchlists(con, story_id)
    )


def marked(text: str, start: int, end: int, width: int = 70) -> list[tuple[str, bool]]:
    """The words around ``text[start:end]`` with that match marked: the evidence as the
    tagger saw it (offsets into the stored title or text)."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:  # whole words only
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    parts = [
        ("\u2026" if left > 0 else "", False),
        (
            " ".join(text[left:start].split()) + (" " if text[left:start][-1:].isspace() else ""),
            False,
        ),
        (text[start:end], True),
        ((" " if text[end:right][:1].isspace() else "") + " ".join(text[end:right].split()), False),
        ("\u2026" if right < len(text) else "", False),
    ]
    return [p for p in parts if p[0]]
