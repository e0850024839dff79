"""The tables. Column names carry their units (``amount_mg``, ``sol_min``, ``*_at_utc``).

Moments are stored as UTC (:class:`UtcDateTime`) together with the IANA zone they were
entered in (``time_zone``), so a wall-clock time reads back exactly and unambiguously.
Amounts are exact decimals (:class:`ExactDecimal`): SQLite keeps them as text, PostgreSQL
as NUMERIC. Plan versions are rows that are only ever inserted, never updated.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    BindParameter,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    bindparam,
    false,
    text,
    true,
)
from sqlalchemy.types import TypeEngine

__all__ = [
    "PERSON_ID",
    "ExactDecimal",
    "UtcDateTime",
    "calendar_events",
    "calendar_feeds",
    "checkins",
    "device_sleep_imports",
    "device_sleep_records",
    "device_sleep_settings",
    "dose_log",
    "instrument_scores",
    "metadata",
    "persons",
    "plan_versions",
    "reminder_settings",
    "sleep_windows",
]

#: The ``person_id`` parameter of statements built once and run with ``{"person_id": ...}``.
PERSON_ID: Final[BindParameter[int]] = bindparam("person_id")

NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
_ISO_LENGTH: Final = len("2027-01-01 00:00:00.000000")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware moment stored as naive UTC; read back aware (UTC).

    PostgreSQL gets a TIMESTAMP; SQLite gets ISO text ``YYYY-MM-DD HH:MM:SS.ffffff`` (the
    layout SQLAlchemy uses there too, so it sorts by time), written and parsed by the
    standard library's fast ISO routines.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """TIMESTAMP on PostgreSQL, text on SQLite."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(26))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Refuse naive values; store UTC without an offset."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a stored moment must be timezone-aware")
        utc = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.isoformat(sep=" ", timespec="microseconds")[:_ISO_LENGTH]
        return utc.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:  # noqa: ARG002 -- SQLAlchemy's signature
        """Attach UTC again."""
        if value is None:
            return None
        if isinstance(value, str):
            return datetime.fromisoformat(value + "+00:00")
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]  # a naive datetime

    def result_reader(self, dialect: Dialect) -> Callable[[Any], datetime | None] | None:
        """SQLite's result processor as one plain function (a bulk read's); None elsewhere.

        SQLAlchemy calls a decorator's ``process_result_value`` through a wrapper of its own
        (two calls a value), and a year of check-ins reads four moments a day. On SQLite the
        value is always the ISO text this type writes (its text column converts nothing);
        elsewhere the dialect's processor is the one to use.
        """
        return _utc_from_text if dialect.name == "sqlite" else None


def _utc_from_text(value: str | None, _parse: Any = datetime.fromisoformat) -> datetime | None:
    return None if value is None else _parse(value + "+00:00")


class ExactDecimal(TypeDecorator[Decimal]):
    """An exact decimal: NUMERIC on PostgreSQL, text on SQLite (which has no decimal type)."""

    impl = String(40)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """NUMERIC where the database has it."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Numeric(asdecimal=True))  # unbounded: exact
        return dialect.type_descriptor(String(40))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        """Text on SQLite, the decimal itself elsewhere."""
        if value is None:
            return None
        return format(value, "f") if dialect.name != "postgresql" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:  # noqa: ARG002 -- SQLAlchemy's signature
        """Back to an exact decimal, without trailing zeros."""
        return _exact(value)

    def result_reader(self, dialect: Dialect) -> Callable[[Any], Decimal | None] | None:
        """SQLite's result processor, each stored amount worked out once; None elsewhere.

        A dose log repeats a few amounts ("0.5" a year of days): the canonical decimal of an
        amount depends on its text alone, so it is kept. On SQLite the value is the text
        this type writes (its text column converts nothing); elsewhere the dialect's
        processor is the one to use.
        """
        return _exact_kept if dialect.name == "sqlite" else None


#: The arithmetic an amount is made canonical in: Python's default (28 digits), whatever
#: context the reading thread has set, so that an amount's canonical decimal depends on its
#: stored value alone.
_CANONICAL: Final = decimal.Context(prec=28)


def _exact(value: Any) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(str(value))
    if exact == exact.to_integral_value(context=_CANONICAL):
        return exact.quantize(Decimal(1), context=_CANONICAL)
    return exact.normalize(_CANONICAL)


#: :func:`_exact` of a stored text, kept for the amounts read most (by the text: '0.5' and
#: '0.50' are kept apart, each with the canonical decimal of its value).
_exact_of_text: Final = functools.lru_cache(maxsize=1024)(_exact)


def _exact_kept(value: Any) -> Decimal | None:
    """:func:`_exact`, kept when the driver gave text (SQLite's column always does)."""
    return _exact_of_text(value) if type(value) is str else _exact(value)


def _person_fk() -> Column[int]:
    return Column(
        "person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False
    )


#: The revision columns of ``persons``: any write, then check-ins, doses, scores, plans.
REVISION_COLUMNS: Final = (
    "revision",
    "checkins_revision",
    "doses_revision",
    "scores_revision",
    "plans_revision",
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(200), nullable=False),
    Column("time_zone", String(64), nullable=False),
    Column("age_band", String(20)),
    Column("conditions", JSON, nullable=False),
    Column("other_medicines", JSON, nullable=False),
    # the regimen before a plan (migration 0006): {"drug": ..., "doses": [{"clock": "22:00",
    # "amount_mg": "0.5"}]} (core.record.Regimen.to_json); NULL when not recorded
    Column("regimen", JSON, nullable=True),
    Column("created_at_utc", UtcDateTime, nullable=False),
    Column("updated_at_utc", UtcDateTime, nullable=False),
    # bumped by triggers on every write of the person's journal; each part's column takes
    # the new revision when that part is written (migration 0003)
    *(
        Column(name, BigInteger, nullable=False, server_default=text("0"))
        for name in REVISION_COLUMNS
    ),
)

