"""The console's page times through Airflow's real API server, logged in.

Starts ``airflow api-server`` on a free loopback port with the project's plugin folder, a
throwaway ``AIRFLOW_HOME`` (its metadata database migrated first) and Airflow's simple
auth manager with one user; takes a token from ``/auth/token`` as a browser's login would,
and requests every page of ``bench_ui.pages()`` with it, five times each after a first
warming request: the median and the slowest, server, auth check and HTTP included.

    python bench/bench_console_server.py   # on the database NEWSMON_DB / NEWSMON_CONFIG name
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
TARGET_MS = 300
PASSWORD = "bench-console-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(env: dict[str, str], home: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    (home / "passwords.json").write_text(json.dumps({"admin": PASSWORD}), encoding="utf-8")
    env = env | {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "bench-console-secret-0123456789abcdef",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
    }
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
    log = (home / "api-server.log").open("w")
    proc = subprocess.Popen(
        [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if requests.get(f"{base}/api/v2/monitor/health", timeout=2).status_code == 200:
                return proc, base
        except requests.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                "the API server did not start:\n" + (home / "api-server.log").read_text()[-3000:]
            )
        time.sleep(0.5)


def measure_through_server(env: dict[str, str], rounds: int = 5) -> None:
    os.environ.update({k: env[k] for k in ("NEWSMON_DB", "NEWSMON_CONFIG") if k in env})
    from bench_ui import pages

    found = pages()
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-console-") as tmp:
        proc, base = _server(env, Path(tmp))
        try:
            got = requests.post(
                f"{base}/auth/token", json={"username": "admin", "password": PASSWORD}, timeout=30
            )
            got.raise_for_status()
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {got.json()['access_token']}"
            print(f"console through `airflow api-server` (logged in), {rounds} requests a page:")
            worst = 0.0
            for name, path in found:
                url = f"{base}/newsmon{path}"
                assert session.get(url, timeout=120).status_code == 200, url  # warms caches
                times = []
                for _ in range(rounds):
                    began = time.perf_counter()
                    answer = session.get(url, timeout=120)
                    times.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200, (url, answer.status_code)
                median = statistics.median(times)
                worst = max(worst, median)
                flag = "" if median <= TARGET_MS else f"  over the {TARGET_MS} ms target"
                print(f"  {name:<40} median {median:6.0f} ms, slowest {max(times):6.0f} ms{flag}")
            print(f"  slowest median {worst:.0f} ms (target {TARGET_MS} ms)")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    measure_through_server(dict(os.environ))
