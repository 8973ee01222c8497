"""Store one run's staged articles, topics and errors in DuckDB, idempotently.

An article whose id (canonical URL, else content hash) is stored with the same content hash
is *unchanged* and costs nothing; with another hash it is *changed*: its text and topics are
replaced, its story and first-seen time kept; a *new* article gets its story from
:mod:`newsmon.storage.stories`.
Each staging chunk is written in one transaction and recorded in ``run_chunks``; the run's
errors, file bookkeeping and status go in a last one. A retried store skips the chunks
already written and a run already stored is not stored again, so nothing is duplicated or
dropped. Every statement is a file in ``include/sql/queries``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from newsmon import progress
from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.staging import RunFolder, count_lines, max_json_object
from newsmon.storage import runs
from newsmon.storage.bad_articles import ITEM_ERRORS, first_line, store_around
from newsmon.storage.db import execute, transaction
from newsmon.storage.search import INDEX_STEPS, index_missing
from newsmon.storage.stories import assign_incoming

log = logging.getLogger(__name__)


def store_run(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    staged: RunFolder,
    taxonomy_version: str,
    now: datetime,
) -> dict[str, Any]:
    """Store one run's staging folder, chunk by chunk; a run stored before returns its counts.

    Each chunk (``articles-NNNNN.jsonl`` with its ``topics-NNNNN.jsonl``) is one
    transaction and is recorded in ``run_chunks``, so memory stays bounded by the chunk size
    and a retried store skips the chunks already written. Errors, file bookkeeping and the
    run's status go in last, in one more transaction.
    """
    run_id = staged.run_id
    if runs.status(con, run_id) not in ("loaded", "success"):
        todo = _unstored(con, staged)
        with progress.stage("store", total=len(todo), unit="chunk") as step:
            for chunk, articles in todo:
                _store_one(con, settings, staged, chunk, articles, taxonomy_version, now)
                step(1)
        with transaction(con):
            _finish(con, staged, now)
            upsert_regions(con, settings)
        with transaction(con):
            backfilled = index_missing(con)
        if backfilled:
            log.info("search index: %d stored articles indexed that it did not hold", backfilled)
    row = execute(con, "storage/runs/load_counts", run_id=run_id).fetchone()
    keys = ("articles_new", "articles_updated", "articles_unchanged", "stories_new", "errors")
    counts = {"run_id": run_id} | dict(zip(keys, row or (0, 0, 0, 0, 0), strict=True))
    log.info("store %s: %s", run_id, counts)
    return counts


def store_ready(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    staged: RunFolder,
    taxonomy_version: str,
    now: datetime,
) -> list[int]:
    """Store the chunks staged so far, tagged, that are not stored yet, while the read stage
    is still staging the rest; the chunk numbers stored. :func:`store_run` stores what is
    left and finishes the run. A chunk's files appear whole (renamed into place), its topics
    file before its articles file, and in order, so what is seen is complete, and an article
    meets every earlier one of the run as it would in one store."""
    if runs.status(con, staged.run_id) in ("loaded", "success"):
        return []
    done: list[int] = []
    for chunk, articles in _unstored(con, staged):
        if not staged.topics_file(chunk).exists():  # left for store_run to tag
            break
        _store_one(con, settings, staged, chunk, articles, taxonomy_version, now)
        log.info("store %s: chunk %d stored while reading", staged.run_id, chunk)
        done.append(chunk)
    return done


def _unstored(con: duckdb.DuckDBPyConnection, staged: RunFolder) -> list[tuple[int, Path]]:
    done = {
        r[0]
        for r in execute(con, "storage/articles/loaded_chunks", run_id=staged.run_id).fetchall()
    }
    return [
        (chunk, articles)
        for chunk, articles in staged.article_chunks()
        if chunk not in done and articles.stat().st_size > 0
    ]


def _store_one(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    staged: RunFolder,
    chunk: int,
    articles: Path,
    taxonomy_version: str,
    now: datetime,
) -> None:
    checkpoint("store")
    topics = staged.topics_file(chunk)
    try:
        with transaction(con):
            counts = _store_chunk(
                con, settings, articles, topics, taxonomy_version, now, staged.run_id
            )
            execute(
                con,
                "storage/articles/record_chunk",
                run_id=staged.run_id,
                chunk=chunk,
                now=now,
                **counts,
            )
    except ITEM_ERRORS as exc:
        log.warning(
            "store %s: chunk %d failed whole (%s); storing it around the articles that fail",
            staged.run_id,
            chunk,
            first_line(exc),
        )
        store_around(
            con,
            staged,
            chunk,
            articles,
            now,
            exc,
            lambda part, tags: _store_chunk(
                con, settings, part, tags, taxonomy_version, now, staged.run_id
            ),
        )


def _store_chunk(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    articles_file: Path,
    topics_file: Path,
    taxonomy_version: str,
    now: datetime,
    run_id: str,
) -> dict[str, int]:
    """Store one staged articles file and its topics file; the counts ``record_chunk``
    takes."""
    execute(
        con,
        "storage/articles/incoming_articles",
        articles=str(articles_file),
        max_object=max_json_object(articles_file),
    )
    states = dict(execute(con, "storage/articles/incoming_states").fetchall())
    mapping = assign_incoming(con, settings)
    if states.get("changed"):  # their old words leave the index (new articles have none)
        for step in ("forget", "forget_terms", "forget_docs"):
            execute(con, f"storage/search/{step}")
    execute(con, "storage/articles/update_articles", now=now, run_id=run_id)  # the changed ones
    execute(con, "storage/articles/insert_articles", now=now, run_id=run_id)  # the new ones
    for step in INDEX_STEPS:
        execute(con, f"storage/search/{step}")
    execute(con, "storage/articles/insert_stories", now=now, run_id=run_id)
    execute(con, "storage/articles/update_story_counts", now=now)
    execute(con, "storage/articles/insert_story_reps")
    execute(con, "storage/articles/clear_topics")
    execute(con, "storage/articles/clear_regions")
    if topics_file.exists() and topics_file.stat().st_size > 0:
        execute(
            con,
            "storage/articles/incoming_tags",
            topics=str(topics_file),
            max_object=max_json_object(topics_file),
        )
        execute(con, "storage/articles/incoming_topics")
        execute(con, "storage/articles/insert_topics", taxonomy_version=taxonomy_version, now=now)
        execute(con, "storage/articles/incoming_regions")
        execute(
            con,
            "storage/articles/insert_regions",
            gazetteer_version=_gazetteer_version(settings),
            now=now,
        )
    return {
        "articles_new": states.get("new", 0),
        "articles_updated": states.get("changed", 0),
        "articles_unchanged": states.get("unchanged", 0),
        "stories_new": sum(1 for _, is_new in mapping.values() if is_new),
    }


def _gazetteer_version(settings: Settings) -> str:
    from newsmon.tagging.regions import load_gazetteer

    return load_gazetteer(settings.regions_path).version


def upsert_regions(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The gazetteer's regions into ``regions``, so SQL can name them."""
    from newsmon.tagging.regions import load_gazetteer

    regions = load_gazetteer(settings.regions_path).regions
    execute(
        con,
        "storage/articles/upsert_regions",
        codes=list(regions),
        names=[str(r.get("name", c)) for c, r in regions.items()],
        statuses=[r.get("status") for r in regions.values()],
        types=[r.get("type") for r in regions.values()],
    )


