"""A chunk that fails whole, stored around the articles that fail alone.

One staged article can make DuckDB raise (a value it cannot take, a line too large to parse,
the memory a giant one needs). The chunk is then stored in halves, and a failing half in
halves, down to the articles that fail alone: each costs itself and an ``ingest_errors``
row (stage ``store``), the others are stored in their order, as the whole chunk would have
been. A handful of bad articles costs ~2 log2(n) tries each.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from newsmon.records import IngestError
from newsmon.staging import RunFolder
from newsmon.storage.db import execute, transaction

log = logging.getLogger(__name__)

StorePart = Callable[[Path, Path], dict[str, int]]  # (articles file, topics file) -> counts
COUNTS = ("articles_new", "articles_updated", "articles_unchanged", "stories_new")


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


def first_line(exc: BaseException) -> str:
    """The error's first line, without the staging file it names (a temporary file)."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return re.sub(r' (?:while reading|in) file "[^"]*"(?:, in line \d+)?', "", line)[:300]


def store_around(
    con: duckdb.DuckDBPyConnection,
    staged: RunFolder,
    chunk: int,
    articles: Path,
    now: datetime,
    first: BaseException,
    store_part: StorePart,
) -> None:
    """Store chunk ``chunk`` (its ``articles`` file), which failed whole with ``first``, around the articles that
    fail alone; ``store_part`` stores one part inside the transaction opened for it. More
    than ``MAX_BAD_PER_CHUNK`` failing alone is not a few bad articles: ``first`` is raised
    and the run fails as before (the next one reads its files again). A kill midway is safe:
    the chunk is recorded only at the end, and what its parts stored is then unchanged."""
    work = staged.path / f"around-{chunk:05d}"
    work.mkdir(exist_ok=True)
    halves = _Halves(staged.run_id, articles, staged.topics_file(chunk), work)
    halves.store(con, store_part, first)
    staged.write_errors(f"store-{chunk:05d}", halves.bad)  # ingest_errors rows at the end
    with transaction(con):
        execute(
            con,
            "storage/articles/record_chunk",
            run_id=staged.run_id,
            chunk=chunk,
            now=now,
            **halves.totals,
        )
    shutil.rmtree(work, ignore_errors=True)


class _Halves:
    """One failed chunk's lines, its topics by article, and what storing its parts gave."""

    def __init__(self, run_id: str, articles: Path, topics: Path, work: Path) -> None:
        self.run_id, self.articles = run_id, articles
        # "\n" only: a JSON string may hold a raw U+2028 or NEL, where splitlines() would cut
        self.lines = [ln for ln in articles.read_text(encoding="utf-8").split("\n") if ln.strip()]
        self.tags: dict[str | None, list[str]] = {}
        if topics.exists():
            for line in topics.read_text(encoding="utf-8").split("\n"):
                if line.strip():
                    self.tags.setdefault(staged_field(line, "article_id"), []).append(line)
        self.part_articles, self.part_topics = work / "articles.jsonl", work / "topics.jsonl"
        self.totals: dict[str, int] = dict.fromkeys(COUNTS, 0)
        self.bad: list[dict[str, Any]] = []

    def store(
        self, con: duckdb.DuckDBPyConnection, store_part: StorePart, first: BaseException
    ) -> None:
        n = len(self.lines)
        if n == 1:  # the whole chunk is the article that fails
            self._attempt(con, store_part, first, 0, 1)
        else:
            self._attempt(con, store_part, first, 0, n // 2)
            self._attempt(con, store_part, first, n // 2, n)

    def _attempt(
        self,
        con: duckdb.DuckDBPyConnection,
        store_part: StorePart,
        first: BaseException,
        lo: int,
        hi: int,
    ) -> None:
        part = self.lines[lo:hi]
        self.part_articles.write_text("\n".join(part) + "\n", encoding="utf-8")
        ids = {staged_field(line, "article_id") for line in part}
        self.part_topics.write_text(
            "".join(t + "\n" for i in ids for t in self.tags.get(i, ())), encoding="utf-8"
        )
        try:
            with transaction(con):
                counts = store_part(self.part_articles, self.part_topics)
        except ITEM_ERRORS as exc:
            if hi - lo > 1:
                mid = (lo + hi) // 2
                self._attempt(con, store_part, first, lo, mid)
                self._attempt(con, store_part, first, mid, hi)
                return
            origin = staged_field(part[0], "origin") or f"{self.articles}#L{lo + 1}"
            reason = f"could not be stored: {first_line(exc)}"
            self.bad.append(IngestError(origin, "store", reason).to_dict())
            log.warning(
                "store %s: %s could not be stored: %s", self.run_id, origin, first_line(exc)
            )
            if len(self.bad) > MAX_BAD_PER_CHUNK:
                raise first from exc
            return
        for key in self.totals:
            self.totals[key] += counts[key]


def staged_field(line: str, name: str) -> str | None:
    """One string field of a staged line, or None where the line does not parse."""
    try:
        value = json.loads(line).get(name)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
