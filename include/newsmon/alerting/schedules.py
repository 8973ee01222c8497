"""When a watchlist's alerts (or a brief) go out: ``each`` delivery, ``hourly``, or
``daily@HH:MM Area/City``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsmon.config import ConfigError

_SCHEDULE = re.compile(r"daily@(\d{1,2}):(\d{2})(?:\s+(\S+))?")


@dataclass(frozen=True)
class Schedule:
    """``each`` (every delivery), ``hourly`` (one digest an hour at most) or ``daily`` at a
    local time (one digest a day)."""

    every: str = "each"  # each | hourly | daily
    at: time | None = None
    zone: str = "UTC"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def text(self) -> str:
        if self.every != "daily" or self.at is None:
            return self.every
        return f"daily@{self.at:%H:%M} {self.zone}"

    def latest_slot(self, now: datetime) -> datetime | None:
        """The last time at or before ``now`` a delivery was due (None: each delivery)."""
        if self.every == "hourly":
            return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        if self.every != "daily" or self.at is None:
            return None
        local = now.astimezone(ZoneInfo(self.zone))
        slot = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if slot > local:
            slot -= timedelta(days=1)  # wall-clock arithmetic: 07:00 the day before
        return slot.astimezone(UTC)

    def due(self, now: datetime, oldest_pending: datetime, last_sent: datetime | None) -> bool:
        """Whether a delivery at ``now`` sends: something waited since before the latest
        slot, and nothing went out since that slot."""
        slot = self.latest_slot(now)
        if slot is None:
            return True
        return oldest_pending <= slot and (last_sent is None or last_sent < slot)


def parse_schedule(text: Any) -> Schedule:
    """``each``, ``hourly`` or ``daily@HH:MM [Area/City]`` (the zone defaults to UTC)."""
    value = " ".join(str(text).split())
    if value in ("each", "hourly"):
        return Schedule(value)
    m = _SCHEDULE.fullmatch(value)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(
            f"deliver.schedule must be each, hourly or daily@HH:MM Area/City, not {value[:80]!r}"
        )
    zone = m.group(3) or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"deliver.schedule names an unknown time zone: {zone[:80]!r}") from exc
    return Schedule("daily", time(int(m.group(1)), int(m.group(2))), zone)
