"""The sleep window (CBT-I) as a course: show it, start it, review it weekly, a clinician sets it.

The CLI (``taperline sleep-window``) and the web pages (the patient's Sleep window page, the
clinician's) call these functions and show :func:`sleep_window_document`. Each week's window
is stored (``Store.add_sleep_window``) and never recomputed: a review takes the current
window one step (+15 / -15 / hold) from the nights inside it [SPIELMAN-1987].
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from taperline.adapters.storage.repo import Store
from taperline.core.journal import CheckIn
from taperline.core.metrics import NightMetrics, clock_min, night_metrics
from taperline.core.shapes import TypedDict, closed
from taperline.core.sleep import Contraindication, SleepRules
from taperline.core.sleep_course import (
    DEFAULT_RULES,
    NotOffered,
    Setter,
    SleepCheck,
    WindowWeek,
    assess_sleep,
    contraindications_in,
    first_window,
    other_step_min,
    review_due_on,
    review_window,
    set_window,
    withdrawal,
)
from taperline.core.values import parse_clock
from taperline.errors import ConflictError, InputError
from taperline.service.store import local_today

__all__ = [
    "SleepWindowOut",
    "SleepWindowState",
    "review_sleep_window",
    "set_sleep_window",
    "sleep_window_document",
    "sleep_window_state",
    "start_sleep_window",
]

_DIARY_DAYS = 14  # the nights shown with the window: this week's and the one before


@dataclass(frozen=True, slots=True)
class SleepWindowState:
    """A person's sleep window today: the weeks so far, the diary, and what can be done now.

    ``offer`` is the first window starting now would set (or why none), when no window is
    set; ``review`` is the review due today (or why not yet), when one is.
    """

    today: date
    rules: SleepRules
    check: SleepCheck
    weeks: tuple[WindowWeek, ...]
    nights: tuple[NightMetrics, ...]
    contraindications: frozenset[Contraindication]
    offer: WindowWeek | NotOffered | None
    review: WindowWeek | NotOffered | None

    @property
    def current(self) -> WindowWeek | None:
        """This week's window, if one is set."""
        return self.weeks[-1] if self.weeks else None

    @property
    def withdrawn(self) -> NotOffered | None:
        """Why the window set must stop: a contraindication named since it started (or None)."""
        return withdrawal(self.current, self.contraindications)

    @property
    def review_on(self) -> date | None:
        """When this week's window is reviewed."""
        return review_due_on(self.current, self.rules) if self.current else None


def _rise_min(checkins: list[CheckIn]) -> int:
    rises = [clock_min(c.sleep.out_of_bed) for c in checkins if c.sleep is not None]
    return int(statistics.median(rises)) if rises else 7 * 60


def _rise_of(text: str | None, checkins: list[CheckIn]) -> int:
    if text is None or not text.strip():
        return _rise_min(checkins[-7:])
    rise = parse_clock(text)
    return rise.hour * 60 + rise.minute


def _diary(store: Store, person_id: int, today: date) -> list[CheckIn]:
    return store.checkins(person_id, today - timedelta(days=_DIARY_DAYS - 1), today)


def _nights(checkins: list[CheckIn]) -> list[NightMetrics]:
    return [night_metrics(c.sleep) for c in checkins if c.sleep is not None]


def sleep_window_state(
    store: Store, person_id: int, *, now: datetime, rules: SleepRules = DEFAULT_RULES
) -> SleepWindowState:
    """Read the person's window, diary and profile, and say what can be done today."""
    profile = store.profile(person_id)
    today = local_today(profile.time_zone, now)
    checkins = _diary(store, person_id, today)
    nights = _nights(checkins)
    blocked = contraindications_in(profile.conditions)
    weeks = tuple(store.sleep_windows(person_id))
    offer = review = None
    if weeks:
        review = review_window(weeks[-1], nights, today, contraindications=blocked, rules=rules)
    else:
        offer = first_window(
            nights, today, _rise_min(checkins[-7:]), contraindications=blocked, rules=rules
        )
    return SleepWindowState(
        today,
        rules,
        assess_sleep(nights, today, rules),
        weeks,
        tuple(reversed(nights)),
        blocked,
        offer,
        review,
    )


