"""
### news_alerts

Delivers pending alerts from the DuckDB outbox (`alerts` table) through every configured
channel (`log`, Slack via the `slack_default` connection, email via `smtp_default` and the
recipients in `alerts.email.to`). A channel that is not configured is skipped and its
alerts wait for it.

`prepare_alerts -> send_alerts -> record_alerts`: the database is read and written in the
pool (`newsmon_duckdb`) before and after; `send_alerts` talks to Slack and SMTP with no
database open, so a slow webhook never holds up a load.

Runs when `store_articles` (news_ingest, news_fetch) updates the `newsmon_signals` asset, and every 30
minutes as a safety net for alerts left pending by a failed delivery. The logic lives in
`include/newsmon/flows/deliver.py` and `include/newsmon_airflow/channels.py`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag

from newsmon_airflow.defaults import DEFAULT_ARGS, SIGNALS_ASSET
from newsmon_airflow.tasks import prepare_alerts, record_alerts, send_alerts


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
    record_alerts(send_alerts(prepare_alerts()))


news_alerts()
