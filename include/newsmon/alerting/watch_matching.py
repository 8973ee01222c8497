"""Which watchlists an article matches, and the evidence: pure Python over an article's
facts (its search terms, assigned topics with their countries, regions, language, outlet).

Each watchlist is filed under keys one of which every article it matches must have (a word
head of its queries, else a topic, region, country or outlet), so an article is checked only
against the watchlists that could match it: 500 watchlists cost a few dictionary look-ups
per article, not 500 checks. A phrase is first checked on the article's terms (all its words
present) and then, for the few that pass, on the title and text (next to each other).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from newsmon.alerting.watch_query import Alternative, Term
from newsmon.alerting.watchlists import Watchlist
from newsmon.article.index_terms import stem

HEAD = 5  # stems longer than this match by prefix; terms are looked up by this many letters
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def word_prefix(s: str) -> str:
    """What an article's term must start with to match stem ``s`` (the whole stem for a
    stem of five letters or fewer, else all but its last two letters, at least five)."""
    return s if len(s) <= HEAD else s[: max(HEAD, len(s) - 2)]


def stem_matches(s: str, term: str) -> bool:
    return term == s if len(s) <= HEAD else term.startswith(word_prefix(s))


def word_rows(watchlists: Iterable[Watchlist]) -> tuple[dict[str, list], dict[str, list]]:
    """The query words as columns for the database's word test (``watch_words``: each
    word that must occur, by watchlist index, alternative and number, with its first five
    letters, its stem and prefix; ``watch_alts``: how many words each alternative needs)."""
    words: dict[str, list] = {
        k: [] for k in ("wl", "alt", "word", "head", "stem", "prefix", "exact")
    }
    alts: dict[str, list] = {"wl": [], "alt": [], "needed": []}
    for i, wl in enumerate(watchlists):
        for j, alt in enumerate(wl.alternatives):
            stems = [s for t in alt.all_of for s in t.stems if s]
            for k, s in enumerate(stems):
                row = (i, j, k, s[:HEAD], s, word_prefix(s), len(s) <= HEAD)
                for key, value in zip(words, row, strict=True):
                    words[key].append(value)
            for key, value in zip(alts, (i, j, len(stems)), strict=True):
                alts[key].append(value)
    return words, alts


def heads(
    watchlists: Iterable[Watchlist], excluded_only: bool = False
) -> tuple[list[str], list[str]]:
    """The terms the database must return for these watchlists (``excluded_only``: for
    their ``-word`` exclusions only): exact short stems, and the five-letter heads of
    longer ones."""
    exact, head = set(), set()
    for wl in watchlists:
        for alt in wl.alternatives:
            for term in alt.none_of if excluded_only else (*alt.all_of, *alt.none_of):
                for s in filter(None, term.stems):
                    (exact if len(s) <= HEAD else head).add(s[:HEAD])
    return sorted(exact), sorted(head)


@dataclass
class ArticleFacts:
    article_id: str
    story_id: str
    lang: str | None
    source: str | None
    topics: dict[str, tuple[float, str | None]] = field(default_factory=dict)  # score, country
    regions: set[str] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)  # only the terms some watchlist may match
    _by_head: dict[str, list[str]] | None = field(default=None, repr=False)

    def by_head(self) -> dict[str, list[str]]:
        """The terms by their first five letters (built once, on first use)."""
        if self._by_head is None:
            self._by_head = {}
            for t in sorted(self.terms):
                self._by_head.setdefault(t[:HEAD], []).append(t)
        return self._by_head

    def anchor_keys(self, words: bool = True) -> set[tuple[str, str]]:
        out = {("t", t) for t in self.topics}
        out |= {("c", c) for _, c in self.topics.values() if c}
        out |= {("r", r) for r in self.regions}
        out |= {("s", self.source.casefold())} if self.source else set()
        for t in self.terms if words else ():
            out.add(("w", t))
            out.add(("w", t[:HEAD]))
        return out


@dataclass
class Hit:
    """One watchlist matching one article, with what matched."""

    watchlist: Watchlist
    article: ArticleFacts
    score: float | None  # the best qualifying topic's score (None: no topic asked for)
    evidence: dict[str, Any]
    phrases: list[Alternative]  # alternatives whose phrases still need the text


def key_counts(articles: Iterable[ArticleFacts]) -> Counter[tuple[str, str]]:
    """How many articles hold each key."""
    counts: Counter[tuple[str, str]] = Counter()
    for a in articles:
        counts.update(a.anchor_keys())
    return counts


def _anchors(wl: Watchlist, counts: Mapping[tuple[str, str], int]) -> set[tuple[str, str]]:
    """The keys ``wl`` is filed under: per alternative, its word held by the fewest
    articles (``counts``), else the values of its most telling filter."""
    if wl.alternatives:
        out = set()
        for alt in wl.alternatives:
            keys = [
                ("w", s if len(s) <= HEAD else s[:HEAD]) for t in alt.all_of for s in t.stems if s
            ]
            out.add(min(keys, key=lambda k: counts.get(k, 0)))
        return out
    # the narrowest filter first: an outlet or a region is rarer than a topic or a country
    if wl.sources:
        return {("s", s.casefold()) for s in wl.sources}
    for kind, values in (("r", wl.regions), ("t", wl.topics)):
        if values:
            return {(kind, v) for v in values}
    return {("c", c) for c in wl.countries}


class Matcher:
    def __init__(
        self, watchlists: Iterable[Watchlist], counts: Mapping[tuple[str, str], int] | None = None
    ) -> None:
        """``counts``: how many of the articles to match hold each key (:func:`key_counts`),
        so each watchlist is filed under its rarest word."""
        self.watchlists = list(watchlists)
        self.sources = [frozenset(x.casefold() for x in wl.sources) for wl in self.watchlists]
        self.by_key: dict[tuple[str, str], list[int]] = {}
        for i, wl in enumerate(self.watchlists):
            for key in _anchors(wl, counts or {}):
                self.by_key.setdefault(key, []).append(i)

    def hits(
        self,
        article: ArticleFacts,
        done: set[str] = frozenset(),  # type: ignore[assignment]
        words_ok: Mapping[int, Mapping[int, list[str]]] | None = None,
    ) -> list[Hit]:
        """The watchlists this article matches on its facts (phrases still to be checked
        on the text: :func:`confirm`), less those named in ``done`` (its story matched
        them already). ``words_ok``: watchlist index -> alternative index -> the terms
        that matched, for each alternative whose words are all in the article, as the
        database found them (:func:`word_rows`); then only those of the query watchlists
        are checked, and only their exclusions and phrases."""
        found: set[int] = set()
        for key in article.anchor_keys(words=words_ok is None):
            found.update(
                i
                for i in self.by_key.get(key, ())
                if words_ok is None or not self.watchlists[i].alternatives
            )
        if words_ok is not None:
            found.update(words_ok)
        out = []
        for i in sorted(found):
            if self.watchlists[i].name in done:
                continue
            alts = words_ok.get(i) if words_ok is not None else None
            hit = _check(self.watchlists[i], article, self.sources[i], alts)
            if hit is not None:
                out.append(hit)
        return out


def _check(
    wl: Watchlist,
    a: ArticleFacts,
    sources: frozenset[str],
    alts: Mapping[int, list[str]] | None = None,
) -> Hit | None:
    """Cheap filters first, then the query (``alts``: the alternatives whose words the
    database found, with the terms); the evidence only for a match."""
    if wl.languages and (a.lang or "") not in wl.languages:
        return None
    if sources and (a.source or "").casefold() not in sources:
        return None
    if wl.regions and a.regions.isdisjoint(wl.regions):
        return None
    topics = a.topics
    if wl.topics or wl.countries or wl.min_score is not None:
        topics = {
            t: (score, country)
            for t, (score, country) in a.topics.items()
            if (not wl.topics or t in wl.topics)
            and (not wl.countries or country in wl.countries)
            and (wl.min_score is None or score >= wl.min_score)
        }
        if not topics:
            return None
    pending: list[Alternative] = []
    words: list[str] = []
    query: list[str] = []
    if wl.alternatives:
        matched = False
        for j, alt in enumerate(wl.alternatives):
            if alts is not None and j not in alts:
                continue
            ok, found, needs_text = _alternative_on_terms(alt, a, alts[j] if alts else None)
            if ok and not needs_text:
                matched, words, query = True, found, [t.text for t in alt.all_of]
                break
            if ok:
                pending.append(alt)
                words, query = words or found, query or [t.text for t in alt.all_of]
        if not matched and not pending:
            return None
        if matched:
            pending = []
    evidence: dict[str, Any] = {"article_id": a.article_id}
    if topics:
        evidence["topics"] = {t: round(s, 2) for t, (s, _) in topics.items()}
        countries = sorted({c for _, c in topics.values() if c})
        if countries:
            evidence["countries"] = countries
    regions = sorted(a.regions & set(wl.regions)) if wl.regions else sorted(a.regions)
    if regions:
        evidence["regions"] = regions[:10]
    if wl.alternatives:
        evidence["query"] = query
        evidence["words"] = words[:12]  # the article's index terms that matched
    score = max((s for s, _ in topics.values()), default=None)
    return Hit(wl, a, score, evidence, pending)


def _term_found(term: Term, a: ArticleFacts) -> list[str] | None:
    """The article's terms the words of ``term`` match (None: a word matches none)."""
    found: list[str] = []
    for s in term.stems:
        if s is None:
            continue
        if len(s) <= HEAD:
            hits = [s] if s in a.terms else []
        else:
            prefix = word_prefix(s)
            hits = [t for t in a.by_head().get(s[:HEAD], ()) if t.startswith(prefix)]
        if not hits:
            return None
        found += hits
    return found


