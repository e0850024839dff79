"""What a plan request is held to: its rule limits, and whether its settings keep to the guideline.

:func:`limits_for` turns a planner request into the numbers :mod:`taperline.core.rules`
checks (equivalence ratios by every source, the daily maximum for the indication, the
smallest makeable doses, the cap, the label's fastest rate). :func:`setting_violations`
finds settings beyond the guideline, each of which needs an override reason: a cap above
25 % per 14 days, a stabilisation under 14 days, and a strategy whose percent or interval
breaks the 14-day window at its start [ASAM-2025].

>>> from taperline.core.strategies import Strategy
>>> falls = strategy_fall(Strategy(kind="percent", percent=Decimal(10), interval_days=3),
...                       Decimal(20), Decimal(1))
>>> [(n, pct_text(f)) for n, f in falls]
[(5, '41')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from taperline.core.catalogue import INDICATIONS, Catalogue, DailyMaximum, Drug, Indication
from taperline.core.guideline import (
    END_PHASE_DIAZEPAM_MG,
    GUIDELINE,
)
from taperline.core.products import dose_solver
from taperline.core.quantity import Mass, fmt, fmt_number
from taperline.core.record import PlanBasis, PlanVersion, Profile
from taperline.core.rules import (
    Limits,
    RulesReport,
    Violation,
    check_plan,
    is_reason,
    parameter_violations,
    pct_text,
    rate_allowance,
)
from taperline.core.screening import indication_of, under_18_refusal
from taperline.core.strategies import Strategy, nice_diazepam_bands
from taperline.errors import SafetyError

if TYPE_CHECKING:
    from taperline.core.plan import PlanRequest

__all__ = [
    "DIAZEPAM",
    "basis_of",
    "check_change",
    "check_version",
    "daily_max",
    "limits_for",
    "limits_for_version",
    "reference_ratio",
    "setting_violations",
    "strategy_fall",
    "strategy_violations",
]

DIAZEPAM: Final = "diazepam"
CLONAZEPAM: Final = "clonazepam"
DIAZEPAM_REFERENCE_MG: Final = Decimal(10)  # equivalences are "equivalent to diazepam 10 mg"
_HUNDRED: Final = Decimal(100)
#: How many ideal steps a strategy is followed for when its first window is judged.
_MAX_SIMULATED_STEPS: Final = 60


def daily_max(drug: Drug, indication: Indication | None) -> DailyMaximum | None:
    """The drug's daily maximum for the indication (the lowest one when it is not given)."""
    return drug.daily_maximum_for(indication)


def reference_ratio(drug: Drug, source: str | None) -> Decimal:
    """Diazepam-equivalent mg per mg of ``drug`` by ``source`` (1 for diazepam itself).

    >>> from taperline.catalogue_data import load_catalogue
    >>> reference_ratio(load_catalogue().get("clonazepam"), "VADOD-2021")
    Decimal('10')
    """
    if drug.name == DIAZEPAM:
        return Decimal(1)
    source = drug.equivalence(source).source if source is not None else None
    return DIAZEPAM_REFERENCE_MG / drug.equivalence(source).dose_mg.mg


def _ratios_by_source(drug: Drug) -> dict[str, Mapping[str, Decimal]]:
    if drug.name == DIAZEPAM:
        return {}
    return {
        eq.source: {drug.name: DIAZEPAM_REFERENCE_MG / eq.dose_mg.mg, DIAZEPAM: Decimal(1)}
        for eq in drug.equivalences
    }


def limits_for(request: PlanRequest, smallest: Mapping[str, Mass]) -> Limits:
    """The rule limits of a planner request (``smallest``: the smallest dose per drug)."""
    drug, constraints = request.drug, request.constraints
    drugs = [drug] if request.target is None else [drug, request.target]
    maxima = _maxima(drugs, request.indication)
    if request.screening is not None:  # for the indication and the person's age
        maxima.pop(drug.name, None)
        if request.screening.daily_max is not None:
            maxima[drug.name] = request.screening.daily_max
    return _limits(
        drug,
        {d.name: d for d in drugs},
        request.equivalence_source,
        maxima,
        smallest,
        PlanBasis(
            max_cut_pct=constraints.max_cut_pct,
            window_days=constraints.cap_window_days,
            stabilisation_days=constraints.stabilisation_days,
            override_reason=constraints.override_reason or "",
        ),
    )


def _maxima(drugs: Iterable[Drug], indication: Indication | None) -> dict[str, DailyMaximum]:
    found = {}
    for drug in drugs:
        limit = daily_max(drug, indication)
        if limit is not None:
            found[drug.name] = limit
    return found


