"""The taper planner: a proposal of steps made of real products, each with its rule and source.

The planner walks from the current regimen to the goal. At each step a strategy proposes an
ideal daily dose (:mod:`taperline.core.strategies`); the planner makes it from the
available products, keeps it within what the rules allow and records why. Every plan it
returns has passed the one rules engine, :mod:`taperline.core.rules` (the same check a
stored plan's later edit or an imported plan passes):

* never an increase, except in a clinician's custom step with a written reason;
* never above the drug's daily maximum for the indication (a starting regimen above it is
  refused);
* no fall above the cap (25 % in any 14-day window [ASAM-2025]) unless an override reason
  is recorded; near the end a fall of at most diazepam 0.5 mg equivalent is allowed
  [NICE-CKS; SEED-MICROTAPER: "cuts as small as 0.025 mg"];
* settings beyond the guideline (a larger cap, a stabilisation under 14 days, a percent or
  interval that breaks the window) need an override reason; an overridden plan is marked
  "outside the guideline by clinician override: <reason>";
* never faster than the fastest documented discontinuation (0.25 mg a day every 3 days
  [LABEL]), and never an abrupt stop: the last step to zero comes from the smallest
  makeable dose; no override lifts these;
* when the products cannot make a cut within the rules, the plan says so and proposes a
  liquid or compounded strength instead of silently taking bigger cuts.

A plan is always ``proposed``: a clinician approves it.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from taperline.core import plan_limits, rules
from taperline.core.catalogue import Drug, Indication
from taperline.core.guideline import (
    END_PHASE_DIAZEPAM_MG,
    GUIDELINE,
    LABEL_STEP_DAYS,
    LABEL_STEP_DIAZEPAM_MG,
    LABEL_STEP_MG,
    OVERRIDE_SOURCE,
)
from taperline.core.pk import PKParams, steady_state, steady_state_occupancy
from taperline.core.products import (
    Composition,
    DoseSolver,
    Product,
    dose_solver,
    scoring_conflicts,
)
from taperline.core.quantity import Mass, Volume, fmt, fmt_number
from taperline.core.record import PlanBasis, RecordDose, RecordStep
from taperline.core.record import RecordSupply as SupplyLine
from taperline.core.regimen import ScheduledDose, daily_total, validate_schedule
from taperline.core.screening import (
    ADULT_AGE_YEARS,
    OWN_SOURCE,
    Screening,
    under_18_refusal,
)
from taperline.core.strategies import CustomStep, Strategy, nice_diazepam_bands
from taperline.errors import InputError, SafetyError

__all__ = [
    "END_PHASE_DIAZEPAM_MG",
    "Constraints",
    "Hold",
    "Plan",
    "PlanRequest",
    "PlanStep",
    "PlannedDose",
    "SupplyLine",
    "propose",
]

_HUNDRED = Decimal(100)
DIAZEPAM = "diazepam"
DIAZEPAM_REFERENCE_MG = Decimal(10)  # equivalences are "equivalent to diazepam 10 mg"
DEFAULT_MAX_MEASURE = Volume(Decimal(5))
HIGH_RISK_DIAZEPAM_MG = Decimal(15)  # [ASAM-2025] high withdrawal-risk band
# A cut more than 1.5 times the planned one means the products are too coarse for the strategy.
COARSE_FACTOR = Decimal("1.5")
#: Crossover to diazepam for these people needs a warning: diazepam accumulates with age and
#: liver disease [KLOTZ-1975; clinical-basis, Safety facts added 2026-12].
OLDER_ADULT_AGE_YEARS = 65  # [BEERS-2023]
MAX_STEPS = 400  # a plan longer than this is a modelling error, not a taper
#: The label's rate frees a cut within 45 days of the last one (15 steps of 0.25 mg over
#: 3 days each); waiting longer than this for it means something else holds the cut back.
MAX_WAIT_DAYS = 60
ALTERNATE_DAY_MIN_HALF_LIFE_H = 24.0  # alternate days only when levels span 48 h [ASHTON]
ALTERNATE_DAY_INTERVAL_H = 48.0


@dataclass(frozen=True, slots=True)
class Hold:
    """A period with no cut (holidays, exams, illness): steps inside it move to its end."""

    start: date
    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise InputError(
                f"a hold from {self.start.isoformat()} must last at least 1 day "
                f"(got {self.days}): its end cannot be before its start"
            )


@dataclass(frozen=True, slots=True)
class Constraints:
    """Safety constraints of a plan (the guideline's values by default).

    An ``override_reason`` lifts the guideline's cap and lets settings go beyond the
    guideline; it must be a sentence a colleague could audit
    (:func:`taperline.core.rules.check_reason`). A cap other than the guideline's is kept
    even with an override.
    """

    max_cut_pct: Decimal = GUIDELINE.max_cut_pct  # [ASAM-2025]
    cap_window_days: int = GUIDELINE.window_days  # [ASAM-2025]
    stabilisation_days: int = GUIDELINE.stabilisation_days  # [SEED-MICROTAPER]
    min_step: Mass | None = None
    holds: tuple[Hold, ...] = ()
    override_reason: str | None = None
    final_hold_days: int = 0

    def __post_init__(self) -> None:
        if not (0 < self.max_cut_pct < _HUNDRED):
            raise InputError("the cap must be between 0 and 100 %")
        if self.stabilisation_days < 1:
            # Step 0 is the current dose on the start day; the first cut comes after it.
            raise InputError("stabilisation must be at least 1 day before the first cut")
        if self.final_hold_days < 0:
            raise InputError("hold days cannot be negative")
        if self.cap_window_days < 1:
            raise InputError("the cap window must be at least 1 day")
        if self.override_reason is not None:
            reason = rules.check_reason(self.override_reason)
            object.__setattr__(self, "override_reason", reason)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything the planner needs; built and validated by the interfaces."""

    drug: Drug
    regimen: tuple[ScheduledDose, ...]
    start: date
    strategy: Strategy
    goal: Mass = field(default_factory=Mass.zero)
    constraints: Constraints = field(default_factory=Constraints)
    products: tuple[Product, ...] | None = None
    use_months: Decimal | None = None
    age_years: int | None = None
    conditions: tuple[str, ...] = ()
    other_medicines: tuple[str, ...] = ()
    equivalence_source: str | None = None
    target: Drug | None = None
    target_products: tuple[Product, ...] | None = None
    alternate_days: bool = False
    add_finer_products: bool = True
    # One oral-syringe measure holds at most this much, so tablets carry the bulk of a dose
    # and the liquid the fine part (taperline's assumption; None for no limit).
    max_measure: Volume | None = DEFAULT_MAX_MEASURE
    #: What the drug is taken for ("seizure", "panic", "sleep"); None: the lowest maximum.
    indication: Indication | None = None
    #: The person's today: a plan may not start before it (None when unknown, in tests).
    today: date | None = None
    #: What the other medicines, conditions and age mean for the drug
    #: (:func:`taperline.core.screening.screen`); the interfaces always give it.
    screening: Screening | None = None


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """One dose of a step: clock time, drug, amount and the units that make it."""

    clock_h: float
    drug: str
    amount: Mass
    composition: Composition | None

    @property
    def clock(self) -> str:
        """HH:MM."""
        return ScheduledDose(self.clock_h, self.amount).clock


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of the plan: from ``start`` these doses, because of ``rule`` [``source``]."""

    start: date
    doses: tuple[PlannedDose, ...]
    daily: Mass
    reference_daily: Mass
    change_pct: Decimal | None
    rule: str
    source: str
    occupancy_pct: float
    css_average_ng_per_ml: Mapping[str, float]
    every_other_day: bool = False
    note: str = ""
    reason: str = ""  # the clinician's reason written on a custom step

    @property
    def drugs(self) -> tuple[str, ...]:
        """The drugs taken in this step, in dose order."""
        return tuple(dict.fromkeys(dose.drug for dose in self.doses))


@dataclass(frozen=True, slots=True)
class Plan:
    """A taper proposal: steps, supply, warnings, assumptions; always ``proposed``."""

    drug: str
    strategy: str
    steps: tuple[PlanStep, ...]
    end: date
    complete: bool
    supply: tuple[SupplyLine, ...]
    warnings: tuple[str, ...]
    assumptions: Mapping[str, str]
    status: str = "proposed"
    basis: PlanBasis = field(default_factory=PlanBasis)
    #: What was recognised in the other medicines, conditions and age (None: not screened).
    screening: Screening | None = field(default=None, compare=False)
    #: The direct taper shown beside a crossover where diazepam accumulates (65+, liver).
    alternative: Plan | None = None

    @property
    def mark(self) -> str:
        """'outside the guideline by clinician override: <reason>', or '' within it."""
        return self.basis.mark

    @property
    def duration_days(self) -> int:
        """Days from the start of the plan to the last step (the first day at the goal)."""
        return (self.end - self.steps[0].start).days

    @property
    def largest_step_pct(self) -> Decimal:
        """The largest cut of any step, in % of the dose before it."""
        cuts = [-s.change_pct for s in self.steps if s.change_pct is not None and s.change_pct < 0]
        return max(cuts, default=Decimal(0))

    @property
    def smallest_dose_before_zero(self) -> Mass | None:
        """The last non-zero daily dose, when the plan ends at zero."""
        positive = [s for s in self.steps if s.daily.mg > 0]
        ends_at_zero = self.steps[-1].daily.mg == 0
        return positive[-1].daily if positive and ends_at_zero else None


# --- context --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Walk:
    """Mutable state of one planning walk (kept private; the result is frozen)."""

    request: PlanRequest
    drug: Drug
    solver: DoseSolver
    products: tuple[Product, ...]
    ratio: Decimal  # reference (diazepam-eq) mg per mg of the current drug
    solver_max: Mass
    limits: rules.Limits
    steps: list[PlanStep] = field(default_factory=list)
    #: The strategy's settings are beyond the guideline, allowed by the override.
    overridden: bool = False
    #: Days the next cut has waited for the label's rate.
    waited: int = 0
    warnings: list[str] = field(default_factory=list)
    complete: bool = True

    def history(self) -> tuple[list[date], list[Decimal]]:
        """Start dates and reference daily doses of the steps so far."""
        return [s.start for s in self.steps], [s.reference_daily.mg for s in self.steps]

    @property
    def label_step(self) -> Decimal:
        """The label's rate step for the drug tapered now (clonazepam, or its equivalent)."""
        return self.limits.label_step(self.drug.name == "clonazepam")

    @property
    def lift_cap(self) -> bool:
        """The override went beyond the guideline's cap or the strategy's settings.

        An override given for another setting (a shorter stabilisation, say) keeps the
        guideline's cap for the strategy's cuts.
        """
        constraints = self.request.constraints
        beyond = (
            constraints.max_cut_pct > GUIDELINE.max_cut_pct
            or constraints.cap_window_days < GUIDELINE.window_days
        )
        return bool(constraints.override_reason) and (beyond or self.overridden)

    def lowest_allowed(self, when: date, *, rate: bool = True) -> Decimal:
        """The lowest reference dose the rules allow for a new step on ``when``.

        ``rate=False`` leaves the label's rate out (to tell whether it alone holds a cut).
        """
        days, refs = self.history()
        step = self.label_step if rate else None
        return rules.lowest_allowed(days, refs, when, self.limits, step, self.lift_cap)


def propose(request: PlanRequest) -> Plan:
    """Propose a taper plan for the request (pure and deterministic).

    Raises:
        InputError: the request cannot be planned as given (the message says why).
        SafetyError: the plan would break a safety rule (the message names the rule, the
            guideline value and the fix).
    """
    regimen = validate_schedule(request.regimen)
    _check_start(request, regimen)
    walk = _start_walk(request, request.drug, request.products)
    first = _step(walk, request.start, _doses(walk, regimen), None, "current regimen", "")
    rules.check_plan(_rule_steps([first]), walk.limits).raise_if_refused()
    _check_makeable(walk, first)
    settings = plan_limits.setting_violations(request, first.reference_daily.mg, walk.limits)
    refused = [v for v in settings if v.hard or not request.constraints.override_reason]
    rules.RulesReport(tuple(refused), ()).raise_if_refused()
    # The strategy's own steps cite the override when its settings go beyond the guideline.
    walk.overridden = bool(
        plan_limits.strategy_violations(request, first.reference_daily.mg, walk.limits)
    )
    walk.steps.append(
        replace(first, rule=_stabilise_rule(request), source=_stabilise_source(request))
    )
    when = request.start + timedelta(days=request.constraints.stabilisation_days)
    if request.strategy.kind == "custom":
        _custom(walk, request.strategy.custom_steps)
    elif request.strategy.kind == "crossover":
        _crossover(walk, when)
    else:
        _taper(walk, request.strategy, when)
    return _checked(walk, settings)


def _stabilise_rule(request: PlanRequest) -> str:
    days = request.constraints.stabilisation_days
    return f"stabilise on the current regimen for {days} days before the first cut"


def _stabilise_source(request: PlanRequest) -> str:
    if request.constraints.stabilisation_days < GUIDELINE.stabilisation_days:
        return OVERRIDE_SOURCE  # a value beyond the guideline cites the override, not a source
    return GUIDELINE.stabilisation_source


def _check_start(request: PlanRequest, regimen: tuple[ScheduledDose, ...]) -> None:
    total, drug = daily_total(regimen), request.drug
    if request.screening is not None and request.screening.refusals:
        raise SafetyError("; ".join(request.screening.refusals))
    if request.age_years is not None and request.age_years < ADULT_AGE_YEARS:
        raise SafetyError(under_18_refusal(drug))
    if request.today is not None and request.start < request.today:
        raise InputError(
            f"the plan would start on {request.start.isoformat()}, before today "
            f"({request.today.isoformat()}): a plan starts today or later"
        )
    if request.goal.mg < 0 or request.goal.mg >= total.mg:
        raise InputError(
            f"the goal ({fmt(request.goal)}) must be below the current daily dose ({fmt(total)})"
        )
    if request.goal.mg > 0 and request.strategy.kind == "crossover":
        raise InputError(
            "goal: a crossover tapers diazepam to zero; for a maintenance dose choose another "
            "strategy"
        )
    if request.alternate_days and drug.half_life_h.typical < ALTERNATE_DAY_MIN_HALF_LIFE_H:
        raise InputError(
            f"alternate-day dosing is only offered for long half-life drugs; {drug.label}'s "
            f"half-life is about {fmt_number(drug.half_life_h.typical)} h"
        )


def _check_makeable(walk: _Walk, first: PlanStep) -> None:
    """Refuse a current regimen the products cannot make: every step is made of them."""
    for dose in first.doses:
        if dose.composition is None:
            labels = ", ".join(p.label for p in walk.products)
            raise InputError(
                f"the {dose.clock} dose ({fmt(dose.amount)}) cannot be made from the products "
                f"({labels}): add the products the dose is taken as"
            )


def _start_walk(request: PlanRequest, drug: Drug, products: tuple[Product, ...] | None) -> _Walk:
    chosen = products if products is not None else _default_products(drug)
    if not chosen:
        raise InputError(f"no products are available to make doses of {drug.label}")
    daily_max = plan_limits.daily_max(drug, request.indication)
    ceiling = daily_max.max_mg if daily_max else daily_total(request.regimen)
    ceiling = max(ceiling, daily_total(request.regimen))
    solver = dose_solver(chosen, ceiling, max_measure=request.max_measure)
    ratio = _reference_ratio(drug, request.equivalence_source)
    smallest = {drug.name: _smallest(solver)}
    limits = plan_limits.limits_for(request, smallest)
    return _Walk(request, drug, solver, chosen, ratio, ceiling, limits)


def _default_products(drug: Drug) -> tuple[Product, ...]:
    """Commercial tablets, ODTs and capsules; liquids and compounded products on request."""
    return tuple(p for p in drug.products if p.form != "liquid" and not p.compounded)


def _reference_ratio(drug: Drug, source: str | None) -> Decimal:
    """Diazepam-equivalent mg per mg of ``drug`` (1 for diazepam itself)."""
    return plan_limits.reference_ratio(drug, source)


def _source_for(drug: Drug, source: str | None) -> str | None:
    """The equivalence source as the catalogue spells it; an unknown one is refused."""
    if source is None:
        return None
    return drug.equivalence(source).source


# --- steps ----------------------------------------------------------------------------------


def _doses(walk: _Walk, regimen: Sequence[ScheduledDose]) -> tuple[PlannedDose, ...]:
    """Planned doses of the current drug, each made of products (None if not makeable)."""
    return tuple(
        PlannedDose(d.clock_h, walk.drug.name, d.amount, walk.solver.make(d.amount))
        for d in regimen
        if d.amount.mg > 0
    )


def _reference(walk: _Walk, doses: Sequence[PlannedDose]) -> Mass:
    """The daily total in diazepam-equivalent mg (so crossover steps compare)."""
    total = Decimal(0)
    for dose in doses:
        total += dose.amount.mg * _ratio_for(walk, dose.drug)
    return Mass.of_mg(total)


def _ratio_for(walk: _Walk, drug: str) -> Decimal:
    """Diazepam-equivalent mg per mg of ``drug`` in this walk (the rules' own ratios)."""
    return walk.limits.ratio(drug)


def _step(  # noqa: PLR0917 -- internal; every call site names the step's parts in order
    walk: _Walk,
    start: date,
    doses: tuple[PlannedDose, ...],
    previous: PlanStep | None,
    rule: str,
    source: str,
    note: str = "",
    reason: str = "",
) -> PlanStep:
    reference = _reference(walk, doses)
    change = None
    if previous is not None and previous.reference_daily.mg > 0:
        change = (reference.mg / previous.reference_daily.mg - 1) * _HUNDRED
    daily = sum((d.amount for d in doses), Mass.zero())
    return PlanStep(
        start=start,
        doses=doses,
        daily=daily,
        reference_daily=reference,
        change_pct=change,
        rule=rule,
        source=source,
        occupancy_pct=_occupancy(walk, reference),
        css_average_ng_per_ml=_css(walk, doses),
        note=note,
        reason=reason,
    )


def _occupancy(walk: _Walk, reference: Mass) -> float:
    """Predicted occupancy from the Emax model, in the starting drug's mg [MAUDSLEY-2024]."""
    request = walk.request
    ratio = _reference_ratio(request.drug, request.equivalence_source)
    in_start_drug = float(reference.mg / ratio)
    return 100.0 * steady_state_occupancy(in_start_drug, float(request.strategy.ed50_mg))


def _css(walk: _Walk, doses: Sequence[PlannedDose]) -> dict[str, float]:
    """Steady-state average concentration per drug (linear kinetics).

    Only drugs with a PK model in the catalogue (CL, V, ka) get a value: for the others
    the concentration is omitted rather than invented.
    """
    result: dict[str, float] = {}
    for name in dict.fromkeys(d.drug for d in doses):
        drug = walk.drug if walk.drug.name == name else walk.request.drug
        params = _pk_or_none(drug)
        if params is None:
            continue
        mg = float(sum((d.amount.mg for d in doses if d.drug == name), Decimal(0)))
        result[name] = mg * params.bioavailability * 1000.0 / (params.cl_l_per_h * 24.0)
    return result


def _pk_or_none(drug: Drug) -> PKParams | None:
    """The drug's one-compartment parameters, or None when the catalogue lacks them."""
    if drug.ka_per_h is None or drug.cl_l_per_h is None or drug.v_l is None:
        return None
    return drug.pk_params()


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
    amounts = _makeable(walk)
    window = amounts[bisect.bisect_left(amounts, lowest) : bisect.bisect_left(amounts, below)]
    if not window:
        return None
    return min(window, key=lambda a: (abs(a - ideal), -a))


def _makeable(walk: _Walk) -> tuple[Decimal, ...]:
    return _makeable_for(walk.solver)


@functools.lru_cache(maxsize=128)
def _smallest(solver: DoseSolver) -> Mass:
    """The smallest dose above zero the solver makes (solvers never change, so cached)."""
    return solver.smallest_positive().total


@functools.lru_cache(maxsize=128)
def _makeable_for(solver: DoseSolver) -> tuple[Decimal, ...]:
    """Zero and every makeable amount, ascending (solvers never change, so cached)."""
    return (Decimal(0), *(m.mg for m in solver.makeable_amounts()))


def _replace_dose(
    walk: _Walk, doses: tuple[PlannedDose, ...], old: PlannedDose, amount: Decimal
) -> tuple[PlannedDose, ...]:
    new = replace(old, amount=Mass.of_mg(amount), composition=walk.solver.make(Mass.of_mg(amount)))
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
    planned = (previous.daily.mg - target.mg) / previous.daily.mg * _HUNDRED
    actual = (previous.daily.mg - step.daily.mg) / previous.daily.mg * _HUNDRED
    if target.mg > step.daily.mg and rules.pct_text(actual) != rules.pct_text(planned):
        notes.append(
            f"cuts {rules.pct_text(actual)} %, more than the rule's {rules.pct_text(planned)} %: "
            f"the products cannot make {_exact(target, step.daily)}, so this step goes to "
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


# --- finish: the rules, supply, warnings, assumptions ---------------------------------------


def _checked(walk: _Walk, settings: Sequence[rules.Violation]) -> Plan:
    """The finished plan, checked by the rules engine and marked where an override allowed it."""
    plan = _finish(walk)
    report = rules.check_plan(_rule_steps(plan.steps), walk.limits, settings)
    report.raise_if_refused()
    marks = report.step_notes()
    steps = tuple(
        replace(s, note="; ".join(filter(None, (s.note, marks[s.start]))), source=OVERRIDE_SOURCE)
        if s.start in marks
        else s
        for s in plan.steps
    )
    warnings = list(plan.warnings)
    if walk.request.constraints.override_reason and not report.overridden:
        warnings.append(
            "an override reason was given but nothing needed it: the plan keeps to the guideline"
        )
    alternative = None
    if _needs_direct_alternative(walk.request):
        alternative, note = _alternative(walk.request)
        warnings.append(note)
    basis = plan_limits.basis_of(walk.request, walk.limits, report.outside_guideline)
    return replace(
        plan,
        steps=steps,
        warnings=tuple(dict.fromkeys(warnings)),
        basis=basis,
        assumptions=_assumptions(walk.request, basis),
        alternative=alternative,
        screening=walk.request.screening,
    )


def _rule_steps(steps: Sequence[PlanStep]) -> list[RecordStep]:
    """The steps as the rules engine reads them.

    What :func:`~taperline.core.record.record_steps` stores, without the instructions the
    engine does not read (they cost more to write than the whole check).
    """
    return [
        RecordStep(
            s.start,
            tuple(RecordDose(d.clock, d.drug, d.amount) for d in s.doses if d.amount.mg > 0),
            every_other_day=s.every_other_day,
            reason=s.reason,
        )
        for s in steps
    ]


def _finish(walk: _Walk) -> Plan:
    steps = tuple(walk.steps)
    end = steps[-1].start
    warnings = [*_risk_flags(walk.request), *_product_flags(walk), *walk.warnings]
    return Plan(
        drug=walk.request.drug.name,
        strategy=walk.request.strategy.kind,
        steps=steps,
        end=end,
        complete=walk.complete,
        supply=supply(steps, end),
        warnings=tuple(dict.fromkeys(warnings)),
        assumptions={},
    )


def _product_flags(walk: _Walk) -> list[str]:
    """Declared scoring that contradicts the catalogue's product [LABEL]; two liquids."""
    request = walk.request
    if request.products is None:
        return []
    flags = list(scoring_conflicts(request.products, request.drug.products))
    liquids = [p for p in request.products if p.form == "liquid"]
    if len(liquids) > 1:
        names = " and ".join(p.label for p in liquids)
        flags.append(
            f"two liquid concentrations of {request.drug.label} are listed ({names}): each "
            "measured dose uses one only, never both; keep the bottles apart and labelled "
            "(a mix-up gives many times the dose)"
        )
    return flags


def _needs_direct_alternative(request: PlanRequest) -> bool:
    """A crossover where diazepam accumulates: age 65+ or liver disease [KLOTZ-1975]."""
    if request.strategy.kind != "crossover":
        return False
    older = request.age_years is not None and request.age_years >= OLDER_ADULT_AGE_YEARS
    liver = any(
        c.condition == "liver-disease" for _, c in request.drug.find_cautions(request.conditions)
    )
    return older or liver


def _alternative(request: PlanRequest) -> tuple[Plan | None, str]:
    """The direct taper shown beside a crossover where diazepam accumulates [KLOTZ-1975]."""
    who = (
        "at 65 or over"
        if request.age_years is not None and request.age_years >= OLDER_ADULT_AGE_YEARS
        else "with liver disease"
    )
    head = (
        f"diazepam builds up {who}: its half-life rises steeply with age and liver disease "
        f"(about 20 h at 20 to 90 h at 80) [KLOTZ-1975], while {request.drug.label}'s own "
        "half-life is long enough to taper it directly"
    )
    direct = replace(
        request,
        strategy=Strategy(kind="percent", interval_days=GUIDELINE.window_days),
        target=None,
    )
    try:
        plan = propose(direct)
    except (InputError, SafetyError) as error:
        return None, f"{head}; a direct taper could not be made here: {error}"
    return plan, (
        f"{head}: the direct {request.drug.label} taper is shown beside this plan "
        f"({len(plan.steps)} steps, {plan.duration_days} days)"
    )


def supply(steps: Sequence[PlanStep], end: date, period_days: int = 28) -> tuple[SupplyLine, ...]:
    """Products to dispense per period, counted day by day from each step's compositions."""
    lines: list[SupplyLine] = []
    period_start = steps[0].start
    while period_start < end:
        period_end = min(period_start + timedelta(days=period_days), end)
        lines.extend(_period_supply(steps, period_start, period_end))
        period_start = period_end
    return tuple(lines)


def _period_supply(steps: Sequence[PlanStep], start: date, stop: date) -> list[SupplyLine]:
    counts: dict[tuple[str, str, str], Decimal] = {}
    for step, days in _days_taken(steps, start, stop):
        for dose in step.doses:
            for unit in dose.composition.units if dose.composition else ():
                key = (dose.drug, unit.product.label, "mL" if unit.is_liquid else unit.product.form)
                counts[key] = counts.get(key, Decimal(0)) + unit.count * days
    return [
        SupplyLine(start, stop, drug, label, _round_up(count), kind)
        for (drug, label, kind), count in sorted(counts.items())
    ]


def _days_taken(steps: Sequence[PlanStep], start: date, stop: date) -> list[tuple[PlanStep, int]]:
    """Each step with the number of days in [start, stop) on which its doses are taken.

    A step is active from its start to the next step's start (a later step on the same
    date replaces it); an every-other-day step is taken on its even days only.
    """
    result = []
    for index, step in enumerate(steps):
        following = steps[index + 1].start if index + 1 < len(steps) else stop
        first, last = max(step.start, start), min(following, stop)
        if first >= last:
            continue
        days = (last - first).days
        if step.every_other_day:
            offset = (first - step.start).days
            days = len(range(offset + offset % 2, offset + days, 2))
        result.append((step, days))
    return result


def _round_up(count: Decimal) -> Decimal:
    return count.to_integral_value(rounding="ROUND_CEILING")


def _risk_flags(request: PlanRequest) -> list[str]:
    """High-risk contexts, each with its source.

    What screening found [catalogue, LABEL, BEERS-2023], a high dose and long use [ASAM-2025].
    """
    flags = _screening_flags(request)
    flags.extend(_high_dose_flags(request))
    if request.use_months is not None and request.use_months >= 3:  # noqa: PLR2004 -- [ASAM-2025]
        flags.append(
            "used for 3 months or more: clinically significant withdrawal risk; "
            "assess withdrawal at every reduction [ASAM-2025]"
        )
    return flags


def _screening_flags(request: PlanRequest) -> list[str]:
    """The warnings and urgent findings of the screening; without one, the drug's own rows.

    Unknown names are never dropped: each is "unknown: ask a pharmacist".
    """
    if request.screening is not None:
        return [
            f.message if f.source == OWN_SOURCE else f"{f.message} [{f.source}]"
            for f in request.screening.findings
            if f.severity != "info"
        ]
    drug = request.drug
    flags = []
    if request.age_years is not None and request.age_years >= OLDER_ADULT_AGE_YEARS:
        flags.append(
            "age 65 or over: benzodiazepines are best avoided; taper with extra care "
            "for falls and confusion [BEERS-2023]"
        )
    flags += [f"{c.message} [{c.source}]" for _, c in drug.find_cautions(request.conditions)]
    flags += [
        f"{i.agent}: {i.effect} [{i.source}]"
        for _, i in drug.find_interactions(request.other_medicines)
    ]
    unknown = [
        *drug.unmatched_agents(request.other_medicines),
        *drug.unmatched_conditions(request.conditions),
    ]
    flags += [f"unknown: ask a pharmacist. taperline does not recognise {n!r}" for n in unknown]
    return flags


def _high_dose_flags(request: PlanRequest) -> list[str]:
    """ASAM's high withdrawal-risk band (> diazepam 15 mg equivalent), by every source."""
    total, drug = daily_total(request.regimen), request.drug
    ratios = (
        [(Decimal(1), "reference")]
        if drug.name == DIAZEPAM
        else [(DIAZEPAM_REFERENCE_MG / e.dose_mg.mg, e.source) for e in drug.equivalences]
    )
    found = [(total.mg * ratio, source) for ratio, source in ratios]
    if not any(mg > HIGH_RISK_DIAZEPAM_MG for mg, _ in found):
        return []
    shown = "; ".join(f"diazepam {fmt(Mass.of_mg(mg))} by {source}" for mg, source in found)
    return [
        f"high dose: {fmt(total)} a day is above diazepam 15 mg equivalent by at least one "
        f"source ({shown}): high withdrawal risk, go slowly [ASAM-2025]"
    ]


def _assumptions(request: PlanRequest, basis: PlanBasis) -> dict[str, str]:
    """The plan's assumptions; a setting beyond the guideline cites the override, not a source."""
    drug, constraints = request.drug, request.constraints
    equivalences = "; ".join(
        f"{fmt(e.dose_mg)} = diazepam 10 mg [{e.source}]" for e in drug.equivalences
    )
    chosen = request.equivalence_source or (
        drug.equivalences[0].source if drug.equivalences else "none"
    )
    mark = basis.mark
    cap = f"{fmt_number(constraints.max_cut_pct)} % per {constraints.cap_window_days} days"
    if constraints.max_cut_pct > GUIDELINE.max_cut_pct or (
        constraints.cap_window_days < GUIDELINE.window_days
    ):
        cap += f": {mark or 'beyond the guideline'} (guideline {GUIDELINE.describe_cap()})"
    elif constraints.override_reason:
        cap += (
            f" [{GUIDELINE.cap_source}], lifted where the plan says so by clinician override: "
            f"{constraints.override_reason}"
        )
    else:
        cap += f" [{GUIDELINE.cap_source}]"
    stabilisation = f"{constraints.stabilisation_days} days"
    if constraints.stabilisation_days < GUIDELINE.stabilisation_days:
        stabilisation += (
            f": {mark or 'beyond the guideline'} (guideline {GUIDELINE.describe_stabilisation()})"
        )
    else:
        stabilisation += f" [{GUIDELINE.stabilisation_source}]"
    result = {
        "equivalence": f"{equivalences} (used: {chosen})" if equivalences else "not needed",
        "ed50": f"{fmt(Mass.of_mg(request.strategy.ed50_mg))} a day: an assumption, no "
        "published value [MAUDSLEY-2024]",
        "cap": cap,
        "end_phase": "a fall of at most diazepam 0.5 mg equivalent in 14 days may exceed the "
        "cap [NICE-CKS]",
        "label_rate": "never faster than 0.25 mg a day less every 3 days of clonazePAM (its "
        "diazepam equivalent for other drugs), the fastest documented discontinuation [LABEL]",
        "stabilisation": stabilisation,
        "syringe": "one oral-syringe measure holds at most "
        + (fmt(request.max_measure) if request.max_measure else "any volume")
        + " (taperline's assumption), so tablets carry the bulk of a dose",
    }
    if mark:
        result["override"] = mark
    return result
