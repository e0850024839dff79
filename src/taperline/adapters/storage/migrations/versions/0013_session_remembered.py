"""Sessions say whether the person asked to stay signed in on this device.

``remembered`` is true for a patient's session started with "Keep me signed in on this
phone": it then ends after the settings' longer idle and absolute times instead of 30 minutes
idle and 12 hours. Every row from before this revision is false (no one asked).

Revision ID: 0013_session_remembered
Revises: 0012_substances_asked
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_session_remembered"
down_revision = "0012_substances_asked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column to ``sessions``, in place."""
    op.add_column(
        "sessions",
        sa.Column("remembered", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    """Drop it (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    op.execute("ALTER TABLE sessions DROP COLUMN remembered")
