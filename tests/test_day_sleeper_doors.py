"""A night slept by day (a night-shift worker, 08:00 to 15:00) through every door that takes
clock times: the CLI, the web's full check-in, the JSON API (core.journal.night_times).

Before, times from noon on were always the evening before, so such a night was refused
('final_wake (15:00) is before tried (08:15)') on every door.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from taperline.core.journal import SleepDiary
from tests.support.journal_cli import Taperline
from tests.support.web import START, checkin_form, make_site

DAY_SLEEP = {"bed": "08:00", "tried": "08:15", "final_wake": "15:00", "out_of_bed": "15:20"}


def _slept_by_day(diary: SleepDiary | None) -> None:
    assert diary is not None
    assert (diary.bed.hour, diary.final_wake.hour) == (8, 15)
    assert diary.bed.date() == diary.final_wake.date()
    assert diary.final_wake - diary.tried == timedelta(hours=6, minutes=45)


def test_cli_checkin_of_a_night_slept_by_day(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path / 'journal.db'}")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    me.ok(
        "checkin", "--date", "2027-01-04", "--bed", "08:00", "--tried", "08:15",
        "--final-wake", "15:00", "--out-of-bed", "15:20", "--sol-min", "15",
        "--awakenings", "1", "--waso-min", "10", "--quality", "3", "--mood", "6",
        "--anxiety", "4",
    )  # fmt: skip
    [day] = me.store().record(1).checkins
    _slept_by_day(day.sleep)


def test_web_and_api_checkins_of_a_night_slept_by_day(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        pid = site.person_id("pat@example.org")
        yesterday = START.date() - timedelta(days=1)
        form = checkin_form(yesterday, **DAY_SLEEP, sol_min="15")
        assert web.post("/checkin", form).status_code == 303
        body = {
            "date": (yesterday - timedelta(days=1)).isoformat(),
            "sleep": {**DAY_SLEEP, "sol_min": 15, "waso_min": 0, "awakenings": 0,
                      "quality_1_5": 3},
            "mood_0_10": 6,
            "anxiety_0_10": 4,
        }  # fmt: skip
        assert web.client.post("/api/checkins", json=body).status_code == 201
        days = site.services.store.record(pid).checkins
        assert len(days) == 2
        for day in days:
            _slept_by_day(day.sleep)
