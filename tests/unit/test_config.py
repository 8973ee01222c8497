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
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    cfg = tmp_path / "s.yaml"
    cfg.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(cfg)
