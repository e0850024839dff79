"""Reading and writing a person's record. Every write is one transaction.

Wall-clock times are converted with the person's time zone to UTC on the way in and back on
the way out; a time that does not exist in that zone (skipped by a daylight-saving change)
is refused rather than silently moved. Check-ins, doses and scores may carry an idempotency
key: writing the same key again returns the first write and changes nothing, so a retried
submit never duplicates. Plan versions are only inserted, never updated.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    Connection,
    Dialect,
    Engine,
    Row,
    Table,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from taperline.adapters.lru import LruCache
from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction, write_transaction
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, SleepDiary
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanAction,
    PlanBasis,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
    decision_base,
    in_force,
    transition,
)
from taperline.errors import ConflictError, InputError, NotFoundError
from taperline.zones import check_zone, zone

__all__ = ["RECORD_PARTS", "Saved", "Store", "zone"]

_SLEEP_TIMES: Final = ("bed", "tried", "final_wake", "out_of_bed")

# Statements of the busiest calls, built once: building one costs more than running it.
_ZONE_OF: Final = select(t.persons.c.time_zone).where(t.persons.c.id == t.PERSON_ID)
_BY_KEY: Final = {
    table.name: select(table.c.id).where(
        table.c.person_id == t.PERSON_ID, table.c.idempotency_key == bindparam("key")
    )
    for table in (t.checkins, t.dose_log, t.instrument_scores)
}
_CHECKIN_ON: Final = select(t.checkins.c.id).where(
    t.checkins.c.person_id == t.PERSON_ID, t.checkins.c.wake_date == bindparam("wake_date")
)
_CHECKIN_INSERT: Final = insert(t.checkins).returning(t.checkins.c.id)
_CHECKIN_UPDATE: Final = update(t.checkins).where(t.checkins.c.id == bindparam("row_id"))
# JSON columns read as their text: a few distinct values repeat down a journal, so the
# decoder parses each text once per load instead of the driver parsing every row.
_AS_TEXT: Final = frozenset({"symptoms_0_3", "events"})
#: The check-in columns :meth:`_Decoder.checkin` reads, in its order.
CHECKIN_COLUMNS: Final = tuple(
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
    )
)
#: The dose-log columns :meth:`_Decoder.dose` reads, in its order.
DOSE_COLUMNS: Final = tuple(
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
    )
)


_START: Final[BindParameter[date]] = bindparam("start")  # date.min when open
_END: Final[BindParameter[date]] = bindparam("end")  # date.max when open
_CHECKINS_BETWEEN: Final = (
    select(*CHECKIN_COLUMNS)
    .where(t.checkins.c.person_id == t.PERSON_ID, t.checkins.c.wake_date.between(_START, _END))
    .order_by(t.checkins.c.wake_date)
)
_DOSES_BETWEEN: Final = (
    select(*DOSE_COLUMNS)
    .where(t.dose_log.c.person_id == t.PERSON_ID, t.dose_log.c.day.between(_START, _END))
    .order_by(t.dose_log.c.day, t.dose_log.c.id)
)
_SCORES_OF: Final = (
    select(t.instrument_scores)
    .where(t.instrument_scores.c.person_id == t.PERSON_ID)
    .order_by(t.instrument_scores.c.taken_on, t.instrument_scores.c.instrument)
)
_PLANS_OF: Final = (
    select(t.plan_versions)
    .where(t.plan_versions.c.person_id == t.PERSON_ID)
    .order_by(t.plan_versions.c.version)
)
#: The parts of a record :meth:`Store.refresh` can read again.
RECORD_PARTS: Final = frozenset({"profile", "checkins", "doses", "scores", "plans"})
_PLAN_KEY_COLUMNS: Final = tuple(
    t.plan_versions.c[name] for name in ("id", "person_id", "version", "created_at_utc")
)
_PLAN_KEYS_OF: Final = (
    select(*_PLAN_KEY_COLUMNS)
    .where(t.plan_versions.c.person_id == t.PERSON_ID)
    .order_by(t.plan_versions.c.version)
)
_PLANS_BY_ID: Final = select(t.plan_versions).where(
    t.plan_versions.c.id.in_(bindparam("ids", expanding=True))
)
_PERSON_ROW: Final = select(
    *(column for column in t.persons.c if column.name not in t.REVISION_COLUMNS)  # not before 0003
).where(t.persons.c.id == t.PERSON_ID)


def _span(person_id: int, start: date | None, end: date | None) -> dict[str, Any]:
    return {"person_id": person_id, "start": start or date.min, "end": end or date.max}


@dataclass(frozen=True, slots=True)
class Saved:
    """The id of a written row and whether this call wrote it (False: an earlier retry did)."""

    id: int
    created: bool


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
    """A stored UTC moment as naive wall-clock time in ``tz``."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _now() -> datetime:
    return datetime.now(UTC)


