"""Real servers on 127.0.0.1 for delivery tests: a Slack webhook stand-in and an SMTP server."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Webhook:
    """Accepts Slack webhook POSTs; answers with scripted status codes (then 200)."""

    def __init__(self) -> None:
        self.accepted: list[dict[str, Any]] = []
        self.requests = 0
        self.script: deque[int] = deque()
        self.echo_path = False  # a failing answer repeats the request path, as some servers do
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.requests += 1
                status = hook.script.popleft() if hook.script else 200
                if status == 200:
                    hook.accepted.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                error = f"no_service for {self.path}" if hook.echo_path else "internal_error"
                self.wfile.write(b"ok" if status == 200 else error.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = (
            f"http://127.0.0.1:{self.server.server_port}/services/T0001/B0002/webhook-secret-token"
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self) -> list[str]:
        return [m["text"] for m in self.accepted]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def respond(
    h: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    ctype: str = "text/html; charset=utf-8",
    **headers: str,
) -> None:
    """Answer a request with a body and headers (``Retry_After`` -> ``Retry-After``)."""
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.end_headers()
    h.wfile.write(body)


def use_sources(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sources: list[dict],
    fetch: dict[str, Any] | None = None,
    alerts: dict[str, Any] | None = None,
) -> None:
    """Point newsmon at ``sources`` (sites on 127.0.0.1): a ``sources.yaml`` and a
    ``settings.yaml`` in ``tmp_path`` (no delay between requests to a host, alerts to the
    log unless ``alerts`` says otherwise, ``fetch`` settings on top), ``NEWSMON_CONFIG`` set."""
    (tmp_path / "sources.yaml").write_text(json.dumps({"sources": sources}), encoding="utf-8")
    settings = {
        "fetch": {"sources_path": str(tmp_path / "sources.yaml"), "per_host_delay_seconds": 0}
        | (fetch or {}),
        "alerts": alerts or {"channels": ["log"]},
    }
    (tmp_path / "settings.yaml").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CONFIG", str(tmp_path / "settings.yaml"))


class LocalSite:
    """A GET-only site on 127.0.0.1 for fetch tests: a subclass answers in ``route``; every
    request path is logged and counted (``log``, ``counts``)."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.counts: dict[str, int] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                site.log.append(self.path)
                site.counts[self.path] = site.counts.get(self.path, 0) + 1
                site.route(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def route(self, h: BaseHTTPRequestHandler) -> None:
        respond(h, 404, b"not found", "text/plain")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd on 127.0.0.1 with AUTH (user newsmon, password SMTP_PASSWORD)."""

    USER = "newsmon"
    PASSWORD = "smtp-secret-password"

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.port = free_port()
        self.controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def _auth(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.USER
            and data.password.decode() == self.PASSWORD
        )
        return AuthResult(success=ok)

    def start(self) -> None:
        self.controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._auth,
            auth_require_tls=False,
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None
