"""A small per-process cache of dashboards, checked against the record on every request.

Building a dashboard reads the whole record and runs every finding (about 10 ms for a few
weeks of journal). The cache keeps the last dashboard of each person with the record's
*version*: for each journal table the number of the person's rows, their highest id and
their latest write time, plus the profile's. One small query reads the version; any write
(an insert, an edit, a delete, from this process, another worker or the CLI) changes it, and
so does a new day, so a stale dashboard is never shown.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import Column, Engine, Table, func, select
from sqlalchemy.sql.selectable import ScalarSelect

from taperline.adapters.lru import LruCache
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction
from taperline.errors import NotFoundError

__all__ = ["RecordVersion", "VersionedCache", "record_version"]

_V = TypeVar("_V")
DEFAULT_SIZE: Final = 512

RecordVersion = tuple[Hashable, ...]


def _table_version(table: Table, written: Column[Any]) -> list[ScalarSelect[Any]]:
    where = table.c.person_id == t.PERSON_ID
    return [
        select(func.count()).select_from(table).where(where).scalar_subquery(),
        select(func.max(table.c.id)).where(where).scalar_subquery(),
        select(func.max(written)).where(where).scalar_subquery(),
    ]


# Built once: making this statement (and its cache key) costs more than running it.
_VERSION_QUERY: Final = select(
    t.persons.c.time_zone,
    t.persons.c.updated_at_utc,
    *_table_version(t.checkins, t.checkins.c.updated_at_utc),
    *_table_version(t.dose_log, t.dose_log.c.created_at_utc),
    *_table_version(t.instrument_scores, t.instrument_scores.c.created_at_utc),
    *_table_version(t.plan_versions, t.plan_versions.c.created_at_utc),
).where(t.persons.c.id == t.PERSON_ID)


def record_version(engine: Engine, person_id: int) -> tuple[str, RecordVersion]:
    """The person's time zone and the version of their record (see the module docstring)."""
    with read_transaction(engine) as c:
        row = c.execute(_VERSION_QUERY, {"person_id": person_id}).first()
    if row is None:
        raise NotFoundError(f"person {person_id} not found")
    return str(row[0]), tuple(str(value) for value in row[1:])


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