# --- row <-> value -------------------------------------------------------------------------


def _profile_row(profile: Profile) -> dict[str, Any]:
    return {
        "label": profile.label,
        "time_zone": check_zone(profile.time_zone),
        "age_band": profile.age_band,
        "conditions": list(profile.conditions),
        "other_medicines": list(profile.other_medicines),
    }


def _profile(row: Row[Any]) -> Profile:
    return Profile(
        row.time_zone,
        row.age_band,
        tuple(row.conditions),
        tuple(row.other_medicines),
        row.label,
    )


def checkin_row(checkin: CheckIn, time_zone: str) -> dict[str, Any]:
    """The columns of a check-in (doses are not part of it: they go to the dose log)."""
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
    }
    for name in _SLEEP_TIMES:
        value = getattr(sleep, name) if sleep else None
        row[f"{name}_at_utc"] = to_utc(value, tz, name) if value else None
    row["sol_min"] = sleep.sol_min if sleep else None
    row["waso_min"] = sleep.waso_min if sleep else None
    row["awakenings"] = sleep.awakenings if sleep else None
    row["sleep_quality_1_5"] = sleep.quality if sleep else None
    return row


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
        """A stored symptoms object (JSON text), as a new dict."""
        found = self._symptoms.get(text)
        if found is None:
            found = self._symptoms[text] = json.loads(text)
        return dict(found)

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
        """A row of :data:`CHECKIN_COLUMNS` as a check-in (unpacked by position: fast)."""
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
        )

    def dose(self, row: Sequence[Any]) -> DoseRecord:
        """A row of :data:`DOSE_COLUMNS` as a dose-log line."""
        day, drug, clock, planned_mg, taken_at, amount_mg, time_zone, units, note = row
        return DoseRecord(
            day,
            drug,
            clock,
            self.mass(planned_mg),
            to_local(taken_at, self.zone(time_zone)) if taken_at is not None else None,
            self.mass(amount_mg),
            units,
            note,
        )


def _dose_row(record: DoseRecord, time_zone: str) -> dict[str, Any]:
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
    }


def _score(row: Row[Any]) -> InstrumentScore:
    return InstrumentScore(row.instrument, tuple(row.items), row.total, row.band, row.taken_on)


def steps_json(steps: Sequence[RecordStep]) -> list[dict[str, Any]]:
    """Plan steps as JSON (amounts as exact decimal strings in ``amount_mg``)."""
    return [
        {
            "start_date": s.start.isoformat(),
            "rule": s.rule,
            "source": s.source,
            "every_other_day": s.every_other_day,
            "note": s.note,
            "reason": s.reason,
            "doses": [
                {
                    "clock": d.clock,
                    "drug": d.drug,
                    "amount_mg": format(d.amount.mg, "f"),
                    "instructions": list(d.instructions),
                }
                for d in s.doses
            ],
        }
        for s in steps
    ]


