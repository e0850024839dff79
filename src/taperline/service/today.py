"""Today for one person: doses, the next change, the check-in, the review, the last days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from taperline.adapters.storage.repo import Store
from taperline.core.metrics import burden, sleep_efficiency
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    RecordDose,
    RecordStep,
    schedule_on,
)
from taperline.core.review import Review, review
from taperline.service.store import local_today

__all__ = ["DayGlance", "DoseToday", "Status", "glance", "status"]


@dataclass(frozen=True, slots=True)
class DoseToday:
    """A planned dose of today and what the log says of it."""

    planned: RecordDose
    taken: DoseRecord | None

    @property
    def done(self) -> bool:
        """Taken (on time or late)."""
        return self.taken is not None and self.taken.taken_at is not None


@dataclass(frozen=True, slots=True)
class DayGlance:
    """One day of the last two weeks at a glance."""

    day: date
    checked_in: bool
    mood: int | None
    anxiety: int | None
    burden: int | None
    se_pct: float | None
    doses_taken: int
    doses_missed: int


@dataclass(frozen=True, slots=True)
class Status:
    """Today: doses, next change, the review and the last 14 days."""

    today: date
    plan: PlanVersion | None
    doses: tuple[DoseToday, ...]
    next_change: RecordStep | None
    checked_in_today: bool
    review: Review
    days: tuple[DayGlance, ...]


def _match_doses(planned: tuple[RecordDose, ...], logged: list[DoseRecord]) -> list[DoseToday]:
    remaining = list(logged)
    out = []
    for dose in planned:
        match = next((d for d in remaining if d.planned_clock == dose.clock), None)
        if match is not None:
            remaining.remove(match)
        out.append(DoseToday(dose, match))
    return out


def glance(record: PersonRecord, today: date, days: int = 14) -> tuple[DayGlance, ...]:
    """The last ``days`` days, oldest first."""
    by_day = {c.wake_date: c for c in record.checkins}
    first = today - timedelta(days=days - 1)
    counts: dict[date, list[int]] = {}  # day -> [doses taken, doses missed]
    for dose in record.doses:
        if first <= dose.day <= today:
            count = counts.setdefault(dose.day, [0, 0])
            count[0 if dose.taken_at is not None else 1] += 1
    out = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        checkin = by_day.get(day)
        taken, missed = counts.get(day, (0, 0))
        if checkin is None:
            out.append(
                DayGlance(
                    day,
                    checked_in=False,
                    mood=None,
                    anxiety=None,
                    burden=None,
                    se_pct=None,
                    doses_taken=taken,
                    doses_missed=missed,
                )
            )
            continue
        sleep = checkin.sleep
        out.append(
            DayGlance(
                day,
                checked_in=True,
                mood=checkin.mood,
                anxiety=checkin.anxiety,
                burden=burden(checkin),
                se_pct=sleep_efficiency(sleep) if sleep is not None else None,
                doses_taken=taken,
                doses_missed=missed,
            )
        )
    return tuple(out)


def status(store: Store, person_id: int, *, now: datetime) -> Status:
    """What today looks like for the person."""
    record = store.record(person_id)
    today = local_today(record.profile.time_zone, now)
    plan = record.plan
    planned = schedule_on(plan, today)
    logged = [d for d in record.doses if d.day == today]
    return Status(
        today=today,
        plan=plan,
        doses=tuple(_match_doses(planned, logged)),
        next_change=plan.next_change(today) if plan and plan.status == "active" else None,
        checked_in_today=any(c.wake_date == today for c in record.checkins),
        review=review(record, today),
        days=glance(record, today),
    )
