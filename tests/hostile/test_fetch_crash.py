"""A fetched page whose extraction kills its process (a crash in lxml or an extractor, the
OOM killer) costs only itself: killed here with SIGKILL each time an extractor reaches it,
through ``newsmon fetch`` (two extractor processes, and one: ``ingest.workers: 1``) and
through a ``news_fetch`` DAG run. The pages beside it are stored, it is an ``extract``
error, and it is not downloaded again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import duckdb
import pytest

from tests.integration.servers import LocalSite, respond

PARA = (
    "Military enlistment offices in Omsk handed call-up papers to men of conscription age this "
    "week, and relatives of mobilised soldiers say the recruitment drive is the largest yet."
)
NEWSMON = str(Path(sys.executable).with_name("newsmon"))


class Site(LocalSite):
    def __init__(self) -> None:
        super().__init__()
        self.items = ["a", "killer", "b", "c"]

    def route(self, h: BaseHTTPRequestHandler) -> None:
        if h.path == "/robots.txt":
            return respond(h, 404, b"", "text/plain")
        if h.path == "/feed.xml":
            items = "".join(
                f"<item><title>Page {n}</title><link>{self.base}/news/{n}</link></item>"
                for n in self.items
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
            return respond(h, 200, body.encode(), "application/rss+xml")
        name = h.path.removeprefix("/news/")
        paras = "".join(f"<p>{PARA} ({name}, paragraph {i}.)</p>" for i in range(5))
        page = f"<html lang='en'><head><title>Page {name}</title></head><body><article><h1>Page {name}</h1>{paras}</article></body></html>"
        return respond(h, 200, page.encode(), "text/html; charset=utf-8")


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def _settings(tmp_path: Path, site: Site, workers: int) -> dict[str, str]:
    sources = [
        {
            "name": "local",
            "type": "feed",
            "url": f"{site.base}/feed.xml",
            "allow_private": True,
            "lang": "en",
        }
    ]
    (tmp_path / "sources.yaml").write_text(json.dumps({"sources": sources}), encoding="utf-8")
    settings = {
        "db_path": str(tmp_path / "news.duckdb"),
        "alerts": {"channels": ["log"]},
        "ingest": {"workers": workers},
        "fetch": {"per_host_delay_seconds": 0, "retries": 0, "timeout_seconds": 5},
    }
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    return {
        "NEWSMON_CONFIG": str(tmp_path / "settings.yaml"),
        "NEWSMON_SOURCES": str(tmp_path / "sources.yaml"),
    }


class Killer:
    """SIGKILL whatever process pauses at the extractor's checkpoint for the killer page."""

    def __init__(self, pause: Path) -> None:
        self.pause = pause
        self.killed: list[int] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def env(self) -> dict[str, str]:
        return {
            "NEWSMON_PAUSE_AT": "extract-page",
            "NEWSMON_PAUSE_MATCH": "/news/killer",
            "NEWSMON_PAUSE_FILE": str(self.pause),
        }

    def _run(self) -> None:
        while not self.stop.is_set():
            if self.pause.exists():
                pid = int(self.pause.read_text().split()[1])
                self.pause.unlink()
                os.kill(pid, signal.SIGKILL)
                self.killed.append(pid)
            time.sleep(0.05)

    def __enter__(self) -> Killer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)


def _stored(db: Path) -> tuple[set[str], list[tuple], list[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        titles = {r[0] for r in con.execute("select title from articles").fetchall()}
        errors = con.execute("select origin, stage, reason from ingest_errors").fetchall()
        status = [r[0] for r in con.execute("select status from pipeline_runs").fetchall()]
    return titles, errors, status


@pytest.mark.parametrize("workers", [2, 1])
def test_a_page_that_kills_its_extractor_costs_only_itself(
    tmp_path: Path, site: Site, workers: int
) -> None:
    env = dict(os.environ) | _settings(tmp_path, site, workers)
    with Killer(tmp_path / "paused") as killer:
        done = subprocess.run(
            [NEWSMON, "fetch", "--json", "-q"],
            env=env | killer.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert len(killer.killed) == 2, "its batch's process, then its own"
    titles, errors, status = _stored(tmp_path / "news.duckdb")
    # the feed's headline stands in for the page that could not be extracted
    assert {"Page a", "Page b", "Page c"} <= titles and status == ["success"]
    assert [(o.removeprefix(site.base), s) for o, s, _ in errors] == [("/news/killer", "extract")]
    assert "crashed its extractor" in errors[0][2]
    # a new item in the feed: the crashed page is not downloaded again
    site.items.append("d")
    again = subprocess.run(
        [NEWSMON, "fetch", "--json", "-q"], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["articles_new"] == 1
    assert site.counts["/news/killer"] == 1


def test_news_fetch_survives_a_page_that_kills_its_extractor(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, airflow_db
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from tests.conftest import ROOT

    for k, v in _settings(tmp_path, site, 1).items():
        monkeypatch.setenv(k, v)
    dag = DagBag(dag_folder=str(ROOT / "dags")).get_dag("news_fetch")
    killer = Killer(tmp_path / "paused")
    for k, v in killer.env().items():
        monkeypatch.setenv(k, v)
    with killer:
        run = dag.test()
    assert str(run.state).endswith("success")
    assert len(killer.killed) == 2
    titles, errors, _ = _stored(tmp_path / "news.duckdb")
    assert {"Page a", "Page b", "Page c"} <= titles
    assert [s for _, s, _ in errors] == ["extract"]
