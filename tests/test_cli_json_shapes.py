"""Every ``--format json`` of the CLI is its shape, the one the API answers with.

Each document's shape is a closed ``TypedDict`` (:mod:`taperline.core.shapes`) beside the
function that builds it; the API names it as its response model, so ``/api/openapi.json``
documents it, and the CLI prints the builder's output. Here every JSON command's output is
validated strictly against its shape: a key the shape lacks, a key missing, or a value of
another type (a string for a number, a float for an integer) fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import TypeAdapter, ValidationError

from taperline.adapters.documents import PlanOut
from taperline.cli.main import cli
from taperline.core.check.documents import CheckOut, LessonOut
from taperline.core.simulation_documents import SimulationOut
from taperline.service.documents import (
    CheckInOut,
    FindingOut,
    PlanVersionOut,
    ProposalOut,
    StatusOut,
)
from taperline.service.sleep_window import SleepWindowOut
from taperline.web.schema import CLI_SHAPES

START = "2027-01-02T10:00:00+00:00"  # the plan's first day
NOW = "2027-01-20T21:00:00+00:00"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """A journal with a plan, check-ins, doses and a questionnaire; runs a command's JSON."""
    folder: Path = tmp_path_factory.mktemp("journal")
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{folder / 'j.db'}"}

    def invoke(*args: str, now: str = NOW) -> Any:
        result = CliRunner().invoke(cli, list(args), env={**env, "TAPERLINE_NOW": now})
        assert result.exit_code == 0, (args, result.output)
        return json.loads(result.output) if "json" in args else result.output

    invoke("init", "--time-zone", "Europe/London", "--no-ask")
    plan = ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "today", "--save")
    invoke(*plan, now=START)
    invoke("plan", "approve", "--by", "Dr Lee", "--reason", "Agreed at the visit.", now=START)
    for day, mood in (("2027-01-18", "6"), ("2027-01-19", "3"), ("2027-01-20", "5")):
        invoke(
            "checkin", "--no-ask", "--date", day, "--bed", "23:00", "--tried", "23:00",
            "--final-wake", "06:30", "--out-of-bed", "06:30",
            "--sol-min", "20", "--waso-min", "15", "--awakenings", "1", "--quality", "3",
            "--mood", mood, "--anxiety", "4", "--symptom", "tremor=1",
        )  # fmt: skip
    # the cut of 2027-01-16 is held (no check-ins before it): the patient stayed on 1 mg, as told
    invoke("log-dose", "--date", "2027-01-19", "--time", "22:10", "--amount", "1 mg")
    invoke("log-dose", "--date", "2027-01-20", "--missed")
    invoke("phq9", "--answers", "0,1,1,0,0,1,0,0,1")  # item 9: an urgent finding
    return invoke


def _valid(shape: Any, document: Any) -> None:
    TypeAdapter(shape).validate_python(document, strict=True)


def _each(shape: Any, documents: list[Any]) -> None:
    assert documents
    for document in documents:
        _valid(shape, document)


def test_status_is_the_api_s_status(run: Callable[..., Any]) -> None:
    _valid(StatusOut, run("status", "--format", "json"))


def test_findings_are_the_api_s_findings(run: Callable[..., Any]) -> None:
    _each(FindingOut, run("findings", "--format", "json"))


def test_journal_check_ins_are_the_api_s_check_ins(run: Callable[..., Any]) -> None:
    _each(CheckInOut, run("journal", "list", "--from", "2027-01-01", "--format", "json"))


def test_plan_versions_are_the_api_s_plan_versions(run: Callable[..., Any]) -> None:
    _each(PlanVersionOut, run("plan", "history", "--format", "json"))


@pytest.mark.parametrize(
    ("shape", "args"),
    [
        (CheckOut, ("check", "clonazepam", "--dose", "0.5 mg", "--at", "22:00")),
        (
            CheckOut,
            (
                "check", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--with", "oxycodon",
                "--with", "gabapentin", "--condition", "glaucoma", "--weeks", "30",
            ),
        ),
        (LessonOut, ("learn", "clonazepam")),
        (LessonOut, ("learn", "Klonopin")),
        (SimulationOut, ("simulate", "clonazepam", "--dose", "0.5 mg", "--at", "22:00")),
        (
            SimulationOut,
            ("simulate", "clonazepam", "--dose", "0.5 mg", "--at", "22:00", "--population", "50"),
        ),
        (PlanOut, ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00")),
        (
            PlanOut,
            (
                "plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--strategy",
                "crossover", "--age", "70",
            ),
        ),
        (PlanOut, ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--strategy",
                   "occupancy")),
    ],
    ids=["check", "check-screened", "learn", "learn-brand", "simulate", "simulate-population",
         "plan", "plan-crossover", "plan-occupancy"],
)  # fmt: skip
def test_every_other_json_command_is_its_shape(
    run: Callable[..., Any], shape: Any, args: tuple[str, ...]
) -> None:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output  # 1: the check asks for the prescriber
    _valid(shape, json.loads(result.output))


def test_the_sleep_window_is_its_shape(run: Callable[..., Any]) -> None:
    """Not offered here (3 nights); tests/test_sleep_window_cli.py checks an active window."""
    _valid(SleepWindowOut, run("sleep-window", "show", "--format", "json"))


def test_the_cli_only_shapes_are_in_the_openapi_components() -> None:
    from taperline.web.schema import with_cli_shapes

    schemas = with_cli_shapes({})["components"]["schemas"]
    for name in CLI_SHAPES:
        assert schemas[name]["additionalProperties"] is False
    assert "ScreeningOut" in schemas  # a shape they use comes with them
    assert schemas["CheckOut"]["properties"]["doses"]["items"] == {
        "$ref": "#/components/schemas/CheckDoseOut"
    }


def test_a_key_the_shape_lacks_is_refused() -> None:
    """The checks above can fail: an extra key is not silently dropped."""
    proposal = {
        "action": "proceed",
        "hold_days": 0,
        "reasons": [],
        "clinician_only": False,
        "status": "proposed",
    }
    _valid(ProposalOut, proposal)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        _valid(ProposalOut, {**proposal, "extra": 1})
    with pytest.raises(ValidationError, match="Field required"):
        _valid(ProposalOut, {k: v for k, v in proposal.items() if k != "status"})
    with pytest.raises(ValidationError, match="valid integer"):
        _valid(ProposalOut, {**proposal, "hold_days": "0"})


@pytest.mark.parametrize(
    "command", ["status", "findings", "journal list", "plan history"], ids=str.split
)
def test_json_of_a_journal_command_imports_neither_pydantic_nor_rich(
    run: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory, command: str
) -> None:
    """The shapes are plain TypedDicts: printing one costs the CLI no pydantic (issue 19)."""
    database = next(tmp_path_factory.getbasetemp().glob("journal*/j.db"))
    code = (
        "import sys\n"
        "from taperline.cli.main import cli\n"
        "try:\n"
        f"    cli({[*command.split(), '--format', 'json']!r}, prog_name='taperline')\n"
        "except SystemExit as stop:\n"
        "    assert not stop.code, stop.code\n"
        "print('LOADED', sorted({'pydantic', 'rich', 'fastapi'} & set(sys.modules)))\n"
    )
    env = {**os.environ, "TAPERLINE_DATABASE_URL": f"sqlite:///{database}", "TAPERLINE_NOW": NOW}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.rstrip().endswith("LOADED []"), out.stdout[-300:]
