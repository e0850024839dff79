"""Findings in the timing of doses: interdose withdrawal (with the PK it needs) and rebound."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from taperline.core.findings.model import (
    Evidence,
    Finding,
    FindingRules,
    number_text,
    score_text,
    times_text,
)
from taperline.core.journal import CheckIn, TimeOfDay
from taperline.core.metrics import burden, scored, sleep_efficiency
from taperline.core.pk_params import NG_PER_ML_PER_MG_PER_L, PKParams

if TYPE_CHECKING:
    from taperline.core.device_sleep import DeviceNight

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
    hours, conc = _steady_day(params, schedule)
    return hours[min(range(len(conc)), key=conc.__getitem__)]  # the first lowest, as argmin


def _steady_day(
    params: PKParams, schedule: tuple[tuple[float, float], ...]
) -> tuple[list[float], list[float]]:
    """Clock hours and concentrations of a steady-state day, every 15 min, in plain floats.

    The superposition of :func:`taperline.core.pk.concentrations_ng_per_ml` (the regimen
    repeated for 7 half-lives, the last day sampled), added in the same order, without NumPy:
    the journal's review needs only these 96 values, and importing NumPy would cost the
    journal commands more than the computation (tests/test_journal_imports.py checks both).
    """
    days = min(_MAX_SIM_DAYS, math.ceil(_STEADY_STATE_HALF_LIVES * params.half_life_h / 24) + 1)
    events = [(day * _HOURS_PER_DAY + hour, mg) for day in range(days) for hour, mg in schedule]
    step_h = _HOURS_PER_DAY / _SAMPLES_PER_DAY
    hours = [index * step_h for index in range(_SAMPLES_PER_DAY)]
    start = (days - 1) * _HOURS_PER_DAY
    ka, ke = params.ka_per_h, params.ke_per_h
    slow, gap = min(ka, ke), abs(ka - ke)
    scale = params.bioavailability * NG_PER_ML_PER_MG_PER_L / params.v_l
    conc = [0.0] * _SAMPLES_PER_DAY
    for time_h, mg in events:
        amount = mg * scale
        for index, hour in enumerate(hours):
            t = max(start + hour - time_h, 0.0)
            spread = -math.expm1(-gap * t) / gap if gap > 0 else t
            conc[index] += amount * (ka * math.exp(-slow * t) * spread)
    return hours, conc


def trough_hours(params: PKParams, schedule: Sequence[tuple[float, float]]) -> tuple[float, ...]:
    """Clock hours of every predicted trough (local minimum) over a steady-state day.

    A split regimen has a trough before each dose: the level is lowest just before it.

    >>> from taperline.core.pk import CLONAZEPAM_PK
    >>> trough_hours(CLONAZEPAM_PK, [(22.0, 0.5)])
    (22.0,)
    >>> trough_hours(CLONAZEPAM_PK, [(8.0, 0.5), (20.0, 0.5)])
    (8.0, 20.0)
    """
    return _trough_hours(params, tuple(sorted((hour, mg) for hour, mg in schedule)))


@lru_cache(maxsize=64)
def _trough_hours(params: PKParams, schedule: tuple[tuple[float, float], ...]) -> tuple[float, ...]:
    if not schedule:
        return ()
    hours, conc = _steady_day(params, schedule)
    count = len(conc)  # a day wraps round: the sample before the first is the last
    return tuple(
        hours[i] for i in range(count) if conc[i] < conc[i - 1] and conc[i] <= conc[(i + 1) % count]
    )


_PARTS: Final[dict[TimeOfDay, tuple[float, float]]] = {
    "night": (0.0, 6.0),
    "morning": (6.0, 12.0),
    "afternoon": (12.0, 18.0),
    "evening": (18.0, 24.0),
}


def near_trough(worst: TimeOfDay, troughs: Sequence[float], tolerance_h: float) -> bool:
    """Whether a part of the day holds a trough, or comes within ``tolerance_h`` of one.

    >>> near_trough("evening", [22.0], 1.0), near_trough("night", [22.0], 1.0)
    (True, False)
    >>> near_trough("night", [7.0], 1.0), near_trough("morning", [8.0, 20.0], 1.0)
    (True, True)
    """
    low, high = _PARTS[worst]
    for trough in troughs:
        hour = trough % _HOURS_PER_DAY
        if low <= hour < high:
            return True
        gap = min((low - hour) % _HOURS_PER_DAY, (hour - high) % _HOURS_PER_DAY)
        if gap <= tolerance_h:
            return True
    return False


def good_day_level(
    checkins: Sequence[CheckIn], rules: FindingRules = FindingRules()
) -> float | None:
    """The person's good-day symptom score: the lower quartile of their scored days.

    None with fewer than 3 scored days (taperline's assumptions, as for the baseline).

    >>> days = [CheckIn(date(2027, 2, d), None, mood=6, anxiety=a) for d, a in enumerate([3, 4, 9, 9], 1)]
    >>> good_day_level(days)
    7.75
    """  # noqa: E501 -- a doctest line reads better whole
    scores = [float(burden(c)) for c in scored(checkins)]
    if len(scores) < _MIN_GOOD_DAYS:
        return None
    return _quantile(sorted(scores), rules.good_day_quantile)


def _quantile(ordered: Sequence[float], q: float) -> float:
    """NumPy's default (linear) quantile of sorted values, computed as ``np.quantile`` does.

    >>> _quantile([7.0, 8.0, 13.0, 13.0], 0.25)
    7.75
    """
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    a, b = ordered[low], ordered[high]
    return b - (b - a) * (1 - fraction) if fraction >= 0.5 else a + (b - a) * fraction  # noqa: PLR2004 -- NumPy's _lerp switches ends at a half


_MIN_GOOD_DAYS: Final = 3  # as metrics.MIN_BASELINE_DAYS: fewer days cannot give a level


def _clock(hour: float) -> str:
    minutes = round(hour * 60) % (_HOURS_PER_DAY * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def find_interdose(
    checkins: Sequence[CheckIn],
    troughs_on: Mapping[date, Sequence[float]],
    good_day: float,
    rules: FindingRules = FindingRules(),
    *,
    today: date | None = None,
) -> tuple[Finding, ...]:
    """Interdose withdrawal: on most days with symptoms, the worst time is at a trough.

    ``troughs_on`` gives the predicted trough hours of the regimen in force each day (one
    before each dose: :func:`trough_hours`); ``good_day`` is the person's good-day symptom
    score (:func:`good_day_level`). Only the ``interdose_window_days`` up to ``today`` are
    read, and of them only days with real symptoms (a score at least
    ``interdose_min_points`` above the good-day level, the checklist filled in) and a
    reported worst time: a worst time alone is not withdrawal. It fires when at least
    ``interdose_min_days`` such days match a trough (within ``interdose_tolerance_h``) and
    they are more than ``interdose_match_fraction`` of them; the evidence is the matching
    days only. The advice follows the regimen: split a once-daily dose; with split doses,
    a longer-acting crossover [ASAM-2025].

    >>> from taperline.core.journal import CheckIn
    >>> days = [
    ...     CheckIn(date(2027, 2, d), None, mood=2, anxiety=6, worst_time="evening")
    ...     for d in range(1, 6)
    ... ]
    >>> troughs = {c.wake_date: (22.0,) for c in days}
    >>> (f,) = find_interdose(days, troughs, good_day=5.0)
    >>> f.suggested_action
    'ask your clinician about splitting your daily dose into two smaller doses'
    >>> [(e.label, e.value) for e in f.evidence[:2]]
    [('worst time', 'evening'), ('symptom score', '14 of 68, good-day level 5, threshold 8')]
    >>> find_interdose(days, troughs, good_day=12.0)  # no real symptoms: nothing
    ()
    """
    rated = _sorted(scored(checkins))
    if not rated:
        return ()
    end = today if today is not None else rated[-1].wake_date
    first = end - timedelta(days=rules.interdose_window_days - 1)
    threshold = good_day + rules.interdose_min_points
    symptomatic = [
        c
        for c in rated
        if first <= c.wake_date <= end
        and troughs_on.get(c.wake_date)
        and c.worst_time is not None
        and burden(c) >= threshold
    ]
    matching = [
        c
        for c in symptomatic
        if c.worst_time is not None
        and near_trough(c.worst_time, troughs_on[c.wake_date], rules.interdose_tolerance_h)
    ]
    if len(matching) < rules.interdose_min_days:
        return ()
    if len(matching) <= rules.interdose_match_fraction * len(symptomatic):
        return ()
    latest = tuple(troughs_on[matching[-1].wake_date])
    split = len(latest) > 1
    evidence: list[Evidence] = []
    for c in matching:
        evidence.append(Evidence(c.wake_date, "worst time", str(c.worst_time)))
        value = score_text(burden(c), "good-day level", good_day, threshold)
        evidence.append(Evidence(c.wake_date, "symptom score", value))
    return (
        Finding(
            kind="interdose",
            severity="warning",
            message=(
                f"On {len(matching)} of the {len(symptomatic)} days with symptoms from"
                f" {first.isoformat()} to {end.isoformat()} (a symptom score of"
                f" {number_text(threshold)} or more), your worst time of day was when your"
                " medicine level is predicted to be lowest, just before a dose (at"
                f" {', '.join(_clock(h) for h in latest)}, within"
                f" {number_text(rules.interdose_tolerance_h)} h). This can be withdrawal"
                " between doses."
            ),
            evidence=tuple(evidence),
            source="SEED-INSOMNIA; ASAM-2025",
            suggested_action=(
                "ask your clinician about switching to a longer-acting medicine (a crossover);"
                " your dose is already split"
                if split
                else "ask your clinician about splitting your daily dose into two smaller doses"
            ),
        ),
    )


def _sorted(checkins: Sequence[CheckIn]) -> list[CheckIn]:
    return sorted(checkins, key=lambda c: c.wake_date)


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
    >>> _dose_problem(date(2027, 1, 7), [datetime(2027, 1, 7, 8, 1)], [6 + 1 / 60], 2.0)
    ''
    """
    # whole minutes on the clock, plus a day's for each day after its own, compared in whole
    # minutes: in hours (floats) 08:01 - 06:01 was 2.000000000000001 h, "late" at exactly 2 h
    taken = [((t.date() - day).days * _HOURS_PER_DAY + t.hour) * 60 + t.minute for t in taken_at]
    if len(taken) < len(dose_hours):
        return "missed"
    late_min = late_after_h * 60
    late = any(
        t - round(s * 60) > late_min for t, s in zip(sorted(taken), dose_hours, strict=False)
    )
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
    evidence = _rebound_evidence(
        by_day,
        sorted(by_day),
        se_by_day,
        dose_hours,
        rules,
        logged_days,
        taken_times,
        lambda _night: "sleep efficiency %",
    )
    if not evidence:
        return ()
    return (
        Finding(
            kind="rebound",
            severity="info",
            message=(
                "Sleep was worse the night after a missed or late dose"
                f" ({times_text(len(evidence) // 2)}). Taking doses on time keeps levels"
                " steadier."
            ),
            evidence=tuple(evidence),
            source="SEED-INSOMNIA",
            suggested_action="take doses at the planned times; do not double up after a miss",
        ),
    )


def _rebound_evidence(  # noqa: PLR0917 -- a private helper of the two rebounds
    by_day: Mapping[date, CheckIn],
    days: Sequence[date],
    se_by_day: Mapping[date, float],
    dose_hours: Sequence[float],
    rules: FindingRules,
    logged_days: Collection[date] | None,
    taken_times: Mapping[date, Sequence[datetime]] | None,
    se_label: Callable[[date], str],
) -> list[Evidence]:
    """The dose and night evidence of a rebound (both rebounds' one rule).

    Each of ``days`` with a missed or late dose whose next night's efficiency in
    ``se_by_day`` is ``rebound_se_drop_pct`` points or more below the median of ``se_by_day``
    (the usual night of the same record).
    """
    if not se_by_day:
        return []
    usual = float(statistics.median(se_by_day.values()))  # as np.median: the same float
    worse = usual - rules.rebound_se_drop_pct
    scheduled = sorted(dose_hours)
    evidence: list[Evidence] = []
    for day in days:
        if logged_days is not None and day not in logged_days:
            continue
        night = day + timedelta(days=1)
        night_se = se_by_day.get(night)
        if night_se is None or night_se > worse:
            continue  # the next night was not clearly worse: the doses do not matter
        times = taken_times.get(day) if taken_times is not None else None
        if not times:
            checkin = by_day.get(day)
            times = [d.taken_at for d in checkin.doses] if checkin is not None else []
        problem = _dose_problem(day, times, scheduled, rules.late_after_h)
        if problem:
            evidence.append(Evidence(day, "dose", problem))
            evidence.append(Evidence(night, se_label(night), f"{night_se:.0f}"))
    return evidence


def find_device_rebound(
    checkins: Sequence[CheckIn],
    nights: Sequence[DeviceNight],
    dose_hours: Sequence[float],
    rules: FindingRules = FindingRules(),
    logged_days: Collection[date] | None = None,
    *,
    taken_times: Mapping[date, Sequence[datetime]] | None = None,
) -> tuple[Finding, ...]:
    """:func:`find_rebound`'s rule read on device sleep: a finding of its own, never the diary's.

    Only when the clinician turned device sleep on for the person (the caller passes no
    nights otherwise). ``nights`` are the device nights (one chosen source a night,
    :func:`taperline.core.device_sleep.device_nights`); the usual night is the median
    efficiency of these nights (a device's own, never mixed with the diary's), worse is
    ``rebound_se_drop_pct`` points lower [SEED-INSOMNIA: missed or inconsistent doses ->
    withdrawal-like insomnia]. The doses are judged as :func:`find_rebound` judges them; the
    diary's sleep is not read, and a night with no diary is not filled. Each night's evidence
    names its source and device; the message says the sleep is a device's, which counts
    lying still awake as sleep.

    >>> find_device_rebound([], [], [22.0])
    ()
    """
    se_by_day = {n.wake_date: se for n in nights if (se := n.se_pct) is not None}
    by_night = {n.wake_date: n for n in nights}
    by_day = {c.wake_date: c for c in checkins}
    days = set(by_day) | set(taken_times or {}) | set(logged_days or ())

    def label(night: date) -> str:
        found = by_night[night]
        made_by = f"{found.source}, {found.device}" if found.device else found.source
        return f"device sleep efficiency % ({made_by})"

    evidence = _rebound_evidence(
        by_day, sorted(days), se_by_day, dose_hours, rules, logged_days, taken_times, label
    )
    if not evidence:
        return ()
    sources = sorted({by_night[e.day].source for e in evidence[1::2]})
    return (
        Finding(
            kind="device_rebound",
            severity="info",
            message=(
                f"Sleep recorded by {' and '.join(sources)} (a device, not your diary) was"
                " worse the night after a missed or late dose"
                f" ({times_text(len(evidence) // 2)}). Devices count lying still awake as"
                " sleep, so your diary stays the record. Taking doses on time keeps levels"
                " steadier."
            ),
            evidence=tuple(evidence),
            source="SEED-INSOMNIA",
            suggested_action=(
                "compare with the diary's nights; take doses at the planned times, do not"
                " double up after a miss"
            ),
        ),
    )
