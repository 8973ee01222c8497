"""Extraction on real pages (the Zyte benchmark in ../shared) and the ``newsmon extract``
command in a subprocess: slower than the unit tier, so here."""

from __future__ import annotations

import gzip
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from newsmon.read.extraction import NotAnArticle, extract_article
from tests.conftest import shared_path
from tests.unit.test_extract import PARA, _page


def test_benchmark_quality_and_no_page_raises() -> None:
    bench = shared_path("benchmarks", "zyte")
    spec = importlib.util.spec_from_file_location("zyte_score", bench / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    truth = json.loads((bench / "ground-truth.json").read_text())
    pred = {}
    for key, item in truth.items():
        html = gzip.decompress((bench / "html" / f"{key}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        page = extract_article(html, item["url"])  # raising fails the test
        assert not isinstance(page, NotAnArticle), key
        pred[key] = page.text
    _p, _r, f1 = scorer.score(truth, pred)
    assert f1 >= 0.96


def test_extract_command_reads_and_writes_json_lines() -> None:
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    body = "".join(f"<p>{PARA} Paragraph {i}.</p>" for i in range(6))
    stdin = "\n".join(
        [
            json.dumps(
                {
                    "id": "a",
                    "url": "https://news.example.org/a",
                    "html": _page(body, "2023-11-20T10:15:00Z"),
                }
            ),
            "{broken",
            json.dumps({"id": "b", "html": "<html><body></body></html>"}),
        ]
    )
    done = subprocess.run(
        [newsmon, "extract", "-"], input=stdin, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, "bad input is reported in the exit code"
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert set(rows[0]) == {"id", "title", "text", "published_at", "date_source", "authors", "lang"}
    assert (
        rows[0]["published_at"] == "2023-11-20T10:15:00+00:00" and rows[0]["date_source"] == "meta"
    )
    assert "no article text" in rows[1]["error"]
    assert "stdin line 2" in done.stderr
