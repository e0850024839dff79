"""Reminders in the person's own calendar: the subscription feed, the settings, what was sent.

``calendar_feeds`` holds each feed's token as a SHA-256 (never the token), when it was made
and when it was revoked; ``reminder_settings`` the person's choice of reminders, check-in
time, alarm lead and titles that name no drug (no row: the defaults); ``calendar_events``
each event as last sent (its fingerprint, SEQUENCE, whether cancelled, its VEVENT text), so
that the next export updates calendars. New tables: nothing to fill in for earlier rows.

Revision ID: 0009_calendar_feed
Revises: 0008_sleep_window
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from taperline.adapters.storage.schema import UtcDateTime

revision = "0009_calendar_feed"
down_revision = "0008_sleep_window"
branch_labels = None
depends_on = None


def _person() -> sa.Column[int]:
    return sa.Column(
        "person_id", sa.Integer, sa.ForeignKey("persons.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Create the three tables (names as the naming convention of ``schema.metadata`` makes)."""
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at_utc", UtcDateTime, nullable=False),
        sa.Column("revoked_at_utc", UtcDateTime),
        sa.UniqueConstraint("token_sha256", name="uq_calendar_feeds_token_sha256"),
    )
    op.create_index("ix_calendar_feeds_person_id", "calendar_feeds", ["person_id"])
    op.create_table(
        "reminder_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("reminders", sa.JSON, nullable=False),
        sa.Column("checkin_clock", sa.String(5), nullable=False),
        sa.Column("alarm_minutes_before", sa.Integer, nullable=False),
        sa.Column("discreet", sa.Boolean, nullable=False),
        sa.Column("updated_at_utc", UtcDateTime, nullable=False),
        sa.UniqueConstraint("person_id", name="uq_reminder_settings_person_id"),
    )
    op.create_table(
        "calendar_events",
        sa.Column("id", sa.Integer, primary_key=True),
        _person(),
        sa.Column("uid", sa.String(64), nullable=False),
        sa.Column("fingerprint_sha256", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("vevent", sa.Text, nullable=False),
        sa.Column("issued_at_utc", UtcDateTime, nullable=False),
        sa.UniqueConstraint("person_id", "uid", name="uq_calendar_events_person_id"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("calendar_events")
    op.drop_table("reminder_settings")
    op.drop_index("ix_calendar_feeds_person_id", table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
