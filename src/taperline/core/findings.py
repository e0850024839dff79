"""Advisory findings from the journal, and the proposal they lead to.

Every finding has a kind, a severity (info, warning, urgent), a plain message, the days
and values behind it, a source and a suggested action. Findings advise; a clinician
decides. :func:`propose_next_step` turns findings into a :class:`Proposal` (proceed, hold N days,
slow, or return to the previous dose, which only a clinician may choose); a proposal is
never applied on its own.

The thresholds are taperline's documented, overridable defaults (:class:`FindingRules`),
not published cut-offs: the sources say *what* to watch for, not these numbers.

* flare: after a cut, burden at or above baseline + max(3, 1 SD) on 3 of 7 days within the
  14 days after the step -> hold or slow [ASAM-2025: symptoms may appear up to a week after a
  cut; slow or pause when significant].
* stable: the last 7 consecutive days below that threshold -> ready for the next step.
* waves: bad and good stretches alternate [SEED-MICROTAPER: "windows and waves"]: a bad
  wave is not failure.
* interdose: the worst time of day matches the predicted trough on most days
  [SEED-INSOMNIA; ASAM-2025: consider a crossover for interdose withdrawal].
* rebound: worse sleep the night after a missed or late dose [SEED-INSOMNIA].
* escalation: more taken than the plan [ASAM-2025].
* red_flag: PHQ-9 item 9 above 0, suicidal thoughts, seizure, confusion, psychosis, a fall
  -> urgent, crisis resources, clinician flag [KROENKE-2001, ASAM-2025, SEED-MINDED]. So do
  suicidal-thought, self-harm and seizure words typed in a check-in's notes or in the
  profile's conditions or medicines [LABEL] (the words and the rule "epilepsy is a condition,
  a seizure is an event": :mod:`taperline.core.screening`); the evidence quotes what was typed.
* co_use: alcohol or opioids with the benzodiazepine [SEED-MINDED, LABEL].

>>> from taperline.core.journal import CheckIn
>>> day = CheckIn(date(2027, 1, 5), None, mood=5, anxiety=5, events=frozenset({"seizure"}))
>>> f = find_red_flags([day])[0]
>>> f.severity, f.clinician_flag, "988" in f.message
('urgent', True, True)
>>> propose_next_step([f]).action
'hold'
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Final, Literal

import numpy as np

from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, TimeOfDay
from taperline.core.metrics import Baseline, burden, sleep_efficiency
from taperline.core.pk import DoseEvent, PKParams, concentrations_ng_per_ml
from taperline.core.quantity import Mass, fmt
from taperline.core.screening import CRISIS_SOURCES, CRISIS_WHAT, CrisisCategory, crisis_matches

__all__ = [
    "FINDING_KIND_LABELS",
    "Evidence",
    "Finding",
    "FindingKind",
    "FindingRules",
    "Proposal",
    "Severity",
    "crisis_message",
    "find_co_use",
    "find_escalation",
    "find_escalation_taken",
    "find_flares",
    "find_interdose",
    "find_profile_red_flags",
    "find_rebound",
    "find_red_flags",
    "find_stable",
    "find_waves",
    "flare_threshold",
    "propose_next_step",
    "time_of_day",
    "trough_hour",
]

Severity = Literal["info", "warning", "urgent"]
FindingKind = Literal[
    "flare", "stable", "waves", "interdose", "rebound", "escalation", "red_flag", "co_use"
]
ProposalAction = Literal["proceed", "hold", "slow", "return_to_previous"]
#: The plain words for each kind on a page, a chart or the report (one label per kind: a new
#: kind without one fails ``tests/test_findings.py``).
FINDING_KIND_LABELS: Final[Mapping[FindingKind, str]] = {
    "flare": "flare",
    "stable": "stable",
    "waves": "waves",
    "interdose": "interdose",
    "rebound": "rebound",
    "escalation": "escalation",
    "red_flag": "red flag",
    "co_use": "alcohol / opioids",
}

_HOURS_PER_DAY: Final = 24
_SAMPLES_PER_DAY: Final = 96  # every 15 min
_STEADY_STATE_HALF_LIVES: Final = 7  # > 99 % of steady state
_MAX_SIM_DAYS: Final = 60


@dataclass(frozen=True, slots=True)
class FindingRules:
    """Thresholds of the findings: taperline's assumptions, documented and overridable.

    The sources [ASAM-2025, SEED-MICROTAPER, SEED-INSOMNIA] give the patterns, not numbers;
    every default here is ours and should be shown to the clinician as such.
    """

    flare_min_points: float = 3.0  # burden points above the baseline mean, at least...
    flare_sd_multiple: float = 1.0  # ... or this many baseline SDs, whichever is larger
    flare_days: int = 3  # bad days needed ...
    flare_window_days: int = 7  # ... within any window this long ...
    flare_after_step_days: int = 14  # ... within this many days after a step [ASAM-2025: ~1 week]
    severe_flare_days: int = 5  # this many bad days in a window -> ask about the previous dose
    stable_days: int = 7  # consecutive days below the threshold -> ready for the next step
    wave_min_run_days: int = 2  # a stretch (window or wave) lasts at least this long
    wave_min_bad_runs: int = 2  # bad stretches, separated by a good one, to call it waves
    interdose_min_days: int = 5  # days with a reported worst time needed
    interdose_match_fraction: float = 0.5  # "most days": more than this fraction match
    late_after_h: float = 2.0  # a dose this much after its scheduled time is late
    rebound_se_drop_pct: float = 10.0  # SE points below the usual (median) night
    hold_days: int = 14  # [ASAM-2025: 2-4 weeks between cuts]
    local_emergency: str = "your local emergency number"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One day and value behind a finding."""

    day: date
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Finding:
    """An advisory finding with its evidence and source; a clinician decides what to do."""

    kind: FindingKind
    severity: Severity
    message: str
    evidence: tuple[Evidence, ...]
    source: str
    suggested_action: str
    clinician_flag: bool = False


