"""Store one run's staged articles, topics and errors in DuckDB, idempotently.

Identity and story assignment:
- an article whose id (canonical URL, else content hash) is stored with the same content
  hash is *unchanged* and costs nothing; with another hash it is *changed*: its text and
  topics are replaced, its story and first-seen time kept;
- a *new* article joins the story of a stored article with the same content hash (an exact
  copy), else the story whose representative (the article that started it) is most similar
  to it, else starts a story. Candidates share an LSH band with it and are compared inside
  DuckDB (``story_matches.sql``); only those whose estimated Jaccard similarity reaches
  ``dedup.threshold`` come back to Python. Comparing with one representative per story,
  not every copy, keeps the work per article from growing with the copies stored.
Each staging chunk is written in one transaction and recorded in ``run_chunks``; the run's
errors, file bookkeeping and status go in a last one. A retried store skips the chunks
already written and a run already stored is not stored again, so nothing is duplicated or
dropped. Every statement is a file in ``include/sql/queries``.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from newsmon import progress
from newsmon.article.identity import norm_words
from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.records import IngestError
from newsmon.staging import RunFolder, count_lines, max_json_object
from newsmon.storage import runs
from newsmon.storage.db import run, transaction
from newsmon.storage.search import INDEX_STEPS, index_missing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    other: str  # a stored story's id, or an earlier new article's id
    stored: bool
    sim: float
    quote: bool = False  # the new article is a short text whose wording is in ``other``


def assign_stories(
    new: list[tuple[str, str]],
    exact: dict[str, str],
    matches: dict[str, list[Match]],
) -> dict[str, tuple[str, bool]]:
    """``article_id -> (story_id, starts_a_new_story)`` for the new articles, in run order.

    ``new`` is ``(article_id, content_hash)`` in run order; ``exact`` maps content hashes
    to stored stories; ``matches`` maps a new article to the stored stories and earlier new
    articles similar enough to it. An article joins the story of an exact copy, else of its
    most similar match that represents a story (a stored story, or an earlier new article
    that started one), else starts its own: so the outcome does not depend on how the run
    is cut into chunks.
    """
    out: dict[str, tuple[str, bool]] = {}
    seen_hash: dict[str, str] = dict(exact)
    for article, text_hash in new:
        story = seen_hash.get(text_hash)
        found = matches.get(article, ())
        if story is None and found and all(m.quote for m in found):
            story = _quoted_story(found, out)
        if story is None:
            best = 0.0
            for m in found:
                if m.quote:
                    continue
                if m.stored:
                    candidate: str | None = m.other
                else:
                    earlier = out.get(m.other)
                    candidate = m.other if earlier and earlier[1] else None
                if candidate and (m.sim > best or (m.sim == best and story and candidate < story)):
                    story, best = candidate, m.sim
        is_new = story is None
        story = story or article
        out[article] = (story, is_new)
        seen_hash.setdefault(text_hash, story)
    return out


def _quoted_story(quotes: Iterable[Match], out: dict[str, tuple[str, bool]]) -> str | None:
    """The story a short text quoting these articles joins: theirs, when they are all of one
    story. A text whose wording is in articles of two or more stories repeats stock
    sentences (a decree's date, an official's line), not one story: it starts its own."""
    stories = {
        m.other if m.stored else out[m.other][0] for m in quotes if m.stored or m.other in out
    }
    return stories.pop() if len(stories) == 1 else None


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
    row = run(con, "storage/runs/load_counts", run_id=run_id).fetchone()
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
        r[0] for r in run(con, "storage/articles/loaded_chunks", run_id=staged.run_id).fetchall()
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
            run(
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
            _first_line(exc),
        )
        _store_around(con, settings, staged, chunk, articles, taxonomy_version, now, exc)


# What one staged article can make DuckDB raise (a value it cannot take, a line too large
# to parse, the memory a giant one needs): a chunk that fails with one of these is stored
# around the articles that fail alone. Anything else (the disk, the lock, a lost database)
# fails the run, and the next run reads its files again.
ITEM_ERRORS = (
    duckdb.InvalidInputException,
    duckdb.ConversionException,
    duckdb.OutOfRangeException,
    duckdb.ConstraintException,
    duckdb.TypeMismatchException,
    duckdb.OutOfMemoryException,
)
MAX_BAD_PER_CHUNK = 10  # more articles failing alone than this is not a few bad articles


def _first_line(exc: BaseException) -> str:
    """The error's first line, without the staging file it names (a temporary file)."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return re.sub(r' (?:while reading|in) file "[^"]*"(?:, in line \d+)?', "", line)[:300]


