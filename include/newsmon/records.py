"""Plain records passed between the stages. No behaviour beyond (de)serialisation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RawDoc:
    """One document as read from a file, before cleaning."""

    origin: str  # where it came from: a file path, with "#L<n>" for a JSON Lines record
    kind: str  # txt | html | json
    text: str
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    date_source: str | None = None  # meta | url | feed | text | fetched | json
    source: str | None = None  # the outlet
    lang: str | None = None
    authors: list[str] = field(default_factory=list)


@dataclass
class IngestError:
    """A file, record or page that could not be used, with a plain reason."""

    origin: str
    stage: str  # discover | read | parse | clean | load
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "topic": self.topic,
            "score": round(self.score, 3),
            "evidence": [
                {k: v for k, v in e.to_dict().items() if full or k not in ("weight",)}
                for e in self.evidence
            ],
        }
        if full:
            out["vetoed"] = [e.to_dict() for e in self.vetoed]
        return out
