"""The alert outbox: deliver pending alerts through their channels, mark each one at once.

``alerts`` holds one row per signal per channel: ``pending -> sent | failed``, or
``suppressed`` when the story was alerted on that channel within ``cooldown_hours``.
A channel has a ``name``, ``unconfigured()`` (``None`` when ready, else why not) and
``send(messages)`` (one alert, or a digest of several). This module knows the ``log``
channel; Slack and email come from ``newsmon_airflow.channels`` through the
``newsmon.channels`` entry point (or are passed in), so this package never imports Airflow.

Delivery per channel: a channel that is not configured is skipped with one log line and
its alerts stay pending. Alerts of stories alerted recently are suppressed. More than
``digest_threshold`` alerts go out as one digest. Each send is tried ``1 + send_retries``
times with doubling backoff; a success is recorded right after the remote side accepts it
(the only window for a duplicate is a crash between those two steps); a failure leaves the
alert pending with ``attempts`` and ``last_error`` until ``max_attempts``, then ``failed``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import duckdb

from newsmon.config import Settings
from newsmon.db import sql
from newsmon.render import AlertMessage, Highlight, plain, plain_digest

log = logging.getLogger(__name__)


class Channel(Protocol):
    name: str

    def unconfigured(self) -> str | None: ...

    def send(self, messages: list[AlertMessage]) -> None: ...


class LogChannel:
    """One line per alert (or digest) in a local file and in the task log."""

    name = "log"

    def __init__(self, settings: Settings) -> None:
        self.path = Path(settings.alerts.log_path)

    def unconfigured(self) -> str | None:
        return None

    def send(self, messages: list[AlertMessage]) -> None:
        text = plain(messages[0]) if len(messages) == 1 else plain_digest(messages)
        line = " | ".join(part.strip() for part in text.splitlines() if part.strip())
        ids = ",".join(m.alert_id for m in messages)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{ids}\t{line}\n")
        log.info("ALERT %s", line)


CHANNELS: dict[str, Callable[[Settings], Channel]] = {"log": LogChannel}


def plugin_channels(settings: Settings) -> list[Channel]:
    """Channels registered by other packages under the ``newsmon.channels`` entry point.

    ``newsmon_airflow`` registers Slack and email there, so the CLI and the DAG deliver
    through the same channels while this package never imports Airflow.
    """
    from importlib.metadata import entry_points

    found: list[Channel] = []
    for ep in entry_points(group="newsmon.channels"):
        try:
            found.extend(ep.load()(settings))
        except Exception:  # a broken plugin must not stop the log channel
            log.exception("alert channel plugin %s could not be loaded", ep.name)
    return found


def _highlights(
    text: str, title: str, evidence: list[dict[str, Any]], limit: int = 3
) -> list[Highlight]:
    out: list[Highlight] = []
    seen: set[str] = set()
    for e in sorted(evidence, key=lambda e: (-e["weight"], e["field"] != "title", e["start"])):
        if e["weight"] <= 0 or e["term"] in seen:
            continue
        body = title if e["field"] == "title" else text
        start, end = e["start"], e["end"]
        before = " ".join(
            body[max(0, start - 70) : start].split()[1:] if start > 70 else body[:start].split()
        )
        after = " ".join(
            body[end : end + 70].split()[:-1] if end + 70 < len(body) else body[end:].split()
        )
        pad_b = " " if start > 0 and body[start - 1].isspace() else ""
        pad_a = " " if end < len(body) and body[end].isspace() else ""
        out.append(
            Highlight(
                before + pad_b if before else "",
                body[start:end],
                pad_a + after if after else "",
                e["term"],
            )
        )
        seen.add(e["term"])
        if len(out) == limit:
            break
    return out


def build_message(con: duckdb.DuckDBPyConnection, alert_id: str) -> AlertMessage:
    row = con.execute(sql("alert_context"), [alert_id]).fetchone()
    if row is None:
        raise LookupError(f"alert {alert_id} has no signal")
    ctx = dict(zip([d[0] for d in con.description], row, strict=True))
    msg = AlertMessage(
        alert_id=alert_id,
        signal_id=ctx["signal_id"],
        kind=ctx["kind"],
        topic=ctx["topic"],
        reason=ctx["reason"],
        story_id=ctx["story_id"],
        score=ctx["score"],
        count_day=ctx["count_day"],
        baseline=ctx["baseline"],
    )
    if not ctx["story_id"]:
        return msg
    lead = con.execute(sql("story_lead_article"), [ctx["story_id"]]).fetchone()
    if lead is None:
        return msg
    article_id, msg.title, msg.url, msg.source, msg.published_at, text = lead
    topics = con.execute(
        "select topic, score, evidence from article_topics where article_id = ? order by score desc",
        [article_id],
    ).fetchall()
    msg.topic_scores = {t: s for t, s, _ in topics}
    evidence = next((ev for t, _, ev in topics if t == msg.topic), [])
    msg.highlights = _highlights(text, msg.title or "", evidence)
    msg.other_sources = [
        r[0]
        for r in con.execute(
            "select distinct coalesce(source, canonical_url, origin) from articles"
            " where story_id = ? and article_id <> ? and coalesce(source, '') <> coalesce(?, '') order by 1",
            [ctx["story_id"], article_id, msg.source],
        ).fetchall()
    ]
    return msg


def _try(
    send: Callable[[list[AlertMessage]], None],
    batch: list[AlertMessage],
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> Exception | None:
    """Send with ``retries`` further tries and doubling backoff; the last error, or None."""
    error: Exception | None = None
    for attempt in range(retries + 1):
        try:
            send(batch)
            return None
        except Exception as exc:  # whatever the channel raised is the delivery's outcome
            error = exc
            if attempt < retries:
                sleep(backoff * 2**attempt)
    return error


def _mark_sent(con: duckdb.DuckDBPyConnection, ids: list[str], now: datetime) -> None:
    con.execute(
        "update alerts set attempts = attempts + 1, status = 'sent', sent_at = ?, updated_at = ?,"
        " last_error = null where alert_id in (select unnest(?::varchar[]))",
        [now, now, ids],
    )


def _mark_failed(
    con: duckdb.DuckDBPyConnection, ids: list[str], error: str, now: datetime, max_attempts: int
) -> int:
    """Record a failed attempt; returns how many alerts reached max_attempts (now failed)."""
    con.execute(
        "update alerts set attempts = attempts + 1, last_error = ?, updated_at = ?,"
        " status = case when attempts + 1 >= ? then 'failed' else 'pending' end"
        " where alert_id in (select unnest(?::varchar[]))",
        [error, now, max_attempts, ids],
    )
    return con.execute(
        "select count(*) from alerts where status = 'failed' and alert_id in (select unnest(?::varchar[]))",
        [ids],
    ).fetchone()[0]


def _suppress_repeats(
    con: duckdb.DuckDBPyConnection,
    channel: str,
    rows: list[tuple[str, str | None]],
    now: datetime,
    hours: float,
) -> list[tuple[str, str | None]]:
    """Drop (and mark suppressed) alerts for stories alerted on this channel within the cooldown."""
    stories = [s for _, s in rows if s]
    if not stories or hours <= 0:
        return rows
    recent = {
        r[0]
        for r in con.execute(
            "select distinct s.story_id from alerts as a join signals as s using (signal_id)"
            " where a.channel = ? and a.status = 'sent' and a.sent_at >= ?"
            " and s.story_id in (select unnest(?::varchar[]))",
            [channel, now - timedelta(hours=hours), stories],
        ).fetchall()
    }
    keep, seen_now = [], set()
    for alert_id, story in rows:
        if story and (story in recent or story in seen_now):
            con.execute(
                "update alerts set status = 'suppressed', updated_at = ?, last_error = ? where alert_id = ?",
                [
                    now,
                    f"cooldown: story {story} already alerted on {channel} within {hours:g}h",
                    alert_id,
                ],
            )
            continue
        if story:
            seen_now.add(story)
        keep.append((alert_id, story))
    return keep


def deliver(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    now: datetime,
    channels: Iterable[Channel] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Send every pending alert on a configured channel; record each outcome at once."""
    cfg = settings.alerts
    counts = {
        "sent": 0,
        "messages": 0,
        "digests": 0,
        "retry_later": 0,
        "failed": 0,
        "suppressed": 0,
        "unconfigured": 0,
    }
    available: dict[str, Channel] = {c.name: c for c in (channels or plugin_channels(settings))}
    pending = con.execute(
        "select a.channel, a.alert_id, s.story_id from alerts as a join signals as s using (signal_id)"
        " where a.status = 'pending' order by a.created_at, a.alert_id"
    ).fetchall()
    by_channel: dict[str, list[tuple[str, str | None]]] = {}
    for channel_name, alert_id, story in pending:
        by_channel.setdefault(channel_name, []).append((alert_id, story))

    for channel_name, rows in by_channel.items():
        channel = available.get(channel_name)
        if channel is None and channel_name in CHANNELS:
            channel = CHANNELS[channel_name](settings)
        why = "no such channel here" if channel is None else channel.unconfigured()
        if why:
            log.warning(
                "channel %s is not configured (%s); %d alert(s) stay pending",
                channel_name,
                why,
                len(rows),
            )
            counts["unconfigured"] += len(rows)
            continue
        kept = _suppress_repeats(con, channel_name, rows, now, cfg.cooldown_hours)
        counts["suppressed"] += len(rows) - len(kept)
        if not kept:
            continue
        messages = [build_message(con, alert_id) for alert_id, _ in kept]
        batches = [messages] if len(messages) > cfg.digest_threshold else [[m] for m in messages]
        for batch in batches:
            ids = [m.alert_id for m in batch]
            exc = _try(channel.send, batch, cfg.send_retries, cfg.retry_backoff_seconds, sleep)
            if exc is not None:  # recorded; the other alerts still go out
                error = f"{type(exc).__name__}: {exc}"[:500]
                failed = _mark_failed(con, ids, error, now, cfg.max_attempts)
                counts["failed"] += failed
                counts["retry_later"] += len(ids) - failed
                log.warning(
                    "%s: %d alert(s) not delivered after %d tries: %s",
                    channel_name,
                    len(ids),
                    cfg.send_retries + 1,
                    error,
                )
                continue
            _mark_sent(con, ids, now)
            counts["sent"] += len(ids)
            counts["messages"] += 1
            counts["digests"] += len(batch) > 1
    log.info("alerts: %s", counts)
    return counts
