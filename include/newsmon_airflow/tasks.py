"""Tasks that news_ingest and news_fetch share: the database end of the ingest path.

Both DAGs stage articles their own way and then load, and raise signals, identically.
Light at import (only ``airflow.sdk``); the work is imported inside the task bodies.
"""

from __future__ import annotations

from airflow.sdk import Asset, task

from newsmon_airflow.defaults import POOL, SIGNALS_ASSET


@task(pool=POOL)
def load_articles(tagged: dict) -> dict:
    from newsmon.config import load_settings
    from newsmon.pipeline import load

    return load(load_settings(), tagged["run_id"])


@task(pool=POOL, outlets=[Asset(SIGNALS_ASSET)])
def detect_signals(loaded: dict, **context) -> dict:
    from newsmon.config import load_settings
    from newsmon.pipeline import detect
    from newsmon_airflow.defaults import run_day

    return detect(load_settings(), loaded["run_id"], as_of=run_day(context))
