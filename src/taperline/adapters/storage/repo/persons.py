"""A person and their profile."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Row, delete, insert, null, select, update

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import _now, _StoreBase
from taperline.core.record import Profile, Regimen
from taperline.errors import NotFoundError
from taperline.zones import check_zone

_PERSON_ROW: Final = select(
    *(column for column in t.persons.c if column.name not in t.REVISION_COLUMNS)  # not before 0003
).where(t.persons.c.id == t.PERSON_ID)


def _profile_row(profile: Profile) -> dict[str, Any]:
    return {
        "label": profile.label,
        "time_zone": check_zone(profile.time_zone),
        "age_band": profile.age_band,
        "conditions": list(profile.conditions),
        "other_medicines": list(profile.other_medicines),
        "regimen": profile.regimen.to_json() if profile.regimen is not None else null(),
    }


def _profile(row: Row[Any]) -> Profile:
    return Profile(
        row.time_zone,
        row.age_band,
        tuple(row.conditions),
        tuple(row.other_medicines),
        row.label,
        Regimen.from_json(row.regimen) if row.regimen is not None else None,
    )


class _Persons(_StoreBase):
    """Persons: create, read, update and delete a person and their profile."""

    def create_person(self, profile: Profile, *, at: datetime | None = None) -> int:
        """Store a new person; returns the id."""
        now = at or _now()
        with self._write() as c:
            row = {**_profile_row(profile), "created_at_utc": now, "updated_at_utc": now}
            return int(
                c.execute(insert(t.persons).values(row).returning(t.persons.c.id)).scalar_one()
            )

    def update_profile(self, person_id: int, profile: Profile) -> None:
        """Replace a person's profile."""
        with self._write() as c:
            values = {**_profile_row(profile), "updated_at_utc": _now()}
            done = c.execute(update(t.persons).where(t.persons.c.id == person_id).values(values))
            if done.rowcount != 1:
                raise NotFoundError(f"person {person_id} not found")

    def profile(self, person_id: int) -> Profile:
        """A person's profile."""
        with self._read() as c:
            row = c.execute(_PERSON_ROW, {"person_id": person_id}).first()
        if row is None:
            raise NotFoundError(f"person {person_id} not found")
        return _profile(row)

    def person_created_at(self, person_id: int) -> datetime:
        """When the person's row was created (UTC, to the microsecond; never changed)."""
        query = select(t.persons.c.created_at_utc).where(t.persons.c.id == person_id)
        with self._read() as c:
            found: datetime | None = c.execute(query).scalar()
        if found is None:
            raise NotFoundError(f"person {person_id} not found")
        return found

    def person_ids(self) -> list[int]:
        """Every person's id, oldest first."""
        with self._read() as c:
            return list(c.execute(select(t.persons.c.id).order_by(t.persons.c.id)).scalars())

    def delete_person(self, person_id: int) -> None:
        """Remove a person and every row of theirs (foreign keys cascade)."""
        with self._write() as c:
            for table in (t.plan_versions, t.instrument_scores, t.dose_log, t.checkins):
                c.execute(delete(table).where(table.c.person_id == person_id))
            c.execute(delete(t.persons).where(t.persons.c.id == person_id))
