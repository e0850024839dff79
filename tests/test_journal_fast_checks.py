"""A check-in's and a night's values are checked at once in the common case (issue 18: a year
of check-ins is read for every cold dashboard); whatever is given, the outcome is the one the
checks field by field give: built when every value is a whole number in its range, else the
first wrong one named, in the order they were always checked."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.journal import MAX_DRINKS, MAX_LATENCY_MIN, CheckIn, SleepDiary, night_times
from taperline.errors import CheckInError

WAKE = date(2027, 1, 5)

#: Each checked whole number of a check-in, in the order it is checked, with its range.
CHECKIN_RANGES: tuple[tuple[str, int, int], ...] = (
    ("mood", 0, 10),
    ("anxiety", 0, 10),
    ("caffeine_drinks", 0, MAX_DRINKS),
    ("alcohol_drinks", 0, MAX_DRINKS),
)
#: A night's, in the order they are checked (a zone name's check sits between the first
#: and the others).
NIGHT_RANGES: tuple[tuple[str, int, int], ...] = (
    ("clock_shift_min", -120, 120),
    ("sol_min", 0, MAX_LATENCY_MIN),
    ("waso_min", 0, MAX_LATENCY_MIN),
    ("awakenings", 0, 50),
    ("quality", 1, 5),
)


def _value(low: int, high: int) -> st.SearchStrategy[Any]:
    """In range mostly; else just outside it, a bool, a float, text or None."""
    return st.one_of(
        st.integers(low, high),
        st.sampled_from([low - 1, high + 1, True, False, 1.0, "3", None]),
    )


def _first_wrong(values: dict[str, Any], ranges: tuple[tuple[str, int, int], ...]) -> str | None:
    for name, low, high in ranges:
        value = values[name]
        if type(value) is not int or not low <= value <= high:
            return name
    return None


@given(st.fixed_dictionaries({name: _value(low, high) for name, low, high in CHECKIN_RANGES}))
def test_a_checkin_names_the_first_wrong_whole_number(values: dict[str, Any]) -> None:
    wrong = _first_wrong(values, CHECKIN_RANGES)
    if wrong is None:
        checkin = CheckIn(WAKE, None, **values)
        assert (checkin.mood, checkin.anxiety) == (values["mood"], values["anxiety"])
        return
    with pytest.raises(CheckInError, match=f"^{wrong} must be a whole number"):
        CheckIn(WAKE, None, **values)


@given(st.fixed_dictionaries({name: _value(low, high) for name, low, high in NIGHT_RANGES}))
def test_a_night_names_the_first_wrong_whole_number(values: dict[str, Any]) -> None:
    night = night_times(WAKE, bed="22:30", tried="22:45", final_wake="06:45", out_of_bed="07:00")
    wrong = _first_wrong(values, NIGHT_RANGES)
    valid_otherwise = {"sol_min": 10, "waso_min": 0, "awakenings": 0, "quality": 3}
    if wrong is None:
        # the ranges allow sleep times the night's other checks refuse: only ranges here
        given_values = {
            **values,
            "waso_min": 0 if values["awakenings"] == 0 else values["waso_min"],
        }
        given_values["sol_min"] = min(given_values["sol_min"], 60)
        given_values["waso_min"] = min(given_values["waso_min"], 60)
        diary = SleepDiary(*night, **given_values)
        assert diary.quality == values["quality"]
        return
    with pytest.raises(CheckInError, match=f"^{wrong} must be a whole number"):
        SleepDiary(*night, **(valid_otherwise | values))


def test_a_wrong_zone_name_is_named_before_a_wrong_sleep_count() -> None:
    night = night_times(WAKE, bed="22:30", tried="22:45", final_wake="06:45", out_of_bed="07:00")
    with pytest.raises(CheckInError, match="time_zone 'Asia Kathmandu' is not"):
        SleepDiary(*night, sol_min=-1, waso_min=0, awakenings=0, time_zone="Asia Kathmandu")
    with pytest.raises(CheckInError, match=r"^clock_shift_min must be"):
        SleepDiary(
            *night,
            sol_min=-1,
            waso_min=0,
            awakenings=0,
            clock_shift_min=999,
            time_zone="Asia Kathmandu",
        )


@pytest.mark.parametrize(
    "events",
    [["fall"], ("fall",), {"fall"}, frozenset({"fall"})],
    ids=["list", "tuple", "set", "frozenset"],
)
def test_events_given_any_way_are_kept_as_a_frozen_set(events: Any) -> None:
    checkin = CheckIn(WAKE, None, mood=5, anxiety=5, events=events)
    assert checkin.events == frozenset({"fall"})
    assert type(checkin.events) is frozenset


@pytest.mark.parametrize("events", [["fall", "faint"], "fall"], ids=["list", "text"])
def test_an_unknown_event_is_named_however_the_events_are_given(events: Any) -> None:
    with pytest.raises(CheckInError, match=r"unknown event '(a|faint)'"):
        CheckIn(WAKE, None, mood=5, anxiety=5, events=events)


@pytest.mark.parametrize("doses", [[], ()], ids=["list", "tuple"])
def test_no_doses_given_any_way_is_the_empty_tuple(doses: Any) -> None:
    checkin = CheckIn(WAKE, None, mood=5, anxiety=5, doses=doses)
    assert checkin.doses == ()
    assert checkin == CheckIn(WAKE, None, mood=5, anxiety=5)


def test_a_copy_of_a_later_day_is_still_refused() -> None:
    with pytest.raises(CheckInError, match="symptoms_copied_from"):
        CheckIn(WAKE, None, mood=5, anxiety=5, symptoms_copied_from=WAKE)


def test_the_symptoms_given_are_copied_not_shared() -> None:
    given_symptoms = {"tremor": 1}
    checkin = CheckIn(WAKE, None, mood=5, anxiety=5, symptoms=given_symptoms)
    given_symptoms["tremor"] = 3
    assert checkin.symptoms == {"tremor": 1}


def _bad_values(low: int, high: int) -> list[Any]:
    return [low - 1, high + 1, True, 1.0, "3", None]


@pytest.mark.parametrize(
    ("name", "bad"),
    [(name, bad) for name, low, high in CHECKIN_RANGES for bad in _bad_values(low, high)],
)
def test_each_wrong_checkin_number_alone_is_named(name: str, bad: Any) -> None:
    with pytest.raises(CheckInError, match=rf"^{name} must be a whole number"):
        CheckIn(WAKE, None, **({"mood": 5, "anxiety": 5} | {name: bad}))


@pytest.mark.parametrize(
    ("name", "bad"),
    [(name, bad) for name, low, high in NIGHT_RANGES for bad in _bad_values(low, high)],
)
def test_each_wrong_night_number_alone_is_named(name: str, bad: Any) -> None:
    night = night_times(WAKE, bed="22:30", tried="22:45", final_wake="06:45", out_of_bed="07:00")
    values = {"sol_min": 10, "waso_min": 0, "awakenings": 0, "quality": 3}
    with pytest.raises(CheckInError, match=rf"^{name} must be a whole number"):
        SleepDiary(*night, **(values | {name: bad}))
