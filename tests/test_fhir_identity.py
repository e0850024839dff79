"""FHIR identities two installations cannot share (issue 20, item 3).

Every database has a person 1, so ids seeded by the person's id alone gave two clinics'
patients the same resource ids. The seed is now the person's UUID
(:func:`taperline.service.exports.person_uuid`), derived from the id and the row's creation
moment: the same on every export, different in another installation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from taperline.service import fhir_bundle, open_store
from taperline.service.exports import person_uuid
from tests.support.db import copy_sqlite_template

NOW = datetime(2027, 2, 1, 12, tzinfo=UTC)


def _installation(path: Path, created: datetime) -> Store:
    store = open_store(copy_sqlite_template(path))
    assert store.create_person(Profile("Europe/London", label="Person A"), at=created) == 1
    return store


def _urls(store: Store, now: datetime) -> set[str]:
    return {e["fullUrl"] for e in fhir_bundle(store, 1, now=now)["entry"]}


def test_the_same_person_id_in_two_installations_gets_other_ids(tmp_path: Path) -> None:
    created = datetime(2027, 1, 1, 9, 0, 0, 123456, tzinfo=UTC)
    here = _installation(tmp_path / "a.db", created)
    there = _installation(tmp_path / "b.db", created + timedelta(microseconds=1))
    assert person_uuid(here, 1) != person_uuid(there, 1)
    assert not _urls(here, NOW) & _urls(there, NOW)
    # stable: the same on every export, and on another connection to the same database
    again = open_store(str(here.engine.url))
    assert person_uuid(again, 1) == person_uuid(here, 1)
    assert _urls(again, NOW + timedelta(days=3)) == _urls(here, NOW)
    for store in (here, there, again):
        store.engine.dispose()
