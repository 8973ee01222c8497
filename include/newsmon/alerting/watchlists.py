"""Watchlists as the team writes them: ``include/config/watchlists.yaml`` (or the file at
``$NEWSMON_WATCHLISTS``), read and checked here, one watchlist at a time.

A watchlist with a mistake is reported with a plain reason (:attr:`WatchlistFile.errors`)
and left out; the others work. Only a file that cannot be read at all is one error for the
whole file; a missing default file means no watchlists.

Query syntax (the words of ``newsmon search``, stemmed the same way, plus three operators):

- ``повестки Бурятия``: every word must occur (title or text), in any inflection the search
  index folds to the same stem, or, for stems longer than five letters, sharing all but its
  last two letters (``мобилизация`` finds ``мобилизованных``);
- ``"foreign agent"``: the words in this order, next to each other;
- ``-учения``: the word (or ``-"a phrase"``) must not occur;
- ``A OR B``: either alternative (``OR`` in capitals).

Words shorter than three letters are not in the index: they may stand inside a phrase only.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from newsmon.alerting.brief_settings import DEFAULT as DEFAULT_BRIEF
from newsmon.alerting.brief_settings import BriefSettings, parse_brief
from newsmon.alerting.schedules import Schedule, parse_schedule
from newsmon.alerting.watch_query import Alternative, parse_query
from newsmon.config import CONFIG_DIR, ConfigError, Settings, read_yaml

NAME = re.compile(r"[^\W_][\w .-]{0,79}")
_EMAIL = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+")
_CONN_ID = re.compile(r"[A-Za-z0-9_.-]{1,200}")
_FIELDS = {
    "name",
    "query",
    "topics",
    "countries",
    "regions",
    "languages",
    "sources",
    "min_score",
    "deliver",
    "cooldown_hours",
    "digest_threshold",
    "digest_top",
}
_DELIVER = {"slack", "email", "email_conn", "log", "schedule"}


@dataclass(frozen=True)
class Delivery:
    slack: str | None = None  # an Airflow connection id (slackwebhook)
    email: tuple[str, ...] = ()
    email_conn: str | None = None  # default: alerts.email.conn_id
    log: bool = False
    schedule: Schedule = field(default_factory=Schedule)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channel kinds this watchlist delivers to."""
        kinds = (("log", self.log), ("slack", self.slack), ("email", self.email))
        return tuple(kind for kind, on in kinds if on)


@dataclass(frozen=True)
class Watchlist:
    name: str
    query: str = ""
    alternatives: tuple[Alternative, ...] = ()
    topics: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    min_score: float | None = None
    deliver: Delivery = field(default_factory=Delivery)
    cooldown_hours: float | None = None  # default: alerts.cooldown_hours
    digest_threshold: int | None = None  # default: alerts.digest_threshold
    digest_top: int | None = None  # default: alerts.digest_top

    @cached_property
    def fingerprint(self) -> str:
        """Changes when what the watchlist matches changes (not when its delivery does)."""
        what = {k: v for k, v in asdict(self).items() if k in _FIELDS - {"deliver", "name"}}
        what = {k: v for k, v in what.items() if not k.startswith(("cooldown", "digest"))}
        return hashlib.sha1(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]

    def channel(self, kind: str) -> str:
        """The outbox's channel name for one of its deliveries: ``watch/<name>/<kind>``."""
        return f"watch/{self.name}/{kind}"

    def definition(self) -> dict[str, Any]:
        """What the team wrote, normalised (the ``watchlists`` table's ``definition``)."""
        out = {
            "query": self.query or None,
            "topics": list(self.topics),
            "countries": list(self.countries),
            "regions": list(self.regions),
            "languages": list(self.languages),
            "sources": list(self.sources),
            "min_score": self.min_score,
            "deliver": {
                "slack": self.deliver.slack,
                "email": list(self.deliver.email),
                "log": self.deliver.log,
                "schedule": self.deliver.schedule.text,
            },
        }
        return {k: v for k, v in out.items() if v not in (None, [])}


