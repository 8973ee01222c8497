"""A CeleryExecutor deployment as local processes: the same programs docker-compose.yaml
runs, from Debian's packages and the project's venv, on 127.0.0.1 and free ports: Postgres
(Airflow's metadata), Redis (the Celery broker), Airflow's api-server, scheduler,
dag-processor and two `airflow celery worker`s (one serving the `duckdb` queue). Everything
started is stopped by its process id.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.servers import free_port

BIN = Path(sys.executable).parent


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


def missing() -> str | None:
    """Why the cluster cannot run here (None: it can)."""
    if postgres_bin() is None:
        return "no PostgreSQL server (Debian package postgresql)"
    if shutil.which("redis-server") is None:
        return "no Redis server (Debian package redis-server)"
    return None


@dataclass
class Cluster:
    root: Path
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    api_port: int = 0

    def log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def _start(
        self, name: str, cmd: list[str], env: dict[str, str] | None = None, user: str | None = None
    ) -> subprocess.Popen:
        self.log(name).parent.mkdir(parents=True, exist_ok=True)
        out = self.log(name).open("w")
        if user and os.geteuid() == 0:
            cmd = ["runuser", "-u", user, "--", *cmd]
        proc = subprocess.Popen(
            cmd,
            env=env or self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=self.root,
        )
        self.procs[name] = proc
        return proc

    def _wait(self, what: str, ok, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not ok():
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                tails = "\n".join(
                    f"--- {n}\n{self.log(n).read_text(errors='replace')[-2500:]}"
                    for n in (dead or list(self.procs))
                )
                raise AssertionError(
                    f"{what} did not come up ({', '.join(dead) or 'timeout'})\n{tails}"
                )
            time.sleep(0.5)

    def airflow(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [str(BIN / "airflow"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.root,
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
        return done

    def start(self, extra_env: dict[str, str]) -> None:
        pg = postgres_bin()
        assert pg is not None
        # Postgres refuses to run as root: as root it runs as the postgres user, in a folder
        # that user can reach (pytest's own tmp folders are private to root)
        user = "postgres" if os.geteuid() == 0 else None
        self.pg_root = Path(tempfile.mkdtemp(prefix="newsmon-pg-"))
        self.pg_root.chmod(0o755)
        data = self.pg_root / "data"
        data.mkdir()
        if user:
            shutil.chown(data, user)
        init = subprocess.run(
            (["runuser", "-u", user, "--"] if user else [])
            + [str(pg / "initdb"), "-D", str(data), "-U", "airflow", "--auth=trust", "-E", "UTF8"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert init.returncode == 0, init.stderr[-2000:]
        pg_port, redis_port, self.api_port = free_port(), free_port(), free_port()
        base = dict(os.environ)
        self._start(
            "postgres",
            [
                str(pg / "postgres"),
                "-D",
                str(data),
                "-p",
                str(pg_port),
                "-h",
                "127.0.0.1",
                "-k",
                str(data),
            ],
            env=base,
            user=user,
        )
        self._start(
            "redis",
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env=base,
        )

        def pg_ready() -> bool:
            return (
                subprocess.run(
                    [str(pg / "pg_isready"), "-h", "127.0.0.1", "-p", str(pg_port)],
                    capture_output=True,
                ).returncode
                == 0
            )

        self._wait("postgres", pg_ready, 60)
        created = subprocess.run(
            [
                str(pg / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(pg_port),
                "-U",
                "airflow",
                "airflow",
            ],
            capture_output=True,
            text=True,
        )
        assert created.returncode == 0, created.stderr
        home = self.root / "airflow-home"
        home.mkdir()
        self.env = (
            dict(os.environ)
            | {
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
                "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://airflow@127.0.0.1:{pg_port}/airflow",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.api_port}",
                "AIRFLOW__API_AUTH__JWT_SECRET": "celery-test-secret-0123456789abcdef0123456789",
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",  # only what a test unpauses runs
                "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__CORE__PARALLELISM": "8",
            }
            | extra_env
        )
        self.airflow("db", "migrate")
        self.airflow("pools", "set", "newsmon_duckdb", "1", "One writer at a time")
        self._start(
            "api-server",
            [
                str(BIN / "airflow"),
                "api-server",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.api_port),
            ],
        )
        self._start("scheduler", [str(BIN / "airflow"), "scheduler"])
        self._start("dag-processor", [str(BIN / "airflow"), "dag-processor"])
        # Both workers run on this machine: each names itself through Airflow's
        # hostname_callable, so task_instance.hostname tells them apart as two machines would.
        names = self.root / "worker_names"
        names.mkdir()
        (names / "newsmon_worker_name.py").write_text(
            "import os\n\n\ndef name() -> str:\n    return os.environ['NEWSMON_WORKER_NAME']\n"
        )
        for worker, queue, slots in (
            ("worker-default", "default", "2"),
            ("worker-duckdb", "duckdb", "1"),
        ):
            env = self.env | {
                "NEWSMON_WORKER_NAME": worker,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "newsmon_worker_name.name",
                "PYTHONPATH": os.pathsep.join([str(names), self.env.get("PYTHONPATH", "")]),
            }
            self._start(
                worker,
                [
                    str(BIN / "airflow"),
                    "celery",
                    "worker",
                    "--queues",
                    queue,
                    "--celery-hostname",
                    f"{worker}@%h",
                    "--concurrency",
                    slots,
                ],
                env=env,
            )

        def api_up() -> bool:
            import requests

            try:
                return (
                    requests.get(
                        f"http://127.0.0.1:{self.api_port}/api/v2/monitor/health", timeout=2
                    ).status_code
                    == 200
                )
            except requests.RequestException:
                return False

        self._wait("api-server", api_up)

    pg_root: Path | None = None

    def stop(self) -> None:
        for _name, proc in reversed(list(self.procs.items())):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        if self.pg_root is not None:
            shutil.rmtree(self.pg_root, ignore_errors=True)
