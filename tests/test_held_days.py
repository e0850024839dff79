"""Staying on the dose before a held cut, as told, is not "more taken than planned".

While the readiness check holds a cut and no clinician has answered, the patient is asked to
stay on the dose before it (:func:`taperline.core.readiness.held_days`); the review then
compares those days with that dose (``review(held_days=...)``), and the check itself never
reads escalation on or after the cut day, so it does not depend on its own answer.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from taperline.core.readiness import check_readiness, held_days
from taperline.core.record import DoseRecord, PersonRecord
from taperline.core.review import HeldSpan, review
from tests.strategies import ReadinessCase, readiness_cases

_ABOVE_PLAN = {"escalation", "large_dose"}


def _taking(case: ReadinessCase, stays: list[bool]) -> PersonRecord:
    """The record with a 22:00 dose taken on each day from the cut: the dose before or after."""
    plan = case.record.plan
    assert plan is not None
    before, after = plan.steps[0].doses[0], plan.steps[1].doses[0]
    missed = {d.day for d in case.record.doses}
    days = [case.cut + timedelta(days=n) for n in range((case.today - case.cut).days + 1)]
    taken = tuple(
        DoseRecord(
            day,
            "clonazepam",
            "22:00",
            after.amount,
            datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=22),
            (before if stay else after).amount,
        )
        for day, stay in zip(days, stays, strict=False)
        if day not in missed
    )
    return replace(case.record, doses=(*case.record.doses, *taken))


def _above_plan_days(record: PersonRecord, today: date, held: tuple[HeldSpan, ...]) -> set:
    result = review(record, today, held_days=held)
    return {e.day for f in result.findings if f.kind in _ABOVE_PLAN for e in f.evidence}


@given(readiness_cases(st.integers(0, 6)), st.lists(st.booleans(), min_size=7, max_size=7))
def test_the_dose_before_a_held_cut_is_expected_until_a_clinician_answers(
    case: ReadinessCase, stays: list[bool]
) -> None:
    record = _taking(case, stays)
    naive = review(record, case.today)
    decisions = (case.decision,) if case.decision is not None else ()
    held = held_days(record, case.today, naive, decisions)
    asked = check_readiness(record, case.today, naive)  # nobody's answer
    if asked is None or not asked.asks_clinician:
        assert held == ()
    elif held == ():  # held, but a clinician answered before the cut day
        assert case.decision is not None
        assert case.decision.on < case.cut
    else:  # from the cut day to the answer's day, or to today
        ((first, last, cut),) = held  # nothing logged says otherwise: the cut's own days
        assert first == cut == case.cut
        assert case.cut <= last <= case.today
        assert last == case.today or (case.decision is not None and last == case.decision.on)
    days = _above_plan_days(record, case.today, held)
    stayed = {d.day for d in record.doses if d.amount is not None and d.amount > d.planned_amount}
    for day in stayed:
        on_hold = any(span.first <= day <= span.last for span in held)
        # on a held day the dose before is what was asked; on any other day it is more
        assert (day in days) is not on_hold, (day, held)
    # the check reads nothing the held days change: the same signals either way
    final = review(record, case.today, held_days=held)
    shown = check_readiness(record, case.today, final, decision=case.decision)
    assert shown == check_readiness(record, case.today, naive, decision=case.decision)
