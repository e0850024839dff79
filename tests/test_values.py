"""The typed values people write as text, read by one set of rules everywhere.

:mod:`taperline.core.values` holds the rules; every interface that takes a clock time, a
date, a date-time or a duration wraps them in its own error. These tests check the rules
(round trips, edge cases, messages) and that every wrapper accepts and refuses the same
texts and reads the same value from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import click
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from taperline.adapters import csvio, fhir, ics
from taperline.cli import params
from taperline.core import journal, values
from taperline.core.values import parse_clock
from taperline.errors import InputError, ValueFormatError
from taperline.web import forms
from taperline.zones import check_zone
from tests.strategies import calendar_dates, minute_times, surrounding_space, value_like_texts

WAKE = date(2027, 1, 5)
TODAY = date(2027, 3, 1)
#: What a wrapper gave: the value read, or None for a refusal (with its message).
Outcome = tuple[Any, str | None]


def _outcome(read: Callable[[str], Any], text: str) -> Outcome:
    """What ``read`` makes of ``text``: (value, None), or (None, message) when refused."""
    try:
        return read(text), None
    except (InputError, click.BadParameter, csvio._CellError) as error:
        return None, str(error)


def _refusal(parse: Callable[[str], Any], text: str) -> ValueFormatError | None:
    """The shared parser's refusal of ``text`` (None when it reads it)."""
    try:
        parse(text)
    except ValueFormatError as error:
        return error
    return None


@dataclass(frozen=True)
class _Res:
    """A stand-in for a FHIR resource being read: only names the place of a problem."""

    label: str = "Bundle"

    def fail(self, where: str, problem: str) -> InputError:
        return InputError(f"{self.label}: {where} {problem}")


# --- the wrappers, each giving the value the shared parser gives ------------------------------


def _cli(kind: click.ParamType[Any, Any]) -> Callable[[str], Any]:
    return lambda text: kind.convert(text, None, None)


CLOCK_READERS: dict[str, Callable[[str], time]] = {
    "cli --at": _cli(params.CLOCK),
    "web form": lambda text: forms.parse_clock("time", text),
    "plan dose time": lambda text: _hours_to_time(_plan_clock(text)),
    "csv cell": csvio._clock,
    "check-in night": lambda text: journal._clock("bed", text),
    "calendar check-in": lambda text: ics._clock("checkin_clock", text),
    "json api": lambda text: parse_clock(_api("planned_time", text)),
}
DATE_READERS: dict[str, Callable[[str], date]] = {
    "cli --date": _cli(params.DATE),
    "web form": lambda text: forms.parse_day("date", text),
    "plan hold": lambda text: _plan_date(text, None),
    "plan start": lambda text: _plan_date(text, TODAY),
    "csv cell": csvio._date,
    "fhir": lambda text: fhir._date(_Res(), "day", text),  # type: ignore[arg-type]
    "json api": lambda text: _api("date", text),
}
DATETIME_READERS: dict[str, Callable[[str], datetime]] = {
    "cli --missed": _cli(params.DATETIME),
    "csv taken_at": csvio._local_datetime,
    "json api": lambda text: _api("taken_at", text),
}


#: Readers that also keep a date within 1900-2999 (the web form and the API; a typo guard).
RANGED = frozenset({"web form", "json api"})


def _api(field: str, text: str) -> Any:
    """What the JSON API's dose body reads from ``text`` in ``field`` (refused: InputError)."""
    from pydantic import ValidationError

    from taperline.web.api_models import DoseIn

    body: dict[str, Any] = {"date": "2027-01-05", "planned_time": "22:00", "amount_mg": 1}
    body["taken_at"] = "2027-01-05T22:00"
    body[field] = text
    try:
        dose = DoseIn.model_validate(body)
    except ValidationError as error:
        raise InputError(f"{field}: {error.errors()[0]['msg']}") from None
    return getattr(dose, field)


def _plan_clock(text: str) -> float:
    from taperline.plan_input import _clock_h

    return _clock_h(text, "dose 1 time")


