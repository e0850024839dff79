"""The journal's "Log a dose" form: its fields to a :class:`DoseEntry`, and errors to fields.

The form says what the CLI's ``log-dose --date --time --amount --planned`` says: the day, when
the dose was taken, how much (empty: the planned amount) and which planned dose it was (or an
extra one), taken or not. Every rule about the dose is the service's
(:func:`taperline.service.log_dose`); this module only reads the fields and puts each error,
the service's too, next to the field it is about, in plain words.

>>> from datetime import date
>>> entry = entry_from_form(FormInput({"date": ["2027-03-01"], "planned": ["22:00"],
...     "status": ["taken"], "time": ["23:10"], "amount": ["0.75"]}))
>>> entry.planned_clock, entry.taken_at, entry.amount
('22:00', datetime.datetime(2027, 3, 1, 23, 10), Mass(value=Decimal('0.75'), unit='mg'))
>>> try:
...     entry_from_form(FormInput({"date": ["2027-03-01"], "planned": ["extra"],
...         "status": ["taken"], "amount": ["-1"]}))
... except FieldsError as error:
...     for name, text in error.errors.items():
...         print(f"{name}: {text}")
time: Say when you took it (HH:MM, for example 22:05).
amount: '-1 mg' is negative; a quantity must be zero or more.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Final

from taperline.core.quantity import Mass, parse_dose
from taperline.core.values import format_clock
from taperline.errors import ConfirmationNeededError, ConflictError, InputError
from taperline.service import DoseEntry
from taperline.web.checkin_form import FieldsError, as_date
from taperline.web.forms import FormInput, parse_clock, parse_day

if TYPE_CHECKING:
    from taperline.core.record import PersonRecord

__all__ = [
    "EXTRA",
    "FIELDS",
    "DoseLogState",
    "blank_fields",
    "entry_from_form",
    "errors_of",
    "form_context",
    "kept_fields",
]

#: The form's fields, in the order they are shown (and their errors listed).
FIELDS: Final = ("date", "planned", "status", "time", "amount")
#: The ``planned`` choice of a dose that is not a planned one.
EXTRA: Final = "extra"
#: Where the service's errors go: the field its message names (see ``log_dose``).
_SERVICE_FIELDS: Final = {
    "planned": "planned",
    "amount": "amount",
    "time": "time",
    "missed": "status",
    "day": "date",
}
_NAMED: Final = re.compile(r"^([a-z_]+): (.*)$", re.DOTALL)
#: An amount typed without a unit is in mg (the field says so): "0.75" is "0.75 mg".
_BARE_NUMBER: Final = re.compile(r"[^A-Za-zµ]*")


def blank_fields(today: date) -> dict[str, str]:
    """A new form: today's date (the field's default) and nothing else said."""
    return {
        "date": today.isoformat(),
        "planned": "",
        "status": "",
        "time": "",
        "amount": "",
        "idem": uuid.uuid4().hex,
    }


def kept_fields(form: FormInput) -> dict[str, str]:
    """The fields as typed, to show the form again after an error (same ``idem``)."""
    kept = {name: form.shown(name, max_len=40) for name in FIELDS}
    kept["idem"] = form.shown("idem", max_len=100) or uuid.uuid4().hex
    return kept


def entry_from_form(form: FormInput) -> DoseEntry:
    """The dose the form describes, to give to ``log_dose``.

    ``confirm_amount`` (the "Log it as I gave it" button) confirms an amount far from the
    plan only when it is the amount still in the field: one changed since is checked again.

    Raises:
        FieldsError: each field that cannot be read, with what to do, in plain words.
    """
    errors: dict[str, str] = {}

    def read(name: str, parse: Any) -> Any:
        try:
            return parse()
        except InputError as error:
            errors[name] = _plain(str(error), name)
            return None

    day = read("date", lambda: parse_day("date", form.text("date", max_len=20)))
    planned = read("planned", lambda: _planned(form.text("planned", max_len=10)))
    status = form.text("status", max_len=10)
    if status not in {"taken", "missed"}:
        errors["status"] = "Say whether you took it."
    taken = status == "taken"
    clock = read("time", lambda: _clock(form.text("time", max_len=10))) if taken else None
    amount_text = form.text("amount", max_len=40)
    amount = read("amount", lambda: _amount(amount_text)) if taken else None
    if errors:
        raise FieldsError({name: errors[name] for name in FIELDS if name in errors})
    assert day is not None  # noqa: S101 -- read without an error
    confirmed = (
        form.has("confirm_amount") and form.text("confirm_amount", max_len=40) == amount_text
    )
    return DoseEntry(
        day=day,
        planned_clock=None if planned == EXTRA else planned,
        missed=not taken,
        taken_at=datetime.combine(day, clock) if clock is not None else None,
        amount=amount,
        confirmed=confirmed,
    )


def errors_of(error: InputError) -> dict[str, str]:
    """The form's errors from ``error``: by field, and ``form`` for one about no field.

    The service names the field in its messages (``amount: ...``); an amount far from the
    plan is the amount's, a planned dose already logged the ``planned`` choice's.
    """
    if isinstance(error, FieldsError):
        return dict(error.errors)
    if isinstance(error, ConfirmationNeededError):
        reason = error.reason[:1].upper() + error.reason[1:]
        return {"amount": f"{reason}. If that is what you took, log it as you gave it."}
    text = str(error)
    if isinstance(error, ConflictError):
        return {"planned": _plain(text, "planned")}
    named = _NAMED.match(text)
    name = (
        (named[1] if named[1] in FIELDS else _SERVICE_FIELDS.get(named[1], "form"))
        if named
        else "form"
    )
    return {name: _plain(named[2] if named else text, name)}


@dataclass(frozen=True, slots=True)
class DoseLogState:
    """The form as sent back after an error: its values, errors, and whether to confirm."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    #: The amount is far from the plan: offer "Log it as I gave it".
    confirm: bool = False


