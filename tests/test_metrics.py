"""Sleep metrics [CARNEY-2012], rolling means, circular clock means, burden and baseline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.journal import SYMPTOMS, CheckIn, SleepDiary, night_times
from taperline.core.metrics import (
    BURDEN_MAX,
    baseline,
    burden,
    circular_mean_clock_min,
    clock_min,
    night_metrics,
    rolling_means,
    symptom_score,
)
from taperline.errors import InputError
from tests.strategies import checkins, sleep_diaries, wall_clock

WAKE = date(2027, 1, 5)


def test_worked_example() -> None:
    times = night_times(WAKE, bed="22:30", tried="23:00", final_wake="06:00", out_of_bed="06:30")
    m = night_metrics(SleepDiary(*times, sol_min=30, waso_min=45, awakenings=3))
    assert m.tib_min == 480
    assert m.tst_min == 480 - 30 - 30 - 45 - 30
    assert m.se_pct == pytest.approx(345 / 480 * 100)
    assert m.wake_date == WAKE


@given(sleep_diaries())
def test_tst_within_tib_and_se_within_0_100(diary: SleepDiary) -> None:
    m = night_metrics(diary)
    assert 0 <= m.tst_min <= m.tib_min
    assert 0.0 <= m.se_pct <= 100.0


def test_rolling_means_skip_missing_days_and_report_n() -> None:
    values = {WAKE + timedelta(days=d): float(d) for d in (0, 1, 2, 5)}
    means = rolling_means(values, 7)
    assert len(means) == 6
    last = means[-1]
    assert last.n == 4
    assert last.mean == pytest.approx(2.0)
    assert means[3].n == 3


def test_rolling_means_of_nothing_and_bad_window() -> None:
    assert rolling_means({}) == ()
    with pytest.raises(InputError, match="window_days"):
        rolling_means({WAKE: 1.0}, 0)


def test_circular_mean_wraps_midnight() -> None:
    bedtimes = [clock_min(wall_clock(2027, 1, 4, 23, 30)), clock_min(wall_clock(2027, 1, 5, 0, 30))]
    mean = circular_mean_clock_min(bedtimes)
    assert min(mean, 1440 - mean) == pytest.approx(0.0, abs=1e-6)
    assert circular_mean_clock_min([22 * 60, 23 * 60, 0]) == pytest.approx(23 * 60)


@given(st.integers(0, 1439), st.integers(1, 10))
def test_circular_mean_of_identical_times_is_that_time(minute: int, count: int) -> None:
    mean = circular_mean_clock_min([minute] * count)
    assert min(abs(mean - minute), 1440 - abs(mean - minute)) < 1e-6


@given(st.lists(st.integers(0, 1439), min_size=1, max_size=10), st.integers(0, 1439))
def test_circular_mean_shifts_with_the_clock(minutes: list[int], shift: int) -> None:
    try:
        base = circular_mean_clock_min(minutes)
    except InputError:
        return
    moved = circular_mean_clock_min([(m + shift) % 1440 for m in minutes])
    gap = abs(moved - (base + shift) % 1440)
    assert min(gap, 1440 - gap) < 1e-3
    assert 0 <= moved < 1440


def test_opposite_times_have_no_mean() -> None:
    with pytest.raises(InputError, match="no mean"):
        circular_mean_clock_min([0, 720])
    with pytest.raises(InputError, match="no clock times"):
        circular_mean_clock_min([])


def test_burden_definition() -> None:
    day = CheckIn(WAKE, None, mood=3, anxiety=6, symptoms={"tremor": 2, "headache": 3})
    assert burden(day) == 2 + 3 + 6 + (10 - 3)
    worst = CheckIn(WAKE, None, mood=0, anxiety=10, symptoms=dict.fromkeys(SYMPTOMS, 3))
    assert burden(worst) == BURDEN_MAX == 68


@given(checkins())
def test_burden_within_range(day: CheckIn) -> None:
    score = symptom_score(day)
    if day.symptoms_rated:
        assert score is not None
        assert 0 <= burden(day) == score <= BURDEN_MAX
    else:  # a quick check-in's unasked checklist is no score, never a score of zeros
        assert score is None
        with pytest.raises(InputError, match="symptom checklist was not filled in"):
            burden(day)


def test_baseline_uses_days_before_first_cut_only() -> None:
    diary = SleepDiary(*night_times(WAKE), sol_min=20, waso_min=30, awakenings=2)
    days = [CheckIn(WAKE, diary, mood=6, anxiety=4)] + [
        CheckIn(WAKE + timedelta(days=d), None, mood=6, anxiety=a)
        for d, a in [(1, 2), (2, 6), (9, 10)]
    ]
    b = baseline(days, WAKE + timedelta(days=5))
    assert b.days == 3
    assert b.nights == 1
    assert b.burden_mean == pytest.approx(8.0)
    assert b.burden_sd == pytest.approx(2.0)
    assert b.se_mean_pct == pytest.approx(night_metrics(diary).se_pct)
    assert b.se_sd_pct == 0.0


def test_baseline_needs_three_days() -> None:
    days = [CheckIn(WAKE, None, mood=6, anxiety=4)]
    with pytest.raises(InputError, match="at least 3 check-ins before the first cut"):
        baseline(days, WAKE + timedelta(days=1))
