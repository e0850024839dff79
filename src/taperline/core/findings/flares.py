"""Findings in the symptom burden after a cut: flares, a stable stretch, windows and waves."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, timedelta

from taperline.core.findings.model import (
    Finding,
    FindingRules,
    _burden_evidence,
    _by_date,
    flare_threshold,
)
from taperline.core.journal import CheckIn
from taperline.core.metrics import Baseline, burden, scored

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
    by_day = {c.wake_date: c for c in scored(checkins)}  # a day without the checklist: no score
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
            f"Symptoms rose after the step on {step.isoformat()}: the symptom score (0-68) was"
            f" {threshold:.1f} or more on {len(days)} days within a week. This is common after"
            " a cut; it is a reason to pause, not a failure."
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
    # only days with a symptom score; a day without one breaks the run (nothing to judge it by)
    ordered = _by_date(scored(checkins))[-rules.stable_days :]
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
    for checkin in _by_date(scored(checkins)):
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
