"""Measure the taxonomy on labelled passages: per-topic precision, recall and F1.

Input: JSON Lines ``{"id", "text", "labels": [topic, ...], "title"?}``. The naive baseline
(one substring per topic: ``mobili[sz]``, ``election``, ``protest``, ``censor``) is there to
show what the weighted rules add.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from newsmon.tag import score_topics
from newsmon.taxonomy import Taxonomy

NAIVE = {
    "mobilization": re.compile(r"mobili[sz]", re.IGNORECASE),
    "elections": re.compile(r"election", re.IGNORECASE),
    "protests": re.compile(r"protest", re.IGNORECASE),
    "censorship": re.compile(r"censor", re.IGNORECASE),
}


def read_labelled(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def naive_predict(text: str) -> set[str]:
    return {topic for topic, pattern in NAIVE.items() if pattern.search(text)}


def taxonomy_predictor(tax: Taxonomy) -> Callable[[str, str], set[str]]:
    return lambda title, text: {t.topic for t in score_topics(title, text, tax)}


def evaluate(
    records: Iterable[dict[str, Any]],
    predict: Callable[[str, str], set[str]],
    topics: Iterable[str],
) -> dict[str, Any]:
    topics = list(topics)
    tp = dict.fromkeys(topics, 0)
    fp = dict.fromkeys(topics, 0)
    fn = dict.fromkeys(topics, 0)
    errors: list[dict[str, Any]] = []
    for rec in records:
        gold = set(rec.get("labels", []))
        pred = predict(rec.get("title", ""), rec["text"]) & set(topics)
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
    macro = sum(v["f1"] for v in per_topic.values()) / len(per_topic)
    return {"per_topic": per_topic, "macro_f1": macro, "errors": errors}


def format_report(name: str, report: dict[str, Any]) -> str:
    lines = [f"{name}: macro F1 {report['macro_f1']:.3f}"]
    for topic, m in report["per_topic"].items():
        lines.append(
            f"  {topic:<13} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
            f"  (tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
        )
    return "\n".join(lines)
