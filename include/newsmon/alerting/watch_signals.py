"""Watchlists in the database: their rows, their matches, and the signals and alerts of the
matches that are news.

In the signals stage (:func:`newsmon.alerting.signals.detect`, one transaction), for the
runs being covered:

1. the file's watchlists are written to ``watchlists`` (with the reason for each that is
   not used; a removed one is marked so, its matches stay);
2. every article those runs stored or changed is matched (:mod:`watch_matching`); a story
   matches a watchlist once (``watchlist_matches``: the first article that matched and
   why);
3. a new match of a watchlist that delivers somewhere gets a ``watch`` signal and one
   pending alert per channel it names (``watch/<name>/slack`` ...), unless it is history
   (backfill run, or published before ``signals.recent_days``);
4. a new or edited watchlist is then matched over the last :data:`REMATCH_DAYS` days,
   recorded as ``rematch``: its matches are there to see, with no flood of old alerts.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from newsmon.alerting.watch_matching import (
    ArticleFacts,
    Hit,
    Matcher,
    confirm,
    fold,
    heads,
    word_rows,
)
from newsmon.alerting.watchlists import Watchlist, WatchlistFile, load_watchlists
from newsmon.config import Settings
from newsmon.storage.db import execute
from newsmon.storage.search import snippet

log = logging.getLogger(__name__)

REMATCH_DAYS = 7  # an edited watchlist is matched again over this many days, without alerts
TEXT_BATCH = 2000  # texts read at a time for phrases
CHUNK_ARTICLES = 2000  # articles matched at a time (with their whole stories)
Q = "alerting/watch_signals/"


def sync(con: duckdb.DuckDBPyConnection, wfile: WatchlistFile, now: datetime) -> list[Watchlist]:
    """Write the file's watchlists (and its errors) to ``watchlists``; the new and edited."""
    before = dict(execute(con, Q + "current").fetchall())
    rows = [
        (
            wl.name,
            json.dumps(wl.definition(), ensure_ascii=False, sort_keys=True),
            wl.fingerprint,
            None,
            [wl.channel(kind) for kind in wl.deliver.channels],
            wl.deliver.schedule.text,
        )
        for wl in wfile.watchlists
    ]
    named = {wl.name for wl in wfile.watchlists}
    for name, error in wfile.rejected:  # kept with the reason: the console shows it
        if name not in named:
            named.add(name)
            rows.append((name, None, None, error, [], None))
    if rows:
        names, definitions, fingerprints, errors, channels, schedules = map(
            list, zip(*rows, strict=False)
        )
        execute(
            con,
            Q + "sync",
            names=names,
            definitions=definitions,
            fingerprints=fingerprints,
            errors=errors,
            channels=channels,
            schedules=schedules,
            now=now,
        )
    execute(con, Q + "retire", names=sorted(named), now=now)
    return [wl for wl in wfile.watchlists if before.get(wl.name) != wl.fingerprint]


def match_candidates(
    con: duckdb.DuckDBPyConnection, watchlists: Sequence[Watchlist], new_only: bool = True
) -> Iterator[list[Hit]]:
    """Every watchlist and story pair (not matched before, with ``new_only``) among the
    articles in the temporary table ``watch_candidates``: one hit per pair (the story's
    first matching article), in chunks of about :data:`CHUNK_ARTICLES` articles (whole
    stories), so memory stays bounded however large the burst."""
    if not watchlists:
        return
    exact, head = heads(watchlists, excluded_only=True)  # the database tests the rest
    words, alts = word_rows(watchlists)
    execute(con, Q + "words_table", **words)
    execute(con, Q + "alts_table", **alts)
    rows = execute(con, Q + "candidate_articles").fetchall()
    start = 0
    while start < len(rows):
        end = min(start + CHUNK_ARTICLES, len(rows))
        while end < len(rows) and rows[end][1] == rows[end - 1][1]:
            end += 1  # a story's copies stay together
        facts = {a: ArticleFacts(a, s, lang, src) for a, s, lang, src in rows[start:end]}
        yield _chunk_hits(con, watchlists, facts, exact, head, new_only)
        start = end


