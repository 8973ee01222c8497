"""Search quality and speed, and what publishing the analyst copy costs.

    python bench/bench_search.py [--articles 100000]

1. Quality: the labelled passages of tests/data/labelled/tune-2 and tune-3 plus seeds/ are
   ingested; the 38 queries of tests/data/search/queries.jsonl (EN/RU/UK) are run; recall@10
   and MRR are printed, per language too.
2. Scale: ``--articles`` articles of 14 sentences drawn from real EN/RU/UK text (the seeds
   and every labelled passage), each with its own numbers, are indexed in chunks of 10,000
   with the store stage's own SQL (index refresh cost per chunk; the terms staged as the read
   stage counts them, or with ``--sql-terms`` counted by the writer); queries are timed on a
   read-only connection (median, p90); the database is published as the analyst copy
   (checkpoint + copy + rename) to time it. ``--filler`` uses the pipeline benchmark's
   generator instead (random filler words: a vocabulary far larger than news has).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import filler_text as make_article  # noqa: E402


def real_sentences() -> list[str]:
    import re

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir())]
    for path in sorted((ROOT / "tests" / "data" / "labelled").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.open(encoding="utf-8")]
    out = []
    for text in texts:
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]
    return out


def real_article(i: int, sentences: list[str]) -> str:
    import random

    rng = random.Random(i)
    picked = [rng.choice(sentences) for _ in range(14)]
    return (
        f"{picked[0]} ({i})\n"
        + " ".join(picked[1:])
        + f" Report {i}, figure {rng.randint(1, 10**6)}."
    )


SCALE_QUERIES = [
    "повестки военкомат",
    "mobilised soldiers rotation",
    "ballot stuffing polling stations",
    "unpaid wages strike",
    "Roskomnadzor blocked websites",
    "мобілізація повістки",
    "явка на выборах",
    "contract soldiers payment",
    "митинг задержаны",
    "journalist fined discrediting the army",
]


def _stored_articles(db_path: Path) -> int:
    """How many articles the quality database holds (counted, never typed in)."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        return int(con.execute("select count(*) from articles").fetchone()[0])


def quality(tmp: Path) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.pipeline import ingest
    from newsmon.storage.search import search

    os.environ["NEWSMON_DB"] = str(tmp / "quality" / "news.duckdb")
    settings = load_settings()
    labelled = ROOT / "tests" / "data" / "labelled"
    ingest(settings, [labelled / "tune-2.jsonl", labelled / "tune-3.jsonl", ROOT / "seeds"])
    passages = _stored_articles(settings.db_path)
    queries = [json.loads(line) for line in (ROOT / "tests/data/search/queries.jsonl").open()]
    by_lang: dict[str, list[tuple[float, float]]] = {}
    misses = []
    for q in queries:
        hits = [r["url"].rsplit("/", 1)[-1] for r in search(settings, q["query"], limit=10)]
        relevant = set(q["relevant"])
        recall = len(relevant & set(hits)) / len(relevant)
        rank = next((i for i, h in enumerate(hits, 1) if h in relevant), None)
        by_lang.setdefault(q["lang"], []).append((recall, 1 / rank if rank else 0.0))
        if rank != 1:
            misses.append(f"{q['id']} {q['query']!r}: first relevant at {rank}")
    everything = [x for v in by_lang.values() for x in v]
    print(
        f"search quality, {len(queries)} queries over {passages} stored passages:"
        f" recall@10 {statistics.mean(r for r, _ in everything):.3f},"
        f" MRR {statistics.mean(m for _, m in everything):.3f}"
    )
    for lang, scores in sorted(by_lang.items()):
        print(
            f"  {lang}: {len(scores)} queries, recall@10 {statistics.mean(r for r, _ in scores):.3f},"
            f" MRR {statistics.mean(m for _, m in scores):.3f}"
        )
    for line in misses:
        print(f"  not first: {line}")


def scale(tmp: Path, articles: int, filler: bool, staged_terms: bool = True) -> None:
    import duckdb

    from newsmon.article.index_terms import index_terms
    from newsmon.config import load_settings
    from newsmon.storage.db import execute, open_db
    from newsmon.storage.readcopy import publish

    os.environ["NEWSMON_DB"] = str(tmp / "scale" / "news.duckdb")
    settings = load_settings()
    t = time.perf_counter()
    chunk = 10_000
    sentences = real_sentences()
    with open_db(settings) as con:
        refresh = []
        for start in range(0, articles, chunk):
            path = tmp / "chunk.jsonl"
            with path.open("w", encoding="utf-8") as fh:
                for i in range(start, min(articles, start + chunk)):
                    text = make_article(i) if filler else real_article(i, sentences)
                    title, _, body = text.partition("\n")
                    # the terms the read stage's workers count (None: SQL counts them)
                    terms = index_terms(title, body) if staged_terms else None
                    row = {"article_id": f"a{i:08d}", "title": title, "text": body}
                    row |= {"index_terms": terms[0] if terms else None}
                    row |= {"index_tfs": terms[1] if terms else None}
                    fh.write(json.dumps(row) + "\n")
            con.execute(
                "create or replace temp table incoming as select *, 'new' as state from read_json($p,"
                " columns = {article_id: 'varchar', title: 'varchar', text: 'varchar',"
                " index_terms: 'varchar', index_tfs: 'varchar'})",
                {"p": str(path)},
            )
            # the text itself, so the file (and so the publish) is the size a real one is
            con.execute(
                "create table if not exists bench_text (article_id varchar, title varchar, text varchar)"
            )
            con.execute("insert into bench_text select article_id, title, text from incoming")
            began = time.perf_counter()
            for step in (
                "forget",
                "forget_terms",
                "forget_docs",
                "index",
                "add_docs",
                "add_terms",
                "add_vocab",
            ):
                execute(con, f"storage/search/{step}")
            refresh.append(time.perf_counter() - began)
        postings = con.execute("select count(*) from search_terms").fetchone()[0]
        vocab = con.execute("select count(distinct term) from search_vocab").fetchone()[0]
        published = publish(con, settings)
    print(
        f"index of {articles:,} {'filler' if filler else 'real-sentence'} articles built in {time.perf_counter() - t:.1f}s (generation included):"
        f" refresh per {chunk:,}-article chunk median {statistics.median(refresh):.2f}s,"
        f" last {refresh[-1]:.2f}s; {postings:,} postings, {vocab:,} terms"
    )
    print(
        f"publish (checkpoint, copy, rename) of the {published['bytes'] / 1e6:.0f} MB database:"
        f" {published['seconds']:.2f}s ({published['method']})"
    )
    with duckdb.connect(str(settings.read_db_path), read_only=True) as con:
        times = []
        for _ in range(5):
            for q in SCALE_QUERIES:
                began = time.perf_counter()
                con.execute(
                    "select article_id, score from search_articles($q) order by score desc limit 10",
                    {"q": q},
                ).fetchall()
                times.append((time.perf_counter() - began) * 1000)
    times.sort()
    print(
        f"query latency on the analyst copy, {len(SCALE_QUERIES)} queries x 5:"
        f" median {statistics.median(times):.0f} ms, p90 {times[int(len(times) * 0.9)]:.0f} ms,"
        f" max {times[-1]:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument(
        "--filler", action="store_true", help="random filler words, not real sentences"
    )
    parser.add_argument(
        "--sql-terms",
        action="store_true",
        help="the writer counts every article's terms in SQL (as for texts staged without them)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-search-") as tmp:
        quality(Path(tmp))
        scale(Path(tmp), args.articles, args.filler, staged_terms=not args.sql_terms)


if __name__ == "__main__":
    main()
