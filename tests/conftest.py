"""Shared fixtures: offline guard, an isolated Airflow home, a fresh DuckDB file per test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"

# Airflow reads its configuration when first imported: point it at a throwaway home now.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="newsmon-airflow-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(_AIRFLOW_HOME),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_AIRFLOW_HOME}/airflow.db",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "NEWSMON_HOME": str(ROOT),
    }
)
os.environ.pop("NEWSMON_CONFIG", None)

# The network guard of every Python process a test starts (tests/netguard/sitecustomize.py):
# it writes any connection beyond loopback to this log, which no_network reads after each test.
_NETGUARD_LOG = _AIRFLOW_HOME / "netguard.log"
_NETGUARD_LOG.touch()
os.environ["NEWSMON_TEST_NETGUARD"] = str(_NETGUARD_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT / "tests" / "netguard"), os.environ.get("PYTHONPATH")) if p
)


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes | str) and not isinstance(address, tuple):
        return True  # AF_UNIX paths
    return str(host) in ("localhost", "::1") or str(host).startswith("127.")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing may reach beyond 127.0.0.1: a connect elsewhere fails the test loudly, in
    this process (an AssertionError) and in every Python process the test started (their
    attempts, logged by tests/netguard/sitecustomize.py, fail the test at its end)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guard_ex(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)
    seen = _NETGUARD_LOG.stat().st_size
    yield
    with _NETGUARD_LOG.open(encoding="utf-8") as fh:
        fh.seek(seen)
        attempts = fh.read()
    if attempts:
        pytest.fail(f"a process this test started tried to reach the network:\n{attempts}")


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh DuckDB file for this test; NEWSMON_DB points at it (as the DAGs read it)."""
    path = tmp_path / "db" / "news.duckdb"
    monkeypatch.setenv("NEWSMON_DB", str(path))
    return path


@pytest.fixture
def settings(db_path: Path):
    from newsmon.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Migrate the throwaway Airflow metadata DB once and create the DuckDB pool."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    env = dict(os.environ)
    for cmd in (
        [airflow, "db", "migrate"],
        [airflow, "pools", "set", "newsmon_duckdb", "1", "newsmon DuckDB writer"],
    ):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return _AIRFLOW_HOME


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test with a clear message where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared is not beside the checkout ({path} missing); CI always has it")
    return path


def stored_state(db: Path) -> dict[str, list]:
    """What runs left in a database, every table sorted: for checking that two ways to the
    same inputs (killed and rerun, stored while or after reading) end the same."""
    import duckdb

    queries = {
        "articles": "select article_id, story_id, content_hash, published_at from articles",
        "stories": "select story_id, article_count, source_count from stories",
        "topics": "select article_id, topic, score from article_topics",
        "regions": "select article_id, region from article_regions",
        "terms": "select count(*), sum(tf) from search_terms",
        "signals": "select signal_id from signals",
        "alerts": "select alert_id, status from alerts",
        "errors": "select origin, stage, reason from ingest_errors",
        "sources": "select path from source_files",
        "watchlist_matches": "select watchlist, story_id, article_id, suppressed"
        " from watchlist_matches",
    }
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted(con.execute(q).fetchall()) for name, q in queries.items()}


@pytest.fixture
def alert_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings under which old news is alerted too (``signals.recent_days: 0``): for tests
    of delivery over the seeds, which were published in 2023 and are otherwise history."""
    path = tmp_path / "alert-history.yaml"
    path.write_text(json.dumps({"signals": {"recent_days": 0}}), encoding="utf-8")
    monkeypatch.setenv("NEWSMON_CONFIG", str(path))
    return path