def _hours_to_time(hours: float) -> time:
    minutes = round(hours * 60)
    return time(minutes // 60, minutes % 60)


def _plan_date(text: str, today: date | None) -> date:
    from taperline.plan_input import _date

    return _date(text, "start", today=today)


def _words(text: str) -> bool:
    return text.strip().lower() in values.DAY_WORDS


# --- round trips ------------------------------------------------------------------------------


@given(minute_times, surrounding_space, surrounding_space)
def test_a_written_clock_time_reads_back(clock: time, before: str, after: str) -> None:
    assert values.parse_clock(before + values.format_clock(clock) + after) == clock
    assert values.parse_clock(f"{clock.hour}:{clock.minute:02d}") == clock
    assert values.is_clock_text(values.format_clock(clock))


@given(calendar_dates, surrounding_space)
def test_a_written_date_reads_back(day: date, space: str) -> None:
    assert values.parse_date(space + day.isoformat() + space) == day
    assert values.parse_day(day.isoformat(), ("today", "yesterday")) == day


@given(
    st.datetimes(),
    st.sampled_from(["T", " "]),
)
def test_a_written_local_datetime_reads_back(moment: datetime, sep: str) -> None:
    assert values.parse_local_datetime(moment.isoformat(sep)) == moment
    assert values.parse_local_datetime(moment.isoformat(sep, "minutes")) == moment.replace(
        second=0, microsecond=0
    )


@given(st.integers(0, 10**6), st.sampled_from(["", " "]))
def test_written_durations_read_back(number: int, space: str) -> None:
    assert values.parse_days(f"{number}{space}d") == number
    assert values.parse_days(f"{number}{space}weeks") == 7 * number
    assert values.parse_days(str(number)) == number
    assert values.parse_months(f"{number}{space}y") == 12 * number
    if number:
        assert values.parse_hours(f"{number}{space}h") == number
        assert values.parse_hours(f"{number}{space}min") == pytest.approx(number / 60)


# --- every interface agrees --------------------------------------------------------------------


@given(value_like_texts | minute_times.map(values.format_clock))
@example("7:3")
@example(" 7:30 ")
@example("\uff10\uff17:30")
@example("07:30\u3000")
def test_every_clock_reader_agrees(text: str) -> None:
    _agree(values.parse_clock, CLOCK_READERS, text)


@given(value_like_texts | calendar_dates.map(date.isoformat))
@example("20270104")
@example("2027-W01-1")
@example("\uff12\uff10\uff12\uff17-01-04")
@example(" Yesterday ")
def test_every_date_reader_agrees(text: str) -> None:
    words = {"cli --date", "plan start"} if _words(text) else set()  # the day words, below
    _agree(values.parse_date, {k: v for k, v in DATE_READERS.items() if k not in words}, text)


@given(value_like_texts)
@example("2027-01-10T22:00")
@example("2027-01-10 7:05:30.5")
@example("2027-01-10")
@example("2027-01-10T22")
@example("2027-01-10T22:00Z")
def test_every_datetime_reader_agrees(text: str) -> None:
    _agree(values.parse_local_datetime, DATETIME_READERS, text)


def _agree(
    parse: Callable[[str], Any], readers: dict[str, Callable[[str], Any]], text: str
) -> None:
    """Every reader gives what ``parse`` gives for ``text``, or refuses when it refuses.

    The readers in :data:`RANGED` also refuse a date outside 1900-2999.
    """
    shared = _outcome(parse, text)[0]
    for name, read in readers.items():
        value, refusal = _outcome(read, text)
        day = shared.date() if isinstance(shared, datetime) else shared
        if name in RANGED and isinstance(day, date) and not 1900 <= day.year <= 2999:
            assert refusal is not None, (name, text)
            continue
        assert (value is None) == (shared is None), (name, text, refusal)
        assert value == shared, (name, text)


@given(value_like_texts)
@example("90min")
@example("1.5 Days")
@example("0h")
@example("\uff11\uff14d")
@example("9" * 40 + "h")
def test_every_duration_reader_agrees(text: str) -> None:
    from taperline.plan_input import parse_days, parse_months

    assert _outcome(_cli(params.DURATION), text)[0] == _outcome(values.parse_hours, text)[0]
    days = _outcome(values.parse_days, text)[0]
    in_range = days if days is not None and 0 <= days <= 365 else None
    assert _outcome(lambda t: parse_days(t, "every", allow_zero=True), text)[0] == in_range
    assert _outcome(parse_months, text)[0] == _outcome(values.parse_months, text)[0]


@given(st.sampled_from(["today", "Yesterday", " TODAY ", "tomorrow", "soon"]))
def test_day_words_are_resolved_by_one_function(text: str) -> None:
    cli = _outcome(_cli(params.DATE), text)[0]
    plan = _outcome(lambda t: _plan_date(t, TODAY), text)[0]
    word = text.strip().lower()
    offset = values.DAY_WORDS.get(word)
    assert cli == (values.RelativeDay(offset) if word in params.DAY_WORDS else None)
    in_plan = offset is not None and word in {"today", "tomorrow"}
    assert plan == (TODAY + timedelta(days=offset or 0) if in_plan else None)
    if cli is not None:
        assert params.resolve_day(cli, TODAY) == values.resolve_day(cli, TODAY)


# --- refusals name the text and the form --------------------------------------------------------


@given(value_like_texts.filter(lambda text: len(text) <= values.SHOWN_CHARS))
def test_refusals_name_the_text(text: str) -> None:
    parsers: dict[str, Callable[[str], Any]] = {
        "a 24-hour clock time such as 22:00": values.parse_clock,
        "a date such as 2027-01-04": values.parse_date,
        "2027-01-10T22:00": values.parse_local_datetime,
        "such as 14d, 2w, 36h or 90min": values.parse_hours,
        "a number of days such as 14d or 2w": values.parse_days,
        "6m, 2y or 8w": values.parse_months,
    }
    wrapped: list[Callable[[str], Any]] = [
        *(read for name, read in CLOCK_READERS.items() if name != "csv cell"),
        *(read for name, read in DATE_READERS.items() if name != "csv cell"),
        _cli(params.DATETIME),
        _cli(params.DURATION),
    ]
    for form, parse in parsers.items():
        error = _refusal(parse, text)
        if error is not None:
            assert repr(text) in str(error)
            assert form in str(error) or "more than zero" in str(error)
    for read in wrapped:
        message = _outcome(read, text)[1]
        if message is not None:
            assert repr(text) in message, (read, text, message)


def test_a_long_text_is_shown_cut() -> None:
    with pytest.raises(ValueFormatError) as refused:
        values.parse_clock("1" * 100)
    assert "'" + "1" * values.SHOWN_CHARS + "…'" in str(refused.value)


# --- the rules, case by case --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00", time(22, 0)),
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("  7:30\t", time(7, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("7:3", None),  # minutes are two digits
        ("24:00", None),  # the day has hours 0-23
        ("12:60", None),
        ("7:30 pm", None),  # 24-hour only
        ("7:30pm", None),
        ("0730", None),
        ("07:30:00", None),
        ("007:30", None),
        ("\uff10\uff17:\uff13\uff10", None),  # full-width digits
        ("\u0660\u0667:30", None),  # Arabic-Indic digits
        ("+7:30", None),
        ("", None),
        (" ", None),
    ],
)
def test_clock_rule(text: str, expected: time | None) -> None:
    assert _outcome(values.parse_clock, text)[0] == expected
    for name, read in CLOCK_READERS.items():
        assert _outcome(read, text)[0] == expected, name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-01-04", date(2027, 1, 4)),
        (" 2028-02-29 ", date(2028, 2, 29)),
        ("2027-02-29", None),
        ("2027-13-01", None),
        ("0000-01-01", None),
        ("20270104", None),  # fromisoformat's basic form: refused
        ("2027-W01-1", None),  # ISO week dates: refused
        ("2027-1-4", None),
        ("04/01/2027", None),
        ("2027-01-04T00:00", None),
        ("\uff12\uff10\uff12\uff17-\uff10\uff11-\uff10\uff14", None),
    ],
)
def test_date_rule(text: str, expected: date | None) -> None:
    assert _outcome(values.parse_date, text)[0] == expected
    for name, read in DATE_READERS.items():
        assert _outcome(read, text)[0] == expected, name


