"""The dose log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import (
    _END,
    _START,
    PERSON_ZONE,
    Saved,
    _by_key,
    _check_key,
    _Decoder,
    _now,
    _span,
    _StoreBase,
    to_utc,
    write_audit,
)
from taperline.core.record import DoseRecord
from taperline.errors import InputError, NotFoundError
from taperline.zones import known_zone, zone

#: The dose-log columns :meth:`_Decoder.dose` reads, in its order (the last, the person's
#: zone, takes the query's ``person_id``).
DOSE_COLUMNS: Final = (
    *(
        t.dose_log.c[name]
        for name in (
            "day",
            "drug",
            "planned_clock",
            "planned_amount_mg",
            "taken_at_utc",
            "amount_mg",
            "time_zone",
            "units",
            "note",
            "cut_checked",
            "stay_on_before",
        )
    ),
    PERSON_ZONE,
)
_DOSES_BETWEEN: Final = (
    select(*DOSE_COLUMNS)
    .where(t.dose_log.c.person_id == t.PERSON_ID, t.dose_log.c.day.between(_START, _END))
    .order_by(t.dose_log.c.day, t.dose_log.c.id)
)


def _dose_row(record: DoseRecord, time_zone: str) -> dict[str, Any]:
    """The row of a dose-log line of a person whose zone is ``time_zone``.

    A line with a zone of its own (logged before the person moved) is kept in that zone;
    its name must be one the zone database gives as it is (:func:`known_zone`: a zone a line
    was logged in, EST too, not only one a person may give now), so that it reads back the
    same.
    """
    if record.time_zone is not None:
        if known_zone(record.time_zone) != record.time_zone:
            raise InputError(
                f"time_zone {record.time_zone!r} is not written as the zone database writes"
                f" it ({known_zone(record.time_zone)})"
            )
        time_zone = record.time_zone
    tz = zone(time_zone)
    return {
        "day": record.day,
        "drug": record.drug,
        "planned_clock": record.planned_clock,
        "planned_amount_mg": record.planned_amount.mg if record.planned_amount else None,
        "taken_at_utc": to_utc(record.taken_at, tz, "taken_at") if record.taken_at else None,
        "amount_mg": record.amount.mg if record.amount else None,
        "time_zone": time_zone,
        "units": record.units,
        "note": record.note,
        "cut_checked": record.cut_checked,
        "stay_on_before": record.stay_on_before,
    }


class _DoseLog(_StoreBase):
    """The dose log: log a dose (idempotent), import, read."""

    def log_dose(
        self,
        person_id: int,
        record: DoseRecord,
        *,
        idempotency_key: str | None = None,
        audit: Mapping[str, Any] | None = None,
    ) -> Saved:
        """Add a line to the dose log (``audit``, an ``audit_log`` row, written with it)."""
        _check_key(idempotency_key)
        try:
            with self._write() as c:
                earlier = _by_key(c, t.dose_log, person_id, idempotency_key)
                if earlier is not None:
                    return Saved(earlier, created=False)
                row = _dose_row(record, self._zone_of(c, person_id))
                new = c.execute(
                    insert(t.dose_log)
                    .values(
                        **row,
                        person_id=person_id,
                        idempotency_key=idempotency_key,
                        created_at_utc=_now(),
                    )
                    .returning(t.dose_log.c.id)
                ).scalar_one()
                if audit is not None:
                    write_audit(c, audit)
                return Saved(int(new), created=True)
        except IntegrityError:
            won = self._race_winner(t.dose_log, person_id, idempotency_key)
            if won is None:
                raise
            return won

    def delete_dose(
        self,
        person_id: int,
        day: date,
        *,
        planned_clock: str | None,
        taken_at: datetime | None = None,
        audit: Mapping[str, Any] | None = None,
    ) -> DoseRecord:
        """Remove one dose-log line of ``day`` and return it (``audit`` written with it).

        A planned dose is named by ``planned_clock``; an extra one (``planned_clock`` None) by
        when it was taken (local wall clock, to the minute). The latest such line goes.

        Raises:
            NotFoundError: no such line.
        """
        table = t.dose_log
        decode = _Decoder()
        with self._write() as c:
            rows = c.execute(
                select(table.c.id, *DOSE_COLUMNS)
                .where(table.c.person_id == t.PERSON_ID, table.c.day == day)
                .order_by(table.c.id.desc()),
                {"person_id": person_id},
            ).all()
            for row in rows:
                record = decode.dose(row[1:])
                same_time = (
                    record.taken_at is not None
                    and taken_at is not None
                    and (
                        record.taken_at.replace(second=0, microsecond=0)
                        == taken_at.replace(second=0, microsecond=0)
                    )
                )
                if record.planned_clock == planned_clock and (planned_clock or same_time):
                    c.execute(delete(table).where(table.c.id == row[0]))
                    if audit is not None:
                        write_audit(c, audit)
                    return record
        what = f"the {planned_clock} dose" if planned_clock else "an extra dose at that time"
        raise NotFoundError(f"no dose-log line for {what} on {day.isoformat()}")

    def dose_by_key(self, person_id: int, idempotency_key: str) -> DoseRecord | None:
        """The dose-log line written with ``idempotency_key``, if any (for a retried submit)."""
        table = t.dose_log
        query = select(*DOSE_COLUMNS).where(
            table.c.person_id == t.PERSON_ID, table.c.idempotency_key == idempotency_key
        )
        with self._read() as c:
            row = c.execute(query, {"person_id": person_id}).first()
        return None if row is None else _Decoder().dose(row)

    def import_doses(self, person_id: int, records: Sequence[DoseRecord]) -> int:
        """Add many dose-log lines in one transaction; returns how many."""
        if not records:
            return 0
        now = _now()
        with self._write() as c:
            time_zone = self._zone_of(c, person_id)
            rows = [
                {**_dose_row(r, time_zone), "person_id": person_id, "created_at_utc": now}
                for r in records
            ]
            c.execute(insert(t.dose_log), rows)
        return len(rows)

    def doses(
        self, person_id: int, start: date | None = None, end: date | None = None
    ) -> list[DoseRecord]:
        """Dose-log lines from ``start`` to ``end`` (inclusive), in order."""
        decode = _Decoder()
        with self._read() as c:
            rows = c.execute(_DOSES_BETWEEN, _span(person_id, start, end))
            return [decode.dose(row) for row in rows]
