"""Hostile servers on 127.0.0.1 through the real ``newsmon fetch``: each costs only itself.

One server plays every hostile part (trickling bodies and headers, redirects to metadata
and link-local addresses, a gzip bomb, loops, lies about lengths, a page of 9,000 table rows,
one of 24,000 scripts and comments); one source per part,
beside a good page that must be stored. Plus: links over ``max_articles`` or past the
cycle's time budget are deferred and taken by the next cycles (nothing lost), a cycle in
which every source failed says so, and the address that passed the check is the one
connected to (no second DNS answer is ever asked for).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.servers import respond

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
PARA = (
    "Military enlistment offices in Omsk handed call-up papers to reservists this week, and "
    "relatives of mobilised soldiers say the recruitment drive is the largest since 2022."
)


def page(title: str, author: str = "Anna Ivanova") -> bytes:
    ld = '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "%s"}}' % author
    body = "".join(f"<p>{PARA} ({title}, paragraph {i}.)</p>" for i in range(5))
    return (
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{ld}</script></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


class Hostile:
    """Every hostile behaviour at its own path."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        srv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                srv.hits[self.path] = srv.hits.get(self.path, 0) + 1
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    srv.route(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    send = staticmethod(respond)

    def redirect(self, h: BaseHTTPRequestHandler, to: str) -> None:
        h.send_response(302)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def route(self, h: BaseHTTPRequestHandler) -> None:  # noqa: C901 - one branch per part
        path = h.path
        if path == "/robots.txt":
            return self.send(h, 404, b"", "text/plain")
        if path.startswith("/good/"):
            return self.send(h, 200, page(f"Good page {path}"))
        if path.startswith("/slow/"):
            time.sleep(0.7)
            return self.send(h, 200, page(f"Slow page {path}"))
        if path == "/trickle-body":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            for _ in range(200):  # a byte every 0.1 s: never a read timeout, hours in all
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.1)
            return None
        if path == "/trickle-headers":
            h.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for _ in range(200):
                h.wfile.write(b"X")
                h.wfile.flush()
                time.sleep(0.1)
            return None
        if path.startswith("/to/"):
            targets = {
                "/to/metadata-ip": "http://169.254.169.254/latest/meta-data/",
                "/to/metadata-name": "http://metadata.google.internal/computeMetadata/v1/",
                "/to/link-local-v6": "http://[fe80::1]/",
                "/to/mapped-v6": "http://[::ffff:169.254.169.254]/",
                "/to/unspecified": f"http://0.0.0.0:{self.port}/good/x",
                "/to/file": "file:///etc/passwd",
                "/to/loop": "/to/loop",
            }
            return self.redirect(h, targets[path])
        if path == "/gzip-bomb":
            bomb = gzip.compress(b"\0" * 20_000_000, compresslevel=9)
            return self.send(h, 200, bomb, Content_Encoding="gzip")
        if path == "/big-table":  # 0.9 MB: cell by cell, extraction was quadratic (~45 s)
            rows = "".join(
                f"<tr><td>Week {i}</td><td><b>{i * 7}</b> summonses</td><td><a href='/r{i}'>"
                f"region {i}</a></td></tr>"
                for i in range(9_000)
            )
            body = page("Big table").replace(
                b"</article>", f"<table>{rows}</table></article>".encode()
            )
            return self.send(h, 200, body)
        if path == "/noise-flood":  # 24,000 scripts and comments between the words
            noise = "".join(f"<script>t({i})</script>w{i} <!--c-->" for i in range(24_000))
            body = page("Noise flood").replace(
                b"</article>", f"<div>{noise}</div></article>".encode()
            )
            return self.send(h, 200, body)
        if path == "/surrogate-author":
            return self.send(h, 200, page("Surrogate author", author="Ivan \\ud800 Petrov"))
        if path == "/always-500":
            return self.send(h, 500, b"oops", "text/plain")
        if path == "/pdf":
            return self.send(h, 200, b"%PDF-1.4", "application/pdf")
        if path == "/garbage-feed":
            return self.send(h, 200, b"\x89PNG not a feed at all <<<", "application/rss+xml")
        if path == "/nested-json-feed":  # 100,000 arrays deep: json.loads recursed out
            body = b'{"version": "https://jsonfeed.org/version/1.1", "items": '
            body += b"[" * 100_000 + b"]" * 100_000 + b"}"
            return self.send(h, 200, body, "application/feed+json")
        if path == "/js-feed":
            rss = (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                "<item><title>x</title><link>javascript:alert(1)</link></item></channel></rss>"
            )
            return self.send(h, 200, rss.encode(), "application/rss+xml")
        if path == "/declared-huge":  # says 50 MB, over the limit: not read at all
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "50000000")
            h.end_headers()
            h.wfile.write(b"<html>")
            h.close_connection = True
            return None
        if path == "/short-body":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", "5000")
            h.end_headers()
            h.wfile.write(b"<html>cut")
            h.close_connection = True
            return None
        if path.startswith("/many-feed") or path.startswith("/slow-feed"):
            kind = "good" if path.startswith("/many") else "slow"
            items = "".join(
                f"<item><title>Item {i}</title><link>{self.base}/{kind}/{path[1:]}-{i}</link></item>"
                for i in range(8)
            )
            rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
            return self.send(h, 200, rss.encode(), "application/rss+xml")
        return self.send(h, 404, b"not found", "text/plain")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass(frozen=True)
