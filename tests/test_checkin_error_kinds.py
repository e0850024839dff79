"""A refused night names its field and what is wrong without words to parse.

The check-in form's plain words and the journal CSV's column names were found by matching the
core's English messages (regular expressions on "final_wake (18:30) would be ..."): a reworded
message would have fallen silently to the raw text. The core's :class:`CheckInError` now says
``field`` and ``kind``, and a slip is a :class:`NightSlipError` with its two ends and span;
the doors read those. Each case here is raised by the core, then read by both doors; the
doors' words are then checked again with the message replaced by nonsense.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from taperline.adapters.csvio.journal import _slip_problem
from taperline.core.journal import SleepDiary, night_times
from taperline.errors import CheckInError, LongNightError, NightSlipError
from taperline.web.checkin_form import _diary_error

WAKE = date(2027, 1, 5)


def _at(day: int, clock: str) -> datetime:
    """A naive wall-clock time in January 2027, as check-ins hold them."""
    return datetime.combine(date(2027, 1, day), time.fromisoformat(clock))


def _diary(**changes: object) -> SleepDiary:
    values: dict[str, object] = {
        "bed": _at(4, "23:10"),
        "tried": _at(4, "23:20"),
        "final_wake": _at(5, "06:30"),
        "out_of_bed": _at(5, "06:45"),
        "sol_min": 30,
        "waso_min": 40,
        "awakenings": 2,
    }
    values.update(changes)
    return SleepDiary(**values)  # type: ignore[arg-type]


def _raised(make: object) -> CheckInError:
    with pytest.raises(CheckInError) as caught:
        make()  # type: ignore[operator]
    return caught.value


# (what makes it, field, kind, the form's plain words)
CASES = [
    (
        lambda: _diary(tried=_at(4, "23:00")),
        "tried",
        "order",
        "You tried to sleep before you went to bed: check both times.",
    ),
    (
        lambda: _diary(out_of_bed=_at(5, "06:00")),
        "out_of_bed",
        "order",
        "You got up before you woke for good: check both times.",
    ),
    (
        lambda: _diary(awakenings=0),
        "awakenings",
        "no_awakenings",
        "You were awake in the night, so you woke at least once: say how many times.",
    ),
    (
        lambda: _diary(sol_min=300, waso_min=200),
        "waso_min",
        "awake_over_night",
        "The minutes to fall asleep and awake in the night add up to more than the time"
        " from trying to sleep to waking: check them.",
    ),
    (
        lambda: _diary(bed=_at(3, "23:10")),
        "out_of_bed",
        "over_24h",
        "That is more than 24 hours in bed: check the times.",
    ),
    (
        lambda: _diary(awakenings=99),
        "awakenings",
        "range",
        None,
    ),
    (
        lambda: night_times(WAKE, "23:10", "23:20", "24:00", "06:45"),
        "final_wake",
        "clock",
        "Give the time you woke up for good as a time from 00:00 to 23:59, such as 22:30.",
    ),
    (
        lambda: night_times(WAKE, "23:10", "23:20", "06:30", "19:00"),
        "out_of_bed",
        "slip",
        "Getting up at 19:00 is 12 h 30 min after waking up for good at 06:30: check the times"
        " (a.m. or p.m.?).",
    ),
    (
        lambda: night_times(WAKE, "19:30", "19:40", "12:05", "12:30"),
        "final_wake",
        "slip",
        "Waking up for good at 12:05 is 16 h 25 min after trying to sleep at 19:40: check the"
        " times (a.m. or p.m.?).",
    ),
]


@pytest.mark.parametrize(("make", "field", "kind", "words"), CASES)
def test_the_core_names_field_and_kind_and_the_form_says_it_plainly(
    make: object, field: str, kind: str, words: str | None
) -> None:
    error = _raised(make)
    assert (error.field, error.kind) == (field, kind)
    assert field in str(error)  # the message still names the field for a reader
    said = _diary_error(error)
    if words is not None:
        assert said == (field, words)
        error.args = ("the core's wording changed",)  # other words: the same plain words
        assert _diary_error(error) == (field, words)
    else:
        assert said == (field, str(error))  # a range: the core's words, against its field


def test_a_slip_carries_its_two_ends_and_the_time_that_passed() -> None:
    slip = _raised(lambda: night_times(WAKE, "23:10", "23:20", "06:30", "19:00"))
    assert isinstance(slip, NightSlipError)
    assert not isinstance(slip, LongNightError)
    assert (slip.earlier_field, slip.later, slip.earlier) == (
        "final_wake",
        _at(5, "19:00"),
        _at(5, "06:30"),
    )
    assert slip.span == timedelta(hours=12, minutes=30)
    long_night = _raised(lambda: night_times(WAKE, "19:30", "19:40", "12:05", "12:30"))
    assert isinstance(long_night, LongNightError)
    assert (long_night.field, long_night.earlier_field) == ("final_wake", "tried")
    assert (long_night.later, long_night.earlier) == (long_night.final_wake, long_night.tried)
    assert long_night.span == long_night.passed == timedelta(hours=16, minutes=25)


def test_the_csv_names_a_slip_by_its_columns_whatever_the_message() -> None:
    slip = _raised(lambda: night_times(WAKE, "23:10", "23:20", "06:30", "19:00"))
    expected = (
        "out_of_bed_clock: '19:00' is 12 h 30 min after final_wake_clock '06:30': check the"
        " times (a.m. or p.m.?)"
    )
    assert _slip_problem(slip) == expected
    slip.args = ("reworded",)
    assert _slip_problem(slip) == expected
    long_night = _raised(lambda: night_times(WAKE, "19:30", "19:40", "12:05", "12:30"))
    assert _slip_problem(long_night) == (
        "final_wake_clock: '12:05' is 16 h 25 min after tried_clock '19:40': check the times"
        " (a.m. or p.m.?); if the night really was that long, write its four clock times with"
        " their dates (tried_clock 2027-01-04T19:40)"
    )
    other = _raised(lambda: _diary(awakenings=0))
    assert _slip_problem(other) == str(other)  # not a slip: the core's words
