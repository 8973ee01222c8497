"""Find articles by words: BM25 over stemmed English, Russian and Ukrainian words, offline.

The index lives in plain tables (``search_docs``, ``search_terms``, ``search_vocab``),
kept by the store stage for every new or changed article; the ranking is the SQL table
macro ``search_articles(q)`` (``include/sql/views/050_search.sql``), so analysts get the
same results from any DuckDB client: ``select * from search_articles('повістки')``. No
extension is loaded: DuckDB's ``fts`` would need a download, and its PyPI packages are
built for DuckDB 1.5, not the 2.0 the pipeline writes with.

:func:`search` adds the filters and a snippet with the matched words in ``[brackets]``.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import date
from functools import lru_cache
from typing import Any

import duckdb

from newsmon.config import Settings
from newsmon.storage.db import execute, transaction
from newsmon.storage.readcopy import open_read

log = logging.getLogger(__name__)

INDEX_STEPS = ("index", "add_docs", "add_terms", "add_vocab")


def index_missing(con: duckdb.DuckDBPyConnection, batch: int = 5000) -> int:
    """Index every stored article the index lacks (a database made before it existed);
    the number indexed. The store stage calls it, so an upgraded database becomes
    searchable with its next run."""
    done = 0
    while True:
        execute(con, "storage/search/missing_incoming", limit=batch)
        n = execute(con, "storage/search/incoming_size").fetchone()[0]
        if not n:
            return done
        for step in INDEX_STEPS:
            execute(con, f"storage/search/{step}")
        done += n


COMPACT_GROWTH = 0.2  # postings appended since the last compaction, as a share of it then
COMPACT_MIN = 2_000_000  # postings (~10,000 articles): a smaller index is read whole quickly


def compaction_due(postings: int, at_last: int) -> bool:
    """Whether an index of ``postings`` that held ``at_last`` at its last compaction (0:
    never) is to be rewritten: past COMPACT_MIN, once the postings appended since reach
    COMPACT_GROWTH of it. Each compaction sorts the whole index, and they come
    geometrically less often as it grows."""
    return postings >= COMPACT_MIN and postings - at_last > COMPACT_GROWTH * at_last


def compact(con: duckdb.DuckDBPyConnection) -> float:
    """Rewrite the search index in term order (``storage/search/compact.sql``), in one
    transaction; the seconds it took."""
    began = time.perf_counter()
    with transaction(con):
        execute(con, "storage/search/compact")
        seconds = time.perf_counter() - began
        execute(con, "storage/search/compacted", seconds=seconds)
    return seconds


def compact_if_due(con: duckdb.DuckDBPyConnection) -> float | None:
    """:func:`compact` when :func:`compaction_due`; its seconds, or None. A failure (a full
    disk) is logged, never raised: its transaction rolls back, the index stays as it was
    and answers the same, and the run it ends has done its work."""
    postings, at_last = execute(con, "storage/search/compaction_due").fetchone()
    if not compaction_due(postings, at_last):
        return None
    try:
        seconds = compact(con)
    except (duckdb.Error, OSError) as exc:
        log.warning("search index not compacted (it answers the same, more slowly): %s", exc)
        return None
    log.info("search index rewritten in term order: %d postings in %.1fs", postings, seconds)
    return seconds


def search(settings: Settings, query: str, **filters: Any) -> list[dict[str, Any]]:
    """The best matches on the analyst copy, best first, each with a snippet; ``filters`` as
    :func:`search_on` takes them (topic, since, until, lang, source, limit)."""
    filters.setdefault("limit", 10)
    with open_read(settings) as con:
        rows, prefixes = search_on(con, query, **filters)
    for row in rows:
        row["snippet"] = snippet(row.pop("text"), prefixes)
    return rows


def search_on(
    con: duckdb.DuckDBPyConnection,
    query: str,
    *,
    topic: str | None = None,
    since: date | None = None,
    until: date | None = None,
    lang: str | None = None,
    source: str | None = None,
    limit: int = 10,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The matching rows (with their text) and the word prefixes the query matched by, on an
    open connection (the console holds one per page)."""
    filters = {"topic": topic, "since": since, "until": until, "lang": lang, "source": source}
    if any(v is not None for v in filters.values()):
        cur = execute(con, "storage/search/query", q=query, limit=limit, **filters)
    else:  # the best from the index's scores first, then their articles
        cur = execute(con, "storage/search/query_unfiltered", q=query, limit=limit)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    prefixes = [p for (p,) in execute(con, "storage/search/prefixes", q=query).fetchall()]
    return rows, prefixes


def snippet(text: str, prefixes: list[str], width: int = 160) -> str:
    """The stretch of ``text`` around its first matched word, matched words in [brackets]."""
    return "".join(
        f"[{part}]" if hit else part for part, hit in snippet_parts(text, prefixes, width)
    )


def snippet_parts(text: str, prefixes: list[str], width: int = 160) -> list[tuple[str, bool]]:
    """:func:`snippet` as ``(text, matched)`` parts, for a caller that marks matches its own
    way (the console's ``<mark>``); white space folded, an ellipsis where the text goes on."""
    folded = text.lower().replace("ё", "е")
    if len(folded) != len(text):  # a few letters grow when lowercased: keep offsets true
        folded = "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("ё", "е")
    words = _prefix_pattern(tuple(prefixes))
    first = words.search(folded) if words else None
    start = max(0, first.start() - width // 3) if first else 0
    end = min(len(text), start + width)
    parts: list[tuple[str, bool]] = [("\u2026", False)] if start > 0 else []
    pos = start
    for m in words.finditer(folded, start) if words else ():
        if m.end() > end:  # whole words only: one cut by the window is left plain
            break
        parts += [(text[pos : m.start()], False), (text[m.start() : m.end()], True)]
        pos = m.end()
    parts.append((text[pos:end], False))
    if end < len(text):
        parts.append(("\u2026", False))
    out: list[tuple[str, bool]] = []
    for part, hit in parts:  # fold white space as a line of text
        part = " ".join(part.split()) if hit else _fold_spaces(part)
        if part:
            out.append((part, hit))
    lead = 1 if start > 0 else 0  # no space at either end, nor beside an ellipsis there
    trail = len(out) - (2 if end < len(text) else 1)
    if 0 <= lead < len(out) and not out[lead][1]:
        out[lead] = (out[lead][0].lstrip(), False)
    if 0 <= trail < len(out) and not out[trail][1]:
        out[trail] = (out[trail][0].rstrip(), False)
    return [p for p in out if p[0]]


@lru_cache(maxsize=256)
def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole words that start with one of ``prefixes`` (one regex: a long text is scanned
    once in C, not word by word)."""
    if not prefixes:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(set(prefixes), key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*")


def _fold_spaces(part: str) -> str:
    """Runs of white space as one space, keeping one at either end where there was one."""
    if not part.strip():
        return " " if part else ""
    lead = " " if part[0].isspace() else ""
    trail = " " if part[-1].isspace() else ""
    return lead + " ".join(part.split()) + trail
