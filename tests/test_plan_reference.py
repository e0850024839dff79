"""Reference regimens reproduced exactly: Nardi 2010 (clonazepam) and NICE-CKS (diazepam)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from taperline.catalogue_data import load_catalogue
from taperline.core.catalogue import Drug
from taperline.core.plan import Constraints, Plan, PlanRequest, propose
from taperline.core.products import Product, parse_products
from taperline.core.quantity import Mass, fmt
from taperline.core.regimen import ScheduledDose
from taperline.core.strategies import CustomStep, FixedBand, Strategy, nice_diazepam_bands
from taperline.errors import SafetyError

START = date(2027, 1, 4)
NARDI_REASON = "Nardi 2010 reference regimen, under the prescriber's supervision"
# Nardi 2010: -0.5 mg every 2 weeks to 1 mg, then -0.25 mg a week, from 3 mg a day.
NARDI_DAILY = ["3", "2.5", "2", "1.5", "1", "0.75", "0.5", "0.25", "0"]
NARDI_DAYS = [0, 14, 28, 42, 56, 70, 77, 84, 91]
# NICE-CKS from 40 mg: 2 mg to 20 mg, 1 mg to 5 mg, 0.5 mg to zero.
NICE_FROM_40 = [
    *(str(mg) for mg in range(40, 19, -2)),
    *(str(mg) for mg in range(19, 4, -1)),
    "4.5", "4", "3.5", "3", "2.5", "2", "1.5", "1", "0.5", "0",
]  # fmt: skip


def _mg(values: list[str]) -> list[str]:
    return [fmt(Mass.of_mg(v)) for v in values]


@pytest.fixture(scope="module")
def clonazepam() -> Drug:
    return load_catalogue().get("clonazepam")


@pytest.fixture(scope="module")
def diazepam() -> Drug:
    return load_catalogue().get("diazepam")


def _nardi_products(drug: Drug) -> tuple[Product, ...]:
    """0.5 mg scored, 1 mg and 2 mg tablets (no ODT): the smallest makeable dose is 0.25 mg."""
    text = "tablet 0.5 mg scored, tablet 1 mg, tablet 2 mg"
    return parse_products(text, drug="clonazepam", source="LABEL", known=drug.products)


def _nardi_request(drug: Drug, strategy: Strategy, constraints: Constraints) -> PlanRequest:
    return PlanRequest(
        drug=drug,
        regimen=(ScheduledDose(8.0, Mass.of_mg(1)), ScheduledDose(22.0, Mass.of_mg(2))),
        start=START,
        strategy=strategy,
        constraints=constraints,
        products=_nardi_products(drug),
        add_finer_products=False,
    )


NARDI_BANDS = (
    FixedBand(Mass.of_mg(1), Mass.of_mg("0.5"), 14, "NARDI-2010"),
    FixedBand(Mass.zero(), Mass.of_mg("0.25"), 7, "NARDI-2010"),
)


def _assert_nardi(plan: Plan) -> None:
    assert [fmt(s.daily) for s in plan.steps] == _mg(NARDI_DAILY)
    assert [(s.start - START).days for s in plan.steps] == NARDI_DAYS
    assert plan.complete
    assert plan.smallest_dose_before_zero == Mass.of_mg("0.25")
    for step in plan.steps[1:]:
        for dose in step.doses:
            assert dose.composition is not None
            assert dose.composition.total == dose.amount


def test_nardi_2010_as_a_fixed_plan_with_the_override_recorded(clonazepam: Drug) -> None:
    constraints = Constraints(override_reason=NARDI_REASON)
    request = _nardi_request(clonazepam, Strategy(kind="fixed", bands=NARDI_BANDS), constraints)
    plan = propose(request)
    _assert_nardi(plan)
    over_cap = [s for s in plan.steps if s.change_pct is not None and -s.change_pct > 25]
    assert [fmt(s.daily) for s in over_cap] == _mg(["1", "0.5", "0.25", "0"])
    for step in over_cap[:-1]:  # the last is the stop from the smallest makeable dose
        assert f"outside the guideline by clinician override: {NARDI_REASON}" in step.note
        assert step.source == "clinician override"  # never the guideline for an override
    assert plan.mark == f"outside the guideline by clinician override: {NARDI_REASON}"
    assert any("0.25 mg" in w and "at once" in w for w in plan.warnings)


def test_nardi_2010_fixed_is_refused_beyond_the_cap_without_override(clonazepam: Drug) -> None:
    request = _nardi_request(clonazepam, Strategy(kind="fixed", bands=NARDI_BANDS), Constraints())
    with pytest.raises(SafetyError, match=r"cuts 50 % within 14 days \(2 cuts\).*25 % per 14"):
        propose(request)


def _nardi_custom() -> Strategy:
    steps = tuple(
        CustomStep(START + timedelta(days=day), Mass.of_mg(mg), reason="Nardi 2010")
        for mg, day in zip(NARDI_DAILY[1:], NARDI_DAYS[1:], strict=True)
    )
    return Strategy(kind="custom", custom_steps=steps)


def test_nardi_2010_as_custom_steps(clonazepam: Drug) -> None:
    constraints = Constraints(override_reason=NARDI_REASON)
    plan = propose(_nardi_request(clonazepam, _nardi_custom(), constraints))
    _assert_nardi(plan)
    assert {s.source for s in plan.steps[1:]} == {"clinician", "clinician override"}
    assert plan.steps[-1].source == "clinician"  # the stop from 0.25 mg keeps to the rules


def _nice_request(diazepam: Drug, start_mg: str) -> PlanRequest:
    products = parse_products(
        "tablet 2 mg /4, tablet 5 mg, tablet 10 mg", drug="diazepam", source="NICE-CKS"
    )
    return PlanRequest(
        drug=diazepam,
        regimen=(ScheduledDose(22.0, Mass.of_mg(start_mg)),),
        start=START,
        strategy=Strategy(kind="fixed", bands=nice_diazepam_bands()),
        products=products,
    )


def test_nice_cks_diazepam_bands_from_40_mg(diazepam: Drug) -> None:
    plan = propose(_nice_request(diazepam, "40"))
    assert [fmt(s.daily) for s in plan.steps] == _mg(NICE_FROM_40)
    assert plan.complete
    gaps = {(b.start - a.start).days for a, b in zip(plan.steps[1:], plan.steps[2:], strict=False)}
    assert gaps == {14}
    end_phase = [s for s in plan.steps if "end phase" in s.note]
    assert [fmt(s.daily) for s in end_phase] == ["1 mg", "0.5 mg"]  # 33 % and 50 %, 0.5 mg each
    # 30-60 weeks from 40 mg [NICE-CKS]
    assert 30 * 7 <= plan.duration_days <= 80 * 7


@pytest.mark.parametrize(("start_mg", "first"), [("20", "19"), ("10", "9"), ("5", "4.5")])
def test_nice_cks_bands_start_in_the_right_band(diazepam: Drug, start_mg: str, first: str) -> None:
    plan = propose(_nice_request(diazepam, start_mg))
    tail = NICE_FROM_40[NICE_FROM_40.index(start_mg) :]
    assert [fmt(s.daily) for s in plan.steps] == _mg(tail)
    assert plan.steps[1].daily == Mass.of_mg(first)


def test_crossover_then_nice_bands_is_the_default_diazepam_taper(
    clonazepam: Drug, diazepam: Drug
) -> None:
    request = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(8.0, Mass.of_mg("0.5")), ScheduledDose(22.0, Mass.of_mg(1))),
        start=START,
        strategy=Strategy(kind="crossover"),
        target=diazepam,
    )
    plan = propose(request)
    swaps = plan.steps[1:3]
    assert [s.doses[-1].drug for s in swaps] == ["diazepam", "diazepam"]
    assert swaps[0].doses[-1].clock == "22:00"  # night dose first [NICE-CKS]
    assert [fmt(s.reference_daily) for s in plan.steps[:4]] == ["30 mg", "30 mg", "30 mg", "28 mg"]
    assert plan.steps[-1].daily.mg == 0
    assert plan.complete


def test_alternate_days_for_clonazepam_show_the_swing(clonazepam: Drug) -> None:
    request = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(22.0, Mass.of_mg("0.5")),),
        start=START,
        strategy=Strategy(kind="percent", percent=Decimal(25)),
        products=clonazepam.products,  # with the 0.1 mg/mL suspension
        alternate_days=True,
    )
    plan = propose(request)
    alternate = [s for s in plan.steps if s.every_other_day]
    assert len(alternate) == 1
    assert "ng/mL" in alternate[0].note
    assert "swings between" in alternate[0].note
    assert alternate[0].doses == plan.steps[-3].doses  # the smallest dose, every other day
    assert plan.steps[-1].daily.mg == 0
    assert plan.complete


def test_alternate_days_for_diazepam_without_a_pk_model_use_the_half_life(diazepam: Drug) -> None:
    request = replace(_nice_request(diazepam, "5"), alternate_days=True)
    plan = propose(request)
    alternate = [s for s in plan.steps if s.every_other_day]
    assert len(alternate) == 1
    assert "% of its peak" in alternate[0].note
    assert "half-life" in alternate[0].note
    assert all(s.css_average_ng_per_ml == {} for s in plan.steps)  # none invented


LABEL_REASON = "short-term use for panic disorder: the label's discontinuation, supervised"


@pytest.mark.parametrize("kind", ["fixed", "custom"])
def test_the_label_panic_disorder_taper_by_clinician_override(clonazepam: Drug, kind: str) -> None:
    """0.25 mg a day less every 3 days, to zero [LABEL]: the fastest documented taper, only
    with an override (it breaks the 25 % cap and the 14-day stabilisation), never faster."""
    days, daily = [0, 3, 6, 9, 12], ["1", "0.75", "0.5", "0.25", "0"]
    strategy = (
        Strategy(kind="fixed", bands=(FixedBand(Mass.zero(), Mass.of_mg("0.25"), 3, "LABEL"),))
        if kind == "fixed"
        else Strategy(
            kind="custom",
            custom_steps=tuple(
                CustomStep(START + timedelta(days=d), Mass.of_mg(mg))
                for d, mg in zip(days[1:], daily[1:], strict=True)
            ),
        )
    )
    request = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(8.0, Mass.of_mg("0.5")), ScheduledDose(20.0, Mass.of_mg("0.5"))),
        start=START,
        strategy=strategy,
        constraints=Constraints(stabilisation_days=3, override_reason=LABEL_REASON),
        products=parse_products("tablet 0.5 mg scored", drug="clonazepam", source="LABEL"),
        add_finer_products=False,
    )
    with pytest.raises(SafetyError, match="stabilisation of 3 days"):
        propose(replace(request, constraints=Constraints(stabilisation_days=3)))
    plan = propose(request)
    assert [fmt(s.daily) for s in plan.steps] == _mg(daily)
    assert [(s.start - START).days for s in plan.steps] == days
    assert plan.mark == f"outside the guideline by clinician override: {LABEL_REASON}"
    # Faster than the label (every 2 days, from 2 mg: 1.5 mg in 14 days) no override allows.
    faster = Strategy(kind="fixed", bands=(FixedBand(Mass.zero(), Mass.of_mg("0.25"), 2, "x"),))
    doses = (ScheduledDose(8.0, Mass.of_mg(1)), ScheduledDose(20.0, Mass.of_mg(1)))
    with pytest.raises(SafetyError, match="no override allows this"):
        propose(replace(request, strategy=faster, regimen=doses))
