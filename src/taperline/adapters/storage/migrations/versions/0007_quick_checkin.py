"""Check-ins may be quick: sleep as a reported duration, and the symptom checklist not asked.

``sleep_reported_min`` is the person's own estimate of how long they slept, given in a quick
check-in instead of the diary's clock times (the times stay NULL; ``sleep_quality_1_5`` holds
the night's quality either way). ``symptoms_rated`` is false when the symptom checklist was not
filled in that day: an unrated checklist is not a checklist of zeros, and no symptom score is
computed from it. Every row from before this revision came from the full check-in: true.

Revision ID: 0007_quick_checkin
Revises: 0006_person_regimen
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_quick_checkin"
down_revision = "0006_person_regimen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns to ``checkins``, in place."""
    # In place, never a batch copy: checkins carries the revision triggers of 0003.
    op.add_column("checkins", sa.Column("sleep_reported_min", sa.Integer, nullable=True))
    op.add_column(
        "checkins",
        sa.Column("symptoms_rated", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    """Drop them (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    for column in ("symptoms_rated", "sleep_reported_min"):
        op.execute(f"ALTER TABLE checkins DROP COLUMN {column}")
