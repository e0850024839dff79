"""`taperline simulate` from the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from taperline.cli.main import cli

BASE = ["simulate", "clonazepam", "--dose", "0.5 mg", "--at", "22:00"]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_table_summary_and_plain_language() -> None:
    code, out = run(*BASE, "--days", "28")
    assert code == 0, out
    assert "Steady-state trough" in out
    assert "ng/mL" in out
    assert "90 % of steady state" in out
    assert "Missing one dose" in out
    assert "clonazePAM" in out


def test_json_contract() -> None:
    code, out = run(*BASE, "--days", "3", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["drug"] == "clonazepam"
    for key in (
        "css_peak_ng_per_ml",
        "css_trough_ng_per_ml",
        "css_average_ng_per_ml",
        "accumulation_ratio",
        "time_to_steady_state_h",
    ):
        assert isinstance(doc["summary"][key], float)
    assert doc["samples"][0] == {"t_h": 0.0, "concentration_ng_per_ml": 0.0}
    assert len(doc["samples"]) == 3 * 24 + 1


def test_json_population_bands() -> None:
    code, out = run(*BASE, "--days", "2", "--population", "50", "--format", "json")
    assert code == 0, out
    sample = json.loads(out)["samples"][-1]
    assert sample["p05"] <= sample["p50"] <= sample["p95"]


def test_csv_samples() -> None:
    code, out = run(*BASE, "--days", "1", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0].keys() == {"t_h", "concentration_ng_per_ml"}
    assert len(rows) == 25


def test_missed_and_late_doses_change_the_curve() -> None:
    args = [*BASE, "--days", "6", "--start", "2027-01-01", "--format", "json"]
    _, plain = run(*args)
    code, missed = run(*args, "--missed", "2027-01-03T22:00", "--late", "2027-01-05T22:00=3h")
    assert code == 0, missed
    doses = [d["t_h"] for d in json.loads(missed)["doses"]]
    assert 70.0 not in doses
    assert 121.0 in doses
    assert json.loads(plain)["samples"][80] != json.loads(missed)["samples"][80]


def test_plot_written(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    code, out = run(*BASE, "--days", "3", "--plot", str(target))
    assert code == 0, out
    assert target.read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["simulate", "clonazepam", "--dose", "50 mg", "--at", "22:00"], "If you meant 50 mcg"),
        (["simulate", "clonazepam", "--dose", "-1 mg", "--at", "22:00"], "negative"),
        (["simulate", "clonazepam", "--dose", "0.5", "--at", "22:00"], "no unit"),
        (["simulate", "clonazepam", "--dose", "0.5 mg", "--at", "25:00"], "24-hour clock"),
        (["simulate", "clonazepam", "--dose", "0.5 mg"], "--at"),
        (["simulate", "klonazepam", "--dose", "0.5 mg", "--at", "22:00"], "clonazepam"),
        (
            ["simulate", "clonazepam", "--dose", "3 mg", "--at", "08:00", "--at", "22:00"],
            "daily maximum",
        ),
        ([*BASE, "--start", "2027-01-01", "--missed", "2027-01-01T21:00"], "no planned dose"),
        ([*BASE, "--start", "2027-01-05", "--missed", "2027-01-01T22:00"], "before the start"),
        ([*BASE, "--late", "2027-01-01T22:00"], "WHEN=DELAY"),
        ([*BASE, "--days", "0"], "--days"),
        ([*BASE, "--plot", "/nonexistent-dir/x.svg"], "does not exist"),
        ([*BASE, "--plot", "chart.txt"], ".svg"),
        (["simulate", "diazepam", "--dose", "5 mg", "--at", "22:00"], "no PK model"),
    ],
)
def test_errors_are_one_line_exit_2(args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output
