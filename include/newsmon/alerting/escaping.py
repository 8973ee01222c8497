"""Escaping what came from articles for each channel: links, Slack's control characters,
one-line subjects (see :mod:`newsmon.alerting.render`)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit


def safe_link(url: str | None) -> str | None:
    """``url`` fit to stand in a link, or None: http(s) with a host, nothing that could end
    a Slack ``<url|text>`` link or an HTML attribute (``<``, ``>``, ``|``, quotes, spaces and
    control characters are percent-encoded; a host that is not a valid name gives None)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+", host):
        return None
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{port}" if port else ""
    keep = "!#$%&'()*+,-./:;=?@~_[]"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=keep),
            quote(parts.query, safe=keep),
            quote(parts.fragment, safe=keep),
        )
    )


def slack_escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def subject_line(text: str, prefix: str) -> str:
    one_line = " ".join(text.split())
    subject = f"{prefix} {one_line}".strip()
    return subject if len(subject) <= 180 else subject[:179] + "\u2026"
