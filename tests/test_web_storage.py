"""The accounts tables: migration 0002 matches ``accounts_schema`` and goes up and down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from taperline.adapters.storage import accounts_schema
from taperline.adapters.storage.accounts import Accounts
from taperline.adapters.storage.db import downgrade, make_engine, migrate, revision
from taperline.adapters.storage.repo import Store
from taperline.adapters.storage.schema import metadata
from taperline.core.record import Profile
from taperline.errors import ConflictError, NotFoundError

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
HASH = "$argon2id$placeholder"
TABLES = {"users", "sessions", "shares", "audit_log", "login_attempts", "acknowledgements"}


def test_the_tables_are_on_the_shared_metadata() -> None:
    assert accounts_schema.users.metadata is metadata
    assert set(metadata.tables) >= TABLES


def test_migration_matches_the_tables_and_goes_down_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    head = revision(engine)
    assert head is not None
    assert head >= "0002_accounts"
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in diff if any(name in repr(d) for name in TABLES)]
    assert ours == []
    downgrade(engine, "0001_journal")
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate(engine)
    assert revision(engine) == head


@pytest.fixture
def accounts(tmp_path: Path) -> tuple[Accounts, Store]:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    return Accounts(engine), Store(engine)


def test_users_and_their_person_cascade(accounts: tuple[Accounts, Store]) -> None:
    acc, store = accounts
    pid = store.create_person(Profile("UTC"))
    user = acc.create_user(
        email="a@example.org",
        password_hash=HASH,
        role="patient",
        display_name="A",
        person_id=pid,
        now=NOW,
    )
    with pytest.raises(ConflictError):
        acc.create_user(
            email="a@example.org",
            password_hash=HASH,
            role="clinician",
            display_name="B",
            person_id=None,
            now=NOW,
        )
    acc.create_session(user.id, "t" * 64, now=NOW, user_agent="x", address="127.0.0.1")
    acc.audit(user, pid, "read", "dashboard", NOW)
    store.delete_person(pid)  # the foreign keys take the user, sessions and audit lines
    assert acc.rows_about(person_id=pid, user_id=user.id) == dict.fromkeys(TABLES, 0)


def test_shares_need_an_unused_unexpired_invite(accounts: tuple[Accounts, Store]) -> None:
    acc, store = accounts
    pid = store.create_person(Profile("UTC"))
    acc.create_user(
        email="p@example.org",
        password_hash=HASH,
        role="patient",
        display_name="P",
        person_id=pid,
        now=NOW,
    )
    doc = acc.create_user(
        email="d@example.org",
        password_hash=HASH,
        role="clinician",
        display_name="Dr D",
        person_id=None,
        now=NOW,
    )
    acc.create_invite(doc.id, "code-1", now=NOW, valid_for=timedelta(days=7))
    with pytest.raises(NotFoundError):
        acc.accept_invite("code-1", pid, NOW + timedelta(days=8))
    assert acc.accept_invite("code-1", pid, NOW) == "Dr D"
    assert acc.can_see(doc.id, pid)
    acc.create_invite(doc.id, "code-2", now=NOW, valid_for=timedelta(days=7))
    with pytest.raises(ConflictError):
        acc.accept_invite("code-2", pid, NOW)
    share_id = acc.shares_of(pid)[0].id
    with pytest.raises(NotFoundError):
        acc.revoke_share(pid + 1, share_id, NOW)
    acc.revoke_share(pid, share_id, NOW)
    assert not acc.can_see(doc.id, pid)
    assert acc.patients_of(doc.id) == []


def test_old_attempts_are_dropped(accounts: tuple[Accounts, Store]) -> None:
    acc, _ = accounts
    acc.record_attempt("signin", "k", "1.2.3.4", user_id=None, success=False, now=NOW)
    later = NOW + timedelta(days=2)
    acc.record_attempt("signin", "k", "1.2.3.4", user_id=None, success=False, now=later)
    state = acc.throttle_state(
        "signin", "k", "1.2.3.4", now=later, address_window=timedelta(days=30)
    )
    assert state.address_failures == 1
    assert state.address_last_failure == later
