"""The general morning brief's settings: the ``brief`` section of the watchlists file.

```yaml
brief:
  schedule: daily@07:00 Europe/Moscow   # when it is due (the news_brief DAG checks hourly)
  channels: [log, slack, email]         # default: alerts.channels; [] turns it off
  top: 10                               # top stories shown
```

Each watchlist whose ``deliver.schedule`` is ``daily@…`` gets its own brief at that time,
on its own channels, instead of an alert per match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from newsmon.alerting.schedules import Schedule, parse_schedule
from newsmon.config import ConfigError

_FIELDS = {"schedule", "channels", "top"}


@dataclass(frozen=True)
class BriefSettings:
    schedule: Schedule
    channels: tuple[str, ...] | None = None  # None: alerts.channels
    top: int = 10

    def channels_of(self, default: tuple[str, ...]) -> tuple[str, ...]:
        return default if self.channels is None else self.channels


DEFAULT = BriefSettings(schedule=parse_schedule("daily@07:00 Europe/Moscow"))


def parse_brief(raw: Any) -> BriefSettings:
    """The ``brief`` section, or a :class:`ConfigError` that says what is wrong."""
    if raw is None:
        return DEFAULT
    if not isinstance(raw, dict):
        raise ConfigError("brief must be a mapping (schedule, channels, top)")
    unknown = set(raw) - _FIELDS
    if unknown:
        raise ConfigError(f"unknown brief field(s): {', '.join(sorted(map(str, unknown)))}")
    schedule = parse_schedule(raw.get("schedule", DEFAULT.schedule.text))
    if schedule.every != "daily":
        raise ConfigError("brief.schedule must be daily@HH:MM Area/City")
    channels = raw.get("channels")
    if channels is not None and (
        not isinstance(channels, list) or not all(isinstance(c, str) for c in channels)
    ):
        raise ConfigError("brief.channels must be a list of channel names, such as [log, email]")
    top = raw.get("top", DEFAULT.top)
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= 50:
        raise ConfigError(f"brief.top must be a whole number from 1 to 50, not {top!r}")
    return BriefSettings(schedule, tuple(channels) if channels is not None else None, top)
