"""The faster paths of the review and the dashboard give what the plain ones gave.

Each test checks a shortcut against the straightforward computation it replaced: decimal
normalisation, sleep efficiency without the other night metrics, the rebound finding from
the dose log rather than from joined check-ins, the escalation finding from daily totals in
mg rather than added-up masses, the cut dates and the charts' planned dose.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.findings import find_escalation_taken, find_rebound
from taperline.core.journal import CheckIn, SleepDiary, TakenDose
from taperline.core.metrics import night_metrics, sleep_efficiency
from taperline.core.quantity import Mass, MassUnit, _normalise, fmt, fmt_number
from taperline.core.record import DoseRecord, PlanVersion, RecordStep, schedule_on, with_doses
from taperline.core.review import _taken_times, cut_dates
from taperline.core.series import planned_daily_mg
from taperline.errors import CheckInError
from tests.strategies import checkins, masses, record_steps, sleep_diaries

START = date(2027, 3, 1)
UNITS: tuple[MassUnit, ...] = ("mg", "mcg", "g")
_MG_PER = {"mg": Decimal(1), "mcg": Decimal("0.001"), "g": Decimal(1000)}


def _reference_normalise(value: Decimal) -> Decimal:
    """The normalisation as first written (before the shortcut for small numbers)."""
    if value == 0:
        return Decimal(0)
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


exact_decimals = st.builds(
    lambda digits, exponent, sign: (sign * Decimal(digits)).scaleb(exponent),
    st.integers(0, 10**35),
    st.integers(-30, 15),
    st.sampled_from([1, -1]),
).filter(lambda d: d.adjusted() <= 15)  # quantity's size limit


@given(exact_decimals, st.sampled_from(UNITS))
def test_mass_normalises_as_before(value: Decimal, unit: MassUnit) -> None:
    normal, reference = _normalise(value), _reference_normalise(value)
    assert (str(normal), normal.as_tuple()) == (str(reference), reference.as_tuple())
    mass = Mass(value, unit)
    expected = _reference_normalise(value * _MG_PER[unit])
    assert (str(mass.mg), mass.mg.as_tuple()) == (str(expected), expected.as_tuple())
    assert fmt(mass) == f"{fmt_number(mass.mg / _MG_PER[unit])} {unit}"


@given(exact_decimals)
def test_fmt_number_commas_from_1000(value: Decimal) -> None:
    number = _reference_normalise(value)
    text = f"{number:,f}" if abs(number) >= 1000 else f"{number:f}"
    assert fmt_number(value) == ("0" if text in {"-0", "0"} else text)


@given(sleep_diaries())
def test_sleep_efficiency_is_the_night_metric(diary: SleepDiary) -> None:
    try:
        expected: float | str = night_metrics(diary).se_pct
    except CheckInError as exc:
        expected = str(exc)
    try:
        got: float | str = sleep_efficiency(diary)
    except CheckInError as exc:
        got = str(exc)
    assert got == expected


@st.composite
def journals(draw: st.DrawFn) -> tuple[list[CheckIn], list[DoseRecord]]:
    """Check-ins on some of 20 days (some with doses of their own) and a dose log."""
    days = [START + timedelta(days=n) for n in range(20)]
    found = []
    for day in days:
        if draw(st.booleans()):
            checkin = draw(checkins(day))
            if draw(st.integers(0, 4)) == 0:
                own = TakenDose(
                    datetime.combine(day, time(draw(st.integers(0, 23)))), Mass.of_mg(1)
                )
                checkin = CheckIn(checkin.wake_date, checkin.sleep, 5, 5, doses=(own,))
            found.append(checkin)
    log = []
    for day in days:
        for clock in draw(st.lists(st.sampled_from(["08:00", "22:00", None]), max_size=3)):
            missed = draw(st.integers(0, 3)) == 0 and clock is not None
            offset = timedelta(minutes=draw(st.integers(-120, 36 * 60)))
            taken = None if missed else datetime.combine(day, time()) + offset
            log.append(
                DoseRecord(
                    day,
                    "clonazepam",
                    clock,
                    None,
                    taken,
                    None if missed else draw(masses),
                )
            )
    return found, log


@pytest.mark.slow
@given(
    journals(),
    st.lists(st.sampled_from([8.0, 14.5, 22.0, 23.75]), min_size=1, max_size=3),
    st.booleans(),
)
def test_rebound_from_the_log_is_rebound_of_joined_checkins(
    journal: tuple[list[CheckIn], list[DoseRecord]], dose_hours: list[float], only_logged: bool
) -> None:
    found, log = journal
    logged = {d.day for d in log} if only_logged else None
    joined = find_rebound(with_doses(found, log), dose_hours, logged_days=logged)
    from_log = find_rebound(found, dose_hours, logged_days=logged, taken_times=_taken_times(log))
    assert from_log == joined


@given(record_steps())
def test_cut_dates_and_planned_dose_as_step_by_step(steps: tuple[RecordStep, ...]) -> None:
    plan = PlanVersion(
        1, "active", "clonazepam", "percent", steps, "Dr A", datetime(2027, 1, 1, tzinfo=UTC)
    )

    def average(step: RecordStep) -> Decimal:  # an every-other-day step: half a day
        return step.daily.mg / 2 if step.every_other_day else step.daily.mg

    expected_cuts = tuple(
        later.start
        for earlier, later in zip(plan.steps, plan.steps[1:], strict=False)
        if average(later) < average(earlier)
    )
    assert cut_dates(plan) == expected_cuts
    first = plan.steps[0].start - timedelta(days=3)
    days = [first + timedelta(days=n) for n in range((plan.end - first).days + 10)]
    expected = [
        float(sum((p.amount.mg for p in schedule_on(plan, day)), Decimal(0)))
        if plan.step_on(day)
        else None
        for day in days
    ]
    assert planned_daily_mg(plan, days) == expected
    assert planned_daily_mg(None, days) == [None] * len(days)


@given(
    st.dictionaries(
        st.integers(0, 40).map(lambda n: START + timedelta(days=n)),
        st.lists(masses, min_size=1, max_size=3),
        max_size=15,
    ),
    st.lists(st.tuples(st.integers(-5, 45), masses), max_size=4),
)
def test_escalation_from_mg_totals_is_escalation_from_masses(
    taken: dict[date, list[Mass]], steps: list[tuple[int, Mass]]
) -> None:
    targets = sorted({START + timedelta(days=n): m for n, m in steps}.items())
    as_masses: dict[date, Mass] = {}
    for day, doses in taken.items():
        for dose in doses:  # added up as the review once did, one Mass at a time
            as_masses[day] = as_masses.get(day, Mass.zero()) + dose
    in_mg = {day: sum((dose.mg for dose in doses), Decimal(0)) for day, doses in taken.items()}
    assert find_escalation_taken(in_mg, targets) == find_escalation_taken(as_masses, targets)
