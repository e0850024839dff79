"""A dose-log line as hidden form fields and back: the undo of a removed line.

The fields carry exact values (``amount_mg`` as its decimal text, ``taken_at`` as the local
wall clock) so the line put back is the one removed; everything is checked again on the way
in, as any form is (an undo is a request like any other).
"""

from __future__ import annotations

import re
from typing import Final

from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord
from taperline.core.values import parse_clock, parse_local_datetime
from taperline.errors import InputError
from taperline.web.forms import FormInput

__all__ = ["dose_fields", "dose_from_fields"]

_MG: Final = re.compile(r"\d{1,4}(\.\d{1,6})?")


def dose_fields(dose: DoseRecord) -> dict[str, str]:
    """The hidden fields that put ``dose`` back (see :func:`dose_from_fields`)."""
    return {
        "day": dose.day.isoformat(),
        "drug": dose.drug,
        "planned_clock": dose.planned_clock or "",
        "planned_amount_mg": str(dose.planned_amount.mg) if dose.planned_amount else "",
        "taken_at": dose.taken_at.isoformat(timespec="minutes") if dose.taken_at else "",
        "amount_mg": str(dose.amount.mg) if dose.amount else "",
        "units": dose.units,
        "note": dose.note,
    }


def dose_from_fields(form: FormInput) -> DoseRecord:
    """The dose-log line the fields of :func:`dose_fields` describe (an error names the field)."""
    clock = form.text("planned_clock", max_len=5)
    taken = form.text("taken_at", max_len=20)
    return DoseRecord(
        form.day("day"),
        form.text("drug", max_len=40),
        parse_clock(clock).strftime("%H:%M") if clock else None,
        _mass(form, "planned_amount_mg"),
        parse_local_datetime(taken) if taken else None,
        _mass(form, "amount_mg"),
        form.text("units", max_len=200),
        form.text("note", max_len=2000),
    )


def _mass(form: FormInput, name: str) -> Mass | None:
    text = form.text(name, max_len=20)
    if not text:
        return None
    if not _MG.fullmatch(text):
        raise InputError(f"{name}: {text!r} is not an amount in mg")
    return Mass.of_mg(text)
