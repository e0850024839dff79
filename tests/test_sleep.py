"""CBT-I sleep window [SPIELMAN-1987] and the self-help technique chooser."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.metrics import NightMetrics, night_metrics
from taperline.core.sleep import (
    CONTRAINDICATIONS,
    TECHNIQUES,
    SleepWindow,
    SleepWindowRefused,
    SleepWindowRules,
    adjust_window,
    choose_techniques,
    sleep_window,
)
from taperline.errors import InputError

START = date(2027, 1, 1)
RISE = 6 * 60 + 30


def _nights(tst_min: int, count: int = 7, tib_min: int = 480) -> list[NightMetrics]:
    return [
        NightMetrics(START + timedelta(days=d), tib_min, tst_min, 20, 20, 100 * tst_min / tib_min)
        for d in range(count)
    ]


def test_window_is_mean_tst_with_fixed_rise_time() -> None:
    window = sleep_window(_nights(390), RISE)
    assert isinstance(window, SleepWindow)
    assert (window.tib_min, window.bed_clock, window.rise_clock) == (390, "00:00", "06:30")
    assert window.source == "SPIELMAN-1987"


def test_window_never_below_the_floor() -> None:
    window = sleep_window(_nights(200), RISE)
    assert isinstance(window, SleepWindow)
    assert window.tib_min == 300
    assert "floor" in window.reason
    spielman = sleep_window(_nights(200), RISE, rules=SleepWindowRules(floor_min=270))
    assert isinstance(spielman, SleepWindow)
    assert spielman.tib_min == 270


def test_window_uses_only_the_last_seven_days() -> None:
    old = [NightMetrics(START - timedelta(days=10), 480, 60, 0, 0, 12.5)]
    window = sleep_window(old + _nights(400), RISE)
    assert isinstance(window, SleepWindow)
    assert window.tib_min == 400


def test_too_few_nights_are_refused() -> None:
    refused = sleep_window(_nights(400, count=4), RISE)
    assert refused == SleepWindowRefused(
        "a sleep window needs at least 5 diary nights in the last 7; 4 found"
    )


@pytest.mark.parametrize("condition", CONTRAINDICATIONS)
def test_not_offered_with_a_contraindication(condition: str) -> None:
    refused = sleep_window(_nights(400), RISE, frozenset({condition}))  # type: ignore[arg-type]
    assert isinstance(refused, SleepWindowRefused)
    assert condition in refused.reason
    adjusted = adjust_window(400, _nights(400), RISE, frozenset({condition}))  # type: ignore[arg-type]
    assert isinstance(adjusted, SleepWindowRefused)


def test_rise_time_must_be_a_clock_minute() -> None:
    with pytest.raises(InputError, match="rise_min"):
        sleep_window(_nights(400), 1440)


@pytest.mark.parametrize(
    ("tst_min", "rules", "expected"),
    [
        (440, SleepWindowRules(), 465),  # SE 97.8 % > 90
        (400, SleepWindowRules(), 450),  # SE 88.9 %: hold
        (400, SleepWindowRules(raise_above_se_pct=85.0), 465),  # the 85 % option
        (340, SleepWindowRules(), 435),  # SE 75.6 % < 80
        (100, SleepWindowRules(), 435),
    ],
)
def test_weekly_adjustment(tst_min: int, rules: SleepWindowRules, expected: int) -> None:
    window = adjust_window(450, _nights(tst_min, tib_min=450), RISE, rules=rules)
    assert isinstance(window, SleepWindow)
    assert window.tib_min == expected


def test_adjustment_stops_at_the_floor() -> None:
    window = adjust_window(305, _nights(100, tib_min=305), RISE)
    assert isinstance(window, SleepWindow)
    assert window.tib_min == 300


@given(st.integers(0, 900), st.integers(0, 1439))
def test_window_ends_at_rise_time_and_respects_floor(tst_min: int, rise_min: int) -> None:
    window = sleep_window(_nights(min(tst_min, 900), tib_min=900), rise_min)
    assert isinstance(window, SleepWindow)
    assert window.tib_min >= 300
    hours, minutes = map(int, window.rise_clock.split(":"))
    assert hours * 60 + minutes == rise_min


def test_library_is_small_plain_and_tagged() -> None:
    assert 6 <= len(TECHNIQUES) <= 10
    keys = [t.key for t in TECHNIQUES]
    assert len(set(keys)) == len(keys)
    for technique in TECHNIQUES:
        assert technique.tags
        assert len(technique.text) < 400
    needed = {"slow-breathing", "wind-down", "stimulus-control", "worry-time", "sleep-basics"}
    assert needed | {"bad-wave"} <= set(keys)


def _checkin(mood: int = 6, anxiety: int = 3, sol_min: int = 10, waso_min: int = 0) -> CheckIn:
    wake = date(2027, 1, 5)
    diary = SleepDiary(
        *night_times(wake), sol_min=sol_min, waso_min=waso_min, awakenings=1 if waso_min else 0
    )
    return CheckIn(wake, diary, mood=mood, anxiety=anxiety)


def test_chooser_follows_the_pattern() -> None:
    keys = [t.key for t in choose_techniques(_checkin(sol_min=60), limit=2)]
    assert keys == ["wind-down", "stimulus-control"]
    assert choose_techniques(_checkin(anxiety=8))[0].key == "slow-breathing"
    assert choose_techniques(_checkin(), in_bad_wave=True)[0].key in {"grounding", "bad-wave"}
    assert "bad-wave" in [t.key for t in choose_techniques(_checkin(), in_bad_wave=True)]
    assert choose_techniques(_checkin(mood=2))[0].key == "bad-wave"
    assert [t.key for t in choose_techniques(_checkin(), limit=1)] == ["wind-down"]
    night = night_metrics(_checkin(waso_min=60).sleep)  # type: ignore[arg-type]
    assert night.waso_min == 60
    assert choose_techniques(_checkin(waso_min=60))[0].key == "slow-breathing"


def test_chooser_never_repeats() -> None:
    chosen = choose_techniques(_checkin(mood=1, anxiety=9, sol_min=60, waso_min=60), limit=20)
    assert len(chosen) == len({t.key for t in chosen}) == len(TECHNIQUES)
