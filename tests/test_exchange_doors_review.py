"""An adversarial review of the data crossing taperline's borders: imports and exports.

Each door (CSV journal and dose log, FHIR R4 bundle, device sleep files, the plan's CSV,
iCalendar) is fed what a person, a spreadsheet or another system may really hand it:
files imported twice, quoted headers, Latin-1 bytes, NUL, lone surrogates, formula-like text,
times skipped or repeated by daylight saving, a person whose time zone changed, fields and
extensions taperline does not read. A defect is a strict xfail naming the door, the input,
what happens and what should; a door that holds against an input no other test gives it is
a plain test.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner, Result

from taperline.adapters.csvio import dose_log_csv, journal_csv, read_journal_csv
from taperline.adapters.devices import read_device_file
from taperline.adapters.fhir import export_bundle, read_bundle
from taperline.adapters.storage.repo import Store
from taperline.cli.main import cli
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.errors import InputError
from taperline.service import import_record, open_store
from taperline.service.device_sleep import import_device_sleep

NOW = datetime(2027, 11, 20, 9, tzinfo=UTC)
CLI_NOW = "2027-11-20T09:00+00:00"
DOSE_HEADER = "day,drug,planned_clock,planned_amount_mg,taken_at,amount_mg,status,units,note\r\n"
Json = dict[str, Any]


# --- helpers ------------------------------------------------------------------------------------


def _cli(url: str, *args: str, now: str = CLI_NOW) -> Result:
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": now}
    return CliRunner().invoke(cli, list(args), env=env)


def _cli_person(url: str, zone: str = "Europe/London") -> None:
    result = _cli(url, "init", "--time-zone", zone, "--age-band", "40-64")
    assert result.exit_code == 0, result.output


def _person(store: Store, zone: str = "Europe/London", **parts: Any) -> int:
    return store.import_record(PersonRecord(Profile(zone, "40-64"), **parts))


def wall_clock(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive local wall-clock time, as the dose log holds them (the person's own zone)."""
    return datetime.combine(date(year, month, day), time(hour, minute))


def _taken(wall: datetime, amount: str = "0.5") -> DoseRecord:
    return DoseRecord(wall.date(), "clonazepam", None, None, wall, Mass.of_mg(Decimal(amount)))


def _checkin(day: date, notes: str = "") -> CheckIn:
    return CheckIn(day, None, mood=6, anxiety=4, notes=notes)


def _resources(bundle: Json, kind: str) -> list[Json]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _bundle(url: str, **parts: Any) -> Json:
    """The FHIR export of a London person holding ``parts`` (check-ins, doses)."""
    store = open_store(url)
    pid = _person(store, **parts)
    return export_bundle(store.record(pid), (), generated_at=NOW)


def _import(url: str, bundle: Json) -> tuple[Store, int]:
    store = open_store(url)
    read = read_bundle(bundle)
    return store, import_record(store, read.record, now=NOW, device_sleep=read.device_sleep)


def _other(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path}/{name}.db"


# --- CSV: journal and dose log (taperline import csv / export csv) -------------------------------


