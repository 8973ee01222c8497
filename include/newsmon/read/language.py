"""An article's language: the one its source declares, else the one detected in its text.

Declared languages (an HTML ``lang`` attribute, a JSON record's ``lang``, a feed's or a
source's setting) are normalised to ISO 639-1 (``ru-RU`` -> ``ru``). Where none is declared,
lingua (offline models in its wheel, nothing downloaded) picks among the languages news
about the war comes in, in its low-accuracy mode (trigram models), among the languages of the sample's script, which still tells Russian from Ukrainian on a sentence.
A text too short or too mixed to call stays without a language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

SAMPLE_CHARS = 300  # the title and this much of the text decide
MIN_LETTERS = 12  # fewer letters than this: no call
MIN_CONFIDENCE = 0.6

# The candidates, by script: a sample is judged among the languages of the script most of
# its letters are in (fewer candidates: faster, and no Czech for Russian gibberish).
_CYRILLIC = ("RUSSIAN", "UKRAINIAN", "BELARUSIAN", "KAZAKH", "BULGARIAN", "SERBIAN")
_LATIN = (
    "ENGLISH",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "PORTUGUESE",
    "ITALIAN",
    "POLISH",
    "DUTCH",
    "ROMANIAN",
    "TURKISH",
    "AZERBAIJANI",
)
_OWN_SCRIPT = {"GEORGIAN": ("\u10a0", "\u10ff"), "ARMENIAN": ("\u0530", "\u058f")}
_DECLARED = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*\s*$")


def normalise(lang: str | None) -> str | None:
    """A declared language as an ISO 639-1 code (``en-GB`` -> ``en``); None if unreadable."""
    if not lang:
        return None
    m = _DECLARED.match(lang)
    if not m:
        return None
    code = m.group(1).lower()
    return {"rus": "ru", "ukr": "uk", "eng": "en", "ua": "uk"}.get(
        code, code if len(code) == 2 else None
    )


@lru_cache(maxsize=2)
def _detector(script: str) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    names = _CYRILLIC if script == "cyrillic" else _LATIN
    return (
        LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in names))
        .with_low_accuracy_mode()
        .build()
    )


def detect(title: str | None, text: str) -> str | None:
    """The ISO 639-1 code of the language of ``title`` and the start of ``text``, or None."""
    sample = f"{title or ''}\n{text[:SAMPLE_CHARS]}"
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) < MIN_LETTERS:
        return None
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in letters if ch.isascii())
    for name, (low, high) in _OWN_SCRIPT.items():
        if sum(1 for ch in letters if low <= ch <= high) > len(letters) / 2:
            return {"GEORGIAN": "ka", "ARMENIAN": "hy"}[name]
    if max(cyrillic, latin) < len(letters) / 2:
        return None  # another script, or a mixture: no call
    detector = _detector("cyrillic" if cyrillic >= latin else "latin")
    values = detector.compute_language_confidence_values(sample)
    if not values or values[0].value < MIN_CONFIDENCE:
        return None
    return values[0].language.iso_code_639_1.name.lower()


def language_of(
    declared: str | None, title: str | None, text: str
) -> tuple[str | None, str | None]:
    """``(lang, lang_source)``: the declared language (``declared``), else the detected one
    (``detected``), else ``(None, None)``."""
    lang = normalise(declared)
    if lang:
        return lang, "declared"
    found = detect(title, text)
    return (found, "detected") if found else (None, None)
