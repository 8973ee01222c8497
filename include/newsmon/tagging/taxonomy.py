"""The topic taxonomy: ``include/config/topics.yaml`` compiled into matchable rules.

The taxonomy gives each topic weighted **terms**, **contexts** and **negative** terms,
word **groups** and **combos**, a **threshold**, an **anchor** and a **title_boost**; see
:mod:`newsmon.tagging.topics` for how they score. Term syntax, matched on words (case-insensitive,
``ё`` = ``е``, any apostrophe = ``'``):

- ``conscription``: that word exactly; ``mobili(s|z)*``: any word starting ``mobilis``
  or ``mobiliz`` (``(a|b)`` lists alternatives, a trailing ``*`` allows any ending, so
  one term covers mobilised, mobilisation, мобилизованных …);
- ``call-up`` or ``call up``: consecutive words (a hyphen is a word break);
  a lone ``*`` is any one word (``mobilize * resources``).

A malformed taxonomy is a :class:`~newsmon.config.ConfigError` at load time.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsmon.config import CONFIG_DIR, ConfigError, read_yaml

HEAD = 3  # prefix terms are indexed by their first HEAD letters
# a word, as terms are matched on words: word characters, apostrophes inside it (what
# newsmon.tagging.matching.find_matches splits a text into)
TOKEN = re.compile(r"\w+(?:['’ʼ`]\w+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "ё": "е", "Ё": "е"})


def _fold(word: str) -> str:
    return word.casefold().translate(_APOSTROPHES)


@dataclass(frozen=True)
class WordPattern:
    stems: tuple[str, ...]  # alternatives after expanding [..] classes
    prefix: bool

    def matches(self, token: str) -> bool:
        if self.prefix:
            return token.startswith(self.stems)
        return token in self.stems


@dataclass(frozen=True)
class Term:
    text: str  # as written in the taxonomy
    topic: str
    kind: str  # term | context | negative | part (a group member) | combo | ctx (in_country)
    weight: float
    words: tuple[WordPattern, ...]
    group: str = ""  # parts: the group's name


@dataclass(frozen=True)
class Combo:
    topic: str
    groups: tuple[str, str]
    within: int  # at most this many words between the two matches
    term: int  # index of the synthetic Term that scores it


@dataclass
class Taxonomy:
    version: str
    topics: dict[str, dict[str, Any]]
    terms: list[Term]
    combos: list[Combo] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)  # top-level settings
    exact: dict[str, list[int]] = field(default_factory=dict)
    prefixes: dict[str, list[int]] = field(default_factory=dict)
    by_head: dict[str, list[tuple[str, list[int]]]] = field(default_factory=dict)  # first 3 letters

    def candidates_of(self, token: str) -> tuple[int, ...]:
        """The terms whose first word may be ``token`` (not memoised:
        :mod:`newsmon.tagging.matching` keeps the memo)."""
        found: list[int] = list(self.exact.get(token, ()))
        # Only prefix stems sharing the token's first three letters can match: usually none.
        for stem, terms in self.by_head.get(token[:HEAD], ()):
            if token.startswith(stem):
                found.extend(terms)
        return tuple(found)


def _expand(word: str) -> tuple[str, ...]:
    parts = re.split(r"(\([^)]+\))", word)
    options = [""]
    for part in parts:
        if part.startswith("(") and part.endswith(")"):
            options = [o + alt for o in options for alt in part[1:-1].split("|")]
        else:
            options = [o + part for o in options]
    return tuple(options)


def compile_term(text: str, topic: str, kind: str, weight: float, group: str = "") -> Term:
    words = []
    for raw in re.split(r"[\s\-‐–]+", _fold(text.strip())):
        if not raw:
            continue
        if raw == "*":  # any one word
            if not words:
                raise ConfigError(f"topic '{topic}': term {text!r} cannot start with a wildcard")
            words.append(WordPattern(("",), True))
            continue
        prefix = raw.endswith("*")
        stem = raw.rstrip("*")
        if not stem or not re.fullmatch(r"[\w'(|)]+", stem):
            raise ConfigError(f"topic '{topic}': cannot read term {text!r}")
        words.append(WordPattern(_expand(stem), prefix))
    if not words:
        raise ConfigError(f"topic '{topic}': empty term")
    return Term(text, topic, kind, float(weight), tuple(words), group)


def _weighted_lists(spec: Any, topic: str, section: str) -> list[tuple[float, str]]:
    """``{3: [a, b], 1.5: [c]}`` or ``[{weight: 3, terms: [...]}]`` -> ``[(3, a), ...]``."""
    out: list[tuple[float, str]] = []
    if spec is None:
        return out
    if isinstance(spec, dict):
        items = spec.items()
    elif isinstance(spec, list) and all(isinstance(x, dict) for x in spec):
        items = [(x["weight"], x["terms"]) for x in spec]
    else:
        raise ConfigError(f"topic '{topic}': '{section}' must map weights to lists of terms")
    for weight, terms in items:
        if isinstance(terms, dict):  # {en: [...], ru: [...], uk: [...]}
            terms = [t for group in terms.values() for t in group]
        for term in terms:
            out.append((float(weight), str(term)))
    return out


def build_taxonomy(raw: dict[str, Any]) -> Taxonomy:
    topics = raw.get("topics")
    if not isinstance(topics, dict) or not topics:
        raise ConfigError("taxonomy has no 'topics'")
    terms: list[Term] = []
    for name, spec in topics.items():
        terms.extend(_topic_terms(name, spec))
    combos: list[Combo] = []
    for name, spec in topics.items():
        for rule in spec.get("combos") or []:
            combos.append(_combo(name, rule, spec.get("groups") or {}, terms))
    options = {k: v for k, v in raw.items() if k not in ("version", "topics")}
    if "reference_words" in options and not _number(options["reference_words"]) > 0:
        raise ConfigError("reference_words must be a positive number of words")
    for name, spec in topics.items():
        for key in ("threshold", "anchor", "title_boost"):
            if key in spec and _number(spec[key]) != _number(spec[key]):  # NaN: not a number
                raise ConfigError(f"topic '{name}': {key} must be a number, not {spec[key]!r}")
    tax = Taxonomy(
        version=str(raw.get("version", "1")),
        topics=topics,
        terms=terms,
        combos=combos,
        options=options,
    )
    tax.exact, tax.prefixes, tax.by_head = _first_word_index(terms)
    return tax


def _topic_terms(name: str, spec: dict[str, Any]) -> list[Term]:
    """One topic's terms, contexts, negative terms, in_country terms and group members,
    compiled in that order."""
    if "threshold" not in spec:
        raise ConfigError(f"topic '{name}' has no threshold")
    terms: list[Term] = []
    for weight, text in _weighted_lists(spec.get("terms"), name, "terms"):
        terms.append(compile_term(text, name, "term", weight))
    for text in [t for group in _as_groups(spec.get("contexts")) for t in group]:
        terms.append(compile_term(text, name, "context", 0.0))
    for weight, text in _weighted_lists(spec.get("negative"), name, "negative"):
        terms.append(compile_term(text, name, "negative", -abs(weight)))
    in_country = spec.get("in_country")
    if in_country is not None:
        if not isinstance(in_country, dict) or not in_country.get("countries"):
            raise ConfigError(
                f"topic '{name}': in_country needs 'countries' (ISO codes) and 'terms'"
            )
        for weight, text in _weighted_lists(in_country.get("terms"), name, "in_country"):
            terms.append(compile_term(text, name, "ctx", weight))
    groups = spec.get("groups") or {}
    if not isinstance(groups, dict):
        raise ConfigError(f"topic '{name}': 'groups' must map names to lists of terms")
    for group, members in groups.items():
        for text in [t for g in _as_groups(members) for t in g]:
            terms.append(compile_term(text, name, "part", 0.0, str(group)))
    return terms


def _first_word_index(
    terms: list[Term],
) -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, list[tuple[str, list[int]]]]]:
    """``(exact, prefixes, by_head)``: the terms (by index) whose first word is a word,
    those whose first word is a prefix, and those prefixes by their first :data:`HEAD`
    letters (see :meth:`Taxonomy.candidates_of`)."""
    exact: dict[str, list[int]] = defaultdict(list)
    prefixes: dict[str, list[int]] = defaultdict(list)
    for i, term in enumerate(terms):
        if not term.words:  # a combo's scoring entry
            continue
        first = term.words[0]
        for stem in first.stems:
            (prefixes if first.prefix else exact)[stem].append(i)
    short = [p for p in prefixes if len(p) < HEAD]
    if short:
        raise ConfigError(
            f"prefix terms need at least {HEAD} letters before '*': {', '.join(short)}"
        )
    by_head: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
    for stem, indexes in prefixes.items():
        by_head[stem[:HEAD]].append((stem, indexes))
    return dict(exact), dict(prefixes), dict(by_head)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _combo(topic: str, rule: Any, groups: dict[str, Any], terms: list[Term]) -> Combo:
    where = f"topic '{topic}': combo {rule!r}"
    if not isinstance(rule, dict) or not isinstance(rule.get("all"), list):
        raise ConfigError(f"{where} needs 'all: [group, group]'")
    names = tuple(str(g) for g in rule["all"])
    if len(names) != 2:
        raise ConfigError(f"{where} must name exactly two groups")
    unknown = [g for g in names if g not in groups]
    if unknown:
        raise ConfigError(f"{where} names unknown group(s): {', '.join(unknown)}")
    try:
        weight, within = float(rule["weight"]), int(rule.get("within", 6))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where} needs a numeric 'weight' and 'within'") from exc
    terms.append(Term(f"{names[0]} ~ {names[1]}", topic, "combo", weight, ()))
    return Combo(topic, (names[0], names[1]), within, len(terms) - 1)


def _as_groups(spec: Any) -> list[list[str]]:
    if spec is None:
        return []
    if isinstance(spec, dict):
        return [list(v) for v in spec.values()]
    return [list(spec)]


def place_rules(
    entries: Any, what: tuple[str, str], version: str, threshold: float, title_boost: float
) -> Taxonomy:
    """A gazetteer's places (regions, countries: ``{code: {name, terms, contexts?,
    threshold?}}``) compiled as topics of their own, so they are matched in the same pass as
    the taxonomy: a place named once is named, however long the text (no length scaling).
    ``what``: the places' name, plural and singular, for the errors."""
    many, one = what
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"the gazetteer has no '{many}'")
    topics = {}
    for code, spec in entries.items():
        if not isinstance(spec, dict) or not spec.get("terms"):
            raise ConfigError(f"{one} {code!r} has no terms")
        topics[str(code)] = {
            "label": spec.get("name", code),
            "reference_words": 0,
            "threshold": float(spec.get("threshold", threshold)),
            "title_boost": title_boost,
            "terms": spec["terms"],
            "contexts": spec.get("contexts"),
        }
    return build_taxonomy({"version": version, "topics": topics})


@lru_cache(maxsize=8)
def load_taxonomy(path: str | Path = CONFIG_DIR / "topics.yaml") -> Taxonomy:
    return build_taxonomy(read_yaml(path))
