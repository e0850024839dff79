"""`taperline import apple-health|fitbit|sleep-csv`: dry run, import, re-import, undo, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from taperline.cli.main import cli
from tests.support.device_files import WATCH, apple_health_zip, fitbit_json, fitbit_log

NIGHTS = [
    (
        "Ann's Watch",
        WATCH,
        "AsleepCore",
        f"2027-01-{d:02} 23:15:00 +0000",
        f"2027-01-{d + 1:02} 06:30:00 +0000",
    )
    for d in range(4, 9)
]


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Result]:
    env = {
        "TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}",
        "TAPERLINE_NOW": "2027-01-20T21:00:00+00:00",
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), env=env)

    assert invoke("init", "--time-zone", "Europe/London", "--no-ask").exit_code == 0
    return invoke


def test_apple_health_dry_run_import_again_and_undo(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    export = str(apple_health_zip(tmp_path / "export.zip", NIGHTS))
    dry = run("import", "apple-health", export, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.output == (
        "Would import 5 new sleep record(s) (5 night(s), 2027-01-05 to 2027-01-09) from Ann's"
        " Watch. Nothing was stored (--dry-run).\n"
    )
    done = run("import", "apple-health", export)
    assert done.exit_code == 0, done.output
    assert "Imported 5 new sleep record(s)" in done.output
    assert done.output.endswith("as import 1. Undo with: taperline import apple-health --undo 1\n")
    again = run("import", "apple-health", export)
    assert again.output == (f"Nothing new in {export}; 5 already stored: nothing was stored.\n")
    undone = run("import", "apple-health", "--undo", "1")
    assert undone.output == "Undid import 1 (export.zip): removed 5 sleep record(s).\n"
    twice = run("import", "apple-health", "--undo", "1")
    assert twice.exit_code != 0
    assert "import 1 was already undone" in twice.output
    assert run("import", "apple-health", export).output.endswith(
        "as import 2. Undo with: taperline import apple-health --undo 2\n"
    )


def test_fitbit_and_the_generic_csv(run: Callable[..., Result], tmp_path: Path) -> None:
    start = "2027-01-04T23:00:00.000"
    sleep = fitbit_json(
        tmp_path / "sleep-2027-01-05.json", [fitbit_log(7, start, [(start, "light", 7 * 3600)])]
    )
    done = run("import", "fitbit", str(tmp_path))
    assert done.exit_code == 0, done.output
    assert (
        "Imported 2 new sleep record(s) (1 night(s), 2027-01-05 to 2027-01-05) from Fitbit"
        in done.output
    )
    assert "already" in run("import", "fitbit", str(sleep)).output
    csv = tmp_path / "oura.csv"
    csv.write_text(
        "wake_date,in_bed,out_of_bed,asleep_min,source\n2027-01-06,23:00,07:00,420,Oura\n"
    )
    assert "from Oura" in run("import", "sleep-csv", str(csv)).output


def test_a_bad_file_stores_nothing_and_says_why_on_one_line(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    export = apple_health_zip(tmp_path / "export.zip", NIGHTS)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(export.read_bytes()[:-30])
    bad = run("import", "apple-health", str(cut))
    assert bad.exit_code != 0
    assert bad.output.count("\n") == 1
    assert "not a complete zip file" in bad.output
    assert "Would import 5" in run("import", "apple-health", str(export), "--dry-run").output
    assert "give the file" in run("import", "sleep-csv").output
    assert "takes no file" in run("import", "sleep-csv", str(export), "--undo", "1").output


def test_import_devices_lists_sources_and_sets_the_preferred_one(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    """Two sources recorded the same nights: --prefer picks one, --no-prefer clears it."""
    watch = apple_health_zip(tmp_path / "export.zip", NIGHTS)
    phone = tmp_path / "phone.csv"
    rows = [f"2027-01-{d:02},23:00,07:00,300,Phone" for d in range(5, 10)]
    phone.write_text("wake_date,in_bed,out_of_bed,asleep_min,source\n" + "\n".join(rows) + "\n")
    assert run("import", "apple-health", str(watch)).exit_code == 0
    assert run("import", "sleep-csv", str(phone)).exit_code == 0
    listed = run("import", "devices")
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith(
        "Ann's Watch: 5 record(s)\nPhone: 5 record(s)\nNo preferred source:"
    )
    assert "Import 2: sleep-csv phone.csv, 5 record(s), 2027-01-20" in listed.output
    chosen = run("import", "devices", "--prefer", "Phone")
    assert chosen.exit_code == 0, chosen.output
    assert "Phone: 5 record(s) (preferred)\n" in chosen.output
    assert "Preferred on nights two sources recorded: Phone." in chosen.output
    assert "Ann's Watch: 5 record(s)\n" in run("import", "devices").output  # kept
    unknown = run("import", "devices", "--prefer", "Oura")
    assert unknown.exit_code != 0
    assert "no sleep stored from 'Oura'; the sources are: \"Ann's Watch\", 'Phone'" in (
        unknown.output
    )
    assert "(preferred)" in run("import", "devices").output  # the refusal changed nothing
    cleared = run("import", "devices", "--no-prefer")
    assert "(preferred)" not in cleared.output
    assert "No preferred source" in cleared.output
    both = run("import", "devices", "--prefer", "Phone", "--no-prefer")
    assert both.exit_code != 0
    assert "not both" in both.output
