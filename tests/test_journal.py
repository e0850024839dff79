"""Check-in types: night times across midnight, validation naming the field, future dates."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given

from taperline.core.journal import (
    SYMPTOMS,
    CheckIn,
    SleepDiary,
    TakenDose,
    night_times,
    validate_not_future,
)
from taperline.core.quantity import Mass
from taperline.errors import CheckInError, InputError
from tests.strategies import checkins, sleep_diaries, wall_clock

WAKE = date(2027, 1, 5)


def _diary(**changes: object) -> SleepDiary:
    values: dict[str, object] = dict(
        zip(("bed", "tried", "final_wake", "out_of_bed"), night_times(WAKE), strict=True)
    )
    values.update(sol_min=20, waso_min=30, awakenings=2, quality=3)
    values.update(changes)
    return SleepDiary(**values)  # type: ignore[arg-type]


def test_symptom_checklist_holds_the_issue_names() -> None:
    assert len(SYMPTOMS) == 16
    assert {"insomnia", "tinnitus", "feeling unreal", "muscle pain or stiffness"} <= set(SYMPTOMS)


def test_night_times_cross_midnight() -> None:
    times = night_times(WAKE, bed="23:50", tried="00:10", final_wake="06:30", out_of_bed="07:00")
    assert times.bed == wall_clock(2027, 1, 4, 23, 50)
    assert times.tried == wall_clock(2027, 1, 5, 0, 10)
    assert times.out_of_bed == wall_clock(2027, 1, 5, 7, 0)


@pytest.mark.parametrize(
    ("clocks", "expected"),
    [
        # someone who works nights: asleep from 08:00 to 15:00 on the day they log
        (("08:00", "08:15", "15:00", "15:20"), ((5, 8, 0), (5, 8, 15), (5, 15, 0), (5, 15, 20))),
        # a late riser: up after noon (was read as the day before, and refused)
        (
            ("23:30", "23:45", "12:30", "12:45"),
            ((4, 23, 30), (4, 23, 45), (5, 12, 30), (5, 12, 45)),
        ),
        # an evening sleeper: to bed at 16:00, up before midnight
        (("16:00", "16:10", "23:30", "23:40"), ((5, 16, 0), (5, 16, 10), (5, 23, 30), (5, 23, 40))),
        # asleep from late morning to evening: 11:00 to 19:00
        (("11:00", "11:20", "19:00", "19:05"), ((5, 11, 0), (5, 11, 20), (5, 19, 0), (5, 19, 5))),
    ],
)
def test_a_night_slept_by_day_ends_on_its_wake_date(
    clocks: tuple[str, str, str, str], expected: tuple[tuple[int, int, int], ...]
) -> None:
    times = night_times(WAKE, *clocks)
    assert times == tuple(wall_clock(2027, 1, d, h, m) for d, h, m in expected)
    diary = SleepDiary(*times, sol_min=15, waso_min=0, awakenings=0)
    assert diary.final_wake.date() == WAKE


def test_a_bed_time_typed_after_trying_is_still_refused_not_moved_a_day() -> None:
    # before noon, the usual night: 'bed 07:00' with 'tried 23:20' is a slip to correct,
    # never a night of 23 h 45 min in bed
    times = night_times(WAKE, bed="07:00", tried="23:20", final_wake="06:30", out_of_bed="06:45")
    with pytest.raises(CheckInError, match=r"tried \(23:20\) is before bed \(07:00\)"):
        _diary(**times._asdict())


def test_night_times_refuses_bad_clock() -> None:
    with pytest.raises(CheckInError, match="tried must be a clock time"):
        night_times(WAKE, tried="25:00")


def test_out_of_bed_before_final_wake_is_refused_naming_both() -> None:
    times = night_times(WAKE, final_wake="07:10", out_of_bed="06:45")
    with pytest.raises(CheckInError, match=r"out_of_bed \(06:45\) is before final_wake \(07:10\)"):
        _diary(final_wake=times.final_wake, out_of_bed=times.out_of_bed)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sol_min", -5, "sol_min must be a whole number 0-720"),
        ("sol_min", 721, "sol_min must be a whole number 0-720"),
        ("waso_min", -1, "waso_min must be"),
        ("awakenings", 51, "awakenings must be"),
        ("quality", 0, "quality must be"),
        ("sol_min", 420, "negative sleep"),
    ],
)
def test_diary_values_out_of_range_are_refused(field: str, value: int, message: str) -> None:
    with pytest.raises(CheckInError, match=message):
        _diary(**{field: value})


def test_waso_without_awakenings_is_refused() -> None:
    with pytest.raises(CheckInError, match="awakenings"):
        _diary(awakenings=0)


def test_more_than_a_day_in_bed_is_refused() -> None:
    with pytest.raises(CheckInError, match="24 h"):
        _diary(bed=wall_clock(2027, 1, 3, 23, 0))


def test_checkin_errors_are_input_errors() -> None:
    assert issubclass(CheckInError, InputError)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mood": 11}, "mood must be a whole number 0-10"),
        ({"anxiety": -1}, "anxiety must be"),
        ({"symptoms": {"tremors": 1}}, "unknown symptom 'tremors': known are insomnia"),
        ({"symptoms": {"tremor": 4}}, "symptom 'tremor' must be a whole number 0-3"),
        ({"worst_time": "dawn"}, "worst_time 'dawn' is unknown"),
        ({"alcohol_drinks": -1}, "alcohol_drinks must be"),
        ({"events": frozenset({"faint"})}, "unknown event 'faint'"),
    ],
)
def test_checkin_values_are_checked(changes: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"mood": 5, "anxiety": 5}
    values.update(changes)
    with pytest.raises(CheckInError, match=message):
        CheckIn(WAKE, None, **values)  # type: ignore[arg-type]


def test_night_belongs_to_wake_date() -> None:
    with pytest.raises(CheckInError, match="date of waking"):
        CheckIn(date(2027, 1, 6), _diary(), mood=5, anxiety=5)


def test_doses_must_be_on_the_checkin_date_and_are_sorted() -> None:
    late = TakenDose(wall_clock(2027, 1, 5, 22, 0), Mass.of_mg("0.5"))
    early = TakenDose(wall_clock(2027, 1, 5, 8, 0), Mass.of_mg("0.25"))
    assert CheckIn(WAKE, None, mood=5, anxiety=5, doses=(late, early)).doses == (early, late)
    other_day = TakenDose(wall_clock(2027, 1, 4, 22, 0), Mass.of_mg("0.5"))
    with pytest.raises(CheckInError, match="doses"):
        CheckIn(WAKE, None, mood=5, anxiety=5, doses=(other_day,))


def test_zero_dose_is_refused() -> None:
    with pytest.raises(CheckInError, match="missed dose"):
        TakenDose(wall_clock(2027, 1, 5, 22, 0), Mass.of_mg(0))


def test_checkin_is_frozen_and_symptoms_read_only() -> None:
    ratings = {"tremor": 1}
    day = CheckIn(WAKE, None, mood=5, anxiety=5, symptoms=ratings)
    ratings["tremor"] = 3
    assert day.symptoms["tremor"] == 1
    with pytest.raises(TypeError):
        day.symptoms["tremor"] = 2  # type: ignore[index]
    assert hash(day) == hash(CheckIn(WAKE, None, mood=5, anxiety=5, symptoms={"tremor": 1}))


def test_future_dates_are_refused_only_after_today() -> None:
    day = CheckIn(WAKE, None, mood=5, anxiety=5)
    assert validate_not_future(day, WAKE) is day
    with pytest.raises(CheckInError, match="wake_date 2027-01-05 is in the future"):
        validate_not_future(day, date(2027, 1, 4))


@given(sleep_diaries())
def test_generated_diaries_are_in_order(diary: SleepDiary) -> None:
    assert diary.bed <= diary.tried <= diary.final_wake <= diary.out_of_bed


@given(checkins())
def test_generated_checkins_have_known_symptoms(day: CheckIn) -> None:
    assert set(day.symptoms) <= set(SYMPTOMS)
