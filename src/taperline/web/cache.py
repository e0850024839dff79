"""A small per-process cache of dashboards, checked against the record on every request.

Building a dashboard reads the whole record and runs every finding (a few milliseconds for a
few weeks of journal). The cache keeps the last dashboard of each person, and the record it
was made from, with the record's *version*: the profile's write time and the revision
counters of ``persons``, which the database's triggers bump in every transaction that writes
the person's journal (migration 0003). Any write (from this process, another worker, the CLI
or plain SQL) changes the version, and so does a new day, so a stale dashboard is never
shown; the counter of each part (check-ins, doses, scores, plans) tells which parts of the
kept record to read again. The version is read in the same query as the viewer's session,
or here for someone else's record.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date
from typing import Any, Final, Generic, TypeVar

from sqlalchemy import Engine, select

from taperline.adapters.lru import LruCache
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction
from taperline.errors import NotFoundError

__all__ = [
    "VERSION_COLUMNS",
    "RecordVersion",
    "VersionedCache",
    "changed_parts",
    "record_version",
    "version_of",
]

_V = TypeVar("_V")
DEFAULT_SIZE: Final = 256  # dashboards with their records: about 0.2 MB per 60 days each

RecordVersion = tuple[Hashable, ...]

#: What a version is made of, in order: the person's creation and profile write times,
#: then the revisions.
VERSION_COLUMNS: Final = (
    t.persons.c.created_at_utc,
    t.persons.c.updated_at_utc,
    *(t.persons.c[name] for name in t.REVISION_COLUMNS),
)
# The record part each revision column after the first stands for, in order.
_PARTS: Final = ("checkins", "doses", "scores", "plans")
_EVERY_PART: Final = frozenset({"profile", *_PARTS})

_VERSION_QUERY: Final = select(t.persons.c.time_zone, *VERSION_COLUMNS).where(
    t.persons.c.id == t.PERSON_ID
)


def version_of(values: Sequence[Any]) -> RecordVersion:
    """The version made of a person row's :data:`VERSION_COLUMNS` values."""
    created_at, updated_at, *revisions = values
    return (created_at, updated_at, *(int(str(n)) for n in revisions))


def changed_parts(old: RecordVersion, new: RecordVersion) -> frozenset[str]:
    """The parts of the record written between two versions of it.

    Every part when the profile changed, or when the person was made anew (SQLite may give a
    deleted person's id to the next one, whose counters restart).
    """
    if old[:2] != new[:2]:
        return _EVERY_PART
    return frozenset(part for part, a, b in zip(_PARTS, old[3:], new[3:], strict=True) if a != b)


def record_version(engine: Engine, person_id: int) -> tuple[str, RecordVersion]:
    """The person's time zone and the version of their record (see the module docstring)."""
    with read_transaction(engine) as c:
        row = c.execute(_VERSION_QUERY, {"person_id": person_id}).first()
    if row is None:
        raise NotFoundError(f"person {person_id} not found")
    return str(row[0]), version_of(row[1:])


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

    def latest(self, person_id: int) -> tuple[RecordVersion, _V] | None:
        """The person's cached value and its version, whatever they are (or None)."""
        found = self._items.get(person_id)
        return None if found is None else (found[0], found[2])

    def put(self, person_id: int, version: RecordVersion, today: date, value: _V) -> None:
        """Keep ``value`` for this version and day."""
        self._items.put(person_id, (version, today, value))

    def __len__(self) -> int:
        return len(self._items)