# The same dose-log file imported twice was once stored twice (2 lines for 1, exit 0 both times).
def test_the_same_dose_log_imported_twice_is_kept_once(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    path = tmp_path / "doses.csv"
    path.write_text(DOSE_HEADER + "2027-11-01,clonazepam,,,2027-11-01T22:00,0.5,,,\r\n")
    assert _cli(sqlite_url, "import", "csv", str(path)).exit_code == 0
    again = _cli(sqlite_url, "import", "csv", str(path))
    assert again.exit_code == 2
    assert "already in the dose log" in again.output
    store = open_store(sqlite_url)
    assert len(store.doses(store.person_ids()[0])) == 1


def test_a_quoted_header_is_read_as_a_dose_log(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    names = DOSE_HEADER.strip().split(",")
    cells = ["2027-11-01", "clonazepam", "", "", "2027-11-01T22:00", "0.5", "", "", ""]
    path = tmp_path / "quoted.csv"
    path.write_text(",".join(f'"{c}"' for c in names) + "\r\n" + ",".join(f'"{c}"' for c in cells))
    result = _cli(sqlite_url, "import", "csv", str(path))
    assert result.exit_code == 0, result.output


def test_latin_1_bytes_are_refused_with_a_message(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    path = tmp_path / "latin1.csv"
    row = "2027-11-01,clonazepam,,,2027-11-01T22:00,0.5,,,caf\xe9\r\n"
    path.write_bytes((DOSE_HEADER + row).encode("latin-1"))
    result = _cli(sqlite_url, "import", "csv", str(path))
    assert result.exit_code == 2
    assert "UTF-8" in result.output


def _gap_file(tmp_path: Path) -> Path:
    """Eleven doses at 01:30, one on 2027-03-28 (line 10), when London skipped 01:00-02:00."""
    rows = "".join(
        f"2027-03-{d:02d},clonazepam,,,2027-03-{d:02d}T01:30,0.5,,,\r\n" for d in range(20, 31)
    )
    path = tmp_path / "gap.csv"
    path.write_text(DOSE_HEADER + rows)
    return path


# A taken_at the clocks skipped was once refused with the store's message and no line number.
def test_a_time_the_clocks_skipped_is_named_by_its_line(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    result = _cli(sqlite_url, "import", "csv", str(_gap_file(tmp_path)))
    assert result.exit_code == 2
    assert "line 10: taken_at: '2027-03-28T01:30' does not exist in Europe/London" in result.output


# With --skip-bad, that one time once still refused the whole file (exit 2, nothing imported).
def test_skip_bad_leaves_out_a_time_the_clocks_skipped(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    result = _cli(sqlite_url, "import", "csv", str(_gap_file(tmp_path)), "--skip-bad")
    assert result.exit_code == 0, result.output
    assert "line 10: taken_at: '2027-03-28T01:30' does not exist" in result.output
    assert "Imported 10 doses rows" in result.output
    assert "left out 1 row(s)" in result.output
    store = open_store(sqlite_url)
    doses = store.doses(store.person_ids()[0])
    assert len(doses) == 10
    assert date(2027, 3, 28) not in {d.day for d in doses}


# A dose in the second 01:30 of the night the clocks went back was once written 01:30 and read
# back as the first 01:30: an hour earlier. Its offset is written now, for that hour only.
def test_a_dose_in_the_repeated_hour_keeps_its_moment_through_csv(tmp_path: Path) -> None:
    from taperline.adapters.csvio import read_dose_log_csv

    london = ZoneInfo("Europe/London")
    first = open_store(_other(tmp_path, "first"))
    pid = _person(first)
    first.import_doses(pid, [_taken(wall_clock(2027, 10, 31, 1, 30).replace(fold=1))])
    text = dose_log_csv(first.doses(pid), time_zone=london)
    assert ",2027-10-31T01:30+00:00," in text
    second = open_store(_other(tmp_path, "second"))
    again = _person(second)
    second.import_doses(again, read_dose_log_csv(text, time_zone=london).rows)

    def moment(store: Store, person_id: int) -> str:
        bundle = export_bundle(store.record(person_id), (), generated_at=NOW)
        return str(_resources(bundle, "MedicationAdministration")[0]["effectiveDateTime"])

    assert moment(first, pid) == "2027-10-31T01:30:00+00:00"
    assert moment(second, again) == moment(first, pid)


def test_a_journal_without_symptom_columns_rates_no_symptom() -> None:
    read = read_journal_csv("wake_date,mood_0_10,anxiety_0_10\r\n2027-11-01,6,4\r\n")
    assert read.errors == ()
    assert read.rows[0].symptoms_rated is False


# A status the cells contradict was once passed over in silence ("checked but not used").
def test_a_status_the_cells_contradict_is_refused() -> None:
    from taperline.adapters.csvio import read_dose_log_csv

    rows = (
        "2027-11-01,clonazepam,22:00,0.5,,,taken,,\r\n"
        "2027-11-02,clonazepam,22:00,0.5,2027-11-02T22:00,0.5,missed,,\r\n"
    )
    read = read_dose_log_csv(DOSE_HEADER + rows)
    assert [str(e)[:14] for e in read.errors] == ["line 2: status", "line 3: status"]


def test_an_empty_csv_file_imports_nothing(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = _cli(sqlite_url, "import", "csv", str(path))
    assert result.exit_code == 0, result.output


def test_carriage_return_line_ends_keep_notes_and_line_numbers(
    tmp_path: Path, sqlite_url: str
) -> None:
    _cli_person(sqlite_url)
    path = tmp_path / "mac.csv"
    rows = 'wake_date,mood_0_10,anxiety_0_10,notes\r2027-11-01,6,4,"a\rb"\r2027-11-02,11,4,x\r'
    path.write_bytes(rows.encode())
    result = _cli(sqlite_url, "import", "csv", str(path))
    assert "line 4: mood_0_10: '11' is not 0-10" in result.output
    good = read_journal_csv(rows.replace(",11,", ",1,"))
    assert [c.notes for c in good.rows] == ["a\rb", "x"]


@pytest.mark.parametrize(
    ("cells", "where"),
    [
        (("31/12/2027", "2027-12-31T22:00", "0.5"), "day: '31/12/2027'"),
        (("2027-12-31", "2027-12-31T22:00", "500 mcg"), "amount_mg: '500 mcg'"),
        (("2027-12-31", "2027-02-30T22:00", "0.5"), "taken_at: '2027-02-30T22:00'"),
    ],
)
def test_bad_dose_cells_are_named_by_line_and_column(
    tmp_path: Path, sqlite_url: str, cells: tuple[str, str, str], where: str
) -> None:
    _cli_person(sqlite_url)
    day, taken_at, amount = cells
    path = tmp_path / "bad.csv"
    good = "2027-11-01,clonazepam,,,2027-11-01T22:00,0.5,,,\r\n"
    path.write_text(f"{DOSE_HEADER}{good}{day},clonazepam,,,{taken_at},{amount},,,\r\n")
    result = _cli(sqlite_url, "import", "csv", str(path))
    assert result.exit_code == 2, result.output
    assert f"line 3: {where}" in result.output
    store = open_store(sqlite_url)
    assert store.doses(store.person_ids()[0]) == []  # the good line 2 is not half-imported


def test_a_nul_in_a_journal_note_is_refused_by_its_line(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url)
    path = tmp_path / "nul.csv"
    path.write_bytes(b"wake_date,mood_0_10,anxiety_0_10,notes\r\n2027-11-01,6,4,a\x00b\r\n")
    result = _cli(sqlite_url, "import", "csv", str(path))
    assert result.exit_code == 2
    assert "line 2" in result.output
    assert "NUL" in result.output


@pytest.mark.parametrize(
    ("zone", "days", "shifts"),
    [
        ("America/New_York", (date(2027, 3, 14), date(2027, 11, 7)), [60, -60]),
        ("Australia/Lord_Howe", (date(2027, 4, 4), date(2027, 10, 3)), [-30, 30]),
        ("Asia/Kathmandu", (date(2027, 3, 28),), [0]),  # +05:45, no daylight saving
    ],
)
def test_nights_across_clock_changes_make_the_csv_round_trip_through_two_stores(
    tmp_path: Path, zone: str, days: tuple[date, ...], shifts: list[int]
) -> None:
    first = open_store(_other(tmp_path, "first"))
    pid = _person(first, zone)
    times = {"bed": "23:30", "tried": "23:45", "final_wake": "06:45", "out_of_bed": "07:00"}
    nights = [
        CheckIn(
            day,
            SleepDiary(*night_times(day, **times), sol_min=15, waso_min=20, awakenings=2),
            mood=5,
            anxiety=4,
            notes="=SUM(A1) @home",
        )
        for day in days
    ]
    first.import_checkins(pid, nights)
    text = journal_csv(first.checkins(pid))
    second = open_store(_other(tmp_path, "second"))
    again = _person(second, zone)
    second.import_checkins(again, read_journal_csv(text).rows)
    assert second.checkins(again) == first.checkins(pid)
    assert [c.sleep.clock_shift_min for c in second.checkins(again) if c.sleep] == shifts


# --- CSV: the plan (taperline plan --format csv) -----------------------------------------------


def test_the_plan_csv_writes_no_formula_cell(sqlite_url: str) -> None:
    import csv
    import io

    result = _cli(
        sqlite_url,
        "plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--strategy", "custom",
        "--custom", "2027-02-01=0.875 mg, 2027-03-01=0.75 mg",
        "--reason", '=HYPERLINK("http://evil","results")', "--format", "csv",
        now="2027-01-10T09:00+00:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.output)) for cell in row]
    assert "HYPERLINK" in result.output
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@")) and "(" in cell]


# --- FHIR R4 (taperline import fhir / export fhir) ----------------------------------------------


# The same bundle imported twice once made two people with the same record.
def test_the_same_bundle_imported_twice_makes_one_person(tmp_path: Path) -> None:
    bundle = _bundle(_other(tmp_path, "source"), checkins=(_checkin(date(2027, 11, 1)),))
    url = _other(tmp_path, "target")
    _import(url, bundle)
    with pytest.raises(InputError, match="already here as person 1"):
        _import(url, bundle)
    assert len(open_store(url).person_ids()) == 1


def test_a_check_in_after_today_is_refused(tmp_path: Path) -> None:
    bundle = _bundle(_other(tmp_path, "source"), checkins=(_checkin(date(2027, 11, 1)),))
    observation = _resources(bundle, "Observation")[0]
    observation["effectiveDateTime"] = "2027-12-25"
    with pytest.raises(InputError, match="future"):
        _import(_other(tmp_path, "target"), bundle)


def _patient_extension(bundle: Json) -> None:
    _resources(bundle, "Patient")[0]["extension"].append(
        {"url": "http://example.org/fhir/allergy", "valueString": "allergic to penicillin"}
    )


def _administration_text(bundle: Json) -> None:
    _resources(bundle, "MedicationAdministration")[0]["dosage"]["text"] = "half; rest dropped"


def _administration_reason(bundle: Json) -> None:
    _resources(bundle, "MedicationAdministration")[0]["reasonCode"] = [{"text": "panic attack"}]


def _missed_with_a_dose(bundle: Json) -> None:
    administration = _resources(bundle, "MedicationAdministration")[0]
    administration["status"] = "not-done"  # its dosage.dose is kept
    log = administration["extension"][0]["extension"]
    log.append({"url": "planned-time", "valueTime": "22:00:00"})


def _check_in_value(bundle: Json) -> None:
    _resources(bundle, "Observation")[0]["valueString"] = "woke at 3 with my heart racing"


def _repeated_mood(bundle: Json) -> None:
    components = _resources(bundle, "Observation")[0]["component"]
    mood = next(c for c in components if c["code"]["coding"][0]["code"] == "mood")
    components.append({**copy.deepcopy(mood), "valueInteger": 1})


# Each of these was once passed over in silence (the bundle imported, the value gone); the
# import now refuses the bundle naming the resource and the element.
@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(
            _patient_extension,
            "Patient entry 0: extension http://example.org/fhir/allergy is not one taperline reads",
            id="patient_extension",
        ),
        pytest.param(
            _administration_text,
            "MedicationAdministration entry .*: dosage.text is not read by taperline",
            id="administration_text",
        ),
        pytest.param(
            _administration_reason,
            "MedicationAdministration entry .*: reasonCode is not an element taperline reads",
            id="administration_reason",
        ),
        pytest.param(
            _missed_with_a_dose,
            "MedicationAdministration entry .*: dosage.dose is given for a dose not taken",
            id="missed_with_a_dose",
        ),
        pytest.param(
            _check_in_value,
            "Observation entry .*: valueString is not an element taperline reads in a check-in",
            id="check_in_value",
        ),
        pytest.param(_repeated_mood, "gives mood a second time", id="repeated_mood"),
    ],
)
def test_an_element_taperline_does_not_read_is_refused(
    tmp_path: Path, change: Any, named: str
) -> None:
    bundle = _bundle(
        _other(tmp_path, "source"),
        checkins=(_checkin(date(2027, 11, 1)),),
        doses=(_taken(wall_clock(2027, 11, 1, 22)),),
    )
    read_bundle(copy.deepcopy(bundle))  # the bundle as exported is read
    change(bundle)
    with pytest.raises(InputError, match=named):
        read_bundle(bundle)


def _condition_as_code(bundle: Json) -> None:
    for extension in _resources(bundle, "Patient")[0]["extension"]:
        if extension["url"].endswith("/condition"):
            extension.pop("valueString")
            extension["valueCode"] = "epilepsy"


def _age_band_as_string(bundle: Json) -> None:
    for extension in _resources(bundle, "Patient")[0]["extension"]:
        if extension["url"].endswith("/age-band"):
            extension["valueString"] = extension.pop("valueCode")


@pytest.mark.parametrize(
    ("change", "check"),
    [
        pytest.param(
            _condition_as_code,
            lambda profile: profile.conditions == ("epilepsy",),
            id="condition-valueCode",
        ),
        pytest.param(
            _age_band_as_string,
            lambda profile: profile.age_band == "65-79",
            id="age-band-valueString",
        ),
    ],
)
def test_a_profile_value_of_another_type_is_read_or_refused(
    tmp_path: Path, change: Any, check: Any
) -> None:
    store = open_store(_other(tmp_path, "source"))
    profile = Profile("Europe/London", "65-79", ("insomnia",), ("sertraline",))
    pid = store.import_record(PersonRecord(profile))
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    change(bundle)
    try:
        read = read_bundle(bundle).record.profile
    except InputError:
        return
    assert check(read), read


def test_a_questionnaire_item_answered_twice_is_refused(tmp_path: Path) -> None:
    from taperline.core.instruments import score_phq9

    store = open_store(_other(tmp_path, "source"))
    score = score_phq9([1, 1, 1, 1, 1, 1, 1, 1, 2], date(2027, 11, 1))
    pid = store.import_record(PersonRecord(Profile("Europe/London", "40-64"), scores=(score,)))
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    items = _resources(bundle, "QuestionnaireResponse")[0]["item"]
    items.append({**copy.deepcopy(items[-1]), "answer": copy.deepcopy(items[0]["answer"])})
    with pytest.raises(InputError, match="item"):
        read_bundle(bundle)


def _plan_number(bundle: Json) -> None:
    patient = next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    request = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"text": "clonazepam"},
        "subject": {"reference": patient},
        "groupIdentifier": {"value": "\u00b2"},
    }
    bundle["entry"].append(
        {"fullUrl": "urn:uuid:0b5e7a6e-2d5e-4a8e-9a51-7d0c1c1c1c1c", "resource": request}
    )


def _item_number(bundle: Json) -> None:
    _resources(bundle, "QuestionnaireResponse")[0]["item"][0]["linkId"] = "\u00b2"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            _plan_number,
            id="groupIdentifier",
        ),
        pytest.param(
            _item_number,
            id="linkId",
        ),
    ],
)
def test_a_digit_int_cannot_read_is_refused_in_a_bundle(tmp_path: Path, change: Any) -> None:
    from taperline.core.instruments import score_phq9

    store = open_store(_other(tmp_path, "source"))
    score = score_phq9([1] * 9, date(2027, 11, 1))
    pid = store.import_record(PersonRecord(Profile("Europe/London", "40-64"), scores=(score,)))
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    change(bundle)
    with pytest.raises(InputError):
        read_bundle(bundle)


# A resource with status 'entered-in-error' (its author withdrew it as a mistake; a server's
# search can return such) was once imported as a valid check-in / score.
@pytest.mark.parametrize("kind", ["Observation", "QuestionnaireResponse"])
def test_a_resource_entered_in_error_is_not_imported_as_valid(tmp_path: Path, kind: str) -> None:
    from taperline.core.instruments import score_phq9

    store = open_store(_other(tmp_path, "source"))
    record = PersonRecord(
        Profile("Europe/London", "40-64"),
        checkins=(_checkin(date(2027, 10, 1)),),
        scores=(score_phq9([1] * 9, date(2027, 11, 1)),),
    )
    bundle = export_bundle(store.record(store.import_record(record)), (), generated_at=NOW)
    _resources(bundle, kind)[0]["status"] = "entered-in-error"
    with pytest.raises(InputError, match="entered-in-error"):
        read_bundle(bundle)


def _next_page(bundle: Json) -> None:
    bundle["type"] = "searchset"
    bundle["total"] = 25
    bundle["link"] = [
        {"relation": "self", "url": "https://server.example/fhir/Patient/1/$everything"},
        {"relation": "next", "url": "https://server.example/fhir/Patient/1/$everything?page=2"},
    ]


def _error_outcome(bundle: Json) -> None:
    bundle["type"] = "searchset"
    issue = {
        "severity": "error",
        "code": "too-costly",
        "diagnostics": "search truncated: later check-ins were not returned",
    }
    outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
    bundle["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})


# A server's first page and an answer the server says is in error were once imported as the
# whole record, in silence.
@pytest.mark.parametrize(
    ("change", "named"),
    [
        pytest.param(_next_page, r"one page of a server's answer .*page=2", id="next-page"),
        pytest.param(_error_outcome, "search truncated: later check-ins", id="error-outcome"),
    ],
)
def test_a_partial_search_answer_is_refused(tmp_path: Path, change: Any, named: str) -> None:
    days = tuple(_checkin(date(2027, 10, d)) for d in range(1, 11))
    bundle = _bundle(_other(tmp_path, "source"), checkins=days)
    change(bundle)
    with pytest.raises(InputError, match=named):
        read_bundle(bundle)


# A JSON member given twice once lost its first value in silence (json.loads keeps the last).
def test_a_repeated_json_member_is_refused(tmp_path: Path) -> None:
    bundle = _bundle(_other(tmp_path, "source"), checkins=(_checkin(date(2027, 11, 1), "kept"),))
    text = json.dumps(bundle)
    assert text.count('"note": [') == 1
    text = text.replace('"note": [', '"note": [{"text": "first words"}], "note": [')
    path = tmp_path / "bundle.json"
    path.write_text(text)
    result = _cli(_other(tmp_path, "target"), "import", "fhir", str(path))
    assert result.exit_code == 2, result.output
    assert "the JSON member 'note' is given twice in one object" in result.output
    assert open_store(_other(tmp_path, "target")).person_ids() == []


def test_a_day_given_twice_is_named(tmp_path: Path) -> None:
    days = (_checkin(date(2027, 11, 1)), _checkin(date(2027, 11, 2)))
    bundle = _bundle(_other(tmp_path, "source"), checkins=days)
    first, second = _resources(bundle, "Observation")[:2]
    second["effectiveDateTime"] = first["effectiveDateTime"]
    target = _other(tmp_path, "target")
    with pytest.raises(InputError, match="2027-11-01"):
        _import(target, bundle)


def test_a_day_given_twice_leaves_nothing_half_written(tmp_path: Path) -> None:
    days = tuple(_checkin(date(2027, 10, d)) for d in range(1, 31))
    bundle = _bundle(_other(tmp_path, "source"), checkins=days)
    observations = _resources(bundle, "Observation")
    observations[-1]["effectiveDateTime"] = observations[0]["effectiveDateTime"]
    target = _other(tmp_path, "target")
    with pytest.raises(InputError):
        _import(target, bundle)
    assert open_store(target).person_ids() == []


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("note", "a\ud800b"),  # a lone surrogate: \ud800 in the JSON
        ("dose", float("nan")),  # json.loads reads NaN and Infinity
        ("dose", float("inf")),
    ],
)
def test_text_and_numbers_json_allows_and_fhir_does_not_are_refused(
    tmp_path: Path, where: str, value: Any
) -> None:
    bundle = _bundle(
        _other(tmp_path, "source"),
        checkins=(_checkin(date(2027, 11, 1), "words"),),
        doses=(_taken(wall_clock(2027, 11, 1, 22)),),
    )
    if where == "note":
        _resources(bundle, "Observation")[0]["note"][0]["text"] = value
        named = "Observation entry .*note"
    else:
        _resources(bundle, "MedicationAdministration")[0]["dosage"]["dose"]["value"] = value
        named = "MedicationAdministration entry .*dosage.dose.value"
    with pytest.raises(InputError, match=named):
        read_bundle(bundle)


