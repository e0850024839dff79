"""Which planned dose a dose logged without a date belongs to: the nearest in time.

A person who logs a dose at 07:00 without saying which day it belongs to usually means last
night's dose, not tonight's. The dose log matches such a dose by time: among the planned
doses of the day it was taken and the day before (the plan in force on each day), the one
whose planned wall-clock time is nearest to when it was taken (:func:`nearest_planned`).

Times here are local wall-clock times, as the dose log holds them (the person's own zone),
and distances are wall-clock distances: a 22:00 dose is 9 hours from 07:00 the next morning
whatever a clock change did that night.

The choices, each tested in ``tests/test_dose_matching.py``:

* Nearest wins, and a tie goes to the earlier planned dose: split doses at 08:00 and 20:00
  logged at 14:00 are the 08:00 dose taken late rather than the 20:00 dose taken early (a
  dose that is due is more likely than one to come).
* A missed dose can only be one already due (``due_only``): at 07:00 "missed" is last night's
  20:00 dose, never the 08:00 dose still to come.
* The nearest is chosen among all planned doses, logged or not. The caller refuses it when it
  is already in the log (a dose logged twice is never stored twice silently): a second
  "log-dose" at 07:00 after last night's 22:00 dose was logged is a repeat, not tonight's
  dose taken 15 hours early.

>>> from datetime import date, datetime
>>> from taperline.core.quantity import Mass
>>> night = RecordDose("22:00", "clonazepam", Mass.of_mg("0.5"))
>>> planned = [(date(2027, 1, 7), night), (date(2027, 1, 8), night)]
>>> day, dose = nearest_planned(datetime(2027, 1, 8, 7, 5), planned)
>>> day.isoformat(), dose.clock
('2027-01-07', '22:00')
>>> describe_dose(day, dose.clock, today=date(2027, 1, 8))
"last night's 22:00 dose (Thu 7 Jan)"
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from taperline.core.record.current import planned_on
from taperline.core.record.steps import RecordDose
from taperline.core.values import MONTH_NAMES, WEEKDAY_NAMES

if TYPE_CHECKING:
    from taperline.core.record.current import Regimen
    from taperline.core.record.versions import PlanVersion

__all__ = [
    "day_text",
    "describe_dose",
    "last_struck",
    "nearest_planned",
    "nearest_struck",
    "planned_around",
    "planned_moment",
]

#: From this hour a dose is an evening's: "last night's" or "tonight's" (plain words only).
_EVENING_HOUR: Final = 18


def planned_moment(day: date, clock: str) -> datetime:
    """When the ``clock`` (HH:MM) dose of ``day`` is planned (local wall clock).

    >>> planned_moment(date(2027, 1, 7), "22:00")
    datetime.datetime(2027, 1, 7, 22, 0)
    """
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes))


def planned_around(
    version: PlanVersion | None, day: date, regimen: Regimen | None = None
) -> tuple[tuple[date, RecordDose], ...]:
    """The planned doses of the day before ``day`` and of ``day``, with their days.

    Each day's doses are those of the plan ``version`` on that day (:func:`schedule_on`;
    none on the off day of an every-other-day step), or the ``regimen``'s before the plan
    starts (:func:`~taperline.core.record.current.planned_on`; none without one).
    """
    days = (day - timedelta(days=1), day)
    return tuple((d, dose) for d in days for dose in planned_on(version, regimen, d))


def nearest_planned(
    moment: datetime,
    planned: Iterable[tuple[date, RecordDose]],
    *,
    due_only: bool = False,
) -> tuple[date, RecordDose] | None:
    """The planned dose (with its day) whose planned time is nearest ``moment``.

    ``moment`` is when the dose was taken (or found missed), local wall clock. A tie goes to
    the earlier planned dose; two doses planned at the same moment (two drugs at one time)
    to the first given. With ``due_only`` only doses planned at or before ``moment`` count
    (a dose is missed only once it is due). None when no dose counts.

    >>> from taperline.core.quantity import Mass
    >>> day = date(2027, 1, 8)
    >>> split = [(day, RecordDose(c, "clonazepam", Mass.of_mg("0.25"))) for c in ("08:00", "20:00")]
    >>> nearest_planned(datetime(2027, 1, 8, 14, 0), split)[1].clock  # a tie: the earlier
    '08:00'
    >>> nearest_planned(datetime(2027, 1, 8, 7, 0), split, due_only=True) is None
    True
    """
    best: tuple[date, RecordDose] | None = None
    best_key: tuple[timedelta, datetime] | None = None
    for day, dose in planned:
        at = planned_moment(day, dose.clock)
        if due_only and at > moment:
            continue
        key = (abs(moment - at), at)
        if best_key is None or key < best_key:
            best, best_key = (day, dose), key
    return best


def last_struck(clock: time, moment: datetime) -> datetime:
    """The last time the wall clock showed ``clock`` at or before ``moment`` (to the minute).

    A time of day given without a date ("I took it at 22:10", said at 07:00) is the latest
    such time not in the future: yesterday's when today's is still to come.

    >>> last_struck(time(22, 10), datetime(2027, 1, 8, 7, 0))
    datetime.datetime(2027, 1, 7, 22, 10)
    >>> last_struck(time(6, 45), datetime(2027, 1, 8, 7, 0))
    datetime.datetime(2027, 1, 8, 6, 45)
    """
    struck = datetime.combine(moment.date(), clock.replace(second=0, microsecond=0))
    return struck if struck <= moment else struck - timedelta(days=1)


def nearest_struck(day: date, clock: time, planned: str) -> datetime:
    """When ``clock`` struck nearest to ``day``'s dose planned at ``planned`` (HH:MM).

    A dose of a day taken at a time of day: that day's, or the day after's or before's when
    nearer the planned time. Last night's 22:00 dose taken at 00:30 was taken the morning
    after, not 21 and a half hours early; a dose planned at 00:30 taken at 23:50 the
    evening before.

    >>> nearest_struck(date(2027, 1, 7), time(0, 30), "22:00")
    datetime.datetime(2027, 1, 8, 0, 30)
    >>> nearest_struck(date(2027, 1, 7), time(21, 40), "22:00")
    datetime.datetime(2027, 1, 7, 21, 40)
    >>> nearest_struck(date(2027, 1, 7), time(23, 50), "00:30")
    datetime.datetime(2027, 1, 6, 23, 50)
    >>> nearest_struck(date(2027, 1, 7), time(10, 0), "22:00")  # 12 h either way: that day
    datetime.datetime(2027, 1, 7, 10, 0)
    """
    target = planned_moment(day, planned)
    struck = datetime.combine(day, clock.replace(second=0, microsecond=0))
    # ties go to the dose's own day (the first of the three)
    return min(
        (struck, struck + timedelta(days=1), struck - timedelta(days=1)),
        key=lambda moment: abs(moment - target),
    )


def describe_dose(day: date, clock: str | None, *, today: date) -> str:
    """A logged dose in plain words, with its date, as seen on ``today``.

    >>> today = date(2027, 1, 8)
    >>> describe_dose(date(2027, 1, 7), "22:00", today=today)
    "last night's 22:00 dose (Thu 7 Jan)"
    >>> describe_dose(date(2027, 1, 7), "08:00", today=today)
    "yesterday's 08:00 dose (Thu 7 Jan)"
    >>> describe_dose(today, "08:00", today=today), describe_dose(today, "22:00", today=today)
    ("today's 08:00 dose (Fri 8 Jan)", "tonight's 22:00 dose (Fri 8 Jan)")
    >>> describe_dose(date(2026, 12, 30), "22:00", today=today)
    'the 22:00 dose of Wed 30 Dec 2026'
    >>> describe_dose(today, None, today=today)
    'an extra dose (Fri 8 Jan)'
    """
    when = day_text(day, today)
    if clock is None:
        return f"an extra dose ({when})"
    evening = int(clock[:2]) >= _EVENING_HOUR
    if day == today:
        return f"{'tonight' if evening else 'today'}'s {clock} dose ({when})"
    if day == today - timedelta(days=1):
        return f"{'last night' if evening else 'yesterday'}'s {clock} dose ({when})"
    return f"the {clock} dose of {when}"


def day_text(day: date, today: date) -> str:
    """A date as people write it: 'Thu 7 Jan', with the year when it is not ``today``'s.

    >>> day_text(date(2027, 1, 7), date(2027, 1, 8)), day_text(date(2026, 12, 30), date(2027, 1, 8))
    ('Thu 7 Jan', 'Wed 30 Dec 2026')
    """
    text = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"
