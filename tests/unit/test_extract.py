"""Article extraction: the combination rule and metadata (quality: tests/integration)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsmon.extract import NotAnArticle, combine, extract_article

PARA = "Russian authorities continued the covert mobilisation campaign in the regions this week, officials said."
LONG = " ".join(f"word{i}" for i in range(20))
BODY = " ".join([PARA] * 4)  # 60 words


def test_combine_keeps_newspaper_and_adds_missing_long_paragraphs() -> None:
    text, method = combine(BODY, f"{BODY}\n{LONG}\nshort extra line")
    assert method == "newspaper+trafilatura"
    assert text == f"{BODY}\n\n{LONG}", "short trafilatura lines (menus, captions) are not added"


def test_combine_falls_back_when_newspaper_misses_the_body() -> None:
    assert combine("", PARA) == (PARA, "trafilatura")
    assert combine("Subscribe now", f"{PARA}\n{LONG}")[1] == "trafilatura"
    assert combine(PARA, "") == (PARA, "newspaper")


def _page(
    body: str,
    meta_date: str | None = None,
    canonical: str = "https://news.example.org/2023/11/20/call-up",
) -> str:
    date = f"<meta property='article:published_time' content='{meta_date}'>" if meta_date else ""
    return (
        f"<html lang='en'><head><title>Covert call-up</title><link rel='canonical' href='{canonical}'>{date}"
        '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Anna Petrova"}}</script>'
        f"</head><body><nav>Home | World | Sport</nav><article><h1>Covert call-up</h1>{body}</article>"
        "<footer>Copyright 2023</footer></body></html>"
    )


def test_extract_article_metadata_and_date_provenance() -> None:
    body = "".join(f"<p>{PARA} Paragraph {i}.</p>" for i in range(6))
    page = extract_article(_page(body, "2023-11-20T10:15:00+00:00"))
    assert page.title == "Covert call-up"
    assert page.authors == ["Anna Petrova"]
    assert page.canonical_url == "https://news.example.org/2023/11/20/call-up"
    assert page.published_at == datetime(2023, 11, 20, 10, 15, tzinfo=UTC)
    assert page.date_source == "meta"
    assert "Paragraph 5" in page.text and "Home | World" not in page.text
    from_url = extract_article(_page(body), "https://news.example.org/2023/11/20/call-up")
    assert (
        from_url.published_at.date().isoformat() == "2023-11-20" and from_url.date_source == "url"
    )


def test_page_without_text_is_a_value_error() -> None:
    page = extract_article("<html><body><nav>Menu</nav></body></html>")
    assert isinstance(page, NotAnArticle) and "no article text" in page.reason


@pytest.mark.parametrize(
    "text",
    [
        "Hello, world! It's a test -- of 'quotes' and “curly” ones; don't stop...",
        "Мобилизация: «повестки» — в 12:30, ‘п’ятниця’ і ʼпʼять",
        "--leading and trailing''  `odd` ‘’ marks ’",
        "",
        b"bytes, too: caf\xc3\xa9",
    ],
)
def test_newspaper_tokenizer_speedup_gives_the_same_tokens(text: str | bytes) -> None:
    from newsmon.htmlpage import _offline_newspaper

    _offline_newspaper()
    import newspaper.parsers as parsers
    import newspaper.text as nt

    assert nt.default_tokenizer(text) == nt._newsmon_original_tokenizer(text)
    assert parsers.txt.StopWords("en") is parsers.txt.StopWords("en")


DATED_PAGE = """<html><head>
<meta name="Date" content="2024-03-02">
<meta property="article:published_time" content="2024-03-01T10:00:00+03:00">
<meta itemprop="datePublished" name="pubdate" content="2024-02-29">
<meta name="description" content="no date here">
</head><body>
<time class="Entry-Date" datetime="2024-02-28T08:00:00Z">Feb 28</time>
<span ITEMPROP="DatePublished" datetime="2024-02-27">27</span>
<div id="date" content="2024-02-26">26</div><div class="time other" content="x">not exact</div>
<p pubdate="PubDate" datetime="2024-02-25">25</p>
</body></html>"""


def test_indexed_date_lookups_return_what_newspaper4k_would() -> None:
    """The publish-date extractor's lookups, answered from one index per page, give the same
    elements in the same order as newspaper4k's own XPath per name."""
    import lxml.html
    from newspaper.extractors.defines import PUBLISH_DATE_META_INFO, PUBLISH_DATE_TAGS

    from newsmon.htmlpage import _IndexedParsers, _offline_newspaper

    _offline_newspaper()
    import newspaper.parsers as original

    doc = lxml.html.fromstring(DATED_PAGE)
    fast = _IndexedParsers(original)
    for value in [*PUBLISH_DATE_META_INFO, "description", "missing"]:
        assert fast.get_metatags(doc, value) == original.get_metatags(doc, value), value
    for tag in PUBLISH_DATE_TAGS:
        attribs = {tag["attribute"]: tag["value"]}
        assert fast.get_elements_by_attribs(doc, attribs) == original.get_elements_by_attribs(
            doc, attribs
        ), attribs
    assert len(fast.get_elements_by_attribs(doc, {"itemprop": "datePublished"})) == 2
    other = lxml.html.fromstring("<html><head><meta name='date' content='2020-01-01'></head></html>")
    assert fast.get_metatags(other, "date") == original.get_metatags(other, "date")  # a new page


def test_publish_dates_are_unchanged_by_the_index(monkeypatch) -> None:
    import newspaper.extractors.pubdate_extractor as pubdate

    from newsmon.htmlpage import _IndexedParsers, parse_html

    fast = parse_html(DATED_PAGE, "https://example.org/news/item")["published_at"]
    assert isinstance(pubdate.parsers, _IndexedParsers)
    monkeypatch.setattr(pubdate, "parsers", pubdate.parsers._parsers)  # newspaper4k's own
    assert fast == parse_html(DATED_PAGE, "https://example.org/news/item")["published_at"]
    assert fast is not None


def test_date_index_is_per_thread() -> None:
    """Fetch workers parse pages in threads: one thread's page index never answers another's."""
    from concurrent.futures import ThreadPoolExecutor

    from newsmon.htmlpage import parse_html

    def page(day: int) -> str:
        return (
            f'<html><head><meta property="article:published_time" content="2024-05-{day:02d}T09:00:00Z">'
            f"</head><body><p>{PARA}</p><p>{PARA}</p></body></html>"
        )

    days = [1 + i % 28 for i in range(120)]
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda d: parse_html(page(d), "https://example.org/a")["published_at"], days))
    assert [f.day for f in found] == days


def test_another_threads_page_does_not_evict_this_threads_index() -> None:
    import threading

    import lxml.html

    from newsmon.htmlpage import _IndexedParsers, _offline_newspaper

    _offline_newspaper()
    import newspaper.parsers as original

    fast = _IndexedParsers(original)
    mine = lxml.html.fromstring(DATED_PAGE)
    theirs = lxml.html.fromstring("<html><head><meta name='date' content='2020-01-01'></head></html>")
    assert len(fast.get_metatags(mine, "pubdate")) == 1
    built = fast._for(mine)
    other = threading.Thread(target=fast.get_metatags, args=(theirs, "date"))
    other.start()
    other.join()
    assert fast._for(mine) is built  # not rebuilt: the other thread has its own
    assert fast.get_metatags(mine, "pubdate") == original.get_metatags(mine, "pubdate")
