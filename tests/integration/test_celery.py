"""news_fetch on Airflow's CeleryExecutor, proven without Docker: real Postgres and Redis from
Debian's packages, Airflow's api-server, scheduler and dag-processor, and two Celery
workers (one serving the `duckdb` queue), all local processes on 127.0.0.1
(tests/integration/cluster.py), fetching 24 feeds from a local news site. Asserts: every
article stored once, tasks spread over both workers, every DuckDB-writing task ran on the
`duckdb` worker, no lock errors."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.integration.cluster import Cluster, missing

pytestmark = [pytest.mark.integration, pytest.mark.celery]

FEEDS = 24  # on 8 hosts (127.0.0.x): batches keep a host's feeds together
PER_FEED = 3


def _rss(base: str, feed: int) -> bytes:
    items = "".join(
        f"<item><title>Call-up wave {feed}-{i}</title><link>{base}/a/{feed}/{i}</link>"
        f"<pubDate>Mon, 30 Nov 2026 0{i}:00:00 GMT</pubDate></item>"
        for i in range(PER_FEED)
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>F{feed}</title>{items}</channel></rss>".encode()


def _article(feed: int, i: int) -> bytes:
    paras = "".join(
        f"<p>Military enlistment offices in district {feed} handed call-up papers to {100 + i * 7 + j} men, "
        f"report {feed}-{i}, paragraph {j}, as the recruitment drive for contract soldiers continues.</p>"
        for j in range(5)
    )
    return (
        f"<html lang='en'><head><title>Call-up wave {feed}-{i}</title></head><body><article>"
        f"<h1>Call-up wave {feed}-{i}</h1>{paras}</article></body></html>"
    ).encode()


@pytest.fixture
def news_site():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            parts = self.path.strip("/").split("/")
            if self.path == "/robots.txt":
                body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
            elif parts[0] == "feed":
                body, ctype = (
                    _rss(f"http://{self.headers['Host']}", int(parts[1])),
                    "application/rss+xml",
                )
            elif parts[0] == "a":
                body, ctype = _article(int(parts[1]), int(parts[2])), "text/html; charset=utf-8"
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("0.0.0.0", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


@pytest.fixture
def cluster(tmp_path: Path):
    why = missing()
    if why:
        pytest.skip(f"{why}: `make test` installs it with apt; without apt, install it by hand")
    c = Cluster(tmp_path)
    yield c
    c.stop()


def _query(c: Cluster, sql: str) -> list[tuple]:
    import psycopg2

    url = c.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace(
        "postgresql+psycopg2://", "postgresql://"
    )
    with psycopg2.connect(url) as con, con.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def test_news_fetch_on_celery_workers_with_one_duckdb_writer(
    tmp_path: Path, cluster: Cluster, news_site: int
) -> None:
    data = tmp_path / "data"
    sources = [
        {
            "name": f"feed-{i}",
            "type": "feed",
            "url": f"http://127.0.0.{1 + i % 8}:{news_site}/feed/{i}",
            "allow_private": True,
            "lang": "en",
        }
        for i in range(FEEDS)
    ]
    (tmp_path / "sources.yaml").write_text(json.dumps({"sources": sources}), encoding="utf-8")
    (tmp_path / "settings.yaml").write_text(
        json.dumps(
            {
                "fetch": {
                    "sources_path": str(tmp_path / "sources.yaml"),
                    "sources_per_batch": 3,
                    "per_host_delay_seconds": 0.05,
                    "timeout_seconds": 5,
                    "retries": 0,
                },
                "alerts": {"channels": ["log"]},
            }
        ),
        encoding="utf-8",
    )
    dags = Path(__file__).resolve().parents[2] / "dags"
    started = time.monotonic()
    cluster.start(
        {
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "NEWSMON_DB": str(data / "news.duckdb"),
            "NEWSMON_CONFIG": str(tmp_path / "settings.yaml"),
        }
    )

    deadline = time.monotonic() + 240
    while not _query(cluster, "select 1 from dag where dag_id = 'news_fetch'"):
        assert time.monotonic() < deadline, "news_fetch was not parsed"
        time.sleep(1)
    cluster.airflow("dags", "unpause", "news_fetch")
    cluster.airflow("dags", "trigger", "news_fetch", "--run-id", "celery_proof")
    state = None
    while state not in ("success", "failed"):
        assert time.monotonic() < deadline + 360, "news_fetch did not finish"
        time.sleep(2)
        rows = _query(cluster, "select state from dag_run where run_id = 'celery_proof'")
        state = rows[0][0] if rows else None
    took = _query(
        cluster,
        "select extract(epoch from end_date - start_date) from dag_run where run_id = 'celery_proof'",
    )[0][0]
    artefacts = Path(__file__).resolve().parents[2] / ".artifacts" / "celery"
    artefacts.mkdir(parents=True, exist_ok=True)
    (artefacts / "timings.json").write_text(
        json.dumps(
            {
                "dag_run_seconds": float(took),
                "feeds": FEEDS,
                "articles": FEEDS * PER_FEED,
                "test_seconds": time.monotonic() - started,
            }
        )
    )
    tis = _query(
        cluster,
        "select task_id, map_index, state, queue, hostname from task_instance"
        " where run_id = 'celery_proof' order by task_id, map_index",
    )
    assert state == "success", tis

    with duckdb.connect(str(data / "news.duckdb"), read_only=True) as con:
        urls = [u for (u,) in con.execute("select url from articles").fetchall()]
        errors = con.execute("select count(*) from ingest_errors").fetchone()[0]
    assert len(urls) == FEEDS * PER_FEED and len(set(urls)) == len(urls), "every article once"
    assert errors == 0

    writers = {"plan_fetch", "store_articles"}
    hosts = {row[4] for row in tis}
    duckdb_hosts = {row[4] for row in tis if row[0] in writers}
    fetch_hosts = {row[4] for row in tis if row[0] == "fetch_sources"}
    assert all(row[3] == "duckdb" for row in tis if row[0] in writers), tis
    assert all(row[3] == "default" for row in tis if row[0] == "fetch_sources"), tis
    assert duckdb_hosts == {"worker-duckdb"}, "one worker writes DuckDB"
    assert fetch_hosts == {"worker-default"}
    assert hosts == {"worker-default", "worker-duckdb"}, "work spread over both workers"
    assert len([r for r in tis if r[0] == "fetch_sources"]) == 8, "24 feeds on 8 hosts, 3 a batch"
    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").glob("*.log"))
    airflow_logs = "".join(
        p.read_text(errors="replace") for p in (tmp_path / "airflow-home" / "logs").rglob("*.log")
    )
    for text in (logs, airflow_logs):
        assert "Could not set lock" not in text and "DatabaseBusy" not in text
