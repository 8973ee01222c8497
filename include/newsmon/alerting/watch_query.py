"""A watchlist's query: the words of ``newsmon search``, stemmed the same way, plus three
operators (see :mod:`newsmon.alerting.watchlists`), parsed into alternatives, with a plain
reason for what cannot be read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsmon.article.index_terms import stem
from newsmon.config import ConfigError

MAX_QUERY_CHARS = 500
MAX_ALTERNATIVES = 20
MAX_TERMS = 20  # words and phrases in one alternative
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One word, or a quoted phrase's words in order; each word's search stem."""

    words: tuple[str, ...]
    stems: tuple[str | None, ...]  # None: shorter than three letters (phrases only)

    @property
    def text(self) -> str:
        return " ".join(self.words) if len(self.words) == 1 else f'"{" ".join(self.words)}"'


@dataclass(frozen=True)
class Alternative:
    """Everything in ``all_of`` occurs and nothing in ``none_of`` does."""

    all_of: tuple[Term, ...]
    none_of: tuple[Term, ...] = ()


def parse_query(query: str) -> tuple[Alternative, ...]:
    """The alternatives of a query, or a :class:`ConfigError` that says what is wrong."""
    if len(query) > MAX_QUERY_CHARS:
        raise ConfigError(f"query is {len(query):,} characters long; at most {MAX_QUERY_CHARS}")
    if query.count('"') % 2:
        raise ConfigError(f"query has an unclosed quote (at character {query.rfind(chr(34)) + 1})")
    if re.search(r"[()]", query):
        raise ConfigError("parentheses are not supported: write alternatives with OR")
    alternatives: list[Alternative] = []
    all_of: list[Term] = []
    none_of: list[Term] = []
    for m in re.finditer(r'(-?)"([^"]*)"|(\S+)', query):
        negated, phrase, bare = m.group(1) == "-", m.group(2), m.group(3)
        if bare == "OR":
            alternatives.append(_alternative(all_of, none_of))
            all_of, none_of = [], []
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = True, bare[1:]
        text = phrase if phrase is not None else bare
        words = tuple(w.replace("ё", "е") for w in _WORD.findall((text or "").lower()))
        if not words:
            if phrase is not None:
                raise ConfigError('query has an empty phrase ("")')
            continue  # punctuation alone
        term = Term(words, tuple(stem(w) for w in words))  # a-b: a phrase too
        if all(s is None for s in term.stems):
            raise ConfigError(
                f"'{text}' has no word of three letters or more, which is all the search"
                " index holds; put short words inside a quoted phrase with a longer one"
            )
        (none_of if negated else all_of).append(term)
    alternatives.append(_alternative(all_of, none_of))
    if len(alternatives) > MAX_ALTERNATIVES:
        raise ConfigError(f"query has {len(alternatives)} alternatives; at most {MAX_ALTERNATIVES}")
    return tuple(alternatives)


def _alternative(all_of: list[Term], none_of: list[Term]) -> Alternative:
    if not all_of:
        raise ConfigError(
            "every alternative (each side of OR) needs a word or phrase that must occur"
        )
    if len(all_of) + len(none_of) > MAX_TERMS:
        raise ConfigError(f"an alternative has more than {MAX_TERMS} words and phrases")
    return Alternative(tuple(all_of), tuple(none_of))
