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


def test_an_article_with_no_word_to_index_is_indexed_once(tmp_path: Path) -> None:
    """A post "ok 👍" or a headline "x" has no word of three letters: it still gets its
    document row, so the next run does not take it for unindexed (it staged it again
    forever, and ran out of memory)."""
    import duckdb

    env = dict(os.environ, NEWSMON_DB=str(tmp_path / "news.duckdb"))
    (tmp_path / "short.jsonl").write_text(
        json.dumps({"url": "https://t.example/1", "title": "ok", "text": "ok 👍"}) + "\n"
    )
    first = _cli(env, "ingest", str(tmp_path / "short.jsonl"), "--json", "-q")
    assert json.loads(first.stdout)["articles_new"] == 1
    (tmp_path / "two.jsonl").write_text(json.dumps({"text": "Deserters were detained."}) + "\n")
    second = _cli(env, "ingest", str(tmp_path / "two.jsonl"), "--json", "-q")
    assert json.loads(second.stdout)["articles_new"] == 1
    with duckdb.connect(env["NEWSMON_DB"], read_only=True) as con:
        docs = con.execute("select doc_len from search_docs order by doc_len").fetchall()
    assert len(docs) == 2 and docs[0] == (0,) and docs[1][0] > 0


def _index(db: Path) -> dict[str, list]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "terms": con.execute(
                "select d.article_id, t.term, t.tf from search_terms t join search_docs d"
                " using (doc_no) order by all"
            ).fetchall(),
            "docs": con.execute(
                "select article_id, doc_len from search_docs order by all"
            ).fetchall(),
            "vocab": con.execute(
                "select term, sum(df)::integer from search_vocab group by term having sum(df) <> 0"
                " order by all"
            ).fetchall(),
        }


def test_terms_counted_while_reading_index_as_sql_counts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read stage's workers count each article's index terms (newsmon.article.index_terms.index_terms)
    and the writer only inserts them; with no terms staged, search/index.sql counts them from
    title and text. Both give the same index: for new articles, for an article staged twice
    in one file whose title comes from its first copy, and for changed articles."""
    from dataclasses import replace

    from newsmon.config import load_settings
    from newsmon.flows import pipeline, workers

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("tune-2.jsonl", "tune-3.jsonl"):
        shutil.copy(LABELLED / name, inbox / name)
    shutil.copytree(SEEDS, inbox / "seeds")
    twice = [
        {
            "url": "https://a.example/1",
            "title": "Повестки в Омске",
            "text": "Военкомат вручил повестки.",
        },
        {"url": "https://a.example/1", "text": "Военкомат вручил повестки студентам в общежитии."},
        {"url": "https://a.example/2", "title": "ΟΔΟΣ", "text": "Mobilisation İstanbul 🪖 drafts."},
    ]
    (inbox / "twice.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in twice), encoding="utf-8"
    )
    changed = [
        {"url": "https://a.example/1", "title": "Новые повестки", "text": "Сборы резервистов."}
    ]

    def ingest_all(db: Path) -> dict[str, list]:
        monkeypatch.setenv("NEWSMON_DB", str(db))
        settings = load_settings()
        settings = replace(settings, ingest=replace(settings.ingest, workers=1))
        pipeline.ingest(settings, [inbox])
        (inbox / "later.jsonl").write_text(json.dumps(changed[0], ensure_ascii=False) + "\n")
        pipeline.ingest(settings, [inbox / "later.jsonl"])
        (inbox / "later.jsonl").unlink()
        return _index(db)

    staged = ingest_all(tmp_path / "staged.duckdb")
    monkeypatch.setattr(workers, "index_terms", lambda *args: None)
    by_sql = ingest_all(tmp_path / "sql.duckdb")
    assert staged["terms"] and staged == by_sql
    # the changed article's old words left the index, its new ones are in
    assert any(term == "резервист" for _, term, _ in staged["terms"])


def test_compacting_the_index_keeps_every_answer_and_sorts_the_postings(tmp_path: Path) -> None:
    """The index rewritten in term order (as the store stage does when it has grown by a
    fifth since the last time) answers the 38 labelled queries exactly as before: the same
    articles, ranks and scores; its postings are then in term order, and new articles
    indexed after it are found too."""
    import duckdb

    from newsmon.config import load_settings
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish
    from newsmon.storage.search import compact, compaction_due, search

    os.environ["NEWSMON_DB"] = str(tmp_path / "news.duckdb")
    try:
        env = dict(os.environ)
        _cli(env, "ingest", str(LABELLED / "tune-2.jsonl"), str(SEEDS), "-q")
        _cli(env, "ingest", str(LABELLED / "tune-3.jsonl"), "-q")  # a second run: two parts
        settings = load_settings()
        queries = [
            json.loads(line)["query"] for line in (ROOT / "tests/data/search/queries.jsonl").open()
        ]
        queries += ["мобилизация студентов", "повістка", "protest wages"]

        def answers() -> list[list[tuple[str, float]]]:
            return [[(r["article_id"], r["score"]) for r in search(settings, q)] for q in queries]

        before = answers()
        assert sum(map(len, before)) > 100
        ddl = (
            "select table_name, sql from duckdb_tables()"
            " where table_name in ('search_terms', 'search_vocab') order by 1"
        )
        with open_db(settings) as con:
            tables = con.execute(ddl).fetchall()
            compact(con)
            # compact.sql writes the tables' DDL again: it must stay schema/110_search.sql's
            assert con.execute(ddl).fetchall() == tables
            publish(con, settings)
        assert answers() == before
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            unsorted = con.execute(
                "select count(*) from (select term, lag(term) over (order by rowid) as prev"
                " from search_terms) where term < prev"
            ).fetchone()[0]
            terms = con.execute(
                "select count(*), count(distinct term) from search_vocab"
            ).fetchone()
            runs = con.execute("select count(*) from search_compactions").fetchone()[0]
        assert unsorted == 0 and terms[0] == terms[1] and runs == 1
        extra = tmp_path / "late.jsonl"
        extra.write_text(
            json.dumps({"title": "Late", "text": "Зернохранилище в Тамбове сгорело."}) + "\n",
            encoding="utf-8",
        )
        _cli(env, "ingest", str(extra), "-q")
        assert [r["title"] for r in search(settings, "зернохранилище")] == ["Late"]
    finally:
        os.environ.pop("NEWSMON_DB", None)
    assert compaction_due(2_000_000, 0)
    assert not compaction_due(1_999_999, 0)
    assert not compaction_due(2_400_000, 2_000_000) and compaction_due(2_400_001, 2_000_000)
