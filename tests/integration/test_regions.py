"""Regions through the pipeline on a real DuckDB file: every article placed with evidence, a
story's regions from its copies, the per-region views, a mobilization spike in one region,
the region named in the alert, and a retag that places stored articles again."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT

BIN = ROOT / ".venv" / "bin"
TODAY = datetime.now(UTC).date()  # set again when the test starts (a run may cross midnight)

LEADS = [
    "Military enlistment offices in Ulan-Ude handed call-up papers to {n} men, local media reported.",
    "В Бурятии военкоматы разослали {n} повесток мужчинам призывного возраста.",
    "У Бурятії мобілізували ще {n} чоловіків, повідомляють місцеві канали.",
    "Relatives of mobilised men from Buryatia say {n} soldiers have not been rotated.",
]


def _records() -> list[dict]:
    out = []
    for i in range(6):  # six distinct mobilization stories in Buryatia today
        rng = random.Random(i)
        filler = " ".join(
            "".join(rng.choice("bdgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
            for _ in range(60)
        )
        out.append(
            {
                "url": f"https://example.org/bu/{i}",
                "title": f"Report {i}",
                "text": LEADS[i % 4].format(n=100 + 7 * i) + " " + filler + ".",
                "published_at": f"{TODAY.isoformat()}T0{i}:00:00Z",
                "source": f"Outlet {i}",
            }
        )
    out.append(
        {  # one story in Moscow, and one that only quotes the Kremlin
            "url": "https://example.org/msk",
            "title": "Picket in Moscow",
            "text": "Police in Moscow detained a woman who held a placard against mobilisation.",
            "published_at": f"{(TODAY - timedelta(days=1)).isoformat()}T10:00:00Z",
        }
    )
    out.append(
        {
            "url": "https://example.org/kremlin",
            "title": "Kremlin denies",
            "text": "Moscow said there would be no new wave of mobilisation this year.",
            "published_at": f"{(TODAY - timedelta(days=1)).isoformat()}T11:00:00Z",
        }
    )
    # the rest of the news on the seven days before: a baseline for the share of each topic
    from tests.integration.test_signals import _other

    out += [_other(i, TODAY - timedelta(days=1 + i % 7)) for i in range(35)]
    return out


def _cli(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "newsmon"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        input=stdin,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_regions_through_ingest_views_spike_alert_and_retag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    # the records' day, the run's day and current_date in the views are one day: not the
    # day the tests were collected (a suite that crossed midnight UTC failed here)
    monkeypatch.setattr(sys.modules[__name__], "TODAY", datetime.now(UTC).date())

    db = tmp_path / "db" / "news.duckdb"
    (tmp_path / "s.yaml").write_text(
        json.dumps({"alerts": {"channels": ["log"], "log_path": str(tmp_path / "alerts.log")}}),
        encoding="utf-8",
    )
    env = dict(os.environ, NEWSMON_DB=str(db), NEWSMON_CONFIG=str(tmp_path / "s.yaml"))
    feed = tmp_path / "in" / "feed.jsonl"
    feed.parent.mkdir()
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records()))
    _cli(env, "ingest", str(feed), "-q")
    with duckdb.connect(str(db), read_only=True) as con:
        placed = dict(
            con.execute(
                "select a.url, list(r.region order by r.region) from articles as a"
                " left join article_regions as r using (article_id) group by all"
            ).fetchall()
        )
        evidence = con.execute(
            "select e.term, e.field, e.snippet from article_regions, unnest(evidence) as u(e)"
            " where article_id = (select article_id from articles where url = 'https://example.org/bu/1')"
        ).fetchall()
        per_region = dict(
            con.execute(
                "select region, stories from daily_topic_region_counts"
                " where topic = 'mobilization' and day = current_date"
            ).fetchall()
        )
        week = con.execute(
            "select region, name, stories_7d from mobilization_regions_week order by region"
        ).fetchall()
        spike = con.execute(
            "select kind, topic, region, day, count_day, baseline, reason from signals"
            " where kind = 'region_spike'"
        ).fetchall()
    assert all(placed[f"https://example.org/bu/{i}"] == ["RU-BU"] for i in range(6))
    with duckdb.connect(str(db), read_only=True) as con:
        outlets = dict(con.execute("select url, source from articles").fetchall())
        langs = dict(con.execute("select url, lang || '/' || lang_source from articles").fetchall())
    assert outlets["https://example.org/bu/0"] == "Outlet 0"
    assert outlets["https://example.org/msk"] == "example.org", "no outlet named: the URL's host"
    # no language declared: detected (the Buryatia reports are mostly random filler words)
    assert langs["https://example.org/msk"] == langs["https://example.org/kremlin"] == "en/detected"
    assert placed["https://example.org/msk"] == ["RU-MOW"]
    assert placed["https://example.org/kremlin"] == [None], "'Moscow said' is not a place"
    assert evidence and evidence[0][0] == "бурят*" and "Бурятии" in evidence[0][2]
    assert per_region == {"RU-BU": 6}
    assert week == [("RU-BU", "Buryatia", 6), ("RU-MOW", "Moscow", 1)]
    assert spike == [
        (
            "region_spike",
            "mobilization",
            "RU-BU",
            TODAY,
            6,
            0.0,
            f"mobilization in Buryatia (RU-BU): 6 of 6 stories on {TODAY.isoformat()} (100.0%)"
            " vs 0.0% over the 7 days before (expected 0.0; 0.0 a day)",
        )
    ]

    _cli(env, "alerts", "-q")
    log = (tmp_path / "alerts.log").read_text(encoding="utf-8")
    assert "Regional spike: mobilization in Buryatia (RU-BU)" in log
    assert "regions: Buryatia (RU-BU)" in log  # the new-story alerts name it too

    with duckdb.connect(str(db)) as con:
        con.execute("delete from article_regions")
        # topics stored before the country pass have no country: out of the watch until retag
        con.execute("update article_topics set country = null, country_evidence = null")
    _cli(env, "retag", "-q")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from article_regions").fetchone()[0] == 7
        countries = dict(
            con.execute(
                "select a.url, t.country from article_topics as t join articles as a"
                " using (article_id) where t.topic = 'mobilization'"
            ).fetchall()
        )
        evidence = con.execute(
            "select len(country_evidence) from article_topics where country is not null"
        ).fetchall()
    assert all(countries[f"https://example.org/bu/{i}"] == "RU" for i in range(6)), countries
    assert evidence and all(n >= 1 for (n,) in evidence), "retag fills country and its evidence"

    out = _cli(
        env,
        "tag",
        "--explain",
        stdin=json.dumps({"id": 1, "text": "Повестки раздают в Улан-Удэ."}) + "\n",
    )
    (row,) = [json.loads(line) for line in out.splitlines()]
    (region,) = row["regions"]
    assert region["region"] == "RU-BU" and region["name"] == "Buryatia"
    assert region["evidence"][0]["term"] == "улан-уд*" and "weight" in region["evidence"][0]
