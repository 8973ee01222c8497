"""Staging chunks: at most ``batch_size`` articles, and fewer where their lines reach
``batch_bytes``, so one transaction of long pages stays within the writer's memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import ConfigError, IngestSettings
from newsmon.staging import RunFolder, count_lines


def _lines(sizes: list[int]) -> list[tuple[str, str | None]]:
    return [
        (f'{{"i": {i}, "t": "{"я" * n}"}}', None if i % 3 else f'{{"i": {i}}}')
        for i, n in enumerate(sizes)
    ]


def _chunks(folder: RunFolder) -> list[tuple[int, int, int]]:
    return [
        (c, count_lines(p), count_lines(folder.topics_file(c))) for c, p in folder.article_chunks()
    ]


def test_chunks_close_at_the_line_count(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path, "r")
    assert folder.write_articles(_lines([10] * 7), 3, max_bytes=10_000_000) == 7
    assert [(c, n) for c, n, _ in _chunks(folder)] == [(0, 3), (1, 3), (2, 1)]
    # every third line has topics: lines 0, 3, 6
    assert [t for _, _, t in _chunks(folder)] == [1, 1, 1]


def test_chunks_close_where_their_bytes_reach_the_cap(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path, "r")
    # a Cyrillic letter is two bytes: lines of ~2,000, ~2,000, ~6,000 (alone over the cap), ~10
    n = folder.write_articles(_lines([1000, 1000, 3000, 5, 5]), 100, max_bytes=3000)
    assert n == 5
    assert [(c, lines) for c, lines, _ in _chunks(folder)] == [(0, 2), (1, 1), (2, 2)]
    assert not list(tmp_path.glob("r/*.tmp")), "no half-written file is left"


def test_a_rewrite_of_the_batch_replaces_its_chunks(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path, "r")
    folder.write_articles(_lines([10] * 5), 1)
    folder.write_articles(_lines([10] * 2), 1)
    assert [c for c, _, _ in _chunks(folder)] == [0, 1]


@pytest.mark.parametrize(
    ("name", "value"),
    [("batch_size", 0), ("batch_bytes", -1), ("batch_bytes", "32MB"), ("batch_size", True)],
)
def test_chunk_limits_must_be_positive_whole_numbers(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"ingest.{name} must be a positive whole number"):
        IngestSettings(**{name: value})
