"""Findings in the timing of doses: interdose withdrawal (with the PK it needs) and rebound."""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Final

import numpy as np

from taperline.core.findings.model import Evidence, Finding, FindingRules
from taperline.core.journal import CheckIn, TimeOfDay
from taperline.core.metrics import sleep_efficiency
from taperline.core.pk import DoseEvent, PKParams, concentrations_ng_per_ml

_HOURS_PER_DAY: Final = 24
_SAMPLES_PER_DAY: Final = 96  # every 15 min
_STEADY_STATE_HALF_LIVES: Final = 7  # > 99 % of steady state
_MAX_SIM_DAYS: Final = 60


# --- interdose withdrawal -------------------------------------------------------------------


def time_of_day(hour: float) -> TimeOfDay:
    """The part of the day of a clock hour: night 0-6, morning 6-12, afternoon 12-18, evening.

    >>> time_of_day(21.5), time_of_day(3.0)
    ('evening', 'night')
    """
    hour %= _HOURS_PER_DAY
    if hour < 6:  # noqa: PLR2004 -- the quarter-day boundaries are the definition
        return "night"
    if hour < 12:  # noqa: PLR2004 -- likewise
        return "morning"
    return "afternoon" if hour < 18 else "evening"  # noqa: PLR2004 -- likewise


def trough_hour(params: PKParams, schedule: Sequence[tuple[float, float]]) -> float:
    """Clock hour of the lowest predicted concentration over a steady-state day.

    ``schedule`` holds (clock hour, mg) of each daily dose. The regimen is repeated until
    steady state (7 half-lives) and the last day is sampled every 15 min.

    >>> from taperline.core.pk import CLONAZEPAM_PK
    >>> trough_hour(CLONAZEPAM_PK, [(22.0, 0.5)])
    22.0
    >>> time_of_day(trough_hour(CLONAZEPAM_PK, [(8.0, 0.5), (20.0, 0.25)]))
    'morning'
    """
    return _trough_hour(params, tuple((hour, mg) for hour, mg in schedule))


@lru_cache(maxsize=64)
def _trough_hour(params: PKParams, schedule: tuple[tuple[float, float], ...]) -> float:
    """:func:`trough_hour`, remembered: a review asks for the same few schedules again."""
    days = min(_MAX_SIM_DAYS, math.ceil(_STEADY_STATE_HALF_LIVES * params.half_life_h / 24) + 1)
    events = [
        DoseEvent(day * _HOURS_PER_DAY + hour, mg) for day in range(days) for hour, mg in schedule
    ]
    step_h = _HOURS_PER_DAY / _SAMPLES_PER_DAY
    hours = np.arange(_SAMPLES_PER_DAY) * step_h
    conc = concentrations_ng_per_ml(params, events, (days - 1) * _HOURS_PER_DAY + hours)
    return float(hours[int(np.argmin(conc))])


