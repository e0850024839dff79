"""A copy of the session's schema template is the database the migrations make (``tests/support``).

Compared on both backends with a database migrated from empty in the test: every object of the
schema (SQLite: ``sqlite_master``; PostgreSQL: columns, constraints, indexes and triggers),
and the revision. The copy works like a fresh database and is the test's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from taperline.adapters.storage import db
from taperline.adapters.storage.db import make_engine, revision
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from tests.support.db import copy_sqlite_template, migrate, real_migrate

_PG_SHAPE = {
    "columns": """SELECT table_name, column_name, data_type, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'""",
    "constraints": """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "triggers": """SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal""",
    "functions": """SELECT proname, prosrc FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace""",
    "version": "SELECT version_num FROM alembic_version",
}


def _schema(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    if engine.dialect.name == "postgresql":
        queries = _PG_SHAPE
    else:
        queries = {
            "objects": "SELECT type, name, tbl_name, sql FROM sqlite_master",
            "version": "SELECT version_num FROM alembic_version",
        }
    with engine.connect() as connection:
        return {
            name: sorted(tuple(row) for row in connection.exec_driver_sql(query))
            for name, query in queries.items()
        }


@pytest.fixture
def fresh(migrated_db_url: str, request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """An engine on an empty database of the same backend, migrated by Alembic here."""
    empty = "sqlite_url" if migrated_db_url.startswith("sqlite") else "pg_url"
    engine = make_engine(request.getfixturevalue(empty))
    real_migrate(engine)
    yield engine
    engine.dispose()


def test_a_template_copy_is_the_migrated_schema(fresh: sa.Engine, migrated_db_url: str) -> None:
    copy = make_engine(migrated_db_url)
    try:
        assert copy.dialect.name == fresh.dialect.name
        assert revision(copy) == revision(fresh) is not None
        assert _schema(copy) == _schema(fresh)
        store = Store(copy)
        assert store.person_ids() == []
        person = store.create_person(Profile("UTC"))
        assert store.person_ids() == [person]
    finally:
        copy.dispose()


def test_each_copy_is_its_own_database(tmp_path: Path) -> None:
    first = make_engine(copy_sqlite_template(tmp_path / "a.db"))
    second = make_engine(copy_sqlite_template(tmp_path / "b.db"))
    try:
        Store(first).create_person(Profile("UTC"))
        assert Store(second).person_ids() == []
    finally:
        first.dispose()
        second.dispose()


def test_migrating_an_empty_sqlite_file_copies_the_template(tmp_path: Path) -> None:
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    copied = make_engine(f"sqlite:///{tmp_path / 'copied.db'}")
    try:
        assert db.migrate is migrate  # tests/conftest.py swaps it in for every test
        real_migrate(fresh)
        with copied.connect():  # an engine that already has a connection open on it
            db.migrate(copied)
        assert _schema(copied) == _schema(fresh)
        # The engine's pragmas hold on the copy, and a second migrate finds nothing to do.
        with copied.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.migrate(copied)
        assert _schema(copied) == _schema(fresh)
    finally:
        fresh.dispose()
        copied.dispose()


def test_other_targets_and_a_database_with_a_schema_are_left_to_alembic(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        migrate(engine, "0001_journal")
        assert revision(engine) == "0001_journal"
        migrate(engine)  # from 0001 to the head: Alembic's upgrade, not a copy
        head = make_engine(copy_sqlite_template(tmp_path / "head.db"))
        assert revision(engine) == revision(head)
        head.dispose()
    finally:
        engine.dispose()
