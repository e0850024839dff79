"""Opening the store and the person's today: what every use case starts from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from taperline.adapters.storage.repo import Store, zone
from taperline.core.record import PersonRecord
from taperline.core.review import Review, review
from taperline.errors import InputError

__all__ = [
    "Reviewed",
    "local_now",
    "local_today",
    "open_store",
    "person_review",
    "review_as_of",
    "reviewed_record",
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
    """Read the record, work out the person's today in their time zone, and review it."""
    record = store.record(person_id)
    today = local_today(record.profile.time_zone, now)
    return Reviewed(record, today, review_as_of(record, today))


def review_as_of(record: PersonRecord, today: date) -> Review:
    """The core's review of ``record`` on ``today``, with the packaged drug catalogue.

    The catalogue gives each drug's daily maximum, so a day above it is an urgent finding
    (``large_dose``) on every page and command that shows findings; the core reads no file.
    """
    from taperline.catalogue_data import load_catalogue

    return review(record, today, catalogue=load_catalogue())


def person_review(store: Store, person_id: int, *, now: datetime) -> Review:
    """All findings on the person's record as of their today."""
    return reviewed_record(store, person_id, now=now).review
