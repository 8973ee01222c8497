"""Find input files and read them into :class:`RawDoc` records.

Supported: ``.txt`` (title, date and outlet are found by the cleaner), ``.html``/``.htm``
(newspaper4k, offline), ``.json`` (one object or a list of objects) and ``.jsonl`` (one
object a line, streamed: see :mod:`newsmon.read.jsonl_ranges`) with the keys ``url``, ``title``, ``text``, ``published_at``, ``source``
and optionally ``lang``. Anything unusable becomes an :class:`IngestError` with a plain
reason; the other documents of the same file are still returned.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsmon.read.dates import parse_published
from newsmon.read.html import page_to_document
from newsmon.read.jsonl_ranges import read_range
from newsmon.records import IngestError, RawDoc
from newsmon.textio import NotText, decode_bytes


@dataclass(frozen=True, slots=True)  # slots: 100,000s of them may be listed
class FileRef:
    """A file to read; for JSON Lines, one byte range of it (see :mod:`newsmon.read.jsonl_ranges`)."""

    path: str
    size: int
    mtime_ns: int
    start: int = 0  # JSON Lines: the range [start, end) of this work item
    end: int | None = None
    line: int = 1  # the number of the range's first line
    head: str | None = None  # JSON Lines: hash of the file's first head_bytes bytes
    head_bytes: int = 0


def discover(
    paths: Iterable[str | Path], extensions: Iterable[str]
) -> tuple[list[FileRef], list[IngestError]]:
    """Every file under ``paths`` (files or folders, recursively), sorted, hidden ones skipped.

    Files of an unsupported type are reported as errors rather than silently ignored, so a
    user who drops a PDF into the inbox learns why nothing happened. So are broken or
    looping symbolic links, unreadable folders and anything that is not a regular file (a
    FIFO would block the reader forever); discovery goes on past each of them.

    Folders are listed with ``os.scandir`` and paths kept as strings: a rerun over 20,000
    unchanged files is mostly this walk (one ``stat`` per file, no path objects).
    """
    exts = {e.lower() for e in extensions}
    _REAL_DIRS.clear()  # folders may have been moved or relinked since the last call
    found: list[FileRef] = []
    errors: list[IngestError] = []
    seen: set[str] = set()
    for raw in paths:
        root = str(Path(raw).expanduser())  # normalised: "./inbox/" is "inbox"
        if not os.path.lexists(root):
            errors.append(IngestError(root, "discover", "path does not exist"))
            continue
        if os.path.isdir(root):
            items = _listed(root, exts, errors)
        else:
            suffix = _suffix(os.path.basename(root))
            if suffix.lower() in exts:
                items = [_file_ref(root, None)]
            else:
                items = [_unsupported(root, suffix)]
        for item in items:
            if isinstance(item, IngestError):
                errors.append(item)
            elif item.path not in seen:
                seen.add(item.path)
                found.append(item)
    return found, errors


def _suffix(name: str) -> str:
    """``pathlib.PurePath.suffix`` of a file name: ``a.tar.gz`` -> ``.gz``; none for ``a.``."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


_REAL_DIRS: dict[str, str] = {}


def _realpath(path: str, is_link: bool) -> str:
    """``os.path.realpath``, resolving each folder once: a file that is not a link is its
    real folder plus its name (resolving every path component of 20,000 files was a third
    of a rerun's time)."""
    if is_link:
        return os.path.realpath(path)
    parent, name = os.path.split(path)
    real = _REAL_DIRS.get(parent)
    if real is None:
        if len(_REAL_DIRS) > 10_000:
            _REAL_DIRS.clear()
        real = _REAL_DIRS[parent] = os.path.realpath(parent)
    return os.path.join(real, name)


def _unsupported(path: str, suffix: str) -> IngestError:
    return IngestError(path, "discover", f"unsupported file type '{suffix or '(none)'}'")


def _listed(root: str, exts: set[str], errors: list[IngestError]) -> list[FileRef | IngestError]:
    """Each file under the folder ``root``, as a reference or the reason it cannot be read,
    sorted by path components. Each entry is looked at as its folder is listed, so what is
    held for a tree of 100,000 files is the references, not the listings (a folder's
    entries, with their stat results, held until the whole tree was sorted made discovery
    of 100,000 files peak at ~100 MB)."""
    listed: list[tuple[str, FileRef | IngestError]] = []
    for entry in _walk(root, errors):
        suffix = _suffix(entry.name)
        if suffix.lower() in exts:
            item = _file_ref(entry.path, entry)
        else:
            item = _unsupported(entry.path, suffix)
        # sorted by path components: a separator sorts before any character a name has
        listed.append((entry.path.replace(os.sep, "\0"), item))
    listed.sort(key=lambda pair: pair[0])
    return [item for _, item in listed]


