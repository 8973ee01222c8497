"""Article extraction: the combination rule and metadata (quality: tests/integration)."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from newsmon.read.extraction import NotAnArticle, combine, extract_article
from tests.conftest import shared_path

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
    from newsmon.read.newspaper import _offline_newspaper

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

    from newsmon.read.newspaper import _IndexedParsers, _offline_newspaper

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
    other = lxml.html.fromstring(
        "<html><head><meta name='date' content='2020-01-01'></head></html>"
    )
    assert fast.get_metatags(other, "date") == original.get_metatags(other, "date")  # a new page


def test_publish_dates_are_unchanged_by_the_index(monkeypatch) -> None:
    import newspaper.extractors.pubdate_extractor as pubdate

    from newsmon.read.newspaper import _IndexedParsers, parse_html

    fast = parse_html(DATED_PAGE, "https://example.org/news/item")["published_at"]
    assert isinstance(pubdate.parsers, _IndexedParsers)
    monkeypatch.setattr(pubdate, "parsers", pubdate.parsers._parsers)  # newspaper4k's own
    assert fast == parse_html(DATED_PAGE, "https://example.org/news/item")["published_at"]
    assert fast is not None


def test_date_index_is_per_thread() -> None:
    """Fetch workers parse pages in threads: one thread's page index never answers another's."""
    from concurrent.futures import ThreadPoolExecutor

    from newsmon.read.newspaper import parse_html

    def page(day: int) -> str:
        return (
            f'<html><head><meta property="article:published_time" content="2024-05-{day:02d}T09:00:00Z">'
            f"</head><body><p>{PARA}</p><p>{PARA}</p></body></html>"
        )

    days = [1 + i % 28 for i in range(120)]
    with ThreadPoolExecutor(4) as pool:
        found = list(
            pool.map(lambda d: parse_html(page(d), "https://example.org/a")["published_at"], days)
        )
    assert [f.day for f in found] == days


def test_another_threads_page_does_not_evict_this_threads_index() -> None:
    import threading

    import lxml.html

    from newsmon.read.newspaper import _IndexedParsers, _offline_newspaper

    _offline_newspaper()
    import newspaper.parsers as original

    fast = _IndexedParsers(original)
    mine = lxml.html.fromstring(DATED_PAGE)
    theirs = lxml.html.fromstring(
        "<html><head><meta name='date' content='2020-01-01'></head></html>"
    )
    assert len(fast.get_metatags(mine, "pubdate")) == 1
    built = fast._for(mine)
    other = threading.Thread(target=fast.get_metatags, args=(theirs, "date"))
    other.start()
    other.join()
    assert fast._for(mine) is built  # not rebuilt: the other thread has its own
    assert fast.get_metatags(mine, "pubdate") == original.get_metatags(mine, "pubdate")


def _table_page(rows: int) -> str:
    cells = "".join(
        f"<tr><td>In week {i} the office in the region sent {i * 7} summonses to the men on"
        f" its lists</td><td><b>{i}</b> <a href='/r/{i}'>more</a> <span>({i % 52})</span></td></tr>"
        for i in range(rows)
    )
    return (
        "<html><head><title>Call-up table</title></head><body><article><h1>Call-up table</h1>"
        "<p>The enlistment offices sent summonses to reservists across the region, officials"
        f" said, and families described long queues.</p><table><tbody>{cells}</tbody></table>"
        "</article></body></html>"
    )


def test_node_depth_is_newspapers_without_building_xpaths() -> None:
    """``_level`` gives what newspaper4k's ``get_level`` gives (one more than the ancestors)
    for every element of a table page and of a real page, without ``getpath``."""
    import lxml.html

    from newsmon.read.newspaper import _offline_newspaper

    _offline_newspaper()
    import newspaper.parsers as parsers

    real = sorted(shared_path("benchmarks/zyte/html").glob("*.html.gz"))[:3]
    pages = [_table_page(50)]
    pages += [gzip.decompress(p.read_bytes()).decode("utf-8", "replace") for p in real]
    checked = 0
    for html in pages:
        doc = lxml.html.fromstring(html)
        for el in doc.iter():
            assert parsers.get_level(el) == parsers._newsmon_original_get_level(el)
            checked += 1
    assert checked > 1_000


def test_a_big_table_is_unwrapped_in_one_pass_with_the_text_newspaper_gives(monkeypatch) -> None:
    """A page holding a 3,000-row table: its text is made without one ``drop_tag`` per cell
    (each was a walk of the cell's siblings and a copy of a growing string: quadratic, 57 s
    for a 1 MB page), and it is the text newspaper4k's own cleaner and depth give."""
    import lxml.html
    from newspaper.outputformatters import OutputFormatter

    from newsmon.read.newspaper import _offline_newspaper, parse_html

    _offline_newspaper()
    import newspaper.parsers as parsers

    html = _table_page(3_000)
    real_drop = lxml.html.HtmlElement.drop_tag
    drops = []

    def counted(self):  # noqa: ANN001, ANN202
        drops.append(self.tag)
        return real_drop(self)

    monkeypatch.setattr(lxml.html.HtmlElement, "drop_tag", counted)
    fast = parse_html(html, "https://example.org/news/table")["text"]
    assert len(drops) < 100, f"{len(drops)} tags dropped one by one"
    assert fast.count("summonses to the men on its lists") > 1_000  # newspaper4k cuts at 100k
    monkeypatch.setattr(
        OutputFormatter, "_convert_to_text", OutputFormatter._newsmon_original_convert
    )
    monkeypatch.setattr(parsers, "get_level", parsers._newsmon_original_get_level)
    drops.clear()
    assert parse_html(html, "https://example.org/news/table")["text"] == fast
    assert len(drops) > 12_000  # newspaper4k's own way: one per cell and inline tag


