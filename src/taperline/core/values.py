"""The values people type as text: clock times, dates, date-times and durations, one rule each.

Every interface reads these values with the parsers here and wraps a refusal in its own
error (a CLI option's usage error, a form field's message, a CSV cell's problem), so a text is
accepted or refused, and read as the same value, everywhere. Time zones have their own
validator, :func:`taperline.zones.check_zone` (it reads the zone database, which core may not).

The rules (surrounding whitespace is ignored by all of them; digits are ASCII 0-9 only, so
full-width and other scripts' digits are refused):

* **clock time** ``H:MM`` or ``HH:MM``, 24-hour: hours 0-23 in one or two digits, minutes
  00-59 in exactly two (``7:30`` is 07:30; ``7:3``, ``24:00``, ``0730``, ``7:30 pm`` and
  ``07:30:00`` are refused);
* **date** ``YYYY-MM-DD`` exactly (``20270104`` and week dates such as ``2027-W01-1``, which
  :meth:`datetime.date.fromisoformat` takes, are refused), a real day of the calendar; some
  interfaces also take the day words of :data:`DAY_WORDS` (see :func:`parse_day`);
* **local date-time** a date, ``T`` or one space, a clock time and optionally ``:SS`` and up
  to six decimals; with a time zone (``Z``, ``+01:00``) it is refused: the person's zone
  places it;
* **durations** a number, then a unit (spaces between them allowed, any letter case):
  :func:`parse_hours` (``90min``, ``36h``, ``14d``, ``2w``; more than zero),
  :func:`parse_days` (whole days: ``14``, ``14d``, ``2w``) and :func:`parse_months`
  (``6m``, ``2y``, ``8w``).

Each refusal is a :class:`~taperline.errors.ValueFormatError` whose message names the text
and the form expected:

>>> parse_clock(" 7:30 "), parse_date("2027-01-04"), parse_hours("90min")
(datetime.time(7, 30), datetime.date(2027, 1, 4), 1.5)
>>> parse_clock("7:3")
Traceback (most recent call last):
...
taperline.errors.ValueFormatError: '7:3' is not a 24-hour clock time such as 22:00
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from taperline.errors import ValueFormatError

__all__ = [
    "CLOCK_EXAMPLE",
    "DATE_EXAMPLE",
    "DAY_WORDS",
    "HAS_ZONE",
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "RelativeDay",
    "format_clock",
    "is_clock_text",
    "parse_clock",
    "parse_date",
    "parse_day",
    "parse_days",
    "parse_hours",
    "parse_local_datetime",
    "parse_months",
    "parse_sleep_minutes",
    "resolve_day",
    "shown",
    "written_day",
]

CLOCK_EXAMPLE: Final = "22:00"
DATE_EXAMPLE: Final = "2027-01-04"
#: The day words an interface may take for a date, and how many days after today each is.
DAY_WORDS: Final[Mapping[str, int]] = MappingProxyType({"yesterday": -1, "today": 0, "tomorrow": 1})
#: What a refusal of a date-time with a time zone says after the text.
HAS_ZONE: Final = "has a time zone"
#: How much of a refused text a message shows.
SHOWN_CHARS: Final = 40

_CLOCK: Final = r"([0-9]{1,2}):([0-9]{2})"
_CLOCK_RE: Final = re.compile(_CLOCK)
_STORED_CLOCK_RE: Final = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")  # HH:MM exactly
_DATE_RE: Final = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME_RE: Final = re.compile(
    rf"([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})[T ]{_CLOCK}(?::([0-9]{{2}})(?:\.([0-9]{{1,6}}))?)?(.*)"
)
_ZONE_RE: Final = re.compile(r"Z|[+-][0-9]{2}(?::?[0-9]{2}(?::?[0-9]{2}(?:\.[0-9]+)?)?)?")
# A number (at most 30 digits each side of the point), spaces, a unit of letters.
_AMOUNT_RE: Final = re.compile(r"([0-9]{1,30}(?:\.[0-9]{1,30})?)\s*([A-Za-z]*)")
_HOURS_PER: Final[Mapping[str, float]] = MappingProxyType(
    {
        **dict.fromkeys(("min", "minute", "minutes"), 1 / 60),
        **dict.fromkeys(("h", "hour", "hours"), 1.0),
        **dict.fromkeys(("d", "day", "days"), 24.0),
        **dict.fromkeys(("w", "week", "weeks"), 168.0),
    }
)
_DAYS_PER: Final[Mapping[str, int]] = MappingProxyType(
    {"": 1, **dict.fromkeys(("d", "day", "days"), 1), **dict.fromkeys(("w", "week", "weeks"), 7)}
)
#: English day and month names for dates as people write them ('Tue 5 Jan'), whatever the
#: machine's locale, and without strftime (slow: a dashboard shows a hundred dates).
WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTH_NAMES: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_MONTHS_PER: Final[Mapping[str, Decimal]] = MappingProxyType(
    {
        **dict.fromkeys(("m", "month", "months"), Decimal(1)),
        **dict.fromkeys(("y", "year", "years"), Decimal(12)),
        **dict.fromkeys(("w", "week", "weeks"), Decimal(12) / Decimal(52)),
    }
)


def written_day(value: date) -> str:
    """A date as people read it: 'Tue 5 Jan 2027'.

    >>> written_day(date(2027, 1, 5))
    'Tue 5 Jan 2027'
    """
    return (
        f"{WEEKDAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]} {value.year}"
    )


def shown(text: str) -> str:
    """``text`` quoted for a message (cut at :data:`SHOWN_CHARS` characters)."""
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def _refuse(text: str, expected: str) -> ValueFormatError:
    return ValueFormatError(f"{shown(text)} is not {expected}")


# --- clock times --------------------------------------------------------------------------------


def parse_clock(text: str) -> time:
    """The 24-hour clock time ``H:MM`` or ``HH:MM`` in ``text``.

    >>> parse_clock("22:00"), parse_clock("0:05")
    (datetime.time(22, 0), datetime.time(0, 5))
    >>> parse_clock("24:00")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: '24:00' is not a 24-hour clock time such as 22:00
    """
    match = _CLOCK_RE.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:  # noqa: PLR2004 -- clock limits
        raise _refuse(text, f"a 24-hour clock time such as {CLOCK_EXAMPLE}")
    return time(int(match[1]), int(match[2]))


def format_clock(value: time) -> str:
    """``value`` as taperline writes and stores a clock time, ``HH:MM``.

    >>> format_clock(time(7, 30))
    '07:30'
    """
    return f"{value.hour:02d}:{value.minute:02d}"


def is_clock_text(text: str) -> bool:
    """Whether ``text`` is a clock time as stored: ``HH:MM`` exactly (two-digit hours).

    >>> is_clock_text("07:30"), is_clock_text("7:30"), is_clock_text("07:30 ")
    (True, False, False)
    """
    return _STORED_CLOCK_RE.fullmatch(text) is not None  # every stored row passes here: no parse


# --- dates --------------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """The calendar date ``YYYY-MM-DD`` in ``text``.

    >>> parse_date(" 2028-02-29 ")
    datetime.date(2028, 2, 29)
    >>> parse_date("2027-02-29")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: '2027-02-29' is not a date such as 2027-01-04
    """
    return _date(text, f"a date such as {DATE_EXAMPLE}")


def _date(text: str, expected: str) -> date:
    match = _DATE_RE.fullmatch(text.strip())
    if match is None:
        raise _refuse(text, expected)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _refuse(text, expected) from None


@dataclass(frozen=True, slots=True)
class RelativeDay:
    """A day given as a word: ``offset`` days after the person's today (-1 is yesterday).

    The interface resolves it with :func:`resolve_day` once it knows the person's today.
    """

    offset: int


def parse_day(text: str, words: Collection[str] = ()) -> date | RelativeDay:
    """A date ``YYYY-MM-DD``, or one of ``words`` (from :data:`DAY_WORDS`, any letter case).

    >>> parse_day(" Yesterday ", ("today", "yesterday"))
    RelativeDay(offset=-1)
    >>> parse_day("soon", ("today", "tomorrow"))
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: 'soon' is not a date such as 2027-01-04, today or tomorrow
    """
    word = text.strip().lower()
    if word in words and word in DAY_WORDS:
        return RelativeDay(DAY_WORDS[word])
    listed = [w for w in words if w in DAY_WORDS]
    if not listed:
        return parse_date(text)
    names = f"{', '.join(listed[:-1])} or {listed[-1]}" if len(listed) > 1 else listed[0]
    return _date(text, f"a date such as {DATE_EXAMPLE}, {names}")


def resolve_day(value: date | RelativeDay, today: date) -> date:
    """The date ``value`` stands for, given the person's ``today``.

    >>> today = date(2027, 3, 1)
    >>> resolve_day(RelativeDay(-1), today), resolve_day(date(2027, 1, 4), today)
    (datetime.date(2027, 2, 28), datetime.date(2027, 1, 4))
    """
    if isinstance(value, RelativeDay):
        return today + timedelta(days=value.offset)
    return value


# --- date-times ---------------------------------------------------------------------------------


def parse_local_datetime(text: str) -> datetime:
    """A local wall-clock date-time ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]``, without a time zone.

    >>> parse_local_datetime("2027-01-10T22:00"), parse_local_datetime("2027-01-10 7:05:30.5")
    (datetime.datetime(2027, 1, 10, 22, 0), datetime.datetime(2027, 1, 10, 7, 5, 30, 500000))
    >>> parse_local_datetime("2027-01-10T22:00+01:00")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: '2027-01-10T22:00+01:00' has a time zone: give the local \
