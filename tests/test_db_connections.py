"""Database connections: ended PostgreSQL ones are replaced; SQLite writers queue in-process."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

from taperline.adapters.storage.db import (
    _pg_checkout,
    make_engine,
    read_transaction,
    write_transaction,
)


def _backend_pid(engine: object) -> int:
    with read_transaction(engine) as c:  # type: ignore[arg-type]
        return int(c.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_connection_the_server_ended_is_replaced_without_an_error(pg_url: str) -> None:
    engine, admin = make_engine(pg_url, pool_size=1), make_engine(pg_url)
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first  # the pool hands the same connection back
        with admin.connect() as c:
            assert c.exec_driver_sql(f"SELECT pg_terminate_backend({first})").scalar_one()
        time.sleep(0.2)  # the server's goodbye reaches the idle socket
        again = _backend_pid(engine)  # no error: the dead connection never reached us
        assert again != first
        assert _backend_pid(engine) == again
    finally:
        engine.dispose()
        admin.dispose()


def test_the_checkout_check_refuses_only_a_closed_or_readable_connection(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as c:
            raw = c.connection.dbapi_connection
            _pg_checkout(raw, None, None)  # idle and open: accepted
            raw.close()
            with pytest.raises(DisconnectionError):
                _pg_checkout(raw, None, None)
            c.invalidate()
    finally:
        engine.dispose()


def test_sqlite_writers_of_one_process_queue_instead_of_timing_out(sqlite_url: str) -> None:
    """A writer waits for another thread's write however long it takes, not the busy timeout.

    The busy timeout is cut to 50 ms here; the first writer keeps the lock for 300 ms.
    """
    engine = make_engine(sqlite_url)
    event.listen(engine, "connect", lambda raw, _record: raw.execute("PRAGMA busy_timeout = 50"))
    try:
        with write_transaction(engine) as c:
            c.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        failures: list[BaseException] = []

        def second() -> None:
            try:
                with write_transaction(engine) as c:
                    c.exec_driver_sql("INSERT INTO t VALUES (2)")
            except BaseException as error:  # reported by the assertion below
                failures.append(error)

        with write_transaction(engine) as c:
            c.exec_driver_sql("INSERT INTO t VALUES (1)")
            other = threading.Thread(target=second)
            other.start()
            time.sleep(0.3)
        other.join(10)
        assert failures == []
        with read_transaction(engine) as c:
            assert sorted(c.exec_driver_sql("SELECT n FROM t").scalars()) == [1, 2]
    finally:
        engine.dispose()