def steps_from_json(document: Sequence[dict[str, Any]]) -> tuple[RecordStep, ...]:
    """The inverse of :func:`steps_json`."""
    return tuple(
        RecordStep(
            date.fromisoformat(s["start_date"]),
            tuple(
                RecordDose(
                    d["clock"], d["drug"], Mass.of_mg(d["amount_mg"]), tuple(d["instructions"])
                )
                for d in s["doses"]
            ),
            s["rule"],
            s["source"],
            s["every_other_day"],
            s["note"],
            # absent in steps stored before migration 0004: the note kept an increase's reason
            s["reason"] if "reason" in s else RecordStep.legacy_reason(s["note"]),
        )
        for s in document
    )


def _plan_row(plan: PlanVersion) -> dict[str, Any]:
    return {
        "version": plan.version,
        "status": plan.status,
        "drug": plan.drug,
        "strategy": plan.strategy,
        "proposed_by": plan.proposed_by,
        "proposed_at_utc": plan.proposed_at,
        "decided_by": plan.decided_by,
        "decided_at_utc": plan.decided_at,
        "reason": plan.reason,
        "parent_version": plan.parent_version,
        "steps": steps_json(plan.steps),
        "supply": [
            {
                "period_start": s.period_start.isoformat(),
                "period_end": s.period_end.isoformat(),
                "drug": s.drug,
                "product": s.product,
                "count": format(s.count, "f"),
                "unit": s.unit,
            }
            for s in plan.supply
        ],
        "warnings": list(plan.warnings),
        "assumptions": dict(plan.assumptions),
        "basis": plan.basis.to_json(),
        "held_from": plan.held_from,
    }


def _plan(row: Row[Any]) -> PlanVersion:
    steps = steps_from_json(row.steps)
    return PlanVersion(
        version=row.version,
        status=row.status,
        drug=row.drug,
        strategy=row.strategy,
        steps=steps,
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at_utc,
        reason=row.reason,
        decided_by=row.decided_by,
        decided_at=row.decided_at_utc,
        parent_version=row.parent_version,
        supply=tuple(
            RecordSupply(
                date.fromisoformat(s["period_start"]),
                date.fromisoformat(s["period_end"]),
                s["drug"],
                s["product"],
                Decimal(s["count"]),
                s["unit"],
            )
            for s in row.supply
        ),
        warnings=tuple(row.warnings),
        assumptions=dict(row.assumptions),
        basis=PlanBasis.from_json(row.basis) if row.basis is not None else PlanBasis.legacy(steps),
        held_from=row.held_from,
    )


# --- the store -----------------------------------------------------------------------------


