"""Template filters: doses always by the ISMP rules (:func:`~taperline.core.quantity.fmt`).

>>> from decimal import Decimal
>>> dose(Mass.of_mg(Decimal("0.50"))), day(date(2027, 1, 5)), drug("clonazepam")
('0.5 mg', 'Tue 5 Jan 2027', 'clonazePAM')
>>> short_day(date(2027, 12, 31)), moment(datetime(2027, 3, 9, 7, 5))
('31 Dec', '9 Mar 2027 07:05 UTC')
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

import jinja2

from taperline.core.quantity import Mass, drug_label, fmt, fmt_number

__all__ = ["day", "dose", "drug", "install", "moment", "number", "short_day"]


def dose(value: Mass | None) -> str:
    """A dose by the ISMP rules ('0.5 mg', never '.5 mg' or '0.50 mg')."""
    return "" if value is None else fmt(value)


def drug(name: str | None) -> str:
    """A drug name with tall-man lettering where confusable."""
    return "" if not name else drug_label(name)


# English names, whatever the server's locale (and without strftime, which is slow: a
# dashboard shows a hundred dates).
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
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


def day(value: date | None) -> str:
    """A date for reading: 'Tue 5 Jan 2027'."""
    if value is None:
        return ""
    return f"{_WEEKDAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def short_day(value: date | None) -> str:
    """A short date: '5 Jan'."""
    return "" if value is None else f"{value.day} {_MONTHS[value.month - 1]}"


def moment(value: datetime | None) -> str:
    """A UTC moment: '5 Jan 2027 14:03 UTC'."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year} {value:%H:%M} UTC"


def number(value: float | int | None, places: int = 0) -> str:
    """A number rounded for display (ISMP: no trailing zeros)."""
    return "" if value is None else fmt_number(round(value, places))


def install(env: jinja2.Environment) -> None:
    """Register the filters on ``env``."""
    env.filters.update(
        dose=dose, drug=drug, day=day, short_day=short_day, moment=moment, number=number
    )
