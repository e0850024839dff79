"""Device sleep in the core: which night a record is, one source a night, never added twice.

Properties over records of three sources drawn across daylight-saving changes
(tests/strategies.py), and examples of the rules in core/device_sleep.py's docstring.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.core.device_sleep import (
    DeviceNight,
    DeviceSleepRecord,
    compare_with_diary,
    device_nights,
    night_of,
)
from taperline.core.journal import SleepDiary, night_times
from taperline.core.metrics import night_metrics
from taperline.errors import InputError
from tests.strategies import DEVICE_SOURCES, device_sleep_records, time_zones

LONDON = ZoneInfo("Europe/London")
records_lists = st.lists(device_sleep_records(), max_size=30)


def _local(tz: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=tz)  # type: ignore[misc]


@settings(max_examples=60, deadline=None)
@given(records_lists, time_zones)
def test_each_night_is_its_chosen_source_alone(
    records: list[DeviceSleepRecord], zone_name: str
) -> None:
    """Never adding minutes twice: a night's numbers are those of its source on its own."""
    tz = ZoneInfo(zone_name)
    for night in device_nights(records, tz):
        alone = [r for r in records if r.source == night.source]
        (same,) = [n for n in device_nights(alone, tz) if n.wake_date == night.wake_date]
        assert (same.in_bed_min, same.asleep_min, same.awake_min) == (
            night.in_bed_min,
            night.asleep_min,
            night.awake_min,
        )
        assert 0 <= night.asleep_min <= night.in_bed_min
        assert night.source not in night.also_recorded_by


@settings(max_examples=60, deadline=None)
@given(records_lists, time_zones, st.randoms(use_true_random=False))
def test_duplicates_and_order_change_nothing(
    records: list[DeviceSleepRecord], zone_name: str, rng: random.Random
) -> None:
    tz = ZoneInfo(zone_name)
    twice = [*records, *records]
    rng.shuffle(twice)
    assert device_nights(twice, tz) == device_nights(records, tz)


@settings(max_examples=60, deadline=None)
@given(records_lists, time_zones, st.sampled_from(DEVICE_SOURCES))
def test_the_chosen_source_wins_every_night_it_recorded(
    records: list[DeviceSleepRecord], zone_name: str, preferred: str
) -> None:
    tz = ZoneInfo(zone_name)
    recorded = {night_of(r.start, tz) for r in records if r.source == preferred}
    for night in device_nights(records, tz, preferred_source=preferred):
        assert (night.source == preferred) == (night.wake_date in recorded)


@settings(max_examples=100, deadline=None)
@given(device_sleep_records(), time_zones)
def test_a_record_belongs_to_its_start_date_or_the_next(
    record: DeviceSleepRecord, zone_name: str
) -> None:
    tz = ZoneInfo(zone_name)
    local = record.start.astimezone(tz)
    expected = local.date() + timedelta(days=1 if local.hour >= 12 else 0)
    assert night_of(record.start, tz) == expected


def test_a_night_across_midnight_is_one_night_and_a_nap_is_not_added_to_it() -> None:
    records = [
        DeviceSleepRecord(
            "Watch", "", "asleep", _local(LONDON, 2027, 1, 4, 15), _local(LONDON, 2027, 1, 4, 16)
        ),
        DeviceSleepRecord(
            "Watch", "", "core", _local(LONDON, 2027, 1, 4, 23), _local(LONDON, 2027, 1, 5, 1)
        ),
        DeviceSleepRecord(
            "Watch", "", "deep", _local(LONDON, 2027, 1, 5, 1), _local(LONDON, 2027, 1, 5, 6)
        ),
    ]
    (night,) = device_nights(records, LONDON)
    assert night.wake_date == date(2027, 1, 5)
    assert (night.in_bed_min, night.asleep_min) == (8 * 60, 8 * 60)  # the 7 h night and the nap
    assert night.staged
    assert night.first_start.hour == 15


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2027, 3, 28), 8), (date(2027, 10, 31), 10)],  # spring forward, fall back
)
def test_a_daylight_saving_night_is_as_long_as_it_was(day: date, hours: int) -> None:
    bed = _local(LONDON, day.year, day.month, day.day - 1, 22)
    up = _local(LONDON, day.year, day.month, day.day, 7)
    (night,) = device_nights([DeviceSleepRecord("Ring", "", "in_bed", bed, up)], LONDON)
    assert night.wake_date == day
    assert night.in_bed_min == hours * 60