class Store:
    """A person-by-person view of one database (the engine is made by :mod:`.db`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self.engine)

    def _read(self) -> AbstractContextManager[Connection]:
        return read_transaction(self.engine)

    # persons

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

    # check-ins

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
                        " edit it instead (taperline journal edit)"
                    )
                if audit is not None:
                    c.execute(a.AUDIT_INSERT, dict(audit))
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
                    t.checkins.c.person_id == person_id, t.checkins.c.wake_date == day
                )
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

    def delete_checkin(self, person_id: int, day: date) -> None:
        """Remove the check-in of ``day``."""
        with self._write() as c:
            done = c.execute(
                delete(t.checkins).where(
                    t.checkins.c.person_id == person_id, t.checkins.c.wake_date == day
                )
            )
            if done.rowcount != 1:
                raise NotFoundError(f"no check-in for {day.isoformat()}")

    # dose log

    def log_dose(
        self, person_id: int, record: DoseRecord, *, idempotency_key: str | None = None
    ) -> Saved:
        """Add a line to the dose log."""
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
                return Saved(int(new), created=True)
        except IntegrityError:
            won = self._race_winner(t.dose_log, person_id, idempotency_key)
            if won is None:
                raise
            return won

    def dose_by_key(self, person_id: int, idempotency_key: str) -> DoseRecord | None:
        """The dose-log line written with ``idempotency_key``, if any (for a retried submit)."""
        table = t.dose_log
        query = select(*DOSE_COLUMNS).where(
            table.c.person_id == person_id, table.c.idempotency_key == idempotency_key
        )
        with self._read() as c:
            row = c.execute(query).first()
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

    # questionnaires

    def save_score(
        self, person_id: int, score: InstrumentScore, *, idempotency_key: str | None = None
    ) -> Saved:
        """Store a scored PHQ-9 or GAD-7 (one of each per day)."""
        _check_key(idempotency_key)
        if score.taken_on is None:
            raise InputError("a stored questionnaire needs the date it was taken")
        table = t.instrument_scores
        try:
            with self._write() as c:
                earlier = _by_key(c, table, person_id, idempotency_key)
                if earlier is not None:
                    return Saved(earlier, created=False)
                self._zone_of(c, person_id)
                new = c.execute(
                    insert(table)
                    .values(
                        **_score_row(score),
                        person_id=person_id,
                        created_at_utc=_now(),
                    )
                    .values(idempotency_key=idempotency_key)
                    .returning(table.c.id)
                ).scalar_one()
                return Saved(int(new), created=True)
        except IntegrityError:
            won = self._race_winner(table, person_id, idempotency_key)
            if won is None:
                raise ConflictError(
                    f"a {score.instrument} for {score.taken_on.isoformat()} is already stored"
                ) from None
            return won

    def scores(self, person_id: int) -> list[InstrumentScore]:
        """Every stored questionnaire, oldest first."""
        table = t.instrument_scores
        query = (
            select(table)
            .where(table.c.person_id == person_id)
            .order_by(table.c.taken_on, table.c.instrument)
        )
        with self._read() as c:
            return [_score(row) for row in c.execute(query)]

    # plans

    def add_plan(self, person_id: int, plan: PlanVersion) -> PlanVersion:
        """Store ``plan`` as the person's next version (its ``version`` is assigned here)."""
        try:
            with self._write() as c:
                self._zone_of(c, person_id)
                version = _next_version(c, person_id)
                stored = _renumber(plan, version)
                c.execute(
                    insert(t.plan_versions).values(
                        **_plan_row(stored), person_id=person_id, created_at_utc=_now()
                    )
                )
                return stored
        except IntegrityError:
            raise ConflictError("the plan changed meanwhile; look again and retry") from None

    def decide(
        self,
        person_id: int,
        action: PlanAction,
        *,
        by: str,
        reason: str,
        at: datetime | None = None,
        version: int | None = None,
        steps: tuple[RecordStep, ...] | None = None,
        today: date | None = None,
        basis: PlanBasis | None = None,
    ) -> PlanVersion:
        """Approve, hold, adjust or reject a plan version: a new version records it.

        The version decided on is :func:`~taperline.core.record.decision_base`'s (the latest
        for approving or rejecting, the plan in force for holding). ``version``, when given,
        must be that one: deciding on another is refused (someone else changed the plan
        meanwhile). ``today`` is the person's date (a hold keeps its dose; approving a held
        plan resumes it). The steps must have passed the rules
        (:func:`taperline.service.decide_plan` checks them).
        """
        try:
            with self._write() as c:
                versions = _plan_versions(c, person_id)
                base = decision_base(versions, action)
                latest = versions[-1]
                if version is not None and version != base.version:
                    if version not in {v.version for v in versions}:
                        raise NotFoundError(f"plan version {version} not found")
                    raise ConflictError(
                        f"version {version} is not the one to {action} (version "
                        f"{base.version} is); look at the latest and decide on it"
                    )
                new = transition(
                    base,
                    action,
                    by=by,
                    reason=reason,
                    at=at or _now(),
                    new_version=latest.version + 1,
                    steps=steps,
                    today=today,
                    basis=basis,
                )
                c.execute(
                    insert(t.plan_versions).values(
                        **_plan_row(new), person_id=person_id, created_at_utc=_now()
                    )
                )
                return new
        except IntegrityError:
            raise ConflictError("the plan changed meanwhile; look again and retry") from None

    def plans(self, person_id: int) -> list[PlanVersion]:
        """Every plan version, oldest first."""
        with self._read() as c:
            return _plan_versions(c, person_id)

    def plan_in_force(self, person_id: int) -> PlanVersion | None:
        """The version being followed (latest active or held), if any."""
        return in_force(self.plans(person_id))

    # the whole record

    def record(
        self, person_id: int, start: date | None = None, end: date | None = None
    ) -> PersonRecord:
        """Everything about a person (journal and dose log limited to ``start``-``end``)."""
        with self._read() as c:
            return self._parts(c, person_id, _span(person_id, start, end), RECORD_PARTS)

    def refresh(self, record: PersonRecord, person_id: int, parts: Iterable[str]) -> PersonRecord:
        """``record`` (a whole record of the person) with ``parts`` read again.

        ``parts`` are names of :data:`RECORD_PARTS`; the others are kept as they are, so a
        caller that knows what changed (``persons.<part>_revision``) reads only that.
        """
        wanted = frozenset(parts)
        if unknown := wanted - RECORD_PARTS:
            raise ValueError(f"unknown parts of a record: {sorted(unknown)}")
        with self._read() as c:
            return self._parts(c, person_id, _span(person_id, None, None), wanted, record)

    def _parts(
        self,
        c: Connection,
        person_id: int,
        span: dict[str, Any],
        parts: frozenset[str],
        kept: PersonRecord | None = None,
    ) -> PersonRecord:
        person, decode = {"person_id": person_id}, _Decoder()
        found: dict[str, Any] = {}
        if "profile" in parts or kept is None:
            row = c.execute(_PERSON_ROW, person).first()
            if row is None:
                raise NotFoundError(f"person {person_id} not found")
            found["profile"] = _profile(row)
        # fetchall: the driver builds all rows at once (row by row cost ~20 %)
        if "checkins" in parts:
            rows = c.execute(_CHECKINS_BETWEEN, span).fetchall()
            found["checkins"] = tuple(map(decode.checkin, rows))
        if "doses" in parts:
            found["doses"] = tuple(map(decode.dose, c.execute(_DOSES_BETWEEN, span).fetchall()))
        if "scores" in parts:
            found["scores"] = tuple(map(_score, c.execute(_SCORES_OF, person).fetchall()))
        if "plans" in parts:
            found["plans"] = tuple(_plan_versions(c, person_id))
        return PersonRecord(**found) if kept is None else replace(kept, **found)

    def import_record(self, record: PersonRecord) -> int:
        """Store a whole record (e.g. from a FHIR bundle) as a new person, in one transaction.

        Rows are prepared (and every value checked) before the transaction opens, so the
        write lock is held only for the inserts.
        """
        now = _now()
        tz = record.profile.time_zone
        person_row = {**_profile_row(record.profile), "created_at_utc": now, "updated_at_utc": now}
        created = {"created_at_utc": now}
        dialect = self.engine.dialect
        prepared = [
            (table, _driver_rows(table, rows, dialect, constants))
            for table, rows, constants in (
                (
                    t.checkins,
                    [checkin_row(ci, tz) for ci in record.checkins],
                    {**created, "updated_at_utc": now, "idempotency_key": None},
                ),
                (t.dose_log, [_dose_row(d, tz) for d in record.doses], created),
                (t.instrument_scores, [_score_row(s) for s in record.scores], created),
                (t.plan_versions, [_plan_row(plan) for plan in record.plans], created),
            )
            if rows
        ]
        try:
            with self._write() as c:
                person_id = int(
                    c.execute(
                        insert(t.persons).values(person_row).returning(t.persons.c.id)
                    ).scalar_one()
                )
                for table, rows in prepared:
                    _insert_prepared(c, table, rows, person_id)
        except IntegrityError:
            raise ConflictError(
                "the record holds a day, questionnaire or plan version twice; nothing was imported"
            ) from None
        return person_id


