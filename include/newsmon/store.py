"""Write one run's staged articles, topics and errors to DuckDB, idempotently.

Identity and story assignment:
- an article whose id (canonical URL, else content hash) is stored with the same content
  hash is *unchanged* and costs nothing; with another hash it is *changed*: its text and
  topics are replaced, its story and first-seen time kept;
- a *new* article joins the story of a stored article with the same content hash (an exact
  copy), else of the most similar stored or earlier-in-run article sharing an LSH band
  whose estimated Jaccard similarity reaches ``dedup.threshold``, else starts a story.
Each staging chunk is written in one transaction and recorded in ``run_chunks``; the run's
errors, file bookkeeping and status go in a last one. A retried load skips the chunks already
written and a run already loaded is not loaded again, so nothing is duplicated or dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from newsmon.config import Settings
from newsmon.db import run
from newsmon.dedup import similarity

log = logging.getLogger(__name__)


@dataclass
class NewArticle:
    article_id: str
    content_hash: str
    signature: np.ndarray
    bands: list[int]


def assign_stories(
    new: list[NewArticle],
    exact: dict[str, str],
    candidates: dict[str, list[tuple[str, np.ndarray]]],
    threshold: float,
) -> dict[str, tuple[str, bool]]:
    """``article_id -> (story_id, starts_a_new_story)`` for the new articles, in run order.

    ``exact`` maps content hashes to stored stories; ``candidates`` maps a new article to
    the (story_id, signature) of stored articles sharing a band with it.
    """
    out: dict[str, tuple[str, bool]] = {}
    seen_hash: dict[str, str] = dict(exact)
    band_index: dict[int, list[tuple[str, np.ndarray]]] = {}
    for art in new:
        story = seen_hash.get(art.content_hash)
        if story is None:
            pool = list(candidates.get(art.article_id, ()))
            for key in art.bands:
                pool.extend(band_index.get(key, ()))
            best, best_sim = None, threshold
            for story_id, sig in pool:
                sim = similarity(art.signature, sig)
                if sim >= best_sim:
                    best, best_sim = story_id, sim
            story = best
        is_new = story is None
        story = story or art.article_id
        out[art.article_id] = (story, is_new)
        seen_hash.setdefault(art.content_hash, story)
        for key in art.bands:
            band_index.setdefault(key, []).append((story, art.signature))
    return out


def _count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def load_run(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: str,
    staging: Path,
    taxonomy_version: str,
    now: datetime,
) -> dict[str, Any]:
    """Load one run's staging folder, chunk by chunk; a run loaded before returns its counts.

    Each chunk (``articles-NNNNN.jsonl`` with its ``topics-NNNNN.jsonl``) is one
    transaction and is recorded in ``run_chunks``, so memory stays bounded by the chunk size
    and a retried load skips the chunks already written. Errors, file bookkeeping and the
    run's status go in last, in one more transaction.
    """
    done = con.execute("select status from pipeline_runs where run_id = ?", [run_id]).fetchone()
    if not (done and done[0] in ("loaded", "success")):
        loaded = {
            r[0]
            for r in con.execute(
                "select chunk from run_chunks where run_id = ?", [run_id]
            ).fetchall()
        }
        for articles in sorted(staging.glob("articles-*.jsonl")):
            chunk = int(articles.stem.split("-")[1])
            if chunk in loaded or articles.stat().st_size == 0:
                continue
            topics = staging / f"topics-{chunk:05d}.jsonl"
            _transaction(
                con,
                _load_chunk,
                con,
                settings,
                run_id,
                chunk,
                articles,
                topics,
                taxonomy_version,
                now,
            )
        _transaction(con, _finish, con, run_id, staging, now)
    row = con.execute(
        "select articles_new, articles_updated, articles_unchanged, stories_new, errors"
        " from pipeline_runs where run_id = ?",
        [run_id],
    ).fetchone()
    keys = ("articles_new", "articles_updated", "articles_unchanged", "stories_new", "errors")
    counts = {"run_id": run_id} | dict(zip(keys, row or (0, 0, 0, 0, 0), strict=True))
    log.info("load %s: %s", run_id, counts)
    return counts


def _transaction(con: duckdb.DuckDBPyConnection, work: Any, *args: Any) -> None:
    con.execute("begin transaction")
    try:
        work(*args)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _load_chunk(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    run_id: str,
    chunk: int,
    articles_file: Path,
    topics_file: Path,
    taxonomy_version: str,
    now: datetime,
) -> None:
    run(con, "stage_articles", articles=str(articles_file))
    states = dict(con.execute("select state, count(*) from stage group by state").fetchall())
    new = [
        NewArticle(a, h, np.asarray(sig, dtype=np.uint32), list(bands))
        for a, h, sig, bands in con.execute(
            "select article_id, content_hash, signature, bands from stage where state = 'new' order by seq"
        ).fetchall()
    ]
    exact = dict(
        con.execute(
            "select distinct on (a.content_hash) a.content_hash, a.story_id"
            " from articles as a join stage as s using (content_hash) where s.state = 'new'"
            " order by a.content_hash, a.first_seen_at"
        ).fetchall()
    )
    candidates: dict[str, list[tuple[str, np.ndarray]]] = {}
    for new_id, _old_id, story_id, sig in run(con, "story_candidates").fetchall():
        candidates.setdefault(new_id, []).append((story_id, np.asarray(sig, dtype=np.uint32)))
    mapping = assign_stories(new, exact, candidates, settings.dedup.threshold)
    con.execute(
        "create or replace temp table story_map as select unnest(?::varchar[]) as article_id,"
        " unnest(?::varchar[]) as story_id, unnest(?::boolean[]) as new_story",
        [list(mapping), [s for s, _ in mapping.values()], [n for _, n in mapping.values()]],
    )
    run(con, "upsert_articles", now=now, run_id=run_id)
    run(con, "insert_stories", now=now, run_id=run_id)
    run(con, "update_story_counts", now=now)
    con.execute(
        "insert into article_signatures select article_id, signature from stage where state = 'new'"
        " on conflict do nothing"
    )
    con.execute(
        "insert into article_bands select unnest(bands), article_id from stage where state = 'new'"
    )
    con.execute(
        "delete from article_topics where article_id in"
        " (select article_id from stage where state in ('new', 'changed'))"
    )
    if topics_file.exists() and topics_file.stat().st_size > 0:
        run(con, "stage_topics", topics=str(topics_file))
        con.execute(
            "insert into article_topics select t.article_id, t.topic, t.score, t.evidence, ?, ?"
            " from stage_topics as t join stage as s using (article_id) where s.state in ('new', 'changed')",
            [taxonomy_version, now],
        )
    con.execute(
        "insert into run_chunks values (?, ?, ?, ?, ?, ?, ?)",
        [
            run_id,
            chunk,
            states.get("new", 0),
            states.get("changed", 0),
            states.get("unchanged", 0),
            sum(1 for _, is_new in mapping.values() if is_new),
            now,
        ],
    )


def _finish(con: duckdb.DuckDBPyConnection, run_id: str, staging: Path, now: datetime) -> None:
    error_files = [str(p) for p in sorted(staging.glob("errors-*.jsonl")) if p.stat().st_size > 0]
    errors = sum(_count_lines(Path(p)) for p in error_files)
    if error_files:
        run(con, "upsert_errors", now=now, run_id=run_id, errors=error_files)
    results = staging / "file-results.jsonl"
    documents = 0
    if results.exists() and results.stat().st_size > 0:
        documents = con.execute(
            "select coalesce(sum(documents), 0) from read_json(?, format = 'newline_delimited',"
            " columns = {documents: 'integer'})",
            [str(results)],
        ).fetchone()[0]
        run(con, "upsert_source_files", now=now, run_id=run_id, results=str(results))
    else:  # a fetch run: the documents are the pages extracted
        documents = sum(_count_lines(p) for p in staging.glob("articles-*.jsonl"))
    for pattern, query in (
        ("feed-state-*.jsonl", "upsert_feed_state"),
        ("fetched-*.jsonl", "upsert_fetched_urls"),
        ("robots-*.jsonl", "upsert_robots"),
    ):
        files = [str(p) for p in sorted(staging.glob(pattern)) if p.stat().st_size > 0]
        if files:
            run(con, query, files=files)
    run(con, "finish_load", run_id=run_id, documents=documents, errors=errors)
