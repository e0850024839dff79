"""What the parts of ``Accounts`` share: the engine's transactions and the advisory locks."""

from __future__ import annotations

import hashlib
from typing import Final

from sqlalchemy import Connection, text

from taperline.adapters.storage.db import Transactions

_ADVISORY_LOCK: Final = text("SELECT pg_advisory_xact_lock(:key)")


class _AccountsBase(Transactions):
    """The transactions (:class:`.db.Transactions`) every part of ``Accounts`` shares."""


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
