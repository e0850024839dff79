"""The planner's entry point, :func:`propose`, and its rules glue.

The start checks, the rules engine's check of the finished plan, the supply to dispense, the
warnings and the assumptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from taperline.core import plan_limits, rules
from taperline.core.guideline import GUIDELINE, OVERRIDE_SOURCE
from taperline.core.plan.custom import _crossover, _custom
from taperline.core.plan.model import (
    ALTERNATE_DAY_MIN_HALF_LIFE_H,
    DIAZEPAM,
    DIAZEPAM_REFERENCE_MG,
    HIGH_RISK_DIAZEPAM_MG,
    OLDER_ADULT_AGE_YEARS,
    Plan,
    PlannedDose,
    PlanRequest,
    PlanStep,
)
from taperline.core.plan.taper import _taper
from taperline.core.plan.walk import _doses, _start_walk, _step, _Walk
from taperline.core.products import scoring_conflicts
from taperline.core.quantity import Mass, fmt, fmt_number
from taperline.core.record import PlanBasis, RecordDose, RecordStep
from taperline.core.record import RecordSupply as SupplyLine
from taperline.core.regimen import ScheduledDose, daily_total, validate_schedule
from taperline.core.screening import ADULT_AGE_YEARS, OWN_SOURCE, under_18_refusal
from taperline.core.strategies import Strategy
from taperline.errors import InputError, SafetyError


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
    # (Its violations are among the settings': none there, none here, and no second look.)
    walk.overridden = bool(settings) and bool(
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
    # A dose kept from one step to the next is the same object: made into a record once.
    made: dict[int, RecordDose] = {}

    def record(dose: PlannedDose) -> RecordDose:
        found = made.get(id(dose))
        if found is None:
            found = made[id(dose)] = RecordDose(dose.clock, dose.drug, dose.amount)
        return found

    return [
        RecordStep(
            s.start,
            tuple(record(d) for d in s.doses if d.amount.mg > 0),
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
    # Each step's units, worked out once for all the periods (a label is made of strings).
    labels: dict[int, str] = {}
    units = [_step_units(step, labels) for step in steps]
    period_start = steps[0].start
    while period_start < end:
        period_end = min(period_start + timedelta(days=period_days), end)
        lines.extend(_period_supply(steps, units, period_start, period_end))
        period_start = period_end
    return tuple(lines)


_SupplyKey = tuple[str, str, str]  # drug, product label, "mL" or the product's form


def _step_units(step: PlanStep, labels: dict[int, str]) -> list[tuple[_SupplyKey, Decimal]]:
    """A day of the step's doses: each unit's key and count, in dose order.

    ``labels`` keeps each product's label by its id (the products outlive the call).
    """
    found: list[tuple[_SupplyKey, Decimal]] = []
    for dose in step.doses:
        for unit in dose.composition.units if dose.composition else ():
            product = unit.product
            label = labels.get(id(product))
            if label is None:
                label = labels[id(product)] = product.label
            kind = "mL" if unit.is_liquid else product.form
            found.append(((dose.drug, label, kind), unit.count))
    return found


def _period_supply(
    steps: Sequence[PlanStep],
    units: Sequence[list[tuple[_SupplyKey, Decimal]]],
    start: date,
    stop: date,
) -> list[SupplyLine]:
    counts: dict[_SupplyKey, Decimal] = {}
    for index, days in _days_taken(steps, start, stop):
        for key, count in units[index]:
            counts[key] = counts.get(key, Decimal(0)) + count * days
    return [
        SupplyLine(start, stop, drug, label, _round_up(count), kind)
        for (drug, label, kind), count in sorted(counts.items())
    ]


def _days_taken(steps: Sequence[PlanStep], start: date, stop: date) -> list[tuple[int, int]]:
    """The index of each step with the number of days in [start, stop) its doses are taken.

    A step is active from its start to the next step's start (a later step on the same
    date replaces it); an every-other-day step is taken on its even days only.
    """
    result = []
    last_index = len(steps) - 1
    for index, step in enumerate(steps):
        if step.start >= stop:
            continue  # starts after the period (first >= last below)
        following = steps[index + 1].start if index < last_index else stop
        if following <= start:
            continue  # over before the period
        first, last = max(step.start, start), min(following, stop)
        if first >= last:
            continue
        days = (last - first).days
        if step.every_other_day:
            offset = (first - step.start).days
            days = len(range(offset + offset % 2, offset + days, 2))
        result.append((index, days))
    return result


def _round_up(count: Decimal) -> Decimal:
    return count.to_integral_value(rounding="ROUND_CEILING")


def _risk_flags(request: PlanRequest) -> list[str]:
    """High-risk contexts, each with its source.

    What screening found [catalogue, LABEL, BEERS-2023], a high dose and long use [ASAM-2025].
    """
    flags = _screening_flags(request)
    if request.age_years is None:  # never checked in silence
        flags.append(
            "age not given: the rules for people under 18 (panic disorder: not established;"
            " children's seizure doses by weight) and 65 or over (best avoided, extra care"
            " for falls) were not checked [LABEL; BEERS-2023]"
        )
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
