"""What the accounts store returns: users, sessions, shares, invites, claims, audit lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Row

Role = Literal["patient", "clinician"]
AttemptKind = Literal["signin", "invite", "signup"]


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
    remembered: bool = False  # "keep me signed in on this phone": the longer limits


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
    """One line of the audit log.

    ``user_id`` and ``role`` are the account's that made it (None: taperline itself, a
    calendar feed, or an account deleted since).
    """

    at: datetime
    actor: str
    action: str
    object: str
    user_id: int | None = None
    role: str | None = None


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
        remembered=row.remembered,
    )
