"""Signals on a real DuckDB file: spikes with their numbers, one signal per story, once."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import duckdb

from newsmon.flows.deliver import deliver
from newsmon.flows.pipeline import ingest

AS_OF = date(2026, 11, 20)

TEMPLATES = [
    "Military enlistment offices in {city} handed call-up papers to {n} men on {day}, local media reported, "
    "as the region struggles to meet its recruitment quota for contract soldiers.",
    "Relatives of mobilised men in {city} say {n} soldiers from the region have not been rotated since {day}; "
    "they plan to petition the governor about demobilisation.",
    "In {city}, {n} convicts signed contracts to fight in Ukraine in exchange for pardons, lawyers said on {day}, "
    "describing the recruitment of prisoners as routine.",
]
CITIES = ["Omsk", "Perm", "Tver", "Kazan", "Ufa", "Samara", "Tomsk", "Chita", "Kursk", "Oryol"]


def _article(i: int, day: date) -> dict:
    text = TEMPLATES[i % 3].format(city=CITIES[i % 10], n=100 + i * 7, day=day.isoformat())
    # a paragraph of invented words of its own, so no two reports are near-duplicates
    rng = random.Random(i)
    words = (
        "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(60)
    )
    text += " " + " ".join(words) + "."
    return {
        "url": f"https://example.org/{i}",
        "title": f"Report {i} from {CITIES[i % 10]}",
        "text": text,
        "published_at": f"{day.isoformat()}T09:00:00Z",
        "source": f"Outlet {i % 4}",
    }


def _other(i: int, day: date) -> dict:
    """A story on no watched topic (weather, sport, markets): the rest of a day's news."""
    rng = random.Random(10_000 + i)
    words = " ".join(
        "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(60)
    )
    return {
        "url": f"https://example.org/other/{i}",
        "title": f"Weather and markets {i}",
        "text": f"Rain is expected over the weekend and shares closed higher. {words}.",
        "published_at": f"{day.isoformat()}T08:00:00Z",
        "source": f"Outlet {i % 4}",
    }


UKRAINE = (
    "Territorial recruitment centres in Lviv handed summonses to {n} men this week, and "
    "Zelensky signed the law lowering the mobilization age, Ukrainian media reported."
)


def _ukraine(i: int, day: date) -> dict:
    """A mobilization story about Ukraine's own state: out of the default watch (RU)."""
    art = _article(i, day) | {"url": f"https://example.org/ua/{i}", "title": f"Ukraine {i}"}
    return art | {"text": UKRAINE.format(n=100 + i) + art["text"].split(".", 1)[1]}


def _days(per_day: dict[str, int], today: dict[str, int], start: int = 0) -> list[dict]:
    """Seven baseline days and AS_OF, with so many stories of each kind a day."""
    make = {"ru": _article, "ua": _ukraine, "other": _other}
    rows, i = [], start
    for back in range(7, -1, -1):
        day = AS_OF - timedelta(days=back)
        for kind, n in (today if back == 0 else per_day).items():
            for _ in range(n):
                rows.append(make[kind](i, day))
                i += 1
    return rows


def _spikes(settings, tmp_path: Path, rows: list[dict]) -> list[tuple]:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    ingest(settings, [feed], as_of=AS_OF)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        return con.execute(
            "select topic, count_day, baseline, share_day, share_baseline, day_stories, reason"
            " from signals where kind = 'spike'"
        ).fetchall()


