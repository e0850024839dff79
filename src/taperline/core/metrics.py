"""Sleep metrics per night, rolling means, circular clock means, symptom burden and baseline.

Sleep metrics follow the Consensus Sleep Diary [CARNEY-2012]:

* TIB (time in bed) = out of bed - into bed;
* TST (total sleep time) = TIB - (tried - bed) - SOL - WASO - (out of bed - final wake);
* SE (sleep efficiency) = TST / TIB x 100.

The **symptom burden** is taperline's own score, not a validated instrument: the sum of the
0-3 checklist ratings (16 symptoms, 0-48) plus anxiety (0-10) plus (10 - mood) (0-10), so
0-68, higher is worse. It only compares a person with their own baseline.

>>> from taperline.core.journal import CheckIn, SleepDiary, night_times
>>> diary = SleepDiary(*night_times(date(2027, 1, 5)), sol_min=20, waso_min=30, awakenings=2)
>>> m = night_metrics(diary)
>>> m.tib_min, m.tst_min, round(m.se_pct, 1)
(455, 380, 83.5)
>>> burden(CheckIn(date(2027, 1, 5), diary, mood=7, anxiety=4, symptoms={"tremor": 2}))
9
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from taperline.core.journal import SYMPTOM_MAX, SYMPTOMS, CheckIn, SleepDiary
from taperline.errors import CheckInError, InputError

__all__ = [
    "BURDEN_MAX",
    "Baseline",
    "NightMetrics",
    "RollingMean",
    "baseline",
    "burden",
    "circular_mean_clock_min",
    "clock_min",
    "night_metrics",
    "rolling_means",
    "scored",
    "sleep_efficiency",
    "symptom_score",
]

MINUTES_PER_DAY: Final = 24 * 60
BURDEN_MAX: Final = len(SYMPTOMS) * SYMPTOM_MAX + 10 + 10  # 68
MIN_BASELINE_DAYS: Final = 3  # fewer days cannot give a spread (taperline's assumption)
_CIRCULAR_EPSILON: Final = 1e-9


@dataclass(frozen=True, slots=True)
class NightMetrics:
    """Consensus Sleep Diary metrics of one night, dated by the date of waking."""

    wake_date: date
    tib_min: int
    tst_min: int
    sol_min: int
    waso_min: int
    se_pct: float


def _sleep_minutes(diary: SleepDiary) -> tuple[int, int]:
    """TIB and TST of one night in minutes [CARNEY-2012]; negative sleep is refused."""
    bed, out_of_bed = diary.bed, diary.out_of_bed
    # A daylight-saving change falls between trying to sleep and the final awakening.
    # Whole minutes, rounded (clock times may carry seconds).
    tib_min = round((out_of_bed - bed).total_seconds() / 60) - diary.clock_shift_min
    before_min = round((diary.tried - bed).total_seconds() / 60)
    after_min = round((out_of_bed - diary.final_wake).total_seconds() / 60)
    tst_min = tib_min - before_min - diary.sol_min - diary.waso_min - after_min
    if tst_min < 0:
        raise CheckInError(f"total sleep time would be negative ({tst_min} min); check sol_min")
    return tib_min, tst_min


def night_metrics(diary: SleepDiary) -> NightMetrics:
    """TIB, TST, SOL, WASO and SE of one night [CARNEY-2012]; negative sleep is refused.

    >>> from taperline.core.journal import night_times
    >>> times = night_times(date(2027, 1, 5), bed="22:00", tried="22:00", final_wake="06:00")
    >>> m = night_metrics(SleepDiary(*times[:3], times[2], sol_min=0, waso_min=0, awakenings=0))
    >>> m.tib_min, m.tst_min, m.se_pct
    (480, 480, 100.0)
    """
    tib_min, tst_min = _sleep_minutes(diary)
    se_pct = 100.0 * tst_min / tib_min if tib_min > 0 else 0.0
    return NightMetrics(
        diary.final_wake.date(), tib_min, tst_min, diary.sol_min, diary.waso_min, se_pct
    )


def sleep_efficiency(diary: SleepDiary) -> float:
    """SE (%) of one night: ``night_metrics(diary).se_pct``, without the other metrics.

    >>> from taperline.core.journal import night_times
    >>> round(sleep_efficiency(SleepDiary(*night_times(date(2027, 1, 5)), 20, 30, 2)), 1)
    83.5
    """
    tib_min, tst_min = _sleep_minutes(diary)
    return 100.0 * tst_min / tib_min if tib_min > 0 else 0.0


@dataclass(frozen=True, slots=True)
class RollingMean:
    """Mean of the values in the ``window_days`` ending on ``end``; ``n`` days had a value."""

    end: date
    mean: float | None
    n: int


def rolling_means(values: Mapping[date, float], window_days: int = 7) -> tuple[RollingMean, ...]:
    """Trailing means for every day from the first to the last value; missing days are skipped.

    >>> d = date(2027, 1, 1)
    >>> [(r.mean, r.n) for r in rolling_means({d: 80.0, d + timedelta(days=2): 90.0}, 2)]
    [(80.0, 1), (80.0, 1), (90.0, 1)]
    """
    if window_days < 1:
        raise InputError(f"window_days must be 1 or more, got {window_days}")
    if not values:
        return ()
    first, last = min(values), max(values)
    result = []
    for offset in range((last - first).days + 1):
        end = first + timedelta(days=offset)
        window = [
            values[day] for k in range(window_days) if (day := end - timedelta(days=k)) in values
        ]
        mean = statistics.fmean(window) if window else None
        result.append(RollingMean(end, mean, len(window)))
    return tuple(result)


def clock_min(moment: datetime) -> int:
    """Minutes after local midnight of a clock time.

    >>> clock_min(datetime(2027, 1, 4, 23, 10))
    1390
    """
    return moment.hour * 60 + moment.minute


def circular_mean_clock_min(minutes: Sequence[float]) -> float:
    """Circular mean of clock times given in minutes after midnight (a 24 h circle).

    23:00 and 01:00 average to midnight, not to noon [CARNEY-2012: average clock times
    circularly]. Times spread evenly round the clock have no mean and are refused.

    >>> round(circular_mean_clock_min([23 * 60, 60])) % 1440
    0
    >>> round(circular_mean_clock_min([22 * 60, 23 * 60]))
    1350
    """
    if not minutes:
        raise InputError("circular mean of no clock times: give at least one")
    angles = [2 * math.pi * m / MINUTES_PER_DAY for m in minutes]
    sin_sum = math.fsum(math.sin(a) for a in angles)
    cos_sum = math.fsum(math.cos(a) for a in angles)
    if math.hypot(sin_sum, cos_sum) < _CIRCULAR_EPSILON * len(angles):
        raise InputError("clock times are spread evenly round the clock: they have no mean")
    angle = math.atan2(sin_sum, cos_sum) % (2 * math.pi)
    return (angle * MINUTES_PER_DAY / (2 * math.pi)) % MINUTES_PER_DAY


def burden(checkin: CheckIn) -> int:
    """Symptom burden (taperline's own): checklist sum (0-48) + anxiety + (10 - mood); 0-68.

    Not a validated instrument: it compares a person only with their own baseline. A day
    whose checklist was not asked (a quick check-in) has no score: computing one would read
    the unasked symptoms as absent, so it is refused (:func:`symptom_score` says None).

    >>> burden(CheckIn(date(2027, 1, 5), None, mood=10, anxiety=0))
    0
    >>> burden(CheckIn(date(2027, 1, 5), None, mood=10, anxiety=0, symptoms_rated=False))
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: no symptom score on 2027-01-05: the symptom checklist was not filled in
    """  # noqa: E501 -- a doctest line reads better whole
    if not checkin.symptoms_rated:
        raise InputError(
            f"no symptom score on {checkin.wake_date.isoformat()}: the symptom checklist was"
            " not filled in"
        )
    return sum(checkin.symptoms.values()) + checkin.anxiety + (10 - checkin.mood)


def symptom_score(checkin: CheckIn) -> int | None:
    """The day's :func:`burden`, or None when its symptom checklist was not filled in.

    >>> symptom_score(CheckIn(date(2027, 1, 5), None, mood=6, anxiety=4, symptoms_rated=False))
    """
    return burden(checkin) if checkin.symptoms_rated else None


def scored(checkins: Sequence[CheckIn]) -> list[CheckIn]:
    """The check-ins that have a symptom score: the only days a burden finding may read.

    >>> days = [CheckIn(date(2027, 1, d), None, mood=6, anxiety=4, symptoms_rated=d > 1)
    ...         for d in (1, 2)]
    >>> [c.wake_date.day for c in scored(days)]
    [2]
    """
    return [c for c in checkins if c.symptoms_rated]


@dataclass(frozen=True, slots=True)
class Baseline:
    """Burden and sleep efficiency over the stabilisation period before the first cut."""

    burden_mean: float
    burden_sd: float
    se_mean_pct: float | None
    se_sd_pct: float | None
    days: int
    nights: int


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return statistics.fmean(values), sd


def baseline(checkins: Sequence[CheckIn], first_cut: date) -> Baseline:
    """Mean and SD of burden and of SE over the check-ins dated before ``first_cut``.

    Burden is read from the days with the symptom checklist only (:func:`scored`); SE from
    the nights with the diary's times.

    The stabilisation period before the first cut [SEED-MICROTAPER: stabilise 2-4 weeks]
    is the person's own reference; at least 3 check-ins are needed (taperline's default).

    >>> days = [CheckIn(date(2027, 1, d), None, mood=6, anxiety=a) for d, a in [(1, 3), (2, 5), (3, 4)]]
    >>> b = baseline(days, date(2027, 1, 10))
    >>> b.burden_mean, b.burden_sd, b.se_mean_pct
    (8.0, 1.0, None)
    """  # noqa: E501 -- a doctest line reads better whole
    before = [c for c in scored(checkins) if c.wake_date < first_cut]
    if len(before) < MIN_BASELINE_DAYS:
        raise InputError(
            f"baseline needs at least {MIN_BASELINE_DAYS} check-ins before the first cut"
            f" ({first_cut.isoformat()}) with the symptom checklist filled in; {len(before)} found"
        )
    burden_mean, burden_sd = _mean_sd([float(burden(c)) for c in before])
    se_values = [
        sleep_efficiency(c.sleep)
        for c in checkins
        if c.wake_date < first_cut and c.sleep is not None
    ]
    se_mean, se_sd = _mean_sd(se_values) if se_values else (None, None)
    return Baseline(burden_mean, burden_sd, se_mean, se_sd, len(before), len(se_values))
