"""What Airflow adds to a run: ``airflow dags test news_ingest`` against ``newsmon ingest``
over the same five seed articles, each into a fresh database (``make bench-startup``).

A throwaway ``AIRFLOW_HOME`` on SQLite is migrated first (not timed); then each command
runs three times, alternating, and the best and the median are printed. The difference is
the fixed cost of Airflow's command, its DAG parsing and its task runners.

    python bench/bench_startup.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _timed(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    seeds = str(ROOT / "seeds")
    with tempfile.TemporaryDirectory(prefix="newsmon-bench-startup-") as tmp:
        home = Path(tmp) / "airflow"
        env = dict(os.environ) | {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "NEWSMON_HOME": str(ROOT),
        }
        env.pop("NEWSMON_CONFIG", None)
        home.mkdir()
        subprocess.run(
            [str(BIN / "airflow"), "db", "migrate"], env=env, check=True, capture_output=True
        )
        subprocess.run(
            [str(BIN / "airflow"), "pools", "set", "newsmon_duckdb", "1", "bench"],
            env=env,
            check=True,
            capture_output=True,
        )
        times: dict[str, list[float]] = {"airflow dags test news_ingest": [], "newsmon ingest": []}
        for i in range(args.rounds):
            db = Path(tmp) / f"dag-{i}" / "news.duckdb"
            times["airflow dags test news_ingest"].append(
                _timed(
                    [
                        str(BIN / "airflow"),
                        "dags",
                        "test",
                        "news_ingest",
                        "--conf",
                        f'{{"paths": ["{seeds}"]}}',
                    ],
                    env | {"NEWSMON_DB": str(db)},
                )
            )
            db = Path(tmp) / f"cli-{i}" / "news.duckdb"
            times["newsmon ingest"].append(
                _timed([str(BIN / "newsmon"), "ingest", "-q", seeds], env | {"NEWSMON_DB": str(db)})
            )
    print(f"the five seed articles into a fresh database, {args.rounds} rounds alternating:")
    for name, got in times.items():
        print(f"  {name:<32} best {min(got):5.1f} s, median {statistics.median(got):5.1f} s")


if __name__ == "__main__":
    main()