def _chunk_hits(
    con: duckdb.DuckDBPyConnection,
    watchlists: Sequence[Watchlist],
    facts: dict[str, ArticleFacts],
    exact: list[str],
    head: list[str],
    new_only: bool,
) -> list[Hit]:
    ids = list(facts)
    for a, topic, score, country in execute(con, Q + "candidate_topics", ids=ids).fetchall():
        facts[a].topics[topic] = (score, country)
    for a, region in execute(con, Q + "candidate_regions", ids=ids).fetchall():
        facts[a].regions.add(region)
    if exact or head:
        for a, term in execute(
            con, Q + "candidate_terms", ids=ids, exact=exact, heads=head
        ).fetchall():
            facts[a].terms.add(term)
    known: dict[str, set[str]] = {}  # story -> the watchlists it matched (or matches now)
    for name, story in execute(con, Q + "known_matches", ids=ids).fetchall() if new_only else ():
        known.setdefault(story, set()).add(name)
    words_ok: dict[str, dict[int, dict[int, list[str]]]] = {}  # the database's word test
    for a, i, j, terms in execute(con, Q + "words_present", ids=ids).fetchall():
        words_ok.setdefault(a, {}).setdefault(i, {})[j] = terms
    matcher = Matcher(watchlists)
    hits: dict[tuple[str, str], list[Hit]] = {}
    for article in facts.values():  # a story's copies one after another
        done = known.setdefault(article.story_id, set())
        for hit in matcher.hits(article, done, words_ok.get(article.article_id, {})):
            hits.setdefault((hit.watchlist.name, article.story_id), []).append(hit)
            if not hit.phrases:  # matched for sure: the story's other copies need not be
                done.add(hit.watchlist.name)
    return _confirmed(con, hits)


def _confirmed(con: duckdb.DuckDBPyConnection, hits: dict[tuple[str, str], list[Hit]]) -> list[Hit]:
    """Per pair, the first hit that holds on its text (a phrase's words next to each other)."""
    wanted = sorted({h.article.article_id for hs in hits.values() for h in hs if h.phrases})
    texts = _texts(con, wanted)
    parsed = {a: fold(*title_text) for a, title_text in texts.items()}
    out = []
    for candidates in hits.values():
        for hit in candidates:
            if hit.phrases and not confirm(hit, parsed.get(hit.article.article_id, [])):
                continue
            out.append(hit)
            break
    return out


def snippet_of(title: str | None, text: str, evidence: dict[str, Any]) -> str | None:
    """The words that matched in the text around them, ``[bracketed]`` (None: no words)."""
    words = evidence.get("words")
    return snippet(f"{title or ''}. {text}", words) if words else None


def _texts(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, tuple[str | None, str]]:
    out: dict[str, tuple[str | None, str]] = {}
    for i in range(0, len(ids), TEXT_BATCH):
        for a, title, text in execute(
            con, Q + "candidate_texts", ids=ids[i : i + TEXT_BATCH]
        ).fetchall():
            out[a] = (title, text)
    return out


def try_watchlist(con: duckdb.DuckDBPyConnection, wl: Watchlist, since: datetime) -> list[Hit]:
    """What ``wl`` matches among the stories dated since ``since``, whether recorded or
    not (``newsmon watch test``; any connection, the analyst copy too)."""
    execute(con, Q + "candidates_since", since=since, runs=[])
    return [hit for chunk in match_candidates(con, [wl], new_only=False) for hit in chunk]


def describe(name: str, evidence: dict[str, Any]) -> str:
    """One line that says why a story matched a watchlist."""
    parts = []
    if evidence.get("query"):
        parts.append("query " + " ".join(evidence["query"][:8]))
    if evidence.get("topics"):
        parts.append("topics " + ", ".join(f"{t} {s:g}" for t, s in evidence["topics"].items()))
    if evidence.get("countries"):
        parts.append("about " + ", ".join(evidence["countries"]))
    if evidence.get("regions"):
        parts.append("regions " + ", ".join(evidence["regions"][:5]))
    return f"watchlist {name}: " + ("; ".join(parts) or "its filters")


