"""Where the read stage's time goes, per article, step by step (``make bench-stages``).

Each step of a worker's path (:func:`newsmon.flows.workers.build_article` and the tagging
after it) is timed over the same articles in one process, step after step, best of three:
decoding a JSON Lines record, cleaning, the identity and near-duplicate keys (words, hash,
MinHash signature, bands), language detection, the search index terms, tagging (topics,
regions and countries), and the staged lines. Two corpus shapes of ``make bench``: overlap
(real EN/RU/UK sentences, language declared) and filler (random words, no declared
language: language detection runs). The sum is one core's cost per article; the capacity
line divides a second by it, for the capacity plan in the README.

    python bench/bench_stages.py [--articles 3000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402


def _best(step: Callable[[Any], Any], items: list[Any]) -> tuple[float, list[Any]]:
    """Milliseconds per item of ``step`` over ``items`` (best of three), and its outputs."""
    best, out = float("inf"), []
    for _ in range(3):
        began = time.perf_counter()
        out = [step(x) for x in items]
        best = min(best, (time.perf_counter() - began) / len(items) * 1000)
    return best, out


def stages(records: list[dict]) -> list[tuple[str, float]]:
    from newsmon.article.clean import clean_document
    from newsmon.article.identity import (
        MinHasher,
        band_keys,
        canonical_url,
        content_hash,
        norm_words,
    )
    from newsmon.article.index_terms import index_terms
    from newsmon.config import load_settings
    from newsmon.read.boilerplate import load_rules
    from newsmon.read.files import record_to_doc
    from newsmon.read.language import language_of
    from newsmon.records import dumps
    from newsmon.tagging.regions import load_tagger, score_both

    settings = load_settings()
    rules = load_rules(settings.cleaning_path)
    hasher = MinHasher(settings.dedup.num_perm, settings.dedup.shingle_words)
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    out: list[tuple[str, float]] = []
    ms, docs = _best(lambda line: record_to_doc("bench", json.loads(line)), lines)
    out.append(("decode a JSON Lines record", ms))
    ms, cleaned = _best(lambda d: clean_document(d, rules), docs)
    out.append(("clean (boilerplate, dateline, headline)", ms))
    pairs = list(zip(docs, cleaned, strict=True))
    ms, words = _best(lambda p: (canonical_url(p[0].url), norm_words(p[1].text)), pairs)
    out.append(("canonical URL, words", ms))
    both = [(c.text, w) for c, (_, w) in zip(cleaned, words, strict=True)]
    ms, _ = _best(lambda b: content_hash(*b), both)
    out.append(("content hash", ms))
    ms, sigs = _best(lambda b: hasher.signature(*b), both)
    out.append(("MinHash signature", ms))
    ms, _ = _best(lambda s: band_keys(s, settings.dedup.bands), sigs)
    out.append(("band keys", ms))
    ms, _ = _best(lambda p: language_of(p[0].lang, p[1].title, p[1].text), pairs)
    out.append(("language (detected where not declared)", ms))
    titled = [(c.title, c.text, w) for c, (_, w) in zip(cleaned, words, strict=True)]
    ms, _ = _best(lambda t: index_terms(*t), titled)
    out.append(("search index terms", ms))
    ms, tags = _best(lambda c: score_both(c.title or "", c.text, tagger), cleaned)
    out.append(("tag: topics, regions, countries", ms))
    ms, _ = _best(lambda t: dumps({"topics": [vars(x) for x in t[0]], "regions": t[1]}), tags)
    out.append(("staged lines (JSON)", ms))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=3000)
    args = parser.parse_args()
    for shape in ("overlap", "filler"):
        records = list(corpus.records(shape, args.articles, seed=5))
        for r in records:
            r.pop("story", None)
        found = stages(records)
        total = sum(ms for _, ms in found)
        print(f"{shape}: {args.articles:,} articles, one process, ms per article (best of 3)")
        for name, ms in found:
            print(f"  {name:<42} {ms:6.3f}  {ms / total:4.0%}")
        print(f"  {'all steps':<42} {total:6.3f}")
        print(
            f"  capacity: {1000 / total:,.0f} articles/s per core for reading, cleaning and"
            " tagging (the store, one writer, is apart: make bench)"
        )


if __name__ == "__main__":
    main()
