"""No test module imports another test module: what tests share lives in ``tests/support/``.

Importing ``tests/test_x.py`` from another test file runs test_x's module-level set-up in
that worker, and an edit to one test file silently changes another (issue 19 §4). A helper
two test files need is in a support module (``tests/support/``) that both import.

Checked on the source (AST) of every Python file under ``tests/`` (test modules, support
modules and the other helpers alike): an import counts wherever it is written, at the top or
inside a function, absolute (``from tests.test_x import y``, ``import tests.test_x``,
``from tests import test_x``) or relative (``from .test_x import y``). Code handed to a
subprocess as a string is not read. There is no allow-list: the held-cut tests' helpers, the
last imported this way, are in ``tests/support/held_cut.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
FILES = sorted(p for p in TESTS.rglob("*.py") if "__pycache__" not in p.parts)


def _package(path: Path) -> list[str]:
    """The dotted package a file under tests/ is in: ``["tests"]``, ``["tests", "support"]``."""
    return ["tests", *path.relative_to(TESTS).parent.parts]


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 2 and parts[0] == "tests" and parts[1].startswith("test_")


def _test_module(name: str) -> str:
    """``tests.test_x`` of ``tests.test_x`` or of anything inside it."""
    return ".".join(name.split(".")[:2])


def imported_test_modules(source: str, path: Path) -> set[str]:
    """Each ``tests.test_*`` module the file's code imports, wherever the import is written.

    >>> sorted(imported_test_modules(
    ...     "import tests.test_a.b\\n"
    ...     "def f():\\n    from tests import test_b, strategies\\n"
    ...     "from .test_c import x\\nfrom tests.support.web import Web\\n",
    ...     TESTS / "test_z.py",
    ... ))
    ['tests.test_a', 'tests.test_b', 'tests.test_c']
    >>> sorted(imported_test_modules("from ..test_d import y\\n", TESTS / "support" / "z.py"))
    ['tests.test_d']
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(_test_module(a.name) for a in node.names if _is_test_module(a.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package(path)
                base = package[: len(package) - node.level + 1]
            else:
                base = []
            module = ".".join([*base, *([node.module] if node.module else [])])
            if _is_test_module(module):
                found.add(_test_module(module))
            else:  # from tests import test_x
                names = (f"{module}.{a.name}" for a in node.names)
                found.update(_test_module(n) for n in names if _is_test_module(n))
    return found


def _imports() -> set[tuple[str, str]]:
    """(file relative to tests/, test module) for every import of a test module under tests/."""
    return {
        (path.relative_to(TESTS).as_posix(), module)
        for path in FILES
        for module in imported_test_modules(path.read_text(encoding="utf-8"), path)
    }


@pytest.fixture(scope="module")
def imports() -> set[tuple[str, str]]:
    return _imports()


def test_the_files_are_found() -> None:
    names = {p.relative_to(TESTS).as_posix() for p in FILES}
    assert {"conftest.py", "test_suite_layout.py", "support/web.py"} <= names


def test_no_test_module_imports_another_test_module(imports: set[tuple[str, str]]) -> None:
    """A helper two test files share goes in tests/support/ (a module both import)."""
    assert not imports, (
        f"test modules imported from other files under tests/ (move what they share to "
        f"tests/support/): {sorted(imports)}"
    )
