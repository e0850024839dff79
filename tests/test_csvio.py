"""The journal and dose-log CSV adapter: exact round trips, and every bad row named by line."""

from __future__ import annotations

import csv
import doctest
import importlib
import io
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from pkgutil import iter_modules
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.adapters import csvio
from taperline.adapters.csvio import (
    COLUMNS_DOC,
    DOSE_LOG_COLUMNS,
    JOURNAL_COLUMNS,
    ImportResult,
    RowError,
    columns_markdown,
    dose_log_csv,
    journal_csv,
    read_dose_log_csv,
    read_journal_csv,
    symptom_column,
)
from taperline.core.journal import SYMPTOMS, CheckIn, SleepDiary, TakenDose, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord
from taperline.errors import CheckInError
from tests.strategies import csv_checkins, csv_journals, dose_records, sleep_diaries, wall_clock

DOCS = Path(__file__).resolve().parents[1] / "docs" / "csv.md"
WAKE = date(2027, 1, 5)


def _night(**clocks: str) -> SleepDiary:
    return SleepDiary(*night_times(WAKE, **clocks), sol_min=20, waso_min=30, awakenings=2)


def _checkin(day: date = WAKE, **changes: Any) -> CheckIn:
    return replace(CheckIn(day, None, mood=6, anxiety=4), **changes)


def _journal_row(**cells: str) -> dict[str, str]:
    """A good journal row as CSV cells (no sleep), with ``cells`` changed."""
    row = dict.fromkeys((c.name for c in JOURNAL_COLUMNS), "")
    row.update(wake_date="2027-01-05", mood_0_10="6", anxiety_0_10="4")
    row.update(cells)
    return row


def _night_cells(**cells: str) -> dict[str, str]:
    night = {
        "bed_clock": "23:10",
        "tried_clock": "23:20",
        "sol_min": "20",
        "awakenings": "2",
        "waso_min": "30",
        "final_wake_clock": "06:30",
        "out_of_bed_clock": "06:45",
        "sleep_quality_1_5": "3",
    }
    return {**night, **cells}


def _dose_row(**cells: str) -> dict[str, str]:
    row = {
        "day": "2027-01-05",
        "drug": "clonazepam",
        "planned_clock": "22:00",
        "planned_amount_mg": "0.5",
        "taken_at": "2027-01-05T22:10",
        "amount_mg": "0.5",
        "status": "taken",
        "units": "1 x tablet 0.5 mg",
        "note": "",
    }
    row.update(cells)
    return row


