"""Feeds as publishers write them, through real fetch cycles against a server on 127.0.0.1:
the feed's own text when the page cannot be had, the retry queue, link-less entries,
relative links, quiet feeds and JSON Feed."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.servers import LocalSite, respond, use_sources

pytestmark = pytest.mark.integration

PARA = (
    "Military enlistment offices in Buryatia handed call-up papers to men of conscription age "
    "this week, and relatives of mobilised soldiers say the recruitment drive is the largest yet."
)
FULL = "".join(f"<p>{PARA} Paragraph {i} of the feed's own full text.</p>" for i in range(5))


def page(title: str, paras: int = 6) -> bytes:
    body = "".join(f"<p>{PARA} ({title}, paragraph {i}.)</p>" for i in range(paras))
    return (
        f"<html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        "<meta property='article:published_time' content='2026-12-01T09:00:00+00:00'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


class Site(LocalSite):
    def __init__(self) -> None:
        super().__init__()
        self.heal_after = 3  # /news/flaky answers 503 this many times in all, then the page

    def rss(self) -> bytes:
        b = self.base
        return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Walls</title>
<item><title>Behind a wall</title><link>{b}/news/walled</link>
  <description>A short teaser.</description><content:encoded><![CDATA[{FULL}]]></content:encoded></item>
<item><title>Flaky page</title><link>{b}/news/flaky</link><description>{PARA}</description></item>
<item><title>Thin page</title><link>{b}/news/thin</link><content:encoded><![CDATA[{FULL}]]></content:encoded></item>
<item><title>No link, a guid</title><guid isPermaLink="false">urn:press:42</guid>
  <description>{PARA} A press release with no page.</description></item>
<item><title>No link, no guid</title><description>{PARA} A bridge's post with no page.</description></item>
<item><guid isPermaLink="false">urn:press:empty</guid></item>
<item><title>Relative</title><link>/news/relative</link></item>
</channel></rss>""".encode()

    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        send = respond
        if path == "/robots.txt":
            return send(h, 404, b"", "text/plain")
        if path == "/feed.xml":
            if h.headers.get("If-None-Match") == '"v1"':
                return send(h, 304, b"")
            return send(h, 200, self.rss(), "application/rss+xml", ETag='"v1"')
        if path == "/feeds/atom.xml":
            return send(
                h,
                200,
                f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{self.base}/based/"><title>Based</title>
<entry><title>Base-relative</title><id>urn:a:1</id><link href="item-1"/>
  <updated>2026-12-01T10:00:00Z</updated></entry></feed>""".encode(),
                "application/atom+xml",
            )
        if path == "/quiet.xml":
            return send(
                h,
                200,
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>',
                "application/rss+xml",
            )
        if path == "/quiet-atom.xml":
            return send(
                h,
                200,
                b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Q</title></feed>',
                "application/atom+xml",
            )
        if path == "/feed.json":
            doc = {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "JSON news",
                "home_page_url": self.base + "/",
                "items": [
                    {
                        "id": "j1",
                        "url": "/json/html",
                        "title": "JSON with HTML",
                        "content_html": FULL,
                        "date_published": "2026-12-01T08:00:00+03:00",
                        "authors": [{"name": "Anna Petrova"}],
                    },
                    {
                        "id": "j2",
                        "title": "JSON text only",
                        "content_text": PARA + "\nA second line of the post.",
                    },
                ],
            }
            return send(h, 200, json.dumps(doc).encode(), "application/feed+json")
        if path == "/news/walled":
            return send(h, 403, b"<html>checking your browser</html>", "text/html")
        if path == "/news/flaky":
            if self.counts[path] <= self.heal_after:
                return send(h, 503, b"busy", "text/plain")
            return send(h, 200, page("Flaky page"))
        if path == "/news/thin":
            return send(h, 200, page("Thin page", paras=1))
        if path in ("/news/relative", "/based/item-1", "/json/html"):
            return send(h, 200, page(f"Page at {path}"))
        return send(h, 404, b"not found", "text/plain")


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def _configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sources: list[dict]) -> None:
    for s in sources:
        s.setdefault("type", "feed")
        s.setdefault("allow_private", True)
        s.setdefault("lang", "en")
    use_sources(tmp_path, monkeypatch, sources, {"timeout_seconds": 2, "retries": 0})


def _fetch(monkeypatch: pytest.MonkeyPatch, minutes_later: float = 0) -> dict[str, Any]:
    from newsmon.config import load_settings
    from newsmon.flows.pipeline import fetch

    monkeypatch.setenv("NEWSMON_CLOCK_SHIFT", str(minutes_later * 60))
    return fetch(load_settings())


def _articles(db_path: Path, base: str) -> dict[str, tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select coalesce(url, origin), article_id, text_source, title, text, date_source"
            " from articles"
        ).fetchall()
    return {r[0].replace(base, ""): r[1:] for r in rows}


def test_the_feeds_own_text_link_less_entries_and_the_retry_queue(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(tmp_path, monkeypatch, [{"name": "walls", "url": f"{site.base}/feed.xml"}])
    first = _fetch(monkeypatch)
    arts = _articles(db_path, site.base)
    # a 403 wall: the entry's content:encoded, whole, not its teaser
    _, source, title, text, _ = arts["/news/walled"]
    assert source == "feed_content" and title == "Behind a wall"
    assert text.count("Paragraph") == 5 and "teaser" not in text
    # a page that gives less than the feed: the feed's content is kept
    assert arts["/news/thin"][1] == "feed_content" and arts["/news/thin"][3].count("Paragraph") == 5
    # the flaky page failed (503): its description stands in, and it waits in the queue
    assert arts["/news/flaky"][1] == "feed_summary"
    # a relative link is resolved against the feed's URL and its page fetched
    assert arts["/news/relative"][1] == "page"
    # link-less entries are articles of their own text; one with nothing is counted
    link_less = {k: v for k, v in arts.items() if k.startswith("/feed.xml#")}
    assert {v[2] for v in link_less.values()} == {"No link, a guid", "No link, no guid"}
    assert "/feed.xml#urn:press:42" in link_less
    assert first["entries_skipped"] == {"entry with neither a link nor any text": 1}
    with duckdb.connect(str(db_path), read_only=True) as con:
        errors = dict(
            con.execute(
                "select replace(origin, $b, ''), reason from ingest_errors", {"b": site.base}
            ).fetchall()
        )
        queue = con.execute("select url, attempts, status from fetch_retries").fetchall()
    assert errors["/news/walled"] == "HTTP 403", "the page's error row stays"
    assert errors["/news/flaky"] == "HTTP 503"
    assert queue == [(f"{site.base}/news/flaky", 1, "waiting")], "403 does not heal; 503 may"

    # the feed is unchanged (304); not yet due: the page is not asked for
    second = _fetch(monkeypatch, minutes_later=5)
    assert second["feeds_unchanged"] == 1 and site.counts["/news/flaky"] == 1
    # due (15 min): tried again although the feed is unchanged; still 503
    third = _fetch(monkeypatch, minutes_later=16)
    assert third["retries_due"] == 1 and site.counts["/news/flaky"] == 2
    # due again (30 min after that): it heals, and the page replaces the feed's text
    _fetch(monkeypatch, minutes_later=16 + 31)
    assert site.counts["/news/flaky"] == 3
    _fetch(monkeypatch, minutes_later=16 + 31 + 61)
    assert site.counts["/news/flaky"] == 4
    after = _articles(db_path, site.base)
    assert after["/news/flaky"][0] == arts["/news/flaky"][0], "same article"
    assert after["/news/flaky"][1] == "page" and "paragraph 5" in after["/news/flaky"][3]
    assert after["/news/walled"] == arts["/news/walled"]
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select count(*) from fetch_retries").fetchone()[0] == 0
        assert (
            con.execute(
                "select count(*) from articles where url = $u", {"u": f"{site.base}/news/flaky"}
            ).fetchone()[0]
            == 1
        )


def test_a_page_that_never_heals_is_given_up_with_a_row(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.heal_after = 10_000
    _configure(tmp_path, monkeypatch, [{"name": "walls", "url": f"{site.base}/feed.xml"}])
    minutes = 0.0
    for _ in range(7):
        _fetch(monkeypatch, minutes)
        minutes += 16 * 60  # every 16 hours: the queue's window (24 h) closes
    with duckdb.connect(str(db_path), read_only=True) as con:
        status = con.execute("select attempts, status from fetch_retries").fetchall()
        gave_up = con.execute(
            "select reason from ingest_errors where reason like 'gave up%'"
        ).fetchall()
    # at 0 h, at 16 h (due 30 min later, within the day), at 32 h: the next would fall
    # outside the 24 hours from the first failure
    assert status == [(3, "gave_up")], status
    assert gave_up == [("gave up: the page failed 3 times",)]
    assert site.counts["/news/flaky"] == 3, "a page given up is not asked for again"


def test_quiet_feeds_json_feed_and_xml_base(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configure(
        tmp_path,
        monkeypatch,
        [
            {"name": "quiet", "url": f"{site.base}/quiet.xml"},
            {"name": "quiet-atom", "url": f"{site.base}/quiet-atom.xml"},
            {"name": "json", "url": f"{site.base}/feed.json"},
            {"name": "atom", "url": f"{site.base}/feeds/atom.xml"},
        ],
    )
    result = _fetch(monkeypatch)
    assert result["sources_failed"] == 0 and not result["failed"]
    arts = _articles(db_path, site.base)
    assert arts["/json/html"][1] == "page" and arts["/json/html"][2] == "Page at /json/html"
    text_only = arts["/feed.json#j2"]
    assert text_only[1] == "feed_content" and "A second line of the post." in text_only[3]
    assert arts["/based/item-1"][1] == "page", "xml:base resolves the Atom link"
    with duckdb.connect(str(db_path), read_only=True) as con:
        errors = con.execute("select origin, reason from ingest_errors").fetchall()
        state = dict(con.execute("select source, error from feed_state").fetchall())
        authors = con.execute(
            "select authors from articles where url like '%/json/html'"
        ).fetchone()[0]
    assert errors == [] and state["quiet"] is None and state["quiet-atom"] is None
    assert authors, "the page's or the feed's authors are kept"


def test_only_a_quiet_feed_the_command_exits_0(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    _configure(tmp_path, monkeypatch, [{"name": "quiet", "url": f"{site.base}/quiet.xml"}])
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    done = subprocess.run(
        [newsmon, "fetch", "--db", str(db_path), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["articles_new"] == 0 and result["errors"] == 0 and not result["all_failed"]


def test_news_fetch_keeps_what_the_feed_carries(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, airflow_db
) -> None:
    """The same through a news_fetch DAG run: the wall's feed text, the queued 503, the
    link-less entries, a JSON Feed and a quiet feed in one cycle, and a green run."""
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import ROOT

    _configure(
        tmp_path,
        monkeypatch,
        [
            {"name": "walls", "url": f"{site.base}/feed.xml"},
            {"name": "json", "url": f"{site.base}/feed.json"},
            {"name": "quiet", "url": f"{site.base}/quiet.xml"},
        ],
    )
    run = DagBag(dag_folder=str(ROOT / "dags")).get_dag("news_fetch").test()
    assert str(run.state).endswith("success")
    arts = _articles(db_path, site.base)
    assert arts["/news/walled"][1] == "feed_content" and arts["/news/flaky"][1] == "feed_summary"
    assert arts["/feed.xml#urn:press:42"][2] == "No link, a guid"
    assert arts["/json/html"][1] == "page" and arts["/feed.json#j2"][1] == "feed_content"
    with duckdb.connect(str(db_path), read_only=True) as con:
        queue = con.execute("select url, status from fetch_retries").fetchall()
        quiet = con.execute("select error from feed_state where source = 'quiet'").fetchone()
    assert queue == [(f"{site.base}/news/flaky", "waiting")] and quiet == (None,)


def test_a_source_that_takes_no_pages(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pages: false: every entry is its own text, under its link; no page is asked for."""
    _configure(
        tmp_path, monkeypatch, [{"name": "walls", "url": f"{site.base}/feed.xml", "pages": False}]
    )
    result = _fetch(monkeypatch)
    assert not [p for p in site.counts if p.startswith("/news/")], site.counts
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = dict(
            con.execute(
                "select replace(url, $b, ''), origin = url from articles where url is not null",
                {"b": site.base},
            ).fetchall()
        )
        sources = dict(
            con.execute(
                "select replace(url, $b, ''), text_source from articles where url is not null",
                {"b": site.base},
            ).fetchall()
        )
    assert rows and all(rows.values()), "the origin is the entry's link"
    assert sources["/news/walled"] == "feed_content" and sources["/news/relative"] == "title"
    assert result["entries_skipped"] == {"entry with neither a link nor any text": 1}
