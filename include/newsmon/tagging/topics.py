"""Topic scoring with weighted, explainable term rules in English, Russian and Ukrainian.

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

This module holds the scoring (:func:`score_topics`); the terms are found in a text by
:mod:`newsmon.tagging.matching`, sorted into the hits that count by
:mod:`newsmon.tagging.hits`, and listed as evidence by :mod:`newsmon.tagging.evidence`.
"""

from __future__ import annotations

import math

from newsmon.records import TopicScore
from newsmon.tagging.evidence import in_reading_order, term_evidence, topic_evidence
from newsmon.tagging.hits import Hit, group_by_term, topic_hits
from newsmon.tagging.matching import term_plans
from newsmon.tagging.taxonomy import Taxonomy

CHARS_PER_WORD = 20  # the fewest words a text counts per character, for long-text scaling


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
    with :func:`newsmon.tagging.evidence.add_snippets`."""
    per_topic = topic_hits(tax, title or "", text or "")
    memo = term_plans(tax)
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
    results: list[TopicScore] = []
    for topic in order:
        found = per_topic.get(topic, {})
        if not found and not all_topics:  # no hit: no score (thresholds are positive)
            continue
        ref = topic_settings[topic][0]
        ref = default_ref if ref is None else ref
        scale = max(1.0, math.sqrt(words / ref)) if ref else 1.0
        result = _score_topic(tax, topic, found, scale, bodies, all_topics, in_country, snippets)
        if result is not None:
            results.append(result)
    results.sort(key=lambda r: -r.score)
    return results


def _score_topic(
    tax: Taxonomy,
    topic: str,
    found: dict[str, list[Hit]],
    scale: float,
    bodies: dict[str, str],
    all_topics: bool,
    in_country: bool,
    snippets: bool,
) -> TopicScore | None:
    """``topic`` scored from its hits ``found``, its score divided by ``scale``, with its
    evidence (None: not reported, being neither assigned nor hit by in_country words, nor
    asked for with ``all_topics``)."""
    _, boost, anchor, threshold = term_plans(tax).settings[topic]
    score = 0.0
    by_term = group_by_term(found.get("term", []))
    score += _term_score(tax, by_term, boost)
    negatives = {m.term for _, m in found.get("negative", [])}
    score += sum(tax.terms[t].weight for t in negatives)
    score /= scale
    anchored = any(tax.terms[t].weight >= anchor for t in by_term)
    assigned = anchored and score >= threshold
    by_ctx = group_by_term(found.get("ctx", [])) if in_country else {}
    if not (all_topics or assigned or by_ctx):
        return None
    # the evidence (with its snippets) only for the topics that are reported
    evidence, vetoed = topic_evidence(tax, found, by_term, negatives, bodies, snippets)
    result = TopicScore(topic, score, evidence, vetoed, assigned=assigned)
    if by_ctx:
        result.context_score = _term_score(tax, by_ctx, boost) / scale
        result.context_evidence = sorted(
            term_evidence(tax, by_ctx, bodies, snippets), key=in_reading_order
        )
    return result


def _term_score(tax: Taxonomy, by_term: dict[int, list[Hit]], boost: float) -> float:
    """A term's first occurrence adds its weight (times ``boost`` in the title), each further
    one half of it, up to twice the weight."""
    score = 0.0
    for t, hits in by_term.items():
        weight = tax.terms[t].weight
        first = weight * (boost if any(f == "title" for f, _ in hits) else 1.0)
        score += min(first + 0.5 * weight * (len(hits) - 1), first + weight)
    return score
