"""The taper loop: each cut the strategy proposes, made of the products and held to the rules."""

from __future__ import annotations

import bisect
import math
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from taperline.core import rules
from taperline.core.catalogue import Drug
from taperline.core.guideline import (
    END_PHASE_DIAZEPAM_MG,
    GUIDELINE,
    LABEL_STEP_DAYS,
    LABEL_STEP_DIAZEPAM_MG,
    LABEL_STEP_MG,
    OVERRIDE_SOURCE,
)
from taperline.core.pk import steady_state
from taperline.core.plan.model import (
    _HUNDRED,
    ALTERNATE_DAY_INTERVAL_H,
    COARSE_FACTOR,
    MAX_STEPS,
    MAX_WAIT_DAYS,
    PlannedDose,
    PlanStep,
)
from taperline.core.plan.walk import _makeable, _pk_or_none, _ratio_for, _smallest, _step, _Walk
from taperline.core.products import Product, dose_solver
from taperline.core.quantity import Mass, fmt, fmt_number
from taperline.core.strategies import Strategy

# --- the taper loop -------------------------------------------------------------------------


def _taper(walk: _Walk, strategy: Strategy, when: date) -> None:
    start_total = walk.steps[-1].daily
    goal = walk.request.goal if walk.drug.name == walk.request.drug.name else Mass.zero()
    index = 0
    while walk.steps[-1].daily.mg > goal.mg:
        if len(walk.steps) > MAX_STEPS:
            walk.warnings.append(f"stopped after {MAX_STEPS} steps: the plan is too long to show")
            walk.complete = False
            return
        when = _after_holds(walk, when)
        interval = _next(walk, strategy, when, start_total, goal, index)
        if interval is None:
            return
        when += timedelta(days=interval)
        index += 1


def _after_holds(walk: _Walk, when: date) -> date:
    for hold in sorted(walk.request.constraints.holds, key=lambda h: h.start):
        end = hold.start + timedelta(days=hold.days)
        if hold.start <= when < end:
            walk.warnings.append(
                f"no cut from {hold.start.isoformat()} for {hold.days} days (hold requested): "
                f"the step moves to {end.isoformat()}"
            )
            when = end
    return when


def _next(  # noqa: PLR0917 -- internal; the walk's loop state, passed through once
    walk: _Walk, strategy: Strategy, when: date, start_total: Mass, goal: Mass, index: int
) -> int | None:
    """Add the next step; return the days until the one after, or None when finished."""
    current = walk.steps[-1]
    if goal.mg == 0 and _is_smallest(walk, current):
        if current.daily.mg > rules.stop_allowance(walk.drug.name, walk.limits).mg:
            # Nothing smaller can be made, and this is too much to stop from at once.
            return 0 if _stuck(walk, when, Mass.zero()) else None
        _final_step(walk, when)
        return None
    ideal = strategy.next_step(current=current.daily, start=start_total, step_index=index)
    target = _apply_min_step(walk, current.daily, ideal.ideal, goal)
    floor = walk.lowest_allowed(when)
    doses = _allocate(walk, current, target, floor, goal)
    if doses is None and _rate_holds_back(walk, current, target, when, goal):
        walk.waited += 1  # the label's rate allows no cut yet: try the next day
        return 1
    if doses is None or _too_coarse(walk, current, doses, target):
        return 0 if _stuck(walk, when, target) else None
    # A value beyond the guideline cites the override, never the guideline's source.
    source = OVERRIDE_SOURCE if walk.overridden else ideal.source
    step = _step(walk, when, doses, current, ideal.rule, source)
    walk.steps.append(_annotate(walk, step, current, target))
    walk.waited = 0
    return ideal.interval_days


def _rate_holds_back(walk: _Walk, current: PlanStep, target: Mass, when: date, goal: Mass) -> bool:
    """Whether only the label's rate stops a cut today (it allows one on a later day)."""
    if walk.waited >= MAX_WAIT_DAYS:
        return False
    floor = walk.lowest_allowed(when, rate=False)
    return _allocate(walk, current, target, floor, goal) is not None


def _too_coarse(
    walk: _Walk, current: PlanStep, doses: tuple[PlannedDose, ...], target: Mass
) -> bool:
    """True when the products force a cut over 1.5x the planned one and finer ones exist."""
    planned = current.daily.mg - target.mg
    actual = current.daily.mg - sum((d.amount.mg for d in doses), Decimal(0))
    return (
        walk.request.add_finer_products
        and planned > 0
        and actual > planned * COARSE_FACTOR
        and bool(_finer_products(walk))
    )