@dataclass(frozen=True)
class WatchlistFile:
    path: Path
    watchlists: tuple[Watchlist, ...]
    errors: tuple[str, ...]  # one line each: which watchlist, what is wrong
    brief: BriefSettings = DEFAULT_BRIEF  # the general morning brief
    rejected: tuple[tuple[str, str], ...] = ()  # (name, line of errors) of each left out
    unreadable: bool = False  # the file as a whole could not be read: nothing is known

    def is_rejected(self, name: str) -> bool:
        """Whether ``name`` is in the file but cannot be used now (or the file cannot be
        read at all): its waiting alerts wait for the fix, rather than being dropped."""
        return self.unreadable or any(n == name for n, _ in self.rejected)


def channel_watchlist(channel: str) -> str | None:
    """The watchlist a channel of the outbox belongs to (``watch/<name>/<kind>``)."""
    if not channel.startswith("watch/"):
        return None
    return channel[len("watch/") :].rpartition("/")[0]


def watchlists_path() -> Path:
    return Path(os.environ.get("NEWSMON_WATCHLISTS") or CONFIG_DIR / "watchlists.yaml")


def load_watchlists(
    settings: Settings | None = None, path: str | Path | None = None
) -> WatchlistFile:
    """Every watchlist that checks out, and a reason for each that does not."""
    p = Path(path) if path else watchlists_path()
    if not p.exists() and path is None and "NEWSMON_WATCHLISTS" not in os.environ:
        return WatchlistFile(p, (), ())
    try:
        raw = read_yaml(p) if p.exists() and p.read_text(encoding="utf-8").strip() else {}
    except (ConfigError, OSError, UnicodeDecodeError) as exc:
        return WatchlistFile(p, (), (f"{p}: {exc}",), unreadable=True)
    if not p.exists():
        return WatchlistFile(p, (), (f"watchlists file not found: {p}",), unreadable=True)
    items = raw.get("watchlists") or []
    if set(raw) - {"watchlists", "brief"} or not isinstance(items, list):
        error = f"{p}: expected 'watchlists' (a list) and optionally 'brief'"
        return WatchlistFile(p, (), (error,), unreadable=True)
    found: list[Watchlist] = []
    errors: list[str] = []
    rejected: list[tuple[str, str]] = []
    try:
        brief = parse_brief(raw.get("brief"))
    except ConfigError as exc:
        brief = DEFAULT_BRIEF
        errors.append(f"brief: {exc} (the default is used: {brief.schedule.text})")
    topics = _known_topics(settings)
    for i, item in enumerate(items, 1):
        name = item.get("name") if isinstance(item, dict) else None
        name = name[:120] if isinstance(name, str) and name.strip() else f"#{i}"
        try:
            wl = parse_watchlist(item, settings, topics)
            if any(w.name.casefold() == wl.name.casefold() for w in found):
                raise ConfigError("the name is used twice (the first one is kept)")
        except ConfigError as exc:
            errors.append(f"watchlist {name!r}: {exc}")
            rejected.append((name, errors[-1]))
            continue
        found.append(wl)
    return WatchlistFile(p, tuple(found), tuple(errors), brief, tuple(rejected))


