"""Hypothesis properties of the taper planner over generated plans (issue section 8).

Every invariant of the safety rules (issue section 5) is checked on every step of every
generated plan: about 10,000 plans in all (see ``EXAMPLES``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from taperline.core.plan import END_PHASE_DIAZEPAM_MG, Plan, PlanRequest, PlanStep, propose
from taperline.core.products import Product
from taperline.errors import TaperlineError
from tests.strategies import plan_requests

#: Generated plans per property test; four tests of 2,500 give 10,000 plans.
EXAMPLES = 2_500
_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the first plan of a product set builds its solver table
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_HUNDRED = Decimal(100)
_PRODUCT_WORDS = ("liquid", "compounded", "products", "tablets")


def _plan(request: PlanRequest) -> Plan:
    try:
        return propose(request)
    except TaperlineError as exc:  # pragma: no cover -- a valid request must give a plan
        pytest.fail(f"valid request refused: {type(exc).__name__}: {exc}")


def _incomplete_is_explained(plan: Plan) -> None:
    if not plan.complete:
        assert any(any(word in w for word in _PRODUCT_WORDS) for w in plan.warnings), plan.warnings


def _window_highest(steps: tuple[PlanStep, ...], index: int, days: int) -> Decimal:
    """Highest reference daily dose taken in the ``days`` before ``steps[index]`` starts."""
    window_start = steps[index].start - timedelta(days=days)
    before = [s for s in steps[:index] if s.start <= window_start]
    recent = [s for s in steps[:index] if s.start > window_start]
    return max(s.reference_daily.mg for s in [*recent, *before[-1:]])


def _is_final_stop(request: PlanRequest, plan: Plan, index: int) -> bool:
    step, previous = plan.steps[index], plan.steps[index - 1]
    return step.daily.mg == 0 and index == len(plan.steps) - 1 and len(previous.doses) == 1


def check_cap(request: PlanRequest, plan: Plan) -> None:
    """No fall beyond the cap in any window (reference mg, over the cap window), except the
    documented end phase (at most diazepam 0.5 mg equivalent within the window) and the
    final stop."""
    constraints = request.constraints
    for index in range(1, len(plan.steps)):
        step = plan.steps[index]
        highest = _window_highest(plan.steps, index, constraints.cap_window_days)
        floor = highest * (1 - constraints.max_cut_pct / _HUNDRED)
        if step.reference_daily.mg >= floor or _is_final_stop(request, plan, index):
            continue
        fall = highest - step.reference_daily.mg
        assert fall <= END_PHASE_DIAZEPAM_MG, (index, step)
        assert "end phase" in step.note or step.every_other_day, step.note


def check_never_increases(plan: Plan) -> None:
    for previous, step in zip(plan.steps, plan.steps[1:], strict=False):
        assert step.reference_daily.mg <= previous.reference_daily.mg, (previous, step)
        assert step.start >= previous.start
        before = {(d.clock_h, d.drug): d.amount.mg for d in previous.doses}
        clocks = {d.clock_h for d in previous.doses}
        for dose in step.doses:
            assert dose.clock_h in clocks, (previous, step)  # no new dose time
            if (dose.clock_h, dose.drug) in before:  # same drug at that time: never more
                assert dose.amount.mg <= before[dose.clock_h, dose.drug], (previous, step)


def _allowed(request: PlanRequest) -> set[Product]:
    allowed = set(request.drug.products if request.products is None else request.products)
    allowed |= {p for p in request.drug.products if p.form == "liquid"}  # finer products added
    if request.target is not None:
        allowed |= set(request.target.products)
    return allowed


def check_units(request: PlanRequest, plan: Plan) -> None:
    """Each dose is the sum of its units, of allowed products, split only along scores."""
    allowed = _allowed(request)
    for step in plan.steps:
        assert step.daily.mg == sum((d.amount.mg for d in step.doses), Decimal(0))
        for dose in step.doses:
            assert dose.composition is not None, (step, dose)
            assert dose.composition.total == dose.amount, dose
            assert dose.amount.mg > 0
            for unit in dose.composition.units:
                assert unit.product in allowed, unit.product.label
                if unit.is_liquid:
                    assert unit.product.resolution is not None
                    assert unit.count % unit.product.resolution.ml == 0
                else:
                    assert (unit.count * unit.product.divisible_by) % 1 == 0, unit.label


def check_end(request: PlanRequest, plan: Plan) -> None:
    """Complete plans end at the goal; at zero only from the smallest makeable dose."""
    _incomplete_is_explained(plan)
    if not plan.complete:
        return
    last = plan.steps[-1]
    goal = request.goal if request.strategy.kind != "crossover" else request.goal * 0
    assert last.daily == goal, (last, goal)
    if goal.mg == 0:
        before = plan.steps[-2]
        assert len(before.doses) == 1, before
        assert "stop from the smallest dose the products make" in last.rule


def check_start(request: PlanRequest, plan: Plan) -> None:
    first = plan.steps[0]
    assert first.start == request.start
    assert first.change_pct is None
    assert sorted(d.amount for d in first.doses) == sorted(d.amount for d in request.regimen)
    if len(plan.steps) > 1:
        stabilised = request.start + timedelta(days=request.constraints.stabilisation_days)
        assert plan.steps[1].start >= stabilised


def check_daily_max(request: PlanRequest, plan: Plan) -> None:
    drugs = {request.drug.name: request.drug}
    if request.target is not None:
        drugs[request.target.name] = request.target
    for step in plan.steps:
        for name, drug in drugs.items():
            taken = sum((d.amount.mg for d in step.doses if d.drug == name), Decimal(0))
            assert drug.daily_max_mg is not None
            assert taken <= drug.daily_max_mg.value.mg, (name, step)


@pytest.mark.slow
@_SETTINGS
@given(plan_requests())
def test_doses_never_increase_and_cuts_stay_within_the_cap(request: PlanRequest) -> None:
    plan = _plan(request)
    check_never_increases(plan)
    check_cap(request, plan)
    _incomplete_is_explained(plan)


@pytest.mark.slow
@_SETTINGS
@given(plan_requests())
def test_every_dose_is_made_of_units_within_the_daily_maximum(request: PlanRequest) -> None:
    plan = _plan(request)
    check_units(request, plan)
    check_daily_max(request, plan)


@pytest.mark.slow
@_SETTINGS
@given(plan_requests())
def test_plans_start_after_stabilisation_and_end_at_the_goal(request: PlanRequest) -> None:
    plan = _plan(request)
    check_start(request, plan)
    check_end(request, plan)


@pytest.mark.slow
@_SETTINGS
@given(plan_requests())
def test_the_same_input_gives_the_same_plan_and_every_invariant(request: PlanRequest) -> None:
    plan = _plan(request)
    assert propose(request) == plan
    assert plan.status == "proposed"
    for check in (check_cap, check_units, check_end, check_start, check_daily_max):
        check(request, plan)
    check_never_increases(plan)
