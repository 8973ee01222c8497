"""
### news_ingest

Reads article files (`.txt`, `.html`, `.json`, `.jsonl`) from the `paths` param (default
`seeds/`), cleans them, tags them by topic, stores them in DuckDB and raises signals.

`discover_files -> read_files -> store_articles`

`read_files` reads, cleans and tags in worker processes (a JSON Lines archive in byte
ranges, so every core works); `store_articles` writes the run, raises its signals and
publishes the analyst copy. Tasks pass only the run id and counts; the records travel in
per-run staging files. Tasks that write DuckDB share the 1-slot `newsmon_duckdb` pool.
Files already read and unchanged are skipped (param `force` re-reads them; a JSON Lines
file that only grew is read from where the last run stopped). Param `backfill` loads
history: its signals are recorded but no alert goes out for them. `store_articles` updates
the `newsmon_signals` asset, which schedules `news_alerts`. The logic lives in
`include/newsmon`.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task

from newsmon_airflow.defaults import DEFAULT_ARGS, WRITER
from newsmon_airflow.tasks import store_articles


@dag(
    dag_id="news_ingest",
    schedule="@hourly",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "paths": Param(
            ["seeds"], type="array", description="Files or folders; relative to the project"
        ),
        "force": Param(False, type="boolean", description="Re-read files that have not changed"),
        "backfill": Param(
            False,
            type="boolean",
            description="Load history: record its signals, deliver no alerts for them",
        ),
    },
    tags=["newsmon", "ingest"],
    doc_md=__doc__,
)
def news_ingest() -> None:
    @task(**WRITER)
    def discover_files(**context) -> dict:
        from newsmon.config import load_settings
        from newsmon.flows.ingest import discover_files as discover
        from newsmon_airflow.defaults import resolve_paths, run_id

        params = context["params"]
        return discover(
            load_settings(),
            run_id(context),
            resolve_paths(params["paths"]),
            trigger="airflow",
            made_by="news_ingest",
            airflow_run_id=context["dag_run"].run_id,
            force=params["force"],
            backfill=params.get("backfill", False),
        )

    @task
    def read_files(found: dict) -> dict:
        from newsmon.config import load_settings
        from newsmon.flows.ingest import read_files as read

        return read(load_settings(), found["run_id"])

    store_articles(read_files(discover_files()))


news_ingest()
