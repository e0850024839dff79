"""Findings in the symptom burden after a cut: flares, a stable stretch, windows and waves."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from taperline.core.findings.model import (
    Finding,
    FindingRules,
    _burden_evidence,
    _by_date,
    flare_threshold,
    number_text,
)
from taperline.core.journal import CheckIn
from taperline.core.metrics import BURDEN_MAX, Baseline, burden, scored

# --- flare and stable -----------------------------------------------------------------------


def _worst_window(bad_days: Sequence[date], window_days: int) -> list[date]:
    best: list[date] = []
    for start in bad_days:
        inside = [d for d in bad_days if start <= d < start + timedelta(days=window_days)]
        if len(inside) > len(best):
            best = inside
    return best


@dataclass(frozen=True, slots=True)
class _Episode:
    """A flare: from its step to the day the burden settled (None: not settled yet)."""

    step: date
    bad: tuple[date, ...]
    onset: tuple[date, ...]
    settled_on: date | None
    cuts_during: tuple[date, ...] = ()


def _settled_on(
    days: Sequence[date], bad_day: dict[date, bool], after: date, run: int
) -> date | None:
    """The first day of ``run`` consecutive good days (a day apart each) after ``after``."""
    streak: list[date] = []
    for day in days:
        if day <= after:
            continue
        if bad_day[day] or (streak and (day - streak[-1]).days != 1):
            streak = []
        if not bad_day[day]:
            streak.append(day)
            if len(streak) >= run:
                return streak[0]
    return None


def _episodes(
    by_day: dict[date, CheckIn], step_dates: Sequence[date], threshold: float, rules: FindingRules
) -> list[_Episode]:
    """Flare episodes, each from its cut until it settled.

    An episode starts with bad days clustered soon after a cut and lasts until the burden
    has been below the threshold ``flare_settle_days`` days in a row. A cut made during an
    episode is not blamed for it (the burden had not settled before it).
    """
    days = sorted(by_day)
    bad_day = {d: burden(c) >= threshold for d, c in by_day.items()}
    episodes: list[_Episode] = []
    steps = sorted(set(step_dates))
    settling = timedelta(days=rules.flare_settle_days - 1)
    for index, step in enumerate(steps):
        last = episodes[-1] if episodes else None
        if last is not None and (last.settled_on is None or last.settled_on + settling >= step):
            episodes[-1] = replace(last, cuts_during=(*last.cuts_during, step))
            continue
        end = step + timedelta(days=rules.flare_after_step_days)
        if index + 1 < len(steps):
            end = min(end, steps[index + 1])  # what comes after the next cut is the next's
        after = days[bisect_left(days, step) : bisect_left(days, end)]  # step <= d < end
        onset = _worst_window([d for d in after if bad_day[d]], rules.flare_window_days)
        if len(onset) < rules.flare_days:
            continue
        settled = _settled_on(days, bad_day, onset[-1], rules.flare_settle_days)
        bad = tuple(
            d for d in days if onset[0] <= d and (settled is None or d < settled) and bad_day[d]
        )
        episodes.append(_Episode(step, bad, tuple(onset), settled))
    return episodes


def find_flares(
    checkins: Sequence[CheckIn],
    step_dates: Sequence[date],
    base: Baseline,
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Flares after cuts, each an episode lasting until the burden is back near baseline.

    A flare starts with bad days (burden >= threshold) clustered soon after a cut and lasts
    until ``flare_settle_days`` days in a row are below the threshold. A later cut made
    before it settled is named in its message, not reported as a new flare; a settled flare
    is information (it no longer holds the next step).

    >>> from taperline.core.journal import CheckIn
    >>> days = [CheckIn(date(2027, 2, d), None, mood=2, anxiety=8) for d in (2, 3, 4)]
    >>> f = find_flares(days, [date(2027, 2, 1)], Baseline(10.0, 2.0, None, None, 14, 0))
    >>> f[0].kind, f[0].suggested_action
    ('flare', 'hold the next step 14 days, or slow (a smaller next step)')
    >>> f[0].evidence[0].value
    '16 of 68, baseline 10, threshold 13'
    >>> more = days + [CheckIn(date(2027, 2, d), None, mood=2, anxiety=8) for d in (5, 6)]
    >>> late = find_flares(more, [date(2027, 2, 1), date(2027, 2, 5)], Baseline(10.0, 2.0, None, None, 14, 0))
    >>> len(late), "lowered again on 2027-02-05" in late[0].message, len(late[0].evidence)
    (1, True, 5)
    """  # noqa: E501 -- a doctest line reads better whole
    threshold = flare_threshold(base, rules)
    by_day = {c.wake_date: c for c in scored(checkins)}  # a day without the checklist: no score
    return tuple(
        _flare(episode, [by_day[d] for d in episode.bad], base, threshold, rules)
        for episode in _episodes(by_day, step_dates, threshold, rules)
    )


