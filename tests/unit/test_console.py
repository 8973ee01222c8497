"""The console's queries and pages on a real DuckDB file (tests/console_db.py): what each page
answers, hostile text escaped, links only http(s), CSV cells defused."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest

from tests import console_db


@pytest.fixture
def fixture_db(db_path: Path) -> dict:
    today = datetime.now(UTC).date()
    return console_db.build(db_path, datetime.combine(today, time(12), UTC))


@pytest.fixture
def client(fixture_db: dict):
    from fastapi.testclient import TestClient

    from newsmon.console.app import create_app

    return TestClient(create_app(now=lambda: fixture_db["now"]))


def con_again(fixture_db: dict):
    from newsmon.storage.db import open_reader

    return open_reader(fixture_db["settings"].read_db_path)


def _con(fixture_db: dict):
    from newsmon.storage.readcopy import open_read

    return open_read(fixture_db["settings"])


def test_overview_counts_the_spike_and_the_last_24_hours(fixture_db: dict) -> None:
    from newsmon.console import queries

    with _con(fixture_db) as con:
        ov = queries.overview(con, ["mobilization", "protests"], 30, fixture_db["now"])
    yesterday = fixture_db["now"].date() - timedelta(days=1)
    per_day = {(r["topic"], r["day"]): r["stories"] for r in ov.daily}
    assert per_day[("mobilization", yesterday)] == 9
    assert [s["signal_id"] for s in ov.spikes] == [console_db.SPIKE]
    counts = {c["topic"]: c for c in ov.counts}
    # the three-outlet story (published 6 h ago) is the one mobilization story of the last 24 h;
    # the spike's nine stories were published 28-36 h ago, in the baseline week
    assert counts["mobilization"]["last_24h"] == 1
    assert counts["mobilization"]["baseline_per_day"] == pytest.approx((9 + 6) / 7, abs=0.01)
    assert counts["protests"]["last_24h"] == 0
    assert [s["signal_id"] for s in ov.signals] == [
        console_db.NEW_STORY,
        console_db.SPIKE,
        console_db.REGION_SPIKE,
    ]
    assert [(r["region"], r["name"], r["stories_7d"]) for r in ov.regions] == [
        ("RU-BU", "Buryatia", 6)  # the three-outlet story and five of yesterday's
    ]
    assert ov.signals[0]["title"] == "Summonses handed to 300 men in Buryatia"
    assert ov.signals[0]["source"] == "Meduza"


def test_signal_page_shows_why_copies_evidence_and_alerts(fixture_db: dict) -> None:
    from newsmon.console import queries

    with _con(fixture_db) as con:
        sp = queries.signal_page(con, console_db.NEW_STORY)
        spike = queries.signal_page(con, console_db.SPIKE)
        assert queries.signal_page(con, "nope") is None
    assert sp is not None and sp.story is not None
    assert [c["source"] for c in sp.story.copies] == ["Meduza", "<b>Evil</b> Outlet", "Novaya"]
    assert [c["date_source"] for c in sp.story.copies] == ["meta", "feed", None]
    marked = [(e.term, [t for t, hit in e.parts if hit]) for e in sp.story.evidence]
    assert ("summons*", ["Summonses"]) in marked
    assert ("mobiliz*", ["mobilized"]) in marked
    assert ("mobilize resources", ["mobilize resources"]) in marked, "a negative rule's words"
    assert {(a["channel"], a["status"]) for a in sp.alerts} == {
        ("slack", "sent"),
        ("email", "failed"),
        ("log", "sent"),
    }
    assert spike is not None and spike.story is None
    assert len(spike.stories) == 9 and spike.stories[0]["title"].startswith("Call-up drive")
    assert [(r["region"], r["name"]) for r in sp.story.regions] == [("RU-BU", "Buryatia")]
    regional = queries.signal_page(con_again(fixture_db), console_db.REGION_SPIKE)
    assert regional is not None and len(regional.stories) == 5, "only the region's stories"


def test_sources_flags_the_silent_and_the_failing_feed(fixture_db: dict) -> None:
    from newsmon.console import queries

    with _con(fixture_db) as con:
        found = {r["source"]: r for r in queries.sources_page(con, [], fixture_db["now"])}
    assert found["silent-feed"]["status"] == "silent"
    assert "no new article for 4 d" in found["silent-feed"]["why"]
    assert found["failing-feed"]["status"] == "failing"
    assert found["failing-feed"]["last_error"] == "HTTP 503 Service Unavailable"
    assert found["failing-feed"]["last_ok_at"] == fixture_db["now"] - timedelta(days=2)
    assert found["healthy-feed"]["status"] == "ok"
    assert sum(found["healthy-feed"]["per_day"]) == found["healthy-feed"]["articles_14d"] == 9 + 12
    assert len(found["healthy-feed"]["per_day"]) == 14


def test_a_configured_source_never_fetched_waits_and_one_checked_without_articles_is_silent(
    fixture_db: dict,
) -> None:
    from newsmon.console import queries

    conf = [
        {"name": "new-feed", "type": "feed", "url": "https://new.example/rss"},
        {"name": "failing-feed", "type": "feed", "url": "https://failing.example/rss"},
    ]
    with _con(fixture_db) as con:
        found = {r["source"]: r for r in queries.sources_page(con, conf, fixture_db["now"])}
        con.execute("select 1")
    assert found["new-feed"]["status"] == "waiting"
    assert list(found)[:2] == ["new-feed", "failing-feed"]  # configured first, in their order


def test_search_filters_and_marks_words(fixture_db: dict) -> None:
    from newsmon.console import queries
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish
    from newsmon.storage.search import index_missing

    with open_db(fixture_db["settings"]) as con:
        index_missing(con)
        publish(con, fixture_db["settings"])
    with _con(fixture_db) as con:
        hits = queries.search_page(con, "повестки")
        none = queries.search_page(con, "повестки", lang="en")
        outlet = queries.search_page(con, "summonses", source="Meduza")
    assert [h["article_id"] for h in hits] == ["a-mob-3"]
    assert [t for t, hit in hits[0]["parts"] if hit] == ["повестки"]
    assert none == []
    assert [h["article_id"] for h in outlet] == ["a-mob-1"]


def test_pages_escape_hostile_text_and_link_only_http(client) -> None:
    page = client.get("/signal", params={"id": console_db.NEW_STORY})
    assert page.status_code == 200
    html = page.text
    assert "<script>" not in html and "<img src=x" not in html and "<b>Evil</b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Evil&lt;/b&gt; Outlet" in html
    assert 'href="javascript:' not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(not h.lower().startswith(("javascript:", "data:")) for h in hrefs)
    # the quote in the URL cannot close the attribute
    assert 'onmouseover="alert(2)' not in html
    assert "https://evil.example/a&#34;onmouseover=&#34;alert(2)" in html
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    sources = client.get("/sources").text
    assert "<img src=x" not in sources and "&lt;img src=x onerror=alert(3)&gt;" in sources
    assert "<b>detail</b>" not in sources and "&lt;b&gt;detail&lt;/b&gt; at 09:00" in sources


def test_every_page_renders_and_links_from_its_mount_point(client) -> None:
    for path in (
        "/",
        "/?days=90",
        "/?days=365",
        "/sources",
        "/search?q=summonses",
        f"/story?id={console_db.STORY}",
        f"/signal?id={console_db.SPIKE}",
    ):
        page = client.get(path, headers={})
        assert page.status_code == 200, path
        assert "<h1>" in page.text
    assert client.get("/story", params={"id": "none"}).status_code == 404
    story = client.get("/story", params={"id": console_db.STORY}).text
    assert "Regions: Buryatia <small>(RU-BU)</small>" in story
    regional = client.get("/signal", params={"id": console_db.REGION_SPIKE}).text
    assert "<h1>Regional spike: mobilization in RU-BU</h1>" in regional
    assert client.get("/", params={"days": 1000}).text.count("the last 365 days") == 1
    mounted = client.get("/", params={"days": 30}, headers={})
    assert 'href="/signal?id=' in mounted.text or 'href="/story?id=' in mounted.text


def test_the_chart_marks_the_spike_and_draws_a_line_per_topic(client) -> None:
    html = client.get("/").text
    svg = html[
        html.index('<svg class="chart"') : html.index("</svg>", html.index('<svg class="chart"'))
    ]
    assert svg.count("<polyline") == 4  # every topic of the taxonomy
    assert svg.count('class="spike"') == 1
    assert "9 stories against a baseline of 1.0 a day" in svg


def test_csv_exports_defuse_formulas_and_keep_numbers(client) -> None:
    got = client.get("/export/copies.csv", params={"id": console_db.STORY})
    assert got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["source"] for r in table] == ["Meduza", "<b>Evil</b> Outlet", "Novaya"]
    evidence = list(
        csv.DictReader(
            io.StringIO(client.get("/export/evidence.csv", params={"id": console_db.STORY}).text)
        )
    )
    assert "-1.5" in {r["weight"] for r in evidence}  # a negative weight is a number, kept
    signals = list(csv.DictReader(io.StringIO(client.get("/export/signals.csv").text)))
    assert {r["signal_id"] for r in signals} == {
        console_db.SPIKE,
        console_db.NEW_STORY,
        console_db.REGION_SPIKE,
    }
    assert {r["signal_id"]: r["region"] for r in signals}[console_db.REGION_SPIKE] == "RU-BU"
    regions = list(csv.DictReader(io.StringIO(client.get("/export/regions.csv").text)))
    assert [(r["region"], r["stories_7d"]) for r in regions] == [("RU-BU", "6")]
    sources = list(csv.DictReader(io.StringIO(client.get("/export/sources.csv").text)))
    assert {r["source"]: r["status"] for r in sources}["silent-feed"] == "silent"
    assert client.get("/export/nothing.csv").status_code == 404
    for ident in (console_db.NEW_STORY, console_db.STORY):  # a signal's, or its story's
        alerts = list(
            csv.DictReader(io.StringIO(client.get("/export/alerts.csv", params={"id": ident}).text))
        )
        assert {(r["channel"], r["status"]) for r in alerts} == {
            ("slack", "sent"),
            ("email", "failed"),
            ("log", "sent"),
        }
    page = client.get("/signal", params={"id": console_db.NEW_STORY}).text
    assert "/export/alerts.csv?id=new_story%3Amobilization%3Astory-mob-1" in page


def test_a_title_that_is_a_formula_is_defused() -> None:
    from newsmon.console.pages import cell, to_csv

    assert cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert cell("@SUM(A1)") == "'@SUM(A1)" and cell("+1") == "'+1" and cell(-2.5) == "-2.5"
    text = to_csv(["title"], [{"title": "-cmd|' /C calc'!A0"}])
    assert text.splitlines()[1].startswith("'-cmd")


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://meduza.io/a", True),
        ("http://x.example/?q=1", True),
        ("javascript:alert(1)", False),
        (" JaVaScRiPt:alert(1)", False),
        ("data:text/html,<b>", False),
        ("/etc/passwd", False),
        ("https://", False),
        ("https://a.example/\nb", False),
        ("vbscript:x", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: str | None, ok: bool) -> None:
    from newsmon.console.pages import web_url

    assert (web_url(url) is not None) is ok


def test_only_the_analyst_copy_is_read_never_the_writers_file(fixture_db: dict) -> None:
    from fastapi.testclient import TestClient

    from newsmon.console.app import create_app

    fixture_db["settings"].read_db_path.unlink()  # the writer's file is there, no copy yet
    page = TestClient(create_app()).get("/")
    assert page.status_code == 200 and "No data yet" in page.text


def test_no_database_yet_is_a_page_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from newsmon.console.app import create_app

    monkeypatch.setenv("NEWSMON_DB", str(tmp_path / "none" / "news.duckdb"))
    client = TestClient(create_app())
    for path in ("/", "/sources", "/search?q=x"):
        page = client.get(path)
        assert page.status_code == 200 and "No data yet" in page.text
    assert client.get("/export/signals.csv").text.startswith("created_at,")


def test_a_copy_made_before_last_ok_at_still_shows_sources(fixture_db: dict) -> None:
    from newsmon.console import queries
    from newsmon.storage.db import connect
    from newsmon.storage.readcopy import publish

    with connect(fixture_db["settings"].db_path) as con:
        con.execute("alter table feed_state drop column last_ok_at")
        publish(con, fixture_db["settings"])
    with _con(fixture_db) as con:
        found = {r["source"]: r for r in queries.sources_page(con, [], fixture_db["now"])}
    assert found["healthy-feed"]["last_ok_at"] is not None
    assert found["failing-feed"]["last_ok_at"] is None  # unknown, not made up


def test_the_console_holds_the_copy_without_blocking_the_writer_and_sees_new_runs(
    fixture_db: dict,
) -> None:
    from fastapi.testclient import TestClient

    from newsmon.console.app import create_app
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish

    settings = fixture_db["settings"]
    with open_db(settings) as con:
        publish(con, settings)
    client = TestClient(create_app(now=lambda: fixture_db["now"]))
    assert "later-signal" not in client.get("/").text  # the copy is now held open
    with open_db(settings, wait=5) as con:  # the writer is not locked out by the console
        con.execute(
            """insert into signals (signal_id, kind, topic, story_id, score, reason, run_id, created_at)
               values ('later-signal', 'new_story', 'protests', ?, 4.0, 'a later run', 'run-2', ?)""",
            [console_db.STORY, fixture_db["now"]],
        )
        publish(con, settings)
    assert "later-signal" in client.get("/").text, "the next page reads the new copy"


def test_the_overview_counts_the_watchs_countries_or_the_one_asked_for(fixture_db: dict) -> None:
    """Topics about other countries are stored and shown when asked for, and left out of the
    default overview, which counts as the signals do."""
    from newsmon.console import queries

    with duckdb.connect(str(fixture_db["settings"].db_path)) as con:
        con.execute(
            "update article_topics set country = 'US' where article_id in"
            " (select article_id from articles where story_id = ?)",
            [console_db.STORY],
        )
    with duckdb.connect(str(fixture_db["settings"].db_path), read_only=True) as con:
        watch = queries.overview(con, ["mobilization"], 30, fixture_db["now"])
        us = queries.overview(con, ["mobilization"], 30, fixture_db["now"], country="us")
        every = queries.overview(con, ["mobilization"], 30, fixture_db["now"], country="all")
    assert [c["last_24h"] for c in watch.counts] == [0], "the US story is out of the watch"
    assert [c["last_24h"] for c in us.counts] == [1] and us.country == "US"
    assert [c["last_24h"] for c in every.counts] == [1] and every.country == "all"
    assert watch.countries == ["RU", "US"]


def test_the_overview_says_at_the_top_when_configured_sources_fail_or_go_silent(
    fixture_db: dict, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from fastapi.testclient import TestClient

    from newsmon.console import queries
    from newsmon.console.app import create_app

    conf = [
        {"name": "failing-feed", "type": "feed", "url": "https://failing.example/rss"},
        {"name": "silent-feed", "type": "feed", "url": "https://silent.example/rss"},
        {"name": "healthy-feed", "type": "feed", "url": "https://healthy.example/rss"},
    ]
    with _con(fixture_db) as con:
        rows = queries.sources_page(con, conf, fixture_db["now"])
    ok_at = (fixture_db["now"] - timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    assert queries.source_trouble(rows) == f"1 of 3 sources failing since {ok_at} UTC; 1 silent"
    assert queries.source_trouble([r for r in rows if r["source"] == "healthy-feed"]) is None
    # not configured (an outlet of ingested files): not a source to watch here
    assert queries.source_trouble([dict(r, configured=False) for r in rows]) is None

    (tmp_path / "sources.yaml").write_text(json.dumps({"sources": conf}), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_SOURCES", str(tmp_path / "sources.yaml"))
    page = TestClient(create_app(now=lambda: fixture_db["now"])).get("/")
    assert page.status_code == 200
    assert "1 of 3 sources failing since" in page.text and 'href="/sources"' in page.text
    monkeypatch.setenv("NEWSMON_SOURCES", str(tmp_path / "none.yaml"))
    (tmp_path / "none.yaml").write_text(json.dumps({"sources": conf[2:]}), encoding="utf-8")
    assert 'id="trouble"' not in TestClient(create_app(now=lambda: fixture_db["now"])).get("/").text


def test_counts_read_as_a_person_would_write_them() -> None:
    from newsmon.console.pages import plural

    assert plural(1, "copy", "copies") == "1 copy"
    assert plural(3, "copy", "copies") == "3 copies"
    assert plural(0, "outlet") == "0 outlets"
    assert plural(1_200, "story", "stories") == "1,200 stories"


def test_pages_say_it_once_and_plainly(client, fixture_db: dict) -> None:
    """One rounding, one word for a missing value, plurals, a Why that does not repeat the
    headline, a rise that does not read as a signal, and runs named as Airflow names them."""
    from newsmon.console import queries

    with _con(fixture_db) as con:
        single = queries.signal_page(con, console_db.SPIKE).stories[0]["story_id"]
    story = client.get("/story", params={"id": console_db.STORY}).text
    assert "3 copies from 3 outlets;" in story
    assert "1 copy from 1 outlet;" in client.get("/story", params={"id": single}).text
    assert "undated" in story and "no date" not in story
    overview = client.get("/").text
    why = '<td data-label="Why">new mobilization story (score 6.5, 3 articles)</td>'
    assert why in overview, "the Why column without the headline beside it"
    assert "↑ new" not in overview and "↑ marks a rise, not a signal" in overview
    new_story = client.get("/signal", params={"id": console_db.NEW_STORY}).text
    link = "/../dags/news_ingest/runs/manual__2026-12-06T07%3A13%3A52.388719%2B00%3A00"
    assert f'<a href="{link}"><code>{console_db.AIRFLOW_RUN}</code></a>' in new_story
    assert "Topic score 6.5 " in new_story and "(score 6.5," in new_story
    by_hand = client.get("/signal", params={"id": console_db.REGION_SPIKE}).text
    assert "<code>newsmon ingest</code> on the command line" in by_hand
    assert "/dags/" not in by_hand


def test_the_sources_page_shows_the_disk_use_of_each_part(client) -> None:
    html = client.get("/sources").text
    for part in ("database", "analyst copy", "raw pages", "staging", "spill"):
        assert f'data-part="{part}"' in html
    assert re.search(r'data-part="database"><td[^>]*>database</td><td[^>]*>\d+\.\d MB', html)
