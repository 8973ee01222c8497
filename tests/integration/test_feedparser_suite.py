"""A peer's robustness suite through a real fetch cycle: every feed document of feedparser's
own tests (../shared/fixtures/feedparser-suite, 2,109 files: RSS, Atom, CDF, JSON Feed,
encodings, entities, ill-formed XML, hostile markup), served on 127.0.0.1, one source each,
read by one ``newsmon fetch``. No crash and no hang; every entry is stored, or counted with
its reason; every document is a feed read, or a feed error with a reason."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import SHARED
from tests.integration.servers import respond

pytestmark = pytest.mark.integration

SUITE = SHARED / "fixtures" / "feedparser-suite"


def _documents() -> list[Path]:
    return sorted(
        p for p in SUITE.rglob("*") if p.is_file() and p.name not in ("LICENSE", "ORIGIN.md")
    )


def _expected_entries(path: Path) -> int:
    """The entries a document holds, counted without newsmon: feedparser itself for XML,
    the items of a JSON Feed."""
    body = path.read_bytes()
    if path.suffix == ".json":
        try:
            doc = json.loads(body.decode("utf-8-sig"))
        except ValueError:
            return 0
        if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
            ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")
        ):
            return 0
        return sum(isinstance(i, dict) for i in doc.get("items") or [])
    import feedparser

    return len(feedparser.parse(body, response_headers={"content-type": "application/xml"}).entries)


def test_every_document_of_the_suite_through_a_fetch_cycle(tmp_path: Path, db_path: Path) -> None:
    if not SUITE.exists():
        pytest.skip(f"../shared is not beside the checkout ({SUITE} missing); CI always has it")
    docs = _documents()
    assert len(docs) > 2000
    served = {f"/{p.relative_to(SUITE).as_posix()}": p for p in docs}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            path = served.get(self.path)
            if self.path == "/robots.txt" or path is None:
                return respond(self, 404, b"", "text/plain")
            kind = "application/json" if path.suffix == ".json" else "application/xml"
            return respond(self, 200, path.read_bytes(), kind)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        sources = [
            {
                "name": f"s{i:04d}",
                "type": "feed",
                "url": base + url,
                "allow_private": True,
                "pages": False,  # the entries' own text: their links point at the world
            }
            for i, url in enumerate(served)
        ]
        (tmp_path / "sources.yaml").write_text(json.dumps({"sources": sources}), "utf-8")
        settings = {
            "db_path": str(db_path),
            "alerts": {"channels": ["log"]},
            "fetch": {"per_host_delay_seconds": 0, "timeout_seconds": 5, "retries": 0},
        }
        (tmp_path / "settings.yaml").write_text(json.dumps(settings), "utf-8")
        env = {"NEWSMON_CONFIG": str(tmp_path / "settings.yaml")}
        newsmon = str(Path(sys.executable).with_name("newsmon"))
        done = subprocess.run(
            [newsmon, "fetch", "--sources", str(tmp_path / "sources.yaml"), "--json"],
            capture_output=True,
            text=True,
            timeout=900,  # a hang fails here
            env={**__import__("os").environ, **env},
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["sources"] == len(docs)
    with duckdb.connect(str(db_path), read_only=True) as con:
        state = con.execute("select source, content_hash, error from feed_state").fetchall()
        crashed = con.execute(
            "select count(*) from ingest_errors where reason like 'unexpected error%'"
        ).fetchone()[0]
        cleaned_away = con.execute(
            "select count(*) from ingest_errors where stage = 'clean'"
        ).fetchone()[0]
        status = con.execute("select status from pipeline_runs").fetchall()
    assert status == [("success",)] and crashed == 0
    assert len(state) == len(docs)
    for source, content_hash, error in state:  # read, or refused with a reason
        assert (content_hash is not None) != (
            error is not None and error.startswith("feed parse error")
        ), (source, error)
    expected = sum(_expected_entries(p) for p in docs)
    assert result["entries_read"] == expected, "every entry the documents hold was read"
    skipped = sum(result["entries_skipped"].values())
    # each entry: an article staged, or counted as skipped, or an error row with its reason
    assert result["staged"] + skipped + cleaned_away == result["entries_read"] > 1000
