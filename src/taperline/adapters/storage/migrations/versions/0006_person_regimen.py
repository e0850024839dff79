"""A person's current regimen: the drug, doses and times they take before a plan starts.

``persons.regimen`` (JSON, nullable) holds ``{"drug": "clonazepam", "doses": [{"clock":
"22:00", "amount_mg": "0.5"}]}`` (``taperline.core.record.Regimen.to_json``: clock times HH:MM,
amounts as exact decimal text in mg); until a plan is in force, logged doses are matched
against it. NULL: not recorded (every row from before this revision).

Revision ID: 0006_person_regimen
Revises: 0005_checkin_copies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_person_regimen"
down_revision = "0005_checkin_copies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable JSON column ``persons.regimen``."""
    # In place, never a batch copy: persons carries the revision triggers of 0003.
    op.add_column("persons", sa.Column("regimen", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop it (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    op.execute("ALTER TABLE persons DROP COLUMN regimen")
