"""A clinician's custom steps, and the crossover to diazepam."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from taperline.core import plan_limits, rules
from taperline.core.catalogue import Drug
from taperline.core.plan.model import DIAZEPAM, PlannedDose, PlanStep
from taperline.core.plan.taper import _after_holds, _replace_dose, _taper
from taperline.core.plan.walk import _reference_ratio, _source_for, _start_walk, _step, _Walk
from taperline.core.quantity import Mass, fmt
from taperline.core.strategies import CustomStep, Strategy, nice_diazepam_bands
from taperline.errors import InputError, SafetyError

# --- custom and crossover -------------------------------------------------------------------


def _custom(walk: _Walk, steps: tuple[CustomStep, ...]) -> None:
    dates = [s.start for s in steps]
    if dates != sorted(dates):
        raise InputError(
            "custom steps must be listed in date order: check the dates "
            f"({', '.join(d.isoformat() for d in dates)})"
        )
    _check_custom_holds(walk, steps)
    _ignored_for_custom(walk)
    for custom in steps:
        current = walk.steps[-1]
        if custom.start <= current.start:
            raise InputError(
                f"custom step on {custom.start.isoformat()} is not after the previous step "
                f"({current.start.isoformat()})"
            )
        _check_custom_max(walk, custom)
        doses = _split_custom(walk, current, custom.daily, custom)
        rule = custom.reason or "clinician's custom step"
        step = _step(walk, custom.start, doses, current, rule, "clinician", reason=custom.reason)
        _check_custom_makeable(walk, step, custom)
        walk.steps.append(_custom_note(step, current))
    if walk.steps[-1].daily.mg > walk.request.goal.mg:
        walk.complete = False
        walk.warnings.append(
            f"the custom plan ends at {fmt(walk.steps[-1].daily)} a day, above the goal "
            f"of {fmt(walk.request.goal)}"
        )


def _check_custom_holds(walk: _Walk, steps: tuple[CustomStep, ...]) -> None:
    """Custom steps give their own dates: one inside a hold is refused, never moved."""
    for custom in steps:
        for hold in walk.request.constraints.holds:
            end = hold.start + timedelta(days=hold.days)
            if hold.start <= custom.start < end:
                raise InputError(
                    f"custom step on {custom.start.isoformat()} falls inside the hold from "
                    f"{hold.start.isoformat()} for {hold.days} days: date it on or after "
                    f"{end.isoformat()}, or shorten the hold"
                )


def _ignored_for_custom(walk: _Walk) -> None:
    """Settings of the strategies that custom steps do not use: said, never silently dropped."""
    request, constraints = walk.request, walk.request.constraints
    unused = [
        name
        for name, given in (
            ("a final hold", constraints.final_hold_days > 0),
            ("a smallest cut", constraints.min_step is not None),
            ("alternate days", request.alternate_days),
        )
        if given
    ]
    if unused:
        walk.warnings.append(
            f"custom steps give every date and dose themselves: {', '.join(unused)} "
            "was not applied (write it into the steps)"
        )


def _check_custom_max(walk: _Walk, custom: CustomStep) -> None:
    """Refuse a custom daily dose above the daily maximum (before making it of products)."""
    limit = walk.limits.daily_max.get(walk.drug.name)
    if limit is not None and custom.daily.mg > limit.max_mg.mg:
        raise SafetyError(
            f"custom step on {custom.start.isoformat()} ({fmt(custom.daily)} a day) exceeds the "
            f"daily maximum of {walk.drug.label}, {fmt(limit.max_mg)} for {limit.applies_to} "
            f"[{limit.source}]"
        )


def _custom_note(step: PlanStep, previous: PlanStep) -> PlanStep:
    """Record a clinician's increase in the step's note (the rules check its reason)."""
    if step.daily.mg > previous.daily.mg:
        return replace(step, note=f"increase by the clinician: {step.rule}")
    return step


def _split_custom(
    walk: _Walk, current: PlanStep, daily: Mass, custom: CustomStep
) -> tuple[PlannedDose, ...]:
    """Keep the dose times; the change goes to the largest dose (as in the taper loop)."""
    if daily.mg == 0:
        return ()
    if not current.doses:
        raise InputError(
            f"custom step on {custom.start.isoformat()} restarts after stopping: not allowed"
        )
    change = current.daily.mg - daily.mg
    target = max(current.doses, key=lambda d: (d.amount.mg, -d.clock_h))
    amount = target.amount.mg - change
    if amount < 0:
        raise InputError(
            f"custom step on {custom.start.isoformat()}: {fmt(daily)} a day cannot be reached "
            "by changing one dose; use smaller steps"
        )
    return _replace_dose(walk, current.doses, target, amount)


def _check_custom_makeable(walk: _Walk, step: PlanStep, custom: CustomStep) -> None:
    if any(d.composition is None for d in step.doses):
        raise InputError(
            f"custom step on {custom.start.isoformat()}: {fmt(step.daily)} cannot be made from "
            f"the products ({', '.join(p.label for p in walk.products)})"
        )


def _crossover(walk: _Walk, when: date) -> None:
    """Swap to diazepam one dose at a time (night dose first), then taper diazepam [NICE-CKS]."""
    request = walk.request
    target = request.target
    if target is None or target.name != DIAZEPAM:
        raise InputError("a crossover needs diazepam in the catalogue as its target")
    if request.drug.name == DIAZEPAM:
        raise InputError("the drug is already diazepam: choose another strategy")
    _check_crossover_max(walk, target)
    swap = _start_walk(request, target, request.target_products)
    smallest = {**walk.limits.smallest, **swap.limits.smallest}
    swap.limits = replace(walk.limits, smallest=smallest)
    swap.steps, swap.warnings = walk.steps, walk.warnings
    for dose in sorted(walk.steps[-1].doses, key=lambda d: -d.clock_h):
        when = _after_holds(swap, when)  # no switch inside a hold either
        _swap_one(swap, dose, when)
        when += timedelta(days=request.strategy.swap_days)
    walk.drug, walk.solver, walk.products = swap.drug, swap.solver, swap.products
    walk.ratio, walk.solver_max, walk.limits = swap.ratio, swap.solver_max, swap.limits
    then = request.strategy.then or Strategy(kind="fixed", bands=nice_diazepam_bands())
    if then.kind == "fixed" and not then.bands:
        then = replace(then, bands=nice_diazepam_bands(then.interval_days))
    _taper(walk, then, when)


def _check_crossover_max(walk: _Walk, target: Drug) -> None:
    """Refuse a crossover whose diazepam dose would be above diazepam's daily maximum."""
    equivalent = walk.steps[-1].reference_daily
    daily_max = plan_limits.daily_max(target, walk.request.indication)
    if daily_max is None or equivalent.mg <= daily_max.max_mg.mg:
        return
    source = walk.request.equivalence_source or walk.request.drug.equivalences[0].source
    raise SafetyError(
        f"a crossover would need {target.label} {fmt(equivalent)} a day (equivalence "
        f"[{source}]), above its daily maximum of {fmt(daily_max.max_mg)} [{daily_max.source}]: "
        f"taper {walk.request.drug.label} first or choose another strategy"
    )


