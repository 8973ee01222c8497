"""Tagging rules: inflections, contexts, negatives, evidence, and quality on labelled text."""

from __future__ import annotations

import json

import pytest

from newsmon.article.clean import clean_document
from newsmon.config import ConfigError
from newsmon.records import RawDoc
from newsmon.tagging.evaluate import evaluate, naive_predict, read_labelled, taxonomy_predictor
from newsmon.tagging.taxonomy import build_taxonomy, load_taxonomy
from newsmon.tagging.topics import score_topics
from tests.conftest import ROOT, SEEDS, shared_path

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


COMBO = {
    "reference_words": 20,
    "topics": {
        "mob": {
            "threshold": 3,
            "anchor": 3,
            "terms": {3: ["conscription"], 2: ["rotation"], 1: ["army"]},
            "groups": {
                "enrol": ["summon*", "recruit*"],
                "military": {"en": ["military", "army"], "ru": ["армию"]},
            },
            "combos": [{"all": ["enrol", "military"], "within": 4, "weight": 3}],
            "contexts": ["recruited by the army of fans"],
        }
    },
}


@pytest.mark.parametrize(
    ("text", "tagged"),
    [
        ("Men summoned to clarify their military records.", True),  # 3 words apart
        ("Military officials summoned him.", True),  # either order
        ("Мужчин вербуют в армию.", False),  # no Russian member of "enrol"
        ("Men summoned to clarify their records at the local military office.", False),  # 7 apart
        ("Men were summoned to court. The military declined to comment.", False),  # 2 sentences
        ("She was recruited by the army of fans.", False),  # the part lies in a context
    ],
)
def test_combos_need_both_groups_in_one_sentence_and_close(text: str, tagged: bool) -> None:
    tax = build_taxonomy(COMBO)
    assert (topics(tax, text) == {"mob"}) is tagged


def test_combo_evidence_names_both_words_and_spans_them() -> None:
    tax = build_taxonomy(COMBO)
    text = "Men summoned to clarify their military records."
    (mob,) = score_topics("", text, tax)
    (ev,) = mob.evidence
    assert ev.term == "summon* ~ military"
    assert text[ev.start : ev.end] == "summoned to clarify their military"
    assert ev.weight == 3


def test_a_combo_does_not_swallow_the_terms_inside_it() -> None:
    tax = build_taxonomy(COMBO)
    (mob,) = score_topics("", "They summoned conscription officers for the army.", tax)
    assert {e.term for e in mob.evidence} >= {"conscription"}
    assert mob.score >= 3


def test_weak_words_alone_do_not_make_a_topic_without_an_anchor() -> None:
    tax = build_taxonomy(COMBO)
    assert topics(tax, "Rotation, rotation and army talk.") == set()  # 2 + 1 + 1 = 4, no anchor
    assert topics(tax, "Rotation and conscription.") == {"mob"}


def test_long_texts_need_evidence_in_proportion() -> None:
    tax = build_taxonomy(COMBO)
    short = "Conscription starts. " + "Weather is fine. " * 5  # 17 words: no scaling
    long = "Conscription starts. " + "Weather is fine. " * 60  # 182 words: divided by 3
    assert topics(tax, short) == {"mob"}
    assert topics(tax, long) == set()
    (mob,) = score_topics("", long, tax, all_topics=True)
    assert mob.score == pytest.approx(3 / (182 / 20) ** 0.5)
    dense = "Conscription starts; rotation too. " * 30  # the subject all along
    assert topics(tax, dense) == {"mob"}


@pytest.mark.parametrize(
    ("combo", "message"),
    [
        ({"all": ["enrol"], "weight": 3}, "exactly two groups"),
        ({"all": ["enrol", "nope"], "weight": 3}, "unknown group"),
        ({"all": ["enrol", "military"], "weight": "heavy"}, "numeric"),
        ("enrol + military", "needs 'all"),
    ],
)
def test_bad_combos_are_clear_errors(combo, message: str) -> None:
    raw = json.loads(json.dumps(COMBO))
    raw["topics"]["mob"]["combos"] = [combo]
    with pytest.raises(ConfigError, match=message):
        build_taxonomy(raw)


