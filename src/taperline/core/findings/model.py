"""The findings' model: kinds, severities, labels, the thresholds, a finding and its evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from taperline.core.journal import CheckIn
from taperline.core.metrics import BURDEN_MAX, Baseline, burden

Severity = Literal["info", "warning", "urgent"]
FindingKind = Literal[
    "flare",
    "stable",
    "waves",
    "interdose",
    "rebound",
    "device_rebound",
    "escalation",
    "large_dose",
    "red_flag",
    "co_use",
    "medicine_condition",
]
#: The plain words for each kind on a page, a chart or the report (one label per kind: a new
#: kind without one fails ``tests/test_findings.py``).
FINDING_KIND_LABELS: Final[Mapping[FindingKind, str]] = {
    "flare": "flare",
    "stable": "stable",
    "waves": "waves",
    "interdose": "interdose",
    "rebound": "rebound",
    "device_rebound": "rebound (device sleep)",
    "escalation": "escalation",
    "large_dose": "very large dose",
    "red_flag": "red flag",
    "co_use": "alcohol / opioids",
    "medicine_condition": "medicine or condition",
}


@dataclass(frozen=True, slots=True)
class FindingRules:
    """Thresholds of the findings: taperline's assumptions, documented and overridable.

    The sources [ASAM-2025, SEED-MICROTAPER, SEED-INSOMNIA] give the patterns, not numbers;
    every default here is ours and should be shown to the clinician as such (``cut_watch_days``
    is ASAM-2025's week).

    How much data each finding needs (days with the symptom checklist: a quick check-in is
    not one, a missing day is neither good nor bad):

    * baseline: 3 scored days before the first cut (``metrics.MIN_BASELINE_DAYS``);
    * flare: ``flare_days`` bad days within ``flare_window_days`` after a cut (only positive
      evidence: no minimum beyond that); settled after ``flare_settle_days`` good days in a row;
    * stable: ``stable_min_days`` of the last ``stable_days``; fewer and the proposal says
      "not enough check-ins to judge" rather than hold;
    * waves: two bad stretches of ``wave_min_run_days`` with a good one between;
    * interdose: 3 scored days for the good-day level, then ``interdose_min_days`` days with
      symptoms and a worst time in the last ``interdose_window_days``;
    * rebound: a diary night after a logged dose (a day with no dose logged is unknown).
    """

    flare_min_points: float = 3.0  # burden points above the baseline mean, at least...
    flare_sd_multiple: float = 1.0  # ... or this many baseline SDs, whichever is larger
    flare_days: int = 3  # bad days needed ...
    flare_window_days: int = 7  # ... within any window this long ...
    flare_after_step_days: int = 14  # ... within this many days after a step [ASAM-2025: ~1 week]
    severe_flare_days: int = 5  # this many bad days in a window -> ask about the previous dose
    stable_days: int = 7  # the last days, all below the threshold -> ready for the next step
    stable_min_days: int = 5  # ... of which at least this many with the checklist, else too few
    cut_watch_days: int = 7  # no "stable" this soon after a cut [ASAM-2025: up to a week after]
    flare_settle_days: int = 3  # consecutive days below the threshold end a flare (episode)
    wave_min_run_days: int = 2  # a stretch (window or wave) lasts at least this long
    wave_min_bad_runs: int = 2  # bad stretches, separated by a good one, to call it waves
    interdose_min_days: int = 5  # days with symptoms and a reported worst time needed
    interdose_match_fraction: float = 0.5  # "most days": more than this fraction match
    interdose_window_days: int = 28  # the days read, up to today
    interdose_tolerance_h: float = 1.0  # a trough this near a part of the day is in it
    interdose_min_points: float = 3.0  # a day with symptoms: this far above the good-day level
    good_day_quantile: float = 0.25  # the good-day level: this quantile of the person's scores
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


def number_text(value: float) -> str:
    """A number as a person writes it: whole when it is, else one decimal.

    >>> number_text(8.0), number_text(8.25), number_text(11)
    ('8', '8.2', '11')
    """
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"


def score_text(score: int, reference: str, level: float, threshold: float) -> str:
    """A symptom score with its scale, the person's reference level and the threshold.

    >>> score_text(22, "baseline", 5.0, 8.0)
    '22 of 68, baseline 5, threshold 8'
    """
    return (
        f"{score} of {BURDEN_MAX}, {reference} {number_text(level)},"
        f" threshold {number_text(threshold)}"
    )


def times_text(count: int) -> str:
    """'once', 'twice', '3 times'.

    >>> [times_text(n) for n in (1, 2, 3)]
    ['once', 'twice', '3 times']
    """
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def _burden_evidence(checkin: CheckIn, base: Baseline, threshold: float) -> Evidence:
    value = score_text(burden(checkin), "baseline", base.burden_mean, threshold)
    return Evidence(checkin.wake_date, "symptom score", value)
