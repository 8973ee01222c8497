"""Tagging benchmark: quality on the labelled sets and the real Zyte pages, and speed.

Prints, for the current taxonomy: macro F1 and per-topic F1 on every labelled file (the
held-out one is the number that counts; the tune files were used to write the rules), the
false and missed tags on the 181 real pages of ../shared/benchmarks/zyte, milliseconds per
generated bench article, and the time for one pathological page (200,000 words dense with
group words), which stays linear. Nothing is asserted: the numbers are for people.

    python bench/bench_tag.py [--bench ../shared/benchmarks/zyte]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from corpus import filler_text as make_article  # noqa: E402

from newsmon.config import load_settings, read_yaml  # noqa: E402
from newsmon.tagging.evaluate import (  # noqa: E402
    evaluate,
    gazetteer_predictor,
    read_labelled,
    tagger_predictor,
)
from newsmon.tagging.regions import load_gazetteer, load_tagger  # noqa: E402
from newsmon.tagging.taxonomy import load_taxonomy  # noqa: E402
from newsmon.tagging.topics import score_topics  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "labelled"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--bench", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "zyte"
    )
    parser.add_argument("--errors", action="store_true", help="list the real pages tagged wrongly")
    args = parser.parse_args()
    tax = load_taxonomy()
    # the labelled sets scored as ingest tags them: taxonomy, in_country words, country pass
    settings = load_settings()
    predict = tagger_predictor(
        load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)
    )
    print(f"taxonomy {tax.version}")
    gaz = load_gazetteer()
    for path in sorted(LABELLED.glob("*.jsonl")):
        records = read_labelled(path)
        topical = [r for r in records if "labels" in r]
        if topical:
            report = evaluate(topical, predict, tax.topics)
            per = "  ".join(f"{t} {m['f1']:.3f}" for t, m in report["per_topic"].items())
            print(f"  {path.name:<26} macro F1 {report['macro_f1']:.3f}  {per}")
        placed = [r for r in records if "regions" in r]
        if placed:
            m = evaluate(placed, gazetteer_predictor(gaz), [], key="regions")["micro"]
            print(
                f"  {path.name:<26} regions P {m['precision']:.3f} R {m['recall']:.3f}"
                f" (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
            )

    truth_file = args.bench / "ground-truth.json"
    if truth_file.exists():
        truth = json.loads(truth_file.read_text())
        labels = json.loads((LABELLED / "zyte-topics.json").read_text())["labels"]
        records = [
            {"id": k, "text": v["articleBody"], "labels": labels.get(k, {}).get("labels", [])}
            for k, v in truth.items()
        ]
        report = evaluate(records, predict, tax.topics)
        fp = sum(m["fp"] for m in report["per_topic"].values())
        fn = sum(m["fn"] for m in report["per_topic"].values())
        tp = sum(m["tp"] for m in report["per_topic"].values())
        print(f"  real pages ({len(records)}): {tp} right tags, {fp} false, {fn} missed")
        for err in report["errors"] if args.errors else []:
            print(f"    {err['id'][:60]}: labelled {err['gold']}, tagged {err['predicted']}")
    else:
        print(f"  real pages: {truth_file} not found, skipped")

    docs = [make_article(i).split("\n", 1) for i in range(5000)]
    t = time.perf_counter()
    for title, text in docs:
        score_topics(title, text, tax)
    per_doc = (time.perf_counter() - t) / len(docs) * 1000
    print(f"  speed: {per_doc:.2f} ms per generated article (mean 2.4 kB), the four topics only")
    _country_pass_cost(docs, "generated")
    _country_pass_cost(_overlap_docs(5000), "overlap (real EN/RU/UK sentences)")

    words = "people blocked the block posts deleted content men summoned army war front "
    page = (words * 16_700).strip()
    t = time.perf_counter()
    score_topics("", page, tax)
    print(
        f"  one {len(page.split()):,}-word page dense with group words: {time.perf_counter() - t:.2f} s"
    )
    return 0


def _overlap_docs(n: int) -> list[list[str]]:
    """``n`` articles of ``make bench``'s overlap corpus (real sentences dense with names)."""
    from corpus import records

    return [[r["title"], r["text"]] for r in records("overlap", n, seed=5)]


def _country_pass_cost(docs: list[list[str]], shape: str) -> None:
    """What the country pass adds to tagging as ingest does it: the taxonomy and the
    gazetteer in one pass (as before countries), against the tagger with the country
    gazetteer and the per-topic decision; alternating runs in one process."""
    from newsmon.config import load_settings
    from newsmon.tagging.regions import load_tagger, score_both
    from newsmon.tagging.taxonomy import build_taxonomy

    s = load_settings()
    tagger = load_tagger(s.topics_path, s.regions_path, s.countries_path)
    gaz = load_gazetteer(s.regions_path)
    before = build_taxonomy(
        dict(
            read_yaml(s.topics_path),
            topics={**read_yaml(s.topics_path)["topics"], **gaz.rules.topics},
        )
    )
    timings: dict[str, list[float]] = {"regions": [], "regions+countries": []}
    for _ in range(3):
        t = time.perf_counter()
        for title, text in docs:
            score_topics(title, text, before)
        timings["regions"].append(time.perf_counter() - t)
        t = time.perf_counter()
        for title, text in docs:
            score_both(title, text, tagger)
        timings["regions+countries"].append(time.perf_counter() - t)
    best = {k: min(v) / len(docs) * 1000 for k, v in timings.items()}
    print(
        f"  {shape}: topics and regions {best['regions']:.3f} ms/article;"
        f" topics, regions and countries (what ingest runs) {best['regions+countries']:.3f} ms:"
        f" the country pass +{best['regions+countries'] - best['regions']:.3f} ms"
        " (best of 3, alternating, one process)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
