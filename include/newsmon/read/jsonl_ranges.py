"""JSON Lines archives: cut into byte ranges that workers read in parallel, record by record.

A ``.jsonl`` file has no whole-file size limit. :func:`plan` cuts it at line ends into
ranges of about :data:`RANGE_BYTES`, each a work item that carries the number of its first
line (so errors still say ``file.jsonl#L1234``); :func:`read_range` streams one range, a
record at a time, refusing a record longer than the per-record limit without holding it.

Appends are read incrementally: the store remembers how far a file was read (``read_bytes``,
``read_lines``) and a hash of its head; when the file has only grown since (same head, the
byte before ``read_bytes`` a line end), only the new bytes are planned. A last line without
its line end that does not parse is a record still being written: it is left for the next
run, not reported.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from dataclasses import replace
from typing import Any

from newsmon.records import IngestError, RawDoc
from newsmon.textio import NotText, decode_bytes

RANGE_BYTES = 1_000_000
HEAD_BYTES = 65_536
WIDE_MAX_BYTES = 50_000_000  # a UTF-16/32 file is read whole (its line ends are two bytes+)
_BLOCK = 1 << 20
_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _wide(path: str) -> bool:
    """A UTF-16 or UTF-32 file (by its byte order mark): not cut into byte ranges."""
    with open(path, "rb") as fh:
        return fh.read(4).startswith(_WIDE_BOMS)


def head_hash(path: str, size: int) -> str:
    """Hash of the first ``min(size, HEAD_BYTES)`` bytes: tells an append from a rewrite."""
    with open(path, "rb") as fh:
        return hashlib.sha1(fh.read(min(size, HEAD_BYTES))).hexdigest()[:20]


def resume_point(path: str, size: int, known: dict[str, Any] | None) -> tuple[int, int]:
    """``(byte offset, line number)`` to read ``path`` from: after what was read before if
    the file has only grown since, else from its start."""
    if not known or not known.get("read_bytes") or known.get("head") is None:
        return 0, 1
    done = int(known["read_bytes"])
    if size < done or head_hash(path, min(size, int(known["head_bytes"]))) != known["head"]:
        return 0, 1
    with open(path, "rb") as fh:
        fh.seek(done - 1)
        if fh.read(1) != b"\n":
            return 0, 1
    return done, int(known["read_lines"]) + 1


def plan(ref: Any, start: int = 0, line: int = 1, range_bytes: int = RANGE_BYTES) -> list[Any]:
    """``ref`` (a :class:`~newsmon.read.files.FileRef`) cut into ranges from ``start``, at line ends.

    Reads the file once in blocks, counting line ends, so each range knows its first line.
    """
    if _wide(ref.path):
        return [replace(ref, start=0, end=ref.size, line=1)]
    out = []
    pos, first = start, line
    with open(ref.path, "rb") as fh:
        fh.seek(start)
        while pos < ref.size or not out:
            lines, left = 0, range_bytes
            while left > 0:
                block = fh.read(min(_BLOCK, left))
                if not block:
                    break
                lines += block.count(b"\n")
                left -= len(block)
            if left <= 0:  # go on to the end of the line the range stops in
                while True:
                    piece = fh.readline(_BLOCK)
                    lines += piece.count(b"\n")
                    if not piece or piece.endswith(b"\n"):
                        break
            end = fh.tell()
            out.append(replace(ref, start=pos, end=end, line=first))
            pos, first = end, first + lines
            if end >= ref.size:
                break
    return out


def read_range(
    ref: Any, max_record_bytes: int, record_to_doc: Any
) -> tuple[list[RawDoc], list[IngestError], int, int]:
    """Documents and errors of one range; the byte offset after its last complete record
    and the number of lines read (both to resume from next time)."""
    docs: list[RawDoc] = []
    errors: list[IngestError] = []
    if ref.start == 0 and _wide(ref.path):
        return _read_wide(ref, max_record_bytes, record_to_doc)
    end = ref.size if ref.end is None else ref.end
    lineno, read_to = ref.line - 1, ref.start
    with open(ref.path, "rb") as fh:
        fh.seek(ref.start)
        while fh.tell() < end:
            raw = fh.readline(max_record_bytes + 1)
            if not raw:
                break
            lineno += 1
            where = f"{ref.path}#L{lineno}"
            if len(raw) > max_record_bytes and not raw.endswith(b"\n"):
                size = len(raw) + _skip_line(fh)
                errors.append(
                    IngestError(
                        where,
                        "read",
                        f"record too large (over the {max_record_bytes / 1e6:g} MB limit)",
                        f"{size / 1e6:.1f} MB",
                    )
                )
                read_to = fh.tell()
                continue
            complete = raw.endswith(b"\n")
            if not raw.strip():
                read_to = fh.tell()
                continue
            result = _parse(where, raw, record_to_doc)
            if not complete and isinstance(result, IngestError) and result.stage == "parse":
                lineno -= 1  # a record still being written: read it next time
                break
            read_to = fh.tell()
            (errors if isinstance(result, IngestError) else docs).append(result)
    return docs, errors, read_to, lineno - (ref.line - 1)


def _read_wide(
    ref: Any, max_record_bytes: int, record_to_doc: Any
) -> tuple[list[RawDoc], list[IngestError], int, int]:
    """A UTF-16/32 JSON Lines file, streamed a record at a time in one work item (its line
    ends are two or four bytes, so it is not cut into ranges). Records end at "\n" only:
    JSON text may hold U+2028, U+0085 and other characters ``str.splitlines`` would cut
    at. Code units that do not decode become U+FFFD in their record alone."""
    if ref.size > WIDE_MAX_BYTES:
        reason = "UTF-16/32 JSON Lines file too large (over the 50 MB limit)"
        return [], [IngestError(ref.path, "read", reason, f"{ref.size / 1e6:.1f} MB")], 0, 0
    with open(ref.path, "rb") as fh:
        bom = fh.read(4)
    encoding = "utf-32" if bom.startswith(_WIDE_BOMS[:2]) else "utf-16"
    limit = max_record_bytes // 2  # characters: at least two bytes each
    docs: list[RawDoc] = []
    errors: list[IngestError] = []
    lineno = 0
    with open(ref.path, encoding=encoding, errors="replace", newline="\n") as fh:
        while line := fh.readline(limit + 1):
            lineno += 1
            where = f"{ref.path}#L{lineno}"
            if len(line) > limit and not line.endswith("\n"):
                while (rest := fh.readline(_BLOCK)) and not rest.endswith("\n"):
                    pass  # the rest of a record too large to hold
                reason = f"record too large (over the {max_record_bytes / 1e6:g} MB limit)"
                errors.append(IngestError(where, "read", reason))
                continue
            if line.strip():
                result = _parse(where, line.encode("utf-8", "replace"), record_to_doc)
                (errors if isinstance(result, IngestError) else docs).append(result)
        read_to = fh.buffer.tell()
    return docs, errors, read_to, lineno


def _skip_line(fh: Any) -> int:
    skipped = 0
    while True:
        piece = fh.readline(_BLOCK)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped


def _parse(where: str, raw: bytes, record_to_doc: Any) -> RawDoc | IngestError:
    """One record; a problem's reason leaves the line number to ``where`` (``file#L12``), so
    the reasons of a burst of bad records group."""
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        try:  # JSON Lines should be UTF-8; an old archive may be in a legacy charset
            text = decode_bytes(raw)[0]
        except NotText as exc:
            return IngestError(where, "parse", str(exc))
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return IngestError(where, "parse", f"malformed JSON: {exc.msg}")
    except RecursionError:
        return IngestError(where, "parse", "JSON nested too deeply")
    return record_to_doc(where, record)
