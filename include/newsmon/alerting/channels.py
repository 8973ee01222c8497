"""Alert channels, and what an alert says: the message built from the database.

A channel has a ``name``, ``unconfigured()`` (``None`` when ready, else why not) and
``send(messages)`` (one alert, or a digest of several). This module knows the ``log``
channel; Slack and email come from ``newsmon_airflow.channels`` through the
``newsmon.channels`` entry point (or are passed in), so this package never imports Airflow.
Delivering the outbox is :mod:`newsmon.flows.deliver`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import duckdb

from newsmon.alerting.render import LOG_MAX_CHARS, AlertMessage, Highlight, plain, plain_digest
from newsmon.alerting.watchlists import load_watchlists
from newsmon.config import Settings
from newsmon.storage.db import execute

log = logging.getLogger(__name__)

REGIONS_SHOWN = 5  # an alert names at most this many of its story's regions


class Channel(Protocol):
    name: str

    def unconfigured(self) -> str | None: ...

    def send(self, messages: list[AlertMessage], more: int = 0) -> None:
        """Deliver one alert, or a digest of ``messages`` and a count of ``more`` others."""
        ...


class LogChannel:
    """One line per alert (or digest) in a local file and in the task log."""

    def __init__(self, settings: Settings, name: str = "log") -> None:
        self.name = name  # "log", or a watchlist's: watch/<name>/log
        self.path = Path(settings.alerts.log_path)

    def unconfigured(self) -> str | None:
        return None

    def send(self, messages: list[AlertMessage], more: int = 0) -> None:
        if len(messages) == 1 and not more:
            text = plain(messages[0])
        else:
            text = plain_digest(messages, more, limit=LOG_MAX_CHARS)
        line = " | ".join(part.strip() for part in text.splitlines() if part.strip())
        if len(line) > LOG_MAX_CHARS:  # one alert with a very long title or quote
            line = line[: LOG_MAX_CHARS - 1] + "\u2026"
        ids = ",".join(m.alert_id for m in messages[:20]) + (f",+{more}" if more else "")
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
    """Everything a channel says about one alert: the signal, its story's lead article,
    topic scores, evidence highlights and the other outlets."""
    cur = execute(con, "alerting/alerts/context", alert_id=alert_id)
    row = cur.fetchone()
    if row is None:
        raise LookupError(f"alert {alert_id} has no signal")
    ctx = dict(zip([d[0] for d in cur.description], row, strict=True))
    fields = ("signal_id", "kind", "topic", "reason", "story_id", "score", "count_day")
    msg = AlertMessage(
        alert_id=alert_id,
        **{k: ctx[k] for k in (*fields, "baseline", "watchlist")},
        brief=json.loads(ctx["detail"] or "{}") if ctx["kind"] == "brief" else None,
    )
    if ctx["region"]:  # a region spike
        msg.regions = [f"{ctx['region_name']} ({ctx['region']})"]
    elif ctx["kind"] == "spike" and ctx["day"] is not None:  # where that day's stories were
        msg.regions = [
            f"{name} ({code}) {n}"
            for code, name, n in execute(
                con,
                "alerting/alerts/spike_regions",
                topic=ctx["topic"],
                day=ctx["day"],
                limit=REGIONS_SHOWN,
            ).fetchall()
        ]
    if not ctx["story_id"]:
        return msg
    msg.regions = [
        f"{name} ({code})"
        for code, name in execute(
            con, "alerting/alerts/regions", story_id=ctx["story_id"], limit=REGIONS_SHOWN
        ).fetchall()
    ]
    lead = execute(con, "alerting/alerts/lead_article", story_id=ctx["story_id"]).fetchone()
    if lead is None:
        return msg
    article_id, msg.title, msg.url, msg.source, msg.published_at, text = lead
    topics = execute(con, "alerting/alerts/topic_scores", article_id=article_id).fetchall()
    msg.topic_scores = {t: s for t, s, _ in topics}
    evidence = next((ev for t, _, ev in topics if t == msg.topic), [])
    msg.highlights = _highlights(text, msg.title or "", evidence)
    msg.other_sources = [
        r[0]
        for r in execute(
            con,
            "alerting/alerts/other_sources",
            story_id=ctx["story_id"],
            article_id=article_id,
            source=msg.source,
        ).fetchall()
    ]
    return msg


def channels_by_name(
    settings: Settings, channels: Iterable[Channel] | None = None
) -> dict[str, Channel]:
    """Every channel this process can deliver through: the given ones (else the plugins'),
    and the built-in ``log`` channel."""
    found: dict[str, Channel] = {c.name: c for c in (channels or plugin_channels(settings))}
    for name, make in CHANNELS.items():
        found.setdefault(name, make(settings))
    for wl in load_watchlists(settings).watchlists:
        if wl.deliver.log:
            found.setdefault(wl.channel("log"), LogChannel(settings, wl.channel("log")))
    return found
