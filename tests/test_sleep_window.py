"""The sleep window as a course (CBT-I) [SPIELMAN-1987]: the core's rules and a 6-week course.

Properties over tests.strategies (sleep_rules, window_weeks, nights_after): a week at or above
the widening threshold never shrinks the window; no review goes below the floor or moves the
rise time; the step is one of +15 / 0 / -15. Examples: a good sleeper is not offered a window,
CPAP-treated sleep apnea is no contraindication, and the course through the service layer
widens week after week for a person who follows it at high efficiency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.metrics import NightMetrics
from taperline.core.record import Profile
from taperline.core.sleep import PROGRAMS_RAISE_ABOVE_SE_PCT, SleepRules, weekly_step
from taperline.core.sleep_course import (
    NotOffered,
    WindowWeek,
    assess_sleep,
    contraindications_in,
    first_window,
    other_step_min,
    review_window,
    set_window,
)
from taperline.errors import ConflictError, InputError
from taperline.service.sleep_window import (
    review_sleep_window,
    set_sleep_window,
    sleep_window_document,
    sleep_window_state,
    start_sleep_window,
)
from tests.strategies import nights_after, sleep_rules, window_weeks

SET_ON = date(2027, 1, 7)
REVIEW_DAY = SET_ON + timedelta(days=7)


def _nights(first: date, tib_min: int, tst_min: int, count: int = 7) -> list[NightMetrics]:
    return [
        NightMetrics(first + timedelta(days=d), tib_min, tst_min, 10, tib_min - tst_min - 10,
                     100 * tst_min / tib_min)
        for d in range(count)
    ]  # fmt: skip


def _se(nights: list[NightMetrics]) -> float:
    return 100 * sum(n.tst_min for n in nights) / sum(n.tib_min for n in nights)


# --- properties ----------------------------------------------------------------------------------


def test_a_week_s_efficiency_at_a_tie_is_shown_to_one_decimal() -> None:
    """31.25 % is shown as 31.2 % (the property's tolerance once failed on this tie in CI)."""
    week = WindowWeek(SET_ON, 0, 300, "patient", "patient", "drawn", 0)
    nights = _nights(SET_ON + timedelta(days=1), 480, 150)
    reviewed = review_window(week, nights, REVIEW_DAY)
    assert not isinstance(reviewed, NotOffered)
    assert reviewed.efficiency_pct == 31.2  # the tie, rounded half to even
    assert reviewed.efficiency_pct == pytest.approx(_se(nights), abs=0.05 + 1e-9)


@given(window_weeks(SET_ON), nights_after(SET_ON + timedelta(days=1)), sleep_rules)
def test_the_window_never_shrinks_at_or_above_the_widening_threshold(
    week: WindowWeek, nights: list[NightMetrics], rules: SleepRules
) -> None:
    reviewed = review_window(week, nights, REVIEW_DAY, rules=rules)
    if isinstance(reviewed, NotOffered):
        assert len(nights) < rules.min_nights
        return
    se_pct = _se(nights)
    if se_pct >= rules.raise_above_se_pct:
        assert reviewed.time_in_bed_min >= week.time_in_bed_min
    if se_pct > rules.raise_above_se_pct:
        assert reviewed.time_in_bed_min == week.time_in_bed_min + rules.step_min or (
            week.time_in_bed_min < rules.floor_min
        )
    assert reviewed.time_in_bed_min >= rules.floor_min
    assert reviewed.rise_min == week.rise_min
    assert reviewed.step_min == reviewed.time_in_bed_min - week.time_in_bed_min
    # shown to one decimal: at most 0.05 away, and at a tie (31.25 -> 31.2) exactly 0.05,
    # which in floating point is a hair over (0.0500000000000007)
    assert reviewed.efficiency_pct == pytest.approx(se_pct, abs=0.05 + 1e-9)


@given(window_weeks(SET_ON), nights_after(SET_ON + timedelta(days=1)), sleep_rules)
def test_a_review_steps_by_the_rule_unless_the_floor_stops_it(
    week: WindowWeek, nights: list[NightMetrics], rules: SleepRules
) -> None:
    reviewed = review_window(week, nights, REVIEW_DAY, rules=rules)
    if isinstance(reviewed, NotOffered):
        return
    rule_step = weekly_step(_se(nights), rules)
    assert rule_step in {-rules.step_min, 0, rules.step_min}
    expected = max(rules.floor_min, week.time_in_bed_min + rule_step)
    assert reviewed.time_in_bed_min == expected
    other = other_step_min(reviewed, rules)
    assert other is not None
    # the 85 % threshold widens at least as often as the 90 % one: the other threshold's step
    # is at least the review's when it was judged by 90 %, at most when by 85 % (found by
    # Hypothesis on 2026-12-04: judged by 85 % at 85.0x %, the 90 % step is 0, not 15)
    if reviewed.raise_above_se_pct == PROGRAMS_RAISE_ABOVE_SE_PCT:
        assert other <= reviewed.step_min
    else:
        assert other >= reviewed.step_min


@given(st.integers(0, 300), sleep_rules)
def test_a_review_before_a_week_of_nights_is_not_due(days: int, rules: SleepRules) -> None:
    week = WindowWeek(SET_ON, 390, 330, "patient", "patient", "first")
    today = SET_ON + timedelta(days=days)
    nights = _nights(SET_ON + timedelta(days=1), 330, 320, count=min(days, 7))
    reviewed = review_window(week, nights, today, rules=rules)
    if days < rules.review_days:
        assert isinstance(reviewed, NotOffered)
        assert "reviewed on" in reviewed.reason


# --- offered only when sleep is poor --------------------------------------------------------------


def test_a_good_sleeper_is_not_offered_a_window() -> None:
    """The issue's good sleeper: 93 % efficiency, under 30 min awake in bed."""
    good = _nights(SET_ON - timedelta(days=6), 420, 392)  # 93.3 %, 28 min awake
    assert not assess_sleep(good, SET_ON).poor
    offer = first_window(good, SET_ON, 390)
    assert isinstance(offer, NotOffered)
    assert "not poor enough" in offer.reason


@pytest.mark.parametrize(
    ("tib_min", "tst_min"),
    [(480, 400), (480, 440)],  # SE 83 %; SE 91.7 % but 40 min awake in bed
    ids=["low efficiency", "long awake"],
)
def test_poor_sleep_is_offered_the_mean_sleep(tib_min: int, tst_min: int) -> None:
    offer = first_window(_nights(SET_ON - timedelta(days=6), tib_min, tst_min), SET_ON, 390)
    assert isinstance(offer, WindowWeek)
    assert (offer.time_in_bed_min, offer.window_end, offer.set_by) == (tst_min, "06:30", "patient")


def test_poor_sleep_on_a_minority_of_nights_is_not_offered() -> None:
    nights = _nights(SET_ON - timedelta(days=6), 420, 400)  # 95 %
    nights[:3] = _nights(SET_ON - timedelta(days=6), 480, 300, count=3)  # 3 of 7 poor
    assert isinstance(first_window(nights, SET_ON, 390), NotOffered)


def test_the_first_window_keeps_the_floor() -> None:
    offer = first_window(_nights(SET_ON - timedelta(days=6), 480, 200), SET_ON, 390)
    assert isinstance(offer, WindowWeek)
    assert offer.time_in_bed_min == 300
    spielman = first_window(
        _nights(SET_ON - timedelta(days=6), 480, 200), SET_ON, 390, rules=SleepRules(floor_min=270)
    )
    assert isinstance(spielman, WindowWeek)
    assert spielman.time_in_bed_min == 270


# --- contraindications -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (("sleep apnea treated with CPAP",), set()),
        (("OSA on CPAP",), set()),
        (("obstructive sleep apnoea",), {"untreated sleep apnea"}),
        (("untreated sleep apnea",), {"untreated sleep apnea"}),
        (("sleep apnea, CPAP not tolerated",), {"untreated sleep apnea"}),
        (("epilepsy", "pregnant"), {"epilepsy or seizures", "pregnancy"}),
        (("trouble falling asleep",), set()),
    ],
)
def test_contraindications_read_from_the_conditions(
    conditions: tuple[str, ...], expected: set[str]
) -> None:
    assert contraindications_in(conditions) == expected


