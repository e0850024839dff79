"""Taper strategies: the ideal next dose each proposes, and their validation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.quantity import Mass, fmt
from taperline.core.strategies import FixedBand, Strategy, nice_diazepam_bands
from taperline.errors import InputError

ONE = Mass.of_mg(1)
doses = st.builds(lambda mcg: Mass.of_mg(Decimal(mcg).scaleb(-3)), st.integers(1, 40_000))


def test_percent_cuts_a_share_of_the_current_dose() -> None:
    step = Strategy(kind="percent", percent=Decimal(10)).next_step(
        current=Mass.of_mg(2), start=Mass.of_mg(4), step_index=3
    )
    assert step.ideal == Mass.of_mg("1.8")
    assert step.source == "ASAM-2025"


def test_deprescribing_slows_to_12_5_percent_near_the_end() -> None:
    strategy = Strategy(kind="deprescribing")
    early = strategy.next_step(current=Mass.of_mg(2), start=Mass.of_mg(2), step_index=0)
    late = strategy.next_step(current=Mass.of_mg("0.5"), start=Mass.of_mg(2), step_index=5)
    assert (early.ideal, early.interval_days) == (Mass.of_mg("1.5"), 14)
    assert late.ideal == Mass.of_mg("0.4375")
    assert "near the end" in late.rule
    assert late.source == "DEPRESCRIBING-2018"


def test_occupancy_steps_shrink_in_mg_as_the_dose_falls() -> None:
    strategy = Strategy(kind="occupancy", ed50_mg=Decimal(1), percent=Decimal(10))
    start = Mass.of_mg(2)
    high = strategy.next_step(current=start, start=start, step_index=0)
    low = strategy.next_step(current=Mass.of_mg("0.5"), start=start, step_index=5)
    assert start.mg - high.ideal.mg > Mass.of_mg("0.5").mg - low.ideal.mg
    assert "ED50 1 mg" in high.rule
    assert high.source == "MAUDSLEY-2024"


def test_occupancy_reaches_zero_when_the_step_passes_it() -> None:
    strategy = Strategy(kind="occupancy", percent=Decimal(50))
    step = strategy.next_step(current=Mass.of_mg("0.01"), start=Mass.of_mg(4), step_index=9)
    assert step.ideal.mg == 0


def test_nice_bands_cut_by_band() -> None:
    strategy = Strategy(kind="fixed", bands=nice_diazepam_bands())
    got = [
        fmt(strategy.next_step(current=Mass.of_mg(mg), start=ONE, step_index=0).ideal)
        for mg in ("40", "21", "20", "10", "5", "0.5")
    ]
    assert got == ["38 mg", "20 mg", "19 mg", "9 mg", "4.5 mg", "0 mg"]


def test_nice_bands_take_the_interval() -> None:
    assert {b.interval_days for b in nice_diazepam_bands(7)} == {7}


def test_crossover_and_custom_have_no_next_step_rule() -> None:
    with pytest.raises(InputError, match="no rule"):
        Strategy(kind="crossover").next_step(current=ONE, start=ONE, step_index=0)


def test_fixed_band_interval_must_be_positive() -> None:
    with pytest.raises(InputError, match="interval"):
        FixedBand(ONE, ONE, 0, "x")


@given(
    doses,
    st.sampled_from(["percent", "occupancy", "deprescribing"]),
    st.integers(1, 99),
    st.sampled_from([Decimal("0.5"), Decimal(2), Decimal(10)]),
)
def test_every_strategy_proposes_a_lower_non_negative_dose(
    current: Mass, kind: str, percent: int, ed50: Decimal
) -> None:
    strategy = Strategy(kind=kind, percent=Decimal(percent), ed50_mg=ed50)  # type: ignore[arg-type]  # sampled kinds
    step = strategy.next_step(current=current, start=Mass.of_mg(40), step_index=0)
    assert 0 <= step.ideal.mg < current.mg
    assert step.interval_days >= 1
    assert step.rule
    assert step.source


@given(doses)
def test_fixed_bands_never_cut_below_the_band_floor(current: Mass) -> None:
    strategy = Strategy(kind="fixed", bands=nice_diazepam_bands())
    step = strategy.next_step(current=current, start=current, step_index=0)
    band = next(b for b in nice_diazepam_bands() if current.mg > b.above.mg)
    assert step.ideal.mg >= band.above.mg
    assert current.mg - step.ideal.mg <= band.step.mg
