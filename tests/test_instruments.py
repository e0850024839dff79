"""PHQ-9 and GAD-7 scoring and bands [KROENKE-2001]."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.instruments import score_gad7, score_phq9
from taperline.errors import InputError, InstrumentError


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands(total: int, band: str) -> None:
    items = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    items += [0] * (9 - len(items))
    score = score_phq9(items)
    assert (score.total, score.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"), (21, "severe")],
)
def test_gad7_bands(total: int, band: str) -> None:
    items = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    items += [0] * (7 - len(items))
    assert score_gad7(items).band == band


def test_item9_flag_only_for_phq9() -> None:
    assert score_phq9([0] * 8 + [1]).item9_positive
    assert not score_phq9([3] * 8 + [0]).item9_positive
    assert not score_gad7([3] * 7).item9_positive


def test_taken_on_is_kept() -> None:
    assert score_gad7([0] * 7, taken_on=date(2027, 1, 5)).taken_on == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([0] * 8, "PHQ-9 has 9 items; 8 answers given"),
        ([0] * 8 + [-1], "PHQ-9 item 9 must be 0-3, got -1"),
        ([0, True] + [0] * 7, "PHQ-9 item 2 must be 0-3"),
        ([0.5] + [0] * 8, "PHQ-9 item 1 must be 0-3"),
    ],
)
def test_bad_answers_are_refused(items: list[int], message: str) -> None:
    with pytest.raises(InstrumentError, match=message):
        score_phq9(items)
    assert issubclass(InstrumentError, InputError)


@given(st.lists(st.integers(0, 3), min_size=7, max_size=7))
def test_gad7_total_is_item_sum(items: list[int]) -> None:
    assert score_gad7(items).total == sum(items) <= 21


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_is_item_sum(items: list[int]) -> None:
    assert score_phq9(items).total == sum(items) <= 27
