"""Opening the store and the person's today: what every use case starts from."""

from __future__ import annotations

from datetime import date, datetime

from taperline.adapters.storage.repo import Store, zone
from taperline.core.review import Review, review
from taperline.errors import InputError

__all__ = ["local_today", "open_store", "person_review"]


def open_store(url: str, *, migrate_schema: bool = True) -> Store:
    """A store on ``url``, migrated to the newest schema first (the default)."""
    from taperline.adapters.storage.db import make_engine, migrate

    engine = make_engine(url)
    if migrate_schema:
        migrate(engine)
    return Store(engine)


def local_today(time_zone: str, now: datetime) -> date:
    """The date it is now in ``time_zone`` (``now`` must be timezone-aware)."""
    if now.tzinfo is None:
        raise InputError("now must be timezone-aware")
    return now.astimezone(zone(time_zone)).date()


def person_review(store: Store, person_id: int, *, now: datetime) -> Review:
    """All findings on the person's record as of their today."""
    record = store.record(person_id)
    return review(record, local_today(record.profile.time_zone, now))