def test_day_words_per_interface() -> None:
    assert params.DATE.convert(" Yesterday ", None, None) == values.RelativeDay(-1)
    assert params.resolve_day(params.DATE.convert("today", None, None), TODAY) == TODAY
    assert _plan_date(" Tomorrow ", TODAY) == date(2027, 3, 2)
    with pytest.raises(click.BadParameter, match="today or yesterday"):
        params.DATE.convert("tomorrow", None, None)
    refused = _outcome(lambda t: _plan_date(t, TODAY), "yesterday")[1]
    assert refused == "start: 'yesterday' is not a date such as 2027-01-04, today or tomorrow"
    # a hold's date takes no words
    assert _outcome(lambda t: _plan_date(t, None), "today")[1] == (
        "start: 'today' is not a date such as 2027-01-04"
    )


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("90min", 1.5),
        ("90 minutes", 1.5),
        ("36h", 36.0),
        ("1.5 Days", 36.0),
        ("2w", 336.0),
        ("14", None),  # a duration in hours needs its unit
        ("0h", None),
        ("-3h", None),
        ("3 hrs", None),
        ("1e3h", None),
        ("9" * 40 + "h", None),
        ("\uff11\uff14d", None),
    ],
)
def test_hours_rule(text: str, hours: float | None) -> None:
    assert _outcome(values.parse_hours, text)[0] == hours
    assert _outcome(_cli(params.DURATION), text)[0] == hours


