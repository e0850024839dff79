"""Revision counters on each person, bumped by the database on every journal write.

Readers that cache something made from a person's record (the web app's dashboards) compare
numbers instead of counting every journal table: ``revision`` moves with any write, and
``<part>_revision`` is set to the new ``revision`` by a write of that part (check-ins,
doses, scores, plans), so a reader can reload just the part that changed. Triggers keep
them, so every writer (the web app, the CLI, an import, plain SQL) bumps them, in the
writing transaction: they move in commit order, and a reader never sees a new row with an
old revision.

Revision ID: 0003_record_revision
Revises: 0002_accounts
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa
from alembic import op

revision = "0003_record_revision"
down_revision = "0002_accounts"
branch_labels = None
depends_on = None

#: Each journal table and the column of ``persons`` that records its last write.
PART_COLUMNS: Final = {
    "checkins": "checkins_revision",
    "dose_log": "doses_revision",
    "instrument_scores": "scores_revision",
    "plan_versions": "plans_revision",
}
EVENTS = ("INSERT", "UPDATE", "DELETE")

# PostgreSQL: once per statement, with the statement's rows as transition tables (a bulk
# import bumps each person once, not once per row). One function per table.
_PG_FUNCTION = """
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE persons SET revision = revision + 1, {column} = revision + 1
        WHERE id IN (SELECT person_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE persons SET revision = revision + 1, {column} = revision + 1
        WHERE id IN (SELECT person_id FROM old_rows);
    ELSE
        UPDATE persons SET revision = revision + 1, {column} = revision + 1
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


def function_name(table: str) -> str:
    """The name of PostgreSQL's trigger function for ``table``."""
    return f"taperline_bump_{table}_revision"


def trigger_name(table: str, event: str) -> str:
    """The name of the trigger for ``event`` on ``table``."""
    return f"trg_{table}_{event.lower()}_revision"


def upgrade() -> None:
    """Add ``persons.revision`` and one column per journal part, and the triggers."""
    for column in ("revision", *PART_COLUMNS.values()):
        op.add_column(
            "persons",
            sa.Column(column, sa.BigInteger, nullable=False, server_default=sa.text("0")),
        )
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, column in PART_COLUMNS.items():
        if postgres:
            op.execute(_PG_FUNCTION.format(function=function_name(table), column=column))
        for event in EVENTS:
            name = trigger_name(table, event)
            if postgres:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                    f" REFERENCING {_PG_REFERENCING[event]}"
                    f" FOR EACH STATEMENT EXECUTE FUNCTION {function_name(table)}()"
                )
            else:
                people = _SQLITE_PEOPLE[event]
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN"  # noqa: S608 -- this module's constants only
                    f" UPDATE persons SET revision = revision + 1, {column} = revision + 1"
                    f" WHERE id IN ({people}); END"
                )


def downgrade() -> None:
    """Drop the triggers and the columns."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in PART_COLUMNS:
        for event in EVENTS:
            name = trigger_name(table, event)
            op.execute(f"DROP TRIGGER {name} ON {table}" if postgres else f"DROP TRIGGER {name}")
        if postgres:
            op.execute(f"DROP FUNCTION {function_name(table)}()")
    # SQLite 3.35+ drops a column in place (a batch copy of persons would cascade deletes)
    for column in ("revision", *PART_COLUMNS.values()):
        op.execute(f"ALTER TABLE persons DROP COLUMN {column}")
