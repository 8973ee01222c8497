"""The tasks DAGs share: storing a run and raising its signals (news_ingest, news_fetch), and
the three steps of a delivery (news_alerts, news_brief).

Both DAGs stage articles their own way (cleaned and tagged as they are staged) and end the
same: one task in the 1-slot ``newsmon_duckdb`` pool writes the staged chunks, raises the
signals, publishes the analyst copy and updates the ``newsmon_signals`` asset. Store and
detection were two tasks; both are idempotent and run in the same pool one after the
other, so the split bought nothing but a task's fixed cost (measured in the README).
Light at import (only ``airflow.sdk``); the work is imported inside the task body.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import Asset, task

from newsmon_airflow.defaults import SIGNALS_ASSET, WRITER


def store_and_detect(run_id: str, context: dict[str, Any]) -> dict:
    from newsmon.config import load_settings
    from newsmon.flows.store import detect_signals, store_articles
    from newsmon_airflow.defaults import run_day

    settings = load_settings()
    stored = store_articles(settings, run_id, trigger="airflow")
    detected = detect_signals(settings, run_id, as_of=run_day(context))
    return stored | {k: v for k, v in detected.items() if k != "run_id"}


@task(**WRITER, outlets=[Asset(SIGNALS_ASSET)], trigger_rule="all_done")
def store_articles(staged: dict | list, **context) -> dict:
    """Write the run's staged articles (what every upstream task staged, also when one of
    them failed), raise its signals and publish the analyst copy."""
    run_id = staged["run_id"] if isinstance(staged, dict) else staged[0]["run_id"]
    return store_and_detect(run_id, context)


@task(**WRITER)
def prepare_alerts(after: dict | None = None) -> dict:
    """Build the outbox of one delivery (database, in the pool); ``after``: what it waits
    for (news_brief's queued briefs)."""
    from newsmon.config import load_settings
    from newsmon.flows.deliver import prepare

    return prepare(load_settings(), trigger="airflow")


@task
def send_alerts(prepared: dict) -> dict:
    """Send it: Slack and SMTP, with no database open."""
    from newsmon.config import load_settings
    from newsmon.flows.deliver import send

    return send(load_settings(), prepared["delivery_id"])


@task(**WRITER)
def record_alerts(sent: dict) -> dict:
    """Record what went out (database, in the pool)."""
    from newsmon.config import load_settings
    from newsmon.flows.deliver import record

    return record(load_settings(), sent["delivery_id"])