def test_ios16_stages_and_the_older_asleep_count_once_and_awake_is_taken_out() -> None:
    at = lambda h, m=0: datetime(2027, 1, 5, h, m, tzinfo=UTC)  # noqa: E731
    records = [
        DeviceSleepRecord("Watch", "", "asleep", at(0), at(6)),  # AsleepUnspecified
        DeviceSleepRecord("Watch", "", "core", at(0), at(3)),
        DeviceSleepRecord("Watch", "", "rem", at(3), at(6)),
        DeviceSleepRecord("Watch", "", "awake", at(2), at(2, 30)),
        DeviceSleepRecord("Watch", "", "in_bed", at(0), at(6, 30)),
    ]
    (night,) = device_nights(records, UTC)
    assert (night.in_bed_min, night.asleep_min, night.awake_min) == (390, 330, 30)
    assert night.se_pct == pytest.approx(100 * 330 / 390)


def test_a_source_with_sleep_wins_over_one_with_time_in_bed_only_then_the_most_worn() -> None:
    at = lambda d, h: datetime(2027, 1, d, h, tzinfo=UTC)  # noqa: E731
    records = [
        DeviceSleepRecord("Phone", "", "in_bed", at(4, 22), at(5, 7)),
        DeviceSleepRecord("Watch", "", "asleep", at(4, 23), at(5, 6)),
        DeviceSleepRecord("Ring", "", "asleep", at(5, 23), at(6, 6)),
        DeviceSleepRecord("Watch", "", "asleep", at(5, 23), at(6, 5)),
        DeviceSleepRecord("Ring", "", "asleep", at(6, 23), at(7, 6)),
        DeviceSleepRecord("Ring", "", "asleep", at(7, 23), at(8, 6)),
    ]
    nights = device_nights(records, UTC)
    assert [(n.source, n.also_recorded_by) for n in nights] == [
        ("Watch", ("Phone",)),
        ("Ring", ("Watch",)),  # the ring recorded three nights, the watch two
        ("Ring", ()),
        ("Ring", ()),
    ]
    chosen = device_nights(records, UTC, preferred_source="Watch")
    assert [n.source for n in chosen] == ["Watch", "Watch", "Ring", "Ring"]


def test_a_summary_session_gives_its_minutes_asleep() -> None:
    start = datetime(2027, 1, 4, 23, tzinfo=UTC)
    session = DeviceSleepRecord("CSV", "", "session", start, start + timedelta(hours=8), 400)
    (night,) = device_nights([session], UTC)
    assert (night.in_bed_min, night.asleep_min) == (480, 400)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": datetime(2027, 1, 4, 22, tzinfo=UTC)}, "ends at or before"),
        ({"end": datetime(2027, 1, 6, 12, tzinfo=UTC)}, "more than 36 hours"),
        ({"start": datetime(2027, 1, 4, 23, tzinfo=UTC).replace(tzinfo=None)}, "time zone"),
        ({"asleep_min": 10}, "summary session"),
        ({"stage": "session", "asleep_min": 900}, "do not fit"),
        ({"source": " "}, "needs a source"),
    ],
)
def test_impossible_records_are_refused(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "source": "Watch",
        "device": "",
        "stage": "asleep",
        "start": datetime(2027, 1, 4, 23, tzinfo=UTC),
        "end": datetime(2027, 1, 5, 6, tzinfo=UTC),
    }
    with pytest.raises(InputError, match=message):
        DeviceSleepRecord(**{**base, **fields})  # type: ignore[arg-type]


def test_the_comparison_keeps_both_and_explains_the_difference() -> None:
    diary = night_metrics(
        SleepDiary(*night_times(date(2027, 1, 5)), sol_min=30, waso_min=45, awakenings=2)
    )
    device = DeviceNight(
        date(2027, 1, 5),
        "Watch",
        "",
        455,
        420,
        20,
        datetime(2027, 1, 4, 23, 10, tzinfo=UTC),
        datetime(2027, 1, 5, 6, 45, tzinfo=UTC),
        staged=False,
    )
    only_device = DeviceNight(
        date(2027, 1, 7),
        "Watch",
        "",
        455,
        420,
        20,
        datetime(2027, 1, 6, 23, 10, tzinfo=UTC),
        datetime(2027, 1, 7, 6, 45, tzinfo=UTC),
        staged=False,
    )
    both, alone = compare_with_diary([device, only_device], {diary.wake_date: diary})
    assert both.difference_min == 420 - diary.tst_min
    assert "more sleep than the diary" in both.words
    assert "lying still awake" in both.words
    assert alone.diary is None
    assert alone.difference_min is None
    assert "not used in its place" in alone.words


def test_the_stored_counts_rank_the_sources_when_given() -> None:
    at = lambda d, h: datetime(2027, 1, d, h, tzinfo=UTC)  # noqa: E731
    records = [
        DeviceSleepRecord("Ring", "", "asleep", at(4, 23), at(5, 6)),
        DeviceSleepRecord("Watch", "", "asleep", at(4, 23), at(5, 5)),
    ]
    assert device_nights(records, UTC)[0].source == "Ring"  # a tie: by name
    (night,) = device_nights(records, UTC, worn={"Watch": 90, "Ring": 3})
    assert (night.source, night.also_recorded_by) == ("Watch", ("Ring",))
