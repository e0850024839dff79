"""Users (accounts, passwords, sign-in outcomes, deletion) and their sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.accounts.common import _AccountsBase
from taperline.adapters.storage.accounts.model import Role, SessionInfo, User, _session, _user
from taperline.adapters.storage.accounts.throttling import _finish
from taperline.adapters.storage.record_version import VERSION_COLUMNS, RecordVersion, version_of
from taperline.adapters.storage.schema import persons
from taperline.errors import ConflictError, NotFoundError

_USER_COLUMNS = [c for c in a.users.c if c.name != "password_hash"]
# The statements of every request, built once (building one costs more than running it).
_SESSION_QUERY: Final = (
    select(
        a.sessions,
        *(c.label(f"u_{c.name}") for c in _USER_COLUMNS),
        persons.c.time_zone.label("p_time_zone"),
        *(column.label(f"v_{column.name}") for column in VERSION_COLUMNS),
    )
    .join(a.users, a.users.c.id == a.sessions.c.user_id)
    .outerjoin(persons, persons.c.id == a.users.c.person_id)
    .where(a.sessions.c.token_hash == bindparam("token_hash"))
)


class _Users(_AccountsBase):
    """Users and their sessions: a part of ``Accounts``."""

    # --- users -----------------------------------------------------------------------------

    def email_taken(self, email: str) -> bool:
        """Whether an account with this (normalised) e-mail address exists."""
        with self._read() as c:
            return (
                c.execute(select(a.users.c.id).where(a.users.c.email == email)).first() is not None
            )

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        role: Role,
        display_name: str,
        person_id: int | None,
        now: datetime,
    ) -> User:
        """Store a new user; a taken e-mail address is a conflict."""
        values = {
            "email": email,
            "password_hash": password_hash,
            "role": role,
            "person_id": person_id,
            "display_name": display_name,
            "created_at_utc": now,
            "failed_logins": 0,
        }
        try:
            with self._write() as c:
                new = c.execute(insert(a.users).values(values).returning(a.users.c.id)).scalar_one()
        except IntegrityError:
            raise ConflictError("an account with this e-mail address already exists") from None
        return self.user(int(new))

    def user(self, user_id: int) -> User:
        """A user by id."""
        with self._read() as c:
            row = c.execute(select(*_USER_COLUMNS).where(a.users.c.id == user_id)).first()
        if row is None:
            raise NotFoundError("no such user")
        return _user(row)

    def credentials(self, email: str) -> tuple[User, str] | None:
        """The user with this e-mail address and their password hash, if any."""
        with self._read() as c:
            row = c.execute(select(a.users).where(a.users.c.email == email)).first()
        return None if row is None else (_user(row), row.password_hash)

    def password_hash(self, user_id: int) -> str:
        """A user's password hash (to confirm the password before a sensitive change)."""
        with self._read() as c:
            found = c.execute(
                select(a.users.c.password_hash).where(a.users.c.id == user_id)
            ).scalar()
        if found is None:
            raise NotFoundError("no such user")
        return str(found)

    def set_password(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash."""
        with self._write() as c:
            c.execute(
                update(a.users).where(a.users.c.id == user_id).values(password_hash=password_hash)
            )

    def set_display_name(self, user_id: int, name: str) -> None:
        """Change how the app names the user."""
        with self._write() as c:
            c.execute(update(a.users).where(a.users.c.id == user_id).values(display_name=name))

    def finish_signin(
        self, attempt_id: int, *, user_id: int | None, success: bool, now: datetime
    ) -> None:
        """Note the outcome of a claimed sign-in, on the attempt and on the account.

        A success resets the account's failure counter; a failure adds one (shown to the
        user at the next sign-in). One transaction of the same statements whether or not
        the account exists (for none, the account's UPDATE matches no row), so a wrong
        password and an unknown address cost the same.
        """
        values: dict[str, Any] = (
            {"last_login_at_utc": now, "failed_logins": 0}
            if success
            else {"failed_logins": a.users.c.failed_logins + 1, "last_failed_login_at_utc": now}
        )
        with self._write() as c:
            _finish(c, attempt_id, user_id=user_id, success=success)
            c.execute(update(a.users).where(a.users.c.id == user_id).values(values))

    def delete_user(self, user_id: int) -> None:
        """Remove a user and their sessions, shares, attempts and acknowledgements.

        Audit lines they wrote about others keep the actor's name (``user_id`` set to NULL).
        """
        with self._write() as c:
            for table, column in (
                (a.sessions, a.sessions.c.user_id),
                (a.shares, a.shares.c.clinician_user_id),
                (a.login_attempts, a.login_attempts.c.user_id),
                (a.acknowledgements, a.acknowledgements.c.user_id),
            ):
                c.execute(delete(table).where(column == user_id))
            c.execute(
                update(a.audit_log).where(a.audit_log.c.user_id == user_id).values(user_id=None)
            )
            c.execute(delete(a.users).where(a.users.c.id == user_id))

    def delete_person_rows(self, person_id: int) -> None:
        """Remove every account row about a person (shares, audit, acknowledgements)."""
        with self._write() as c:
            for table in (a.shares, a.audit_log, a.acknowledgements):
                c.execute(delete(table).where(table.c.person_id == person_id))

    # --- sessions --------------------------------------------------------------------------

    def create_session(
        self,
        user_id: int,
        token_hash: str,
        *,
        now: datetime,
        user_agent: str,
        address: str,
        remembered: bool = False,
    ) -> int:
        """Store a new session (``remembered``: kept on this device); returns its id."""
        with self._write() as c:
            new = c.execute(
                insert(a.sessions)
                .values(
                    token_hash=token_hash,
                    user_id=user_id,
                    created_at_utc=now,
                    last_seen_at_utc=now,
                    user_agent=user_agent[:200],
                    address=address[:64],
                    revoked=False,
                    remembered=remembered,
                )
                .returning(a.sessions.c.id)
            ).scalar_one()
        return int(new)

    def session(
        self, token_hash: str
    ) -> tuple[SessionInfo, User, tuple[str, RecordVersion] | None] | None:
        """The session with this token hash, its user and their record's time zone and version.

        Revoked or expired sessions are returned too (the caller checks); the time zone and
        version (see :mod:`~taperline.adapters.storage.record_version`) are None for a clinician.
        """
        with self._read() as c:
            row = c.execute(_SESSION_QUERY, {"token_hash": token_hash}).first()
        if row is None:
            return None
        user = User(
            id=row.u_id,
            email=row.u_email,
            role=row.u_role,
            person_id=row.u_person_id,
            display_name=row.u_display_name,
            created_at=row.u_created_at_utc,
            last_login_at=row.u_last_login_at_utc,
            failed_logins=row.u_failed_logins,
        )
        record = (
            None
            if row.p_time_zone is None
            else (str(row.p_time_zone), version_of(row[-len(VERSION_COLUMNS) :]))
        )
        return _session(row), user, record

    def touch_session(self, session_id: int, now: datetime) -> None:
        """Move a session's last-seen time (the idle timeout counts from it)."""
        with self._write() as c:
            c.execute(
                update(a.sessions).where(a.sessions.c.id == session_id).values(last_seen_at_utc=now)
            )

    def revoke_session(self, user_id: int, session_id: int) -> None:
        """End one of the user's sessions; another user's session is "not found"."""
        with self._write() as c:
            done = c.execute(
                update(a.sessions)
                .where(a.sessions.c.id == session_id, a.sessions.c.user_id == user_id)
                .values(revoked=True)
            )
            if done.rowcount != 1:
                raise NotFoundError("no such session")

    def revoke_sessions(self, user_id: int, *, keep: int | None = None) -> int:
        """End all of the user's sessions except ``keep``; returns how many."""
        condition = and_(a.sessions.c.user_id == user_id, a.sessions.c.revoked.is_(False))
        if keep is not None:
            condition = and_(condition, a.sessions.c.id != keep)
        with self._write() as c:
            return int(c.execute(update(a.sessions).where(condition).values(revoked=True)).rowcount)

    def sessions_of(self, user_id: int, *, active_since: datetime) -> list[SessionInfo]:
        """The user's unrevoked sessions seen since ``active_since``, newest first."""
        query = (
            select(a.sessions)
            .where(
                a.sessions.c.user_id == user_id,
                a.sessions.c.revoked.is_(False),
                a.sessions.c.last_seen_at_utc >= active_since,
            )
            .order_by(a.sessions.c.last_seen_at_utc.desc())
        )
        with self._read() as c:
            return [_session(row) for row in c.execute(query)]
