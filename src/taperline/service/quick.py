"""The day's check-in, quick or full: what it asks, and the doses it confirms.

One place for the web form and the CLI: :func:`checkin_asks` says whether the day calls for the
full check-in (:func:`taperline.core.asking.what_to_ask`: the days around a cut and weekly) and
which planned doses of the night before are not in the dose log yet, and
:func:`confirm_doses` logs the person's answers for them ("taken" or "missed").

A dose confirmed at the check-in has no time of its own: the person said they took it at about
the planned time, and it is stored at that time with a note saying so (never an invented time
passed off as the person's). A dose of a held cut (the readiness check's question) is not
asked here: which dose was taken is for the dose log to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final

from taperline.adapters.storage.repo import Store
from taperline.core.asking import Asking, is_full, what_to_ask
from taperline.core.record import PersonRecord, RecordDose
from taperline.core.review import cut_dates
from taperline.errors import ConflictError, InputError
from taperline.service.journal import DoseEntry, LoggedDose, log_dose
from taperline.service.today import build_today

__all__ = [
    "CONFIRMED_NOTE",
    "CheckInAsks",
    "DoseAnswer",
    "DoseQuestion",
    "check_answers",
    "checkin_asks",
    "confirm_doses",
]

#: The note on a dose confirmed at the check-in: its time is the plan's, by the person's word.
CONFIRMED_NOTE: Final = "confirmed at the check-in: taken at about the planned time"


@dataclass(frozen=True, slots=True)
class DoseQuestion:
    """A planned dose the check-in asks about: its day and the plan's dose."""

    day: date
    dose: RecordDose


@dataclass(frozen=True, slots=True)
class DoseAnswer:
    """The person's answer for a planned dose: taken (at about its time) or missed."""

    day: date
    clock: str
    taken: bool


@dataclass(frozen=True, slots=True)
class CheckInAsks:
    """What the check-in of a day asks: quick or full (and why), and the doses to confirm."""

    asking: Asking
    doses: tuple[DoseQuestion, ...]


def checkin_asks(record: PersonRecord, day: date) -> CheckInAsks:
    """What the check-in of ``day`` (a date of waking) asks, from the person's record.

    The doses asked about are the planned doses of the day before ``day`` (last night's)
    that the dose log does not have, except those of a cut the readiness check holds, and a
    dose to stay on until a clinician answered that day (``until_answer``): an answer logs a
    dose at its planned time, and that one is the day's only if taken before the answer,
    which changes the day's other doses (logged first, the new step's 0.75 mg tonight would
    be logged as the 0.5 mg before the cut the question did not show). The dashboard, the
    journal and ``log-dose`` take it with the time it was taken. Nor the day's doses that
    wait for it (``answer_first``: :func:`taperline.service.log_dose` refuses them until it
    is said, and the check-in would be saved before its answers were refused).
    """
    plan = record.plan
    cuts = cut_dates(plan) if plan is not None else ()
    last_full = max(
        (c.wake_date for c in record.checkins if c.wake_date < day and is_full(c)), default=None
    )
    night_before = day - timedelta(days=1)
    lines = build_today(record, night_before).doses
    doses = tuple(
        DoseQuestion(night_before, line.planned)
        for line in lines
        if line.logged is None
        and not line.ask_first
        and line.until_answer is None
        and line.answer_first is None
    )
    return CheckInAsks(what_to_ask(day, cuts, last_full), doses)


def check_answers(asks: CheckInAsks, answers: Sequence[DoseAnswer]) -> None:
    """Refuse an answer for a dose the check-in did not ask about (before anything is saved).

    Raises:
        InputError: naming ``doses``: the dose is not one of the night's planned doses still
            to log (already logged, not planned, or another day's).
    """
    asked = {(q.day, q.dose.clock) for q in asks.doses}
    for answer in answers:
        if (answer.day, answer.clock) not in asked:
            still = ", ".join(q.dose.clock for q in asks.doses) or "none"
            raise InputError(
                f"doses: the {answer.clock} dose of {answer.day.isoformat()} is not one of last"
                f" night's planned doses still to log ({still})"
            )


def confirm_doses(
    store: Store,
    person_id: int,
    answers: Sequence[DoseAnswer],
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[LoggedDose, ...]:
    """Log the person's answers for planned doses; one already in the log is left as it is.

    A retry with the same ``idempotency_key`` logs nothing twice (each dose's key is made
    from it). Errors are :func:`taperline.service.log_dose`'s, naming the field.
    """
    logged = []
    for answer in answers:
        hour, minute = (int(part) for part in answer.clock.split(":"))
        taken_at = datetime.combine(answer.day, datetime.min.time()).replace(
            hour=hour, minute=minute
        )
        entry = DoseEntry(
            day=answer.day,
            planned_clock=answer.clock,
            missed=not answer.taken,
            taken_at=taken_at if answer.taken else None,
            units_from_plan=answer.taken,
            note=CONFIRMED_NOTE if answer.taken else "",
        )
        key = (
            f"{idempotency_key}:dose:{answer.day.isoformat()}:{answer.clock}"
            if idempotency_key is not None
            else None
        )
        try:
            logged.append(log_dose(store, person_id, entry, now=now, idempotency_key=key))
        except ConflictError:  # logged meanwhile (the dashboard's button): the log has it
            continue
    return tuple(logged)
