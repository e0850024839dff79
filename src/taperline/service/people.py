"""People and accounts: a person's profile, an account made or deleted with its record.

The writes the interfaces used to make on the store themselves: ``taperline init`` and the
account page save a profile; sign-up makes a person and a user together (the person removed
again when the user cannot be made); deleting an account removes the user and every row of a
patient's record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from taperline.adapters.storage.accounts import Accounts, Role, User
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from taperline.errors import ConflictError
from taperline.zones import check_zone

__all__ = ["create_account", "delete_account", "save_profile"]


def save_profile(
    store: Store, person_id: int | None, profile: Profile, *, now: datetime | None = None
) -> int:
    """Make a person with ``profile`` (``person_id`` None) or replace a person's profile.

    The time zone is checked here whatever the door (a region such as "Europe" is refused with
    a suggestion) and stored by its canonical name. Returns the person's id.
    """
    profile = replace(profile, time_zone=check_zone(profile.time_zone, "time_zone"))
    if person_id is None:
        return store.create_person(profile, at=now)
    store.update_profile(person_id, profile)
    return person_id


def create_account(
    store: Store,
    accounts: Accounts,
    *,
    email: str,
    hash_password: Callable[[], str],
    role: Role,
    display_name: str,
    profile: Profile | None,
    now: datetime,
) -> User:
    """A new user, and for a patient their person; the password is hashed once the e-mail is free.

    Raises:
        ConflictError: the e-mail address has an account (checked before the slow hash, and
            again by the store, which removes the new person then).
    """
    if accounts.email_taken(email):
        raise ConflictError("email: an account with this e-mail address already exists; sign in")
    password_hash = hash_password()
    person_id = save_profile(store, None, profile, now=now) if profile is not None else None
    try:
        return accounts.create_user(
            email=email,
            password_hash=password_hash,
            role=role,
            display_name=display_name,
            person_id=person_id,
            now=now,
        )
    except ConflictError:
        if person_id is not None:
            store.delete_person(person_id)
        raise


def delete_account(store: Store, accounts: Accounts, user: User) -> None:
    """Remove the user and, for a patient, every row of their record."""
    if user.person_id is not None:
        accounts.delete_person_rows(user.person_id)
        store.delete_person(user.person_id)
    accounts.delete_user(user.id)