def _limits(  # noqa: PLR0917 -- private builder of the two public ones, in reading order
    start: Drug,
    drugs: Mapping[str, Drug],
    source: str | None,
    maxima: Mapping[str, DailyMaximum],
    smallest: Mapping[str, Mass],
    settings: PlanBasis,
) -> Limits:
    """Limits keyed by the names the plan uses (a stored plan may name a brand)."""
    ratios = {
        name: reference_ratio(drug, source if drug is start else None)
        for name, drug in drugs.items()
    }
    by_source = {
        src: {name: r[drug.name] for name, drug in drugs.items() if drug.name in r}
        for src, r in _ratios_by_source(start).items()
    }
    return Limits(
        start_drug=next(name for name, drug in drugs.items() if drug is start),
        ratios=ratios,
        daily_max=dict(maxima),
        smallest=dict(smallest),
        ratios_by_source=by_source,
        max_cut_pct=settings.max_cut_pct,
        window_days=settings.window_days,
        stabilisation_days=settings.stabilisation_days,
        override_reason=settings.override_reason,
    )


def limits_for_version(
    catalogue: Catalogue, version: PlanVersion, profile: Profile | None = None
) -> Limits:
    """The rule limits of a stored plan: its basis, the person's profile and the catalogue.

    What the drug is taken for comes from the profile's conditions when there is one (a
    basis, or an imported one, cannot raise the maximum on its own); the override reason
    counts only when it is a reason a colleague could audit. The smallest makeable dose of
    each drug is the basis's, or the catalogue's commercial products' (tablets, ODTs); the
    stop rule never lets it exceed the label's last step (:func:`~taperline.core.rules.
    stop_allowance`).

    Raises:
        UnknownDrugError: a drug of the plan is not in the catalogue (it cannot be checked).
    """
    basis = version.basis
    names = dict.fromkeys([version.drug, *(d.drug for s in version.steps for d in s.doses)])
    drugs = {name: catalogue.get(name) for name in names}
    if profile is not None:
        indication = indication_of(profile.conditions)
    else:
        indication = basis.indication if basis.indication in INDICATIONS else None
    smallest = {name: _catalogue_smallest(drug) for name, drug in drugs.items()}
    smallest.update(basis.smallest())
    maxima = {name: m for name, drug in drugs.items() if (m := daily_max(drug, indication))}
    settings = basis if is_reason(basis.override_reason) else replace(basis, override_reason="")
    return _limits(
        drugs[version.drug],
        drugs,
        basis.equivalence_source or None,
        maxima,
        smallest,
        settings,
    )


def _catalogue_smallest(drug: Drug) -> Mass:
    products = tuple(p for p in drug.products if p.form != "liquid" and not p.compounded)
    products = products or drug.products
    top = max(p.strength for p in products)
    return dose_solver(products, top).smallest_positive().total


def check_change(
    catalogue: Catalogue,
    followed: PlanVersion,
    candidate: PlanVersion,
    day: date,
    profile: Profile | None = None,
) -> RulesReport:
    """The change on ``day`` from the plan a person follows to ``candidate``, as one plan.

    The steps of ``followed`` before ``day`` (or, when it began on ``day`` or later, its
    first regimen the day before), then ``candidate``'s dose of ``day`` (its first step when
    it starts later) and its later steps, are checked with ``candidate``'s settings: no
    increase, no fall beyond the cap or the label's rate, no stop at once. Only what happens
    from ``day`` is reported (each rule once); the stabilisation is the candidate's own, and
    a new course after a finished plan (nothing taken on ``day``) has nothing to jump from.
    """
    taken = followed.step_on(day) or followed.steps[0]
    if not taken.doses:
        return RulesReport((), (), candidate.basis.override_reason)
    before = [s for s in followed.followed_steps if s.start < day]
    before = before or [replace(followed.steps[0], start=day - timedelta(days=1))]
    now = candidate.step_on(day) or candidate.steps[0]
    after = [s for s in candidate.steps if s.start > day]
    joined = (*before, replace(now, start=day), *after)
    limits = limits_for_version(catalogue, replace(candidate, steps=joined), profile)
    report = check_plan(joined, limits)

    def first_of_each(found: Iterable[Violation]) -> tuple[Violation, ...]:
        kept: dict[str, Violation] = {}
        for v in found:
            if v.day is not None and v.day >= day and v.rule != "stabilisation":
                kept.setdefault(v.rule, v)
        return tuple(kept.values())

    return RulesReport(
        first_of_each(report.refused), first_of_each(report.overridden), report.override_reason
    )