@pytest.mark.parametrize("value", [0, -5, "many"])
def test_bad_reference_words_is_a_clear_error(value) -> None:
    with pytest.raises(ConfigError, match="reference_words"):
        build_taxonomy({**COMBO, "reference_words": value})


def test_a_non_numeric_anchor_is_a_clear_error() -> None:
    raw = json.loads(json.dumps(COMBO))
    raw["topics"]["mob"]["anchor"] = "strong"
    with pytest.raises(ConfigError, match="anchor must be a number"):
        build_taxonomy(raw)


def test_quality_on_held_out_text(tax) -> None:
    """The product goal, on passages written and committed before this taxonomy was tuned.

    History and protocol: tests/data/labelled/README.md (measured: macro F1 0.933,
    mobilization 0.958 with P 1.00 and R 0.92).
    """
    records = read_labelled(LABELLED / "holdout.jsonl")
    report = evaluate(records, taxonomy_predictor(tax), tax.topics)
    baseline = evaluate(records, lambda _t, text: naive_predict(text), tax.topics)
    assert report["macro_f1"] >= 0.90
    assert report["per_topic"]["mobilization"]["f1"] >= 0.93
    assert report["macro_f1"] >= baseline["macro_f1"] + 0.5
    for topic, m in report["per_topic"].items():
        assert m["precision"] >= 0.9, (topic, m)
        assert m["recall"] >= 0.8, (topic, m)


def test_quality_on_real_long_pages(tax) -> None:
    """181 real, mostly off-topic pages: weak words must not pile up into tags.

    2023.11-3 put 48 false tags on them; 2023.11-4 puts 7 and misses 1 of 12 true ones.
    """
    truth = json.loads(shared_path("benchmarks", "zyte", "ground-truth.json").read_text())
    labels = json.loads((LABELLED / "zyte-topics.json").read_text())["labels"]
    records = [
        {"id": key, "text": page["articleBody"], "labels": labels.get(key, {}).get("labels", [])}
        for key, page in truth.items()
    ]
    report = evaluate(records, taxonomy_predictor(tax), tax.topics)
    false_tags = sum(m["fp"] for m in report["per_topic"].values())
    missed = sum(m["fn"] for m in report["per_topic"].values())
    assert len(records) == 181 and len(labels) == 12
    assert false_tags <= 7, report["errors"]
    assert missed <= 1, report["errors"]
    assert report["per_topic"]["mobilization"]["fp"] == 0


def test_quality_on_tuning_text(tax) -> None:
    for name in ("tune-1.jsonl", "tune-2.jsonl", "tune-3.jsonl", "tune-4.jsonl"):
        report = evaluate(read_labelled(LABELLED / name), taxonomy_predictor(tax), tax.topics)
        assert report["macro_f1"] >= 0.95, name
        assert report["per_topic"]["mobilization"]["f1"] >= 0.95, name


def test_tagging_a_russian_quarter_of_the_sets() -> None:
    records = [
        r
        for name in ("tune-1.jsonl", "tune-2.jsonl", "holdout.jsonl")
        for r in read_labelled(LABELLED / name)
    ]
    assert len(records) >= 80
    assert sum(r["lang"] in ("ru", "uk") for r in records) >= len(records) / 4


