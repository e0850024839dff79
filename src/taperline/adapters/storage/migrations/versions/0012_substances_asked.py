"""Check-ins say whether caffeine, alcohol and opioid use were asked that day.

``substances_asked`` is false when the day's check-in did not ask them (the quick check-in):
its counts are then 0 and ``opioid_use`` false only because the columns are NOT NULL, never
read as the person's answer. Every row from before this revision is true: the full check-in
asked them, and a quick one stored 0, 0 and false as if answered (the placeholder a row of
then cannot be told from an answer; helper-62's walk found it).

Revision ID: 0012_substances_asked
Revises: 0011_dose_asked
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_substances_asked"
down_revision = "0011_dose_asked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column to ``checkins``, in place."""
    # In place, never a batch copy: checkins carries the revision triggers of 0003.
    op.add_column(
        "checkins",
        sa.Column("substances_asked", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    """Drop it (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    op.execute("ALTER TABLE checkins DROP COLUMN substances_asked")
