"""A dose-log line as hidden form fields and back: the undo of a removed line.

The fields carry exact values (``amount_mg`` as its decimal text, ``taken_at`` as the local
wall clock) so the line put back is the one removed; everything is checked again on the way
in, as any form is (an undo is a request like any other).

What the person was asked when the line was logged (``asked``: a cut that went ahead, the held
cut to stay on the dose before, or nothing known) goes back too, and the whole line is sealed
(``asked_seal``: a keyed hash of every field and the person, by the server's secret key): a
form that was changed, or had ``asked`` taken out, is refused, so an undo cannot turn a dose
above a cut that went ahead into one taken as told.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Final

from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord
from taperline.core.values import parse_clock, parse_local_datetime
from taperline.errors import InputError
from taperline.web.forms import FormInput
from taperline.web.security import seal, seal_matches

__all__ = ["dose_fields", "dose_from_fields"]

_MG: Final = re.compile(r"\d{1,4}(\.\d{1,6})?")


def dose_fields(dose: DoseRecord, *, secret_key: str, person_id: int) -> dict[str, str]:
    """The hidden fields that put ``dose`` back (see :func:`dose_from_fields`)."""
    fields = {
        "day": dose.day.isoformat(),
        "drug": dose.drug,
        "planned_clock": dose.planned_clock or "",
        "planned_amount_mg": str(dose.planned_amount.mg) if dose.planned_amount else "",
        "taken_at": dose.taken_at.isoformat(timespec="minutes") if dose.taken_at else "",
        "amount_mg": str(dose.amount.mg) if dose.amount else "",
        "units": dose.units,
        "note": dose.note,
    }
    fields["asked"] = _asked(dose)
    fields["asked_seal"] = seal(secret_key, _sealed(person_id, fields))
    return fields


def dose_from_fields(form: FormInput, *, secret_key: str, person_id: int) -> DoseRecord:
    """The dose-log line the fields of :func:`dose_fields` describe (an error names the field).

    Raises:
        InputError: a field is not valid, or the line is not the one sealed.
    """
    clock = form.text("planned_clock", max_len=5)
    taken = form.text("taken_at", max_len=20)
    record = DoseRecord(
        form.day("day"),
        form.text("drug", max_len=40),
        parse_clock(clock).strftime("%H:%M") if clock else None,
        _mass(form, "planned_amount_mg"),
        parse_local_datetime(taken) if taken else None,
        _mass(form, "amount_mg"),
        form.text("units", max_len=200),
        form.text("note", max_len=2000),
    )
    asked = form.text("asked", max_len=10)
    if asked == _AHEAD:
        record = replace(record, cut_checked=True)
    elif asked:
        record = replace(record, cut_checked=True, stay_on_before=form.day("asked"))
    fields = dose_fields(record, secret_key=secret_key, person_id=person_id)
    given = form.text("asked_seal", max_len=64)
    if not seal_matches(secret_key, _sealed(person_id, fields), given):
        raise InputError(
            "asked_seal: this undo is not the one the page gave (it was changed, or it is for"
            " another line); log the dose again instead"
        )
    return record


def _asked(dose: DoseRecord) -> str:
    """``asked``: the held cut's date, ``ahead``, or empty (not a cut's new dose, not known)."""
    if not dose.cut_checked:
        return ""
    return dose.stay_on_before.isoformat() if dose.stay_on_before else _AHEAD


_AHEAD: Final = "ahead"


def _sealed(person_id: int, fields: dict[str, str]) -> str:
    """What a seal covers: the person and every field of the line but the seal."""
    kept = {name: value for name, value in fields.items() if name != "asked_seal"}
    return f"dose-line:{person_id}:{json.dumps(kept, sort_keys=True)}"


def _mass(form: FormInput, name: str) -> Mass | None:
    text = form.text(name, max_len=20)
    if not text:
        return None
    if not _MG.fullmatch(text):
        raise InputError(f"{name}: {text!r} is not an amount in mg")
    return Mass.of_mg(text)
