"""HTML and CSV for the console pages.

Templates (``templates/*.html``) are Jinja2 with autoescaping on, so every title, snippet,
outlet and URL from an article is HTML-escaped, attributes included. Links are made only of
``http``/``https`` URLs (:func:`web_url`); anything else (``javascript:``, ``data:``, a file
path) is shown as text. CSV cells that a spreadsheet would run as a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return first) are prefixed with ``'`` (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def web_url(url: Any) -> str | None:
    """``url`` if it is an absolute http(s) URL with a host, else None (not a link)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if any(ord(c) < 32 or c == "\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def when(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return str(value)


def plural(value: Any, one: str, many: str | None = None) -> str:
    """``1 copy``, ``3 copies``: a count with its noun (``many`` defaults to ``one`` + s)."""
    n = 0 if value is None else value
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(web_url=web_url, when=when, number=number, plural=plural)
    return env


_ENV = environment()


def render(template: str, **context: Any) -> str:
    return _ENV.get_template(template).render(**context)


def cell(value: Any) -> str:
    """One CSV cell: dates in ISO form, lists joined, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, list | tuple):
        text = "; ".join(cell(v) for v in value)
    elif isinstance(value, int | float):
        return str(value)  # a number is data, even a negative one
    else:
        text = str(value)
    if text.startswith(_FORMULA):
        text = "'" + text
    return text


def to_csv(columns: list[str], records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in records:
        writer.writerow([cell(r.get(c)) for c in columns])
    return out.getvalue()
