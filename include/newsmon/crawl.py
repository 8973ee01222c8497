"""One fetch cycle over the configured sources: feeds and URL lists to documents.

For a feed: a conditional GET (ETag / Last-Modified) and a hash of the body, so an
unchanged feed costs one request and no parsing; feedparser reads RSS 0.9x/1.0/2.0 and
Atom, also malformed or non-UTF-8 ones where it can. Only links not fetched before are
downloaded (up to ``max_articles`` per source). Each page is kept gzip-compressed by content
hash (for ``newsmon reextract``), extracted with :mod:`newsmon.extract`, and becomes a
:class:`RawDoc` with its date's provenance (page ``meta``, ``url``, ``feed``, else
``fetched``). Every failure is an :class:`IngestError` with the URL, stage and reason.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsmon.config import ConfigError, read_yaml
from newsmon.dedup import canonical_url
from newsmon.fetch import Fetcher, FetchResult
from newsmon.models import IngestError, RawDoc
from newsmon.textio import NotText, decode_bytes

log = logging.getLogger(__name__)

_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Source:
    name: str
    type: str  # feed | urls
    url: str | None = None
    urls: tuple[str, ...] = ()
    lang: str | None = None
    allow_private: bool = False
    max_articles: int = 50


def load_sources(path: str | Path) -> list[Source]:
    raw = read_yaml(path).get("sources")
    if not isinstance(raw, list):
        raise ConfigError(f"{path}: 'sources' must be a list")
    out, names = [], set()
    for i, item in enumerate(raw):
        if (
            not isinstance(item, dict)
            or not item.get("name")
            or item.get("type") not in ("feed", "urls")
        ):
            raise ConfigError(f"{path}: source #{i + 1} needs a name and a type (feed or urls)")
        if item["name"] in names:
            raise ConfigError(f"{path}: source name {item['name']!r} is used twice")
        names.add(item["name"])
        if item["type"] == "feed" and not item.get("url"):
            raise ConfigError(f"{path}: feed source {item['name']!r} has no url")
        if item["type"] == "urls" and not item.get("urls"):
            raise ConfigError(f"{path}: urls source {item['name']!r} has no urls")
        unknown = set(item) - {
            "name",
            "type",
            "url",
            "urls",
            "lang",
            "allow_private",
            "max_articles",
        }
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
            )
        )
    return out


@dataclass
class CycleResult:
    docs: list[RawDoc] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    feed_state: list[dict[str, Any]] = field(default_factory=list)
    fetched: list[dict[str, Any]] = field(default_factory=list)
    feeds_unchanged: int = 0


def _charset(content_type: str | None) -> str | None:
    m = re.search(r"charset=([\w-]+)", content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_html(body: bytes, content_type: str | None) -> str:
    declared = _charset(content_type)
    if declared:
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(body)[0]


def store_raw(raw_dir: Path, body: bytes) -> tuple[str, str]:
    """Keep a page compressed under its content hash; ``(hash, relative path)``."""
    digest = hashlib.sha256(body).hexdigest()
    rel = f"{digest[:2]}/{digest}.html.gz"
    path = raw_dir / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(body, compresslevel=6))
        tmp.replace(path)
    return digest, rel


def _entry_date(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def page_doc(
    res: FetchResult,
    source: Source,
    raw_dir: Path,
    now: datetime,
    feed_title: str | None = None,
    feed_date: datetime | None = None,
) -> tuple[RawDoc | IngestError, dict[str, Any]]:
    """A fetched page as a document (or the reason it is not one), and its fetch record."""
    from newsmon.extract import extract_article

    record = {
        "url": res.url,
        "canonical_url": canonical_url(res.url),
        "source": source.name,
        "status": res.status,
        "fetched_at": now.isoformat(),
        "final_url": res.final_url,
        "content_hash": None,
        "raw_path": None,
        "error": res.error,
    }
    if not res.ok:
        return IngestError(res.url, "fetch", res.error or f"HTTP {res.status}"), record
    ctype = res.headers.get("content-type", "")
    if ctype and ctype.split(";")[0].strip().lower() not in _HTML_TYPES:
        record["error"] = f"not an article (content type {ctype.split(';')[0].strip()})"
        return IngestError(res.url, "fetch", record["error"]), record
    digest, rel = store_raw(raw_dir, res.body)
    record |= {"content_hash": digest, "raw_path": rel}
    try:
        html = decode_html(res.body, ctype)
        page = extract_article(html, res.final_url)
    except (NotText, ValueError) as exc:
        record["error"] = str(exc)
        return IngestError(res.url, "extract", str(exc)), record
    except Exception as exc:  # the extractors raise assorted types on odd markup
        record["error"] = f"parse error: {type(exc).__name__}: {exc}"
        return IngestError(res.url, "extract", record["error"]), record
    published, date_source = page.published_at, page.date_source
    if date_source != "meta" and feed_date is not None:
        published, date_source = feed_date, "feed"  # a feed's date beats one guessed from the URL
    if published is None:
        published, date_source = now, "fetched"
    doc = RawDoc(
        origin=res.url,
        kind="html",
        text=page.text,
        title=page.title or feed_title,
        url=page.canonical_url or res.final_url,
        published_at=published,
        date_source=date_source,
        source=source.name,
        lang=page.lang or source.lang,
        authors=page.authors,
    )
    return doc, record


def run_cycle(
    sources: list[Source],
    state: dict[str, dict[str, Any]],
    seen: set[str],
    fetcher: Fetcher,
    raw_dir: Path,
    now: datetime,
) -> CycleResult:
    """Fetch every source once. ``state``: per feed its etag, last_modified, content_hash;
    ``seen``: canonical URLs already fetched (not downloaded again)."""
    import feedparser

    out = CycleResult()
    for source in sources:
        try:
            _run_source(source, state, seen, fetcher, raw_dir, now, out, feedparser)
        except Exception as exc:  # one broken source never stops the others
            log.exception("source %s failed", source.name)
            out.errors.append(
                IngestError(
                    source.url or source.name,
                    "fetch",
                    f"unexpected error: {type(exc).__name__}: {exc}",
                )
            )
    return out


def _run_source(
    source: Source,
    state: dict[str, dict[str, Any]],
    seen: set[str],
    fetcher: Fetcher,
    raw_dir: Path,
    now: datetime,
    out: CycleResult,
    feedparser: Any,
) -> None:
    if source.type == "urls":
        links: list[tuple[str, str | None, datetime | None]] = [
            (u, None, None) for u in source.urls
        ]
    else:
        links = _feed_links(source, state.get(source.name, {}), fetcher, now, out, feedparser)
    taken = 0
    for link, title, date in links:
        canon = canonical_url(link)
        if canon in seen or taken >= source.max_articles:
            continue
        seen.add(canon)
        taken += 1
        res = fetcher.get(link, allow_private=source.allow_private)
        doc, record = page_doc(res, source, raw_dir, now, title, date)
        out.fetched.append(record)
        (out.errors if isinstance(doc, IngestError) else out.docs).append(doc)


def _feed_links(
    source: Source,
    prev: dict[str, Any],
    fetcher: Fetcher,
    now: datetime,
    out: CycleResult,
    feedparser: Any,
) -> list[tuple[str, str | None, datetime | None]]:
    """The feed's entries when it changed; [] when it did not, or could not be read."""
    res = fetcher.get(
        source.url,
        allow_private=source.allow_private,
        etag=prev.get("etag"),
        last_modified=prev.get("last_modified"),
    )
    row = {
        "source": source.name,
        "url": source.url,
        "checked_at": now.isoformat(),
        "status": res.status,
        "etag": prev.get("etag"),
        "last_modified": prev.get("last_modified"),
        "content_hash": prev.get("content_hash"),
        "error": res.error,
    }
    out.feed_state.append(row)
    if res.not_modified:
        out.feeds_unchanged += 1
        return []
    if not res.ok:
        out.errors.append(IngestError(source.url, "feed", res.error or f"HTTP {res.status}"))
        return []
    digest = hashlib.sha256(res.body).hexdigest()
    row |= {"etag": res.headers.get("etag"), "last_modified": res.headers.get("last-modified")}
    if digest == prev.get("content_hash"):
        out.feeds_unchanged += 1
        return []
    parsed = feedparser.parse(
        res.body, response_headers={"content-type": res.headers.get("content-type", "")}
    )
    if not parsed.entries:
        row["error"] = f"feed parse error: {parsed.get('bozo_exception') or 'no entries'}"
        out.errors.append(IngestError(source.url, "feed", row["error"]))
        return []
    row["content_hash"] = digest
    return [
        (e.get("link"), e.get("title"), _entry_date(e)) for e in parsed.entries if e.get("link")
    ]