def test_unwrapping_first_gives_newspapers_text_for_any_tags() -> None:
    """Every HTML tag lxml knows, custom tags, and random nestings of them with text and
    tails: newspaper4k's text of the node is the same whether the tags its cleaner would
    unwrap one by one are unwrapped first in one pass or not."""
    import copy
    import random

    import lxml.html
    from lxml.html import defs
    from newspaper.outputformatters import OutputFormatter

    from newsmon.read.newspaper import _offline_newspaper

    _offline_newspaper()
    tags = sorted(defs.tags) + ["x-widget", "foo", "o:p"]
    rng = random.Random(5)

    def tree(depth: int) -> str:
        out = []
        for _ in range(rng.randint(1, 4)):
            tag = rng.choice(tags)
            inner = tree(depth - 1) if depth and rng.random() < 0.6 else f"w{rng.randint(0, 99)}"
            out.append(f"<{tag}>{inner} t{rng.randint(0, 9)}</{tag}> tail{rng.randint(0, 9)} ")
        return "".join(out)

    pages = [
        "<html><body><div>"
        + "".join(f"<{t}>in {t}</{t}> after {t} " for t in tags)
        + "</div></body></html>"
    ]
    pages += [f"<html><body><div>{tree(4)}</div></body></html>" for _ in range(300)]
    formatter = OutputFormatter()
    for html in pages:
        node = lxml.html.fromstring(html)
        fast = formatter._convert_to_text(copy.deepcopy(node))
        own = OutputFormatter._newsmon_original_convert(formatter, copy.deepcopy(node))
        assert fast == own, html


def test_an_author_index_page_gives_a_bounded_byline() -> None:
    """30,000 rel=author links (an author index, or a hostile page): the first names, in page
    order and each once, at most ``MAX_AUTHORS`` (every name was compared with every kept
    one before: quadratic, 31 s for 50,000); a document holds at most that many too."""
    from newsmon.read.newspaper import parse_html
    from newsmon.records import MAX_AUTHORS, RawDoc

    links = "".join(
        f'<a rel="author" href="/a/{i}">Author {i // 2}</a>' for i in range(30_000)
    )  # each name twice
    html = (
        "<html><body><article><p>Officials said the enlistment offices sent summonses to"
        f" reservists across the region and families queued outside.</p>{links}</article>"
        "</body></html>"
    )
    authors = parse_html(html, "https://example.org/people")["authors"]
    assert 0 < len(authors) <= MAX_AUTHORS
    assert authors == [f"Author {i}" for i in range(len(authors))]
    doc = RawDoc("x", "html", "text", authors=[f"Name {i}" for i in range(500)])
    assert doc.authors == [f"Name {i}" for i in range(MAX_AUTHORS)]


