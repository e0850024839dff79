"""The daily check-ins (the sleep diary and how the day went)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from sqlalchemy import Text, bindparam, cast, delete, insert, select, update
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
    with_clock_shift,
    write_audit,
)
from taperline.core.journal import CheckIn
from taperline.errors import ConflictError, InputError, NotFoundError
from taperline.zones import known_zone, zone

_SLEEP_TIMES: Final = ("bed", "tried", "final_wake", "out_of_bed")
_CHECKIN_ON: Final = select(t.checkins.c.id).where(
    t.checkins.c.person_id == t.PERSON_ID, t.checkins.c.wake_date == bindparam("wake_date")
)
_CHECKIN_INSERT: Final = insert(t.checkins).returning(t.checkins.c.id)
_CHECKIN_UPDATE: Final = update(t.checkins).where(t.checkins.c.id == bindparam("row_id"))
# JSON columns read as their text: a few distinct values repeat down a journal, so the
# decoder parses each text once per load instead of the driver parsing every row.
_AS_TEXT: Final = frozenset({"symptoms_0_3", "events"})
#: The check-in columns :meth:`_Decoder.checkin` reads, in its order (the last, the
#: person's zone, takes the query's ``person_id``).
CHECKIN_COLUMNS: Final = (
    *(
        cast(t.checkins.c[name], Text).label(name) if name in _AS_TEXT else t.checkins.c[name]
        for name in (
            "wake_date",
            "time_zone",
            "bed_at_utc",
            "tried_at_utc",
            "final_wake_at_utc",
            "out_of_bed_at_utc",
            "sol_min",
            "waso_min",
            "awakenings",
            "sleep_quality_1_5",
            "mood_0_10",
            "anxiety_0_10",
            "symptoms_0_3",
            "worst_time",
            "caffeine_drinks",
            "alcohol_drinks",
            "opioid_use",
            "events",
            "notes",
            "sleep_copied_from",
            "symptoms_copied_from",
            "sleep_reported_min",
            "symptoms_rated",
            "substances_asked",
        )
    ),
    PERSON_ZONE,
)
_CHECKINS_BETWEEN: Final = (
    select(*CHECKIN_COLUMNS)
    .where(t.checkins.c.person_id == t.PERSON_ID, t.checkins.c.wake_date.between(_START, _END))
    .order_by(t.checkins.c.wake_date)
)


def checkin_row(checkin: CheckIn, time_zone: str) -> dict[str, Any]:
    """The columns of a check-in of a person whose zone is ``time_zone``.

    Doses are not part of it: they go to the dose log. A night with a zone of its own
    (logged before the person moved) is kept in that zone; its name must be one the zone
    database gives as it is (:func:`known_zone`: a zone a night was logged in, EST too), so
    that it reads back the same.
    """
    own = checkin.sleep.time_zone if checkin.sleep is not None else None
    if own is not None:
        if known_zone(own) != own:
            raise InputError(
                f"time_zone {own!r} is not written as the zone database writes it"
                f" ({known_zone(own)})"
            )
        time_zone = own
    tz = zone(time_zone)
    sleep = with_clock_shift(checkin, tz).sleep  # refuses a night too short once shifted
    row: dict[str, Any] = {
        "wake_date": checkin.wake_date,
        "time_zone": time_zone,
        "mood_0_10": checkin.mood,
        "anxiety_0_10": checkin.anxiety,
        "symptoms_0_3": {k: v for k, v in checkin.symptoms.items() if v},
        "worst_time": checkin.worst_time,
        "caffeine_drinks": checkin.caffeine_drinks,
        "alcohol_drinks": checkin.alcohol_drinks,
        "opioid_use": checkin.opioid_use,
        "events": sorted(checkin.events),
        "notes": checkin.notes,
        "sleep_copied_from": checkin.sleep_copied_from,
        "symptoms_copied_from": checkin.symptoms_copied_from,
        "symptoms_rated": checkin.symptoms_rated,
        "substances_asked": checkin.substances_asked,
    }
    for name in _SLEEP_TIMES:
        value = getattr(sleep, name) if sleep else None
        row[f"{name}_at_utc"] = to_utc(value, tz, name) if value else None
    row["sol_min"] = sleep.sol_min if sleep else None
    row["waso_min"] = sleep.waso_min if sleep else None
    row["awakenings"] = sleep.awakenings if sleep else None
    reported = checkin.reported_sleep
    row["sleep_reported_min"] = reported.asleep_min if reported else None
    quality = sleep.quality if sleep else reported.quality if reported else None
    row["sleep_quality_1_5"] = quality
    return row


class _CheckIns(_StoreBase):
    """Check-ins: save (idempotent, or an edit), import, read and delete."""

    def save_checkin(
        self,
        person_id: int,
        checkin: CheckIn,
        *,
        idempotency_key: str | None = None,
        replace: bool = False,
        audit: Mapping[str, Any] | None = None,
    ) -> Saved:
        """Store a day's check-in; ``replace`` overwrites the same day's (an edit).

        A repeated ``idempotency_key`` returns the first write and writes nothing. Without
        ``replace``, a second check-in for a day is refused (edit it instead). ``audit`` is
        an ``audit_log`` row written in the same transaction when the check-in is written.
        """
        _check_key(idempotency_key)
        table = t.checkins
        try:
            with self._write() as c:
                earlier = _by_key(c, table, person_id, idempotency_key)
                if earlier is not None:
                    return Saved(earlier, created=False)
                row = checkin_row(checkin, self._zone_of(c, person_id))
                now = _now()
                same_day = c.execute(
                    _CHECKIN_ON, {"person_id": person_id, "wake_date": checkin.wake_date}
                ).scalar()
                if same_day is not None and idempotency_key is not None:
                    # A twin submit with this key may have committed since the lookup above.
                    twin = _by_key(c, table, person_id, idempotency_key)
                    if twin is not None:
                        return Saved(twin, created=False)
                if same_day is not None and not replace:
                    raise ConflictError(
                        f"there is already a check-in for {checkin.wake_date.isoformat()};"
                        " edit it instead"
                    )
                if audit is not None:
                    write_audit(c, audit)
                if same_day is not None:
                    c.execute(_CHECKIN_UPDATE, {**row, "updated_at_utc": now, "row_id": same_day})
                    return Saved(int(same_day), created=False)
                new = c.execute(
                    _CHECKIN_INSERT,
                    {
                        **row,
                        "person_id": person_id,
                        "idempotency_key": idempotency_key,
                        "created_at_utc": now,
                        "updated_at_utc": now,
                    },
                ).scalar_one()
                return Saved(int(new), created=True)
        except IntegrityError:
            won = self._race_winner(table, person_id, idempotency_key)
            if won is None:
                raise ConflictError(
                    f"there is already a check-in for {checkin.wake_date.isoformat()}"
                ) from None
            return won

    def import_checkins(self, person_id: int, checkins: Sequence[CheckIn]) -> int:
        """Store many check-ins in one transaction (all or nothing); returns how many."""
        if not checkins:
            return 0
        now = _now()
        with self._write() as c:
            time_zone = self._zone_of(c, person_id)
            rows = [
                {
                    **checkin_row(ci, time_zone),
                    "person_id": person_id,
                    "idempotency_key": None,
                    "created_at_utc": now,
                    "updated_at_utc": now,
                }
                for ci in checkins
            ]
            try:
                c.execute(insert(t.checkins), rows)
            except IntegrityError:
                raise ConflictError(
                    "some of these days already have a check-in; nothing was imported"
                ) from None
        return len(rows)

    def checkin(self, person_id: int, day: date) -> CheckIn:
        """The check-in of ``day``."""
        with self._read() as c:
            row = c.execute(
                select(*CHECKIN_COLUMNS).where(
                    t.checkins.c.person_id == t.PERSON_ID, t.checkins.c.wake_date == day
                ),
                {"person_id": person_id},
            ).first()
        if row is None:
            raise NotFoundError(f"no check-in for {day.isoformat()}")
        return _Decoder().checkin(row)

    def checkins(
        self, person_id: int, start: date | None = None, end: date | None = None
    ) -> list[CheckIn]:
        """Check-ins from ``start`` to ``end`` (inclusive), by date."""
        decode = _Decoder()
        with self._read() as c:
            return [
                decode.checkin(r)
                for r in c.execute(_CHECKINS_BETWEEN, _span(person_id, start, end)).fetchall()
            ]

    def delete_checkin(
        self, person_id: int, day: date, *, audit: Mapping[str, Any] | None = None
    ) -> None:
        """Remove the check-in of ``day`` (and write ``audit``, an ``audit_log`` row, with it)."""
        with self._write() as c:
            done = c.execute(
                delete(t.checkins).where(
                    t.checkins.c.person_id == person_id, t.checkins.c.wake_date == day
                )
            )
            if done.rowcount != 1:
                raise NotFoundError(f"no check-in for {day.isoformat()}")
            if audit is not None:
                write_audit(c, audit)