def _store_around(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    staged: RunFolder,
    chunk: int,
    articles: Path,
    taxonomy_version: str,
    now: datetime,
    first: BaseException,
) -> None:
    """Store a chunk that failed whole in halves, and a failing half in halves, down to the
    articles that fail alone: each costs itself and an ``ingest_errors`` row (stage
    ``store``), the others are stored in their order, as the whole chunk would have been.
    A handful of bad articles costs ~2 log2(n) tries each. More than
    ``MAX_BAD_PER_CHUNK`` failing alone is not a few bad articles: ``first`` is raised and
    the run fails as before (the next one reads its files again). A kill midway is safe:
    the chunk is recorded only at the end, and what its parts stored is then unchanged."""
    # "\n" only: a JSON string may hold a raw U+2028 or NEL, where splitlines() would cut
    lines = [ln for ln in articles.read_text(encoding="utf-8").split("\n") if ln.strip()]
    tags: dict[str | None, list[str]] = {}
    topics = staged.topics_file(chunk)
    if topics.exists():
        for line in topics.read_text(encoding="utf-8").split("\n"):
            if line.strip():
                tags.setdefault(_field(line, "article_id"), []).append(line)
    work = staged.path / f"around-{chunk:05d}"
    work.mkdir(exist_ok=True)
    part_articles, part_topics = work / "articles.jsonl", work / "topics.jsonl"
    totals: dict[str, int] = dict.fromkeys(
        ("articles_new", "articles_updated", "articles_unchanged", "stories_new"), 0
    )
    bad: list[dict[str, Any]] = []

    def attempt(lo: int, hi: int) -> None:
        part = lines[lo:hi]
        part_articles.write_text("\n".join(part) + "\n", encoding="utf-8")
        ids = {_field(line, "article_id") for line in part}
        part_topics.write_text(
            "".join(t + "\n" for i in ids for t in tags.get(i, ())), encoding="utf-8"
        )
        try:
            with transaction(con):
                counts = _store_chunk(
                    con, settings, part_articles, part_topics, taxonomy_version, now, staged.run_id
                )
        except ITEM_ERRORS as exc:
            if hi - lo > 1:
                mid = (lo + hi) // 2
                attempt(lo, mid)
                attempt(mid, hi)
                return
            origin = _field(part[0], "origin") or f"{articles}#L{lo + 1}"
            bad.append(
                IngestError(origin, "store", f"could not be stored: {_first_line(exc)}").to_dict()
            )
            log.warning(
                "store %s: %s could not be stored: %s", staged.run_id, origin, _first_line(exc)
            )
            if len(bad) > MAX_BAD_PER_CHUNK:
                raise first from exc
            return
        for key in totals:
            totals[key] += counts[key]

    if len(lines) == 1:  # the whole chunk is the article that fails
        attempt(0, 1)
    else:
        attempt(0, len(lines) // 2)
        attempt(len(lines) // 2, len(lines))
    staged.write_errors(f"store-{chunk:05d}", bad)  # ingest_errors rows when the run finishes
    with transaction(con):
        run(
            con,
            "storage/articles/record_chunk",
            run_id=staged.run_id,
            chunk=chunk,
            now=now,
            **totals,
        )
    shutil.rmtree(work, ignore_errors=True)


def _field(line: str, name: str) -> str | None:
    """One string field of a staged line, or None where the line does not parse."""
    try:
        value = json.loads(line).get(name)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


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
    run(
        con,
        "storage/articles/stage_articles",
        articles=str(articles_file),
        max_object=max_json_object(articles_file),
    )
    states = dict(run(con, "storage/articles/stage_states").fetchall())
    new = run(con, "storage/articles/stage_new").fetchall()
    exact = dict(run(con, "storage/articles/stage_exact_copies").fetchall())
    matches: dict[str, list[Match]] = {}
    for article, other, stored, sim in run(
        con,
        "storage/articles/story_matches",
        threshold=settings.dedup.threshold,
        window_days=settings.dedup.window_days,
    ).fetchall():
        matches.setdefault(article, []).append(Match(other, stored, sim))
    # a post that links to an article (stored, or earlier in this run) is that article's story
    for article, other, stored in run(con, "storage/articles/story_links").fetchall():
        matches.setdefault(article, []).append(Match(other, stored, 1.0))
    # a short text that quotes an article (a post repeating its lead), stored or earlier in
    # this chunk, is its story too
    for article, quotes in quoted_stories(con, settings, new, exact, matches).items():
        matches.setdefault(article, []).extend(quotes)
    mapping = assign_stories(new, exact, matches)
    run(
        con,
        "storage/articles/story_map",
        article_ids=list(mapping),
        story_ids=[s for s, _ in mapping.values()],
        new_story=[n for _, n in mapping.values()],
    )
    if states.get("changed"):  # their old words leave the index (new articles have none)
        for step in ("forget", "forget_terms", "forget_docs"):
            run(con, f"storage/search/{step}")
    run(con, "storage/articles/update_articles", now=now, run_id=run_id)  # the changed ones
    run(con, "storage/articles/insert_articles", now=now, run_id=run_id)  # the new ones
    for step in INDEX_STEPS:
        run(con, f"storage/search/{step}")
    run(con, "storage/articles/insert_stories", now=now, run_id=run_id)
    run(con, "storage/articles/update_story_counts", now=now)
    run(con, "storage/articles/insert_story_reps")
    run(con, "storage/articles/clear_topics")
    run(con, "storage/articles/clear_regions")
    if topics_file.exists() and topics_file.stat().st_size > 0:
        run(
            con,
            "storage/articles/stage_tags",
            topics=str(topics_file),
            max_object=max_json_object(topics_file),
        )
        run(con, "storage/articles/stage_topics")
        run(con, "storage/articles/insert_topics", taxonomy_version=taxonomy_version, now=now)
        run(con, "storage/articles/stage_regions")
        run(
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


QUOTE_MAX_CHARS = 800  # texts this short (posts, not articles) are checked for quoting one
QUOTE_SHARE = 0.6  # of the short text's 5-word phrases found in the article
QUOTE_SIM = 0.95  # the similarity a verified quote counts as (near duplicates reach 1.0)


def _phrases(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = norm_words(text)
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def quoted_stories(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    new: list[tuple[str, str]],
    exact: dict[str, str],
    matches: dict[str, list[Match]],
) -> dict[str, list[Match]]:
    """``article_id -> quote matches`` for short new texts with no other match whose wording
    is mostly in an article: at least QUOTE_SHARE of their 5-word phrases, among the stored
    articles the search index finds holding 80% of their word stems (a match to its story)
    and the earlier new articles of this chunk that hold them (a match to the article,
    whose story is known only as the chunk is assigned). Near-duplicate signatures cannot
    see it: a post of two sentences and the long article it quotes share too small a part
    of their union. :func:`_quoted_story` decides which story, if any, the text joins."""
    ids = [a for a, h in new if a not in matches and h not in exact]
    if not ids:
        return {}
    short = {
        a: t
        for a, t in con.execute(
            "select article_id, text from stage where list_contains($ids::varchar[], article_id)"
            " and chars <= $limit",
            {"ids": ids, "limit": QUOTE_MAX_CHARS},
        ).fetchall()
    }
    if not short:
        return {}
    found: dict[str, dict[tuple[str, bool], float]] = {}  # short text -> (other, stored) -> share
    mine = {a: _phrases(t) for a, t in short.items()}

    def check(article: str, other: str, stored: bool, text: str) -> None:
        if len(mine[article]) < 4:
            return
        share = len(mine[article] & _phrases(text)) / len(mine[article])
        if share >= QUOTE_SHARE:
            hits = found.setdefault(article, {})
            hits[(other, stored)] = max(share, hits.get((other, stored), 0.0))

    window = settings.dedup.window_days
    run(con, "storage/articles/quote_terms", ids=list(short))
    floor = run(
        con, "storage/articles/quote_floor", ids=list(short), window_days=window
    ).fetchone()[0]
    for article, story, text, _shared, _n in run(
        con,
        "storage/articles/quote_candidates",
        ids=list(short),
        window_days=window,
        doc_floor=floor,
    ).fetchall():
        check(article, story, True, text)
    for article, other, text in run(
        con, "storage/articles/quote_candidates_in_chunk", ids=list(short), window_days=window
    ).fetchall():
        check(article, other, False, text)
    return {
        a: [Match(other, stored, QUOTE_SIM, quote=True) for (other, stored) in sorted(hits)]
        for a, hits in found.items()
    }


def _gazetteer_version(settings: Settings) -> str:
    from newsmon.tagging.regions import load_gazetteer

    return load_gazetteer(settings.regions_path).version


def upsert_regions(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """The gazetteer's regions into ``regions``, so SQL can name them."""
    from newsmon.tagging.regions import load_gazetteer

    regions = load_gazetteer(settings.regions_path).regions
    run(
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
        run(con, "storage/articles/upsert_errors", now=now, run_id=run_id, errors=error_files)
    results = staged.file_results()
    if results is not None:  # files were read: remember them, so unchanged ones are skipped
        documents = run(con, "storage/articles/file_documents", results=str(results)).fetchone()[0]
        run(
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
            run(con, query, files=files)
    run(con, "storage/runs/loaded", run_id=run_id, documents=documents, errors=errors, now=now)
