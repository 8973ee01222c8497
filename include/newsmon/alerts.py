"""The alert outbox: deliver pending alerts through their channels, mark each one at once.

``alerts`` holds one row per signal per channel (``pending -> sent | failed``). A channel is
anything with a ``name``, ``configured()`` and ``send(message)``; register new kinds in
:data:`CHANNELS`. The log channel appends one line per alert to ``alerts.log_path`` and
logs it. A channel that is not configured is skipped with one log line and its alerts stay
pending; a send that raises leaves the alert pending with ``attempts`` and ``last_error``
until ``alerts.max_attempts``, when it becomes ``failed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from newsmon.config import Settings
from newsmon.db import sql

log = logging.getLogger(__name__)


@dataclass
class AlertMessage:
    """Everything a channel needs to say why an alert fired."""

    alert_id: str
    signal_id: str
    kind: str  # new_story | spike
    topic: str
    reason: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    score: float | None = None
    topic_scores: dict[str, float] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)
    count_day: int | None = None
    baseline: float | None = None

    def plain_text(self) -> str:
        if self.kind == "spike":
            return f"[newsmon] spike {self.reason}"
        when = (
            self.published_at.strftime("%Y-%m-%d %H:%M UTC")
            if self.published_at
            else "date unknown"
        )
        scores = ", ".join(f"{t} {s:.1f}" for t, s in self.topic_scores.items())
        terms = "; ".join(f"\u201c{e['snippet']}\u201d [{e['term']}]" for e in self.evidence[:3])
        more = f" (+{len(self.other_sources)} outlets)" if self.other_sources else ""
        parts = [
            f"[newsmon] new {self.topic} story: {self.title or '(untitled)'}",
            f"{self.source or 'unknown outlet'}, {when}{more}",
            f"scores: {scores}",
        ]
        if terms:
            parts.append(f"evidence: {terms}")
        if self.url:
            parts.append(self.url)
        return " | ".join(parts)


class Channel(Protocol):
    name: str

    def configured(self) -> bool: ...

    def send(self, message: AlertMessage) -> None: ...


class LogChannel:
    """One line per alert in a local file and in the task log."""

    name = "log"

    def __init__(self, settings: Settings) -> None:
        self.path = Path(settings.alerts.log_path)

    def configured(self) -> bool:
        return True

    def send(self, message: AlertMessage) -> None:
        line = message.plain_text().replace("\n", " ")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(f"{message.alert_id}\t{line}\n")
        log.info("ALERT %s", line)


CHANNELS: dict[str, Callable[[Settings], Channel]] = {"log": LogChannel}


def build_message(con: duckdb.DuckDBPyConnection, alert_id: str) -> AlertMessage:
    row = con.execute(sql("alert_context"), [alert_id]).fetchone()
    if row is None:
        raise LookupError(f"alert {alert_id} has no signal")
    cols = [d[0] for d in con.description]
    ctx = dict(zip(cols, row, strict=True))
    msg = AlertMessage(
        alert_id=alert_id,
        signal_id=ctx["signal_id"],
        kind=ctx["kind"],
        topic=ctx["topic"],
        reason=ctx["reason"],
        score=ctx["score"],
        count_day=ctx["count_day"],
        baseline=ctx["baseline"],
    )
    if ctx["story_id"]:
        lead = con.execute(sql("story_lead_article"), [ctx["story_id"]]).fetchone()
        if lead:
            article_id, msg.title, msg.url, msg.source, msg.published_at = lead
            topics = con.execute(
                "select topic, score, evidence from article_topics where article_id = ? order by score desc",
                [article_id],
            ).fetchall()
            msg.topic_scores = {t: s for t, s, _ in topics}
            msg.evidence = next(
                ([e for e in ev if e["weight"] > 0] for t, _, ev in topics if t == msg.topic), []
            )
            msg.evidence.sort(key=lambda e: -e["weight"])
            msg.other_sources = [
                r[0]
                for r in con.execute(
                    "select distinct coalesce(source, canonical_url, origin) from articles"
                    " where story_id = ? and article_id <> ? order by 1",
                    [ctx["story_id"], article_id],
                ).fetchall()
            ]
    return msg


def deliver(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime) -> dict[str, Any]:
    """Send every pending alert on a configured channel; record each outcome immediately."""
    counts = {"sent": 0, "failed": 0, "retry_later": 0, "skipped_unconfigured": 0}
    pending = con.execute(
        "select alert_id, channel, attempts from alerts where status = 'pending' order by created_at, alert_id"
    ).fetchall()
    channels: dict[str, Channel | None] = {}
    for alert_id, channel_name, attempts in pending:
        if channel_name not in channels:
            factory = CHANNELS.get(channel_name)
            channel = factory(settings) if factory else None
            if channel is None or not channel.configured():
                log.warning("channel %r is not configured; its alerts stay pending", channel_name)
                channel = None
            channels[channel_name] = channel
        channel = channels[channel_name]
        if channel is None:
            counts["skipped_unconfigured"] += 1
            continue
        try:
            channel.send(build_message(con, alert_id))
        except Exception as exc:  # any channel failure is recorded, the others still go out
            error = f"{type(exc).__name__}: {exc}"[:500]
            status = "failed" if attempts + 1 >= settings.alerts.max_attempts else "pending"
            con.execute(
                "update alerts set attempts = attempts + 1, last_error = ?, status = ?, updated_at = ?"
                " where alert_id = ?",
                [error, status, now, alert_id],
            )
            counts["failed" if status == "failed" else "retry_later"] += 1
            log.warning(
                "alert %s via %s failed (attempt %d): %s",
                alert_id,
                channel_name,
                attempts + 1,
                error,
            )
            continue
        con.execute(
            "update alerts set attempts = attempts + 1, status = 'sent', sent_at = ?, updated_at = ?,"
            " last_error = null where alert_id = ?",
            [now, now, alert_id],
        )
        counts["sent"] += 1
    log.info("alerts: %s", counts)
    return counts
