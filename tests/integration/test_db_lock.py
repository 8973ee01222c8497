"""One writer at a time: a second process waits for the DuckDB lock, then gives up clearly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from newsmon.storage.db import DatabaseBusy, connect

HOLD = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("create table if not exists t (x int)")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
    """
)


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_waits_for_the_other_writer(tmp_path: Path) -> None:
    path = tmp_path / "n.duckdb"
    proc = _hold(path, 1.5)
    with connect(path, wait=60) as con:
        assert con.execute("select count(*) from articles").fetchone()[0] == 0
    assert proc.wait(timeout=30) == 0, "the holder finished before we got in"


def test_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "n.duckdb"
    proc = _hold(path, 20)
    try:
        with (
            pytest.raises(DatabaseBusy, match=rf"in use by python[\d.]*, PID {proc.pid} ") as err,
            connect(path, wait=0.5),
        ):
            pass
        assert "close that session or let the other run finish" in str(err.value)
    finally:
        proc.kill()
        proc.wait()