class Part:
    name: str
    path: str
    stored: bool = False
    error: tuple[str, str] | None = None  # stage, part of the reason
    kind: str = "urls"
    private: bool = True


PARTS = [
    Part("good", "/good/one", stored=True),
    Part("trickle-body", "/trickle-body", error=("fetch", "no complete answer within 2s")),
    Part("trickle-headers", "/trickle-headers", error=("fetch", "no complete answer within 2s")),
    Part("metadata-ip", "/to/metadata-ip", error=("fetch", "link-local or cloud metadata")),
    Part("metadata-name", "/to/metadata-name", error=("fetch", "cloud metadata service")),
    Part("link-local-v6", "/to/link-local-v6", error=("fetch", "link-local or cloud metadata")),
    Part("mapped-v6", "/to/mapped-v6", error=("fetch", "link-local or cloud metadata")),
    Part("unspecified", "/to/unspecified", error=("fetch", "not a unicast host address")),
    Part("file-scheme", "/to/file", error=("fetch", "unsupported URL scheme 'file'")),
    Part("redirect-loop", "/to/loop", error=("fetch", "too many redirects")),
    Part("gzip-bomb", "/gzip-bomb", error=("fetch", "too large")),
    Part("surrogate-author", "/surrogate-author", stored=True),
    Part("big-table", "/big-table", stored=True),
    Part("noise-flood", "/noise-flood", stored=True),
    Part("declared-huge", "/declared-huge", error=("fetch", "too large (over the 1 MB limit)")),
    Part("always-500", "/always-500", error=("fetch", "HTTP 500")),
    Part("pdf", "/pdf", error=("fetch", "not an article (content type application/pdf)")),
    Part("short-body", "/short-body", error=("fetch", "while reading")),
    Part("garbage-feed", "/garbage-feed", error=("feed", "feed parse error"), kind="feed"),
    Part(
        "nested-json-feed",
        "/nested-json-feed",
        error=("feed", "feed parse error: not a feed: JSON nested too deeply"),
        kind="feed",
    ),
    Part(
        "javascript-link",
        "/js-feed",
        error=("fetch", "unsupported URL scheme 'javascript'"),
        kind="feed",
    ),
    Part(
        "private-not-allowed", "/good/private", error=("fetch", "non-public address"), private=False
    ),
]


def _settings_file(
    tmp: Path, db: Path, sources: list[dict[str, Any]], **fetch: Any
) -> dict[str, str]:
    (tmp / "sources.yaml").write_text(json.dumps({"sources": sources}), encoding="utf-8")
    settings = {
        "db_path": str(db),
        "alerts": {"channels": ["log"]},
        "fetch": {
            "timeout_seconds": 1,
            "request_deadline_seconds": 2,
            "retries": 0,
            "per_host_delay_seconds": 0,
            "max_bytes": 1_000_000,
            "max_redirects": 3,
            "sources_per_batch": 50,
        }
        | fetch,
    }
    (tmp / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    return dict(
        os.environ,
        NEWSMON_CONFIG=str(tmp / "settings.yaml"),
        NEWSMON_SOURCES=str(tmp / "sources.yaml"),
    )


def _fetch(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NEWSMON, "fetch", "--json"], capture_output=True, text=True, timeout=300, env=env
    )


