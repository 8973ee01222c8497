"""The evidence of a scored topic: which hits it lists, and the snippet around each.

A topic lists, of each term, the occurrences that count (the first
:data:`EVIDENCE_PER_TERM`, title first), each negative term once, and as many of each
vetoed term, so the evidence of one article is bounded by the rules, not by the length of
its text. Each :class:`~newsmon.records.Evidence` carries the term, the field, its
character offsets there and a snippet of the words around it, cut at once or later by
:func:`add_snippets` (a caller that keeps only some of the evidence cuts only those).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from newsmon.records import Evidence
from newsmon.tagging.hits import Hit
from newsmon.tagging.matching import Match
from newsmon.tagging.taxonomy import Taxonomy

# A term's first occurrence adds its weight, each further one half of it, up to twice the
# weight: its first three occurrences are all that count, and all that its evidence lists
# (a page naming Moscow 50,000 times gave 50,000 snippets, 30 MB of evidence for one article)
EVIDENCE_PER_TERM = 3


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
    m: Match,
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


def term_evidence(
    tax: Taxonomy, by_term: dict[int, list[Hit]], bodies: dict[str, str], snippets: bool
) -> list[Evidence]:
    """Of each term, the occurrences that added to the score (title first, then in text
    order), each with the term's weight."""
    evidence: list[Evidence] = []
    for t, hits in by_term.items():
        weight = tax.terms[t].weight
        evidence.extend(
            _evidence(tax, f, m, bodies, weight, snippets) for f, m in hits[:EVIDENCE_PER_TERM]
        )
    return evidence


def topic_evidence(
    tax: Taxonomy,
    found: dict[str, list[Hit]],
    by_term: dict[int, list[Hit]],
    negatives: set[int],
    bodies: dict[str, str],
    snippets: bool,
) -> tuple[list[Evidence], list[Evidence]]:
    """``(evidence, vetoed)`` of a reported topic whose hits are ``found``: its terms'
    occurrences that count and its ``negatives``' first, in field and text order; and of
    each vetoed term, its first few matches (weight 0)."""
    evidence = term_evidence(tax, by_term, bodies, snippets)
    for t in negatives:
        field_name, m = next((f, x) for f, x in found["negative"] if x.term == t)
        evidence.append(_evidence(tax, field_name, m, bodies, tax.terms[t].weight, snippets))
    shown: dict[int, int] = defaultdict(int)  # vetoed matches shown, per term
    vetoed = []
    for f, m in found.get("vetoed", []):
        shown[m.term] += 1
        if shown[m.term] <= EVIDENCE_PER_TERM:
            vetoed.append(_evidence(tax, f, m, bodies, 0.0, snippets))
    evidence.sort(key=in_reading_order)
    return evidence, vetoed


def in_reading_order(e: Evidence) -> tuple[bool, int]:
    """The sort key of evidence: the title's first, then by offset."""
    return (e.field != "title", e.start)


def add_snippets(evidence: Iterable[Evidence], bodies: dict[str, str]) -> None:
    """Give each of ``evidence`` that was scored without one its snippet (see
    :func:`newsmon.tagging.topics.score_topics`); a match that is evidence of several things
    is cut once."""
    cut: dict[tuple[str, int, int], str] = {}
    for e in evidence:
        if not e.snippet:
            key = (e.field, e.start, e.end)
            snippet = cut.get(key)
            if snippet is None:
                snippet = cut[key] = _snippet(bodies.get(e.field, ""), e.start, e.end)
            e.snippet = snippet