def _apply_min_step(walk: _Walk, current: Mass, ideal: Mass, goal: Mass) -> Mass:
    min_step = walk.request.constraints.min_step
    target = ideal
    if min_step is not None and current.mg - ideal.mg < min_step.mg:
        target = Mass.of_mg(current.mg - min_step.mg)
    return Mass.of_mg(max(target.mg, goal.mg, Decimal(0)))


def _allocate(
    walk: _Walk, current: PlanStep, target: Mass, floor: Decimal, goal: Mass
) -> tuple[PlannedDose, ...] | None:
    """Cut one dose (largest first; ties: earliest, so the bedtime dose is kept longest).

    ``floor`` is the lowest reference dose the rules allow (cap, end phase, label rate).
    """
    cut = current.daily.mg - target.mg
    ratio = _ratio_for(walk, walk.drug.name)
    order = sorted(
        (d for d in current.doses if d.drug == walk.drug.name),
        key=lambda d: (-d.amount.mg, d.clock_h),
    )
    for dose in order:
        others = current.reference_daily.mg - dose.amount.mg * ratio
        by_rules = (floor - others) / ratio
        by_goal = (goal.mg * ratio - others) / ratio
        lowest = max(by_rules, by_goal, Decimal(0))
        # Zero only for one of several doses; the last dose stops in the final step.
        if others == 0 and lowest == 0:
            lowest = _smallest(walk.solver).mg
        amount = _choose(walk, dose.amount.mg - cut, lowest, dose.amount.mg)
        if amount is not None:
            return _replace_dose(walk, current.doses, dose, amount)
    return None


def _choose(walk: _Walk, ideal: Decimal, lowest: Decimal, below: Decimal) -> Decimal | None:
    """The makeable amount in [lowest, below) nearest to ideal (ties: the larger, gentler)."""
    amounts = _makeable(walk)  # ascending, each once
    first, end = bisect.bisect_left(amounts, lowest), bisect.bisect_left(amounts, below)
    if first >= end:
        return None
    # The nearest is the first at or above ideal or the one before it (the larger on a tie).
    above = min(max(bisect.bisect_left(amounts, ideal, first, end), first), end - 1)
    if above > first and ideal - amounts[above - 1] < abs(amounts[above] - ideal):
        return amounts[above - 1]
    return amounts[above]


def _replace_dose(
    walk: _Walk, doses: tuple[PlannedDose, ...], old: PlannedDose, amount: Decimal
) -> tuple[PlannedDose, ...]:
    mass = Mass.of_mg(amount)
    new = PlannedDose(old.clock_h, old.drug, mass, walk.solver.make(mass))
    return tuple(new if d is old else d for d in doses if not (d is old and amount == 0))


def _annotate(walk: _Walk, step: PlanStep, previous: PlanStep, target: Mass) -> PlanStep:
    """Explain deviations: a bigger cut than the rule, a smaller one, the end phase, a wait."""
    notes = []
    if walk.waited:
        notes.append(
            f"comes {walk.waited} day{'s' if walk.waited != 1 else ''} later than the strategy's "
            f"interval: the fastest documented discontinuation ({_label_rate_text(walk)}) "
            "allows no sooner cut"
        )
    if target.mg > step.daily.mg:
        planned = (previous.daily.mg - target.mg) / previous.daily.mg * _HUNDRED
        actual = (previous.daily.mg - step.daily.mg) / previous.daily.mg * _HUNDRED
        actual_text, planned_text = rules.pct_text(actual), rules.pct_text(planned)
        if actual_text != planned_text:
            notes.append(
                f"cuts {actual_text} %, more than the rule's {planned_text} %: the products "
                f"cannot make {_exact(target, step.daily)}, so this step goes to "
                f"{fmt(step.daily)}"
            )
    if step.daily.mg > target.mg:
        notes.extend(_held_back(walk, step, previous, target))
    days, refs = walk.history()
    highest, _ = rules.window_highest(days, refs, step.start, GUIDELINE.window_days)
    pct_floor = highest * (1 - GUIDELINE.max_cut_pct / _HUNDRED)
    if highest - walk.limits.end_phase <= step.reference_daily.mg < pct_floor:
        notes.append(
            "end phase: a fall of at most diazepam 0.5 mg equivalent in 14 days, allowed "
            "beyond the percentage cap [NICE-CKS]; symptoms may increase near the end "
            "[ASAM-2025]"
        )
    return replace(step, note="; ".join(notes)) if notes else step


