"""Sleep from devices and apps: imports as batches, records by identity, the person's choices.

An import adds only the records not already stored for the person (by
:attr:`~taperline.core.device_sleep.DeviceSleepRecord.key`), in one transaction with its
batch row; an import that adds nothing leaves no batch. Undoing a batch deletes its records
and keeps the batch, marked undone (so the person's list says what happened).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import _StoreBase
from taperline.errors import InputError, NotFoundError

if TYPE_CHECKING:  # the core's device-sleep model is loaded by what reads or writes it
    from taperline.core.device_sleep import DeviceSleepRecord, DeviceSleepSettings

__all__ = ["DeviceImport", "insert_device_batch"]

_BATCH: Final = 5000


@dataclass(frozen=True, slots=True)
class DeviceImport:
    """One import (a batch): what file, when, what it added, and when it was undone."""

    id: int
    person_id: int
    kind: str
    file_name: str
    file_sha256: str
    records_added: int
    records_already: int
    imported_at: datetime
    undone_at: datetime | None = None


def _import(row: Row[Any]) -> DeviceImport:
    return DeviceImport(
        row.id,
        row.person_id,
        row.kind,
        row.file_name,
        row.file_sha256,
        row.records_added,
        row.records_already,
        row.imported_at_utc,
        row.undone_at_utc,
    )


def _record(row: Row[Any]) -> DeviceSleepRecord:
    from taperline.core.device_sleep import DeviceSleepRecord

    return DeviceSleepRecord(
        row.source,
        row.device,
        row.stage,
        row.start_at_utc,
        row.end_at_utc,
        asleep_min=row.asleep_min,
        origin_id=row.origin_id,
    )


def _stored_keys(c: Connection, person_id: int) -> set[str]:
    table = t.device_sleep_records
    query = select(table.c.record_sha256).where(table.c.person_id == person_id)
    return set(c.execute(query).scalars())


def _new(records: Sequence[DeviceSleepRecord], known: set[str]) -> list[DeviceSleepRecord]:
    fresh: dict[str, DeviceSleepRecord] = {}
    for record in records:
        key = record.key
        if key not in known:
            fresh.setdefault(key, record)
    return list(fresh.values())


def insert_device_batch(
    c: Connection,
    person_id: int,
    records: Sequence[DeviceSleepRecord],
    *,
    kind: str,
    file_name: str,
    file_sha256: str,
    now: datetime,
    known: set[str],
) -> DeviceImport | None:
    """Insert the records not in ``known`` as one batch, in ``c``'s transaction (None: none)."""
    fresh = _new(records, known)
    if not fresh:
        return None
    row = c.execute(
        insert(t.device_sleep_imports)
        .values(
            person_id=person_id,
            kind=kind,
            file_name=file_name[:255],
            file_sha256=file_sha256,
            records_added=len(fresh),
            records_already=len(records) - len(fresh),
            imported_at_utc=now,
        )
        .returning(t.device_sleep_imports)
    ).one()
    for start in range(0, len(fresh), _BATCH):
        c.execute(
            insert(t.device_sleep_records),
            [
                {
                    "person_id": person_id,
                    "import_id": row.id,
                    "source": r.source,
                    "device": r.device,
                    "stage": r.stage,
                    "start_at_utc": r.start,
                    "end_at_utc": r.end,
                    "asleep_min": r.asleep_min,
                    "origin_id": r.origin_id,
                    "record_sha256": r.key,
                }
                for r in fresh[start : start + _BATCH]
            ],
        )
    return _import(row)


