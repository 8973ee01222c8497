"""Bytes to text: encoding detection and the checks that refuse non-text input."""

from __future__ import annotations

import re
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
        return sanitize_text(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith(_BOMS[1:]):
        try:
            return sanitize_text(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            pass
    # Only the code pages news in our languages is written in: left free, charset-normalizer
    # reads a few accented letters in English text as cp775, cp857 or Big5 ("crème" -> "cr×me").
    results = list(from_bytes(data, cp_isolation=list(_CANDIDATES)))
    if not results:  # too little text to judge: Western European is the likeliest page
        text = data.decode("cp1252", errors="replace")
        if _control_ratio(text) > 0.02 or text.count("\ufffd") > len(text) // 50:
            raise NotText("could not detect the text encoding")
        return sanitize_text(text), "cp1252"
    best = _prefer_common(results)
    text = str(best)
    if _control_ratio(text) > 0.02:
        raise NotText(f"binary or undecodable content (best guess {best.encoding})")
    return sanitize_text(text), best.encoding


_CANDIDATES = (
    "cp1252",
    "cp1251",
    "koi8_r",
    "koi8_u",
    "cp1250",
    "iso8859_15",
    "latin_1",
    "iso8859_2",
    "mac_cyrillic",
    "cp866",
)


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


# -- text from outside, cleaned once where it enters ------------------------------------------

# NUL and C0/C1 control characters other than tab and line breaks; lone UTF-16 surrogates
# (JSON "\ud800" decodes to one; they cannot be encoded as UTF-8 and crash every writer).
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_TITLE_CHARS = 300


def sanitize_text(value: str) -> str:
    """``value`` without control characters, NUL or lone surrogates (form feed -> newline)."""
    if _UNWANTED.search(value) is None:
        return value
    return _UNWANTED.sub(lambda m: "\n" if m.group() == "\x0c" else "", value)


def sanitize_field(value: object, max_chars: int | None = None) -> str | None:
    """A short text field (title, author, outlet, language) from outside: sanitised, on one
    line, at most ``max_chars`` (cut at a word with an ellipsis); ``None`` when empty."""
    if not isinstance(value, str):
        return None
    text = " ".join(sanitize_text(value).split())
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut[max_chars // 2 :] else cut) + "\u2026"
    return text or None
