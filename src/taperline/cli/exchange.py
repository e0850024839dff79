"""`taperline export` and `taperline import`: take your data anywhere, and bring it back.

CSV carries the journal and the dose log (docs/csv.md lists the columns); FHIR R4 carries the
whole record; iCalendar carries reminders for the plan. An import writes everything in one
transaction or nothing. Sleep from devices (Apple Health, Fitbit, a generic CSV) is imported
beside the diary as a batch that can be undone (docs/device-sleep.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import time
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from taperline.cli.params import CLOCK
from taperline.cli.session import now, open_store, person, person_option, say_urgent
from taperline.core.values import format_clock
from taperline.errors import InputError

_F = TypeVar("_F", bound=Callable[..., Any])
_OUT = click.Path(dir_okay=False, path_type=Path)
_IN = click.Path(exists=True, dir_okay=False, path_type=Path)


def _out_option(example: str) -> Callable[[_F], _F]:
    return click.option(
        "--out", "out_path", type=_OUT, required=True, help=f"File to write, e.g. {example}."
    )


@click.group("export")
def export() -> None:
    """Export your journal and dose log (CSV), whole record (FHIR R4) or reminders (iCalendar)."""


@click.group("import")
def import_() -> None:
    """Import a journal, dose log or whole record (one transaction), or sleep from a device.

    csv: a journal or dose log; fhir: a whole record; apple-health, fitbit, sleep-csv: sleep
    from a watch, ring or sleep app, kept beside your diary (docs/device-sleep.md); devices:
    the sources and imports so far, and which source to prefer on nights two recorded.
    """


# --- CSV -------------------------------------------------------------------------------------


@export.command("csv")
@_out_option("journal.csv")
@click.option(
    "--what",
    type=click.Choice(["journal", "doses"]),
    default="journal",
    show_default=True,
    help="The journal (one row a day) or the dose log (one row a dose).",
)
@person_option
def export_csv(*, out_path: Path, what: str, person_id: int | None) -> None:
    """Write the journal or the dose log as CSV, with units in the column names."""
    from taperline.adapters.csvio import dose_log_csv, journal_csv
    from taperline.zones import zone

    store = open_store()
    person_id = person(store, person_id)
    if what == "journal":
        checkins = store.checkins(person_id)
        count, text = len(checkins), journal_csv(checkins)
    else:
        doses = store.doses(person_id)
        # the zone writes an offset on a dose taken in the hour the clocks repeat
        time_zone = zone(store.profile(person_id).time_zone)
        count, text = len(doses), dose_log_csv(doses, time_zone=time_zone)
    # newline="" keeps the CSV's own CRLF line ends (and line breaks inside quoted notes).
    with out_path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    click.echo(f"Wrote {count} {what} rows to {out_path}.")


def _kind(text: str) -> str:
    import csv

    header = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    # read as CSV: a quoted header ("day","drug",...) is the same header
    names = {name.strip().lower() for name in next(csv.reader([header]), [])}
    if "wake_date" in names:
        return "journal"
    if {"day", "drug"} <= names:
        return "doses"
    raise InputError(
        "line 1: the header is neither a journal (wake_date, ...) nor a dose log"
        " (day, drug, ...); see docs/csv.md"
    )


@import_.command("csv")
@click.argument("path", type=_IN, metavar="FILE")
@click.option("--skip-bad", is_flag=True, help="Import the good rows and list the bad ones.")
@person_option
def import_csv(*, path: Path, skip_bad: bool, person_id: int | None) -> None:
    """Import a journal or dose-log CSV (told apart by its header).

    Every bad row is reported with its line number; nothing is imported if any row is bad,
    a day is in the future or already has a check-in, or a dose is already in the dose log
    (the same day, drug, planned time and time taken), unless --skip-bad is given: then the
    other rows are imported and each one left out is listed with why.
    """
    from taperline.adapters.csvio import read_dose_log_csv, read_journal_csv
    from taperline.service import import_checkins, import_doses
    from taperline.service.journal import red_flags_of
    from taperline.zones import zone

    try:
        with path.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
    except UnicodeDecodeError as error:  # an older spreadsheet's Latin-1 or Windows bytes
        raise InputError(
            f"{path} is not UTF-8 text (byte {error.start + 1}): save it as CSV UTF-8 and"
            " import it again; nothing was imported"
        ) from None
    if not text.lstrip("\ufeff").strip():  # as docs/csv.md says: nothing to import, no error
        click.echo(f"Imported 0 rows from {path}: the file is empty.")
        return
    store = open_store()
    person_id = person(store, person_id)
    kind = _kind(text)
    if kind == "journal":
        time_zone = zone(store.profile(person_id).time_zone)
        journal = read_journal_csv(text, skip_bad=skip_bad, time_zone=time_zone)
        errors = journal.errors
        _refuse_bad_rows(path, errors, skip_bad=skip_bad)
        done = import_checkins(store, person_id, journal.rows, now=now(), skip=skip_bad)
        flags = red_flags_of(journal.rows)
    else:
        time_zone = zone(store.profile(person_id).time_zone)
        doses = read_dose_log_csv(text, skip_bad=skip_bad, time_zone=time_zone)
        errors = doses.errors
        _refuse_bad_rows(path, errors, skip_bad=skip_bad)
        done = import_doses(store, person_id, doses.rows, now=now(), skip=skip_bad)
        flags = red_flags_of((), doses.rows)
    for reason in done.skipped:
        click.echo(f"{path}: left out: {reason}", err=True)
    left_out = len(errors) + len(done.skipped)
    skipped = f", left out {left_out} row(s) (listed above)" if left_out else ""
    click.echo(f"Imported {done.count} {kind} rows from {path}{skipped}.")
    say_urgent(flags)  # crisis words in the file: said now, as a check-in's are


def _refuse_bad_rows(path: Path, errors: Sequence[object], *, skip_bad: bool) -> None:
    for error in errors:
        click.echo(f"{path}: {error}", err=True)
    if errors and not skip_bad:
        raise InputError(f"{len(errors)} bad row(s) in {path}: nothing was imported")


# --- iCalendar -------------------------------------------------------------------------------


@export.command("ics")
@_out_option("taper.ics")
@click.option(
    "--checkin-at",
    type=CLOCK,
    default="08:00",
    show_default=True,
    help="Daily check-in reminder (HH:MM).",
)
@click.option(
    "--refill-days",
    type=click.IntRange(0, 60),
    default=5,
    show_default=True,
    help="Remind this many days before the supply runs out.",
)
@click.option(
    "--alarm-minutes",
    type=click.IntRange(0, 1440),
    default=0,
    show_default=True,
    help="Alarm this many minutes before each dose.",
)
@person_option
def export_ics(
    *,
    out_path: Path,
    checkin_at: time,
    refill_days: int,
    alarm_minutes: int,
    person_id: int | None,
) -> None:
    """Write calendar reminders for the plan in force: doses, check-ins, changes, refills.

    Each dose time has an alarm and says how to make the dose; each dose change is an event
    with the new dose in its title. Times follow your time zone across daylight saving.
    Import the file into your calendar app; a new export updates the same events.
    """
    from taperline.service import calendar_file

    store = open_store()
    person_id = person(store, person_id)
    data, plan = calendar_file(
        store,
        person_id,
        now=now(),
        checkin_clock=format_clock(checkin_at),
        refill_days_before=refill_days,
        alarm_minutes_before=alarm_minutes,
    )
    out_path.write_bytes(data)
    click.echo(f"Calendar written to {out_path} (plan version {plan.version}).")


# --- FHIR R4 ---------------------------------------------------------------------------------


@export.command("fhir")
@_out_option("bundle.json")
@click.option(
    "--type",
    "bundle_type",
    type=click.Choice(["collection", "transaction"]),
    default="collection",
    show_default=True,
    help="transaction: to load into a FHIR server (each resource a PUT of its stable id).",
)
@click.option(
    "--history",
    is_flag=True,
    help="Also the plan versions the plan in force replaced, with their statuses.",
)
@person_option
def export_fhir(*, out_path: Path, bundle_type: str, history: bool, person_id: int | None) -> None:
    """Write your whole record as a FHIR R4 Bundle: plan, doses, nights, scores.

    The Patient is pseudonymous (your profile's label). The plan in force is one tapering
    MedicationRequest per drug (its steps in order), with the RxNorm codes of the products
    it uses, the supply it authorises and the approving clinician as requester; a proposal
    waiting for a decision is a draft. --history adds the versions they replaced (completed
    or cancelled): only such an export reads back as the exact record. The regimen before a
    plan is a MedicationStatement, the dose log MedicationAdministrations, each night an
    Observation (LOINC 93832-4 sleep duration), PHQ-9 and GAD-7 QuestionnaireResponses and
    Observations, findings Flags, and sleep from devices as Observations apart from the
    diary's (each naming its device). Every resource keeps its identity from one export to
    the next.

    Example: taperline export fhir --type transaction --out load.json
    """
    from taperline.service import fhir_bundle, fhir_json

    store = open_store()
    transaction = bundle_type == "transaction"
    bundle = fhir_bundle(
        store, person(store, person_id), now=now(), transaction=transaction, history=history
    )
    out_path.write_text(fhir_json(bundle), encoding="utf-8")
    click.echo(f"FHIR bundle written to {out_path} ({len(bundle['entry'])} resources).")


@import_.command("fhir")
@click.argument("path", type=_IN, metavar="FILE")
def import_fhir(*, path: Path) -> None:
    """Import a FHIR R4 Bundle made by `taperline export fhir` as a new person.

    The bundle may also be what a FHIR server hands back after loading one (a searchset,
    with server ids and Type/id references).

    The bundle is validated first, and every plan in it is checked by the same safety rules
    as a new plan; the whole record is written in one transaction, or nothing if anything
    is wrong. Findings are not imported: they are computed again. A bundle imported before
    (a person here holds its time zone, label and every check-in, dose and questionnaire)
    is refused, naming that person. Sleep from devices in the
    bundle is stored as one device sleep import, which `--undo BATCH` of any device import
    command (for example `taperline import sleep-csv --undo BATCH`) removes.
    """
    import hashlib
    import json

    from taperline.adapters.fhir import read_bundle
    from taperline.adapters.fhir.reading import json_object
    from taperline.service import import_record

    data = path.read_bytes()
    try:  # a member given twice in one object is refused, never its first value dropped
        bundle = json.loads(data.decode("utf-8"), object_pairs_hook=json_object)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path} is not a JSON file: {error}") from None
    except InputError as error:
        raise InputError(f"{path}: {error}") from None
    if not isinstance(bundle, dict):
        raise InputError(f"{path} does not hold a FHIR Bundle object")
    read = read_bundle(bundle)
    record = read.record
    store = open_store()
    person_id = import_record(
        store,
        record,
        now=now(),
        device_sleep=read.device_sleep,
        device_file=(path.name, hashlib.sha256(data).hexdigest()),
        device_preferred_source=read.device_preferred_source,
        source=read.patient_url,
    )
    click.echo(
        f"Imported person {person_id}: {len(record.checkins)} check-ins, {len(record.doses)}"
        f" doses, {len(record.scores)} questionnaires, {len(record.plans)} plan versions."
    )
    from taperline.service.journal import red_flags_of

    say_urgent(red_flags_of(record.checkins, record.doses, record.scores))
    if read.device_sleep:
        batch = store.device_sleep_imports(person_id)[0]
        click.echo(
            f"Sleep from devices: {batch.records_added} record(s), kept apart from the diary"
            f" (device import {batch.id}; undo: taperline import sleep-csv --undo {batch.id}"
            f" --person {person_id})."
        )


# --- sleep from devices (issue 21) -------------------------------------------------------------

_DEVICE_IN = click.Path(exists=True, path_type=Path)


def _device_options(function: _F) -> _F:
    function = click.option(
        "--undo",
        "undo_id",
        type=click.IntRange(min=1),
        default=None,
        metavar="BATCH",
        help="Remove the records of an earlier import (its number, as the import said).",
    )(function)
    function = click.option(
        "--dry-run", is_flag=True, help="Say what would be imported; store nothing."
    )(function)
    return person_option(function)


def _device_import(
    kind: Literal["apple-health", "fitbit", "sleep-csv"],
    path: Path | None,
    *,
    dry_run: bool,
    undo_id: int | None,
    person_id: int | None,
) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from taperline.service.device_sleep import import_device_sleep, undo_device_import

    store = open_store()
    person_id = person(store, person_id)
    if undo_id is not None:
        if path is not None or dry_run:
            raise InputError("--undo BATCH takes no file and no --dry-run")
        undone = undo_device_import(store, person_id, undo_id, now=now())
        click.echo(
            f"Undid import {undone.id} ({undone.file_name}): removed {undone.records_added}"
            " sleep record(s)."
        )
        return
    if path is None:
        raise InputError(f"give the file to import: taperline import {kind} FILE")
    console = Console(stderr=True)
    with Progress(
        "Reading",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("read", total=None)
        result = import_device_sleep(
            store,
            person_id,
            kind,
            path,
            now=now(),
            dry_run=dry_run,
            progress=lambda done, size: bar.update(task, completed=done, total=size),
        )
    for reason in result.read.left_out:
        click.echo(f"{path}: left out {reason}", err=True)
    nights = result.nights
    span = f", {nights[0].wake_date} to {nights[-1].wake_date}" if nights else ""
    sources = sorted({n.source for n in nights})
    from_sources = f" from {', '.join(sources)}" if sources else ""
    already = f"; {result.already} already stored" if result.already else ""
    what = f"{result.new_records} new sleep record(s) ({len(nights)} night(s){span}){from_sources}"
    if result.dry_run:
        click.echo(f"Would import {what}{already}. Nothing was stored (--dry-run).")
    elif result.batch is None:
        click.echo(f"Nothing new in {path}{already}: nothing was stored.")
    else:
        click.echo(
            f"Imported {what}{already} as import {result.batch.id}."
            f" Undo with: taperline import {kind} --undo {result.batch.id}"
        )


@import_.command("apple-health")
@click.argument("path", type=_DEVICE_IN, metavar="FILE", required=False)
@_device_options
def import_apple_health(
    *, path: Path | None, dry_run: bool, undo_id: int | None, person_id: int | None
) -> None:
    """Import sleep from an Apple Health export (export.zip or its export.xml).

    On the iPhone: Health, your picture, Export All Health Data. The file is read in pieces
    (it may be several GB) and only its sleep is kept, beside your diary, never in it.
    Importing the same export again adds nothing. See docs/device-sleep.md.
    """
    _device_import("apple-health", path, dry_run=dry_run, undo_id=undo_id, person_id=person_id)


@import_.command("fitbit")
@click.argument("path", type=_DEVICE_IN, metavar="FILE_OR_DIR", required=False)
@_device_options
def import_fitbit(
    *, path: Path | None, dry_run: bool, undo_id: int | None, person_id: int | None
) -> None:
    """Import sleep from Fitbit: a sleep-YYYY-MM-DD.json, a folder or zip of them, or the CSV.

    A Google Takeout zip or folder is searched for its sleep-*.json files. Times are read in
    your time zone. See docs/device-sleep.md.
    """
    _device_import("fitbit", path, dry_run=dry_run, undo_id=undo_id, person_id=person_id)


@import_.command("sleep-csv")
@click.argument("path", type=_DEVICE_IN, metavar="FILE", required=False)
@_device_options
def import_sleep_csv(
    *, path: Path | None, dry_run: bool, undo_id: int | None, person_id: int | None
) -> None:
    """Import sleep from any device or app as a CSV (the columns are in docs/device-sleep.md).

    Columns: wake_date, in_bed, out_of_bed, and asleep_min or asleep and woke; source and
    device are optional.
    """
    _device_import("sleep-csv", path, dry_run=dry_run, undo_id=undo_id, person_id=person_id)


@import_.command("devices")
@click.option(
    "--prefer",
    "source",
    default=None,
    metavar="SOURCE",
    help="On nights several sources recorded, use this one (its name as listed here).",
)
@click.option("--no-prefer", is_flag=True, help="Prefer no source: the usual order chooses again.")
@person_option
def import_devices(*, source: str | None, no_prefer: bool, person_id: int | None) -> None:
    """List your device sleep sources and imports; choose the source to prefer.

    When two devices (a phone and a watch) recorded the same night, the night's numbers come
    from one of them, never both added: the source you prefer, when it recorded that night;
    otherwise one that recorded sleep, then the one worn most (docs/device-sleep.md).

    Example: taperline import devices --prefer "Ann's Apple Watch"
    """
    from taperline.service.device_sleep import prefer_device_source

    if source is not None and no_prefer:
        raise InputError("give --prefer SOURCE or --no-prefer, not both")
    store = open_store()
    person_id = person(store, person_id)
    if source is not None or no_prefer:
        settings = prefer_device_source(store, person_id, source, by="the person (CLI)", now=now())
    else:
        settings = store.device_sleep_settings(person_id)
    sources = store.device_sleep_sources(person_id)
    if not sources:
        click.echo("No sleep from devices yet (taperline import apple-health|fitbit|sleep-csv).")
    for name, count in sorted(sources.items()):
        mark = " (preferred)" if name == settings.preferred_source else ""
        click.echo(f"{name}: {count} record(s){mark}")
    chosen = settings.preferred_source
    click.echo(
        f"Preferred on nights two sources recorded: {chosen}."
        if chosen is not None
        else "No preferred source: a source that recorded sleep, then the one worn most."
    )
    for batch in store.device_sleep_imports(person_id):
        undone = f", undone {batch.undone_at:%Y-%m-%d}" if batch.undone_at else ""
        click.echo(
            f"Import {batch.id}: {batch.kind} {batch.file_name}, {batch.records_added} record(s),"
            f" {batch.imported_at:%Y-%m-%d}{undone}"
        )
