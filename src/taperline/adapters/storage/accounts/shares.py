"""Shares of a record with a clinician, and the invites that make them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.accounts.common import _AccountsBase, _lock
from taperline.adapters.storage.accounts.model import Invite, PatientLink, ShareView
from taperline.errors import ConflictError, NotFoundError


class _Shares(_AccountsBase):
    """Invites and shares: a part of ``Accounts``."""

    # --- shares ----------------------------------------------------------------------------

    def create_invite(
        self, clinician_id: int, code_hash: str, *, now: datetime, valid_for: timedelta
    ) -> Invite:
        """A new invite from a clinician (the code itself is shown once and not stored)."""
        with self._write() as c:
            new = c.execute(
                insert(a.shares)
                .values(
                    clinician_user_id=clinician_id,
                    code_hash=code_hash,
                    created_at_utc=now,
                    expires_at_utc=now + valid_for,
                )
                .returning(a.shares.c.id)
            ).scalar_one()
        return Invite(int(new), now, now + valid_for)

    def invites_of(self, clinician_id: int, now: datetime) -> list[Invite]:
        """The clinician's invites still waiting for a patient."""
        query = (
            select(a.shares)
            .where(
                a.shares.c.clinician_user_id == clinician_id,
                a.shares.c.person_id.is_(None),
                a.shares.c.revoked_at_utc.is_(None),
                a.shares.c.expires_at_utc > now,
            )
            .order_by(a.shares.c.created_at_utc.desc())
        )
        with self._read() as c:
            return [
                Invite(row.id, row.created_at_utc, row.expires_at_utc) for row in c.execute(query)
            ]

    def cancel_invite(self, clinician_id: int, share_id: int, now: datetime) -> None:
        """Withdraw an unused invite of this clinician."""
        with self._write() as c:
            done = c.execute(
                update(a.shares)
                .where(
                    a.shares.c.id == share_id,
                    a.shares.c.clinician_user_id == clinician_id,
                    a.shares.c.person_id.is_(None),
                    a.shares.c.revoked_at_utc.is_(None),
                )
                .values(revoked_at_utc=now)
            )
            if done.rowcount != 1:
                raise NotFoundError("no such invite")

    def accept_invite(self, code_hash: str, person_id: int, now: datetime) -> str:
        """Share ``person_id``'s record with the clinician who made the invite; their name.

        An unknown, used, withdrawn or expired code is "not found"; a clinician who already
        sees the record is a conflict. Claims for one patient are made one at a time (on
        PostgreSQL a lock on the patient; SQLite has one writer), so two codes of one
        clinician sent at once make one share, never two that outlive a revoke.
        """
        with self._write() as c:
            _lock(c, f"share:person:{person_id}")
            row = c.execute(
                select(a.shares.c.id, a.shares.c.clinician_user_id, a.users.c.display_name)
                .join(a.users, a.users.c.id == a.shares.c.clinician_user_id)
                .where(
                    a.shares.c.code_hash == code_hash,
                    a.shares.c.person_id.is_(None),
                    a.shares.c.revoked_at_utc.is_(None),
                    a.shares.c.expires_at_utc > now,
                )
            ).first()
            if row is None:
                raise NotFoundError("this invite code is unknown, used or expired")
            if _active_share(c, row.clinician_user_id, person_id):
                raise ConflictError("you already share your record with this clinician")
            # The claim itself says whether the code was still free: two patients sending one
            # code at once both read it unclaimed, and only one UPDATE can match (PostgreSQL
            # re-checks the WHERE once the other's row lock is released).
            claimed = c.execute(
                update(a.shares)
                .where(
                    a.shares.c.id == row.id,
                    a.shares.c.person_id.is_(None),
                    a.shares.c.revoked_at_utc.is_(None),
                    a.shares.c.expires_at_utc > now,
                )
                .values(person_id=person_id, accepted_at_utc=now)
            )
            if claimed.rowcount != 1:
                raise NotFoundError("this invite code is unknown, used or expired")
            return str(row.display_name)

    def revoke_share(self, person_id: int, share_id: int, now: datetime) -> None:
        """Stop sharing: only the patient's own active share can be revoked."""
        with self._write() as c:
            done = c.execute(
                update(a.shares)
                .where(
                    a.shares.c.id == share_id,
                    a.shares.c.person_id == person_id,
                    a.shares.c.revoked_at_utc.is_(None),
                )
                .values(revoked_at_utc=now)
            )
            if done.rowcount != 1:
                raise NotFoundError("no such share")

    def shares_of(self, person_id: int) -> list[ShareView]:
        """The patient's shares (active first, then ended), newest first."""
        query = (
            select(
                a.shares.c.id,
                a.shares.c.accepted_at_utc,
                a.shares.c.revoked_at_utc,
                a.users.c.display_name,
                a.users.c.email,
            )
            .join(a.users, a.users.c.id == a.shares.c.clinician_user_id)
            .where(a.shares.c.person_id == person_id)
            .order_by(a.shares.c.revoked_at_utc.is_not(None), a.shares.c.accepted_at_utc.desc())
        )
        with self._read() as c:
            return [
                ShareView(r.id, r.display_name, r.email, r.accepted_at_utc, r.revoked_at_utc)
                for r in c.execute(query)
            ]

    def patients_of(self, clinician_id: int) -> list[PatientLink]:
        """The patients who share their record with this clinician now."""
        query = (
            select(a.shares.c.person_id, a.shares.c.accepted_at_utc, a.users.c.display_name)
            .join(a.users, a.users.c.person_id == a.shares.c.person_id)
            .where(
                a.shares.c.clinician_user_id == clinician_id,
                a.shares.c.person_id.is_not(None),
                a.shares.c.revoked_at_utc.is_(None),
            )
            .order_by(a.users.c.display_name)
        )
        with self._read() as c:
            rows = list(c.execute(query))
        seen: dict[int, PatientLink] = {}
        for r in rows:
            seen.setdefault(
                r.person_id, PatientLink(r.person_id, r.display_name, r.accepted_at_utc)
            )
        return list(seen.values())

    def can_see(self, clinician_id: int, person_id: int) -> bool:
        """Whether the clinician may see the person's record now (an active share)."""
        with self._read() as c:
            return _active_share(c, clinician_id, person_id)

    def patient_name(self, person_id: int) -> str:
        """The display name of the patient whose record this is."""
        with self._read() as c:
            found = c.execute(
                select(a.users.c.display_name).where(a.users.c.person_id == person_id)
            ).scalar()
        if found is None:
            raise NotFoundError("no such patient")
        return str(found)


def _active_share(c: Connection, clinician_id: int, person_id: int) -> bool:
    found = c.execute(
        select(a.shares.c.id).where(
            a.shares.c.clinician_user_id == clinician_id,
            a.shares.c.person_id == person_id,
            a.shares.c.revoked_at_utc.is_(None),
        )
    ).first()
    return found is not None
