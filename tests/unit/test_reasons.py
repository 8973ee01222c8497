"""A problem's reason keeps only the words that are the same each time it is met."""

from __future__ import annotations

import pytest

from newsmon.reasons import split_reason
from newsmon.records import IngestError

VOLATILE = [
    ("read at 2026-12-06 08:31 UTC; stored", "read at …; stored", "2026-12-06 08:31 UTC"),
    (
        "at 2026-12-06T08:31:07.123+00:00 it failed",
        "at … it failed",
        "2026-12-06T08:31:07.123+00:00",
    ),
    ("timed out after 15.2s", "timed out after …", "15.2s"),
    ("took 830.5 ms", "took …", "830.5 ms"),
    (
        "IO Error: cannot open /tmp/pytest-of-root/x/staging/f.jsonl: gone",
        "IO Error: cannot open …: gone",
        "/tmp/pytest-of-root/x/staging/f.jsonl",
    ),
    (
        "cannot open data/staging/ingest__20261206T083100Z__a1b2c3/articles-00001.jsonl",
        "cannot open …",
        "data/staging/ingest__20261206T083100Z__a1b2c3/articles-00001.jsonl",
    ),
    ("run news_ingest__manual__2026-12-06T08:31 failed", "run news_ingest__… failed", None),
    ("held in python3 (PID 41234)", "held in python3 (…)", "PID 41234"),
    ("<Thing object at 0x7f3a9c0e1d30> broke", "<Thing object at …> broke", "0x7f3a9c0e1d30"),
    ("failed on attempt 3", "failed on …", "attempt 3"),
    ("log clock 08:31:07 said no", "log clock … said no", "08:31:07"),
]


@pytest.mark.parametrize(("reason", "stable", "moved"), VOLATILE)
def test_volatile_pieces_move_to_the_detail(reason: str, stable: str, moved: str | None) -> None:
    got, detail = split_reason(reason)
    assert got == stable
    if moved:
        assert moved in detail


STABLE = [
    "HTTP 500",
    "timed out after 15s",
    "timed out: no complete answer within 2s",
    "record too large (over the 5 MB limit)",
    "unsupported file type '.pdf'",
    "published_at is more than a day after the time it was read; stored without a date",
    "malformed JSON: Expecting value at line 1 column 1",
    "not a usable date: 'next Tuesday'",
    "broken symbolic link (points to 'missing.txt')",
    "channel @durov does not exist (HTTP 404)",
    "page shows more than 100 posts; read the newest 100",
]


@pytest.mark.parametrize("reason", STABLE)
def test_stable_reasons_are_left_as_they_are(reason: str) -> None:
    assert split_reason(reason) == (reason, "")


def test_the_staged_row_keeps_the_callers_detail_first() -> None:
    row = IngestError("f.txt", "read", "timed out after 15.2s", "read at 08:31 UTC").to_dict()
    assert row == {
        "origin": "f.txt",
        "stage": "read",
        "reason": "timed out after …",
        "detail": "read at 08:31 UTC; 15.2s",
    }
    assert IngestError("f.txt", "read", "HTTP 500").to_dict()["detail"] is None


def test_same_problem_at_two_times_is_one_identity() -> None:
    a = IngestError("u", "fetch", "timed out after 15.2s at 2026-12-06 08:31 UTC").to_dict()
    b = IngestError("u", "fetch", "timed out after 9.87s at 2026-12-07 11:02 UTC").to_dict()
    assert (a["origin"], a["stage"], a["reason"]) == (b["origin"], b["stage"], b["reason"])
    assert a["detail"] != b["detail"]


def test_a_clock_shift_that_is_not_a_number_is_a_setting_error(
    tmp_path, monkeypatch, capsys
) -> None:
    """`newsmon ingest` with NEWSMON_CLOCK_SHIFT=soon: one plain line and exit 2."""
    from datetime import UTC, datetime

    from newsmon import clock
    from newsmon.cli.main import main

    (tmp_path / "a.txt").write_text("Call-ups in Omsk\n\nMen were summoned.", encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CLOCK_SHIFT", "soon")
    rc = main(["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "n.duckdb"), "-q"])
    assert rc == 2
    assert "NEWSMON_CLOCK_SHIFT must be a number of seconds, not 'soon'" in capsys.readouterr().err
    monkeypatch.setenv("NEWSMON_CLOCK_SHIFT", "-90.5")
    assert abs((clock.now() - datetime.now(UTC)).total_seconds() + 90.5) < 5