def _flare(
    episode: _Episode,
    days: Sequence[CheckIn],
    base: Baseline,
    threshold: float,
    rules: FindingRules,
) -> Finding:
    worst = _worst_window([c.wake_date for c in days], rules.flare_window_days)
    settled = episode.settled_on is not None
    severe = len(worst) >= rules.severe_flare_days and not settled
    if settled:
        action = "none now: the flare has settled; go on as your clinician planned"
    elif severe:
        action = "ask your clinician whether to return to the previous dose for a while"
    else:
        action = f"hold the next step {rules.hold_days} days, or slow (a smaller next step)"
    during = ", ".join(d.isoformat() for d in episode.cuts_during)
    again = (
        f" The dose was lowered again on {during} before they settled, so that is part of"
        " this flare, not a new one."
        if during
        else ""
    )
    state = (
        f" They settled from {episode.settled_on.isoformat()}."
        if episode.settled_on is not None
        else " They have not settled yet."
    )
    return Finding(
        kind="flare",
        severity="info" if settled else "warning",
        message=(
            f"Symptoms rose after the step on {episode.step.isoformat()}: the symptom score"
            f" (0-{BURDEN_MAX}) was {number_text(threshold)} or more on {len(episode.onset)}"
            f" days within a week, {len(days)} days in all.{state}{again} This is common after"
            " a cut; it is a reason to pause, not a failure."
        ),
        evidence=tuple(_burden_evidence(c, base, threshold) for c in days),
        source="ASAM-2025",
        suggested_action=action,
        clinician_flag=severe,
    )


def find_stable(
    checkins: Sequence[CheckIn],
    base: Baseline,
    rules: FindingRules = FindingRules(),
    *,
    today: date | None = None,
    last_cut: date | None = None,
    urgent_days: Collection[date] = (),
) -> tuple[Finding, ...]:
    """Stable: the last ``stable_days`` days up to ``today`` all below the flare threshold.

    At least ``stable_min_days`` of them need the symptom checklist (a missing day is not a
    bad one, and a quick check-in is not a good one); no urgent finding (``urgent_days``:
    the days of red flags, large doses) within them; and at least ``cut_watch_days`` since
    ``last_cut`` [ASAM-2025: withdrawal may appear up to a week after a cut]. Without
    ``today``, the week ends on the last day with a score.

    >>> from taperline.core.journal import CheckIn
    >>> days = [CheckIn(date(2027, 2, d), None, mood=6, anxiety=4) for d in range(1, 8)]
    >>> find_stable(days, Baseline(8.0, 1.0, None, None, 14, 0))[0].kind
    'stable'
    >>> find_stable(days, Baseline(8.0, 1.0, None, None, 14, 0), last_cut=date(2027, 2, 3))
    ()
    >>> find_stable(days[1:-1], Baseline(8.0, 1.0, None, None, 14, 0), today=date(2027, 2, 7))[0].message
    'Symptoms have stayed near your baseline for the 7 days from 2027-02-01 to 2027-02-07 (5 check-ins with the symptom checklist).'
    """  # noqa: E501 -- a doctest line reads better whole
    rated = _by_date(scored(checkins))
    end = today if today is not None else (rated[-1].wake_date if rated else None)
    if end is None:
        return ()
    first = end - timedelta(days=rules.stable_days - 1)
    week = [c for c in rated if first <= c.wake_date <= end]
    threshold = flare_threshold(base, rules)
    if len(week) < rules.stable_min_days or any(burden(c) >= threshold for c in week):
        return ()
    if any(first <= day <= end for day in urgent_days):
        return ()
    if last_cut is not None and (end - last_cut).days < rules.cut_watch_days:
        return ()
    return (
        Finding(
            kind="stable",
            severity="info",
            message=(
                f"Symptoms have stayed near your baseline for the {rules.stable_days} days"
                f" from {first.isoformat()} to {end.isoformat()} ({len(week)} check-ins with"
                " the symptom checklist)."
            ),
            evidence=tuple(_burden_evidence(c, base, threshold) for c in week),
            source="ASAM-2025",
            suggested_action="ready for the next step when it is due",
        ),
    )


def scored_days_in_week(
    checkins: Sequence[CheckIn], today: date, rules: FindingRules = FindingRules()
) -> int:
    """Days with the symptom checklist in the ``stable_days`` up to ``today``.

    >>> from taperline.core.journal import CheckIn
    >>> days = [CheckIn(date(2027, 2, d), None, mood=6, anxiety=4) for d in (1, 5, 7)]
    >>> scored_days_in_week(days, date(2027, 2, 7))
    3
    """
    first = today - timedelta(days=rules.stable_days - 1)
    return len({c.wake_date for c in scored(checkins) if first <= c.wake_date <= today})


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
            evidence=tuple(_burden_evidence(c, base, threshold) for days in bad_runs for c in days),
            source="SEED-MICROTAPER",
            suggested_action="keep logging daily; use the bad-wave techniques; hold if it lasts",
        ),
    )