def _alternative_on_terms(
    alt: Alternative, a: ArticleFacts, present: list[str] | None = None
) -> tuple[bool, list[str], bool]:
    """(may match, the words found, whether the text must still confirm a phrase);
    ``present``: the terms of its words, when the database found them all."""
    found: list[str] = list(present or [])
    needs_text = any(len(term.words) > 1 for term in alt.all_of)
    for term in alt.all_of if present is None else ():
        words = _term_found(term, a)
        if words is None:
            return False, [], False
        found += [w for w in words if w not in found]
    for term in alt.none_of:
        if _term_found(term, a) is not None:
            if len(term.words) == 1:
                return False, [], False
            needs_text = True  # the phrase's words occur: the text says whether together
    return True, found, needs_text


def fold(title: str | None, text: str) -> list[str]:
    """Title and text lower-cased with ё as е, as the index reads them (phrase checks), in
    one string: a NUL between them, which no phrase crosses."""
    return [f"{title or ''}\x00{text}".lower().replace("ё", "е")]


@lru_cache(maxsize=4096)
def _phrase_pattern(term: Term) -> re.Pattern[str]:
    """Where a phrase may stand in a folded text: its words' prefixes (or short words
    whole) in order, with only non-letters between; each candidate is then checked word by
    word on its stems."""
    parts = []
    for word, s in zip(term.words, term.stems, strict=True):
        parts.append(re.escape(word) if s is None else re.escape(word_prefix(s)) + r"[^\W_]*")
    return re.compile(r"(?<![^\W_])" + r"(?:[^\w\x00]|_)+".join(parts) + r"(?![^\W_])")


def _word_ok(term: Term, k: int, word: str) -> bool:
    s = term.stems[k]
    if s is None:
        return word == term.words[k]
    word_stem = stem(word)
    return word_stem is not None and stem_matches(s, word_stem)


def _phrase_in(term: Term, parts: list[str]) -> bool:
    for text in parts:
        for m in _phrase_pattern(term).finditer(text):
            words = _WORD.findall(m.group(0))
            if len(words) == len(term.words) and all(
                _word_ok(term, k, w) for k, w in enumerate(words)
            ):
                return True
    return False


def confirm(hit: Hit, parts: list[str]) -> bool:
    """Whether an alternative left pending on the terms holds on the folded title and text
    (:func:`fold`)."""
    if not hit.phrases:
        return True
    for alt in hit.phrases:
        if all(len(t.words) == 1 or _phrase_in(t, parts) for t in alt.all_of) and not any(
            len(t.words) > 1 and _phrase_in(t, parts) for t in alt.none_of
        ):
            hit.phrases = []
            return True
    return False
