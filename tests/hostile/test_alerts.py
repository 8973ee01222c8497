"""Hostile article fields through the real ``newsmon ingest`` and ``newsmon alerts``.

An article's URL, title and outlet come from outside. None of them may ping a Slack
channel, plant a link, break out of an HTML attribute, or carry a connection's secret
into ``alerts.last_error`` or a log.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.integration.servers import Mailbox, Webhook
from tests.integration.test_delivery import MOBILIZATION

NEWSMON = str(Path(sys.executable).with_name("newsmon"))

HOSTILE_URLS = {
    "slack-break-out": "https://x.example/a> <!channel> <https://phish.example/login|Read the full story",
    "pipe": "https://x.example/b|Click here",
    "quote-attr": 'https://x.example/c"onmouseover="alert(1)',
    "javascript": "javascript:alert(document.cookie)",
    "spaces-angle": "https://x.example/d <!here>",
    "bad-host": "https://exa mple.com<>/e",
}


def _cli(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [NEWSMON, *args], capture_output=True, text=True, timeout=300, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _ingest(tmp_path: Path, records: list[dict]) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    _cli("ingest", str(path), "-q")


def _records() -> list[dict]:
    """One story each: a mobilization lead and enough words of their own to stay apart."""
    words = [
        "omsk",
        "tomsk",
        "kazan",
        "perm",
        "ufa",
        "samara",
        "saratov",
        "tver",
        "tula",
        "kursk",
        "orel",
        "penza",
    ]
    out = []
    for i, (name, url) in enumerate(HOSTILE_URLS.items()):
        own = " ".join(f"{w}{i}x{j}" for j, w in enumerate(words * 4))
        out.append(
            {
                "url": url,
                "title": f"Call-up {name} <!channel>",
                "text": f"{MOBILIZATION} {own}",
                "source": "Outlet <@U123>",
            }
        )
    return out


def _links(text: str) -> list[str]:
    return re.findall(r"<([^<>|]+)\|", text)


@pytest.mark.parametrize("digest", [False, True], ids=["one-by-one", "digest"])
def test_no_url_title_or_outlet_can_ping_or_plant_a_link(
    configured: Path,
    tmp_path: Path,
    webhook: Webhook,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
    digest: bool,
) -> None:
    settings = json.loads(Path(os.environ["NEWSMON_CONFIG"]).read_text())
    if not digest:
        settings["alerts"]["digest_threshold"] = 50
    # the records' filler words ("omsk3x0") place them in regions; those spikes are not the
    # subject here (tests/integration/test_regions.py is)
    settings.setdefault("signals", {})["region_spike_topics"] = []
    Path(os.environ["NEWSMON_CONFIG"]).write_text(json.dumps(settings))
    _ingest(tmp_path, _records())
    _cli("alerts")
    texts = webhook.texts()
    # one message per story, or one digest (no spike: no week of news to measure one against)
    assert len(texts) == (1 if digest else len(HOSTILE_URLS))
    for text in texts:
        assert "<!channel>" not in text and "<!here>" not in text and "<@U123>" not in text
        for link in _links(text):
            assert re.fullmatch(r"https://x\.example/[A-Za-z0-9%/._~:@!$&'()*+,;=?#-]*", link), link
            assert "phish" not in link.split("%3E")[0], "the planted link never stands alone"
    joined = "\n".join(texts)
    assert "javascript:" not in " ".join(_links(joined))
    assert "<https://phish.example" not in joined
    for msg in mailbox.messages:
        html = msg.get_body(("html",)).get_content()
        for href in re.findall(r'href="([^"]*)"', html):
            assert href.startswith("https://x.example/") and " " not in href and "<" not in href, (
                href
            )
        assert "onmouseover=" not in html.replace("%22onmouseover=%22", "")


def test_a_failing_webhook_that_echoes_the_path_leaks_no_secret(
    configured: Path, tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    webhook.echo_path = True
    webhook.script.extend([500] * 10)
    _ingest(tmp_path, _records()[:1])
    done = _cli("alerts")
    with duckdb.connect(str(configured), read_only=True) as con:
        errors = [
            r[0]
            for r in con.execute(
                "select last_error from alerts where last_error is not null"
            ).fetchall()
        ]
    assert errors, "the failure is recorded"
    secrets = ("webhook-secret-token", "/services/T0001/B0002", Mailbox.PASSWORD)
    for text in [*errors, done.stdout, done.stderr, (configured.parent / "alerts.log").read_text()]:
        for secret in secrets:
            assert secret not in text, (secret, text[:300])
    assert any("no_service for ***" in e for e in errors), errors


def test_a_failure_notice_never_carries_a_secret(
    configured: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    from newsmon_airflow.defaults import FailureNotifier

    error = RuntimeError(
        f"POST {webhook.url} failed; smtp login newsmon:{Mailbox.PASSWORD} refused"
    )
    FailureNotifier().notify({"exception": error, "task_instance": None})
    assert len(webhook.texts()) == 1 and len(mailbox.messages) == 1, "the notices went out"
    sent = [webhook.texts()[0], mailbox.messages[0].as_string()]
    for text in sent:
        assert "webhook-secret-token" not in text and Mailbox.PASSWORD not in text, text[:400]
        assert "***" in text


def test_a_channel_gone_between_prepare_and_send_is_a_recorded_failure(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsmon.config import load_settings
    from newsmon.flows import deliver

    cfg = tmp_path / "settings.yaml"
    cfg.write_text(
        json.dumps({"alerts": {"channels": ["log", "pager"], "send_retries": 0}}), encoding="utf-8"
    )
    monkeypatch.setenv("NEWSMON_CONFIG", str(cfg))
    _ingest(tmp_path, _records()[:1])

    class Pager:  # an outside channel, present when the outbox is prepared
        name = "pager"

        def unconfigured(self) -> None:
            return None

        def send(self, messages: list) -> None:
            raise AssertionError("never called: the channel is gone when sending")

    settings = load_settings()
    prepared = deliver.prepare(settings, [Pager()])
    sent = deliver.send(settings, prepared["delivery_id"], [])  # this process has no pager
    recorded = deliver.record(settings, prepared["delivery_id"])
    assert sent["failed_batches"] == 1 and recorded["sent"] >= 1 and recorded["retry_later"] == 1
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute(
            "select status, last_error from alerts where channel = 'pager'"
        ).fetchone()
    assert row[0] == "pending" and "not available" in row[1]


def test_alerts_killed_midway_send_nothing_twice_and_lose_nothing(
    configured: Path, tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    """`newsmon alerts` SIGKILLed after two messages went out: the next run records those
    two as sent (their process is gone) and sends only the rest."""
    import signal
    import time

    settings = json.loads(Path(os.environ["NEWSMON_CONFIG"]).read_text())
    settings["alerts"]["digest_threshold"] = 50  # one message per alert
    Path(os.environ["NEWSMON_CONFIG"]).write_text(json.dumps(settings))
    _ingest(tmp_path, _records()[:3])
    pause = tmp_path / "paused"
    env = dict(os.environ, NEWSMON_PAUSE_AT="send#2", NEWSMON_PAUSE_FILE=str(pause))
    proc = subprocess.Popen(
        [NEWSMON, "alerts"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(600):
            if pause.exists():
                break
            time.sleep(0.1)
        assert pause.exists(), "never reached the second send"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
    before = len(webhook.accepted) + len(mailbox.messages)
    _cli("alerts")
    with duckdb.connect(str(configured), read_only=True) as con:
        statuses = con.execute(
            "select channel, status, count(*) from alerts group by all order by all"
        ).fetchall()
    assert statuses == [("email", "sent", 3), ("log", "sent", 3), ("slack", "sent", 3)]
    assert len(webhook.texts()) == 3 and len(set(webhook.texts())) == 3, "no Slack message twice"
    assert len(mailbox.messages) == 3, "no email twice"
    assert before >= 1, "the killed run had sent some"
    log_lines = (configured.parent / "alerts.log").read_text().splitlines()
    assert len(log_lines) == 3 and len(set(log_lines)) == 3


def test_an_alert_whose_message_cannot_be_built_costs_itself(
    configured: Path, tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    """An alert whose data no message can be made of (here evidence without weights or
    offsets, as a hand repair or another tool may leave it) raised in preparing the
    delivery: no alert went out, in that run or any after it. It is failed with the
    reason, the others go out, and the next delivery runs clean."""
    settings = json.loads(Path(os.environ["NEWSMON_CONFIG"]).read_text())
    settings["alerts"]["digest_threshold"] = 50
    settings.setdefault("signals", {})["region_spike_topics"] = []
    Path(os.environ["NEWSMON_CONFIG"]).write_text(json.dumps(settings))
    _ingest(tmp_path, _records()[:3])
    with duckdb.connect(str(configured)) as con:
        signal, lead = con.execute(
            "select s.signal_id, st.first_article_id from signals s join stories st using (story_id)"
            " where s.kind = 'new_story' order by s.signal_id limit 1"
        ).fetchone()
        con.execute(
            "update article_topics set evidence = [{'term': 'call-up', 'field': 'text',"
            " 'start': null, 'end': null, 'snippet': null, 'weight': null}]"
            " where article_id = ?",
            [lead],
        )
        doomed = {
            r[0]
            for r in con.execute(
                "select alert_id from alerts where signal_id = ? and channel <> 'log'", [signal]
            ).fetchall()
        }
    assert len(doomed) == 2
    first = json.loads(_cli("alerts").stdout.strip().splitlines()[-1])
    with duckdb.connect(str(configured), read_only=True) as con:
        rows = con.execute(
            "select alert_id, status, last_error from alerts where alert_id in"
            " (select unnest(?::varchar[]))",
            [sorted(doomed)],
        ).fetchall()
        others = con.execute(
            "select distinct status from alerts where signal_id <> ? and channel <> 'log'",
            [signal],
        ).fetchall()
    assert {r[0] for r in rows} == doomed
    assert all(s == "failed" and "could not be built: TypeError" in e for _, s, e in rows), rows
    assert others == [("sent",)], "the other stories' alerts went out"
    assert first["failed"] >= len(doomed) and first["sent"] > 0
    assert len(webhook.texts()) == 2 and len(mailbox.messages) == 2
    again = json.loads(_cli("alerts").stdout.strip().splitlines()[-1])
    assert again["failed"] == 0 and again["sent"] == 0
