"""Acknowledgements of red flags, by clinician and patient."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.accounts.common import _AccountsBase


class _Acknowledgements(_AccountsBase):
    """Acknowledgements of red flags: a part of ``Accounts``."""

    # --- acknowledgements ------------------------------------------------------------------

    def acknowledged(self, person_id: int, user_id: int) -> set[str]:
        """The red-flag keys this user has acknowledged for this person."""
        t = a.acknowledgements
        with self._read() as c:
            return set(
                c.execute(
                    select(t.c.flag_key).where(t.c.person_id == person_id, t.c.user_id == user_id)
                ).scalars()
            )

    def acknowledge(self, person_id: int, user_id: int, keys: Iterable[str], now: datetime) -> None:
        """Store acknowledgements of red flags (repeats are ignored)."""
        t = a.acknowledgements
        with self._write() as c:
            known = set(
                c.execute(
                    select(t.c.flag_key).where(t.c.person_id == person_id, t.c.user_id == user_id)
                ).scalars()
            )
            rows = [
                {"person_id": person_id, "user_id": user_id, "flag_key": k[:120], "at_utc": now}
                for k in sorted(set(keys) - known)
            ]
            if rows:
                c.execute(insert(t), rows)
