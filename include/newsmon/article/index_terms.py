"""An article's search index terms, counted where the article is read (by the read stage's
workers, which never import DuckDB), so the single writer only inserts them. The index and
the search itself are :mod:`newsmon.storage.search`; the stemming is the SQL macro ``search_stem``,
whose endings this module reads from the macro file, so there is one definition.
"""

from __future__ import annotations

import re
from collections import Counter

from newsmon.config import SQL_DIR

_WORD = re.compile(r"[^\W_]+")


def _ending_pattern() -> re.Pattern[str]:
    """The endings ``search_stem`` strips, read from the SQL macro itself (one definition)."""
    macros = (SQL_DIR / "views" / "000_macros.sql").read_text(encoding="utf-8")
    found = re.search(r"macro search_stem\(w\) as \(.*?regexp_replace\(w, '([^']+)'", macros, re.S)
    if found is None:  # pragma: no cover - the macro file is part of the package
        raise RuntimeError("search_stem's endings not found in 000_macros.sql")
    return re.compile(found.group(1))


_ENDING = _ending_pattern()
# Where Python and DuckDB could split or lower-case a text differently, SQL counts it: İ
# (two letters in Python's lower case), Σ (Python's depends on the next letter) and anything
# beyond the Basic Multilingual Plane (the two take letters from different Unicode
# versions there). tests/unit/test_search_terms.py compares every other character.
_LOWER_DIFFERS = re.compile("[\u0130\u03a3\U00010000-\U0010ffff]")
# Characters case-folded otherwise than lower-cased (ß, ς, µ, ligatures …): a text without
# them has the same words case-folded (newsmon.article.identity.norm_words) as lower-cased.
_FOLD_DIFFERS = re.compile(
    "["
    + "".join(
        re.escape(chr(c))
        for c in range(0x20, 0x10000)
        if not 0xD800 <= c <= 0xDFFF and chr(c).casefold() != chr(c).lower()
    )
    + "]"
)


class _Stems(dict[str, str | None]):
    """Word -> its ``search_stem`` (None: shorter than three letters), on first sight."""

    def __missing__(self, word: str) -> str | None:
        if len(self) > 50_000:  # a worker's common words; names and numbers must not pile up
            self.clear()
        if len(word) < 3:
            stem = None
        else:
            word_e = word.replace("ё", "е")  # as search_words spells it
            cut = _ENDING.sub("", word_e, count=1)
            stem = cut if len(cut) >= 3 else word_e
        self[word] = stem
        return stem


_STEMS = _Stems()


def stem(word: str) -> str | None:
    """A lower-cased word's search stem (None: shorter than three letters), as
    ``search_stem`` makes it."""
    return _STEMS[word]


def index_terms(
    title: str | None, text: str, text_words: list[str] | None = None
) -> tuple[str, str] | None:
    """An article's index terms and how often each occurs, as ``search/index.sql`` counts
    them from its title (twice) and text: computed by the read stage's workers, so the
    single writer only inserts them. Two lines of space-separated values (terms never hold
    a space), as the writer parses them fastest: ``("повістк мобілізац", "2 1")``. None for
    a text Python might read otherwise than DuckDB (then SQL counts it).

    ``text_words``: the text's case-folded words (:func:`newsmon.article.identity.norm_words`) where
    the caller has them; they are the search words too unless the text holds an underscore
    or a letter that case-folds otherwise than it lower-cases."""
    title = title or ""
    if _LOWER_DIFFERS.search(title) or _LOWER_DIFFERS.search(text):
        return None
    if text_words is None or "_" in text or _FOLD_DIFFERS.search(text):
        text_words = _WORD.findall(text.lower())
    stem = _STEMS.__getitem__
    counts = Counter(map(stem, text_words))
    title_words = _WORD.findall(title.lower())
    counts.update(map(stem, title_words))
    counts.update(map(stem, title_words))
    counts.pop(None, None)
    return " ".join(counts), " ".join(map(str, counts.values()))
