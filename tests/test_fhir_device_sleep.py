"""Device sleep in the FHIR bundle (issue 21): Observations apart from the diary, read back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.adapters.fhir import read_bundle
from taperline.adapters.fhir.codes import DEVICE_RECORD_SYSTEM, DEVICE_SLEEP_SYSTEM
from taperline.adapters.fhir.export import export_bundle
from taperline.cli.main import cli
from taperline.core.device_sleep import DeviceSleepRecord, DeviceSleepSettings
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.record import PersonRecord, Profile
from taperline.errors import InputError
from taperline.service import fhir_bundle, fhir_json, open_store
from tests.strategies import device_sleep_records

NOW = datetime(2027, 1, 20, 21, tzinfo=UTC)
PLUS2 = timezone(timedelta(hours=2))
RECORDS = (
    DeviceSleepRecord(
        "Ann's Watch", "Watch7,1", "core", datetime(2027, 1, 4, 23, tzinfo=UTC),
        datetime(2027, 1, 5, 3, tzinfo=UTC),
    ),
    DeviceSleepRecord(
        "Ann's Watch", "Watch7,1", "awake", datetime(2027, 1, 5, 3, tzinfo=UTC),
        datetime(2027, 1, 5, 3, 20, 30, tzinfo=UTC),
    ),
    DeviceSleepRecord(
        "Fitbit", "", "session", datetime(2027, 1, 5, 0, 30, tzinfo=PLUS2),
        datetime(2027, 1, 5, 7, tzinfo=PLUS2), asleep_min=350, origin_id="3245",
    ),
    DeviceSleepRecord(
        " Phone ", "\xa0", "in_bed", datetime(2027, 1, 6, 22, tzinfo=UTC),
        datetime(2027, 1, 7, 6, tzinfo=UTC), origin_id=" ",
    ),
)  # fmt: skip


def _record() -> PersonRecord:
    day = date(2027, 1, 5)
    diary = SleepDiary(*night_times(day), sol_min=20, waso_min=30, awakenings=2)
    return PersonRecord(
        Profile("Europe/Berlin"), checkins=(CheckIn(day, diary, mood=5, anxiety=4),)
    )


def _observations(bundle: dict[str, object]) -> list[dict[str, object]]:
    entries = bundle["entry"]
    assert isinstance(entries, list)
    return [e["resource"] for e in entries if e["resource"]["resourceType"] == "Observation"]


def test_device_records_are_observations_apart_from_the_diary_and_read_back_exactly() -> None:
    bundle = export_bundle(_record(), [], generated_at=NOW, subject="s", device_sleep=RECORDS)
    device = [
        o for o in _observations(bundle) if o["category"][0]["coding"][0]["code"] == "device-sleep"
    ]
    diary = [o for o in _observations(bundle) if o not in device]
    assert len(device) == len(RECORDS)
    assert len(diary) == 2  # the check-in and its night, neither of the device category
    assert all(o["category"][0]["coding"][0]["system"] != DEVICE_SLEEP_SYSTEM for o in diary)
    watch = device[0]
    assert watch["code"]["coding"][0] == {"system": DEVICE_SLEEP_SYSTEM, "code": "core"}
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    named = by_url[watch["device"]["reference"]]
    assert named["resourceType"] == "Device"
    assert named["deviceName"] == [
        {"name": "Ann's Watch", "type": "user-friendly-name"},
        {"name": "Watch7,1", "type": "model-name"},
    ]
    assert device[1]["device"] == watch["device"]  # one Device for the source's records
    devices = [r for r in by_url.values() if r["resourceType"] == "Device"]
    assert len(devices) == 3  # the watch, the Fitbit, the phone
    assert watch["effectivePeriod"]["start"] == "2027-01-05T00:00:00+01:00"  # Berlin
    session = device[2]
    assert session["valueQuantity"]["value"] == 350
    assert session["identifier"] == [{"system": DEVICE_RECORD_SYSTEM, "value": "3245"}]
    systems = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CodeSystem"
    ]
    assert DEVICE_SLEEP_SYSTEM in {s["url"] for s in systems}

    read = read_bundle(bundle)
    assert read.record == _record()  # device sleep fills nothing in the diary
    assert read.device_sleep == RECORDS
    assert [r.key for r in read.device_sleep] == [r.key for r in RECORDS]
    again = export_bundle(_record(), [], generated_at=NOW, subject="s", device_sleep=RECORDS)
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in bundle["entry"]]


def test_a_device_observation_without_its_device_is_refused_by_name() -> None:
    bundle = export_bundle(_record(), [], generated_at=NOW, device_sleep=RECORDS[:1])
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Device"]
    with pytest.raises(
        InputError, match=r"Observation entry \d+: device refers to 'urn:uuid:.*', not a Device"
    ):
        read_bundle(bundle)


def test_the_round_trip_through_the_store_is_one_device_import(tmp_path: Path) -> None:
    """Export from one person, import as a new one: the same records, as an undoable batch."""
    url = f"sqlite:///{tmp_path / 'f.db'}"
    store = open_store(url)
    pid = store.import_record(_record())
    store.add_device_sleep(
        pid, RECORDS, kind="sleep-csv", file_name="s.csv", file_sha256="0" * 64, now=NOW
    )
    chosen = DeviceSleepSettings("Fitbit", in_findings=True)
    store.save_device_sleep_settings(pid, chosen, by="Ann", now=NOW)
    bundle = fhir_bundle(store, pid, now=NOW)
    assert bundle == fhir_bundle(store, pid, now=NOW)  # stable ids
    path = tmp_path / "bundle.json"
    path.write_text(fhir_json(bundle), encoding="utf-8")
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": NOW.isoformat()}
    done = CliRunner().invoke(cli, ["import", "fhir", str(path)], env=env)
    assert done.exit_code == 0, done.output
    assert "Sleep from devices: 4 record(s), kept apart from the diary (device import 2;" in (
        done.output
    )
    new = pid + 1
    assert sorted(store.device_sleep_records(new), key=lambda r: r.key) == sorted(
        RECORDS, key=lambda r: r.key
    )
    (batch,) = store.device_sleep_imports(new)
    assert (batch.kind, batch.file_name, batch.records_added) == ("fhir", "bundle.json", 4)
    assert store.record(new).checkins == _record().checkins
    # the person's choice comes with them; the clinician's switch is for the new clinic
    assert store.device_sleep_settings(new) == DeviceSleepSettings("Fitbit")
    undo = CliRunner().invoke(
        cli, ["import", "sleep-csv", "--undo", str(batch.id), "--person", str(new)], env=env
    )
    assert undo.exit_code == 0, undo.output
    assert store.device_sleep_records(new) == []
    assert json.loads(fhir_json(fhir_bundle(store, new, now=NOW)))["entry"]


@settings(max_examples=10, deadline=None)
@given(st.lists(device_sleep_records(), max_size=6))
def test_any_device_records_read_back_exactly(records: list[DeviceSleepRecord]) -> None:
    bundle = export_bundle(_record(), [], generated_at=NOW, device_sleep=records)
    assert read_bundle(bundle).device_sleep == tuple(records)


def test_device_sleep_reads_back_from_what_a_server_hands_back() -> None:
    """A searchset with server ids and Type/id references: the Devices are found by those."""
    from taperline.adapters.fhir import transaction_bundle
    from tests.support.fhir_server import through_a_server

    bundle = export_bundle(_record(), [], generated_at=NOW, device_sleep=RECORDS)
    served = through_a_server(transaction_bundle(bundle))
    references = {
        e["resource"]["device"]["reference"] for e in served["entry"] if e["resource"].get("device")
    }
    assert all(ref.startswith("Device/") for ref in references)
    assert read_bundle(served).device_sleep == RECORDS
