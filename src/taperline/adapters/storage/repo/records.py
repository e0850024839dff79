"""A person's whole record: read it (or parts of it again) and import one in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final, TypeVar

from sqlalchemy import Connection, Dialect, Select, Table, insert, type_coerce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import NullType, TypeEngine

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.checkins import _CHECKINS_BETWEEN, checkin_row
from taperline.adapters.storage.repo.common import _Decoder, _now, _span, _StoreBase
from taperline.adapters.storage.repo.device_sleep import insert_device_batch
from taperline.adapters.storage.repo.doses import _DOSES_BETWEEN, _dose_row
from taperline.adapters.storage.repo.persons import _PERSON_ROW, _profile, _profile_row
from taperline.adapters.storage.repo.plans import _plan_row, _plan_versions
from taperline.adapters.storage.repo.scores import _SCORES_OF, _score, _score_row
from taperline.core.journal import CheckIn
from taperline.core.record import DoseRecord, PersonRecord
from taperline.errors import ConflictError, NotFoundError

if TYPE_CHECKING:  # an import's records only: the device-sleep model is loaded by its reader
    from taperline.core.device_sleep import DeviceSleepRecord

#: The parts of a record :meth:`Store.refresh` can read again.
RECORD_PARTS: Final = frozenset({"profile", "checkins", "doses", "scores", "plans"})

_V = TypeVar("_V")


@dataclass(slots=True)
class KnownRows:
    """The check-ins and dose-log lines a read decoded, by the stored row they came from.

    Given to :meth:`Store.record` or :meth:`Store.refresh` (``known=``), a read takes the
    value of each row it has seen before from here instead of decoding it again (a year of
    check-ins decodes in about 6 ms; a check-in written changes one row), and leaves here
    the rows it read. A row is its whole stored content and its value is decoded from that
    alone, so what is here is right for any read, of any version: kept too long it only
    misses. Each read puts new mappings in place (never changes one), so two reads may
    share one ``KnownRows``.
    """

    checkins: Mapping[tuple[Any, ...], CheckIn] = field(default_factory=dict)
    doses: Mapping[tuple[Any, ...], DoseRecord] = field(default_factory=dict)


class _RawRead:
    """A query read as the driver's own values, each row converted only to be decoded.

    The columns' result processors (SQLite's dates from text, ``UtcDateTime``'s moments,
    ``ExactDecimal``'s amounts) are what most of reading a row costs, and an aware moment
    hashes slowly (each hash asks its offset). So the rows are fetched as the driver gives
    them (the same statement, its columns without a type) and keyed by that: a row already
    decoded is found by its stored content as it is, and only the others are converted,
    with the very processors SQLAlchemy would have applied, and decoded.
    """

    __slots__ = ("_processors", "_raw", "_typed")

    def __init__(self, statement: Select[Any]) -> None:
        self._typed = tuple(statement.selected_columns)
        self._raw = statement.with_only_columns(
            *(type_coerce(column, NullType()) for column in self._typed),
            maintain_column_froms=True,
        )
        self._processors: dict[
            tuple[str, tuple[Any, ...]], tuple[tuple[int, Callable[[Any], Any]], ...]
        ] = {}

    def _converters(
        self, dialect: Dialect, description: Sequence[Sequence[Any]]
    ) -> tuple[tuple[int, Callable[[Any], Any]], ...]:
        """The columns that convert, by position, with the processor of each.

        As SQLAlchemy does, each column's processor is the dialect's for its type and the
        driver's type code of the column (PostgreSQL's numeric depends on it); a type of
        ours with a ``result_reader`` for the dialect (:class:`.schema.UtcDateTime`,
        :class:`.schema.ExactDecimal` on SQLite) gives the same values by a shorter way.
        """
        codes = tuple(column[1] for column in description)
        key = (dialect.name, codes)
        found = self._processors.get(key)
        if found is None:
            found = self._processors[key] = tuple(
                (n, f)
                for n, (column, code) in enumerate(zip(self._typed, codes, strict=True))
                if (f := _processor(column.type, dialect, code)) is not None
            )
        return found

    def decoded(
        self,
        c: Connection,
        params: Mapping[str, Any],
        decode: Callable[[Sequence[Any]], _V],
        known: Mapping[tuple[Any, ...], _V] | None,
    ) -> tuple[tuple[_V, ...], dict[tuple[Any, ...], _V]]:
        """Each row's value (``known``'s, else converted and decoded) and the rows' values.

        The rows are kept as plain tuples of the driver's values: hashed and compared in C.
        """
        result = c.execute(self._raw, params)
        convert = self._converters(c.dialect, result.cursor.description)
        # fetchall: the driver builds all rows at once (row by row cost ~20 %)
        keys = [tuple(row) for row in result.fetchall()]

        def fresh(key: tuple[Any, ...]) -> _V:
            row = list(key)
            for n, f in convert:
                row[n] = f(row[n])
            return decode(row)

        known = known or {}
        values = tuple(v if (v := known.get(key)) is not None else fresh(key) for key in keys)
        return values, dict(zip(keys, values, strict=True))


def _processor(type_: TypeEngine[Any], dialect: Dialect, code: Any) -> Callable[[Any], Any] | None:
    """The type's ``result_reader`` for ``dialect`` if it has one, else SQLAlchemy's processor."""
    reader = getattr(type_, "result_reader", None)
    shorter = reader(dialect) if reader is not None else None
    if shorter is not None:
        return shorter  # type: ignore[no-any-return]  # our types' readers
    return type_.dialect_impl(dialect).result_processor(dialect, code)


_CHECKINS_RAW: Final = _RawRead(_CHECKINS_BETWEEN)
_DOSES_RAW: Final = _RawRead(_DOSES_BETWEEN)


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


class _Records(_StoreBase):
    """The whole record: read it, read parts again, import one as a new person."""

    def record(
        self,
        person_id: int,
        start: date | None = None,
        end: date | None = None,
        *,
        known: KnownRows | None = None,
    ) -> PersonRecord:
        """Everything about a person (journal and dose log limited to ``start``-``end``).

        ``known``: rows decoded by an earlier read, and where this one leaves its own.
        """
        with self._read() as c:
            span = _span(person_id, start, end)
            return self._parts(c, person_id, span, RECORD_PARTS, known=known)

    def refresh(
        self,
        record: PersonRecord,
        person_id: int,
        parts: Iterable[str],
        *,
        known: KnownRows | None = None,
    ) -> PersonRecord:
        """``record`` (a whole record of the person) with ``parts`` read again.

        ``parts`` are names of :data:`RECORD_PARTS`; the others are kept as they are, so a
        caller that knows what changed (``persons.<part>_revision``) reads only that.
        ``known``: as :meth:`record`'s (the rows of ``record``'s read: only the rows written
        since are decoded).
        """
        wanted = frozenset(parts)
        if unknown := wanted - RECORD_PARTS:
            raise ValueError(f"unknown parts of a record: {sorted(unknown)}")
        with self._read() as c:
            span = _span(person_id, None, None)
            return self._parts(c, person_id, span, wanted, record, known=known)

    def _parts(
        self,
        c: Connection,
        person_id: int,
        span: dict[str, Any],
        parts: frozenset[str],
        kept: PersonRecord | None = None,
        *,
        known: KnownRows | None = None,
    ) -> PersonRecord:
        person, decode = {"person_id": person_id}, _Decoder()
        found: dict[str, Any] = {}
        if "profile" in parts or kept is None:
            row = c.execute(_PERSON_ROW, person).first()
            if row is None:
                raise NotFoundError(f"person {person_id} not found")
            found["profile"] = _profile(row)
        if "checkins" in parts:
            found["checkins"], checkins = _CHECKINS_RAW.decoded(
                c, span, decode.checkin, None if known is None else known.checkins
            )
            if known is not None:
                known.checkins = checkins
        if "doses" in parts:
            found["doses"], doses = _DOSES_RAW.decoded(
                c, span, decode.dose, None if known is None else known.doses
            )
            if known is not None:
                known.doses = doses
        if "scores" in parts:
            found["scores"] = tuple(map(_score, c.execute(_SCORES_OF, person).fetchall()))
        if "plans" in parts:
            found["plans"] = tuple(_plan_versions(c, person_id))
        return PersonRecord(**found) if kept is None else replace(kept, **found)

    def import_record(
        self,
        record: PersonRecord,
        *,
        device_sleep: Sequence[DeviceSleepRecord] = (),
        device_file: tuple[str, str] = ("", ""),
        device_preferred_source: str | None = None,
    ) -> int:
        """Store a whole record (e.g. from a FHIR bundle) as a new person, in one transaction.

        Rows are prepared (and every value checked) before the transaction opens, so the
        write lock is held only for the inserts. ``device_sleep`` records, when given, are
        stored in the same transaction as one device sleep import (kind ``fhir``) of the file
        ``device_file`` (its name and SHA-256), which can be undone like any other, and
        ``device_preferred_source`` as the person's device sleep setting (the clinician's
        findings switch starts off: it is a decision of the clinician where it is imported).
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
                if device_sleep:
                    insert_device_batch(
                        c,
                        person_id,
                        device_sleep,
                        kind="fhir",
                        file_name=device_file[0],
                        file_sha256=device_file[1],
                        now=now,
                        known=set(),
                    )
                if device_preferred_source is not None:
                    c.execute(
                        insert(t.device_sleep_settings).values(
                            person_id=person_id,
                            preferred_source=device_preferred_source[:200],
                            in_findings=False,
                            updated_by="FHIR import",
                            updated_at_utc=now,
                        )
                    )
        except IntegrityError:
            raise ConflictError(
                "the record holds a day, questionnaire or plan version twice; nothing was imported"
            ) from None
        return person_id
