"""Every-other-day steps: a dose taken on an off day is more than the plan gives that day.

An every-other-day step (the end of a long half-life taper, [ASHTON]) plans its dose on its
first day and every second day after, and nothing in between (``schedule_on``). The review
compared each day's total with the step's dose whatever the day, so a dose taken on every
off day as well (twice what the plan gives) was never 'more taken than planned'. Now an off
day is planned at 0 mg: through the review (every page, the CLI and the API read it) and on a
held cut's days, which stay on the dose before the cut as before.
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

DAILY, ALTERNATE = date(2027, 12, 1), date(2027, 12, 15)
END = date(2027, 12, 29)  # the stop: no doses from here


def _step(day: date, mg: str | None, *, alternate: bool = False) -> RecordStep:
    doses = (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),) if mg else ()
    return RecordStep(day, doses, every_other_day=alternate)


def _plan() -> PlanVersion:
    """0.125 mg a day, then every other day from the 15th, then stop on the 29th; approved
    on 30 Nov. The same dose either side of the 15th: no cut, no readiness check."""
    steps = (_step(DAILY, "0.125"), _step(ALTERNATE, "0.125", alternate=True), _step(END, None))
    at = datetime(2027, 11, 30, 9, tzinfo=UTC)
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


def _record(days: list[date]) -> PersonRecord:
    doses = tuple(_taken(d, planned=not _off(d)) for d in days)
    return PersonRecord(Profile("UTC"), doses=doses, plans=(_plan(),))


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
