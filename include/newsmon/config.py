"""The one configuration loader.

Defaults live in ``include/config/*.yaml`` next to this package. Overrides:

- ``NEWSMON_HOME``: project root that relative paths resolve against (default: the
  checkout this package lives in).
- ``NEWSMON_CONFIG``: a settings YAML used instead of ``include/config/newsmon.yaml``.
- ``NEWSMON_DB``: the DuckDB file (wins over ``db_path`` in the settings).
- ``topics_path`` / ``regions_path`` / ``countries_path`` / ``cleaning_path`` in the
  settings point at other taxonomy, gazetteer or cleaning files.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
INCLUDE_DIR = PACKAGE_DIR.parent
CONFIG_DIR = INCLUDE_DIR / "config"
SQL_DIR = INCLUDE_DIR / "sql"


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or has a wrong shape."""


def project_home() -> Path:
    env = os.environ.get("NEWSMON_HOME")
    return Path(env).resolve() if env else INCLUDE_DIR.parent


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 5x faster, same result


def read_yaml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        data = yaml.load(p.read_text(encoding="utf-8"), Loader=_LOADER)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {p}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {p} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config file {p} must hold a mapping at the top level")
    return data


@dataclass(frozen=True)
class IngestSettings:
    max_file_bytes: int = 20_000_000
    max_record_bytes: int = 5_000_000
    batch_size: int = 5000
    batch_bytes: int = 32_000_000
    extensions: tuple[str, ...] = (".txt", ".html", ".htm", ".json", ".jsonl")
    workers: int = 0
    # `newsmon ingest` stores each chunk as it is staged, while the workers read the next,
    # with DuckDB's buffer pool at this size meanwhile: 10-15% faster on overlapping news,
    # but the writer's memory and the workers' add up (over 500 MB at 100,000 files)
    store_while_reading: bool = False
    store_while_reading_memory: str = "192MB"
    disk_check: bool = True  # refuse a run the free space cannot hold (newsmon.diskspace)

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_record_bytes", "batch_size", "batch_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"ingest.{name} must be a positive whole number, not {value!r}")
        for name in ("store_while_reading", "disk_check"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"ingest.{name} must be true or false")
        if not re.fullmatch(r"\d+(\.\d+)?\s*[KMG]i?B", str(self.store_while_reading_memory)):
            raise ConfigError(
                "ingest.store_while_reading_memory must be a size such as 192MB, not"
                f" {self.store_while_reading_memory!r}"
            )


@dataclass(frozen=True)
class DedupSettings:
    shingle_words: int = 4
    num_perm: int = 128
    bands: int = 32
    threshold: float = 0.5
    window_days: int = 30  # a copy joins a story published at most this many days apart


@dataclass(frozen=True)
class SpikeSettings:
    baseline_days: int = 7
    min_count: int = 5  # stories of the topic that day, at least
    ratio: float = 2.0  # the day's share of stories at least this times the baseline share
    min_baseline: float = 1.0  # the expected count is floored at this
    min_baseline_stories: int = 30  # fewer stories (any topic) in the window: no baseline yet


@dataclass(frozen=True)
class WatchSettings:
    # the countries whose topics raise signals and alerts (ISO 3166-1 alpha-2); topics about
    # other countries are stored and queryable, but out of scope
    countries: tuple[str, ...] = ("RU",)
    # whether a topic whose text names no country is in scope (a Russia-focused outlet often
    # does not say "Russia"); false: only topics placed in a watched country count
    unplaced: bool = False


@dataclass(frozen=True)
class SignalSettings:
    new_story_topics: tuple[str, ...] = ("mobilization",)
    spike_topics: tuple[str, ...] = ("mobilization", "elections", "protests", "censorship")
    region_spike_topics: tuple[str, ...] = ("mobilization",)  # spikes counted per region too
    recent_days: int = 3  # stories published earlier than this are history: not alerted
    spike: SpikeSettings = field(default_factory=SpikeSettings)


@dataclass(frozen=True)
class SlackSettings:
    conn_id: str = "slack_default"


@dataclass(frozen=True)
class EmailSettings:
    conn_id: str = "smtp_default"
    to: tuple[str, ...] = ()
    from_email: str | None = None  # default: the connection's from_email
    subject_prefix: str = "[newsmon]"


