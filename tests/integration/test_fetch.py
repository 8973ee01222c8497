"""Fetch cycles against a real HTTP server on 127.0.0.1: what is stored, what is an error,
and that a second cycle over unchanged feeds downloads nothing."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SHARED
from tests.integration.servers import LocalSite, respond, use_sources

pytestmark = pytest.mark.integration

PARA = (
    "Military enlistment offices in the region handed call-up papers to men of conscription age this week, "
    "and relatives of mobilised soldiers say the recruitment drive is the largest since 2022."
)


def article(title: str, meta_date: str | None = None, n: int = 6) -> bytes:
    date = f"<meta property='article:published_time' content='{meta_date}'>" if meta_date else ""
    body = "".join(f"<p>{PARA} ({title}, paragraph {i}.)</p>" for i in range(n))
    return (
        f"<html lang='en'><head><meta charset='utf-8'><title>{title}</title>{date}</head>"
        f"<body><nav>Home | News</nav><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def rss(base: str, items: list[tuple[str, str]], encoding: str = "utf-8") -> bytes:
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{path}</link><pubDate>Mon, 20 Nov 2023 10:00:00 +0000</pubDate></item>"
        for path, t in items
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Test</title>{entries}'
        "</channel></rss>"
    ).encode(encoding)


class Site(LocalSite):
    """A small news site with every behaviour the fetcher must handle."""

    def __init__(self) -> None:
        super().__init__()
        self.feed = rss(
            self.base,
            [
                ("/news/a1", "Call-up papers in Omsk"),
                ("/news/a2", "Recruitment drive"),
                ("/news/nodate", "No date"),
                ("/news/gz", "Gzip page"),
                ("/news/flaky", "Flaky page"),
                ("/news/broken", "Broken page"),
                ("/news/slow", "Slow page"),
                ("/news/big", "Big page"),
                ("/news/loop", "Loop"),
                ("/private/secret", "Secret"),
                ("/files/report.pdf", "A PDF"),
                ("/news/a1?utm_source=rss", "Same page, tracking parameter"),
            ],
        )
        self.etag = '"feed-v1"'
        self.last_modified = format_datetime(datetime(2023, 11, 20, 10, tzinfo=UTC), usegmt=True)

    send = staticmethod(respond)

    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            return self.send(h, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/feed.xml":
            if self.shared.get("feed_down"):
                return self.send(h, 503, b"down", "text/plain")
            if h.headers.get("If-None-Match") == self.etag:
                return self.send(h, 304, b"")
            return self.send(
                h,
                200,
                self.feed,
                "application/rss+xml",
                ETag=self.etag,
                Last_Modified=self.last_modified,
            )
        if path == "/feed-1251.xml":
            body = rss(self.base, [("/ru/1", "Мобилизация в Омске")], encoding="windows-1251")
            return self.send(h, 200, body, "application/rss+xml")
        if path == "/ru/1":
            text = "".join(
                f"<p>Военкоматы рассылают повестки, мобилизация продолжается. Абзац {i}.</p>"
                for i in range(6)
            )
            return self.send(
                h,
                200,
                f"<html lang='ru'><head><meta charset='windows-1251'><title>Мобилизация в Омске</title></head><body><article><h1>Мобилизация в Омске</h1>{text}</article></body></html>".encode(
                    "cp1251"
                ),
                "text/html; charset=windows-1251",
            )
        if path.startswith("/shared/"):
            return self.send(h, 200, self.shared[path], "application/rss+xml")
        if path in ("/news/a1", "/news/a1?utm_source=rss"):
            return self.send(h, 200, article("Call-up papers in Omsk", "2023-11-20T09:30:00+00:00"))
        if path == "/news/a2":
            return self.send(h, 200, article("Recruitment drive", "2023-11-19T08:00:00+00:00"))
        if path == "/news/nodate":
            return self.send(h, 200, article("No date on this page"))
        if path == "/news/gz":
            return self.send(
                h,
                200,
                gzip.compress(article("Gzip page", "2023-11-20T11:00:00+00:00")),
                Content_Encoding="gzip",
            )
        if path == "/news/flaky":
            if self.counts[path] == 1:
                return self.send(h, 429, b"slow down", "text/plain", Retry_After="0")
            return self.send(h, 200, article("Flaky page", "2023-11-20T12:00:00+00:00"))
        if path == "/news/broken":
            return self.send(h, 500, b"oops", "text/plain")
        if path == "/news/slow":
            time.sleep(1.5)
            return self.send(h, 200, article("Slow page"))
        if path == "/news/big":
            return self.send(h, 200, article("Big page", n=3000))
        if path == "/news/loop":
            h.send_response(302)
            h.send_header("Location", "/news/loop")
            h.send_header("Content-Length", "0")
            h.end_headers()
            return None
        if path == "/files/report.pdf":
            return self.send(h, 200, b"%PDF-1.4 ...", "application/pdf")
        return self.send(h, 404, b"not found", "text/plain")


@pytest.fixture
def site():
    s = Site()
    s.shared = {}
    yield s
    s.close()


def _configure(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, extra: list[dict] | None = None
) -> None:
    sources = [
        {
            "name": "local-feed",
            "type": "feed",
            "url": f"{site.base}/feed.xml",
            "allow_private": True,
            "lang": "en",
        },
        {
            "name": "local-ru",
            "type": "feed",
            "url": f"{site.base}/feed-1251.xml",
            "allow_private": True,
        },
        {"name": "not-allowed", "type": "feed", "url": f"{site.base}/feed.xml"},
        *(extra or []),
    ]
    use_sources(
        tmp_path,
        monkeypatch,
        sources,
        {
            "timeout_seconds": 0.5,
            "max_bytes": 200_000,
            "retries": 2,
            "backoff_seconds": 0.01,
            "max_redirects": 3,
        },
    )


def _settings():
    from newsmon.config import load_settings

    return load_settings()


def test_fetch_cycle_stores_articles_records_errors_and_then_downloads_nothing(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.flows.maintenance import reextract
    from newsmon.flows.pipeline import fetch

    _configure(tmp_path, site, monkeypatch)
    first = fetch(_settings())
    # six pages (a1, a2, nodate, gz, flaky, the Russian page) and, for the six that could
    # not be had (500, time-out, too large, redirect loop, robots.txt, a PDF), the feed's
    # own text of the entry: here only its headline
    assert first["articles_new"] == 12
    with duckdb.connect(str(db_path), read_only=True) as con:
        arts = dict(
            con.execute(
                "select title, date_source from articles where text_source = 'page'"
            ).fetchall()
        )
        from_feed = dict(
            con.execute(
                "select replace(url, $base, ''), text_source from articles where text_source <> 'page'",
                {"base": site.base},
            ).fetchall()
        )
        errors = {
            o.replace(site.base, ""): (stage, reason)
            for o, stage, reason in con.execute(
                "select origin, stage, reason from ingest_errors"
            ).fetchall()
        }
        raw = con.execute(
            "select count(*) from fetched_urls where raw_path is not null"
        ).fetchone()[0]
        sources = dict(
            con.execute("select source, count(*) from articles group by source").fetchall()
        )
    assert arts["Call-up papers in Omsk"] == "meta"
    assert arts["No date on this page"] == "feed", (
        "no page date: the feed's pubDate, marked as such"
    )
    assert arts["Мобилизация в Омске"] in ("feed", "fetched")
    assert {"Gzip page", "Flaky page", "Recruitment drive"} <= set(arts)
    assert errors["/news/broken"] == ("fetch", "HTTP 500")
    assert errors["/news/slow"][1].startswith("timed out")
    assert errors["/news/big"][1].startswith("too large")
    assert errors["/news/loop"][1] == "too many redirects (more than 3)"
    assert errors["/private/secret"][1] == "disallowed by robots.txt"
    assert errors["/files/report.pdf"][1] == "not an article (content type application/pdf)"
    assert "non-public address" in errors["/feed.xml"][1] and errors["/feed.xml"][0] == "feed"
    assert site.counts["/news/a1"] == 1 and "/news/a1?utm_source=rss" not in site.counts, (
        "one URL, fetched once"
    )
    assert site.counts["/news/flaky"] == 2 and site.counts["/news/broken"] == 3
    assert "/private/secret" not in site.counts
    assert raw == 6 and len(list((db_path.parent / "raw").rglob("*.html.gz"))) == 6
    assert sources == {"local-feed": 11, "local-ru": 1}
    assert from_feed == {
        p: "title"
        for p in (
            "/news/broken",
            "/news/slow",
            "/news/big",
            "/news/loop",
            "/private/secret",
            "/files/report.pdf",
        )
    }

    site.log.clear()
    second = fetch(_settings())
    assert second["articles_new"] == 0 and second["feeds_unchanged"] >= 1
    page_requests = [
        p for p in site.log if p.startswith(("/news/", "/ru/", "/files/", "/private/"))
    ]
    transient = {"/news/broken", "/news/slow"}  # 5xx and timeouts are tried again next cycle
    assert set(page_requests) <= transient, page_requests
    assert site.log.count("/feed.xml") == 1, "the unchanged feed answered 304"
    assert "/robots.txt" not in site.log, "robots.txt is reused for 24 hours"

    again = reextract(_settings())
    assert again["pages"] == 6 and again["unchanged"] == 6 and again["new"] == 0
    assert again["pages_gone"] == 0

    # raw pages capped: the oldest go; reextract counts what it can no longer extract, and
    # the articles keep their text
    from dataclasses import replace

    from newsmon.diskspace import trim_raw_pages

    capped = replace(_settings(), fetch=replace(_settings().fetch, raw_pages_max_mb=0))
    trimmed = trim_raw_pages(capped)
    assert trimmed["removed"] == 6 and trimmed["bytes"] > 0
    assert not list((db_path.parent / "raw").rglob("*.html.gz"))
    gone = reextract(capped)
    assert gone["pages"] == 6 and gone["pages_gone"] == 6 and gone["errors"] == 0
    with duckdb.connect(str(db_path), read_only=True) as con:
        kept = con.execute("select count(*) from articles where text_source = 'page'").fetchone()
    assert kept[0] == 6

    # the feed goes down: its error is recorded, its last success (the 304 above) is kept
    with duckdb.connect(str(db_path), read_only=True) as con:
        ok_before = con.execute(
            "select last_ok_at, checked_at from feed_state where source = 'local-feed'"
        ).fetchone()
    assert ok_before[0] == ok_before[1]
    site.shared["feed_down"] = True
    fetch(_settings())
    with duckdb.connect(str(db_path), read_only=True) as con:
        ok_after, checked, status = con.execute(
            "select last_ok_at, checked_at, status from feed_state where source = 'local-feed'"
        ).fetchone()
    assert status == 503 and checked > ok_before[1]
    assert ok_after == ok_before[0], "a failed check keeps the last success"


def test_malformed_and_odd_feeds_from_shared(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = SHARED / "fixtures" / "feeds" / "odd_or_malformed"
    if not folder.exists():
        pytest.skip(f"../shared is not beside the checkout ({folder} missing); CI always has it")
    from newsmon.flows.pipeline import fetch

    extra = []
    for path in sorted(folder.iterdir()):
        body = path.read_bytes()
        if path.suffix == ".gz":
            body = gzip.decompress(body)
        site.shared[f"/shared/{path.name}"] = body
        # links point at the real sites: parse the feed, take no articles
        extra.append(
            {
                "name": path.stem,
                "type": "feed",
                "url": f"{site.base}/shared/{path.name}",
                "allow_private": True,
                "max_articles": 0,
            }
        )
    _configure(tmp_path, site, monkeypatch, extra)
    settings = json.loads((tmp_path / "settings.yaml").read_text())
    settings["fetch"]["max_bytes"] = 5_000_000  # judge the parser here, not the size limit
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    fetch(_settings())
    with duckdb.connect(str(db_path), read_only=True) as con:
        state = {
            s: (c, e)
            for s, c, e in con.execute(
                "select source, content_hash, error from feed_state"
            ).fetchall()
        }
    for path in folder.iterdir():
        content_hash, error = state[path.stem]
        # every feed either parsed (its hash is kept) or is recorded with a reason; nothing crashed
        assert (content_hash is not None) != (
            error is not None and error.startswith("feed parse error")
        ), path.name
    assert state["oren_ru_windows-1251_rss2"][0] is not None, "a windows-1251 feed parses"
    assert state["uol_noticias_no_xmldecl_undeclared_latin1"][0] is not None, (
        "undeclared latin-1 parses"
    )
    truncated = state["reuters_mostread_truncated_server_error"][1]
    assert truncated.startswith("feed parse error"), "a truncated feed with no entries is an error"


def test_news_fetch_dag_maps_over_source_batches(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, airflow_db
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    _configure(tmp_path, site, monkeypatch)
    settings = json.loads((tmp_path / "settings.yaml").read_text())
    settings["fetch"]["sources_per_batch"] = 1
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    sources = json.loads((tmp_path / "sources.yaml").read_text())
    sources["sources"][1]["url"] = sources["sources"][1]["url"].replace("127.0.0.1", "localhost")
    (tmp_path / "sources.yaml").write_text(json.dumps(sources), encoding="utf-8")
    dag = DagBag(dag_folder=str(ROOT / "dags")).get_dag("news_fetch")
    run = dag.test()
    assert str(run.state).endswith("success")
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert (
            con.execute("select count(*) from articles").fetchone()[0] == 12
        )  # 6 pages, 6 entries by their feed text
        assert con.execute("select status from pipeline_runs").fetchall() == [("success",)]
    mapped = [ti for ti in run.get_task_instances() if ti.task_id == "fetch_sources"]
    # one mapped task per batch; a host's sources share a batch (politeness across workers)
    assert len(mapped) == 2, "127.0.0.1's two sources in one batch, localhost's in another"


def test_fetch_command_and_a_broken_source_does_not_stop_the_others(
    tmp_path: Path, db_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    _configure(
        tmp_path,
        site,
        monkeypatch,
        [
            {
                "name": "watchlist",
                "type": "urls",
                "urls": [f"{site.base}/news/a2", "ftp://example.org/x"],
                "allow_private": True,
            }
        ],
    )
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    done = subprocess.run(
        [newsmon, "fetch", "--db", str(db_path), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["articles_new"] == 12 and result["sources"] == 4
    with duckdb.connect(str(db_path), read_only=True) as con:
        reasons = dict(con.execute("select origin, reason from ingest_errors").fetchall())
    assert (
        reasons["ftp://example.org/x"]
        == "unsupported URL scheme 'ftp': only http and https are fetched"
    )
