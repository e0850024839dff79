"""Page 3: the plan's steps with how each dose is made, adherence and supply."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from taperline.adapters.report.period import LATE_AFTER_H, Period
from taperline.adapters.report.summary import _change_pct, _dose_line
from taperline.core.quantity import drug_label, fmt, fmt_number
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    RecordStep,
    RecordSupply,
    schedule_on,
)

# Plan steps shown: the latest of the period and the next few, within a number of rows and
# of dose lines (a twice-daily plan shows fewer steps), so that page 3 holds them.
_PERIOD_STEPS: Final = 7
_PERIOD_DOSE_LINES: Final = 10
_NEXT_STEPS: Final = 3
_NEXT_DOSE_LINES: Final = 4
_DOSE_ROWS: Final = 8  # missed and late doses listed
_SUPPLY_PERIODS: Final = 2  # the current supply period and the next


# --- plan steps, adherence, supply ----------------------------------------------------------


def _steps(plan: PlanVersion | None, period: Period, today: date) -> dict[str, Any] | None:
    if plan is None:
        return None
    steps = plan.followed_steps  # a held plan: up to its held dose
    ends = [s.start - timedelta(days=1) for s in steps[1:]] + [date.max]
    inside = [i for i, s in enumerate(steps) if s.start <= period.end and ends[i] >= period.start]
    inside = _budget(steps, inside[::-1], _PERIOD_STEPS, _PERIOD_DOSE_LINES)
    upcoming = [i for i, s in enumerate(steps) if s.start > period.end]
    after = _budget(steps, upcoming, _NEXT_STEPS, _NEXT_DOSE_LINES)
    shown = sorted(set(inside) | set(after))
    current = plan.step_on(today)
    rows = [_step_row(steps[i], steps[i - 1] if i else None, steps[i] == current) for i in shown]
    for before, row in itertools.pairwise(rows):
        row["same_rule"] = (row["rule"], row["source"]) == (before["rule"], before["source"])
    later = len(steps) - 1 - shown[-1] if shown else len(steps)
    return {
        "rows": rows,
        "earlier": shown[0] if shown else 0,
        "later": later,
        "last": f"{steps[-1].start.isoformat()} ({fmt(steps[-1].daily)})",
    }


def _budget(steps: Sequence[RecordStep], order: list[int], most: int, lines: int) -> list[int]:
    """The first steps of ``order`` (at least one) within ``most`` rows and ``lines`` doses."""
    chosen: list[int] = []
    used = 0
    for i in order[:most]:
        used += max(1, len(steps[i].doses))
        if chosen and used > lines:
            break
        chosen.append(i)
    return chosen


def _step_row(step: RecordStep, previous: RecordStep | None, current: bool) -> dict[str, Any]:  # noqa: FBT001 -- private helper, positional by design
    return {
        "start": step.start.isoformat(),
        "daily": fmt(step.daily),
        "change": _change_pct(previous.daily, step.daily) if previous else "",
        "doses": [_dose_line(d) for d in step.doses],
        "rule": step.rule,
        "source": step.source,
        "note": step.note,
        "every_other_day": step.every_other_day,
        "current": current,
        "same_rule": False,
    }


@dataclass(frozen=True, slots=True)
class _DoseRow:
    day: str
    status: str
    planned: str
    taken: str
    note: str


def _dose_row(entry: DoseRecord, status: str) -> _DoseRow:
    planned = " ".join(
        part
        for part in (
            entry.planned_clock or "",
            fmt(entry.planned_amount) if entry.planned_amount else "",
        )
        if part
    )
    taken = "not taken"
    if entry.taken_at is not None and entry.amount is not None:
        when = entry.taken_at.strftime("%H:%M")
        if entry.taken_at.date() != entry.day:
            when = entry.taken_at.strftime("%Y-%m-%d %H:%M")
        taken = f"{when} {fmt(entry.amount)}"
    return _DoseRow(entry.day.isoformat(), status, planned, taken, entry.note)


def _adherence(
    shown: PersonRecord, plan: PlanVersion | None, period: Period, today: date
) -> dict[str, Any]:
    counts = {"taken": 0, "late": 0, "missed": 0, "extra": 0}
    problems: list[_DoseRow] = []
    for entry in sorted(shown.doses, key=lambda d: (d.day, d.planned_clock or "")):
        status = entry.status(LATE_AFTER_H)
        counts[status] += 1
        if status != "taken":
            problems.append(_dose_row(entry, status))
    logged = {d.day for d in shown.doses}
    planned_days = [
        day
        for offset in range(period.days)
        if (day := period.start + timedelta(days=offset)) <= today and schedule_on(plan, day)
    ]
    return {
        "counts": counts,
        "rows": problems[-_DOSE_ROWS:],  # the latest matter most
        "more": max(0, len(problems) - _DOSE_ROWS),
        "planned_days": len(planned_days),
        "unlogged_days": sum(1 for d in planned_days if d not in logged),
        "late_after": fmt_number(Decimal(str(LATE_AFTER_H))),
    }


def _supply(plan: PlanVersion | None, today: date) -> dict[str, Any] | None:
    if plan is None or not plan.supply:
        return None
    periods = sorted({(s.period_start, s.period_end) for s in plan.supply})
    first = next((i for i, (_, end) in enumerate(periods) if end > today), len(periods))
    chosen = periods[first : first + _SUPPLY_PERIODS]
    lines = [s for s in plan.supply if (s.period_start, s.period_end) in chosen]
    lines.sort(key=lambda s: (s.period_start, s.drug, s.product))
    return {
        "rows": [_supply_row(s) for s in lines],
        "later": max(0, len(periods) - first - len(chosen)),
    }


def _supply_row(line: RecordSupply) -> dict[str, str]:
    last_day = line.period_end - timedelta(days=1)
    return {
        "period": f"{line.period_start.isoformat()} to {last_day.isoformat()}",
        "drug": drug_label(line.drug),
        "product": line.product,
        "count": f"{fmt_number(line.count)} {line.unit}",
    }