def test_spike_fires_once_with_its_numbers(tmp_path: Path, settings) -> None:
    # 10% of the news is mobilization on the seven days before; 40% today
    rows = _days({"ru": 1, "other": 9}, {"ru": 6, "other": 9})
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")

    first = ingest(settings, [feed], as_of=AS_OF)
    assert first["stories_new"] == 85
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        spike = con.execute(
            "select signal_id, count_day, baseline, share_day, share_baseline, day_stories,"
            " reason from signals where kind = 'spike'"
        ).fetchall()
    assert spike == [
        (
            "spike:mobilization:2026-11-20",
            6,
            1.0,
            0.4,
            0.1,
            15,
            "mobilization: 6 of 15 stories on 2026-11-20 (40.0%) vs 10.0% over the 7 days"
            " before (expected 1.5; 1.0 a day)",
        )
    ]
    assert first["signals_new"] == 14  # 13 new mobilization stories + 1 spike

    feed.write_text(
        feed.read_text(encoding="utf-8") + json.dumps(_article(900, AS_OF)) + "\n",
        encoding="utf-8",
    )
    second = ingest(settings, [feed], as_of=AS_OF)
    assert (
        second["articles_new"] == 1 and second["signals_new"] == 1
    )  # the new story, not the spike again


def test_ten_times_the_news_at_the_same_share_is_no_spike(tmp_path: Path, settings) -> None:
    """Sources added: ten times the stories, the topic's share unchanged. The count rule
    fired here (10 stories against 1 a day)."""
    assert _spikes(settings, tmp_path, _days({"ru": 1, "other": 9}, {"ru": 10, "other": 90})) == []


def test_a_doubled_share_on_a_normal_day_is_a_spike(tmp_path: Path, settings) -> None:
    spikes = _spikes(settings, tmp_path, _days({"ru": 3, "other": 27}, {"ru": 6, "other": 24}))
    assert [
        (t, n, round(share, 3), round(base, 3), total) for t, n, _, share, base, total, _ in spikes
    ] == [("mobilization", 6, 0.2, 0.1, 30)]


def test_topics_about_other_countries_neither_fire_nor_fill_the_baseline(
    tmp_path: Path, settings
) -> None:
    """Ukraine's own mobilization fills the days before (five stories a day): out of the
    watch (RU), it does not hide Russia's surge today, and its own surge fires nothing."""
    rows = _days({"ru": 1, "ua": 5, "other": 9}, {"ru": 6, "ua": 20, "other": 9})
    spikes = _spikes(settings, tmp_path, rows)
    assert [(t, n, total) for t, n, _, _, _, total, _ in spikes] == [("mobilization", 6, 35)]
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        counts = con.execute(
            "select stories, all_countries from daily_topic_counts"
            " where topic = 'mobilization' and day = ?",
            [AS_OF],
        ).fetchone()
        countries = dict(
            con.execute(
                "select country, count(*) from story_topics where topic = 'mobilization' group by 1"
            ).fetchall()
        )
    assert counts == (6, 26), "the view counts the watch's stories and all of them apart"
    assert countries == {"RU": 13, "UA": 55}


def test_watching_ukraine_too_counts_its_stories(tmp_path: Path, settings) -> None:
    wider = replace(settings, watch=replace(settings.watch, countries=("RU", "UA")))
    rows = _days({"ru": 1, "ua": 1, "other": 9}, {"ru": 1, "ua": 12, "other": 9})
    spikes = _spikes(wider, tmp_path, rows)
    assert [(t, n, total) for t, n, _, _, _, total, _ in spikes] == [("mobilization", 13, 22)]


def test_syndicated_copies_are_one_story_and_one_alert(tmp_path: Path, settings) -> None:
    body = (
        "Russian authorities are involved in a covert mobilization campaign. Military registration and enlistment "
        "offices have sent summonses to men across the regions, and thousands of vacancies for contract soldiers "
        "were posted on job sites. Experts say the Kremlin fears a backlash if it declares a new wave of mobilization."
    )
    copies = [
        {
            "url": "https://a.example/story",
            "title": "Russia secretly mobilizes",
            "text": body,
            "source": "Outlet A",
        },
        {
            "url": "https://b.example/x?utm_source=tw",
            "title": "Kremlin's covert call-up",
            "text": "MOSCOW (agencies) - " + body + " Read more on our site.",
            "source": "Outlet B",
        },
        {
            "url": "https://c.example/y",
            "title": "Covert mobilization",
            "text": body,
            "source": "Outlet C",
        },
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(c) for c in copies) + "\n", encoding="utf-8")
    result = ingest(settings, [feed], as_of=AS_OF)
    assert result["articles_new"] == 3 and result["stories_new"] == 1
    assert result["signals_new"] == 1 and result["alerts_queued"] == 3  # log, slack, email
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("select article_count, source_count from stories").fetchall() == [(3, 3)]

    assert deliver(settings)["sent"] == 1
    line = settings.alerts.log_path.read_text(encoding="utf-8")
    assert "New mobilization story: Russia secretly mobilizes" in line
    assert "(+2 outlets)" in line and "https://a.example/story" in line
    assert deliver(settings)["sent"] == 0, "a sent alert is not sent again"