def _swap_one(walk: _Walk, dose: PlannedDose, when: date) -> None:
    request = walk.request
    ratio = _reference_ratio(request.drug, request.equivalence_source)
    equivalent = dose.amount.mg * ratio
    amount = walk.solver.nearest_at_or_below(Mass.of_mg(equivalent))
    if amount is None or amount.total.mg < equivalent * Decimal("0.75"):
        raise InputError(
            f"the {dose.clock} dose ({fmt(dose.amount)}) equals {fmt(Mass.of_mg(equivalent))} "
            "of diazepam, which the diazepam products cannot make closely; add products"
        )
    current = walk.steps[-1]
    new = PlannedDose(dose.clock_h, DIAZEPAM, amount.total, amount)
    doses = tuple(new if d == dose else d for d in current.doses)
    source = request.equivalence_source or request.drug.equivalences[0].source
    rule = (
        f"switch the {dose.clock} dose to diazepam {fmt(amount.total)} (equivalence "
        f"{fmt(request.drug.equivalence(_source_for(request.drug, source)).dose_mg)} = diazepam "
        f"10 mg [{source}]), one dose at a time, night dose first"
    )
    step = _step(walk, when, doses, current, rule, "NICE-CKS")
    walk.steps.append(replace(step, note=_switch_note(walk, current, step)))


def _switch_note(walk: _Walk, before: PlanStep, after: PlanStep) -> str:
    """The switch's change by every equivalence source, e.g. '0 % by ASHTON; ...'."""
    changes = rules.switch_changes(_daily_by_drug(before), _daily_by_drug(after), walk.limits)
    described = [(rules.describe_change(c), source) for source, c in changes]
    shown = "; ".join(f"{change} by {source}" for change, source in described)
    agree = len({change for change, _ in described}) <= 1
    return f"this switch changes the daily dose by {shown}" + (
        "" if agree else " (the sources disagree)"
    )


def _daily_by_drug(step: PlanStep) -> dict[str, Mass]:
    totals: dict[str, Decimal] = {}
    for dose in step.doses:
        totals[dose.drug] = totals.get(dose.drug, Decimal(0)) + dose.amount.mg
    return {drug: Mass.of_mg(mg) for drug, mg in totals.items()}
