"""DAG integrity: imports cleanly, tagged, retried, documented, light at parse time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

DAGS = {"news_ingest", "news_alerts", "news_fetch"}


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) >= DAGS


@pytest.mark.parametrize("dag_id", sorted(DAGS))
def test_dag_conventions(dagbag, dag_id: str) -> None:
    dag = dagbag.get_dag(dag_id)
    assert "newsmon" in dag.tags
    assert dag.doc_md and dag_id in dag.doc_md
    assert dag.max_active_runs == 1
    from newsmon_airflow.defaults import FailureNotifier

    for task in dag.tasks:
        assert task.retries >= 1, task.task_id
        callbacks = task.on_failure_callback
        assert any(isinstance(cb, FailureNotifier) for cb in callbacks), task.task_id


def test_writers_share_the_duckdb_pool(dagbag) -> None:
    ingest = dagbag.get_dag("news_ingest")
    pools = {t.task_id: t.pool for t in ingest.tasks}
    assert pools == {
        "discover_files": "newsmon_duckdb",
        "read_files": "default_pool",  # reads, cleans and tags: no database
        "store_articles": "newsmon_duckdb",  # stores, raises signals, publishes
    }
    alerts = {t.task_id: t.pool for t in dagbag.get_dag("news_alerts").tasks}
    assert alerts == {
        "prepare_alerts": "newsmon_duckdb",
        "send_alerts": "default_pool",  # Slack and SMTP waits never hold the writer
        "record_alerts": "newsmon_duckdb",
    }
    fetch = {t.task_id: t.pool for t in dagbag.get_dag("news_fetch").tasks}
    assert fetch["fetch_sources"] == "default_pool", "network work never holds the DuckDB pool"
    assert fetch["plan_fetch"] == fetch["store_articles"] == "newsmon_duckdb"
    assert set(fetch) == {"plan_fetch", "fetch_sources", "store_articles"}


def test_every_duckdb_writer_goes_to_the_duckdb_queue(dagbag) -> None:
    """Under Celery the queue puts every writer on the one worker with the data volume; the
    pool is the scheduler-side guard. The two always go together."""
    for dag_id in ("news_ingest", "news_fetch", "news_alerts"):
        for t in dagbag.get_dag(dag_id).tasks:
            assert (t.pool == "newsmon_duckdb") == (t.queue == "duckdb"), (dag_id, t.task_id)
    fetch = {t.task_id: t.queue for t in dagbag.get_dag("news_fetch").tasks}
    assert fetch == {"plan_fetch": "duckdb", "fetch_sources": "default", "store_articles": "duckdb"}


def test_ingest_order_and_asset_wiring(dagbag) -> None:
    ingest = dagbag.get_dag("news_ingest")
    order = ["discover_files", "read_files", "store_articles"]
    for upstream, downstream in zip(order, order[1:], strict=False):
        assert downstream in ingest.get_task(upstream).downstream_task_ids
    assert "backfill" in ingest.params
    outlets = ingest.get_task("store_articles").outlets
    assert [o.name for o in outlets] == ["newsmon_signals"]
    alerts = dagbag.get_dag("news_alerts")
    assert "newsmon_signals" in repr(alerts.timetable.asset_condition)
    # a schedule as a safety net for alerts left pending by a failed delivery
    assert type(alerts.timetable).__name__ == "AssetOrTimeSchedule"
    assert alerts.timetable.timetable.expression == "*/30 * * * *"


@pytest.mark.parametrize("name", ["news_ingest.py", "news_alerts.py", "news_fetch.py"])
def test_dag_files_import_nothing_heavy(name: str) -> None:
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1]);"
        "heavy = [m for m in ('duckdb', 'newspaper', 'requests', 'numpy', 'charset_normalizer', 'newsmon.flows.pipeline')"
        " if m in sys.modules]; print(','.join(heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "dags" / name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1:] in ([], [""]), done.stdout
