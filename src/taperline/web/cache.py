"""A small per-process cache of dashboards, checked against the record on every request.

Building a dashboard reads the whole record and runs every finding (a few milliseconds for a
few weeks of journal). The cache keeps the last dashboard of each person, and the record it
was made from, with the record's version
(:mod:`taperline.adapters.storage.record_version`), which every write of the record changes
(from this process, another worker, the CLI or plain SQL). A new day also makes a cached
dashboard stale, so a stale dashboard is never shown; the parts that changed between two
versions tell which parts of the kept record to read again, and the rows kept with it which
rows of those parts to decode again.
"""

from __future__ import annotations

from datetime import date
from typing import Final, Generic, TypeVar

from taperline.adapters.lru import LruCache
from taperline.adapters.storage.record_version import RecordVersion

__all__ = ["VersionedCache"]

_V = TypeVar("_V")
#: Dashboards with their records and the records' rows (a year of journal: the record about
#: 0.3 MB, its rows 0.35 MB, by tracemalloc; about 0.2 MB per 60 days before the rows were kept)
DEFAULT_SIZE: Final = 256


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
