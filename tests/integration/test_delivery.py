"""Alert delivery to Slack and email through the Airflow providers, against real local servers."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SEEDS
from tests.integration.servers import Mailbox, Webhook

pytestmark = pytest.mark.integration


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.close()


@pytest.fixture
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


def _settings_file(tmp_path: Path, **alerts: object) -> Path:
    cfg = {
        "signals": {"recent_days": 0},  # the seeds are from 2023: alert them all the same
        "alerts": {
            "channels": ["log", "slack", "email"],
            "retry_backoff_seconds": 0.01,
            "email": {
                "to": ["desk@example.org", "osint@example.org"],
                "from_email": "newsmon@example.org",
            },
        },
    }
    cfg["alerts"].update(alerts)
    path = tmp_path / "settings.yaml"
    path.write_text(json.dumps(cfg), encoding="utf-8")  # JSON is YAML
    return path


@pytest.fixture
def configured(
    tmp_path: Path,
    db_path: Path,
    webhook: Webhook,
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("NEWSMON_CONFIG", str(_settings_file(tmp_path)))
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_DEFAULT",
        json.dumps({"conn_type": "slackwebhook", "password": webhook.url}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": mailbox.port,
                "login": Mailbox.USER,
                "password": Mailbox.PASSWORD,
                "extra": {"disable_tls": True, "disable_ssl": True, "timeout": 5, "retry_limit": 0},
            }
        ),
    )
    return db_path


def _settings():
    from newsmon.config import load_settings

    return load_settings()


def _ingest(paths: list[Path]) -> dict:
    from newsmon.flows.pipeline import ingest

    return ingest(_settings(), paths)


def _deliver() -> dict:
    """What `newsmon alerts` and the news_alerts task run: channels come from the entry point."""
    from newsmon.flows.deliver import deliver

    return deliver(_settings())


def _feed(tmp_path: Path, *records: dict) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


MOBILIZATION = "Military enlistment offices handed call-up papers to men across the region as mobilization continues."


def _status(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select channel, status, attempts, last_error from alerts order by channel"
        ).fetchall()
    out: dict[str, list[tuple]] = {}
    for channel, *rest in rows:
        out.setdefault(channel, []).append(tuple(rest))
    return out


def test_dags_send_one_message_per_signal_and_nothing_twice(
    configured: Path, webhook: Webhook, mailbox: Mailbox, airflow_db
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(ROOT / "dags"))
    for dag_id, conf in (("news_ingest", {"paths": [str(SEEDS)]}), ("news_alerts", {})):
        run = bag.get_dag(dag_id).test(run_conf=conf)
        assert str(run.state).endswith("success")
    assert len(webhook.accepted) == 5
    assert len(mailbox.messages) == 5
    for msg in mailbox.messages:
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["To"] == "desk@example.org, osint@example.org"
        assert msg["Subject"].startswith("[newsmon] New mobilization story: ")
    assert any("*mobili" in t or "*Mobili" in t for t in webhook.texts()), (
        "matched terms are highlighted"
    )
    assert {s for rows in _status(configured).values() for s, *_ in rows} == {"sent"}

    run = bag.get_dag("news_alerts").test(run_conf={})
    assert str(run.state).endswith("success")
    assert (len(webhook.accepted), len(mailbox.messages)) == (5, 5)


def test_message_says_why(
    configured: Path, tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    body = MOBILIZATION + " Officials denied that a second wave of mobilisation was planned."
    _ingest(
        [
            _feed(
                tmp_path,
                {
                    "url": "https://a.example/1",
                    "title": "Call-up papers handed out",
                    "text": body,
                    "source": "Outlet A",
                    "published_at": "2026-11-20T08:00:00Z",
                },
                {
                    "url": "https://b.example/2",
                    "title": "Region hands out call-up papers",
                    "text": body,
                    "source": "Outlet B",
                },
                {
                    "url": "https://c.example/3",
                    "title": "Call-ups continue",
                    "text": body,
                    "source": "Outlet C",
                },
            )
        ]
    )
    assert _deliver()["sent"] == 3  # log, slack, email: one story, three copies
    (slack,) = webhook.texts()
    assert "<https://a.example/1|Call-up papers handed out>" in slack
    assert "Outlet A, 2026-11-20 08:00 UTC (+2 outlets)" in slack
    assert "Scores: mobilization" in slack and "*mobilization*" in slack
    (mail,) = mailbox.messages
    html = mail.get_body("html").get_content()
    assert "<mark>mobilization</mark>" in html and "Also carried by: Outlet B, Outlet C" in html


def test_webhook_500_twice_then_200_gives_exactly_one_message(
    configured: Path, tmp_path: Path, webhook: Webhook
) -> None:
    webhook.script.extend([500, 500])
    _ingest(
        [_feed(tmp_path, {"url": "https://a.example/1", "title": "Call-up", "text": MOBILIZATION})]
    )
    _deliver()
    assert webhook.requests == 3
    assert len(webhook.accepted) == 1
    assert _status(configured)["slack"] == [("sent", 1, None)]


def test_webhook_down_for_a_run_keeps_the_alert_pending(
    configured: Path, tmp_path: Path, webhook: Webhook
) -> None:
    webhook.script.extend([500, 500, 500])
    _ingest(
        [_feed(tmp_path, {"url": "https://a.example/1", "title": "Call-up", "text": MOBILIZATION})]
    )
    _deliver()
    (slack,) = _status(configured)["slack"]
    assert slack[0:2] == ("pending", 1) and "500" in slack[2]
    _deliver()
    assert len(webhook.accepted) == 1
    assert _status(configured)["slack"] == [("sent", 2, None)]


def test_smtp_down_leaves_alerts_pending_and_next_run_delivers(
    configured: Path, tmp_path: Path, mailbox: Mailbox, webhook: Webhook
) -> None:
    mailbox.stop()
    _ingest(
        [_feed(tmp_path, {"url": "https://a.example/1", "title": "Call-up", "text": MOBILIZATION})]
    )
    counts = _deliver()
    assert counts["retry_later"] == 1
    (email_row,) = _status(configured)["email"]
    assert email_row[0:2] == ("pending", 1) and "SMTP failed" in email_row[2]
    assert len(webhook.accepted) == 1, "the other channels are not held up"
    mailbox.start()
    _deliver()
    assert len(mailbox.messages) == 1
    assert _status(configured)["email"] == [("sent", 2, None)]
    assert len(webhook.accepted) == 1


def test_untrusted_title_is_escaped(
    configured: Path, tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    title = "<!channel> Mobilization <https://evil.example|click here> & more"
    _ingest(
        [
            _feed(
                tmp_path,
                {
                    "url": "https://a.example/1",
                    "title": title,
                    "text": MOBILIZATION,
                    "source": "<b>Outlet</b>",
                },
            )
        ]
    )
    _deliver()
    (slack,) = webhook.texts()
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    assert (
        "<https://evil.example" not in slack
        and "&lt;https://evil.example|click here&gt; &amp; more" in slack
    )
    (mail,) = mailbox.messages
    html = mail.get_body("html").get_content()
    assert (
        "<!channel>" not in html
        and "&lt;!channel&gt;" in html
        and "&lt;b&gt;Outlet&lt;/b&gt;" in html
    )
    assert "\n" not in mail["Subject"]


def test_digest_when_many_signals(
    configured: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: Webhook,
    mailbox: Mailbox,
) -> None:
    monkeypatch.setenv("NEWSMON_CONFIG", str(_settings_file(tmp_path, digest_threshold=3)))
    _ingest([SEEDS])
    counts = _deliver()
    assert counts["sent"] == 15 and counts["digests"] == 3  # log, slack, email: one digest each
    (slack,) = webhook.texts()
    assert slack.startswith(":newspaper: *5 new newsmon signals*")
    (mail,) = mailbox.messages
    assert mail["Subject"] == "[newsmon] 5 new signals"


def test_cooldown_stops_repeats_for_a_story(
    configured: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook: Webhook
) -> None:
    cfg = tmp_path / "cfg"
    cfg.mkdir()
    settings = json.loads(_settings_file(cfg).read_text())
    settings["signals"] = {"new_story_topics": ["mobilization", "protests"]}
    (cfg / "s.yaml").write_text(json.dumps(settings), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CONFIG", str(cfg / "s.yaml"))
    text = (
        MOBILIZATION
        + " Wives of mobilised men protested outside the ministry; police detained protesters."
    )
    result = _ingest(
        [
            _feed(
                tmp_path,
                {"url": "https://a.example/1", "title": "Protest over call-up", "text": text},
            )
        ]
    )
    assert result["signals_new"] == 2  # one story, two watched topics
    counts = _deliver()
    assert len(webhook.accepted) == 1 and counts["suppressed"] == 3  # one per channel
    rows = _status(configured)["slack"]
    assert sorted(r[0] for r in rows) == ["sent", "suppressed"]


def test_unconfigured_channel_waits_then_delivers(
    tmp_path: Path,
    db_path: Path,
    webhook: Webhook,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("NEWSMON_CONFIG", str(_settings_file(tmp_path)))
    monkeypatch.delenv("AIRFLOW_CONN_SLACK_DEFAULT", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_SMTP_DEFAULT", raising=False)
    _ingest(
        [_feed(tmp_path, {"url": "https://a.example/1", "title": "Call-up", "text": MOBILIZATION})]
    )
    with caplog.at_level(logging.WARNING):
        counts = _deliver()
    assert counts["unconfigured"] == 2 and counts["sent"] == 1  # the log channel
    notices = [r.getMessage() for r in caplog.records if "not configured" in r.getMessage()]
    assert len(notices) == 2 and any("AIRFLOW_CONN_SLACK_DEFAULT" in n for n in notices)
    monkeypatch.setenv(
        "AIRFLOW_CONN_SLACK_DEFAULT",
        json.dumps({"conn_type": "slackwebhook", "password": webhook.url}),
    )
    _deliver()
    assert len(webhook.accepted) == 1
    assert [r[0] for r in _status(db_path)["slack"]] == ["sent"]
    assert [r[0] for r in _status(db_path)["email"]] == ["pending"]


def test_secrets_never_in_logs_output_or_database(
    configured: Path,
    tmp_path: Path,
    webhook: Webhook,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture,
) -> None:
    webhook.script.extend([500] * 3)
    mailbox.stop()
    _ingest(
        [_feed(tmp_path, {"url": "https://a.example/1", "title": "Call-up", "text": MOBILIZATION})]
    )
    with caplog.at_level(logging.DEBUG):
        _deliver()
    from newsmon_airflow.defaults import FailureNotifier

    FailureNotifier().notify(
        {"exception": RuntimeError(f"boom {webhook.url}"), "task_instance": None}
    )
    out, err = capfd.readouterr()
    texts = [out, err, caplog.text, (configured.parent / "alerts.log").read_text(encoding="utf-8")]
    with duckdb.connect(str(configured), read_only=True) as con:
        for table in ("alerts", "signals", "ingest_errors", "pipeline_runs"):
            texts.append(str(con.execute(f"select * from {table}").fetchall()))  # noqa: S608 - fixed names
    joined = "\n".join(texts)
    assert "SMTP failed" in joined and "Slack webhook failed" in joined, (
        "the failures were recorded"
    )
    for secret in ("webhook-secret-token", Mailbox.PASSWORD):
        assert secret not in joined


def test_failure_notifier_posts_to_the_channels(
    configured: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    from types import SimpleNamespace

    from newsmon_airflow.defaults import DEFAULT_ARGS, FailureNotifier

    assert any(isinstance(cb, FailureNotifier) for cb in DEFAULT_ARGS["on_failure_callback"])
    context = {
        "task_instance": SimpleNamespace(
            dag_id="news_ingest", task_id="load_articles", try_number=3
        ),
        "dag_run": SimpleNamespace(run_id="scheduled__2026-11-22"),
        "exception": RuntimeError("disk full <!channel>"),
    }
    FailureNotifier().notify(context)
    (slack,) = webhook.texts()
    assert "news_ingest.load_articles failed (run scheduled__2026-11-22, try 3)" in slack
    assert "&lt;!channel&gt;" in slack and "<!channel>" not in slack
    (mail,) = mailbox.messages
    assert (
        mail["Subject"]
        == "[newsmon] newsmon task news_ingest.load_articles failed (run scheduled__2026-11-22, try 3)"
    )


def test_cli_delivers_through_the_registered_channels(
    configured: Path, tmp_path: Path, webhook: Webhook, mailbox: Mailbox
) -> None:
    import subprocess
    import sys

    newsmon = str(Path(sys.executable).with_name("newsmon"))
    feed = _feed(tmp_path, {"url": "https://a.example/1", "title": "Call-up", "text": MOBILIZATION})
    subprocess.run(
        [newsmon, "ingest", "-q", str(feed)], check=True, capture_output=True, timeout=120
    )
    done = subprocess.run(
        [newsmon, "alerts"], check=True, capture_output=True, text=True, timeout=120
    )
    assert json.loads(done.stdout)["sent"] == 3, done.stdout
    assert len(webhook.accepted) == 1 and len(mailbox.messages) == 1


def test_spike_alert_explains_itself(
    configured: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: Webhook,
    mailbox: Mailbox,
) -> None:
    from datetime import date

    from newsmon.flows.pipeline import ingest

    cfg = json.loads(_settings_file(tmp_path).read_text())
    cfg["signals"] = {"new_story_topics": [], "spike": {"min_count": 3}}
    (tmp_path / "s.yaml").write_text(json.dumps(cfg), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CONFIG", str(tmp_path / "s.yaml"))
    from tests.integration.test_signals import _days

    day = date(2026, 11, 20)
    # a tenth of the news on the seven days before, four of ten stories today
    rows = _days({"ru": 1, "other": 9}, {"ru": 4, "other": 6})
    ingest(_settings(), [_feed(tmp_path, *rows)], as_of=day)
    _deliver()
    why = (
        "mobilization: 4 of 10 stories on 2026-11-20 (40.0%) vs 10.0% over the 7 days before"
        " (expected 1.0; 1.0 a day)"
    )
    (slack,) = webhook.texts()
    assert (
        slack == f":chart_with_upwards_trend: *Spike* {why}"
        "\nregions: Omsk Oblast (RU-OMS) 1, Perm Krai (RU-PER) 1, Tatarstan (RU-TA) 1,"
        " Tver Oblast (RU-TVE) 1"  # where that day's four stories were
    )
    (mail,) = mailbox.messages
    assert mail["Subject"] == f"[newsmon] Spike: {why}"
