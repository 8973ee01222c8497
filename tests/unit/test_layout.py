"""The code's layout holds: one subpackage per leg of an article's way, no import cycle, no
private name borrowed across modules, modules and functions small enough to read in one
sitting, and no SQL text in Python (every query is a file under ``include/sql``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

INCLUDE = ROOT / "include"
QUERIES = INCLUDE / "sql" / "queries"
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60
PACKAGES = ("read", "fetch", "article", "tagging", "storage", "alerting", "flows", "cli", "console")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(INCLUDE.rglob("*.py")):
        rel = path.relative_to(INCLUDE).with_suffix("")
        if rel.parts[0] in ("newsmon", "newsmon_airflow"):
            found[".".join(rel.parts).removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _trees() -> Iterator[tuple[str, Path, ast.Module]]:
    for name, path in MODULES.items():
        yield name, path, ast.parse(path.read_text(encoding="utf-8"))


def _imports(name: str, tree: ast.Module) -> Iterator[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import of our code, at any depth
    (an import inside a function to dodge a cycle is still the cycle)."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            if base not in MODULES:
                continue
            taken = []
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:  # a submodule, not a name in the package
                    yield f"{base}.{alias.name}", []
                else:
                    taken.append(alias.name)
            if taken:
                yield base, taken


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, _, tree in _trees():
        for target, _ in _imports(name, tree):
            if target != name and not name.startswith(target + "."):  # not its own package
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_legs_are_subpackages() -> None:
    for package in PACKAGES:
        assert f"newsmon.{package}" in MODULES, f"newsmon/{package}/__init__.py is missing"
        assert ast.get_docstring(ast.parse(MODULES[f"newsmon.{package}"].read_text())), package


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_graph()) == []


def test_no_import_cycle_between_packages() -> None:
    """Subpackages import each other one way only (``newsmon.read`` never needs
    ``newsmon.flows``), so a leg can be read without the legs after it."""

    def package(module: str) -> str:
        parts = module.split(".")
        return ".".join(parts[:2]) if len(parts) > 2 or module in _package_names() else parts[0]

    packages: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        packages.setdefault(package(module), set()).update(
            package(t) for t in targets if package(t) != package(module)
        )
    for target in {t for ts in packages.values() for t in ts}:
        packages.setdefault(target, set())
    assert _cycles(packages) == []


def _package_names() -> set[str]:
    return {name for name, path in MODULES.items() if path.name == "__init__.py"}


def test_the_cycle_check_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_is_imported_across_modules() -> None:
    borrowed = [
        f"{name} takes {target}.{taken}"
        for name, _, tree in _trees()
        for target, names in _imports(name, tree)
        for taken in names
        if taken.startswith("_") and target != name
    ]
    assert borrowed == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_read_in_one_sitting(name: str) -> None:
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{name} has {lines} lines"


def test_functions_read_in_one_sitting() -> None:
    long = [
        f"{name}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for name, _, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


SQL_START = re.compile(
    r"^\s*(select|insert|update|delete|create|drop|alter|with|set|copy|attach|detach|"
    r"checkpoint|begin|commit|rollback|pragma|install|load|vacuum|export|import)\b",
    re.I,
)


def _literal_text(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def test_no_sql_text_in_python() -> None:
    """A string handed to DuckDB is read from a ``.sql`` file, never written in Python
    (``cli sql`` passes the analyst's own query through, which is no text of ours)."""
    inline = []
    for name, _, tree in _trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "executemany", "sql", "query")
                and node.args
            ):
                text = _literal_text(node.args[0])
                if text is not None and SQL_START.match(text):
                    inline.append(f"{name}:{node.lineno}: {text[:40]!r}")
    assert inline == []


def test_every_query_named_in_code_is_a_file() -> None:
    """In the package, the benchmarks and the tests alike (a renamed file breaks them too)."""
    named, folders = set(), set()
    others = [*(ROOT / "bench").glob("*.py"), *(ROOT / "tests").rglob("*.py")]
    trees = [tree for _, _, tree in _trees()]
    trees += [ast.parse(p.read_text(encoding="utf-8")) for p in others]
    for tree in trees:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
                in ("execute", "sql")
                and len(node.args) >= 2
            ):
                text = _literal_text(node.args[1])
                if text and isinstance(node.args[1], ast.Constant):
                    named.add(text)
                elif text:  # f"storage/search/{step}": its folder at least
                    folders.add(text.rpartition("/")[0])
    assert len(named) > 100 and folders, "the check sees the queries"
    assert sorted(n for n in named if not (QUERIES / f"{n}.sql").is_file()) == []
    assert sorted(f for f in folders if not (QUERIES / f).is_dir()) == []


def test_queries_sit_in_a_folder_per_package() -> None:
    loose = sorted(p.name for p in QUERIES.glob("*.sql"))
    assert loose == []
    folders = {p.name for p in QUERIES.iterdir() if p.is_dir()}
    assert folders <= set(PACKAGES), folders - set(PACKAGES)


# Who may open the database for writing besides the flows: the run start (written once, in
# runs) and the Airflow failure callback, which marks its run failed.
WRITERS_OUTSIDE_FLOWS = {"newsmon.storage.runs", "newsmon_airflow.defaults"}


def test_the_flows_open_the_database_for_writing() -> None:
    openers = {
        name
        for name, _, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "open_db"
    }
    assert "newsmon.flows.ingest" in openers, "the check sees the calls"
    strays = {n for n in openers if not n.startswith("newsmon.flows.")} - WRITERS_OUTSIDE_FLOWS
    assert strays == set()
