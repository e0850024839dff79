"""The realistic record the report tests draw (``tests/test_report.py``, ``test_charts.py``,
``test_report_columns.py``).

A 10 %-every-14-days clonazepam taper from the real planner with 90 days of check-ins: a
flare after the 2027-02-15 cut, a missed and a late dose, weekly PHQ-9 and GAD-7 (one PHQ-9
with item 9 = 1: a red flag). Made from fixed dates and a repeatable wobble: no random state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from taperline.catalogue_data import load_catalogue
from taperline.core.instruments import InstrumentScore, score_gad7, score_phq9
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.plan import PlanRequest, propose
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, PlanVersion, Profile, plan_steps
from taperline.core.regimen import ScheduledDose
from taperline.core.strategies import Strategy

START = date(2027, 1, 4)
TODAY = START + timedelta(days=89)  # 2027-04-03: 90 days of check-ins
FLARE_CUT = date(2027, 2, 15)
FLARE_DAYS = {FLARE_CUT + timedelta(days=k) for k in (2, 3, 4, 5)}
MISSED = date(2027, 3, 5)
LATE = date(2027, 3, 10)
RED_FLAG_DAY = date(2027, 3, 25)
GENERATED = datetime(2027, 4, 3, 9, 30, tzinfo=UTC)
LABEL = "Person K-17"


def _plan() -> PlanVersion:
    drug = load_catalogue().get("clonazepam")
    request = PlanRequest(
        drug=drug,
        regimen=(ScheduledDose(22.0, Mass.of_mg(1)),),
        start=START,
        strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
    )
    plan = propose(request)
    steps, supply = plan_steps(plan)
    return PlanVersion(
        version=2,
        status="active",
        drug="clonazepam",
        strategy=plan.strategy,
        steps=steps,
        proposed_by="Dr Example",
        proposed_at=datetime(2027, 1, 2, 10, tzinfo=UTC),
        reason="agreed at the visit",
        decided_by="Dr Example",
        decided_at=datetime(2027, 1, 3, 10, tzinfo=UTC),
        parent_version=1,
        supply=supply,
        warnings=plan.warnings,
        assumptions=plan.assumptions,
    )


def _noise(day: date, spread: int) -> int:
    """A repeatable day-to-day wobble in 0..spread-1 (no random state in tests)."""
    return (day.toordinal() * 7919 + 13) % 104729 % spread


def _checkin(day: date) -> CheckIn:
    flare = day in FLARE_DAYS
    rebound = day == MISSED + timedelta(days=1)
    sol, waso = 10 + 3 * _noise(day, 7), 15 + 4 * _noise(day + timedelta(1), 6)
    if flare:
        sol, waso = 50 + 5 * _noise(day, 3), 60
    if rebound:
        sol, waso = 75, 90
    sleep = SleepDiary(*night_times(day), sol_min=sol, waso_min=waso, awakenings=2, quality=3)
    symptoms = {"anxiety": 2, "insomnia": 3, "tremor": 2, "sweating": 1} if flare else {}
    return CheckIn(
        day,
        sleep,
        mood=3 if flare else 6 + _noise(day, 2),
        anxiety=7 if flare else 3 + _noise(day + timedelta(2), 2),
        symptoms=symptoms or {"insomnia": _noise(day + timedelta(3), 2)},
        worst_time="evening" if flare else None,
        alcohol_drinks=2 if day == date(2027, 3, 13) else 0,
    )


def _dose(day: date, plan: PlanVersion) -> DoseRecord:
    step = plan.step_on(day)
    assert step is not None
    planned = step.daily
    if day == MISSED:
        return DoseRecord(day, "clonazepam", "22:00", planned, None, None, note="fell asleep")
    taken_at = datetime.combine(day, datetime.min.time()) + timedelta(hours=22, minutes=5)
    if day == LATE:
        taken_at += timedelta(hours=2, minutes=40)
    return DoseRecord(day, "clonazepam", "22:00", planned, taken_at, planned, "1 dose")


def _scores() -> tuple[InstrumentScore, ...]:
    scores = []
    for week in range(13):
        day = START + timedelta(days=7 * week + 3)
        red_flag = day == RED_FLAG_DAY  # PHQ-9 item 9 (the last) answered 1
        phq = [2, 2, 2, 1, 1, 1, 1, 1, 1] if red_flag else [1, 1, 1, 0, 1, 0, 1, 0, 0]
        scores.append(score_phq9(phq, taken_on=day))
        scores.append(score_gad7([1, 1, 1, 1, 0, 1, 0 if week % 3 else 1], taken_on=day))
    return tuple(scores)


def realistic_record() -> PersonRecord:
    plan = _plan()
    days = [START + timedelta(days=k) for k in range(90)]
    return PersonRecord(
        profile=Profile("Europe/London", "40-64", ("insomnia",), ("sertraline",), LABEL),
        checkins=tuple(_checkin(d) for d in days),
        doses=tuple(_dose(d, plan) for d in days),
        scores=_scores(),
        plans=(plan,),
    )
