"""Storage: SQLAlchemy 2 with Alembic migrations; SQLite by default, PostgreSQL for clinics.

:func:`~taperline.adapters.storage.db.open_store` opens (and migrates) a database;
:class:`~taperline.adapters.storage.repo.Store` reads and writes a person's record. Every
write is one transaction; nothing partial is ever written.
"""
