"""Shared fixtures: database URLs for SQLite and a throwaway PostgreSQL server.

Storage contract tests take ``db_url`` and run once per backend::

    def test_round_trip(db_url: str) -> None:
        engine = sqlalchemy.create_engine(db_url)
        ...

The PostgreSQL server (see ``tests/pgserver.py``) starts once per test session, on first use
only: a run that selects no PostgreSQL test starts no server. Each test gets a fresh, empty
database on it, dropped afterwards; the databases are made ahead, while earlier tests run
(``tests/support/pgpool.py``), and each is handed to one test only. Without PostgreSQL on the
machine the PostgreSQL variants are skipped, except when the ``CI`` or
``TAPERLINE_REQUIRE_POSTGRES`` environment variable is set (``.ci/run`` sets the latter), where
they fail.

A test that wants a database at the newest schema takes ``migrated_db_url`` (or
``migrated_sqlite_url`` / ``migrated_pg_url``): a copy of a template the migrations made once
this session (``tests/support/db.py``). Code under test that migrates an empty SQLite file to
the head itself (``open_store``, the web app's start-up, the CLI) gets the same copy: during
each test ``taperline.adapters.storage.db.migrate`` is ``tests.support.db.migrate``.
``tests/test_migrations.py`` imports Alembic's own and runs every migration.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from taperline.adapters.storage import db
from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from tests.pgserver import PgServer, PgServerUnavailable, postgres_server
from tests.support import apps, order
from tests.support import db as support_db
from tests.support.browser import SharedChromium, require_browser
from tests.support.pgpool import DatabasePool

# Property tests must not fail because the machine is busy: no deadline, and no "input
# generation is slow" health check (both measure wall-clock time, not correctness).
settings.register_profile("taperline", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "taperline"))

# A test process makes hundreds of apps: each route's request handling and the templates are
# built once and shared (tests/support/apps.py; each app keeps its own settings and database).
apps.share_route_handling()
apps.share_templates()

#: Environment variables that make a missing PostgreSQL a failure instead of a skip.
REQUIRE_POSTGRES_VARS = ("CI", "TAPERLINE_REQUIRE_POSTGRES")
#: Values of those variables that do not count as set.
_UNSET = {"", "0", "false", "no"}
#: The PostgreSQL database migrated once per session, copied by ``migrated_pg_url``.
PG_TEMPLATE = "taperline_template"


def postgres_required() -> bool:
    """Tell whether ``CI`` or ``TAPERLINE_REQUIRE_POSTGRES`` says PostgreSQL must be tested."""
    return any(
        os.environ.get(name, "").strip().lower() not in _UNSET for name in REQUIRE_POSTGRES_VARS
    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL server for the whole test session.

    Skips when PostgreSQL is not installed, but fails under ``CI`` (or
    ``TAPERLINE_REQUIRE_POSTGRES``): there a missing server is a broken CI machine, not a reason
    to pass without testing PostgreSQL.
    """
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(postgres_server())
        except PgServerUnavailable as error:
            if postgres_required():
                pytest.fail(
                    f"PostgreSQL is required when {' or '.join(REQUIRE_POSTGRES_VARS)} is set: "
                    f"{error}",
                    pytrace=False,
                )
            pytest.skip(f"PostgreSQL not available: {error}")
        yield server


@pytest.fixture(scope="session")
def pg_empty_databases(pg_server: PgServer) -> Iterator[DatabasePool]:
    """Empty databases made ahead while the tests run (``tests/support/pgpool.py``)."""
    with DatabasePool(pg_server) as pool:
        yield pool


@pytest.fixture
def pg_url(pg_server: PgServer, pg_empty_databases: DatabasePool) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty PostgreSQL database, dropped after the test.

    The database was made (a copy of ``template1``, as ``CREATE DATABASE`` makes by default)
    while an earlier test ran, and is handed to this test alone. The drop uses ``WITH
    (FORCE)``, so connections the test left open (an engine's pool) do not block it; they are
    terminated.
    """
    name = pg_empty_databases.take()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a SQLite database file (not yet created) in the test's ``tmp_path``."""
    return f"sqlite:///{tmp_path}/taperline.db"


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """SQLAlchemy URL of a fresh, empty database; the test runs once per backend.

    The other backend's fixture is not requested, so the SQLite variant never starts PostgreSQL.
    """
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(autouse=True)
def _schema_from_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty SQLite file migrated to the head by the code under test is a template copy."""
    monkeypatch.setattr(db, "migrate", support_db.migrate)


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """The name of a PostgreSQL database migrated to the head once per session."""
    url = pg_server.create_database(PG_TEMPLATE)
    engine = db.make_engine(url)
    try:
        support_db.real_migrate(engine)
    finally:
        engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it without sessions
    return PG_TEMPLATE


@pytest.fixture
def migrated_sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a SQLite file at the newest schema (a copy of the template)."""
    return support_db.copy_sqlite_template(tmp_path / "taperline.db")


@pytest.fixture(scope="session")
def pg_migrated_databases(pg_server: PgServer, pg_template: str) -> Iterator[DatabasePool]:
    """Copies of the schema template made ahead while tests run (``tests/support/pgpool.py``)."""
    with DatabasePool(pg_server, template=pg_template) as pool:
        yield pool


@pytest.fixture
def migrated_pg_url(pg_server: PgServer, pg_migrated_databases: DatabasePool) -> Iterator[str]:
    """SQLAlchemy URL of a fresh PostgreSQL database at the newest schema, dropped after.

    A copy of the template made while an earlier test ran, handed to this test alone.
    """
    name = pg_migrated_databases.take()
    try:
        yield pg_server.url(name)
    finally:
        pg_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"], ids=["sqlite", "postgresql"])
def migrated_db_url(request: pytest.FixtureRequest) -> str:
    """SQLAlchemy URL of a fresh database at the newest schema; runs once per backend."""
    fixture = "migrated_sqlite_url" if request.param == "sqlite" else "migrated_pg_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def store(migrated_db_url: str) -> Iterator[Store]:
    """A store on a fresh database at the newest schema, on each backend (``migrated_db_url``).

    A module with a store of its own (another database, a seeded one) defines its own
    ``store`` fixture, which pytest uses instead.
    """
    engine = make_engine(migrated_db_url)
    yield Store(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def shared_chromium() -> Iterator[SharedChromium]:
    """Playwright's driver and one Chromium for this test process (``tests/support/browser.py``)."""
    shared = SharedChromium()
    try:
        yield shared
    finally:
        shared.stop()


@pytest.fixture
def browser(shared_chromium: SharedChromium) -> Iterator[Any]:
    """The process's Chromium (a Playwright ``Browser``), for contexts of the test's own.

    Skipped without Chromium or Playwright (failed under ``CI``). The contexts the test leaves
    open are closed after it: no cookie, storage, service worker or offline switch outlives it.
    """
    require_browser()
    try:
        yield shared_chromium.resume()
    finally:
        shared_chromium.park()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist each worker starts with its share of the tests marked ``slow``.

    See ``tests/support/order.py`` (issue 19 section 4). Without xdist the order is kept; no
    test may depend on the order (``make test`` runs them in parallel).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    items[:] = order.deal(items, workers, lambda item: item.get_closest_marker("slow") is not None)
