"""Slack and email alert channels on the Airflow providers' hooks.

Slack: ``SlackWebhookHook`` with the connection ``alerts.slack.conn_id`` (type
``slackwebhook``; the webhook URL or token in its password), e.g.
``AIRFLOW_CONN_SLACK_DEFAULT='{"conn_type": "slackwebhook", "password": "https://hooks.slack.com/services/T/B/X"}'``.

Email: ``SmtpHook`` with the connection ``alerts.email.conn_id`` (type ``smtp``) and the
recipients in ``alerts.email.to``. The hook opens, secures and authenticates the SMTP
session; the message is a ``multipart/alternative`` with a plain-text and an HTML part,
which ``SmtpHook.send_email_smtp`` (HTML only) cannot build.

Errors are re-raised with the connection's secrets (webhook URL, token, password) removed,
because their text ends up in logs and in ``alerts.last_error``.
"""

from __future__ import annotations

import contextlib
import email.policy
import logging
from dataclasses import replace
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from newsmon.alerting import render
from newsmon.alerting.render import AlertMessage
from newsmon.alerting.watchlists import load_watchlists
from newsmon.config import Settings

log = logging.getLogger(__name__)


# RFC 5322 allows 998-character lines; without this Python folds a long subject onto a
# continuation line, which some readers show with a leading space.
_POLICY = email.policy.default.clone(max_line_length=998)


class DeliveryError(RuntimeError):
    """A send failed; the message carries no secrets."""


def _connection(conn_id: str) -> Any | None:
    from airflow.sdk.bases.hook import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception:  # not defined (AirflowNotFoundException) or no secrets backend reachable
        return None


_NOT_SECRET = frozenset({"services", "hooks", "api", "webhook", "webhooks"})


def _secrets(conn: Any) -> list[str]:
    """Every secret part of a connection, longest first: the password, login:password, the
    URI, and for a URL-shaped secret (a webhook) also its path, each path segment and each
    query value, as written and percent-encoded, since servers echo any of them back."""
    values = [conn.password, conn.login and conn.password and f"{conn.login}:{conn.password}"]
    with contextlib.suppress(Exception):  # an odd connection: the password is still redacted
        values.append(conn.get_uri())
    with contextlib.suppress(Exception):
        extra = conn.extra_dejson
        values += [v for v in extra.values() if isinstance(v, str) and len(v) >= 8]
    parts: list[str] = []
    for value in filter(None, values):
        parts.append(value)
        if "/" in value or "?" in value:
            url = urlsplit(value if "://" in value else "x://h/" + value.lstrip("/"))
            parts += [url.path, url.path.lstrip("/"), url.query]
            parts += [seg for seg in url.path.split("/") if seg.lower() not in _NOT_SECRET]
            parts += [v for _, v in parse_qsl(url.query)]
    found = {p for p in parts if p and len(p) >= 4}
    found |= {quote(p, safe="") for p in found}
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class SlackChannel:
    def __init__(self, settings: Settings, conn_id: str | None = None, name: str = "slack") -> None:
        self.name = name  # "slack", or a watchlist's: watch/<name>/slack
        self.conn_id = conn_id or settings.alerts.slack.conn_id

    def unconfigured(self) -> str | None:
        if _connection(self.conn_id) is None:
            return (
                f"no Airflow connection '{self.conn_id}' (set AIRFLOW_CONN_{self.conn_id.upper()})"
            )
        return None

    def post(self, text: str) -> None:
        from airflow.providers.slack.hooks.slack_webhook import SlackWebhookHook

        conn = _connection(self.conn_id)
        secrets = _secrets(conn) if conn else []
        try:
            SlackWebhookHook(slack_webhook_conn_id=self.conn_id, timeout=15).send(text=text)
        except Exception as exc:
            raise DeliveryError(
                redact(f"Slack webhook failed: {type(exc).__name__}: {exc}", secrets)
            ) from None

    def send(self, messages: list[AlertMessage], more: int = 0) -> None:
        self.post(
            render.slack(messages[0])
            if len(messages) == 1 and not more
            else render.slack_digest(messages, more)
        )


class EmailChannel:
    def __init__(
        self,
        settings: Settings,
        to: tuple[str, ...] = (),
        conn_id: str | None = None,
        name: str = "email",
    ) -> None:
        self.name = name  # "email", or a watchlist's: watch/<name>/email
        self.cfg = settings.alerts.email
        if to:  # a watchlist's recipients, and its connection if it names one
            self.cfg = replace(self.cfg, to=to, conn_id=conn_id or self.cfg.conn_id)

    def unconfigured(self) -> str | None:
        if not self.cfg.to:
            return "no recipients in alerts.email.to"
        if _connection(self.cfg.conn_id) is None:
            return f"no Airflow connection '{self.cfg.conn_id}' (set AIRFLOW_CONN_{self.cfg.conn_id.upper()})"
        return None

    def mail(self, subject: str, text: str, html: str) -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        conn = _connection(self.cfg.conn_id)
        secrets = _secrets(conn) if conn else []
        try:
            with SmtpHook(smtp_conn_id=self.cfg.conn_id) as hook:
                sender = self.cfg.from_email or hook.from_email
                if not sender:
                    raise DeliveryError(
                        "no sender: set alerts.email.from_email or from_email in the connection"
                    )
                msg = EmailMessage(policy=_POLICY)
                msg["Subject"] = subject
                msg["From"] = sender
                msg["To"] = ", ".join(self.cfg.to)
                msg["Date"] = formatdate(localtime=False)
                msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
                msg.set_content(text)
                msg.add_alternative(html, subtype="html")
                # the session the provider opened, secured and authenticated
                hook._smtp_client.send_message(msg)
        except DeliveryError:
            raise
        except Exception as exc:
            raise DeliveryError(
                redact(f"SMTP failed: {type(exc).__name__}: {exc}", secrets)
            ) from None

    def send(self, messages: list[AlertMessage], more: int = 0) -> None:
        prefix = self.cfg.subject_prefix
        if len(messages) == 1 and not more:
            self.mail(*render.email(messages[0], prefix))
        else:
            self.mail(*render.email_digest(messages, prefix, more))


def channel_secrets(channel: Any) -> list[str]:
    """The secret parts of a channel's connection (none when it has no connection)."""
    conn_id = getattr(channel, "conn_id", None) or getattr(
        getattr(channel, "cfg", None), "conn_id", None
    )
    conn = _connection(conn_id) if conn_id else None
    return _secrets(conn) if conn else []


def airflow_channels(settings: Settings) -> list[Any]:
    """The provider-backed channels named in ``alerts.channels``, and each watchlist's."""
    known = {"slack": SlackChannel, "email": EmailChannel}
    found = [known[name](settings) for name in settings.alerts.channels if name in known]
    for wl in load_watchlists(settings).watchlists:
        if wl.deliver.slack:
            found.append(SlackChannel(settings, wl.deliver.slack, wl.channel("slack")))
        if wl.deliver.email:
            found.append(
                EmailChannel(settings, wl.deliver.email, wl.deliver.email_conn, wl.channel("email"))
            )
    return found