@pytest.mark.parametrize(
    ("text", "topic", "tagged"),
    [
        # the verb phrase is not a sit-in; the protest is
        ("As I sit in the kitchen, the scientists make foie gras in a lab.", "protests", False),
        ("Students staged a sit-in at the university against the war.", "protests", True),
        # political mobilisation is not the call-up
        ("Progressive groups turned to mass mobilization to build power.", "mobilization", False),
        ("Russia announced a mass mobilization of reservists.", "mobilization", True),
        # a how-to on VPNs and app access, advertising rules: not censorship
        (
            "Setting up VPN, HTTP proxies and restricting access to apps on iOS.",
            "censorship",
            False,
        ),
        (
            "Facebook bans ads for cryptocurrencies, adding them to its prohibited content.",
            "censorship",
            False,
        ),
        # speech prosecuted, outlets barred, journalists raided: censorship without "censor"
        (
            "A court fined a man for posting an article on social media about his earlier case.",
            "censorship",
            True,
        ),
        (
            "The editor-in-chief of an independent news site in Tomsk was arrested on charges of "
            "spreading false information.",
            "censorship",
            True,
        ),
        (
            "Moscow announced it would bar 81 EU media outlets from broadcasting in Russia.",
            "censorship",
            True,
        ),
        ("Police raided the home of the editor-in-chief of The Insider.", "censorship", True),
        (
            "Роскомнадзор ограничил работу мессенджеров WhatsApp и Telegram на юге России.",
            "censorship",
            True,
        ),
        # a background mention of an outlet blocked long ago is not the subject
        (
            "Военкомат Бурятии начал рассылать повестки студентам. Местное издание, которое первым "
            "сообщило об этом, ранее было заблокировано Роскомнадзором.",
            "censorship",
            False,
        ),
        (
            "The nearly 1,400 striking workers at the plant are demanding a salary increase.",
            "protests",
            True,
        ),
        (
            "Gene Sharp's writing on non-violent political resistance inspired the Arab Spring.",
            "protests",
            True,
        ),
        (
            "The Army is hoping to jump-start sagging summer recruiting efforts with a bonus.",
            "mobilization",
            True,
        ),
        (
            "The firm is recruiting engineers for its new office in the city centre.",
            "mobilization",
            False,
        ),
    ],
)
def test_real_news_classes(tax, text: str, topic: str, tagged: bool) -> None:
    """Classes found on real feed items and news leads (taxonomies 2026.11-7 and -8)."""
    assert (topic in topics(tax, text)) is tagged


def test_quality_on_real_feed_items(tax) -> None:
    """162 English and Russian items of the real feeds in ../shared/fixtures/feeds (few are
    on a topic: mostly a precision check on US news, tech and health items).

    2026.11-6 put 5 false tags and missed 2; 2026.11-7 puts 1 (an election in passing in a
    court story) and misses 1 (CNN "reined in": pressure on a broadcaster, scored 2.99).
    """
    from newsmon.tagging.evaluate import feed_records

    records = feed_records(shared_path("fixtures", "feeds"), LABELLED / "feeds-topics.json")
    report = evaluate(records, taxonomy_predictor(tax), tax.topics)
    assert len(records) == 162
    assert sum(m["fp"] for m in report["per_topic"].values()) <= 1, report["errors"]
    assert sum(m["fn"] for m in report["per_topic"].values()) <= 1, report["errors"]


@pytest.mark.parametrize("count", [40, 3_000])
def test_overlapping_matches_keep_the_best_of_each_overlap_at_any_size(count: int) -> None:
    """``_disjoint`` keeps, best first, each match that overlaps no kept better one: the same
    answer as checking every kept span, both for an article's few matches and for a long
    page's thousands (where it marks covered characters instead of inserting into a sorted
    list, which was quadratic)."""
    import random

    from newsmon.tagging.hits import _disjoint
    from newsmon.tagging.matching import Match as _Match

    rng = random.Random(count)
    ranked = []
    for i in range(count):
        start = rng.randrange(0, count * 6)
        ranked.append(("text", _Match(i, start, start + rng.randint(1, 40))))
    kept: list[tuple[int, int]] = []
    expected = []
    for h in ranked:
        if all(h[1].end <= s or e <= h[1].start for s, e in kept):
            kept.append((h[1].start, h[1].end))
            expected.append(h)
    got = _disjoint(ranked)
    assert got == expected
    assert 0 < len(got) < count


