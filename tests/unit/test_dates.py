"""Dates written in article text, in the forms the samples and common outlets use."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsmon.read.dates import best_date, find_dates, parse_iso


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" date 2023-11-20 Yuri Kobzar19:25, 20.11.23", datetime(2023, 11, 20, 19, 25, tzinfo=UTC)),
        ("9:41 AM EST, November 21, 2023", datetime(2023, 11, 21, 14, 41, tzinfo=UTC)),
        ("19:25, 20.11.23", datetime(2023, 11, 20, 19, 25, tzinfo=UTC)),
        ("May 9, 2024 at 9:41 pm", datetime(2024, 5, 9, 21, 41, tzinfo=UTC)),
        ("Sept. 3, 2022", datetime(2022, 9, 3, tzinfo=UTC)),
        ("21 November 2023", datetime(2023, 11, 21, tzinfo=UTC)),
        ("20 ноября 2023 года, 14:05", datetime(2023, 11, 20, 14, 5, tzinfo=UTC)),
        ("5 мая 2023", datetime(2023, 5, 5, tzinfo=UTC)),
        ("20 листопада 2023 р., 14:05", datetime(2023, 11, 20, 14, 5, tzinfo=UTC)),
        ("2023-11-20T19:25:00+02:00", datetime(2023, 11, 20, 17, 25, tzinfo=UTC)),
    ],
)
def test_best_date_reads_common_forms(text: str, expected: datetime) -> None:
    hit = best_date(text)
    assert hit is not None and hit.value == expected


@pytest.mark.parametrize(
    "text", ["version 1.2.3", "call 555-12-34", "31.02.2023", "no date here", "99:99, 45.13.23"]
)
def test_no_false_dates(text: str) -> None:
    assert best_date(text) is None


def test_time_of_day_wins_over_bare_date() -> None:
    hits = find_dates("date 2023-11-20 then 19:25, 20.11.23")
    assert len(hits) == 2
    assert best_date("date 2023-11-20 then 19:25, 20.11.23").has_time


def test_parse_iso_accepts_iso_epoch_and_text() -> None:
    assert parse_iso("2023-11-20T10:00:00Z") == datetime(2023, 11, 20, 10, tzinfo=UTC)
    assert parse_iso("2023-11-20") == datetime(2023, 11, 20, tzinfo=UTC)
    assert parse_iso(1700000000) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert parse_iso("November 21, 2023") == datetime(2023, 11, 21, tzinfo=UTC)
    assert parse_iso("") is None and parse_iso(None) is None and parse_iso("soon") is None


def test_a_date_after_the_time_it_was_read_is_not_kept() -> None:
    """More than a day ahead of now is a publisher's clock or template: noted, not kept. A
    few hours ahead is a time zone (UTC+14 is 14 hours ahead) and is kept."""
    from datetime import timedelta

    from newsmon.flows.workers import _from_the_future

    now = datetime.now(UTC)
    notes: list = []
    assert not _from_the_future(now + timedelta(hours=14), "a.txt", notes)
    assert not _from_the_future(None, "a.txt", notes) and not notes
    assert _from_the_future(now + timedelta(days=2), "b.txt", notes)
    assert [(n.origin, n.stage) for n in notes] == [("b.txt", "date")]
    assert "stored without a date" in notes[0].reason