def test_a_contraindication_refuses_the_offer_the_review_and_a_clinician() -> None:
    poor = _nights(SET_ON - timedelta(days=6), 480, 330)
    blocked = contraindications_in(("bipolar disorder",))
    offer = first_window(poor, SET_ON, 390, contraindications=blocked)
    assert isinstance(offer, NotOffered)
    assert "bipolar disorder" in offer.reason
    week = WindowWeek(SET_ON, 390, 330, "patient", "patient", "first")
    after = _nights(SET_ON + timedelta(days=1), 330, 320)
    assert isinstance(review_window(week, after, REVIEW_DAY, contraindications=blocked), NotOffered)
    with pytest.raises(InputError, match="bipolar"):
        set_window(SET_ON, 390, 360, "Dr Lee", contraindications=blocked)


def test_a_clinician_may_not_go_below_the_floor() -> None:
    with pytest.raises(InputError, match="floor"):
        set_window(SET_ON, 390, 299, "Dr Lee")
    week = set_window(SET_ON, 390, 300, "Dr Lee", reason="agreed at the visit")
    assert (week.set_by, week.by, week.reason, week.window_start) == (
        "clinician", "Dr Lee", "agreed at the visit", "01:30",
    )  # fmt: skip


def test_both_widening_thresholds_are_shown() -> None:
    """87 %: hold by 90 % [SPIELMAN-1987], + 15 min by the 85 % many programs use."""
    week = WindowWeek(SET_ON, 390, 330, "patient", "patient", "first")
    reviewed = review_window(week, _nights(SET_ON + timedelta(days=1), 330, 287), REVIEW_DAY)
    assert isinstance(reviewed, WindowWeek)
    assert (reviewed.step_min, other_step_min(reviewed)) == (0, 15)
    assert "stays the same" in reviewed.reason
    by_85 = review_window(
        week,
        _nights(SET_ON + timedelta(days=1), 330, 287),
        REVIEW_DAY,
        rules=SleepRules(raise_above_se_pct=85.0),
    )
    assert isinstance(by_85, WindowWeek)
    assert (by_85.step_min, other_step_min(by_85, SleepRules(raise_above_se_pct=85.0))) == (15, 0)


