"""The one configuration loader: defaults, overrides and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import ConfigError, load_settings


def test_defaults_follow_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_DB", str(tmp_path / "x" / "n.duckdb"))
    s = load_settings()
    assert s.db_path == tmp_path / "x" / "n.duckdb"
    assert s.alerts.log_path == tmp_path / "x" / "alerts.log"
    assert s.staging_dir == tmp_path / "x" / "staging"
    assert s.topics_path.name == "topics.yaml" and s.topics_path.exists()
    assert s.signals.new_story_topics == ("mobilization",)


def test_override_file_and_relative_taxonomy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "settings.yaml"
    cfg.write_text(
        "topics_path: my-topics.yaml\nalerts: {channels: [log], max_attempts: 3}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("NEWSMON_CONFIG", str(cfg))
    s = load_settings()
    assert s.topics_path == tmp_path / "my-topics.yaml"
    assert s.alerts.max_attempts == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ingest: {batch: 3}\n", "unknown setting"),
        ("ingest: [1]\n", "must be a mapping"),
        ("- a\n", "mapping at the top level"),
        ("a: [\n", "not valid YAML"),
        ("db_compact_hours: 0\n", "db_compact_hours"),
        ("db_compact_hours: -3\n", "db_compact_hours"),
        ("db_compact_hours: soon\n", "db_compact_hours"),
        ("db_compact_hours: .inf\n", "db_compact_hours"),
        ("ingest: {store_while_reading: maybe}\n", "store_while_reading must be true or false"),
        ("ingest: {store_while_reading_memory: lots}\n", "must be a size such as 192MB"),
        ('ingest: {store_while_reading_memory: "1GB\'; drop table x; --"}\n', "a size"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg)


def test_fetch_batches_keep_each_host_in_one_batch(tmp_path) -> None:
    """Politeness across workers: a host's sources are never split over two batches."""
    import json

    from newsmon.config import load_settings
    from newsmon.fetch.sources import load_sources
    from newsmon.flows.fetch import batches_by_host, source_host

    sources = [
        {"name": f"a{i}", "type": "feed", "url": f"https://a.example/{i}.xml"} for i in range(5)
    ]
    sources += [
        {"name": f"b{i}", "type": "feed", "url": f"https://b{i}.example/rss"} for i in range(6)
    ]
    sources += [{"name": f"t{i}", "type": "telegram", "channel": f"chan{i}nel"} for i in range(3)]
    path = tmp_path / "sources.yaml"
    path.write_text(json.dumps({"sources": sources}), encoding="utf-8")
    settings = load_settings()
    loaded = load_sources(path)
    batches = batches_by_host(loaded, 4, settings)
    host_of = {s.name: source_host(s, settings) for s in loaded}
    for host in set(host_of.values()):
        holding = [i for i, b in enumerate(batches) if any(host_of[n] == host for n in b)]
        assert len(holding) == 1, host
    assert sorted(n for b in batches for n in b) == sorted(s["name"] for s in sources)
    assert {host_of["t0"], host_of["t2"]} == {"t.me"}
    assert max(len(b) for b in batches) == 5  # a.example's five stay together


def test_compaction_hours_default_and_null(tmp_path: Path) -> None:
    assert load_settings().db_compact_hours == 24
    cfg = tmp_path / "s.yaml"
    cfg.write_text("db_compact_hours: null\n", encoding="utf-8")
    assert load_settings(cfg).db_compact_hours is None


def test_writers_compact_once_per_period(tmp_path: Path) -> None:
    """A writer checkpoints without DuckDB's row-group vacuum; the first writer to close in a
    period compacts and records it, later ones in the period do not, ``compact=True`` does."""
    import duckdb

    from newsmon.storage.db import connect

    db = tmp_path / "n.duckdb"

    def vacuum_tasks_and_stamp(**kw):
        with connect(db, compact_hours=24, **kw) as con:
            tasks = con.execute("select current_setting('max_vacuum_tasks')").fetchone()[0]
        with duckdb.connect(str(db), read_only=True) as ro:
            stamp = ro.execute(
                "select done_at from db_maintenance where task = 'compact'"
            ).fetchone()
        return int(tasks), stamp[0] if stamp else None

    tasks, first = vacuum_tasks_and_stamp()
    assert tasks == 0 and first is not None  # never compacted: this close compacts
    tasks, again = vacuum_tasks_and_stamp()
    assert tasks == 0 and again == first  # within 24 hours: no compaction
    with duckdb.connect(str(db)) as rw:
        rw.execute("update db_maintenance set done_at = done_at - interval 25 hours")
    _, due = vacuum_tasks_and_stamp()
    assert due >= first  # due again: recorded anew (not left 25 hours back)
    tasks, forced = vacuum_tasks_and_stamp(compact=True)
    assert tasks == 100 and forced >= due