def start_sleep_window(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    rise: str | None = None,
    rules: SleepRules = DEFAULT_RULES,
) -> WindowWeek:
    """The patient starts the course: a first window from the last week, if sleep is poor.

    ``rise`` is the fixed rise time (HH:MM); by default the usual one of the week's diary.
    """
    state = sleep_window_state(store, person_id, now=now, rules=rules)
    if state.withdrawn is not None:
        raise InputError(state.withdrawn.reason)
    if state.current is not None:
        raise ConflictError(
            f"a sleep window is already set (since {state.current.set_on.isoformat()});"
            " it is reviewed each week"
        )
    checkins = _diary(store, person_id, state.today)
    offer = first_window(
        _nights(checkins),
        state.today,
        _rise_of(rise, checkins),
        contraindications=state.contraindications,
        rules=rules,
    )
    if isinstance(offer, NotOffered):
        raise InputError(offer.reason)
    return store.add_sleep_window(person_id, offer)


def review_sleep_window(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    rules: SleepRules = DEFAULT_RULES,
    set_by: Setter = "patient",
    by: str = "patient",
) -> WindowWeek:
    """The weekly review: next week's window, one step from this week's [SPIELMAN-1987]."""
    state = sleep_window_state(store, person_id, now=now, rules=rules)
    if state.current is None:
        raise InputError("no sleep window is set yet: start one first")
    review = review_window(
        state.current,
        list(state.nights),
        state.today,
        contraindications=state.contraindications,
        rules=rules,
        set_by=set_by,
        by=by,
    )
    if isinstance(review, NotOffered):
        raise InputError(review.reason)
    return store.add_sleep_window(person_id, review)


def set_sleep_window(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    rise: str,
    time_in_bed_min: int,
    by: str,
    reason: str = "",
    rules: SleepRules = DEFAULT_RULES,
) -> WindowWeek:
    """A clinician sets this week's window (the floor and the contraindications still hold)."""
    if not rise.strip():
        raise InputError("rise: give the fixed rise time, such as 06:30")
    profile = store.profile(person_id)
    today = local_today(profile.time_zone, now)
    week = set_window(
        today,
        _rise_of(rise, []),
        time_in_bed_min,
        by,
        contraindications=contraindications_in(profile.conditions),
        rules=rules,
        reason=reason,
    )
    return store.add_sleep_window(person_id, week)


# --- the document ---------------------------------------------------------------------------


@closed
class SleepWeekOut(TypedDict):
    """One week's prescribed window."""

    set_on: str
    window_start: str
    window_end: str
    time_in_bed_min: int
    set_by: Setter
    by: str
    reason: str
    step_min: int
    efficiency_pct: float | None
    nights: int
    raise_above_se_pct: float | None
    other_threshold_step_min: int | None


@closed
class SleepDiaryOut(TypedDict):
    """The last week of the diary: is sleep poor (the window is offered only then)?"""

    nights: int
    poor_nights: int
    efficiency_pct: float | None
    mean_sleep_min: int | None
    poor: bool


@closed
class SleepRulesOut(TypedDict):
    """The thresholds in force; where the sources disagree, both widening thresholds."""

    floor_min: int
    raise_above_se_pct: float
    other_raise_above_se_pct: float
    lower_below_se_pct: float
    step_min: int
    review_days: int
    min_nights: int
    poor_below_se_pct: float
    poor_awake_over_min: int
    source: str