def _file_ref(path: str, entry: os.DirEntry[str] | None) -> FileRef | IngestError:
    """The file at ``path`` (its folder listing's ``entry``, when walked), or the reason it
    cannot be read."""
    try:
        is_link = entry.is_symlink() if entry is not None else os.path.islink(path)
        st = entry.stat() if entry is not None else os.stat(path)  # follows links
        real = _realpath(path, is_link)
    except OSError as exc:
        if os.path.islink(path):
            why = "symbolic link loop" if exc.errno == errno.ELOOP else "broken symbolic link"
            reason = f"{why} (points to {os.readlink(path)!r})"
        else:
            reason = f"cannot read: {exc.strerror or exc}"
        return IngestError(path, "discover", reason)
    if not stat.S_ISREG(st.st_mode):
        return IngestError(path, "discover", "not a regular file")
    return FileRef(real, st.st_size, st.st_mtime_ns)


def _walk(root: str, errors: list[IngestError]) -> Iterator[os.DirEntry[str]]:
    """The files under ``root`` as ``os.walk`` finds them: hidden files and folders skipped,
    a link to a folder neither descended into (no loops, no escapes) nor listed."""
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            errors.append(
                IngestError(
                    exc.filename or folder, "discover", f"cannot list folder: {exc.strerror}"
                )
            )
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows a link, as os.walk does
            except OSError:
                is_dir = False
            if not is_dir:
                yield entry
                continue
            try:  # a folder that went away since its listing is skipped, as os.walk does
                link = entry.is_symlink()
            except OSError:
                continue
            if not link:
                folders.append(entry.path)


def read_file(
    ref: FileRef, max_bytes: int, max_record_bytes: int = 5_000_000
) -> tuple[list[RawDoc], list[IngestError]]:
    """Read one file (or a JSON Lines range) into documents; never raises for bad content.

    ``max_bytes`` caps single-document files; JSON Lines have no whole-file cap, only
    ``max_record_bytes`` per record.
    """
    origin = ref.path
    if ref.path.lower().endswith(".jsonl"):
        docs, errors, _, _ = read_range(ref, max_record_bytes, record_to_doc)
        whole = ref.start == 0 and (ref.end is None or ref.end >= ref.size)
        if whole and not docs and not errors:
            errors.append(IngestError(origin, "parse", "empty file: no records in JSON Lines file"))
        return docs, errors
    if ref.size > max_bytes:
        return [], [
            IngestError(
                origin,
                "read",
                f"file too large (over the {max_bytes / 1e6:.0f} MB limit)",
                f"{ref.size / 1e6:.1f} MB",
            )
        ]
    try:
        data = Path(ref.path).read_bytes()
    except OSError as exc:
        return [], [IngestError(origin, "read", f"cannot read file: {exc.strerror or exc}")]
    try:
        text, _encoding = decode_bytes(data)
    except NotText as exc:
        return [], [IngestError(origin, "read", str(exc))]
    suffix = Path(ref.path).suffix.lower()
    if suffix == ".txt":
        return [RawDoc(origin=origin, kind="txt", text=text)], []
    if suffix in (".html", ".htm"):
        return _read_html(origin, text)
    if suffix == ".json":
        return _read_json(origin, text)
    return [], [IngestError(origin, "read", f"unsupported file type '{suffix}'")]


def _read_html(origin: str, html: str) -> tuple[list[RawDoc], list[IngestError]]:
    doc = page_to_document(html, origin=origin)
    if isinstance(doc, IngestError):
        return [], [IngestError(origin, "parse", doc.reason, doc.detail)]
    return [doc], []


def record_to_doc(origin: str, record: Any) -> RawDoc | IngestError:
    """One JSON object with ``url, title, text, published_at, source`` as a document."""
    if not isinstance(record, dict):
        return IngestError(origin, "parse", f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        # a headline-only item (a feed without summaries, a wire flash) is news too: its
        # headline is its text
        title = record.get("title")
        if not isinstance(title, str) or not title.strip():
            return IngestError(origin, "parse", "record has no 'text' and no 'title'")
        text = title
    published, note = parse_published(record.get("published_at"))

    def opt(key: str) -> str | None:
        value = record.get(key)
        return value.strip() or None if isinstance(value, str) else None

    return RawDoc(
        origin=origin,
        kind="json",
        text=text,
        title=opt("title"),
        url=opt("url"),
        published_at=published,
        date_source="json" if published else None,
        source=opt("source"),
        lang=opt("lang"),
        note=note,
    )


def _read_json(origin: str, text: str) -> tuple[list[RawDoc], list[IngestError]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [
            IngestError(
                origin,
                "parse",
                f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
            )
        ]
    except RecursionError:
        return [], [IngestError(origin, "parse", "malformed JSON: nested too deeply")]
    records = data if isinstance(data, list) else [data]
    return _split(
        [
            record_to_doc(f"{origin}#{i}" if len(records) > 1 else origin, r)
            for i, r in enumerate(records)
        ]
    )


def _split(results: list[RawDoc | IngestError]) -> tuple[list[RawDoc], list[IngestError]]:
    docs = [r for r in results if isinstance(r, RawDoc)]
    errors = [r for r in results if isinstance(r, IngestError)]
    return docs, errors
