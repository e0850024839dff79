"""What the taper charts draw: one value per day (or per week) of dose, sleep, mood and symptoms.

A missing value stays missing (None), never zero: a day without a check-in has no sleep, mood
or symptoms; a quick check-in has the person's estimate of their sleep (``slept_estimated``)
and no sleep efficiency; a check-in whose symptom checklist was not filled in has no symptom
ratings (``symptoms`` None) and no symptom score. Over a long range the chart reads weekly
means (:func:`weekly`), each of the values that were given that week.

>>> from taperline.core.journal import CheckIn, ReportedSleep
>>> from taperline.core.record import PersonRecord, Profile
>>> quick = CheckIn(date(2027, 1, 2), None, 6, 3, reported_sleep=ReportedSleep(390, 3),
...                 symptoms_rated=False)
>>> days = day_series(PersonRecord(Profile("UTC"), checkins=(quick,)),
...                   date(2027, 1, 1), date(2027, 1, 2))
>>> [(d.slept_h, d.slept_estimated, d.se_pct, d.mood, d.symptoms, d.score) for d in days]
[(None, False, None, None, None, None), (6.5, True, None, 6, None, None)]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import fmean

from taperline.core.journal import CheckIn
from taperline.core.metrics import night_metrics, symptom_score
from taperline.core.record import PersonRecord, PlanVersion

__all__ = ["Cut", "SeriesDay", "cuts", "day_series", "planned_daily_mg", "tracked", "weekly"]

_MINUTES_PER_HOUR = 60.0
_WEEK = 7


@dataclass(frozen=True, slots=True)
class SeriesDay:
    """One day (or, from :func:`weekly`, the week starting on ``day``) of a chart.

    ``symptoms`` maps each rated symptom to its 0-3 rating (0 for the unrated names of a
    filled-in checklist is implied), None when the checklist was not filled in; weekly means
    are floats. ``days`` is how many days the value stands for (7 for a week).
    """

    day: date
    planned_mg: float | None = None
    taken_mg: float | None = None
    slept_h: float | None = None
    slept_estimated: bool = False
    se_pct: float | None = None
    mood: float | None = None
    anxiety: float | None = None
    symptoms: Mapping[str, float] | None = field(default=None, hash=False)
    score: float | None = None
    days: int = 1
    # Device sleep (core.device_sleep.with_device_nights), beside the diary's, never in it.
    device_slept_h: float | None = None
    device_se_pct: float | None = None


@dataclass(frozen=True, slots=True)
class Cut:
    """A change of the planned daily dose: the day it starts, from and to (mg a day)."""

    day: date
    from_mg: float
    to_mg: float

    @property
    def change_pct(self) -> float:
        """The change in percent of the dose before (negative for a cut).

        >>> round(Cut(date(2027, 1, 1), 1.0, 0.9).change_pct, 1)
        -10.0
        """
        return 100.0 * (self.to_mg - self.from_mg) / self.from_mg if self.from_mg else 0.0


def planned_daily_mg(plan: PlanVersion | None, days: Sequence[date]) -> list[float | None]:
    """The planned daily dose (mg) of each day: None before the plan, 0 on an off day.

    The same as summing :func:`~taperline.core.record.schedule_on` of each day, with each
    step's total made once (a held plan stays on its held dose).
    """
    if plan is None:
        return [None for _ in days]
    steps = plan.followed_steps
    starts = [step.start for step in steps]  # increasing (PlanVersion checks it)
    totals = [float(sum((d.amount.mg for d in step.doses), Decimal(0))) for step in steps]
    out: list[float | None] = []
    for day in days:
        index = bisect_right(starts, day) - 1
        if index < 0:
            out.append(None)
            continue
        step = steps[index]
        off = step.every_other_day and (day - step.start).days % 2 == 1
        out.append(0.0 if off else totals[index])
    return out


def _slept(checkin: CheckIn) -> tuple[float | None, bool, float | None]:
    """Hours slept, whether they are the person's estimate, and sleep efficiency (%)."""
    if checkin.sleep is not None:
        night = night_metrics(checkin.sleep)
        return night.tst_min / _MINUTES_PER_HOUR, False, night.se_pct
    if checkin.reported_sleep is not None:
        return checkin.reported_sleep.asleep_min / _MINUTES_PER_HOUR, True, None
    return None, False, None