def find_interdose(
    checkins: Sequence[CheckIn],
    trough: TimeOfDay,
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Interdose withdrawal: the worst time of day matches the predicted trough on most days.

    >>> from taperline.core.journal import CheckIn
    >>> days = [
    ...     CheckIn(date(2027, 2, d), None, mood=5, anxiety=5, worst_time="evening")
    ...     for d in range(1, 6)
    ... ]
    >>> find_interdose(days, "evening")[0].suggested_action
    'ask your clinician about splitting the dose or a crossover to a longer-acting drug'
    """
    reported = [c for c in checkins if c.worst_time is not None]
    matching = [c for c in reported if c.worst_time == trough]
    if len(reported) < rules.interdose_min_days:
        return ()
    if len(matching) <= rules.interdose_match_fraction * len(reported):
        return ()
    return (
        Finding(
            kind="interdose",
            severity="warning",
            message=(
                f"Your worst time of day was the {trough} on {len(matching)} of"
                f" {len(reported)} days, when your blood level is predicted to be lowest."
                " This can be withdrawal between doses."
            ),
            evidence=tuple(
                Evidence(c.wake_date, "worst time", str(c.worst_time)) for c in matching
            ),
            source="SEED-INSOMNIA; ASAM-2025",
            suggested_action=(
                "ask your clinician about splitting the dose or a crossover to a longer-acting drug"
            ),
        ),
    )


# --- rebound --------------------------------------------------------------------------------


def _dose_problem(
    day: date, taken_at: Sequence[datetime], dose_hours: Sequence[float], late_after_h: float
) -> str:
    """'missed', 'late' or '' for the doses of ``day`` against the (sorted) planned hours.

    A dose is measured in hours from midnight of its day, so a 22:00 dose taken at 07:05 the
    next morning is 9 h 05 min late, not early (and a dose taken before midnight for the
    next day's morning dose is early).

    >>> _dose_problem(date(2027, 1, 7), [datetime(2027, 1, 8, 7, 5)], [22.0], 2.0)
    'late'
    >>> _dose_problem(date(2027, 1, 7), [datetime(2027, 1, 7, 22, 30)], [22.0], 2.0)
    ''
    >>> _dose_problem(date(2027, 1, 7), [], [22.0], 2.0)
    'missed'
    """
    # hours on the clock, plus a day's for each day after its own (as the clock hour alone
    # was read before, so a dose on its own day is read exactly as it was)
    taken = [(t.date() - day).days * _HOURS_PER_DAY + t.hour + t.minute / 60 for t in taken_at]
    if len(taken) < len(dose_hours):
        return "missed"
    late = any(t - s > late_after_h for t, s in zip(sorted(taken), dose_hours, strict=False))
    return "late" if late else ""


def find_rebound(
    checkins: Sequence[CheckIn],
    dose_hours: Sequence[float],
    rules: FindingRules = FindingRules(),
    logged_days: Collection[date] | None = None,
    *,
    taken_times: Mapping[date, Sequence[datetime]] | None = None,
) -> tuple[Finding, ...]:
    """Rebound: the night after a missed or late dose is clearly worse than the usual night.

    The usual night is the median sleep efficiency of the nights given; worse means
    ``rebound_se_drop_pct`` points lower. With ``logged_days``, only those days' doses are
    judged (a day with no dose log is unknown, not missed). ``taken_times`` gives the times
    doses were taken by day (e.g. from the dose log); a day listed there is judged by them
    rather than by its check-in's doses, as if :func:`taperline.core.record.with_doses` had
    joined them.

    >>> find_rebound([], [22.0])
    ()
    """
    by_day = {c.wake_date: c for c in checkins}
    se_by_day = {d: sleep_efficiency(c.sleep) for d, c in by_day.items() if c.sleep}
    if not se_by_day:
        return ()
    usual = float(statistics.median(se_by_day.values()))  # as np.median: the same float
    worse = usual - rules.rebound_se_drop_pct
    scheduled = sorted(dose_hours)
    evidence: list[Evidence] = []
    for day in sorted(by_day):
        if logged_days is not None and day not in logged_days:
            continue
        night_se = se_by_day.get(day + timedelta(days=1))
        if night_se is None or night_se > worse:
            continue  # the next night was not clearly worse: the doses do not matter
        times = taken_times.get(day) if taken_times is not None else None
        if not times:
            times = [d.taken_at for d in by_day[day].doses]
        problem = _dose_problem(day, times, scheduled, rules.late_after_h)
        if problem:
            evidence.append(Evidence(day, "dose", problem))
            evidence.append(
                Evidence(day + timedelta(days=1), "sleep efficiency %", f"{night_se:.0f}")
            )
    if not evidence:
        return ()
    return (
        Finding(
            kind="rebound",
            severity="info",
            message=(
                "Sleep was worse the night after a missed or late dose"
                f" ({len(evidence) // 2} times). Taking doses on time keeps levels steadier."
            ),
            evidence=tuple(evidence),
            source="SEED-INSOMNIA",
            suggested_action="take doses at the planned times; do not double up after a miss",
        ),
    )
