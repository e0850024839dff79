"""A read given the rows an earlier read decoded decodes only the rows written since.

Storage contract (SQLite and PostgreSQL: ``migrated_db_url``): ``Store.record`` and
``Store.refresh`` with ``known=KnownRows()`` give exactly the record a plain read gives,
after every kind of write to the check-ins and the dose log (a new row, a replaced one, a
deleted one, a time zone moved), take each unchanged row's value from the earlier read
instead of decoding it again, and never give a value of another row, whatever read the rows
came from. The dashboard keeps its record's rows: after a check-in, one row is decoded, not
a year of them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from taperline.adapters.storage.repo import KnownRows, Store
from taperline.adapters.storage.repo.common import _Decoder
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, Profile
from tests.strategies import wall_clock
from tests.support.web import START, make_site

FIRST = date(2027, 3, 1)
DAYS = 10


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many check-in and dose rows were decoded (the decoder counted as it runs)."""
    counts = {"checkin": 0, "dose": 0}
    for name in counts:
        plain = getattr(_Decoder, name)

        def counted(self: _Decoder, row: object, name: str = name, plain: object = plain) -> object:
            counts[name] += 1
            return plain(self, row)  # type: ignore[operator]

        monkeypatch.setattr(_Decoder, name, counted)
    return counts


def _checkin(day: date, mood: int = 5) -> CheckIn:
    night = SleepDiary(*night_times(day), sol_min=20, waso_min=10, awakenings=1)
    return CheckIn(day, night, mood=mood, anxiety=4, symptoms={"insomnia": 1})


def _dose(day: date, mg: str = "1") -> DoseRecord:
    taken = wall_clock(day.year, day.month, day.day, 22, 5)
    return DoseRecord(day, "clonazepam", "22:00", Mass.of_mg("1"), taken, Mass.of_mg(mg))


def _person(store: Store, time_zone: str = "Europe/London") -> int:
    pid = store.create_person(Profile(time_zone))
    days = [FIRST + timedelta(days=n) for n in range(DAYS)]
    store.import_checkins(pid, [_checkin(d) for d in days])
    store.import_doses(pid, [_dose(d) for d in days])
    return pid


def test_each_write_reads_back_as_a_plain_read_decoding_only_its_rows(
    store: Store, decoded: dict[str, int]
) -> None:
    pid = _person(store)
    known = KnownRows()
    kept = store.record(pid, known=known)
    assert kept == store.record(pid)
    assert len(known.checkins) == len(known.doses) == DAYS
    last = FIRST + timedelta(days=DAYS - 1)
    writes = [
        ("checkins", 1, lambda: store.save_checkin(pid, _checkin(last, mood=2), replace=True)),
        ("checkins", 1, lambda: store.save_checkin(pid, _checkin(last + timedelta(days=1)))),
        ("checkins", 0, lambda: store.delete_checkin(pid, FIRST)),
        ("doses", 1, lambda: store.log_dose(pid, _dose(last + timedelta(days=1), "0.5"))),
        ("doses", 0, lambda: store.delete_dose(pid, last, planned_clock="22:00")),
    ]
    for part, new_rows, write in writes:
        write()
        kind, before = part[:-1], dict(decoded)
        refreshed = store.refresh(kept, pid, {part}, known=known)
        assert decoded[kind] - before[kind] == new_rows, part
        assert refreshed == store.record(pid), part
        # every other row's value is the earlier read's own
        values, earlier = getattr(refreshed, part), getattr(kept, part)
        shared = sum(any(v is e for e in earlier) for v in values)
        assert shared == len(values) - new_rows, part
        kept = refreshed


def test_unchanged_values_are_shared_and_a_moved_zone_decodes_again(store: Store) -> None:
    pid = _person(store)
    known = KnownRows()
    kept = store.record(pid, known=known)
    again = store.refresh(kept, pid, {"checkins", "doses"}, known=known)
    assert all(a is b for a, b in zip(again.checkins, kept.checkins, strict=True))
    assert all(a is b for a, b in zip(again.doses, kept.doses, strict=True))
    store.update_profile(pid, Profile("America/New_York"))
    store.save_checkin(pid, _checkin(FIRST, mood=1), replace=True)  # stored in New York time
    moved = store.refresh(again, pid, {"profile", "checkins", "doses"}, known=known)
    assert moved == store.record(pid)


def test_rows_known_from_another_person_never_give_a_wrong_value(store: Store) -> None:
    known = KnownRows()
    store.record(_person(store, "Europe/London"), known=known)
    other = _person(store, "Asia/Tokyo")  # the same days and amounts, another zone
    assert store.record(other, known=known) == store.record(other)


def test_the_dashboard_after_a_check_in_decodes_only_that_check_in(
    tmp_path: Path, decoded: dict[str, int]
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        store = site.services.store
        day = START.date()
        store.import_checkins(pid, [_checkin(day - timedelta(days=n)) for n in range(1, 8)])
        assert web.get("/dashboard").status_code == 200
        assert decoded["checkin"] == 7  # the week imported
        store.save_checkin(pid, _checkin(day), replace=True)
        page = web.get("/dashboard")
        assert page.status_code == 200
        assert decoded["checkin"] == 8  # and today's, once
