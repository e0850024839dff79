"""Readiness before each cut (issue 16, section 4): the service, the CLI and the calendar.

A store, or the CLI on a scratch journal whose plan (approved by "Dr Lee" on its first day,
2027-03-01) cuts first on 2027-03-15 and has no check-ins: on the cut day the check says Hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pydantic import TypeAdapter

from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.cli.main import cli
from taperline.core.quantity import Mass
from taperline.core.readiness import ClinicianDecision
from taperline.core.record import Profile
from taperline.errors import InputError
from taperline.service import build_today, decide_plan
from taperline.service.documents import StatusOut
from tests.support.db import migrate
from tests.support.readiness import CUT, PLAN, SOURCE_IDS

# --- the service on a store ---------------------------------------------------------------

NOW_AT_CUT = datetime(2027, 3, 15, 9, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/readiness.db")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _person(store: Store) -> int:
    at = datetime(2027, 3, 1, 9, tzinfo=UTC)
    pid = store.create_person(Profile("Europe/London", "40-64"), at=at)
    store.add_plan(pid, replace(PLAN, version=1, status="proposed"))
    store.decide(pid, "approve", by="Dr Lee", reason="agreed", at=at)
    return pid


def test_build_today_asks_before_the_new_dose_on_the_cut_day(store: Store) -> None:
    pid = _person(store)
    state = build_today(store.record(pid), CUT)
    assert state.readiness is not None
    assert state.readiness.is_question
    assert [(d.planned.amount, d.ask_first) for d in state.doses] == [(Mass.of_mg("0.875"), True)]
    before = build_today(store.record(pid), CUT - timedelta(days=1))
    assert before.readiness is not None
    assert before.readiness.asks_clinician
    assert not any(d.ask_first for d in before.doses)  # the day before: the dose as it was


def test_proceed_records_who_and_when_and_answers_the_cut(store: Store) -> None:
    pid = _person(store)
    new = decide_plan(store, pid, "proceed", by="Dr Lee", reason="Spoke today", now=NOW_AT_CUT)
    assert (new.status, new.decided_by, new.decided_at) == ("active", "Dr Lee", NOW_AT_CUT)
    assert new.reason == "go ahead with the cut of 2027-03-15: Spoke today"
    assert new.steps == PLAN.steps
    state = build_today(store.record(pid), CUT)
    assert state.readiness is not None
    assert state.readiness.decision == ClinicianDecision("Dr Lee", CUT, new.reason)
    assert not any(d.ask_first for d in state.doses)


def test_proceed_needs_a_cut_in_view_and_a_reason(store: Store) -> None:
    pid = _person(store)
    early = datetime(2027, 3, 5, 9, tzinfo=UTC)
    with pytest.raises(InputError, match="no cut to go ahead with"):
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="ok", now=early)
    with pytest.raises(InputError, match="reason"):
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="  ", now=NOW_AT_CUT)
    assert len(store.plans(pid)) == 2


def test_a_hold_while_the_cut_is_a_question_keeps_the_dose_before_it(store: Store) -> None:
    pid = _person(store)
    later = NOW_AT_CUT + timedelta(days=2)
    held = decide_plan(store, pid, "hold", by="Dr Lee", reason="See me first", now=later)
    assert held.held_from == CUT - timedelta(days=1)
    step = held.step_on(CUT + timedelta(days=2))
    assert step is not None
    assert step.daily == Mass.of_mg(1)
    assert build_today(store.record(pid), CUT + timedelta(days=2)).readiness is None


def test_a_hold_with_no_question_keeps_today_s_dose(store: Store) -> None:
    pid = _person(store)
    now = datetime(2027, 3, 5, 9, tzinfo=UTC)
    held = decide_plan(store, pid, "hold", by="Dr Lee", reason="Exams", now=now)
    assert held.held_from == date(2027, 3, 5)


# --- the CLI -------------------------------------------------------------------------------

BEFORE_CUT = "2027-03-01T10:00:00+00:00"  # the plan's first day; its first cut: 2027-03-15
ON_CUT = "2027-03-15T09:00:00+00:00"


@pytest.fixture
def run(tmp_path: Path) -> Callable[..., Result]:
    """A journal with an approved plan (first cut 2027-03-15) and no check-ins."""
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'j.db'}"}

    def invoke(*args: str, now: str = ON_CUT) -> Result:
        return CliRunner().invoke(cli, list(args), env={**env, "TAPERLINE_NOW": now})

    assert invoke("init", "--time-zone", "Europe/London", "--no-ask", now=BEFORE_CUT).exit_code == 0
    plan = ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "today", "--save")
    assert invoke(*plan, now=BEFORE_CUT).exit_code == 0
    approve = ("plan", "approve", "--by", "Dr Lee", "--reason", "Agreed at the visit.")
    assert invoke(*approve, now=BEFORE_CUT).exit_code == 0
    return invoke


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_cli_plan_approve_records_who_approved(run: Callable[..., Result]) -> None:
    history = _json(run("plan", "history", "--format", "json"))
    assert [(v["status"], v["decided_by"], v["reason"]) for v in history] == [
        ("proposed", None, ""),
        ("active", "Dr Lee", "Agreed at the visit."),
    ]
    assert history[1]["decided_at_utc"].startswith("2027-03-01T10:00:00")
    missing = run("plan", "approve", "--reason", "no name")
    assert missing.exit_code == 2
    assert "--by" in missing.output
    blank = run("plan", "approve", "--by", "  ", "--reason", "no name")
    assert blank.exit_code == 2
    assert "say who" in blank.output
    assert len(_json(run("plan", "history", "--format", "json"))) == 2


def test_cli_status_on_a_cut_day_under_hold_asks_rather_than_instructs(
    run: Callable[..., Result],
) -> None:
    text = run("status")
    assert text.exit_code == 0, text.output
    assert "Before the dose change: Hold" in text.output
    assert "Ask your clinician before this cut" in text.output
    assert "no check-ins in the last 7 days" in text.output
    assert "clonazePAM 0.875 mg  [new dose: ask your clinician first]" in text.output
    assert (
        "Take 1 \N{MULTIPLICATION SIGN} tablet 0.5 mg" not in text.output
    )  # no instruction for the held cut
    block = text.output.split("Before the dose change", 1)[1].split("22:00", 1)[0]
    assert not SOURCE_IDS.search(block)
    document = _json(run("status", "--format", "json"))
    TypeAdapter(StatusOut).validate_python(document, strict=True)
    ready = document["readiness"]
    assert (ready["verdict"], ready["cut_date"], ready["days_to_cut"]) == ("hold", "2027-03-15", 0)
    assert (ready["asks_clinician"], ready["cut_is_question"]) == (True, True)
    assert (ready["from_daily_dose_mg"], ready["to_daily_dose_mg"]) == (1.0, 0.875)
    assert ready["decided_by"] is None
    assert [d["ask_clinician_first"] for d in document["doses_today"]] == [True]
    # the dose to stay on until the clinician answers, and how to log it
    assert [(d["stay_on_amount_mg"], d["stay_on_amount"]) for d in document["doses_today"]] == [
        (1.0, "1 mg")
    ]
    assert "until they decide, stay on 1 mg: taperline log-dose --amount '1 mg'" in text.output
    checkins = next(s for s in ready["signals"] if s["kind"] == "checkins")
    assert (checkins["level"], checkins["source"]) == ("hold", "ASAM-2025")
    assert "taperline's" in checkins["basis"]


def test_cli_status_before_the_window_has_no_readiness(run: Callable[..., Result]) -> None:
    document = _json(run("status", "--format", "json", now="2027-03-11T09:00:00+00:00"))
    assert document["readiness"] is None
    early = _json(run("status", "--format", "json", now="2027-03-12T09:00:00+00:00"))
    assert early["readiness"]["days_to_cut"] == 3
    assert [d["ask_clinician_first"] for d in early["doses_today"]] == [False]


def test_cli_plan_proceed_answers_the_cut(run: Callable[..., Result]) -> None:
    refused = run("plan", "proceed", "--by", "Dr Lee", "--reason", "ok", now=BEFORE_CUT)
    assert refused.exit_code == 2
    assert "no cut to go ahead with" in refused.output
    done = run("plan", "proceed", "--by", "Dr Lee", "--reason", "Spoke by phone.")
    assert done.exit_code == 0, done.output
    assert "go ahead with the cut of 2027-03-15: Spoke by phone." in done.output
    latest = _json(run("plan", "history", "--format", "json"))[-1]
    assert (latest["status"], latest["decided_by"], latest["parent_version"]) == (
        "active",
        "Dr Lee",
        2,
    )
    assert latest["decided_at_utc"].startswith("2027-03-15T09:00:00")
    document = _json(run("status", "--format", "json"))
    ready = document["readiness"]
    assert (ready["verdict"], ready["cut_is_question"]) == ("hold", False)
    assert (ready["decided_by"], ready["decided_on"]) == ("Dr Lee", "2027-03-15")
    assert [d["ask_clinician_first"] for d in document["doses_today"]] == [False]
    assert [d["stay_on_amount"] for d in document["doses_today"]] == [None]
    assert "Take 1 \N{MULTIPLICATION SIGN} tablet 0.5 mg" in run("status").output


def test_cli_plan_hold_on_a_questioned_cut_stays_on_the_dose_before(
    run: Callable[..., Result],
) -> None:
    held = run("plan", "hold", "--by", "Dr Lee", "--reason", "Come and see me first.")
    assert held.exit_code == 0, held.output
    document = _json(run("status", "--format", "json"))
    assert document["plan"]["held_from"] == "2027-03-14"
    assert document["readiness"] is None
    assert [(d["amount"], d["ask_clinician_first"]) for d in document["doses_today"]] == [
        ("1 mg", False)
    ]


def _unfolded(path: Path) -> str:
    """The calendar's text with its folded lines joined (RFC 5545 folds at 75 octets)."""
    return path.read_bytes().decode("utf-8").replace("\r\n ", "")


