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

The package, by aggregate: :mod:`~taperline.adapters.storage.accounts.users` (users and their
sessions), :mod:`~taperline.adapters.storage.accounts.shares` (invites and shares),
:mod:`~taperline.adapters.storage.accounts.audit`,
:mod:`~taperline.adapters.storage.accounts.throttling` (attempts) and
:mod:`~taperline.adapters.storage.accounts.acknowledgements`, each a part of :class:`Accounts`
(in :mod:`~taperline.adapters.storage.accounts.store`), the one entry point; the values it
returns are in :mod:`~taperline.adapters.storage.accounts.model`, what the parts share (the
transactions, the advisory locks) in :mod:`~taperline.adapters.storage.accounts.common`.
"""

from __future__ import annotations

from taperline.adapters.storage.accounts.audit import audit_row
from taperline.adapters.storage.accounts.model import (
    AttemptKind,
    AuditEntry,
    Claim,
    Invite,
    PatientLink,
    Role,
    SessionInfo,
    ShareView,
    User,
)
from taperline.adapters.storage.accounts.shares import _active_share as _active_share
from taperline.adapters.storage.accounts.store import Accounts

# The ``name as name`` import is a name outside __all__, importable from here as before (to
# wrap it, patch it in .shares, where accept_invite and can_see look it up).
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