def _csv(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    buffer = io.StringIO(newline="")
    names = header if header is not None else list(rows[0])
    writer = csv.DictWriter(buffer, names, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _only_error(result: ImportResult[Any]) -> RowError:
    assert result.rows == ()
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- round trips ------------------------------------------------------------------------------


def test_round_trip_of_hand_made_check_ins() -> None:
    days = [
        _checkin(WAKE, sleep=_night(), symptoms={"tremor": 2, "low mood": 0}),
        _checkin(
            date(2027, 1, 6),
            sleep=SleepDiary(*night_times(date(2027, 1, 6), bed="00:40", tried="01:00"), 15, 0, 0),
            worst_time="evening",
            caffeine_drinks=3,
            alcohol_drinks=1,
            opioid_use=True,
            events=frozenset({"fall", "suicidal thoughts"}),
            notes='Bad night, "wired" —\nwoke at 3,\r\nthen again 😞',
        ),
        _checkin(date(2027, 1, 7), notes="=SUM(A1:A2)"),
        _checkin(date(2027, 1, 8), notes="'quoted' and - dash"),
        _checkin(date(2027, 1, 9), notes="  spaces kept  "),
    ]
    text = journal_csv(days)
    assert read_journal_csv(text) == ImportResult(tuple(days), ())


def test_a_night_crossing_midnight_keeps_its_dates() -> None:
    day = _checkin(WAKE, sleep=_night(bed="22:50", tried="23:05", final_wake="06:10"))
    back = read_journal_csv(journal_csv([day])).rows[0].sleep
    assert back is not None
    assert back.bed == wall_clock(2027, 1, 4, 22, 50)
    assert back.final_wake == wall_clock(2027, 1, 5, 6, 10)
    assert back == day.sleep


def test_a_late_rise_after_noon_round_trips() -> None:
    # night_times alone would put 12:30 and 13:15 on the evening before.
    night = SleepDiary(
        wall_clock(2027, 1, 5, 4, 0),
        wall_clock(2027, 1, 5, 4, 10),
        wall_clock(2027, 1, 5, 12, 30),
        wall_clock(2027, 1, 5, 13, 15),
        sol_min=30,
        waso_min=0,
        awakenings=0,
    )
    day = _checkin(WAKE, sleep=night)
    assert read_journal_csv(journal_csv([day])).rows == (day,)


@pytest.mark.slow
@settings(max_examples=200)
@given(csv_journals)
def test_journal_round_trip_is_exact(checkins: list[CheckIn]) -> None:
    result = read_journal_csv(journal_csv(checkins))
    assert result.errors == ()
    assert result.rows == tuple(checkins)


@settings(max_examples=200)
@given(st.lists(dose_records(), max_size=8))
def test_dose_log_round_trip_is_exact(doses: list[DoseRecord]) -> None:
    result = read_dose_log_csv(dose_log_csv(doses))
    assert result.errors == ()
    assert result.rows == tuple(doses)


@given(sleep_diaries(WAKE))
def test_clock_times_read_as_night_times_does_whenever_it_can(night: SleepDiary) -> None:
    clocks = {
        name: getattr(night, name).strftime("%H:%M")
        for name in ("bed", "tried", "final_wake", "out_of_bed")
    }
    try:
        expected = CheckIn(WAKE, replace(night, **night_times(WAKE, **clocks)._asdict()), 5, 5)
    except CheckInError:
        return  # night_times cannot express this night; the adapter still reads it (above)
    back = read_journal_csv(journal_csv([expected])).rows
    assert back == (expected,)


def test_doses_of_a_check_in_are_left_to_the_dose_log() -> None:
    dose = TakenDose(wall_clock(2027, 1, 5, 22, 0), Mass.of_mg("0.5"))
    day = _checkin(WAKE, doses=(dose,))
    assert read_journal_csv(journal_csv([day])).rows == (replace(day, doses=()),)


def test_hand_made_dose_log_round_trips() -> None:
    doses = [
        DoseRecord(
            WAKE,
            "clonazepam",
            "22:00",
            Mass.of_mg("0.5"),
            wall_clock(2027, 1, 5, 23, 30),
            Mass(Decimal(500), "mcg"),
        ),
        DoseRecord(WAKE, "clonazepam", "08:00", Mass.of_mg("0.125"), None, None, note="forgot"),
        DoseRecord(
            WAKE,
            "diazepam",
            None,
            None,
            wall_clock(2027, 1, 6, 1, 15) + timedelta(seconds=30),
            Mass(Decimal(2), "g"),
            units="2 x tablet 1 g",
            note='-"extra", see\nnotes',
        ),
    ]
    text = dose_log_csv(doses)
    assert read_dose_log_csv(text) == ImportResult(tuple(doses), ())
    lines = text.split("\r\n")
    assert lines[1] == "2027-01-05,clonazepam,22:00,0.5,2027-01-05T23:30,0.5,taken,,,"
    assert "2027-01-05T23:30,0.5,late," in dose_log_csv(doses, late_after_h=1.0)
    assert lines[2] == "2027-01-05,clonazepam,08:00,0.125,,,missed,,forgot,"
    assert lines[3].startswith("2027-01-05,diazepam,,,2027-01-06T01:15:30,2000,extra,")


# --- the written format -----------------------------------------------------------------------


def test_header_row_always_written() -> None:
    assert journal_csv([]) == ",".join(c.name for c in JOURNAL_COLUMNS) + "\r\n"
    assert dose_log_csv([]) == ",".join(c.name for c in DOSE_LOG_COLUMNS) + "\r\n"


def test_journal_columns_are_as_documented() -> None:
    names = [c.name for c in JOURNAL_COLUMNS]
    assert names[:14] == [
        "wake_date",
        "bed_clock",
        "tried_clock",
        "sol_min",
        "awakenings",
        "waso_min",
        "final_wake_clock",
        "out_of_bed_clock",
        "sleep_quality_1_5",
        "sleep_reported_min",
        "mood_0_10",
        "anxiety_0_10",
        "worst_time",
        "symptoms_rated",
    ]
    assert names[14 : 14 + len(SYMPTOMS)] == [symptom_column(s) for s in SYMPTOMS]
    assert names[14 + len(SYMPTOMS) :] == [
        "caffeine_drinks",
        "alcohol_drinks",
        "opioid_use",
        "events",
        "sleep_copied_from",
        "symptoms_copied_from",
        "notes",
        "time_zone",
    ]
    assert len(set(names)) == len(names)
    assert symptom_column("light or sound sensitivity") == "symptom_light_or_sound_sensitivity_0_3"


def test_dose_log_columns_are_as_documented() -> None:
    assert [c.name for c in DOSE_LOG_COLUMNS] == [
        "day",
        "drug",
        "planned_clock",
        "planned_amount_mg",
        "taken_at",
        "amount_mg",
        "status",
        "units",
        "note",
        "time_zone",
    ]


def test_rfc_4180_quoting_of_notes() -> None:
    note = 'a, "b"\nc'
    text = journal_csv([_checkin(notes=note)])
    assert text.endswith(',"a, ""b""\nc",\r\n')  # notes, then the empty time_zone
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][-2] == note


def test_sleep_columns_empty_when_the_night_was_not_filled_in() -> None:
    row = next(csv.DictReader(io.StringIO(journal_csv([_checkin()]), newline="")))
    assert all(row[c] == "" for c in ("bed_clock", "sol_min", "sleep_quality_1_5"))
    assert row["opioid_use"] == "no"
    assert row["caffeine_drinks"] == "0"


def test_formula_like_text_is_written_as_text() -> None:
    text = journal_csv([_checkin(notes="=HYPERLINK(1)")])
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["notes"] == "'=HYPERLINK(1)"
    assert read_journal_csv(text).rows[0].notes == "=HYPERLINK(1)"


def test_amounts_are_plain_mg_numbers() -> None:
    tiny = DoseRecord(WAKE, "clonazepam", "22:00", None, wall_clock(2027, 1, 5, 22), Mass(1, "mcg"))
    row = next(csv.DictReader(io.StringIO(dose_log_csv([tiny]), newline="")))
    assert row["amount_mg"] == "0.001"
    assert row["planned_amount_mg"] == ""


# --- reading: what is accepted ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "\ufeff", "\r\n\r\n", journal_csv([]), "\ufeff" + journal_csv([])]
)
def test_empty_or_header_only_journal_reads_nothing_and_reports_nothing(text: str) -> None:
    assert read_journal_csv(text) == ImportResult((), ())


