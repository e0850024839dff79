"""The rules over a window of days: the guideline cap and the label rate.

And the floors the planner takes from them (:func:`lowest_allowed`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from taperline.core.guideline import GUIDELINE, LABEL_STEP_DAYS, LABEL_STEP_MG
from taperline.core.quantity import fmt_number
from taperline.core.rules.model import (
    _HUNDRED,
    _ZERO,
    CLONAZEPAM,
    Limits,
    Violation,
    _amount,
    _Series,
    pct_text,
)


def window_highest(
    days: Sequence[date], refs: Sequence[Decimal], when: date, window_days: int
) -> tuple[Decimal, date]:
    """The highest reference dose in force on the ``window_days`` days before ``when``.

    ``days`` and ``refs`` are the steps before ``when`` (starts and reference daily doses, in
    date order); the last is in force up to the day before ``when``. Returns the dose and the
    last day it was in force (``when`` itself when nothing is).
    """
    start = when - timedelta(days=window_days)
    highest, seen = _ZERO, when
    for j in range(len(days) - 1, -1, -1):
        ends = days[j + 1] if j + 1 < len(days) else when  # in force up to the day before
        if ends <= start:
            break
        if refs[j] > highest:
            highest, seen = refs[j], ends - timedelta(days=1)
    return highest, seen


def cap_floor(highest: Decimal, cap_pct: Decimal, end_phase: Decimal) -> Decimal:
    """The lowest dose a window whose highest dose is ``highest`` allows.

    The cap (a share of the highest dose) or, near the end, the end-phase allowance,
    whichever lets the dose fall further.

    >>> cap_floor(Decimal(20), Decimal(25), Decimal("0.5")), cap_floor(Decimal(1), Decimal(25),
    ...     Decimal("0.5"))
    (Decimal('15'), Decimal('0.5'))
    """
    allowed = max(highest * cap_pct / _HUNDRED, end_phase)
    return max(highest - allowed, _ZERO)


def _cap(series: _Series, index: int, limits: Limits) -> list[Violation]:
    found = []
    checks = [(GUIDELINE.max_cut_pct, GUIDELINE.window_days, True)]
    stricter = (limits.max_cut_pct, limits.window_days)
    if stricter != (GUIDELINE.max_cut_pct, GUIDELINE.window_days) and (
        limits.max_cut_pct <= GUIDELINE.max_cut_pct and limits.window_days >= GUIDELINE.window_days
    ):
        checks.append((limits.max_cut_pct, limits.window_days, False))
    for cap, days, guideline in checks:
        highest, when = window_highest(
            series.days[:index], series.refs[:index], series.days[index], days
        )
        ref = series.refs[index]
        if ref >= cap_floor(highest, cap, limits.end_phase):
            continue
        if not guideline and limits.override_reason:
            continue  # the plan's own stricter cap, lifted by the override: within the guideline
        found.append(_cap_violation(series, index, limits, (cap, days, guideline), (highest, when)))
        break
    return found


def _cap_violation(
    series: _Series,
    index: int,
    limits: Limits,
    cap: tuple[Decimal, int, bool],
    window: tuple[Decimal, date],
) -> Violation:
    pct, days, guideline = cap
    highest, when = window
    ref, day = series.refs[index], series.days[index]
    start = day - timedelta(days=days)
    first = next(
        (j for j in range(index) if series.days[j + 1] > start), index
    )  # the first step in force within the window
    drug = _one_drug(series, first, index)  # amounts in its mg, else as diazepam equivalents
    fall = (highest - ref) / highest * _HUNDRED
    what = (
        f"the guideline cap of {GUIDELINE.describe_cap()}"
        if guideline
        else f"the cap of {fmt_number(pct)} % per {days} days set for this plan"
    )
    cut = f"a {pct_text(fall, pct)} % cut within {days} days"
    text = (
        f"the step on {day.isoformat()} takes the daily dose from {_amount(highest, drug, limits)}"
        f" (on {when.isoformat()}) to {_amount(ref, drug, limits)}: {cut}, above {what}: space "
        "the cuts out, or give an override reason to allow it"
    )
    return Violation("cap", text, day, f"{cut} (the guideline: {GUIDELINE.describe_cap()})")


def rate_allowance(span_days: int, step: Decimal) -> Decimal:
    """How much the label's fastest taper removes in ``span_days`` (at least a window's worth).

    ``step`` a day every 3 days (0.25 mg of clonazepam [LABEL], see :meth:`Limits.label_step`),
    counted over at least 14 days so that a single larger cut, spaced out (Nardi's 0.5 mg
    every 2 weeks), is judged by its rate.
    """
    span = max(span_days, GUIDELINE.window_days)
    return step * math.ceil(span / LABEL_STEP_DAYS)


def _label_rate(series: _Series, index: int, limits: Limits) -> list[Violation]:
    ref, day = series.refs[index], series.days[index]
    peak = max(series.refs[:index])
    clonazepam_only = _clonazepam_or_stop(series, index)
    steps = {True: limits.label_step(True), False: limits.label_step(False)}  # noqa: FBT003 -- its one switch
    for j in range(index - 1, -1, -1):
        clonazepam_only = clonazepam_only and _clonazepam_or_stop(series, j)
        last_day = series.days[j + 1] - timedelta(days=1)  # step j's last day in force
        span = (day - last_day).days
        step = steps[clonazepam_only]
        # rate_allowance(span, step), inline: this runs for every earlier step of every cut.
        allowance = step * math.ceil(max(span, GUIDELINE.window_days) / LABEL_STEP_DAYS)
        if allowance >= peak:
            break  # no earlier dose can have fallen faster than this
        fall = series.refs[j] - ref
        if fall <= allowance:
            continue
        same = _one_drug(series, j, index)
        span_shown = max(span, GUIDELINE.window_days)
        what = (
            "clonazePAM"
            if step == LABEL_STEP_MG * limits.ratios.get(CLONAZEPAM, _ZERO)
            else ("clonazePAM, its diazepam equivalent")
        )
        text = (
            f"the step on {day.isoformat()} takes the daily dose from "
            f"{_amount(series.refs[j], same, limits)} (on {last_day.isoformat()}) to "
            f"{_amount(ref, same, limits)} within {span} day{'s' if span != 1 else ''}: faster "
            f"than the fastest documented discontinuation (0.25 mg a day less every 3 days of "
            f"{what} [LABEL], at most {_amount(allowance, same, limits)} in {span_shown} "
            "days); no override allows this"
        )
        return [Violation("label_rate", text, day)]
    return []


def _clonazepam_or_stop(series: _Series, index: int) -> bool:
    return series.drugs[index] == CLONAZEPAM or series.refs[index] == 0


def _one_drug(series: _Series, first: int, last: int) -> str | None:
    """The one drug taken in steps ``first``..``last`` (a stop counts as any), else None."""
    names = {series.drugs[k] for k in range(first, last + 1) if series.refs[k] > 0}
    return names.pop() if len(names) == 1 else None


def label_rate_floor(
    days: Sequence[date], refs: Sequence[Decimal], when: date, step: Decimal
) -> Decimal:
    """The lowest reference dose the label rate allows on ``when`` after the steps given.

    ``days`` and ``refs`` are the steps so far (starts and reference daily doses, in date
    order); the last is in force up to the day before ``when``. ``step`` is the label's
    step in reference mg (:meth:`Limits.label_step`).
    """
    floor, peak = _ZERO, max(refs, default=_ZERO)
    ends = when
    for j in range(len(days) - 1, -1, -1):
        # rate_allowance((when - ends).days + 1, step), inline: the planner asks at every step.
        span = max((when - ends).days + 1, GUIDELINE.window_days)
        allowance = step * math.ceil(span / LABEL_STEP_DAYS)
        if allowance >= peak:
            break
        floor = max(floor, refs[j] - allowance)
        ends = days[j]
    return floor


def lowest_allowed(  # noqa: PLR0917 -- the planner's one call, in reading order
    days: Sequence[date],
    refs: Sequence[Decimal],
    when: date,
    limits: Limits,
    step: Decimal | None,
    lift_cap: bool,  # noqa: FBT001 -- the planner says whether an override lifted the cap
) -> Decimal:
    """The lowest reference dose a new step on ``when`` may take, for the planner.

    The label rate (``step``: :meth:`Limits.label_step`; None leaves it out, to tell what
    holds a cut back); the guideline cap unless
    ``lift_cap`` (an override reason that went beyond the guideline's cap or the strategy's
    settings; an override for another setting, a shorter stabilisation say, keeps the cap);
    and the cap set for the plan when it differs from the guideline's.
    """
    floor = _ZERO if step is None else label_rate_floor(days, refs, when, step)
    own = (limits.max_cut_pct, limits.window_days)
    guideline = (GUIDELINE.max_cut_pct, GUIDELINE.window_days)
    caps = [] if lift_cap else [guideline]
    if own != guideline:  # (the guideline's cap a second time would give the same floor)
        caps.append(own)
    for pct, window in caps:
        highest, _ = window_highest(days, refs, when, window)
        floor = max(floor, cap_floor(highest, pct, limits.end_phase))
    return floor
