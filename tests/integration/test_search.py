"""Search by words through the real CLI and in SQL on the analyst copy, and its quality
floors on the labelled queries (tests/data/search)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
LABELLED = ROOT / "tests" / "data" / "labelled"


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(BIN / "newsmon"), *args], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("search")
    env = dict(os.environ, NEWSMON_DB=str(tmp / "news.duckdb"))
    forms = [  # the exact forms analysts asked about, beside the labelled passages
        {"title": "Семьи мобилизованных", "text": "Семьи мобилизованных из Омска требуют ротации."},
        {"title": "Повістки в Харкові", "text": "Військкомат розіслав повістки чоловікам."},
    ]
    extra = tmp / "forms.jsonl"
    extra.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in forms), encoding="utf-8"
    )
    corpus = [LABELLED / "tune-2.jsonl", LABELLED / "tune-3.jsonl", SEEDS, extra]
    _cli(env, "ingest", *map(str, corpus), "-q")
    return env


def _search(env: dict[str, str], query: str, *flags: str) -> list[dict]:
    out = _cli(env, "search", query, "--json", *flags).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("мобилизация", "мобилизованных"),
        ("повістка", "повістки"),
        ("повістка", "повісток"),
        ("mobilization", "mobilized"),
        ("выборы", "выборах"),
        ("дезертирство", "дезертирство"),
    ],
)
def test_inflected_forms_are_found(corpus: dict[str, str], query: str, finds: str) -> None:
    rows = _search(corpus, query, "--limit", "50")
    assert rows, query
    assert any(f"[{finds}" in r["snippet"].lower() for r in rows), [r["snippet"] for r in rows[:5]]
    assert all(
        {"title", "source", "published_at", "url", "snippet", "score"} <= set(r) for r in rows
    )
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)


def test_filters_narrow_the_results(corpus: dict[str, str]) -> None:
    everything = _search(corpus, "мобилизация", "--limit", "100")
    tagged = _search(corpus, "мобилизация", "--limit", "100", "--topic", "mobilization")
    assert 0 < len(tagged) < len(everything), (
        "non-military 'мобилизовать ресурсы' passages drop out"
    )
    assert _search(corpus, "мобилизация", "--since", "2999-01-01") == []
    assert len(_search(corpus, "мобилизация", "--limit", "2")) == 2
    assert _search(corpus, "мобилизация", "--until", "1999-12-31") == []
    dated = [r for r in everything if r["published_at"]]
    day = min(r["published_at"][:10] for r in dated)
    until = _search(corpus, "мобилизация", "--limit", "100", "--until", day)
    assert until and all(r["published_at"][:10] <= day for r in until)
    outlets = {r["source"] for r in everything if r["source"]}
    if outlets:
        one = sorted(outlets)[0]
        assert {
            r["source"] for r in _search(corpus, "мобилизация", "--limit", "100", "--source", one)
        } == {one}


def test_quality_floors_on_the_labelled_queries(corpus: dict[str, str]) -> None:
    queries = [json.loads(line) for line in (ROOT / "tests/data/search/queries.jsonl").open()]
    assert len(queries) >= 30 and {q["lang"] for q in queries} == {"en", "ru", "uk"}
    recalls, reciprocal = [], []
    for q in queries:
        hits = [r["url"].rsplit("/", 1)[-1] for r in _search(corpus, q["query"])]
        relevant = set(q["relevant"])
        recalls.append(len(relevant & set(hits)) / len(relevant))
        rank = next((i for i, h in enumerate(hits, 1) if h in relevant), None)
        reciprocal.append(1 / rank if rank else 0.0)
    assert sum(recalls) / len(recalls) >= 0.95
    assert sum(reciprocal) / len(reciprocal) >= 0.9


def test_the_same_search_in_sql_from_the_analysts_shell(corpus: dict[str, str]) -> None:
    copy = Path(corpus["NEWSMON_DB"]).parent / "read" / "news.duckdb"
    query = (
        "select a.title from search_articles('повістки') as s join articles as a using (article_id)"
        " order by s.score desc limit 3"
    )
    done = subprocess.run(
        [shutil.which("duckdb", path=str(BIN)), "-readonly", "-csv", str(copy), "-c", query],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "повіст" in done.stdout.lower()


def test_newsmon_sql_prints_a_table_csv_and_json(corpus: dict[str, str]) -> None:
    query = "select topic, count(*) as n from article_topics group by topic order by topic"
    table = _cli(corpus, "sql", query).stdout
    assert "mobilization" in table and "│" in table
    csv_rows = _cli(corpus, "sql", query, "--csv").stdout.splitlines()
    assert csv_rows[0] == "topic,n" and any(r.startswith("mobilization,") for r in csv_rows)
    rows = [json.loads(line) for line in _cli(corpus, "sql", query, "--json").stdout.splitlines()]
    assert {r["topic"] for r in rows} == {"mobilization", "elections", "protests", "censorship"}


def test_newsmon_sql_without_a_query_is_the_duckdb_shell(corpus: dict[str, str]) -> None:
    def shell(stdin: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "newsmon"), "sql"],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=corpus,
        )

    done = shell("select count(*) as n from search_docs;\n")
    assert done.returncode == 0, done.stderr
    assert "│" in done.stdout and "n" in done.stdout
    write = shell("delete from articles;\n")
    assert "read-only" in (write.stdout + write.stderr).lower(), "the shell cannot change the copy"


def test_articles_stored_before_the_index_become_searchable(tmp_path: Path) -> None:
    import duckdb

    env = dict(os.environ, NEWSMON_DB=str(tmp_path / "news.duckdb"))
    _cli(env, "ingest", str(SEEDS), "-q")
    with duckdb.connect(env["NEWSMON_DB"]) as con:  # as a database from before the index
        con.execute("delete from search_terms; delete from search_docs; delete from search_vocab")
    (tmp_path / "one.jsonl").write_text(
        json.dumps({"text": "Deserters were detained in Omsk."}) + "\n"
    )
    _cli(env, "ingest", str(tmp_path / "one.jsonl"), "-q")
    assert _search(env, "desertion"), "the seeds are found again"
    with duckdb.connect(env["NEWSMON_DB"], read_only=True) as con:
        assert con.execute("select count(*) from search_docs").fetchone()[0] == 6
