"""The dose-log CSV door after its fixes: clock changes, a status that contradicts, a file twice.

The neighbours of the defects pinned in tests/test_exchange_doors_review.py: an offset that is
not the zone's, an old file's repeated time without one, the first 01:30 beside the second,
--skip-bad's words, a file half imported before, LF and CRLF line ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from taperline.adapters.csvio import dose_log_csv, read_dose_log_csv
from taperline.cli.main import cli
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord
from taperline.service import open_store

LONDON = ZoneInfo("Europe/London")
HEADER = "day,drug,planned_clock,planned_amount_mg,taken_at,amount_mg,status,units,note\r\n"
NOW = "2027-11-20T09:00+00:00"


def _cli(url: str, *args: str) -> Result:
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": NOW}
    return CliRunner().invoke(cli, list(args), env=env)


def _init(url: str) -> None:
    result = _cli(url, "init", "--time-zone", "Europe/London", "--age-band", "40-64")
    assert result.exit_code == 0, result.output


def _wall(day: int, hour: int, minute: int, fold: int = 0) -> datetime:
    """A naive London wall clock of October 2027 (the dose log's own times)."""
    return datetime.combine(date(2027, 10, day), time(hour, minute, fold=fold))


def _extra(taken_at: datetime) -> DoseRecord:
    return DoseRecord(taken_at.date(), "clonazepam", None, None, taken_at, Mass.of_mg(Decimal(1)))


def _read(rows: str) -> list[str]:
    return [str(e) for e in read_dose_log_csv(HEADER + rows, time_zone=LONDON).errors]


# --- the hour the clocks go back ---------------------------------------------------------------


def test_both_01_30s_of_the_repeated_hour_are_written_with_their_offsets() -> None:
    first = _extra(_wall(31, 1, 30))
    second = _extra(_wall(31, 1, 30, fold=1))
    text = dose_log_csv([first, second], time_zone=LONDON)
    assert "2027-10-31T01:30+01:00" in text
    assert "2027-10-31T01:30+00:00" in text
    back = read_dose_log_csv(text, time_zone=LONDON).rows
    assert [d.taken_at.fold for d in back if d.taken_at] == [0, 1]


def test_other_times_are_written_as_before_without_an_offset() -> None:
    text = dose_log_csv([_extra(_wall(31, 2, 30))], time_zone=LONDON)
    assert ",2027-10-31T02:30,1," in text


def test_an_old_files_repeated_time_without_an_offset_is_still_read_as_the_first() -> None:
    read = read_dose_log_csv(HEADER + "2027-10-31,clonazepam,,,2027-10-31T01:30,1,,,\r\n")
    assert read.errors == ()
    assert read.rows[0].taken_at == _wall(31, 1, 30)
    assert read.rows[0].taken_at is not None
    assert read.rows[0].taken_at.fold == 0


def test_the_second_01_30_without_a_zone_is_refused_rather_than_written_as_the_first() -> None:
    with pytest.raises(ValueError, match="time_zone"):
        dose_log_csv([_extra(_wall(31, 1, 30, fold=1))])


def test_an_offset_the_zone_did_not_have_then_is_refused_by_its_line() -> None:
    errors = _read("2027-10-31,clonazepam,,,2027-10-31T01:30+02:00,1,,,\r\n")
    assert errors == [
        "line 2: taken_at: '2027-10-31T01:30+02:00' has the offset +02:00, but Europe/London"
        " was at +00:00 or +01:00 then: write the local time as the clock showed it"
    ]


def test_an_offset_the_zone_had_is_read_on_any_day() -> None:
    assert _read("2027-11-01,clonazepam,,,2027-11-01T22:00Z,1,,,\r\n") == []


def test_an_offset_is_refused_without_the_persons_zone() -> None:
    read = read_dose_log_csv(HEADER + "2027-11-01,clonazepam,,,2027-11-01T22:00+00:00,1,,,\r\n")
    assert str(read.errors[0]).startswith("line 2: taken_at:")
    assert "has a time zone" in str(read.errors[0])


def test_a_dose_in_the_repeated_hour_makes_the_cli_round_trip(
    tmp_path: Path, sqlite_url: str
) -> None:
    _init(sqlite_url)
    path = tmp_path / "in.csv"
    path.write_text(HEADER + "2027-10-31,clonazepam,,,2027-10-31T01:30+00:00,1,,,\r\n")
    assert _cli(sqlite_url, "import", "csv", str(path)).exit_code == 0
    out = tmp_path / "out.csv"
    result = _cli(sqlite_url, "export", "csv", "--what", "doses", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2027-10-31T01:30+00:00" in out.read_text()


# --- the hour the clocks skip --------------------------------------------------------------------


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_a_skipped_time_is_named_by_its_line_with_either_line_end(end: str) -> None:
    rows = end.join(
        [
            "2027-03-27,clonazepam,,,2027-03-27T01:30,1,,,",
            "2027-03-28,clonazepam,,,2027-03-28T01:30,1,,,",
            "2027-03-28,clonazepam,,,2027-03-28T02:30,1,,,",
        ]
    )
    errors = _read(rows + end)
    assert errors == [
        "line 3: taken_at: '2027-03-28T01:30' does not exist in Europe/London (the clocks went"
        " forward then): enter the time as the clock showed it"
    ]


# --- the status column ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "why"),
    [
        ("22:00,0.5,,,late", "'late' but taken_at is empty"),
        (",,2027-11-01T22:00,0.5,missed", "'missed' but taken_at is filled"),
        ("22:00,0.5,2027-11-01T22:00,0.5,extra", "'extra' but planned_clock is filled"),
        (",,2027-11-01T22:00,0.5,taken", "'taken' but planned_clock is empty"),
    ],
)
def test_each_contradicting_status_is_named(cells: str, why: str) -> None:
    errors = _read(f"2027-11-01,clonazepam,{cells},,\r\n")
    assert len(errors) == 1
    assert errors[0].startswith(f"line 2: status: {why}")


@pytest.mark.parametrize(
    "cells",
    [
        "22:00,0.5,2027-11-02T03:00,0.5,taken",  # late by 2 h, taken by another writer's count
        "22:00,0.5,2027-11-01T22:30,0.5,late",
        "22:00,0.5,,,missed",
        ",,2027-11-01T22:00,0.5,extra",
        "22:00,0.5,2027-11-01T22:00,0.5,",
    ],
)
def test_a_status_that_agrees_is_read(cells: str) -> None:
    assert _read(f"2027-11-01,clonazepam,{cells},,\r\n") == []


# --- a file imported twice -----------------------------------------------------------------------


def test_a_file_half_imported_before_is_refused_naming_the_line_already_kept(
    tmp_path: Path, sqlite_url: str
) -> None:
    _init(sqlite_url)
    old = "2027-11-01,clonazepam,22:00,0.5,2027-11-01T22:05,0.5,,,\r\n"
    new = "2027-11-02,clonazepam,22:00,0.5,2027-11-02T22:00,0.5,,,\r\n"
    path = tmp_path / "doses.csv"
    path.write_text(HEADER + old)
    assert _cli(sqlite_url, "import", "csv", str(path)).exit_code == 0
    path.write_text(HEADER + old + new)
    refused = _cli(sqlite_url, "import", "csv", str(path))
    assert refused.exit_code == 2
    assert (
        "the clonazepam planned 22:00 dose of 2027-11-01 (taken 2027-11-01 22:05) is already"
        " in the dose log: nothing was imported"
    ) in refused.output
    skipped = _cli(sqlite_url, "import", "csv", str(path), "--skip-bad")
    assert skipped.exit_code == 0, skipped.output
    assert "left out: the clonazepam planned 22:00 dose of 2027-11-01" in skipped.output
    assert "Imported 1 doses rows" in skipped.output
    store = open_store(sqlite_url)
    assert [d.day for d in store.doses(store.person_ids()[0])] == [
        date(2027, 11, 1),
        date(2027, 11, 2),
    ]


def test_the_second_01_30_is_not_taken_for_the_first(sqlite_url: str) -> None:
    from taperline.core.record import PersonRecord, Profile
    from taperline.service.exchange import import_doses

    store = open_store(sqlite_url)
    pid = store.import_record(PersonRecord(Profile("Europe/London", "40-64")))
    now = datetime(2027, 11, 20, tzinfo=UTC)
    first = _extra(_wall(31, 1, 30))
    import_doses(store, pid, [first], now=now, skip=False)
    second = _extra(_wall(31, 1, 30, fold=1))
    assert import_doses(store, pid, [second], now=now, skip=False).count == 1
    assert len(store.doses(pid)) == 2


def test_a_missed_dose_imported_again_is_named_as_missed(sqlite_url: str) -> None:
    from taperline.core.record import PersonRecord, Profile
    from taperline.errors import InputError
    from taperline.service.exchange import import_doses

    store = open_store(sqlite_url)
    pid = store.import_record(PersonRecord(Profile("Europe/London", "40-64")))
    missed = DoseRecord(date(2027, 11, 1), "clonazepam", "22:00", Mass.of_mg("0.5"), None, None)
    now = datetime(2027, 11, 20, tzinfo=UTC)
    import_doses(store, pid, [missed], now=now, skip=False)
    with pytest.raises(InputError, match=r"planned 22:00 dose of 2027-11-01 \(missed\) is alr"):
        import_doses(store, pid, [missed], now=now, skip=False)