def _driver_rows(
    table: Table,
    rows: Sequence[dict[str, Any]],
    dialect: Dialect,
    constants: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rows (plus ``constants``, the same in every row) as the driver's values.

    Each column's own type converts its values, as SQLAlchemy does inside ``execute``; the
    constants are converted once. Done before the transaction opens, so a bulk import holds
    SQLite's write lock only to insert.
    """
    constants = constants or {}

    def processors(names: Iterable[str]) -> dict[str, Any]:
        return {n: table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names}

    def converted(row: Mapping[str, Any], convert: dict[str, Any]) -> dict[str, Any]:
        return {
            name: (f(value) if (f := convert[name]) is not None else value)
            for name, value in row.items()
        }

    fixed = converted(constants, processors(constants))
    convert = processors(rows[0])
    return [converted(row, convert) | fixed for row in rows]


def _insert_prepared(
    c: Connection, table: Table, rows: list[dict[str, Any]], person_id: int
) -> None:
    """Insert driver-ready rows (see :func:`_driver_rows`) for ``person_id``.

    SQLite gets one ``executemany`` (in process, no round trips); PostgreSQL (psycopg 3, the
    one driver we support) gets ``COPY ... FROM STDIN``: a year of check-ins streams in one
    go, with no statement to build or parse (a 365-row ``VALUES`` statement took psycopg
    longer to parse than the server to run).
    """
    names = [*rows[0], "person_id"]
    columns = ", ".join(names)
    if c.dialect.name == "sqlite":
        marks = ", ".join(f":{n}" for n in names)
        sql = f"INSERT INTO {table.name} ({columns}) VALUES ({marks})"  # noqa: S608 -- our own names
        c.exec_driver_sql(sql, [row | {"person_id": person_id} for row in rows])
        return
    statement = f"COPY {table.name} ({columns}) FROM STDIN"
    cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]  # psycopg's
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row((*row.values(), person_id))
    except c.dialect.loaded_dbapi.IntegrityError as error:  # as SQLAlchemy would wrap it
        raise IntegrityError(statement, None, error) from error


def _score_row(score: InstrumentScore) -> dict[str, Any]:
    if score.taken_on is None:
        raise InputError("a stored questionnaire needs the date it was taken")
    return {
        "instrument": score.instrument,
        "taken_on": score.taken_on,
        "items": list(score.items),
        "total": score.total,
        "band": score.band,
        "idempotency_key": None,
    }


def _check_key(key: str | None) -> None:
    if key is not None and not 1 <= len(key) <= 100:  # noqa: PLR2004 -- the column's width
        raise InputError("idempotency key must be 1-100 characters")


def _by_key(c: Connection, table: Table, person_id: int, key: str | None) -> int | None:
    if key is None:
        return None
    found = c.execute(_BY_KEY[table.name], {"person_id": person_id, "key": key}).scalar()
    return None if found is None else int(found)


def _next_version(c: Connection, person_id: int) -> int:
    latest = c.execute(
        select(func.max(t.plan_versions.c.version)).where(t.plan_versions.c.person_id == person_id)
    ).scalar()
    return 1 if latest is None else int(latest) + 1


def _renumber(plan: PlanVersion, version: int) -> PlanVersion:
    return replace(plan, version=version)


def _plan_versions(c: Connection, person_id: int) -> list[PlanVersion]:
    """The person's plan versions, oldest first; each row is fetched and decoded once per process.

    Plan versions are insert-only, so a version is known by its key: the row's id, person,
    version and creation time (a deleted row whose id is used again is not mistaken for its
    successor). Only the keys are read each time; whole rows (whose JSON a driver would
    parse again on every fetch) only for versions not yet seen.
    """
    keys = [tuple(row) for row in c.execute(_PLAN_KEYS_OF, {"person_id": person_id})]
    missing = [key[0] for key in keys if _PLANS.get(key) is None]
    if missing:
        for row in c.execute(_PLANS_BY_ID, {"ids": missing}):
            _PLANS.put((row.id, row.person_id, row.version, row.created_at_utc), _plan(row))
    found = [_PLANS.get(key) for key in keys]
    if any(plan is None for plan in found):  # evicted between the two reads: decode again
        return [_plan(row) for row in c.execute(_PLANS_OF, {"person_id": person_id})]
    return [plan for plan in found if plan is not None]


_PLANS: Final[LruCache[tuple[Any, ...], PlanVersion]] = LruCache(4096)
