"""What the parts of the store share: transactions, time zones, keys, the row decoder.

Wall-clock times are converted with the person's time zone to UTC on the way in and back on
the way out; a time that does not exist in that zone (skipped by a daylight-saving change)
is refused rather than silently moved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Connection, Table, bindparam, select

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import Transactions
from taperline.core.journal import CheckIn, ReportedSleep, SleepDiary
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord
from taperline.errors import InputError, NotFoundError
from taperline.zones import zone

# Statements of the busiest calls, built once: building one costs more than running it.
_ZONE_OF: Final = select(t.persons.c.time_zone).where(t.persons.c.id == t.PERSON_ID)
#: The person's zone now, as a column of a row query (which takes ``person_id``): a night or a
#: dose logged in another zone, before a move, is told apart by it (:class:`_Decoder`).
PERSON_ZONE: Final = _ZONE_OF.scalar_subquery().label("person_time_zone")
_BY_KEY: Final = {
    table.name: select(table.c.id).where(
        table.c.person_id == t.PERSON_ID, table.c.idempotency_key == bindparam("key")
    )
    for table in (t.checkins, t.dose_log, t.instrument_scores)
}
_START: Final[BindParameter[date]] = bindparam("start")  # date.min when open
_END: Final[BindParameter[date]] = bindparam("end")  # date.max when open


def _span(person_id: int, start: date | None, end: date | None) -> dict[str, Any]:
    return {"person_id": person_id, "start": start or date.min, "end": end or date.max}


@dataclass(frozen=True, slots=True)
class Saved:
    """The id of a written row and whether this call wrote it (False: an earlier retry did).

    ``replaced``: this call wrote over the row another call had written (a retake of a
    questionnaire the same day: :meth:`Store.replace_score`).
    """

    id: int
    created: bool
    replaced: bool = False


def to_utc(local: datetime, tz: ZoneInfo, field: str) -> datetime:
    """A local wall-clock time as a UTC moment; a skipped (non-existent) time is refused."""
    moment = local.replace(tzinfo=tz)
    if tz.utcoffset(moment) == tz.utcoffset(local.replace(fold=1)):
        return moment  # the usual case: one offset, neither skipped nor repeated
    back = moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    if back != local:
        raise InputError(
            f"{field}: {local.isoformat(sep=' ', timespec='minutes')} does not exist in"
            f" {tz.key} (the clocks changed); enter the time as the clock showed it"
        )
    return moment


def clock_shift_min(tried: datetime, final_wake: datetime, tz: ZoneInfo) -> int:
    """Minutes the clocks of ``tz`` went forward between two local times (back: negative)."""
    before, after = tz.utcoffset(tried), tz.utcoffset(final_wake)
    if before is None or after is None:
        return 0
    return round((after - before).total_seconds() / 60)


def with_clock_shift(checkin: CheckIn, tz: ZoneInfo) -> CheckIn:
    """The check-in with its night's daylight-saving shift set from ``tz`` (and re-checked)."""
    sleep = checkin.sleep
    if sleep is None:
        return checkin
    shift = clock_shift_min(sleep.tried, sleep.final_wake, tz)
    if shift == sleep.clock_shift_min:
        return checkin
    return replace(checkin, sleep=replace(sleep, clock_shift_min=shift))


def to_local(moment: datetime, tz: ZoneInfo) -> datetime:
    """A stored UTC moment as naive wall-clock time in ``tz`` (its ``fold`` kept).

    ``combine(date, time)`` is ``replace(tzinfo=None)`` at half the cost (``replace``'s
    keyword parsing), and a year of check-ins converts five moments a day.

    >>> from zoneinfo import ZoneInfo
    >>> from datetime import UTC
    >>> london = ZoneInfo("Europe/London")
    >>> to_local(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), london)  # 01:30, the first time
    datetime.datetime(2026, 10, 25, 1, 30)
    >>> to_local(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), london)  # 01:30 again: fold 1
    datetime.datetime(2026, 10, 25, 1, 30, fold=1)
    """
    local = moment.astimezone(tz)
    return datetime.combine(local.date(), local.time())


def _now() -> datetime:
    return datetime.now(UTC)


