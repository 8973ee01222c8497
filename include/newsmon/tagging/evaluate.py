"""Measure the taxonomy and the gazetteer on labelled passages: per-topic and per-region
precision, recall and F1.

Input: JSON Lines ``{"id", "text", "labels": [topic, ...], "regions": [code, ...]?,
"title"?}``; regions are measured on the passages that carry a ``regions`` list. The naive baseline
(one substring per topic: ``mobili[sz]``, ``election``, ``protest``, ``censor``) is there to
show what the weighted rules add.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newsmon.tagging.taxonomy import Taxonomy
from newsmon.tagging.topics import score_topics

NAIVE = {
    "mobilization": re.compile(r"mobili[sz]", re.IGNORECASE),
    "elections": re.compile(r"election", re.IGNORECASE),
    "protests": re.compile(r"protest", re.IGNORECASE),
    "censorship": re.compile(r"censor", re.IGNORECASE),
}


def read_labelled(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def feed_records(feeds_dir: str | Path, labels_file: str | Path) -> list[dict[str, Any]]:
    """Labelled records for the items of real feeds kept outside the project
    (``../shared/fixtures/feeds``): each item's title and its summary or content as text,
    read with feedparser; ``labels_file`` (``{"labels": {key: [topic, ...]}, "split": {key:
    "tune" | "holdout"}}``) names items by ``<feed path>#<entry id or link>``. Items of feeds
    the labels do not cover (languages the taxonomy does not speak) are left out."""
    import gzip

    import feedparser
    import lxml.html

    spec = json.loads(Path(labels_file).read_text(encoding="utf-8"))
    labels, split = spec["labels"], spec.get("split", {})
    root = Path(feeds_dir)
    records: list[dict[str, Any]] = []
    for feed in sorted({key.split("#", 1)[0] for key in labels}):
        data = (root / feed).read_bytes()
        if feed.endswith(".gz"):
            data = gzip.decompress(data)
        for i, entry in enumerate(feedparser.parse(data).entries):
            key = f"{feed}#{entry.get('id') or entry.get('link') or i}"
            if key not in labels:
                continue
            body = entry.get("summary") or ""
            if entry.get("content"):
                body = max((c.value for c in entry.content), key=len, default=body)
            text = lxml.html.fromstring(f"<div>{body}</div>").text_content() if body else ""
            records.append(
                {
                    "id": key,
                    "title": entry.get("title") or "",
                    "text": " ".join(text.split()),
                    "labels": labels[key],
                    "split": split.get(key, "tune"),
                }
            )
    return records


def naive_predict(text: str) -> set[str]:
    return {topic for topic, pattern in NAIVE.items() if pattern.search(text)}


def taxonomy_predictor(tax: Taxonomy) -> Callable[[str, str], set[str]]:
    return lambda title, text: {t.topic for t in score_topics(title, text, tax)}


def tagger_predictor(tagger: Any) -> Callable[[str, str], set[str]]:
    """The topics as ingest assigns them: the taxonomy with its in_country words, which count
    where the country pass places the topic in their countries (topics are subjects here,
    whatever country they are about)."""
    from newsmon.tagging.regions import score_both

    return lambda title, text: {t.topic for t in score_both(title, text, tagger)[0]}


def evaluate(
    records: Iterable[dict[str, Any]],
    predict: Callable[[str, str], set[str]],
    topics: Iterable[str],
    key: str = "labels",
) -> dict[str, Any]:
    """Per-label P/R/F1 of ``predict`` against each record's ``key`` list; with
    ``topics`` empty, every label seen (gold or predicted) is scored."""
    records = list(records)
    topics = list(topics)
    preds = [predict(rec.get("title", ""), rec["text"]) for rec in records]
    if not topics:
        topics = sorted({t for rec in records for t in rec.get(key, [])} | set().union(*preds))
    tp = dict.fromkeys(topics, 0)
    fp = dict.fromkeys(topics, 0)
    fn = dict.fromkeys(topics, 0)
    errors: list[dict[str, Any]] = []
    for rec, predicted in zip(records, preds, strict=True):
        gold = set(rec.get(key, []))
        pred = predicted & set(topics)
        for t in topics:
            if t in pred and t in gold:
                tp[t] += 1
            elif t in pred:
                fp[t] += 1
            elif t in gold:
                fn[t] += 1
        if pred != gold:
            errors.append({"id": rec.get("id"), "gold": sorted(gold), "predicted": sorted(pred)})
    per_topic = {}
    for t in topics:
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 1.0
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_topic[t] = {"precision": p, "recall": r, "f1": f, "tp": tp[t], "fp": fp[t], "fn": fn[t]}
    macro = sum(v["f1"] for v in per_topic.values()) / len(per_topic) if per_topic else 1.0
    tps, fps, fns = sum(tp.values()), sum(fp.values()), sum(fn.values())
    micro_p = tps / (tps + fps) if tps + fps else 1.0
    micro_r = tps / (tps + fns) if tps + fns else 1.0
    return {
        "per_topic": per_topic,
        "macro_f1": macro,
        "micro": {"precision": micro_p, "recall": micro_r, "tp": tps, "fp": fps, "fn": fns},
        "errors": errors,
    }


def gazetteer_predictor(gaz: Any) -> Callable[[str, str], set[str]]:
    from newsmon.tagging.regions import score_regions

    return lambda title, text: {r.topic for r in score_regions(title, text, gaz)}


def format_regions(name: str, report: dict[str, Any]) -> str:
    """Regions are many and each is rare: the pooled (micro) figures first, then the
    regions that were labelled or tagged."""
    m = report["micro"]
    lines = [
        f"{name}: regions P {m['precision']:.3f}  R {m['recall']:.3f}"
        f"  (tp {m['tp']}, fp {m['fp']}, fn {m['fn']}; macro F1 over the"
        f" {len(report['per_topic'])} regions seen {report['macro_f1']:.3f})"
    ]
    for region, r in report["per_topic"].items():
        lines.append(
            f"  {region:<7} P {r['precision']:.3f}  R {r['recall']:.3f}"
            f"  (tp {r['tp']}, fp {r['fp']}, fn {r['fn']})"
        )
    return "\n".join(lines)


def format_report(name: str, report: dict[str, Any]) -> str:
    lines = [f"{name}: macro F1 {report['macro_f1']:.3f}"]
    for topic, m in report["per_topic"].items():
        lines.append(
            f"  {topic:<13} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
            f"  (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
        )
    return "\n".join(lines)
