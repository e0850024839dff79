"""The audit log: who did what to whose record, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.accounts.common import _AccountsBase
from taperline.adapters.storage.accounts.model import AuditEntry, User
from taperline.adapters.storage.db import relaxed_insert, write_transaction

_AUDIT_LIMIT = 500


def audit_row(
    user: User | None,
    person_id: int | None,
    action: str,
    obj: str,
    now: datetime,
    *,
    label: str | None = None,
) -> dict[str, Any]:
    """The ``audit_log`` row of one line: who (``None``: taperline, or ``label``), what, when."""
    label = label or (f"{user.display_name} ({user.role})" if user else "taperline")
    return {
        "at_utc": now,
        "user_id": user.id if user else None,
        "actor_label": label[:200],
        "person_id": person_id,
        "action": action[:20],
        "object": obj[:200],
    }


class _Audit(_AccountsBase):
    """The audit log: a part of ``Accounts``."""

    # --- audit -----------------------------------------------------------------------------

    def audit(
        self,
        user: User | None,
        person_id: int | None,
        action: str,
        obj: str,
        now: datetime,
        *,
        label: str | None = None,
    ) -> None:
        """Append one line to the audit log.

        A line about a read commits without waiting for the disk (see
        :func:`~taperline.adapters.storage.db.relaxed_insert`): it is made
        durable by the next durable commit, so a page view costs no disk flush.
        """
        row = audit_row(user, person_id, action, obj, now, label=label)
        if action == "read":
            relaxed_insert(self.engine, a.audit_log, row)
            return
        with write_transaction(self.engine) as c:
            c.execute(a.AUDIT_INSERT, row)

    def audit_of(
        self, person_id: int, limit: int = _AUDIT_LIMIT, *, not_by: int | None = None
    ) -> list[AuditEntry]:
        """The newest lines of the audit log about a person.

        ``not_by``: leave out the lines of that user (the patient's own page views, which
        would otherwise push a clinician's view out of the newest ``limit`` lines).
        """
        log = a.audit_log
        query = (
            select(log, a.users.c.role)
            .outerjoin(a.users, a.users.c.id == log.c.user_id)
            .where(log.c.person_id == person_id)
            .order_by(log.c.at_utc.desc(), log.c.id.desc())
            .limit(limit)
        )
        if not_by is not None:  # NULL user ids (taperline, a deleted account) are kept
            query = query.where(or_(log.c.user_id.is_(None), log.c.user_id != not_by))
        with self._read() as c:
            return [
                AuditEntry(r.at_utc, r.actor_label, r.action, r.object, r.user_id, r.role)
                for r in c.execute(query)
            ]
