"""What a day's check-in asks: quick by default, the full diary when it matters.

A quick check-in asks last night's sleep as about how long the person slept (their estimate)
and its quality, mood, anxiety and the day's planned doses. The full check-in adds the
Consensus Sleep Diary's clock times and counts [CARNEY-2012], the symptom checklist, the worst
time of day, drinks and notes. The full one is asked for on the days around each cut, from
``before_cut_days`` before it to ``after_cut_days`` after it (withdrawal symptoms may appear
in the days after a cut [ASAM-2025]), and whenever the last full check-in is a week old or
more, so the person's own baseline keeps being measured. Either is one tap from the other.

:data:`FINDING_INPUTS` says which findings need which parts, in plain words, so the page can
say what a quick check-in leaves out (and the findings never read a part that was not given:
see :func:`taperline.core.metrics.scored`).

>>> ask = what_to_ask(date(2027, 3, 9), cut_dates=[date(2027, 3, 10)], last_full=None)
>>> ask.full, ask.reason
(True, 'your next dose change is tomorrow: the full check-in helps see how it goes')
>>> what_to_ask(date(2027, 3, 1), [date(2027, 3, 10)], last_full=date(2027, 2, 27)).full
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from taperline.core.findings.model import FindingKind
from taperline.core.journal import CheckIn

__all__ = [
    "FINDING_INPUTS",
    "QUICK_LEAVES_OUT",
    "AskRules",
    "Asking",
    "is_full",
    "what_to_ask",
]


@dataclass(frozen=True, slots=True)
class AskRules:
    """When the full check-in is asked for (each default cited)."""

    #: Days before a cut: the baseline just before it [ASAM-2025: watch each reduction].
    before_cut_days: int = 3
    #: Days after a cut: withdrawal symptoms may appear up to a week or more after one
    #: [ASAM-2025]; 10 days covers that week with a margin (taperline's default).
    after_cut_days: int = 10
    #: The longest stretch without a full check-in (weekly: taperline's default).
    full_every_days: int = 7


@dataclass(frozen=True, slots=True)
class Asking:
    """Whether the day's check-in should be the full one, and why, in plain words."""

    full: bool
    reason: str


#: Which findings need which parts of the check-in (plain words, for the person and the page).
FINDING_INPUTS: Final[Mapping[FindingKind, str]] = MappingProxyType(
    {
        "flare": "the symptom checklist, mood and anxiety, on most days after a dose change",
        "stable": "the symptom checklist, mood and anxiety, on at least 5 days of the last 7",
        "waves": "the symptom checklist, mood and anxiety, on most days",
        "interdose": (
            "the worst time of day with the symptom checklist, mood and anxiety, on the days"
            " you feel worse"
        ),
        "rebound": "the sleep diary's times, and the doses you took",
        "escalation": "the doses you took",
        "large_dose": "the doses you took",
        "red_flag": "anything urgent you report (a seizure, thoughts of suicide), and notes",
        "co_use": "alcohol and opioids",
        "medicine_condition": "the medicines and health conditions in your profile",
    }
)

#: The parts a quick check-in does not ask, in plain words.
QUICK_LEAVES_OUT: Final = (
    "the symptom checklist",
    "the worst time of day",
    "the sleep diary's clock times",
    "alcohol, caffeine and opioids",
)


def is_full(checkin: CheckIn) -> bool:
    """Whether ``checkin`` has the full diary: the night's clock times and the checklist.

    >>> is_full(CheckIn(date(2027, 3, 1), None, mood=5, anxiety=5))
    False
    """
    return checkin.sleep is not None and checkin.symptoms_rated


def _days(n: int) -> str:
    return "tomorrow" if n == 1 else f"in {n} days"


def what_to_ask(
    day: date,
    cut_dates: Iterable[date],
    last_full: date | None,
    rules: AskRules = AskRules(),
) -> Asking:
    """Whether ``day``'s check-in should be the full one (``last_full``: the last full day).

    >>> what_to_ask(date(2027, 3, 15), [date(2027, 3, 10)], last_full=date(2027, 3, 14))
    Asking(full=True, reason='your dose changed 5 days ago: the full check-in helps see how it goes')
    >>> what_to_ask(date(2027, 3, 30), [date(2027, 3, 10)], last_full=date(2027, 3, 22)).reason
    'it is a week since your last full check-in'
    """  # noqa: E501 -- a doctest line reads better whole
    for cut in sorted(cut_dates):
        before = (cut - day).days
        if 0 < before <= rules.before_cut_days:
            return Asking(
                full=True,
                reason=f"your next dose change is {_days(before)}: the full check-in helps"
                " see how it goes",
            )
        if before == 0:
            return Asking(full=True, reason="your dose changes today: the full check-in helps")
        if 0 < -before <= rules.after_cut_days:
            ago = -before
            when = "yesterday" if ago == 1 else f"{ago} days ago"
            return Asking(
                full=True,
                reason=f"your dose changed {when}: the full check-in helps see how it goes",
            )
    if last_full is None:
        return Asking(full=True, reason="a first full check-in is your starting point")
    if (day - last_full).days >= rules.full_every_days:
        return Asking(full=True, reason="it is a week since your last full check-in")
    return Asking(full=False, reason="a quick check-in is enough today")
