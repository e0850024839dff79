"""A night of the sleep diary keeps its moments when the person's time zone changes.

``SleepDiary.time_zone`` is the zone a night's clock times were read in when that is not the
person's zone now (a night logged before a move), None otherwise, so a night logged in the
person's own zone, and every night built by hand, is as it always was. The store writes such
a night in its zone (``checkins.time_zone``); the FHIR export writes its times with that
zone's offset and names the zone (the night Observation's extension ``time-zone``), and the
import keeps it; the journal CSV writes the offset after each clock time, which its import
refuses by its line. Storage contract on SQLite and PostgreSQL (``migrated_db_url``); the
dose log's twin is test_dose_zone_change.py.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from taperline.adapters.csvio import journal_csv, read_journal_csv
from taperline.adapters.fhir import EXTENSION_BASE, export_bundle, read_bundle
from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo import KnownRows, Store
from taperline.core.journal import CheckIn, ReportedSleep, SleepDiary, night_times
from taperline.core.metrics import night_metrics
from taperline.core.record import PersonRecord, Profile
from taperline.errors import CheckInError, InputError
from taperline.service import import_record, open_store
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

ZONE_URL = f"{EXTENSION_BASE}/time-zone"


def _night(wake: date, *, time_zone: str | None = None, **clocks: str) -> SleepDiary:
    night = SleepDiary(*night_times(wake, **clocks), sol_min=20, waso_min=10, awakenings=1)
    return night if time_zone is None else replace(night, time_zone=time_zone)


def _checkin(wake: date, night: SleepDiary | None = None) -> CheckIn:
    return CheckIn(wake, night if night is not None else _night(wake), mood=5, anxiety=4)


def _stored(store: Store, pid: int) -> list[tuple[datetime, str]]:
    return stored_moments(store, pid, t.checkins.c.bed_at_utc, t.checkins.c.wake_date)


def _sqlite(tmp_path: Path, name: str) -> Store:
    return open_store(f"sqlite:///{tmp_path}/{name}.db")


def _nights(bundle: Json) -> list[Json]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and e["resource"]["code"]["coding"][0]["code"] == "93832-4"
    ]


def _times(night: Json) -> dict[str, str]:
    return {
        c["code"]["coding"][0]["code"]: c["valueDateTime"]
        for c in night["component"]
        if "valueDateTime" in c
    }


# --- the record ---------------------------------------------------------------------------------


def test_a_night_with_its_own_zone_is_another_record() -> None:
    wake = date(2027, 5, 1)
    there, here = _night(wake, time_zone=KATHMANDU), _night(wake)
    assert there != here
    assert there == _night(wake, time_zone=KATHMANDU)
    assert len({there, here}) == 2


@pytest.mark.parametrize("name", ["", "  ", "Asia Kathmandu"])
def test_a_night_zone_that_is_no_name_is_refused(name: str) -> None:
    with pytest.raises(CheckInError, match="is not an IANA zone name"):
        _night(date(2027, 5, 1), time_zone=name)


# --- the store (SQLite and PostgreSQL) ----------------------------------------------------------


def test_a_night_logged_before_a_move_reads_back_in_its_zone(store: Store) -> None:
    pid = person(store, KATHMANDU)
    first = _checkin(date(2027, 5, 1))
    store.save_checkin(pid, first)
    assert store.checkins(pid) == [first]  # in the person's own zone: no zone of its own
    move(store, pid, LONDON)
    assert first.sleep is not None
    there = replace(first, sleep=replace(first.sleep, time_zone=KATHMANDU))
    assert store.checkins(pid) == [there]
    assert store.checkin(pid, date(2027, 5, 1)) == there
    assert store.record(pid).checkins == (there,)
    later = _checkin(date(2027, 5, 2))
    store.save_checkin(pid, later)
    assert store.checkins(pid) == [there, later]
    move(store, pid, KATHMANDU)  # back: the first is the person's again, the second is not
    assert later.sleep is not None
    assert store.checkins(pid) == [
        first,
        replace(later, sleep=replace(later.sleep, time_zone=LONDON)),
    ]


def test_a_night_keeps_its_moments_in_the_store_across_a_move(store: Store) -> None:
    pid = person(store, KATHMANDU)
    store.save_checkin(pid, _checkin(date(2027, 5, 1)))
    move(store, pid, LONDON)
    store.save_checkin(pid, _checkin(date(2027, 5, 2)))
    assert _stored(store, pid) == [
        (datetime(2027, 4, 30, 17, 25, tzinfo=UTC), KATHMANDU),  # 23:10 there, never moved
        (datetime(2027, 5, 1, 22, 10, tzinfo=UTC), LONDON),
    ]


def test_a_night_with_its_own_zone_is_stored_in_it(store: Store) -> None:
    pid = person(store, LONDON)
    # London skipped 01:30 on 2027-03-28; Kathmandu did not
    night = _night(date(2027, 3, 28), time_zone=KATHMANDU, bed="01:30", tried="01:40")
    assert store.import_checkins(pid, [_checkin(date(2027, 3, 28), night)]) == 1
    assert _stored(store, pid) == [(datetime(2027, 3, 27, 19, 45, tzinfo=UTC), KATHMANDU)]
    (read,) = store.checkins(pid)
    assert read.sleep is not None
    assert read.sleep == night
    own = _night(date(2027, 5, 1), time_zone=LONDON)  # the person's own zone, named
    store.save_checkin(pid, _checkin(date(2027, 5, 1), own))
    assert store.checkin(pid, date(2027, 5, 1)).sleep == _night(date(2027, 5, 1))


def test_a_night_zone_the_store_cannot_read_back_the_same_is_refused(store: Store) -> None:
    pid = person(store, LONDON)
    for name, problem in [
        ("asia/kathmandu", "not written as the zone database writes it"),
        ("Mars/Olympus", "not a known IANA time zone"),
        ("localtime", "the server's setting"),
    ]:
        night = _night(date(2027, 5, 1), time_zone=name)
        with pytest.raises(InputError, match=problem):
            store.save_checkin(pid, _checkin(date(2027, 5, 1), night))
    assert store.checkins(pid) == []


def test_an_edit_that_keeps_the_night_keeps_its_moments(store: Store) -> None:
    pid = person(store, KATHMANDU)
    store.save_checkin(pid, _checkin(date(2027, 5, 1)))
    move(store, pid, LONDON)
    stored = store.checkin(pid, date(2027, 5, 1))
    store.save_checkin(pid, replace(stored, mood=8), replace=True)
    assert _stored(store, pid) == [(datetime(2027, 4, 30, 17, 25, tzinfo=UTC), KATHMANDU)]
    assert store.checkin(pid, date(2027, 5, 1)) == replace(stored, mood=8)


def test_known_rows_read_again_after_a_move(store: Store) -> None:
    # the dashboard keeps the rows it decoded: a move changes what a row reads as
    pid = person(store, KATHMANDU)
    store.save_checkin(pid, _checkin(date(2027, 5, 1)))
    known = KnownRows()
    kept = store.record(pid, known=known)
    assert kept.checkins[0].sleep is not None
    assert kept.checkins[0].sleep.time_zone is None
    move(store, pid, LONDON)
    moved = store.refresh(kept, pid, {"profile", "checkins"}, known=known)
    assert moved == store.record(pid)
    assert moved.checkins[0].sleep is not None
    assert moved.checkins[0].sleep.time_zone == KATHMANDU


def test_a_night_across_the_clock_change_counts_its_minutes_after_a_move(store: Store) -> None:
    # London's clocks went back on 2027-10-31: 23:00 to 07:00 was 9 h in bed
    pid = person(store, LONDON)
    night = _night(date(2027, 10, 31), bed="23:00", tried="23:00", out_of_bed="07:00")
    store.save_checkin(pid, _checkin(date(2027, 10, 31), night))
    move(store, pid, KATHMANDU)
    (read,) = store.checkins(pid)
    assert read.sleep is not None
    assert (read.sleep.bed, read.sleep.clock_shift_min) == (night.bed, -60)  # London's shift
    assert night_metrics(read.sleep).tib_min == 9 * 60


# --- FHIR ---------------------------------------------------------------------------------------


def _moved(*nights: SleepDiary) -> tuple[PersonRecord, Json]:
    """A person now in London with ``nights`` logged in Kathmandu, and their bundle."""
    there = tuple(_checkin(n.final_wake.date(), replace(n, time_zone=KATHMANDU)) for n in nights)
    record = PersonRecord(Profile(LONDON, "40-64"), checkins=there)
    return record, export_bundle(record, (), generated_at=NOW)


def test_a_night_logged_in_the_persons_zone_is_written_as_before(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, LONDON)
    store.save_checkin(pid, _checkin(date(2027, 5, 1)))
    (night,) = _nights(export_bundle(store.record(pid), (), generated_at=NOW))
    assert "extension" not in night
    assert _times(night)["bed-time"] == "2027-04-30T23:10:00+01:00"


def test_a_night_logged_before_a_move_names_its_zone() -> None:
    _, bundle = _moved(_night(date(2027, 5, 1)))
    (night,) = _nights(bundle)
    assert night["extension"] == [{"url": ZONE_URL, "valueCode": KATHMANDU}]
    assert _times(night) == {
        "bed-time": "2027-04-30T23:10:00+05:45",
        "tried-time": "2027-04-30T23:20:00+05:45",
        "final-wake-time": "2027-05-01T06:30:00+05:45",
        "out-of-bed-time": "2027-05-01T06:45:00+05:45",
    }


def test_a_night_moved_across_zones_makes_the_round_trip(tmp_path: Path) -> None:
    record, bundle = _moved(
        _night(date(2027, 3, 28), bed="01:30", tried="01:40"),  # London skipped 01:30
        _night(date(2027, 5, 1)),
    )
    read = read_bundle(bundle).record
    assert read.checkins == record.checkins
    target = _sqlite(tmp_path, "target")
    again = import_record(target, read, now=NOW)
    assert _stored(target, again) == [
        (datetime(2027, 3, 27, 19, 45, tzinfo=UTC), KATHMANDU),
        (datetime(2027, 4, 30, 17, 25, tzinfo=UTC), KATHMANDU),
    ]


def test_a_named_zone_that_is_the_persons_reads_as_the_persons() -> None:
    _, bundle = _moved(_night(date(2027, 5, 1)))
    night = _nights(bundle)[0]
    night["extension"][0]["valueCode"] = "europe/london"
    (checkin,) = read_bundle(bundle).record.checkins
    assert checkin.sleep is not None
    assert (checkin.sleep.bed, checkin.sleep.time_zone) == (wall_clock(2027, 4, 30, 18, 25), None)


def test_an_offset_with_no_zone_named_keeps_its_moment_in_the_persons_zone() -> None:
    # another system's night: "+05:45" names no zone, so none is guessed; the moment is kept
    _, bundle = _moved(_night(date(2027, 5, 1)))
    del _nights(bundle)[0]["extension"]
    (checkin,) = read_bundle(bundle).record.checkins
    assert checkin.sleep is not None
    assert (checkin.sleep.bed, checkin.sleep.time_zone) == (wall_clock(2027, 4, 30, 18, 25), None)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        pytest.param(
            lambda n: n["extension"][0].update(valueCode="Mars/Olympus"),
            "extension time-zone names no zone taperline knows",
            id="unknown",
        ),
        pytest.param(
            lambda n: n["extension"][0].update(valueCode="+05:45"),
            "extension time-zone names no zone taperline knows .*an offset from UTC",
            id="an-offset",
        ),
        pytest.param(
            lambda n: n["extension"].append(copy.deepcopy(n["extension"][0])),
            "extension time-zone is given 2 times",
            id="twice",
        ),
        pytest.param(
            lambda n: n["extension"][0].pop("valueCode"),
            "extension time-zone needs a valueCode",
            id="no-value",
        ),
    ],
)
def test_a_night_zone_that_cannot_be_read_is_refused(change: Any, problem: str) -> None:
    _, bundle = _moved(_night(date(2027, 5, 1)))
    change(_nights(bundle)[0])
    with pytest.raises(InputError, match=f"Observation entry \\d+: {problem}"):
        read_bundle(bundle)


def test_a_zone_named_for_a_night_in_brief_is_refused(tmp_path: Path) -> None:
    store = _sqlite(tmp_path, "source")
    pid = person(store, LONDON)
    brief = CheckIn(date(2027, 5, 1), None, mood=5, anxiety=4, reported_sleep=ReportedSleep(420, 3))
    store.save_checkin(pid, brief)
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    _nights(bundle)[0]["extension"] = [{"url": ZONE_URL, "valueCode": KATHMANDU}]
    with pytest.raises(InputError, match="time-zone is given for a night in brief"):
        read_bundle(bundle)


# --- the journal CSV ----------------------------------------------------------------------------


def test_the_csv_writes_a_night_zone_offset() -> None:
    there = _checkin(date(2027, 5, 1), _night(date(2027, 5, 1), time_zone=KATHMANDU))
    here = _checkin(date(2027, 5, 2))
    lines = journal_csv([there, here]).splitlines()
    assert lines[1].startswith(
        "2027-05-01,23:10+05:45,23:20+05:45,20,1,10,06:30+05:45,06:45+05:45,"
    )
    assert lines[2].startswith("2027-05-02,23:10,23:20,20,1,10,06:30,06:45,")


def test_the_csv_of_a_night_zone_is_never_read_as_another_moment() -> None:
    """Its zone named (the time_zone column), the night reads back in it; without the name (a
    file from before the column, or the cell emptied), its offsets are refused by the line."""
    night = _checkin(date(2027, 5, 1), _night(date(2027, 5, 1), time_zone=KATHMANDU))
    assert read_journal_csv(journal_csv([night])).rows == (night,)
    text = journal_csv([night]).replace(f",{KATHMANDU}\r\n", ",\r\n")
    result = read_journal_csv(text, skip_bad=True)
    assert result.rows == ()
    assert [str(e) for e in result.errors] == [
        f"line 2: {column}: '{clock}' has a UTC offset: the night was logged in another time"
        " zone (before a move), and this file's clock times are read as the person's zone"
        " now; import the FHIR export, which names the night's zone, or enter the night again"
        for column, clock in [
            ("bed_clock", "23:10+05:45"),
            ("tried_clock", "23:20+05:45"),
            ("final_wake_clock", "06:30+05:45"),
            ("out_of_bed_clock", "06:45+05:45"),
        ]
    ]


def test_an_edit_through_a_form_that_gives_the_night_back_keeps_its_zone(store: Store) -> None:
    # a form shows the night's clock times in the zone it was logged in and sends them back
    # with the mood or the minutes changed (no zone): the night stays where it was
    # (service.store_checkin); a night whose clock times were changed is the person's now
    from taperline.service.journal import store_checkin

    pid = person(store, KATHMANDU)
    store.save_checkin(pid, _checkin(date(2027, 5, 1)))
    move(store, pid, LONDON)
    stored = store.checkin(pid, date(2027, 5, 1))
    assert stored.sleep is not None
    as_shown = replace(stored, mood=8, sleep=replace(stored.sleep, time_zone=None))
    store_checkin(store, pid, as_shown, today=date(2027, 5, 2), replace=True)
    assert _stored(store, pid) == [(datetime(2027, 4, 30, 17, 25, tzinfo=UTC), KATHMANDU)]
    fewer = replace(as_shown, sleep=replace(as_shown.sleep, sol_min=25))  # the clocks kept
    store_checkin(store, pid, fewer, today=date(2027, 5, 2), replace=True)
    assert _stored(store, pid) == [(datetime(2027, 4, 30, 17, 25, tzinfo=UTC), KATHMANDU)]
    up = as_shown.sleep.out_of_bed + timedelta(minutes=10)  # a clock changed: the zone now
    changed = replace(as_shown, sleep=replace(as_shown.sleep, out_of_bed=up))
    store_checkin(store, pid, changed, today=date(2027, 5, 2), replace=True)
    assert _stored(store, pid)[0][1] == LONDON
