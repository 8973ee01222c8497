"""Publisher boilerplate as rules: ``include/config/cleaning.yaml`` compiled, and the closing
block of related links that both the extractor and the cleaner cut.

:func:`load_rules` compiles the lines to drop (one anchored pattern tried at the line start,
the rest searched only when a literal they need is in the line), the outlets' own lines, and
the markers of a related-links block (``truncate_after``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsmon.config import CONFIG_DIR, ConfigError, read_yaml


@dataclass(frozen=True)
class Outlet:
    name: str
    match: tuple[Rule, ...]
    drop_lines: tuple[Rule, ...]


@dataclass(frozen=True)
class CleanRules:
    drop_lines: tuple[tuple[str, re.Pattern[str]], ...]  # (reason, pattern)
    anchored: re.Pattern[str]  # the drop_lines that start with ^, one pattern, group g<i>
    floating: tuple[tuple[str, Rule], ...]  # the rest: (reason, rule), searched one by one
    floating_hint: re.Pattern[str] | None  # any required literal of a floating rule (lowercase)
    floating_bare: tuple[tuple[str, Rule], ...]  # floating rules with no required literal
    truncate_after: tuple[re.Pattern[str], ...]
    truncate_max_line_chars: int
    outlets: tuple[Outlet, ...]


def _compile(patterns: list[str], where: str) -> tuple[re.Pattern[str], ...]:
    out = []
    for p in patterns or []:
        try:
            out.append(re.compile(p, re.IGNORECASE))
        except re.error as exc:
            raise ConfigError(f"bad pattern in cleaning rules ({where}): {p!r}: {exc}") from exc
    return tuple(out)


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Lowercased strings one of which every match must contain; () when none is known.

    Used as a substring test before the regex: ``"patron" in line`` runs at memchr speed,
    while a pattern that starts with ``\\b`` makes the regex engine try every position.
    """
    try:
        from re import _parser  # the stdlib's own regex parser (private, stable in 3.11)

        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - unexpected syntax: no prefilter, still correct
        return ()

    def literal(seq: object) -> str | None:
        out = ""
        for op, arg in seq:  # type: ignore[attr-defined]
            if op is not _parser.LITERAL:
                return None
            out += chr(arg)
        return out

    best: tuple[str, ...] = ()
    run = ""
    for op, arg in tree:
        if op is _parser.LITERAL:
            run += chr(arg)
            continue
        if op is _parser.AT:  # \b, ^, $ consume nothing
            continue
        if len(run) >= 3 and (not best or len(run) > min(map(len, best))):
            best = (run,)
        run = ""
        if op is _parser.SUBPATTERN and best == ():
            body = arg[-1]
            if len(body) == 1 and body[0][0] is _parser.BRANCH:
                alts = [literal(b) for b in body[0][1][1]]
                if all(a and len(a) >= 3 for a in alts):
                    best = tuple(alts)  # type: ignore[arg-type]
    if len(run) >= 3 and (not best or len(run) > min(map(len, best))):
        best = (run,)
    return (
        tuple(b.lower() for b in best) if all(b.lower().upper() == b.upper() for b in best) else ()
    )


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    literals: tuple[str, ...]

    @classmethod
    def of(cls, pattern: re.Pattern[str]) -> Rule:
        return cls(pattern, required_literals(pattern))

    def search(self, text: str, lowered: str) -> bool:
        if self.literals and not any(lit in lowered for lit in self.literals):
            return False
        return self.pattern.search(text) is not None


@lru_cache(maxsize=8)
def load_rules(path: str | Path = CONFIG_DIR / "cleaning.yaml") -> CleanRules:
    raw = read_yaml(path)
    drops: list[tuple[str, re.Pattern[str]]] = []
    for reason, patterns in (raw.get("drop_lines") or {}).items():
        drops.extend((reason, p) for p in _compile(patterns, f"drop_lines.{reason}"))
    outlets = tuple(
        Outlet(
            name=str(o["name"]),
            match=tuple(map(Rule.of, _compile(o.get("match", []), f"outlets.{o['name']}.match"))),
            drop_lines=tuple(
                map(Rule.of, _compile(o.get("drop_lines", []), f"outlets.{o['name']}.drop_lines"))
            ),
        )
        for o in raw.get("outlets") or []
    )
    # Patterns anchored at the line start are tried together at position 0 only (one
    # match call per line); a combined *search* would lose the engine's literal-prefix scan.
    anchored = re.compile(
        "|".join(
            f"(?P<g{i}>{p.pattern[1:]})"
            for i, (_, p) in enumerate(drops)
            if p.pattern.startswith("^")
        )
        or "(?!)",
        re.IGNORECASE,
    )
    floating = tuple((r, Rule.of(p)) for r, p in drops if not p.pattern.startswith("^"))
    literals = {lit for _, rule in floating for lit in rule.literals}
    return CleanRules(
        drop_lines=tuple(drops),
        anchored=anchored,
        floating=floating,
        floating_hint=re.compile("|".join(sorted(map(re.escape, literals), key=len, reverse=True)))
        if literals
        else None,
        floating_bare=tuple((r, rule) for r, rule in floating if not rule.literals),
        truncate_after=_compile(raw.get("truncate_after", []), "truncate_after"),
        truncate_max_line_chars=int(raw.get("truncate_max_line_chars", 140)),
        outlets=outlets,
    )


def related_start(lines: list[str], rules: CleanRules) -> int | None:
    """Where a closing block of related links starts: the first marker line
    (``truncate_after``) followed by nothing but short, headline-like lines. One pass from
    the end finds where those short lines begin, so a text of thousands of markers costs
    no more than one."""
    short_from = len(lines)
    while short_from > 0 and len(lines[short_from - 1].strip()) <= rules.truncate_max_line_chars:
        short_from -= 1
    for i in range(max(0, short_from - 1), len(lines)):
        if any(p.search(lines[i].strip()) for p in rules.truncate_after):
            return i
    return None


def cut_related_links(text: str, rules: CleanRules | None = None) -> str:
    """``text`` without its closing block of related links (see :func:`related_start`);
    the extractor uses it, with the shipped rules (it has no settings: a ``cleaning_path``
    of the user's applies in the cleaning stage), so that a page's body ends where the
    story does."""
    lines = text.split("\n")
    start = related_start(lines, rules or load_rules())
    return text if start is None else "\n".join(lines[:start]).rstrip()