def _summaries(path: Path) -> list[str]:
    lines = _unfolded(path).splitlines()
    return [line[len("SUMMARY:") :] for line in lines if line.startswith("SUMMARY:")]


def test_ics_under_hold_asks_before_the_cut_and_after_proceed_names_the_dose(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "held.ics"
    assert run("export", "ics", "--out", str(out)).exit_code == 0
    held = _summaries(out)
    assert "Dose change? Ask your clinician before this cut" in held
    assert "clonazePAM 0.875 mg: new dose\\, ask your clinician before this cut" in held
    assert "Dose change: 0.875 mg a day" not in " ".join(held)
    assert "Dose change: clonazePAM 0.75 mg a day" in held  # the next cut is not in view yet
    events = _unfolded(out).split("BEGIN:VEVENT")
    asked = [e for e in events if "new dose\\, ask your clinician" in e]
    assert len(asked) == 1
    assert "stay on 1 mg a day rather than starting the new dose" in asked[0]
    assert "Take 1 \N{MULTIPLICATION SIGN}" not in asked[0]  # no instruction for the held cut
    assert run("plan", "proceed", "--by", "Dr Lee", "--reason", "Agreed.").exit_code == 0
    out2 = tmp_path / "go.ics"
    assert run("export", "ics", "--out", str(out2)).exit_code == 0
    going = _summaries(out2)
    assert "Dose change: clonazePAM 0.875 mg a day" in going
    assert not [s for s in going if "ask your clinician" in s]
    assert "SEQUENCE:3" in _unfolded(out2)  # the new version updates the events
