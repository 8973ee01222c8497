"""What the DAG files share: pool and asset names, default_args, small helpers.

DAG files import this at parse time, so it imports only the standard library and
``airflow.sdk``; everything heavier is imported inside the callbacks.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)

POOL = "newsmon_duckdb"  # 1 slot: DuckDB allows one writing process per file
# Under the CeleryExecutor every task that writes DuckDB goes to this queue, which one worker
# (the one with the data volume) serves; other executors ignore queues.
DUCKDB_QUEUE = "duckdb"
WRITER: dict[str, Any] = {"pool": POOL, "queue": DUCKDB_QUEUE}
SIGNALS_ASSET = "newsmon_signals"  # updated by store_articles (both DAGs), schedules news_alerts


def record_failure(context: dict[str, Any]) -> None:
    """on_failure_callback: log what failed and mark the newsmon run failed."""
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    error = context.get("exception")
    where = f"{getattr(ti, 'dag_id', '?')}.{getattr(ti, 'task_id', '?')}"
    log.error("newsmon task %s failed in run %s: %s", where, getattr(dag_run, "run_id", "?"), error)
    if dag_run is None or getattr(ti, "dag_id", None) not in ("news_ingest", "news_fetch"):
        return
    try:
        from newsmon.config import load_settings
        from newsmon.staging import RunFolder
        from newsmon.storage import runs
        from newsmon.storage.db import open_db

        settings = load_settings()
        queue = getattr(ti, "queue", None)
        if queue is not None and queue != WRITER["queue"]:
            # a fetch or read worker, perhaps on another machine: DuckDB stays with the
            # writer; the reason waits in the run's staging folder for the next writer
            RunFolder(settings.staging_dir, run_id(context)).note_failure(f"{where}: {error}")
            return
        with open_db(settings, wait=10) as con:
            runs.mark_failed(con, run_id(context), f"{where}: {error}")
    except Exception:  # the callback must never mask the original failure
        log.exception("could not record the failure of %s", where)


class FailureNotifier(BaseNotifier):
    """Posts a failed task to the configured Slack and email channels."""

    def notify(self, context: dict[str, Any]) -> None:
        from newsmon_airflow.notify import notify_failure

        notify_failure(context)


DEFAULT_ARGS: dict[str, Any] = {
    "owner": "newsmon",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "execution_timeout": timedelta(minutes=30),
    "on_failure_callback": [record_failure, FailureNotifier()],
}


def run_id(context: dict[str, Any]) -> str:
    """newsmon's id for this DAG run: the DAG id and Airflow's run id (unique per DAG)."""
    from newsmon.storage.runs import airflow_run_id

    dag_run = context["dag_run"]
    return airflow_run_id(dag_run.dag_id, dag_run.run_id)


def resolve_paths(paths: list[str] | str) -> list[str]:
    """DAG ``paths`` param: relative entries are relative to the project (NEWSMON_HOME)."""
    from newsmon.config import project_home

    items = [paths] if isinstance(paths, str) else list(paths)
    home = project_home()
    return [str(p if Path(p).is_absolute() else home / p) for p in items]


def run_day(context: dict[str, Any]) -> date:
    """The day a run stands for: its data interval end, else when it was due to run."""
    for key in ("data_interval_end", "logical_date"):
        value = context.get(key)
        if isinstance(value, datetime):
            return value.date()
    dag_run = context.get("dag_run")
    after = getattr(dag_run, "run_after", None)
    return after.date() if isinstance(after, datetime) else datetime.now().date()
