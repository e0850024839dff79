"""Sleep from devices and apps, beside the diary (issue 21).

``device_sleep_imports`` holds each import (a batch: the file's name and SHA-256, when, how
many records it added and found already there, when it was undone); ``device_sleep_records``
each stage or summary record of a source (its moments in UTC, its identity
``record_sha256``, unique per person, so a re-import adds nothing), deleted with its batch
on undo; ``device_sleep_settings`` the person's preferred source and the clinician's switch
for findings. New tables: nothing to fill in for earlier rows.

Revision ID: 0010_device_sleep
Revises: 0009_calendar_feed
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taperline.adapters.storage.schema import UtcDateTime

revision = "0010_device_sleep"
down_revision = "0009_calendar_feed"
branch_labels = None
depends_on = None


def _person() -> sa.Column[int]:
    return sa.Column(
        "person_id", sa.Integer, sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Create the three tables (names as the naming convention of ``schema.metadata`` makes)."""
    op.create_table(
        "device_sleep_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("records_added", sa.Integer, nullable=False),
        sa.Column("records_already", sa.Integer, nullable=False),
        sa.Column("imported_at_utc", UtcDateTime, nullable=False),
        sa.Column("undone_at_utc", UtcDateTime),
    )
    op.create_index("ix_device_sleep_imports_person_id", "device_sleep_imports", ["person_id"])
    op.create_table(
        "device_sleep_records",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column(
            "import_id",
            sa.Integer,
            sa.ForeignKey("device_sleep_imports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("device", sa.String(200), nullable=False),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("start_at_utc", UtcDateTime, nullable=False),
        sa.Column("end_at_utc", UtcDateTime, nullable=False),
        sa.Column("asleep_min", sa.Integer),
        sa.Column("origin_id", sa.String(200), nullable=False),
        sa.Column("record_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("person_id", "record_sha256", name="uq_device_sleep_records_person_id"),
    )
    op.create_index("ix_device_sleep_records_import_id", "device_sleep_records", ["import_id"])
    op.create_table(
        "device_sleep_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("preferred_source", sa.String(200)),
        sa.Column("in_findings", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("updated_at_utc", UtcDateTime, nullable=False),
        sa.UniqueConstraint("person_id", name="uq_device_sleep_settings_person_id"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("device_sleep_settings")
    op.drop_index("ix_device_sleep_records_import_id", table_name="device_sleep_records")
    op.drop_table("device_sleep_records")
    op.drop_index("ix_device_sleep_imports_person_id", table_name="device_sleep_imports")
    op.drop_table("device_sleep_imports")
