"""A dose taken after midnight for the day before is read right (issue 16, section 3).

``log-dose`` at 07:05 records last night's 22:00 dose with ``day`` the 7th and ``taken_at``
07:05 on the 8th. The rebound finding must read that night as a late dose, not a missed one,
whether it reads the dose log (:func:`taperline.core.review.review`) or check-ins joined with
it (:func:`taperline.core.record.with_doses`), and lateness is counted in hours from midnight
of the dose's own day: 07:05 the next morning is 9 h 05 min after a 22:00 dose.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import assume, example, given
from hypothesis import strategies as st

from taperline.core.findings import Finding, FindingRules, find_rebound
from taperline.core.findings.dosing import _dose_problem
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    planned_moment,
    with_doses,
)
from taperline.core.review import review
from tests.strategies import clock_texts, wall_clock

START = date(2027, 1, 1)
DOSE_DAY = date(2027, 1, 7)  # the dose of this day is the one judged
HALF = Mass.of_mg("0.5")
LATE_AFTER_H = FindingRules().late_after_h


def _night(wake: date, *, bad: bool) -> SleepDiary:
    """A night in bed 23:10-06:45: 10 minutes to fall asleep, or 5 hours on a bad night."""
    return SleepDiary(*night_times(wake), sol_min=300 if bad else 10, waso_min=0, awakenings=0)


def _journal() -> list[CheckIn]:
    """Good nights from the 1st to the 10th, but the night after DOSE_DAY (clearly worse)."""
    days = [START + timedelta(days=n) for n in range(10)]
    after = DOSE_DAY + timedelta(days=1)
    return [CheckIn(d, _night(d, bad=d == after), mood=6, anxiety=4) for d in days]


def _record(clock: str, taken_at: datetime | None) -> PersonRecord:
    """One planned dose a day at ``clock``; DOSE_DAY's taken at ``taken_at`` (None: missed)."""
    at = datetime(2026, 12, 20, tzinfo=UTC)
    step = RecordStep(START, (RecordDose(clock, "clonazepam", HALF),))
    plan = PlanVersion(1, "active", "clonazepam", "percent", (step,), "Dr A", at)
    dose = DoseRecord(
        DOSE_DAY, "clonazepam", clock, HALF, taken_at, None if taken_at is None else HALF
    )
    return PersonRecord(Profile("UTC"), tuple(_journal()), (dose,), (), (plan,))


def _rebound(findings: tuple[Finding, ...]) -> list[tuple[date, str]]:
    """The (day, value) of each dose in the rebound finding's evidence."""
    return [
        (e.day, e.value)
        for f in findings
        if f.kind == "rebound"
        for e in f.evidence
        if e.label == "dose"
    ]


def _both_ways(record: PersonRecord) -> tuple[list[tuple[date, str]], list[tuple[date, str]]]:
    """The rebound evidence from the review (the dose log) and from joined check-ins."""
    reviewed = review(record, date(2027, 1, 12)).findings
    step = record.plan.steps[0] if record.plan else None
    hours = [d.clock_h for d in step.doses] if step else []
    joined = with_doses(record.checkins, record.doses)
    logged = {d.day for d in record.doses}
    return _rebound(reviewed), _rebound(find_rebound(joined, hours, logged_days=logged))


def test_last_night_s_dose_logged_at_07_05_is_late_not_missed() -> None:
    record = _record("22:00", wall_clock(2027, 1, 8, 7, 5))
    from_log, from_joined = _both_ways(record)
    assert from_log == [(DOSE_DAY, "late")]
    assert from_joined == [(DOSE_DAY, "late")]
    # the joined check-in holds that dose, on the day it belongs to
    [day] = [c for c in with_doses(record.checkins, record.doses) if c.wake_date == DOSE_DAY]
    assert [d.taken_at for d in day.doses] == [wall_clock(2027, 1, 8, 7, 5)]


def test_a_dose_not_taken_is_still_missed() -> None:
    assert _both_ways(_record("22:00", None)) == ([(DOSE_DAY, "missed")], [(DOSE_DAY, "missed")])


#: When a dose was taken, from 2 h before its planned time to 14 h after (the next morning
#: for an evening dose), on the minute.
offsets = st.integers(-120, 14 * 60).map(lambda minutes: timedelta(minutes=minutes))


@given(clock_texts, offsets)
@example("06:01", timedelta(hours=2))  # exactly 2 h: on time (in float hours it was 2.000...1)
@example("22:00", timedelta(hours=2, minutes=1))
def test_lateness_is_counted_from_midnight_of_the_dose_s_day(clock: str, offset: timedelta) -> None:
    """Taken any time up to 14 h after its time, on its day or the next: late or on time.

    Never missed: a dose taken after midnight belongs to its day and counts as taken there.
    """
    taken_at = planned_moment(DOSE_DAY, clock) + offset
    expected = [(DOSE_DAY, "late")] if offset > timedelta(hours=LATE_AFTER_H) else []
    assert _both_ways(_record(clock, taken_at)) == (expected, expected)


def _hours_of_day(taken: list[datetime], hours: list[float], late_after_h: float) -> str:
    """The rule as it was: the clock hour of each dose taken, whatever its date."""
    clock = [t.hour + t.minute / 60 for t in taken]
    if len(clock) < len(hours):
        return "missed"
    late = any(t - s > late_after_h for t, s in zip(sorted(clock), hours, strict=False))
    return "late" if late else ""


@given(
    st.lists(st.builds(time, st.integers(0, 23), st.integers(0, 59)), max_size=4),
    st.lists(st.sampled_from([8.0, 14.5, 20.25, 22.0, 23.75]), max_size=3).map(sorted),
    st.sampled_from([1.0, 1.5, 2.0, 3.0]),
)
def test_a_dose_on_its_own_day_is_read_as_before(
    times: list[time], hours: list[float], late_after_h: float
) -> None:
    taken = [datetime.combine(DOSE_DAY, t) for t in times]
    assert _dose_problem(DOSE_DAY, taken, hours, late_after_h) == _hours_of_day(
        taken, hours, late_after_h
    )


@given(st.integers(0, 23 * 60 + 59), st.integers(0, 11 * 60 + 59))
def test_an_evening_dose_taken_the_next_morning_is_late_by_the_hours_since(
    planned_min: int, taken_min: int
) -> None:
    """A dose taken the next morning is late by 24 h minus its time plus the morning's hours."""
    taken = datetime.combine(DOSE_DAY + timedelta(days=1), time()) + timedelta(minutes=taken_min)
    planned_h = planned_min // 60 + (planned_min % 60) / 60  # as RecordDose.clock_h
    late_by_min = 24 * 60 - planned_min + taken_min
    assume(late_by_min != LATE_AFTER_H * 60)  # exactly on the limit: float rounding decides
    expected = "late" if late_by_min > LATE_AFTER_H * 60 else ""
    assert _dose_problem(DOSE_DAY, [taken], [planned_h], LATE_AFTER_H) == expected
