"""A revision counter on each person, bumped by the database on every journal write.

Readers that cache something made from a person's record (the web app's dashboards) compare
one number instead of counting every journal table. Triggers keep it, so every writer (the
web app, the CLI, an import, plain SQL) bumps it, in the writing transaction: it moves in
commit order, and a reader never sees a new row with an old revision.

Revision ID: 0003_record_revision
Revises: 0002_accounts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_record_revision"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None

JOURNAL_TABLES = ("checkins", "dose_log", "instrument_scores", "plan_versions")
EVENTS = ("INSERT", "UPDATE", "DELETE")
FUNCTION = "taperline_bump_revision"

# PostgreSQL: once per statement, with the statement's rows as transition tables (a bulk
# import bumps each person once, not once per row).
_PG_FUNCTION = """
CREATE FUNCTION taperline_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE persons SET revision = revision + 1
        WHERE id IN (SELECT person_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE persons SET revision = revision + 1
        WHERE id IN (SELECT person_id FROM old_rows);
    ELSE
        UPDATE persons SET revision = revision + 1
        WHERE id IN (SELECT person_id FROM new_rows UNION SELECT person_id FROM old_rows);
    END IF;
    RETURN NULL;
END
$$
"""
_PG_REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}
# SQLite has row triggers only.
_SQLITE_PEOPLE = {
    "INSERT": "NEW.person_id",
    "UPDATE": "NEW.person_id, OLD.person_id",
    "DELETE": "OLD.person_id",
}


def trigger_name(table: str, event: str) -> str:
    """The name of the trigger for ``event`` on ``table``."""
    return f"trg_{table}_{event.lower()}_revision"


def upgrade() -> None:
    """Add ``persons.revision`` and the triggers that bump it."""
    op.add_column(
        "persons",
        sa.Column("revision", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(_PG_FUNCTION)
    for table in JOURNAL_TABLES:
        for event in EVENTS:
            name = trigger_name(table, event)
            if postgres:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                    f" REFERENCING {_PG_REFERENCING[event]}"
                    f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
                )
            else:
                people = _SQLITE_PEOPLE[event]
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN"  # noqa: S608 -- this module's constants only
                    f" UPDATE persons SET revision = revision + 1 WHERE id IN ({people}); END"
                )


def downgrade() -> None:
    """Drop the triggers and the column."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in JOURNAL_TABLES:
        for event in EVENTS:
            name = trigger_name(table, event)
            op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
    if postgres:
        op.execute(f"DROP FUNCTION {FUNCTION}()")
    # SQLite 3.35+ drops a column in place (a batch copy of persons would cascade deletes)
    op.execute("ALTER TABLE persons DROP COLUMN revision")
