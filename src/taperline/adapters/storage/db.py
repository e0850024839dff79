"""Database URLs, engines and migrations.

SQLite is the default: a file in the user's data directory, opened with WAL, ``synchronous=
FULL``, foreign keys on and a busy timeout. ``TAPERLINE_DATABASE_URL`` overrides it, e.g.
``postgresql+psycopg://user@127.0.0.1:5432/taperline``. Nothing here runs at import time.
"""

from __future__ import annotations

import functools
import re
import select as os_select
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Final
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Engine,
    Insert,
    Table,
    bindparam,
    cast,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy import literal_column as sql
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from taperline.errors import InputError

__all__ = [
    "ENV_DATABASE_URL",
    "Transactions",
    "database_url",
    "default_sqlite_url",
    "downgrade",
    "head_revision",
    "make_engine",
    "migrate",
    "read_transaction",
    "relaxed_insert",
    "relaxed_insert_statement",
    "relaxed_write_transaction",
    "revision",
    "shown_url",
    "stored_revision",
    "write_transaction",
]

ENV_DATABASE_URL: Final = "TAPERLINE_DATABASE_URL"
BUSY_TIMEOUT_MS: Final = 30_000
WRITE: Final = "taperline_write"  # execution option: this transaction writes
RELAXED: Final = "taperline_relaxed"  # execution option: its commit need not wait for the disk
_MIGRATIONS: Final = Path(__file__).parent / "migrations"


def default_sqlite_url() -> str:
    """``sqlite:///`` a file ``taperline.db`` in the user's data directory (created if needed)."""
    from platformdirs import user_data_path

    folder = user_data_path("taperline", appauthor=False, ensure_exists=True)
    return f"sqlite:///{folder / 'taperline.db'}"


def database_url(environ: Mapping[str, str]) -> str:
    """The database URL: ``TAPERLINE_DATABASE_URL`` if set, else the default SQLite file."""
    return environ.get(ENV_DATABASE_URL, "").strip() or default_sqlite_url()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (see _sqlite_begin), so the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # A writer takes the write lock at BEGIN so two writers never deadlock on a lock upgrade
    # (which SQLite reports as "database is locked" without waiting for the busy timeout).
    options = connection.get_execution_options()
    synchronous = "NORMAL" if options.get(RELAXED, False) else "FULL"
    info = connection.connection.info  # per pooled connection: switch only when it changes
    if info.get("synchronous", "FULL") != synchronous:
        connection.exec_driver_sql(f"PRAGMA synchronous = {synchronous}")
        info["synchronous"] = synchronous
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE, False) else "BEGIN")


def shown_url(url: str) -> str:
    """``url`` fit to print or log: its password, if it has one, shown as ``***``.

    >>> shown_url("postgresql+psycopg://app:secret@db.example/taperline")
    'postgresql+psycopg://app:***@db.example/taperline'
    """
    return make_url(url).render_as_string(hide_password=True)


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url``; SQLite gets its pragmas and explicit BEGIN on every connection."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise InputError(f"database URL {url!r} cannot be parsed: {error}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:  # a file where the folder should be, no permission, ...
                reason = error.strerror or type(error).__name__
                raise InputError(
                    f"database {shown_url(url)}: its folder {folder} cannot be made ({reason})"
                ) from None
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **options)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        _WRITERS[engine] = threading.RLock()
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise InputError(
            f"database URL {url!r}: only sqlite:/// and postgresql+psycopg:// are supported"
        )
    engine = create_engine(parsed, **options)
    event.listen(engine, "checkout", _pg_checkout)
    return engine


