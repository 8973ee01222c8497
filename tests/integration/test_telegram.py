"""Public Telegram channels through the real fetch cycle, on a t.me stand-in on 127.0.0.1:
incremental reading with ``?before=`` pagination and gaps carried between cycles (nothing
lost or doubled), edits and deletions kept, media-only and service posts skipped and
counted, forwarded and reply context kept, Russian and Ukrainian text, short posts tagged,
alerts linking to the post, and channels that do not exist, are private or changed their
markup reported without stopping the others."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.integration.servers import use_sources
from tests.integration.telegram_site import Channel, TelegramSite, TgPost

RU = "Военкомат Улан-Удэ вручил повестки {n} мужчинам. Мобилизация в Бурятии продолжается."
UK = "У Бурятії мобілізували ще {n} чоловіків; повістки вручають просто на вулиці."


@pytest.fixture
def site():
    s = TelegramSite()
    yield s
    s.close()


def _configure(
    tmp_path: Path, site: TelegramSite, monkeypatch: pytest.MonkeyPatch, **extra
) -> None:
    sources = [
        {
            "name": "mobnews",
            "type": "telegram",
            "channel": "mobnews",
            "lang": "ru",
            "allow_private": True,
            "max_pages": 2,
        },
        {"name": "ghost", "type": "telegram", "channel": "ghostchannel", "allow_private": True},
        {"name": "closed", "type": "telegram", "channel": "closedchannel", "allow_private": True},
        {"name": "broken", "type": "telegram", "channel": "brokenmarkup", "allow_private": True},
    ]
    use_sources(
        tmp_path,
        monkeypatch,
        sources,
        {"telegram_base_url": site.base, "timeout_seconds": 2, "retries": 0} | extra,
        {"channels": ["log"], "log_path": str(tmp_path / "alerts.log")},
    )


def _fill(ch: Channel, ids: range) -> None:
    for i in ids:
        if i % 10 == 3:
            ch.add(TgPost(i, None, kind="media"))
        elif i % 10 == 7:
            ch.add(TgPost(i, None, kind="service"))
        elif i % 2:
            ch.add(TgPost(i, UK.format(n=100 + i)))
        else:
            ch.add(TgPost(i, RU.format(n=100 + i)))


def _text_ids(ch: Channel, ids: range) -> set[int]:
    return {i for i in ids if i in ch.posts and ch.posts[i].kind == "text"}


def _stored(db: Path) -> dict[int, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select url, text from articles where url like 'https://t.me/mobnews/%'"
        ).fetchall()
    return {int(url.rsplit("/", 1)[1]): text for url, text in rows}


def test_a_channel_is_read_incrementally_with_edits_deletions_and_gaps(
    tmp_path: Path, db_path: Path, site: TelegramSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.pipeline import fetch

    ch = site.channel("mobnews", "Новости Бурятии")
    _fill(ch, range(1, 31))
    ch.posts[30] = TgPost(
        30,
        'Переслано: <b>повестки</b> в Кяхте<br/>вторая строка <i class="emoji"><b>❤</b></i>',
        forwarded_from="otherchannel",
        reply_to=29,
    )
    broken = site.channel("brokenmarkup", "Broken")
    _fill(broken, range(1, 5))
    broken.broken = True
    site.private.add("closedchannel")
    _configure(tmp_path, site, monkeypatch)

    first = fetch(load_settings())
    stored = _stored(db_path)
    # the first cycle reads the newest page only (posts 11..30), not the channel's history
    assert set(stored) == _text_ids(ch, range(11, 31))
    assert first["articles_new"] == len(stored)
    assert stored[30] == "Переслано: повестки в Кяхте\nвторая строка ❤", (
        "line breaks and emoji kept"
    )
    with duckdb.connect(str(db_path), read_only=True) as con:
        errors = dict(con.execute("select origin, reason from ingest_errors").fetchall())
        post30 = con.execute(
            "select forwarded_from, reply_to, kind from telegram_posts where post_id = 30"
        ).fetchone()
        skipped = dict(
            con.execute(
                "select kind, count(*) from telegram_posts where channel = 'mobnews' group by kind"
            ).fetchall()
        )
        art = con.execute(
            "select source, lang, date_source, published_at from articles where url = 'https://t.me/mobnews/12'"
        ).fetchone()
    assert post30 == ("https://t.me/otherchannel/1", "https://t.me/mobnews/29", "text")
    assert skipped["media"] == 2 and skipped["service"] == 2, "skipped and counted, not errors"
    assert art[0] == "Новости Бурятии" and art[1] == "ru" and art[2] == "telegram"
    assert art[3] is not None
    reasons = {k.replace(site.base, ""): v for k, v in errors.items()}
    assert reasons["/s/ghostchannel"] == "channel @ghostchannel does not exist (HTTP 404)"
    assert "no public preview" in reasons["/s/closedchannel"]
    assert "markup" in reasons["/s/brokenmarkup"]

    # 45 new posts, an edit and a deletion; two pages a cycle reach 36..75 and leave a gap
    _fill(ch, range(31, 76))
    original = ch.posts[26].text
    ch.posts[26] = TgPost(26, "Исправлено: повестки получили 500 мужчин в Бурятии.")
    del ch.posts[28]
    fetch(load_settings())
    stored = _stored(db_path)
    assert set(stored) == _text_ids(ch, range(11, 31)) | {28} | _text_ids(ch, range(36, 76))
    with duckdb.connect(str(db_path), read_only=True) as con:
        gaps = json.loads(
            con.execute("select gaps from telegram_channels where channel = 'mobnews'").fetchone()[
                0
            ]
        )
    assert gaps == [[30, 36]], "posts 31..35 wait for the next cycle"

    # the next cycle reads nothing new at the top, then the gap: nothing lost, nothing twice
    site.log.clear()
    fetch(load_settings())
    stored = _stored(db_path)
    assert set(stored) == _text_ids(ch, range(11, 76)) | {28}
    assert stored[26].startswith("Исправлено"), "an edited post updates its article"
    with duckdb.connect(str(db_path), read_only=True) as con:
        twice = con.execute(
            "select url, count(*) from articles group by url having count(*) > 1"
        ).fetchall()
        p26 = con.execute(
            "select edits, first_text, edited_at is not null from telegram_posts where post_id = 26"
        ).fetchone()
        p28 = con.execute(
            "select deleted_at is not null from telegram_posts where post_id = 28"
        ).fetchone()
        left = con.execute(
            "select gaps from telegram_channels where channel = 'mobnews'"
        ).fetchone()
    assert twice == []
    assert p26 == (1, original, True), "the first text is kept through the edit"
    assert p28 == (True,), "a post gone from a page showing its neighbours is recorded deleted"
    assert json.loads(left[0]) == []
    assert "/s/mobnews?before=36" in site.log

    # a fourth cycle with nothing new fetches one page and stores nothing
    site.log.clear()
    again = fetch(load_settings())
    assert again["articles_new"] == 0 and again["articles_updated"] == 0
    assert [p for p in site.log if p.startswith("/s/mobnews")] == ["/s/mobnews"]


def test_short_posts_are_tagged_placed_and_alerted_with_a_link_to_the_post(
    tmp_path: Path, db_path: Path, site: TelegramSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.deliver import deliver
    from newsmon.flows.pipeline import fetch

    ch = site.channel("mobnews", "Новости Бурятии")
    ch.add(
        TgPost(1, "В Улан-Удэ раздают повестки прямо у проходной завода. Мужчин везут в военкомат.")
    )
    ch.add(TgPost(2, "Погода: завтра снег."))
    link = f"{site.base}/news/1"
    ch.add(TgPost(3, f'Читайте: <a href="{link}">{link}</a>'))  # a link and little else
    _configure(tmp_path, site, monkeypatch)
    sources = json.loads((tmp_path / "sources.yaml").read_text())
    sources["sources"][0]["follow_links"] = True
    (tmp_path / "sources.yaml").write_text(json.dumps(sources), encoding="utf-8")
    fetch(load_settings())
    with duckdb.connect(str(db_path), read_only=True) as con:
        topics = dict(
            con.execute(
                "select a.url, list(t.topic) from articles as a left join article_topics as t using (article_id) group by all"
            ).fetchall()
        )
        regions = con.execute("select region from article_regions").fetchall()
    assert topics["https://t.me/mobnews/1"] == ["mobilization"], "two sentences about a call-up"
    assert topics["https://t.me/mobnews/2"] == [None]
    assert regions == [("RU-BU",), ("RU-BU",)], "the post and the article it links to"
    assert topics[link] == ["mobilization"], "the article a link-only post points to is fetched"
    with duckdb.connect(str(db_path), read_only=True) as con:
        stories = dict(con.execute("select url, story_id from articles").fetchall())
        story = con.execute(
            "select article_count from stories where story_id = ?", [stories[link]]
        ).fetchone()
    assert stories["https://t.me/mobnews/3"] == stories[link], "the post joins the article's story"
    assert story == (2,)
    assert stories["https://t.me/mobnews/1"] != stories[link]

    # a later post quotes the article without linking to it: the same story all the same
    from tests.integration.telegram_site import ARTICLE

    ch.add(TgPost(4, f"{ARTICLE[1]} {ARTICLE[2]}"))
    ch.add(
        TgPost(
            5,
            "Повестки раздают у проходных заводов и в торговых центрах Улан-Удэ, а"
            " также на остановках общественного транспорта и у входа в метро.",
        )
    )
    fetch(load_settings())
    with duckdb.connect(str(db_path), read_only=True) as con:
        stories = dict(con.execute("select url, story_id from articles").fetchall())
    assert stories["https://t.me/mobnews/4"] == stories[link], "a quote joins the quoted story"
    assert stories["https://t.me/mobnews/5"] != stories[link], "the same words, another story"
    deliver(load_settings())
    log = (tmp_path / "alerts.log").read_text(encoding="utf-8")
    assert "https://t.me/mobnews/1" in log and "regions: Buryatia (RU-BU)" in log


def test_hostile_pages_cost_only_their_channel(
    tmp_path: Path, db_path: Path, site: TelegramSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.pipeline import fetch

    big = site.channel("mobnews", "Huge")  # a page claiming 10,000 posts
    for i in range(1, 10_001):
        big.add(TgPost(i, f"Пост {i}: повестки &#xd800; и \ud800 одинокие суррогаты."))
    site.per_page = 10_000
    _configure(tmp_path, site, monkeypatch, max_bytes=50_000_000)
    fetch(load_settings())
    with duckdb.connect(str(db_path), read_only=True) as con:
        n = con.execute("select count(*) from articles").fetchone()[0]
        reasons = [r for (r,) in con.execute("select reason from ingest_errors").fetchall()]
        text = con.execute("select text from articles limit 1").fetchone()[0]
    assert n == 200, "a page is read up to 200 posts"
    assert any("read the newest 200" in r for r in reasons)
    assert "\ud800" not in text
    text.encode("utf-8")  # storable, printable text


def test_the_news_fetch_dag_reads_a_channel(
    tmp_path: Path,
    db_path: Path,
    site: TelegramSite,
    monkeypatch: pytest.MonkeyPatch,
    airflow_db: Path,
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    ch = site.channel("mobnews", "Новости Бурятии")
    _fill(ch, range(1, 21))
    _configure(tmp_path, site, monkeypatch)
    dag = DagBag(dag_folder=str(Path(__file__).resolve().parents[2] / "dags")).get_dag("news_fetch")
    run = dag.test()
    assert str(run.state).endswith("success")
    assert set(_stored(db_path)) == _text_ids(ch, range(1, 21))
