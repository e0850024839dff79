"""Alembic environment: runs on the connection taperline passes in (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from taperline.adapters.storage import accounts_schema  # noqa: F401 -- registers its tables
from taperline.adapters.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
)
with context.begin_transaction():
    context.run_migrations()
