"""What the parts of ``Accounts`` share: the engine's transactions and the advisory locks."""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from typing import Final

from sqlalchemy import Connection, Engine, text

from taperline.adapters.storage.db import read_transaction, write_transaction

_ADVISORY_LOCK: Final = text("SELECT pg_advisory_xact_lock(:key)")


class _AccountsBase:
    """The engine and its transactions, shared by every part of ``Accounts``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self.engine)

    def _read(self) -> AbstractContextManager[Connection]:
        return read_transaction(self.engine)


def _lock(c: Connection, *names: str) -> None:
    """PostgreSQL: hold transaction-level advisory locks on ``names`` until the commit.

    The locks are taken in the order of their keys, so two transactions never wait for each
    other in a circle. SQLite needs none: a write transaction there holds the database.
    """
    if c.dialect.name != "postgresql":
        return
    keys = sorted(
        int.from_bytes(hashlib.sha256(f"taperline:{name}".encode()).digest()[:8], signed=True)
        for name in set(names)
    )
    for key in keys:
        c.execute(_ADVISORY_LOCK, {"key": key})