def flare_threshold(base: Baseline, rules: FindingRules = FindingRules()) -> float:
    """Burden at or above which a day counts as bad: mean + max(3, 1 SD) by default.

    >>> flare_threshold(Baseline(10.0, 2.0, None, None, 14, 0))
    13.0
    >>> flare_threshold(Baseline(10.0, 5.0, None, None, 14, 0))
    15.0
    """
    margin = max(rules.flare_min_points, rules.flare_sd_multiple * base.burden_sd)
    return base.burden_mean + margin


def _by_date(checkins: Sequence[CheckIn]) -> list[CheckIn]:
    return sorted(checkins, key=lambda c: c.wake_date)


def _burden_evidence(checkin: CheckIn) -> Evidence:
    return Evidence(checkin.wake_date, "burden", str(burden(checkin)))


# --- flare and stable -----------------------------------------------------------------------


def _worst_window(bad_days: Sequence[date], window_days: int) -> list[date]:
    best: list[date] = []
    for start in bad_days:
        inside = [d for d in bad_days if start <= d < start + timedelta(days=window_days)]
        if len(inside) > len(best):
            best = inside
    return best


def find_flares(
    checkins: Sequence[CheckIn],
    step_dates: Sequence[date],
    base: Baseline,
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """A flare after a step: bad days (burden >= threshold) clustered soon after the cut.

    >>> from taperline.core.journal import CheckIn
    >>> days = [CheckIn(date(2027, 2, d), None, mood=2, anxiety=8) for d in (2, 3, 4)]
    >>> f = find_flares(days, [date(2027, 2, 1)], Baseline(10.0, 2.0, None, None, 14, 0))
    >>> f[0].kind, f[0].suggested_action
    ('flare', 'hold the next step 14 days, or slow (a smaller next step)')
    """
    threshold = flare_threshold(base, rules)
    by_day = {c.wake_date: c for c in checkins}
    days = sorted(by_day)
    bad_day = {d: burden(c) >= threshold for d, c in by_day.items()}
    found = []
    for step in sorted(step_dates):
        end = step + timedelta(days=rules.flare_after_step_days)
        after = days[bisect_left(days, step) : bisect_left(days, end)]  # step <= d < end
        bad = [d for d in after if bad_day[d]]
        window = _worst_window(bad, rules.flare_window_days)
        if len(window) >= rules.flare_days:
            found.append(_flare(step, [by_day[d] for d in window], threshold, rules))
    return tuple(found)


def _flare(step: date, days: Sequence[CheckIn], threshold: float, rules: FindingRules) -> Finding:
    severe = len(days) >= rules.severe_flare_days
    action = (
        "ask your clinician whether to return to the previous dose for a while"
        if severe
        else f"hold the next step {rules.hold_days} days, or slow (a smaller next step)"
    )
    return Finding(
        kind="flare",
        severity="warning",
        message=(
            f"Symptoms rose after the step on {step.isoformat()}: burden was {threshold:.1f} or"
            f" more on {len(days)} days within a week. This is common after a cut; it is a"
            " reason to pause, not a failure."
        ),
        evidence=tuple(_burden_evidence(c) for c in days),
        source="ASAM-2025",
        suggested_action=action,
        clinician_flag=severe,
    )


def find_stable(
    checkins: Sequence[CheckIn],
    base: Baseline,
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Stable: the last ``stable_days`` consecutive days all below the flare threshold.

    >>> from taperline.core.journal import CheckIn
    >>> days = [CheckIn(date(2027, 2, d), None, mood=6, anxiety=4) for d in range(1, 8)]
    >>> find_stable(days, Baseline(8.0, 1.0, None, None, 14, 0))[0].kind
    'stable'
    """
    ordered = _by_date(checkins)[-rules.stable_days :]
    if len(ordered) < rules.stable_days:
        return ()
    span_days = (ordered[-1].wake_date - ordered[0].wake_date).days + 1
    threshold = flare_threshold(base, rules)
    if span_days != rules.stable_days or any(burden(c) >= threshold for c in ordered):
        return ()
    return (
        Finding(
            kind="stable",
            severity="info",
            message=f"Symptoms have stayed near your baseline for {rules.stable_days} days.",
            evidence=tuple(_burden_evidence(c) for c in ordered),
            source="ASAM-2025",
            suggested_action="ready for the next step when it is due",
        ),
    )


# --- windows and waves ----------------------------------------------------------------------


def _runs(checkins: Sequence[CheckIn], threshold: float) -> list[tuple[bool, list[CheckIn]]]:
    runs: list[tuple[bool, list[CheckIn]]] = []
    for checkin in _by_date(checkins):
        bad = burden(checkin) >= threshold
        if runs and runs[-1][0] == bad:
            runs[-1][1].append(checkin)
        else:
            runs.append((bad, [checkin]))
    return runs


def find_waves(
    checkins: Sequence[CheckIn],
    base: Baseline,
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Windows and waves: at least two bad stretches with a good stretch between them.

    >>> from taperline.core.journal import CheckIn
    >>> moods = [2, 2, 8, 8, 2, 2]
    >>> days = [CheckIn(date(2027, 2, i + 1), None, mood=m, anxiety=5) for i, m in enumerate(moods)]
    >>> find_waves(days, Baseline(5.0, 1.0, None, None, 14, 0))[0].severity
    'info'
    """
    threshold = flare_threshold(base, rules)
    runs = [r for r in _runs(checkins, threshold) if len(r[1]) >= rules.wave_min_run_days]
    merged: list[tuple[bool, list[CheckIn]]] = []
    for bad, days in runs:
        if merged and merged[-1][0] == bad:
            merged[-1][1].extend(days)
        else:
            merged.append((bad, list(days)))
    bad_runs = [days for bad, days in merged if bad]
    if len(bad_runs) < rules.wave_min_bad_runs:
        return ()
    return (
        Finding(
            kind="waves",
            severity="info",
            message=(
                f"Good and bad stretches are alternating ({len(bad_runs)} bad waves so far)."
                " This pattern is common while tapering: a bad wave passes and is not a"
                " sign of failure."
            ),
            evidence=tuple(_burden_evidence(c) for days in bad_runs for c in days),
            source="SEED-MICROTAPER",
            suggested_action="keep logging daily; use the bad-wave techniques; hold if it lasts",
        ),
    )


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


# --- rebound and escalation -----------------------------------------------------------------


def _dose_problem(
    taken_at: Sequence[datetime], dose_hours: Sequence[float], late_after_h: float
) -> str:
    """'missed', 'late' or '' for the doses taken on one day against the (sorted) hours."""
    taken = [t.hour + t.minute / 60 for t in taken_at]
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
        problem = _dose_problem(times, scheduled, rules.late_after_h)
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


def find_escalation(
    checkins: Sequence[CheckIn], targets: Sequence[tuple[date, Mass]]
) -> tuple[Finding, ...]:
    """Escalation: more taken on a day than the plan's daily dose for that day.

    ``targets`` holds (start date, daily dose) of each plan step, e.g.
    ``[(s.start, s.daily) for s in plan.steps]``.

    >>> from taperline.core.journal import CheckIn, TakenDose
    >>> from datetime import datetime
    >>> dose = TakenDose(datetime(2027, 2, 1, 22, 0), Mass.of_mg(1))
    >>> day = CheckIn(date(2027, 2, 1), None, mood=5, anxiety=5, doses=(dose,))
    >>> find_escalation([day], [(date(2027, 1, 1), Mass.of_mg("0.5"))])[0].evidence[0].value
    '1 mg taken, 0.5 mg planned'
    """
    taken = {
        c.wake_date: Mass.of_mg(sum((d.amount.mg for d in c.doses), start=Mass.zero().mg))
        for c in checkins
        if c.doses
    }
    return find_escalation_taken(taken, targets)


def find_escalation_taken(
    taken_by_day: Mapping[date, Mass] | Mapping[date, Decimal],
    targets: Sequence[tuple[date, Mass]],
) -> tuple[Finding, ...]:
    """Escalation from the daily totals taken (e.g. from the dose log, check-in or not).

    A total is a :class:`Mass`, or a Decimal amount in mg (shown as ``Mass.of_mg`` of it).

    >>> plan = [(date(2027, 1, 1), Mass.of_mg(1))]
    >>> find_escalation_taken({date(2027, 2, 1): Mass.of_mg(2)}, plan)[0].evidence[0].value
    '2 mg taken, 1 mg planned'
    >>> find_escalation_taken({date(2027, 2, 1): Decimal("2.50")}, plan)[0].evidence[0].value
    '2.5 mg taken, 1 mg planned'

    """
    evidence = []
    ordered = sorted(targets, key=lambda t: t[0])
    starts = [start for start, _ in ordered]
    # fmt depends only on the amount in mg and the unit shown: format each one once.
    shown: dict[tuple[Decimal, str], str] = {}

    def show(amount: Mass | Decimal) -> str:
        if isinstance(amount, Mass):
            key = (amount.mg, amount.unit)
            if key not in shown:
                shown[key] = fmt(amount)
        else:
            key = (amount, "mg")  # equal amounts in mg are shown alike
            if key not in shown:
                shown[key] = fmt(Mass.of_mg(amount))
        return shown[key]

    for day in sorted(taken_by_day):
        index = bisect_right(starts, day)
        if not index:
            continue
        planned, amount = ordered[index - 1][1], taken_by_day[day]
        if (amount.mg if isinstance(amount, Mass) else amount) > planned.mg:
            value = f"{show(amount)} taken, {show(planned)} planned"
            evidence.append(Evidence(day, "daily dose", value))
    if not evidence:
        return ()
    return (
        Finding(
            kind="escalation",
            severity="warning",
            message=(
                f"More was taken than planned on {len(evidence)}"
                f" day{'s' if len(evidence) > 1 else ''}."
            ),
            evidence=tuple(evidence),
            source="ASAM-2025",
            suggested_action="talk with your prescriber before the next step",
            clinician_flag=True,
        ),
    )


# --- red flags and co-use -------------------------------------------------------------------


def crisis_message(local_emergency: str = "your local emergency number") -> str:
    """The crisis resources included in every red-flag message.

    >>> crisis_message()
    'If you might act on thoughts of suicide, call or text 988 (US) now, or your local emergency number.'
    """  # noqa: E501 -- a doctest line reads better whole
    return (
        f"If you might act on thoughts of suicide, call or text 988 (US) now, or {local_emergency}."
    )


_RED_FLAG_TEXT: Final[dict[str, str]] = {
    "phq9 item 9": "Your PHQ-9 answer to item 9 (thoughts of death or self-harm) was above 0.",
    "suicidal thoughts": "You noted thoughts of suicide.",
    "seizure": "You noted a seizure. A seizure while tapering needs medical care now.",
    "confusion": "You noted confusion. New confusion needs medical care soon.",
    "psychosis": "You noted seeing or hearing things or unusual beliefs. This needs care now.",
    "fall": "You noted a fall. Falls can be caused by the medicine and need checking.",
}


def _red_flag(day: date, event: str, rules: FindingRules) -> Finding:
    return Finding(
        kind="red_flag",
        severity="urgent",
        message=(
            f"{_RED_FLAG_TEXT[event]} Please tell your prescriber today and do not make any"
            f" dose change on your own. {crisis_message(rules.local_emergency)}"
        ),
        evidence=(Evidence(day, "event", event),),
        source="KROENKE-2001" if event == "phq9 item 9" else "ASAM-2025; SEED-MINDED",
        suggested_action="contact your prescriber today; a clinician must review before any step",
        clinician_flag=True,
    )


#: Note words of these kinds are already reported by a check-in event of the same day.
_EVENT_OF: Final[dict[CrisisCategory, str]] = {
    "suicidal thoughts": "suicidal thoughts",
    "seizure": "seizure",
}


def _typed_red_flag(  # noqa: PLR0917 -- one private helper, called twice
    day: date,
    category: CrisisCategory,
    label: str,
    typed: Sequence[str],
    intro: str,
    rules: FindingRules,
) -> Finding:
    """An urgent finding for crisis words typed somewhere; the evidence quotes what was typed."""
    return Finding(
        kind="red_flag",
        severity="urgent",
        message=(
            f"{intro} {CRISIS_WHAT[category]} Please tell your prescriber today and do not make"
            f" any dose change on your own. {crisis_message(rules.local_emergency)}"
        ),
        evidence=tuple(Evidence(day, label, value) for value in typed),
        source=CRISIS_SOURCES[category],
        suggested_action="contact your prescriber today; a clinician must review before any step",
        clinician_flag=True,
    )


def _note_red_flags(checkin: CheckIn, rules: FindingRules) -> list[Finding]:
    """One finding per kind of crisis words in the day's notes (not one an event reports)."""
    if not checkin.notes:
        return []
    by_kind: dict[CrisisCategory, list[str]] = {}
    for match in crisis_matches(checkin.notes):
        if _EVENT_OF.get(match.category) not in checkin.events:
            by_kind.setdefault(match.category, []).append(match.typed)
    return [
        _typed_red_flag(
            checkin.wake_date,
            category,
            "note",
            typed,
            f"Your note for this day says “{'”, “'.join(typed)}”.",
            rules,
        )
        for category, typed in by_kind.items()
    ]


def find_red_flags(
    checkins: Sequence[CheckIn],
    scores: Sequence[InstrumentScore] = (),
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Urgent findings: each red-flag event, crisis words in notes, PHQ-9 item 9 above 0.

    Crisis words in a day's notes give one finding per kind of words (suicidal thoughts,
    self-harm, seizure), unless an event of that day already reports that kind.

    >>> from taperline.core.instruments import score_phq9
    >>> f = find_red_flags([], [score_phq9([0] * 8 + [1], taken_on=date(2027, 2, 1))])
    >>> f[0].evidence[0].label, f[0].severity
    ('event', 'urgent')
    >>> from taperline.core.journal import CheckIn
    >>> day = CheckIn(date(2027, 2, 2), None, mood=2, anxiety=8, notes="I want to die")
    >>> [(e.label, e.value) for e in find_red_flags([day])[0].evidence]
    [('note', 'want to die')]
    """
    found = []
    for checkin in _by_date(checkins):
        found += [_red_flag(checkin.wake_date, event, rules) for event in sorted(checkin.events)]
        found += _note_red_flags(checkin, rules)
    found += [
        _red_flag(s.taken_on or date.min, "phq9 item 9", rules) for s in scores if s.item9_positive
    ]
    return tuple(found)


def find_profile_red_flags(
    conditions: Sequence[str],
    day: date,
    rules: FindingRules = FindingRules(),
    medicines: Sequence[str] = (),
) -> tuple[Finding, ...]:
    """Crisis words in the profile's conditions (or medicines): one urgent finding per entry.

    ``day`` is when it is reported (the profile holds no date): the caller's today.

    >>> [f.evidence[0] for f in find_profile_red_flags(["epilepsy", "self-harm"], date(2027, 3, 1))]
    [Evidence(day=datetime.date(2027, 3, 1), label='profile condition', value='self-harm')]
    """
    found = []
    for label, entries in (("profile condition", conditions), ("profile medicine", medicines)):
        where = "health conditions" if label == "profile condition" else "medicines"
        for entry in entries:
            matches = crisis_matches(entry)
            if matches:
                intro = f"Your profile lists “{entry}” among your {where}."
                category = matches[0].category
                found.append(_typed_red_flag(day, category, label, (entry,), intro, rules))
    return tuple(found)


def find_co_use(checkins: Sequence[CheckIn]) -> tuple[Finding, ...]:
    """Alcohol or opioids on a day the benzodiazepine is taken.

    >>> from taperline.core.journal import CheckIn
    >>> find_co_use([CheckIn(date(2027, 2, 1), None, mood=5, anxiety=5, alcohol_drinks=2)])[0].kind
    'co_use'
    """
    evidence = []
    for checkin in _by_date(checkins):
        if checkin.alcohol_drinks:
            evidence.append(
                Evidence(checkin.wake_date, "alcohol drinks", str(checkin.alcohol_drinks))
            )
        if checkin.opioid_use:
            evidence.append(Evidence(checkin.wake_date, "opioid", "yes"))
    if not evidence:
        return ()
    return (
        Finding(
            kind="co_use",
            severity="warning",
            message=(
                "Alcohol or opioids together with clonazepam add to drowsiness and can slow"
                " breathing dangerously; alcohol also makes withdrawal symptoms harder to read."
            ),
            evidence=tuple(evidence),
            source="SEED-MINDED; LABEL",
            suggested_action=(
                "avoid alcohol and opioids while taking clonazepam; tell your prescriber"
            ),
        ),
    )


# --- proposal -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the findings suggest for the next step; never applied automatically.

    ``return_to_previous`` is for a clinician only (``clinician_only`` is then True).
    """

    action: ProposalAction
    hold_days: int
    reasons: tuple[str, ...]
    clinician_only: bool
    status: str = "proposed"


def propose_next_step(
    findings: Sequence[Finding],
    rules: FindingRules = FindingRules(),
) -> Proposal:
    """Turn findings into a proposal: red flags and flares first, proceed only when stable.

    >>> propose_next_step([]).action, propose_next_step([]).hold_days
    ('hold', 14)
    """
    kinds = {f.kind for f in findings}
    reasons = tuple(f.message for f in findings if f.severity != "info" or f.kind == "stable")
    review = any(f.clinician_flag for f in findings)
    flares = [f for f in findings if f.kind == "flare"]
    if "red_flag" in kinds or "escalation" in kinds:
        return Proposal("hold", rules.hold_days, reasons, clinician_only=True)
    if any(f.clinician_flag for f in flares):
        return Proposal("return_to_previous", 0, reasons, clinician_only=True)
    if len(flares) > 1:
        return Proposal("slow", 0, reasons, clinician_only=review)
    if flares:
        return Proposal("hold", rules.hold_days, reasons, clinician_only=review)
    if "stable" in kinds:
        return Proposal("proceed", 0, reasons, clinician_only=review)
    waiting = (f"not yet {rules.stable_days} stable days in a row",)
    return Proposal("hold", rules.hold_days, reasons + waiting, clinician_only=review)