@dataclass(frozen=True)
class AlertSettings:
    channels: tuple[str, ...] = ("log", "slack", "email")
    max_attempts: int = 10
    send_retries: int = 2  # further tries of one send within a run, with backoff
    retry_backoff_seconds: float = 1.0
    digest_threshold: int = 5  # more alerts than this for one channel in one delivery: one digest
    digest_top: int = 10  # a digest shows this many in full and counts the rest
    cooldown_hours: float = 24.0  # a story alerted on a channel is not alerted there this soon
    log_path: Path = Path("data/alerts.log")
    slack: SlackSettings = field(default_factory=SlackSettings)
    email: EmailSettings = field(default_factory=EmailSettings)


@dataclass(frozen=True)
class FetchConfig:
    sources_path: Path | None = None  # default include/config/sources.yaml
    user_agent: str = "newsmon/0.1 (news monitoring for research; see the project README)"
    timeout_seconds: float = 15.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    retries: int = 2
    backoff_seconds: float = 1.0
    max_retry_after_seconds: float = 60.0
    request_deadline_seconds: float = 60.0  # connect + headers + body of one request
    cycle_budget_seconds: float = 600.0  # a cycle takes no new page after this
    per_host_delay_seconds: float = 1.0
    sources_per_batch: int = 4
    # a page that failed in a way that may heal (5xx, 429, time-out, connection) is tried
    # again in later cycles, whether or not its feed changed: retry_minutes after the first
    # failure, doubling, up to retry_attempts attempts within retry_hours; then given up
    retry_attempts: int = 5
    retry_minutes: float = 15.0
    retry_hours: float = 24.0
    telegram_base_url: str = "https://t.me"  # where channel previews are read (tests: local)
    raw_pages_max_mb: float | None = None  # raw pages kept (newest), MB; null: all (diskspace)

    def __post_init__(self) -> None:
        cap = self.raw_pages_max_mb
        number = cap if isinstance(cap, int | float) and not isinstance(cap, bool) else math.nan
        if cap is not None and not 0 <= number < math.inf:
            raise ConfigError(f"fetch.raw_pages_max_mb must be megabytes or null, not {cap!r}")


@dataclass(frozen=True)
class RunSettings:
    stale_after_hours: float = 12.0


def _compact_hours(value: Any) -> float | None:
    """``db_compact_hours``: a positive number of hours, or null for DuckDB's default (every
    checkpoint may compact)."""
    if value is None:
        return None
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = math.nan
    if not 0 < hours < math.inf:
        raise ConfigError(f"db_compact_hours must be a positive number of hours or null: {value!r}")
    return hours


@dataclass(frozen=True)
class Settings:
    home: Path
    db_path: Path
    db_memory_limit: str
    db_lock_wait_seconds: float
    db_checkpoint_wal: str
    db_storage_version: str
    db_compact_hours: float | None
    staging_dir: Path
    topics_path: Path
    regions_path: Path
    cleaning_path: Path
    ingest: IngestSettings
    dedup: DedupSettings
    signals: SignalSettings
    alerts: AlertSettings
    fetch: FetchConfig = field(default_factory=FetchConfig)
    runs: RunSettings = field(default_factory=RunSettings)
    countries_path: Path = CONFIG_DIR / "countries.yaml"
    watch: WatchSettings = field(default_factory=WatchSettings)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def read_db_path(self) -> Path:
        """The analyst copy: what readers open (``newsmon sql``, notebooks, the console)."""
        return self.db_path.parent / "read" / self.db_path.name

    @property
    def raw_dir(self) -> Path:
        """Fetched pages, gzip-compressed by content hash, beside the database."""
        return self.db_path.parent / "raw"

    @property
    def sources_path(self) -> Path:
        return self.fetch.sources_path or CONFIG_DIR / "sources.yaml"


def _section(raw: dict[str, Any], name: str) -> dict[str, Any]:
    if not isinstance(value := raw.get(name) or {}, dict):
        raise ConfigError(f"settings section '{name}' must be a mapping")
    return value


def _build(cls: type, values: dict[str, Any], section: str) -> Any:
    unknown = set(values) - set(cls.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown setting(s) in '{section}': {', '.join(sorted(unknown))}")
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"bad settings in '{section}': {exc}") from exc


def _fetch_config(
    values: dict[str, Any], base: Path, resolve: Any, given: str | Path | None
) -> FetchConfig:
    values = dict(values)
    sources = values.pop("sources_path", None)
    env = os.environ.get("NEWSMON_SOURCES")
    cfg = _build(FetchConfig, values, "fetch")
    if given:
        return replace(cfg, sources_path=Path(given).resolve())
    if env or sources:
        cfg = replace(cfg, sources_path=Path(env) if env else resolve(sources, base))
    return cfg


