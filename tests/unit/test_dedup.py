"""URL canonicalisation, content hashes, MinHash similarity and story assignment."""

from __future__ import annotations

import pytest

from newsmon.article.identity import (
    MinHasher,
    article_id,
    band_keys,
    canonical_url,
    content_hash,
    similarity,
)
from newsmon.storage.stories import Match, assign_stories
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.Example.org/a/?utm_source=x&b=2&a=1#top", "https://example.org/a?a=1&b=2"),
        ("https://example.org/", "https://example.org/"),
        ("https://example.org/a?fbclid=123", "https://example.org/a"),
        ("https://example.org:443/a//b/", "https://example.org/a/b"),
        ("https://m.bbc.co.uk/news/1", "https://bbc.co.uk/news/1"),
        (None, None),
        ("", None),
    ],
)
def test_canonical_url(url: str | None, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_content_hash_ignores_case_spacing_punctuation() -> None:
    assert content_hash("Hello,  World!\n") == content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello there world")


def test_article_id_prefers_url() -> None:
    h = content_hash("x")
    assert article_id("https://a.org/1", h) == article_id("https://a.org/1", content_hash("y"))
    assert article_id(None, h) != article_id("https://a.org/1", h)


def test_minhash_separates_copies_from_other_stories() -> None:
    hasher = MinHasher(128, 4)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    base = hasher.signature(texts[1])
    edited = (
        texts[1].replace("Putin", "Vladimir Putin")[:-400] + "\nAdditional reporting by agencies."
    )
    assert similarity(base, hasher.signature(edited)) >= 0.6
    for other in texts[2:]:
        assert similarity(base, hasher.signature(other)) < 0.1
    assert similarity(hasher.signature("a b c"), hasher.signature("a b c")) == 1.0
    assert len(band_keys(base, 32)) == 32


def test_assign_stories_groups_copies_within_a_run_and_against_stored() -> None:
    new = [("a1", "h1"), ("a2", "h2"), ("a3", "h3"), ("a4", "h3"), ("a5", "h5")]
    # a2 is a near copy of a1; a4 an exact copy of a3; a5 resembles a2, which joined a1's
    # story and so represents nothing: it starts its own story
    matches = {"a2": [Match("a1", False, 0.8)], "a5": [Match("a2", False, 0.6)]}
    mapping = assign_stories(new, exact={}, matches=matches)
    assert mapping["a1"] == ("a1", True)
    assert mapping["a2"] == ("a1", False)
    assert mapping["a3"] == ("a3", True)
    assert mapping["a4"] == ("a3", False)
    assert mapping["a5"] == ("a5", True)
    # against stored stories: an exact copy first, then the most similar representative
    stored = {"h3": "old-story"}
    matches = {"a1": [Match("weaker", True, 0.55), Match("stored-story", True, 0.9)]}
    mapping = assign_stories(new, exact=stored, matches=matches)
    assert mapping["a1"] == ("stored-story", False)
    assert mapping["a3"] == ("old-story", False)
    assert assign_stories(new[:1], exact={}, matches={})["a1"] == ("a1", True)


def test_a_quote_joins_the_story_of_what_it_quotes_even_a_copy_earlier_in_the_chunk() -> None:
    """A short text's quote matches name stored stories and earlier new articles; it joins
    their story when there is one (an earlier article that is itself a copy gives its
    story, not itself), and starts its own when they span two stories (stock sentences)."""
    new = [("a1", "h1"), ("a2", "h2"), ("p1", "h3"), ("p2", "h4"), ("p3", "h5")]
    matches = {
        "a2": [Match("a1", False, 0.9)],  # a copy of a1: a1's story
        "p1": [Match("a2", False, 0.95, quote=True)],  # quotes the copy
        "p2": [Match("a1", False, 0.95, quote=True), Match("S9", True, 0.95, quote=True)],
        "p3": [Match("S9", True, 0.95, quote=True), Match("S9", True, 0.95, quote=True)],
    }
    out = assign_stories(new, {}, matches)
    assert out["a1"] == ("a1", True) and out["a2"] == ("a1", False)
    assert out["p1"] == ("a1", False), "the story of the copy it quotes"
    assert out["p2"] == ("p2", True), "two stories: stock sentences, its own"
    assert out["p3"] == ("S9", False)