time without one, such as 2027-01-10T22:00
    """
    expected = "a local date and time such as 2027-01-10T22:00"
    match = _DATETIME_RE.fullmatch(text.strip())
    if match is None:
        raise _refuse(text, expected)
    if match[6]:
        if _ZONE_RE.fullmatch(match[6]):
            raise ValueFormatError(
                f"{shown(text)} {HAS_ZONE}: give the local time without one, "
                "such as 2027-01-10T22:00"
            )
        raise _refuse(text, expected)
    year, month, day = (int(part) for part in match[1].split("-"))
    hours, minutes, seconds = int(match[2]), int(match[3]), int(match[4] or 0)
    try:
        return datetime(  # noqa: DTZ001 -- a local wall-clock time by design
            year, month, day, hours, minutes, seconds, int((match[5] or "").ljust(6, "0"))
        )
    except ValueError:
        raise _refuse(text, expected) from None


# --- durations ----------------------------------------------------------------------------------


def _amount(text: str, units: Mapping[str, object], expected: str) -> tuple[str, str]:
    match = _AMOUNT_RE.fullmatch(text.strip())
    if match is None or match[2].lower() not in units:
        raise _refuse(text, expected)
    return match[1], match[2].lower()


def parse_hours(text: str) -> float:
    """A duration in hours from ``90min``, ``36h``, ``14d`` or ``2w`` (more than zero).

    >>> parse_hours("36h"), parse_hours("2 weeks"), parse_hours("1.5D")
    (36.0, 336.0, 36.0)
    >>> parse_hours("0h")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: '0h': a duration must be more than zero
    """
    number, unit = _amount(text, _HOURS_PER, "a duration such as 14d, 2w, 36h or 90min")
    hours = float(number) * _HOURS_PER[unit]
    if not math.isfinite(hours):
        raise _refuse(text, "a duration such as 14d, 2w, 36h or 90min")
    if hours <= 0:
        raise ValueFormatError(f"{shown(text)}: a duration must be more than zero")
    return hours


_SLEPT_RE: Final = re.compile(
    r"(?:([0-9]{1,2})\s*h(?:ours?)?\s*(?:([0-9]{1,2})\s*(?:m|min|minutes?)?)?"
    r"|([0-9]{1,2}):([0-9]{2})"
    r"|([0-9]{1,2}(?:\.[0-9]{1,2})?)\s*h(?:ours?)?"
    r"|([0-9]{1,4})\s*(?:m|min|minutes?))",
    re.IGNORECASE,
)
_SLEPT_EXPECTED: Final = "a time asleep such as 6h30, 6:30, 6.5h or 390min (at most 24 h)"


def parse_sleep_minutes(text: str) -> int:
    """About how long someone slept, in whole minutes (0 to 24 h): ``6h30``, ``6:30``, ``6.5h``.

    >>> [parse_sleep_minutes(t) for t in ("6h30", "6 h 30 min", "6:30", "6.5h", "390min", "0h")]
    [390, 390, 390, 390, 390, 0]
    >>> parse_sleep_minutes("6h75")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: '6h75' is not a time asleep such as 6h30, 6:30, 6.5h or 390min (at most 24 h)
    """  # noqa: E501 -- a doctest line reads better whole
    match = _SLEPT_RE.fullmatch(text.strip())
    if match is None:
        raise _refuse(text, _SLEPT_EXPECTED)
    hours, minutes, clock_h, clock_m, decimal_h, only_m = match.groups()
    if hours is not None:
        total, part = int(hours) * 60, int(minutes or 0)
    elif clock_h is not None:
        total, part = int(clock_h) * 60, int(clock_m)
    elif decimal_h is not None:
        total, part = round(float(decimal_h) * 60), 0
    else:
        total, part = int(only_m), 0
    if part >= 60 or total + part > 24 * 60:  # noqa: PLR2004 -- minutes in an hour, a day
        raise _refuse(text, _SLEPT_EXPECTED)
    return total + part


def parse_days(text: str) -> int:
    """Whole days from ``14``, ``14d`` or ``2w`` (ranges are the caller's to check).

    >>> parse_days("14"), parse_days("3 weeks"), parse_days("0d")
    (14, 21, 0)
    >>> parse_days("36h")
    Traceback (most recent call last):
    ...
    taperline.errors.ValueFormatError: '36h' is not a number of days such as 14d or 2w
    """
    expected = "a number of days such as 14d or 2w"
    number, unit = _amount(text, _DAYS_PER, expected)
    if "." in number:
        raise _refuse(text, expected)
    return int(number) * _DAYS_PER[unit]


def parse_months(text: str) -> Decimal:
    """A length of time in months from ``6m``, ``2y`` or ``8w``.

    >>> parse_months("2y"), parse_months("6 months"), parse_months("1.5m")
    (Decimal('24'), Decimal('6'), Decimal('1.5'))
    """
    number, unit = _amount(text, _MONTHS_PER, "a length of time such as 6m, 2y or 8w")
    return Decimal(number) * _MONTHS_PER[unit]
