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
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import duckdb

from newsmon.alerting.watch_matching import ArticleFacts, Hit, Matcher, confirm, heads, text_stems
from newsmon.alerting.watchlists import Watchlist, WatchlistFile, load_watchlists
from newsmon.config import Settings
from newsmon.storage.db import execute
from newsmon.storage.search import snippet

log = logging.getLogger(__name__)

REMATCH_DAYS = 7  # an edited watchlist is matched again over this many days, without alerts
TEXT_BATCH = 2000  # texts read at a time for phrases and snippets
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
    for error in wfile.errors:  # the name the error is about, where it has one
        label = error.split(": ", 1)[0]
        name = label[len("watchlist '") : -1] if label.startswith("watchlist '") else label
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
) -> list[Hit]:
    """Every watchlist and story pair (not matched before, with ``new_only``) among the
    articles in the temporary table ``watch_candidates``: one hit per pair (the story's
    first matching article)."""
    if not watchlists:
        return []
    facts: dict[str, ArticleFacts] = {
        a: ArticleFacts(a, s, lang, source)
        for a, s, lang, source in execute(con, Q + "candidate_articles").fetchall()
    }
    for a, topic, score, country in execute(con, Q + "candidate_topics").fetchall():
        facts[a].topics[topic] = (score, country)
    for a, region in execute(con, Q + "candidate_regions").fetchall():
        facts[a].regions.add(region)
    exact, head = heads(watchlists)
    if exact or head:
        for a, term in execute(con, Q + "candidate_terms", exact=exact, heads=head).fetchall():
            facts[a].terms.add(term)
    known = set(execute(con, Q + "known_matches").fetchall()) if new_only else set()
    matcher = Matcher(watchlists)
    hits: dict[tuple[str, str], list[Hit]] = {}
    for article in facts.values():
        for hit in matcher.hits(article):
            pair = (hit.watchlist.name, article.story_id)
            if pair not in known:
                hits.setdefault(pair, []).append(hit)
    return _confirmed(con, hits)


def _confirmed(con: duckdb.DuckDBPyConnection, hits: dict[tuple[str, str], list[Hit]]) -> list[Hit]:
    """Per pair, the first hit that holds on its text (phrases), with a snippet of the words."""
    wanted = sorted({h.article.article_id for hs in hits.values() for h in hs if h.phrases})
    wanted += sorted(
        {hs[0].article.article_id for hs in hits.values() if "words" in hs[0].evidence}
    )
    texts = _texts(con, sorted(set(wanted)))
    out = []
    for candidates in hits.values():
        for hit in candidates:
            title_text = texts.get(hit.article.article_id)
            if hit.phrases and (title_text is None or not confirm(hit, text_stems(*title_text))):
                continue
            if title_text is not None and hit.evidence.get("words"):
                title, text = title_text
                hit.evidence["snippet"] = snippet(f"{title or ''}. {text}", hit.evidence["words"])
            out.append(hit)
            break
    return out


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
    execute(con, Q + "candidates_since", since=since)
    return match_candidates(con, [wl], new_only=False)


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
    chosen = [h for h in hits if (h.watchlist.name, h.article.story_id) in alerted]
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
    changed = sync(con, wfile, now)
    counts = {"watch_matches": 0, "watch_signals": 0, "watch_alerts": 0, "watch_rematched": 0}
    if runs and wfile.watchlists:
        execute(con, Q + "candidates_of_runs", runs=runs)
        got = record(con, match_candidates(con, wfile.watchlists), run_id, now, recent_since)
        counts.update(
            watch_matches=got["matches"], watch_signals=got["signals"], watch_alerts=got["alerts"]
        )
    if changed:
        execute(con, Q + "candidates_since", since=midnight - timedelta(days=REMATCH_DAYS))
        got = record(con, match_candidates(con, changed), run_id, now, recent_since, rematch=True)
        counts["watch_rematched"] = got["matches"]
    return counts