def test_snippets_of_a_text_without_spaces_stay_short(tax) -> None:
    """Words joined by commas, no space for 800,000 characters: each snippet is the match
    and its context cut mid-word, not everything back to the text's start (which made the
    evidence quadratic: 12.9 s for 3,000 matches, 203 s for 12,000)."""
    from newsmon.tagging.evidence import _snippet

    text = ("мобилизация,повестка,военкомат," + "погода,рынок,город," * 40) * 1_000
    start = text.find("мобилизация", len(text) // 2)
    middle = _snippet(text, start, start + len("мобилизация"))
    assert len(middle) < 4 * 60 + 40
    assert middle.startswith("…") and middle.endswith("…")
    assert "мобилизация" in middle


def test_a_text_without_spaces_is_scaled_for_its_length(tax) -> None:
    """Long-text scaling counted words by spaces, so 800,000 characters of comma-joined
    words were one word and their thousands of mentions all counted; such a text counts a
    word per 20 characters at least, and is judged as the same text with spaces is."""
    text = ("мобилизация,повестка,военкомат," + "погода,рынок,город," * 40) * 1_000
    assert score_topics("", text.replace(",", ", "), tax) == []
    assert score_topics("", text, tax) == []
    short = "мобилизация,повестка,военкомат," + "погода,рынок,город," * 40
    assert [t.topic for t in score_topics("", short, tax)] == ["mobilization"]


def test_evidence_is_bounded_by_the_rules_not_by_the_text(tax) -> None:
    """A page naming its places tens of thousands of times ("Moscow said", the capital as
    the government, is a context that vetoes Moscow the place): each term lists the
    occurrences that count, its first three (title first), and so does each vetoed term;
    50,000 snippets for one article made a 30 MB staged line that the store refused."""
    from newsmon.config import load_settings
    from newsmon.tagging.regions import load_tagger, score_both

    settings = load_settings()
    tagger = load_tagger(settings.topics_path, settings.regions_path)
    para = (
        "Moscow said the call-up in Moscow and Kazan goes on. Mobilization in Buryatia, "
        "mobilisation in Omsk: reservists in Moscow got call-up papers. "
    )
    text = para * 20_000
    topics, regions = score_both("Mobilization in Moscow", text, tagger)
    assert {r.topic for r in regions} >= {"RU-MOW", "RU-TA", "RU-BU", "RU-OMS"}
    for scored in topics + regions:
        per_term: dict[str, list] = {}
        for e in scored.evidence:
            per_term.setdefault(e.term, []).append(e)
            body = "Mobilization in Moscow" if e.field == "title" else text
            assert body[e.start : e.end].lower().startswith(e.term.split("*")[0][:4].lower())
        assert max(len(v) for v in per_term.values()) <= 3, scored.topic
        vetoed: dict[str, int] = {}
        for e in scored.vetoed:
            vetoed[e.term] = vetoed.get(e.term, 0) + 1
        assert all(n <= 3 for n in vetoed.values())
    moscow = next(r for r in regions if r.topic == "RU-MOW")
    assert moscow.evidence[0].field == "title"  # the title's occurrence is the first to count
    assert [e.start for e in moscow.evidence if e.field == "text"] == sorted(
        e.start for e in moscow.evidence if e.field == "text"
    )


@pytest.mark.parametrize("count", [10, 5_000])
def test_a_context_vetoes_what_lies_inside_it_at_any_count(count: int) -> None:
    """The veto looks up the context spans by bisection (checking each match against every
    context span was quadratic on a page full of them): the same answer as the plain check,
    with spans that nest, overlap and share starts."""
    import random

    from newsmon.tagging.hits import _Cover

    rng = random.Random(count)
    spans = []
    for _ in range(count):
        start = rng.randrange(0, count * 8)
        spans.append((start, start + rng.randint(1, 60)))
    cover = _Cover(spans)
    probes = []
    for _ in range(count * 4):
        start = rng.randrange(0, count * 8 + 50)
        probes.append((start, start + rng.randint(1, 20)))
    probes += spans  # each span holds itself
    expected = [any(s <= a and b <= e for s, e in spans) for a, b in probes]
    assert [cover.contains(a, b) for a, b in probes] == expected
    assert 0 < sum(expected) < len(probes)