@closed
class SleepWindowOut(TypedDict):
    """This week's sleep window (or the one offered, or why none) and its review.

    ``status``: ``active`` (a window is set: ``time_in_bed_min`` and the window are this
    week's, ``step_min`` and ``efficiency_pct`` the review that set it, or the diary week's
    efficiency and 0 for a first window), ``offered`` (none set; the one starting would set),
    ``not_offered`` (``reason`` says why) or ``withdrawn`` (one is set but a contraindication
    was named since: no window is prescribed, ``reason`` says to stop and ask the clinician;
    ``weeks`` keeps the course).
    """

    status: Literal["active", "offered", "not_offered", "withdrawn"]
    time_in_bed_min: int | None
    window_start: str | None
    window_end: str | None
    efficiency_pct: float | None
    step_min: int | None
    reason: str
    set_on: str | None
    set_by: Setter | None
    review_on: str | None
    review_due: bool
    review_note: str | None
    other_threshold_step_min: int | None
    contraindications: list[str]
    diary: SleepDiaryOut
    rules: SleepRulesOut
    weeks: list[SleepWeekOut]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def week_document(week: WindowWeek, rules: SleepRules = DEFAULT_RULES) -> SleepWeekOut:
    """One week's window as JSON."""
    return SleepWeekOut(
        set_on=week.set_on.isoformat(),
        window_start=week.window_start,
        window_end=week.window_end,
        time_in_bed_min=week.time_in_bed_min,
        set_by=week.set_by,
        by=week.by,
        reason=week.reason,
        step_min=week.step_min,
        efficiency_pct=_pct(week.efficiency_pct),
        nights=week.nights,
        raise_above_se_pct=week.raise_above_se_pct,
        other_threshold_step_min=other_step_min(week, rules),
    )


def _rules_document(rules: SleepRules) -> SleepRulesOut:
    return SleepRulesOut(
        floor_min=rules.floor_min,
        raise_above_se_pct=rules.raise_above_se_pct,
        other_raise_above_se_pct=rules.other_raise_above_se_pct,
        lower_below_se_pct=rules.lower_below_se_pct,
        step_min=rules.step_min,
        review_days=rules.review_days,
        min_nights=rules.min_nights,
        poor_below_se_pct=rules.poor_below_se_pct,
        poor_awake_over_min=rules.poor_awake_over_min,
        source="SPIELMAN-1987",
    )


def sleep_window_document(state: SleepWindowState) -> SleepWindowOut:
    """The state as JSON: what ``taperline sleep-window --format json`` prints."""
    check = state.check
    stop = state.withdrawn
    shown = state.current or (state.offer if isinstance(state.offer, WindowWeek) else None)
    status: Literal["active", "offered", "not_offered", "withdrawn"] = (
        "withdrawn"
        if stop
        else "active"
        if state.current
        else "offered"
        if shown
        else "not_offered"
    )
    refusal = stop or (state.offer if isinstance(state.offer, NotOffered) else None)
    if stop is not None:
        shown = None  # no time in bed is prescribed any more
    efficiency = None
    if shown is not None:
        efficiency = (
            shown.efficiency_pct if shown.efficiency_pct is not None else check.efficiency_pct
        )
    return SleepWindowOut(
        status=status,
        time_in_bed_min=shown.time_in_bed_min if shown else None,
        window_start=shown.window_start if shown else None,
        window_end=shown.window_end if shown else None,
        efficiency_pct=_pct(efficiency),
        step_min=state.current.step_min if state.current else None,
        reason=shown.reason if shown else (refusal.reason if refusal else ""),
        set_on=state.current.set_on.isoformat() if state.current else None,
        set_by=state.current.set_by if state.current else None,
        review_on=state.review_on.isoformat() if state.review_on and stop is None else None,
        review_due=stop is None and isinstance(state.review, WindowWeek),
        review_note=state.review.reason if isinstance(state.review, NotOffered) else None,
        other_threshold_step_min=(
            other_step_min(state.current, state.rules) if state.current else None
        ),
        contraindications=sorted(state.contraindications),
        diary=SleepDiaryOut(
            nights=check.nights,
            poor_nights=check.poor_nights,
            efficiency_pct=_pct(check.efficiency_pct),
            mean_sleep_min=check.mean_sleep_min,
            poor=check.poor,
        ),
        rules=_rules_document(state.rules),
        weeks=[week_document(w, state.rules) for w in state.weeks],
    )