def _exact(amount: Mass, other: Mass) -> str:
    """``amount`` with places enough never to read as ``other`` (0.4005 mg, not 0.4 mg)."""
    places = 3
    while fmt(amount, places=places) == fmt(other, places=places) and places < 6:  # noqa: PLR2004
        places += 1
    return fmt(amount, places=places)


def _label_rate_text(walk: _Walk) -> str:
    """The label's fastest rate in words, as its diazepam equivalent for another drug."""
    if walk.drug.name == "clonazepam":
        return f"{fmt(Mass.of_mg(LABEL_STEP_MG))} a day every {LABEL_STEP_DAYS} days [LABEL]"
    return (
        f"{fmt(Mass.of_mg(LABEL_STEP_MG))} of clonazepam a day every {LABEL_STEP_DAYS} days "
        f"[LABEL], diazepam {fmt(Mass.of_mg(LABEL_STEP_DIAZEPAM_MG))} equivalent [VADOD-2021]"
    )


def _held_back(walk: _Walk, step: PlanStep, previous: PlanStep, target: Mass) -> list[str]:
    """Why a step cuts less than the strategy asked: the label's rate or the cap."""
    ratio = _ratio_for(walk, walk.drug.name)
    mine = sum((d.amount.mg for d in previous.doses if d.drug == walk.drug.name), Decimal(0))
    target_ref = previous.reference_daily.mg - (mine - target.mg) * ratio
    days, refs = walk.history()
    if target_ref < rules.label_rate_floor(days, refs, step.start, walk.label_step):
        return [
            f"the strategy's cut to {fmt(target, places=3)} would be faster than the fastest "
            f"documented discontinuation ({_label_rate_text(walk)}): this step goes to "
            f"{fmt(step.daily)} instead"
        ]
    if target_ref >= walk.lowest_allowed(step.start):
        return []
    constraints = walk.request.constraints
    return [
        f"the strategy's cut to {fmt(target, places=3)} is above the "
        f"{fmt_number(constraints.max_cut_pct)} % cap per {constraints.cap_window_days} "
        f"days: this step goes to {fmt(step.daily)} instead [ASAM-2025]"
    ]


def _is_smallest(walk: _Walk, step: PlanStep) -> bool:
    """True when the daily dose is one dose of the smallest makeable amount."""
    if len(step.doses) != 1 or step.doses[0].drug != walk.drug.name:
        return False
    return step.daily == _smallest(walk.solver)


def _final_step(walk: _Walk, when: date) -> None:
    current = walk.steps[-1]
    request = walk.request
    if request.alternate_days:
        alternate = _alternate(walk, when, current)
        if alternate is not None:
            current = alternate
            when = current.start + timedelta(days=_alternate_days(walk))
    when += timedelta(days=request.constraints.final_hold_days)
    rule = f"stop from the smallest dose the products make ({fmt(current.daily)})"
    walk.steps.append(_step(walk, when, (), current, rule, "ASAM-2025"))
    if current.reference_daily.mg > END_PHASE_DIAZEPAM_MG:
        walk.warnings.append(
            f"the last step stops {fmt(current.daily)} of {walk.drug.label} at once, more than "
            "diazepam 0.5 mg equivalent (within the label's last step of 0.25 mg a day "
            "[LABEL]): a liquid or a smaller compounded strength would make it gentler"
        )


def _alternate_days(walk: _Walk) -> int:
    return walk.request.strategy.interval_days


def _alternate(walk: _Walk, when: date, current: PlanStep) -> PlanStep | None:
    """An every-other-day step before zero, with the predicted concentration swing.

    Taken every other day the dose halves on average: when that is a fall the rules do not
    allow (the cap, without an override), the plan says so and stops from the daily dose.
    """
    note = _alternate_swing(walk.drug, current.doses[0].amount)
    step = _step(walk, when, current.doses, current, "alternate days before stopping", "ASHTON")
    half = Mass.of_mg(step.reference_daily.mg / 2)
    if half.mg < walk.lowest_allowed(when):
        walk.warnings.append(
            f"alternate days were not added: {fmt(current.daily)} every other day halves the "
            "daily dose, a fall above the cap (ask for a liquid to make smaller steps, or give "
            "an override reason)"
        )
        return None
    step = replace(
        step, every_other_day=True, note=note, reference_daily=half, change_pct=Decimal(-50)
    )
    walk.steps.append(step)
    return step


