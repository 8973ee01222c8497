"""Every article gets a language (declared, else detected) and an outlet that is a name, never
a boilerplate line; Russian and Ukrainian calls to subscribe and legal labels are cleaned out."""

from __future__ import annotations

import pytest

from newsmon.article.clean import clean_document
from newsmon.read.boilerplate import load_rules
from newsmon.read.language import language_of, normalise
from newsmon.records import RawDoc


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("ru-RU", "ru"),
        ("en_GB", "en"),
        ("UK", "uk"),
        ("ukr", "uk"),
        ("ua", "uk"),
        (" de ", "de"),
        ("<script>", None),
        ("", None),
        ("x", None),
        ("english please", None),
    ],
)
def test_declared_languages_are_normalised(declared: str, code: str | None) -> None:
    assert normalise(declared) == code


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        ("Повестки в Бурятии", "Военкоматы разослали повестки мужчинам призывного возраста.", "ru"),
        ("", "Військкомат розіслав повістки чоловікам призовного віку.", "uk"),
        ("", "Мобилизованные требуют ротации и возвращения домой.", "ru"),
        ("", "Мобілізовані вимагають ротації та повернення додому.", "uk"),
        ("", "Call-up papers were handed out in Buryatia on Monday.", "en"),
        ("", "Der Bundestag hat heute ein neues Gesetz beschlossen.", "de"),
    ],
)
def test_undeclared_languages_are_detected(title: str, text: str, lang: str) -> None:
    assert language_of(None, title, text) == (lang, "detected")


def test_a_declared_language_wins_and_a_scrap_of_text_gets_none() -> None:
    assert language_of("en", "", "Військкомат розіслав повістки.") == ("en", "declared")
    assert language_of(None, "", "ok 12 ") == (None, None)


def _clean(text: str, url: str | None = None, source: str | None = None):
    return clean_document(RawDoc("x", "txt", text, url=url, source=source), load_rules())


@pytest.mark.parametrize(
    "line",
    [
        "© 2023 Все права защищены",
        "© Усі права захищені.",
        "© 2022-2024. Использование материалов разрешено только при ссылке на источник",
        "© Copyright 2023",
    ],
)
def test_a_rights_notice_is_never_the_outlet(line: str) -> None:
    body = "Мужчин вызывают в военкомат для уточнения данных, сообщает местное издание сегодня."
    cleaned = _clean(f"{body}\n\n{line}")
    assert cleaned.source is None
    assert line not in cleaned.text


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("© 2024 «Новая газета»", "Новая газета"),
        ("Copyright © 2023 The Moscow Times. All rights reserved", "The Moscow Times"),
        ("© 2023 ООО «Медиа». Все права защищены", "Медиа"),
    ],
)
def test_a_copyright_line_that_names_an_outlet_gives_it(line: str, outlet: str) -> None:
    body = "Police detained a woman who held a placard against mobilisation in the city centre."
    assert _clean(f"{body}\n\n{line}").source == outlet


def test_without_a_name_the_urls_host_is_the_outlet() -> None:
    from newsmon.article.clean import host_name

    assert host_name("https://www.ngs.ru/text/1") == "ngs.ru"
    assert host_name("http://m.kommersant.ru/doc/1") == "kommersant.ru"
    for no in (
        "http://127.0.0.1:8000/a",
        "https://[::1]/a",
        "/work/x.txt",
        None,
        "https://exa mple.com/",
    ):
        assert host_name(no) is None, no
    # cleaning leaves it unset: the store stage falls back to the host only when neither this
    # copy nor a stored one names the outlet (tests/integration/test_regions.py)
    body = "Police detained a woman who held a placard against mobilisation in the city centre."
    assert _clean(body, url="https://www.ngs.ru/text/1", source="НГС").source == "НГС"


def test_russian_and_ukrainian_boilerplate_goes_and_the_story_stays() -> None:
    story = [
        "Военкоматы Бурятии разослали повестки мужчинам, сообщает местное издание.",
        "Мужчин вызывают для уточнения данных; это уже третья волна за месяц.",
        "Підписники каналу пишуть, що повістки вручають і на роботі.",
    ]
    junk = [
        "Подписывайтесь на наш Telegram-канал, чтобы первыми узнавать новости.",
        "ДАННОЕ СООБЩЕНИЕ (МАТЕРИАЛ) СОЗДАНО И (ИЛИ) РАСПРОСТРАНЕНО ИНОСТРАННЫМ СРЕДСТВОМ "
        "МАССОВОЙ ИНФОРМАЦИИ, ВЫПОЛНЯЮЩИМ ФУНКЦИИ ИНОСТРАННОГО АГЕНТА.",
        "Підписуйтесь на наш канал у Viber.",
        "Читайте нас в Telegram и VK.",
        "Мнение автора может не совпадать с позицией редакции.",
        "Теги: мобилизация, Бурятия",
    ]
    text = "\n\n".join(["Повестки в Бурятии", story[0], junk[0], story[1], *junk[1:], story[2]])
    cleaned = _clean(text)
    for line in story:
        assert line in cleaned.text
    for line in junk:
        assert line not in cleaned.text
