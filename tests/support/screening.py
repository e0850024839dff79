"""The screen of clonazepam as the review files read it (tests/test_*review*.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from taperline.catalogue_data import load_catalogue
from taperline.core.screening import Screening, screen

CATALOGUE = load_catalogue()
CLONAZEPAM = CATALOGUE.get("clonazepam")


def screened(*, agents: tuple[str, ...] = (), conditions: tuple[str, ...] = ()) -> Screening:
    """:func:`taperline.core.screening.screen` of clonazepam with these medicines, conditions."""
    return screen(CATALOGUE, CLONAZEPAM, agents=agents, conditions=conditions)


def interactions(found: Screening) -> list[str]:
    """The interaction and duplicate findings' messages (the class in brackets)."""
    return [f.message for f in found.findings if f.kind in {"interaction", "duplicate"}]


def has_class(found: Screening, what: str) -> bool:
    """Whether an interaction or duplicate finding names the class ``what`` ("opioids")."""
    return any(f"({what}) with" in message for message in interactions(found))


def conditions_of(found: Screening) -> set[str]:
    """The condition names the screen recognised."""
    return {m.name for m in found.conditions}


def named_cases(rows: Iterable[tuple[str, str, str]]) -> list[Any]:
    """Each (text, expected, what once went wrong) row as a case of its first two, by text."""
    return [pytest.param(text, expected, id=text) for text, expected, _ in rows]