def test_failed_signal_detection_is_caught_up(tmp_path: Path, settings) -> None:
    from newsmon.flows.ingest import discover_files, read_files
    from newsmon.flows.store import store_articles
    from newsmon.flows.tag import tag_articles

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(_article(1, AS_OF)) + "\n", encoding="utf-8")
    run_a = "run-a"
    discover_files(settings, run_a, [feed])
    read_files(settings, run_a)
    tag_articles(settings, run_a)
    store_articles(settings, run_a)
    # detection for run-a never happens (the task died); the next run covers it
    feed2 = tmp_path / "feed2.jsonl"
    feed2.write_text(json.dumps(_article(2, AS_OF)) + "\n", encoding="utf-8")
    result = ingest(settings, [feed2], as_of=AS_OF)
    assert result["signals_new"] == 2
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        assert (
            con.execute("select count(*) from pipeline_runs where not signals_done").fetchone()[0]
            == 0
        )


def test_failure_callback_marks_the_run_failed(tmp_path: Path, settings) -> None:
    from types import SimpleNamespace

    from newsmon.flows.ingest import discover_files
    from newsmon.storage.runs import airflow_run_id
    from newsmon_airflow.defaults import record_failure

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(_article(1, AS_OF)) + "\n", encoding="utf-8")
    for dag_id, airflow_run in (
        ("news_ingest", "manual__2026-11-22T01:00:00+00:00"),
        ("news_fetch", "scheduled__x"),
    ):
        discover_files(settings, airflow_run_id(dag_id, airflow_run), [feed], trigger="airflow")
        record_failure(
            {
                "task_instance": SimpleNamespace(dag_id=dag_id, task_id="store_articles"),
                "dag_run": SimpleNamespace(dag_id=dag_id, run_id=airflow_run),
                "exception": RuntimeError("disk full"),
            }
        )
    done = ingest(settings, [tmp_path / "none"], as_of=AS_OF)  # a finished run is left alone
    record_failure(
        {
            "task_instance": SimpleNamespace(dag_id="news_ingest", task_id="detect_signals"),
            "dag_run": SimpleNamespace(dag_id="news_ingest", run_id=done["run_id"]),
            "exception": RuntimeError("late"),
        }
    )
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows = dict(con.execute("select run_id, status from pipeline_runs").fetchall())
        errors = [
            r[0]
            for r in con.execute(
                "select last_error from pipeline_runs where status = 'failed'"
            ).fetchall()
        ]
    assert (
        rows["news_ingest__manual__2026-11-22T01_00_00_00_00"] == "failed"
        and rows["news_fetch__scheduled__x"] == "failed"
    )
    assert rows[done["run_id"]] == "success"
    assert sorted(errors) == [
        "news_fetch.store_articles: disk full",
        "news_ingest.store_articles: disk full",
    ]


