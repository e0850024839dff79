"""Every dangerous request of ``tests/dangerous_plans.py`` through every door a plan comes in by.

The core (the shared parser and the planner), ``taperline plan``, the clinician's plan builder
form and the JSON API must each refuse a refused case (exit 2, or 422) with the same message,
and plan a flagged case with its warning. Age, conditions and other medicines are options of
the CLI and the patient's profile on the web, set alike for each case.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from taperline.adapters.documents import plan_document
from taperline.catalogue_data import load_catalogue
from taperline.cli.main import cli
from taperline.core.plan import propose
from taperline.core.record import Profile
from taperline.errors import InputError, TaperlineError
from taperline.plan_input import PlanSpec, build_request
from tests.dangerous_plans import CASES, TODAY, Case
from tests.support.web import Site, Web, make_site, share

NOW = datetime.combine(TODAY, time(12, 0), tzinfo=UTC).isoformat()
CASE_IDS = [case.name for case in CASES]
_CLI_OPTIONS = {
    "percent": "--percent",
    "every": "--every",
    "start": "--start",
    "goal": "--goal",
    "stabilise": "--stabilise",
    "products": "--products",
    "cap_pct": "--cap",
    "override_reason": "--override-reason",
    "min_step": "--min-step",
    "final_hold": "--final-hold",
    "ed50": "--ed50",
    "bands": "--bands",
    "custom": "--custom",
    "reason": "--reason",
    "then": "--then",
    "equivalence": "--equivalence",
    "swap_every": "--swap-every",
    "strategy": "--strategy",
    "used_for": "--used-for",
}


def test_the_suite_is_large_and_names_every_door() -> None:
    assert len(CASES) >= 100
    assert len(set(CASE_IDS)) == len(CASE_IDS)
    refused = [c for c in CASES if c.refused and not c.input_error]
    assert len(refused) >= 40
    assert sum(1 for c in CASES if c.flagged) >= 40


# --- the core -----------------------------------------------------------------------------------


def _core(case: Case) -> tuple[str | None, str]:
    """(the refusal message or None, the plan document as text)."""
    spec = PlanSpec(
        drug="clonazepam",
        doses=case.doses,
        age=case.age,
        conditions=case.conditions,
        others=case.others,
        **case.spec_fields,
    )
    try:
        plan = propose(build_request(load_catalogue(), spec, today=TODAY))
    except TaperlineError as error:
        return str(error), ""
    return None, json.dumps(plan_document(plan), ensure_ascii=False)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_core(case: Case) -> None:
    refused, document = _core(case)
    if case.refused is not None:
        assert refused is not None, f"{case.name}: planned, expected refusal"
        assert case.refused in refused, refused
    else:
        assert refused is None, refused
        assert case.flagged in document, case.flagged


# --- taperline plan -------------------------------------------------------------------------


def _cli_args(case: Case) -> list[str]:
    args = ["plan", "clonazepam"]
    for amount, clock in case.doses:
        args += ["--dose", amount, "--at", clock]
    for name, value in case.spec_fields.items():
        if name == "holds":
            for hold in value:
                args += ["--hold", hold]
        elif name == "alternate_days":
            args += ["--alternate-days"] if value else []
        elif name == "auto_liquid":
            args += [] if value else ["--no-auto-liquid"]
        else:
            args += [_CLI_OPTIONS[name], value]
    if case.age is not None:
        args += ["--age", str(case.age)]
    for condition in case.conditions:
        args += ["--condition", condition]
    if case.others:
        args += ["--with", ",".join(case.others)]
    return [*args, "--format", "json"]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_cli(case: Case) -> None:
    result = CliRunner().invoke(cli, _cli_args(case), env={"TAPERLINE_NOW": NOW})
    core, _ = _core(case)
    if case.refused is not None:
        assert result.exit_code == 2, (result.exit_code, result.stdout)
        assert result.stderr.startswith("taperline: error: "), result.stderr
        assert case.refused in result.stderr, result.stderr
        assert core is not None
        assert _same(core, result.stderr.removeprefix("taperline: error: ").strip(), case)
        return
    assert result.exit_code == 0, result.stderr
    assert case.flagged in result.stdout, case.flagged


def _same(core: str, shown: str, case: Case) -> bool:
    """The same message: word for word, or for bad input the same after the field's name."""
    if not case.input_error:
        return shown == core
    return shown.partition(": ")[2] == core.partition(": ")[2] or shown == core


# --- the web form and the JSON API ----------------------------------------------------------


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Web, int]]:
    """A clinician with one shared patient (their profile is set by each case)."""
    path: Path = tmp_path_factory.mktemp("clinic")
    with make_site(path) as site:
        patient = site.patient("pat@example.org", display_name="Pat")
        doctor = site.clinician()
        share(site, patient, doctor)
        yield site, doctor, site.person_id("pat@example.org")


