"""The journal: persons, check-ins, dose log, questionnaire scores and plan versions.

Revision ID: 0001_journal
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taperline.adapters.storage.schema import ExactDecimal, UtcDateTime

revision = "0001_journal"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _person() -> sa.Column[int]:
    return sa.Column(
        "person_id",
        sa.Integer,
        sa.ForeignKey("persons.id", ondelete="CASCADE"),
        nullable=False,
    )


def _created() -> sa.Column[object]:
    return sa.Column("created_at_utc", UtcDateTime, nullable=False)


def upgrade() -> None:
    """Create the five tables."""
    op.create_table(
        "persons",
        _id(),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("age_band", sa.String(20)),
        sa.Column("conditions", sa.JSON, nullable=False),
        sa.Column("other_medicines", sa.JSON, nullable=False),
        _created(),
        sa.Column("updated_at_utc", UtcDateTime, nullable=False),
    )
    op.create_table(
        "checkins",
        _id(),
        _person(),
        sa.Column("wake_date", sa.Date, nullable=False),
        sa.Column("idempotency_key", sa.String(100)),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("bed_at_utc", UtcDateTime),
        sa.Column("tried_at_utc", UtcDateTime),
        sa.Column("final_wake_at_utc", UtcDateTime),
        sa.Column("out_of_bed_at_utc", UtcDateTime),
        sa.Column("sol_min", sa.Integer),
        sa.Column("waso_min", sa.Integer),
        sa.Column("awakenings", sa.Integer),
        sa.Column("sleep_quality_1_5", sa.Integer),
        sa.Column("mood_0_10", sa.Integer, nullable=False),
        sa.Column("anxiety_0_10", sa.Integer, nullable=False),
        sa.Column("symptoms_0_3", sa.JSON, nullable=False),
        sa.Column("worst_time", sa.String(10)),
        sa.Column("caffeine_drinks", sa.Integer, nullable=False),
        sa.Column("alcohol_drinks", sa.Integer, nullable=False),
        sa.Column("opioid_use", sa.Boolean, nullable=False),
        sa.Column("events", sa.JSON, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        _created(),
        sa.Column("updated_at_utc", UtcDateTime, nullable=False),
        sa.UniqueConstraint("person_id", "wake_date", name="uq_checkins_person_id"),
        sa.UniqueConstraint("person_id", "idempotency_key", name="uq_checkins_idempotency_key"),
    )
    op.create_table(
        "dose_log",
        _id(),
        _person(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("drug", sa.String(40), nullable=False),
        sa.Column("planned_clock", sa.String(5)),
        sa.Column("planned_amount_mg", ExactDecimal),
        sa.Column("taken_at_utc", UtcDateTime),
        sa.Column("amount_mg", ExactDecimal),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("units", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.String(100)),
        _created(),
        sa.UniqueConstraint("person_id", "idempotency_key", name="uq_dose_log_idempotency_key"),
    )
    op.create_index("ix_dose_log_person_day", "dose_log", ["person_id", "day"])
    op.create_table(
        "instrument_scores",
        _id(),
        _person(),
        sa.Column("instrument", sa.String(10), nullable=False),
        sa.Column("taken_on", sa.Date, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("band", sa.String(30), nullable=False),
        sa.Column("idempotency_key", sa.String(100)),
        _created(),
        sa.UniqueConstraint("person_id", "instrument", "taken_on", name="uq_instrument_scores_day"),
        sa.UniqueConstraint(
            "person_id", "idempotency_key", name="uq_instrument_scores_idempotency_key"
        ),
    )
    op.create_table(
        "plan_versions",
        _id(),
        _person(),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("drug", sa.String(40), nullable=False),
        sa.Column("strategy", sa.String(40), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at_utc", UtcDateTime, nullable=False),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at_utc", UtcDateTime),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("parent_version", sa.Integer),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("supply", sa.JSON, nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("assumptions", sa.JSON, nullable=False),
        _created(),
        sa.UniqueConstraint("person_id", "version", name="uq_plan_versions_version"),
    )


def downgrade() -> None:
    """Drop them, children first."""
    for table in ("plan_versions", "instrument_scores", "dose_log", "checkins", "persons"):
        op.drop_table(table)
