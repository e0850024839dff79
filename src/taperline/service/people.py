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
from taperline.core.record import Profile, Regimen, check_regimen
from taperline.errors import ConflictError, SafetyError
from taperline.zones import check_zone

__all__ = ["checked_regimen", "create_account", "delete_account", "save_profile"]


def save_profile(
    store: Store, person_id: int | None, profile: Profile, *, now: datetime | None = None
) -> int:
    """Make a person with ``profile`` (``person_id`` None) or replace a person's profile.

    The time zone is checked here whatever the door (a region such as "Europe" is refused with
    a suggestion) and stored by its canonical name; so is the regimen
    (:func:`checked_regimen`). Returns the person's id.
    """
    profile = replace(profile, time_zone=check_zone(profile.time_zone, "time_zone"))
    if profile.regimen is not None:
        profile = replace(profile, regimen=checked_regimen(profile.regimen, profile.conditions))
    if person_id is None:
        return store.create_person(profile, at=now)
    store.update_profile(person_id, profile)
    return person_id


def checked_regimen(regimen: Regimen, conditions: tuple[str, ...]) -> Regimen:
    """``regimen`` named as the catalogue names its drug, refused above the daily maximum.

    Each dose must be plausible for the drug and the day's total at most the daily maximum for
    what the person takes it for (``conditions``; the lowest maximum when it is not known)
    [LABEL, SEED-AURA], as a logged dose is compared (:func:`taperline.service.log_dose`).

    Raises:
        UnknownDrugError: the catalogue does not hold the drug.
        ImplausibleDoseError: a dose is outside the drug's plausible single doses.
        SafetyError: the day's total is above the daily maximum (the message says which).
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.screening import indication_of

    drug = load_catalogue().get(regimen.drug)
    try:
        return check_regimen(regimen, drug, indication_of(conditions))
    except SafetyError as error:
        raise SafetyError(
            f"regimen: {error}. taperline does not record a regimen above the daily maximum:"
            " check the doses with your prescriber (if your conditions say why you take it,"
            " the maximum for that reason applies)"
        ) from None


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