def _source(server: Hostile, part: Part) -> dict[str, Any]:
    url = server.base + part.path
    src: dict[str, Any] = {"name": part.name, "type": part.kind, "allow_private": part.private}
    return src | ({"url": url} if part.kind == "feed" else {"urls": [url]})


def _feed(server: Hostile, name: str, **more: Any) -> dict[str, Any]:
    url = f"{server.base}/{name}-feed"
    return {"name": name, "type": "feed", "url": url, "allow_private": True} | more


@pytest.fixture(scope="module")
def server():
    s = Hostile()
    yield s
    s.close()


@pytest.fixture(scope="module")
def cycle(server: Hostile, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("hostile-fetch")
    db = tmp / "news.duckdb"
    env = _settings_file(tmp, db, [_source(server, p) for p in PARTS])
    done = _fetch(env)
    assert done.returncode == 0, done.stderr[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("select origin, authors, title from articles").fetchall()
        errors = con.execute("select origin, stage, reason from ingest_errors").fetchall()
        status = con.execute("select status from pipeline_runs").fetchall()
    return {
        "result": json.loads(done.stdout),
        "articles": articles,
        "errors": errors,
        "status": status,
    }


@pytest.mark.parametrize("part", PARTS, ids=[p.name for p in PARTS])
def test_part_costs_only_itself(part: Part, server: Hostile, cycle: dict[str, Any]) -> None:
    url = server.base + part.path
    mine = [a for a in cycle["articles"] if a[0] == url]
    errors = [
        e
        for e in cycle["errors"]
        if e[0] == url
        or (part.kind == "feed" and e[1] == "fetch" and e[0].startswith("javascript"))
    ]
    if part.stored:
        assert len(mine) == 1, (part.name, errors)
        authors = mine[0][1]
        assert all(not any(0xD800 <= ord(c) <= 0xDFFF for c in a) for a in authors), authors
    else:
        assert not mine, part.name
    if part.error:
        stage, reason = part.error
        assert any(e[1] == stage and reason in e[2] for e in errors), (part.name, errors)
    else:
        assert not errors, (part.name, errors)


def test_the_cycle_finished_and_named_the_failed_sources(cycle: dict[str, Any]) -> None:
    result = cycle["result"]
    assert cycle["status"] == [("success",)]
    assert not result["all_failed"]
    failed = set(result["failed"])
    assert {"trickle-body", "metadata-ip", "garbage-feed", "private-not-allowed"} <= failed
    assert "good" not in failed and "surrogate-author" not in failed


def test_links_over_the_cap_are_deferred_not_lost(server: Hostile, tmp_path: Path) -> None:
    env = _settings_file(
        tmp_path, tmp_path / "news.duckdb", [_feed(server, "many", max_articles=3)]
    )
    counts = []
    for _ in range(4):
        done = _fetch(env)
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout)
        counts.append((result["articles_new"], result["deferred"]))
    assert counts == [(3, 5), (3, 2), (2, 0), (0, 0)]


def test_a_cycle_over_budget_leaves_the_rest_to_the_next(server: Hostile, tmp_path: Path) -> None:
    env = _settings_file(
        tmp_path, tmp_path / "news.duckdb", [_feed(server, "slow")], cycle_budget_seconds=2
    )
    stored, cycles = 0, 0
    while stored < 8 and cycles < 8:
        done = _fetch(env)
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout)
        stored += result["articles_new"]
        cycles += 1
        assert result["articles_new"] < 8, "the budget stopped the cycle early"
    assert stored == 8, "every link was taken by a later cycle"
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        deferred = con.execute("select max(deferred) from pipeline_runs").fetchone()[0]
    assert deferred > 0, "the runs record what they left"


