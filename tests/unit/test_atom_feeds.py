"""The Atom documents the feeds are made of: valid for a real Atom parser (feedparser),
whatever the stories hold."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser

from newsmon.alerting.atom_feeds import summary, topic_feed

NOW = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)


def _story(i: int, **fields: object) -> dict:
    return {
        "story_id": f"s{i}",
        "title": f"Story {i}",
        "first_seen_at": NOW,
        "published_at": NOW,
        "last_seen_at": NOW,
        "source_count": 2,
        "article_count": 3,
        "score": 4.5,
        "country": "RU",
        "url": f"https://example.org/{i}",
        "outlets": ["Meduza", "Novaya"],
        "topics": ["mobilization"],
    } | fields


def test_a_feed_parses_as_atom_with_every_story() -> None:
    doc = feedparser.parse(topic_feed("mobilization", [_story(i) for i in range(3)], NOW))
    assert not doc.bozo, doc.get("bozo_exception")
    assert doc.version == "atom10"
    assert doc.feed.title == "newsmon: mobilization stories"
    assert [e.title for e in doc.entries] == ["Story 0", "Story 1", "Story 2"]
    first = doc.entries[0]
    assert first.id == "urn:newsmon:story:s0" and first.link == "https://example.org/0"
    assert first.summary == "2 outlets: Meduza, Novaya; tags: mobilization; about RU; score 4.5"
    assert [t.term for t in first.tags] == ["mobilization"]
    assert first.updated == "2026-12-06T07:00:00Z"


def test_hostile_stories_leave_the_feed_well_formed() -> None:
    hostile = _story(
        9,
        title='</title><script>alert(1)</script>]]>\x00\x1b "quoted" & more\ufffe',
        url="javascript:alert(document.cookie)",
        outlets=["<b>Evil</b> & Co\x07"],
        topics=["mobilization", "protests"],
        published_at=None,
        last_seen_at=None,
        country=None,
        score=None,
    )
    untitled = _story(10, title=None, url="https://example.org/a b\nc")
    doc = feedparser.parse(topic_feed("protests", [hostile, untitled], NOW))
    assert not doc.bozo, doc.get("bozo_exception")
    entry = doc.entries[0]
    assert "alert(1)" in entry.title and "\x00" not in entry.title and "\x1b" not in entry.title
    assert entry.get("links", []) == [], "no javascript: link"
    assert entry.content[0].value == entry.summary, "no link: the entry carries its content"
    assert entry.published == "2026-12-06T07:00:00Z", "first seen stands in for no date"
    assert doc.entries[1].title == "(untitled)"
    assert [link.href for link in doc.entries[1].links] == ["https://example.org/a%20bc"]


def test_an_empty_topic_is_a_valid_feed_of_no_entries() -> None:
    doc = feedparser.parse(topic_feed("censorship", [], NOW))
    assert not doc.bozo and doc.entries == [] and doc.feed.updated == "2026-12-06T07:00:00Z"


def test_the_summary_counts_in_words() -> None:
    assert summary(_story(1, source_count=1, outlets=["Meduza"], topics=[], country=None)) == (
        "1 outlet: Meduza; score 4.5"
    )


def test_only_a_plain_topic_names_a_feed_file() -> None:
    from newsmon.alerting.atom_feeds import FEED_NAME

    assert FEED_NAME.fullmatch("mobilization") and FEED_NAME.fullmatch("war_crimes-2")
    for bad in ("war\n", "../news", "Mobilization", "", "a" * 65, "a.b"):
        assert not FEED_NAME.fullmatch(bad), bad
