"""The check (:func:`check_plan`) and the per-step rules: maximum, stabilisation, increase, stop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from taperline.core.guideline import GUIDELINE
from taperline.core.quantity import Mass, drug_label, fmt
from taperline.core.record import RecordStep
from taperline.core.rules.model import (
    _ZERO,
    CLONAZEPAM,
    Limits,
    RulesReport,
    Violation,
    _amount,
    _Series,
)
from taperline.core.rules.reasons import is_reason
from taperline.core.rules.switch import _switch
from taperline.core.rules.window import _cap, _label_rate
from taperline.errors import InputError


def _series(steps: Sequence[RecordStep], limits: Limits) -> _Series:
    refs, drugs = [], []
    for step in steps:
        total = sum((d.amount.mg * limits.ratio(d.drug) for d in step.doses), _ZERO)
        refs.append(total / 2 if step.every_other_day else total)
        names = {d.drug for d in step.doses}
        drugs.append(names.pop() if len(names) == 1 else None)
    return _Series(tuple(s.start for s in steps), tuple(refs), tuple(drugs))


def check_plan(
    steps: Sequence[RecordStep],
    limits: Limits,
    extra: Iterable[Violation] = (),
) -> RulesReport:
    """Check a plan's steps against every rule; ``extra`` adds setting violations.

    Steps must be in date order (a stored plan always is). Nothing is raised here:
    call :meth:`RulesReport.raise_if_refused` to refuse.
    """
    if not steps:
        raise InputError("a plan needs at least one step")
    series = _series(steps, limits)
    found: list[Violation] = [*extra]
    found += _daily_max(steps, limits)
    found += _stabilisation(series)
    for index in range(1, len(steps)):
        found += _step_rules(steps, series, index, limits)
    return _sorted_report(found, limits)


def _sorted_report(found: Sequence[Violation], limits: Limits) -> RulesReport:
    reason = limits.override_reason.strip()
    refused = [v for v in found if v.hard or not reason]
    allowed = [v for v in found if not v.hard and reason]
    return RulesReport(tuple(refused), tuple(allowed), reason)


def _step_rules(
    steps: Sequence[RecordStep], series: _Series, index: int, limits: Limits
) -> list[Violation]:
    found: list[Violation] = []
    ref, before = series.refs[index], series.refs[index - 1]
    if ref > before:
        found += _increase(steps[index], series, index, limits)
    else:
        found += _dose_increase(steps[index - 1], steps[index])
    if ref < before:
        if ref == 0:
            found += _abrupt_stop(steps, series, index, limits)
        else:
            found += _cap(series, index, limits)
        found += _label_rate(series, index, limits)
    found += _switch(steps, series, index, limits)
    return found


def _totals(step: RecordStep) -> dict[str, Decimal]:
    """The day's total of each drug in mg (plain decimals: this runs for every step)."""
    totals: dict[str, Decimal] = {}
    for dose in step.doses:
        totals[dose.drug] = totals.get(dose.drug, _ZERO) + dose.amount.mg
    return totals


def _daily_max(steps: Sequence[RecordStep], limits: Limits) -> list[Violation]:
    found = []
    for index, step in enumerate(steps):
        for drug, total in _totals(step).items():
            limit = limits.daily_max.get(drug)
            if limit is None or total <= limit.max_mg.mg:
                continue
            daily = Mass.of_mg(total)
            maximum = f"{fmt(limit.max_mg)} for {limit.applies_to} [{limit.source}]"
            if index == 0:
                text = (
                    f"the starting regimen of {fmt(daily)} of {drug_label(drug)} a day is above "
                    f"the daily maximum of {maximum}; check the dose with the prescriber before "
                    "planning a taper"
                )
            else:
                text = (
                    f"the step on {step.start.isoformat()} gives {fmt(daily)} of "
                    f"{drug_label(drug)} a day, above the daily maximum of {maximum}"
                )
            found.append(Violation("daily_max", text, step.start))
    return found


def _stabilisation(series: _Series) -> list[Violation]:
    """The first change of dose (or of drug) comes at least 14 days after the start."""
    first = next(
        (
            i
            for i in range(1, len(series.days))
            if series.refs[i] != series.refs[0] or series.drugs[i] != series.drugs[0]
        ),
        None,
    )
    if first is None:
        return []
    gap = (series.days[first] - series.days[0]).days
    if gap >= GUIDELINE.stabilisation_days:
        return []
    days = f"{gap} day{'s' if gap != 1 else ''}"
    text = (
        f"the first change on {series.days[first].isoformat()} comes {days} after the start; "
        f"the guideline stabilises on the current dose for {GUIDELINE.describe_stabilisation()} "
        "first: start the cuts later, or give an override reason"
    )
    outside = (
        f"the first change {days} after the start (the guideline: stabilise for "
        f"{GUIDELINE.describe_stabilisation()})"
    )
    return [Violation("stabilisation", text, series.days[first], outside)]


