"""
### news_alerts

Delivers pending alerts from the DuckDB outbox (`alerts` table) through every configured
channel (`log`, Slack via the `slack_default` connection, email via `smtp_default` and the
recipients in `alerts.email.to`), marking each alert sent, or recording the error, as soon as
it is tried. A channel that is not configured is skipped and its alerts wait for it.

Runs when `news_ingest.detect_signals` updates the `newsmon_signals` asset, and every 30
minutes as a safety net for alerts left pending by a failed delivery. The logic lives in
`include/newsmon/alerts.py` and `include/newsmon_airflow/channels.py`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from newsmon_airflow.defaults import DEFAULT_ARGS, POOL, SIGNALS_ASSET


@dag(
    dag_id="news_alerts",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("*/30 * * * *", timezone="UTC"),
        assets=[Asset(SIGNALS_ASSET)],
    ),
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