# --- a 6-week course through the service ---------------------------------------------------------

ZONE = "Europe/London"


def _checkin(wake: date, bed: str, rise: str, sol_min: int, waso_min: int) -> CheckIn:
    night = SleepDiary(
        *night_times(wake, bed=bed, tried=bed, final_wake=rise, out_of_bed=rise),
        sol_min=sol_min,
        waso_min=waso_min,
        awakenings=1 if waso_min else 0,
        quality=3,
    )
    return CheckIn(wake, night, mood=6, anxiety=4)


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    engine = make_engine(f"sqlite:///{tmp_path / 'course.db'}")
    migrate(engine)
    return Store(engine)


def test_following_the_window_at_high_efficiency_widens_it_week_after_week(store: Store) -> None:
    """The issue's patient: 5 h 40 min kept at 94 % must widen, never ratchet down."""
    pid = store.create_person(Profile(ZONE, "40-64", ("insomnia",), ()))
    start = date(2027, 1, 7)
    for back in range(7):  # a poor week: 8 h in bed, 1 h 55 min awake
        store.save_checkin(pid, _checkin(start - timedelta(days=back), "23:00", "07:00", 45, 70))
    first = start_sleep_window(store, pid, now=_morning(start), rise="06:30")
    assert (first.time_in_bed_min, first.window_start, first.window_end) == (365, "00:25", "06:30")
    with pytest.raises(ConflictError):
        start_sleep_window(store, pid, now=_morning(start))

    week = first
    sizes = [week.time_in_bed_min]
    for n in range(1, 7):
        review_day = start + timedelta(days=7 * n)
        for offset in range(1, 8):  # each night in bed exactly in the window, 94 %+ asleep
            wake = review_day - timedelta(days=7 - offset)
            store.save_checkin(pid, _checkin(wake, week.window_start, week.window_end, 10, 10))
        week = review_sleep_window(store, pid, now=_morning(review_day))
        assert week.step_min == 15, week.reason
        assert week.efficiency_pct is not None
        assert week.efficiency_pct > 90
        sizes.append(week.time_in_bed_min)
    assert sizes == [365 + 15 * n for n in range(7)]
    assert [w.time_in_bed_min for w in store.sleep_windows(pid)] == sizes
    state = sleep_window_state(store, pid, now=_morning(start + timedelta(days=42)))
    document = sleep_window_document(state)
    assert document["time_in_bed_min"] == 455
    assert document["window_end"] == "06:30"
    assert document["step_min"] == 15
    assert not document["review_due"]
    with pytest.raises(InputError, match="reviewed on"):
        review_sleep_window(store, pid, now=_morning(start + timedelta(days=43)))