class _DeviceSleep(_StoreBase):
    """Device sleep: add an import, undo one, read the records, the imports and the choices."""

    def device_sleep_new(
        self, person_id: int, records: Sequence[DeviceSleepRecord]
    ) -> list[DeviceSleepRecord]:
        """The records of ``records`` not yet stored for the person (each once): a dry run."""
        with self._read() as c:
            self._zone_of(c, person_id)
            return _new(records, _stored_keys(c, person_id))

    def add_device_sleep(
        self,
        person_id: int,
        records: Sequence[DeviceSleepRecord],
        *,
        kind: str,
        file_name: str,
        file_sha256: str,
        now: datetime,
    ) -> DeviceImport | None:
        """Store the new records as one batch (None: every record was already there)."""
        with self._write() as c:
            self._zone_of(c, person_id)
            return insert_device_batch(
                c,
                person_id,
                records,
                kind=kind,
                file_name=file_name,
                file_sha256=file_sha256,
                now=now,
                known=_stored_keys(c, person_id),
            )

    def undo_device_sleep_import(
        self, person_id: int, import_id: int, now: datetime
    ) -> DeviceImport:
        """Delete a batch's records and mark it undone (an import of another person: not found)."""
        imports = t.device_sleep_imports
        with self._write() as c:
            found = c.execute(
                select(imports).where(imports.c.id == import_id, imports.c.person_id == person_id)
            ).first()
            if found is None:
                raise NotFoundError(f"import {import_id} not found")
            if found.undone_at_utc is not None:
                raise InputError(f"import {import_id} was already undone")
            c.execute(
                delete(t.device_sleep_records).where(
                    t.device_sleep_records.c.import_id == import_id
                )
            )
            row = c.execute(
                update(imports)
                .where(imports.c.id == import_id)
                .values(undone_at_utc=now)
                .returning(imports)
            ).one()
            return _import(row)

    def device_sleep_records(
        self, person_id: int, *, since: datetime | None = None
    ) -> list[DeviceSleepRecord]:
        """The person's stored records (from ``since`` on), in order of start."""
        table = t.device_sleep_records
        query = select(table).where(table.c.person_id == person_id)
        if since is not None:
            query = query.where(table.c.start_at_utc >= since)
        with self._read() as c:
            rows = c.execute(query.order_by(table.c.start_at_utc, table.c.id))
            return [_record(row) for row in rows]

    def device_sleep_sources(self, person_id: int) -> dict[str, int]:
        """How many records each source has stored for the person (the device worn most)."""
        table = t.device_sleep_records
        query = (
            select(table.c.source, func.count())
            .where(table.c.person_id == person_id)
            .group_by(table.c.source)
        )
        with self._read() as c:
            return {str(source): int(count) for source, count in c.execute(query)}

    def device_sleep_imports(self, person_id: int) -> list[DeviceImport]:
        """The person's imports, newest first."""
        table = t.device_sleep_imports
        query = select(table).where(table.c.person_id == person_id).order_by(table.c.id.desc())
        with self._read() as c:
            return [_import(row) for row in c.execute(query)]

    def device_sleep_settings(self, person_id: int) -> DeviceSleepSettings:
        """The person's preferred source and the findings switch (defaults without a row)."""
        table = t.device_sleep_settings
        with self._read() as c:
            row = c.execute(select(table).where(table.c.person_id == person_id)).first()
        from taperline.core.device_sleep_settings import DeviceSleepSettings

        if row is None:
            return DeviceSleepSettings()
        return DeviceSleepSettings(row.preferred_source, in_findings=row.in_findings)

    def save_device_sleep_settings(
        self, person_id: int, settings: DeviceSleepSettings, *, by: str, now: datetime
    ) -> DeviceSleepSettings:
        """Replace the person's device sleep settings (``by``: who changed them)."""
        table = t.device_sleep_settings
        values = {
            "preferred_source": settings.preferred_source,
            "in_findings": settings.in_findings,
            "updated_by": by[:200],
            "updated_at_utc": now,
        }
        with self._write() as c:
            self._zone_of(c, person_id)
            changed = c.execute(
                update(table).where(table.c.person_id == person_id).values(**values)
            ).rowcount
            if not changed:
                c.execute(insert(table).values(person_id=person_id, **values))
        return settings
