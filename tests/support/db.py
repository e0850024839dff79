"""The schema template: the migrations run once per test session; each test gets a copy.

Migrating an empty database from 0001 to the head costs ~75 ms on SQLite (more on PostgreSQL,
and several times that on a busy machine), and hundreds of tests start from one. So the
migrations run once, into a template, and a test's fresh database is a copy of it:

- SQLite: the template is a file (made by :func:`taperline.adapters.storage.db.migrate` on a
  :func:`~taperline.adapters.storage.db.make_engine` engine, so in WAL mode like any other);
  :func:`copy_sqlite_template` copies it to a new path, :func:`migrate` copies it into an
  empty database an engine already has open (SQLite's online backup, page by page).
- PostgreSQL: ``CREATE DATABASE ... TEMPLATE`` of a database migrated once per session (the
  ``pg_template`` fixture in ``tests/conftest.py``), the copies made ahead while earlier tests
  run (``tests/support/pgpool.py``).

The copy is the schema the migrations made, ``alembic_version`` row included;
``tests/test_support_db.py`` compares a copy with a fresh migration on both backends, and
``tests/test_migrations.py`` still runs every migration up and down on a fresh database.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import threading
from pathlib import Path

from sqlalchemy import Engine

from taperline.adapters.storage import db

__all__ = ["copy_sqlite_template", "migrate", "real_migrate", "sqlite_template"]

#: Alembic's migrate, as the module defined it (``tests/conftest.py`` swaps ``db.migrate``).
real_migrate = db.migrate

_LOCK = threading.Lock()
_TEMPLATE: list[Path] = []  # at most one: this process's template file


def sqlite_template() -> Path:
    """This process's SQLite template at the head revision, made on first use."""
    with _LOCK:
        if not _TEMPLATE:
            folder = Path(tempfile.mkdtemp(prefix="taperline-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / "template.db"
            engine = db.make_engine(f"sqlite:///{path}")
            try:
                real_migrate(engine)
                with engine.connect() as connection:
                    # Everything into the main file, so the file alone is the database.
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                engine.dispose()
            _TEMPLATE.append(path)
        return _TEMPLATE[0]


def copy_sqlite_template(path: Path) -> str:
    """Copy the template to ``path`` (a new file); its ``sqlite:///`` URL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sqlite_template(), path)
    return f"sqlite:///{path}"


def _sqlite_file(engine: Engine) -> bool:
    database = engine.url.database or ""
    return engine.dialect.name == "sqlite" and database not in {"", ":memory:"}


def migrate(engine: Engine, target: str = "head") -> None:
    """:func:`taperline.adapters.storage.db.migrate`, with an empty SQLite file copied instead.

    An empty SQLite database asked for the head gets the template's pages through SQLite's
    online backup, into the connection the engine opened (so with its pragmas, and seen at
    once by the engine's other connections). Anything else (another target, a database that
    holds something, PostgreSQL, ``:memory:``) is migrated by Alembic as before.
    """
    if target == "head" and _sqlite_file(engine):
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            assert raw is not None
            (count,) = raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if count == 0:
                template = sqlite3.connect(sqlite_template())
                try:
                    template.backup(raw)
                finally:
                    template.close()
                return
    real_migrate(engine, target)