def check_version(
    catalogue: Catalogue, version: PlanVersion, profile: Profile | None = None
) -> RulesReport:
    """Check a stored (or imported, or edited) plan version against every rule.

    Raises:
        SafetyError: the profile says under 18 (no dose rule applies).
    """
    if profile is not None and profile.age_years is not None and profile.age_years < 18:  # noqa: PLR2004 -- [LABEL]
        raise SafetyError(under_18_refusal(catalogue.get(version.drug)))
    limits = limits_for_version(catalogue, version, profile)
    return check_plan(version.steps, limits, parameter_violations(version.basis))


def basis_of(request: PlanRequest, limits: Limits, outside: tuple[str, ...]) -> PlanBasis:
    """The basis stored with a plan: its settings, the smallest doses, what was overridden."""
    constraints = request.constraints
    return PlanBasis(
        max_cut_pct=constraints.max_cut_pct,
        window_days=constraints.cap_window_days,
        stabilisation_days=constraints.stabilisation_days,
        override_reason=constraints.override_reason or "",
        equivalence_source=request.equivalence_source or "",
        indication=request.indication or "",
        smallest_doses=tuple(sorted(limits.smallest.items())),
        outside_guideline=outside,
    )


# --- settings -----------------------------------------------------------------------------------


def setting_violations(request: PlanRequest, start_ref: Decimal, limits: Limits) -> list[Violation]:
    """Settings beyond the guideline, and a strategy faster than the label's fastest taper.

    Beyond the guideline (each needs an override reason): the cap, the stabilisation and
    the strategy's own percent or interval (:func:`strategy_violations`). Faster than the
    label: no override allows it.
    """
    constraints = request.constraints
    basis = PlanBasis(
        max_cut_pct=constraints.max_cut_pct,
        window_days=constraints.cap_window_days,
        stabilisation_days=constraints.stabilisation_days,
    )
    return [*parameter_violations(basis), *strategy_violations(request, start_ref, limits)]


def strategy_violations(
    request: PlanRequest, start_ref: Decimal, limits: Limits
) -> list[Violation]:
    """Where the strategy's own percent, step or interval breaks the window or the label rate."""
    strategy = request.strategy
    if strategy.kind == "crossover":
        then = strategy.then
        if then is None:
            return []  # NICE-CKS's own schedule
        if then.kind == "fixed" and not then.bands:
            then = replace(then, bands=nice_diazepam_bands(then.interval_days))
        return _strategy_violations(then, start_ref, Decimal(1), "diazepam", limits)
    if strategy.kind == "custom":
        return []  # custom steps are checked step by step by the rules engine
    ratio = reference_ratio(request.drug, request.equivalence_source)
    return _strategy_violations(strategy, start_ref, ratio, request.drug.name, limits)


def strategy_fall(
    strategy: Strategy, start_ref: Decimal, ratio: Decimal, step: Decimal | None = None
) -> list[tuple[int, Decimal]]:
    """Whether a strategy's own cuts break the guideline window where its settings set them.

    The first window is judged from the starting dose, and for fixed bands from the top of
    each band below it: that is where the percent, the step and the interval decide the
    speed (later cuts that grow as the dose falls are held to the cap by the planner, and
    say so). Returns [(cuts in the window, fall %)] for a window whose fall is above the
    guideline cap and above the end-phase allowance; empty when none is. ``start_ref`` is
    the starting daily dose in diazepam-equivalent mg and ``ratio`` the drug's mg to it.
    """
    start = start_ref / ratio
    tops = [start]
    if strategy.kind == "fixed":
        tops += [b.above.mg for b in strategy.bands if 0 < b.above.mg < start]
    for top in tops:
        doses, gaps = _ideal(strategy, top, start)
        broken = _first_window(doses, gaps, ratio, step)
        if broken:
            return broken
    return []


def _ideal(strategy: Strategy, top: Decimal, start: Decimal) -> tuple[list[Decimal], list[int]]:
    """The strategy's ideal doses from ``top`` for one window (no products, no cap)."""
    current, doses, gaps, elapsed = top, [top], [], 0
    for index in range(_MAX_SIMULATED_STEPS):
        ideal = strategy.next_step(
            current=Mass.of_mg(current), start=Mass.of_mg(start), step_index=index
        )
        current = max(ideal.ideal.mg, Decimal(0))
        doses.append(current)
        gaps.append(ideal.interval_days)
        elapsed += ideal.interval_days
        if current == 0 or elapsed >= GUIDELINE.window_days:
            break
    return doses, gaps


