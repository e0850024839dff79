"""A daily regimen: doses at clock times, the unit the planner and simulator share.

>>> dose = ScheduledDose(clock_h=22.5, amount=Mass.of_mg("0.5"))
>>> dose.clock
'22:30'
>>> fmt(daily_total((dose, ScheduledDose(8.0, Mass.of_mg("0.25")))))
'0.75 mg'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from taperline.core.quantity import Mass, fmt
from taperline.errors import RegimenError

__all__ = ["HOURS_PER_DAY", "ScheduledDose", "daily_total", "validate_schedule"]

HOURS_PER_DAY = 24.0


@dataclass(frozen=True, slots=True)
class ScheduledDose:
    """One dose of the daily schedule: clock time in hours after midnight and the amount."""

    clock_h: float
    amount: Mass

    def __post_init__(self) -> None:
        if not (0 <= self.clock_h < HOURS_PER_DAY):
            raise RegimenError(f"a dose time must be within the day (0-24 h), got {self.clock_h}")
        if self.amount.mg < 0:
            raise RegimenError(f"a dose cannot be negative ({fmt(self.amount)})")

    @property
    def clock(self) -> str:
        """The clock time as HH:MM."""
        minutes = round(self.clock_h * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"


def daily_total(doses: Iterable[ScheduledDose]) -> Mass:
    """The sum of the doses of one day."""
    return sum((dose.amount for dose in doses), Mass.zero())


def validate_schedule(schedule: tuple[ScheduledDose, ...]) -> tuple[ScheduledDose, ...]:
    """Refuse an empty schedule, zero doses, or two doses at the same time; sort by clock."""
    if not schedule:
        raise RegimenError("a regimen needs at least one dose with a time")
    clocks = [dose.clock for dose in schedule]
    if len(set(clocks)) != len(clocks):
        raise RegimenError("two doses are scheduled at the same time of day")
    if any(dose.amount.mg == 0 for dose in schedule):
        raise RegimenError("every scheduled dose must be more than zero")
    return tuple(sorted(schedule, key=lambda dose: dose.clock_h))
