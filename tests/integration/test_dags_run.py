"""Run the real DAGs with dag.test() on a temporary DuckDB file over seeds/."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert not bag.import_errors
    return bag


def _run(dagbag, dag_id: str, conf: dict | None = None):
    dag = dagbag.get_dag(dag_id)
    dag_run = dag.test(run_conf=conf or {})
    assert str(dag_run.state).endswith("success"), f"{dag_id} ended {dag_run.state}"
    return dag_run


def test_ingest_then_alerts_over_seeds(dagbag, db_path: Path, alert_history: Path) -> None:
    import re

    from newsmon.console.pages import number

    dag_run = _run(dagbag, "news_ingest", {"paths": [str(SEEDS)]})
    with duckdb.connect(str(db_path), read_only=True) as con:
        # the run as Airflow names it, for the console to show and link
        assert con.execute("select made_by, airflow_run_id from pipeline_runs").fetchall() == [
            ("news_ingest", dag_run.run_id)
        ]
        # a reason's score is rounded as the console prints "Topic score", its count in words
        for score, reason in con.execute("select score, reason from signals").fetchall():
            assert f"(score {number(score)}, 1 article): " in reason, reason
            assert not re.search(r"\(s\)", reason)
        assert con.execute("select count(*) from articles").fetchone()[0] == 5
        assert con.execute("select count(*) from stories").fetchone()[0] == 5
        tagged = con.execute(
            "select count(distinct article_id) from article_topics where topic = 'mobilization'"
        ).fetchone()[0]
        assert tagged == 5, "every seed is about mobilization"
        evidence = con.execute(
            "select a.text, e.snippet, e.start, e.end from article_topics t join articles a using (article_id),"
            " unnest(t.evidence) as u(e) where t.topic = 'mobilization' and e.field = 'text'"
        ).fetchall()
        assert evidence
        for text, snippet, start, end in evidence:
            assert 0 <= start < end <= len(text)
            assert " ".join(text[start:end].split()) in snippet
        signals = con.execute("select kind, topic from signals").fetchall()
        assert signals == [("new_story", "mobilization")] * 5
        # one pending alert per signal per channel (log, slack, email)
        pending = con.execute("select count(*) from alerts where status = 'pending'").fetchone()[0]
        assert pending == 15
        run = con.execute(
            "select status, files_found, documents, articles_new, signals_new, alerts_queued from pipeline_runs"
        ).fetchall()
        assert run == [("success", 5, 5, 5, 5, 15)]

    _run(dagbag, "news_alerts")
    with duckdb.connect(str(db_path), read_only=True) as con:
        by_channel = con.execute(
            "select channel, status, count(*) from alerts group by all order by all"
        ).fetchall()
        # no Slack or SMTP connection in this test: those alerts wait for one
        assert by_channel == [("email", "pending", 5), ("log", "sent", 5), ("slack", "pending", 5)]
    log_lines = (db_path.parent / "alerts.log").read_text(encoding="utf-8").splitlines()
    assert len(log_lines) == 5
    assert all("New mobilization story" in line for line in log_lines)

    # A second run over the same inputs adds nothing and sends nothing.
    _run(dagbag, "news_ingest", {"paths": [str(SEEDS)]})
    _run(dagbag, "news_alerts")
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 5
        assert con.execute("select count(*) from signals").fetchone()[0] == 5
        assert con.execute("select count(*) from alerts").fetchone()[0] == 15
        last = con.execute(
            "select files_skipped, articles_new, signals_new from pipeline_runs order by started_at desc limit 1"
        ).fetchone()
        assert last == (5, 0, 0)
    assert len((db_path.parent / "alerts.log").read_text(encoding="utf-8").splitlines()) == 5
