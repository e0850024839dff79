"""Opening the store and the person's today: what every use case starts from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from taperline.adapters.storage.repo import Store, zone
from taperline.core.record import PersonRecord, PlanVersion
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.device_sleep import DeviceNight
    from taperline.core.findings import Finding
    from taperline.core.readiness import ClinicianDecision
    from taperline.core.review import Review

__all__ = [
    "Reviewed",
    "decision_moments",
    "findings_device_nights",
    "local_now",
    "local_today",
    "open_store",
    "person_review",
    "plan_decision",
    "plan_decisions",
    "review_as_of",
    "reviewed_record",
    "sleep_window_findings",
]


def open_store(
    url: str, *, migrate_schema: bool = True, announce: Callable[[], None] | None = None
) -> Store:
    """A store on ``url``, migrated to the newest schema first (the default).

    The migration runs only when the database's stored revision is not the code's (one
    query otherwise); ``announce`` is called first when it upgrades a database that already
    has a schema (the CLI says so; a new database is made without a word).
    """
    from taperline.adapters.storage.db import head_revision, make_engine, migrate, stored_revision

    engine = make_engine(url)
    stored = stored_revision(engine) if migrate_schema else None
    if migrate_schema and (head_revision() is None or stored != head_revision()):
        if announce is not None and stored is not None:
            announce()
        migrate(engine)
    return Store(engine)


def local_today(time_zone: str, now: datetime) -> date:
    """The date it is now in ``time_zone`` (``now`` must be timezone-aware)."""
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware")
    return now.astimezone(zone(time_zone)).date()


def local_now(time_zone: str, now: datetime) -> datetime:
    """The wall-clock time it is now in ``time_zone``, to the minute (naive, as logs keep it)."""
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware")
    local = now.astimezone(zone(time_zone)).replace(tzinfo=None)
    return local.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Reviewed:
    """A person's record as read now, their today, and its review as of that day."""

    record: PersonRecord
    today: date
    review: Review


def reviewed_record(store: Store, person_id: int, *, now: datetime) -> Reviewed:
    """Read the record, work out the person's today in their time zone, and review it.

    Beside the taper's findings: a sleep window still set though the health conditions now
    contraindicate it (:func:`~taperline.core.sleep_course.withdrawal_finding`), for the
    clinician.
    """
    record = store.record(person_id)
    today = local_today(record.profile.time_zone, now)
    device = findings_device_nights(store, person_id, record.profile.time_zone, today)
    result = review_as_of(record, today, device)
    extra = sleep_window_findings(store, person_id, record, today)
    if extra:
        from taperline.core.review import with_findings

        result = with_findings(result, extra)
    return Reviewed(record, today, result)


def sleep_window_findings(
    store: Store,
    person_id: int,
    record: PersonRecord,
    today: date,
    *,
    conditions_first: bool = False,
) -> tuple[Finding, ...]:
    """A sleep window withdrawn by a contraindication named since it was set (or none).

    Beside the taper's review (:func:`reviewed_record`, the dashboard). By default the
    course is read first (a read command without one never loads the sleep course's model);
    ``conditions_first`` reads the profile's conditions first (the web app has the model
    loaded: no query for a person whose conditions contraindicate nothing).
    """
    if conditions_first:
        from taperline.core.sleep_course import contraindications_in

        if not contraindications_in(record.profile.conditions):
            return ()
    weeks = store.sleep_windows(person_id)
    if not weeks:  # no course: its model is not loaded (a read command loads only its own)
        return ()
    from taperline.core.sleep_course import contraindications_in, withdrawal_finding

    found = withdrawal_finding(weeks[-1], contraindications_in(record.profile.conditions), today)
    return (found,) if found is not None else ()


def findings_device_nights(
    store: Store, person_id: int, time_zone: str, today: date
) -> tuple[DeviceNight, ...]:
    """The device nights the findings read: none unless the clinician's switch is on.

    With the switch on (``DeviceSleepSettings.in_findings``), every stored night up to
    ``today``, one source a night as every view chooses it (the preferred source, then how
    much each source recorded); off (the default), nothing is read and the review is the
    diary's alone.
    """
    settings = store.device_sleep_settings(person_id)
    if not settings.in_findings:
        return ()
    from taperline.core.device_sleep import device_nights

    nights = device_nights(
        store.device_sleep_records(person_id),
        zone(time_zone),
        preferred_source=settings.preferred_source,
        worn=store.device_sleep_sources(person_id),
    )
    return tuple(n for n in nights if n.wake_date <= today)


def review_as_of(
    record: PersonRecord, today: date, device_nights: Sequence[DeviceNight] = ()
) -> Review:
    """The core's review of ``record`` on ``today``, with the packaged drug catalogue.

    The catalogue gives each drug's daily maximum, so a day above it is an urgent finding
    (``large_dose``) on every page and command that shows findings; the core reads no file.
    ``device_nights``: :func:`findings_device_nights` (none unless the clinician's switch is on).
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.readiness import held_days
    from taperline.core.review import review  # the findings' rules: for a review only

    decisions = plan_decisions(record)
    # While the readiness check holds a cut (and until a clinician answers), the patient is
    # told to stay on the dose before it: those days are not "more taken than planned". The
    # check reads the review's findings without held days: the review gives them to it and
    # compares with the days it finds (nothing found twice).
    return review(
        record,
        today,
        catalogue=load_catalogue(),
        device_nights=device_nights,
        held_days=lambda findings: held_days(record, today, findings, decisions),
    )


def plan_decisions(record: PersonRecord) -> tuple[ClinicianDecision, ...]:
    """Every clinician's decision on a version of the plan that was in force, by day.

    Approvals, go-aheads, holds and resumes: what answers a held cut is the first of them
    made once its readiness window opened (:func:`taperline.core.readiness.held_days`).
    """
    return tuple(decision for decision, _at in decision_moments(record))


def decision_moments(record: PersonRecord) -> tuple[tuple[ClinicianDecision, datetime], ...]:
    """:func:`plan_decisions`, each with when it was made (the person's wall clock).

    Naive and to the minute: a decision made at 14:05 was not made before a dose taken at
    14:05.
    """
    zone_name = record.profile.time_zone
    found = (
        (decision, local_now(zone_name, version.decided_at))
        for version in record.plans
        if version.status in {"active", "held"} and version.decided_at is not None
        for decision in (plan_decision(version, zone_name),)
        if decision is not None
    )
    return tuple(sorted(found, key=lambda pair: pair[1]))


def plan_decision(plan: PlanVersion | None, time_zone: str) -> ClinicianDecision | None:
    """Who decided on ``plan`` and on which of the person's days (None: not decided)."""
    from taperline.core.readiness import ClinicianDecision

    if plan is None or plan.decided_by is None or plan.decided_at is None:
        return None
    return ClinicianDecision(plan.decided_by, local_today(time_zone, plan.decided_at), plan.reason)


def person_review(store: Store, person_id: int, *, now: datetime) -> Review:
    """All findings on the person's record as of their today."""
    return reviewed_record(store, person_id, now=now).review
