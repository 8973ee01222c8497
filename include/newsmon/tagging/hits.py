"""Which matches count, topic by topic: the hits a text's term matches make.

:func:`topic_hits` sorts one title's and text's matches (:mod:`newsmon.tagging.matching`)
into buckets per topic: ``term``, ``negative``, ``ctx`` (in_country words) and ``vetoed``.
A positive match lying inside a **context** match of its topic is vetoed (:class:`_Cover`);
two **groups**' matches that meet in one sentence within a few words make a **combo**
(:func:`_combos`); of overlapping matches of one topic in one field only the strongest
counts (:func:`_strongest`), and an in_country word inside a term of its topic, at least
as heavy, is that term (:func:`_outside`). Every step looks matches up by bisection or
marks, so a long page dense with rule words costs n log n, not n * m.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict

from newsmon.tagging.matching import Match, TermPlans, find_matches, term_plans
from newsmon.tagging.taxonomy import Taxonomy

Hit = tuple[str, Match]  # (field: "title" or "text", match)
TopicHits = dict[str, dict[str, list[Hit]]]  # topic -> bucket -> its hits, in field order

_SENTENCE_END = re.compile(r"[.!?…]\s|\n")


def topic_hits(tax: Taxonomy, title: str, text: str) -> TopicHits:
    """The hits of ``title`` and ``text``, per topic and bucket, title first."""
    per_topic: TopicHits = defaultdict(lambda: defaultdict(list))
    memo = term_plans(tax)
    for field_name, body in (("title", title), ("text", text)):
        _add_field_hits(tax, memo, field_name, body, per_topic)
    return per_topic


def group_by_term(hits: list[Hit]) -> dict[int, list[Hit]]:
    """``hits`` by term index, each term's in the order given."""
    by_term: dict[int, list[Hit]] = defaultdict(list)
    for field_name, m in hits:
        by_term[m.term].append((field_name, m))
    return by_term


def _add_field_hits(
    tax: Taxonomy, memo: TermPlans, field_name: str, body: str, per_topic: TopicHits
) -> None:
    """Add one field's hits to ``per_topic``: its matches, less the vetoed, with its combos,
    and the overlaps of its matches resolved."""
    kind_of, topic_of = memo.kind, memo.topic
    matches = find_matches(tax, body)
    contexts: dict[str, list[tuple[int, int]]] = {}  # topic -> its context spans
    for m in matches:
        if kind_of[m.term] == "context":
            contexts.setdefault(topic_of[m.term], []).append((m.start, m.end))
    covers = {topic: _Cover(spans) for topic, spans in contexts.items()}
    parts: list[Match] = []
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


def _combos(tax: Taxonomy, body: str, parts: list[Match]) -> list[tuple[str, Match]]:
    """Pairs of group matches that meet a combo: same sentence, few words apart.

    Each match of the first group pairs with its nearest partner; returns (topic, match).
    Matches are placed by token index and partners looked up by bisection, so a long page
    full of group words costs n log n, not n * m.
    """
    if not parts or not tax.combos:
        return []
    # (first token, token after the last, match) per (topic, group), in word order (as
    # find_matches gives them)
    group_of = term_plans(tax).group
    by_group: dict[tuple[str, str], list[tuple[int, int, Match]]] = defaultdict(list)
    for m in parts:
        by_group[group_of[m.term]].append((m.first, m.after, m))
    out: list[tuple[str, Match]] = []
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
            best: tuple[int, Match] | None = None
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
            out.append((combo.topic, Match(combo.term, span[0], span[1], label)))
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


def _strongest(tax: Taxonomy, hits: list[Hit], field_name: str) -> list[Hit]:
    """Overlapping matches of one topic in one field count once: the heaviest, then a term
    before a combo (whose span may cover several terms), then the longest."""
    other = [h for h in hits if h[0] != field_name]
    mine = sorted((h for h in hits if h[0] == field_name), key=lambda h: h[1].start)
    # mostly none overlaps another (a topic's few words, a country named once): all kept
    if all(a[1].end <= b[1].start for a, b in zip(mine, mine[1:], strict=False)):
        return other + mine
    rank = term_plans(tax).rank  # per term: (-weight, is a combo)
    mine.sort(key=lambda h: (rank[h[1].term], h[1].start - h[1].end, h[1].start))
    return other + sorted(_disjoint(mine), key=lambda h: h[1].start)


def _disjoint(ranked: list[Hit]) -> list[Hit]:
    """The matches, best first, that overlap no better one kept before them."""
    kept: list[Hit] = []
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


def _outside(tax: Taxonomy, hits: list[Hit], terms: list[Hit], field_name: str) -> list[Hit]:
    """The ``field_name`` matches of ``hits`` that overlap no term of at least their weight
    there (an in_country word inside a term of its topic, "draft" in "draft notice", is that
    term; beside Russia, "draft" alone weighs what its in_country entry says)."""
    weight = term_plans(tax).weight
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
