"""Deliver the alert outbox without holding the database across a network wait.

``alerts`` holds one row per signal per channel: ``pending -> sent | failed``, or
``suppressed`` when the story was alerted on that channel within ``cooldown_hours``.
Delivery is three steps, each its own Airflow task:

1. :func:`prepare` (database): apply results a crashed delivery left unrecorded, suppress
   repeats, build the messages, and write the batches to
   ``<staging_dir>/deliveries/<id>/outbox.jsonl``: one alert each, or, for more than
   ``digest_threshold`` on a channel, one digest per channel: the ``digest_top`` most
   prominent in full (spikes, then stories carried by more outlets, then higher scores) and
   the count of the rest, whose ids ride along so they are marked sent with it. However
   many alerts are pending, a delivery builds at most ``digest_top`` messages per channel.
2. :func:`send` (network, no database): each batch is tried ``1 + send_retries`` times
   with doubling backoff; its result is appended to ``results.jsonl`` and flushed right
   after the remote side answers, and a retried send skips the batches already answered.
3. :func:`record` (database): mark the alerts sent, or record the failed attempt
   (``failed`` after ``max_attempts``), then remove the folder.

A channel that is not configured is skipped with one log line and its alerts stay
pending. The only window for a duplicate message is a crash between the remote side
accepting a batch and the result line reaching the disk.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import duckdb

from newsmon import progress
from newsmon.alerting.channels import Channel, channels_by_name
from newsmon.alerting.outbox import (
    apply_results,
    deliveries_root,
    message_for,
    pending_by_channel,
    record_leftovers,
    retire,
    suppress_repeats,
    watch_gate,
)
from newsmon.alerting.render import AlertMessage, message_from_dict
from newsmon.alerting.watchlists import Watchlist, channel_watchlist, load_watchlists
from newsmon.config import Settings
from newsmon.faults import checkpoint
from newsmon.staging import read_jsonl, write_jsonl
from newsmon.storage import runs
from newsmon.storage.db import open_db
from newsmon.storage.readcopy import publish

log = logging.getLogger(__name__)


def _now() -> datetime:
    return runs.now()


def prepare(
    settings: Settings,
    channels: Iterable[Channel] | None = None,
    now: datetime | None = None,
    trigger: str = "cli",
) -> dict[str, Any]:
    """Write the outbox of one delivery; returns its id and counts."""
    now = now or _now()
    available = channels_by_name(settings, channels)
    delivery_id = f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"
    folder = deliveries_root(settings) / delivery_id
    counts = {
        "delivery_id": delivery_id,
        "batches": 0,
        "alerts": 0,
        "suppressed": 0,
        "unconfigured": 0,
        "failed": 0,  # alerts whose message could not be built
        "scheduled": 0,  # a watchlist's alerts waiting for its hourly or daily delivery
    }
    batches: list[dict[str, Any]] = []
    with open_db(settings) as con:
        counts["recovered"], in_flight = record_leftovers(con, settings, now)
        by_channel, briefs = pending_by_channel(con, in_flight)
        wfile = load_watchlists(settings)
        batches += _brief_batches(con, briefs, available, now, counts, wfile.is_rejected)
        for name, rows in by_channel.items():
            held, wl = watch_gate(con, wfile, name, rows, now)
            if held:  # a watchlist's: broken for now, gone, or not due
                counts[held] += len(rows)
                continue
            channel = available.get(name)
            why = "no such channel here" if channel is None else channel.unconfigured()
            if why:
                log.warning(
                    "channel %s is not configured (%s); %d alert(s) stay pending",
                    name,
                    why,
                    len(rows),
                )
                counts["unconfigured"] += len(rows)
                continue
            batches += _channel_batches(con, settings, name, rows, now, counts, wl)
        if counts["failed"] or counts["suppressed"]:  # alert statuses changed: readers see them
            publish(con, settings)
    if batches:
        write_jsonl(folder / "outbox.jsonl", batches)
        (folder / "owner").write_text(runs.process_owner(trigger), encoding="utf-8")
    counts["batches"] = len(batches)
    log.info("alerts prepared: %s", counts)
    return counts


def _channel_batches(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    name: str,
    rows: list[tuple[str, str | None]],
    now: datetime,
    counts: dict[str, Any],
    wl: Watchlist | None = None,
) -> list[dict[str, Any]]:
    """One channel's batches: its alerts less the repeats, one message each, or one digest
    of the top alerts and the rest's count when there are more than ``digest_threshold``
    (a watchlist's own settings where it has them; on an hourly or daily schedule, one
    digest whenever there is more than one)."""
    cfg = settings.alerts
    cooldown, threshold, top_n = cfg.cooldown_hours, cfg.digest_threshold, cfg.digest_top
    if wl is not None:
        cooldown = cfg.cooldown_hours if wl.cooldown_hours is None else wl.cooldown_hours
        threshold = wl.digest_threshold or threshold
        top_n = wl.digest_top or top_n
        threshold = 1 if wl.deliver.schedule.every != "each" else threshold
    kept = suppress_repeats(con, name, rows, now, cooldown)
    counts["suppressed"] += len(rows) - len(kept)
    counts["alerts"] += len(kept)
    if len(kept) > threshold:  # one digest: the top alerts and the rest's count
        top, rest = kept[:top_n], kept[top_n:]
        built = (message_for(con, a, now) for a, _ in top)
        messages = [m for m in built if m is not None]
        counts["failed"] += len(top) - len(messages)
        return [{"channel": name, "messages": messages, "rest_ids": [a for a, _ in rest]}]
    batches = []
    for alert_id, _ in kept:
        message = message_for(con, alert_id, now)
        if message is None:
            counts["failed"] += 1
        else:
            batches.append({"channel": name, "messages": [message], "rest_ids": []})
    return batches


def _brief_batches(
    con: duckdb.DuckDBPyConnection,
    briefs: dict[str, list[str]],
    available: dict[str, Channel],
    now: datetime,
    counts: dict[str, Any],
    waits: Callable[[str], bool],
) -> list[dict[str, Any]]:
    """One batch per brief, on a channel that can send it now (else it waits; ``waits``:
    whether a watchlist missing from the file now is only broken, not removed)."""
    batches = []
    for name, ids in briefs.items():
        channel = available.get(name)
        listed = channel_watchlist(name)
        if channel is None and listed and not waits(listed):  # it left the file, or the channel
            retire(con, name, listed, [(a, None) for a in ids], now)
            counts["suppressed"] += len(ids)
            continue
        why = "no such channel here" if channel is None else channel.unconfigured()
        if why:
            log.warning("channel %s is not configured (%s); %d brief(s) wait", name, why, len(ids))
            counts["unconfigured"] += len(ids)
            continue
        for alert_id in ids:
            message = message_for(con, alert_id, now)
            if message is None:
                counts["failed"] += 1
                continue
            counts["alerts"] += 1
            batches.append({"channel": name, "messages": [message], "rest_ids": []})
    return batches


def send(
    settings: Settings,
    delivery_id: str,
    channels: Iterable[Channel] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Send the outbox's batches (no database); each result is on disk as soon as known."""
    cfg = settings.alerts
    folder = deliveries_root(settings) / delivery_id
    available = channels_by_name(settings, channels)
    answered = {r["batch"] for r in read_jsonl(folder / "results.jsonl")}
    counts = {"delivery_id": delivery_id, "messages": 0, "digests": 0, "failed_batches": 0}
    if not (folder / "outbox.jsonl").exists():
        return counts
    total = sum(1 for _ in read_jsonl(folder / "outbox.jsonl"))
    with (
        (folder / "results.jsonl").open("a", encoding="utf-8") as results,
        progress.stage("send alerts", total=total, unit="message") as step,
    ):
        for index, batch in enumerate(read_jsonl(folder / "outbox.jsonl")):
            step(1)
            if index in answered:
                continue
            messages = [message_from_dict(m) for m in batch["messages"]]
            rest = batch.get("rest_ids", [])
            channel = available.get(batch["channel"])
            send_batch = channel.send if channel is not None else _gone(batch["channel"])
            error = _try(
                send_batch,
                messages,
                len(rest),
                cfg.send_retries,
                cfg.retry_backoff_seconds,
                sleep,
            )
            ids = [m.alert_id for m in messages] + rest
            results.write(json.dumps({"batch": index, "ids": ids, "error": error}) + "\n")
            results.flush()
            os.fsync(results.fileno())
            checkpoint("send")
            if error:
                counts["failed_batches"] += 1
                log.warning(
                    "%s: %d alert(s) not delivered after %d tries: %s",
                    batch["channel"],
                    len(ids),
                    cfg.send_retries + 1,
                    error,
                )
            else:
                counts["messages"] += 1
                counts["digests"] += len(messages) > 1
    log.info("alerts sent: %s", counts)
    return counts


