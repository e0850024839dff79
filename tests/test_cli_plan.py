"""`taperline plan` from the command line: the JSON contract, tables, comparison, errors."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from taperline.cli.main import cli

BASE = ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-04"]


@pytest.fixture(autouse=True)
def _before_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is before BASE's start, whatever the calendar says (no plan starts before today)."""
    monkeypatch.setenv("TAPERLINE_NOW", "2027-01-01T09:00:00+00:00")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_json_contract() -> None:
    code, out = run(
        *BASE, "--strategy", "percent", "--percent", "10", "--every", "14d", "--format", "json"
    )
    assert code == 0, out
    doc = json.loads(out)
    assert doc["status"] == "proposed"
    assert set(doc) >= {"steps", "summary", "supply", "warnings", "assumptions"}
    assert set(doc["summary"]) >= {"duration_days", "step_count", "largest_step_pct"}
    first, second = doc["steps"][0], doc["steps"][1]
    assert first["start_date"] == "2027-01-04"
    assert second["start_date"] == "2027-01-18"  # after 14 days of stabilisation
    for step in doc["steps"]:
        assert set(step) >= {"start_date", "daily_dose_mg", "doses", "change_pct", "rule", "source"}
        total = Decimal(0)
        for dose in step["doses"]:
            assert set(dose) >= {"time", "amount_mg", "units"}
            made = sum(Decimal(str(u["amount_mg"])) for u in dose["units"])
            assert made == Decimal(str(dose["amount_mg"]))
            assert all({"product", "count"} <= set(u) for u in dose["units"])
            total += Decimal(str(dose["amount_mg"]))
        assert total == Decimal(str(step["daily_dose_mg"]))
    assert doc["steps"][-1]["daily_dose_mg"] == 0
    assert doc["supply"]
    assert "equivalence" in doc["assumptions"]


def test_daily_doses_never_increase_and_first_cut_is_small() -> None:
    _, out = run(*BASE, "--format", "json")
    steps = json.loads(out)["steps"]
    doses = [s["daily_dose_mg"] for s in steps]
    assert doses == sorted(doses, reverse=True)
    assert steps[1]["change_pct"] >= -25


def test_table_output() -> None:
    code, out = run(*BASE, "--strategy", "occupancy")
    assert code == 0, out
    assert "PROPOSED" in out
    assert "R1:" in out
    assert "ED50" in out
    assert "Supply to dispense" in out
    assert "Shake well" in out


def test_compare_five_strategies() -> None:
    code, out = run(
        *BASE, "--compare", "percent,occupancy,deprescribing,fixed,crossover", "--format", "json"
    )
    assert code == 0, out
    plans = json.loads(out)["compare"]
    assert [p["strategy"] for p in plans] == [
        "percent",
        "occupancy",
        "deprescribing",
        "fixed",
        "crossover",
    ]
    code, table = run(*BASE, "--compare", "percent,occupancy")
    assert code == 0
    assert "strategies compared" in table


