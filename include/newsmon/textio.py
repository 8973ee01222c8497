"""Bytes to text: encoding detection and the checks that refuse non-text input."""

from __future__ import annotations

import unicodedata
from typing import Any

from charset_normalizer import from_bytes


class NotText(ValueError):
    """The bytes are not usable text (binary, empty or undecodable); the message says why."""


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; raise :class:`NotText` with a plain reason otherwise."""
    if not data.strip():
        raise NotText("empty file")
    head = data[:8192]
    if b"\x00" in head and not head.startswith(_BOMS[1:]):
        raise NotText("binary content (NUL bytes), not a text document")
    try:
        # The fast path covers almost all input; strict so that cp1251 or latin-1 fall through.
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    results = list(from_bytes(data))
    if not results:
        raise NotText("could not detect the text encoding")
    best = _prefer_common(results)
    text = str(best)
    if _control_ratio(text) > 0.02:
        raise NotText(f"binary or undecodable content (best guess {best.encoding})")
    return text, best.encoding


# charset-normalizer often scores several single-byte code pages exactly alike on short texts
# (cp1250 and cp1252 for Portuguese, say). Among such ties, take the one news sites use most.
_COMMON = (
    "cp1252",
    "latin_1",
    "iso8859_15",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "utf_16",
    "cp1250",
    "iso8859_2",
)


def _prefer_common(results: list[Any]) -> Any:
    top = results[0]
    tied = [
        r
        for r in results
        if abs(r.chaos - top.chaos) < 1e-9 and abs(r.coherence - top.coherence) < 0.01
    ]
    for name in _COMMON:
        for r in tied:
            if r.encoding == name or name in r.could_be_from_charset:
                return r
    return top


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 1.0
    bad = sum(
        1
        for ch in sample
        if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Cs", "Co")
    )
    return bad / len(sample)
