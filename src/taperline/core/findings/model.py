"""The findings' model: kinds, severities, labels, the thresholds, a finding and its evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

from taperline.core.journal import CheckIn
from taperline.core.metrics import Baseline, burden

Severity = Literal["info", "warning", "urgent"]
FindingKind = Literal[
    "flare",
    "stable",
    "waves",
    "interdose",
    "rebound",
    "escalation",
    "large_dose",
    "red_flag",
    "co_use",
]
#: The plain words for each kind on a page, a chart or the report (one label per kind: a new
#: kind without one fails ``tests/test_findings.py``).
FINDING_KIND_LABELS: Final[Mapping[FindingKind, str]] = {
    "flare": "flare",
    "stable": "stable",
    "waves": "waves",
    "interdose": "interdose",
    "rebound": "rebound",
    "escalation": "escalation",
    "large_dose": "very large dose",
    "red_flag": "red flag",
    "co_use": "alcohol / opioids",
}


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
    return Evidence(checkin.wake_date, "symptom score", str(burden(checkin)))