def form_context(record: PersonRecord, today: date, state: DoseLogState | None) -> dict[str, Any]:
    """What ``journal.html`` needs to draw the form (``state`` None: a new, blank form).

    The choices of planned doses are the clocks of the doses a dose of the form's day (today
    when it is not a day up to today) can be logged as
    (:func:`~taperline.service.journal.loggable_doses`: the day's plan, the doses to stay on
    on a day a held cut moved the dose times, never a new step's dose that starts the next
    day); a clock the form was sent with stays a choice, so the value typed is kept (the
    error then says it is not planned that day).
    """
    from taperline.service.journal import loggable_doses

    state = state or DoseLogState(blank_fields(today))
    values = state.values
    day = as_date(values.get("date", ""))
    on = day if day is not None and day <= today else today
    clocks = sorted({d.clock for d in loggable_doses(record, on)})
    chosen = values.get("planned", "")
    if chosen and chosen != EXTRA and chosen not in clocks:
        clocks.append(chosen)
    return {
        "v": values,
        "errors": state.errors,
        "first_error": next(iter(state.errors), ""),
        "clocks": clocks,
        "extra": EXTRA,
        "today": today,
        "confirm": state.confirm,
        # without a plan or a usual dose there is no medicine to log a dose of
        "can_log": record.plan is not None or record.profile.regimen is not None,
    }


def _planned(text: str) -> str:
    if not text:
        raise InputError("planned: choose which dose it was, or an extra dose")
    if text == EXTRA:
        return EXTRA
    return format_clock(parse_clock("planned", text))


def _clock(text: str) -> time:
    if not text:
        raise InputError("time: say when you took it (HH:MM, for example 22:05)")
    return parse_clock("time", text)


def _amount(text: str) -> Mass | None:
    """The amount typed (empty: the planned one), in mg when it has no unit."""
    if not text:
        return None
    return parse_dose(f"{text} mg" if _BARE_NUMBER.fullmatch(text) else text)


def _plain(text: str, field: str) -> str:
    """``text`` without its field's name, as a sentence."""
    named = _NAMED.match(text)
    if named and (named[1] == field or _SERVICE_FIELDS.get(named[1]) == field):
        text = named[2]
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else f"{text}."
