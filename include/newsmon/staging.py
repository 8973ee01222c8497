"""The hand-over between stages: one run's staging folder, and the only code that knows it.

``<staging_dir>/<run id>/`` holds JSON Lines files that the stages write and read, so DAG
tasks pass only run ids and counts through XCom:

| file | written by | read by |
|---|---|---|
| ``run.json`` | the first stage | every stage: the run's kind (``ingest``, ``fetch``, ``reextract``) |
| ``files.jsonl`` | discover | read |
| ``file-results.jsonl`` | read | store (``source_files``) |
| ``fetch-plan.json`` | plan_fetch | fetch batches |
| ``articles-NNNNN.jsonl`` | read / fetch batch *k* (chunks from *k* x 1000) | tag, store |
| ``topics-NNNNN.jsonl`` | tag, one per articles chunk | store |
| ``errors-<stage>.jsonl`` | any stage | store (``ingest_errors``) |
| ``feed-state-NNN``, ``fetched-NNN``, ``robots-NNN``, ``retries-NNN`` ``.jsonl`` | fetch batch *k* | store |

Every file is written to a temporary name and renamed, so a retried task never reads
half a file.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

CHUNKS_PER_BATCH = 1000  # chunk numbers of fetch batch k start at k * CHUNKS_PER_BATCH
FETCH_TABLES = (
    "feed-state",
    "fetched",
    "robots",
    "telegram-posts",
    "telegram-channels",
    "retries",
)


def safe_run_id(run_id: str) -> str:
    """A run id (``news_ingest__manual__2026-11-22T01:02:03+00:00``) as a folder-safe id."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_.") or "run"


def write_jsonl(path: Path, rows: Iterable[dict[str, Any] | str]) -> int:
    """Write rows (dicts, or lines already serialised) atomically; the number written."""
    with jsonl_writer(path) as write:
        for row in rows:
            write(row)
    return write.count


class JsonlWriter:
    """Writes one row (a dict, or a line already serialised) per call; counts them."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.count = 0

    def __call__(self, row: dict[str, Any] | str) -> None:
        self.fh.write(
            row if isinstance(row, str) else json.dumps(row, ensure_ascii=False, default=str)
        )
        self.fh.write("\n")
        self.count += 1


@contextmanager
def jsonl_writer(path: Path) -> Iterator[JsonlWriter]:
    """A JSON Lines file written row by row as the rows come (none held in memory), under a
    temporary name renamed when the block ends without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        yield JsonlWriter(fh)
    tmp.replace(path)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


JSON_OBJECT_DEFAULT = 16 << 20  # DuckDB's read_json maximum_object_size


def max_json_object(path: Path) -> int:
    """``maximum_object_size`` for reading a staged file: DuckDB's default, or its longest
    line where that is longer. A 20 MB page of quotes and backslashes stages a 40 MB line,
    and a file refused for one line failed every run that read it. Only a file larger
    than the default can hold such a line, and only such a file is scanned."""
    if path.stat().st_size <= JSON_OBJECT_DEFAULT:
        return JSON_OBJECT_DEFAULT
    with path.open("rb") as fh:
        longest = max((len(line) for line in fh), default=0)
    return max(JSON_OBJECT_DEFAULT, longest + 1024)


def _size(line: str | tuple[str, str | None]) -> int:
    if isinstance(line, tuple):
        return len(line[0].encode()) + (len(line[1].encode()) if line[1] else 0)
    return len(line.encode())


def _chunk(
    first: str | tuple[str, str | None],
    rows: Iterator[str | tuple[str, str | None]],
    count: int,
    max_bytes: int | None,
) -> Iterator[str | tuple[str, str | None]]:
    """``first`` and the rows after it, up to ``count`` lines or until they hold
    ``max_bytes`` (the line that reaches it is the chunk's last; a chunk has at least one)."""
    yield first
    size = _size(first) if max_bytes else 0
    for _ in range(count - 1):
        if max_bytes and size >= max_bytes:
            return
        row = next(rows, None)
        if row is None:
            return
        yield row
        if max_bytes:
            size += _size(row)


