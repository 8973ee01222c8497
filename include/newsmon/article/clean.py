"""Clean article text: publisher boilerplate out, every sentence of the story kept.

Works on lines (paragraphs). A line is dropped only when a rule in
``include/config/cleaning.yaml`` matches it, when it repeats the headline or the line
before it, or when it is a dateline or copyright line whose date or outlet is kept as
metadata. Text files get their title from the first line left standing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from newsmon.read.boilerplate import CleanRules, Outlet, Rule, load_rules, related_start
from newsmon.read.dates import best_date
from newsmon.records import RawDoc
from newsmon.textio import MAX_TITLE_CHARS, sanitize_field


@dataclass
class CleanedDoc:
    title: str
    text: str
    published_at: datetime | None
    date_source: str | None
    source: str | None
    removed: list[tuple[str, str]] = field(default_factory=list)  # (reason, line)


# runs of blanks become one space; a lone plain space (most matches) is left alone
_SPACE = re.compile(
    r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)
# zero-width space, word joiner, BOM and soft hyphen go; a zero-width (non-)joiner goes only
# inside a word ("mobil\u200dization"): between emoji it joins a sequence ("🧑\u200d🚒" is
# one firefighter, not a person and a fire engine)
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u00ad]|(?<=\w)[\u200c\u200d](?=\w)")
_BULLET = re.compile(r"^[•·▪►\-–—*]\s+")
_COPYRIGHT = re.compile(
    r"^(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*[-–]?\s*(?:(?:19|20)\d\d)?\s*)?"
    r"(?P<name>[^|,;]{2,60}?)\s*(?:(?:19|20)\d\d)?\s*\.?$",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"\d")
_DATELINE_WORDS = re.compile(
    r"\b(date|published|updated|posted|by|on|at|опубликовано|обновлено|оновлено|опубліковано)\b",
    re.IGNORECASE,
)


# the characters the two patterns above look for: most texts hold none, and testing for each
# with ``in`` (a C scan) is ~20x cheaper than a regex pass over the text
_ODD_BLANKS = ("  ", "\t", "\u00a0", "\u202f", "\u205f", "\u3000") + tuple(
    map(chr, range(0x2000, 0x200B))
)
_INVISIBLES = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


def normalize_text(text: str) -> str:
    """NFC, one kind of newline, no invisible characters, single spaces inside lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    if any(ch in text for ch in _INVISIBLES):
        text = _INVISIBLE.sub("", text)
    if any(blank in text for blank in _ODD_BLANKS):
        text = _SPACE.sub(" ", text)
    return "\n".join(line.strip() for line in text.split("\n"))


_NON_WORD = re.compile(r"[\W_]+")


# the same once "_" is a space, leaving line breaks in place (an alternation, "[^\w\n]|_",
# is tried character by character: 1.7x slower)
_NON_WORD_IN_LINE = re.compile(r"[^\w\n]+")


def _keys(lines: list[str]) -> list[str]:
    """``[_key(line) for line in lines]`` in one pass over the text (lines hold no newline)."""
    if not lines:
        return []
    folded = "\n".join(lines).casefold().replace("_", " ")
    return [k.strip() for k in _NON_WORD_IN_LINE.sub(" ", folded).split("\n")]


def _key(line: str) -> str:
    """Comparison key for repeated lines: case, quotes and punctuation folded."""
    return _NON_WORD.sub(" ", line.casefold()).strip()


def _outlet_for(text: str, url: str | None, rules: CleanRules) -> Outlet | None:
    probe = (url or "") + "\n" + text[:3000] + "\n" + text[-3000:]
    lowered = probe.lower()
    for outlet in rules.outlets:
        if any(rule.search(probe, lowered) for rule in outlet.match):
            return outlet
    return None


def _dateline(line: str, index: int) -> datetime | None:
    """A short header line that is mostly a date (and maybe a byline)."""
    if index > 8 or len(line) > 100 or not _DIGIT.search(line):  # every date has a year
        return None
    hit = best_date(line)
    if hit is None:
        return None
    rest = (line[: hit.start] + line[hit.end :]).strip()
    rest = _DATELINE_WORDS.sub("", rest)
    rest = re.sub(r"[\d:.,|/-]+", " ", rest).strip()
    # What is left may be an author's name; a sentence would be longer.
    return hit.value if len(rest.split()) <= 4 else None