def _moved(tmp_path: Path, wall: datetime, old: str, new: str) -> tuple[Store, int]:
    """A dose logged at ``wall`` in zone ``old``, then the person's zone changed to ``new``."""
    store = open_store(_other(tmp_path, "moved"))
    pid = _person(store, old)
    store.import_doses(pid, [_taken(wall)])
    store.update_profile(pid, replace(store.profile(pid), time_zone=new))
    return store, pid


# A dose logged at 08:00 in Kathmandu (02:15Z) was once exported, after the person moved to
# London, with London's offset (08:00+01:00, 07:00Z): 4 h 45 min off.
def test_a_dose_logged_before_a_zone_change_keeps_its_moment(tmp_path: Path) -> None:
    store, pid = _moved(tmp_path, wall_clock(2027, 5, 1, 8), "Asia/Kathmandu", "Europe/London")
    bundle = export_bundle(store.record(pid), (), generated_at=NOW)
    written = _resources(bundle, "MedicationAdministration")[0]["effectiveDateTime"]
    assert datetime.fromisoformat(written) == datetime(2027, 5, 1, 2, 15, tzinfo=UTC)


# Such a record (01:30 on 2027-03-28 in Kathmandu, an hour London skipped) once exported as
# 01:30+00:00, which a fresh database refused ("does not exist in Europe/London").
def test_a_record_kept_across_a_zone_change_makes_the_round_trip(tmp_path: Path) -> None:
    store, pid = _moved(tmp_path, wall_clock(2027, 3, 28, 1, 30), "Asia/Kathmandu", "Europe/London")
    stored = store.record(pid)
    target, again = _import(_other(tmp_path, "target"), export_bundle(stored, (), generated_at=NOW))
    assert target.record(again).doses == stored.doses


