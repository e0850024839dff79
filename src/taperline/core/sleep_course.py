"""The sleep window as a course of treatment: CBT-I sleep restriction, week by week.

A course is a list of weeks, each a prescribed window (:class:`WindowWeek`): the day it was
set (``set_on``; it applies from that night), the fixed rise time, the time in bed, who set
it (the patient from their diary, or a clinician) and why [SPIELMAN-1987]:

* it is offered only when sleep is poor: efficiency under 85 % or more than 30 min awake in
  bed on most of the week's diary nights (:func:`assess_sleep`), never with a
  contraindication (:func:`contraindications_in`: "sleep apnea treated with CPAP" is not
  untreated sleep apnea);
* the first window is the week's mean sleep, not below the floor (:func:`first_window`);
* each week is reviewed from the nights inside it (woken up after it was set):
  + 15 min above the widening threshold, - 15 min below the narrowing one (never below the
  floor), else hold (:func:`review_window`). A review never recomputes the window from mean
  sleep, which shrinks it week after week whatever the efficiency.

Thresholds are :class:`~taperline.core.sleep.SleepRules`. Pure: the caller passes the day.

>>> from datetime import date
>>> from taperline.core.metrics import NightMetrics
>>> poor = [NightMetrics(date(2027, 1, d), 480, 330, 40, 80, 68.8) for d in range(1, 8)]
>>> week = first_window(poor, date(2027, 1, 7), rise_min=6 * 60 + 30)
>>> week.time_in_bed_min, week.window_start, week.window_end, week.set_by
(330, '01:00', '06:30', 'patient')
>>> kept = [NightMetrics(date(2027, 1, d), 330, 310, 5, 15, 93.9) for d in range(8, 15)]
>>> review_window(week, kept, date(2027, 1, 14)).time_in_bed_min
345
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final, Literal

from taperline.core.metrics import MINUTES_PER_DAY, NightMetrics
from taperline.core.sleep import CONTRAINDICATIONS, Contraindication, SleepRules, weekly_step
from taperline.errors import InputError

if TYPE_CHECKING:  # a finding is made only for a window withdrawn
    from taperline.core.findings import Finding

__all__ = [
    "DEFAULT_RULES",
    "SETTERS",
    "NotOffered",
    "Setter",
    "SleepCheck",
    "WindowWeek",
    "assess_sleep",
    "contraindications_in",
    "first_window",
    "other_step_min",
    "review_due_on",
    "review_window",
    "set_window",
    "week_nights",
    "withdrawal",
    "withdrawal_finding",
]

Setter = Literal["patient", "clinician"]
SETTERS: Final[tuple[Setter, ...]] = ("patient", "clinician")
DEFAULT_RULES: Final = SleepRules()
_MAX_TIME_IN_BED_MIN: Final = 12 * 60  # a window is a restriction: half a day is not one

#: Pregnancy as people write it: misspellings, slang, a baby due (taperline's own reading).
_PREGNANCY_AS_WRITTEN: Final = (
    "pregant", "pregnat", "pregnent", "prengant", "pergnant", "preganant", "pregnanat",
    "pregancy", "pregnacy", "pregnency", "preggers", "preggo", "preggy",
    "baby due", "due a baby", "due date", "having a baby", "baby on the way",
    "gestation", "gestational",
)  # fmt: skip

# Sleep-restriction contraindications [SPIELMAN-1987 row, Somryst labelling], found as whole
# words (plurals too): "fall" is a fall, not "falling asleep"; "seizure" is not inside a word.
# The words are taperline's reading of the list's names as people write them ("BPAD",
# "expecting a baby", "REM behaviour disorder", "fell", "fits"); a seizure is also what the
# screen reads as one (a seizure disorder's name such as "petit mal", a misspelt "siezures").
_CONTRAINDICATION_WORDS: Final[tuple[tuple[tuple[str, ...], Contraindication], ...]] = (
    (("epilepsy", "epileptic", "seizure", "convulsion", "fits"), "epilepsy or seizures"),
    (
        ("bipolar", "bpad", "mania", "manic", "hypomania", "hypomanic", "cyclothymia"),
        "bipolar disorder",
    ),
    (
        (
            "psychosis",
            "psychoses",
            "psychotic",
            "schizophrenia",
            "schizoaffective",
            "hallucinations",
            "delusions",
        ),
        "psychosis",
    ),
    (("apnea", "apnoea", "osa"), "untreated sleep apnea"),
    (
        (
            "parasomnia",
            "sleepwalking",
            "sleep walking",
            "rem sleep behaviour disorder",
            "rem sleep behavior disorder",
            "rem behaviour disorder",
            "rem behavior disorder",
            "rbd",
            "night terrors",
            "sleep terrors",
            "sleep eating",
            "sleep paralysis",
            "confusional arousals",
        ),
        "parasomnia",
    ),
    (
        (
            "pregnant",
            "pregnancy",
            "expecting a baby",
            "expecting twins",
            "trimester",
            "antenatal",
            "prenatal",
            *_PREGNANCY_AS_WRITTEN,
        ),
        "pregnancy",
    ),
    (("fall", "fall risk", "fell", "fallen", "falls risk", "falling"), "high fall risk"),
)
#: The words of a fall ("keep falling", "falling over"): each is one unless sleep follows it.
_FALL_WORDS: Final = frozenset({"fall", "falls", "fell", "fallen", "falling"})
#: A fall word followed by one of these is no fall ("can't fall asleep", "falling asleep",
#: "fell back asleep", "fall back to sleep"); "back" alone is ("fell - back injury", "Falls
#: (back pain)", "fell back down the stairs"): a false refusal of the window is the safer error.
_NOT_A_FALL: Final = (
    ("asleep",), ("back", "asleep"), ("to", "sleep"), ("back", "to", "sleep"),
    ("off", "to", "sleep"), ("back", "off", "to", "sleep"),
)  # fmt: skip
# Sleep apnea on treatment is not untreated sleep apnea (the contraindication is the latter).
_APNEA_TREATED: Final = ("cpap", "apap", "bipap", "treated", "mandibular", "oral appliance")
#: Sleep apnea whose treatment is not (yet) in use: untreated, whatever device is named.
_APNEA_UNTREATED: Final = (
    "untreated", "not treated", "not tolerated", "not on", "non compliant", "noncompliant",
    "not using", "no cpap", "stopped", "intolerant", "not compliant", "awaiting", "waiting",
    "waiting for", "can't wear", "cannot wear", "can not wear", "don't wear", "do not wear",
    "don't use", "do not use", "can't use", "cannot use", "can't tolerate", "cannot tolerate",
    "rarely", "sometimes", "not every night", "off", "refused", "declined", "pending",
    # a device not in use, in other words ("CPAP machine broken", "not wearing my CPAP")
    "broken", "broke", "faulty", "not working", "stopped working", "doesn't work",
    "does not work", "doesnt work", "not wearing", "not worn", "won't wear", "wont wear",
    "dont wear", "dont use", "cant wear", "cant use", "not used", "unused", "lost",
    "gave up", "given up", "no longer", "unable to", "haven't", "have not", "havent",
    "never", "without", "not yet", "struggle", "struggling",
)  # fmt: skip


def contraindications_in(conditions: Iterable[str]) -> frozenset[Contraindication]:
    """Sleep-restriction contraindications named in a profile's conditions (as whole words).

    >>> sorted(contraindications_in(("Epilepsy", "trouble falling asleep", "two falls")))
    ['epilepsy or seizures', 'high fall risk']
    >>> contraindications_in(("sleep apnea treated with CPAP", "can't fall asleep"))
    frozenset()
    >>> sorted(contraindications_in(("sleep apnoea", "untreated OSA, CPAP not tolerated")))
    ['untreated sleep apnea']
    >>> sorted(contraindications_in(("petit mal", "BPAD", "OSA awaiting CPAP")))
    ['bipolar disorder', 'epilepsy or seizures', 'untreated sleep apnea']
    """
    from taperline.core.words import contains

    found: set[Contraindication] = set()
    for condition in conditions:
        for words, name in _CONTRAINDICATION_WORDS:
            if not any(contains(condition, word) for word in words):
                continue
            if name == "untreated sleep apnea" and _apnea_treated(condition):
                continue
            if name == "high fall risk" and not _a_fall(condition):
                continue
            found.add(name)
        if _seizure_as_screened(condition):
            found.add("epilepsy or seizures")
    return frozenset(found)


def _a_fall(condition: str) -> bool:
    """A fall word not followed by sleep ("can't fall asleep", "fell back to sleep" are none).

    >>> [_a_fall(t) for t in ("fell back down the stairs", "falling over", "falling asleep")]
    [True, True, False]
    """
    from taperline.core.words import tokens

    words = tokens(condition)
    return any(
        word in _FALL_WORDS
        and not any(words[index + 1 : index + 1 + len(n)] == n for n in _NOT_A_FALL)
        for index, word in enumerate(words)
    )


def _seizure_as_screened(condition: str) -> bool:
    """A seizure disorder or a seizure as the profile's screen reads one [LABEL].

    The same words every door's screen reads (:mod:`taperline.core.screening`): a seizure
    type's name ("petit mal", "absence seizures") or a seizure told, misspelt too.
    """
    from taperline.core.screening import crisis_matches, indication_of

    return indication_of([condition]) == "seizure" or any(
        m.category == "seizure" for m in crisis_matches(condition)
    )


def _apnea_treated(condition: str) -> bool:
    from taperline.core.words import contains

    untreated = any(contains(condition, w) for w in _APNEA_UNTREATED)
    return not untreated and any(contains(condition, word) for word in _APNEA_TREATED)


def _clock(minutes: int) -> str:
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class WindowWeek:
    """One week's prescribed window: in bed ``time_in_bed_min`` before the fixed rise time.

    ``step_min`` and ``efficiency_pct`` are the review that set it (0 and None for a first
    window or a clinician's); ``raise_above_se_pct`` the widening threshold it was judged by.
    """

    set_on: date
    rise_min: int
    time_in_bed_min: int
    set_by: Setter
    by: str
    reason: str
    step_min: int = 0
    efficiency_pct: float | None = None
    nights: int = 0
    raise_above_se_pct: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.rise_min < MINUTES_PER_DAY:
            raise InputError(f"rise time must be 00:00-23:59, got minute {self.rise_min}")
        if not 0 < self.time_in_bed_min <= _MAX_TIME_IN_BED_MIN:
            raise InputError(
                f"time in bed must be 1-{_MAX_TIME_IN_BED_MIN} min, got {self.time_in_bed_min}"
            )
        if self.set_by not in SETTERS:
            raise InputError(f"set_by must be one of {', '.join(SETTERS)}, got {self.set_by!r}")
        if not self.by.strip():
            raise InputError("who set the window must be named")

    @property
    def window_start(self) -> str:
        """The clock time to go to bed (HH:MM): the rise time less the time in bed."""
        return _clock(self.rise_min - self.time_in_bed_min)

    @property
    def window_end(self) -> str:
        """The fixed rise time (HH:MM)."""
        return _clock(self.rise_min)


@dataclass(frozen=True, slots=True)
class NotOffered:
    """No window, and why (in plain words)."""

    reason: str


@dataclass(frozen=True, slots=True)
class SleepCheck:
    """The week's diary: how many nights, how many poor, the efficiency and mean sleep."""

    nights: int
    poor_nights: int
    efficiency_pct: float | None
    mean_sleep_min: int | None
    poor: bool


def week_nights(nights: Sequence[NightMetrics], until: date, days: int = 7) -> list[NightMetrics]:
    """The nights woken up in the ``days`` days up to and including ``until``."""
    first = until - timedelta(days=days - 1)
    return [n for n in nights if first <= n.wake_date <= until]


def _efficiency(nights: Sequence[NightMetrics]) -> float | None:
    in_bed = sum(n.tib_min for n in nights)
    return 100.0 * sum(n.tst_min for n in nights) / in_bed if in_bed > 0 else None


def assess_sleep(
    nights: Sequence[NightMetrics], today: date, rules: SleepRules = DEFAULT_RULES
) -> SleepCheck:
    """Whether the week's sleep is poor: SE under 85 % or > 30 min awake in bed on most nights.

    >>> from taperline.core.metrics import NightMetrics
    >>> good = [NightMetrics(date(2027, 1, d), 480, 456, 10, 14, 95.0) for d in range(1, 8)]
    >>> assess_sleep(good, date(2027, 1, 7)).poor
    False
    """
    week = week_nights(nights, today, rules.review_days)
    poor = [
        n
        for n in week
        if n.se_pct < rules.poor_below_se_pct or n.tib_min - n.tst_min > rules.poor_awake_over_min
    ]
    mean = round(statistics.fmean(n.tst_min for n in week)) if week else None
    enough = len(week) >= rules.min_nights
    return SleepCheck(
        len(week), len(poor), _efficiency(week), mean, enough and 2 * len(poor) > len(week)
    )


def _refusal(contraindications: frozenset[Contraindication]) -> NotOffered | None:
    present = sorted(c for c in contraindications if c in CONTRAINDICATIONS)
    if not present:
        return None
    return NotOffered(
        f"a sleep window is not offered with {', '.join(present)}; try the other techniques"
        " and ask your clinician"
    )


def withdrawal(
    current: WindowWeek | None, contraindications: frozenset[Contraindication]
) -> NotOffered | None:
    """Why a window already set must stop now: a contraindication named since (None: none).

    Sleep restriction is not given with these [SPIELMAN-1987 row, Somryst labelling], so a
    window started before one was added to the health conditions is withdrawn, not kept to
    its next review: no time in bed is prescribed any more, and the clinician is asked.

    >>> week = WindowWeek(date(2027, 1, 7), 390, 330, "patient", "me", "poor sleep")
    >>> withdrawal(week, frozenset({"pregnancy"})).reason.split(":")[0]
    'stop the sleep window and ask your clinician'
    >>> withdrawal(week, frozenset()), withdrawal(None, frozenset({"pregnancy"}))
    (None, None)
    """
    present = sorted(c for c in contraindications if c in CONTRAINDICATIONS)
    if current is None or not present:
        return None
    return NotOffered(
        "stop the sleep window and ask your clinician: sleep restriction is not advised with"
        f" {', '.join(present)}, now among your health conditions; do not keep to its times"
    )


def withdrawal_finding(
    current: WindowWeek | None, contraindications: frozenset[Contraindication], today: date
) -> Finding | None:
    """For the clinician: a window still running though the conditions now contraindicate it.

    >>> week = WindowWeek(date(2027, 1, 7), 390, 330, "patient", "me", "poor sleep")
    >>> f = withdrawal_finding(week, frozenset({"pregnancy"}), date(2027, 1, 9))
    >>> f.kind, f.severity, f.clinician_flag, f.evidence[0].value
    ('medicine_condition', 'warning', True, 'pregnancy; window of 7 Jan: 01:00 to 06:30')
    """
    from taperline.core.findings import Evidence, Finding

    stop = withdrawal(current, contraindications)
    if stop is None or current is None:
        return None
    present = "; ".join(sorted(c for c in contraindications if c in CONTRAINDICATIONS))
    window = f"window of {current.set_on.day} {current.set_on:%b}: {current.window_start} to"
    return Finding(
        kind="medicine_condition",
        severity="warning",
        message=f"The sleep window was withdrawn: {stop.reason}.",
        evidence=(Evidence(today, "sleep window", f"{present}; {window} {current.window_end}"),),
        source="SPIELMAN-1987",
        suggested_action="review the sleep window with your clinician before restricting sleep",
        clinician_flag=True,
    )


def first_window(
    nights: Sequence[NightMetrics],
    today: date,
    rise_min: int,
    *,
    contraindications: frozenset[Contraindication] = frozenset(),
    rules: SleepRules = DEFAULT_RULES,
) -> WindowWeek | NotOffered:
    """The patient's first window from the last week's diary, only when sleep is poor.

    >>> first_window([], date(2027, 1, 7), 420)
    NotOffered(reason='a sleep window needs at least 5 diary nights in the last 7; 0 found')
    """
    refused = _refusal(contraindications)
    if refused is not None:
        return refused
    check = assess_sleep(nights, today, rules)
    if check.nights < rules.min_nights or check.mean_sleep_min is None:
        return NotOffered(
            f"a sleep window needs at least {rules.min_nights} diary nights in the last"
            f" {rules.review_days}; {check.nights} found"
        )
    if not check.poor:
        return NotOffered(
            "your sleep is not poor enough for a sleep window: on"
            f" {check.nights - check.poor_nights} of {check.nights} nights you slept at least"
            f" {rules.poor_below_se_pct:g} % of your"
            f" time in bed and were awake in bed no more than {rules.poor_awake_over_min} min"
        )
    time_in_bed = max(rules.floor_min, check.mean_sleep_min)
    floor = " (raised to the shortest window used)" if time_in_bed > check.mean_sleep_min else ""
    reason = f"your average sleep over the last {check.nights} nights{floor}"
    return WindowWeek(today, rise_min, time_in_bed, "patient", "patient", reason)


def set_window(
    today: date,
    rise_min: int,
    time_in_bed_min: int,
    by: str,
    *,
    contraindications: frozenset[Contraindication] = frozenset(),
    rules: SleepRules = DEFAULT_RULES,
    reason: str = "",
) -> WindowWeek:
    """A clinician's window: the floor and the contraindications hold for them too.

    >>> set_window(date(2027, 1, 7), 390, 270, "Dr Lee")
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: time in bed 270 min is below the floor of 300 min
    """
    refused = _refusal(contraindications)
    if refused is not None:
        raise InputError(refused.reason)
    if time_in_bed_min < rules.floor_min:
        raise InputError(
            f"time in bed {time_in_bed_min} min is below the floor of {rules.floor_min} min"
        )
    why = reason.strip() or "set by your clinician"
    return WindowWeek(today, rise_min, time_in_bed_min, "clinician", by, why)


def review_due_on(week: WindowWeek, rules: SleepRules = DEFAULT_RULES) -> date:
    """The day a window is reviewed: a week of nights after it was set."""
    return week.set_on + timedelta(days=rules.review_days)


def _step_words(rule_step: int, step: int, rules: SleepRules) -> str:
    if step != rule_step:  # the floor decided, not the efficiency
        return f"the window is kept at the shortest used, {rules.floor_min} min"
    if step > 0:
        return f"above {rules.raise_above_se_pct:g} %, so {step} min more in bed"
    if step < 0:
        return f"below {rules.lower_below_se_pct:g} %, so {-step} min less in bed"
    return (
        f"between {rules.lower_below_se_pct:g} % and {rules.raise_above_se_pct:g} %, so the"
        " window stays the same"
    )


def review_window(
    current: WindowWeek,
    nights: Sequence[NightMetrics],
    today: date,
    *,
    contraindications: frozenset[Contraindication] = frozenset(),
    rules: SleepRules = DEFAULT_RULES,
    set_by: Setter = "patient",
    by: str = "patient",
) -> WindowWeek | NotOffered:
    """The next week's window from the nights inside the current one [SPIELMAN-1987].

    The nights are those woken up after the window was set, the last ``review_days`` of them
    up to ``today``; their efficiency is total sleep over total time in bed.
    """
    refused = _refusal(contraindications)
    if refused is not None:
        return refused
    due = review_due_on(current, rules)
    if today < due:
        return NotOffered(f"this window is reviewed on {due.isoformat()}, after a week of nights")
    inside = [
        n for n in week_nights(nights, today, rules.review_days) if n.wake_date > current.set_on
    ]
    se_pct = _efficiency(inside)
    if len(inside) < rules.min_nights or se_pct is None:
        return NotOffered(
            f"a review needs at least {rules.min_nights} diary nights of the"
            f" {rules.review_days} in the window; {len(inside)} found"
        )
    rule_step = weekly_step(se_pct, rules)
    time_in_bed = max(rules.floor_min, current.time_in_bed_min + rule_step)
    step = time_in_bed - current.time_in_bed_min
    words = _step_words(rule_step, step, rules)
    return WindowWeek(
        today,
        current.rise_min,
        time_in_bed,
        set_by,
        by,
        f"you slept {se_pct:.0f} % of your time in bed: {words}",
        step_min=step,
        efficiency_pct=round(se_pct, 1),
        nights=len(inside),
        raise_above_se_pct=rules.raise_above_se_pct,
    )


def other_step_min(week: WindowWeek, rules: SleepRules = DEFAULT_RULES) -> int | None:
    """The step the other widening threshold would have taken for a reviewed week.

    The sources disagree (widen above 90 % [SPIELMAN-1987] or 85 % in many programs): the
    threshold a week was not judged by is shown beside the one it was. None for a week that
    was not a review.

    >>> week = WindowWeek(date(2027, 1, 14), 390, 330, "patient", "patient", "", 0, 87.0, 7, 90.0)
    >>> other_step_min(week)
    15
    """
    if week.efficiency_pct is None or week.raise_above_se_pct is None:
        return None
    judged = replace(rules, raise_above_se_pct=week.raise_above_se_pct)
    other = judged.other_raise_above_se_pct
    before = week.time_in_bed_min - week.step_min
    step = weekly_step(week.efficiency_pct, rules, raise_above_se_pct=other)
    return max(rules.floor_min, before + step) - before