# Words that make a copyright line's "name" a rights notice, not an outlet.
_NOT_AN_OUTLET = re.compile(
    r"\brights?\b|\breserved\b|\bcopyright\b|\bpermission\b|\breproduc|\bgetty\b|reuters/|"
    r"shutterstock|\bправа\b|защищен|захищен|использован|використан|цитирован|цитуванн|"
    r"копирован|копіюванн|перепечат|передрук|ссылк|посиланн|материал|матеріал|разрешен|дозвол",
    re.IGNORECASE,
)
_LEGAL_FORM = re.compile(r"^(?:ооо|оао|зао|пао|ао|тов|пп|llc|ltd|inc)\.?\s+", re.IGNORECASE)


def host_name(url: str | None) -> str | None:
    """``https://www.meduza.io/news/1`` -> ``meduza.io``; None for no URL or a file path."""
    if not url or "://" not in url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    host = re.sub(r"^(?:www\d?|m|amp|mobile)\.", "", host)
    if not re.fullmatch(r"[\w.-]+\.[\w-]+", host) or host.replace(".", "").isdigit():
        return None
    return host


def _copyright_name(line: str) -> str | None:
    """The outlet a copyright line names ("© 2024 «Новая газета»" -> Новая газета), or None
    when what follows the sign is a rights notice ("Все права защищены", "All rights
    reserved", "Использование материалов разрешено…") rather than a name."""
    m = _COPYRIGHT.match(line)
    if not m:
        return None
    name = re.split(r"\.\s+|\s+[-–—|]\s+", m.group("name"))[0]  # the first sentence
    name = _LEGAL_FORM.sub("", name.strip(" .")).strip(" .«»\"'“”„")
    if not name or _NOT_AN_OUTLET.search(name) or len(name.split()) > 6:
        return None
    if not any(ch.isalpha() for ch in name):
        return None
    return name


def _split_glued_title(first: str, second: str | None) -> str:
    """'NewsDesertion in the Russian Army…' followed by 'Desertion in the Russian Army…'."""
    if second and first != second and first.endswith(second) and len(first) - len(second) <= 20:
        return second
    return first


def _is_sentence(line: str) -> bool:
    """A first line that reads as a story sentence rather than a headline."""
    return line.endswith((".", "…", ".”", '."', "!")) and len(line.split()) > 12


def clean_document(doc: RawDoc, rules: CleanRules | None = None) -> CleanedDoc:
    rules = rules or load_rules()
    text = normalize_text(doc.text)
    outlet = _outlet_for(text, doc.url, rules)
    removed: list[tuple[str, str]] = []
    nonblank, starts = _paragraph_lines(text)
    lines = _truncate(nonblank, rules, removed)
    meta = _Meta(doc.published_at, doc.date_source, doc.source)
    kept, opens = _kept_lines(lines, starts, doc.kind, rules, outlet, meta, removed)
    title, first_stays = _title(doc.title, kept, opens, removed)
    body, breaks = _body(kept, opens, _key(title), first_stays, doc.kind, removed)
    if outlet is not None and meta.source is None:
        meta.source = outlet.name
    return CleanedDoc(
        title=title or (sanitize_field(body[0], MAX_TITLE_CHARS) or "" if body else ""),
        text="".join(b + line for b, line in zip(breaks, body, strict=True))[len(breaks[0]) :]
        if body
        else "",
        published_at=meta.published_at,
        date_source=meta.date_source,
        source=meta.source,
        removed=removed,
    )


@dataclass
class _Meta:
    """What the text may tell about the document when its record does not."""

    published_at: datetime | None
    date_source: str | None
    source: str | None


def _paragraph_lines(text: str) -> tuple[list[str], set[int]]:
    """The non-blank lines, and which of them begin a paragraph (follow a blank line): a
    post keeps its single line breaks (a list, a poem, lines of a statement); other texts
    are paragraphs, one a line."""
    starts: set[int] = set()
    nonblank: list[str] = []
    for line in text.split("\n"):
        if not line:
            starts.add(len(nonblank))
            continue
        nonblank.append(line)
    return nonblank, starts


