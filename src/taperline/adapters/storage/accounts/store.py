""":class:`Accounts`: the one entry point to the account tables, made of its parts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.accounts.acknowledgements import _Acknowledgements
from taperline.adapters.storage.accounts.audit import _Audit
from taperline.adapters.storage.accounts.shares import _Shares
from taperline.adapters.storage.accounts.throttling import _Attempts
from taperline.adapters.storage.accounts.users import _Users


class Accounts(_Users, _Shares, _Audit, _Attempts, _Acknowledgements):
    """Users, sessions, shares, audit log, attempts and acknowledgements on one engine."""

    # --- counts (tests and the deletion check) ---------------------------------------------

    def rows_about(self, *, person_id: int, user_id: int) -> dict[str, int]:
        """How many rows of each account table mention the person or the user."""
        tables = (a.users, a.sessions, a.shares, a.audit_log, a.login_attempts, a.acknowledgements)
        counts: dict[str, int] = {}
        with self._read() as c:
            for table in tables:
                conditions = [_mentions(table, person_id, user_id)]
                query = select(func.count()).select_from(table).where(or_(*conditions))
                counts[table.name] = int(c.execute(query).scalar_one())
        return counts


def _mentions(table: Any, person_id: int, user_id: int) -> Any:
    """A condition: the row is about ``person_id`` or belongs to ``user_id``."""
    columns = {"person_id": person_id, "user_id": user_id, "clinician_user_id": user_id}
    if table is a.users:
        columns["id"] = user_id
    return or_(*(table.c[name] == value for name, value in columns.items() if name in table.c))
