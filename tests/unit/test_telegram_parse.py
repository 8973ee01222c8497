"""Telegram preview pages parsed: text with its line breaks, links and emoji; forwarded and
reply context; media-only and service posts told apart; markup that lost its classes, a page
that is no channel, and a channel name that is not one are reported, not guessed at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmon.fetch.telegram import parse_preview
from tests.integration.telegram_site import Channel, TgPost, page_html


def _page(posts: list[TgPost], broken: bool = False) -> str:
    ch = Channel("mobnews", "Новости <Бурятии>", {p.id: p for p in posts}, broken)
    return page_html(ch, None)


def test_posts_with_their_text_context_and_cursor() -> None:
    page = parse_preview(
        _page(
            [
                TgPost(
                    40,
                    "Повестки<br/>вторая <a href='https://x.example/a'>ссылка</a> <i class='emoji'><b>🔥</b></i>",
                ),
                TgPost(41, None, kind="media"),
                TgPost(42, None, kind="service"),
                TgPost(43, "Ответ", reply_to=40, forwarded_from="otherchan"),
            ]
        ),
        "mobnews",
    )
    assert page.problem is None and page.title == "Новости <Бурятии>"
    assert [(p.id, p.kind) for p in page.posts] == [
        (40, "text"),
        (41, "media"),
        (42, "service"),
        (43, "text"),
    ]
    first, reply = page.posts[0], page.posts[3]
    assert first.text == "Повестки\nвторая ссылка 🔥" and first.links == ["https://x.example/a"]
    assert first.url == "https://t.me/mobnews/40" and first.published_at is not None
    assert reply.text == "Ответ", "the quoted reply text is not the post's text"
    assert reply.reply_to == "https://t.me/mobnews/40"
    assert reply.forwarded_from == "https://t.me/otherchan/1"
    assert page.before == 40


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("", "empty page"),
        ("<html><body><div class='tgme_page_title'>Join</div></body></html>", "no channel preview"),
        (_page([TgPost(1, "текст")], broken=True), "markup"),
    ],
)
def test_pages_that_are_not_a_channels_posts_say_why(html: str, problem: str) -> None:
    assert problem in (parse_preview(html, "mobnews").problem or "")


def test_a_channel_with_no_posts_yet_is_not_an_error() -> None:
    page = parse_preview(_page([]), "mobnews")
    assert page.problem is None and page.posts == []


def test_posts_of_another_channel_are_not_taken() -> None:
    html = _page([TgPost(5, "текст")]).replace('data-post="mobnews/5"', 'data-post="other/5"')
    assert parse_preview(html, "mobnews").posts == []


@pytest.mark.parametrize("channel", ["", "ab", "has space", "../etc", "x" * 40, "1digitfirst"])
def test_a_telegram_source_needs_a_public_username(tmp_path: Path, channel: str) -> None:
    from newsmon.config import ConfigError
    from newsmon.fetch.sources import load_sources

    path = tmp_path / "sources.yaml"
    path.write_text(
        json.dumps({"sources": [{"name": "t", "type": "telegram", "channel": channel}]})
    )
    with pytest.raises(ConfigError, match="public channel username"):
        load_sources(path)


def test_a_post_is_kept_as_it_shows_emoji_sequences_emoji_lines_and_single_breaks() -> None:
    """The shape of real preview pages: emoji in <i class="emoji"><b>, <br/> between lines,
    a list, and lines that are only an emoji; cleaned as every post is."""
    from newsmon.article.clean import clean_document
    from newsmon.records import RawDoc

    html = (
        "🧑\u200d🚒 Пожарные <i class='emoji'><b>👨\u200d👩\u200d👧</b></i> на месте<br/>"
        "<i class='emoji'><b>🔴</b></i><br/>"
        "Что известно:<br/>- повестки вручают у метро<br/>- повестки вручают у метро<br/>"
        "<br/><i class='emoji'><b>🔴</b></i><br/><i class='emoji'><b>⚡</b></i><br/>"
        "Подписаться"
    )
    (post,) = parse_preview(_page([TgPost(7, html)]), "mobnews").posts
    doc = RawDoc(origin=post.url, kind="post", text=post.text, title="@mobnews: Пожарные")
    text = clean_document(doc).text
    assert "🧑\u200d🚒" in text and "👨\u200d👩\u200d👧" in text, "joined emoji stay joined"
    assert text.split("\n\n") == [
        "🧑\u200d🚒 Пожарные 👨\u200d👩\u200d👧 на месте\n🔴\nЧто известно:\n"
        "- повестки вручают у метро\n- повестки вручают у метро",
        "🔴\n⚡\nПодписаться",
    ], text
    # a zero-width joiner inside a word still goes (the rules must match the word)
    word = RawDoc(origin="x", kind="post", text="моби\u200dлизация", title="t")
    assert clean_document(word).text == "мобилизация"
