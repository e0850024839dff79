"""A dose keeps the moment it was taken when the person's time zone changes.

The dose log stores each dose's UTC moment and the zone it was logged in; a line read back
carries that zone (``DoseRecord.time_zone``) when it is not the person's zone now, and None
otherwise, so a line logged in the person's own zone reads as it always did. The FHIR
export writes such a line with its own zone's offset and names the zone (the ``dose-log``
part ``time-zone``); the import keeps it, and the store writes the line in it. The CSV
dose log writes the offset and names the zone (its column ``time_zone``), and its import
keeps it too. Storage contract on SQLite and PostgreSQL (``migrated_db_url``).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from taperline.adapters.csvio import dose_log_csv
from taperline.adapters.csvio.doses import read_dose_log_csv
from taperline.adapters.fhir import EXTENSION_BASE, export_bundle, read_bundle
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo import KnownRows, Store
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.errors import InputError, NotFoundError
from taperline.service import import_record, open_store
from taperline.zones import zone
from tests.strategies import wall_clock
from tests.support.zone_change import (
    KATHMANDU,
    LONDON,
    NOW,
    Json,
    move,
    person,
    stored_moments,
)


def _taken(wall: datetime, *, time_zone: str | None = None, clock: str | None = None) -> DoseRecord:
    amount = Mass.of_mg("0.5")
    planned = amount if clock else None
    line = DoseRecord(wall.date(), "clonazepam", clock, planned, wall, amount)
    return line if time_zone is None else replace(line, time_zone=time_zone)


def _stored_moments(store: Store, pid: int) -> list[tuple[datetime, str]]:
    return stored_moments(store, pid, t.dose_log.c.taken_at_utc, t.dose_log.c.id)


def _administrations(bundle: Json) -> list[Json]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
    ]


def _zone_parts(resource: Json) -> list[Json]:
    (log,) = [e for e in resource["extension"] if e["url"] == f"{EXTENSION_BASE}/dose-log"]
    return [part for part in log["extension"] if part["url"] == "time-zone"]


def _sqlite(tmp_path: Path, name: str) -> Store:
    return open_store(f"sqlite:///{tmp_path}/{name}.db")


# --- the record ---------------------------------------------------------------------------------


def test_a_dose_with_its_own_zone_is_another_record() -> None:
    wall = wall_clock(2027, 5, 1, 8)
    there, here = _taken(wall, time_zone=KATHMANDU), _taken(wall)
    assert there != here
    assert there == _taken(wall, time_zone=KATHMANDU)
    assert hash(there) == hash(_taken(wall, time_zone=KATHMANDU))
    assert len({there, here}) == 2


@pytest.mark.parametrize("name", ["", "  ", "Asia Kathmandu"])
def test_a_dose_zone_that_is_no_name_is_refused(name: str) -> None:
    with pytest.raises(InputError, match="is not an IANA zone name"):
        _taken(wall_clock(2027, 5, 1, 8), time_zone=name)


def test_a_missed_dose_has_no_zone_of_its_own() -> None:
    with pytest.raises(InputError, match="given for a dose not taken"):
        DoseRecord(date(2027, 5, 1), "clonazepam", "08:00", None, None, None, time_zone=KATHMANDU)


# --- the store (SQLite and PostgreSQL) ----------------------------------------------------------


def test_a_dose_logged_before_a_move_reads_back_in_its_zone(store: Store) -> None:
    pid = person(store, KATHMANDU)
    logged = _taken(wall_clock(2027, 5, 1, 8), clock="08:00")
    store.log_dose(pid, logged, idempotency_key="k1")
    assert store.doses(pid) == [logged]  # in the person's own zone: no zone of its own
    move(store, pid, LONDON)
    there = replace(logged, time_zone=KATHMANDU)
    assert store.doses(pid) == [there]
    assert store.record(pid).doses == (there,)
    assert store.dose_by_key(pid, "k1") == there
    later = _taken(wall_clock(2027, 5, 2, 8), clock="08:00")
    store.log_dose(pid, later)
    assert store.doses(pid) == [there, later]
    assert _stored_moments(store, pid) == [
        (datetime(2027, 5, 1, 2, 15, tzinfo=UTC), KATHMANDU),  # the moment, never moved
        (datetime(2027, 5, 2, 7, tzinfo=UTC), LONDON),
    ]
    move(store, pid, KATHMANDU)  # back: the first is the person's again, the second is not
    assert store.doses(pid) == [logged, replace(later, time_zone=LONDON)]


def test_a_dose_with_its_own_zone_is_stored_in_it(store: Store) -> None:
    pid = person(store, LONDON)
    there = _taken(wall_clock(2027, 3, 28, 1, 30), time_zone=KATHMANDU)  # London skipped 01:30
    assert store.import_doses(pid, [there]) == 1
    assert store.doses(pid) == [there]
    assert _stored_moments(store, pid) == [(datetime(2027, 3, 27, 19, 45, tzinfo=UTC), KATHMANDU)]
    store.log_dose(pid, _taken(wall_clock(2027, 5, 1, 8), time_zone=LONDON))  # the person's own
    assert store.doses(pid)[1].time_zone is None


def test_a_dose_zone_the_store_cannot_read_back_the_same_is_refused(store: Store) -> None:
    pid = person(store, LONDON)
    for name, problem in [
        ("asia/kathmandu", "not written as the zone database writes it"),
        ("Mars/Olympus", "not a known IANA time zone"),
        ("localtime", "the server's setting"),
    ]:
        with pytest.raises(InputError, match=problem):
            store.log_dose(pid, _taken(wall_clock(2027, 5, 1, 8), time_zone=name))
    assert store.doses(pid) == []


def test_a_dose_deleted_after_a_move_is_returned_in_its_zone(store: Store) -> None:
    pid = person(store, KATHMANDU)
    store.log_dose(pid, _taken(wall_clock(2027, 5, 1, 8)))
    move(store, pid, LONDON)
    gone = store.delete_dose(
        pid, date(2027, 5, 1), planned_clock=None, taken_at=wall_clock(2027, 5, 1, 8)
    )
    assert gone == _taken(wall_clock(2027, 5, 1, 8), time_zone=KATHMANDU)
    with pytest.raises(NotFoundError):
        store.delete_dose(
            pid, date(2027, 5, 1), planned_clock=None, taken_at=wall_clock(2027, 5, 1, 8)
        )


def test_known_rows_read_again_after_a_move(store: Store) -> None:
    # the dashboard keeps the rows it decoded: a move changes what a row reads as
    pid = person(store, KATHMANDU)
    store.log_dose(pid, _taken(wall_clock(2027, 5, 1, 8)))
    known = KnownRows()
    kept = store.record(pid, known=known)
    assert kept.doses[0].time_zone is None
    move(store, pid, LONDON)
    moved = store.refresh(kept, pid, {"profile", "doses"}, known=known)
    assert moved == store.record(pid)
    assert moved.doses[0].time_zone == KATHMANDU


def test_a_dose_in_the_repeated_hour_keeps_which_one_across_a_move(store: Store) -> None:
    pid = person(store, LONDON)
    first = _taken(wall_clock(2027, 10, 31, 1, 30))
    second = _taken(wall_clock(2027, 10, 31, 1, 30).replace(fold=1))
    store.import_doses(pid, [first, second])
    move(store, pid, KATHMANDU)
    doses = store.doses(pid)
    assert [d.time_zone for d in doses] == [LONDON, LONDON]
    assert [d.taken_at.fold for d in doses if d.taken_at] == [0, 1]
    assert [m for m, _ in _stored_moments(store, pid)] == [
        datetime(2027, 10, 31, 0, 30, tzinfo=UTC),
        datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
    ]


# --- FHIR ---------------------------------------------------------------------------------------


def _moved_bundle(tmp_path: Path, *walls: datetime) -> tuple[Store, int, Json]:
    store = _sqlite(tmp_path, "source")
    pid = person(store, KATHMANDU)
    store.import_doses(pid, [_taken(w) for w in walls])
    move(store, pid, LONDON)
    return store, pid, export_bundle(store.record(pid), (), generated_at=NOW)


def test_a_dose_logged_in_the_persons_zone_is_written_as_before(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, LONDON)
    store.log_dose(pid, _taken(wall_clock(2027, 5, 1, 8)))
    (resource,) = _administrations(export_bundle(store.record(pid), (), generated_at=NOW))
    assert resource["effectiveDateTime"] == "2027-05-01T08:00:00+01:00"
    assert _zone_parts(resource) == []


def test_a_dose_logged_before_a_move_names_its_zone(tmp_path: Path) -> None:
    _, _, bundle = _moved_bundle(tmp_path, wall_clock(2027, 5, 1, 8))
    (resource,) = _administrations(bundle)
    assert resource["effectiveDateTime"] == "2027-05-01T08:00:00+05:45"
    assert _zone_parts(resource) == [{"url": "time-zone", "valueCode": KATHMANDU}]


def test_a_record_moved_across_zones_makes_the_round_trip(tmp_path: Path) -> None:
    store, pid, bundle = _moved_bundle(
        tmp_path, wall_clock(2027, 3, 28, 1, 30), wall_clock(2027, 5, 1, 8)
    )
    stored = store.record(pid)
    read = read_bundle(bundle).record
    assert read == stored
    target = _sqlite(tmp_path, "target")
    again = import_record(target, read, now=NOW)
    assert target.record(again).doses == stored.doses
    assert _stored_moments(target, again) == _stored_moments(store, pid)


def test_the_repeated_hour_of_a_dose_zone_makes_the_round_trip(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, LONDON)
    first = wall_clock(2027, 10, 31, 1, 30)
    store.import_doses(pid, [_taken(first), _taken(first.replace(fold=1))])
    move(store, pid, KATHMANDU)
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    written = [r["effectiveDateTime"] for r in _administrations(bundle)]
    assert written == ["2027-10-31T01:30:00+01:00", "2027-10-31T01:30:00+00:00"]
    target = _sqlite(tmp_path, "target")
    again = import_record(target, read_bundle(bundle).record, now=NOW)
    assert _stored_moments(target, again) == _stored_moments(store, pid)
    assert [d.taken_at.fold for d in target.doses(again) if d.taken_at] == [0, 1]


def test_a_named_zone_that_is_the_persons_reads_as_the_persons(tmp_path: Path) -> None:
    _, _, bundle = _moved_bundle(tmp_path, wall_clock(2027, 5, 1, 8))
    _zone_parts(_administrations(bundle)[0])[0]["valueCode"] = "europe/london"
    _administrations(bundle)[0]["effectiveDateTime"] = "2027-05-01T03:15:00+01:00"
    (dose,) = read_bundle(bundle).record.doses
    assert (dose.taken_at, dose.time_zone) == (wall_clock(2027, 5, 1, 3, 15), None)


def test_an_offset_with_no_zone_named_keeps_its_moment_in_the_persons_zone(
    tmp_path: Path,
) -> None:
    # another system's line: "+05:45" names no zone (and "+01:00" would fit dozens), so
    # none is guessed; the moment is kept, read as the person's clock
    _, _, bundle = _moved_bundle(tmp_path, wall_clock(2027, 5, 1, 8))
    resource = _administrations(bundle)[0]
    log = resource["extension"][0]
    log["extension"] = [p for p in log["extension"] if p["url"] != "time-zone"]
    (dose,) = read_bundle(bundle).record.doses
    assert (dose.taken_at, dose.time_zone) == (wall_clock(2027, 5, 1, 3, 15), None)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            lambda r: _zone_parts(r)[0].update(valueCode="Mars/Olympus"),
            "dose-log.time-zone names no zone taperline knows",
            id="unknown",
        ),
        pytest.param(
            lambda r: _zone_parts(r)[0].update(valueCode="+05:45"),
            "dose-log.time-zone names no zone taperline knows .*an offset from UTC",
            id="an-offset",
        ),
        pytest.param(
            lambda r: r["extension"][0]["extension"].append(copy.deepcopy(_zone_parts(r)[0])),
            "dose-log.time-zone is given 2 times",
            id="twice",
        ),
        pytest.param(
            lambda r: _zone_parts(r)[0].pop("valueCode"),
            "dose-log.time-zone needs a valueCode",
            id="no-value",
        ),
    ],
)
def test_a_dose_zone_that_cannot_be_read_is_refused(
    tmp_path: Path, change: Any, problem: str
) -> None:
    _, _, bundle = _moved_bundle(tmp_path, wall_clock(2027, 5, 1, 8))
    change(_administrations(bundle)[0])
    with pytest.raises(InputError, match=f"MedicationAdministration entry 1: extension {problem}"):
        read_bundle(bundle)


def test_a_zone_named_for_a_missed_dose_is_refused(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, LONDON)
    store.log_dose(
        pid, DoseRecord(date(2027, 5, 1), "clonazepam", "08:00", Mass.of_mg("0.5"), None, None)
    )
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    resource = _administrations(bundle)[0]
    resource["extension"][0]["extension"].append({"url": "time-zone", "valueCode": KATHMANDU})
    with pytest.raises(InputError, match="time-zone is given for a dose not taken"):
        read_bundle(bundle)


# --- CSV dose log -------------------------------------------------------------------------------


def test_the_csv_writes_a_dose_zone_offset_and_names_the_zone() -> None:
    there = _taken(wall_clock(2027, 5, 1, 8), time_zone=KATHMANDU)
    here = _taken(wall_clock(2027, 5, 1, 22))
    lines = dose_log_csv([there, here], time_zone=zone(LONDON)).splitlines()
    assert lines[0].endswith(",note,time_zone")
    assert lines[1].startswith("2027-05-01,clonazepam,,,2027-05-01T08:00+05:45,0.5,")
    assert lines[1].endswith(f",{KATHMANDU}")
    assert lines[2].startswith("2027-05-01,clonazepam,,,2027-05-01T22:00,0.5,")
    assert lines[2].endswith(",,")  # the person's own zone: the cell is empty


def test_the_csv_of_a_dose_zone_reads_back_as_its_moment() -> None:
    # the line keeps its zone (as the store and the FHIR import do): 08:00 in Kathmandu, the
    # moment 03:15 on a London clock, never 08:00 London
    there = _taken(wall_clock(2027, 5, 1, 8), time_zone=KATHMANDU)
    result = read_dose_log_csv(dose_log_csv([there]), time_zone=zone(LONDON))
    assert result.errors == ()
    assert result.rows == (there,)


def test_the_csv_of_a_dose_zone_makes_the_round_trip_through_the_store(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, KATHMANDU)
    store.import_doses(
        pid, [_taken(wall_clock(2027, 3, 28, 1, 30)), _taken(wall_clock(2027, 5, 1, 8))]
    )
    move(store, pid, LONDON)
    text = dose_log_csv(store.doses(pid), time_zone=zone(LONDON))
    target = _sqlite(tmp_path, "target")
    again = person(target, LONDON)
    read = read_dose_log_csv(text, time_zone=zone(LONDON))
    assert read.errors == ()
    assert target.import_doses(again, list(read.rows)) == 2
    assert target.doses(again) == store.doses(pid)
    assert _stored_moments(target, again) == _stored_moments(store, pid)


def test_a_line_of_an_export_before_the_zone_column_is_never_read_as_another_moment() -> None:
    # the offset with no zone named: a slip, refused by its line (not a zone guessed)
    text = dose_log_csv([_taken(wall_clock(2027, 5, 1, 8), time_zone=KATHMANDU)])
    header, line = text.splitlines()
    old = f"{header.removesuffix(',time_zone')}\n{line.removesuffix(f',{KATHMANDU}')}\n"
    result = read_dose_log_csv(old, skip_bad=True, time_zone=zone(LONDON))
    assert result.rows == ()
    assert [str(e) for e in result.errors] == [
        "line 2: taken_at: '2027-05-01T08:00+05:45' has the offset +05:45, but Europe/London"
        " was at +01:00 then: write the local time as the clock showed it"
    ]


CSV_HEADER = "day,drug,planned_clock,taken_at,amount_mg,time_zone\n"


def _csv_errors(line: str) -> list[str]:
    read = read_dose_log_csv(CSV_HEADER + line + "\n", time_zone=zone(LONDON))
    return [str(e) for e in read.errors]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        pytest.param(
            "2027-05-01,clonazepam,,2027-05-01T08:00+01:00,0.5,Asia/Kathmandu",
            "line 2: taken_at: '2027-05-01T08:00+01:00' has the offset +01:00, but"
            " Asia/Kathmandu was at +05:45 then: write the local time as the clock showed it",
            id="an offset not the named zone's",
        ),
        pytest.param(
            "2027-05-01,clonazepam,,2027-05-01T08:00+05:45,0.5,Mars/Olympus",
            "line 2: time_zone: 'Mars/Olympus' is not a known IANA time zone",
            id="a zone nobody has",
        ),
        pytest.param(
            "2027-05-01,clonazepam,,2027-05-01T08:00,0.5,+05:45",
            "line 2: time_zone: '+05:45' is an offset from UTC, not a time zone",
            id="an offset for a zone",
        ),
        pytest.param(
            "2027-05-01,clonazepam,08:00,,,Asia/Kathmandu",
            "line 2: time_zone: is filled but taken_at is empty; only a taken dose has a time",
            id="a missed dose",
        ),
        pytest.param(
            "2027-03-14,clonazepam,,2027-03-14T02:30,0.5,America/New_York",
            "line 2: taken_at: '2027-03-14T02:30' does not exist in America/New_York",
            id="a time the named zone skipped",
        ),
    ],
)
def test_a_csv_dose_zone_that_cannot_be_read_is_refused_by_its_line(
    line: str, problem: str
) -> None:
    errors = _csv_errors(line)
    assert len(errors) == 1, errors  # an unknown zone leaves the clock unread: one problem
    assert errors[0].startswith(problem)


def test_a_csv_dose_zone_without_an_offset_is_that_zones_clock() -> None:
    assert _csv_errors("2027-05-01,clonazepam,,2027-05-01T08:00,0.5,asia/kathmandu") == []
    read = read_dose_log_csv(
        CSV_HEADER + "2027-05-01,clonazepam,,2027-05-01T08:00,0.5,asia/kathmandu\n"
    )
    assert [(d.taken_at, d.time_zone) for d in read.rows] == [
        (wall_clock(2027, 5, 1, 8), KATHMANDU)
    ]


def test_a_csv_dose_zone_that_is_the_persons_is_the_persons() -> None:
    read = read_dose_log_csv(
        CSV_HEADER + "2027-05-01,clonazepam,,2027-05-01T08:00+01:00,0.5,Europe/London\n",
        time_zone=zone(LONDON),
    )
    assert [(d.taken_at, d.time_zone) for d in read.rows] == [(wall_clock(2027, 5, 1, 8), None)]


def test_a_csv_dose_zone_of_the_est_days_is_kept() -> None:
    # a line logged under EST before the person gave their city: a recorded zone, read again
    there = _taken(wall_clock(2027, 7, 1, 8), time_zone="EST")
    text = dose_log_csv([there], time_zone=zone(LONDON))
    assert "2027-07-01T08:00-05:00" in text
    assert read_dose_log_csv(text, time_zone=zone(LONDON)).rows == (there,)


def test_a_dose_zone_survives_a_whole_record_import(tmp_path: Path) -> None:
    there = _taken(wall_clock(2027, 5, 1, 8), time_zone=KATHMANDU)
    target = _sqlite(tmp_path, "target")
    pid = import_record(target, PersonRecord(Profile(LONDON), doses=(there,)), now=NOW)
    assert target.doses(pid) == [there]


# --- beside the dose log: the sleep diary -------------------------------------------------------


def test_a_night_logged_before_a_move_keeps_its_moments(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, KATHMANDU)
    night = SleepDiary(*night_times(date(2027, 5, 1)), sol_min=20, waso_min=10, awakenings=1)
    store.save_checkin(pid, CheckIn(date(2027, 5, 1), night, mood=5, anxiety=4))
    move(store, pid, LONDON)
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    sleep = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "component" in e["resource"]
        and any(c["code"]["coding"][0]["code"] == "bed-time" for c in e["resource"]["component"])
    ]
    (bed,) = [
        c["valueDateTime"]
        for c in sleep[0]["component"]
        if c["code"]["coding"][0]["code"] == "bed-time"
    ]
    assert datetime.fromisoformat(bed) == datetime(2027, 4, 30, 17, 25, tzinfo=UTC)
