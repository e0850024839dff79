"""Exports of a person's record: the prescriber's PDF report, the FHIR R4 Bundle, reminders.

Each reads the record once, works out the person's today in their time zone and reviews it
(:func:`~taperline.service.store.reviewed_record`), then hands it to the adapter. The CLI
(``taperline report``, ``taperline export fhir``, ``taperline export ics``) and the web
downloads call these, so both export the same thing from the same reading.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from taperline.adapters.storage.repo import Store
from taperline.core.record import PlanVersion
from taperline.errors import InputError
from taperline.service.store import reviewed_record

__all__ = ["calendar_file", "fhir_bundle", "fhir_json", "person_uuid", "report_pdf"]

#: What the report's period is, given the person's today: (first day or None, last day or None).
Period = Callable[[date], tuple[date | None, date | None]]


def report_pdf(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    period: Period | None = None,
    progress: Callable[[str], None] | None = None,
) -> bytes:
    """The prescriber's report as PDF bytes; ``period`` picks its days (default: all, to today).

    ``period`` gets the person's today, so "yesterday" can mean their yesterday. ``progress``
    is told each stage as it starts (the CLI shows them: the PDF takes a second or two).
    """
    from taperline.adapters.report import render_report

    if progress is not None:
        progress("Reading the record and its findings")
    found = reviewed_record(store, person_id, now=now)
    start, end = period(found.today) if period is not None else (None, None)
    return render_report(
        found.record,
        found.review,
        start=start,
        end=end,
        today=found.today,
        generated_at=now,
        progress=progress,
    )


def fhir_bundle(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    transaction: bool = False,
    history: bool = False,
) -> dict[str, Any]:
    """The whole record as a FHIR R4 Bundle (its findings as Flags).

    A ``collection``, or with ``transaction`` a ``transaction`` to load into a FHIR server
    (each resource a ``PUT`` of its stable id). Plans: the plan in force and the proposals
    waiting for a decision; ``history`` adds every version they replaced, with its status
    (then the bundle reads back as the exact record). Products are named by the packaged
    catalogue's RxNorm codes; each resource's identity is seeded by :func:`person_uuid`.
    The person's stored device sleep records go in too, as Observations apart from the
    diary's.
    """
    from taperline.adapters.fhir import export_bundle, transaction_bundle
    from taperline.catalogue_data import load_catalogue

    found = reviewed_record(store, person_id, now=now)
    catalogue = load_catalogue()
    products = {name.lower(): drug.products for name, drug in catalogue.drugs.items()}
    bundle = export_bundle(
        found.record,
        found.review.findings,
        generated_at=now,
        subject=f"urn:uuid:{person_uuid(store, person_id)}",
        products=products,
        history=history,
        device_sleep=store.device_sleep_records(person_id),
        device_preferred_source=store.device_sleep_settings(person_id).preferred_source,
    )
    return transaction_bundle(bundle) if transaction else bundle


#: The namespace of :func:`person_uuid` (a UUID5 of taperline's URL).
_PERSON_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, "https://taperline.example/person")


def person_uuid(store: Store, person_id: int) -> uuid.UUID:
    """The person's UUID, the same on every export and unlike any other installation's.

    A person's id alone repeats across installations (every database has a person 1), so
    two clinics' exports would give the same resource ids to different people. No column
    holds a UUID (and no migration adds one here), so it is derived from what the person's
    row already stores and never changes: its id and the moment it was created, to the
    microsecond (``persons.created_at_utc``). Two installations agree only if each created
    that same person id in the same microsecond. A record imported into another
    installation is a new row there, so it gets a new UUID.
    """
    created = store.person_created_at(person_id)
    return uuid.uuid5(_PERSON_NAMESPACE, f"{person_id}/{created.isoformat()}")


def calendar_file(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    checkin_clock: str = "08:00",
    refill_days_before: int = 5,
    alarm_minutes_before: int = 0,
) -> tuple[bytes, PlanVersion]:
    """Calendar reminders (iCalendar bytes) for the plan in force, and that plan.

    The readiness check of the cut in view goes with it, so a cut that asks the clinician
    is written as a question (:func:`taperline.adapters.ics.calendar_ics`). It is sequenced
    against what earlier exports and the subscription feed sent, and recorded
    (:func:`taperline.service.calendar.person_calendar`): a new export updates the events a
    calendar imported and cancels the ones that are gone. Which reminders and whether titles
    name the drug follow the person's reminder settings (``taperline calendar settings``).

    Raises:
        InputError: there is no plan in force.
    """
    from dataclasses import replace

    from taperline.service.calendar import person_calendar

    none = InputError("there is no approved plan yet (taperline plan approve ...)")
    if store.plan_in_force(person_id) is None:
        raise none
    # the person's kinds of reminder and titles, as the feed has them: the two share events
    settings = replace(
        store.reminder_settings(person_id),
        checkin_clock=checkin_clock,
        alarm_minutes_before=alarm_minutes_before,
    )
    made = person_calendar(
        store, person_id, now=now, settings=settings, refill_days_before=refill_days_before
    )
    if made.plan is None:  # the plans went meanwhile
        raise none
    return made.data, made.plan


def fhir_json(bundle: dict[str, Any]) -> str:
    """A bundle as the JSON text taperline writes (indented, UTF-8 kept, a final newline)."""
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