# --- sleep from devices (taperline import sleep-csv / fitbit) -----------------------------------


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        pytest.param(
            "sleep-csv",
            "wake_date,in_bed,out_of_bed,asleep_min\n2027-01-05,23:00,07:00,\u00b2\n",
            id="sleep-csv",
        ),
        pytest.param(
            "fitbit",
            "Sleep\nStart Time,End Time,Minutes Asleep\n2027-01-04 11:10PM,2027-01-05 7:00AM,"
            "\u00b2\n",
            id="fitbit-csv",
        ),
    ],
)
def test_a_digit_int_cannot_read_is_refused_by_its_line(
    tmp_path: Path, kind: Any, text: str
) -> None:
    path = tmp_path / "sleep.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="line"):
        read_device_file(kind, path, ZoneInfo("Europe/London"))


# A column named twice once kept the last cell and dropped the first (400 min) in silence.
def test_a_repeated_sleep_csv_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sleep.csv"
    path.write_text(
        "wake_date,in_bed,out_of_bed,asleep_min,asleep_min\n2027-01-05,23:00,07:00,400,30\n"
    )
    with pytest.raises(InputError, match=r"line 1: column\(s\) 'asleep_min' appear more than once"):
        read_device_file("sleep-csv", path, ZoneInfo("Europe/London"))


