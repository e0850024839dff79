"""A copy of the session's schema template is the database the migrations make (``tests/support``).

Compared on both backends with a database migrated from empty in the test: every object of the
schema (SQLite: ``sqlite_master``; PostgreSQL: columns, constraints, indexes and triggers),
and the revision. The copy works like a fresh database and is the test's own.

PostgreSQL's copies are made ahead by a :class:`~tests.support.pgpool.DatabasePool`: each one it
hands out is a copy of its template that nobody wrote to, and no two callers get the same one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from taperline.adapters.storage import db
from taperline.adapters.storage.db import make_engine, revision
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from tests.pgserver import PgServer, PgServerError
from tests.support.db import copy_sqlite_template, migrate, real_migrate
from tests.support.pgpool import DatabasePool

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


@pytest.fixture
def fresh_pg(pg_url: str) -> Iterator[sa.Engine]:
    """An engine on an empty PostgreSQL database, migrated by Alembic here."""
    engine = make_engine(pg_url)
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


# --- the PostgreSQL pool --------------------------------------------------------------------


def _databases(server: PgServer, prefix: str) -> set[str]:
    with server.connect() as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s)", [prefix]
        )
        return {row[0] for row in rows}


def test_the_pool_hands_out_fresh_copies_of_its_template(
    pg_server: PgServer, pg_template: str, fresh_pg: sa.Engine
) -> None:
    with DatabasePool(pg_server, template=pg_template, ahead=2, prefix="pool_fresh_") as pool:
        first = pool.take()
        used = make_engine(pg_server.url(first))
        try:
            Store(used).create_person(Profile("UTC"))
            made_before_the_write = pool.wait_until_full()  # made while `first` was in use
            later = [pool.take() for _ in range(3)]  # two made before, one after the write
        finally:
            used.dispose()
        assert made_before_the_write == later[:2]
        assert len({first, *later}) == 4
        assert pool.taken() == [first, *later]
        for name in later:
            copy = make_engine(pg_server.url(name))
            try:
                assert revision(copy) == revision(fresh_pg) is not None
                assert _schema(copy) == _schema(fresh_pg)
                assert Store(copy).person_ids() == []
            finally:
                copy.dispose()
        for name in [first, *later]:
            pg_server.drop_database(name)


def test_threads_taking_at_once_never_share_a_database(pg_server: PgServer) -> None:
    taken: list[list[str]] = [[] for _ in range(4)]
    with DatabasePool(pg_server, ahead=2, prefix="pool_threads_") as pool:

        def take_three(mine: list[str]) -> None:
            mine.extend(pool.take() for _ in range(3))

        threads = [threading.Thread(target=take_three, args=(mine,)) for mine in taken]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        names = [name for mine in taken for name in mine]
        assert len(names) == len(set(names)) == 12
        assert sorted(pool.taken()) == sorted(names)
        assert set(names) <= _databases(pg_server, "pool_threads_")
    for name in names:
        pg_server.drop_database(name)
    assert _databases(pg_server, "pool_threads_") == set()


def test_closing_the_pool_drops_what_nobody_took(pg_server: PgServer) -> None:
    pool = DatabasePool(pg_server, ahead=2, prefix="pool_close_")
    taken = pool.take()
    ready = pool.wait_until_full()
    assert len(ready) == 2
    assert taken not in ready
    assert _databases(pg_server, "pool_close_") == {taken, *ready}
    pool.close()
    pool.close()  # a second close is harmless
    assert _databases(pg_server, "pool_close_") == {taken}  # the taker drops its own
    pg_server.drop_database(taken)
    with pytest.raises(PgServerError, match="closed"):
        pool.take()


def test_a_pool_closed_while_copying_leaves_nothing(pg_server: PgServer) -> None:
    with DatabasePool(pg_server, ahead=2, prefix="pool_busy_"):
        pass  # closed at once, most likely while its first copy is in progress
    assert _databases(pg_server, "pool_busy_") == set()


def test_a_copy_that_fails_is_raised_not_waited_for(pg_server: PgServer) -> None:
    with DatabasePool(pg_server, template="no_such_template", prefix="pool_fail_") as pool:
        with pytest.raises(PgServerError, match="copying no_such_template failed"):
            pool.take(timeout=30)
        with pytest.raises(PgServerError, match="no_such_template"):
            pool.wait_until_full(timeout=30)
    assert _databases(pg_server, "pool_fail_") == set()
