"""Tell the alert channels when a newsmon DAG task fails (``on_failure_callback``)."""

from __future__ import annotations

import html
import logging
from typing import Any

log = logging.getLogger(__name__)


def failure_text(context: dict[str, Any]) -> tuple[str, str]:
    """``(one-line summary, detail)`` of a failed task, from the callback context."""
    ti = context.get("task_instance") or context.get("ti")
    dag_run = context.get("dag_run")
    where = f"{getattr(ti, 'dag_id', '?')}.{getattr(ti, 'task_id', '?')}"
    run_id = getattr(dag_run, "run_id", "?")
    attempt = getattr(ti, "try_number", "?")
    error = " ".join(str(context.get("exception") or "unknown error").split())[:500]
    return f"newsmon task {where} failed (run {run_id}, try {attempt})", error


def notify_failure(context: dict[str, Any]) -> None:
    """Post the failure to every configured Slack/email channel; never raises."""
    from newsmon.alerting.render import slack_escape, subject_line
    from newsmon.config import load_settings
    from newsmon_airflow.channels import airflow_channels, channel_secrets, redact

    try:
        settings = load_settings()
        summary, error = failure_text(context)
        channels = airflow_channels(settings)
        # an exception's text may hold a connection's secret: it never goes out in a notice
        error = redact(error, [s for c in channels for s in channel_secrets(c)])
        for channel in channels:
            why = channel.unconfigured()
            if why:
                log.info("failure notice not sent to %s: %s", channel.name, why)
                continue
            try:
                if channel.name == "slack":
                    channel.post(f":x: *{slack_escape(summary)}*\n```{slack_escape(error)}```")
                else:
                    channel.mail(
                        subject_line(summary, settings.alerts.email.subject_prefix),
                        f"{summary}\n\n{error}\n",
                        f"<html><body><p><b>{html.escape(summary)}</b></p><pre>{html.escape(error)}</pre></body></html>",
                    )
            except Exception as exc:  # a failing notifier must not hide the task's own failure
                log.warning("failure notice to %s failed: %s", channel.name, exc)
    except Exception:
        log.exception("could not send failure notices")