def _increase(step: RecordStep, series: _Series, index: int, limits: Limits) -> list[Violation]:
    if is_reason(step.reason):
        return []
    drug = series.drugs[index] if series.drugs[index] == series.drugs[index - 1] else None
    text = (
        f"the step on {step.start.isoformat()} increases the dose from "
        f"{_amount(series.refs[index - 1], drug, limits)} to "
        f"{_amount(series.refs[index], drug, limits)} a day: never an increase on its own; a "
        "clinician's custom step may increase it only with the clinical reason written on it"
    )
    return [Violation("increase", text, step.start)]


def _largest_doses(step: RecordStep) -> dict[str, Decimal]:
    largest: dict[str, Decimal] = {}
    for dose in step.doses:
        largest[dose.drug] = max(largest.get(dose.drug, _ZERO), dose.amount.mg)
    return largest


def _grown_doses(previous: RecordStep, step: RecordStep) -> list[str]:
    """The drugs taken before whose single dose grows.

    The day's total may not: 2 mg a day becoming 4 mg every other day doubles each dose. In
    a switch the drug coming in grows by design (the switch rule judges the whole change), so
    only the drugs that do not rise in the day's total count.
    """
    before, after = _largest_doses(previous), _largest_doses(step)
    old, new = _totals(previous), _totals(step)
    switch = any(new.get(d, _ZERO) < mg for d, mg in old.items())
    return [
        d
        for d, mg in after.items()
        if d in before and mg > before[d] and not (switch and new[d] > old[d])
    ]


def _dose_increase(previous: RecordStep, step: RecordStep) -> list[Violation]:
    grown = _grown_doses(previous, step)
    if not grown or is_reason(step.reason):
        return []
    before, after = _largest_doses(previous), _largest_doses(step)
    what = "; ".join(
        f"{drug_label(d)} from {fmt(Mass.of_mg(before[d]))} to {fmt(Mass.of_mg(after[d]))}"
        for d in grown
    )
    text = (
        f"the step on {step.start.isoformat()} raises a single dose ({what}): never an increase "
        "on its own; a clinician's custom step may do it only with the clinical reason written "
        "on it"
    )
    return [Violation("increase", text, step.start)]


def stop_allowance(drug: str, limits: Limits) -> Mass:
    """The largest daily dose of ``drug`` a plan may stop from.

    The smallest dose the plan's products make, but never more than the label's own last
    step (0.25 mg a day of clonazepam, or its diazepam equivalent [LABEL]) whatever products
    are claimed; and always at least diazepam 0.5 mg equivalent [NICE-CKS, ASAM-2025].

    >>> from taperline.core.catalogue import DailyMaximum
    >>> limits = Limits("clonazepam", {"clonazepam": Decimal(20)}, {},
    ...                 {"clonazepam": Mass.of_mg(1)})
    >>> fmt(stop_allowance("clonazepam", limits))  # only 1 mg tablets: still 0.25 mg
    '0.25 mg'
    """
    ratio = limits.ratio(drug)
    end_phase = limits.end_phase / ratio
    label = limits.label_step(drug == CLONAZEPAM) / ratio
    smallest = limits.smallest.get(drug)
    bound = label if smallest is None else min(smallest.mg, label)
    return Mass.of_mg(max(bound, end_phase))


def _abrupt_stop(
    steps: Sequence[RecordStep], series: _Series, index: int, limits: Limits
) -> list[Violation]:
    previous, step = steps[index - 1], steps[index]
    daily = previous.daily_by_drug()
    drug = series.drugs[index - 1]
    if drug is not None and daily[drug].mg <= stop_allowance(drug, limits).mg:
        return []
    what = " and ".join(f"{fmt(m)} of {drug_label(d)}" for d, m in daily.items())
    smallest = f" ({fmt(stop_allowance(drug, limits))})" if drug is not None else " of one drug"
    text = (
        f"the step on {step.start.isoformat()} stops {what} a day at once: step down to the "
        f"smallest makeable dose{smallest} first; never an abrupt stop [ASAM-2025]"
    )
    return [Violation("abrupt_stop", text, step.start)]