@pytest.mark.parametrize(
    ("text", "days"),
    [("14", 14), ("14d", 14), (" 2 Weeks ", 14), ("0d", 0), ("1.5d", None), ("36h", None)],
)
def test_days_rule(text: str, days: int | None) -> None:
    assert _outcome(values.parse_days, text)[0] == days


def test_months_rule() -> None:
    assert values.parse_months("6m") == Decimal(6)
    assert values.parse_months("8 weeks") == Decimal(8) * Decimal(12) / Decimal(52)
    with pytest.raises(ValueFormatError, match="'6 mins' is not a length of time"):
        values.parse_months("6 mins")


def test_local_datetime_with_a_zone_is_refused_everywhere() -> None:
    for read in DATETIME_READERS.values():
        assert "has a time zone" in (_outcome(read, "2027-01-10T22:00+01:00")[1] or "")


def test_zone_refusal_is_a_value_format_error() -> None:
    with pytest.raises(ValueFormatError, match="'Europe' is a region"):
        check_zone("Europe")


def test_messages_as_each_interface_words_them() -> None:
    assert _outcome(lambda t: forms.parse_clock("time 1", t), "7:3")[1] == (
        "time 1: '7:3' is not a 24-hour clock time such as 22:00"
    )
    assert _outcome(_cli(params.CLOCK), "7:3")[1] == (
        "'7:3' is not a 24-hour clock time such as 22:00"
    )
    assert _outcome(lambda t: journal._clock("tried", t), "7:3")[1] == (
        "tried must be a clock time HH:MM (24-hour, such as 22:00), got '7:3'"
    )
    assert _outcome(lambda t: ics._clock("checkin_clock", t), "7:3")[1] == (
        "checkin_clock: '7:3' is not a 24-hour clock time such as 22:00"
    )
    result = csvio.read_journal_csv(
        "wake_date,bed_clock,tried_clock,final_wake_clock,out_of_bed_clock,mood_0_10,anxiety_0_10\n"
        "2027-01-05,7:3,23:00,06:30,06:45,5,5\n"
    )
    assert not result.rows
    assert "bed_clock: '7:3' is not a 24-hour clock time HH:MM" in str(result.errors)