def test_a_worker_off_the_writer_leaves_its_failure_for_the_next_writer(
    tmp_path: Path, settings
) -> None:
    """A task on a fetch/read worker (queue other than the writer's) does not open DuckDB
    when it fails: it leaves the reason in the run's staging folder, and the next stage that
    writes marks the run failed with that reason."""
    from types import SimpleNamespace

    from newsmon.flows.ingest import discover_files
    from newsmon.staging import RunFolder
    from newsmon.storage.runs import airflow_run_id
    from newsmon_airflow.defaults import record_failure

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps(_article(1, AS_OF)) + "\n", encoding="utf-8")
    ours = airflow_run_id("news_fetch", "scheduled__y")
    discover_files(settings, ours, [feed], trigger="airflow")
    record_failure(
        {
            "task_instance": SimpleNamespace(
                dag_id="news_fetch", task_id="fetch_sources", queue="default"
            ),
            "dag_run": SimpleNamespace(dag_id="news_fetch", run_id="scheduled__y"),
            "exception": RuntimeError("proxy refused"),
        }
    )
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        status = con.execute(
            "select status from pipeline_runs where run_id = ?", [ours]
        ).fetchone()[0]
    assert status == "running", "the worker did not touch the database"
    assert RunFolder(settings.staging_dir, ours).noted_failure() == (
        "news_fetch.fetch_sources: proxy refused"
    )
    ingest(settings, [tmp_path / "none"], as_of=AS_OF)  # the next run's writer
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        status, error = con.execute(
            "select status, last_error from pipeline_runs where run_id = ?", [ours]
        ).fetchone()
    assert (status, error) == ("failed", "news_fetch.fetch_sources: proxy refused")


def test_spike_counts_equal_the_analysts_views_for_any_window(tmp_path: Path, settings) -> None:
    """The spike queries pick the window's stories before joining their copies' topics and
    regions; their counts must stay those of `daily_topic_counts` and
    `daily_topic_region_counts` for the same days: copies dated apart (a story counts on
    its earliest date), undated stories (their first-seen day), several regions and
    topics, days at both ends of the window and outside it."""
    from newsmon.storage.db import execute

    places = ["Omsk", "Kazan", "Ulan-Ude", "Moscow"]
    rows = []
    for i in range(40):
        day = AS_OF - timedelta(days=i % 12)
        row = _article(i, day)
        row["text"] += f" Police in {places[i % 4]} detained protesters at a rally."
        if i % 7 == 0:
            del row["published_at"]  # undated: counted on the day it was first seen
        rows.append(row)
        if i % 5 == 0:  # a copy of it, dated later: same story, the story keeps its first date
            copy = dict(row, url=f"https://copy.example/{i}", source="Copy desk")
            copy["published_at"] = f"{(day + timedelta(days=3)).isoformat()}T10:00:00Z"
            rows.append(copy)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    ingest(settings, [feed], as_of=AS_OF)

    topics = ["mobilization", "protests", "elections"]
    today = date.today()
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        assert con.execute("select count(*) from stories where published_at is null").fetchone()[0]
        assert con.execute("select count(*) from stories where article_count > 1").fetchone()[0]
        windows = [(AS_OF - timedelta(days=7), AS_OF), (AS_OF - timedelta(days=3), AS_OF)]
        windows += [(today - timedelta(days=7), today), (AS_OF, AS_OF)]
        windows += [(AS_OF - timedelta(days=30), AS_OF - timedelta(days=20))]  # none
        compared = {"spike_counts": 0, "region_spike_counts": 0}
        views = {
            "spike_counts": "select topic, day, stories from daily_topic_counts",
            "region_spike_counts": "select topic, region, day, stories"
            " from daily_topic_region_counts",
        }
        for start, as_of in windows:
            for query, view in views.items():
                mine = execute(
                    con, f"alerting/signals/{query}", start=start, as_of=as_of, topics=topics
                ).fetchall()
                theirs = con.execute(
                    view
                    + " where day between $s and $a and topic in (select unnest($t::varchar[]))",
                    {"s": start, "a": as_of, "t": topics},
                ).fetchall()
                assert sorted(mine) == sorted(theirs), (query, start, as_of)
                compared[query] += len(mine)
        assert min(compared.values()) > 10  # the comparisons were not of empty sets
