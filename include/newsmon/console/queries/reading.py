"""What every console read uses: a cursor's rows as dicts, whether the analyst copy has a
table or view, and the clock a page judges by when none is given."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from newsmon import clock
from newsmon.storage.db import execute


def rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def utcnow() -> datetime:
    return clock.now()


def has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the copy has this table or view (one made before an upgrade may not, until
    the next run publishes a new one)."""
    found = execute(con, "console/relation_exists", relation=name).fetchall()
    return any(n for (n,) in found)
