"""Hostile Telegram preview pages through the real fetch cycle: post ids that are not
numbers, do not fit a bigint, or belong to another channel are skipped; the good posts
beside them are stored; the run finishes; a rerun stores nothing twice."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.integration.telegram_site import TelegramSite, TgPost
from tests.integration.test_telegram import _configure


@pytest.fixture
def site():
    s = TelegramSite()
    yield s
    s.close()


def test_hostile_post_ids_cost_only_their_posts(
    tmp_path: Path, db_path: Path, site: TelegramSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.pipeline import fetch

    ch = site.channel("mobnews", "Новости")
    for i in range(1, 8):
        ch.add(
            TgPost(i, f"Военкомат вручил повестки {i * 100} мужчинам в Бурятии, сообщают жители.")
        )
    site.rewrite = {
        'data-post="mobnews/2"': 'data-post="mobnews/99999999999999999999"',
        'data-post="mobnews/3"': 'data-post="mobnews/²"',
        'data-post="mobnews/4"': 'data-post="mobnews/-4"',
        'data-post="mobnews/5"': 'data-post="otherchannel/5"',
        'data-post="mobnews/6"': 'data-post="mobnews/0"',
    }
    _configure(tmp_path, site, monkeypatch)
    first = fetch(load_settings())
    with duckdb.connect(str(db_path), read_only=True) as con:
        urls = sorted(u for (u,) in con.execute("select url from articles").fetchall())
        status = con.execute("select status from pipeline_runs").fetchall()
    assert urls == ["https://t.me/mobnews/1", "https://t.me/mobnews/7"]
    assert first["articles_new"] == 2 and status == [("success",)], "the run finishes"
    again = fetch(load_settings())
    assert again["articles_new"] == 0
