"""A dose logged without a date belongs to the planned dose nearest in time (issue 16, s. 3).

The pure choice (:mod:`taperline.core.record.matching`) by property, then the service that
uses it (:func:`taperline.service.log_dose`) on a real store: in the morning, last night's
dose; a dose of yesterday stored with the next day's time; a second log refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from random import Random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.core.quantity import Mass
from taperline.core.record import (
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    day_text,
    describe_dose,
    last_struck,
    nearest_planned,
    planned_around,
    planned_moment,
    schedule_on,
)
from taperline.core.review import review
from taperline.errors import ConflictError, InputError
from taperline.service import DoseEntry, log_dose
from tests.strategies import clock_texts, plan_versions, record_doses, wake_dates, wall_clock
from tests.support.db import migrate

_AT = datetime(2027, 1, 1, tzinfo=UTC)
ONE = Mass.of_mg(1)
QUARTER = Mass.of_mg("0.25")

# --- the choice (core) --------------------------------------------------------------------

#: Local wall-clock moments on the minute, as the dose log holds them.
moments = st.datetimes(min_value=wall_clock(2026, 1, 3), max_value=wall_clock(2028, 12, 28)).map(
    lambda m: m.replace(second=0, microsecond=0)
)


@st.composite
def around(draw: st.DrawFn) -> tuple[datetime, list[tuple[date, RecordDose]]]:
    """A moment and planned doses of the days around it (any clocks, drugs, repeats)."""
    moment = draw(moments)
    days = st.builds(lambda n: moment.date() + timedelta(days=n), st.integers(-2, 1))
    planned = draw(st.lists(st.tuples(days, record_doses), max_size=6))
    return moment, planned


def _distance(moment: datetime, pair: tuple[date, RecordDose]) -> timedelta:
    return abs(moment - planned_moment(pair[0], pair[1].clock))


@given(around())
def test_the_dose_chosen_is_the_nearest_and_a_tie_goes_to_the_earlier(
    case: tuple[datetime, list[tuple[date, RecordDose]]],
) -> None:
    moment, planned = case
    chosen = nearest_planned(moment, planned)
    if not planned:
        assert chosen is None
        return
    assert chosen is not None
    assert chosen in planned
    at = planned_moment(chosen[0], chosen[1].clock)
    for other in planned:
        assert _distance(moment, chosen) <= _distance(moment, other)
        if _distance(moment, chosen) == _distance(moment, other):
            assert at <= planned_moment(other[0], other[1].clock)


@given(around(), st.randoms())
def test_the_order_the_doses_are_given_in_does_not_change_when_the_dose_is(
    case: tuple[datetime, list[tuple[date, RecordDose]]], rnd: Random
) -> None:
    moment, planned = case
    shuffled = list(planned)
    rnd.shuffle(shuffled)
    first, second = nearest_planned(moment, planned), nearest_planned(moment, shuffled)
    assert (first is None) == (second is None)
    if first is not None and second is not None:
        assert planned_moment(first[0], first[1].clock) == planned_moment(
            second[0], second[1].clock
        )


@given(around())
def test_a_missed_dose_is_one_already_due(
    case: tuple[datetime, list[tuple[date, RecordDose]]],
) -> None:
    moment, planned = case
    due = [p for p in planned if planned_moment(p[0], p[1].clock) <= moment]
    chosen = nearest_planned(moment, planned, due_only=True)
    assert chosen == nearest_planned(moment, due)
    if chosen is not None:
        assert planned_moment(chosen[0], chosen[1].clock) <= moment


@given(moments, clock_texts)
def test_a_daily_dose_is_last_night_s_until_halfway_to_tonight_s(
    moment: datetime, clock: str
) -> None:
    # One dose a day at `clock`: the one taken at `moment` is the day before's until
    # halfway between the two (a tie: the earlier), then today's.
    dose = RecordDose(clock, "clonazepam", Mass.of_mg("0.5"))
    step = RecordStep(moment.date() - timedelta(days=30), (dose,))
    plan = PlanVersion(1, "active", "clonazepam", "percent", (step,), "patient", _AT)
    chosen = nearest_planned(moment, planned_around(plan, moment.date()))
    assert chosen is not None
    tonight = planned_moment(moment.date(), clock)
    expected = moment.date() if moment > tonight - timedelta(hours=12) else _yesterday(moment)
    assert chosen[0] == expected


@given(plan_versions(1, None), wake_dates)
def test_the_doses_around_a_day_are_the_plan_s_of_that_day_and_the_day_before(
    plan: PlanVersion, day: date
) -> None:
    before = day - timedelta(days=1)
    assert planned_around(plan, day) == (
        *((before, d) for d in schedule_on(plan, before)),
        *((day, d) for d in schedule_on(plan, day)),
    )
    assert planned_around(None, day) == ()


@given(moments, st.times())
def test_a_time_without_a_date_is_the_last_time_the_clock_showed_it(
    moment: datetime, clock: time
) -> None:
    struck = last_struck(clock, moment)
    assert moment - timedelta(days=1) < struck <= moment
    assert struck.time() == clock.replace(second=0, microsecond=0)


@given(wake_dates, clock_texts, st.integers(-3, 0))
def test_a_dose_is_named_by_its_clock_and_its_date(day: date, clock: str, ago: int) -> None:
    today = day - timedelta(days=ago)
    words = describe_dose(day, clock, today=today)
    assert clock in words
    assert day_text(day, today) in words
    evening = int(clock[:2]) >= 18
    assert words.startswith("last night's") == (ago == -1 and evening)
    assert words.startswith("tonight's") == (ago == 0 and evening)


def test_split_doses_in_the_morning_are_today_s_first_one() -> None:
    # 08:00 and 20:00, logged at 07:00 with nothing logged: this morning's 08:00 (1 h away),
    # not last night's 20:00 (11 h); missed at 07:00 can only be last night's.
    step = RecordStep(date(2027, 1, 1), (_dose("08:00"), _dose("20:00")))
    plan = PlanVersion(1, "active", "clonazepam", "percent", (step,), "patient", _AT)
    planned = planned_around(plan, date(2027, 1, 8))
    morning = wall_clock(2027, 1, 8, 7, 0)
    assert _which(nearest_planned(morning, planned)) == ("2027-01-08", "08:00")
    assert _which(nearest_planned(morning, planned, due_only=True)) == ("2027-01-07", "20:00")
    # 14:00 is as far from both: the 08:00 dose taken late, not the 20:00 one early
    afternoon = wall_clock(2027, 1, 8, 14, 0)
    assert _which(nearest_planned(afternoon, planned)) == ("2027-01-08", "08:00")


def test_a_plan_that_starts_today_has_no_dose_last_night() -> None:
    # Nothing was planned yesterday: a dose logged at 07:00 can only be tonight's (the CLI
    # says so plainly); the regimen before the plan is not known to the record yet.
    plan = PlanVersion(
        1, "active", "clonazepam", "percent",
        (RecordStep(date(2027, 1, 8), (_dose("22:00"),)),), "patient", _AT,
    )  # fmt: skip
    chosen = nearest_planned(wall_clock(2027, 1, 8, 7, 0), planned_around(plan, date(2027, 1, 8)))
    assert _which(chosen) == ("2027-01-08", "22:00")


# --- the service ---------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/doses.db")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _person(store: Store, zone: str, *clocks: str) -> int:
    pid = store.create_person(Profile(zone, "40-64"), at=_AT)
    step = RecordStep(date(2027, 1, 4), tuple(_dose(c, ONE) for c in clocks))
    store.add_plan(pid, PlanVersion(1, "active", "clonazepam", "percent", (step,), "patient", _AT))
    return pid


def test_a_morning_dose_without_a_date_is_last_night_s_in_the_person_s_zone(store: Store) -> None:
    pid = _person(store, "America/New_York", "22:00")
    at_seven = datetime(2027, 1, 8, 12, 5, tzinfo=UTC)  # 07:05 in New York
    done = log_dose(store, pid, DoseEntry(next_planned=True), now=at_seven)
    assert done.saved.created
    # the dose of 7 January, taken on the 8th: stored and read back as such
    [stored] = store.doses(pid)
    assert stored == done.record
    assert (stored.day, stored.planned_clock) == (date(2027, 1, 7), "22:00")
    assert stored.taken_at == wall_clock(2027, 1, 8, 7, 5)
    assert stored.status() == "late"
    # a second "log-dose" that morning is the same dose again: refused, nothing stored
    with pytest.raises(ConflictError, match=r"last night's 22:00 dose \(Thu 7 Jan\) is already"):
        log_dose(store, pid, DoseEntry(next_planned=True), now=at_seven + timedelta(minutes=5))
    assert len(store.doses(pid)) == 1
    # in the evening, tonight's
    evening = log_dose(
        store, pid, DoseEntry(next_planned=True), now=datetime(2027, 1, 9, 3, 10, tzinfo=UTC)
    )
    assert (evening.record.day, evening.record.taken_at) == (
        date(2027, 1, 8),
        wall_clock(2027, 1, 8, 22, 10),
    )


def test_a_day_given_still_takes_that_day_s_next_dose(store: Store) -> None:
    pid = _person(store, "Europe/London", "22:00")
    morning = datetime(2027, 1, 8, 7, 0, tzinfo=UTC)
    done = log_dose(store, pid, DoseEntry(day=date(2027, 1, 8), next_planned=True), now=morning)
    assert (done.record.day, done.record.taken_at) == (date(2027, 1, 8), wall_clock(2027, 1, 8, 7))
    # and without next_planned or a day (the dashboard's tap on a dose), today's
    with pytest.raises(ConflictError, match="22:00 dose of 2027-01-08"):
        log_dose(store, pid, DoseEntry(planned_clock="22:00"), now=morning)


def test_a_missed_dose_without_a_date_is_one_already_due(store: Store) -> None:
    pid = _person(store, "Europe/London", "08:00", "20:00")
    morning = datetime(2027, 1, 8, 7, 0, tzinfo=UTC)
    done = log_dose(store, pid, DoseEntry(next_planned=True, missed=True), now=morning)
    assert (done.record.day, done.record.planned_clock) == (date(2027, 1, 7), "20:00")
    assert done.record.taken_at is None
    taken = log_dose(store, pid, DoseEntry(next_planned=True), now=morning)
    assert (taken.record.day, taken.record.planned_clock) == (date(2027, 1, 8), "08:00")


def test_with_no_plan_dose_near_an_amount_is_an_extra_dose_of_the_day_taken(store: Store) -> None:
    pid = store.create_person(Profile("Europe/London", "40-64"), at=_AT)
    entry = DoseEntry(next_planned=True, drug="clonazepam")
    with pytest.raises(InputError, match="amount: say how much"):
        log_dose(store, pid, entry, now=datetime(2027, 1, 8, 7, 0, tzinfo=UTC))
    entry = DoseEntry(next_planned=True, drug="clonazepam", amount=Mass.of_mg("0.5"))
    done = log_dose(store, pid, entry, now=datetime(2027, 1, 8, 7, 0, tzinfo=UTC))
    assert (done.record.day, done.record.status()) == (date(2027, 1, 8), "extra")


def test_last_night_s_dose_taken_in_the_morning_reads_as_taken_in_the_review(
    store: Store,
) -> None:
    # The dose of the 7th taken at 07:05 on the 8th is the 7th's: no escalation (one dose a
    # day, as planned) and the day's total counts it.
    pid = _person(store, "Europe/London", "22:00")
    for day in range(4, 8):
        taken = wall_clock(2027, 1, day, 22, 0)
        log_dose(
            store,
            pid,
            DoseEntry(day=date(2027, 1, day), next_planned=True, taken_at=taken),
            now=datetime(2027, 1, 8, 7, 0, tzinfo=UTC),
        )
    log_dose(store, pid, DoseEntry(next_planned=True), now=datetime(2027, 1, 9, 7, 5, tzinfo=UTC))
    doses = store.doses(pid)
    assert [(d.day.isoformat(), d.status()) for d in doses][-1] == ("2027-01-08", "late")
    found = review(store.record(pid), date(2027, 1, 9))
    assert not [f for f in found.findings if f.kind == "escalation"]


# --- helpers -------------------------------------------------------------------------------


def _dose(clock: str, amount: Mass = QUARTER) -> RecordDose:
    return RecordDose(clock, "clonazepam", amount)


def _yesterday(moment: datetime) -> date:
    return moment.date() - timedelta(days=1)


def _which(chosen: tuple[date, RecordDose] | None) -> tuple[str, str] | None:
    return None if chosen is None else (chosen[0].isoformat(), chosen[1].clock)
