"""One review works the held days out and compares with them (issue 18).

While the readiness check holds a cut, the patient's doses are compared with the dose before
it on the held days, which the check works out from the review's findings. ``review_as_of``
once reviewed twice (without held days, for the check, and with them); ``review`` now takes
the held days as a function of the findings the check reads and finds nothing twice: every
result must be the one the two reviews from scratch give.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from taperline.catalogue_data import load_catalogue
from taperline.core.findings import Finding
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.readiness import held_days
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
)
from taperline.core.review import Review, review
from taperline.service.store import plan_decisions, review_as_of
from tests.strategies import person_records, wake_dates, wall_clock

CATALOGUE = load_catalogue()
FIRST = date(2027, 1, 1)
DAYS = 120


def _year_like(seed: int = 1) -> PersonRecord:
    """120 days of nights, symptoms and a 1 mg dose each evening, on a plan cutting every
    14 days from day 30: every finding the dashboard shows has days to read."""
    rng = random.Random(seed)  # noqa: S311 -- a test's journal, not a secret
    checkins, doses = [], []
    for n in range(DAYS):
        day = FIRST + timedelta(days=n)
        wake = f"0{rng.choice([5, 6, 7])}:{rng.randrange(60):02d}"
        night = SleepDiary(*night_times(day, "23:00", "23:10", wake, wake), 30, 10, 1)
        symptoms = {"insomnia": rng.randrange(4), "anxiety": rng.randrange(4)}
        checkins.append(
            CheckIn(
                day, night, mood=rng.randrange(2, 9), anxiety=rng.randrange(1, 9), symptoms=symptoms
            )
        )
        if rng.randrange(10):  # a missed dose now and then
            taken = wall_clock(day.year, day.month, day.day, 22, rng.randrange(60))
            doses.append(DoseRecord(day, "clonazepam", "22:00", None, taken, Mass.of_mg(1)))
    offsets_mg = [(0, "1"), (30, "0.875"), (44, "0.75"), (58, "0.625"), (72, "0.5"), (86, "0.375")]
    steps = tuple(
        RecordStep(FIRST + timedelta(days=n), (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),))
        for n, mg in offsets_mg
    )
    at = datetime(2026, 12, 1, tzinfo=UTC)
    plan = PlanVersion(1, "active", "clonazepam", "percent", steps, "Dr A", at, "", "Dr A", at)
    return PersonRecord(Profile("UTC"), checkins=tuple(checkins), doses=tuple(doses), plans=(plan,))


def _twice(record: PersonRecord, today: date, held: tuple[date, date]) -> tuple[Review, Review]:
    """The review given ``held`` by a function of the findings, and given it as days."""
    again = review(record, today, catalogue=CATALOGUE, held_days=lambda _findings: (held,))
    return again, review(record, today, catalogue=CATALOGUE, held_days=(held,))


def test_every_day_of_a_long_record_held_or_not_gives_the_review_from_scratch() -> None:
    record = _year_like()
    for today in (FIRST + timedelta(days=n) for n in range(20, DAYS, 7)):
        for first, last in (
            (today - timedelta(days=9), today),
            (FIRST, FIRST + timedelta(60)),
            (FIRST + timedelta(30), FIRST + timedelta(60)),
        ):
            again, scratch = _twice(record, today, (first, last))
            assert again == scratch, today
    # the record has what the dashboard shows, held days change it
    today = FIRST + timedelta(days=DAYS - 1)
    kinds = {f.kind for f in review(record, today, catalogue=CATALOGUE).findings}
    assert {"large_dose", "escalation"} <= kinds
    assert review(record, today).baseline is not None  # flares, stable, waves are read
    held = review(record, today, catalogue=CATALOGUE, held_days=((FIRST + timedelta(30), today),))
    assert held != review(record, today, catalogue=CATALOGUE)


@given(person_records, wake_dates, wake_dates, st.integers(0, 20))
def test_any_record_gives_the_review_from_scratch(
    record: PersonRecord, today: date, first: date, days: int
) -> None:
    again, scratch = _twice(record, today, (first, first + timedelta(days=days)))
    assert again == scratch


def test_review_as_of_holds_what_two_reviews_from_scratch_give() -> None:
    """The service's two reviews give what two from scratch give, a cut held or not."""
    record = _year_like()
    for today in (FIRST + timedelta(days=n) for n in (40, 60, 73, 90, DAYS - 1)):
        scratch = review(record, today, catalogue=CATALOGUE)
        held = held_days(record, today, scratch, plan_decisions(record))
        expected = review(record, today, catalogue=CATALOGUE, held_days=held) if held else scratch
        assert review_as_of(record, today) == expected


_READ_BY_THE_CHECK = frozenset({"red_flag", "flare", "escalation", "interdose"})


def _from_scratch(record: PersonRecord, today: date) -> tuple[Review, Review]:
    """A review without held days, and the one with the days worked out from it."""
    scratch = review(record, today, catalogue=CATALOGUE)
    held = held_days(record, today, scratch, plan_decisions(record))
    return scratch, review(record, today, catalogue=CATALOGUE, held_days=held)


def _asked(record: PersonRecord, today: date) -> tuple[Review, list[tuple[Finding, ...]]]:
    """A review given a function of the held days, and what that function was given."""
    given: list[tuple[Finding, ...]] = []

    def worked_out(findings: tuple[Finding, ...]) -> tuple[tuple[date, date], ...]:
        given.append(findings)
        return held_days(record, today, findings, plan_decisions(record))

    return review(record, today, catalogue=CATALOGUE, held_days=worked_out), given


def _check_one_review(record: PersonRecord, today: date) -> None:
    scratch, expected = _from_scratch(record, today)
    once, given = _asked(record, today)
    assert once == expected
    (findings,) = given  # asked once
    # the kinds the readiness check reads, as the review without held days lists them
    read = [f for f in findings if f.kind in _READ_BY_THE_CHECK]
    assert read == [f for f in scratch.findings if f.kind in _READ_BY_THE_CHECK]
    assert not {f.kind for f in findings} & {"large_dose", "stable"}


def test_held_days_worked_out_in_one_review_give_the_two_reviews_from_scratch() -> None:
    """``review(held_days=<function>)``: what a review, the held days and a second review give.

    On a long record, a cut held or not, each week of it; the function is given the
    findings the readiness check reads, once, and never a large dose or a stable week.
    """
    record = _year_like()
    held_on = 0
    for today in (FIRST + timedelta(days=n) for n in range(20, DAYS, 3)):
        _check_one_review(record, today)
        held_on += bool(held_days(record, today, review(record, today, catalogue=CATALOGUE)))
    assert held_on  # some of those days a cut was held


@given(person_records, wake_dates)
def test_any_record_held_days_worked_out_in_one_review(record: PersonRecord, today: date) -> None:
    _check_one_review(record, today)
