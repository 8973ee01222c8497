"""docker-compose.yaml cannot run here (no Docker engine): check its shape and pins instead."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def test_compose_parses_and_matches_requirements() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
    airflow = compose["services"]["airflow"]
    pins = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
    )
    assert airflow["image"].startswith(f"apache/airflow:{pins['apache-airflow']}-python3.11")
    extra = dict(
        p.split("==") for p in airflow["environment"]["_PIP_ADDITIONAL_REQUIREMENTS"].split()
    )
    for name, version in extra.items():
        assert pins[name] == version, name
    assert "./dags:/opt/airflow/dags" in airflow["volumes"]
    assert "newsmon_duckdb 1" in airflow["command"]
