"""`taperline journal list|edit|delete|restore`: the check-ins kept so far."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

import click

from taperline.cli.checkin_options import checkin_options
from taperline.cli.params import CLOCK, DATE, format_option, resolve_day
from taperline.cli.session import now, open_store, person, person_option, say_urgent
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from taperline.core.journal import RedFlagEvent, TimeOfDay
    from taperline.core.record import DoseRecord
    from taperline.core.values import RelativeDay
    from taperline.service.documents import CheckInOut

__all__ = ["journal"]


# --- journal list / edit / delete ----------------------------------------------------------


@click.group()
def journal() -> None:
    """List, edit or delete check-ins in your journal."""


@journal.command("list")
@click.option("--from", "start", type=DATE, default=None, help="First date (default: 14 days ago).")
@click.option("--to", "end", type=DATE, default=None, help="Last date (default: today).")
@format_option("table", "json", help_text="Output format.")
@person_option
def journal_list(
    *,
    start: date | RelativeDay | None,
    end: date | RelativeDay | None,
    output_format: str,
    person_id: int | None,
) -> None:
    """List check-ins with their sleep metrics, mood, anxiety and symptom burden."""
    from taperline.service import checkin_document, local_today

    store = open_store()
    person_id = person(store, person_id)
    today = local_today(store.profile(person_id).time_zone, now())
    last = resolve_day(end, today) or today
    first = resolve_day(start, today) or last - timedelta(days=13)
    if first > last:
        raise InputError("--from is after --to")
    documents = [checkin_document(c) for c in store.checkins(person_id, first, last)]
    if output_format == "json":
        from taperline.cli.render import print_json

        print_json(documents)
        return
    _journal_table(documents)


def _copies(document: CheckInOut) -> str:
    """The sections copied from an earlier day ("same as last night"), and from when."""
    copies = (
        ("night", document["sleep_copied_from"]),
        ("symptoms", document["symptoms_copied_from"]),
    )
    return ", ".join(f"{what} from {day}" for what, day in copies if day)


def _journal_table(documents: list[CheckInOut]) -> None:
    from rich.table import Table

    from taperline.cli.render import console

    table = Table(title="Journal", show_lines=False)
    for column in ("date", "TST h", "SE %", "SOL min", "WASO min", "mood", "anxiety", "burden"):
        table.add_column(column, justify="right")
    table.add_column("worst time")
    table.add_column("copied", overflow="fold")
    table.add_column("notes", overflow="fold", max_width=30)
    for d in documents:
        night = d["sleep"]
        table.add_row(
            d["date"],
            f"{night['tst_min'] / 60:.1f}" if night else "-",
            f"{night['se_pct']:.0f}" if night else "-",
            str(night["sol_min"]) if night else "-",
            str(night["waso_min"]) if night else "-",
            str(d["mood_0_10"]),
            str(d["anxiety_0_10"]),
            str(d["burden"]),
            d["worst_time"] or "",
            _copies(d),
            d["notes"],
        )
    console().print(table if documents else "No check-ins in this period.")


@journal.command("edit")
@click.argument("day", type=DATE, metavar="DATE")
@checkin_options
@person_option
def journal_edit(
    *,
    day: date | RelativeDay,
    bed: time | None,
    tried: time | None,
    sol_min: int | None,
    awakenings: int | None,
    waso_min: int | None,
    final_wake: time | None,
    out_of_bed: time | None,
    quality: int | None,
    slept: int | None,
    no_sleep: bool,
    long_night: bool,
    mood: int | None,
    anxiety: int | None,
    symptoms: tuple[str, ...],
    worst_time: TimeOfDay | None,
    caffeine: int | None,
    alcohol: int | None,
    opioid: bool | None,
    events: tuple[RedFlagEvent, ...],
    note: str | None,
    person_id: int | None,
) -> None:
    """Change a check-in: only the values given are changed; the rest stay.

    The change is written to the audit log (`taperline journal delete` and `remove-dose`
    too). A section copied from an earlier day stays marked as a copy while it is unchanged.
    """
    from taperline.cli import session
    from taperline.cli.checkin import CheckInOptions, confirmed_checkin, report_review
    from taperline.service import AT_THIS_COMPUTER, auditor, mark_copies, record_checkin

    store = open_store()
    person_id = person(store, person_id)
    wake_date = _day(store, person_id, day)
    current = store.checkin(person_id, wake_date)
    values = CheckInOptions(
        bed=bed,
        tried=tried,
        sol_min=sol_min,
        awakenings=awakenings,
        waso_min=waso_min,
        final_wake=final_wake,
        out_of_bed=out_of_bed,
        quality=quality,
        no_sleep=no_sleep,
        mood=mood,
        anxiety=anxiety,
        symptoms=symptoms,
        worst_time=worst_time,
        caffeine=caffeine,
        alcohol=alcohol,
        opioid=opioid,
        events=events,
        note=note,
        slept=slept,
        long_night=long_night,
    )
    edited = mark_copies(
        store,
        person_id,
        confirmed_checkin(
            values,
            wake_date,
            ask=session.on_terminal(),
            base=current,
            time_zone=store.profile(person_id).time_zone,
        ),
        sleep_from=current.sleep_copied_from,
        symptoms_from=current.symptoms_copied_from,
    )
    if edited == current:
        click.echo("Nothing to change.")
        return
    moment = now()
    audit = auditor(person_id, moment, label=AT_THIS_COMPUTER)
    _, result = record_checkin(store, person_id, edited, now=moment, replace=True, audit=audit)
    click.echo(f"Updated: check-in for {wake_date.isoformat()}.")
    zone = edited.sleep.time_zone if edited.sleep is not None else None
    if zone is not None and any(t is not None for t in (bed, tried, final_wake, out_of_bed)):
        click.echo(f"The night's times are read as {zone} times, where it was logged.")
    report_review(result)


def _day(store: Store, person_id: int, value: date | RelativeDay) -> date:
    """A DATE argument as a date (a day word counted back from the person's today)."""
    from taperline.service import local_today

    return resolve_day(value, local_today(store.profile(person_id).time_zone, now()))


@journal.command("delete")
@click.argument("day", type=DATE, metavar="DATE")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@person_option
def journal_delete(*, day: date | RelativeDay, yes: bool, person_id: int | None) -> None:
    """Delete the check-in of a date (the dose log is kept).

    It prints the command that puts it back as it was (`taperline journal restore CODE`).
    """
    given = person_id
    store = open_store()
    person_id = person(store, person_id)
    wake_date = _day(store, person_id, day)
    store.checkin(person_id, wake_date)  # NotFoundError before asking
    if not yes:
        click.confirm(f"Delete the check-in for {wake_date.isoformat()}?", abort=True)
    from taperline.adapters.csvio import checkin_code
    from taperline.service import AT_THIS_COMPUTER, auditor, remove_checkin

    audit = auditor(person_id, now(), label=AT_THIS_COMPUTER)
    removed = remove_checkin(store, person_id, wake_date, audit=audit)
    click.echo(f"Deleted: check-in for {wake_date.isoformat()}.")
    # the check-in itself (every answer, and what was not asked), not a `checkin` command's
    # flags: those cannot say "not asked", a copy or a night's zone
    words = ["taperline", "journal", "restore", checkin_code(removed, person_id=person_id)]
    if given is not None:
        words += ["--person", str(person_id)]
    click.echo(f"To put it back: {' '.join(words)}")


@journal.command("restore")
@click.argument("code")
@person_option
def journal_restore(*, code: str, person_id: int | None) -> None:
    """Put back a check-in deleted by `taperline journal delete`, exactly as it was.

    CODE is the line the delete printed. A day checked in again since is not overwritten.
    """
    from taperline.adapters.csvio import checkin_of_code
    from taperline.service import AT_THIS_COMPUTER, auditor, restore_checkin
    from taperline.service.journal import red_flags_of

    store = open_store()
    person_id = person(store, person_id)
    checkin = checkin_of_code(code, person_id=person_id)
    audit = auditor(person_id, now(), label=AT_THIS_COMPUTER)
    restore_checkin(store, person_id, checkin, now=now(), audit=audit)
    click.echo(f"Put back: check-in for {checkin.wake_date.isoformat()}.")
    say_urgent(red_flags_of([checkin]))  # its red-flag events: said again, as a check-in's are


_REMOVE_DOSE_EPILOG = """\b
Examples:
  taperline journal remove-dose yesterday --planned 22:00
  taperline journal remove-dose 2027-01-05 --taken 14:30 --yes
"""


@journal.command("remove-dose", epilog=_REMOVE_DOSE_EPILOG)
@click.argument("day", type=DATE, metavar="DATE")
@click.option("--planned", type=CLOCK, default=None, help="The planned dose's time (HH:MM).")
@click.option(
    "--taken", type=CLOCK, default=None, help="An extra dose: the time it was taken (HH:MM)."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@person_option
def journal_remove_dose(
    *,
    day: date | RelativeDay,
    planned: time | None,
    taken: time | None,
    yes: bool,
    person_id: int | None,
) -> None:
    """Remove a dose-log line logged by mistake (it is written to the audit log).

    A planned dose is named by its time (--planned 22:00), an extra dose by when it was
    taken (--taken 14:30). It says how to put the line back.
    """
    from taperline.service import AT_THIS_COMPUTER, auditor, remove_dose

    if (planned is None) == (taken is None):
        raise InputError("say which line: --planned HH:MM, or --taken HH:MM for an extra dose")
    store = open_store()
    person_id = person(store, person_id)
    when = _day(store, person_id, day)
    clock = planned.strftime("%H:%M") if planned else None
    taken_at = datetime.combine(when, taken) if taken else None
    what = f"the {clock} dose" if clock else f"the extra dose taken at {taken:%H:%M}"
    if not yes:
        click.confirm(f"Remove {what} of {when.isoformat()} from the dose log?", abort=True)
    audit = auditor(person_id, now(), label=AT_THIS_COMPUTER)
    removed = remove_dose(
        store, person_id, when, planned_clock=clock, taken_at=taken_at, audit=audit
    )
    click.echo(f"Removed: {what} of {when.isoformat()}.")
    click.echo(f"To put it back: {_log_dose_command(removed)}")


def _log_dose_command(dose: DoseRecord) -> str:
    """The `taperline log-dose` command that logs ``dose`` again."""
    import shlex

    from taperline.core.quantity import fmt

    words = ["taperline", "log-dose", "--date", dose.day.isoformat()]
    words += ["--planned", dose.planned_clock] if dose.planned_clock else ["--extra"]
    if dose.taken_at is None or dose.amount is None:
        words.append("--missed")
    else:
        words += ["--time", f"{dose.taken_at:%H:%M}", "--amount", fmt(dose.amount)]
        words += ["--drug", dose.drug]
    if dose.units:
        words += ["--units", dose.units]
    if dose.note:
        words += ["--note", dose.note]
    return shlex.join(words)
