"""Finding the taxonomy's terms in a text: every match of every term, with its spans.

:func:`find_matches` reads a title or a text once and returns a :class:`Match` per term
occurrence, with its character span (offsets into the text as given) and its word span.
:func:`term_plans` keeps, per taxonomy, the memo that makes that pass cheap: for each token
seen, the terms that may start at it (:class:`TermPlans`), and, per term index, what
matching and scoring read of each term, in flat lists.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import compress
from typing import NamedTuple

from newsmon.tagging.taxonomy import TOKEN, Taxonomy


class Match(NamedTuple):  # a tuple: made ~100 times per article, cheaply
    term: int
    start: int
    end: int
    label: str = ""  # combos: the two terms that met
    first: int = 0  # the words it spans, [first, after), as indexes into the field's words
    after: int = 0


# one-word terms; {exact second word: (two-word terms, longer terms)}; the rest
_Plan = tuple[tuple[int, ...], dict[str, tuple[tuple[int, ...], tuple[int, ...]]], tuple[int, ...]]


def _plan(tax: Taxonomy, word: str) -> _Plan | None:
    """The terms that may start at ``word`` (None: none): one-word terms; longer ones keyed
    by their exact second word (most are: "call up", "in protest"), so a common first word
    ("to", "in") costs one lookup of the next word, not a check of every term it starts,
    and a two-word term found there is matched; the rest."""
    single: list[int] = []
    by_second: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    rest: list[int] = []
    for t in tax.candidates_of(word):
        pattern = tax.terms[t].words
        if len(pattern) == 1:
            single.append(t)
        elif not pattern[1].prefix:
            for stem in pattern[1].stems:
                by_second[stem][len(pattern) > 2].append(t)
        else:
            rest.append(t)
    if not (single or by_second or rest):
        return None
    seconds = {k: (tuple(two), tuple(longer)) for k, (two, longer) in by_second.items()}
    return tuple(single), seconds, tuple(rest)


class TermPlans(dict[str, _Plan | None]):
    """Token -> the plan of the terms that may start at it (:func:`_plan`), filled on first
    sight of a token; and, per term index, what scoring reads of each term, in flat lists
    (an attribute lookup on a Term, done ~100 times per article, costs more)."""

    def __init__(self, tax: Taxonomy) -> None:
        super().__init__()
        self.tax = tax
        self.kind = [t.kind for t in tax.terms]
        self.topic = [t.topic for t in tax.terms]
        self.group = [(t.topic, t.group) for t in tax.terms]
        self.weight = [t.weight for t in tax.terms]
        # the strongest of overlapping hits: the heaviest first, then a term before a combo
        self.rank = [(-t.weight, t.kind == "combo") for t in tax.terms]
        # each later word of a term: (stems, is a prefix)
        self.words = [tuple((w.stems, w.prefix) for w in t.words) for t in tax.terms]
        # per topic: its place in the taxonomy's order, and what scoring reads of its spec:
        # (reference_words or None for the taxonomy's, title_boost, anchor, threshold)
        self.position = {topic: i for i, topic in enumerate(tax.topics)}
        self.settings = {
            topic: (
                float(spec["reference_words"] or 0) if "reference_words" in spec else None,
                float(spec.get("title_boost", 1.5)),
                float(spec.get("anchor", 0)),
                float(spec["threshold"]),
            )
            for topic, spec in tax.topics.items()
        }

    def __missing__(self, token: str) -> _Plan | None:
        if len(self) > 50_000:  # text of random words (names, numbers) must not grow it
            self.clear()
        found = self[token] = _plan(self.tax, token)
        return found


_PLANS: dict[int, TermPlans] = {}


def term_plans(tax: Taxonomy) -> TermPlans:
    """The :class:`TermPlans` of ``tax``, made once per taxonomy."""
    memo = _PLANS.get(id(tax))
    if memo is None or memo.tax is not tax:
        memo = _PLANS[id(tax)] = TermPlans(tax)
    return memo


def _fold_marks(text: str) -> str:
    """The taxonomy's fold of apostrophes and ``ё`` (as its terms are compiled), for
    lower-cased text: a few ``str.replace`` calls run in C, where a translate table is
    looked up per character (10x slower on Cyrillic)."""
    return text.replace("’", "'").replace("ʼ", "'").replace("`", "'").replace("ё", "е")


def find_matches(tax: Taxonomy, text: str) -> list[Match]:
    """The term matches in ``text``, each with its character and word span."""
    folded = _fold_marks(text.lower())
    if len(folded) != len(text):  # a few letters grow when lowercased; keep offsets true
        folded = _fold_marks("".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text))
    words = TOKEN.findall(folded)
    # most words start no term: the memo (looked up in C) gives None for them
    memo = term_plans(tax)
    plans = list(map(memo.__getitem__, words))
    if not any(plans):
        return []
    tokens = list(TOKEN.finditer(folded))  # spans are read only where a term may start
    term_words = memo.words
    n = len(words)
    out: list[Match] = []
    append = out.append
    new = tuple.__new__  # a Match without NamedTuple's keyword handling
    for i in compress(range(n), plans):
        single, by_second, rest = plans[i]  # type: ignore[misc]
        if single:
            start, end = tokens[i].span()
            for t in single:
                append(new(Match, (t, start, end, "", i, i + 1)))
        if i + 1 >= n:
            continue
        seconds = by_second.get(words[i + 1])
        if seconds is not None:
            two, longer = seconds
            if two:  # the second word is the one they need: matched
                start, end = tokens[i].start(), tokens[i + 1].end()
                for t in two:
                    append(new(Match, (t, start, end, "", i, i + 2)))
            checks = [(t, 2) for t in longer]
            if rest:
                checks += [(t, 1) for t in rest]
        elif rest:
            checks = [(t, 1) for t in rest]
        else:
            continue
        for t, k in checks:  # k: the first word still to check
            pattern = term_words[t]
            size = len(pattern)
            if i + size > n:
                continue
            while k < size:
                stems, prefix = pattern[k]
                word = words[i + k]
                if not (word.startswith(stems) if prefix else word in stems):
                    break
                k += 1
            if k == size:
                append(
                    new(Match, (t, tokens[i].start(), tokens[i + size - 1].end(), "", i, i + size))
                )
    return out
