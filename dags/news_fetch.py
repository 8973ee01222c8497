"""
### news_fetch

Every 15 minutes: fetch the feeds and URL lists in `include/config/sources.yaml`
(politely: robots.txt, per-host delay, conditional GET, a deadline per request and a time
budget per cycle), extract and tag new articles and store them as `news_ingest` does.

`plan_fetch -> fetch_sources (mapped) -> store_articles`

`plan_fetch` reads the fetch state once and splits the sources into batches;
`fetch_sources` is mapped over the batches (never one task per article), extracts and tags
what it fetched and does no database work, so it never holds the `newsmon_duckdb` pool
while waiting on the network. `store_articles` writes what every batch staged, raises the
signals, records how the sources fared and fails the run (red, and a failure notice) when
every source failed, after the articles and signals are in.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

from newsmon_airflow.defaults import DEFAULT_ARGS, SIGNALS_ASSET, WRITER


@dag(
    dag_id="news_fetch",
    schedule="*/15 * * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # paused until someone unpauses it, having looked at include/config/sources.yaml: it
    # reaches out to the network every 15 minutes (README, Quick start)
    is_paused_upon_creation=True,
    default_args=DEFAULT_ARGS,
    tags=["newsmon", "fetch"],
    doc_md=__doc__,
)
def news_fetch() -> None:
    @task(**WRITER)
    def plan_fetch(**context) -> list[dict]:
        """The run's source batches, each a mapped fetch_sources task (at least one, so
        the run is stored and reported even with no sources)."""
        from newsmon.config import load_settings
        from newsmon.flows.fetch import plan_fetch as plan
        from newsmon_airflow.defaults import run_id

        planned = plan(
            load_settings(),
            run_id(context),
            trigger="airflow",
            made_by="news_fetch",
            airflow_run_id=context["dag_run"].run_id,
        )
        names = planned["batches"] or [[]]
        return [{"run_id": planned["run_id"], "index": i, "names": n} for i, n in enumerate(names)]

    @task
    def fetch_sources(batch: dict) -> dict:
        from newsmon.config import load_settings
        from newsmon.flows.fetch import fetch_batch

        return fetch_batch(load_settings(), batch["run_id"], batch["names"], batch["index"])

    @task(**WRITER, outlets=[Asset(SIGNALS_ASSET)], trigger_rule="all_done")
    def store_articles(batches: list, fetched: list, **context) -> dict:
        """Store what every batch staged (also when one failed), raise signals, record the
        cycle; AirflowFailException (failed at once, no retries) if every source failed."""
        from airflow.sdk.exceptions import AirflowFailException

        from newsmon.config import load_settings
        from newsmon.flows.fetch import record_cycle
        from newsmon_airflow.tasks import store_and_detect

        run_id = batches[0]["run_id"]
        stored = store_and_detect(run_id, context)
        cycle = record_cycle(load_settings(), run_id, [f for f in fetched if f])
        if cycle["all_failed"]:
            why = sorted(
                f"{name}: {reason.removeprefix('failed: ')}"
                for f in fetched
                if f
                for name, reason in f.get("failed", {}).items()
            )
            more = f"; and {len(why) - 10} more" if len(why) > 10 else ""
            raise AirflowFailException(
                f"every source failed in this cycle ({cycle['sources']} of {cycle['sources']}): "
                + "; ".join(why[:10])
                + more
            )
        return stored | cycle

    planned = plan_fetch()
    store_articles(planned, fetch_sources.expand(batch=planned))


news_fetch()
