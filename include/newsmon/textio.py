"""Bytes to text: encoding detection and the checks that refuse non-text input."""

from __future__ import annotations

import unicodedata

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
    best = from_bytes(data).best()
    if best is None:
        raise NotText("could not detect the text encoding")
    text = str(best)
    if _control_ratio(text) > 0.02:
        raise NotText(f"binary or undecodable content (best guess {best.encoding})")
    return text, best.encoding


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
