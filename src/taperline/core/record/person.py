"""The whole record of one person, and its check-ins joined with the dose log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter
from typing import Final

from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, TakenDose
from taperline.core.record.current import planned_on
from taperline.core.record.entries import DoseRecord, Profile
from taperline.core.record.steps import RecordDose
from taperline.core.record.versions import PlanVersion, in_force


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Everything stored about one person, as exports and imports carry it.

    ``checkins`` hold no doses (``CheckIn.doses`` is empty): the dose log is ``doses``;
    :func:`with_doses` joins them for the findings.
    """

    profile: Profile
    checkins: tuple[CheckIn, ...] = ()
    doses: tuple[DoseRecord, ...] = ()
    scores: tuple[InstrumentScore, ...] = ()
    plans: tuple[PlanVersion, ...] = ()

    @property
    def plan(self) -> PlanVersion | None:
        """The plan in force (see :func:`in_force`)."""
        return in_force(self.plans)

    def planned_on(self, day: date) -> tuple[RecordDose, ...]:
        """The doses planned on ``day``: the plan in force's, or the regimen's before it."""
        return planned_on(self.plan, self.profile.regimen, day)


def with_doses(checkins: Sequence[CheckIn], doses: Sequence[DoseRecord]) -> list[CheckIn]:
    """Check-ins with the taken doses of their day from the dose log attached.

    A dose stays with the day it belongs to even when it was taken on another date: last
    night's 22:00 dose logged at 07:05 this morning is that night's dose taken late, not a
    missed one. Such a joined check-in holds a dose off its own date, which a check-in made
    by hand may not (:class:`CheckIn` refuses one): it is for the findings to read, not to
    store or to copy with :func:`dataclasses.replace`.
    """
    by_day: dict[date, list[TakenDose]] = {}
    for record in doses:
        taken = record.taken_at
        if taken is not None and record.amount is not None:
            by_day.setdefault(record.day, []).append(TakenDose(taken, record.amount))
    out = []
    for checkin in checkins:
        day_doses = by_day.get(checkin.wake_date)
        if not day_doses:
            out.append(checkin)
            continue
        # Already validated: no need to re-check the whole check-in (a copy with the sorted
        # doses set, as __post_init__ would, which would also refuse a dose off its date).
        out.append(_joined(checkin, tuple(sorted(day_doses, key=lambda d: d.taken_at))))
    return out


_CHECKIN_FIELDS: Final = tuple(f.name for f in fields(CheckIn))
_checkin_values: Final = attrgetter(*_CHECKIN_FIELDS)


def _joined(checkin: CheckIn, doses: tuple[TakenDose, ...]) -> CheckIn:
    """A copy of a validated check-in with ``doses`` set: what ``copy.copy`` makes, faster."""
    joined = object.__new__(CheckIn)
    set_field = object.__setattr__  # the class is frozen
    for name, value in zip(_CHECKIN_FIELDS, _checkin_values(checkin), strict=True):
        set_field(joined, name, value)
    set_field(joined, "doses", doses)
    return joined
