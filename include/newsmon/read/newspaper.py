"""HTML pages to documents with newspaper4k, strictly offline.

newspaper4k asks tldextract for domain parts, and tldextract's default extractor
downloads the public-suffix list on first use. We swap in one that only reads the
snapshot bundled with tldextract, before newspaper is imported, so parsing a page
never touches the network. ``fetch_images=False`` and no ``.nlp()`` for the same reason.

Authors: newspaper4k's extractor runs one regex XPath per (attribute, value) pair over the
whole page, about half of its parse time (27 of 51 ms median on the Zyte pages). We read
authors from JSON-LD, author meta tags and ``rel=author`` links instead: the same list on
108 of 181 benchmark pages, most differences being newspaper4k's stray "www.facebook.com"
or URL slugs, at the cost of 7 pages left without an author.
"""

from __future__ import annotations

import re
import threading
import warnings
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from newsmon.records import MAX_AUTHORS


@lru_cache(maxsize=1)
def _offline_newspaper() -> Any:
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "nltk is not installed": we never use its NLP parts
        import newspaper
    _faster_tokens()
    _faster_pubdate()
    _linear_text_cleaning()
    return newspaper


def _faster_tokens() -> None:
    """newspaper4k 0.9's word tokenizer builds its ~800-character translation table, and
    ``is_highlink_density`` a ``StopWords`` (a file check and an import), on every call: a
    sixth of a page's parse time. The same tokenizer with the table and pattern built once,
    and one ``StopWords`` per language, give the same tokens (a unit test compares them)."""
    import newspaper.parsers as parsers
    import newspaper.text as text

    if getattr(text, "_newsmon_fast", False):
        return
    table = str.maketrans(text.punctuation, " " * len(text.punctuation))
    seps = re.escape("".join(text.contraction_separators))
    stray = re.compile(rf"(?<=\W)[{seps}]|[{seps}](?=\W)|^[{seps}]*|[{seps}]*$|[{seps}]{{2,}}")
    original = text.default_tokenizer

    def default_tokenizer(value: Any) -> list[str]:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        return text.whitespace_tokenizer.tokenize(stray.sub(" ", value.translate(table)).lower())

    stopwords = lru_cache(maxsize=64)(text.StopWords)

    class _CachedText:  # what ``parsers`` sees as ``txt``: the module, with cached StopWords
        def __getattr__(self, name: str) -> Any:
            return stopwords if name == "StopWords" else getattr(text, name)

    text.default_tokenizer = default_tokenizer
    text._newsmon_original_tokenizer = original
    parsers.txt = _CachedText()
    text._newsmon_fast = True


# What newspaper4k's text cleaner (lxml-html-clean's Cleaner, as ``_convert_to_text`` sets it
# up) deletes with their content, and the page-structure tags and <param> it treats in its
# own way; every other tag outside its block-level list (forms and objects too) it unwraps,
# one ``drop_tag`` at a time.
_CLEANER_OWN = frozenset(
    {"script", "style", "link", "meta", "base", "applet", "frame", "frameset", "noframes"}
    | {"button", "input", "select", "textarea", "head", "html", "title", "param"}
)


def _linear_text_cleaning() -> None:
    """newspaper4k makes the text of the article's node with lxml-html-clean's ``Cleaner``,
    which unwraps each tag outside its block-level list with one ``drop_tag``: that looks
    up the tag's place among its siblings and appends its text to a string that grows, so
    a page with a big table (thousands of cells under one parent) costs time quadratic in
    its size (0.5 MB 14.7 s, 1 MB 57.5 s, 2 MB 229 s: a stalled fetch). Those tags are
    unwrapped first with ``lxml.etree.strip_tags``, one pass in C, leaving the Cleaner
    nothing to drop there; the text is the same (compared on the 181 Zyte pages and on
    tables, nested blocks and link lists). The body extractor's node depth was quadratic
    in a table's rows too (:func:`_level`). The cleaned article HTML, which newsmon never
    reads and which a second Cleaner made the same slow way, is not made
    (``clean_article_html=False`` in :func:`parse_html`)."""
    import newspaper.parsers as parsers
    from lxml import etree
    from newspaper import settings
    from newspaper.outputformatters import OutputFormatter

    if getattr(OutputFormatter, "_newsmon_linear", False):
        return
    original = OutputFormatter._convert_to_text

    keep = frozenset(settings.BLOCK_LEVEL_TAGS) | {"br"} | _CLEANER_OWN

    def _convert_to_text(self: Any, top_node: Any, article_title: str | None = None) -> str:
        unwrapped = {el.tag for el in top_node.iter() if isinstance(el.tag, str)} - keep
        if unwrapped:
            etree.strip_tags(top_node, *unwrapped)
        return original(self, top_node, article_title)

    OutputFormatter._convert_to_text = _convert_to_text
    OutputFormatter._newsmon_original_convert = original
    parsers._newsmon_original_get_level = parsers.get_level
    parsers.get_level = _level
    OutputFormatter._newsmon_linear = True


