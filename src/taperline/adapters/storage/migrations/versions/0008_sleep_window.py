"""The sleep window (CBT-I) as a course of treatment: one row per prescribed week.

``sleep_windows`` holds each week's window (the day it was set, the fixed rise time HH:MM, the
time in bed, who set it: "patient" or "clinician", and why), with the weekly review that set
it (``step_min``, ``efficiency_pct``, ``nights``, the widening threshold it was judged by).
Rows are only ever inserted; the newest ``number`` is this week's. A new table: nothing to
fill in for earlier rows.

Revision ID: 0008_sleep_window
Revises: 0007_quick_checkin
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taperline.adapters.storage.schema import UtcDateTime

revision = "0008_sleep_window"
down_revision = "0007_quick_checkin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``sleep_windows`` (names as the naming convention of ``schema.metadata`` makes)."""
    op.create_table(
        "sleep_windows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer,
            sa.ForeignKey("persons.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("set_on", sa.Date, nullable=False),
        sa.Column("rise_clock", sa.String(5), nullable=False),
        sa.Column("time_in_bed_min", sa.Integer, nullable=False),
        sa.Column("set_by", sa.String(20), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("step_min", sa.Integer, nullable=False),
        sa.Column("efficiency_pct", sa.Float),
        sa.Column("nights", sa.Integer, nullable=False),
        sa.Column("raise_above_se_pct", sa.Float),
        sa.Column("created_at_utc", UtcDateTime, nullable=False),
        sa.UniqueConstraint("person_id", "number", name="uq_sleep_windows_number"),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("sleep_windows")
