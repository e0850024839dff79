"""Storage of users, sessions, shares, the audit log, attempts and acknowledgements.

SQLAlchemy Core on the app's one engine (the journal's :class:`~taperline.adapters.storage.
repo.Store` shares it). Every write is one transaction that takes SQLite's write lock at
``BEGIN`` (the ``taperline_write`` execution option), like the Store's.

Every query that touches a share or a session names its owner, so a caller cannot reach
another user's row by passing its id: a row that is not the caller's is "not found".

Throttled attempts (sign-in, invite code, sign-up) are claimed in one write transaction that
counts the earlier ones and records this one (:meth:`Accounts.claim_attempt`): SQLite has one
writer at a time, and on PostgreSQL the transaction first takes transaction-level advisory
locks on the address and the account (in a fixed order, so two claims never deadlock), so
concurrent claims are counted one after the other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.attempts import ACCOUNT_WINDOW, Throttle
from taperline.adapters.storage.db import (
    read_transaction,
    relaxed_insert,
    write_transaction,
)
from taperline.adapters.storage.record_version import VERSION_COLUMNS, RecordVersion, version_of
from taperline.adapters.storage.schema import persons
from taperline.errors import ConflictError, NotFoundError

__all__ = [
    "Accounts",
    "AttemptKind",
    "AuditEntry",
    "Claim",
    "Invite",
    "PatientLink",
    "Role",
    "SessionInfo",
    "ShareView",
    "User",
    "audit_row",
]

Role = Literal["patient", "clinician"]
AttemptKind = Literal["signin", "invite", "signup"]
_AUDIT_LIMIT = 500
_KEEP_ATTEMPTS: Final = timedelta(days=1)
_ADVISORY_LOCK: Final = text("SELECT pg_advisory_xact_lock(:key)")


@dataclass(frozen=True, slots=True)
class User:
    """A signed-up person or clinician (never the password hash)."""

    id: int
    email: str
    role: Role
    person_id: int | None
    display_name: str
    created_at: datetime
    last_login_at: datetime | None
    failed_logins: int

    @property
    def is_patient(self) -> bool:
        """A patient (has a record)."""
        return self.role == "patient" and self.person_id is not None


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A server-side session (the token itself is never stored)."""

    id: int
    token_hash: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    address: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class ShareView:
    """A patient's share with one clinician, as the patient sees it."""

    id: int
    clinician_name: str
    clinician_email: str
    accepted_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Invite:
    """A clinician's invite that no patient has used yet."""

    id: int
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PatientLink:
    """A patient who shares their record with a clinician."""

    person_id: int
    display_name: str
    shared_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """A throttled attempt: recorded (``attempt_id``, to finish) or to wait for (``wait``)."""

    attempt_id: int | None
    wait: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor: str
    action: str
    object: str


def _user(row: Row[Any]) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=row.role,
        person_id=row.person_id,
        display_name=row.display_name,
        created_at=row.created_at_utc,
        last_login_at=row.last_login_at_utc,
        failed_logins=row.failed_logins,
    )


def _session(row: Row[Any]) -> SessionInfo:
    return SessionInfo(
        id=row.id,
        token_hash=row.token_hash,
        user_id=row.user_id,
        created_at=row.created_at_utc,
        last_seen_at=row.last_seen_at_utc,
        user_agent=row.user_agent,
        address=row.address,
        revoked=row.revoked,
    )


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


def audit_row(
    user: User | None, person_id: int | None, action: str, obj: str, now: datetime
) -> dict[str, Any]:
    """The ``audit_log`` row of one line: who (``None``: taperline itself), what, when."""
    label = f"{user.display_name} ({user.role})" if user else "taperline"
    return {
        "at_utc": now,
        "user_id": user.id if user else None,
        "actor_label": label[:200],
        "person_id": person_id,
        "action": action[:20],
        "object": obj[:200],
    }


