"""
### news_brief

The morning brief: once a day per channel, the general brief (topics in scope against
their 7-day mean with the spike flag, the top stories by outlets, regions newly mentioned,
sources gone silent) and one per watchlist whose schedule is `daily@HH:MM Area/City`.

Runs hourly; `queue_briefs` queues the briefs whose local time has come and that were not
queued that day (the `brief` section of `watchlists.yaml`; default 07:00 Europe/Moscow),
then `prepare_alerts -> send_alerts -> record_alerts` deliver them through the outbox, as
news_alerts does. A rerun the same day sends nothing twice. The logic lives in
`include/newsmon/flows/brief.py`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from newsmon_airflow.defaults import DEFAULT_ARGS, WRITER
from newsmon_airflow.tasks import prepare_alerts, record_alerts, send_alerts


@dag(
    dag_id="news_brief",
    schedule=CronTriggerTimetable("5 * * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newsmon", "alerts"],
    doc_md=__doc__,
)
def news_brief() -> None:
    @task(**WRITER)
    def queue_briefs() -> dict:
        from newsmon.config import load_settings
        from newsmon.flows.brief import queue_briefs

        return queue_briefs(load_settings())

    record_alerts(send_alerts(prepare_alerts(queue_briefs())))


news_brief()
