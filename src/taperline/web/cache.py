"""A small per-process cache of dashboards, checked against the record on every request.

Building a dashboard reads the whole record and runs every finding (a few milliseconds for a
few weeks of journal). The cache keeps the last dashboard of each person with the record's
*version*: the profile's write time and ``persons.revision``, a counter the database's
triggers bump in every transaction that writes the person's journal (migration 0003). Any
write (from this process, another worker, the CLI or plain SQL) changes it, and so does a
new day, so a stale dashboard is never shown. The version is read in the same query as the
viewer's session, or here for someone else's record.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import Final, Generic, TypeVar

from sqlalchemy import Engine, select

from taperline.adapters.lru import LruCache
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction
from taperline.errors import NotFoundError

__all__ = ["RecordVersion", "VersionedCache", "record_version"]

_V = TypeVar("_V")
DEFAULT_SIZE: Final = 512

RecordVersion = tuple[Hashable, ...]

_VERSION_QUERY: Final = select(
    t.persons.c.time_zone, t.persons.c.updated_at_utc, t.persons.c.revision
).where(t.persons.c.id == t.PERSON_ID)


def version_of(updated_at: object, revision: object) -> RecordVersion:
    """The version made of a person row's write time and revision."""
    return (updated_at, int(str(revision)))


def record_version(engine: Engine, person_id: int) -> tuple[str, RecordVersion]:
    """The person's time zone and the version of their record (see the module docstring)."""
    with read_transaction(engine) as c:
        row = c.execute(_VERSION_QUERY, {"person_id": person_id}).first()
    if row is None:
        raise NotFoundError(f"person {person_id} not found")
    return str(row[0]), version_of(row[1], row[2])


class VersionedCache(Generic[_V]):
    """Values by person, valid for one record version and one day; least recently used go."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._items: LruCache[int, tuple[RecordVersion, date, _V]] = LruCache(size)

    def get(self, person_id: int, version: RecordVersion, today: date) -> _V | None:
        """The cached value when it was made from this version on this day."""
        found = self._items.get(person_id)
        if found is None or found[0] != version or found[1] != today:
            return None
        return found[2]

    def put(self, person_id: int, version: RecordVersion, today: date, value: _V) -> None:
        """Keep ``value`` for this version and day."""
        self._items.put(person_id, (version, today, value))

    def __len__(self) -> int:
        return len(self._items)
