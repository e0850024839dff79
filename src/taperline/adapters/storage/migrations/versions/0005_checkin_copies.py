"""Check-ins say which sections were copied from an earlier day ("same as last night").

``sleep_copied_from`` and ``symptoms_copied_from`` hold the date of the check-in a section was
copied from, when the person chose to copy it and kept it unchanged; NULL is the person's own
entry (every row from before this revision).

Revision ID: 0005_checkin_copies
Revises: 0004_plan_basis
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_checkin_copies"
down_revision = "0004_plan_basis"
branch_labels = None
depends_on = None

COLUMNS = ("sleep_copied_from", "symptoms_copied_from")


def upgrade() -> None:
    """Add the two nullable date columns to ``checkins``."""
    # In place, never a batch copy: checkins carries the revision triggers of 0003.
    for column in COLUMNS:
        op.add_column("checkins", sa.Column(column, sa.Date, nullable=True))


def downgrade() -> None:
    """Drop them (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    for column in reversed(COLUMNS):
        op.execute(f"ALTER TABLE checkins DROP COLUMN {column}")
