"""A finding cites only what the person gave: no value that was left out is ever evidence.

Issue 16 (section 6): over journals where any check-in may lack its night, its worst time of
day or its symptoms, and doses may be logged, missed or not logged at all, every piece of
evidence of every finding must rest on a value that is in the record for that day. A new
evidence label fails here until it says what it rests on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.findings import Evidence
from taperline.core.journal import CheckIn
from taperline.core.record import PersonRecord, PlanVersion, Profile
from taperline.core.review import review
from tests.strategies import ReadinessCase, _step, readiness_cases

#: Journals around a cut: today from 5 days before it to 30 after.
CASES: Final = readiness_cases(st.integers(-5, 30))


def _on_day(record: PersonRecord, evidence: Evidence) -> CheckIn | None:
    return next((c for c in record.checkins if c.wake_date == evidence.day), None)


def _dose_logged(record: PersonRecord, evidence: Evidence) -> bool:
    # a dose problem rests on the dose log of that day, or the check-in's own doses
    checkin = _on_day(record, evidence)
    logged = any(d.day == evidence.day for d in record.doses)
    return logged or (checkin is not None and bool(checkin.doses))


#: What each evidence label rests on: a check of the record for the evidence's day.
RESTS_ON: Final[dict[str, Callable[[PersonRecord, Evidence, CheckIn | None], bool]]] = {
    "sleep efficiency %": lambda r, e, c: c is not None and c.sleep is not None,
    "worst time": lambda r, e, c: c is not None and c.worst_time == e.value,
    "symptom score": lambda r, e, c: c is not None and c.symptoms_rated,
    "event": lambda r, e, c: c is not None and e.value in c.events,
    "alcohol drinks": lambda r, e, c: c is not None and c.alcohol_drinks > 0,
    "opioid": lambda r, e, c: c is not None and c.opioid_use,
    "notes": lambda r, e, c: c is not None and bool(c.notes),
    "dose": lambda r, e, c: _dose_logged(r, e),
    "daily dose": lambda r, e, c: _dose_logged(r, e),
    "daily total": lambda r, e, c: _dose_logged(r, e),
    "single dose": lambda r, e, c: _dose_logged(r, e),
    "profile condition": lambda r, e, c: e.value in r.profile.conditions,
    "profile medicine": lambda r, e, c: e.value in r.profile.other_medicines,
}


def _given(record: PersonRecord, evidence: Evidence) -> bool:
    """Whether the value ``evidence`` cites is in ``record`` (on its day)."""
    check = RESTS_ON.get(evidence.label)
    assert check is not None, f"evidence label {evidence.label!r}: add what it rests on"
    return check(record, evidence, _on_day(record, evidence))


@pytest.mark.slow
@given(CASES)
def test_every_piece_of_evidence_rests_on_a_value_that_was_given(case: ReadinessCase) -> None:
    for finding in review(case.record, case.today).findings:
        for evidence in finding.evidence:
            assert _given(case.record, evidence), (finding.kind, evidence)


@pytest.mark.slow
@given(CASES)
def test_without_nights_nothing_is_said_about_sleep(case: ReadinessCase) -> None:
    """A journal of quick check-ins (no sleep diary) yields no finding resting on a night."""
    no_nights = replace(
        case.record, checkins=tuple(replace(c, sleep=None, sleep_copied_from=None)
                                    for c in case.record.checkins)
    )  # fmt: skip
    for finding in review(no_nights, case.today).findings:
        assert all(e.label != "sleep efficiency %" for e in finding.evidence), finding


@pytest.mark.slow
@given(CASES)
def test_a_day_with_no_dose_logged_is_never_called_missed(case: ReadinessCase) -> None:
    """A planned dose nobody logged is unknown, not missed: no dose evidence on such a day."""
    logged = {d.day for d in case.record.doses}
    for finding in review(case.record, case.today).findings:
        for evidence in finding.evidence:
            if evidence.label == "dose" and "missed" in evidence.value:
                assert evidence.day in logged, (finding.kind, evidence)


#: The findings read from the symptom score (taperline's burden).
SCORE_KINDS: Final = frozenset({"flare", "stable", "waves"})


@given(CASES)
def test_a_quick_check_in_never_moves_a_symptom_finding(case: ReadinessCase) -> None:
    """A day without the symptom checklist (a quick check-in) says nothing about symptoms.

    The symptom findings of a journal are the same with its quick days left out: whatever
    mood and anxiety a quick day has, it is not read as a day of no symptoms (no "stable"
    made of unasked checklists, no baseline lowered by them). A quick day that noted a red
    flag stays in both: the red flag is no symptom rating, and no "stable" is said over it
    (dropping it made a "stable" appear: found with a quick day noting suicidal thoughts).
    """
    rated = replace(
        case.record,
        checkins=tuple(c for c in case.record.checkins if c.symptoms_rated or c.events),
    )

    def score_findings(record: PersonRecord) -> list[tuple[str, str, tuple[Evidence, ...]]]:
        return [
            (f.kind, f.message, f.evidence)
            for f in review(record, case.today).findings
            if f.kind in SCORE_KINDS
        ]

    assert score_findings(case.record) == score_findings(rated)


def test_a_red_flag_noted_on_a_quick_day_is_never_under_a_stable() -> None:
    """The case the property above found (its first form dropped the quick day, red flag too).

    Five rated days with no symptoms and two quick days, one noting suicidal thoughts: no
    "stable" over the red flag, with the quick days or with only the one that noted it.
    """

    def day(n: int, rated: bool, events: frozenset[str] = frozenset()) -> CheckIn:
        return CheckIn(
            date(2027, 1, n), None, mood=0, anxiety=0, symptoms_rated=rated, events=events
        )

    quick_flag = day(16, False, frozenset({"suicidal thoughts"}))
    journal = (day(19, True), day(18, True), day(17, True), quick_flag, day(15, True),
               day(14, False), day(13, True))  # fmt: skip
    steps = (_step(date(2027, 1, 6), "2"), _step(date(2027, 1, 20), "1.75"))
    plan = PlanVersion(2, "active", "clonazepam", "percent", steps, "Dr Lee",
                       datetime(2027, 1, 6, 9, tzinfo=UTC))  # fmt: skip
    record = PersonRecord(Profile("UTC"), checkins=journal, plans=(plan,))
    without_quick = replace(
        record, checkins=tuple(c for c in journal if c.symptoms_rated or c.events)
    )
    for kept in (record, without_quick):
        kinds = [f.kind for f in review(kept, date(2027, 1, 19)).findings]
        assert "red_flag" in kinds
        assert "stable" not in kinds