class Accounts:
    """Users, sessions, shares, audit log, attempts and acknowledgements on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _write(self) -> AbstractContextManager[Connection]:
        return write_transaction(self.engine)

    def _read(self) -> AbstractContextManager[Connection]:
        return read_transaction(self.engine)

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
        self, user_id: int, token_hash: str, *, now: datetime, user_agent: str, address: str
    ) -> int:
        """Store a new session; returns its id."""
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

    # --- audit -----------------------------------------------------------------------------

    def audit(
        self, user: User | None, person_id: int | None, action: str, obj: str, now: datetime
    ) -> None:
        """Append one line to the audit log.

        A line about a read commits without waiting for the disk (see
        :func:`~taperline.adapters.storage.db.relaxed_insert`): it is made
        durable by the next durable commit, so a page view costs no disk flush.
        """
        row = audit_row(user, person_id, action, obj, now)
        if action == "read":
            relaxed_insert(self.engine, a.audit_log, row)
            return
        with write_transaction(self.engine) as c:
            c.execute(a.AUDIT_INSERT, row)

    def audit_of(self, person_id: int, limit: int = _AUDIT_LIMIT) -> list[AuditEntry]:
        """The newest lines of the audit log about a person."""
        query = (
            select(a.audit_log)
            .where(a.audit_log.c.person_id == person_id)
            .order_by(a.audit_log.c.at_utc.desc(), a.audit_log.c.id.desc())
            .limit(limit)
        )
        with self._read() as c:
            return [
                AuditEntry(r.at_utc, r.actor_label, r.action, r.object) for r in c.execute(query)
            ]

    # --- attempts (throttling) -------------------------------------------------------------

    def claim_attempt(
        self,
        kind: Literal["signin", "invite"],
        account_key: str,
        address: str,
        *,
        now: datetime,
        address_window: timedelta,
        wait: Callable[[Throttle], timedelta],
        user_id: int | None = None,
    ) -> Claim:
        """Count the earlier failures and, unless ``wait`` says to wait, record this attempt.

        ``user_id`` is the caller's, when known (an invite code). The attempt is recorded as
        a failure, in the transaction that counted (see the module docstring):
        :meth:`finish_attempt` or :meth:`finish_signin` marks it a success once it is one.
        Attempts older than a day are dropped on the way.
        """
        with self._write() as c:
            _lock(c, f"{kind}:address:{address}", f"{kind}:account:{account_key}")
            _drop_old_attempts(c, now)
            state = _throttle_state(
                c, kind, account_key, address, now=now, address_window=address_window
            )
            delay = wait(state)
            if delay > timedelta(0):
                return Claim(None, delay)
            return Claim(_insert_attempt(c, kind, account_key, address, now, user_id=user_id))

    def claim_signup(
        self,
        address: str,
        *,
        now: datetime,
        window: timedelta,
        limit: int,
        wait: Callable[[Sequence[datetime]], timedelta],
    ) -> Claim:
        """Like :meth:`claim_attempt`, for a sign-up (released if the form has a mistake).

        ``wait`` gets the times of the newest ``limit`` sign-up attempts from the address
        within ``window``: accounts made and "already registered" answers.
        """
        with self._write() as c:
            _lock(c, f"signup:address:{address}")
            _drop_old_attempts(c, now)
            delay = wait(_recent(c, "signup", address, now - window, limit))
            if delay > timedelta(0):
                return Claim(None, delay)
            return Claim(_insert_attempt(c, "signup", "", address, now))

    def finish_attempt(self, attempt_id: int, *, user_id: int | None, success: bool) -> None:
        """Note the outcome of a claimed attempt (a failure until this says otherwise)."""
        with self._write() as c:
            _finish(c, attempt_id, user_id=user_id, success=success)

    def release_attempt(self, attempt_id: int) -> None:
        """Forget a claimed attempt that does not count (a sign-up form with a mistake)."""
        with self._write() as c:
            c.execute(delete(a.login_attempts).where(a.login_attempts.c.id == attempt_id))

    def throttle_state(
        self,
        kind: AttemptKind,
        account_key: str,
        address: str,
        *,
        now: datetime,
        address_window: timedelta,
    ) -> Throttle:
        """The failures that :meth:`claim_attempt` would count now (for tests and checks)."""
        with self._read() as c:
            return _throttle_state(
                c, kind, account_key, address, now=now, address_window=address_window
            )

    def recent_attempts(
        self, kind: AttemptKind, address: str, *, since: datetime, limit: int
    ) -> list[datetime]:
        """When the newest ``limit`` counted attempts of ``kind`` from ``address`` were made.

        Only attempts after ``since`` count; the newest come first. For sign-ups these are
        the accounts made and the "already registered" answers; for sign-ins and invite
        codes, the attempts that were checked.
        """
        with self._read() as c:
            return _recent(c, kind, address, since, limit)

    def record_attempt(
        self,
        kind: AttemptKind,
        account_key: str,
        address: str,
        *,
        user_id: int | None,
        success: bool,
        now: datetime,
    ) -> None:
        """Note a finished attempt without a throttle check (tests set up a history so)."""
        with self._write() as c:
            _drop_old_attempts(c, now)
            attempt = _insert_attempt(c, kind, account_key, address, now)
            _finish(c, attempt, user_id=user_id, success=success)

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


def _drop_old_attempts(c: Connection, now: datetime) -> None:
    c.execute(delete(a.login_attempts).where(a.login_attempts.c.at_utc < now - _KEEP_ATTEMPTS))


def _insert_attempt(
    c: Connection,
    kind: AttemptKind,
    key: str,
    address: str,
    now: datetime,
    *,
    user_id: int | None = None,
) -> int:
    """A new attempt, a failure until it is finished; its id."""
    values = {
        "kind": kind,
        "at_utc": now,
        "address": address[:64],
        "account_key": key,
        "user_id": user_id,
        "success": False,
    }
    inserted = c.execute(insert(a.login_attempts).values(values).returning(a.login_attempts.c.id))
    return int(inserted.scalar_one())


def _finish(c: Connection, attempt_id: int, *, user_id: int | None, success: bool) -> None:
    c.execute(
        update(a.login_attempts)
        .where(a.login_attempts.c.id == attempt_id)
        .values(user_id=user_id, success=success)
    )


def _throttle_state(
    c: Connection,
    kind: AttemptKind,
    account_key: str,
    address: str,
    *,
    now: datetime,
    address_window: timedelta,
) -> Throttle:
    """Failures of the account in the hour, of the address in the window, of both in the hour."""
    t = a.login_attempts
    failed = and_(t.c.kind == kind, t.c.success.is_(False))
    hour = t.c.at_utc > now - ACCOUNT_WINDOW
    account = t.c.account_key == account_key
    from_address = t.c.address == address[:64]
    per_account = c.execute(select(func.count()).where(failed, account, hour)).scalar_one()
    per_address = c.execute(
        select(func.count(), func.max(t.c.at_utc)).where(
            failed, from_address, t.c.at_utc > now - address_window
        )
    ).one()
    per_pair = c.execute(
        select(func.count(), func.max(t.c.at_utc)).where(failed, account, from_address, hour)
    ).one()
    return Throttle(
        int(per_account), int(per_address[0]), per_address[1], int(per_pair[0]), per_pair[1]
    )


def _recent(
    c: Connection, kind: AttemptKind, address: str, since: datetime, limit: int
) -> list[datetime]:
    t = a.login_attempts
    query = (
        select(t.c.at_utc)
        .where(t.c.kind == kind, t.c.address == address[:64], t.c.at_utc > since)
        .order_by(t.c.at_utc.desc())
        .limit(limit)
    )
    return list(c.execute(query).scalars())


def _active_share(c: Connection, clinician_id: int, person_id: int) -> bool:
    found = c.execute(
        select(a.shares.c.id).where(
            a.shares.c.clinician_user_id == clinician_id,
            a.shares.c.person_id == person_id,
            a.shares.c.revoked_at_utc.is_(None),
        )
    ).first()
    return found is not None
