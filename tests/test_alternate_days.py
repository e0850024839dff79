"""Every-other-day steps: the move to one is a cut; a dose on an off day is more than planned.

An every-other-day step (the end of a long half-life taper, [ASHTON]) plans its dose on its
first day and every second day after, and nothing in between (``schedule_on``). The review
compared each day's total with the step's dose whatever the day, so a dose taken on every
off day as well (twice what the plan gives) was never 'more taken than planned'; and the move
from a dose a day to the same dose every other day (half of it a day on average, as the rules
engine counts it) was no cut, so no readiness check came before it. Now an off day is
planned at 0 mg, and the move is a cut with its readiness check, held like any other: through
the review (every page, the CLI and the API read it).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from taperline.cli.main import cli
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
)
from taperline.service import open_store
from taperline.service.store import review_as_of
from taperline.service.today import readiness_of

DAILY, ALTERNATE = date(2027, 12, 1), date(2027, 12, 15)
END = date(2027, 12, 29)  # the stop: no doses from here


def _step(day: date, mg: str | None, *, alternate: bool = False) -> RecordStep:
    doses = (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),) if mg else ()
    return RecordStep(day, doses, every_other_day=alternate)


def _plan(decided: date = date(2027, 12, 13)) -> PlanVersion:
    """0.125 mg a day, then every other day from the 15th (a cut), then stop on the 29th;
    approved on ``decided`` (the 13th is in the cut's readiness window: it answers the cut)."""
    steps = (_step(DAILY, "0.125"), _step(ALTERNATE, "0.125", alternate=True), _step(END, None))
    at = datetime.combine(decided, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    return PlanVersion(
        2, "active", "clonazepam", "percent", steps, "patient", at - timedelta(days=1),
        decided_by="Dr Lee", decided_at=at,
    )  # fmt: skip


def _taken(day: date, *, planned: bool) -> DoseRecord:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=22)
    if planned:
        return DoseRecord(day, "clonazepam", "22:00", Mass.of_mg("0.125"), at, Mass.of_mg("0.125"))
    return DoseRecord(day, "clonazepam", None, None, at, Mass.of_mg("0.125"))  # an extra dose


def _off(day: date) -> bool:
    return ALTERNATE <= day < END and (day - ALTERNATE).days % 2 == 1


def _record(days: list[date], decided: date = date(2027, 12, 13)) -> PersonRecord:
    doses = tuple(_taken(d, planned=not _off(d)) for d in days)
    return PersonRecord(Profile("UTC"), doses=doses, plans=(_plan(decided),))


def _escalated(record: PersonRecord, today: date) -> list[tuple[date, str]]:
    found = [f for f in review_as_of(record, today).findings if f.kind == "escalation"]
    return [(e.day, e.value) for f in found for e in f.evidence]


def test_a_dose_on_every_off_day_is_more_than_planned_on_each() -> None:
    days = [DAILY + timedelta(days=n) for n in range((END - DAILY).days)]
    today = END - timedelta(days=1)
    assert _escalated(_record(days), today) == [
        (d, "0.125 mg taken, 0 mg planned") for d in days if _off(d)
    ]


def test_the_plan_taken_as_written_is_not_more_than_planned() -> None:
    every = [DAILY + timedelta(days=n) for n in range((END - DAILY).days)]
    days = [d for d in every if not _off(d)]
    assert _escalated(_record(days), END - timedelta(days=1)) == []


@given(st.sets(st.integers(0, (END - DAILY).days - 1)), st.integers(0, 40))
def test_exactly_the_off_days_with_a_dose_are_more_than_planned(
    taken: set[int], today_offset: int
) -> None:
    days = sorted(DAILY + timedelta(days=n) for n in taken)
    today = DAILY + timedelta(days=today_offset)
    expected = [d for d in days if _off(d) and d <= today]
    assert [day for day, _ in _escalated(_record(days), today)] == expected


def test_the_cli_findings_name_the_off_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    days = [ALTERNATE + timedelta(days=n) for n in range(4)]  # on, off, on, off
    open_store(url).import_record(_record(days))
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": "2027-12-19T09:00+00:00"}
    result = CliRunner().invoke(cli, ["findings", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    (found,) = [f for f in json.loads(result.stdout) if f["kind"] == "escalation"]
    assert [e["value"] for e in found["evidence"]] == ["0.125 mg taken, 0 mg planned"] * 2
    assert len(found["evidence"]) == 2


def test_the_move_to_every_other_day_is_a_cut_with_its_readiness_check() -> None:
    """Approved on 30 Nov (before the window), no check-ins: Hold, and a question from the 15th."""
    record = _record([], decided=date(2027, 11, 30))
    before = readiness_of(record, ALTERNATE - timedelta(days=2))
    assert before is not None
    assert before.cut == ALTERNATE
    assert before.verdict == "hold"
    on_the_day = readiness_of(record, ALTERNATE + timedelta(days=1))
    assert on_the_day is not None
    assert on_the_day.is_question
    message = on_the_day.patient_message()
    assert "from 0.125 mg a day to 0.125 mg every other day" in message
    assert "stay on 0.125 mg a day rather than starting the new dose" in message


def test_while_the_move_is_held_a_dose_each_day_is_staying_on_as_told() -> None:
    """Nobody answered the Hold: a dose every day is what the patient was asked to do."""
    days = [DAILY + timedelta(days=n) for n in range(21)]
    assert _escalated(_record(days, decided=date(2027, 11, 30)), days[-1]) == []


def test_the_cli_status_asks_before_the_move_to_every_other_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    open_store(url).import_record(_record([], decided=date(2027, 11, 30)))
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": "2027-12-16T08:00+00:00"}
    result = CliRunner().invoke(cli, ["status"], env=env)
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())
    assert "Before the dose change: Hold" in words
    assert "to 0.125 mg every other day" in words
    assert "stay on 0.125 mg a day" in words
