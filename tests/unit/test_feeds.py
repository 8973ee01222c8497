"""Feed documents as entries (newsmon.fetch.feeds): the entry's own text, links, quiet and broken
feeds, JSON Feed."""

from __future__ import annotations

import json

from newsmon.fetch.feeds import fragment_text, read_feed
from newsmon.fetch.retries import RetryRule, heals


def test_fragment_text_keeps_paragraphs_and_line_breaks_and_drops_scripts() -> None:
    html = (
        "<p>One <b>bold</b> line.</p><script>alert(1)</script><ul><li>a</li><li>b</li></ul>x<br>y"
    )
    assert fragment_text(html) == "One bold line.\n\na\n\nb\n\nx\ny"
    assert fragment_text("plain text, no markup") == "plain text, no markup"
    assert fragment_text("Tom &amp; Jerry") == "Tom & Jerry"


def test_rss_entry_texts_links_and_guids() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"
      xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>
    <item><title>Full</title><link>/a/1</link><description>Teaser</description>
      <content:encoded><![CDATA[<p>Whole text.</p>]]></content:encoded></item>
    <item><title>Permalink guid</title><guid>https://ex.org/p/2</guid></item>
    <item><title>Opaque guid</title><guid isPermaLink="false">tag:ex.org,2026:3</guid></item>
    <item><title>Bad link</title><link>javascript:void(0)</link></item>
    </channel></rss>"""
    feed = read_feed(rss, "application/rss+xml", "https://ex.org/feeds/rss.xml")
    full, perma, opaque, bad = feed.entries
    assert full.link == "https://ex.org/a/1" and full.text() == ("Whole text.", "feed_content")
    assert full.summary == "Teaser"
    assert perma.link == "https://ex.org/p/2" and perma.text() == ("Permalink guid", "title")
    assert opaque.link is None and opaque.guid == "tag:ex.org,2026:3"
    assert bad.link is None and bad.unusable_link == "javascript:void(0)"


def test_quiet_feeds_are_feeds_and_broken_ones_say_why() -> None:
    quiet = read_feed(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Q</title></channel></rss>'
    )
    assert quiet.problem is None and quiet.entries == []
    atom = read_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title></feed>')
    assert atom.problem is None and atom.kind == "atom10"
    html = read_feed(b"<!DOCTYPE html><html><body>Please log in</body></html>", "text/html")
    assert html.problem == "not a feed: an HTML page (markup changed, or a wall?)"
    cut = read_feed(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Cut</title><ite')
    assert cut.problem and cut.problem.startswith("a broken feed: its XML breaks off")
    assert read_feed(b"").problem == "not a feed: an empty answer"
    # an encoding note of the parser is not a problem of the feed
    latin = '<?xml version="1.0" encoding="us-ascii"?><rss version="2.0"><channel><title>é</title></channel></rss>'
    assert read_feed(latin.encode("latin-1")).problem is None


def test_json_feed_versions_content_and_authors() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "home_page_url": "https://j.example/",
        "author": {"name": "Feed Author"},
        "items": [
            {
                "id": 1,
                "url": "/p/1",
                "content_html": "<p>Hello <i>there</i></p>",
                "summary": "S",
                "date_published": "2026-12-01T10:00:00+03:00",
            },
            {
                "id": "2",
                "external_url": "https://other.example/x",
                "content_text": "Line 1\nLine 2",
            },
            "not an item",
        ],
    }
    feed = read_feed(json.dumps(doc).encode(), "application/json")
    assert feed.kind == "jsonfeed1" and len(feed.entries) == 2
    one, two = feed.entries
    assert one.link == "https://j.example/p/1" and one.guid == "1"
    assert one.text() == ("Hello there", "feed_content") and one.summary == "S"
    assert one.published is not None and one.published.hour == 7
    assert one.authors == ("Feed Author",)
    assert two.link == "https://other.example/x" and two.content == "Line 1\nLine 2"
    assert read_feed(b'{"items": []}', "application/json").problem == (
        "not a feed: JSON without a JSON Feed version"
    )
    assert read_feed(b"{not json", "application/feed+json").problem.startswith(
        "not a feed: JSON that does not parse"
    )


def test_which_failures_heal_and_the_retry_schedule() -> None:
    from datetime import UTC, datetime, timedelta

    assert heals("HTTP 503", 503) and heals("HTTP 429", 429)
    assert heals("timed out after 15s", None)
    assert heals("cannot resolve meduza.io (no DNS or network?)", None)
    assert heals("connection refused by 127.0.0.1", None)
    assert not heals("TLS handshake with example.org failed", None)
    assert not heals("HTTP 404", 404) and not heals("HTTP 403", 403)
    assert not heals("not an article (content type application/pdf)", 200)
    assert not heals("disallowed by robots.txt", None)
    rule = RetryRule(attempts=5, minutes=15, hours=24)
    t0 = datetime(2026, 12, 1, tzinfo=UTC)
    assert rule.next_attempt(1, t0, t0) == t0 + timedelta(minutes=15)
    assert rule.next_attempt(3, t0, t0 + timedelta(hours=1)) == t0 + timedelta(hours=2)
    assert rule.next_attempt(5, t0, t0) is None, "the fifth attempt was the last"
    assert rule.next_attempt(2, t0, t0 + timedelta(hours=23, minutes=45)) is None, "past the day"