def _kept_lines(
    lines: list[str],
    starts: set[int],
    kind: str,
    rules: CleanRules,
    outlet: Outlet | None,
    meta: _Meta,
    removed: list[tuple[str, str]],
) -> tuple[list[str], list[bool]]:
    """The lines no rule drops, and per kept line whether it begins a paragraph; a dateline
    or copyright line gives its date or outlet to ``meta`` and goes."""
    kept: list[str] = []
    opens: list[bool] = []
    outlet_drops = outlet.drop_lines if outlet else ()
    for index, line in enumerate(lines):
        when = _dateline(line, index)
        if when is not None:
            if meta.published_at is None:
                meta.published_at, meta.date_source = when, "text"
            removed.append(("dateline", line))
            continue
        if line.lower().startswith(("copyright", "©", "(c)")):
            name = _copyright_name(line)
            if name and meta.source is None and outlet is None:
                meta.source = name
            removed.append(("copyright", line))
            continue
        reason = _drop_reason(line, rules, outlet_drops)
        if reason:
            removed.append((reason, line))
            continue
        keep_mark = kind == "post"  # a post's "- " and "• " are its own list
        kept.append(_BULLET.sub("", line) if not keep_mark and _BULLET.match(line) else line)
        opens.append(index in starts)
    return kept, opens


def _drop_reason(line: str, rules: CleanRules, outlet_drops: tuple[Rule, ...]) -> str | None:
    hit = rules.anchored.match(line)
    if hit and hit.lastgroup:
        reason: str | None = rules.drop_lines[int(hit.lastgroup[1:])][0]
    else:
        low = line.lower()
        # a line holding none of the rules' required words needs only the rules without any
        hint = rules.floating_hint
        todo = rules.floating if hint is None or hint.search(low) else rules.floating_bare
        reason = next((r for r, rule in todo if rule.search(line, low)), None)
    if reason is None and any(rule.search(line, line.lower()) for rule in outlet_drops):
        reason = "outlet"
    return reason


def _title(
    given: str | None, kept: list[str], opens: list[bool], removed: list[tuple[str, str]]
) -> tuple[str, bool]:
    """The title, from the record or else the first line; and whether that first line also
    stays in the story."""
    title = (given or "").strip()
    first_stays = False
    if not title and kept:
        title = _split_glued_title(kept[0], kept[1] if len(kept) > 1 else None)
        # A lede sentence doubles as title but stays in the story; so does the only line
        # (a one-paragraph article is text, whatever it ends with) and a line too long to be
        # a headline, whose title is then cut short.
        first_stays = _is_sentence(kept[0]) or len(kept) == 1 or len(kept[0]) > MAX_TITLE_CHARS
        if not first_stays:
            removed.append(("headline", kept.pop(0)))
            opens.pop(0)
        title = sanitize_field(title, MAX_TITLE_CHARS) or ""
    return title, first_stays


def _body(
    kept: list[str],
    opens: list[bool],
    title_key: str,
    first_stays: bool,
    kind: str,
    removed: list[tuple[str, str]],
) -> tuple[list[str], list[str]]:
    """The story's lines without repeats of the title or of the line before, and what goes
    before each (a paragraph break, or a post's own line break)."""
    body: list[str] = []
    breaks: list[str] = []
    previous = None
    for i, (line, key) in enumerate(zip(kept, _keys(kept), strict=True)):
        # a line with no word (an emoji, a rule of dashes) is never a repeat of another, and
        # a post's lines are all its author's (its title is not one of them)
        repeated = (key == title_key and not (i == 0 and first_stays)) or key == previous
        if key and repeated and kind != "post":
            removed.append(("repeated", line))
            continue
        breaks.append("\n\n" if kind != "post" or opens[i] else "\n")
        body.append(line)
        previous = key
    return body, breaks


def _truncate(lines: list[str], rules: CleanRules, removed: list[tuple[str, str]]) -> list[str]:
    start = related_start(lines, rules)
    if start is None:
        return lines
    removed.extend(("related_links", t) for t in lines[start:])
    return lines[:start]