def test_a_nul_in_a_device_source_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    pid = _person(store)
    path = tmp_path / "sleep.csv"
    path.write_text(
        "wake_date,in_bed,out_of_bed,asleep_min,source\n2027-01-05,23:00,07:00,400,a\x00b\n"
    )
    with pytest.raises(InputError, match="NUL"):
        import_device_sleep(store, pid, "sleep-csv", path, now=NOW)


_SLEEP_RECORD = (
    '<Record type="HKCategoryTypeIdentifierSleepAnalysis" sourceName="Watch"'
    ' value="HKCategoryValueSleepAnalysisAsleepCore" startDate="2027-01-05 {start} +0000"'
    ' endDate="2027-01-05 {end} +0000"/>'
)


def _apple_export(tmp_path: Path, second: str) -> Path:
    first = _SLEEP_RECORD.format(start="01:00:00", end="02:00:00")
    path = tmp_path / "export.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<HealthData locale="en_GB">\n'
        f"{first}\n{second}\n</HealthData>\n"
    )
    return path


# A record inside an XML comment was once read as a record (the search skipped no comment).
def test_a_commented_out_apple_record_is_not_imported(tmp_path: Path) -> None:
    commented = "<!-- " + _SLEEP_RECORD.format(start="03:00:00", end="04:00:00") + " -->"
    read = read_device_file("apple-health", _apple_export(tmp_path, commented), UTC)
    assert [r.start.hour for r in read.records] == [1]
    assert read.other_entries == 0