class _Decoder:
    """Turns stored rows into values, sharing what repeats (zones, amounts) within one load.

    Masses are immutable and the stored amounts are canonical (see ``ExactDecimal``), so a
    year of "1 mg" doses can share one ``Mass``.
    """

    __slots__ = ("_events", "_masses", "_symptoms", "_zones")

    def __init__(self) -> None:
        self._zones: dict[str, ZoneInfo] = {}
        self._masses: dict[str, Mass] = {}
        self._symptoms: dict[str, dict[str, int]] = {}
        self._events: dict[str, frozenset[Any]] = {}

    def symptoms(self, text: str) -> dict[str, int]:
        """A stored symptoms object (JSON text), shared: a check-in keeps a copy of its own.

        Anything else JSON holds (an array of pairs) is made a new dict, as it always was.
        """
        found = self._symptoms.get(text)
        if found is None:
            found = self._symptoms[text] = json.loads(text)
        return found if type(found) is dict else dict(found)

    def events(self, text: str) -> frozenset[Any]:
        """A stored events list (JSON text), as a frozen set (shared: immutable)."""
        found = self._events.get(text)
        if found is None:
            found = self._events[text] = frozenset(json.loads(text))
        return found

    def zone(self, name: str) -> ZoneInfo:
        found = self._zones.get(name)
        if found is None:
            found = self._zones[name] = zone(name)
        return found

    def mass(self, mg: Decimal | None) -> Mass | None:
        if mg is None:
            return None
        key = str(mg)
        found = self._masses.get(key)
        if found is None:
            found = self._masses[key] = Mass.of_mg(mg)
        return found

    def checkin(self, row: Sequence[Any]) -> CheckIn:
        """A row of :data:`CHECKIN_COLUMNS` as a check-in (unpacked by position: fast).

        The night's times are the clock of the zone it was logged in; that zone is the
        diary's ``time_zone`` when it is not the person's now (the row's last column), so a
        night logged before a move keeps its moments, and its clock shift is that zone's.
        """
        (
            wake_date,
            time_zone,
            bed_at,
            tried_at,
            final_wake_at,
            out_of_bed_at,
            sol_min,
            waso_min,
            awakenings,
            quality,
            mood,
            anxiety,
            symptoms,
            worst_time,
            caffeine,
            alcohol,
            opioid_use,
            events,
            notes,
            sleep_copied_from,
            symptoms_copied_from,
            reported_min,
            symptoms_rated,
            substances_asked,
            person_zone,
        ) = row
        sleep = None
        if bed_at is not None:
            tz = self.zone(time_zone)
            tried, final_wake = to_local(tried_at, tz), to_local(final_wake_at, tz)
            sleep = SleepDiary(
                to_local(bed_at, tz),
                tried,
                final_wake,
                to_local(out_of_bed_at, tz),
                sol_min=sol_min,
                waso_min=waso_min,
                awakenings=awakenings,
                quality=quality,
                clock_shift_min=clock_shift_min(tried, final_wake, tz),
                time_zone=None if time_zone == person_zone else time_zone,
            )
        return CheckIn(
            wake_date,
            sleep,
            mood=mood,
            anxiety=anxiety,
            symptoms=self.symptoms(symptoms),
            worst_time=worst_time,
            caffeine_drinks=caffeine,
            alcohol_drinks=alcohol,
            opioid_use=opioid_use,
            events=self.events(events),
            notes=notes,
            sleep_copied_from=sleep_copied_from,
            symptoms_copied_from=symptoms_copied_from,
            reported_sleep=(
                ReportedSleep(reported_min, quality) if reported_min is not None else None
            ),
            symptoms_rated=bool(symptoms_rated),
            substances_asked=bool(substances_asked),
        )

    def dose(self, row: Sequence[Any]) -> DoseRecord:
        """A row of :data:`DOSE_COLUMNS` as a dose-log line.

        The time taken is the clock of the zone the line was logged in; that zone is the
        record's ``time_zone`` when it is not the person's now (the row's last column), so
        a dose logged before a move keeps its moment. The person's zone is read with the
        row, so a row's value still follows from the row alone (:class:`.KnownRows`).
        """
        (
            day,
            drug,
            clock,
            planned_mg,
            taken_at,
            amount_mg,
            time_zone,
            units,
            note,
            checked,
            stay,
            person_zone,
        ) = row
        if taken_at is None:
            local, own_zone = None, None
        else:
            local = to_local(taken_at, self.zone(time_zone))
            own_zone = None if time_zone == person_zone else time_zone
        return DoseRecord(
            day,
            drug,
            clock,
            self.mass(planned_mg),
            local,
            self.mass(amount_mg),
            units,
            note,
            bool(checked),
            stay,
            own_zone,
        )


def write_audit(c: Connection, audit: Mapping[str, Any]) -> None:
    """Write one audit-log line in the transaction of the change it records.

    The accounts' tables are imported here, by a write that has a line to audit: a read of
    the record (``taperline status``) does not load them.
    """
    from taperline.adapters.storage import accounts_schema

    c.execute(accounts_schema.AUDIT_INSERT, dict(audit))


def _check_key(key: str | None) -> None:
    if key is not None and not 1 <= len(key) <= 100:  # noqa: PLR2004 -- the column's width
        raise InputError("idempotency key must be 1-100 characters")


def _by_key(c: Connection, table: Table, person_id: int, key: str | None) -> int | None:
    if key is None:
        return None
    found = c.execute(_BY_KEY[table.name], {"person_id": person_id, "key": key}).scalar()
    return None if found is None else int(found)


class _StoreBase(Transactions):
    """The transactions (:class:`.db.Transactions`) every part of the ``Store`` shares."""

    def _race_winner(self, table: Table, person_id: int, key: str | None) -> Saved | None:
        """After an IntegrityError: the write of a concurrent retry with the same key, if any."""
        with self._read() as c:
            earlier = _by_key(c, table, person_id, key)
        return None if earlier is None else Saved(earlier, created=False)

    def _zone_of(self, c: Connection, person_id: int) -> str:
        found = c.execute(_ZONE_OF, {"person_id": person_id}).first()
        if found is None:
            raise NotFoundError(f"person {person_id} not found")
        return str(found[0])
