"""The word index's terms counted in Python by the read stage's workers
(:func:`newsmon.article.index_terms.index_terms`) are exactly those ``search/index.sql`` counts in DuckDB
from the same title and text, with the SQL macros the queries use."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from newsmon.article.identity import norm_words
from newsmon.article.index_terms import _LOWER_DIFFERS, _WORD, index_terms
from newsmon.config import SQL_DIR
from tests.conftest import ROOT, SEEDS


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    macros = (SQL_DIR / "views" / "000_macros.sql").read_text(encoding="utf-8")
    con.execute(macros)
    yield con
    con.close()


def _sql_terms(con: duckdb.DuckDBPyConnection, title: str | None, text: str) -> dict[str, int]:
    """search/index.sql's count for one article, with no terms counted beforehand."""
    con.execute(
        "create or replace temp table incoming as select 'a' as article_id, $title::varchar as title,"
        " $text::varchar as text, 'new' as state, null::varchar as index_terms,"
        " null::varchar as index_tfs",
        {"title": title, "text": text},
    )
    con.execute(
        (SQL_DIR / "queries" / "storage" / "search" / "index.sql").read_text(encoding="utf-8")
    )
    return dict(con.execute("select term, tf from incoming_terms").fetchall())


def _texts() -> list[tuple[str | None, str]]:
    out: list[tuple[str | None, str]] = []
    for path in sorted((ROOT / "tests" / "data" / "labelled").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[:40]:
            rec = json.loads(line)
            out.append((rec.get("title"), rec["text"]))
    out += [(None, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    return out


HOSTILE = [
    ("Ёлки и ЁЖИКИ", "Всё ещё ёмкость: ёё, ЁЁЁ, e-mail_address snake_case __init__ x_y_z"),
    (None, "об’єкт обʼєкт об'єкт ОБ`ЄКТ — п’ять п'ятниць"),
    ("", "  ударе́ние и́ли combining a\u0301b\u0301c\u0301, ﬁnance ﬂoor straße STRASSE"),
    ("Ёжик ß", "µg ſ ﬀ ς σ ŉ ǰ ᏸ ꭰ — letters that case-fold otherwise than they lower-case"),
    (None, "numbers ², ½, ٣٤٥ (Arabic-Indic), ２０２４ fullwidth, 10,000 and 3.14 and x²y"),
    ("Ǆemal ǅemal ǆemal", "Titlecase ǅ letters; ΑΘΗΝΑ Δ δ; ǈ ǋ; İ‌stanbul‍ zero\u200bwidth"),
    (None, "a bb ccc dddd ии ііі їїї ётся ются ться мобилизация мобилизованных повістки"),
    ("Mobilization MOBILIZATIONS", "izations ization ments ings ies ied sss ss s"),
    (None, ""),
    ("Only a title", ""),
]


def test_python_counts_the_terms_sql_counts(con: duckdb.DuckDBPyConnection) -> None:
    """On labelled passages (en, ru, uk), the seeds and hostile text."""
    differ, left_to_sql = [], 0
    for title, text in _texts() + HOSTILE:
        # on its own, and reusing the text's words as the read stage has them for MinHash
        for counted in (index_terms(title, text), index_terms(title, text, norm_words(text))):
            if counted is None:  # left to SQL: only texts Python may read otherwise
                assert _LOWER_DIFFERS.search(f"{title} {text}"), (title, text)
                left_to_sql += 1
                continue
            terms, tfs = counted[0].split(), list(map(int, counted[1].split()))
            assert len(terms) == len(set(terms))
            if dict(zip(terms, tfs, strict=True)) != _sql_terms(con, title, text):
                differ.append((title, text[:80]))
    assert not differ
    assert left_to_sql == 2  # the hostile line with an İ


@pytest.mark.parametrize("text", ["İstanbul seçimleri", "ΟΔΟΣ ΣΤΑΣΗ", "mobilisation 🪖 𝐛𝐨𝐥𝐝 𝐰𝐨𝐫𝐝𝐬"])
def test_texts_python_may_read_otherwise_are_left_to_sql(text: str) -> None:
    assert index_terms(None, text) is None


def test_every_character_of_the_basic_plane_splits_and_lowers_alike(
    con: duckdb.DuckDBPyConnection,
) -> None:
    """Word characters and lower case, character by character, in Python and in DuckDB:
    where they differ, the text must be left to SQL (see _LOWER_DIFFERS)."""
    rows = con.execute(
        r"""
        select cp, lower(chr(cp)), regexp_full_match(chr(cp), '[\p{L}\p{N}]'), length(chr(cp))
        from (select range::integer as cp from range(32, 65536))
        where cp not between 55296 and 57343
        """
    ).fetchall()
    differ = [
        cp
        for cp, lower, word, length in rows
        if chr(cp).lower() != lower or bool(_WORD.fullmatch(chr(cp))) != word or length != 1
    ]
    assert differ and all(_LOWER_DIFFERS.fullmatch(chr(cp)) for cp in differ), [
        hex(cp) for cp in differ if not _LOWER_DIFFERS.fullmatch(chr(cp))
    ]


def test_the_endings_are_read_from_the_sql_macro() -> None:
    """One list of endings: the Python stemmer's pattern is the macro's."""
    from newsmon.article.index_terms import _ENDING

    macros = (SQL_DIR / "views" / "000_macros.sql").read_text(encoding="utf-8")
    assert _ENDING.pattern in macros and re.search(r"\|ться\|", _ENDING.pattern)
    assert (
        Path(SQL_DIR / "queries" / "storage" / "search" / "index.sql")
        .read_text()
        .count("index_terms")
    )


def test_terms_of_a_copy_whose_title_is_not_kept_are_counted_again(tmp_path: Path) -> None:
    """Two copies of one article in a staging file: the text is the last copy's, the title
    the last non-empty one. When that title is not the last copy's, the terms that copy
    staged were counted without it, so incoming_articles.sql drops them for SQL to count."""
    from newsmon.storage.db import ensure_schema, execute

    base = {
        "article_id": "a1",
        "url": None,
        "canonical_url": None,
        "origin": "x",
        "source": None,
        "text": "Военкомат вручил повестки.",
        "lang": "ru",
        "authors": [],
        "published_at": None,
        "date_source": None,
        "content_hash": "h",
        "chars": 26,
        "signature": [1],
        "bands": [1],
    }
    staged = tmp_path / "articles-00000.jsonl"

    def incoming(last_title: str) -> tuple:
        rows = [
            base | {"title": "Повестки в Омске", "seq": 1, "index_terms": "x", "index_tfs": "1"},
            base | {"title": last_title, "seq": 2, "index_terms": "y", "index_tfs": "2"},
        ]
        staged.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        execute(db, "storage/articles/incoming_articles", articles=str(staged), max_object=16 << 20)
        return db.execute("select title, index_terms, index_tfs from incoming").fetchone()

    with duckdb.connect() as db:
        ensure_schema(db)
        assert incoming("Другой заголовок") == ("Другой заголовок", "y", "2")
        assert incoming("") == ("Повестки в Омске", None, None)
