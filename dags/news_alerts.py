"""
### news_alerts

Delivers pending alerts from the DuckDB outbox (`alerts` table) through every configured
channel, marking each alert sent (or recording the error) as soon as it is tried.
Scheduled by the `newsmon_signals` asset that `news_ingest.detect_signals` updates.
The logic lives in `include/newsmon/alerts.py`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

from newsmon.dag_support import DEFAULT_ARGS, POOL, SIGNALS_ASSET


@dag(
    dag_id="news_alerts",
    schedule=[Asset(SIGNALS_ASSET)],
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newsmon", "alerts"],
    doc_md=__doc__,
)
def news_alerts() -> None:
    @task(pool=POOL)
    def send_alerts() -> dict:
        from newsmon.config import load_settings
        from newsmon.pipeline import deliver

        return deliver(load_settings())

    send_alerts()


news_alerts()
