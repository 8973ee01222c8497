"""Run ids and every change of a run's status in ``pipeline_runs``.

A run is ``running`` from its first stage, ``loaded`` once the store stage has written
everything, ``success`` once its signals are raised, or ``failed`` with a reason. Each
transition is one ``.sql`` file in ``include/sql/queries/storage/runs/``.

Run ids are unique per DAG and run: Airflow gives ``news_ingest`` and ``news_fetch`` the
same run id at the top of each hour, so ours is ``<dag id>__<Airflow run id>``; a
command's is ``<command>__<UTC time>__<random>``.

A run whose process died (``kill -9``, a lost machine) stays ``running`` until the next run
opens the database and :func:`recover_stale` finds it: a CLI run whose process (host, PID
and start time) is gone, or any run without progress for ``runs.stale_after_hours``. It is
marked ``failed`` with the reason and its staging folder removed. What it stored stays
(chunks are transactions), its stories get their signals from the next detection (which
covers every run not ``running``), and the files it did not finish are read again,
because only a finished store records them as read.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from newsmon import clock
from newsmon.config import Settings
from newsmon.staging import RunFolder, safe_run_id
from newsmon.storage.db import execute, open_db

log = logging.getLogger(__name__)


def now() -> datetime:
    return clock.now()


def new_run_id(command: str) -> str:
    """The id of a run made by ``newsmon <command>``."""
    return f"{command}__{now():%Y%m%dT%H%M%SZ}__{secrets.token_hex(3)}"


def airflow_run_id(dag_id: str, dag_run_id: str) -> str:
    """Our id for an Airflow DAG run: the DAG id keeps two DAGs' runs of one hour apart."""
    return safe_run_id(f"{dag_id}__{dag_run_id}")


def _start_ticks(pid: int) -> str | None:
    """A process's start time in clock ticks since boot (Linux), so a reused PID is told apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def process_owner(trigger: str) -> str:
    """Who runs a stage: ``host:pid:start`` for a command; ``airflow`` for DAG tasks, which
    run in a new process each and are watched by Airflow itself."""
    if trigger == "airflow":
        return "airflow"
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid) or ''}"


def owner_gone(owner: str | None) -> int | None:
    """The PID of a command's process on this host that no longer exists, else None."""
    parts = (owner or "").split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return None
    pid = int(parts[1])
    ticks = _start_ticks(pid)
    if ticks is None and Path("/proc/self/stat").exists():
        return pid  # no such process
    if ticks is not None and parts[2] and ticks != parts[2]:
        return pid  # the PID now belongs to another process
    return None


def start(
    con: duckdb.DuckDBPyConnection,
    folder: RunFolder,
    *,
    kind: str,
    trigger: str,
    made_by: str,
    paths: list[str],
    backfill: bool = False,
    airflow_run_id: str | None = None,
) -> None:
    """Record a run as running (idempotent for a retried first task) and open its folder.
    A ``backfill`` run loads history: its signals are recorded, not alerted. A DAG run also
    keeps its ``airflow_run_id`` (Airflow's name for it)."""
    execute(
        con,
        "storage/runs/start",
        run_id=folder.run_id,
        trigger=trigger,
        made_by=made_by,
        owner=process_owner(trigger),
        now=now(),
        paths=paths,
        backfill=backfill,
        airflow_run_id=airflow_run_id,
    )
    folder.start(kind)


def folder(settings: Settings, run_id: str) -> RunFolder:
    """The run's staging folder."""
    return RunFolder(settings.staging_dir, run_id)


@contextmanager
def begin(
    settings: Settings,
    run_id: str,
    *,
    kind: str,
    trigger: str,
    made_by: str,
    paths: list[str],
    backfill: bool = False,
    airflow_run_id: str | None = None,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, RunFolder]]:
    """Open the database, settle runs whose process is gone, and :func:`start` this one;
    the block goes on with the open connection and the run's folder."""
    staged = folder(settings, run_id)
    with open_db(settings) as con:
        recover_stale(con, settings)
        start(
            con,
            staged,
            kind=kind,
            trigger=trigger,
            made_by=made_by,
            paths=paths,
            backfill=backfill,
            airflow_run_id=airflow_run_id,
        )
        yield con, staged


def heartbeat(con: duckdb.DuckDBPyConnection, run_id: str, trigger: str = "cli") -> None:
    execute(con, "storage/runs/heartbeat", run_id=run_id, now=now(), owner=process_owner(trigger))


def status(con: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    row = execute(con, "storage/runs/status", run_id=run_id).fetchone()
    return row[0] if row else None


def mark_failed(con: duckdb.DuckDBPyConnection, run_id: str, error: str) -> None:
    execute(con, "storage/runs/failed", run_id=run_id, error=error[:1000], now=now())


def recover_stale(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """Mark runs whose process died as failed, and remove staging no run needs any more.

    Returns the ids of the runs marked failed. Called by every stage that starts a run, with
    the database open for writing, so only one process decides at a time.
    """
    limit = timedelta(hours=settings.runs.stale_after_hours)
    failed: list[str] = []
    for run_id, owner, beat in execute(con, "storage/runs/running").fetchall():
        noted = RunFolder(settings.staging_dir, run_id).noted_failure()
        pid = owner_gone(owner)
        if noted is not None:  # a task off the writer's machine failed and said why
            reason = noted
        elif pid is not None:
            reason = f"interrupted: the process that ran it (PID {pid}) is gone"
        elif beat is not None and now() - beat > limit:
            reason = (
                f"interrupted: no progress for more than {settings.runs.stale_after_hours:g} hours"
            )
        else:
            continue
        mark_failed(con, run_id, reason)
        log.warning("run %s %s; marked failed, what it stored is kept", run_id, reason)
        failed.append(run_id)
    finished = {r[0] for r in execute(con, "storage/runs/finished").fetchall()}
    if settings.staging_dir.is_dir():
        for path in settings.staging_dir.iterdir():
            if path.is_dir() and path.name in finished:
                RunFolder(settings.staging_dir, path.name).remove()
    return failed
