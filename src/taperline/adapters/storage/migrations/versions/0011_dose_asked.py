"""Each dose-log line keeps what the person was asked to take when it was logged.

``cut_checked`` is true when the line was logged as the new dose of a cut and the readiness
check was read for it; ``stay_on_before`` is then the date of the cut the check held with no
clinician's answer (the person was asked to stay on the dose before it), NULL when the cut
went ahead. A check-in written late or deleted afterwards no longer changes which days were
held (defects 4 and 5 of tests/test_held_cut_review.py). Rows from before this revision did
not keep it: false and NULL, "not known", and their days are read from the record as before.

Revision ID: 0011_dose_asked
Revises: 0010_device_sleep
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_dose_asked"
down_revision = "0010_device_sleep"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns to ``dose_log``, in place."""
    # In place, never a batch copy: dose_log carries the revision triggers of 0003.
    op.add_column(
        "dose_log",
        sa.Column("cut_checked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("dose_log", sa.Column("stay_on_before", sa.Date, nullable=True))


def downgrade() -> None:
    """Drop them (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    for column in ("stay_on_before", "cut_checked"):
        op.execute(f"ALTER TABLE dose_log DROP COLUMN {column}")