def record(
    con: duckdb.DuckDBPyConnection,
    hits: Iterable[Hit],
    run_id: str,
    now: datetime,
    recent_since: datetime | None,
    rematch: bool = False,
) -> dict[str, int]:
    """Write the matches; give the alerted ones a signal and their pending alerts."""
    rows = [
        (
            h.watchlist.name,
            h.article.story_id,
            h.article.article_id,
            h.score,
            json.dumps(h.evidence, ensure_ascii=False),
            h.watchlist.fingerprint,
            bool(h.watchlist.deliver.channels),
        )
        for h in hits
    ]
    counts = {"matches": len(rows), "signals": 0, "alerts": 0}
    if not rows:
        return counts
    cols = dict(
        zip(
            ("watchlists", "stories", "articles", "scores", "evidence", "fingerprints", "delivers"),
            map(list, zip(*rows, strict=False)),
            strict=True,
        )
    )
    inserted = execute(
        con,
        Q + "insert_matches",
        run_id=run_id,
        now=now,
        recent_since=recent_since,
        rematch=rematch,
        **cols,
    ).fetchall()
    alerted = {(w, s) for w, s, suppressed in inserted if suppressed is None}
    chosen = [  # a daily watchlist's matches go out in its brief (newsmon.flows.brief)
        h
        for h in hits
        if (h.watchlist.name, h.article.story_id) in alerted
        and h.watchlist.deliver.schedule.every != "daily"
    ]
    if chosen:
        counts["signals"], counts["alerts"] = _signal(con, chosen, run_id, now)
    return counts


def _signal(
    con: duckdb.DuckDBPyConnection, chosen: list[Hit], run_id: str, now: datetime
) -> tuple[int, int]:
    """A ``watch`` signal per alerted match, and a pending alert per channel of its
    watchlist; the numbers of both."""
    signals = execute(
        con,
        Q + "insert_signals",
        watchlists=[h.watchlist.name for h in chosen],
        stories=[h.article.story_id for h in chosen],
        topics=[
            max(h.evidence.get("topics", {"": 0}).items(), key=lambda kv: kv[1])[0] for h in chosen
        ],
        scores=[h.score for h in chosen],
        reasons=[describe(h.watchlist.name, h.evidence) for h in chosen],
        run_id=run_id,
        now=now,
    ).fetchall()
    by_list: dict[str, list[str]] = {}
    for signal_id, name in signals:
        by_list.setdefault(name, []).append(signal_id)
    lists = {h.watchlist.name: h.watchlist for h in chosen}
    alerts = 0
    for name, ids in by_list.items():
        wl = lists[name]
        alerts += len(
            execute(
                con,
                "alerting/alerts/queue",
                signals=ids,
                channels=[wl.channel(kind) for kind in wl.deliver.channels],
                now=now,
                recent_days=0,
            ).fetchall()
        )
    return len(signals), alerts


def detect_watch(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    runs: list[str],
    run_id: str,
    now: datetime,
    as_of: date,
    recent_since: datetime | None,
) -> dict[str, int]:
    """The watchlists' part of the signals stage (see the module's docstring); stories
    published before ``recent_since`` are history."""
    midnight = datetime.combine(as_of, time.min, UTC)
    wfile = load_watchlists(settings)
    for error in wfile.errors:
        log.warning("watchlist not used: %s", error)
    counts = {"watch_matches": 0, "watch_signals": 0, "watch_alerts": 0, "watch_rematched": 0}
    if wfile.unreadable:  # not one watchlist known: the table stays as it was
        return counts
    changed = sync(con, wfile, now)
    if runs and wfile.watchlists:
        execute(con, Q + "candidates_of_runs", runs=runs)
        for hits in match_candidates(con, wfile.watchlists):
            got = record(con, hits, run_id, now, recent_since)
            counts["watch_matches"] += got["matches"]
            counts["watch_signals"] += got["signals"]
            counts["watch_alerts"] += got["alerts"]
    if changed:
        since = midnight - timedelta(days=REMATCH_DAYS)
        execute(con, Q + "candidates_since", since=since, runs=runs)
        for hits in match_candidates(con, changed):
            got = record(con, hits, run_id, now, recent_since, rematch=True)
            counts["watch_rematched"] += got["matches"]
    return counts
