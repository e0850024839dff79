"""Storage contract of device sleep (SQLite, PostgreSQL): batches, identity, undo, choices.

Records read back equal (moments as the same instants); importing the same records again
adds nothing and leaves no batch; an undone batch's records are gone and the batch says so;
settings default until saved; everything is the person's own and goes with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.adapters.storage.repo.device_sleep import DeviceImport
from taperline.core.device_sleep import DeviceSleepRecord, DeviceSleepSettings
from taperline.core.record import Profile
from taperline.errors import InputError, NotFoundError

NOW = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)
EST = timezone(timedelta(hours=-5))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, tzinfo=EST)


WATCH = [
    DeviceSleepRecord("Ann\u2019s Apple Watch", "Apple Watch", "core", _at(4, 23, 10), _at(5, 2)),
    DeviceSleepRecord("Ann\u2019s Apple Watch", "Apple Watch", "awake", _at(5, 2), _at(5, 2, 20)),
    DeviceSleepRecord("Ann\u2019s Apple Watch", "Apple Watch", "rem", _at(5, 2, 20), _at(5, 6, 40)),
]
SUMMARY = DeviceSleepRecord(
    "Oura via CSV", "", "session", _at(5, 22, 30), _at(6, 6, 30), asleep_min=410, origin_id="x1"
)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    engine = make_engine(db_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _person(store: Store) -> int:
    return store.create_person(Profile("America/New_York"))


def _add(
    store: Store, pid: int, records: list[DeviceSleepRecord], name: str = "export.xml"
) -> DeviceImport | None:
    return store.add_device_sleep(
        pid, records, kind="apple-health", file_name=name, file_sha256="a" * 64, now=NOW
    )


def test_records_read_back_and_a_reimport_adds_nothing(store: Store) -> None:
    pid = _person(store)
    batch = _add(store, pid, [*WATCH, SUMMARY, WATCH[0]])
    assert batch is not None
    assert (batch.records_added, batch.records_already) == (4, 1)
    assert batch.kind == "apple-health"
    assert batch.imported_at == NOW
    assert store.device_sleep_records(pid) == [*WATCH, SUMMARY]
    assert store.device_sleep_sources(pid) == {"Ann\u2019s Apple Watch": 3, "Oura via CSV": 1}
    assert store.device_sleep_new(pid, [*WATCH, SUMMARY]) == []
    assert _add(store, pid, [*WATCH, SUMMARY]) is None
    assert store.device_sleep_imports(pid) == [batch]
    later = DeviceSleepRecord("Phone", "", "in_bed", _at(6, 22), _at(7, 7))
    assert store.device_sleep_new(pid, [SUMMARY, later, later]) == [later]
    assert store.device_sleep_records(pid, since=_at(5, 12)) == [SUMMARY]


def test_undo_removes_the_batch_records_only_once(store: Store) -> None:
    pid = _person(store)
    first = _add(store, pid, WATCH)
    second = _add(store, pid, [SUMMARY], name="oura.csv")
    assert first is not None
    assert second is not None
    undone = store.undo_device_sleep_import(pid, first.id, NOW + timedelta(hours=1))
    assert undone.undone_at == NOW + timedelta(hours=1)
    assert store.device_sleep_records(pid) == [SUMMARY]
    with pytest.raises(InputError, match="already undone"):
        store.undo_device_sleep_import(pid, first.id, NOW)
    assert [b.id for b in store.device_sleep_imports(pid)] == [second.id, first.id]
    again = _add(store, pid, WATCH)  # undone records can be imported again
    assert again is not None
    assert again.records_added == len(WATCH)


def test_settings_default_until_saved(store: Store) -> None:
    pid = _person(store)
    assert store.device_sleep_settings(pid) == DeviceSleepSettings()
    chosen = DeviceSleepSettings("Ann\u2019s Apple Watch", in_findings=True)
    store.save_device_sleep_settings(pid, chosen, by="Dr Lee", now=NOW)
    assert store.device_sleep_settings(pid) == chosen
    store.save_device_sleep_settings(pid, DeviceSleepSettings(), by="Ann", now=NOW)
    assert store.device_sleep_settings(pid) == DeviceSleepSettings()


def test_everything_is_the_persons_own_and_goes_with_them(store: Store) -> None:
    ann, bob = _person(store), _person(store)
    batch = _add(store, ann, WATCH)
    assert batch is not None
    assert _add(store, bob, WATCH) is not None  # the same records are Bob's too
    with pytest.raises(NotFoundError):
        store.undo_device_sleep_import(bob, batch.id, NOW)
    store.save_device_sleep_settings(ann, DeviceSleepSettings("x"), by="Ann", now=NOW)
    store.delete_person(ann)
    assert store.device_sleep_records(ann) == []
    assert store.device_sleep_imports(ann) == []
    assert store.device_sleep_records(bob) == WATCH
    with pytest.raises(NotFoundError):
        _add(store, 999, WATCH)


def test_a_whole_record_import_stores_its_device_sleep_as_one_batch(store: Store) -> None:
    """import_record(device_sleep=...) (a FHIR bundle's): one batch of kind fhir, undoable;
    the preferred source is set, the findings switch off."""
    from taperline.core.record import PersonRecord

    record = PersonRecord(Profile("America/New_York"))
    pid = store.import_record(
        record,
        device_sleep=[*WATCH, SUMMARY, WATCH[0]],
        device_file=("b.json", "f" * 64),
        device_preferred_source="Oura via CSV",
    )
    assert store.device_sleep_settings(pid) == DeviceSleepSettings("Oura via CSV")
    assert store.device_sleep_records(pid) == [*WATCH, SUMMARY]
    (batch,) = store.device_sleep_imports(pid)
    assert (batch.kind, batch.file_name, batch.records_added, batch.records_already) == (
        "fhir",
        "b.json",
        4,
        1,
    )
    store.undo_device_sleep_import(pid, batch.id, NOW)
    assert store.device_sleep_records(pid) == []
    assert store.device_sleep_imports(store.import_record(record)) == []  # none given: none
