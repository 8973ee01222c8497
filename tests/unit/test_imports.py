"""Every module of the project imports in the environment requirements.txt and
constraints.txt build (the image's: the Dockerfile installs exactly these), and every
third-party package the code imports is one of the pinned requirements."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import ROOT

CODE = [
    *sorted((ROOT / "include").rglob("*.py")),
    *sorted((ROOT / "dags").glob("*.py")),
    *sorted((ROOT / "plugins").glob("*.py")),
]


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT / "include") if path.is_relative_to(ROOT / "include") else None
    if rel is None:
        return path.stem
    return ".".join(rel.with_suffix("").parts).removesuffix(".__init__")


@pytest.mark.parametrize(
    "path",
    [p for p in CODE if p.is_relative_to(ROOT / "include")],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_module_imports(path: Path) -> None:
    importlib.import_module(_module(path))


def test_the_plugin_and_the_dags_import() -> None:
    for folder in ("plugins", "dags"):
        for path in sorted((ROOT / folder).glob("*.py")):
            spec = importlib.util.spec_from_file_location(f"_check_{folder}_{path.stem}", path)
            assert spec and spec.loader
            spec.loader.exec_module(importlib.util.module_from_spec(spec))


def test_every_third_party_import_is_a_pinned_requirement() -> None:
    pinned = {
        name.lower().replace("_", "-")
        for name in re.findall(
            r"^([A-Za-z0-9_.-]+)==", (ROOT / "requirements.txt").read_text(), re.M
        )
    }
    dists = packages_distributions()
    ours = {"newsmon", "newsmon_airflow", "tests", "corpus"}
    unpinned = {}
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in ours or top in sys.stdlib_module_names or top == "__future__":
                    continue
                owners = {d.lower().replace("_", "-") for d in dists.get(top, [])}
                assert owners, f"{path.name} imports {top}, which no installed package provides"
                if not owners & pinned:  # imported directly: required directly, not by luck
                    unpinned[top] = owners
    assert not unpinned, f"imported but not pinned: {unpinned}"


def test_the_read_workers_never_load_duckdb() -> None:
    """The read stage's worker processes run newsmon.flows.workers; DuckDB costs each ~25 MB, and
    they run beside the writer storing chunks, under the 500 MB bound for the whole tree."""
    import subprocess

    code = (
        "import sys, newsmon.flows.workers; print(sorted(m for m in sys.modules if m == 'duckdb'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "include"), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "[]"
