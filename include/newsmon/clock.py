"""The one clock: what time newsmon thinks it is.

Every "now" of a run (its start, the time an article is read, a fetch, an alert) comes from
:func:`now`. ``NEWSMON_CLOCK_SHIFT`` (seconds, may be negative or fractional) moves it, in
this process and in the reader processes it starts, so a test can run the same input again
a minute or a week later without waiting; unset, it is the system clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from newsmon.config import ConfigError

SHIFT_VARIABLE = "NEWSMON_CLOCK_SHIFT"


def shift() -> timedelta:
    value = os.environ.get(SHIFT_VARIABLE, "").strip()
    if not value:
        return timedelta(0)
    try:
        return timedelta(seconds=float(value))
    except ValueError as exc:  # a setting, said as one: `newsmon` exits 2 with this line
        raise ConfigError(f"{SHIFT_VARIABLE} must be a number of seconds, not {value!r}") from exc


def now() -> datetime:
    """The current time in UTC (shifted by ``NEWSMON_CLOCK_SHIFT``)."""
    return datetime.now(UTC) + shift()