def day_series(record: PersonRecord, start: date, end: date) -> tuple[SeriesDay, ...]:
    """Every day from ``start`` to ``end`` (inclusive), oldest first."""
    days = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    by_day = {c.wake_date: c for c in record.checkins if start <= c.wake_date <= end}
    taken: dict[date, Decimal] = {}
    for dose in record.doses:
        if dose.amount is not None and start <= dose.day <= end:
            taken[dose.day] = taken.get(dose.day, Decimal(0)) + dose.amount.mg
    out = []
    for day, planned in zip(days, planned_daily_mg(record.plan, days), strict=True):
        taken_mg = float(taken[day]) if day in taken else None
        checkin = by_day.get(day)
        if checkin is None:
            out.append(SeriesDay(day, planned, taken_mg))
            continue
        slept_h, estimated, se_pct = _slept(checkin)
        rated = dict(checkin.symptoms) if checkin.symptoms_rated else None
        score = symptom_score(checkin)
        out.append(
            SeriesDay(
                day,
                planned,
                taken_mg,
                slept_h,
                estimated,
                se_pct,
                checkin.mood,
                checkin.anxiety,
                rated,
                None if score is None else float(score),
            )
        )
    return tuple(out)


def cuts(days: Sequence[SeriesDay]) -> tuple[Cut, ...]:
    """Each change of the planned dose within ``days`` (an every-other-day 0 is not one).

    >>> s = [SeriesDay(date(2027, 1, d), planned_mg=mg) for d, mg in ((1, 1.0), (2, 1.0), (3, 0.9))]
    >>> cuts(s)
    (Cut(day=datetime.date(2027, 1, 3), from_mg=1.0, to_mg=0.9),)
    """
    out: list[Cut] = []
    previous: float | None = None
    last_dosed = max((i for i, d in enumerate(days) if d.planned_mg), default=-1)
    for index, d in enumerate(days):
        if d.planned_mg is None or (d.planned_mg == 0.0 and index < last_dosed):
            continue  # an off day of an every-other-day step, not a change
        if previous is not None and d.planned_mg != previous:
            out.append(Cut(d.day, previous, d.planned_mg))
        previous = d.planned_mg
    return tuple(out)


def tracked(days: Sequence[SeriesDay]) -> tuple[str, ...]:
    """The symptoms rated above 0 on some day, the most felt first (then by name).

    >>> tracked([SeriesDay(date(2027, 1, 1), symptoms={"tremor": 1, "insomnia": 2, "nausea": 0})])
    ('insomnia', 'tremor')
    """
    totals: dict[str, float] = {}
    for d in days:
        for name, rating in (d.symptoms or {}).items():
            if rating > 0:
                totals[name] = totals.get(name, 0.0) + rating
    return tuple(sorted(totals, key=lambda name: (-totals[name], name)))


def _mean(values: Sequence[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return fmean(given) if given else None


def _week(chunk: Sequence[SeriesDay]) -> SeriesDay:
    slept = [d for d in chunk if d.slept_h is not None]
    rated = [d.symptoms for d in chunk if d.symptoms is not None]
    names = {name for ratings in rated for name in ratings}
    symptoms = {n: fmean(r.get(n, 0.0) for r in rated) for n in sorted(names)} if rated else None
    return SeriesDay(
        chunk[0].day,
        chunk[-1].planned_mg,  # the dose the week ends on: cuts stay on their week
        _mean([d.taken_mg for d in chunk]),
        _mean([d.slept_h for d in slept]),
        sum(d.slept_estimated for d in slept) * 2 > len(slept),  # mostly estimates
        _mean([d.se_pct for d in chunk]),
        _mean([d.mood for d in chunk]),
        _mean([d.anxiety for d in chunk]),
        symptoms,
        _mean([d.score for d in chunk]),
        len(chunk),
        _mean([d.device_slept_h for d in chunk]),
        _mean([d.device_se_pct for d in chunk]),
    )


def weekly(days: Sequence[SeriesDay]) -> tuple[SeriesDay, ...]:
    """Weeks from the first day: each value the mean of the days that have one (None if none).

    >>> week = weekly([SeriesDay(date(2027, 1, d), mood=m) for d, m in ((1, 4), (2, None), (3, 6))])
    >>> [(w.day.isoformat(), w.mood, w.days) for w in week]
    [('2027-01-01', 5.0, 3)]
    """
    return tuple(_week(days[i : i + _WEEK]) for i in range(0, len(days), _WEEK))
