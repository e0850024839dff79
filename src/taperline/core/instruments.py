"""Scoring of the weekly PHQ-9 and GAD-7 questionnaires with their severity bands.

Both are free to use [KROENKE-2001]: no permission is needed to reproduce, translate,
display or distribute them. Items are identified by their number (1-9 or 1-7), each answered
0-3; :data:`PHQ9_ITEMS` and :data:`GAD7_ITEMS` hold the item wording for the interfaces.

* PHQ-9: total 0-27; bands 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe,
  20-27 severe. Item 9 above 0 calls for an urgent safety message and a clinician flag.
* GAD-7: total 0-21; bands 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.

>>> s = score_phq9([1, 1, 1, 1, 1, 1, 1, 1, 0])
>>> s.total, s.band, s.item9_positive
(8, 'mild', False)
>>> score_gad7([3, 3, 3, 3, 3, 0, 0]).band
'severe'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final, Literal

from taperline.errors import InstrumentError

__all__ = [
    "ANSWERS",
    "GAD7_BANDS",
    "GAD7_ITEMS",
    "PHQ9_BANDS",
    "PHQ9_ITEMS",
    "STEM",
    "Instrument",
    "InstrumentScore",
    "replacing",
    "retake_replaces",
    "score_gad7",
    "score_phq9",
    "validate_dated",
]

Instrument = Literal["PHQ-9", "GAD-7"]

#: (lowest total, band) in ascending order [KROENKE-2001].
PHQ9_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "moderately severe"),
    (20, "severe"),
)
#: (lowest total, band) in ascending order [KROENKE-2001: GAD-7, Spitzer 2006].
GAD7_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "minimal"),
    (5, "mild"),
    (10, "moderate"),
    (15, "severe"),
)
#: The stem and the answers shared by both questionnaires [KROENKE-2001].
STEM: Final = "Over the last 2 weeks, how often have you been bothered by the following?"
ANSWERS: Final[tuple[str, ...]] = (
    "Not at all",
    "Several days",
    "More than half the days",
    "Nearly every day",
)
#: PHQ-9 items 1-9 [KROENKE-2001].
PHQ9_ITEMS: Final[tuple[str, ...]] = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your"
    " family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed, or the opposite:"
    " being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)
#: GAD-7 items 1-7 [KROENKE-2001: Spitzer 2006].
GAD7_ITEMS: Final[tuple[str, ...]] = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
_ITEM_COUNT: Final[dict[Instrument, int]] = {"PHQ-9": 9, "GAD-7": 7}
_ITEM_MAX: Final = 3
_PHQ9_SAFETY_ITEM: Final = 9  # item 9 > 0 -> urgent message and clinician flag


@dataclass(frozen=True, slots=True)
class InstrumentScore:
    """A scored questionnaire: answers by item number (index 0 is item 1), total and band.

    ``replaced``: the answers of the same day's questionnaires this one replaced, oldest first
    (a PHQ-9 retaken with a higher item 9: :func:`retake_replaces`), kept so nothing the
    person said is lost; :attr:`replaced_scores` scores them.
    """

    instrument: Instrument
    items: tuple[int, ...]
    total: int
    band: str
    taken_on: date | None = None
    replaced: tuple[tuple[int, ...], ...] = ()

    @property
    def item9_positive(self) -> bool:
        """PHQ-9 item 9 answered above 0 (always False for GAD-7)."""
        return self.instrument == "PHQ-9" and self.items[_PHQ9_SAFETY_ITEM - 1] > 0

    @property
    def replaced_scores(self) -> tuple[InstrumentScore, ...]:
        """The questionnaires this one replaced, scored (the same day), oldest first."""
        scorer = score_phq9 if self.instrument == "PHQ-9" else score_gad7
        return tuple(scorer(items, self.taken_on) for items in self.replaced)


def validate_dated(score: InstrumentScore, today: date) -> InstrumentScore:
    """Refuse a questionnaire with no date or one after ``today`` (the caller's clock).

    A score's day dates what it tells (PHQ-9 item 9's flag), so every door that stores one
    asks for it and never takes a day not lived yet.

    >>> validate_dated(score_phq9([0] * 9, date(2027, 1, 6)), date(2027, 1, 5))
    Traceback (most recent call last):
    ...
    taperline.errors.InstrumentError: the PHQ-9 dated 2027-01-06 is in the future (today is \
2027-01-05)
    >>> validate_dated(score_gad7([0] * 7), date(2027, 1, 5))
    Traceback (most recent call last):
    ...
    taperline.errors.InstrumentError: the GAD-7 has no date: give the day it was taken
    """
    if score.taken_on is None:
        raise InstrumentError(f"the {score.instrument} has no date: give the day it was taken")
    if score.taken_on > today:
        raise InstrumentError(
            f"the {score.instrument} dated {score.taken_on.isoformat()} is in the future"
            f" (today is {today.isoformat()})"
        )
    return score


def replacing(stored: InstrumentScore, retake: InstrumentScore) -> InstrumentScore:
    """``retake`` as the day's questionnaire, keeping the answers of ``stored`` it replaces.

    >>> first = score_phq9([3] * 8 + [0])
    >>> kept = replacing(first, score_phq9([0] * 8 + [1]))
    >>> kept.total, [s.total for s in kept.replaced_scores]
    (1, [24])
    """
    return replace(retake, replaced=(*stored.replaced, stored.items))


def retake_replaces(stored: InstrumentScore, retake: InstrumentScore) -> bool:
    """Whether ``retake``, the same questionnaire taken again the same day, replaces ``stored``.

    One of each is kept a day, and a retake is refused, except a PHQ-9 whose answer to item 9
    is higher than the stored one's: thoughts of death or self-harm told later that day must
    reach the clinician (the urgent flag), so those answers are the day's. A lower or equal
    answer never replaces (a later 0 never hides a positive one).

    >>> zero, two = score_phq9([0] * 9), score_phq9([0] * 8 + [2])
    >>> retake_replaces(zero, two), retake_replaces(two, zero), retake_replaces(two, two)
    (True, False, False)
    >>> retake_replaces(score_gad7([0] * 7), score_gad7([3] * 7))
    False
    """
    if stored.instrument != retake.instrument or stored.instrument != "PHQ-9":
        return False
    item = _PHQ9_SAFETY_ITEM - 1
    return retake.items[item] > stored.items[item]


def _band(total: int, bands: Sequence[tuple[int, str]]) -> str:
    return [name for lowest, name in bands if total >= lowest][-1]


def _validate(instrument: Instrument, items: Sequence[int]) -> tuple[int, ...]:
    count = _ITEM_COUNT[instrument]
    if len(items) != count:
        raise InstrumentError(f"{instrument} has {count} items; {len(items)} answers given")
    for number, answer in enumerate(items, start=1):
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= _ITEM_MAX:
            raise InstrumentError(f"{instrument} item {number} must be 0-3, got {answer!r}")
    return tuple(items)


def score_phq9(items: Sequence[int], taken_on: date | None = None) -> InstrumentScore:
    """Score the PHQ-9: nine answers 0-3, total 0-27, band [KROENKE-2001].

    >>> score_phq9([3] * 9).band
    'severe'
    >>> score_phq9([0] * 8 + [1]).item9_positive
    True
    >>> score_phq9([0] * 8 + [4])
    Traceback (most recent call last):
    ...
    taperline.errors.InstrumentError: PHQ-9 item 9 must be 0-3, got 4
    """
    answers = _validate("PHQ-9", items)
    total = sum(answers)
    return InstrumentScore("PHQ-9", answers, total, _band(total, PHQ9_BANDS), taken_on)


def score_gad7(items: Sequence[int], taken_on: date | None = None) -> InstrumentScore:
    """Score the GAD-7: seven answers 0-3, total 0-21, band [KROENKE-2001: Spitzer 2006].

    >>> s = score_gad7([2, 2, 1, 1, 1, 1, 1])
    >>> s.total, s.band
    (9, 'mild')
    """
    answers = _validate("GAD-7", items)
    total = sum(answers)
    return InstrumentScore("GAD-7", answers, total, _band(total, GAD7_BANDS), taken_on)