def _first_window(
    doses: list[Decimal], gaps: list[int], ratio: Decimal, step: Decimal | None = None
) -> list[tuple[int, Decimal]]:
    """The fall of the cuts within the first window, when it is beyond what is allowed.

    Without ``step``: beyond the cap and the end phase; with the label's step (reference
    mg): faster than the label's fastest taper.

    Cuts up to 13 days apart fall in one window: the rules compare a day's dose with the doses
    in force on the 14 days before it, which include the dose before a cut 13 days earlier.
    """
    elapsed, last = 0, 0
    while last + 1 < len(gaps) and elapsed + gaps[last] <= GUIDELINE.window_days - 1:
        elapsed += gaps[last]  # cut k + 1 comes gaps[k] days after cut k
        last += 1
    top = doses[0]
    # A cut to zero is the stop rule's business: the fall is judged to the last dose before it.
    bottom = next((d for d in reversed(doses[1 : last + 2]) if d > 0), None)
    if bottom is None:
        return []
    fall = (top - bottom) * ratio
    if step is not None:
        allowed = rate_allowance(GUIDELINE.window_days, step)
    else:
        allowed = max(top * ratio * GUIDELINE.max_cut_pct / _HUNDRED, END_PHASE_DIAZEPAM_MG)
    if fall > allowed:
        return [(last + 1, (top - bottom) / top * _HUNDRED)]
    return []


def _strategy_violations(
    strategy: Strategy, start_ref: Decimal, ratio: Decimal, drug: str, limits: Limits
) -> list[Violation]:
    what = _strategy_words(strategy, drug)
    cap = GUIDELINE.describe_cap()
    step = _step(limits, drug)
    fast = strategy_fall(strategy, start_ref, ratio, step)
    if fast:
        cuts, fall = fast[0]
        most = Mass.of_mg(rate_allowance(GUIDELINE.window_days, step) / ratio)
        text = (
            f"{what} cuts {pct_text(fall)} % within {GUIDELINE.window_days} days ({cuts} cut"
            f"{'s' if cuts != 1 else ''}): faster than the fastest documented "
            "discontinuation (0.25 mg a day less every 3 days of clonazePAM [LABEL], at most "
            f"{fmt(most, places=3)} in {GUIDELINE.window_days} days); no override allows this: "
            "choose smaller cuts or a longer interval"
        )
        return [Violation("label_rate", text)]
    broken = strategy_fall(strategy, start_ref, ratio)
    if not broken:
        return []
    cuts, fall = broken[0]
    shown = pct_text(fall, GUIDELINE.max_cut_pct)
    outside = f"{what} cuts {shown} % within {GUIDELINE.window_days} days (the guideline: {cap})"
    if cuts <= 1:
        text = (
            f"{what} cuts {shown} % in one step, above the guideline's {cap}: choose a smaller "
            "cut, or give an override reason"
        )
    else:
        shortest = _shortest_interval(strategy)
        hint = f"an interval of at least {shortest} days" if shortest else "a longer interval"
        text = (
            f"{what} cuts {shown} % within {GUIDELINE.window_days} days ({cuts} cuts), above "
            f"the guideline's {cap}: choose {hint}, or give an override reason"
        )
    return [Violation("parameter", text, outside=outside)]


def _step(limits: Limits, drug: str) -> Decimal:
    """The label's step for the drug a strategy tapers (clonazepam, or its equivalent)."""
    return limits.label_step(drug == CLONAZEPAM)


def _strategy_words(strategy: Strategy, drug: str) -> str:
    if strategy.kind == "fixed":
        bands = ", ".join(
            f"{fmt(b.step)} every {b.interval_days} days above {fmt(b.above)}"
            for b in strategy.bands
        )
        return f"the fixed bands ({bands}; {drug})"
    if strategy.kind == "occupancy":
        return (
            f"the occupancy strategy ({fmt_number(strategy.percent)} % of the starting "
            f"occupancy every {strategy.interval_days} days)"
        )
    days = f"{strategy.interval_days} day{'s' if strategy.interval_days != 1 else ''}"
    return f"the {strategy.kind} strategy ({fmt_number(strategy.percent)} % every {days})"


def _shortest_interval(strategy: Strategy) -> int | None:
    """For a percent strategy, the shortest interval whose cuts keep to the window."""
    if strategy.kind != "percent":
        return None
    keep = 1 - strategy.percent / _HUNDRED
    for interval in range(1, GUIDELINE.window_days + 1):
        cuts = (GUIDELINE.window_days - 1) // interval + 1
        if 1 - keep**cuts <= GUIDELINE.max_cut_pct / _HUNDRED:
            return interval
    return None if strategy.percent > GUIDELINE.max_cut_pct else GUIDELINE.window_days
