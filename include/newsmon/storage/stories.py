"""Stories: which stored story each new article of the incoming chunk joins, or whether it
starts one.

An article joins the story of a stored article with the same content hash (an exact copy),
else the story whose representative (the article that started it) is most similar to it,
else starts a story. Candidates share an LSH band with it and are compared inside DuckDB
(``story_matches.sql``); only those whose estimated Jaccard similarity reaches
``dedup.threshold`` come back to Python. Comparing with one representative per story, not
every copy, keeps the work per article from growing with the copies stored. A post that
links to an article, or a short text that quotes one, joins that article's story.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from newsmon.article.identity import norm_words
from newsmon.config import Settings
from newsmon.storage.db import execute


def assign_incoming(
    con: duckdb.DuckDBPyConnection, settings: Settings
) -> dict[str, tuple[str, bool]]:
    """Give each new article of the incoming chunk its story (``article_id -> (story_id,
    starts_a_new_story)``) and record the mapping in ``story_map`` for the inserts."""
    new = execute(con, "storage/stories/incoming_new").fetchall()
    exact = dict(execute(con, "storage/stories/incoming_exact_copies").fetchall())
    matches: dict[str, list[Match]] = {}
    for article, other, stored, sim in execute(
        con,
        "storage/stories/story_matches",
        threshold=settings.dedup.threshold,
        window_days=settings.dedup.window_days,
    ).fetchall():
        matches.setdefault(article, []).append(Match(other, stored, sim))
    # a post that links to an article (stored, or earlier in this run) is that article's story
    for article, other, stored in execute(con, "storage/stories/story_links").fetchall():
        matches.setdefault(article, []).append(Match(other, stored, 1.0))
    # a short text that quotes an article (a post repeating its lead), stored or earlier in
    # this chunk, is its story too
    for article, quotes in quoted_stories(con, settings, new, exact, matches).items():
        matches.setdefault(article, []).extend(quotes)
    mapping = assign_stories(new, exact, matches)
    execute(
        con,
        "storage/stories/story_map",
        article_ids=list(mapping),
        story_ids=[s for s, _ in mapping.values()],
        new_story=[n for _, n in mapping.values()],
    )
    return mapping


@dataclass(frozen=True)
class Match:
    other: str  # a stored story's id, or an earlier new article's id
    stored: bool
    sim: float
    quote: bool = False  # the new article is a short text whose wording is in ``other``


def assign_stories(
    new: list[tuple[str, str]],
    exact: dict[str, str],
    matches: dict[str, list[Match]],
) -> dict[str, tuple[str, bool]]:
    """``article_id -> (story_id, starts_a_new_story)`` for the new articles, in run order.

    ``new`` is ``(article_id, content_hash)`` in run order; ``exact`` maps content hashes
    to stored stories; ``matches`` maps a new article to the stored stories and earlier new
    articles similar enough to it. An article joins the story of an exact copy, else of its
    most similar match that represents a story (a stored story, or an earlier new article
    that started one), else starts its own: so the outcome does not depend on how the run
    is cut into chunks.
    """
    out: dict[str, tuple[str, bool]] = {}
    seen_hash: dict[str, str] = dict(exact)
    for article, text_hash in new:
        story = seen_hash.get(text_hash)
        found = matches.get(article, ())
        if story is None and found and all(m.quote for m in found):
            story = quoted_story(found, out)
        if story is None:
            best = 0.0
            for m in found:
                if m.quote:
                    continue
                if m.stored:
                    candidate: str | None = m.other
                else:
                    earlier = out.get(m.other)
                    candidate = m.other if earlier and earlier[1] else None
                if candidate and (m.sim > best or (m.sim == best and story and candidate < story)):
                    story, best = candidate, m.sim
        is_new = story is None
        story = story or article
        out[article] = (story, is_new)
        seen_hash.setdefault(text_hash, story)
    return out


def quoted_story(quotes: Iterable[Match], out: dict[str, tuple[str, bool]]) -> str | None:
    """The story a short text quoting these articles joins: theirs, when they are all of one
    story. A text whose wording is in articles of two or more stories repeats stock
    sentences (a decree's date, an official's line), not one story: it starts its own."""
    stories = {
        m.other if m.stored else out[m.other][0] for m in quotes if m.stored or m.other in out
    }
    return stories.pop() if len(stories) == 1 else None


QUOTE_MAX_CHARS = 800  # texts this short (posts, not articles) are checked for quoting one
QUOTE_SHARE = 0.6  # of the short text's 5-word phrases found in the article
QUOTE_SIM = 0.95  # the similarity a verified quote counts as (near duplicates reach 1.0)


def _phrases(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = norm_words(text)
    return {tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1))}


def quoted_stories(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    new: list[tuple[str, str]],
    exact: dict[str, str],
    matches: dict[str, list[Match]],
) -> dict[str, list[Match]]:
    """``article_id -> quote matches`` for short new texts with no other match whose wording
    is mostly in an article: at least QUOTE_SHARE of their 5-word phrases, among the stored
    articles the search index finds holding 80% of their word stems (a match to its story)
    and the earlier new articles of this chunk that hold them (a match to the article,
    whose story is known only as the chunk is assigned). Near-duplicate signatures cannot
    see it: a post of two sentences and the long article it quotes share too small a part
    of their union. :func:`quoted_story` decides which story, if any, the text joins."""
    ids = [a for a, h in new if a not in matches and h not in exact]
    if not ids:
        return {}
    short = {
        a: t
        for a, t in execute(
            con, "storage/stories/short_texts", ids=ids, limit=QUOTE_MAX_CHARS
        ).fetchall()
    }
    if not short:
        return {}
    found: dict[str, dict[tuple[str, bool], float]] = {}  # short text -> (other, stored) -> share
    mine = {a: _phrases(t) for a, t in short.items()}

    def check(article: str, other: str, stored: bool, text: str) -> None:
        if len(mine[article]) < 4:
            return
        share = len(mine[article] & _phrases(text)) / len(mine[article])
        if share >= QUOTE_SHARE:
            hits = found.setdefault(article, {})
            hits[(other, stored)] = max(share, hits.get((other, stored), 0.0))

    window = settings.dedup.window_days
    execute(con, "storage/stories/quote_terms", ids=list(short))
    floor = execute(
        con, "storage/stories/quote_floor", ids=list(short), window_days=window
    ).fetchone()[0]
    for article, story, text, _shared, _n in execute(
        con,
        "storage/stories/quote_candidates",
        ids=list(short),
        window_days=window,
        doc_floor=floor,
    ).fetchall():
        check(article, story, True, text)
    for article, other, text in execute(
        con, "storage/stories/quote_candidates_in_chunk", ids=list(short), window_days=window
    ).fetchall():
        check(article, other, False, text)
    return {
        a: [Match(other, stored, QUOTE_SIM, quote=True) for (other, stored) in sorted(hits)]
        for a, hits in found.items()
    }
