"""The review compares each logged dose with the plan of its own day (issue 18's speed-ups).

The large-dose check works out each distinct day's plan once (a step's doses, the regimen's
before the plan, none on an every-other-day step's off day) and shares it between the days
that follow it; a dose is still compared with the plan of the day it belongs to, whichever
step, regimen or held cut gives it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from taperline.catalogue_data import load_catalogue
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    Regimen,
)
from taperline.core.review import review
from tests.strategies import wall_clock

START = date(2027, 3, 1)
TODAY = START + timedelta(days=20)
AT = datetime(2027, 2, 1, tzinfo=UTC)


def _step(offset: int, mg: str, *, every_other_day: bool = False) -> RecordStep:
    dose = RecordDose("22:00", "clonazepam", Mass.of_mg(mg))
    return RecordStep(START + timedelta(days=offset), (dose,), every_other_day=every_other_day)


def _taken(offset: int, mg: str, drug: str = "clonazepam") -> DoseRecord:
    day = START + timedelta(days=offset)
    at = wall_clock(day.year, day.month, day.day, 22, 5)
    return DoseRecord(day, drug, "22:00", None, at, Mass.of_mg(mg))


PLAN = PlanVersion(
    1,
    "active",
    "clonazepam",
    "percent",
    (_step(0, "0.75"), _step(7, "0.5"), _step(14, "0.25", every_other_day=True)),
    "Dr A",
    AT,
)
REGIMEN = Regimen.of("clonazepam", [("22:00", Mass.of_mg(1))])
DOSES = (
    _taken(-1, "0.875"),  # the regimen's day: 1 mg planned, not above
    _taken(1, "0.875"),  # the first step: 0.75 mg, above
    _taken(2, "0.6", "Klonopin"),  # 0.75 mg, not above (a brand is the same drug)
    _taken(8, "0.875", "Klonopin"),  # the second step: 0.5 mg, above
    _taken(9, "0.6"),  # 0.5 mg, above
    _taken(14, "0.875"),  # every other day, a day on: 0.25 mg, above
    _taken(15, "0.875"),  # a day off: nothing planned, not compared
    _taken(16, "0.2"),  # a day on: 0.25 mg, not above
)


def _single_dose_days(record: PersonRecord, held: tuple[date, date] | None = None) -> list[int]:
    spans = (held,) if held is not None else ()
    result = review(record, TODAY, catalogue=load_catalogue(), held_days=spans)
    return [
        (e.day - START).days
        for f in result.findings
        if f.kind == "large_dose"
        for e in f.evidence
        if e.label == "single dose"
    ]


def test_each_dose_is_compared_with_the_plan_of_its_own_day() -> None:
    record = PersonRecord(Profile("UTC", regimen=REGIMEN), doses=DOSES, plans=(PLAN,))
    assert _single_dose_days(record) == [1, 8, 9, 14]


def test_on_held_days_the_dose_before_the_held_cut_is_the_plan() -> None:
    record = PersonRecord(Profile("UTC", regimen=REGIMEN), doses=DOSES, plans=(PLAN,))
    held = (START + timedelta(days=7), START + timedelta(days=9))  # the second step held
    # days 8 and 9 compare with the 0.75 mg before the cut: 0.875 above it, 0.6 not
    assert _single_dose_days(record, held) == [1, 8, 14]


def test_the_evidence_names_each_day_s_own_planned_dose() -> None:
    """The same amount above three steps' doses: each day's words name its own step's."""
    record = PersonRecord(Profile("UTC", regimen=REGIMEN), doses=DOSES, plans=(PLAN,))
    result = review(record, TODAY, catalogue=load_catalogue())
    said = {
        (f.kind, (e.day - START).days): e.value
        for f in result.findings
        if f.kind in {"large_dose", "escalation"}
        for e in f.evidence
    }
    single = "clonazePAM {} mg in one dose, {} mg planned for the whole day"
    assert said == {
        ("large_dose", 1): single.format("0.875", "0.75"),
        ("large_dose", 8): single.format("0.875", "0.5"),
        ("large_dose", 9): single.format("0.6", "0.5"),
        ("large_dose", 14): single.format("0.875", "0.25"),
        ("escalation", 1): "0.875 mg taken, 0.75 mg planned",
        ("escalation", 8): "0.875 mg taken, 0.5 mg planned",
        ("escalation", 9): "0.6 mg taken, 0.5 mg planned",
        ("escalation", 14): "0.875 mg taken, 0.25 mg planned",
        ("escalation", 15): "0.875 mg taken, 0 mg planned",  # a day off: nothing planned
    }