def record(settings: Settings, delivery_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Write the results of one delivery to the database and remove its folder."""
    with open_db(settings) as con:
        counts = apply_results(
            con, settings, deliveries_root(settings) / delivery_id, now or _now()
        )
        if any(counts.values()):  # alert statuses changed: readers see them
            publish(con, settings)
    log.info("alerts recorded: %s", counts)
    return counts | {"delivery_id": delivery_id}


def deliver(
    settings: Settings,
    channels: Iterable[Channel] | None = None,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """The three steps in one process (``newsmon alerts``)."""
    channel_list = list(channels) if channels is not None else None
    prepared = prepare(settings, channel_list, now)
    sent = send(settings, prepared["delivery_id"], channel_list, sleep)
    recorded = record(settings, prepared["delivery_id"], now)
    return {
        "sent": recorded["sent"],
        "messages": sent["messages"],
        "digests": sent["digests"],
        "retry_later": recorded["retry_later"],
        "failed": recorded["failed"] + prepared["failed"],
        "suppressed": prepared["suppressed"],
        "unconfigured": prepared["unconfigured"],
    }


def _gone(name: str) -> Callable[[list[AlertMessage]], None]:
    """A channel that was there when the outbox was prepared and is not now: each send fails."""

    def send(_batch: list[AlertMessage], more: int = 0) -> None:
        raise LookupError(f"channel {name} is not available in this process")

    return send


def _try(
    send_batch: Callable[..., None],
    batch: list[AlertMessage],
    more: int,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> str | None:
    """Send with ``retries`` further tries and doubling backoff; the last error, or None."""
    error: str | None = None
    for attempt in range(retries + 1):
        try:
            if more:
                send_batch(batch, more=more)
            else:
                send_batch(batch)
            return None
        except Exception as exc:  # whatever the channel raised is the delivery's outcome
            error = f"{type(exc).__name__}: {exc}"[:500]
            if attempt < retries:
                sleep(backoff * 2**attempt)
    return error
