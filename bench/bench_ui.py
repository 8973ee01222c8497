"""How fast the analyst console's pages render at scale (``make bench-ui``).

Builds a database of ``--articles`` (default 100,000) overlapping real-sentence articles
(bench/corpus.py: EN/RU/UK, syndicated copies, 20 outlets) published over the last 365
days, through the real pipeline (clean, tag, dedup, signals, alerts queued, the analyst copy
published), adds the fetch state of 40 feeds and 5,000 ingest errors, then requests every
page and CSV export from the console's app in this process (the same app Airflow's API
server mounts; no network and no login in the timing) five times each and prints the
median and the slowest. The target is 300 ms a page.

    python bench/bench_ui.py [--articles 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

TARGET_MS = 300


def build(tmp: Path, articles: int) -> None:
    from newsmon.config import load_settings
    from newsmon.flows.pipeline import ingest
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish

    now = datetime.now(UTC)
    start = (now - timedelta(days=365)).date()
    archive = tmp / "in" / "archive.jsonl"
    archive.parent.mkdir(parents=True)
    with archive.open("w", encoding="utf-8") as fh:
        for rec in corpus.overlap(articles, seed=11, start=start, days=365):
            rec.pop("story")
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    feeds = [
        {"name": f"feed-{i:02d}", "type": "feed", "url": f"https://feed{i}.example/rss"}
        for i in range(40)
    ]
    (tmp / "sources.yaml").write_text(json.dumps({"sources": feeds}), encoding="utf-8")
    (tmp / "settings.yaml").write_text(
        json.dumps(
            {
                "fetch": {"sources_path": str(tmp / "sources.yaml")},
                "alerts": {"channels": ["log"]},
                "ingest": {"workers": 2},
            }
        ),
        encoding="utf-8",
    )
    os.environ["NEWSMON_CONFIG"] = str(tmp / "settings.yaml")
    settings = load_settings()
    began = time.perf_counter()
    from newsmon import progress

    progress.configure("quiet")
    ingest(settings, [archive])
    print(f"built {articles:,} articles in {time.perf_counter() - began:.0f}s")
    with open_db(settings) as con:
        for i, f in enumerate(feeds):
            failing = i % 10 == 0
            con.execute(
                """insert or replace into feed_state (source, url, status, error, checked_at, last_ok_at)
                   values (?, ?, ?, ?, ?, ?)""",
                [
                    f["name"],
                    f["url"],
                    503 if failing else 200,
                    "HTTP 503" if failing else None,
                    now - timedelta(minutes=5),
                    now - timedelta(days=1 if failing else 0, minutes=5),
                ],
            )
        con.execute(
            """insert or replace into ingest_errors
               select 'bench-' || i, 'https://feed' || (i % 40) || '.example/a/' || i, 'fetch', 'HTTP 404',
                      'bench', 'bench', now() - to_minutes(i), now() - to_minutes(i), 1
               from range(5000) as t(i)"""
        )
        publish(con, settings)
    add_spikes(settings)


def add_spikes(settings: object) -> None:
    """One run over a year of history raises no spike (spikes are for recent days): mark the
    five busiest mobilization days of the last 90 as spikes, with their real counts, so
    the chart draws marks and the spike page has a day of stories to list."""
    from newsmon.storage.db import open_db
    from newsmon.storage.readcopy import publish

    with open_db(settings) as con:
        if con.execute("select count(*) from signals where kind = 'spike'").fetchone()[0]:
            return
        con.execute(
            """insert into signals (signal_id, kind, topic, day, count_day, baseline, reason, run_id, created_at)
               select 'spike:mobilization:' || day, 'spike', 'mobilization', day, stories, 1.0,
                      'mobilization: ' || stories || ' stories against a baseline of 1.0 a day', 'bench', now()
               from daily_topic_counts
               where topic = 'mobilization' and day > current_date - 90
               order by stories desc limit 5"""
        )
        publish(con, settings)


def pages() -> list[tuple[str, str]]:
    """Every page and CSV export worth timing, as (name, path under the console's root)."""
    from newsmon.config import load_settings
    from newsmon.storage.readcopy import open_read

    settings = load_settings()
    with open_read(settings) as con:
        spike = con.execute(
            "select signal_id from signals where kind = 'spike' order by created_at desc limit 1"
        ).fetchone()
        new = con.execute(
            "select signal_id, story_id from signals where kind = 'new_story' order by created_at desc limit 1"
        ).fetchone()
        big = con.execute(
            "select story_id from stories order by article_count desc limit 1"
        ).fetchone()[0]
    found = [
        ("overview, 30 days", "/?days=30"),
        ("overview, 90 days", "/?days=90"),
        ("overview, 365 days", "/?days=365"),
        ("sources", "/sources"),
        ("search 'mobilization'", "/search?q=mobilization"),
        (
            "search 'мобилизация' ru, outlet, dates",
            "/search?q=мобилизация&lang=ru&since=2020-01-01&until=2100-01-01",
        ),
        ("search 'повістки' topic", "/search?q=повістки&topic=mobilization"),
        ("story, most copies", f"/story?id={big}"),
        ("watchlists", "/watchlists"),
        ("CSV signals", "/export/signals.csv"),
        ("CSV stories per day, 365", "/export/daily.csv?days=365"),
        ("CSV sources", "/export/sources.csv"),
        ("CSV search", "/export/search.csv?q=mobilization"),
    ]
    if spike:
        found.append(("signal, spike", f"/signal?id={spike[0]}"))
    if new:
        found.append(("signal, new story", f"/signal?id={new[0]}"))
    return found


def measure(rounds: int = 5) -> list[tuple[str, float, float]]:
    from fastapi.testclient import TestClient

    from newsmon.console.app import create_app

    client = TestClient(create_app())
    out = []
    for name, path in pages():
        client.get(path)  # the first request of a kind warms caches (templates, taxonomy)
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            got = client.get(path)
            times.append((time.perf_counter() - began) * 1000)
            assert got.status_code == 200, (path, got.status_code, got.text[:300])
        out.append((name, statistics.median(times), max(times)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build in (or reuse) this folder")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="newsmon-bench-ui-"))
    os.environ["NEWSMON_DB"] = str(tmp / "db" / "news.duckdb")
    if not (tmp / "db" / "read" / "news.duckdb").exists():
        build(tmp, args.articles)
    else:
        os.environ["NEWSMON_CONFIG"] = str(tmp / "settings.yaml")
        from newsmon.config import load_settings as _load

        add_spikes(_load())
    from newsmon.config import load_settings
    from newsmon.storage.readcopy import open_read

    with open_read(load_settings()) as con:
        n, stories, signals, alerts = con.execute(
            "select (select count(*) from articles), (select count(*) from stories),"
            " (select count(*) from signals), (select count(*) from alerts)"
        ).fetchone()
    print(
        f"analyst copy: {n:,} articles, {stories:,} stories, {signals:,} signals, {alerts:,} alerts"
    )
    results = measure()
    width = max(len(r[0]) for r in results)
    worst = 0.0
    for name, median, slowest in results:
        worst = max(worst, median)
        flag = "" if median <= TARGET_MS else f"  over the {TARGET_MS} ms target"
        print(f"  {name:<{width}}  median {median:6.0f} ms  slowest {slowest:6.0f} ms{flag}")
    print(f"slowest page median {worst:.0f} ms (target {TARGET_MS} ms)")


if __name__ == "__main__":
    main()
