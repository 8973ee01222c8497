"""
### news_fetch

Every 15 minutes: fetch the feeds and URL lists in `include/config/sources.yaml`
(politely: robots.txt, per-host delay, conditional GET, a deadline per request and a time
budget per cycle), extract new articles and send them through the same
tag → store → signals path as `news_ingest`.

`plan_fetch` reads the fetch state once and splits the sources into batches;
`fetch_sources` is mapped over the batches (never one task per article) and does no
database work, so it never holds the `newsmon_duckdb` pool while waiting on the network.
`report_cycle` records how the sources fared and fails the run (red, and a failure notice)
when every source failed, after the articles and signals are in.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from newsmon_airflow.defaults import DEFAULT_ARGS, POOL
from newsmon_airflow.tasks import detect_signals, store_articles, tag_articles


@dag(
    dag_id="news_fetch",
    schedule="*/15 * * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newsmon", "fetch"],
    doc_md=__doc__,
)
def news_fetch() -> None:
    @task(pool=POOL)
    def plan_fetch(**context) -> dict:
        from newsmon.config import load_settings
        from newsmon.fetch_stages import plan_fetch as plan
        from newsmon_airflow.defaults import run_id

        return plan(load_settings(), run_id(context), trigger="airflow", made_by="news_fetch")

    @task
    def batches(plan: dict) -> list[dict]:
        return [
            {"run_id": plan["run_id"], "index": i, "names": names}
            for i, names in enumerate(plan["batches"])
        ]

    @task
    def fetch_sources(batch: dict) -> dict:
        from newsmon.config import load_settings
        from newsmon.fetch_stages import fetch_batch

        return fetch_batch(load_settings(), batch["run_id"], batch["names"], batch["index"])

    @task(pool=POOL)  # AirflowFailException: failed at once, no retries
    def report_cycle(plan: dict, fetched: list, detected: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from newsmon.config import load_settings
        from newsmon.fetch_stages import record_cycle

        cycle = record_cycle(load_settings(), plan["run_id"], list(fetched))
        if cycle["all_failed"]:
            raise AirflowFailException(
                f"every source failed in this cycle ({cycle['sources']}); see the fetch_sources logs"
            )
        return cycle

    plan = plan_fetch()
    fetched = fetch_sources.expand(batch=batches(plan))
    tagged = tag_articles(plan)
    fetched >> tagged  # tag what every batch staged, also when a batch failed (all_done)
    report_cycle(plan, fetched, detect_signals(store_articles(tagged)))


news_fetch()