# A record with single-quoted attributes was once not found, only counted, in silence.
def test_a_single_quoted_apple_record_is_read(tmp_path: Path) -> None:
    quoted = _SLEEP_RECORD.format(start="03:00:00", end="04:00:00").replace('"', "'")
    read = read_device_file("apple-health", _apple_export(tmp_path, quoted), UTC)
    assert [r.start.hour for r in read.records] == [1, 3]
    assert read.other_entries == 0


# --- the web's "Download everything (JSON)" -------------------------------------------------------


def test_download_everything_holds_sleep_from_devices(tmp_path: Path) -> None:
    from tests.support.web import make_site

    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        pid = site.person_id("ann@example.org")
        path = tmp_path / "sleep.csv"
        path.write_text(
            "wake_date,in_bed,out_of_bed,asleep_min,source\n2026-01-05,23:00,07:00,400,Ann's ring\n"
        )
        import_device_sleep(site.services.store, pid, "sleep-csv", path, now=NOW)
        assert "Ann's ring" in ann.get("/account/export.fhir.json").text
        assert "Ann's ring" in ann.get("/account/export").text


# --- iCalendar ---------------------------------------------------------------------------------


def test_ics_for_kathmandu_keeps_22_00_at_plus_05_45(tmp_path: Path, sqlite_url: str) -> None:
    _cli_person(sqlite_url, "Asia/Kathmandu")
    now = "2027-01-10T09:00+00:00"
    steps = ("--custom", "2027-02-01=0.875 mg", "--reason", 'a; b, "c"\\n d', "--start")
    plan = ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--strategy", "custom")
    result = _cli(sqlite_url, *plan, *steps, "2027-01-15", "--save", now=now)
    assert result.exit_code == 0, result.output
    result = _cli(sqlite_url, "plan", "approve", "--by", "Dr Lee", "--reason", "ok", now=now)
    assert result.exit_code == 0, result.output
    out = tmp_path / "taper.ics"
    result = _cli(sqlite_url, "export", "ics", "--out", str(out), now=now)
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    doses = [
        e.decoded("DTSTART")
        for e in calendar.walk("VEVENT")
        if str(e.get("DESCRIPTION", "")).startswith("22:00")
    ]
    assert doses
    assert {(d.hour, d.minute, d.utcoffset()) for d in doses} == {
        (22, 0, datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Kathmandu")).utcoffset())
    }
    descriptions = " ".join(str(e.get("DESCRIPTION", "")) for e in calendar.walk("VEVENT"))
    assert 'a; b, "c"\\n d' in descriptions
