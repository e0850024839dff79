"""PostgreSQL test databases made ahead, on a background thread, each handed out once.

A test's fresh database is ``CREATE DATABASE ... TEMPLATE`` of an empty one (``template1``)
or of the schema template (``tests/support/db.py``); the copy costs 0.1-0.3 s of the
server's time, mostly writing the template's 8 MB (system catalogs included) through the WAL.
The test waited for it, in its setup, while its own process sat idle. A
:class:`DatabasePool` makes the next copies while the tests run, so a test takes one that is
ready (or waits only for the rest of one in progress)::

    with DatabasePool(server, template="taperline_template") as pool:
        name = pool.take()  # the test's own database: nobody else gets this name
        ...
        server.drop_database(name)

What a test gets is what it got before: a new database, copied from the template after the
template was finished (the pool is made once it is) and handed out once, that no session has
connected to (the worker's connection is to ``postgres``). Only the moment of the copy moves.

- Names are ``<prefix><uuid4 hex>``; ``CREATE DATABASE`` itself refuses a name that exists, and
  :meth:`DatabasePool.take` removes the name it returns from the ready list under the lock, so
  no two callers (tests, threads) ever get the same database.
- ``ahead`` databases are kept ready (made one after another on one connection); a failed copy
  is raised by the next :meth:`~DatabasePool.take` that finds none ready, rather than hanging.
- :meth:`~DatabasePool.close` cancels a copy in progress, waits for the thread and drops the
  databases nobody took. Each pytest-xdist worker is its own process with its own server
  (``pg_server`` is session-scoped), so it has its own pools.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import uuid
from types import TracebackType

import psycopg
from psycopg.rows import TupleRow

from tests.pgserver import PgServer, PgServerError, create_database_sql

__all__ = ["DatabasePool"]


class DatabasePool:
    """Copies of ``template`` (``template1`` when None) made ahead on ``server``.

    Args:
        server: the running server the databases are made on.
        template: the database to copy; it must not change while the pool is open.
        ahead: how many databases to keep ready.
        prefix: the start of each database's name.
    """

    def __init__(
        self,
        server: PgServer,
        *,
        template: str | None = None,
        ahead: int = 2,
        prefix: str = "t_",
    ) -> None:
        if ahead < 1:
            raise ValueError(f"ahead must be at least 1, not {ahead}")
        self.server = server
        self.template = template
        self.ahead = ahead
        self.prefix = prefix
        self._ready: collections.deque[str] = collections.deque()
        self._taken: list[str] = []
        self._error: BaseException | None = None
        self._closed = False
        self._cond = threading.Condition()
        self._conn: psycopg.Connection[TupleRow] | None = None
        self._thread = threading.Thread(
            target=self._make_ahead, name=f"pgpool-{template or 'empty'}", daemon=True
        )
        self._thread.start()

    # --- the test's side ----------------------------------------------------------------------

    def take(self, timeout: float = 120.0) -> str:
        """Return the name of a ready database, never returned before; wait for one if need be.

        Raises:
            PgServerError: the pool is closed, a copy failed, or none was ready in ``timeout``.
        """
        with self._cond:
            if not self._cond.wait_for(
                lambda: self._ready or self._error is not None or self._closed, timeout
            ):
                raise PgServerError(f"no copy of {self._source} was made in {timeout} s")
            if self._ready:
                name = self._ready.popleft()
                self._taken.append(name)
                self._cond.notify_all()  # the worker makes the next one
                return name
            if self._closed:
                raise PgServerError("the database pool is closed")
            raise PgServerError(f"copying {self._source} failed: {self._error}") from self._error

    def ready(self) -> list[str]:
        """The names of the databases made and not yet taken (a snapshot)."""
        with self._cond:
            return list(self._ready)

    def taken(self) -> list[str]:
        """The names :meth:`take` has returned, in order."""
        with self._cond:
            return list(self._taken)

    def wait_until_full(self, timeout: float = 120.0) -> list[str]:
        """Wait until ``ahead`` databases are ready (or a copy failed); the ready names.

        Raises:
            PgServerError: a copy failed, or the pool was not full in ``timeout``.
        """
        with self._cond:
            full = self._cond.wait_for(
                lambda: len(self._ready) >= self.ahead or self._error is not None, timeout
            )
            if self._error is not None:
                raise PgServerError(f"copying {self._source} failed: {self._error}")
            if not full:
                raise PgServerError(
                    f"the pool of {self._source} copies was not full in {timeout} s"
                )
            return list(self._ready)

    def close(self) -> None:
        """Stop making databases and drop the ones nobody took; safe to call more than once."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            conn = self._conn
        if conn is not None:
            # A copy in progress: stop it rather than wait for it. An error means it has
            # finished, or the server is gone: nothing to stop.
            with contextlib.suppress(psycopg.Error, OSError):
                conn.cancel_safe()
        self._thread.join()
        with self._cond:
            leftovers, self._ready = list(self._ready), collections.deque()
        if leftovers and self.server.running:
            for name in leftovers:
                self.server.drop_database(name)

    def __enter__(self) -> DatabasePool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- the worker's side --------------------------------------------------------------------

    @property
    def _source(self) -> str:
        return self.template or "template1"

    def _make_ahead(self) -> None:
        try:
            conn = self.server.connect()
        except BaseException as error:  # take() raises it
            with self._cond:
                self._error = error
                self._cond.notify_all()
            return
        with conn:
            with self._cond:
                self._conn = conn
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._closed or len(self._ready) < self.ahead)
                    if self._closed:
                        return
                name = f"{self.prefix}{uuid.uuid4().hex[:16]}"
                try:
                    conn.execute(create_database_sql(name, self.template))
                except BaseException as error:  # take() raises it
                    with self._cond:
                        if not self._closed:
                            self._error = error
                        self._cond.notify_all()
                    return
                with self._cond:
                    self._ready.append(name)  # even when closed: close() drops it
                    self._cond.notify_all()
