"""The version of a person's record: read cheaply, changed by every write of the record.

A record's *version* is the profile's write time and the revision counters of ``persons``,
which the database's triggers bump in every transaction that writes the person's journal
(migration 0003). Any write (from this process, another worker, the CLI or plain SQL)
changes it; the counter of each part (check-ins, doses, scores, plans) tells which parts of
a record read earlier to read again. The web app's dashboard cache
(:mod:`taperline.web.cache`) keeps dashboards by it. The version is read in the same query
as the viewer's session (:meth:`~taperline.adapters.storage.accounts.Accounts.session`), or
here for someone else's record.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, Final

from sqlalchemy import Engine, select

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction
from taperline.errors import NotFoundError

__all__ = [
    "VERSION_COLUMNS",
    "RecordVersion",
    "changed_parts",
    "record_version",
    "version_of",
]

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
