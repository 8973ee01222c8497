"""The ``sources.yaml`` schema: which feeds, URL lists and Telegram channels newsmon reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from newsmon.config import ConfigError, read_yaml

CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")  # Telegram's public usernames


@dataclass(frozen=True)
class Source:
    name: str
    type: str  # feed | urls | telegram
    url: str | None = None
    urls: tuple[str, ...] = ()
    lang: str | None = None
    allow_private: bool = False
    max_articles: int = 50
    channel: str | None = None  # telegram: the public channel's username
    max_pages: int = 5  # telegram: preview pages read per cycle (newest first, then gaps)
    follow_links: bool = False  # telegram: fetch the article a link-only post points to
    pages: bool = True  # feed: fetch each entry's page; false: the entry's own text is the article


def load_sources(path: str | Path) -> list[Source]:
    """The sources of ``path``, checked: a name used once, a known type, what the type needs
    and no unknown key (a typo is an error, not a silently ignored option)."""
    raw = read_yaml(path).get("sources")
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: 'sources' must be a list")
    out, names = [], set()
    for i, item in enumerate(raw):
        if (
            not isinstance(item, dict)
            or not item.get("name")
            or item.get("type") not in ("feed", "urls", "telegram")
        ):
            raise ConfigError(
                f"{path}: source #{i + 1} needs a name and a type (feed, urls or telegram)"
            )
        if item["name"] in names:
            raise ConfigError(f"{path}: source name {item['name']!r} is used twice")
        names.add(item["name"])
        if item["type"] == "feed" and not item.get("url"):
            raise ConfigError(f"{path}: feed source {item['name']!r} has no url")
        if item["type"] == "urls" and not item.get("urls"):
            raise ConfigError(f"{path}: urls source {item['name']!r} has no urls")
        if item["type"] == "telegram" and not CHANNEL.match(str(item.get("channel") or "")):
            raise ConfigError(
                f"{path}: telegram source {item['name']!r} needs a public channel username"
                " (channel: 5-32 letters, digits or underscores)"
            )
        unknown = set(item) - {f.name for f in fields(Source)}
        if unknown:
            raise ConfigError(
                f"{path}: source {item['name']!r} has unknown key(s) {', '.join(sorted(unknown))}"
            )
        out.append(
            Source(
                name=str(item["name"]),
                type=item["type"],
                url=item.get("url"),
                urls=tuple(item.get("urls") or ()),
                lang=item.get("lang"),
                allow_private=bool(item.get("allow_private", False)),
                max_articles=int(item.get("max_articles", 50)),
                channel=item.get("channel"),
                max_pages=max(1, int(item.get("max_pages", 5))),
                follow_links=bool(item.get("follow_links", False)),
                pages=bool(item.get("pages", True)),
            )
        )
    return out
