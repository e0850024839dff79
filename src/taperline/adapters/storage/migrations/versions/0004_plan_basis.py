"""Plan versions keep their rule basis and, when held, the day the hold began.

``basis`` (JSON) holds the settings a plan was checked against (cap, window, stabilisation,
override reason, equivalence source, indication, smallest makeable doses) and what an
override took outside the guideline; every later edit is checked against it. ``held_from``
is the person's date a hold began: a held plan stays on that day's dose. Rows from before
this revision have neither (the guideline's values apply).

Revision ID: 0004_plan_basis
Revises: 0003_record_revision
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_plan_basis"
down_revision = "0003_record_revision"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``plan_versions.basis`` and ``plan_versions.held_from`` (both nullable)."""
    # In place, never a batch copy: plan_versions carries the revision triggers of 0003.
    op.add_column("plan_versions", sa.Column("basis", sa.JSON, nullable=True))
    op.add_column("plan_versions", sa.Column("held_from", sa.Date, nullable=True))


def downgrade() -> None:
    """Drop the two columns (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    for column in ("held_from", "basis"):
        op.execute(f"ALTER TABLE plan_versions DROP COLUMN {column}")
