"""The web app: users, sessions, shares, audit log, sign-in attempts and acknowledgements.

Revision ID: 0002_accounts
Revises: 0001_journal
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taperline.adapters.storage.schema import UtcDateTime

revision = "0002_accounts"
down_revision = "0001_journal"
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _fk(name: str, target: str, *, ondelete: str, nullable: bool) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    """Create the six tables (names as the naming convention of ``schema.metadata`` makes)."""
    op.create_table(
        "users",
        _id(),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        _fk("person_id", "persons.id", ondelete="CASCADE", nullable=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("created_at_utc", UtcDateTime, nullable=False),
        sa.Column("last_login_at_utc", UtcDateTime),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("last_failed_login_at_utc", UtcDateTime),
        sa.UniqueConstraint("email", name="uq_users_email"),
        sa.UniqueConstraint("person_id", name="uq_users_person_id"),
        sa.CheckConstraint("role IN ('patient', 'clinician')", name="ck_users_role"),
    )
    op.create_table(
        "sessions",
        _id(),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _fk("user_id", "users.id", ondelete="CASCADE", nullable=False),
        sa.Column("created_at_utc", UtcDateTime, nullable=False),
        sa.Column("last_seen_at_utc", UtcDateTime, nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "shares",
        _id(),
        _fk("clinician_user_id", "users.id", ondelete="CASCADE", nullable=False),
        _fk("person_id", "persons.id", ondelete="CASCADE", nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at_utc", UtcDateTime, nullable=False),
        sa.Column("expires_at_utc", UtcDateTime, nullable=False),
        sa.Column("accepted_at_utc", UtcDateTime),
        sa.Column("revoked_at_utc", UtcDateTime),
        sa.UniqueConstraint("code_hash", name="uq_shares_code_hash"),
    )
    op.create_index("ix_shares_clinician_user_id", "shares", ["clinician_user_id"])
    op.create_index("ix_shares_person_id", "shares", ["person_id"])
    op.create_table(
        "audit_log",
        _id(),
        sa.Column("at_utc", UtcDateTime, nullable=False),
        _fk("user_id", "users.id", ondelete="SET NULL", nullable=True),
        sa.Column("actor_label", sa.String(200), nullable=False),
        _fk("person_id", "persons.id", ondelete="CASCADE", nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("object", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_log_person_at", "audit_log", ["person_id", "at_utc"])
    op.create_table(
        "login_attempts",
        _id(),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("at_utc", UtcDateTime, nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("account_key", sa.String(64), nullable=False),
        _fk("user_id", "users.id", ondelete="CASCADE", nullable=True),
        sa.Column("success", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ix_login_attempts_account", "login_attempts", ["kind", "account_key", "at_utc"]
    )
    op.create_index("ix_login_attempts_address", "login_attempts", ["kind", "address", "at_utc"])
    op.create_index("ix_login_attempts_at", "login_attempts", ["at_utc"])
    op.create_table(
        "acknowledgements",
        _id(),
        _fk("person_id", "persons.id", ondelete="CASCADE", nullable=False),
        _fk("user_id", "users.id", ondelete="CASCADE", nullable=False),
        sa.Column("flag_key", sa.String(120), nullable=False),
        sa.Column("at_utc", UtcDateTime, nullable=False),
        sa.UniqueConstraint("person_id", "user_id", "flag_key", name="uq_acknowledgements_flag"),
    )


def downgrade() -> None:
    """Drop them, children first."""
    for table in (
        "acknowledgements",
        "login_attempts",
        "audit_log",
        "shares",
        "sessions",
        "users",
    ):
        op.drop_table(table)
