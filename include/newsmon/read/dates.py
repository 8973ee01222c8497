"""Find publication dates written in article text, in English, Russian and Ukrainian.

Recognises the forms the sample articles use and their common relatives:
``date 2023-11-20``, ``2023-11-20T19:25:00+02:00``, ``9:41 AM EST, November 21, 2023``,
``November 21, 2023 at 9:41 pm``, ``21 November 2023``, ``20 ноября 2023``,
``20 листопада 2023 р., 14:05`` and ``19:25, 20.11.23``. A time without a zone is taken as UTC.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_TZ_HOURS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "KYIV": 2,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}
_MONTH_STEMS = {
    1: ("jan", "январ", "січ", "січн"),
    2: ("feb", "феврал", "лют"),
    3: ("mar", "март", "берез"),
    4: ("apr", "апрел", "квіт"),
    5: ("may", "ма", "трав"),
    6: ("jun", "июн", "черв"),
    7: ("jul", "июл", "лип"),
    8: ("aug", "август", "серп"),
    9: ("sep", "сентябр", "верес"),
    10: ("oct", "октябр", "жовт"),
    11: ("nov", "ноябр", "листопад"),
    12: ("dec", "декабр", "груд"),
}
_MONTH_WORD = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|январ[яь]|феврал[яь]|марта?|апрел[яь]|ма[яй]|июн[яь]|июл[яь]|августа?|сентябр[яь]"
    r"|октябр[яь]|ноябр[яь]|декабр[яь]"
    r"|січ(?:ня|ень)|лют(?:ого|ий)|берез(?:ня|ень)|квіт(?:ня|ень)|трав(?:ня|ень)|черв(?:ня|ень)"
    r"|лип(?:ня|ень)|серп(?:ня|ень)|верес(?:ня|ень)|жовт(?:ня|ень)|листопад(?:а)?|груд(?:ня|ень))"
)
_TZ = r"(?P<tz>UTC|GMT|BST|CEST|CET|EEST|EET|MSK|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Kyiv)"
_AMPM = r"(?P<ampm>[ap]\.?\s?m\.?)"
_TIME_A = rf"(?P<h1>\d{{1,2}}):(?P<m1>\d{{2}})\s*(?:{_AMPM})?\s*(?:{_TZ})?"
_TIME_B = r"(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*(?P<ampm2>[ap]\.?\s?m\.?)?\s*(?P<tz2>UTC|GMT|EST|EDT|MSK|CET|CEST|EET|EEST|PST|PDT)?"

_PATTERNS = [
    re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<mo>\d\d)-(?P<d>\d\d)"
        r"(?:[T ](?P<h>\d\d):(?P<mi>\d\d)(?::\d\d(?:\.\d+)?)?\s*(?P<off>Z|[+-]\d\d:?\d\d)?)?(?!\d)"
    ),
    re.compile(
        rf"(?:{_TIME_A},?\s+)?(?P<month>{_MONTH_WORD})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
        rf"(?P<y>(?:19|20)\d\d)(?:,?\s+(?:at\s+)?{_TIME_B})?",
        re.IGNORECASE,
    ),
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})\s+(?P<month>{_MONTH_WORD})\.?\s+(?P<y>(?:19|20)\d\d)"
        rf"(?:\s*(?:г\.|р\.|года|року))?(?:,?\s+(?:at\s+|в\s+|о\s+)?{_TIME_B})?",
        re.IGNORECASE,
    ),
    re.compile(
        r"(?:(?P<h1>\d{1,2}):(?P<m1>\d{2}),?\s*)?(?<![\d.])(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\."
        r"(?P<y>(?:19|20)\d\d|\d\d)(?![\d.])(?:,?\s+(?P<h2>\d{1,2}):(?P<m2>\d{2}))?"
    ),
]


@dataclass(frozen=True)
class DateHit:
    value: datetime  # timezone-aware, UTC
    has_time: bool
    start: int
    end: int


def _month_number(word: str) -> int | None:
    w = word.lower().rstrip(".")
    for number, stems in _MONTH_STEMS.items():
        for stem in stems:
            if number == 5 and stem == "ма":
                if w in ("май", "мая"):
                    return 5
                continue
            if w.startswith(stem):
                return number
    return None


def _hour(h: str, ampm: str | None) -> int:
    hour = int(h)
    if ampm:
        pm = ampm.lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    return hour


def _offset(tz: str | None, off: str | None) -> timezone:
    if off and off != "Z":
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
    if tz:
        return timezone(timedelta(hours=_TZ_HOURS.get(tz.upper(), 0)))
    return UTC


def _hit(match: re.Match[str]) -> DateHit | None:
    g = match.groupdict()
    year = int(g["y"])
    if year < 100:
        year += 2000
    month = int(g["mo"]) if g.get("mo") else _month_number(g.get("month") or "")
    if not month:
        return None
    hour = minute = 0
    has_time = False
    for h, m, ap in (("h", "mi", None), ("h1", "m1", "ampm"), ("h2", "m2", "ampm2")):
        if g.get(h) is not None:
            hour, minute, has_time = _hour(g[h], g.get(ap) if ap else None), int(g[m]), True
            break
    tz = _offset(g.get("tz") or g.get("tz2"), g.get("off"))
    try:
        value = datetime(year, month, int(g["d"]), hour, minute, tzinfo=tz)
    except ValueError:
        return None
    if not 1990 <= value.year <= 2100:
        return None
    return DateHit(value.astimezone(UTC), has_time, match.start(), match.end())


def find_dates(text: str) -> list[DateHit]:
    """All dates in ``text``, in order of position; overlapping weaker readings dropped."""
    hits: list[DateHit] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            hit = _hit(match)
            if hit is not None:
                hits.append(hit)
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[DateHit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def best_date(text: str) -> DateHit | None:
    """The most precise date in ``text``: one with a time of day wins over a bare date."""
    hits = find_dates(text)
    if not hits:
        return None
    timed = [h for h in hits if h.has_time]
    return timed[0] if timed else hits[0]


EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def parse_published(value: object) -> tuple[datetime | None, str | None]:
    """A record's ``published_at`` (ISO 8601 text or epoch seconds) as ``(UTC datetime, None)``,
    or ``(None, reason)`` when it is given but unusable (not a date, out of range, NaN).

    Never raises: a poison date costs the article its date, not the run its articles.
    """
    if value is None or value == "":
        return None, None
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    try:
        parsed = _parse(value)
    except (ValueError, OverflowError, OSError, TypeError) as exc:
        return (
            None,
            f"published_at {shown} is not a usable date ({type(exc).__name__}); stored without a date",
        )
    if parsed is None:
        return None, f"published_at {shown} is not a date; stored without a date"
    if not EARLIEST <= parsed < LATEST:
        return None, f"published_at {shown} is out of range (1990-2099); stored without a date"
    return parsed, None


def _parse(value: object) -> datetime | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return datetime.fromtimestamp(float(value), tz=UTC)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        hit = best_date(text[:200])
        return hit.value if hit else None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_iso(value: object) -> datetime | None:
    """:func:`parse_published` without the reason."""
    return parse_published(value)[0]