def test_a_page_of_thousands_of_scripts_and_comments_is_thinned_first(monkeypatch) -> None:
    """30,000 scripts and comments between the words: they are removed in one pass before
    the extractors see the page (each extractor deleted them one by one, appending every
    tail to a growing string: 45 s for 40,000); the words between them, JSON-LD metadata
    and the article are kept. A page with a few hundred is left exactly as it is."""
    import newspaper.parsers as np_parsers
    import trafilatura.htmlprocessing as tr_processing

    from newsmon.read.newspaper import NOISE_LIMIT, thin_markup

    ordinary = "<html><body>" + "<script>x()</script><p>Words.</p>" * 300 + "</body></html>"
    assert thin_markup(ordinary) is ordinary
    noise = "".join(f"<script>track({i})</script>word{i} <!-- c{i} -->" for i in range(15_000))
    html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle",'
        ' "author": {"@type": "Person", "name": "Anna Petrova"}}</script></head><body><article>'
        f"<h1>Summonses in Kazan</h1><p>{PARA}</p><p>{PARA}</p><div>{noise}</div>"
        "</article></body></html>"
    )
    calls = {"newspaper": 0, "trafilatura": 0}
    real_remove, real_delete = np_parsers.remove, tr_processing.delete_element

    def remove(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        calls["newspaper"] += 1
        return real_remove(*a, **kw)

    def delete(*a, **kw):  # noqa: ANN002, ANN003, ANN202
        calls["trafilatura"] += 1
        return real_delete(*a, **kw)

    monkeypatch.setattr(np_parsers, "remove", remove)
    monkeypatch.setattr(tr_processing, "delete_element", delete)
    thinned = thin_markup(html)
    assert "track(" not in thinned and "<!--" not in thinned and "Anna Petrova" in thinned
    assert "word0 " in thinned and "word14999" in thinned
    xhtml = '<?xml version="1.0" encoding="utf-8"?>\n' + html  # an encoding declared in a str
    assert "track(" not in thin_markup(xhtml) and "word14999" in thin_markup(xhtml)
    result = extract_article(html, "https://example.org/news/kazan")
    assert not isinstance(result, NotAnArticle)
    assert "covert mobilisation" in result.text
    assert result.authors == ["Anna Petrova"]
    assert calls["newspaper"] < NOISE_LIMIT and calls["trafilatura"] < NOISE_LIMIT, calls


def test_trafilatura_cleaning_in_one_pass_gives_its_own_text(monkeypatch) -> None:
    """trafilatura's deletions, done as marks removed in one pass, give the text its own
    one-at-a-time deletions give: on random nestings of the elements it deletes (forms,
    objects, asides, labels ...) with text and tails, and on 3,000 forms in a row. Where
    one such element holds another of its tag, its loop stopped after deleting the outer
    one and kept the rest of that tag; in one pass they all go."""
    import random

    import lxml.html
    import trafilatura.core as core
    import trafilatura.htmlprocessing as hp
    from trafilatura.settings import MANUALLY_CLEANED

    from newsmon.read.extraction import _trafilatura

    trafilatura, config = _trafilatura()
    deleted = set(MANUALLY_CLEANED) - {"head"}
    tags = sorted(deleted) + ["p", "div", "span", "table", "td", "b"]
    rng = random.Random(8)

    def tree(depth: int) -> str:
        out = []
        for _ in range(rng.randint(1, 4)):
            tag = rng.choice(tags)
            inner = tree(depth - 1) if depth and rng.random() < 0.6 else PARA[: rng.randint(5, 90)]
            out.append(f"<{tag}>{inner} t{rng.randint(0, 9)}</{tag}> tail{rng.randint(0, 9)} ")
        return "".join(out)

    def nests_its_tag(html: str) -> bool:
        doc = lxml.html.fromstring(html)
        return any(
            el.tag in deleted and next(el.iterdescendants(el.tag), None) is not None
            for el in doc.iter()
        )

    pages = [
        f"<html><body><article><p>{PARA}</p>{tree(4)}</article></body></html>" for _ in range(300)
    ]
    pages = [h for h in pages if not nests_its_tag(h)]
    forms = "".join(f"<form>field {i} <input></form> tail {i} " for i in range(3_000))
    pages.append(f"<html><body><article><p>{PARA}</p><div>{forms}</div></article></body></html>")
    nested = (
        f"<html><body><article><p>{PARA}</p><div><svg><svg>in</svg> mid</svg> tailA"
        f" <svg>second</svg> tailB</div><p>{PARA}</p></article></body></html>"
    )

    def text(html: str) -> str | None:
        return trafilatura.extract(html, include_tables=True, config=config, fast=True)

    fast = [text(h) for h in pages]
    assert len(pages) > 100 and sum(t is not None for t in fast) > 100
    assert "second" not in text(nested) and "tailB" in text(nested)
    monkeypatch.setattr(core, "tree_cleaning", hp._newsmon_original_tree_cleaning)
    assert [text(h) for h in pages] == fast
    assert "second" in text(nested)  # its own loop's stop


def test_a_russian_page_that_declares_no_language_is_read_in_russian() -> None:
    """An older layout with no lang attribute: newspaper4k, told the language detected in
    the page's text (not English, its default), finds the body, and the sidebar teaser that
    trafilatura's fast mode took along stays out."""
    import json

    from newsmon.read.extraction import extract_article
    from tests.conftest import ROOT

    paras = [
        r["text"]
        for r in map(
            json.loads, (ROOT / "tests/data/labelled/holdout.jsonl").read_text("utf-8").splitlines()
        )
        if r.get("lang") == "ru"
    ][:4]
    body = "".join(f"<p>{p}</p>" for p in paras)
    html = (
        "<html><head><meta charset='utf-8'><title>Новость</title></head><body>"
        "<div class='menu'><a href='/'>Главная</a> <a href='/news'>Новости</a></div>"
        "<table><tr><td class='side'><div class='teaser'><b>Читайте также:</b> Губернатор "
        "открыл новый мост через реку, движение будет запущено в декабре после проверки.</div>"
        f"</td><td class='main'><div class='txt'>{body}</div></td></tr></table>"
        "<div class='footer'>© 2012 Все права защищены. Перепечатка материалов только с "
        "разрешения редакции.</div></body></html>"
    )
    page = extract_article(html, "https://example.ru/news/1")
    assert page.method.startswith("newspaper"), page.method
    assert all(p[:60] in page.text for p in paras)
    assert "мост" not in page.text and "Перепечатка" not in page.text


def test_a_closing_block_of_related_links_is_cut_from_either_extractor() -> None:
    """A marker ("Ссылки по теме:", "Czytaj także", "Related") followed by nothing but short
    lines ends the story; a marker followed by a story paragraph cuts nothing."""
    from newsmon.read.boilerplate import cut_related_links

    story = f"{PARA}\n\n{PARA}"
    links = (
        "Ссылки по теме:\nРоссия испытала свой ответ американской ПРО\n// NEWSru.com // 20 декабря"
    )
    assert cut_related_links(f"{story}\n\n{links}") == story
    assert cut_related_links(f"{story}\nCzytaj także:\nKrótki tytuł") == story
    kept = f"{story}\nСсылки по теме:\n{PARA * 2}"
    assert cut_related_links(kept) == kept


def test_a_closing_list_of_headline_links_goes_and_a_storys_own_list_stays() -> None:
    from newsmon.read.extraction import _cut_closing_list

    story = "\n".join([PARA] * 4)
    teasers = "\n".join(
        f"- Глава города {i} рассказал о новом мосте через реку и о ремонте дорог" for i in range(4)
    )
    assert _cut_closing_list(f"{story}\nАвторская колонка\n{teasers}") == story
    own = "\n".join(f"- England (Group {g}): 10th appearance" for g in "ABCD")
    assert (
        _cut_closing_list(f"{story}\nQualified teams\n{own}") == f"{story}\nQualified teams\n{own}"
    )
    # the heading must be a heading: a sentence before the list is the story's
    said = f"{story}\nThe ministry listed the regions that will send men first.\n{teasers}"
    assert _cut_closing_list(said) == said
    # a list longer than the story before it is not a closing block
    assert _cut_closing_list(f"{PARA}\nМатериалы\n{teasers}") == f"{PARA}\nМатериалы\n{teasers}"


def _daniel_page(site: str) -> str:
    from tests.conftest import ROOT

    (path,) = (ROOT / "bench/data/daniel-ru/html").glob(f"*_{site}_*.html.gz")
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def test_related_links_do_not_outvote_newspapers_body() -> None:
    """rbc.ru, 2012: trafilatura's text is the story plus, under "Статьи по теме", other
    stories' headlines; without that list newspaper4k's body is healthy and is kept, and
    the headlines stay out."""
    page = extract_article(_daniel_page("www.rbc.ru"), "http://www.rbc.ru/")
    assert page.method.startswith("newspaper"), page.method
    assert "Приднестровье" in page.text
    assert "Статьи по теме" not in page.text and "Тульской" not in page.text


def test_russian_and_ukrainian_pages_of_older_layouts_extract_well() -> None:
    """The DANIEL pages in bench/data/daniel-ru (Russian-language pages of Russian and
    Ukrainian sites, 2011-2012, whole reference bodies), scored like `make bench-extract`."""
    import importlib.util
    import json

    from tests.conftest import ROOT

    scorer_path = shared_path("benchmarks/zyte/score.py")
    spec = importlib.util.spec_from_file_location("zyte_score", scorer_path)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    bench = ROOT / "bench/data/daniel-ru"
    truth = json.loads((bench / "ground-truth.json").read_text("utf-8"))
    truth.pop("_meta")
    pred = {}
    for key in truth:
        html = gzip.decompress((bench / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8")
        page = extract_article(html, truth[key]["url"])
        assert not isinstance(page, NotAnArticle), key
        pred[key] = f"{page.title}\n{page.text}"
    _, _, f1 = scorer.score(truth, pred)
    assert len(truth) == 8 and f1 >= 0.85, f1
