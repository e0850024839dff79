"""CBT-I sleep window (sleep restriction) and a small library of self-help techniques.

Sleep window [SPIELMAN-1987]: time in bed = mean total sleep time of the last week's
diary, with a fixed rise time, never below a floor; each week + 15 min when SE is above
90 % (85 % in many programs: an option), - 15 min when SE is below 80 %, else hold.
taperline's defaults (assumptions, overridable in :class:`SleepRules`): a floor of
5 h (Spielman used 4.5 h; 5-5.5 h is common) and at least 5 diary nights of the last 7.
Not offered with epilepsy or seizures, bipolar disorder, psychosis, untreated sleep apnea,
parasomnias, high fall risk or pregnancy (Somryst labelling, see [SPIELMAN-1987] row).

The techniques are written in our own words, short and plain.

>>> from datetime import date
>>> from taperline.core.journal import SleepDiary, night_times
>>> from taperline.core.metrics import night_metrics
>>> nights = [
...     night_metrics(SleepDiary(*night_times(date(2027, 1, d)), sol_min=40, waso_min=60,
...                              awakenings=2))
...     for d in range(1, 8)
... ]
>>> w = sleep_window(nights, rise_min=6 * 60 + 45)
>>> w.tib_min, w.bed_clock, w.rise_clock
(330, '01:15', '06:45')
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Final, Literal, get_args

from taperline.core.journal import CheckIn
from taperline.core.metrics import MINUTES_PER_DAY, NightMetrics, night_metrics
from taperline.errors import InputError

__all__ = [
    "CONTRAINDICATIONS",
    "PROGRAMS_RAISE_ABOVE_SE_PCT",
    "SPIELMAN_RAISE_ABOVE_SE_PCT",
    "TECHNIQUES",
    "Contraindication",
    "SleepRules",
    "SleepWindow",
    "SleepWindowRefused",
    "SleepWindowRules",
    "Technique",
    "adjust_window",
    "choose_techniques",
    "sleep_window",
    "weekly_step",
]

Contraindication = Literal[
    "epilepsy or seizures",
    "bipolar disorder",
    "psychosis",
    "untreated sleep apnea",
    "parasomnia",
    "pregnancy",
    "high fall risk",
]
#: Conditions in which sleep restriction is not offered [SPIELMAN-1987 row, Somryst labelling].
CONTRAINDICATIONS: Final[tuple[Contraindication, ...]] = get_args(Contraindication)

_WINDOW_DAYS: Final = 7


#: The two published widening thresholds: above 90 % [SPIELMAN-1987], above 85 % in many
#: programs [SPIELMAN-1987 row of clinical-basis.md].
SPIELMAN_RAISE_ABOVE_SE_PCT: Final = 90.0
PROGRAMS_RAISE_ABOVE_SE_PCT: Final = 85.0


@dataclass(frozen=True, slots=True)
class SleepRules:
    """Sleep-window thresholds, each cited; defaults are documented, overridable assumptions.

    Where the sources disagree, both are here: the window widens above 90 % efficiency
    [SPIELMAN-1987] or above 85 % in many programs (``other_raise_above_se_pct``), and every
    review says what the other threshold would have done.

    >>> SleepRules(lower_below_se_pct=95.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: the narrowing threshold (95 %) must not be above the widening...
    """

    floor_min: int = 300  # 5 h; Spielman used 4.5 h (270), 5-5.5 h is common [SPIELMAN-1987]
    raise_above_se_pct: float = SPIELMAN_RAISE_ABOVE_SE_PCT  # or PROGRAMS_RAISE_ABOVE_SE_PCT
    lower_below_se_pct: float = 80.0  # - step below it [SPIELMAN-1987]
    step_min: int = 15  # [SPIELMAN-1987]
    review_days: int = 7  # weekly [SPIELMAN-1987]
    min_nights: int = 5  # diary nights of the week (taperline's assumption)
    # Poor sleep, the only time the window is offered: efficiency under the lower widening
    # threshold (85 %, the level many programs accept as good [SPIELMAN-1987 row]) or more
    # than 30 min awake in bed (taperline's assumption, as NIGHT_WAKING_MIN) on most nights.
    poor_below_se_pct: float = PROGRAMS_RAISE_ABOVE_SE_PCT
    poor_awake_over_min: int = 30

    @property
    def other_raise_above_se_pct(self) -> float:
        """The published widening threshold these rules do not use (shown beside theirs)."""
        if self.raise_above_se_pct == PROGRAMS_RAISE_ABOVE_SE_PCT:
            return SPIELMAN_RAISE_ABOVE_SE_PCT
        return PROGRAMS_RAISE_ABOVE_SE_PCT

    def __post_init__(self) -> None:
        if self.lower_below_se_pct > min(self.raise_above_se_pct, self.other_raise_above_se_pct):
            raise InputError(
                f"the narrowing threshold ({self.lower_below_se_pct:g} %) must not be above"
                f" the widening threshold ({self.raise_above_se_pct:g} %)"
            )
        if self.floor_min <= 0 or self.step_min <= 0 or self.review_days <= 0:
            raise InputError("the floor, the step and the review interval must be above zero")


#: The name this module gave the rules before the course of treatment (core.sleep_course).
SleepWindowRules = SleepRules


def weekly_step(se_pct: float, rules: SleepRules, raise_above_se_pct: float | None = None) -> int:
    """Minutes the window changes by after a week at ``se_pct`` efficiency [SPIELMAN-1987].

    ``raise_above_se_pct`` judges by another widening threshold (the sources disagree).

    >>> [weekly_step(se_pct, SleepRules()) for se_pct in (93.0, 87.0, 70.0)]
    [15, 0, -15]
    >>> weekly_step(87.0, SleepRules(), raise_above_se_pct=85.0)
    15
    """
    widen_above = rules.raise_above_se_pct if raise_above_se_pct is None else raise_above_se_pct
    if se_pct > widen_above:
        return rules.step_min
    if se_pct < rules.lower_below_se_pct:
        return -rules.step_min
    return 0


@dataclass(frozen=True, slots=True)
class SleepWindow:
    """A time-in-bed window with a fixed rise time; the reason says how it was set."""

    tib_min: int
    bed_clock: str
    rise_clock: str
    reason: str
    source: str = "SPIELMAN-1987"


@dataclass(frozen=True, slots=True)
class SleepWindowRefused:
    """No window offered, and why."""

    reason: str


def _clock(minutes: int) -> str:
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _last_week(nights: Sequence[NightMetrics]) -> list[NightMetrics]:
    if not nights:
        return []
    latest = max(n.wake_date for n in nights)
    start = latest - timedelta(days=_WINDOW_DAYS - 1)
    return [n for n in nights if n.wake_date >= start]


def _refusal(
    nights: Sequence[NightMetrics],
    contraindications: frozenset[Contraindication],
    rules: SleepRules,
) -> SleepWindowRefused | None:
    present = sorted(c for c in contraindications if c in CONTRAINDICATIONS)
    if present:
        return SleepWindowRefused(
            f"sleep restriction is not offered with {', '.join(present)}; try the other"
            " techniques and ask your clinician"
        )
    week = _last_week(nights)
    if len(week) < rules.min_nights:
        return SleepWindowRefused(
            f"a sleep window needs at least {rules.min_nights} diary nights in the last"
            f" {_WINDOW_DAYS}; {len(week)} found"
        )
    return None


def _window(tib_min: int, rise_min: int, reason: str) -> SleepWindow:
    return SleepWindow(tib_min, _clock(rise_min - tib_min), _clock(rise_min), reason)


def _check_rise(rise_min: int) -> None:
    if not 0 <= rise_min < MINUTES_PER_DAY:
        raise InputError(f"rise_min must be 0-1439 (minutes after midnight), got {rise_min}")


def sleep_window(
    nights: Sequence[NightMetrics],
    rise_min: int,
    contraindications: frozenset[Contraindication] = frozenset(),
    rules: SleepRules = SleepRules(),
) -> SleepWindow | SleepWindowRefused:
    """A first sleep window: mean TST of the last 7 nights, not below the floor.

    >>> sleep_window([], 420)
    SleepWindowRefused(reason='a sleep window needs at least 5 diary nights in the last 7; 0 found')
    """
    _check_rise(rise_min)
    refused = _refusal(nights, contraindications, rules)
    if refused is not None:
        return refused
    mean_tst = statistics.fmean(n.tst_min for n in _last_week(nights))
    tib_min = max(rules.floor_min, round(mean_tst))
    floor_note = " (raised to the floor)" if tib_min > mean_tst else ""
    return _window(tib_min, rise_min, f"mean sleep of the last week{floor_note}")


def adjust_window(
    current_tib_min: int,
    nights: Sequence[NightMetrics],
    rise_min: int,
    contraindications: frozenset[Contraindication] = frozenset(),
    rules: SleepRules = SleepRules(),
) -> SleepWindow | SleepWindowRefused:
    """The weekly adjustment: + 15 min if SE > 90 %, - 15 min if SE < 80 %, else hold.

    SE here is total sleep over total time in bed of the last 7 nights; the window never
    goes below the floor.

    >>> from datetime import date
    >>> good = [NightMetrics(date(2027, 1, d), 330, 310, 5, 15, 93.9) for d in range(1, 8)]
    >>> adjust_window(330, good, 405).tib_min
    345
    """
    _check_rise(rise_min)
    refused = _refusal(nights, contraindications, rules)
    if refused is not None:
        return refused
    week = _last_week(nights)
    se_pct = 100.0 * sum(n.tst_min for n in week) / max(1, sum(n.tib_min for n in week))
    step_min = weekly_step(se_pct, rules)
    word = {0: "keep the window"}.get(
        step_min, f"{abs(step_min)} min {'more' if step_min > 0 else 'less'}"
    )
    tib_min, reason = current_tib_min + step_min, f"SE {se_pct:.0f} %: {word}"
    return _window(max(rules.floor_min, tib_min), rise_min, reason)


# --- self-help techniques -------------------------------------------------------------------

Tag = Literal["anxiety", "long_sol", "night_waking", "low_mood", "bad_wave", "general"]


@dataclass(frozen=True, slots=True)
class Technique:
    """A self-help technique in our own words, with the situations it suits."""

    key: str
    title: str
    text: str
    tags: frozenset[Tag]


TECHNIQUES: Final[tuple[Technique, ...]] = (
    Technique(
        "slow-breathing",
        "Slow breathing",
        "Breathe in through your nose for a count of four, and out slowly for a count of six."
        " Keep going for a few minutes. A longer out-breath tells your body it is safe.",
        frozenset({"anxiety", "night_waking"}),
    ),
    Technique(
        "wind-down",
        "An hour to wind down",
        "In the last hour before bed, dim the lights, put screens away and do something calm"
        " and a bit boring. Let the day end before you lie down.",
        frozenset({"long_sol", "general"}),
    ),
    Technique(
        "stimulus-control",
        "Bed is for sleep",
        "Go to bed only when sleepy. If you are awake for what feels like 20 minutes, get up,"
        " do something quiet in low light, and go back when sleepy. Get up at the same time"
        " every day, however the night went.",
        frozenset({"long_sol", "night_waking"}),
    ),
    Technique(
        "worry-time",
        "Worry time",
        "Set aside 15 minutes in the early evening to write down what is on your mind and one"
        " next step for each. If worries come at night, tell yourself they have their time"
        " tomorrow.",
        frozenset({"anxiety", "long_sol"}),
    ),
    Technique(
        "sleep-basics",
        "Sleep basics",
        "Keep caffeine to the morning, skip alcohol, get daylight soon after waking, and keep"
        " the bedroom cool, dark and quiet.",
        frozenset({"general"}),
    ),
    Technique(
        "grounding",
        "Come back to the room",
        "Name five things you can see, four you can hear, three you can touch. It brings"
        " attention back to now when you feel unreal or on edge.",
        frozenset({"anxiety", "bad_wave"}),
    ),
    Technique(
        "bad-wave",
        "Riding out a bad wave",
        "Bad stretches are common while tapering and they pass. Lower what you expect of"
        " yourself for a few days, keep your routine simple, and reach out to someone you"
        " trust. A bad wave is not a failure, and it is a reason to talk about holding, not"
        " about giving up.",
        frozenset({"bad_wave", "low_mood"}),
    ),
    Technique(
        "small-pleasures",
        "One small good thing",
        "Plan one small thing you usually enjoy today, like a short walk, music or a call."
        " Do it even if you do not feel like it; mood often follows action.",
        frozenset({"low_mood"}),
    ),
)

# What counts as a pattern worth answering (taperline's own choices).
LONG_SOL_MIN: Final = 30
NIGHT_WAKING_MIN: Final = 30
HIGH_ANXIETY: Final = 6
LOW_MOOD: Final = 4


def _needs(checkin: CheckIn, *, in_bad_wave: bool) -> list[Tag]:
    needs: list[Tag] = []
    if in_bad_wave:
        needs.append("bad_wave")
    if checkin.anxiety >= HIGH_ANXIETY:
        needs.append("anxiety")
    if checkin.sleep is not None:
        metrics = night_metrics(checkin.sleep)
        if metrics.sol_min >= LONG_SOL_MIN:
            needs.append("long_sol")
        if metrics.waso_min >= NIGHT_WAKING_MIN:
            needs.append("night_waking")
    if checkin.mood <= LOW_MOOD:
        needs.append("low_mood")
    needs.append("general")
    return needs


def choose_techniques(
    checkin: CheckIn, *, in_bad_wave: bool = False, limit: int = 3
) -> tuple[Technique, ...]:
    """Techniques for this check-in, most pressing need first (bad wave, anxiety, sleep, mood).

    >>> from datetime import date
    >>> day = CheckIn(date(2027, 1, 5), None, mood=6, anxiety=8)
    >>> [t.key for t in choose_techniques(day, limit=2)]
    ['slow-breathing', 'worry-time']
    """
    chosen: list[Technique] = []
    for need in _needs(checkin, in_bad_wave=in_bad_wave):
        chosen += [t for t in TECHNIQUES if need in t.tags and t not in chosen]
    return tuple(chosen[:limit])