def _pg_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled PostgreSQL connection the server has closed; the pool makes a new one.

    An idle connection has nothing to read. When the server ends it (a restart, an
    administrator, an idle timeout) it sends a last message and closes the socket, so the
    socket turns readable: one ``poll`` with no wait tells, where SQLAlchemy's
    ``pool_pre_ping`` would run ``SELECT 1`` (a round trip and about 0.2 ms of CPU on every
    checkout, half the cost of a small read).
    """
    from psycopg import pq
    from sqlalchemy.exc import DisconnectionError

    pgconn = dbapi_connection.pgconn
    if pgconn.status != pq.ConnStatus.OK or pgconn.socket < 0:
        raise DisconnectionError("the connection is closed")
    poller = os_select.poll()
    poller.register(pgconn.socket, os_select.POLLIN | os_select.POLLERR | os_select.POLLHUP)
    if poller.poll(0):
        raise DisconnectionError("the server ended the connection while it was idle")


# SQLite has one writer at a time. Its busy handler waits for the lock by sleeping (1, 2, 5,
# 10, ... up to 100 ms a time), so threads of one process queue on a lock of their own
# instead and each gets the database the moment the last one is done; the busy timeout
# remains for writers in other processes (the CLI, a second server).
_WRITERS: Final[WeakKeyDictionary[Engine, threading.RLock]] = WeakKeyDictionary()


def _one_writer(engine: Engine) -> AbstractContextManager[Any]:
    return _WRITERS.get(engine) or nullcontext()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One writing transaction (on SQLite it takes the write lock at BEGIN)."""
    with _one_writer(engine), engine.connect() as connection:
        connection.execution_options(**{WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def relaxed_write_transaction(engine: Engine) -> Iterator[Connection]:
    """A writing transaction whose commit does not wait for the disk (for read-audit lines).

    Its rows reach the disk with the next durable commit at the latest, because the
    write-ahead log is flushed in order (SQLite WAL with ``synchronous=NORMAL``; PostgreSQL
    ``synchronous_commit=off``). A crash of the app loses nothing; a power cut or an
    operating-system crash may lose the last few such rows, never a durable write.
    """
    with _one_writer(engine), engine.connect() as connection:
        connection.execution_options(**{WRITE: True, RELAXED: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield connection


# On PostgreSQL a relaxed insert is one statement in autocommit: its SELECT sets
# synchronous_commit for its own transaction (set_config's is_local), and the INSERT takes
# its values from that SELECT. BEGIN, SET LOCAL and COMMIT would be three more round trips.
@functools.cache
def relaxed_insert_statement(table: Table, names: tuple[str, ...]) -> Insert:
    """PostgreSQL: insert one row (bound by column name) with synchronous_commit off."""
    relaxed = select(sql("set_config('synchronous_commit', 'off', true)")).subquery()
    values = [cast(bindparam(name), table.c[name].type) for name in names]
    return insert(table).from_select(list(names), select(*values).select_from(relaxed))


@functools.cache
def _insert_of(table: Table) -> Insert:
    return insert(table)


def relaxed_insert(engine: Engine, table: Table, row: Mapping[str, Any]) -> None:
    """Insert one row with a commit that does not wait for the disk (a read-audit line).

    The same durability as :func:`relaxed_write_transaction`, in one round trip on PostgreSQL.
    """
    if engine.dialect.name != "postgresql":
        with relaxed_write_transaction(engine) as connection:
            connection.execute(_insert_of(table), dict(row))
        return
    statement = relaxed_insert_statement(table, tuple(row))
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(statement, dict(row))


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """One reading transaction.

    On SQLite its statements share one snapshot. PostgreSQL runs at READ COMMITTED, where
    each statement takes its own snapshot inside a transaction too, so reads there run in
    autocommit mode: the same answers, without the BEGIN and COMMIT round trips.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        with connection.begin():
            yield connection


class Transactions:
    """An engine and its transactions: the base of the ``Store`` and of ``Accounts``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self.engine)

    def _read(self) -> AbstractContextManager[Connection]:
        return read_transaction(self.engine)


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


_STORED_REVISION: Final = text("SELECT version_num FROM alembic_version")
_REVISION_LINE: Final = re.compile(r'^(down_revision|revision)\s*=\s*"([^"]*)"', re.MULTILINE)


@functools.cache
def head_revision() -> str | None:
    """The newest migration's id, read from the version files without importing Alembic.

    None when the files do not name exactly one head (then Alembic decides).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (_MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text("utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision the database says it is at, in one query (None: never migrated)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(_STORED_REVISION).scalar()
    except DBAPIError:  # no alembic_version table yet: a new database
        return None
    return str(found) if found is not None else None


def migrate(engine: Engine, target: str = "head") -> None:
    """Upgrade the schema to ``target`` (all migrations by default)."""
    from alembic import command

    with engine.connect() as connection:
        command.upgrade(_alembic_config(connection), target)
        connection.commit()


def downgrade(engine: Engine, target: str = "base") -> None:
    """Downgrade the schema to ``target`` (everything removed by default)."""
    from alembic import command

    with engine.connect() as connection:
        command.downgrade(_alembic_config(connection), target)
        connection.commit()


def revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
