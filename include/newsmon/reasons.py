"""A problem's reason, split into the words that name it and the details that vary.

An ``ingest_errors`` row is one problem: its id is ``sha1(origin | stage | reason)``, and a
later run that meets the same problem adds one to its ``seen_count``. So ``reason`` must not
change between runs: a read time, a measured duration, a run id, a temporary path, a PID or
an object's address in an exception's text would make the same problem a new row each
time. Callers put what varies in ``detail`` themselves (``IngestError(..., detail=...)``);
:func:`split_reason` is the net under them, for texts newsmon does not write (a library's
exception message): each volatile piece becomes ``…`` in the reason and is kept, as it was,
in the detail.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
MAX_DETAIL_CHARS = 1000

# Each: a piece of text that differs from one run (or one process) to the next.
VOLATILE = re.compile(
    "|".join(
        (
            # a newsmon run id (ingest__20261206T083100Z__a1b2c3) or an Airflow one
            r"\b[a-z_]+__\d{8}T\d{6}Z__[0-9a-f]+\b",
            r"(?:manual|scheduled|asset_triggered|backfill|dataset_triggered)__[\w:.+-]+",
            # a date with a time of day, in ISO or SQL form, with its zone if any
            r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
            r"(?:\s?(?:UTC|GMT)|Z|[+-]\d{2}:?\d{2})?",
            # a time of day with seconds (a log line's clock)
            r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b",
            # a measured duration (configured limits are whole numbers: "after 15s" stays)
            r"\b\d+\.\d+\s?(?:ms|s|sec|secs|seconds|min|minutes)\b",
            # a temporary or staging path, to the end of the path
            r"(?:/tmp|/var/tmp|/dev/shm|/run/user)/[^\s'\"),;:]+",
            r"[^\s'\"(]*/staging/[^\s'\"),;:]+",
            r"\btmp[a-z0-9_]{6,}\b",
            # a process id, an object's address in a repr, an attempt counter
            r"\b(?:PID|pid)\s*[=:]?\s*\d+",
            r"\b0x[0-9a-fA-F]{6,}\b",
            r"\b(?:attempt|try|retry)\s*#?\d+",
        )
    )
)


def split_reason(reason: str, detail: str = "") -> tuple[str, str]:
    """``(stable reason, detail)``: the volatile pieces of ``reason`` moved to the detail,
    after the ``detail`` given."""
    moved: list[str] = []

    def move(m: re.Match[str]) -> str:
        moved.append(m.group(0))
        return ELLIPSIS

    stable = VOLATILE.sub(move, reason)
    parts = [p for p in (detail, ", ".join(moved)) if p]
    return stable, "; ".join(parts)[:MAX_DETAIL_CHARS]
