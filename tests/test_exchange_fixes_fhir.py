"""The FHIR import door after its fixes: elements not read, a partial answer, repeated members.

The neighbours of the defects pinned in tests/test_exchange_doors_review.py: what a server
adds (ids, meta, a narrative) is still read; an OperationOutcome that only warns is passed
over; the elements refused are named; a member repeated deep in the file is named too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from taperline.adapters.fhir import EXTENSION_BASE, export_bundle, read_bundle
from taperline.cli.main import cli
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.errors import InputError
from taperline.service import open_store

NOW = datetime(2027, 11, 20, 9, tzinfo=UTC)
Json = dict[str, Any]


def _bundle(tmp_path: Path) -> Json:
    store = open_store(f"sqlite:///{tmp_path}/source.db")
    taken = datetime.combine(date(2027, 11, 1), time(22))
    missed = DoseRecord(date(2027, 11, 2), "clonazepam", "22:00", Mass.of_mg("0.5"), None, None)
    record = PersonRecord(
        Profile("Europe/London", "40-64"),
        checkins=(CheckIn(date(2027, 11, 1), None, mood=6, anxiety=4, notes="kept"),),
        doses=(
            DoseRecord(taken.date(), "clonazepam", None, None, taken, Mass.of_mg(Decimal(1))),
            missed,
        ),
    )
    return export_bundle(store.record(store.import_record(record)), (), generated_at=NOW)


def _first(bundle: Json, kind: str) -> Json:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def _bookkeeping(resource: Json) -> None:
    resource["id"] = "42"
    resource["meta"] = {"versionId": "1", "lastUpdated": "2027-11-20T09:00:00Z"}
    resource["text"] = {
        "status": "generated",
        "div": '<div xmlns="http://www.w3.org/1999/xhtml">x</div>',
    }


def test_what_a_server_adds_to_a_dose_and_a_check_in_is_still_read(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    for kind in ("MedicationAdministration", "Observation", "Patient"):
        _bookkeeping(_first(bundle, kind))
    read = read_bundle(bundle).record
    assert len(read.doses) == 2
    assert read.checkins[0].notes == "kept"


@pytest.mark.parametrize("severity", ["warning", "information"])
def test_an_outcome_that_only_warns_is_passed_over(tmp_path: Path, severity: str) -> None:
    bundle = _bundle(tmp_path)
    bundle["type"] = "searchset"
    bundle["link"] = [{"relation": "self", "url": "https://server.example/fhir/Patient/1"}]
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": "informational", "diagnostics": "slow"}],
    }
    bundle["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    assert len(read_bundle(bundle).record.checkins) == 1


def test_a_fatal_outcome_is_refused_with_its_details_when_no_diagnostics(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    bundle["type"] = "searchset"
    issue = {"severity": "fatal", "code": "exception", "details": {"text": "database down"}}
    bundle["entry"].append({"resource": {"resourceType": "OperationOutcome", "issue": [issue]}})
    with pytest.raises(InputError, match=r"reports a fatal error \(exception: database down\)"):
        read_bundle(bundle)


def _unknown_taperline_extension(bundle: Json) -> None:
    _first(bundle, "Patient")["extension"].append(
        {"url": f"{EXTENSION_BASE}/favourite-colour", "valueString": "blue"}
    )


def _route(bundle: Json) -> None:
    _first(bundle, "MedicationAdministration")["dosage"]["route"] = {"text": "under the tongue"}


def _performer(bundle: Json) -> None:
    _first(bundle, "MedicationAdministration")["performer"] = [{"actor": {"display": "nurse"}}]


def _check_in_interpretation(bundle: Json) -> None:
    _first(bundle, "Observation")["interpretation"] = [{"text": "worse than usual"}]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_unknown_taperline_extension, "Patient entry 0: extension .*/favourite-colour is not"),
        (_route, "MedicationAdministration entry .*: dosage.route is not read"),
        (_performer, "MedicationAdministration entry .*: performer is not an element"),
        (_check_in_interpretation, "Observation entry .*: interpretation is not an element"),
    ],
)
def test_other_elements_not_read_are_named(
    tmp_path: Path, change: Callable[[Json], None], named: str
) -> None:
    bundle = _bundle(tmp_path)
    change(bundle)
    with pytest.raises(InputError, match=named):
        read_bundle(bundle)


def test_a_missed_dose_as_exported_has_no_dose_and_is_read(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    missed = [e["resource"] for e in bundle["entry"] if e["resource"].get("status") == "not-done"]
    assert len(missed) == 1
    assert "dose" not in (missed[0].get("dosage") or {})
    assert [d.taken_at for d in read_bundle(copy.deepcopy(bundle)).record.doses][1] is None


def _import_text(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "bundle.json"
    path.write_text(text)
    env = {
        "TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/target.db",
        "TAPERLINE_NOW": "2027-11-20T09:00+00:00",
    }
    return CliRunner().invoke(cli, ["import", "fhir", str(path)], env=env)


def test_a_member_repeated_deep_inside_is_named_even_with_the_same_value(tmp_path: Path) -> None:
    text = json.dumps(_bundle(tmp_path))
    assert text.count('"system": "http://unitsofmeasure.org"') >= 1
    twice = text.replace(
        '"system": "http://unitsofmeasure.org"',
        '"system": "http://unitsofmeasure.org", "system": "http://unitsofmeasure.org"',
        1,
    )
    result = _import_text(tmp_path, twice)
    assert result.exit_code == 2, result.output
    assert "the JSON member 'system' is given twice in one object" in result.output


def test_the_bundle_as_exported_still_imports_through_the_cli(tmp_path: Path) -> None:
    result = _import_text(tmp_path, json.dumps(_bundle(tmp_path), indent=2).replace("\n", "\r\n"))
    assert result.exit_code == 0, result.output
    assert "1 check-ins, 2 doses" in result.output


# --- a bundle imported twice ----------------------------------------------------------------


def _cli_env(url: str) -> dict[str, str]:
    return {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": "2027-11-20T09:00+00:00"}


def test_a_copy_of_ones_own_export_is_made_once_then_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/one.db"
    store = open_store(url)
    taken = datetime.combine(date(2027, 11, 1), time(22))
    dose = DoseRecord(taken.date(), "clonazepam", None, None, taken, Mass.of_mg("0.5"))
    pid = store.import_record(PersonRecord(Profile("Europe/London", label="A"), doses=(dose,)))
    bundle = tmp_path / "bundle.json"
    runner = CliRunner()
    out = runner.invoke(cli, ["export", "fhir", "--out", str(bundle)], env=_cli_env(url))
    assert out.exit_code == 0, out.output
    first = runner.invoke(cli, ["import", "fhir", str(bundle)], env=_cli_env(url))
    assert first.exit_code == 0, first.output  # a copy of person 1, asked for: person 2
    again = runner.invoke(cli, ["import", "fhir", str(bundle)], env=_cli_env(url))
    assert again.exit_code == 2
    assert "already here as person 2" in again.output
    assert open_store(url).person_ids() == [pid, pid + 1]


def test_a_record_imported_then_added_to_is_still_known(tmp_path: Path) -> None:
    from taperline.service import import_record

    bundle = _bundle(tmp_path)
    store = open_store(f"sqlite:///{tmp_path}/target.db")
    pid = import_record(store, read_bundle(copy.deepcopy(bundle)).record, now=NOW)
    later = CheckIn(date(2027, 11, 10), None, mood=3, anxiety=7)
    store.import_checkins(pid, [later])
    with pytest.raises(InputError, match=f"already here as person {pid}"):
        import_record(store, read_bundle(bundle).record, now=NOW)


def test_another_label_or_a_profile_alone_is_not_taken_for_an_earlier_import(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from taperline.service import import_record

    bundle = _bundle(tmp_path)
    store = open_store(f"sqlite:///{tmp_path}/target.db")
    record = read_bundle(bundle).record
    import_record(store, record, now=NOW)
    other = replace(record, profile=replace(record.profile, label="Person B"))
    import_record(store, other, now=NOW)  # the same days, another person's label
    alone = PersonRecord(Profile("Europe/London", "40-64"))
    import_record(store, alone, now=NOW)
    import_record(store, alone, now=NOW)  # nothing to tell two such people apart by
    assert len(store.person_ids()) == 4