@pytest.mark.parametrize(
    "text", ["", "\ufeff", "\n", dose_log_csv([]), "\ufeff" + dose_log_csv([])]
)
def test_empty_or_header_only_dose_log_reads_nothing_and_reports_nothing(text: str) -> None:
    assert read_dose_log_csv(text) == ImportResult((), ())


def test_utf8_bom_is_accepted() -> None:
    days = [_checkin(notes="naïve")]
    assert read_journal_csv("\ufeff" + journal_csv(days)).rows == tuple(days)


def test_minimal_hand_written_journal() -> None:
    text = "Wake_Date , mood_0_10,anxiety_0_10\n2027-01-05, 6 ,4\n\n2027-01-06,5,5\n"
    # no drinks, opioid or symptom columns: not asked those days, never "none" or zeros
    unasked = {"substances_asked": False, "symptoms_rated": False}
    assert read_journal_csv(text).rows == (
        _checkin(**unasked),
        _checkin(date(2027, 1, 6), mood=5, anxiety=5, **unasked),
    )


def test_lenient_cells() -> None:
    row = _journal_row(
        **_night_cells(
            bed_clock="7:05", tried_clock="7:05", final_wake_clock="09:00", out_of_bed_clock="9:15"
        ),
        opioid_use="TRUE",
        events=" fall ; ; seizure",
    )
    result = read_journal_csv(_csv([row]))
    assert result.errors == ()
    day = result.rows[0]
    assert day.opioid_use
    assert day.events == {"fall", "seizure"}
    assert day.sleep is not None
    assert day.sleep.bed == wall_clock(2027, 1, 5, 7, 5)


# --- reading: bad rows ------------------------------------------------------------------------

