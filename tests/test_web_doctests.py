"""The examples in docstrings run everywhere in ``src/``, not only in the core.

pytest collects them itself (``--doctest-modules`` over the ``src/taperline`` test path, the
Alembic scripts in ``migrations/`` left out: Alembic runs them), so each example is an item of
its own and runs once. These tests check that configuration, and that the modules outside the
core that document themselves by example still have examples to run.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = (
    "taperline.web.settings",
    "taperline.web.security",
    "taperline.web.forms",
    "taperline.web.filters",
    "taperline.web.charts",
    "taperline.plan_input",
    "taperline.adapters.storage.db",
)


def test_pytest_collects_the_doctests_of_all_of_src(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.getoption("doctestmodules")
    assert "src/taperline" in pytestconfig.getini("testpaths")
    assert "migrations" in pytestconfig.getini("norecursedirs")


@pytest.mark.parametrize("name", MODULES)
def test_the_module_has_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    found = doctest.DocTestFinder().find(module)
    assert sum(len(test.examples) for test in found) > 0