# Elements both extractors delete with their content, one at a time, appending each one's
# tail to a string that grows: a page of thousands of them in a row is quadratic in them.
_NOISE = re.compile(r"<(?:script|style|input|button|select|textarea)\b|<!--", re.IGNORECASE)
NOISE_LIMIT = 2_000  # a heavy real page has a few hundred
_NOISE_TAGS = ("script", "style", "input", "button", "select", "textarea")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def thin_markup(html: str) -> str:
    """``html`` as it is, unless it holds more than :data:`NOISE_LIMIT` scripts, styles,
    comments and form fields: then without them, removed in one pass in C (each one's tail
    kept, after a space), JSON-LD scripts kept for the metadata. newspaper4k and
    trafilatura delete such elements one by one, each time appending the tail to the
    previous text, which grows: 40,000 scripts took 45 s (2 MB), 5 MB of empty comments
    would take hours; they are gone before either sees the page."""
    if next(islice(_NOISE.finditer(html), NOISE_LIMIT, None), None) is None:
        return html  # at most NOISE_LIMIT of them (counted no further than that)
    import lxml.html
    from lxml import etree

    try:  # lxml refuses a str that declares its encoding (an XHTML page): the text is decoded
        doc = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, etree.ParserError):
        return html
    for el in list(doc.iter(etree.Comment, *_NOISE_TAGS)):
        if el.tag == "script" and "ld+json" in (el.get("type") or "").lower():
            continue
        if el.tail:
            el.tail = " " + el.tail
        if el.tag is not etree.Comment:
            el.tag = "newsmon-noise"
    etree.strip_elements(doc, "newsmon-noise", etree.Comment, with_tail=False)
    return lxml.html.tostring(doc, encoding="unicode")


def _level(node: Any) -> int:
    """``newspaper.parsers.get_level`` (the node's depth, 1 for the root) without building
    its XPath: ``getpath`` numbers the node among its like-named siblings by walking them,
    so the body extractor, asking it of every candidate node, was quadratic in the rows of
    a big table. The path has one step per ancestor (the HTML parser makes no namespaces,
    whose steps could hold a "/")."""
    return sum(1 for _ in node.iterancestors()) + 1


