"""Typed records that cross module boundaries, and the one per-document boundary.

- :class:`RawDoc`: a document as read from a file, record or page, before cleaning.
- :class:`IngestError`: an input that could not be used, with the stage and a plain reason.
- :class:`ArticleRecord`: a cleaned article with its identity and near-duplicate keys, as
  staged between the read/fetch stages and the store stage.
- :func:`guarded`: runs one per-document step; whatever it raises becomes an
  :class:`IngestError` with the document's origin, so one bad input costs only itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from newsmon.reasons import split_reason
from newsmon.textio import MAX_TITLE_CHARS, sanitize_field, sanitize_text

MAX_AUTHORS = 20  # names kept per document (a byline, not an author index)

log = logging.getLogger(__name__)

T = TypeVar("T")

_ENCODER = msgspec.json.Encoder()


def dumps(value: Any) -> str:
    """One staged JSON line: what ``json.dumps(value, ensure_ascii=False)`` gives, without
    its spaces, at twice its speed (msgspec; staged lines are the read stage's output)."""
    return _ENCODER.encode(value).decode("utf-8")


@dataclass
class RawDoc:
    """One document as read from a file, record or page, before cleaning."""

    origin: str  # where it came from: a file path ("#L<n>" for a JSON Lines record) or URL
    kind: str  # txt | html | json
    text: str
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    date_source: str | None = None  # meta | url | feed | text | fetched | json
    source: str | None = None  # the outlet
    lang: str | None = None
    authors: list[str] = field(default_factory=list)
    note: str | None = None  # something dropped on the way in (e.g. an impossible date)
    links: list[str] = field(default_factory=list)  # articles it points to (a Telegram post's)
    # where a fetched article's text came from: page | feed_content | feed_summary | title
    # (None: a file, record or post, which is its own text)
    text_source: str | None = None
    key: str | None = None  # its identity when it has no URL (a feed entry's feed and guid)

    def __post_init__(self) -> None:
        # Text from outside is cleaned once, here, where every document enters.
        self.text = sanitize_text(self.text)
        self.title = sanitize_field(self.title, MAX_TITLE_CHARS)
        self.url = sanitize_field(self.url, 4000)
        self.source = sanitize_field(self.source, 200)
        self.lang = sanitize_field(self.lang, 20)
        self.authors = [
            a for a in (sanitize_field(x, 120) for x in (self.authors or [])[:MAX_AUTHORS]) if a
        ]


@dataclass
class IngestError:
    """A file, record or page that could not be used, with a plain reason."""

    origin: str
    stage: str  # discover | read | parse | clean | tag | feed | fetch | extract | ...
    reason: str  # the words that name the problem: the same every time it is met
    detail: str = ""  # what may differ each time: a time, a measured size or duration

    def to_dict(self) -> dict[str, Any]:
        """The staged row. ``reason`` is part of the problem's identity (``upsert_errors``),
        so anything volatile left in it moves to ``detail`` (:func:`split_reason`)."""
        reason, detail = split_reason(sanitize_text(self.reason), sanitize_text(self.detail))
        return {
            "origin": sanitize_text(self.origin)[:2000],
            "stage": self.stage,
            "reason": reason[:1000],
            "detail": detail or None,
        }


@dataclass
class ArticleRecord:
    """A cleaned article, staged for the store stage (one JSON line per article)."""

    article_id: str
    url: str | None
    canonical_url: str | None
    origin: str
    source: str | None
    title: str
    text: str
    lang: str | None
    authors: list[str]
    published_at: str | None  # ISO 8601, UTC
    date_source: str | None
    content_hash: str
    chars: int
    signature: list[int]
    bands: list[int]
    seq: int = 0  # order within the run; the last copy of an article wins its text
    lang_source: str | None = None  # declared (by the page, record, feed or source) | detected
    source_host: str | None = None  # the URL's host: the outlet when nothing names one
    links: list[str] = field(default_factory=list)  # canonical URLs of articles it points to
    # the word index's terms and their counts, space-separated (newsmon.article.index_terms.index_terms);
    # None: SQL counts them
    index_terms: str | None = None
    index_tfs: str | None = None
    text_source: str | None = None  # page | feed_content | feed_summary | title (RawDoc)

    def to_json(self) -> str:
        # the fields as they are: dataclasses.asdict deep-copies the 160 numbers of the
        # signature and bands, a third of the read stage's time
        return dumps(vars(self))


@dataclass
class Evidence:
    term: str  # the taxonomy term that matched
    field: str  # title | text
    start: int  # character offsets into the field (Python slicing: field[start:end])
    end: int
    snippet: str
    weight: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        # by hand: dataclasses.asdict deep-copies every value, which showed up in profiles
        return {
            "term": self.term,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "snippet": self.snippet,
            "weight": self.weight,
        }


@dataclass
class TopicScore:
    topic: str
    score: float
    evidence: list[Evidence]
    vetoed: list[Evidence] = field(default_factory=list)  # matches a negative context cancelled
    # the country the topic is about (ISO 3166-1 alpha-2; None: the text does not say) and
    # the evidence that decided it (newsmon.tagging.countries)
    country: str | None = None
    country_evidence: list[Evidence] = field(default_factory=list)
    # a topic's in_country terms (words that count only where the country pass places the
    # topic in one of its countries: "draft" beside Russia): their score and matches, kept
    # apart until the country is decided; ``assigned`` is whether the topic is assigned
    # without them
    context_score: float = 0.0
    context_evidence: list[Evidence] = field(default_factory=list)
    assigned: bool = True

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "topic": self.topic,
            "score": round(self.score, 3),
            "evidence": [
                {k: v for k, v in e.to_dict().items() if full or k not in ("weight",)}
                for e in self.evidence
            ],
            "country": self.country,
            "country_evidence": [
                {k: v for k, v in e.to_dict().items() if full or k not in ("weight",)}
                for e in self.country_evidence
            ],
        }
        if full:
            out["vetoed"] = [e.to_dict() for e in self.vetoed]
        return out


def guarded(
    where: str, stage: str, step: Callable[..., T], *args: Any, **kwargs: Any
) -> T | IngestError:
    """Run one per-document ``step``; an exception becomes this document's IngestError.

    The one place that catches the unexpected: decoding, parsing, extraction, dates,
    cleaning, tagging and serialisation of one document all run inside it.
    """
    try:
        return step(*args, **kwargs)
    except Exception as exc:  # the per-document boundary: one bad input costs only itself
        log.warning("%s failed at %s: %s: %s", where, stage, type(exc).__name__, exc)
        return IngestError(where, stage, f"unexpected error: {type(exc).__name__}: {exc}")
