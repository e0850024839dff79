"""The web app's tables: users, sessions, shares, audit log, sign-in attempts, acknowledgements.

They live on the same :data:`~taperline.adapters.storage.schema.metadata` as the journal, so
one ``metadata`` knows every table; migration ``0002_accounts`` creates them.

* ``users``: an e-mail address (unique, lower case), an Argon2id hash, a role (patient or
  clinician) and, for a patient, the ``persons`` row that holds their record (deleted with it).
* ``sessions``: server-side sessions; only the SHA-256 of the token is stored.
* ``shares``: a clinician's invite (the HMAC of its code) and, once a patient accepts it,
  the patient's ``person_id``; revoking keeps the row with ``revoked_at_utc`` set.
* ``audit_log``: who read or wrote which health data, when (UTC). ``actor_label`` keeps the
  name when the actor's account is gone; rows go with the person they are about.
* ``login_attempts``: sign-in, invite-code and sign-up attempts for throttling (keyed by an
  HMAC of the e-mail address, never the address itself, and by the client's IPv4 address,
  its IPv6 /56, or the IPv4 address an IPv6 one carries). An attempt is stored as a failure
  before it is checked and marked a success after; a sign-up's failure is an "already
  registered" answer.
* ``acknowledgements``: red flags a user has acknowledged (the crisis banner hides them).
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
    insert,
)

from taperline.adapters.storage.schema import UtcDateTime, metadata

__all__ = [
    "AUDIT_INSERT",
    "ROLES",
    "acknowledgements",
    "audit_log",
    "login_attempts",
    "sessions",
    "shares",
    "users",
]

ROLES = ("patient", "clinician")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(20), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE")),
    Column("display_name", String(200), nullable=False),
    Column("created_at_utc", UtcDateTime, nullable=False),
    Column("last_login_at_utc", UtcDateTime),
    Column("failed_logins", Integer, nullable=False),
    Column("last_failed_login_at_utc", UtcDateTime),
    UniqueConstraint("email", name="uq_users_email"),
    UniqueConstraint("person_id", name="uq_users_person_id"),
    CheckConstraint("role IN ('patient', 'clinician')", name="role"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column(
        "user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("created_at_utc", UtcDateTime, nullable=False),
    Column("last_seen_at_utc", UtcDateTime, nullable=False),
    Column("user_agent", String(200), nullable=False),
    Column("address", String(64), nullable=False),
    Column("revoked", Boolean, nullable=False),
    # "Keep me signed in on this phone" (a patient's choice at sign-in): the longer limits
    Column("remembered", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
)

shares = Table(
    "shares",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "clinician_user_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), index=True),
    Column("code_hash", String(64), nullable=False),
    Column("created_at_utc", UtcDateTime, nullable=False),
    Column("expires_at_utc", UtcDateTime, nullable=False),
    Column("accepted_at_utc", UtcDateTime),
    Column("revoked_at_utc", UtcDateTime),
    UniqueConstraint("code_hash", name="uq_shares_code_hash"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at_utc", UtcDateTime, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("actor_label", String(200), nullable=False),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE")),
    Column("action", String(20), nullable=False),
    Column("object", String(200), nullable=False),
    Index("ix_audit_log_person_at", "person_id", "at_utc"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("at_utc", UtcDateTime, nullable=False),
    Column("address", String(64), nullable=False),
    Column("account_key", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
    Column("success", Boolean, nullable=False),
    Index("ix_login_attempts_account", "kind", "account_key", "at_utc"),
    Index("ix_login_attempts_address", "kind", "address", "at_utc"),
    Index("ix_login_attempts_at", "at_utc"),
)

acknowledgements = Table(
    "acknowledgements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, ForeignKey("persons.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("flag_key", String(120), nullable=False),
    Column("at_utc", UtcDateTime, nullable=False),
    UniqueConstraint("person_id", "user_id", "flag_key", name="uq_acknowledgements_flag"),
)

#: Appends one audit line (built once; the accounts and the store both write it).
AUDIT_INSERT: Final = insert(audit_log)
