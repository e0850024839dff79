"""The period a report covers, and the record cut to it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from taperline.core.findings import FindingRules
from taperline.core.record import PersonRecord
from taperline.errors import InputError

_RULES: Final = FindingRules()
#: A dose this long after its planned time is late: the findings' default (taperline's, no source).
LATE_AFTER_H: Final = _RULES.late_after_h


@dataclass(frozen=True, slots=True)
class Period:
    """The first and last day (inclusive) that the report covers."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1


def resolve_period(
    record: PersonRecord, start: date | None, end: date | None, today: date
) -> Period:
    """The period asked for, defaulting to the first journal entry up to ``today``.

    >>> from taperline.core.record import Profile
    >>> resolve_period(PersonRecord(Profile("UTC")), None, None, date(2027, 3, 1))
    Period(start=datetime.date(2027, 3, 1), end=datetime.date(2027, 3, 1))
    """
    last = end or today
    if start is None:
        days = [d for d in _journal_days(record) if d <= last]
        start = min(days, default=last)
    if start > last:
        raise InputError(
            f"the report period starts on {start.isoformat()}, after it ends on"
            f" {last.isoformat()}: give --from before --to"
        )
    return Period(start, last)


def _journal_days(record: PersonRecord) -> list[date]:
    days = [c.wake_date for c in record.checkins] + [d.day for d in record.doses]
    return days + [s.taken_on for s in record.scores if s.taken_on is not None]


def _within(record: PersonRecord, period: Period) -> PersonRecord:
    """The record with only the period's check-ins, dose log and scores."""
    return replace(
        record,
        checkins=tuple(c for c in record.checkins if c.wake_date in period),
        doses=tuple(d for d in record.doses if d.day in period),
        scores=tuple(s for s in record.scores if s.taken_on in period),
    )
