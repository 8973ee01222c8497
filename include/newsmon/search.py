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

import re
from datetime import date
from typing import Any

import duckdb

from newsmon.config import Settings
from newsmon.db import run
from newsmon.readcopy import open_read

_WORD = re.compile(r"[^\W_]+")
INDEX_STEPS = ("index", "add_docs", "add_terms", "add_vocab")


def index_missing(con: duckdb.DuckDBPyConnection, batch: int = 5000) -> int:
    """Index every stored article the index lacks (a database made before it existed);
    the number indexed. The store stage calls it, so an upgraded database becomes
    searchable with its next run."""
    done = 0
    while True:
        run(con, "search/missing_stage", limit=batch)
        n = run(con, "search/stage_size").fetchone()[0]
        if not n:
            return done
        for step in INDEX_STEPS:
            run(con, f"search/{step}")
        done += n


def search(
    settings: Settings,
    query: str,
    *,
    topic: str | None = None,
    since: date | None = None,
    lang: str | None = None,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """The best matches on the analyst copy, best first, each with a snippet."""
    with open_read(settings) as con:
        cur = run(con, "search/query", q=query, topic=topic, since=since, lang=lang, limit=limit)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        prefixes = [p for (p,) in run(con, "search/prefixes", q=query).fetchall()]
    for row in rows:
        row["snippet"] = snippet(row.pop("text"), prefixes)
    return rows


def snippet(text: str, prefixes: list[str], width: int = 160) -> str:
    """The stretch of ``text`` around its first matched word, matched words in [brackets]."""
    folded = text.lower().replace("ё", "е")
    hits = [m for m in _WORD.finditer(folded) if any(m.group().startswith(p) for p in prefixes)]
    if not hits:
        return " ".join(text[:width].split())
    start = max(0, hits[0].start() - width // 3)
    end = min(len(text), start + width)
    out, pos = [], start
    for m in hits:
        if m.start() < start or m.end() > end:
            continue
        out += [text[pos : m.start()], "[", text[m.start() : m.end()], "]"]
        pos = m.end()
    out.append(text[pos:end])
    body = " ".join("".join(out).split())
    return ("\u2026" if start > 0 else "") + body + ("\u2026" if end < len(text) else "")
