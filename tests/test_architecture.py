"""The core stays pure: no I/O, UI, database or web imports; no environment, files or clock."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import taperline

SRC = Path(taperline.__file__).parent
CORE_FILES = sorted((SRC / "core").rglob("*.py"))

FORBIDDEN_MODULES = {
    "sqlite3",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "typer",
    "click",
    "rich",
    "matplotlib",
    "httpx",
    "requests",
    "urllib",
    "socket",
    "subprocess",
    "shutil",
    "tempfile",
    "pathlib",
    "io",
    "os",
    "sys",
    "time",
    "importlib",
    "tomllib",
    "scipy",
    "logging",
    "uvicorn",
    "jinja2",
    "weasyprint",
}
# Names that read the environment, files or the clock, wherever they come from.
FORBIDDEN_CALLS = {
    "open",
    "input",
    "print",
    "getenv",
    "environ",
    "now",
    "today",
    "utcnow",
    "monotonic",
    "perf_counter",
    "read_text",
    "read_bytes",
    "exec",
    "eval",
}


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
            if node.module == "datetime":
                # Dates are fine as values; `datetime.now`/`date.today` are caught as calls below.
                continue
    return found


def _calls(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
        elif isinstance(node, ast.Attribute) and node.attr == "environ":
            names.add("environ")
    return names


def test_core_files_found() -> None:
    assert len(CORE_FILES) >= 3


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = _imports(tree) & FORBIDDEN_MODULES
    assert not bad, f"{path.name} imports {sorted(bad)}; the core must stay pure"


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_reads_no_environment_files_or_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = _calls(tree) & FORBIDDEN_CALLS
    assert not bad, f"{path.name} calls {sorted(bad)}; pass values in instead"


def test_core_imports_only_core_and_errors_from_taperline() -> None:
    for path in CORE_FILES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("taperline")
            ):
                assert node.module.startswith(("taperline.core", "taperline.errors")), (
                    f"{path.name} imports {node.module}: the core depends on nothing outside it"
                )


def test_importing_core_loads_no_forbidden_module() -> None:
    code = (
        "import sys, taperline.core.quantity, taperline.core.products, taperline.core.pk;"
        "bad = {'sqlalchemy','fastapi','click','rich','matplotlib','scipy','sqlite3'}"
        " & set(sys.modules);"
        "print(sorted(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