BAD_JOURNAL_CELLS = [
    ({"mood_0_10": "11"}, "mood_0_10: '11' is not 0-10"),
    ({"anxiety_0_10": "high"}, "anxiety_0_10: 'high' is not a whole number 0-10"),
    ({"mood_0_10": ""}, "mood_0_10: is empty; a value is required"),
    ({"symptom_tremor_0_3": "4"}, "symptom_tremor_0_3: '4' is not 0-3"),
    ({"worst_time": "noon"}, "worst_time: 'noon' is unknown: use one of morning, afternoon"),
    ({"wake_date": "2027-02-30"}, "wake_date: '2027-02-30' is not a date"),
    ({"wake_date": "05/01/2027"}, "wake_date: '05/01/2027' is not a date YYYY-MM-DD"),
    ({"events": "fall;fainting"}, "events: 'fall;fainting' holds unknown event 'fainting'"),
    ({"opioid_use": "maybe"}, "opioid_use: 'maybe' is not yes or no"),
    ({"caffeine_drinks": "41"}, "caffeine_drinks: '41' is not 0-40"),
    (_night_cells(sol_min="-5"), "sol_min: '-5' is not 0-720"),
    (_night_cells(sleep_quality_1_5="0"), "sleep_quality_1_5: '0' is not 1-5"),
    (_night_cells(bed_clock="25:00"), "bed_clock: '25:00' is not a 24-hour clock time HH:MM"),
    (_night_cells(tried_clock="23:00"), "tried_clock: '23:00' is before bed_clock '23:10'"),
    (
        _night_cells(sol_min="300", waso_min="200"),
        "sol_min + waso_min: 300 + 200 min exceed the 430 min from tried_clock '23:20' to"
        " final_wake_clock '06:30': that would be negative sleep",
    ),
    (_night_cells(awakenings="0"), "awakenings: '0' but waso_min is 30; count the awakenings"),
    (
        _night_cells(bed_clock="12:30", out_of_bed_clock="18:00"),
        "out_of_bed_clock: '18:00' is more than 24 h after bed_clock '12:30'",
    ),
    (
        # read as every check-in door reads it (night_times): a morning's bed and trying
        # before a morning's final awakening are that morning's, never the day before's
        _night_cells(bed_clock="07:00", tried_clock="07:10", out_of_bed_clock="08:00"),
        "final_wake_clock: '06:30' is before tried_clock '07:10'",
    ),
    (
        _night_cells(sol_min=""),
        "sol_min: is empty but other sleep columns are filled; fill all 8 sleep columns or none",
    ),
]


@pytest.mark.parametrize(("cells", "message"), BAD_JOURNAL_CELLS)
def test_bad_journal_row_names_line_column_and_value(cells: dict[str, str], message: str) -> None:
    rows = [
        _journal_row(wake_date="2027-01-03"),
        _journal_row(wake_date="2027-01-04"),
        _journal_row(**cells),
        _journal_row(wake_date="2027-01-06"),
    ]
    text = _csv(rows)
    error = _only_error(read_journal_csv(text))
    assert error.line == 4
    assert error.message.startswith(message), error.message
    skipped = read_journal_csv(text, skip_bad=True)
    assert skipped.errors == (error,)
    assert [c.wake_date.day for c in skipped.rows] == [3, 4, 6]


def test_message_reads_as_documented() -> None:
    text = _csv(
        [
            _journal_row(),
            _journal_row(wake_date="2027-01-06"),
            _journal_row(wake_date="2027-01-07", mood_0_10="11"),
        ]
    )
    assert [str(e) for e in read_journal_csv(text).errors] == [
        "line 4: mood_0_10: '11' is not 0-10"
    ]


def test_every_problem_of_every_row_is_reported() -> None:
    rows = [
        _journal_row(mood_0_10="11", anxiety_0_10="-1"),
        _journal_row(wake_date="2027-01-06"),
        _journal_row(wake_date="2027-01-07", symptom_nausea_0_3="x"),
    ]
    result = read_journal_csv(_csv(rows))
    assert result.rows == ()
    assert [(e.line, e.message.split(":")[0]) for e in result.errors] == [
        (2, "mood_0_10"),
        (2, "anxiety_0_10"),
        (4, "symptom_nausea_0_3"),
    ]


def test_duplicate_wake_date_is_an_error_on_the_later_line() -> None:
    rows = [_journal_row(), _journal_row(wake_date="2027-01-06"), _journal_row(mood_0_10="2")]
    text = _csv(rows)
    error = _only_error(read_journal_csv(text))
    assert error == RowError(4, "wake_date: '2027-01-05' is already on line 2; one row per date")
    kept = read_journal_csv(text, skip_bad=True).rows
    assert [c.mood for c in kept] == [6, 6]


