"""docker-compose.yaml and the Dockerfile cannot run here (no Docker engine): check their
shape instead: the services of Airflow's Celery compose, the executor, one shared JWT
secret, the queues, the data volume, and an image that installs the project with its frozen
constraints (no _PIP_ADDITIONAL_REQUIREMENTS)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))


def test_the_celery_services_are_all_there() -> None:
    services = _compose()["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
        "airflow-worker-duckdb",
    }
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-worker"):
        assert "healthcheck" in services[name], name


def test_every_airflow_service_shares_executor_secret_and_volumes() -> None:
    services = _compose()["services"]
    airflow = {k: v for k, v in services.items() if k.startswith("airflow-")}
    secrets = set()
    for name, svc in airflow.items():
        env = svc["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://"), name
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://"), name
        secrets.add(env["AIRFLOW__API_AUTH__JWT_SECRET"])
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env, name
        assert "newsmon-data:/opt/newsmon/data" in svc["volumes"], name
        assert svc["build"] == "." and svc["image"] == "newsmon-airflow:latest"
    assert len(secrets) == 1 and "AIRFLOW_JWT_SECRET" in secrets.pop()


def test_the_duckdb_queue_has_one_worker_and_the_rest_scale() -> None:
    services = _compose()["services"]
    writer = services["airflow-worker-duckdb"]
    assert writer["command"] == "celery worker --queues duckdb --concurrency 1"
    assert writer["deploy"]["replicas"] == 1
    assert "duckdb" not in services["airflow-worker"]["command"]
    assert "airflow pools set newsmon_duckdb 1" in " ".join(services["airflow-init"]["command"])


def test_the_image_installs_the_project_with_its_constraints() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    pins = dict(
        re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(), re.M)
    )
    assert re.search(
        rf"^FROM apache/airflow:{re.escape(pins['apache-airflow'])}-python3\.11$", text, re.M
    )
    assert (
        "pip install --no-cache-dir -r /opt/newsmon/requirements.txt -c /opt/newsmon/constraints.txt"
        in text
    )
    assert "pip install --no-cache-dir --no-deps -e /opt/newsmon" in text
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in text
    for needed in (
        "trafilatura",
        "protego",
        "feedparser",
        "apache-airflow-providers-slack",
        "apache-airflow-providers-smtp",
        "apache-airflow-providers-celery",
        "psycopg2-binary",
    ):
        assert needed in pins, needed  # installed by the image through requirements.txt
    assert "COPY --chown=airflow:root dags /opt/airflow/dags" in text
    assert "COPY --chown=airflow:root plugins /opt/airflow/plugins" in text
