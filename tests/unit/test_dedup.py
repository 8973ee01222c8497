"""URL canonicalisation, content hashes, MinHash similarity and story assignment."""

from __future__ import annotations

import numpy as np
import pytest

from newsmon.dedup import MinHasher, article_id, band_keys, canonical_url, content_hash, similarity
from newsmon.store import NewArticle, assign_stories
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


def _art(aid: str, text: str, h: MinHasher) -> NewArticle:
    sig = h.signature(text)
    return NewArticle(aid, content_hash(text), sig, band_keys(sig, 32))


def test_assign_stories_groups_copies_within_a_run_and_against_stored() -> None:
    h = MinHasher(128, 4)
    story = (SEEDS / next(p.name for p in SEEDS.glob("003_*"))).read_text(encoding="utf-8")
    other = (SEEDS / next(p.name for p in SEEDS.glob("004_*"))).read_text(encoding="utf-8")
    new = [
        _art("a1", story, h),
        _art("a2", "Breaking: " + story.replace("Russian", "Russia's"), h),  # re-headlined copy
        _art("a3", other, h),
        _art("a4", other, h),  # exact copy of a3 under another URL
    ]
    mapping = assign_stories(new, exact={}, candidates={}, threshold=0.5)
    assert mapping["a1"] == ("a1", True)
    assert mapping["a2"] == ("a1", False)
    assert mapping["a3"] == ("a3", True)
    assert mapping["a4"] == ("a3", False)
    # against stored articles: exact hash first, then band candidates above the threshold
    stored = {new[2].content_hash: "old-story"}
    cand = {"a1": [("stored-story", h.signature(story))]}
    mapping = assign_stories(new, exact=stored, candidates=cand, threshold=0.5)
    assert mapping["a1"] == ("stored-story", False)
    assert mapping["a3"] == ("old-story", False)
    weak = {"a1": [("unrelated", np.zeros(128, dtype=np.uint32))]}
    assert assign_stories(new[:1], exact={}, candidates=weak, threshold=0.5)["a1"] == ("a1", True)
