"""Reading files: encodings, formats and every kind of bad input, each with a plain reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmon.read.files import FileRef, discover, read_file


def _ref(path: Path) -> FileRef:
    st = path.stat()
    return FileRef(str(path), st.st_size, st.st_mtime_ns)


def _read(path: Path, limit: int = 20_000_000):
    return read_file(_ref(path), limit)


RU = "Военкоматы начали рассылать повестки мужчинам призывного возраста.\n\nМобилизация продолжается."


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "utf-8", "utf-16"])
def test_cyrillic_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(("Повестки\n\n" + RU * 3).encode(encoding))
    docs, errors = _read(path)
    assert not errors
    assert "Мобилизация продолжается" in docs[0].text


def test_latin1_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Reportagem: a mobilização na Rússia e o protesto das mães.".encode("latin-1"))
    docs, _ = _read(path)
    assert "mobilização" in docs[0].text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 40, "binary content"),
        ("bad.json", b'{"title": "x", "text": ', "malformed JSON"),
        ("list.json", b"[1, 2]", "expected a JSON object"),
        ("notext.json", b'{"url": "u", "text": ""}', "record has no 'text' and no 'title'"),
        ("empty.jsonl", b"\n\n", "empty file"),
    ],
)
def test_bad_files_give_plain_reasons(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    docs, errors = _read(path)
    assert not docs
    assert errors and reason in errors[0].reason


def test_huge_file_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:  # sparse 50 MB file: nothing is written, nothing is read
        fh.truncate(50_000_000)
    docs, errors = _read(path, limit=20_000_000)
    assert not docs
    assert errors[0].reason == "file too large (over the 20 MB limit)"
    assert errors[0].detail == "50.0 MB"


def test_jsonl_bad_line_keeps_good_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    good = {
        "url": "https://a.org/1",
        "title": "T",
        "text": "Mobilisation news.",
        "published_at": "2023-11-20T10:00:00Z",
        "source": "A",
    }
    path.write_text(
        json.dumps(good) + "\n{not json\n" + json.dumps(good | {"url": "https://a.org/2"}) + "\n",
        encoding="utf-8",
    )
    docs, errors = _read(path)
    assert [d.url for d in docs] == ["https://a.org/1", "https://a.org/2"]
    assert (
        docs[0].origin.endswith("#L1") and docs[0].date_source == "json" and docs[0].source == "A"
    )
    assert (
        len(errors) == 1
        and errors[0].origin.endswith("#L2")
        and errors[0].reason.startswith("malformed JSON: ")
    )


def test_json_object_and_list(tmp_path: Path) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"title": "T", "text": "body"}), encoding="utf-8")
    many = tmp_path / "many.json"
    many.write_text(json.dumps([{"text": "a"}, {"text": "b"}, {"nope": 1}]), encoding="utf-8")
    assert len(_read(one)[0]) == 1
    docs, errors = _read(many)
    assert len(docs) == 2 and len(errors) == 1 and errors[0].origin.endswith("#2")


def test_html_parsed_offline(tmp_path: Path) -> None:
    """newspaper4k parses a page with nothing touching the network (the no_network fixture)."""
    path = tmp_path / "page.html"
    paragraphs = "".join(
        f"<p>Paragraph {i}: Russian authorities continued the covert mobilisation campaign in the regions, "
        "sending summonses to men of military age across the country.</p>"
        for i in range(6)
    )
    path.write_text(
        "<html lang='en'><head><title>Covert mobilisation</title>"
        "<link rel='canonical' href='https://news.example.org/covert-mobilisation'>"
        "<meta property='article:published_time' content='2023-11-20T10:00:00+00:00'></head>"
        f"<body><nav>Home | World</nav><article><h1>Covert mobilisation</h1>{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    docs, errors = _read(path)
    assert not errors
    doc = docs[0]
    assert doc.title == "Covert mobilisation"
    assert doc.url == "https://news.example.org/covert-mobilisation"
    assert "Paragraph 5" in doc.text and "Home | World" not in doc.text
    assert doc.published_at is not None and doc.date_source == "meta"


def test_html_without_article_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Menu</nav></body></html>", encoding="utf-8")
    docs, errors = _read(path)
    assert not docs and "no article text" in errors[0].reason


def test_discover_walks_folders_and_reports_unknown_types(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub" / "b.jsonl").write_text("x")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    (tmp_path / ".hidden.txt").write_text("x")
    refs, errors = discover([tmp_path, tmp_path / "missing"], [".txt", ".jsonl"])
    assert [Path(r.path).name for r in refs] == ["a.txt", "b.jsonl"]
    reasons = sorted(e.reason for e in errors)
    assert reasons == ["path does not exist", "unsupported file type '.pdf'"]


def test_discover_orders_files_by_path_components(tmp_path: Path) -> None:
    """A folder's files come in name order with its subfolders in place, compared by path
    component: "a/z.txt" before "a-b.txt" and "a.txt" ("a" is a shorter name than "a-b"),
    errors in the same order, whatever order the folders list their entries in."""
    names = ["a-b.txt", "a/z.txt", "a/b/c.txt", "a.txt", "ab.txt", "A.txt", "a b.txt", "b.pdf"]
    names += ["a0/y.txt", "a/ä.txt", "a/b.pdf"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    refs, errors = discover([tmp_path], [".txt"])
    got = [str(Path(r.path).relative_to(tmp_path.resolve())) for r in refs]
    assert got == [
        "A.txt",
        "a/b/c.txt",
        "a/z.txt",
        "a/ä.txt",
        "a b.txt",
        "a-b.txt",
        "a.txt",
        "a0/y.txt",
        "ab.txt",
    ]
    assert got == sorted(got, key=lambda p: p.split("/"))
    assert [Path(e.origin).name for e in errors] == ["b.pdf", "b.pdf"]
    assert [Path(e.origin).parent.name for e in errors] == ["a", tmp_path.name]