def test_a_multi_line_note_before_a_bad_row_keeps_line_numbers_right() -> None:
    rows = [
        _journal_row(notes='first line\nsecond line\r\nthird, "quoted" line'),
        _journal_row(wake_date="2027-01-06"),
        _journal_row(wake_date="2027-01-07", mood_0_10="11"),
    ]
    text = _csv(rows)
    # header 1; row 1 spans lines 2-4; row 2 is line 5; the bad row is line 6.
    assert text.splitlines()[5].startswith("2027-01-07")
    assert _only_error(read_journal_csv(text)).line == 6


def test_a_bad_multi_line_row_is_reported_by_its_first_line() -> None:
    rows = [
        _journal_row(wake_date="2027-01-04"),
        _journal_row(mood_0_10="11", notes="one\ntwo\nthree"),
        _journal_row(wake_date="2027-01-06", anxiety_0_10="12"),
    ]
    result = read_journal_csv(_csv(rows))
    assert [e.line for e in result.errors] == [3, 6]


def test_blank_lines_count_as_lines() -> None:
    header, good, bad, _ = _csv(
        [_journal_row(), _journal_row(wake_date="2027-01-06", mood_0_10="11")]
    ).split("\r\n")
    text = "\r\n".join([header, good, "", "", bad]) + "\r\n"
    assert _only_error(read_journal_csv(text)).line == 5


def test_wrong_number_of_fields() -> None:
    text = _csv([_journal_row()]) + "2027-01-06,5,5\r\n"
    assert _only_error(read_journal_csv(text)) == RowError(
        3, f"the row has 3 fields but the header has {len(JOURNAL_COLUMNS)}"
    )


def test_an_unclosed_quote_imports_nothing() -> None:
    text = _csv([_journal_row()]) + '2027-01-06,"oops\r\n2027-01-07,5,5\r\n'
    error = _only_error(read_journal_csv(text, skip_bad=True))
    assert error.line == 3
    assert "cannot be read" in error.message


# --- reading: bad headers ---------------------------------------------------------------------


def _header_errors(header: list[str]) -> list[str]:
    text = _csv([dict.fromkeys(header, "1")], header)
    result = read_journal_csv(text, skip_bad=True)
    assert result.rows == ()
    assert {e.line for e in result.errors} == {1}
    return [e.message for e in result.errors]


def test_unknown_symptom_column_is_an_error_on_line_1() -> None:
    header = ["wake_date", "mood_0_10", "anxiety_0_10", "symptom_restless_legs_0_3"]
    [message] = _header_errors(header)
    assert message.startswith("unknown column 'symptom_restless_legs_0_3' (its data would be lost)")


def test_misspelt_column_gets_a_suggestion() -> None:
    messages = _header_errors(["wake_date", "mood_0_1o", "anxiety_0_10"])
    assert messages == [
        "unknown column 'mood_0_1o' (its data would be lost): did you mean 'mood_0_10'?",
        "missing required column 'mood_0_10'",
    ]


def test_missing_and_repeated_columns() -> None:
    messages = _header_errors(["wake_date", "mood_0_10", "notes", "notes"])
    assert messages == [
        "column 'notes' appears more than once",
        "missing required column 'anxiety_0_10'",
    ]


def test_dose_log_missing_required_column() -> None:
    text = "day,drug,planned_clock,taken_at\n2027-01-05,clonazepam,22:00,\n"
    assert _only_error(read_dose_log_csv(text)) == RowError(
        1, "missing required column 'amount_mg'"
    )


# --- the dose log: bad rows -------------------------------------------------------------------

