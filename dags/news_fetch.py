"""
### news_fetch

Every 15 minutes: fetch the feeds and URL lists in `include/config/sources.yaml`
(politely: robots.txt, per-host delay, conditional GET), extract new articles and send them
through the same tag → load → signals path as `news_ingest`.

`plan_fetch` reads the fetch state once and splits the sources into batches;
`fetch_sources` is mapped over the batches (never one task per article) and does no
database work, so it never holds the `newsmon_duckdb` pool while waiting on the network.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from newsmon_airflow.defaults import DEFAULT_ARGS, POOL
from newsmon_airflow.tasks import detect_signals, load_articles


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
        from newsmon.pipeline import plan_fetch, safe_run_id

        return plan_fetch(
            load_settings(), safe_run_id(context["dag_run"].run_id), trigger="airflow"
        )

    @task
    def batches(plan: dict) -> list[dict]:
        return [
            {"run_id": plan["run_id"], "index": i, "names": names}
            for i, names in enumerate(plan["batches"])
        ]

    @task
    def fetch_sources(batch: dict) -> dict:
        from newsmon.config import load_settings
        from newsmon.pipeline import fetch_batch

        return fetch_batch(load_settings(), batch["run_id"], batch["names"], batch["index"])

    @task(trigger_rule="all_done")
    def tag_articles(plan: dict, fetched: list) -> dict:
        from newsmon.config import load_settings
        from newsmon.pipeline import tag

        return tag(load_settings(), plan["run_id"])

    plan = plan_fetch()
    fetched = fetch_sources.expand(batch=batches(plan))
    detect_signals(load_articles(tag_articles(plan, fetched)))


news_fetch()