def parse_watchlist(
    item: Any, settings: Settings | None = None, topics: set[str] | None = None
) -> Watchlist:
    """One watchlist, or a :class:`ConfigError` that says what is wrong; ``topics``: the
    taxonomy's topic names (read from ``settings`` when not given)."""
    if not isinstance(item, dict):
        raise ConfigError("must be a mapping with at least a name")
    unknown = set(item) - _FIELDS
    if unknown:
        raise ConfigError(f"unknown field(s): {', '.join(sorted(map(str, unknown)))}")
    name = item.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ConfigError(
            "name must be 1-80 letters, digits, spaces, '.', '_' or '-', starting with a"
            f" letter or digit, not {str(name)[:80]!r}"
        )
    query = item.get("query") or ""
    if not isinstance(query, str):
        raise ConfigError("query must be text")
    wl = Watchlist(
        name=name,
        query=query.strip(),
        alternatives=parse_query(query) if query.strip() else (),
        topics=_names(item, "topics", topics if topics is not None else _known_topics(settings)),
        countries=_codes(item, "countries", r"[A-Z]{2}", "ISO 3166-1 alpha-2 codes such as RU"),
        regions=_codes(
            item, "regions", r"[A-Z]{2}-[A-Z0-9]{1,3}", "ISO 3166-2 codes such as RU-BU"
        ),
        languages=tuple(
            c.lower() for c in _codes(item, "languages", r"[A-Z]{2}", "codes such as ru")
        ),
        sources=_names(item, "sources", None),
        min_score=_number(item, "min_score", float, 0),
        deliver=_delivery(item.get("deliver")),
        cooldown_hours=_number(item, "cooldown_hours", float, 0),
        digest_threshold=_number(item, "digest_threshold", int, 1),
        digest_top=_number(item, "digest_top", int, 1),
    )
    if not (wl.alternatives or wl.topics or wl.countries or wl.regions or wl.sources):
        raise ConfigError("needs a query, or topics, countries, regions or sources to match")
    return wl


def _list(item: dict[str, Any], key: str) -> tuple[str, ...]:
    value = item.get(key) or ()
    value = (value,) if isinstance(value, str) else value
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of names")
    return tuple(v.strip() for v in value if v.strip())


def _names(item: dict[str, Any], key: str, known: set[str] | None) -> tuple[str, ...]:
    names = _list(item, key)
    if known is not None and set(names) - known:
        raise ConfigError(
            f"unknown {key}: {', '.join(sorted(set(names) - known))} (known: {', '.join(sorted(known))})"
        )
    return names


def _codes(item: dict[str, Any], key: str, pattern: str, what: str) -> tuple[str, ...]:
    codes = tuple(c.upper() for c in _list(item, key))
    bad = [c for c in codes if not re.fullmatch(pattern, c)]
    if bad:
        raise ConfigError(f"{key} must be {what}, not {', '.join(bad)[:200]}")
    return codes


def _number(item: dict[str, Any], key: str, kind: type, least: float) -> Any:
    value = item.get(key)
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < least
    ):
        raise ConfigError(f"{key} must be a number of at least {least}, not {value!r}")
    if kind is int and value != int(value):
        raise ConfigError(f"{key} must be a whole number, not {value!r}")
    return kind(value)


def _delivery(raw: Any) -> Delivery:
    if raw is None:
        return Delivery()
    if not isinstance(raw, dict):
        raise ConfigError("deliver must be a mapping (slack, email, log, schedule)")
    unknown = set(raw) - _DELIVER
    if unknown:
        raise ConfigError(f"unknown deliver field(s): {', '.join(sorted(map(str, unknown)))}")
    for key in ("slack", "email_conn"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not _CONN_ID.fullmatch(value)):
            raise ConfigError(
                f"deliver.{key} must be an Airflow connection id, not {str(value)[:80]!r}"
            )
    emails = _list(raw, "email")
    bad = [e for e in emails if not _EMAIL.fullmatch(e)]
    if bad:  # a CR or LF in an address would add mail headers
        raise ConfigError(f"deliver.email holds what is not one address: {bad[0][:80]!r}")
    if not isinstance(raw.get("log", False), bool):
        raise ConfigError("deliver.log must be true or false")
    return Delivery(
        slack=raw.get("slack"),
        email=emails,
        email_conn=raw.get("email_conn"),
        log=raw.get("log", False),
        schedule=parse_schedule(raw.get("schedule", "each")),
    )


def _known_topics(settings: Settings | None) -> set[str] | None:
    if settings is None:
        return None
    topics = read_yaml(settings.topics_path).get("topics")
    return set(topics) if isinstance(topics, dict) else None
