"""One night rule for every door: the check-in form, the CLI and the API.

``core.journal.night_times`` places a night's HH:MM clocks around the final awakening; since
the third review's pinned long sleep, more than 16 h from trying to sleep to the final
awakening is asked about either side of noon (``LongNightError``) and kept once the person
confirms it: the form's "Yes, I slept that long", ``taperline checkin --long-night``, the API's
``sleep.long_night_confirmed``. A slip (18:30 picked for 06:30) is never stored unasked.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from taperline.core.journal import (
    LONGEST_UNASKED_NIGHT,
    LongNightError,
    NightTimes,
    SleepDiary,
    night_times,
)
from taperline.errors import CheckInError
from tests.strategies import wall_clock
from tests.support.journal_cli import Taperline
from tests.support.web import START, checkin_form, make_site

WAKE = date(2027, 1, 5)
#: A person ill in withdrawal, asleep 19:40 to 12:05: 16 h 25 min, woken after noon.
LONG_AFTER_NOON = {"bed": "19:30", "tried": "19:40", "final_wake": "12:05", "out_of_bed": "12:30"}
#: Asleep 16:10 to 11:00: 18 h 50 min, woken before noon.
LONG_BEFORE_NOON = {"bed": "16:00", "tried": "16:10", "final_wake": "11:00", "out_of_bed": "11:30"}


def _night(times: NightTimes) -> SleepDiary:
    return SleepDiary(*times, sol_min=10, waso_min=0, awakenings=0)


def _read(clocks: dict[str, str], *, confirmed: bool = False) -> str:
    """What night_times and the diary make of ``clocks``: taken, asked or refused."""
    try:
        _night(night_times(WAKE, **clocks, long_night_confirmed=confirmed))
    except LongNightError:
        return "asked"
    except CheckInError:
        return "refused"
    return "taken"


# --- the rule ----------------------------------------------------------------------------------

#: (clocks, what the rule does without a confirmation, why): the slips pinned by the review
#: files (tests/test_today_*review.py) are asked or refused, never taken.
CASES: tuple[tuple[tuple[str, str, str, str], str, str], ...] = (
    (("19:50", "20:00", "11:55", "12:30"), "taken", "15 h 55 min, woken before noon"),
    (("20:00", "20:00", "12:00", "12:10"), "taken", "16 h exactly, woken at noon"),
    (("20:00", "20:10", "12:05", "12:30"), "taken", "15 h 55 min, woken after noon"),
    (("19:30", "19:40", "11:55", "12:30"), "asked", "16 h 15 min, woken before noon"),
    (("19:30", "19:40", "12:05", "12:30"), "asked", "16 h 25 min, woken after noon"),
    (("16:00", "16:10", "11:00", "11:30"), "asked", "18 h 50 min, woken before noon"),
    (("23:10", "23:20", "18:30", "18:45"), "asked", "06:30 PM for 06:30 AM"),
    (("13:00", "13:10", "12:30", "12:45"), "asked", "bed 1:00 PM for 1:00 AM"),
    (("23:00", "23:10", "06:45", "19:00"), "refused", "up 7:00 PM for 7:00 AM"),
    (("07:00", "23:20", "06:30", "06:45"), "refused", "bed 07:00 before trying at 23:20"),
)


@pytest.mark.parametrize(
    ("clocks", "expected"), [pytest.param(c, e, id=why) for c, e, why in CASES]
)
def test_one_rule_either_side_of_noon(clocks: tuple[str, str, str, str], expected: str) -> None:
    named = dict(zip(("bed", "tried", "final_wake", "out_of_bed"), clocks, strict=True))
    assert _read(named) == expected
    # confirmed, a long night is kept; a refused slip stays refused
    assert _read(named, confirmed=True) == ("refused" if expected == "refused" else "taken")


def test_a_confirmed_long_night_is_placed_as_an_unasked_one() -> None:
    for clocks in (LONG_AFTER_NOON, LONG_BEFORE_NOON):
        times = night_times(WAKE, **clocks, long_night_confirmed=True)
        assert times.final_wake.date() == WAKE
        assert times.tried.date() == WAKE - timedelta(days=1)
        assert times.final_wake - times.tried > LONGEST_UNASKED_NIGHT


def test_the_question_names_the_night_it_asks_about() -> None:
    with pytest.raises(LongNightError) as asked:
        night_times(WAKE, **LONG_AFTER_NOON)
    assert (asked.value.tried, asked.value.final_wake) == (
        wall_clock(2027, 1, 4, 19, 40),
        wall_clock(2027, 1, 5, 12, 5),
    )
    assert "a.m. or p.m." in str(asked.value)


# --- the web check-in form ---------------------------------------------------------------------


def test_web_form_asks_about_a_long_night_and_keeps_it_once_confirmed(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        pid = site.person_id("pat@example.org")
        day = START.date() - timedelta(days=1)
        asked = web.post("/checkin", checkin_form(day, **LONG_AFTER_NOON, notes="so tired"))
        assert asked.status_code == 422
        assert not site.services.store.record(pid).checkins
        page = asked.text
        assert "Yes, I slept that long" in page
        assert 'name="long_night"' in page
        assert "16 h 25 min" in page
        assert "a.m. or p.m." in page
        assert 'value="12:05"' in page  # drawn again as typed
        assert "so tired" in page
        assert "final_wake (" not in page  # plain words, no field names
        kept = web.post("/checkin", checkin_form(day, **LONG_AFTER_NOON, long_night="1"))
        assert kept.status_code == 303
        [stored] = site.services.store.record(pid).checkins
        assert stored.sleep is not None
        assert stored.sleep.final_wake - stored.sleep.tried == timedelta(hours=16, minutes=25)
        # edited later: the confirmed night's box is ticked
        edit = web.get(f"/checkin?date={day.isoformat()}").text
        assert 'name="long_night" value="1" checked' in edit


def test_web_form_never_stores_a_pm_slip_unasked(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        day = START.date() - timedelta(days=1)
        slip = {"bed": "23:10", "tried": "23:20", "final_wake": "18:30", "out_of_bed": "18:45"}
        answer = web.post("/checkin", checkin_form(day, **slip))
        assert answer.status_code == 422
        assert "check the times (a.m. or p.m.?)" in answer.text
        assert not site.services.store.record(site.person_id("pat@example.org")).checkins
        # an ordinary night shows no box to tick
        assert "Yes, I slept that long" not in web.get("/checkin").text


# --- the CLI -----------------------------------------------------------------------------------

CLI_NIGHT = (
    "--bed", "19:30", "--tried", "19:40", "--final-wake", "12:05", "--out-of-bed", "12:30",
    "--sol-min", "10", "--awakenings", "0", "--waso-min", "0", "--quality", "2",
    "--mood", "3", "--anxiety", "6",
)  # fmt: skip


def test_cli_checkin_asks_for_long_night(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path / 'journal.db'}")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    refused = me("checkin", "--date", "2027-01-04", *CLI_NIGHT)
    assert refused.exit_code == 2
    assert "--long-night" in refused.stderr
    assert "a.m. or p.m." in refused.stderr
    assert not me.store().record(1).checkins
    me.ok("checkin", "--date", "2027-01-04", *CLI_NIGHT, "--long-night")
    [day] = me.store().record(1).checkins
    assert day.sleep is not None
    assert day.sleep.final_wake - day.sleep.tried == timedelta(hours=16, minutes=25)
    # an edit of another value keeps the confirmed night without asking again
    me.ok("journal", "edit", "2027-01-04", "--mood", "4")
    [edited] = me.store().record(1).checkins
    assert (edited.mood, edited.sleep) == (4, day.sleep)


def test_cli_checkin_on_a_terminal_asks_in_words(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path / 'journal.db'}")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    # no symptoms, no worst time, then the question: yes
    said = me("checkin", "--date", "2027-01-04", *CLI_NIGHT, "--ask", input="n\n\ny\n")
    assert said.exit_code == 0, said.output
    assert (
        "From trying to sleep at 19:40 to waking up for good at 12:05 is 16 h 25 min. Did you"
        " really sleep that long? [y/N]: y"
    ) in said.stdout
    assert len(me.store().record(1).checkins) == 1
    said_no = me("checkin", "--date", "2027-01-03", *CLI_NIGHT, "--ask", input="n\n\n\n")
    assert said_no.exit_code == 2
    assert len(me.store().record(1).checkins) == 1


# --- the JSON API ------------------------------------------------------------------------------


def test_api_refuses_a_long_night_until_it_is_confirmed(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        sleep = {**LONG_BEFORE_NOON, "sol_min": 10, "waso_min": 0, "awakenings": 0,
                 "quality_1_5": 2}  # fmt: skip
        body = {
            "date": (START.date() - timedelta(days=1)).isoformat(),
            "sleep": sleep,
            "mood_0_10": 3,
            "anxiety_0_10": 6,
        }
        refused = web.client.post("/api/checkins", json=body)
        assert refused.status_code == 422
        assert "long_night_confirmed" in refused.text
        body["sleep"] = {**sleep, "long_night_confirmed": True}
        assert web.client.post("/api/checkins", json=body).status_code == 201
        [stored] = site.services.store.record(site.person_id("pat@example.org")).checkins
        assert stored.sleep is not None
        assert stored.sleep.final_wake - stored.sleep.tried == timedelta(hours=18, minutes=50)
