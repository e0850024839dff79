"""The CLI's JSON documents are the API's: each validates against its OpenAPI model.

The API's output models forbid extra keys, so a CLI document with a key the model lacks, or
without one it requires, fails here; the OpenAPI schema (``/api/openapi.json``) then
documents these ``--format json`` outputs too (the README says which).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from taperline.cli.main import cli
from taperline.web import api_models as m

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
            "checkin", "--no-ask", "--date", day, "--bed", "23:00", "--final-wake", "06:30",
            "--sol-min", "20", "--waso-min", "15", "--awakenings", "1", "--quality", "3",
            "--mood", mood, "--anxiety", "4", "--symptom", "tremor=1",
        )  # fmt: skip
    invoke("log-dose", "--date", "2027-01-19", "--time", "22:10")
    invoke("log-dose", "--date", "2027-01-20", "--missed")
    invoke("phq9", "--answers", "0,1,1,0,0,1,0,0,0")
    return invoke


def _each(model: type[BaseModel], documents: list[Any]) -> None:
    assert documents
    for document in documents:
        model.model_validate(document)


def test_status_is_the_api_s_status(run: Callable[..., Any]) -> None:
    m.StatusOut.model_validate(run("status", "--format", "json"))


def test_findings_are_the_api_s_findings(run: Callable[..., Any]) -> None:
    findings = run("findings", "--format", "json")
    for finding in findings:
        m.FindingOut.model_validate(finding)


def test_journal_check_ins_are_the_api_s_check_ins(run: Callable[..., Any]) -> None:
    _each(m.CheckInOut, run("journal", "list", "--from", "2027-01-01", "--format", "json"))


def test_plan_versions_are_the_api_s_plan_versions(run: Callable[..., Any]) -> None:
    _each(m.PlanVersionOut, run("plan", "history", "--format", "json"))


def test_a_key_the_model_lacks_is_refused() -> None:
    """The check above can fail: an extra key is not silently dropped."""
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        m.ProposalOut.model_validate(
            {
                "action": "proceed",
                "hold_days": 0,
                "reasons": [],
                "clinician_only": False,
                "status": "proposed",
                "extra": 1,
            }
        )
