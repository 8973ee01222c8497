"""Topic tagging with weighted, explainable term rules in English, Russian and Ukrainian.

The taxonomy (``include/config/topics.yaml``, compiled by :mod:`newsmon.tagging.taxonomy`) gives
each topic weighted **terms**, **contexts** and **negative** terms, and a **threshold**.

**Groups** name lists of words (``enrol: [summon*, recruit*, sign* up]``) and
**combos** give a weight to two groups meeting in one sentence within a few words
(``all: [enrol, military], within: 6`` counts "men summoned to clarify their military
records"), in either order. A combo reports both words as its evidence
(``summon* ~ military``); where it overlaps a term of the same topic, only the heavier
counts.

A positive match lying inside a **context** match (``resigned in protest``, ``mobilize
resources``, ``NHL draft``) does not count, and is reported as vetoed. Each **negative**
term present adds its (negative) weight once. A term's first occurrence adds its weight
(times ``title_boost`` in the title), each further one half of it, up to twice the weight.
A topic is assigned when the score reaches the threshold and at least one hit weighs
``anchor`` or more; the score of a text longer than ``reference_words`` is divided by
sqrt(words / reference_words), so passing mentions in long articles do not add up. Every
assigned topic carries the matches that produced it, with character offsets into the
title or the text: of each term, the occurrences that count (the first three, title first),
so the evidence of one article is bounded by the rules, not by the length of its text.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from itertools import compress
from typing import NamedTuple

from newsmon.records import Evidence, TopicScore
from newsmon.tagging.taxonomy import _TOKEN, Taxonomy


class _Match(NamedTuple):  # a tuple: made ~100 times per article, cheaply
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


class _Plans(dict[str, _Plan | None]):
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
        # _strongest: the heaviest first, then a term before a combo
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


_PLANS: dict[int, _Plans] = {}


def _plans(tax: Taxonomy) -> _Plans:
    memo = _PLANS.get(id(tax))
    if memo is None or memo.tax is not tax:
        memo = _PLANS[id(tax)] = _Plans(tax)
    return memo


def _fold_marks(text: str) -> str:
    """``text.translate(_APOSTROPHES)`` for lower-cased text: a few ``str.replace`` calls run
    in C, where a translate table is looked up per character (10x slower on Cyrillic)."""
    return text.replace("’", "'").replace("ʼ", "'").replace("`", "'").replace("ё", "е")


def _find(tax: Taxonomy, text: str) -> list[_Match]:
    """The term matches in ``text``, each with its character and word span."""
    folded = _fold_marks(text.lower())
    if len(folded) != len(text):  # a few letters grow when lowercased; keep offsets true
        folded = _fold_marks("".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text))
    words = _TOKEN.findall(folded)
    # most words start no term: the memo (looked up in C) gives None for them
    memo = _plans(tax)
    plans = list(map(memo.__getitem__, words))
    if not any(plans):
        return []
    tokens = list(_TOKEN.finditer(folded))  # spans are read only where a term may start
    term_words = memo.words
    n = len(words)
    out: list[_Match] = []
    append = out.append
    new = tuple.__new__  # a _Match without NamedTuple's keyword handling
    for i in compress(range(n), plans):
        single, by_second, rest = plans[i]  # type: ignore[misc]
        if single:
            start, end = tokens[i].span()
            for t in single:
                append(new(_Match, (t, start, end, "", i, i + 1)))
        if i + 1 >= n:
            continue
        seconds = by_second.get(words[i + 1])
        if seconds is not None:
            two, longer = seconds
            if two:  # the second word is the one they need: matched
                start, end = tokens[i].start(), tokens[i + 1].end()
                for t in two:
                    append(new(_Match, (t, start, end, "", i, i + 2)))
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
                    new(_Match, (t, tokens[i].start(), tokens[i + size - 1].end(), "", i, i + size))
                )
    return out


# A term's first occurrence adds its weight, each further one half of it, up to twice the
# weight: its first three occurrences are all that count, and all that its evidence lists
# (a page naming Moscow 50,000 times gave 50,000 snippets, 30 MB of evidence for one article)
EVIDENCE_PER_TERM = 3

CHARS_PER_WORD = 20  # the fewest words a text counts per character, for long-text scaling

_SENTENCE_END = re.compile(r"[.!?…]\s|\n")


def _combos(tax: Taxonomy, body: str, parts: list[_Match]) -> list[tuple[str, _Match]]:
    """Pairs of group matches that meet a combo: same sentence, few words apart.

    Each match of the first group pairs with its nearest partner; returns (topic, match).
    Matches are placed by token index and partners looked up by bisection, so a long page
    full of group words costs n log n, not n * m.
    """
    if not parts or not tax.combos:
        return []
    # (first token, token after the last, match) per (topic, group), in word order (as
    # _find gives them)
    group_of = _plans(tax).group
    by_group: dict[tuple[str, str], list[tuple[int, int, _Match]]] = defaultdict(list)
    for m in parts:
        by_group[group_of[m.term]].append((m.first, m.after, m))
    out: list[tuple[str, _Match]] = []
    for combo in tax.combos:
        firsts = by_group.get((combo.topic, combo.groups[0]))
        seconds = by_group.get((combo.topic, combo.groups[1]))
        if not firsts or not seconds:
            continue
        second_starts = [p[0] for p in seconds]
        longest = max(p[1] - p[0] for p in seconds)
        seen: set[tuple[int, int]] = set()
        for a0, a1, a in firsts:
            lo = bisect_left(second_starts, a0 - combo.within - longest)
            hi = bisect_left(second_starts, a1 + combo.within + 1)
            best: tuple[int, _Match] | None = None
            for b0, b1, b in seconds[lo:hi]:
                if b0 < a1 and a0 < b1:
                    continue  # the same words
                gap = b0 - a1 if b0 >= a1 else a0 - b1
                if gap > combo.within or (best is not None and gap >= best[0]):
                    continue
                left, right = (a, b) if a.start < b.start else (b, a)
                if _SENTENCE_END.search(body, left.end, right.start):
                    continue
                best = (gap, b)
            if best is None:
                continue
            b = best[1]
            span = (min(a.start, b.start), max(a.end, b.end))
            if span in seen:
                continue
            seen.add(span)
            label = f"{tax.terms[a.term].text} ~ {tax.terms[b.term].text}"
            out.append((combo.topic, _Match(combo.term, span[0], span[1], label)))
    return out


class _Cover:
    """Spans (a topic's context matches); :meth:`contains` tells whether one of them holds
    a span, by bisection: a long page full of contexts ("Moscow said") and the terms they
    veto checked every match against every context span, which was quadratic (2 MB of
    dense place names: 6.6 s of 8.5)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        spans = sorted(spans)
        self.starts = [s for s, _ in spans]
        self.reach: list[int] = []  # the furthest end of the spans up to each one
        furthest = -1
        for _, end in spans:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def contains(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, start)  # the spans that start at or before ``start``
        return i > 0 and self.reach[i - 1] >= end


def _strongest(
    tax: Taxonomy, hits: list[tuple[str, _Match]], field_name: str
) -> list[tuple[str, _Match]]:
    """Overlapping matches of one topic in one field count once: the heaviest, then a term
    before a combo (whose span may cover several terms), then the longest."""
    other = [h for h in hits if h[0] != field_name]
    mine = sorted((h for h in hits if h[0] == field_name), key=lambda h: h[1].start)
    # mostly none overlaps another (a topic's few words, a country named once): all kept
    if all(a[1].end <= b[1].start for a, b in zip(mine, mine[1:], strict=False)):
        return other + mine
    rank = _plans(tax).rank  # per term: (-weight, is a combo)
    mine.sort(key=lambda h: (rank[h[1].term], h[1].start - h[1].end, h[1].start))
    return other + sorted(_disjoint(mine), key=lambda h: h[1].start)


def _disjoint(ranked: list[tuple[str, _Match]]) -> list[tuple[str, _Match]]:
    """The matches, best first, that overlap no better one kept before them."""
    kept: list[tuple[str, _Match]] = []
    if len(ranked) < 256:  # an article: a sorted list of the kept spans, grown by insertion
        # kept spans never overlap, so sorted by start they are sorted by end too
        kept_starts: list[int] = []
        kept_ends: list[int] = []
        for h in ranked:
            start, end = h[1].start, h[1].end
            i = bisect_left(kept_starts, end)  # kept spans starting before this one ends
            if i and kept_ends[i - 1] > start:
                continue
            kept_starts.insert(i, start)
            kept_ends.insert(i, end)
            kept.append(h)
        return kept
    # a long page dense with rule words, where insertion would be quadratic: the characters
    # the kept spans cover, checked and marked in C in time linear in the spans' lengths
    taken = bytearray(max(h[1].end for h in ranked))
    for h in ranked:
        start, end = h[1].start, h[1].end
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        kept.append(h)
    return kept


def _snippet(text: str, start: int, end: int, width: int = 60) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    # widened to the nearest space up to ``width`` further, else cut mid-word: a search
    # to the text's ends made a long text without spaces quadratic in its evidence
    if left > 0:
        space = text.rfind(" ", max(0, left - width), left)
        left = space + 1 if space != -1 else (0 if left <= width else left)
    space = text.find(" ", right, right + width)
    if space != -1:
        right = space
    elif right + width >= len(text):
        right = len(text)
    out = text[left:right]
    # blanks folded to single spaces. A cleaned text's snippet mostly has none to fold but
    # its paragraph breaks: a printable string has no blank but the plain space, and
    # split() would drop only runs and ends of those
    if not out.isprintable():
        out = out.replace("\n\n", " ")
    if not out.isprintable() or "  " in out or out[:1] == " " or out[-1:] == " ":
        out = " ".join(out.split())
    return ("…" if left > 0 else "") + out + ("…" if right < len(text) else "")


def _evidence(
    tax: Taxonomy,
    field_name: str,
    m: _Match,
    bodies: dict[str, str],
    weight: float,
    snippet: bool = True,
) -> Evidence:
    body = bodies[field_name]
    return Evidence(
        m.label or tax.terms[m.term].text,
        field_name,
        m.start,
        m.end,
        _snippet(body, m.start, m.end) if snippet else "",
        weight,
    )


def add_snippets(evidence: Iterable[Evidence], bodies: dict[str, str]) -> None:
    """Give each of ``evidence`` that was scored without one its snippet (see
    ``score_topics``); a match that is evidence of several things is cut once."""
    cut: dict[tuple[str, int, int], str] = {}
    for e in evidence:
        if not e.snippet:
            key = (e.field, e.start, e.end)
            snippet = cut.get(key)
            if snippet is None:
                snippet = cut[key] = _snippet(bodies.get(e.field, ""), e.start, e.end)
            e.snippet = snippet


def score_topics(
    title: str,
    text: str,
    tax: Taxonomy,
    *,
    all_topics: bool = False,
    in_country: bool = False,
    snippets: bool = True,
) -> list[TopicScore]:
    """Score every topic; return the assigned ones (or all with ``all_topics``), best first.

    A topic's ``in_country`` terms count only where the country pass places the topic in
    one of its countries, which this function does not know: without ``in_country`` they are
    ignored; with it, their score and evidence are kept apart (``context_score``,
    ``context_evidence``), and a topic they hit is returned even when it is not assigned
    without them (``assigned`` False), for :func:`newsmon.tagging.regions.score_both` to decide.
    Without ``snippets`` the evidence has none: a caller that keeps only some of it (the
    country pass weighs every country a text names and keeps few) adds them to what it keeps
    with :func:`add_snippets`."""
    per_topic: dict[str, dict[str, list[tuple[str, _Match]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    memo = _plans(tax)
    kind_of, topic_of = memo.kind, memo.topic
    for field_name, body in (("title", title or ""), ("text", text or "")):
        matches = _find(tax, body)
        contexts: dict[str, list[tuple[int, int]]] = {}  # topic -> its context spans
        for m in matches:
            if kind_of[m.term] == "context":
                contexts.setdefault(topic_of[m.term], []).append((m.start, m.end))
        covers = {topic: _Cover(spans) for topic, spans in contexts.items()}
        parts: list[_Match] = []
        for m in matches:
            kind = kind_of[m.term]
            if kind == "context":
                continue
            cover = covers.get(topic_of[m.term]) if covers and kind != "negative" else None
            vetoed = cover is not None and cover.contains(m.start, m.end)
            if kind == "part":
                if not vetoed:
                    parts.append(m)
                continue
            per_topic[topic_of[m.term]]["vetoed" if vetoed else kind].append((field_name, m))
        for topic, m in _combos(tax, body, parts):
            per_topic[topic]["term"].append((field_name, m))
        for buckets in per_topic.values():
            if buckets.get("term"):
                buckets["term"] = _strongest(tax, buckets["term"], field_name)
            if buckets.get("ctx"):
                buckets["ctx"] = _outside(
                    tax,
                    _strongest(tax, buckets["ctx"], field_name),
                    buckets.get("term", []),
                    field_name,
                )

    results: list[TopicScore] = []
    bodies = {"title": title or "", "text": text or ""}
    # A long article mentions many things in passing: its score is divided by
    # sqrt(words / reference_words), so the evidence must grow with the text to count
    # (a topic may set its own reference_words; 0 turns the scaling off, as regions do).
    # A text without spaces (words joined by commas) is not one word: it counts at least one
    # word per CHARS_PER_WORD characters, which no real text comes near (about 6-7 in EN/RU).
    words = max(len(bodies["text"].split()), len(bodies["text"]) // CHARS_PER_WORD)
    default_ref = float(tax.options.get("reference_words") or 0)
    # only topics with a hit can score (thresholds are positive), in the taxonomy's order
    topic_settings = memo.settings
    order = tax.topics if all_topics else sorted(per_topic, key=memo.position.__getitem__)
    for topic in order:
        found = per_topic.get(topic, {})
        if not found and not all_topics:  # no hit: no score (thresholds are positive)
            continue
        ref, boost, anchor, threshold = topic_settings[topic]
        ref = default_ref if ref is None else ref
        scale = max(1.0, math.sqrt(words / ref)) if ref else 1.0
        score = 0.0
        by_term: dict[int, list[tuple[str, _Match]]] = defaultdict(list)
        for field_name, m in found.get("term", []):
            by_term[m.term].append((field_name, m))
        score += _term_score(tax, by_term, boost)
        negatives = {m.term for _, m in found.get("negative", [])}
        score += sum(tax.terms[t].weight for t in negatives)
        score /= scale
        anchored = any(tax.terms[t].weight >= anchor for t in by_term)
        assigned = anchored and score >= threshold
        by_ctx: dict[int, list[tuple[str, _Match]]] = defaultdict(list)
        if in_country:
            for field_name, m in found.get("ctx", []):
                by_ctx[m.term].append((field_name, m))
        if not (all_topics or assigned or by_ctx):
            continue
        # the evidence (with its snippets) only for the topics that are reported: of each
        # term, the occurrences that added to the score (title first, then in text order)
        evidence: list[Evidence] = []
        for t, hits in by_term.items():
            weight = tax.terms[t].weight
            evidence.extend(
                _evidence(tax, f, m, bodies, weight, snippets) for f, m in hits[:EVIDENCE_PER_TERM]
            )
        for t in negatives:
            field_name, m = next((f, x) for f, x in found["negative"] if x.term == t)
            evidence.append(_evidence(tax, field_name, m, bodies, tax.terms[t].weight, snippets))
        shown: dict[int, int] = defaultdict(int)  # vetoed matches shown, per term
        vetoed = []
        for f, m in found.get("vetoed", []):
            shown[m.term] += 1
            if shown[m.term] <= EVIDENCE_PER_TERM:
                vetoed.append(_evidence(tax, f, m, bodies, 0.0, snippets))
        evidence.sort(key=lambda e: (e.field != "title", e.start))
        result = TopicScore(topic, score, evidence, vetoed, assigned=assigned)
        if by_ctx:
            result.context_score = _term_score(tax, by_ctx, boost) / scale
            result.context_evidence = sorted(
                (
                    _evidence(tax, f, m, bodies, tax.terms[t].weight, snippets)
                    for t, hits in by_ctx.items()
                    for f, m in hits[:EVIDENCE_PER_TERM]
                ),
                key=lambda e: (e.field != "title", e.start),
            )
        results.append(result)
    results.sort(key=lambda r: -r.score)
    return results


def _term_score(tax: Taxonomy, by_term: dict[int, list[tuple[str, _Match]]], boost: float) -> float:
    """A term's first occurrence adds its weight (times ``boost`` in the title), each further
    one half of it, up to twice the weight."""
    score = 0.0
    for t, hits in by_term.items():
        weight = tax.terms[t].weight
        first = weight * (boost if any(f == "title" for f, _ in hits) else 1.0)
        score += min(first + 0.5 * weight * (len(hits) - 1), first + weight)
    return score


def _outside(
    tax: Taxonomy,
    hits: list[tuple[str, _Match]],
    terms: list[tuple[str, _Match]],
    field_name: str,
) -> list[tuple[str, _Match]]:
    """The ``field_name`` matches of ``hits`` that overlap no term of at least their weight
    there (an in_country word inside a term of its topic, "draft" in "draft notice", is that
    term; beside Russia, "draft" alone weighs what its in_country entry says)."""
    weight = _plans(tax).weight
    # a field's term matches after _strongest do not overlap: sorted by start, their ends are
    # sorted too, so the ones a match overlaps are found by bisection (a page dense with
    # rule words must not make this quadratic)
    spans = sorted((m.start, m.end, weight[m.term]) for f, m in terms if f == field_name)
    if not spans:
        return hits
    starts = [s for s, _, _ in spans]
    out = []
    for f, m in hits:
        if f == field_name:
            j = bisect_left(starts, m.end) - 1  # the last span starting before m ends
            covered = False
            while j >= 0 and spans[j][1] > m.start:
                if spans[j][2] >= weight[m.term]:
                    covered = True
                    break
                j -= 1
            if covered:
                continue
        out.append((f, m))
    return out
