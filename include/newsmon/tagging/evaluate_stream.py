"""Measure the tagger on a labelled stratified sample of a real stream, weighted back to it.

A labels file (``tests/data/labelled/realstream/labels-*.jsonl``) names sampled items by
URL: ``{"url", "stratum", "split", "topics": {topic: country}}``; the texts stay in the
stream's folder outside the project (``../shared/fixtures/realstream-*``), and
``strata.json`` beside the labels says how many items of the whole stream fell in each
stratum. Each sampled item stands for ``stream size / sample size`` items of its stratum,
so precision and recall come out as they would be on the whole stream.

The positive class is a topic *about a watched country* (``watch.countries``, by default
Russia): an item labelled ``{"elections": "US"}`` that is tagged elections is a false
positive unless its country is decided to be outside the watch. Items go through the
same cleaning and tagging as an ingest (a record whose text cleaning empties is untagged,
as it would be unstored).
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Prediction = dict[str, str | None]  # topic -> the country it is about (None: not said)


@dataclass
class Tally:
    """Weighted and raw true positives, false positives and false negatives."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0
    raw: dict[str, int] = field(default_factory=lambda: {"tp": 0, "fp": 0, "fn": 0})
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, weight: float, item: dict[str, Any] | None = None) -> None:
        setattr(self, kind, getattr(self, kind) + weight)
        self.raw[kind] += 1
        if item is not None:
            self.misses.append(item)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def read_labels(path: str | Path) -> tuple[list[dict[str, Any]], dict[str, int], Path]:
    """The labelled rows, the stream's stratum sizes and the stream's folder (``strata.json``
    beside the labels, keyed by the labels file's name; the folder relative to the project)."""
    from newsmon.config import project_home

    path = Path(path)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    strata = json.loads((path.parent / "strata.json").read_text(encoding="utf-8"))[path.name]
    return rows, strata["stream"], project_home() / strata["items"]


def stream_items(folder: str | Path, urls: set[str]) -> dict[str, dict[str, Any]]:
    """The records of ``urls`` from the stream's ``items-*.jsonl.gz`` files."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(folder).glob("items-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if rec.get("url") in urls:
                    found[rec["url"]] = rec
    return found


def pipeline_predictor(settings: Any) -> Callable[[dict[str, Any]], Prediction]:
    """Clean and tag a record as an ingest does: ``{topic: country}`` of what it assigns."""
    from newsmon.article.clean import clean_document
    from newsmon.read.boilerplate import load_rules
    from newsmon.read.files import record_to_doc
    from newsmon.records import IngestError
    from newsmon.tagging.regions import load_tagger, score_both

    rules = load_rules(settings.cleaning_path)
    tagger = load_tagger(settings.topics_path, settings.regions_path, settings.countries_path)

    def predict(rec: dict[str, Any]) -> Prediction:
        doc = record_to_doc(rec.get("url", ""), rec)
        if isinstance(doc, IngestError):
            return {}
        cleaned = clean_document(doc, rules)
        if not cleaned.text.strip():
            return {}
        topics, _ = score_both(cleaned.title or "", cleaned.text, tagger)
        return {t.topic: getattr(t, "country", None) for t in topics}

    return predict


def evaluate_stream(
    rows: Iterable[dict[str, Any]],
    strata: dict[str, int],
    items: dict[str, dict[str, Any]],
    predict: Callable[[dict[str, Any]], Prediction],
    topics: Iterable[str],
    watch: frozenset[str] = frozenset({"RU"}),
    split: str | None = None,
    unplaced: bool = False,
) -> dict[str, Any]:
    """Per-topic stream-weighted precision and recall of ``predict``, the watched countries
    the positive class; ``split`` keeps only that part (``tune`` or ``report``). A topic
    assigned with no country counts as in the watch with ``unplaced`` (``watch.unplaced``),
    as the signals treat it."""
    rows = [r for r in rows if split is None or r.get("split") == split]
    sampled: dict[str, int] = defaultdict(int)
    for r in rows:
        sampled[r["stratum"]] += 1
    topics = list(topics)
    tallies = {t: Tally() for t in topics}
    missing = 0
    for r in rows:
        rec = items.get(r["url"])
        if rec is None:
            missing += 1
            continue
        weight = strata[r["stratum"]] / sampled[r["stratum"]]
        predicted = predict(rec)
        for t in topics:
            gold = r["topics"].get(t) in watch
            got = t in predicted and (
                predicted[t] in watch if predicted[t] is not None else unplaced
            )
            what = {
                "url": r["url"],
                "stratum": r["stratum"],
                "title": rec.get("title"),
                "label": r["topics"].get(t),
                "tagged": predicted.get(t, "-") if t in predicted else None,
            }
            if gold and got:
                tallies[t].add("tp", weight)
            elif got:
                tallies[t].add("fp", weight, what)
            elif gold:
                tallies[t].add("fn", weight, what)
    return {"tallies": tallies, "items": len(rows) - missing, "missing": missing}


def format_stream(name: str, report: dict[str, Any]) -> str:
    lines = [
        f"{name}: {report['items']} items"
        + (f" ({report['missing']} not found in the stream)" if report["missing"] else "")
    ]
    for topic, t in report["tallies"].items():
        lines.append(
            f"  {topic:<13} P {t.precision:.3f}  R {t.recall:.3f}"
            f"  (weighted tp {t.tp:,.0f} fp {t.fp:,.0f} fn {t.fn:,.0f};"
            f" sampled tp {t.raw['tp']} fp {t.raw['fp']} fn {t.raw['fn']})"
        )
    return "\n".join(lines)