def _finish(con: duckdb.DuckDBPyConnection, staged: RunFolder, now: datetime) -> None:
    run_id = staged.run_id
    error_files = staged.error_files()
    errors = sum(count_lines(Path(p)) for p in error_files)
    if error_files:
        execute(con, "storage/articles/upsert_errors", now=now, run_id=run_id, errors=error_files)
    results = staged.file_results()
    if results is not None:  # files were read: remember them, so unchanged ones are skipped
        documents = execute(
            con, "storage/articles/file_documents", results=str(results)
        ).fetchone()[0]
        execute(
            con,
            "storage/articles/upsert_source_files",
            now=now,
            run_id=run_id,
            results=str(results),
        )
    else:  # pages were fetched or re-extracted: the documents are the articles staged
        documents = staged.articles_count()
    for table, query in (
        ("feed-state", "fetch/upsert_feed_state"),
        ("fetched", "fetch/upsert_fetched_urls"),
        ("robots", "fetch/upsert_robots"),
        ("telegram-channels", "fetch/upsert_telegram_channels"),
        ("telegram-posts", "fetch/upsert_telegram_posts"),
        ("retries", "fetch/upsert_fetch_retries"),
        ("retries", "fetch/done_fetch_retries"),
    ):
        files = staged.fetch_tables(table)
        if files:
            execute(con, query, files=files)
    execute(con, "storage/runs/loaded", run_id=run_id, documents=documents, errors=errors, now=now)
