"""Readiness before each cut (issue 16, section 4): the core check.

Properties over :func:`tests.strategies.readiness_cases` (any record around a cut), then
examples of each signal. The service, the CLI and the calendar: ``test_readiness_service.py``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.readiness import (
    ClinicianDecision,
    ReadinessRules,
    check_readiness,
    cut_in_view,
    verdict_of,
)
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    Profile,
)
from taperline.errors import InputError
from tests.strategies import ReadinessCase, readiness_cases, window_offsets
from tests.support.readiness import CUT, PLAN, SOURCE_IDS, START

RULES = ReadinessRules()


def _check(case: ReadinessCase) -> Any:
    return check_readiness(case.record, case.today, decision=case.decision)


def _red_flag_days(case: ReadinessCase) -> list[date]:
    return [c.wake_date for c in case.record.checkins if c.events]


# --- the core: properties -------------------------------------------------------------------


@pytest.mark.slow
@given(readiness_cases())
def test_proceed_only_when_every_signal_is_clear(case: ReadinessCase) -> None:
    found = _check(case)
    if found is None:
        return
    clear = all(s.level == "clear" for s in found.signals)
    assert (found.verdict == "proceed") == clear
    assert found.verdict == verdict_of(s.level for s in found.signals)
    assert {s.kind for s in found.signals} == {
        "checkins",
        "red_flag",
        "flare",
        "escalation",
        "interdose",
        "missed_doses",
    }


@pytest.mark.slow
@given(readiness_cases(window_offsets))
def test_a_red_flag_before_the_cut_always_holds(case: ReadinessCase) -> None:
    found = _check(case)
    assert found is not None  # within the window there is always a check
    start = case.cut - timedelta(days=RULES.lookback_days)
    if any(start <= day <= case.today for day in _red_flag_days(case)):
        assert found.verdict == "hold"
        assert next(s for s in found.signals if s.kind == "red_flag").level == "hold"


@pytest.mark.slow
@given(readiness_cases())
def test_no_check_ins_in_the_week_is_never_proceed(case: ReadinessCase) -> None:
    as_of = min(case.today, case.cut)
    first = as_of - timedelta(days=RULES.window_days - 1)
    kept = tuple(c for c in case.record.checkins if not first <= c.wake_date <= as_of)
    record = replace(case.record, checkins=kept)
    found = check_readiness(record, case.today, decision=case.decision)
    if found is not None:
        assert found.verdict == "hold"
        assert next(s for s in found.signals if s.kind == "checkins").level == "hold"


@pytest.mark.slow
@given(readiness_cases(window_offsets))
def test_a_clinician_s_answer_in_the_window_stands_until_a_later_red_flag(
    case: ReadinessCase,
) -> None:
    found = _check(case)
    assert found is not None
    decision = case.decision
    in_window = decision is not None and decision.on >= case.cut - timedelta(RULES.lead_days)
    later_flag = decision is not None and any(d > decision.on for d in _red_flag_days(case))
    assert (found.decision is not None) == (in_window and not later_flag)
    if found.decision is not None:
        assert not found.asks_clinician
        assert not found.is_question
    assert found.asks_clinician == (found.verdict == "hold" and found.decision is None)
    assert found.is_question == (found.asks_clinician and case.today >= case.cut)


@pytest.mark.slow
@given(readiness_cases(st.integers(1, 10)))
def test_after_the_cut_day_only_an_open_question_is_shown(case: ReadinessCase) -> None:
    found = _check(case)
    assert found is None or (found.is_question and found.cut == case.cut)


@pytest.mark.slow
@given(readiness_cases(st.integers(-13, -RULES.lead_days - 1)))
def test_nothing_is_shown_before_the_window_of_the_first_cut(case: ReadinessCase) -> None:
    assert _check(case) is None


@pytest.mark.slow
@given(readiness_cases())
def test_the_patient_s_words_name_no_source_and_the_clinician_s_do(case: ReadinessCase) -> None:
    found = _check(case)
    if found is None:
        return
    assert not SOURCE_IDS.search(found.patient_message())
    for signal in found.signals:
        assert not SOURCE_IDS.search(signal.patient)
        assert SOURCE_IDS.search(signal.source)
    assert all(re.search(r"\[[A-Z]", line) for line in found.clinician_lines())
    assert ("Ask your clinician before this cut" in found.patient_message()) == (
        found.asks_clinician
    )


# --- the core: examples -------------------------------------------------------------------


def _days(first: date, last: date, **values: Any) -> tuple[CheckIn, ...]:
    count = (last - first).days + 1
    fields = {"mood": 6, "anxiety": 3, **values}
    return tuple(CheckIn(first + timedelta(days=n), None, **fields) for n in range(count))


def _missed(*days: date) -> tuple[DoseRecord, ...]:
    return tuple(DoseRecord(d, "clonazepam", "22:00", None, None, None) for d in days)


def _levels(found: Any) -> dict[str, str]:
    return {s.kind: s.level for s in found.signals}


def test_a_week_of_check_ins_and_nothing_else_proceeds() -> None:
    record = PersonRecord(Profile("UTC"), _days(CUT - timedelta(days=10), CUT), plans=(PLAN,))
    found = check_readiness(record, CUT)
    assert found is not None
    assert found.verdict == "proceed"
    assert "If you feel ready" in found.patient_message()


@pytest.mark.parametrize(
    ("count", "level"), [(0, "clear"), (1, "caution"), (2, "caution"), (3, "hold")]
)
def test_missed_doses_give_caution_then_hold(count: int, level: str) -> None:
    missed = _missed(*(CUT - timedelta(days=n + 1) for n in range(count)))
    checkins = _days(CUT - timedelta(days=10), CUT - timedelta(days=1))
    record = PersonRecord(Profile("UTC"), checkins, missed, plans=(PLAN,))
    found = check_readiness(record, CUT - timedelta(days=1))
    assert found is not None
    assert _levels(found)["missed_doses"] == level


@pytest.mark.parametrize(
    ("count", "level"),
    [(7, "clear"), (5, "clear"), (4, "caution"), (2, "caution"), (1, "hold"), (0, "hold")],
)
def test_check_ins_in_the_week(count: int, level: str) -> None:
    checkins = _days(CUT - timedelta(days=count - 1), CUT) if count else ()
    found = check_readiness(PersonRecord(Profile("UTC"), checkins, plans=(PLAN,)), CUT)
    assert found is not None
    assert _levels(found)["checkins"] == level


def test_interdose_symptoms_give_caution() -> None:
    # A 22:00 dose is lowest at 22:00 (the doctest of trough_hour): the evening. Only days
    # with symptoms clearly above the good days count (issue 17): a calm week, then a bad one.
    calm = _days(START, CUT - timedelta(days=9))
    worse = _days(CUT - timedelta(days=8), CUT - timedelta(days=1), mood=3, worst_time="evening")
    found = check_readiness(PersonRecord(Profile("UTC"), (*calm, *worse), plans=(PLAN,)), CUT)
    assert found is not None
    assert _levels(found)["interdose"] == "caution"
    assert found.verdict == "caution"
    assert "withdrawal between doses" in found.patient_message()


def test_a_flare_after_the_last_cut_holds_the_next() -> None:
    second = CUT + timedelta(days=14)
    calm = _days(START, CUT - timedelta(days=1))
    bad = _days(CUT + timedelta(days=2), CUT + timedelta(days=5), mood=1, anxiety=9)
    after = _days(CUT + timedelta(days=6), second - timedelta(days=1))
    record = PersonRecord(Profile("UTC"), (*calm, *bad, *after), plans=(PLAN,))
    found = check_readiness(record, second - timedelta(days=2))
    assert found is not None
    assert found.cut == second
    assert _levels(found)["flare"] == "hold"
    assert "your symptoms flared" in found.patient_message()


def test_more_taken_than_planned_holds() -> None:
    day = CUT - timedelta(days=2)
    taken = datetime.combine(day, time(22))
    extra = DoseRecord(day, "clonazepam", "22:00", Mass.of_mg(1), taken, Mass.of_mg(2))
    checkins = _days(CUT - timedelta(days=8), CUT - timedelta(days=1))
    record = PersonRecord(Profile("UTC"), checkins, (extra,), plans=(PLAN,))
    found = check_readiness(record, CUT - timedelta(days=1))
    assert found is not None
    assert _levels(found)["escalation"] == "hold"


def test_a_held_or_proposed_plan_has_no_cut_to_check() -> None:
    for status in ("held", "proposed"):
        plan = replace(PLAN, status=status)
        assert cut_in_view(plan, CUT) is None
    assert cut_in_view(PLAN, CUT - timedelta(days=RULES.lead_days)) == CUT
    assert cut_in_view(PLAN, CUT - timedelta(days=RULES.lead_days + 1)) is None


def test_the_cut_day_under_hold_is_a_question_with_the_dose_before_it() -> None:
    record = PersonRecord(Profile("UTC"), plans=(PLAN,))  # no check-ins at all
    found = check_readiness(record, CUT)
    assert found is not None
    assert (found.verdict, found.is_question) == ("hold", True)
    message = found.patient_message()
    assert "Your plan changes your dose today (Mon 15 Mar)" in message
    assert "stay on 1 mg a day rather than starting the new dose" in message
    assert found.in_cut(PLAN.steps[1].doses[0])
    assert not found.in_cut(PLAN.steps[0].doses[0])
    later = check_readiness(record, CUT + timedelta(days=4))
    assert later is not None
    assert later.is_question
    assert "Your plan changed your dose on Mon 15 Mar" in later.patient_message()
    answered = check_readiness(record, CUT, decision=ClinicianDecision("Dr Lee", CUT))
    assert answered is not None
    assert not answered.is_question
    assert "Your clinician (Dr Lee) decided on Mon 15 Mar to go ahead" in (
        answered.patient_message()
    )
    assert check_readiness(record, CUT + timedelta(days=1), decision=answered.decision) is None


def test_a_decision_before_the_window_does_not_answer() -> None:
    record = PersonRecord(Profile("UTC"), plans=(PLAN,))
    early = ClinicianDecision("Dr Lee", CUT - timedelta(days=RULES.lead_days + 1))
    found = check_readiness(record, CUT, decision=early)
    assert found is not None
    assert found.decision is None
    assert found.is_question


@pytest.mark.parametrize(
    "changes",
    [
        {"lead_days": 0},
        {"checkins_for_caution": 6},
        {"checkins_for_clear": 8},
        {"missed_for_hold": 0},
    ],
)
def test_readiness_rules_are_checked(changes: dict[str, int]) -> None:
    with pytest.raises(InputError):
        ReadinessRules(**changes)