def test_a_poor_week_inside_the_window_narrows_it_and_a_clinician_can_set_it(store: Store) -> None:
    pid = store.create_person(Profile(ZONE, "40-64", ("sleep apnea treated with CPAP",), ()))
    start = date(2027, 1, 7)
    for back in range(7):
        store.save_checkin(pid, _checkin(start - timedelta(days=back), "23:00", "07:00", 60, 60))
    first = start_sleep_window(store, pid, now=_morning(start), rise="07:00")
    assert first.time_in_bed_min == 360
    for offset in range(1, 8):  # in the window, but 70 % asleep
        wake = start + timedelta(days=offset)
        store.save_checkin(pid, _checkin(wake, first.window_start, first.window_end, 60, 48))
    narrowed = review_sleep_window(store, pid, now=_morning(start + timedelta(days=7)))
    assert (narrowed.step_min, narrowed.time_in_bed_min) == (-15, 345)
    assert "less in bed" in narrowed.reason
    set_by_doctor = set_sleep_window(
        store, pid, now=_morning(start + timedelta(days=8)), rise="06:30",
        time_in_bed_min=390, by="Dr Lee", reason="sleepy driving at work",
    )  # fmt: skip
    assert store.sleep_windows(pid)[-1] == set_by_doctor
    document = sleep_window_document(
        sleep_window_state(store, pid, now=_morning(start + timedelta(days=8)))
    )
    assert (document["set_by"], document["time_in_bed_min"], document["window_start"]) == (
        "clinician", 390, "00:00",
    )  # fmt: skip
    assert document["review_on"] == (start + timedelta(days=15)).isoformat()


def test_no_window_without_a_diary_or_for_a_good_sleeper(store: Store) -> None:
    pid = store.create_person(Profile(ZONE, "40-64", (), ()))
    start = date(2027, 1, 7)
    with pytest.raises(InputError, match="at least 5 diary nights"):
        start_sleep_window(store, pid, now=_morning(start))
    for back in range(7):
        store.save_checkin(pid, _checkin(start - timedelta(days=back), "23:00", "07:00", 10, 10))
    with pytest.raises(InputError, match="not poor enough"):
        start_sleep_window(store, pid, now=_morning(start))
    with pytest.raises(InputError, match="no sleep window"):
        review_sleep_window(store, pid, now=_morning(start))
    assert (
        sleep_window_document(sleep_window_state(store, pid, now=_morning(start)))["status"]
        == "not_offered"
    )
