"""A person who moves time zone, and where the store keeps their lines' moments
(tests/test_dose_zone_change.py, tests/test_sleep_zone_change.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Column, select

from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile

#: Where the person lived, and where they live now; and the moment the tests run at.
KATHMANDU: Final = "Asia/Kathmandu"
LONDON: Final = "Europe/London"
NOW: Final = datetime(2027, 11, 20, 9, tzinfo=UTC)
#: A FHIR resource or bundle as JSON.
Json = dict[str, Any]


def person(store: Store, time_zone: str) -> int:
    """A new person living in ``time_zone``."""
    return store.create_person(Profile(time_zone, "40-64"))


def move(store: Store, pid: int, time_zone: str) -> None:
    """The person's profile moved to ``time_zone`` (nothing else changed)."""
    store.update_profile(pid, replace(store.profile(pid), time_zone=time_zone))


def stored_moments(
    store: Store, pid: int, moment: Column[Any], order: Column[Any]
) -> list[tuple[datetime, str]]:
    """Each of the person's rows' UTC ``moment`` and the zone the row was logged in."""
    table = moment.table
    query = select(moment, table.c.time_zone).where(table.c.person_id == pid).order_by(order)
    with store.engine.connect() as c:
        return [(at.astimezone(UTC), name) for at, name in c.execute(query)]