class _PageIndex:
    """One page's meta tags by name, and its elements by attribute value."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.meta: dict[str, list[Any]] | None = None
        self.attrs: dict[str, dict[str, list[Any]]] = {}


class _IndexedParsers:
    """``newspaper.parsers`` as the publish-date extractor sees it, with its two costly lookups
    answered from one index per page.

    The extractor runs one XPath per known meta name (about 40: ``//meta[@name='date' or
    @property='date' or @itemprop='date']``) and one per known date tag (7, each lower-casing
    an attribute of every element with ``translate()``): about 9 ms of a page's 47 ms on the
    Zyte pages. Here the page's meta tags and the elements carrying each asked attribute are
    read once; lookups return the same elements in the same (document) order, so the date
    chosen is the same (unit tests compare the lookups on a page of mixed-case names; the
    dates of the benchmark's 181 pages were compared when this went in: all equal).
    """

    def __init__(self, parsers: Any) -> None:
        self._parsers = parsers
        self._local = threading.local()  # pages are parsed in several threads at once

    def reset(self) -> None:
        self._local.page = _PageIndex(None)

    def _for(self, doc: Any) -> _PageIndex:
        page = getattr(self._local, "page", None)
        if page is None or page.doc is not doc:
            page = self._local.page = _PageIndex(doc)
        return page

    def get_metatags(self, node: Any, value: str | None = None) -> list[Any]:
        if value is None:
            return self._parsers.get_metatags(node, value)
        page = self._for(node)
        if page.meta is None:
            index: dict[str, list[Any]] = {}
            for el in node.xpath("//meta[@name or @property or @itemprop]"):
                for key in {el.get("name"), el.get("property"), el.get("itemprop")} - {None}:
                    index.setdefault(key, []).append(el)
            page.meta = index
        return list(page.meta.get(value, ()))

    def get_elements_by_attribs(
        self, node: Any, attribs: dict[str, str], attribs_match: str = "exact"
    ) -> list[Any]:
        if attribs_match != "exact" or len(attribs) != 1:
            return self._parsers.get_elements_by_attribs(node, attribs, attribs_match)
        ((attr, value),) = attribs.items()
        if not re.fullmatch(r"[A-Za-z][\w.-]*", attr):
            return self._parsers.get_elements_by_attribs(node, attribs, attribs_match)
        page = self._for(node)
        by_value = page.attrs.get(attr)
        if by_value is None:
            by_value = {}
            for el in node.xpath(f".//*[@{attr}]"):
                # XPath's translate() there lower-cases ASCII letters only
                key = el.get(attr).translate(_ASCII_LOWER)
                by_value.setdefault(key, []).append(el)
            page.attrs[attr] = by_value
        return list(by_value.get(value.translate(_ASCII_LOWER), ()))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parsers, name)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_PUBDATE_PARSERS: _IndexedParsers | None = None


def _faster_pubdate() -> None:
    global _PUBDATE_PARSERS
    import newspaper.extractors.pubdate_extractor as pubdate

    if isinstance(pubdate.parsers, _IndexedParsers):
        _PUBDATE_PARSERS = pubdate.parsers
        return
    _PUBDATE_PARSERS = _IndexedParsers(pubdate.parsers)
    pubdate.parsers = _PUBDATE_PARSERS


_AUTHOR_META = (
    "author",
    "article:author",
    "byl",
    "dc.creator",
    "parsely-author",
    "sailthru.author",
)


def _authors(doc: Any, from_ld: Any) -> list[str]:
    from newspaper import parsers

    names: list[str] = []
    for script in parsers.get_ld_json_object(doc):
        items = script.get("@graph", [script]) if isinstance(script, dict) else []
        for item in items:
            if isinstance(item, dict) and "author" in item:
                names.extend(from_ld(item["author"]))
    for el in doc.xpath("//meta[@name or @property]"):
        key = (el.get("name") or el.get("property") or "").lower()
        content = (el.get("content") or "").strip()
        if key in _AUTHOR_META and content and not content.startswith("http"):
            names.append(content)
    names.extend(a.text_content() for a in doc.xpath('//a[@rel="author"]'))
    out: dict[str, None] = {}  # in order, each once (a list's "in" was quadratic in names)
    for name in names:
        name = re.sub(r"^by\s+", "", " ".join(str(name).split()), flags=re.IGNORECASE)
        if name and len(name) < 80:
            out[name] = None
            if len(out) >= MAX_AUTHORS:  # an author index page, not an article's byline
                break
    return list(out)


def _full_title(title: str, doc: Any) -> str | None:
    """newspaper4k splits titles at separators, hyphens included ("Covert call-up" -> "Covert
    call"); when its title is a strict prefix of the page's og:title or first <h1>, take that."""
    if doc is None:
        return title or None
    candidates = [
        *doc.xpath('//meta[@property="og:title"]/@content'),
        *(h.text_content() for h in doc.xpath("//h1")[:1]),
    ]
    for candidate in (" ".join(str(c).split()) for c in candidates):
        if title and candidate != title and candidate.startswith(title) and len(candidate) <= 300:
            return candidate
    return title or None


def parse_html(html: str, url: str | None = None, language: str | None = None) -> dict[str, Any]:
    """Title, text, authors, publish date (UTC), language and canonical URL of one page.
    ``language``: the page's language when it declares none (else newspaper4k reads it with
    English stopwords and finds no body in Russian or Ukrainian); one newspaper4k has no
    stopwords for is not passed."""
    newspaper = _offline_newspaper()
    extra: dict[str, Any] = {}
    if language and language in _stopword_languages():
        extra["language"] = language
    article = newspaper.Article(url or "", fetch_images=False, clean_article_html=False, **extra)
    authors = article.extractor.author_extractor
    authors.parse = lambda doc: _authors(doc, authors._get_authors_from_ld)
    article.download(input_html=html)
    try:
        article.parse()
    finally:
        if _PUBDATE_PARSERS is not None:
            _PUBDATE_PARSERS.reset()  # the index is per page: let this page's tree go
    published = article.publish_date
    if isinstance(published, datetime):
        published = published.replace(tzinfo=UTC) if published.tzinfo is None else published
        published = published.astimezone(UTC)
    else:
        published = None
    return {
        "title": _full_title((article.title or "").strip(), article.doc),
        "text": article.text or "",
        "authors": list(article.authors or []),
        "published_at": published,
        "lang": (article.meta_lang or "").strip() or None,
        "canonical_url": (article.canonical_link or "").strip() or None,
    }


@lru_cache(maxsize=1)
def _stopword_languages() -> frozenset[str]:
    from newspaper.utils import get_available_languages

    return frozenset(get_available_languages())