_BANDS = ((18, "under 18"), (40, "18-39"), (65, "40-64"), (80, "65-79"))


def _profile(site: Site, pid: int, case: Case) -> None:
    store = site.services.store
    band = None
    if case.age is not None:
        band = next((b for limit, b in _BANDS if case.age < limit), "80 or over")
    profile: Profile = store.profile(pid)
    store.update_profile(
        pid,
        replace(profile, age_band=band, conditions=case.conditions, other_medicines=case.others),
    )


def _form(case: Case) -> dict[str, Any]:
    fields: dict[str, Any] = {"drug": "clonazepam", "strategy": "percent", "auto_liquid": "on"}
    for i, (amount, clock) in enumerate(case.doses):
        fields[f"dose_{i}"], fields[f"time_{i}"] = amount, clock
    for name, value in case.spec_fields.items():
        if name == "holds":
            fields["holds"] = ", ".join(value)
        elif name in {"alternate_days", "auto_liquid"}:
            if value:
                fields[name] = "on"
            else:
                fields.pop(name, None)
        else:
            fields[name] = value
    return fields


def _body(case: Case) -> dict[str, Any]:
    body: dict[str, Any] = {"doses": [{"amount": a, "time": t} for a, t in case.doses]}
    for name, value in case.spec_fields.items():
        body[name] = list(value) if name == "holds" else value
    return body


@pytest.mark.parametrize("case", [c for c in CASES if len(c.doses) <= 3], ids=lambda c: c.name)
def test_the_web_form(case: Case, clinic: tuple[Site, Web, int]) -> None:
    site, doctor, pid = clinic
    _profile(site, pid, case)
    before = len(site.services.store.plans(pid))
    response = doctor.post(f"/clinician/patients/{pid}/plans", _form(case))
    core, _ = _core(case)
    if case.refused is not None:
        assert response.status_code == 422, response.status_code
        assert core is not None
        shown = _alert(response.text)
        assert case.refused in shown, shown
        assert _same(core, shown, case)
        assert len(site.services.store.plans(pid)) == before  # nothing stored
        return
    assert response.status_code == 303, _alert(response.text)
    saved = site.services.store.plans(pid)[-1]
    stored = json.dumps(
        [saved.warnings, [s.note for s in saved.steps], saved.mark, saved.basis.outside_guideline,
         dict(saved.assumptions), [s.rule for s in saved.steps]],
        ensure_ascii=False,
    )  # fmt: skip
    assert case.flagged in stored or case.flagged in _screened(site, doctor, pid, case), (
        case.flagged
    )


def _alert(page: str) -> str:
    """The message of the page's error box, as text."""
    start = page.index('<p class="error" role="alert"><strong>Please check:</strong> ')
    text = page[start:].split("</strong> ", 1)[1].split("</p>", 1)[0]
    return html.unescape(text)


def _screened(site: Site, doctor: Web, pid: int, case: Case) -> str:
    """The API's preview (its screening holds the info-level findings too)."""
    response = doctor.client.post(f"/api/patients/{pid}/plans/preview", json=_body(case))
    return response.text


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_api(case: Case, clinic: tuple[Site, Web, int]) -> None:
    site, doctor, pid = clinic
    _profile(site, pid, case)
    response = doctor.client.post(f"/api/patients/{pid}/plans/preview", json=_body(case))
    core, _ = _core(case)
    if case.refused is not None:
        assert response.status_code == 422, response.text
        [detail] = response.json()["detail"]
        if detail["loc"][0] == "body":  # a typed field the API's schema refuses first
            assert case.input_error
            assert detail["loc"][1] in case.spec_fields, detail
            return
        assert detail["type"] == ("value_error" if case.input_error else "safety_rule"), detail
        assert case.refused in detail["msg"], detail
        assert core is not None
        assert _same(core, detail["msg"], case)
        return
    assert response.status_code == 200, response.text
    assert case.flagged in response.text, case.flagged


def test_a_refused_proposal_through_the_api_stores_nothing(clinic: tuple[Site, Web, int]) -> None:
    site, doctor, pid = clinic
    before = len(site.services.store.plans(pid))
    body = {"doses": [{"amount": "1 mg", "time": "22:00"}], "cap_pct": "60"}
    response = doctor.client.post(f"/api/patients/{pid}/plans", json=body)
    assert response.status_code == 422
    assert "the cap of 60 %" in response.json()["detail"][0]["msg"]
    assert len(site.services.store.plans(pid)) == before


def test_an_input_error_is_not_a_safety_refusal() -> None:
    for case in CASES:
        if case.input_error:
            refused, _ = _core(case)
            assert refused is not None
            with pytest.raises(InputError):
                propose(
                    build_request(
                        load_catalogue(),
                        PlanSpec(drug="clonazepam", doses=case.doses, **case.spec_fields),
                        today=TODAY,
                    )
                )