checkins = Table(
    "checkins",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("wake_date", Date, nullable=False),
    Column("idempotency_key", String(100)),
    Column("time_zone", String(64), nullable=False),
    Column("bed_at_utc", UtcDateTime),
    Column("tried_at_utc", UtcDateTime),
    Column("final_wake_at_utc", UtcDateTime),
    Column("out_of_bed_at_utc", UtcDateTime),
    Column("sol_min", Integer),
    Column("waso_min", Integer),
    Column("awakenings", Integer),
    Column("sleep_quality_1_5", Integer),
    Column("mood_0_10", Integer, nullable=False),
    Column("anxiety_0_10", Integer, nullable=False),
    Column("symptoms_0_3", JSON, nullable=False),
    Column("worst_time", String(10)),
    Column("caffeine_drinks", Integer, nullable=False),
    Column("alcohol_drinks", Integer, nullable=False),
    Column("opioid_use", Boolean, nullable=False),
    Column("events", JSON, nullable=False),
    Column("notes", Text, nullable=False),
    Column("created_at_utc", UtcDateTime, nullable=False),
    Column("updated_at_utc", UtcDateTime, nullable=False),
    # the earlier check-in a section was copied from ("same as last night"), migration 0005
    Column("sleep_copied_from", Date),
    Column("symptoms_copied_from", Date),
    # a quick check-in's sleep as the person's estimate of minutes asleep (the times NULL), and
    # whether the symptom checklist was filled in at all, migration 0007
    Column("sleep_reported_min", Integer),
    Column("symptoms_rated", Boolean, nullable=False, server_default=true()),
    # whether caffeine, alcohol and opioid use were asked (a quick check-in: not), 0012
    Column("substances_asked", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("person_id", "wake_date", name="uq_checkins_person_id"),
    UniqueConstraint("person_id", "idempotency_key", name="uq_checkins_idempotency_key"),
)

dose_log = Table(
    "dose_log",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("day", Date, nullable=False),
    Column("drug", String(40), nullable=False),
    Column("planned_clock", String(5)),
    Column("planned_amount_mg", ExactDecimal),
    Column("taken_at_utc", UtcDateTime),
    Column("amount_mg", ExactDecimal),
    Column("time_zone", String(64), nullable=False),
    Column("units", String(200), nullable=False),
    Column("note", Text, nullable=False),
    Column("idempotency_key", String(100)),
    Column("created_at_utc", UtcDateTime, nullable=False),
    # what the person was asked when the line was logged (0011_dose_asked)
    Column("cut_checked", Boolean, nullable=False, server_default=false()),
    Column("stay_on_before", Date),
    UniqueConstraint("person_id", "idempotency_key", name="uq_dose_log_idempotency_key"),
    Index("ix_dose_log_person_day", "person_id", "day"),
)

instrument_scores = Table(
    "instrument_scores",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("instrument", String(10), nullable=False),
    Column("taken_on", Date, nullable=False),
    Column("items", JSON, nullable=False),
    Column("total", Integer, nullable=False),
    Column("band", String(30), nullable=False),
    Column("idempotency_key", String(100)),
    Column("created_at_utc", UtcDateTime, nullable=False),
    # the answers of the same day's questionnaire this one replaced (a PHQ-9 retaken with a
    # higher item 9), migration 0014; NULL: none
    Column("replaced_items", JSON),
    UniqueConstraint("person_id", "instrument", "taken_on", name="uq_instrument_scores_day"),
    UniqueConstraint("person_id", "idempotency_key", name="uq_instrument_scores_idempotency_key"),
)

plan_versions = Table(
    "plan_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("drug", String(40), nullable=False),
    Column("strategy", String(40), nullable=False),
    Column("proposed_by", String(200), nullable=False),
    Column("proposed_at_utc", UtcDateTime, nullable=False),
    Column("decided_by", String(200)),
    Column("decided_at_utc", UtcDateTime),
    Column("reason", Text, nullable=False),
    Column("parent_version", Integer),
    Column("steps", JSON, nullable=False),
    Column("supply", JSON, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("assumptions", JSON, nullable=False),
    Column("created_at_utc", UtcDateTime, nullable=False),
    # The rule basis (migration 0004): NULL on older rows, which keep to the guideline.
    Column("basis", JSON),
    Column("held_from", Date),
    UniqueConstraint("person_id", "version", name="uq_plan_versions_version"),
)

# The sleep window (CBT-I) week by week (migration 0008): rows are only ever inserted; the
# newest ``number`` is this week's window. ``set_by`` is "patient" or "clinician", ``by`` their
# name; ``step_min``/``efficiency_pct``/``nights``/``raise_above_se_pct`` are the weekly
# review that set it (0 and NULL for a first window or a clinician's).
sleep_windows = Table(
    "sleep_windows",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("number", Integer, nullable=False),
    Column("set_on", Date, nullable=False),
    Column("rise_clock", String(5), nullable=False),
    Column("time_in_bed_min", Integer, nullable=False),
    Column("set_by", String(20), nullable=False),
    Column("by", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("step_min", Integer, nullable=False),
    Column("efficiency_pct", Float),
    Column("nights", Integer, nullable=False),
    Column("raise_above_se_pct", Float),
    Column("created_at_utc", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "number", name="uq_sleep_windows_number"),
)

# Reminders in the person's own calendar (migration 0009). A feed's URL holds a random token;
# only its SHA-256 is stored. A revoked feed keeps its row (its URL answers 410 Gone).
calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("token_sha256", String(64), nullable=False),
    Column("created_at_utc", UtcDateTime, nullable=False),
    Column("revoked_at_utc", UtcDateTime),
    UniqueConstraint("token_sha256", name="uq_calendar_feeds_token_sha256"),
    Index("ix_calendar_feeds_person_id", "person_id"),
)

# Which reminders a person wants and when (one row, or none: the defaults).
reminder_settings = Table(
    "reminder_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("reminders", JSON, nullable=False),
    Column("checkin_clock", String(5), nullable=False),
    Column("alarm_minutes_before", Integer, nullable=False),
    Column("discreet", Boolean, nullable=False),
    Column("updated_at_utc", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", name="uq_reminder_settings_person_id"),
)

# Every event a person's calendars were sent, as last sent (core.reminders.IssuedEvent): the
# next export or feed read compares with it to bump SEQUENCE or cancel.
calendar_events = Table(
    "calendar_events",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("uid", String(64), nullable=False),
    Column("fingerprint_sha256", String(64), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("vevent", Text, nullable=False),
    Column("issued_at_utc", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "uid", name="uq_calendar_events_person_id"),
)

# Sleep from devices and apps (migration 0010), kept apart from the diary: each import is a
# batch (its file's name and SHA-256, when, how many records it added; undone_at_utc once
# undone, its records deleted); each record a stage or summary of one source, identified by
# record_sha256 (core.device_sleep.DeviceSleepRecord.key), unique per person, so importing the
# same records again adds nothing.
device_sleep_imports = Table(
    "device_sleep_imports",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("kind", String(20), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("records_added", Integer, nullable=False),
    Column("records_already", Integer, nullable=False),
    Column("imported_at_utc", UtcDateTime, nullable=False),
    Column("undone_at_utc", UtcDateTime),
    Index("ix_device_sleep_imports_person_id", "person_id"),
)

device_sleep_records = Table(
    "device_sleep_records",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column(
        "import_id",
        Integer,
        ForeignKey("device_sleep_imports.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("source", String(200), nullable=False),
    Column("device", String(200), nullable=False),
    Column("stage", String(10), nullable=False),
    Column("start_at_utc", UtcDateTime, nullable=False),
    Column("end_at_utc", UtcDateTime, nullable=False),
    Column("asleep_min", Integer),
    Column("origin_id", String(200), nullable=False),
    Column("record_sha256", String(64), nullable=False),
    UniqueConstraint("person_id", "record_sha256", name="uq_device_sleep_records_person_id"),
    Index("ix_device_sleep_records_import_id", "import_id"),
)

# The person's choice of source for nights several recorded, and the clinician's switch that
# lets device sleep feed findings (no row: no choice, off).
device_sleep_settings = Table(
    "device_sleep_settings",
    metadata,
    Column("id", Integer, primary_key=True),
    _person_fk(),
    Column("preferred_source", String(200)),
    Column("in_findings", Boolean, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at_utc", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", name="uq_device_sleep_settings_person_id"),
)