def load_settings(
    path: str | Path | None = None,
    *,
    db: str | Path | None = None,
    sources: str | Path | None = None,
) -> Settings:
    """Read the settings file (``path``, else ``$NEWSMON_CONFIG``, else the packaged default).

    ``db`` and ``sources`` (the CLI's ``--db`` and ``--sources``) win over everything.
    """
    home = project_home()
    cfg_path = Path(path or os.environ.get("NEWSMON_CONFIG") or CONFIG_DIR / "newsmon.yaml")
    raw = read_yaml(cfg_path)

    def resolve(value: str | Path, base: Path) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else (base / p)

    db_value = db or os.environ.get("NEWSMON_DB") or raw.get("db_path", "data/news.duckdb")
    db_path = resolve(db_value, Path.cwd() if db else home)
    # Files that belong with one database live beside it unless set explicitly, so pointing
    # NEWSMON_DB elsewhere (a test, a second project) keeps everything together.
    log_value = _section(raw, "alerts").get("log_path")
    log_path = resolve(log_value, home) if log_value else db_path.parent / "alerts.log"
    staging_value = raw.get("staging_dir")
    return Settings(
        home=home,
        db_path=db_path,
        db_memory_limit=str(raw.get("db_memory_limit", "256MB")),
        db_lock_wait_seconds=float(raw.get("db_lock_wait_seconds", 120)),
        db_checkpoint_wal=str(raw.get("db_checkpoint_wal", "1GB")),
        db_storage_version=str(raw.get("db_storage_version", "v1.5.0")),
        db_compact_hours=_compact_hours(raw.get("db_compact_hours", 24)),
        staging_dir=resolve(staging_value, home) if staging_value else db_path.parent / "staging",
        topics_path=resolve(raw.get("topics_path", CONFIG_DIR / "topics.yaml"), cfg_path.parent),
        regions_path=resolve(raw.get("regions_path", CONFIG_DIR / "regions.yaml"), cfg_path.parent),
        cleaning_path=resolve(
            raw.get("cleaning_path", CONFIG_DIR / "cleaning.yaml"), cfg_path.parent
        ),
        ingest=_build(IngestSettings, _section(raw, "ingest"), "ingest"),
        dedup=_build(DedupSettings, _section(raw, "dedup"), "dedup"),
        signals=_signals(_section(raw, "signals")),
        fetch=_fetch_config(_section(raw, "fetch"), cfg_path.parent, resolve, sources),
        alerts=replace(_alerts(_section(raw, "alerts")), log_path=log_path),
        runs=_build(RunSettings, _section(raw, "runs"), "runs"),
        countries_path=resolve(
            raw.get("countries_path", CONFIG_DIR / "countries.yaml"), cfg_path.parent
        ),
        watch=_watch(_section(raw, "watch")),
        raw=raw,
    )


def _signals(raw: dict[str, Any]) -> SignalSettings:
    rest = dict(raw)
    spike = _build(SpikeSettings, _section(rest, "spike"), "signals.spike")
    rest.pop("spike", None)
    return replace(_build(SignalSettings, rest, "signals"), spike=spike)


def _alerts(raw: dict[str, Any]) -> AlertSettings:
    """The ``alerts`` section without its ``log_path`` (which is resolved beside the
    database)."""
    rest = dict(raw)
    rest.pop("log_path", None)
    slack = _build(SlackSettings, _section(rest, "slack"), "alerts.slack")
    email = _build(EmailSettings, _section(rest, "email"), "alerts.email")
    rest.pop("slack", None)
    rest.pop("email", None)
    return replace(_build(AlertSettings, rest, "alerts"), slack=slack, email=email)


def _watch(raw: dict[str, Any]) -> WatchSettings:
    """``watch.countries``: ISO 3166-1 alpha-2 codes, upper-cased; at least one."""
    watch = _build(WatchSettings, raw, "watch")
    given = (watch.countries,) if isinstance(watch.countries, str) else watch.countries
    codes = tuple(str(c).strip().upper() for c in given)
    if not isinstance(watch.unplaced, bool):
        raise ConfigError(f"watch.unplaced must be true or false, not {watch.unplaced!r}")
    if not codes or any(not re.fullmatch(r"[A-Z]{2}", c) for c in codes):
        raise ConfigError(
            f"watch.countries must list ISO 3166-1 alpha-2 codes such as [RU, UA], not {list(watch.countries)!r}"
        )
    return replace(watch, countries=codes)
