"""`taperline log-dose`: a dose taken or missed, matched to the plan by the service."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import click

from taperline.cli import session
from taperline.cli.params import CLOCK, DATE, DOSE, option_names, resolve_day
from taperline.cli.session import now, open_store, person, person_option
from taperline.errors import ConfirmationNeededError, InputError

if TYPE_CHECKING:
    from taperline.core.quantity import Mass
    from taperline.core.values import RelativeDay

__all__ = ["log_dose"]


# --- doses ---------------------------------------------------------------------------------


@click.command("log-dose")
@click.option(
    "--date", "day", type=DATE, default=None, help="The dose's day, or yesterday (default today)."
)
@click.option("--time", "taken", type=CLOCK, default=None, help="When you took it (default now).")
@click.option("--amount", type=DOSE, default=None, help="How much (default: the planned dose).")
@click.option(
    "--planned", type=CLOCK, default=None, help="Which planned dose (default: the next one)."
)
@click.option("--missed", is_flag=True, help="Record the planned dose as missed.")
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
    drug: str | None,
    units: str,
    note: str,
    key: str | None,
    confirm: bool,
    person_id: int | None,
) -> None:
    """Log a dose taken (or missed) against the plan in force.

    With a plan, the planned time and amount default to the next planned dose of the day
    that is not logged yet. An amount above the plan is an escalation finding for your
    prescriber; one above the day's planned total or the daily maximum is logged only when
    you confirm it (--confirm, or yes at the question on a terminal).
    """
    from taperline.core.quantity import drug_label, fmt
    from taperline.service import DoseEntry, local_today, log_dose

    store = open_store()
    person_id = person(store, person_id)
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    dose_day = resolve_day(day, today) or today
    entry = DoseEntry(
        day=dose_day,
        planned_clock=planned.strftime("%H:%M") if planned is not None else None,
        next_planned=True,
        missed=missed,
        taken_at=(
            datetime.combine(dose_day, taken).replace(second=0) if taken is not None else None
        ),
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
    except InputError as error:
        raise type(error)(option_names(str(error), _DOSE_OPTIONS)) from None
    record, target = done.record, done.planned
    if not done.saved.created and done.planned is None and key is not None:
        click.echo(f"Already logged: the dose of {record.day.isoformat()} ({record.status()}).")
        return
    logged = record.amount
    what = "missed" if logged is None else f"{drug_label(record.drug)} {fmt(logged)}"
    word = "Logged" if done.saved.created else "Already logged"
    click.echo(f"{word}: {what} on {record.day.isoformat()} ({record.status()}).")
    if logged is not None and target is not None and logged.mg > target.amount.mg:
        click.secho(
            f"This is more than the planned {fmt(target.amount)}. It is recorded for your"
            " prescriber; do not raise your dose on your own.",
            fg="yellow",
            err=True,
        )


#: The fields a dose-log error names, and the options that carry them.
_DOSE_OPTIONS = {name: f"--{name}" for name in ("planned", "drug", "amount", "time", "missed")}
