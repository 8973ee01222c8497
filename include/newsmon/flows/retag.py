"""Tag every stored article again (after a taxonomy or gazetteer change), built beside the
live tags and swapped in.

1. Tables twin to ``article_topics`` and ``article_regions`` are created beside them, by
   their own DDL read from the catalog.
2. Every article is streamed from the database (a second cursor) to the read stage's worker
   processes and tagged; each batch of tags is written to a staging file and loaded into
   the twins in one short transaction, and the file removed. Memory stays DuckDB's usual
   buffer pool and staging one batch, whatever the archive's size (the old way staged every
   tag, then replaced every tag in one transaction, which DuckDB keeps until its commit:
   1.9 GB at 100,000 articles).
3. One short transaction swaps them in: the live tables are dropped and the twins take
   their names, the regions' names are refreshed.

Readers see the old tags until the swap and the new ones after it, never a mix; a retag
killed before the swap leaves the old tags as they were (its half-built twins are dropped
by the next retag). Signals are not raised: tags of old articles are history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newsmon import progress
from newsmon.alerting.atom_feeds import write_topic_feeds
from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.flows.workers import tag_stored
from newsmon.parallel import parallel_map
from newsmon.staging import RunFolder, max_json_object, write_jsonl
from newsmon.storage import runs
from newsmon.storage.articles import upsert_regions
from newsmon.storage.db import execute, open_db, transaction
from newsmon.storage.readcopy import publish
from newsmon.tagging.regions import load_gazetteer
from newsmon.tagging.taxonomy import load_taxonomy

log = logging.getLogger(__name__)

TWINS = {"article_topics": "retag_article_topics", "article_regions": "retag_article_regions"}


def retag(settings: Settings, batch: int = 5000) -> dict[str, Any]:
    """Re-tag every stored article with the current taxonomy and gazetteer; the articles
    tagged and each topic's count before and after."""
    staged = RunFolder(settings.staging_dir, runs.new_run_id("retag"))
    staged.path.mkdir(parents=True, exist_ok=True)
    try:
        with open_db(settings, compact=True) as con:  # every tag row is replaced: compact after
            before = dict(execute(con, "flows/retag/topic_counts").fetchall())
            indexes = _build_twins(con)
            n, failed = _tag_and_load(con, settings, staged, batch)
            for article_id, reason in failed[:20]:
                log.warning(
                    "retag: article %s keeps its old tags: tagging failed: %s", article_id, reason
                )
            checkpoint("retag-swap")
            with transaction(con):
                # an article whose tagging failed keeps the tags it had, not none
                kept = [a for a, _ in failed]
                execute(con, "flows/retag/keep_old_topics", ids=kept)
                execute(con, "flows/retag/keep_old_regions", ids=kept)
                execute(con, "flows/retag/swap")
                for ddl in indexes:
                    con.execute(ddl)
                upsert_regions(con, settings)
            after = dict(execute(con, "flows/retag/topic_counts").fetchall())
            publish(con, settings)
            write_topic_feeds(con, settings, runs.now())  # tags changed: so did the feeds
    finally:
        staged.remove()
    topics = sorted(set(before) | set(after))
    return {
        "articles": n,
        "kept_old_tags": len(failed),
        "taxonomy_version": load_taxonomy(settings.topics_path).version,
        "topics": {t: {"before": before.get(t, 0), "after": after.get(t, 0)} for t in topics},
    }


TAG_BATCH = 500  # articles a worker tags at a time


def _tag_and_load(
    con: Any, settings: Settings, staged: RunFolder, batch: int
) -> tuple[int, list[tuple[str, str]]]:
    """Tag every stored article on the read stage's worker processes and load the tags
    into the twins ``batch`` articles at a time (a tags file, one transaction, the file
    removed: staging holds one batch, not the archive's tags, 11 kB an article); the rows
    loaded, and ``(article_id, reason)`` of the articles whose tagging failed. The articles
    stream from a second cursor of the database, a few batches per worker ahead of the
    tagging, while this one writes."""
    versions = (
        load_taxonomy(settings.topics_path).version,
        load_gazetteer(settings.regions_path).version,
    )
    now = runs.now()
    reader = con.cursor()
    total = execute(reader, "flows/retag/article_count").fetchone()[0]
    cursor = execute(reader, "flows/retag/all_articles")

    def batches() -> Iterator[tuple[list[Any], int, Settings]]:
        seq = 0
        while rows := cursor.fetchmany(TAG_BATCH):
            yield rows, seq, settings
            seq += len(rows)

    def load(rows: list[dict], part: int) -> int:
        checkpoint("retag-load")
        path = staged.path / f"tags-{part:05d}.jsonl"
        written = write_jsonl(path, rows)
        with transaction(con):
            _load(con, path, *versions, now)
        path.unlink()
        return written

    n = parts = 0
    pending: list[dict] = []
    failed: list[tuple[str, str]] = []
    tagged = parallel_map(
        tag_stored, batches(), settings.ingest.workers, 2, 1, -(-total // TAG_BATCH)
    )
    with progress.stage("retag", total=total, unit="article") as step:
        for done, (rows, failures) in enumerate(tagged):
            pending += rows
            failed += failures
            step(min(TAG_BATCH, total - done * TAG_BATCH))
            if len(pending) >= batch:
                n += load(pending, parts)
                pending, parts = [], parts + 1
        if pending:
            n += load(pending, parts)
    reader.close()
    return n, failed


def _build_twins(con: Any) -> list[str]:
    """Empty twins of the live tag tables, created by their own DDL under the twins' names
    (a re-tag killed earlier left some: dropped first); the live tables' index DDL, to run
    once the twins have their names."""
    execute(con, "flows/retag/leftovers")
    indexes: list[str] = []
    for live, twin in TWINS.items():
        for kind, ddl in execute(con, "flows/retag/table_ddl", live=live, twin=twin).fetchall():
            if kind == "index":
                indexes.append(ddl)
            elif ddl.startswith(f"CREATE TABLE {twin}("):
                con.execute(ddl)
            else:  # the catalog wrote it another way: never build a twin on a guess
                raise RuntimeError(f"cannot build a twin of {live} from {ddl[:80]!r}")
    return indexes


def _load(con: Any, path: Path, taxonomy_version: str, gazetteer_version: str, now: Any) -> None:
    """One tags file's topics and regions into the twins."""
    execute(
        con, "storage/articles/incoming_tags", topics=str(path), max_object=max_json_object(path)
    )
    execute(con, "storage/articles/incoming_topics")
    execute(con, "flows/retag/insert_topics", taxonomy_version=taxonomy_version, now=now)
    execute(con, "storage/articles/incoming_regions")
    execute(con, "flows/retag/insert_regions", gazetteer_version=gazetteer_version, now=now)
