"""The write use cases the interfaces call instead of the store: profiles, accounts, deletions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from taperline.adapters.storage.accounts import Accounts, User
from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.core.journal import CheckIn
from taperline.core.record import Profile
from taperline.errors import ConflictError, InputError, NotFoundError
from taperline.service import (
    create_account,
    delete_account,
    remove_checkin,
    save_profile,
    store_checkin,
)
from tests.support.db import migrate

NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Accounts]]:
    engine = make_engine(f"sqlite:///{tmp_path}/people.db")
    migrate(engine)
    yield Store(engine), Accounts(engine)
    engine.dispose()


def test_a_profile_is_made_then_replaced_with_its_zone_checked(
    stores: tuple[Store, Accounts],
) -> None:
    store, _ = stores
    pid = save_profile(store, None, Profile("europe/london", "40-64"), now=NOW)
    assert store.profile(pid).time_zone == "Europe/London"  # stored by its canonical name
    assert save_profile(store, pid, Profile("America/New_York", "65-79")) == pid
    assert store.profile(pid).age_band == "65-79"
    region = Profile("Europe", "40-64")  # a name the zone database has, but a region
    with pytest.raises(InputError, match="time_zone 'Europe' is a region"):
        save_profile(store, pid, region)
    assert store.profile(pid).time_zone == "America/New_York"  # nothing changed


def test_a_removed_check_in_is_returned_for_an_undo(stores: tuple[Store, Accounts]) -> None:
    store, _ = stores
    pid = save_profile(store, None, Profile("Europe/London"), now=NOW)
    day = date(2027, 1, 4)
    store_checkin(store, pid, CheckIn(day, None, mood=4, anxiety=6, notes="mine"), today=day)
    removed = remove_checkin(store, pid, day)
    assert (removed.mood, removed.anxiety, removed.notes) == (4, 6, "mine")
    with pytest.raises(NotFoundError):
        store.checkin(pid, day)
    with pytest.raises(NotFoundError):
        remove_checkin(store, pid, day)
    store_checkin(store, pid, removed, today=day)  # the undo
    assert store.checkin(pid, day).notes == "mine"


def test_an_account_is_made_with_its_person_and_deleted_with_every_row(
    stores: tuple[Store, Accounts],
) -> None:
    store, accounts = stores
    hashed: list[str] = []

    def hash_password() -> str:
        hashed.append("x")
        return "$argon2id$not-a-real-hash"

    def sign_up(name: str) -> User:
        return create_account(
            store,
            accounts,
            email="p@example.org",
            hash_password=hash_password,
            role="patient",
            display_name=name,
            profile=Profile("Europe/London"),
            now=NOW,
        )

    user = sign_up("P")
    assert user.person_id is not None
    assert store.profile(user.person_id).time_zone == "Europe/London"
    people = set(store.person_ids())
    with pytest.raises(ConflictError, match="already exists"):
        sign_up("Q")
    assert hashed == ["x"]  # a taken address is refused before the slow hash
    assert set(store.person_ids()) == people  # and no person is left behind
    delete_account(store, accounts, user)
    assert user.person_id not in set(store.person_ids())
    assert accounts.credentials("p@example.org") is None
