"""Watchlists end to end: stories ingested by the real pipeline (EN, RU, UK, PL) matched,
alerted on each watchlist's own Slack webhook and recipients (local servers), never twice,
history and edits recorded without alerts, the CLI, the console page and the Atom feeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.integration.servers import Mailbox, Webhook

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC) - timedelta(hours=2)
RECENT = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")

ARTICLES = [
    {
        "url": "https://baikal.example/povestki",
        "title": "В Бурятии военкоматы раздали повестки",
        "text": "В Бурятии военкоматы раздали повестки мужчинам в Улан-Удэ. Мобилизация"
        " в республике продолжается, говорят жители.",
        "source": "Baikal Daily",
        "published_at": RECENT,
    },
    {
        "url": "https://news.example/prisoners",
        "title": "Russia recruits prisoners for the war",
        "text": "The defence ministry recruited thousands of prisoners from penal colonies"
        " to fight in Ukraine, relatives of the convicts say.",
        "source": "World News",
        "published_at": RECENT,
    },
    {
        "url": "https://ua.example/zasudzheni",
        "title": "Росія вербує засуджених на війну",
        "text": "Міноборони Росії вербує засуджених з колоній, щоб відправити їх на фронт.",
        "source": "Українська правда",
        "published_at": RECENT,
    },
    {
        "url": "https://pl.example/wiezniowie",
        "title": "Rosja werbuje więźniów do wojny",
        "text": "Rosyjskie ministerstwo obrony werbuje więźniów z kolonii karnych na front.",
        "source": "Polskie Radio",
        "published_at": RECENT,
    },
    {
        "url": "https://meduza.example/inoagent",
        "title": "Минюст внес журналиста в реестр",
        "text": "Минюст признал журналиста иностранным агентом. Агентом его назвали впервые.",
        "source": "Meduza",
        "published_at": RECENT,
    },
    {
        "url": "https://baikal.example/2023",
        "title": "Повестки в Бурятии в 2023 году",
        "text": "В Бурятии военкоматы раздавали повестки и в 2023 году, в Улан-Удэ тоже.",
        "source": "Baikal Daily",
        "published_at": "2023-06-01T08:00:00Z",
    },
]

WATCHLISTS = [
    {
        "name": "Far East desk",
        "regions": ["RU-BU", "RU-ZAB"],
        "deliver": {"slack": "slack_far_east", "email": ["fareast@example.org"]},
    },
    {
        "name": "prisoners",
        "query": "prisoners OR засуджених OR więźniów OR заключенных",
        "deliver": {"email": ["research@example.org"]},
    },
    {
        "name": "foreign agents",
        "query": '"иностранным агентом" OR "foreign agent"',
        "deliver": {"log": True},
    },
    {"name": "too long", "query": "повестки " * 1200},
    {"name": "<b>desk</b>", "query": "повестки"},
]


@pytest.fixture
def watched(tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch):
    hook, box = Webhook(), Mailbox()
    box.start()
    settings = {
        "signals": {"recent_days": 3},
        "alerts": {
            "channels": ["log"],
            "retry_backoff_seconds": 0.01,
            "email": {"from_email": "newsmon@example.org"},
        },
    }
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CONFIG", str(tmp_path / "settings.yaml"))
    write_watchlists(tmp_path, WATCHLISTS)
    monkeypatch.setenv("NEWSMON_WATCHLISTS", str(tmp_path / "watchlists.yaml"))
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_FAR_EAST",
        json.dumps({"conn_type": "slackwebhook", "password": hook.url}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": box.port,
                "login": Mailbox.USER,
                "password": Mailbox.PASSWORD,
                "extra": {"disable_tls": True, "disable_ssl": True, "timeout": 5, "retry_limit": 0},
            }
        ),
    )
    feed = tmp_path / "items.jsonl"
    feed.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), "utf-8")
    yield {"db": db_path, "hook": hook, "box": box, "feed": feed, "dir": tmp_path}
    hook.close()
    box.stop()


def write_watchlists(folder: Path, items: list[dict]) -> None:
    text = json.dumps({"watchlists": items}, ensure_ascii=False)
    (folder / "watchlists.yaml").write_text(text, encoding="utf-8")


def _settings():
    from newsmon.config import load_settings

    return load_settings()


def _run(paths: list[Path]) -> dict:
    from newsmon.flows.deliver import deliver
    from newsmon.flows.pipeline import ingest

    ingest(_settings(), paths)
    return deliver(_settings(), sleep=lambda _: None)


def _matches(db: Path) -> dict[str, dict[str, str | None]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select m.watchlist, a.url, m.suppressed from watchlist_matches as m"
            " join articles as a using (article_id)"
        ).fetchall()
    out: dict[str, dict[str, str | None]] = {}
    for name, url, suppressed in rows:
        out.setdefault(name, {})[url] = suppressed
    return out


def test_each_watchlist_gets_its_own_stories_on_its_own_channels(watched: dict) -> None:
    counts = _run([watched["feed"]])
    matches = _matches(watched["db"])
    assert matches["Far East desk"] == {
        "https://baikal.example/povestki": None,
        "https://baikal.example/2023": "backfill",  # history: recorded, not alerted
    }
    assert matches["prisoners"] == {
        "https://news.example/prisoners": None,
        "https://ua.example/zasudzheni": None,
        "https://pl.example/wiezniowie": None,
    }
    # the phrase holds in one text; "агентом" alone does not make one
    assert matches["foreign agents"] == {"https://meduza.example/inoagent": None}
    assert "too long" not in matches and "<b>desk</b>" not in matches

    hook, box = watched["hook"], watched["box"]
    assert len(hook.accepted) == 1
    assert "Watchlist Far East desk" in hook.texts()[0]
    assert "Бурятии" in hook.texts()[0]
    by_rcpt = {m["To"]: m for m in box.messages}
    assert set(by_rcpt) == {"fareast@example.org", "research@example.org"}
    assert by_rcpt["fareast@example.org"]["Subject"].startswith("[newsmon] Watchlist Far East desk")
    # three prisoners stories on one channel in one delivery: one message each (threshold 5)
    assert sum(1 for m in box.messages if m["To"] == "research@example.org") == 3
    log = (watched["db"].parent / "alerts.log").read_text(encoding="utf-8")
    assert "watch/foreign agents/log" in log and "иностранным агентом" in log
    assert counts["failed"] == 0

    again = _run([watched["feed"]])  # the same items again: nothing new, nothing sent twice
    assert again["sent"] == 0
    assert len(hook.accepted) == 1 and len(box.messages) == 4

    with duckdb.connect(str(watched["db"]), read_only=True) as con:
        errors = dict(
            con.execute("select name, error from watchlists where error is not null").fetchall()
        )
    assert "10,800 characters" in errors["too long"]
    assert "name must be" in errors["<b>desk</b>"]


def test_an_edited_watchlist_rematches_without_a_flood(watched: dict) -> None:
    _run([watched["feed"]])
    logged = (watched["db"].parent / "alerts.log").read_text(encoding="utf-8").count("\n")
    edited = [dict(w) for w in WATCHLISTS]
    edited[2]["query"] = '"иностранным агентом" OR повестки'
    write_watchlists(watched["dir"], edited)
    counts = _run([])
    assert counts["sent"] == 0
    matches = _matches(watched["db"])["foreign agents"]
    assert matches["https://baikal.example/povestki"] == "rematch"
    assert matches["https://meduza.example/inoagent"] is None
    assert (watched["db"].parent / "alerts.log").read_text(encoding="utf-8").count("\n") == logged

    # a new story after the edit is alerted
    fresh = watched["dir"] / "fresh.jsonl"
    item = {
        "url": "https://baikal.example/new",
        "title": "Новые повестки в Чите",
        "text": "В Чите снова раздают повестки мужчинам призывного возраста, пишут читатели.",
        "source": "Chita Online",
        "published_at": RECENT,
    }
    fresh.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _run([fresh])["sent"] >= 1
    assert _matches(watched["db"])["foreign agents"]["https://baikal.example/new"] is None


def test_removed_watchlist_keeps_its_matches_and_sends_nothing_more(watched: dict) -> None:
    from newsmon.flows.pipeline import ingest

    write_watchlists(watched["dir"], WATCHLISTS[1:])
    ingest(_settings(), [watched["feed"]])  # Far East's alerts queued ...
    write_watchlists(watched["dir"], WATCHLISTS[2:])  # ... then prisoners removed
    from newsmon.flows.deliver import deliver

    deliver(_settings(), sleep=lambda _: None)
    assert watched["box"].messages == []
    with duckdb.connect(str(watched["db"]), read_only=True) as con:
        status = con.execute(
            "select status, count(*) from alerts where channel = 'watch/prisoners/email' group by 1"
        ).fetchall()
    assert status == [("suppressed", 3)]


def test_hourly_watchlist_sends_one_digest_after_the_hour(watched: dict) -> None:
    from newsmon.flows.deliver import deliver
    from newsmon.flows.pipeline import ingest

    hourly = [dict(w) for w in WATCHLISTS]
    hourly[1]["deliver"] = {"email": ["research@example.org"], "schedule": "hourly"}
    write_watchlists(watched["dir"], hourly)
    ingest(_settings(), [watched["feed"]])
    with duckdb.connect(str(watched["db"])) as con:  # queued a while ago
        queued = con.execute(
            "select min(created_at) from alerts where channel = 'watch/prisoners/email'"
        ).fetchone()[0]
    later = queued.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, minutes=5)
    assert deliver(_settings(), now=queued, sleep=lambda _: None)["sent"] >= 0
    assert not any(m["To"] == "research@example.org" for m in watched["box"].messages)
    deliver(_settings(), now=later, sleep=lambda _: None)
    digests = [m for m in watched["box"].messages if m["To"] == "research@example.org"]
    assert len(digests) == 1
    assert "3 new matches for watchlist prisoners" in digests[0]["Subject"]
    deliver(_settings(), now=later + timedelta(minutes=10), sleep=lambda _: None)
    assert len([m for m in watched["box"].messages if m["To"] == "research@example.org"]) == 1


def test_watch_cli_console_and_feed(watched: dict, capsys: pytest.CaptureFixture[str]) -> None:
    import feedparser
    from fastapi.testclient import TestClient

    from newsmon.alerting.atom_feeds import feeds_dir, watch_feed_name
    from newsmon.cli.main import main
    from newsmon.console.app import create_app

    _run([watched["feed"]])
    assert main(["watch", "test", "--query", "повестки", "--days", "3"]) == 0
    out = capsys.readouterr()
    assert "В Бурятии военкоматы раздали повестки" in out.out
    assert "2023" not in out.out  # dated before the window
    assert "draft: 1 story" in out.err
    assert main(["watch", "matches", "prisoners", "--since", "7d"]) == 0
    assert out.out.count("\n") < capsys.readouterr().out.count("\n") + 10
    assert main(["watch", "list"]) == 1  # two watchlists cannot be used: said, and rc 1
    listed = capsys.readouterr().out
    assert "- prisoners" in listed and "error: watchlist 'too long'" in listed

    feed = feedparser.parse(feeds_dir(_settings()) / f"{watch_feed_name('prisoners')}.atom")
    assert not feed.bozo and len(feed.entries) == 3
    assert {e.link for e in feed.entries} >= {"https://pl.example/wiezniowie"}

    client = TestClient(create_app(_settings))
    page = client.get("/watchlists")
    assert page.status_code == 200
    assert 'data-watchlist="Far East desk"' in page.text
    assert "&lt;b&gt;desk&lt;/b&gt;" in page.text and "<b>desk</b>" not in page.text
    assert "history: recorded" in page.text
    with duckdb.connect(str(watched["db"]), read_only=True) as con:
        story = con.execute(
            "select story_id from articles where url = 'https://pl.example/wiezniowie'"
        ).fetchone()[0]
    story_page = client.get(f"/story?id={story}")
    assert f"/watchlists#{watch_feed_name('prisoners')}" in story_page.text


def test_brief_dag_sends_each_brief_once_a_day(watched: dict, airflow_db) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import ROOT

    daily = [dict(w) for w in WATCHLISTS[:3]]
    daily[0]["deliver"] = {
        "slack": "slack_far_east",
        "email": ["fareast@example.org"],
        # due an hour ago: after the items (two hours old), so its 24 hours hold them
        "schedule": f"daily@{datetime.now(UTC) - timedelta(hours=1):%H:%M} UTC",
    }
    write_watchlists(watched["dir"], daily)
    _run([watched["feed"]])  # the daily watchlist's matches wait for its brief
    assert watched["hook"].accepted == []
    assert not any(m["To"] == "fareast@example.org" for m in watched["box"].messages)

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    for _ in range(2):  # rerun the same day: nothing sent twice
        run = bag.get_dag("news_brief").test()
        assert str(run.state).endswith("success")
    assert len(watched["hook"].accepted) == 1
    text = watched["hook"].texts()[0]
    assert "newsmon brief for watchlist Far East desk" in text
    assert "<https://baikal.example/povestki|В Бурятии военкоматы раздали повестки>" in text
    mails = [m for m in watched["box"].messages if m["To"] == "fareast@example.org"]
    assert len(mails) == 1
    html = mails[0].get_body(("html",)).get_content()
    assert "<svg" in html and "Top stories" in html
    log = (watched["db"].parent / "alerts.log").read_text(encoding="utf-8")
    assert log.count("brief:general:") == 1  # the general brief, on alerts.channels (log)
    assert log.count("brief:watch/Far East desk:") == 0  # not on channels it does not name


def test_a_mistake_in_the_file_holds_alerts_back_and_loses_none(watched: dict) -> None:
    from newsmon.flows.deliver import deliver
    from newsmon.flows.pipeline import ingest

    ingest(_settings(), [watched["feed"]])  # prisoners' three alerts queued ...
    broken = [dict(w) for w in WATCHLISTS]
    broken[1]["query"] = '"prisoners'  # ... then an edit leaves a quote open
    write_watchlists(watched["dir"], broken)
    deliver(_settings(), sleep=lambda _: None)
    (watched["dir"] / "watchlists.yaml").write_text("watchlists: [unclosed", encoding="utf-8")
    ingest(_settings(), [])  # a file that cannot be read: the table stays as it was
    deliver(_settings(), sleep=lambda _: None)
    assert not any(m["To"] == "research@example.org" for m in watched["box"].messages)
    with duckdb.connect(str(watched["db"]), read_only=True) as con:
        waiting = con.execute(
            "select status, count(*) from alerts where channel = 'watch/prisoners/email' group by 1"
        ).fetchall()
        kept = con.execute("select count(*) from watchlists where removed_at is null").fetchone()
    assert waiting == [("pending", 3)]
    assert kept == (5,), "an unreadable file removes no watchlist"

    write_watchlists(watched["dir"], WATCHLISTS)  # fixed: they go out
    deliver(_settings(), sleep=lambda _: None)
    assert sum(1 for m in watched["box"].messages if m["To"] == "research@example.org") == 3