BAD_DOSE_CELLS = [
    ({"amount_mg": "0,5"}, "amount_mg: '0,5' uses a comma: write a plain number of mg"),
    ({"amount_mg": "-1"}, "amount_mg: '-1' is not above zero"),
    ({"planned_amount_mg": "0"}, "planned_amount_mg: '0' is not above zero"),
    ({"amount_mg": "0.5 mg"}, "amount_mg: '0.5 mg' is not a plain number of mg (no unit)"),
    ({"amount_mg": "9" * 40}, f"amount_mg: '{'9' * 40}' has more than 18 digits"),
    ({"day": "2027-13-01"}, "day: '2027-13-01' is not a date"),
    ({"drug": " "}, "drug: is empty; a value is required"),
    ({"planned_clock": "24:00"}, "planned_clock: '24:00' is not a 24-hour clock time HH:MM"),
    ({"taken_at": "2027-01-05"}, "taken_at: '2027-01-05' is not a local date-time"),
    (
        {"taken_at": "2027-01-05T22:10+01:00"},
        "taken_at: '2027-01-05T22:10+01:00' has a time zone",
    ),
    ({"taken_at": "2027-01-07T10:00"}, "taken_at 2027-01-07 10:00 is more than a day from"),
    ({"status": "skipped"}, "status: 'skipped' is unknown: use one of taken, late, missed, extra"),
    ({"amount_mg": ""}, "amount_mg: is empty but taken_at is filled; a taken dose needs both"),
    ({"taken_at": ""}, "taken_at: is empty but amount_mg is filled; a taken dose needs both"),
    (
        {"planned_clock": "", "taken_at": "", "amount_mg": ""},
        "planned_clock, taken_at: both are empty; give at least one",
    ),
]


@pytest.mark.parametrize(("cells", "message"), BAD_DOSE_CELLS)
def test_bad_dose_row_names_line_column_and_value(cells: dict[str, str], message: str) -> None:
    text = _csv([_dose_row(), _dose_row(**cells), _dose_row(note="last")])
    error = _only_error(read_dose_log_csv(text))
    assert error.line == 3
    assert error.message.startswith(message), error.message
    kept = read_dose_log_csv(text, skip_bad=True)
    assert kept.errors == (error,)
    assert [d.note for d in kept.rows] == ["", "last"]


def test_dose_log_status_is_not_read_back() -> None:
    result = read_dose_log_csv(_csv([_dose_row(status="")]))
    assert result.errors == ()
    assert result.rows[0].status() == "taken"


# --- documentation ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(COLUMNS_DOC))
def test_docs_list_every_column_as_generated(kind: str) -> None:
    table = columns_markdown(COLUMNS_DOC[kind])
    assert table in DOCS.read_text(encoding="utf-8"), (
        f"docs/csv.md is out of date: paste this {kind} table into it:\n\n{table}"
    )


def test_module_examples_run() -> None:
    parts = [
        importlib.import_module(f"{csvio.__name__}.{m.name}") for m in iter_modules(csvio.__path__)
    ]
    for module in (csvio, *parts):
        assert doctest.testmod(module).failed == 0


@given(csv_checkins())
def test_every_written_row_has_the_header_width(checkin: CheckIn) -> None:
    rows = list(csv.reader(io.StringIO(journal_csv([checkin]), newline="")))
    assert [len(r) for r in rows] == [len(JOURNAL_COLUMNS)] * 2


# --- robustness -------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=300)
@given(csv_journals, st.data())
def test_a_damaged_file_is_reported_never_raised(
    checkins: list[CheckIn], data: st.DataObject
) -> None:
    text = journal_csv(checkins)
    at = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.sampled_from(['"', ",", "\r\n", "\n", "x", "-", "99", "9" * 5000, ""]))
    damaged = text[:at] + junk + text[at + data.draw(st.integers(0, 3)) :]
    for skip_bad in (False, True):
        result = read_journal_csv(damaged, skip_bad=skip_bad)
        assert not (result.errors and result.rows and not skip_bad)
        assert all(error.line >= 1 for error in result.errors)


@given(st.text(max_size=300))
def test_any_text_is_reported_never_raised(text: str) -> None:
    read_journal_csv(text, skip_bad=True)
    read_dose_log_csv(text, skip_bad=True)


@given(st.sampled_from([c.name for c in DOSE_LOG_COLUMNS]), st.text(max_size=50))
def test_any_dose_cell_is_reported_never_raised(column: str, value: str) -> None:
    result = read_dose_log_csv(_csv([_dose_row(**{column: value})]))
    assert all(error.line == 2 for error in result.errors)


@given(st.sampled_from([c.name for c in JOURNAL_COLUMNS]), st.text(max_size=50), st.booleans())
def test_any_journal_cell_is_reported_never_raised(column: str, value: str, night: bool) -> None:
    cells = _night_cells() if night else {}
    result = read_journal_csv(_csv([_journal_row(**{**cells, column: value})]))
    assert all(error.line == 2 for error in result.errors)
