"""`taperline sleep-window show|start|review|set`: the CBT-I course from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pydantic import TypeAdapter

from taperline.cli.main import cli
from taperline.service.sleep_window import SleepWindowOut

START = date(2027, 1, 7)
KEYS = ("time_in_bed_min", "window_start", "window_end", "efficiency_pct", "step_min", "reason")


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Result]:
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}"}

    def invoke(*args: str, on: date = START) -> Result:
        moment = f"{on.isoformat()}T09:00:00+00:00"
        return CliRunner().invoke(cli, list(args), env={**env, "TAPERLINE_NOW": moment})

    assert invoke("init", "--time-zone", "Europe/London", "--no-ask").exit_code == 0
    return invoke


def _night(run: Callable[..., Result], day: date, bed: str, rise: str, sol: int, waso: int) -> None:
    result = run(
        "checkin", "--no-ask", "--date", day.isoformat(), "--bed", bed, "--tried", bed,
        "--final-wake", rise, "--out-of-bed", rise, "--sol-min", str(sol),
        "--waso-min", str(waso), "--awakenings", "1", "--quality", "3",
        "--mood", "6", "--anxiety", "4", on=day,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    TypeAdapter(SleepWindowOut).validate_python(document, strict=True)
    return document


def test_show_start_and_review_a_week_that_widens(run: Callable[..., Result]) -> None:
    for back in range(7):
        _night(run, START - timedelta(days=back), "23:00", "07:00", 45, 70)
    offered = _json(run("sleep-window", "show", "--format", "json"))
    assert offered["status"] == "offered"
    assert offered["diary"]["poor"]
    assert "Start it with `taperline sleep-window start`" in run("sleep-window", "show").output

    started = _json(run("sleep-window", "start", "--rise", "06:30", "--format", "json"))
    assert {k: started[k] for k in KEYS} == {
        "time_in_bed_min": 365,
        "window_start": "00:25",
        "window_end": "06:30",
        "efficiency_pct": 76.0,
        "step_min": 0,
        "reason": "your average sleep over the last 7 nights",
    }
    early = run("sleep-window", "review")
    assert early.exit_code == 2
    assert "reviewed on 2027-01-14" in early.output

    for offset in range(1, 8):
        _night(run, START + timedelta(days=offset), "00:25", "06:30", 10, 10)
    reviewed = _json(run("sleep-window", "review", "--format", "json", on=START + timedelta(7)))
    assert {k: reviewed[k] for k in KEYS} == {
        "time_in_bed_min": 380,
        "window_start": "00:10",
        "window_end": "06:30",
        "efficiency_pct": 94.5,
        "step_min": 15,
        "reason": "you slept 95 % of your time in bed: above 90 %, so 15 min more in bed",
    }
    assert [w["time_in_bed_min"] for w in reviewed["weeks"]] == [365, 380]
    assert reviewed["other_threshold_step_min"] == 15
    text = run("sleep-window", "show", on=START + timedelta(7)).output
    assert "in bed from 00:10 to 06:30 (6 h 20 min)" in text
    assert "[SPIELMAN-1987]" in text  # the CLI reads ids, like a clinician


def test_a_good_sleeper_is_refused_and_a_clinician_sets_the_window(
    run: Callable[..., Result],
) -> None:
    for back in range(7):
        _night(run, START - timedelta(days=back), "23:00", "07:00", 10, 10)
    shown = _json(run("sleep-window", "show", "--format", "json"))
    assert (shown["status"], shown["time_in_bed_min"]) == ("not_offered", None)
    refused = run("sleep-window", "start")
    assert refused.exit_code == 2
    assert "not poor enough" in refused.output
    assert run("sleep-window", "set", "--rise", "06:30", "--time-in-bed-min", "270",
               "--by", "Dr Lee").exit_code == 2  # fmt: skip
    set_ = _json(
        run("sleep-window", "set", "--rise", "06:30", "--time-in-bed-min", "420", "--by",
            "Dr Lee", "--reason", "a trial week", "--format", "json")
    )  # fmt: skip
    assert (set_["status"], set_["set_by"], set_["time_in_bed_min"], set_["reason"]) == (
        "active", "clinician", 420, "a trial week",
    )  # fmt: skip
    assert "by Dr Lee (clinician)" in run("sleep-window", "show").output


def test_a_contraindication_is_named(tmp_path: Path) -> None:
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}"}
    runner = CliRunner()
    assert runner.invoke(
        cli, ["init", "--time-zone", "UTC", "--condition", "epilepsy", "--no-ask"], env=env
    ).exit_code == 0  # fmt: skip
    result = runner.invoke(cli, ["sleep-window", "show"], env=env)
    assert result.exit_code == 0
    assert "not offered with epilepsy or seizures" in result.output
