"""Template filters: doses always by the ISMP rules (:func:`~taperline.core.quantity.fmt`).

>>> from decimal import Decimal
>>> dose(Mass.of_mg(Decimal("0.50"))), day(date(2027, 1, 5)), drug("clonazepam")
('0.5 mg', 'Tue 5 Jan 2027', 'clonazePAM')
"""

from __future__ import annotations

from datetime import date, datetime

import jinja2

from taperline.core.quantity import Mass, drug_label, fmt, fmt_number

__all__ = ["day", "dose", "drug", "install", "moment", "number", "short_day"]


def dose(value: Mass | None) -> str:
    """A dose by the ISMP rules ('0.5 mg', never '.5 mg' or '0.50 mg')."""
    return "" if value is None else fmt(value)


def drug(name: str | None) -> str:
    """A drug name with tall-man lettering where confusable."""
    return "" if not name else drug_label(name)


def day(value: date | None) -> str:
    """A date for reading: 'Tue 5 Jan 2027'."""
    return "" if value is None else f"{value:%a} {value.day} {value:%b %Y}"


def short_day(value: date | None) -> str:
    """A short date: '5 Jan'."""
    return "" if value is None else f"{value.day} {value:%b}"


def moment(value: datetime | None) -> str:
    """A UTC moment: '5 Jan 2027 14:03 UTC'."""
    return "" if value is None else f"{value.day} {value:%b %Y %H:%M} UTC"


def number(value: float | int | None, places: int = 0) -> str:
    """A number rounded for display (ISMP: no trailing zeros)."""
    return "" if value is None else fmt_number(round(value, places))


def install(env: jinja2.Environment) -> None:
    """Register the filters on ``env``."""
    env.filters.update(
        dose=dose, drug=drug, day=day, short_day=short_day, moment=moment, number=number
    )