def test_csv_rows() -> None:
    code, out = run(*BASE, "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"start_date", "time", "amount_mg", "units", "rule", "source"} <= set(rows[0])


def test_plot(tmp_path: Path) -> None:
    target = tmp_path / "plan.svg"
    code, out = run(*BASE, "--plot", str(target))
    assert code == 0, out
    assert "<svg" in target.read_text()


def test_custom_products_and_crossover() -> None:
    code, out = run(
        *BASE, "--products", "tablet 0.5 mg /2, liquid 0.1 mg/mL @ 0.1 mL", "--format", "json"
    )
    assert code == 0, out
    code, out = run(*BASE, "--strategy", "crossover", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    drugs = {d["drug"] for s in doc["steps"] for d in s["doses"]}
    assert drugs == {"clonazepam", "diazepam"}
    assert "ASHTON" in doc["steps"][1]["rule"]
    # The switch by every source, on the step itself.
    assert "0 % by ASHTON; a 100 % increase by VADOD-2021" in doc["steps"][1]["note"]
    assert doc["guideline"]["within_guideline"] is True


def test_a_crossover_that_is_a_cut_by_another_source_needs_an_override() -> None:
    crossover = (*BASE, "--strategy", "crossover", "--equivalence", "VADOD-2021")
    code, out = run(*crossover, "--format", "json")
    assert code == 2, out
    assert "a 50 % cut by ASHTON; 0 % by VADOD-2021" in out
    assert "choose the equivalence that keeps the dose (ASHTON)" in out
    reason = "switching at VA/DoD equivalence agreed with the patient, reviewed weekly"
    code, out = run(*crossover, "--override-reason", reason, "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["guideline"]["mark"] == f"outside the guideline by clinician override: {reason}"
    assert doc["steps"][1]["source"] == "clinician override"
    assert "VADOD-2021" in doc["steps"][1]["rule"]


def test_implausible_dose_hint() -> None:
    code, out = run("plan", "clonazepam", "--dose", "500 mg", "--at", "22:00")
    assert code == 2
    assert "If you meant 500 mcg" in out


def test_nardi_fixed_regimen_with_override() -> None:
    code, out = run(
        "plan",
        "clonazepam",
        "--dose",
        "2 mg",
        "--at",
        "22:00",
        "--start",
        "2027-01-04",
        "--strategy",
        "fixed",
        "--bands",
        "1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d",
        "--override-reason",
        "Nardi 2010 regimen, supervised weekly",
        "--products",
        "tablet 0.5 mg /2, tablet 1 mg, tablet 2 mg",
        "--format",
        "json",
    )
    assert code == 0, out
    doses = [s["daily_dose_mg"] for s in json.loads(out)["steps"]]
    assert doses == [2, 1.5, 1, 0.75, 0.5, 0.25, 0]


def test_risk_flags_are_warnings() -> None:
    code, out = run(
        *BASE,
        "--age",
        "70",
        "--condition",
        "epilepsy",
        "--with",
        "oxycodone",
        "--used-for",
        "2y",
        "--format",
        "json",
    )
    assert code == 0, out
    warnings = " ".join(json.loads(out)["warnings"])
    assert "BEERS-2023" in warnings
    assert "3 months" in warnings


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--dose", "3.5 mg", "--at", "08:00"], "daily maximum"),
        (["--dose", "0.5 mg"], "one --at per --dose"),
        (["--strategy", "custom"], "--custom"),
        (["--strategy", "fixed", "--bands", "1 mg-0.5 mg"], "ABOVE:STEP/EVERY"),
        (["--compare", "percent"], "at least two"),
        (["--compare", "percent,custom"], "cannot compare"),
        (["--every", "36h"], "--every: '36h' is not a number of days"),
        (["--hold", "2027-03-01"], "DATE:DAYS"),
        (["--used-for", "forever"], "--used-for"),
        (["--equivalence", "NOBODY"], "ASHTON"),
        (["--goal", "2 mg"], "goal"),
        (["--products", "tablet"], "product"),
        (["--alternate-days", "--strategy", "percent"], None),
        (["--percent", "150"], "150"),
    ],
)
def test_bad_input(args: list[str], fragment: str | None) -> None:
    result = CliRunner().invoke(cli, [*BASE, *args])
    if fragment is None:  # allowed for clonazepam (long half-life)
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("word", "first"), [("today", "2027-02-28"), (" Tomorrow", "2027-03-01")])
def test_a_start_can_be_typed_as_today_or_tomorrow(word: str, first: str) -> None:
    args = ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", word]
    result = CliRunner().invoke(
        cli, [*args, "--format", "json"], env={"TAPERLINE_NOW": "2027-02-28T09:00:00+00:00"}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["steps"][0]["start_date"] == first


def test_a_start_that_is_neither_a_date_nor_a_day_word_names_both() -> None:
    code, out = run("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "soon")
    assert code == 2
    assert "'soon' is not a date such as 2027-01-04, today or tomorrow" in out
