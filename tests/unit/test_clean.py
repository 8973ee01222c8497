"""Boilerplate out, every sentence of the story kept, metadata found."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsmon.article.clean import clean_document
from newsmon.read.boilerplate import load_rules, required_literals
from newsmon.records import RawDoc
from tests.conftest import SEEDS


def _clean(name: str):
    path = next(SEEDS.glob(f"{name}_*.txt"))
    return clean_document(
        RawDoc(origin=str(path), kind="txt", text=path.read_text(encoding="utf-8"))
    )


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?”’])\s+", text) if len(s) > 40]


BOILERPLATE = {
    "000": [
        "Copyright © 2024",
        "supported by the International Renaissance Foundation",
        "Privacy and Cookie Policies",
        "Become a Patron",
        "disabling your ad blocker",
        "press Ctrl + Enter",
        "Related Posts",
        "Read also",
        "Credit: Sergey Bobylev/TASS",
    ],
    "001": ["READ MORE:", "Source: Read Full Article"],
    "002": ["(C)UNIAN 2023", "Like Loading", "Yuri Kobzar19:25"],
    "003": ["Share this:", "Source: With Agencies", "All comments."],
    "004": ["Images source:", "Getty Images", "Related content", "9:41 AM EST"],
}


@pytest.mark.parametrize("seed", sorted(BOILERPLATE))
def test_seed_boilerplate_removed(seed: str) -> None:
    cleaned = _clean(seed)
    for fragment in BOILERPLATE[seed]:
        assert fragment not in cleaned.text, fragment


@pytest.mark.parametrize("seed", sorted(BOILERPLATE))
def test_seed_story_sentences_kept(seed: str) -> None:
    """Every raw line is either dropped whole with a reason, or all its sentences are kept."""
    cleaned = _clean(seed)
    removed = {" ".join(line.split()) for _, line in cleaned.removed}
    body = " ".join(cleaned.text.split())
    raw = next(SEEDS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
    for line in raw.splitlines():
        line = " ".join(line.split()).strip(" •")
        if not line or line in removed or f"• {line}" in removed:
            continue
        for sentence in _sentences(line):
            assert sentence in body, sentence


def test_seed_metadata() -> None:
    assert (
        _clean("000").title
        == "British intel: Putin to avoid unpopular moves ahead of re-election bid"
    )
    assert _clean("000").source == "Euromaidan Press"
    unian = _clean("002")
    assert unian.source == "UNIAN"
    assert unian.published_at == datetime(2023, 11, 20, 19, 25, tzinfo=UTC)
    assert unian.date_source == "text"
    assert unian.text.startswith("Putin is afraid that rallies"), (
        "a lede sentence stays in the story"
    )
    desertion = _clean("004")
    assert desertion.title == "Desertion in the Russian Army. Putin's Robust Response"
    assert desertion.published_at == datetime(2023, 11, 21, 14, 41, tzinfo=UTC)
    assert desertion.text.count("Desertion in the Russian army. Putin is laying out money.") == 1


def test_removed_lines_carry_reasons() -> None:
    reasons = {r for r, _ in _clean("000").removed}
    assert {"copyright", "donation", "ad_blocker", "related_links", "outlet", "repeated"} <= reasons


def test_related_links_tail_is_cut_but_story_paragraphs_are_not() -> None:
    text = "Title\n\nFirst story paragraph that is long enough to be a paragraph.\n\nRelated\n\nShort headline one\n\nShort headline two"
    cleaned = clean_document(RawDoc("x", "txt", text))
    assert "Short headline" not in cleaned.text
    long_para = "A long paragraph " * 20
    cleaned = clean_document(RawDoc("x", "txt", f"Title\n\nRelated\n\n{long_para}"))
    assert long_para.strip() in cleaned.text


def test_outlet_rules_extend_cleaning(tmp_path: Path) -> None:
    rules = tmp_path / "cleaning.yaml"
    rules.write_text(
        "drop_lines: {}\noutlets:\n  - name: Example News\n    match: ['example\\.news']\n"
        "    drop_lines: ['^subscribe to example news']\n",
        encoding="utf-8",
    )
    doc = RawDoc(
        "x",
        "txt",
        "Headline\n\nStory sentence one.\n\nSubscribe to Example News today",
        url="https://example.news/a",
    )
    cleaned = clean_document(doc, load_rules(rules))
    assert cleaned.text == "Story sentence one."
    assert cleaned.source == "Example News"


def test_required_literals_prefilter_is_a_necessary_condition() -> None:
    for _, rule in load_rules().floating:
        for literal in rule.literals:
            assert literal == literal.lower()
    assert required_literals(re.compile(r"\bbecome a patron\b", re.I)) == ("become a patron",)
    assert required_literals(re.compile(r"\b(credit|photo)s?:", re.I)) == ("credit", "photo")


def test_line_keys_in_one_pass_equal_the_key_of_each_line() -> None:
    """The repeated-line check keys all lines in one regex pass; it must fold exactly as the
    key of one line does (underscores, punctuation runs, case, Cyrillic, ß)."""
    from newsmon.article.clean import _key, _keys

    lines = [
        "Mobilisation — in _Russia_ continues!",
        "__init__ snake_case -_- «ёлки» ",
        "МОБИЛИЗАЦИЯ: продолжается…",
        "Straße ＿ ǅ ﬁ",
        "_",
        "...",
        "a_-_b",
    ]
    assert _keys(lines) == [_key(line) for line in lines]
