"""The state of one planning walk (:class:`_Walk`) and making a step of it from the products."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from taperline.core import plan_limits, rules
from taperline.core.catalogue import Drug
from taperline.core.guideline import GUIDELINE
from taperline.core.pk import PKParams, steady_state_occupancy
from taperline.core.plan.model import _HUNDRED, PlannedDose, PlanRequest, PlanStep
from taperline.core.products import DoseSolver, Product, dose_solver
from taperline.core.quantity import Mass
from taperline.core.regimen import ScheduledDose, daily_total
from taperline.errors import InputError

# --- context --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _History:
    """A walk's step dates and reference doses, and the steps they were read from."""

    steps: list[PlanStep]
    count: int
    last: PlanStep | None  # kept, so that its id is never reused while this is compared
    days: tuple[date, ...]
    refs: tuple[Decimal, ...]


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
    #: Reference mg per mg of the request's own drug (occupancy is in its mg), made once.
    start_ratio: Decimal = Decimal(1)
    steps: list[PlanStep] = field(default_factory=list)
    #: The strategy's settings are beyond the guideline, allowed by the override.
    overridden: bool = False
    #: Days the next cut has waited for the label's rate.
    waited: int = 0
    warnings: list[str] = field(default_factory=list)
    complete: bool = True
    #: _finer_products' answer, with the products and drug it was found for.
    finer: tuple[tuple[Product, ...], Drug, tuple[Product, ...]] | None = None
    #: Each drug's PK parameters (None: the catalogue has none), by name, as looked up.
    pk: dict[str, PKParams | None] = field(default_factory=dict)
    #: history() as last made, with the list, length and last step it was made from.
    _history: _History | None = field(default=None, init=False, repr=False, compare=False)

    def history(self) -> tuple[tuple[date, ...], tuple[Decimal, ...]]:
        """Start dates and reference daily doses of the steps so far.

        Made again only when the steps changed: a step is only ever appended or the last
        one replaced (products added), and each step asks three or four times.
        """
        steps, made = self.steps, self._history
        last = steps[-1] if steps else None
        if (
            made is None
            or made.steps is not steps
            or made.count != len(steps)
            or made.last is not last
        ):
            made = self._history = _History(
                steps,
                len(steps),
                last,
                tuple(s.start for s in steps),
                tuple(s.reference_daily.mg for s in steps),
            )
        return made.days, made.refs

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
    start_ratio = _reference_ratio(request.drug, request.equivalence_source)
    return _Walk(request, drug, solver, chosen, ratio, ceiling, limits, start_ratio)


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
    daily = _daily(doses)
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


def _daily(doses: Sequence[PlannedDose]) -> Mass:
    """``sum((d.amount for d in doses), Mass.zero())``, without its first (exact) addition.

    Zero plus a normalised mass is that mass to the digit (an exponent of 0 or below), so
    the sum starts from the first amount's mg: the same Decimals, two objects fewer a step.
    """
    if not doses:
        return Mass.zero()
    daily = Mass.of_mg(doses[0].amount.mg)
    for dose in doses[1:]:
        daily += dose.amount
    return daily


def _occupancy(walk: _Walk, reference: Mass) -> float:
    """Predicted occupancy from the Emax model, in the starting drug's mg [MAUDSLEY-2024]."""
    in_start_drug = float(reference.mg / walk.start_ratio)
    return 100.0 * steady_state_occupancy(in_start_drug, float(walk.request.strategy.ed50_mg))


def _css(walk: _Walk, doses: Sequence[PlannedDose]) -> dict[str, float]:
    """Steady-state average concentration per drug (linear kinetics).

    Only drugs with a PK model in the catalogue (CL, V, ka) get a value: for the others
    the concentration is omitted rather than invented.
    """
    result: dict[str, float] = {}
    for name in dict.fromkeys(d.drug for d in doses):
        drug = walk.drug if walk.drug.name == name else walk.request.drug
        if drug.name not in walk.pk:  # the drug's parameters, looked up once a walk
            walk.pk[drug.name] = _pk_or_none(drug)
        params = walk.pk[drug.name]
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
