"""`taperline log-dose`: a dose taken or missed, matched to the plan by the service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import click

from taperline.cli import session
from taperline.cli.params import CLOCK, DATE, DOSE, option_names, resolve_day
from taperline.cli.session import now, open_store, person, person_option, say_urgent
from taperline.errors import ConfirmationNeededError, ConflictError, InputError

if TYPE_CHECKING:
    from taperline.core.quantity import Mass
    from taperline.core.values import RelativeDay
    from taperline.service import LoggedDose

__all__ = ["log_dose"]


# --- doses ---------------------------------------------------------------------------------


@click.command("log-dose")
@click.option(
    "--date",
    "day",
    type=DATE,
    default=None,
    help="The dose's day, or today or yesterday (default: the planned dose nearest in time,"
    " last night's or today's).",
)
@click.option(
    "--time",
    "taken",
    type=CLOCK,
    default=None,
    help="When you took it (default now; without --date, the last time the clock showed it:"
    " 22:10 said in the morning is last night).",
)
@click.option("--amount", type=DOSE, default=None, help="How much (default: the planned dose).")
@click.option(
    "--planned",
    type=CLOCK,
    default=None,
    help="Which planned dose (default: the one nearest in time, or with --date the day's"
    " next one not logged).",
)
@click.option("--missed", is_flag=True, help="Record the planned dose as missed.")
@click.option(
    "--extra", is_flag=True, help="Record a dose that is not a planned one (give --amount)."
)
@click.option("--drug", default=None, help="Which drug (default: the plan's).")
@click.option("--units", default="", help="What you used, e.g. '1 x tablet 0.5 mg'.")
@click.option("--note", default="", help="A note.")
@click.option("--key", default=None, help="An idempotency key: a retry with it never duplicates.")
@click.option(
    "--confirm",
    is_flag=True,
    help="Log an amount far from the plan as given (more than the day's planned total, or"
    " above the daily maximum); on a terminal you are asked instead.",
)
@person_option
def log_dose(
    *,
    day: date | RelativeDay | None,
    taken: time | None,
    amount: Mass | None,
    planned: time | None,
    missed: bool,
    extra: bool,
    drug: str | None,
    units: str,
    note: str,
    key: str | None,
    confirm: bool,
    person_id: int | None,
) -> None:
    """Log a dose taken (or missed) against the plan in force.

    Without --date the dose is matched to the planned dose nearest in time, yesterday's or
    today's: in the morning, last night's dose; in the evening, tonight's. A planned dose
    already in the log is not logged again: give --date (and --planned) for another day's
    dose, or --extra for one that was not planned. The time and amount default to now and
    the planned dose, and the reply says which dose and date it recorded. An amount above
    the plan is an escalation finding for your prescriber; one above the day's planned total
    or the daily maximum is logged only when you confirm it (--confirm, or yes at the
    question on a terminal).
    """
    from taperline.core.record import last_struck
    from taperline.service import DoseEntry, local_now, local_today, log_dose

    if extra and (missed or planned is not None):
        raise click.UsageError(
            "--extra is a dose that was not planned: leave out --planned/--missed"
        )
    store = open_store()
    person_id = person(store, person_id)
    moment = now()
    zone_name = store.profile(person_id).time_zone
    today = local_today(zone_name, moment)
    dose_day = resolve_day(day, today)
    taken_at = None
    if taken is not None:
        taken_at = (
            datetime.combine(dose_day, taken).replace(second=0)
            if dose_day is not None
            else last_struck(taken, local_now(zone_name, moment))
        )
    entry = DoseEntry(
        day=dose_day,
        planned_clock=planned.strftime("%H:%M") if planned is not None else None,
        next_planned=not extra,
        missed=missed,
        taken_at=taken_at,
        amount=amount,
        drug=drug,
        units=units,
        note=note,
        confirmed=confirm,
    )
    try:
        done = log_dose(store, person_id, entry, now=moment, idempotency_key=key)
    except ConfirmationNeededError as error:
        question = f"{error.reason[:1].upper()}{error.reason[1:]}. Is that what you took?"
        if not session.on_terminal() or not click.confirm(question, default=False):
            raise InputError(
                f"--amount: {error.reason}; if that is what you took, add --confirm"
            ) from None
        entry = replace(entry, confirmed=True)
        done = log_dose(store, person_id, entry, now=moment, idempotency_key=key)
    except ConflictError as error:
        raise ConflictError(f"{error}. {_ANOTHER_DOSE}") from None
    except InputError as error:
        raise type(error)(option_names(str(error), _DOSE_OPTIONS)) from None
    _say_logged(done, today=today, retried=key is not None)
    say_urgent(done.red_flags)  # crisis words in the note: said now, as a check-in's are


def _say_logged(done: LoggedDose, *, today: date, retried: bool) -> None:
    """Which dose was recorded, in plain words with its date, and what was taken when."""
    from taperline.core.quantity import drug_label, fmt
    from taperline.core.record import day_text, describe_dose

    record, target = done.record, done.expected
    which = describe_dose(record.day, record.planned_clock, today=today)
    if not done.saved.created and done.planned is None and retried:
        click.echo(f"Already logged: {which} ({record.status()}).")
        return
    word = "Recorded" if done.saved.created else "Already logged:"
    logged, taken_at = record.amount, record.taken_at
    if logged is None or taken_at is None:
        click.echo(f"{word} {which} as missed.")
        return
    when = taken_at.strftime("%H:%M")
    if taken_at.date() != record.day:
        when = f"{when} on {day_text(taken_at.date(), today)}"
    late = " (late)" if record.status() == "late" else ""
    what = f"{drug_label(record.drug)} {fmt(logged)}"
    click.echo(f"{word} {which}: {what} taken at {when}{late}.")
    if target is not None and logged.mg > target.amount.mg:
        click.secho(
            f"This is more than the planned {fmt(target.amount)}. It is recorded for your"
            " prescriber; do not raise your dose on your own.",
            fg="yellow",
            err=True,
        )


#: What a refused second log of a planned dose says to do instead.
_ANOTHER_DOSE = (
    "If this is another dose, give its --date (and --planned time), or --extra for a dose"
    " that was not planned"
)
#: The fields a dose-log error names, and the options that carry them.
_DOSE_OPTIONS = {
    **{name: f"--{name}" for name in ("planned", "drug", "amount", "time", "missed")},
    "day": "--date",
}