def _dead_sources(n: int) -> list[dict[str, Any]]:
    """Feeds on a port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    return [
        {
            "name": f"down-{i}",
            "type": "feed",
            "url": f"http://127.0.0.1:{dead}/feed{i}.xml",
            "allow_private": True,
        }
        for i in range(n)
    ]


def test_every_source_failed_is_loud(tmp_path: Path) -> None:
    sources = _dead_sources(3)
    env = _settings_file(tmp_path, tmp_path / "news.duckdb", sources)
    done = subprocess.run([NEWSMON, "fetch"], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1
    assert "EVERY SOURCE FAILED (3 of 3)" in done.stdout
    assert "source down-0 failed: connection refused by 127.0.0.1" in done.stdout, (
        "the cause, not robots.txt"
    )
    with duckdb.connect(str(tmp_path / "news.duckdb"), read_only=True) as con:
        row = con.execute(
            "select status, sources, sources_failed, last_error from pipeline_runs"
        ).fetchone()
    assert row[:3] == ("success", 3, 3) and "every source failed" in row[3]
    again = subprocess.run([NEWSMON, "fetch"], capture_output=True, text=True, timeout=300, env=env)
    assert again.returncode == 1, "the next cycle runs (and says so again)"


def test_the_checked_address_is_the_one_connected_to(
    server: Hostile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    """A rebinding name answers 127.0.0.1 first and a metadata address after: only one
    answer is ever asked for per connection, and the connection goes where it was checked."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.test":
            asked.append(host)
            address = "127.0.0.1" if len(asked) == 1 else "169.254.169.254"
            return real(address, *args, **kwargs)
        if host == "evil.test":
            return real("169.254.169.254", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    from newsmon.config import FetchConfig
    from newsmon.fetch.http import Fetcher

    fetcher = Fetcher(FetchConfig(per_host_delay_seconds=0, retries=0, timeout_seconds=2))
    good = fetcher.get(f"http://rebind.test:{server.port}/good/rebind", allow_private=True)
    assert good.ok and b"Good page" in good.body
    assert len(asked) == 1, "one DNS answer per connection (robots.txt and the page share it)"
    evil = fetcher.get(f"http://evil.test:{server.port}/good/x", allow_private=True)
    assert evil.error and "link-local or cloud metadata" in evil.error


def test_news_fetch_with_every_source_down_is_red_after_storing_and_detecting(
    airflow_db, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import ROOT

    sources = _dead_sources(2)
    env = _settings_file(tmp_path, db_path, sources)
    monkeypatch.setenv("NEWSMON_CONFIG", env["NEWSMON_CONFIG"])
    monkeypatch.setenv("NEWSMON_SOURCES", env["NEWSMON_SOURCES"])
    run = DagBag(dag_folder=str(ROOT / "dags")).get_dag("news_fetch").test()
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert str(run.state).endswith("failed"), "a cycle where every source failed is red"
    assert states["store_articles"].endswith("failed"), "raised after storing and detecting"
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(
            "select sources, sources_failed, last_error from pipeline_runs"
        ).fetchone()
        errors = con.execute("select origin, reason from ingest_errors order by origin").fetchall()
    assert row[:2] == (2, 2) and "every source failed (2 of 2)" in row[2]
    assert [o for o, _ in errors] == [s["url"] for s in sources]


def test_a_later_cycle_meeting_the_same_failures_adds_no_error_row(
    server: Hostile, tmp_path: Path
) -> None:
    """One problem, one row, for fetches: the second cycle, an hour and a minute later on
    newsmon's clock, meets the same failing pages and feed (a timeout, a page too large,
    HTTP 500, a refused address, an unreadable feed) and counts each on its row."""
    failing = [p for p in PARTS if p.error and p.name in _FAILING_AGAIN]
    db = tmp_path / "news.duckdb"
    good = next(p for p in PARTS if p.name == "good")  # not every source fails: exit 0
    env = _settings_file(tmp_path, db, [_source(server, p) for p in [good, *failing]])
    query = "select origin, stage, reason, detail, seen_count from ingest_errors order by all"
    seen = []
    for shift in (0, 3661):
        done = _fetch(env | {"NEWSMON_CLOCK_SHIFT": str(shift)})
        assert done.returncode == 0, done.stderr[-3000:]
        with duckdb.connect(str(db), read_only=True) as con:
            seen.append(con.execute(query).fetchall())
    first, second = seen
    assert len(first) >= len(failing)
    assert [r[:3] for r in second] == [r[:3] for r in first], "no new row, none lost"
    assert all(r[4] == 2 for r in second), second
    declared = [r for r in second if r[0].endswith("/declared-huge")]
    assert [r[2:4] for r in declared] == [("too large (over the 1 MB limit)", "declared 50.0 MB")]


_FAILING_AGAIN = {
    "trickle-body",
    "metadata-ip",
    "gzip-bomb",
    "declared-huge",
    "always-500",
    "garbage-feed",
    "redirect-loop",
}
