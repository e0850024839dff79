"""Dangerous inputs to the planner: each is refused with a message naming the problem, or the
plan carries a warning (issue sections 5 and 8)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from taperline.catalogue_data import load_catalogue
from taperline.core.catalogue import Drug
from taperline.core.plan import Constraints, Hold, Plan, PlanRequest, propose
from taperline.core.products import Product, UnitCount, parse_products
from taperline.core.quantity import Mass
from taperline.core.regimen import ScheduledDose
from taperline.core.strategies import CustomStep, FixedBand, Strategy
from taperline.errors import (
    ImplausibleDoseError,
    InputError,
    QuantityError,
    RegimenError,
    SafetyError,
    TaperlineError,
)

START = date(2027, 1, 4)
CATALOGUE = load_catalogue()
CLONAZEPAM = CATALOGUE.get("clonazepam")
DIAZEPAM = CATALOGUE.get("diazepam")
LORAZEPAM = CATALOGUE.get("lorazepam")
TABLETS = parse_products(
    "tablet 0.5 mg scored, tablet 1 mg, tablet 2 mg",
    drug="clonazepam",
    source="LABEL",
    known=CLONAZEPAM.products,
)


def _request(
    *doses: tuple[float, str],
    drug: Drug = CLONAZEPAM,
    strategy: Strategy | None = None,
    **changes: object,
) -> PlanRequest:
    base = PlanRequest(
        drug=drug,
        regimen=tuple(ScheduledDose(h, Mass.of_mg(mg)) for h, mg in doses or ((22.0, "1"),)),
        start=START,
        strategy=strategy or Strategy(kind="percent"),
        products=TABLETS if drug is CLONAZEPAM else None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]  # the fields are checked by the tests


def _custom(*steps: tuple[int, str, str]) -> Strategy:
    return Strategy(
        kind="custom",
        custom_steps=tuple(
            CustomStep(START + timedelta(days=day), Mass.of_mg(mg), reason)
            for day, mg, reason in steps
        ),
    )


# --- refused: (build, exception, message fragment) -------------------------------------------

Build = Callable[[], object]

REFUSED: dict[str, tuple[Build, type[TaperlineError], str]] = {
    "tenfold dose typed": (
        lambda: CLONAZEPAM.parse_dose("10 mg"),
        ImplausibleDoseError,
        "mg",
    ),
    "tenfold dose planned": (
        lambda: propose(_request((22.0, "10"))),
        SafetyError,
        "daily maximum",
    ),
    "mcg typed as mg": (
        lambda: CLONAZEPAM.parse_dose("500 mg"),
        ImplausibleDoseError,
        "mcg",
    ),
    "mg typed as mcg": (
        lambda: CLONAZEPAM.parse_dose("0.5 mcg"),
        ImplausibleDoseError,
        "mg",
    ),
    "daily total above the maximum": (
        lambda: propose(_request((8.0, "2"), (22.0, "2.5"))),
        SafetyError,
        "4 mg",
    ),
    "goal above the current dose": (
        lambda: propose(_request(goal=Mass.of_mg(2))),
        InputError,
        "must be below the current daily dose",
    ),
    "goal equal to the current dose": (
        lambda: propose(_request(goal=Mass.of_mg(1))),
        InputError,
        "goal",
    ),
    "custom stop from 1 mg": (
        lambda: propose(_request(strategy=_custom((14, "0", "stop")))),
        SafetyError,
        "at once",
    ),
    "custom increase without a reason": (
        lambda: propose(_request(strategy=_custom((14, "1.5", "")))),
        SafetyError,
        "increases the dose",
    ),
    "custom cut of 50 % without override": (
        lambda: propose(_request((22.0, "2"), strategy=_custom((14, "1", "faster")))),
        SafetyError,
        "cap",
    ),
    "custom step above the daily maximum": (
        lambda: propose(_request((22.0, "3"), strategy=_custom((14, "4.5", "breakthrough")))),
        SafetyError,
        "daily maximum",
    ),
    "custom steps out of order": (
        lambda: propose(_request(strategy=_custom((28, "0.5", "a"), (14, "0.75", "b")))),
        InputError,
        "date order",
    ),
    "custom step before the start": (
        lambda: propose(_request(strategy=_custom((-7, "0.75", "a")))),
        InputError,
        "not after the previous step",
    ),
    "custom step on the same day twice": (
        lambda: propose(_request(strategy=_custom((14, "0.75", "a"), (14, "0.5", "b")))),
        InputError,
        "not after the previous step",
    ),
    "custom dose the products cannot make": (
        lambda: propose(_request(strategy=_custom((14, "0.9", "a")))),
        InputError,
        "cannot be made",
    ),
    "custom negative dose": (
        lambda: CustomStep(START, Mass.of_mg(1) - Mass.of_mg(2)),
        InputError,
        "negative",
    ),
    "custom plan without steps": (
        lambda: Strategy(kind="custom"),
        InputError,
        "at least one",
    ),
    "percent 0": (lambda: Strategy(kind="percent", percent=Decimal(0)), InputError, "percent"),
    "percent 100": (lambda: Strategy(kind="percent", percent=Decimal(100)), InputError, "100"),
    "percent 150": (lambda: Strategy(kind="percent", percent=Decimal(150)), InputError, "150"),
    "percent negative": (lambda: Strategy(kind="percent", percent=Decimal(-5)), InputError, "-5"),
    "interval 0": (lambda: Strategy(kind="percent", interval_days=0), InputError, "interval"),
    "interval over a year": (
        lambda: Strategy(kind="percent", interval_days=400),
        InputError,
        "interval",
    ),
    "ED50 zero": (lambda: Strategy(kind="occupancy", ed50_mg=Decimal(0)), InputError, "ED50"),
    "swap days zero": (lambda: Strategy(kind="crossover", swap_days=0), InputError, "swap days"),
    "unknown strategy": (
        lambda: Strategy(kind="fastest"),  # type: ignore[arg-type]  # the point of the test
        InputError,
        "unknown strategy",
    ),
    "fixed step of zero": (
        lambda: FixedBand(Mass.of_mg(1), Mass.zero(), 14, "x"),
        InputError,
        "more than zero",
    ),
    "fixed bands not down to zero": (
        lambda: Strategy(kind="fixed", bands=(FixedBand(Mass.of_mg(1), Mass.of_mg(1), 7, "x"),)),
        InputError,
        "0 mg",
    ),
    "cap of 0 %": (lambda: Constraints(max_cut_pct=Decimal(0)), InputError, "cap"),
    "cap of 100 %": (lambda: Constraints(max_cut_pct=Decimal(100)), InputError, "cap"),
    "override without a reason": (
        lambda: Constraints(override_reason="  "),
        InputError,
        "reason",
    ),
    "negative stabilisation": (
        lambda: Constraints(stabilisation_days=-1),
        InputError,
        "at least 1 day",
    ),
    "no stabilisation (two steps on the start day)": (
        lambda: Constraints(stabilisation_days=0),
        InputError,
        "at least 1 day",
    ),
    "hold that ends before it starts": (
        lambda: Hold(START, -3),
        InputError,
        "before its start",
    ),
    "crossover for diazepam itself": (
        lambda: propose(
            _request(
                (22.0, "10"), drug=DIAZEPAM, strategy=Strategy(kind="crossover"), target=DIAZEPAM
            )
        ),
        InputError,
        "already diazepam",
    ),
    "crossover without a target": (
        lambda: propose(_request(strategy=Strategy(kind="crossover"))),
        InputError,
        "target",
    ),
    "crossover above diazepam's maximum": (
        lambda: propose(
            _request((22.0, "3"), strategy=Strategy(kind="crossover"), target=DIAZEPAM)
        ),
        SafetyError,
        "daily maximum",
    ),
    "crossover of a dose diazepam cannot make": (
        lambda: propose(
            _request(
                (22.0, "0.02"),
                strategy=Strategy(kind="crossover"),
                target=DIAZEPAM,
                products=CLONAZEPAM.products,
            )
        ),
        InputError,
        "cannot make closely",
    ),
    "alternate days for lorazepam": (
        lambda: propose(_request((22.0, "2"), drug=LORAZEPAM, alternate_days=True)),
        InputError,
        "long half-life",
    ),
    "empty regimen": (
        lambda: propose(replace(_request(), regimen=())),
        RegimenError,
        "at least one dose",
    ),
    "two doses at the same time": (
        lambda: propose(_request((22.0, "0.5"), (22.0, "0.5"))),
        RegimenError,
        "same time",
    ),
    "missing dose time": (
        lambda: ScheduledDose(float("nan"), Mass.of_mg(1)),
        RegimenError,
        "dose time",
    ),
    "dose time past midnight": (
        lambda: ScheduledDose(24.0, Mass.of_mg(1)),
        RegimenError,
        "dose time",
    ),
    "zero dose in the regimen": (
        lambda: propose(_request((8.0, "0"), (22.0, "1"))),
        RegimenError,
        "more than zero",
    ),
    "products that cannot make the current dose": (
        lambda: propose(_request((22.0, "0.3"))),
        InputError,
        "cannot be made from the products",
    ),
    "no products": (
        lambda: propose(_request(products=())),
        InputError,
        "no products",
    ),
    "unscored tablet halves in a product list": (
        lambda: propose(
            _request(
                (22.0, "0.5"),
                products=parse_products("tablet 1 mg unscored", drug="clonazepam", source="x"),
            )
        ),
        InputError,
        "cannot be made from the products",
    ),
    "half of an unscored tablet": (
        lambda: UnitCount(Product("tablet", Mass.of_mg(1), "x"), Decimal("0.5")),
        QuantityError,
        "whole tablets only",
    ),
    "scoring into thirds": (
        lambda: parse_products("tablet 0.5 mg /3", drug="clonazepam", source="x"),
        InputError,
        "halves (/2) or quarters (/4)",
    ),
    "an ODT split": (
        lambda: parse_products("odt 0.25 mg scored", drug="clonazepam", source="x"),
        InputError,
        "taken whole",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_dangerous_input_is_refused_with_a_message(case: str) -> None:
    build, error, fragment = REFUSED[case]
    with pytest.raises(error) as caught:
        build()
    assert fragment.lower() in str(caught.value).lower(), str(caught.value)


# --- allowed but flagged ----------------------------------------------------------------------


def _notes(plan: Plan) -> str:
    return " | ".join(s.note for s in plan.steps)


def test_custom_increase_with_a_reason_is_allowed_and_recorded() -> None:
    plan = propose(_request(strategy=_custom((14, "1.5", "breakthrough seizures, neurologist"))))
    assert plan.steps[1].daily == Mass.of_mg("1.5")
    assert "breakthrough seizures" in plan.steps[1].rule
    assert "increase by the clinician" in plan.steps[1].note


def test_custom_cut_beyond_the_cap_with_override_is_allowed_and_noted() -> None:
    constraints = Constraints(override_reason="inpatient detoxification")
    plan = propose(
        _request((22.0, "2"), strategy=_custom((14, "1", "faster")), constraints=constraints)
    )
    assert plan.steps[1].daily == Mass.of_mg(1)
    assert (
        "outside the guideline by clinician override: inpatient detoxification"
        in plan.steps[1].note
    )


def test_a_fixed_step_far_above_the_cap_is_refused_naming_the_setting() -> None:
    bands = (FixedBand(Mass.zero(), Mass.of_mg(1), 14, "x"),)
    with pytest.raises(SafetyError, match=r"fixed bands.*cuts 50 % in one step.*25 % per 14"):
        propose(_request((22.0, "2"), strategy=Strategy(kind="fixed", bands=bands)))


def test_a_strategy_cut_the_cap_holds_back_says_so_on_the_step() -> None:
    # Occupancy steps grow as the dose falls: later ones are held to the cap, and say so.
    strategy = Strategy(kind="occupancy", percent=Decimal(10), ed50_mg=Decimal(2))
    plan = propose(_request((22.0, "2"), strategy=strategy, products=CLONAZEPAM.products))
    held = [s for s in plan.steps if "above the 25 % cap" in s.note]
    assert held
    assert all("this step goes to" in s.note for s in held)


def test_alternate_days_for_clonazepam_show_the_swing() -> None:
    plan = propose(_request((22.0, "0.5"), products=CLONAZEPAM.products, alternate_days=True))
    (alternate,) = [s for s in plan.steps if s.every_other_day]
    assert "swings between" in alternate.note
    assert "ng/mL" in alternate.note


def test_a_cut_the_products_cannot_make_is_said_not_taken_bigger() -> None:
    plan = propose(_request((22.0, "0.5"), add_finer_products=False))
    assert not plan.complete
    assert any("liquid" in w and "do not take bigger cuts" in w.lower() for w in plan.warnings)
    assert plan.largest_step_pct <= 25


def test_a_coarse_last_step_is_flagged() -> None:
    constraints = Constraints(override_reason="reference regimen for a short-term user")
    strategy = Strategy(kind="percent", percent=Decimal(50))
    plan = propose(
        _request(
            (22.0, "0.5"), strategy=strategy, add_finer_products=False, constraints=constraints
        )
    )
    assert plan.steps[-1].daily.mg == 0
    assert any("stops 0.25 mg" in w and "at once" in w for w in plan.warnings)


def test_an_override_for_the_stabilisation_keeps_the_cap() -> None:
    constraints = Constraints(
        stabilisation_days=7, override_reason="admitted for surgery next month, start earlier"
    )
    plan = propose(_request((22.0, "1"), add_finer_products=False, constraints=constraints))
    assert plan.largest_step_pct <= 25
    assert not plan.complete  # it stops and asks for a liquid rather than cutting 50 %


def test_a_stop_is_never_from_more_than_the_label_s_last_step() -> None:
    only_1_mg = parse_products("tablet 1 mg", drug="clonazepam", source="x", known=TABLETS)
    constraints = Constraints(override_reason="reference regimen for a short-term user")
    plan = propose(
        _request((22.0, "1"), products=only_1_mg, add_finer_products=False, constraints=constraints)
    )
    assert plan.steps[-1].daily.mg > 0
    assert not plan.complete
    assert any("cannot stop from 1 mg" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"age_years": 70}, "BEERS-2023"),
        ({"conditions": ("seizure history",)}, "["),
        ({"conditions": ("pregnant",)}, "["),
        ({"conditions": ("breastfeeding",)}, "["),
        ({"conditions": ("sleep apnoea",)}, "["),
        ({"conditions": ("cirrhosis",)}, "["),
        ({"conditions": ("depression",)}, "["),
        ({"conditions": ("alcohol use disorder",)}, "["),
        ({"other_medicines": ("oxycodone",)}, "["),
        ({"use_months": Decimal(6)}, "3 months"),
    ],
)
def test_high_risk_contexts_are_flagged_with_their_source(
    changes: dict[str, object], fragment: str
) -> None:
    baseline = propose(_request((22.0, "0.25"), products=CLONAZEPAM.products))
    plan = propose(_request((22.0, "0.25"), products=CLONAZEPAM.products, **changes))
    added = [w for w in plan.warnings if w not in baseline.warnings]
    assert added, changes
    assert all(fragment in w and "[" in w for w in added), added


def test_a_high_dose_is_flagged_by_every_equivalence_source() -> None:
    plan = propose(_request((22.0, "2")))
    (flag,) = [w for w in plan.warnings if w.startswith("high dose")]
    assert "ASHTON" in flag
    assert "VADOD-2021" in flag


def _planned(drug: str, doses: tuple[tuple[str, str], ...], **fields: str) -> Plan:
    from taperline.plan_input import PlanSpec, build_request

    spec = PlanSpec(drug=drug, doses=doses, start="2027-03-04", **fields)
    return propose(build_request(load_catalogue(), spec, today=date(2027, 3, 1)))


def test_a_switch_note_says_the_sources_disagree_only_when_they_do() -> None:
    both = (("50 mg", "08:00"), ("10 mg", "22:00"))
    agree = _planned("chlordiazepoxide", both, strategy="crossover")
    notes = [s.note for s in agree.steps if "switch changes" in s.note]
    assert notes
    assert all("0 % by ASHTON; 0 % by VADOD-2021" in n and "disagree" not in n for n in notes)
    differ = _planned("clonazepam", (("1 mg", "22:00"),), strategy="crossover")
    assert any("(the sources disagree)" in s.note for s in differ.steps)


def test_a_bigger_cut_names_the_dose_it_could_not_make_exactly() -> None:
    plan = _planned("clonazepam", (("1 mg", "22:00"),))
    notes = [s.note for s in plan.steps if "cannot make" in s.note]
    assert notes
    for step in plan.steps:
        if "cannot make" in step.note:
            wanted = step.note.split("cannot make ")[1].split(", so")[0]
            assert wanted != f"{step.daily.mg.normalize()} mg", step.note  # never 'make X ... to X'