class RunFolder:
    """One run's staging folder."""

    def __init__(self, staging_dir: Path, run_id: str) -> None:
        self.run_id = run_id
        self.path = staging_dir / safe_run_id(run_id)

    # -- the run ---------------------------------------------------------------------------

    def start(self, kind: str) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "run.json").write_text(json.dumps({"kind": kind}), encoding="utf-8")

    @property
    def kind(self) -> str | None:
        try:
            return json.loads((self.path / "run.json").read_text(encoding="utf-8"))["kind"]
        except (OSError, ValueError, KeyError):
            return None

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def note_failure(self, error: str) -> None:
        """Leave the reason a task of this run failed, for the next writer to record
        (a task off the writer's machine must not open the database)."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f".failed.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"error": error[:2000]}), encoding="utf-8")
        os.replace(tmp, self.path / "failed.json")

    def noted_failure(self) -> str | None:
        try:
            return str(json.loads((self.path / "failed.json").read_text(encoding="utf-8"))["error"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    # -- discover -> read ------------------------------------------------------------------

    def write_files(self, refs: Iterable[dict[str, Any]]) -> int:
        return write_jsonl(self.path / "files.jsonl", refs)

    def files(self) -> Iterator[dict[str, Any]]:
        """The work items discover listed, read one at a time (there may be 100,000s)."""
        return read_jsonl(self.path / "files.jsonl")

    def file_results_writer(self) -> AbstractContextManager[JsonlWriter]:
        """:func:`jsonl_writer` of the read stage's per-file results, as they come."""
        return jsonl_writer(self.path / "file-results.jsonl")

    def errors_writer(self, stage: str) -> AbstractContextManager[JsonlWriter]:
        """:func:`jsonl_writer` of a stage's errors, as they come."""
        return jsonl_writer(self.path / f"errors-{stage}.jsonl")

    def file_results(self) -> Path | None:
        path = self.path / "file-results.jsonl"
        return path if path.exists() and path.stat().st_size > 0 else None

    # -- plan_fetch -> fetch batches -------------------------------------------------------

    def write_plan(self, plan: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / "fetch-plan.json.tmp"
        tmp.write_text(json.dumps(plan), encoding="utf-8")
        tmp.replace(self.path / "fetch-plan.json")

    def plan(self) -> dict[str, Any]:
        return json.loads((self.path / "fetch-plan.json").read_text(encoding="utf-8"))

    def write_fetch_table(self, table: str, batch: int, rows: Iterable[dict[str, Any]]) -> int:
        assert table in FETCH_TABLES
        return write_jsonl(self.path / f"{table}-{batch:03d}.jsonl", rows)

    def fetch_tables(self, table: str) -> list[str]:
        return self._nonempty(f"{table}-*.jsonl")

    # -- articles and topics chunks --------------------------------------------------------

    def write_articles(
        self,
        lines: Iterable[str | tuple[str, str | None]],
        batch_size: int,
        *,
        batch: int = 0,
        max_bytes: int | None = None,
    ) -> int:
        """Write ``articles-NNNNN.jsonl`` chunks of ``batch_size`` lines, or fewer where their
        lines reach ``max_bytes`` (long pages: a chunk is one database transaction, and the
        writer's memory is capped); the first chunk is numbered ``batch * CHUNKS_PER_BATCH``.
        Chunks of an earlier try of the same batch go.

        Lines given as ``(article, topics or None)`` pairs are tagged already: their
        ``topics-NNNNN.jsonl`` is written beside each chunk."""
        for chunk, _ in self.article_chunks():
            if chunk // CHUNKS_PER_BATCH == batch:
                self._articles(chunk).unlink()
                self._topics(chunk).unlink(missing_ok=True)
        rows = iter(lines)
        n = 0
        for chunk in itertools.count(batch * CHUNKS_PER_BATCH):
            first = next(rows, None)
            if first is None:
                return n
            # streamed to the chunk's files, not held: memory does not grow with batch_size
            part = _chunk(first, rows, max(1, batch_size), max_bytes)
            if isinstance(first, tuple):
                n += self._write_tagged(chunk, part)  # type: ignore[arg-type]
            else:
                n += write_jsonl(self._articles(chunk), part)  # type: ignore[arg-type]
        return n  # pragma: no cover - itertools.count never ends

    def _write_tagged(self, chunk: int, pairs: Iterable[tuple[str, str | None]]) -> int:
        """One chunk's articles and topics files in one pass; the topics file is in place
        before the articles file appears."""
        articles, topics = self._articles(chunk), self._topics(chunk)
        self.path.mkdir(parents=True, exist_ok=True)
        articles_tmp = articles.with_suffix(".jsonl.tmp")
        topics_tmp = topics.with_suffix(".jsonl.tmp")
        n = 0
        with (
            articles_tmp.open("w", encoding="utf-8") as art_fh,
            topics_tmp.open("w", encoding="utf-8") as top_fh,
        ):
            for article, tags in pairs:
                art_fh.write(article + "\n")
                if tags is not None:
                    top_fh.write(tags + "\n")
                n += 1
        topics_tmp.replace(topics)
        articles_tmp.replace(articles)
        return n

    def article_chunks(self) -> list[tuple[int, Path]]:
        """``(chunk number, articles file)`` in order."""
        out = []
        for path in self.path.glob("articles-*.jsonl"):
            number = path.stem.split("-", 1)[1]
            if number.isdigit():
                out.append((int(number), path))
        return sorted(out)

    def topics_file(self, chunk: int) -> Path:
        return self._topics(chunk)

    def articles_count(self) -> int:
        return sum(count_lines(p) for _, p in self.article_chunks())

    def _articles(self, chunk: int) -> Path:
        return self.path / f"articles-{chunk:05d}.jsonl"

    def _topics(self, chunk: int) -> Path:
        return self.path / f"topics-{chunk:05d}.jsonl"

    # -- errors ----------------------------------------------------------------------------

    def write_errors(self, stage: str, errors: Iterable[dict[str, Any]]) -> int:
        return write_jsonl(self.path / f"errors-{stage}.jsonl", errors)

    def error_files(self) -> list[str]:
        return self._nonempty("errors-*.jsonl")

    def _nonempty(self, pattern: str) -> list[str]:
        return [str(p) for p in sorted(self.path.glob(pattern)) if p.stat().st_size > 0]
