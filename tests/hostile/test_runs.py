"""Runs killed at any point, runs that collide, and the command line's edges.

A real ``newsmon ingest`` is paused at a named point (``NEWSMON_PAUSE_AT``; see
``newsmon.faults``) and killed there with SIGKILL from outside, as a crash or an operator
would. The next ``newsmon ingest`` must end with the same articles, stories, signals,
alerts and errors as a run that was never interrupted, mark the killed run failed with
the reason, and leave no staging folder behind.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import feedparser
import pytest

from tests.conftest import ROOT, SEEDS, stored_state

NEWSMON = str(Path(sys.executable).with_name("newsmon"))
AS_OF = "2026-11-20"
CITIES = [
    "Omsk",
    "Tomsk",
    "Kazan",
    "Perm",
    "Ufa",
    "Samara",
    "Saratov",
    "Tver",
    "Tula",
    "Kursk",
    "Orel",
    "Penza",
    "Chita",
    "Kirov",
]


def _corpus(box: Path) -> None:
    """Stories about call-ups in many cities, a syndicated copy of some, and bad files."""
    box.mkdir(parents=True)
    shutil.copytree(SEEDS, box / "seeds")
    for i, city in enumerate(CITIES * 3):
        text = (
            f"Military enlistment offices in {city} handed call-up papers to {100 + i} reservists"
            f" on day {i}, relatives of mobilised soldiers in {city} said, and the regional"
            f" governor promised payments of {i * 1000} roubles to contract soldiers from {city}."
        )
        (box / f"story-{i:03d}.txt").write_text(
            f"Call-up in {city}, day {i}\n\n{text}", encoding="utf-8"
        )
        if i % 5 == 0:  # a wire copy of the same story from another outlet
            copy = {
                "url": f"https://wire.example/{i}",
                "title": f"{city}: call-up",
                "text": text,
                "published_at": f"{AS_OF}T08:00:00Z",
            }
            (box / f"copy-{i:03d}.jsonl").write_text(
                json.dumps(copy) + "\n{broken\n", encoding="utf-8"
            )
    (box / "empty.txt").write_bytes(b"")
    (box / "report.pdf").write_bytes(b"%PDF-1.4")


WATCHLISTS = {  # matched in the signals stage, inside its transaction
    "watchlists": [
        {
            "name": "reservists",
            "query": 'reservists OR "contract soldiers"',
            "deliver": {"log": True},
        },
        {"name": "Chita desk", "query": "Chita", "topics": ["mobilization"]},
    ]
}


def _env(db: Path, tmp: Path, overlap: bool = False, **extra: str) -> dict[str, str]:
    settings = {
        "db_path": str(db),
        "ingest": {"batch_size": 10, "workers": 1, "store_while_reading": overlap},
        "alerts": {"channels": ["log"]},
        "signals": {"recent_days": 0},  # the corpus is dated before AS_OF: alert it all
    }
    (tmp / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    (tmp / "watchlists.yaml").write_text(json.dumps(WATCHLISTS), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_PAUSE")}
    return (
        env
        | {
            "NEWSMON_CONFIG": str(tmp / "settings.yaml"),
            "NEWSMON_DB": str(db),
            "NEWSMON_WATCHLISTS": str(tmp / "watchlists.yaml"),
        }
        | extra
    )


def _ingest(box: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NEWSMON, "ingest", str(box), "--as-of", AS_OF, "--json", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _kill_at(
    point: str, box: Path, env: dict[str, str], pause: Path, command: list[str] | None = None
) -> None:
    """Start ``newsmon ingest`` (or ``command``), wait until it reaches ``point``, and
    SIGKILL it there."""
    proc = subprocess.Popen(
        command or [NEWSMON, "ingest", str(box), "--as-of", AS_OF, "-q"],
        env=env | {"NEWSMON_PAUSE_AT": point, "NEWSMON_PAUSE_FILE": str(pause)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(1200):
            if pause.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        ended = proc.poll() is not None
        why = proc.stderr.read().decode()[-2000:] if ended else ""
        assert pause.exists(), f"never reached {point}: {why}"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("uninterrupted")
    box = tmp / "inbox"
    _corpus(box)
    db = tmp / "news.duckdb"
    done = _ingest(box, _env(db, tmp))
    assert done.returncode == 0, done.stderr[-3000:]
    state = stored_state(db)
    assert len(state["articles"]) > 40 and state["signals"] and state["errors"]
    matched = {w for w, *_ in state["watchlist_matches"]}
    assert matched == {"reservists", "Chita desk"}, "the watchlists are part of the state"
    assert any(a.startswith("watch:reservists:") for a, _ in state["alerts"])
    return {"box": box, "state": state}


@pytest.mark.parametrize(
    ("point", "overlap"),
    [
        ("read#3", False),
        ("store#2", False),
        ("store#4", False),
        ("signals", False),
        # storing each chunk while the reading goes on (ingest.store_while_reading)
        ("read#5", True),
        ("store#3", True),
    ],
)
def test_a_killed_run_is_recovered_by_the_next_with_nothing_lost_or_doubled(
    point: str, overlap: bool, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path, overlap)
    _kill_at(point, reference["box"], env, tmp_path / "paused")
    again = _ingest(reference["box"], env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert stored_state(db) == reference["state"], f"killed at {point}, then rerun"
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "select status, last_error from pipeline_runs order by started_at"
        ).fetchall()
    if point == "signals":  # everything was stored: the next run only raises the signals
        assert [s for s, _ in runs] == ["success", "success"]
    else:
        assert runs[0][0] == "failed" and "interrupted: the process that ran it (PID" in runs[0][1]
        assert runs[1][0] == "success"
    staging = db.parent / "staging"
    assert not staging.exists() or not any(staging.iterdir()), "no staging folder is left behind"


def test_newsmon_signals_alone_recovers_a_killed_run(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    _kill_at("store#3", reference["box"], env, tmp_path / "paused")
    done = subprocess.run(
        [NEWSMON, "signals", "--as-of", AS_OF], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["runs_covered"] == 1 and result["signals_new"] > 0, (
        "the stored stories got their signals"
    )
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status, signals_done from pipeline_runs").fetchall() == [
            ("failed", True)
        ]


def test_two_dags_on_the_same_logical_date_keep_their_own_runs(
    airflow_db, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pendulum
    from airflow.dag_processing.dagbag import DagBag

    (tmp_path / "sources.yaml").write_text(json.dumps({"sources": []}), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_SOURCES", str(tmp_path / "sources.yaml"))
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    when = pendulum.datetime(2026, 11, 20, 21, tz="UTC")
    ingest = bag.get_dag("news_ingest").test(
        run_after=when, logical_date=when, run_conf={"paths": [str(SEEDS)]}
    )
    fetch = bag.get_dag("news_fetch").test(run_after=when, logical_date=when)
    assert ingest.run_id == fetch.run_id, "Airflow gives both the same run id"
    with duckdb.connect(str(db_path), read_only=True) as con:
        runs = con.execute(
            "select run_id, made_by, status, files_found, articles_new from pipeline_runs order by made_by"
        ).fetchall()
    assert [(r[1], r[2]) for r in runs] == [("news_fetch", "success"), ("news_ingest", "success")]
    assert runs[0][0].startswith("news_fetch__") and runs[1][0].startswith("news_ingest__")
    assert runs[1][3:] == (5, 5), "the ingest run keeps its own counts"


def test_nonexistent_path_is_an_error_not_a_quiet_success(tmp_path: Path) -> None:
    done = subprocess.run(
        [NEWSMON, "ingest", str(tmp_path / "nope"), str(SEEDS), "--db", str(tmp_path / "n.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"newsmon: no such file or folder: {tmp_path / 'nope'}"
    ]
    assert not (tmp_path / "n.duckdb").exists(), "nothing was started"


def test_a_busy_database_is_one_plain_line(tmp_path: Path) -> None:
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    settings = json.loads((tmp_path / "settings.yaml").read_text()) | {"db_lock_wait_seconds": 1}
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    hold = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hold.stdout.readline().strip() == "held"
        done = _ingest(SEEDS, env)
    finally:
        hold.kill()
        hold.wait()
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"PID {hold.pid}" in lines[0] and "close that session" in lines[0]


def test_a_run_left_running_by_a_dead_airflow_worker_is_failed_after_the_limit(
    tmp_path: Path, db_path: Path, settings
) -> None:
    from dataclasses import replace

    from newsmon.staging import RunFolder
    from newsmon.storage import runs
    from newsmon.storage.db import open_db

    staged = RunFolder(settings.staging_dir, "news_ingest__scheduled__old")
    with open_db(settings) as con:
        runs.start(con, staged, kind="ingest", trigger="airflow", made_by="news_ingest", paths=[])
        con.execute("update pipeline_runs set heartbeat_at = heartbeat_at - interval 13 hours")
        (staged.path / "articles-00000.jsonl").write_text("{}\n")
        fresh = RunFolder(settings.staging_dir, "news_ingest__scheduled__new")
        runs.start(con, fresh, kind="ingest", trigger="airflow", made_by="news_ingest", paths=[])
        assert runs.recover_stale(con, settings) == ["news_ingest__scheduled__old"]
        statuses = dict(con.execute("select run_id, status from pipeline_runs").fetchall())
    assert statuses == {
        "news_ingest__scheduled__old": "failed",
        "news_ingest__scheduled__new": "running",
    }
    assert not staged.path.exists() and fresh.path.exists(), "only the dead run's staging goes"
    longer = replace(settings, runs=replace(settings.runs, stale_after_hours=100))
    with open_db(longer) as con:
        assert runs.recover_stale(con, longer) == []


def test_a_publish_killed_midway_leaves_the_old_copy_readable(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    assert _ingest(SEEDS, env).returncode == 0
    copy = db.parent / "read" / "news.duckdb"
    before = (
        duckdb.connect(str(copy), read_only=True)
        .execute("select count(*) from articles")
        .fetchone()[0]
    )
    _kill_at("publish", reference["box"], env, tmp_path / "paused")
    assert list(copy.parent.glob(".*.tmp")), "the killed publish left its half-made copy"
    with duckdb.connect(str(copy), read_only=True) as con:  # the old copy, whole
        assert con.execute("select count(*) from articles").fetchone()[0] == before
    again = _ingest(reference["box"], env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not list(copy.parent.glob(".*.tmp")), "the next publish cleans up"
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == len(
            reference["state"]["articles"]
        )


def test_a_feed_write_killed_midway_leaves_the_old_feed_whole(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    """Killed between writing a feed beside the old one and renaming it: readers keep the
    old feed, and the next run removes the leftover and writes every feed whole."""
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    assert _ingest(SEEDS, env).returncode == 0
    feeds = db.parent / "feeds"
    before = feedparser.parse(feeds / "mobilization.atom")
    assert not before.bozo and len(before.entries) == 5
    _kill_at("feeds", reference["box"], env, tmp_path / "paused")
    assert list(feeds.glob(".*.tmp")), "the killed write left its file"
    kept = feedparser.parse(feeds / "mobilization.atom")
    assert not kept.bozo and [e.id for e in kept.entries] == [e.id for e in before.entries]
    again = _ingest(reference["box"], env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not list(feeds.glob(".*.tmp")), "the next run cleans up"
    after = feedparser.parse(feeds / "mobilization.atom")
    assert not after.bozo and len(after.entries) > len(before.entries)


def test_feeds_that_cannot_be_written_cost_the_feeds_not_the_run(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    """A file where the feeds folder should be: the run stores, signals and publishes as
    ever, says why the feeds were not written, and writes them once the way is clear."""
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    blocker = db.parent / "feeds"
    blocker.write_text("not a folder")
    done = _ingest(reference["box"], env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Atom feeds not written" in done.stderr
    assert stored_state(db) == reference["state"], "nothing else lost"
    blocker.unlink()
    assert _ingest(reference["box"], env).returncode == 0
    assert not feedparser.parse(blocker / "mobilization.atom").bozo


@pytest.mark.parametrize(
    "query",
    [
        "",
        "!!!",
        "'; drop table articles; --",
        "a b",
        "мобилизация " * 3000,
        "\\u0000\\ud800",
        "%_*[(",
        "  \t\n ",
    ],
    ids=[
        "empty",
        "punctuation",
        "sql-quote",
        "short-words",
        "3000-words",
        "escapes",
        "pattern-chars",
        "whitespace",
    ],
)
def test_hostile_search_queries_answer_plainly(
    reference: dict[str, Any], tmp_path_factory, query: str
) -> None:
    tmp = tmp_path_factory.mktemp("q")
    db = tmp / "news.duckdb"
    env = _env(db, tmp)
    assert _ingest(SEEDS, env).returncode == 0
    done = subprocess.run(
        [NEWSMON, "search", query, "--json"], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 5, (
            "nothing was changed"
        )


def test_a_file_that_kills_its_reader_costs_only_itself(tmp_path: Path) -> None:
    """A file whose reading kills the reader process (a crash in a C library, the kernel's
    OOM killer) broke the pool and failed the run, and every run after it, since the file
    was never recorded. Killed here with SIGKILL each time a reader reaches it: the files
    read beside it are read again one at a time in a fresh pool, it kills its reader alone
    too, and becomes an ingest error; every other file is stored, and the next run reads
    nothing again."""
    box = tmp_path / "inbox"
    box.mkdir()
    for i in range(90):  # enough files for the reader pool
        city = CITIES[i % len(CITIES)]
        (box / f"story-{i:03d}.txt").write_text(
            f"Call-up in {city}, day {i}\n\nMilitary enlistment offices in {city} handed call-up"
            f" papers to {100 + i} reservists on day {i}, relatives of mobilised soldiers said.",
            encoding="utf-8",
        )
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    settings = json.loads((tmp_path / "settings.yaml").read_text())
    settings["ingest"]["workers"] = 2
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    pause = tmp_path / "paused"
    proc = subprocess.Popen(
        [NEWSMON, "ingest", str(box), "--as-of", AS_OF, "--json", "-q"],
        env=env
        | {
            "NEWSMON_PAUSE_AT": "read-item",
            "NEWSMON_PAUSE_MATCH": "story-047.txt",
            "NEWSMON_PAUSE_FILE": str(pause),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    killed: list[int] = []
    try:
        for _ in range(1200):
            if proc.poll() is not None:
                break
            if pause.exists():
                pid = int(pause.read_text().split()[1])
                pause.unlink()
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.1)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err[-3000:]
    assert len(killed) == 2 and killed[0] != killed[1] and proc.pid not in killed
    result = json.loads(out)
    assert result["articles_new"] == 89
    with duckdb.connect(str(db), read_only=True) as con:
        errors = con.execute("select origin, stage, reason from ingest_errors").fetchall()
        stored = {r[0] for r in con.execute("select origin from articles").fetchall()}
        status = con.execute("select status from pipeline_runs").fetchall()
    assert [(Path(o).name, s) for o, s, _ in errors] == [("story-047.txt", "read")]
    assert "reader process died" in errors[0][2]
    assert {Path(o).name for o in stored} == {f"story-{i:03d}.txt" for i in range(90)} - {
        "story-047.txt"
    }
    assert status == [("success",)]
    again = _ingest(box, env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout)["articles_new"] == 0
    assert json.loads(again.stdout)["files_skipped"] == 90


@pytest.mark.parametrize("point", ["retag-load", "retag-swap"])
def test_a_retag_killed_before_its_swap_leaves_the_old_tags(point: str, tmp_path: Path) -> None:
    """``newsmon retag`` builds the new tags beside the live ones and swaps them in one
    short transaction: killed while loading them, or just before the swap, it leaves every
    old tag as it was; the next retag drops its half-built tables and completes."""
    box = tmp_path / "inbox"
    _corpus(box)
    db = tmp_path / "news.duckdb"
    env = _env(db, tmp_path)
    assert _ingest(box, env).returncode == 0
    before = stored_state(db)
    assert before["topics"]
    topics = tmp_path / "topics.yaml"
    text = (ROOT / "include" / "config" / "topics.yaml").read_text(encoding="utf-8")
    topics.write_text(text.replace("threshold: 3.0", "threshold: 6.0"), encoding="utf-8")
    settings = json.loads((tmp_path / "settings.yaml").read_text(encoding="utf-8"))
    (tmp_path / "settings.yaml").write_text(json.dumps(settings | {"topics_path": str(topics)}))
    _kill_at(point, box, env, tmp_path / "paused", [NEWSMON, "retag", "-q"])
    assert stored_state(db) == before, "the old tags, whole"
    done = subprocess.run(
        [NEWSMON, "retag", "-q"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    after = stored_state(db)
    assert after["articles"] == before["articles"] and after["signals"] == before["signals"]
    assert after["topics"] != before["topics"]
    assert all(score >= 6.0 for _, _, score in after["topics"])
    with duckdb.connect(str(db), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert not {t for t in tables if t.startswith("retag_")}
    assert {"article_topics", "article_regions"} <= tables
