"""The end every flow shares: store a run's staged articles, then raise its signals.

Both open the database (in Airflow they run in the 1-slot ``newsmon_duckdb`` pool). The
signals stage also publishes the analyst copy, writes the Atom feeds, rewrites the search
index in term order when it is due, and removes the run's staging folder.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from newsmon import progress
from newsmon.alerting.atom_feeds import write_topic_feeds
from newsmon.config import Settings
from newsmon.diskspace import guard_disk
from newsmon.flows.tag import tag_articles
from newsmon.storage import runs
from newsmon.storage.db import open_db
from newsmon.storage.readcopy import publish
from newsmon.storage.runs import folder
from newsmon.storage.search import compact_if_due
from newsmon.tagging.taxonomy import load_taxonomy


@guard_disk
def store_articles(
    settings: Settings, run_id: str, trigger: str = "cli", con: Any = None
) -> dict[str, Any]:
    """Write the run's staged articles, topics, errors and bookkeeping to DuckDB (through
    ``con`` when the caller holds the database open)."""
    from newsmon.storage.articles import store_run

    tag_articles(settings, run_id)  # chunks staged untagged (none, unless from an older version)
    tax = load_taxonomy(settings.topics_path)
    if con is not None:
        runs.heartbeat(con, run_id, trigger)
        return store_run(con, settings, folder(settings, run_id), tax.version, runs.now())
    with open_db(settings) as con:
        runs.heartbeat(con, run_id, trigger)
        return store_run(con, settings, folder(settings, run_id), tax.version, runs.now())


@guard_disk
def detect_signals(settings: Settings, run_id: str, as_of: date | None = None) -> dict[str, Any]:
    """Raise the signals of every run not yet covered and queue their alerts; the run's
    staging folder is no longer needed."""
    from newsmon.alerting.signals import detect

    now = runs.now()
    with progress.stage("signals + publish") as step, open_db(settings) as con:
        runs.recover_stale(con, settings)
        counts = detect(con, settings, as_of or now.date(), now, run_id)
        step(1)
        publish(con, settings)  # the run is done: readers see it
        write_topic_feeds(con, settings, now)  # and feed readers
        # last, off the path of the run's articles and alerts: the analyst copy gets the
        # rewritten index with the next publish
        compact_if_due(con)
    for covered in [run_id, *counts.pop("covered")]:  # a run killed in detection is done now
        folder(settings, covered).remove()
    return counts
