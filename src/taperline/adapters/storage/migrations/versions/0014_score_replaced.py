"""A questionnaire keeps the answers of the same day's one it replaced.

One PHQ-9 and one GAD-7 are kept a day; a PHQ-9 taken again that day with a higher answer to
item 9 (thoughts of death or self-harm) replaces the day's answers, so the clinician is shown
it. ``replaced_items`` keeps the answers it replaced (the earlier total is worked out from
them), so nothing the person said is lost. NULL: it replaced nothing (every row from before
this revision).

Revision ID: 0014_score_replaced
Revises: 0013_session_remembered
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_score_replaced"
down_revision = "0013_session_remembered"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column to ``instrument_scores``, in place."""
    op.add_column("instrument_scores", sa.Column("replaced_items", sa.JSON, nullable=True))


def downgrade() -> None:
    """Drop it (SQLite 3.35+ and PostgreSQL drop a column in place)."""
    op.execute("ALTER TABLE instrument_scores DROP COLUMN replaced_items")
