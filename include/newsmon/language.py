"""An article's language: the one its source declares, else the one detected in its text.

Declared languages (an HTML ``lang`` attribute, a JSON record's ``lang``, a feed's or a
source's setting) are normalised to ISO 639-1 (``ru-RU`` -> ``ru``). Where none is declared,
lingua (offline models in its wheel, nothing downloaded) picks among the languages news
about the war comes in, in its low-accuracy mode (trigram models: 40 MB, ~0.3 ms for the
title and first 400 characters), which still tells Russian from Ukrainian on a sentence.
A text too short or too mixed to call stays without a language.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

SAMPLE_CHARS = 400  # the title and this much of the text decide
MIN_LETTERS = 12  # fewer letters than this: no call
MIN_CONFIDENCE = 0.6

_LANGS = (
    "ENGLISH",
    "RUSSIAN",
    "UKRAINIAN",
    "BELARUSIAN",
    "KAZAKH",
    "GERMAN",
    "FRENCH",
    "SPANISH",
    "PORTUGUESE",
    "ITALIAN",
    "POLISH",
    "ROMANIAN",
    "GEORGIAN",
    "ARMENIAN",
    "AZERBAIJANI",
    "TURKISH",
    "FINNISH",
    "ESTONIAN",
    "LATVIAN",
    "LITHUANIAN",
    "DUTCH",
    "CZECH",
)
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


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in _LANGS))
        .with_low_accuracy_mode()
        .build()
    )


def detect(title: str | None, text: str) -> str | None:
    """The ISO 639-1 code of the language of ``title`` and the start of ``text``, or None."""
    sample = f"{title or ''}\n{text[:SAMPLE_CHARS]}"
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    values = _detector().compute_language_confidence_values(sample)
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
