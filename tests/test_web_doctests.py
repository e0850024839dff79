"""The examples in docstrings outside the core run (pytest collects doctests from the core only)."""

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


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
