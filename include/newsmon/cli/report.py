"""What people read: the database summary, a run's errors, and the CLI's run reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from newsmon import diskspace
from newsmon.config import Settings
from newsmon.storage.db import execute
from newsmon.storage.readcopy import open_read


def summary(settings: Settings) -> dict[str, Any]:
    """Totals for people: what is in the database and what the last run did."""
    with open_read(settings) as con:
        cur = execute(con, "cli/report/totals")
        totals = dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))
        by_channel: dict[str, dict[str, int]] = {}
        statuses: dict[str, int] = {}
        for channel, status, n in execute(con, "cli/report/alerts").fetchall():
            by_channel.setdefault(channel, {})[status] = n
            statuses[status] = statuses.get(status, 0) + n
        cur = execute(con, "cli/report/last_run")
        names = [d[0] for d in cur.description]
        last = cur.fetchone()
        return {
            "database": str(settings.db_path),
            "analyst_copy": _copy_state(settings),
            "articles": totals["articles"],
            "stories": totals["stories"],
            "topics": dict(execute(con, "cli/report/topics").fetchall()),
            "signals": totals["signals"],
            "alerts": statuses,
            "alerts_by_channel": by_channel,
            "ingest_errors": totals["ingest_errors"],
            "last_run": dict(zip(names, last, strict=True)) if last else {},
            "disk": diskspace.usage(settings),
        }


def _copy_state(settings: Settings) -> dict[str, Any] | None:
    path = settings.read_db_path
    if not path.exists():
        return None
    when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return {"path": str(path), "published_at": when.isoformat(timespec="seconds")}


ERRORS_LISTED = 20  # a run report lists this many problems; the rest are counted by reason
REASONS_LISTED = 5
_REASON_CHARS = 200


def run_errors(
    settings: Settings, run_id: str, limit: int = ERRORS_LISTED
) -> tuple[list[tuple[str, str, str, str | None]], list[tuple[str, str, int]]]:
    """The first ``limit`` problems one run met, ``(origin, stage, reason, detail)`` in file order,
    and the commonest ``(stage, reason, count)``."""
    with open_read(settings) as con:
        first = execute(con, "cli/report/run_errors", run_id=run_id, limit=limit).fetchall()
        reasons = execute(con, "cli/report/run_error_reasons", run_id=run_id, limit=REASONS_LISTED)
        return first, reasons.fetchall()


def _topics(topics: dict[str, int]) -> str:
    return ", ".join(f"{t} {n}" for t, n in sorted(topics.items())) or "none"


def ingest_lines(result: dict[str, Any], settings: Settings) -> list[str]:
    return [
        f"run {result['run_id']}  ({settings.db_path})",
        f"  files: {result['files_found']} found, {result['files_skipped']} unchanged and skipped;"
        f" {result['documents']} documents read",
        f"  articles: {result['articles_new']} new, {result['articles_updated']} updated,"
        f" {result['articles_unchanged']} unchanged; {result['stories_new']} new stories",
        f"  topics: {_topics(result['topics'])}",
        _signal_line(result),
        f"  errors: {result['errors']}",
        *_error_lines(result, settings),
    ]


def _signal_line(result: dict[str, Any]) -> str:
    line = f"  signals: {result['signals_new']} new; alerts queued: {result['alerts_queued']}"
    if result.get("alerts_suppressed"):
        line += (
            f"; {result['alerts_suppressed']} not alerted (backfill: history is recorded,"
            " not delivered)"
        )
    return line


def fetch_lines(result: dict[str, Any], settings: Settings) -> list[str]:
    lines = [
        f"fetch {result['run_id']}  ({settings.db_path})",
        f"  sources: {result['sources']} ({result['feeds_unchanged']} feeds unchanged,"
        f" {result['sources_failed']} failed); {result['pages']} pages downloaded in"
        f" {result['requests']} requests",
        f"  articles: {result['articles_new']} new; {result['stories_new']} new stories",
    ]
    if result["deferred"]:
        lines.append(
            f"  deferred to the next cycle: {result['deferred']} (time budget or max_articles)"
        )
    if result.get("retries_due") or result.get("retries_waiting") or result.get("retries_given_up"):
        lines.append(
            f"  retry queue: {result.get('retries_due', 0)} pages due, tried again;"
            f" {result.get('retries_waiting', 0)} waiting for a later cycle,"
            f" {result.get('retries_given_up', 0)} given up"
        )
    for reason, n in sorted((result.get("entries_skipped") or {}).items()):
        lines.append(f"  feed entries skipped: {n} ({reason})")
    lines += [
        _signal_line(result),
        f"  errors: {result['errors']}",
        *_error_lines(result, settings),
    ]
    for name, why in sorted(result["failed"].items()):
        lines.append(f"  source {name} {why}")
    if result["all_failed"]:
        lines.append(
            f"  EVERY SOURCE FAILED ({result['sources']} of {result['sources']}): check the network and the sources"
        )
    return lines


def _short(reason: str) -> str:
    return reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 1] + "…"


def _error_lines(result: dict[str, Any], settings: Settings) -> list[str]:
    """The run's problems: all of them when few, else the first :data:`ERRORS_LISTED`, the
    commonest reasons with their counts, and the query that lists the rest (a burst of bad
    records must not print a line each)."""
    total = int(result["errors"] or 0)
    if not total:
        return []
    first, reasons = run_errors(settings, result["run_id"])
    lines = [f"    ! {o} [{s}]: {_short(r + (f' ({d})' if d else ''))}" for o, s, r, d in first]
    more = total - len(first)
    if more > 0:
        lines.append(f"    … and {more:,} more; by reason:")
        lines += [f"      {n:>9,}  [{s}] {_short(r)}" for s, r, n in reasons]
        lines.append(
            '    all of them: newsmon sql "select origin, stage, reason, detail from ingest_errors'
            f" where last_run_id = '{result['run_id']}' order by origin\""
        )
    return lines


def summary_lines(s: dict[str, Any]) -> list[str]:
    last = s["last_run"]
    alerts = s["alerts"]
    copy = s.get("analyst_copy")
    lines = [
        f"newsmon database {s['database']}",
        f"  analyst copy: {copy['path']} (published {copy['published_at']})"
        if copy
        else "  analyst copy: none yet (published at the end of each run)",
        f"  articles: {s['articles']} in {s['stories']} stories",
        "  topics: " + (", ".join(f"{t} {n}" for t, n in s["topics"].items()) or "none"),
        f"  signals: {s['signals']} (last run: {last.get('signals_new', 0)} new)",
        f"  alerts: {alerts.get('pending', 0)} pending, {alerts.get('sent', 0)} sent,"
        f" {alerts.get('failed', 0)} failed"
        + (
            f", {alerts['suppressed']} suppressed (history, or alerted within the cooldown)"
            if alerts.get("suppressed")
            else ""
        )
        + f"; last run queued {last.get('alerts_queued', 0)}",
    ]
    for channel, statuses in s["alerts_by_channel"].items():
        waiting = "pending" in statuses and not {"sent", "failed"} & set(statuses)
        note = " (waiting for the channel to be configured)" if waiting else ""
        lines.append(
            f"    {channel}: " + ", ".join(f"{n} {st}" for st, n in statuses.items()) + note
        )
    lines.append(f"  ingest errors: {s['ingest_errors']}")
    if s.get("disk"):
        disk = s["disk"]
        frees = {p["free"] for p in disk.values()}
        free = (
            f"; {diskspace.mb(frees.pop())} free"
            if len(frees) == 1
            else "; free: " + ", ".join(f"{n} {diskspace.mb(p['free'])}" for n, p in disk.items())
        )
        lines.append(
            "  disk: "
            + ", ".join(f"{n} {diskspace.mb(p['bytes'])}" for n, p in disk.items())
            + free
        )
    if last:
        lines.append(
            f"  last run {last['run_id']} ({last['made_by'] or 'unknown'}): {last['status']},"
            f" {last['files_found']} files ({last['files_skipped']} unchanged),"
            f" {last['articles_new']} new articles"
        )
        if last.get("last_error"):
            lines.append(f"    {last['last_error']}")
    return lines
