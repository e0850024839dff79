"""Alembic migrations go up, down and up again on SQLite and PostgreSQL with the data intact.

The tests walk whatever migrations exist (``alembic`` heads and history are read from the
scripts), so a new migration is covered without changing them. SQLite connections must carry
the pragmas the durability of the journal depends on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from taperline.adapters.storage import db, schema
from taperline.adapters.storage.db import downgrade, make_engine, migrate, revision
from taperline.adapters.storage.repo import Store
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, PlanVersion, Profile, RecordDose
from taperline.core.record import RecordStep as Step
from taperline.errors import ConflictError
from tests.strategies import wall_clock

# The web app's tables live on the same metadata; registering them makes the checks cover them.
with contextlib.suppress(ImportError):  # an older tree without the web app
    from taperline.adapters.storage import accounts_schema  # noqa: F401 -- imported for its tables

FIRST = "0001_journal"
JOURNAL_TABLES = {"persons", "checkins", "dose_log", "instrument_scores", "plan_versions"}
VERSION_TABLE = "alembic_version"
WAKE = date(2027, 1, 5)


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    return ScriptDirectory.from_config(config)


def _head() -> str:
    heads = _scripts().get_heads()
    assert len(heads) == 1, f"the migrations must have one head, not {heads}"
    return heads[0]


def _history() -> list[str]:
    """Every revision, oldest first."""
    return [script.revision for script in reversed(list(_scripts().walk_revisions()))]


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {VERSION_TABLE}


def _journal_rows(engine: sa.Engine) -> dict[str, list[dict[str, object]]]:
    """Every row of each journal table, by table, in primary-key order (its columns as they are)."""
    tables = {}
    with engine.connect() as connection:
        for table in sorted(JOURNAL_TABLES):
            result = connection.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))  # noqa: S608 -- fixed names
            tables[table] = [dict(row._mapping) for row in result]
    return tables


def _columns_of(
    engine: sa.Engine, rows: dict[str, list[dict[str, object]]]
) -> dict[str, list[dict[str, object]]]:
    """``rows`` cut down to the columns each table has now."""
    inspector = sa.inspect(engine)
    kept = {t: {c["name"] for c in inspector.get_columns(t)} for t in rows}
    return {t: [{k: v for k, v in r.items() if k in kept[t]} for r in rs] for t, rs in rows.items()}


def _shape(engine: sa.Engine) -> tuple[dict[str, set[str]], set[str]]:
    """Each table's columns, and the names of the triggers (a migration may add either)."""
    inspector = sa.inspect(engine)
    columns = {
        table: {column["name"] for column in inspector.get_columns(table)}
        for table in _tables(engine)
    }
    query = (
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        if engine.dialect.name == "postgresql"
        else "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    )
    with engine.connect() as connection:
        triggers = set(connection.exec_driver_sql(query).scalars())
    return columns, triggers


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _fill(store: Store) -> int:
    """A person with something in every journal table; returns the id."""
    person = store.create_person(Profile("Europe/London", "40-64", ("insomnia",), (), "Zoë"))
    night = SleepDiary(*night_times(WAKE), sol_min=20, waso_min=30, awakenings=2, quality=3)
    store.save_checkin(
        person,
        CheckIn(
            WAKE,
            night,
            mood=4,
            anxiety=6,
            symptoms={"tremor": 2},
            events=frozenset({"fall"}),
            notes="schlecht geschlafen — 😴",
        ),
        idempotency_key="checkin-1",
    )
    store.save_checkin(person, CheckIn(WAKE + timedelta(days=1), None, mood=5, anxiety=5))
    dose = DoseRecord(
        WAKE,
        "clonazepam",
        "22:00",
        Mass.of_mg("0.0625"),
        wall_clock(2027, 1, 5, 22, 10),
        Mass.of_mg("0.0625"),
    )
    store.log_dose(person, dose, idempotency_key="dose-1")
    store.log_dose(person, DoseRecord(WAKE, "clonazepam", "08:00", Mass.of_mg("0.125"), None, None))
    store.save_score(person, score_phq9([1] * 9, WAKE))
    store.save_score(person, score_gad7([2] * 7, WAKE))
    step = Step(WAKE, (RecordDose("22:00", "clonazepam", Mass.of_mg("0.125")),))
    store.add_plan(
        person,
        PlanVersion(
            1,
            "proposed",
            "clonazepam",
            "percent",
            (step,),
            "patient",
            datetime(2027, 1, 1, tzinfo=UTC),
        ),
    )
    store.decide(person, "approve", by="Dr Lee", reason="agreed")
    return person


def _check_working(store: Store, person: int, record: PersonRecord) -> None:
    """The record reads back as it was, and the constraints still hold."""
    assert store.record(person) == record
    assert not store.save_checkin(
        person, CheckIn(WAKE, None, mood=0, anxiety=0), idempotency_key="checkin-1"
    ).created
    with pytest.raises(ConflictError):
        store.save_checkin(person, CheckIn(WAKE + timedelta(days=1), None, mood=0, anxiety=0))
    assert store.record(person) == record


def test_up_down_up_keeps_the_journal(engine: sa.Engine) -> None:
    head = _head()
    assert revision(engine) is None
    migrate(engine)
    assert revision(engine) == head
    assert _tables(engine) == set(schema.metadata.tables)
    newest = _shape(engine)
    store = Store(engine)
    person = _fill(store)
    record = store.record(person)
    rows = _journal_rows(engine)

    # Down to every earlier revision that holds the journal, and up again.
    history = _history()
    assert history[0] == FIRST
    for target in reversed(history[:-1]):
        downgrade(engine, target)
        assert revision(engine) == target
        assert JOURNAL_TABLES <= _tables(engine) <= set(schema.metadata.tables)
        assert _shape(engine) != newest
        if target == FIRST:
            assert _tables(engine) == JOURNAL_TABLES
        # Every value a column of that revision holds is still there (the code of today reads
        # the newest schema only: a column it reads may not exist yet).
        assert _journal_rows(engine) == _columns_of(engine, rows)
        migrate(engine)
        assert revision(engine) == head
        assert _tables(engine) == set(schema.metadata.tables)
        _check_working(store, person, record)

    # Down to nothing: every table is gone.
    downgrade(engine, "base")
    assert revision(engine) is None
    assert _tables(engine) == set()

    # Up again: empty, and working.
    migrate(engine)
    assert revision(engine) == head
    assert _tables(engine) == set(schema.metadata.tables)
    assert store.person_ids() == []
    again = _fill(store)
    _check_working(store, again, store.record(again))
    store.delete_person(again)
    assert store.person_ids() == []


def test_one_step_at_a_time(engine: sa.Engine) -> None:
    """Each migration's downgrade undoes exactly its upgrade."""
    shape_at: dict[str, tuple[dict[str, set[str]], set[str]]] = {}
    for target in _history():
        migrate(engine, target)
        assert revision(engine) == target
        shape_at[target] = _shape(engine)
        assert shape_at[target] not in list(shape_at.values())[:-1], f"{target} changed nothing"
    for target in reversed(_history()[:-1]):
        downgrade(engine, target)
        assert _shape(engine) == shape_at[target]
    downgrade(engine, "base")
    assert _shape(engine) == ({}, set())


def test_the_migrated_schema_matches_the_tables_the_code_uses(engine: sa.Engine) -> None:
    migrate(engine)
    migrate(engine)  # a second run finds nothing to do
    assert revision(engine) == _head()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []


def test_sqlite_connections_carry_the_pragmas(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    store = Store(engine)
    person = store.create_person(Profile("UTC"))
    try:
        # Two connections at once: every connection of the pool gets them, not just the first.
        with store.engine.connect() as first, store.engine.connect() as second:
            for connection in (first, second):

                def pragma(name: str, c: sa.Connection = connection) -> object:
                    return c.exec_driver_sql(f"PRAGMA {name}").scalar()

                assert pragma("journal_mode") == "wal"
                assert pragma("synchronous") == 2  # FULL
                assert pragma("foreign_keys") == 1
                busy = pragma("busy_timeout")
                assert isinstance(busy, int)
                assert busy > 0
        # Foreign keys are enforced, not just switched on.
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                sa.insert(schema.instrument_scores).values(
                    person_id=person + 99,
                    instrument="PHQ-9",
                    taken_on=WAKE,
                    items=[],
                    total=0,
                    band="minimal",
                    created_at_utc=datetime.now(UTC),
                )
            )
    finally:
        engine.dispose()
