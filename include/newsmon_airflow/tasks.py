"""Tasks that news_ingest and news_fetch share: tag, store and raise signals.

Both DAGs stage articles their own way and then tag, store and raise signals identically.
Light at import (only ``airflow.sdk``); the work is imported inside the task bodies.
"""

from __future__ import annotations

from airflow.sdk import Asset, task

from newsmon_airflow.defaults import POOL, SIGNALS_ASSET


@task(trigger_rule="all_done")
def tag_articles(staged: dict | list) -> dict:
    from newsmon.config import load_settings
    from newsmon.stages import tag_articles as tag

    run_id = staged["run_id"] if isinstance(staged, dict) else staged[0]["run_id"]
    return tag(load_settings(), run_id)


@task(pool=POOL)
def store_articles(tagged: dict) -> dict:
    from newsmon.config import load_settings
    from newsmon.stages import store_articles as store

    return store(load_settings(), tagged["run_id"], trigger="airflow")


@task(pool=POOL, outlets=[Asset(SIGNALS_ASSET)])
def detect_signals(stored: dict, **context) -> dict:
    from newsmon.config import load_settings
    from newsmon.stages import detect_signals as detect
    from newsmon_airflow.defaults import run_day

    return detect(load_settings(), stored["run_id"], as_of=run_day(context))