def _alternate_swing(drug: Drug, amount: Mass) -> str:
    """The predicted concentration swing of one dose every 48 h.

    With a PK model: trough and peak in ng/mL. Without one (most drugs of the catalogue):
    the trough as a share of the peak from the half-life alone (first-order elimination
    over 48 h, absorption ignored), so no concentration is invented.
    """
    params = _pk_or_none(drug)
    if params is not None:
        state = steady_state(params, amount.mg_float, ALTERNATE_DAY_INTERVAL_H)
        return (
            f"every other day: predicted level swings between {state.trough_ng_per_ml:.2f} and "
            f"{state.peak_ng_per_ml:.2f} ng/mL ({state.fluctuation_pct:.0f} % of the average)"
        )
    half_life = drug.half_life_h.typical
    trough = 100.0 * math.exp(-math.log(2.0) * ALTERNATE_DAY_INTERVAL_H / half_life)
    return (
        f"every other day: predicted level falls to about {trough:.0f} % of its peak before "
        f"the next dose (from the half-life of about {fmt_number(half_life)} h; the catalogue "
        f"has no concentration model for {drug.label})"
    )


def _stuck(walk: _Walk, when: date, target: Mass) -> bool:
    """The products cannot make the cut (within the rules, or near the plan).

    Add finer products and retry (True), or stop and say so (False). A product the person
    did not list is only added with a warning that says so.
    """
    finer = _finer_products(walk)
    if walk.request.add_finer_products and finer:
        walk.products = (*walk.products, *finer)
        walk.solver = dose_solver(
            walk.products, walk.solver_max, max_measure=walk.request.max_measure
        )
        smallest = {**walk.limits.smallest, walk.drug.name: _smallest(walk.solver)}
        walk.limits = replace(walk.limits, smallest=smallest)
        labels = ", ".join(p.label for p in finer)
        listed = walk.request.products is not None and walk.drug is walk.request.drug
        added = (
            f"adds {labels}, which was not in your product list"
            if listed
            else (f"continues with {labels}")
        )
        walk.warnings.append(
            f"from {when.isoformat()} the cuts are smaller than the tablets allow: the plan "
            f"{added} (ask the pharmacy; a compounded product may be needed)"
        )
        walk.steps[-1] = replace(walk.steps[-1], doses=_remake(walk, walk.steps[-1].doses))
        return True
    walk.complete = False
    current = walk.steps[-1].daily
    liquid = next((p.label for p in walk.products if p.form == "liquid"), None)
    ask = (
        f"the products, {liquid} included, make nothing finer: ask for a compounded strength "
        "or a finer syringe"
        if liquid
        else "ask for a liquid (oral suspension measured with an oral syringe) or a compounded "
        "strength"
    )
    if target.mg == 0:
        walk.warnings.append(
            f"cannot stop from {fmt(current)} on {when.isoformat()}: that is more than a plan "
            "may stop from at once (the label's last step is 0.25 mg a day [LABEL]) and "
            f"nothing smaller can be made; {ask}. Do not stop at once"
        )
        return False
    cut = current.mg - target.mg
    walk.warnings.append(
        f"cannot continue from {fmt(current)} on {when.isoformat()}: the next cut "
        f"({fmt(Mass.of_mg(cut), places=3)}) is smaller than the products allow within the "
        f"rules; {ask}. Do not take bigger cuts"
    )
    return False


def _finer_products(walk: _Walk) -> tuple[Product, ...]:
    """The catalogue's liquid whose step is finer than anything on hand (at most one).

    Never a second liquid concentration beside one already on hand: two concentrations of
    one drug invite a 4- to 25-fold measuring mix-up.
    """
    found = walk.finer
    if found is not None and found[0] is walk.products and found[1] is walk.drug:
        return found[2]  # asked at most steps, while the products and the drug stay the same
    finer = _find_finer(walk)
    walk.finer = (walk.products, walk.drug, finer)
    return finer


def _find_finer(walk: _Walk) -> tuple[Product, ...]:
    have = set(walk.products)
    if any(p.form == "liquid" for p in have):
        return ()
    finest = min(p.step.mg for p in walk.products)
    finer = [
        p for p in walk.drug.products if p.form == "liquid" and p not in have and p.step.mg < finest
    ]
    # The finest: for clonazepam the 0.1 mg/mL suspension, not the drops sold only abroad.
    return tuple(sorted(finer, key=lambda p: p.step.mg))[:1]


def _remake(walk: _Walk, doses: tuple[PlannedDose, ...]) -> tuple[PlannedDose, ...]:
    return tuple(
        replace(d, composition=walk.solver.make(d.amount)) if d.drug == walk.drug.name else d
        for d in doses
    )
