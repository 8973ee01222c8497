"""Tagging rules: inflections, contexts, negatives, evidence, and quality on labelled text."""

from __future__ import annotations

import pytest

from newsmon.clean import clean_document
from newsmon.config import ConfigError
from newsmon.evaluate import evaluate, naive_predict, read_labelled, taxonomy_predictor
from newsmon.models import RawDoc
from newsmon.tag import build_taxonomy, load_taxonomy, score_topics
from tests.conftest import ROOT, SEEDS

LABELLED = ROOT / "tests" / "data" / "labelled"


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def topics(tax, text: str, title: str = "") -> set[str]:
    return {t.topic for t in score_topics(title, text, tax)}


@pytest.mark.parametrize(
    "text",
    [
        "Russia announced a partial mobilisation of reservists.",
        "The wives of mobilized men demanded their return; the mobilization has no end date.",
        "Жены мобилизованных требуют вернуть мужей, мобилизация бессрочна.",
        "Часткова мобілізація в Росії: мобілізованих відправляють на фронт.",
    ],
)
def test_inflections_in_three_languages(tax, text: str) -> None:
    assert "mobilization" in topics(tax, text)


def test_contexts_veto_and_are_reported(tax) -> None:
    text = "The minister will mobilise resources for the budget. He resigned in protest over the NHL draft."
    assert topics(tax, text) == set()
    every = {t.topic: t for t in score_topics("", text, tax, all_topics=True)}
    assert [e.term for e in every["protests"].vetoed] == ["protest*"]
    assert every["mobilization"].score <= 0


def test_negative_terms_down_weight(tax) -> None:
    text = "NATO exercise Steadfast Defender tests the rapid mobilisation of allied troops."
    assert "mobilization" not in topics(tax, text)


def test_evidence_offsets_point_at_the_match(tax) -> None:
    title = "Mobilisation fears"
    text = "Officials deny plans for a second wave of mobilization, but conscripts are worried."
    (mob,) = [t for t in score_topics(title, text, tax) if t.topic == "mobilization"]
    fields = {"title": title, "text": text}
    assert {e.field for e in mob.evidence} == {"title", "text"}
    for e in mob.evidence:
        matched = fields[e.field][e.start : e.end]
        assert matched.lower().startswith(("mobili", "conscript")), matched
        assert matched in e.snippet


def test_title_counts_more(tax) -> None:
    text = "Officials discussed conscription."
    in_title = score_topics("Conscription", text, tax, all_topics=True)[0]
    in_text = score_topics("", text, tax, all_topics=True)[0]
    assert in_title.score > in_text.score


def test_every_seed_is_mobilization(tax) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = clean_document(RawDoc(str(path), "txt", path.read_text(encoding="utf-8")))
        assert "mobilization" in topics(tax, cleaned.text, cleaned.title), path.name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "no 'topics'"),
        ({"topics": {"x": {"terms": {3: ["a"]}}}}, "no threshold"),
        ({"topics": {"x": {"threshold": 1, "terms": {3: ["a&b"]}}}}, "cannot read term"),
        ({"topics": {"x": {"threshold": 1, "terms": "a"}}}, "must map weights"),
    ],
)
def test_bad_taxonomy_is_a_clear_error(raw: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_taxonomy(raw)


def test_phrases_and_alternatives_compile() -> None:
    tax = build_taxonomy(
        {"topics": {"x": {"threshold": 2, "terms": {2: ["call-up", "defen(c|s)e ministry*"]}}}}
    )
    assert topics(tax, "a call up was issued") == {"x"}
    assert topics(tax, "the Defense Ministry's order") == {"x"}
    assert topics(tax, "callup") == set()


def test_quality_on_held_out_text(tax) -> None:
    """Regression floors on passages the taxonomy was not tuned on.

    These guard against getting worse; they are NOT the product goal (macro F1 >= 0.90,
    mobilization F1 >= 0.93), which the rules do not reach on unseen paraphrases yet.
    History and protocol: tests/data/labelled/README.md.
    """
    records = read_labelled(LABELLED / "tune-4.jsonl")  # the held-out set of 2023.11-3
    report = evaluate(records, taxonomy_predictor(tax), tax.topics)
    baseline = evaluate(records, lambda _t, text: naive_predict(text), tax.topics)
    assert report["macro_f1"] >= 0.78
    assert report["macro_f1"] >= baseline["macro_f1"] + 0.5
    assert report["per_topic"]["mobilization"]["f1"] >= 0.68
    for topic, m in report["per_topic"].items():
        assert m["precision"] >= 0.84, (topic, m)
        assert m["recall"] >= 0.57, (topic, m)


def test_quality_on_tuning_text(tax) -> None:
    for name in ("tune-1.jsonl", "tune-2.jsonl"):
        report = evaluate(read_labelled(LABELLED / name), taxonomy_predictor(tax), tax.topics)
        assert report["macro_f1"] >= 0.95, name
        assert report["per_topic"]["mobilization"]["f1"] >= 0.95, name


def test_tagging_a_russian_quarter_of_the_sets() -> None:
    records = [
        r
        for name in ("tune-1.jsonl", "tune-2.jsonl", "tune-4.jsonl")
        for r in read_labelled(LABELLED / name)
    ]
    assert len(records) >= 80
    assert sum(r["lang"] in ("ru", "uk") for r in records) >= len(records) / 4
