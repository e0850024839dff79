"""One night rule for every door: the check-in form, the CLI, the API and the journal CSV.

``core.journal.night_times`` places a night's HH:MM clocks around the final awakening; since
the third review's pinned long sleep, more than 16 h from trying to sleep to the final
awakening is asked about either side of noon (``LongNightError``) and kept once the person
confirms it: the form's "Yes, I slept that long", ``taperline checkin --long-night``, the API's
``sleep.long_night_confirmed``. A slip (18:30 picked for 06:30) is never stored unasked. The
journal CSV reads HH:MM clocks by the same rule, refusing by its line what a check-in refuses,
and writes a night that rule would not read back alike (a confirmed long night, a FHIR
import's dates) with its dates, so every night the store can hold makes the round trip.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.adapters.csvio import journal_csv, read_journal_csv
from taperline.core.journal import (
    LONGEST_UNASKED_NIGHT,
    CheckIn,
    LongNightError,
    NightTimes,
    SleepDiary,
    night_times,
)
from taperline.errors import CheckInError
from tests.strategies import wall_clock
from tests.support.journal_cli import LONG_NIGHT_CLOCKS, Taperline
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
        assert 'name="long_night_for" value="19:40-12:05"' in page  # the night it asks about
        confirmed = {"long_night": "1", "long_night_for": "19:40-12:05"}
        kept = web.post("/checkin", checkin_form(day, **LONG_AFTER_NOON, **confirmed))
        assert kept.status_code == 303
        [stored] = site.services.store.record(pid).checkins
        assert stored.sleep is not None
        assert stored.sleep.final_wake - stored.sleep.tried == timedelta(hours=16, minutes=25)
        # edited later: the confirmed night's box is ticked, for that night's two ends
        edit = web.get(f"/checkin?date={day.isoformat()}").text
        assert 'name="long_night" value="1" checked' in edit
        assert 'name="long_night_for" value="19:40-12:05"' in edit


def test_web_form_asks_again_when_the_clocks_change_after_the_box_was_ticked(
    tmp_path: Path,
) -> None:
    """The box confirms the night it was shown for: ticked, then the wake time changed to a
    slip (18:30 for 06:30), the night is asked about again, never stored unasked."""
    with make_site(tmp_path) as site:
        web = site.patient()
        pid = site.person_id("pat@example.org")
        day = START.date() - timedelta(days=1)
        confirmed = {"long_night": "1", "long_night_for": "19:40-12:05"}
        slip = LONG_AFTER_NOON | {"final_wake": "18:30", "out_of_bed": "18:45"}
        again = web.post("/checkin", checkin_form(day, **slip, **confirmed))
        assert again.status_code == 422
        assert "22 h 50 min" in again.text
        assert not site.services.store.record(pid).checkins
        ticked_blind = {"long_night": "1"}  # a box sent without the night it was shown for
        assert (
            web.post("/checkin", checkin_form(day, **LONG_AFTER_NOON, **ticked_blind)).status_code
            == 422
        )


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


def test_cli_journal_edit_takes_a_new_long_night_only_with_the_flag(tmp_path: Path) -> None:
    """An edit that makes a night long is asked about as a check-in is (--long-night)."""
    me = Taperline(f"sqlite:///{tmp_path / 'journal.db'}")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    ordinary = [a if a != "12:05" else "06:30" for a in CLI_NIGHT]
    ordinary = ["23:00" if a == "19:30" else "23:10" if a == "19:40" else a for a in ordinary]
    me.ok("checkin", "--date", "2027-01-04", *ordinary)
    longer = LONG_NIGHT_CLOCKS
    refused = me("journal", "edit", "2027-01-04", *longer)
    assert refused.exit_code == 2
    assert "--long-night" in refused.stderr
    assert me.store().record(1).checkins[0].sleep.tried.hour == 23  # type: ignore[union-attr]
    me.ok("journal", "edit", "2027-01-04", *longer, "--long-night")
    [day] = me.store().record(1).checkins
    assert day.sleep is not None
    assert day.sleep.final_wake - day.sleep.tried == timedelta(hours=16, minutes=25)


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


# --- the journal CSV ---------------------------------------------------------------------------


def _csv_row(**clocks: str) -> str:
    """A journal CSV of one day whose four clock cells are ``clocks``."""
    night = _night(night_times(WAKE))
    text = journal_csv([CheckIn(WAKE, night, mood=5, anxiety=5)])
    header, row = text.splitlines()[:2]
    names, cells = header.split(","), row.split(",")
    for name, value in clocks.items():
        cells[names.index(name)] = value
    return f"{header}\n{','.join(cells)}\n"


def _csv_errors(**clocks: str) -> list[str]:
    return [str(e) for e in read_journal_csv(_csv_row(**clocks)).errors]


@pytest.mark.parametrize(
    ("clocks", "problem"),
    [
        pytest.param(
            {"bed_clock": "07:00"},
            "line 2: tried_clock: '23:20' is before bed_clock '07:00'",
            id="bed 07:00 before trying at 23:20",
        ),
        pytest.param(
            {"final_wake_clock": "18:30", "out_of_bed_clock": "18:45"},
            "line 2: final_wake_clock: '18:30' is 19 h 10 min after tried_clock '23:20': check"
            " the times (a.m. or p.m.?); if the night really was that long, write its four clock"
            " times with their dates (tried_clock 2027-01-04T23:20)",
            id="woke 18:30 after bed 23:10",
        ),
        pytest.param(
            {"out_of_bed_clock": "19:00"},
            "line 2: out_of_bed_clock: '19:00' is 12 h 30 min after final_wake_clock '06:30':"
            " check the times (a.m. or p.m.?)",
            id="up 19:00",
        ),
        pytest.param(
            {"bed_clock": "2027-01-04T23:10"},
            "line 2: bed_clock, tried_clock, final_wake_clock, out_of_bed_clock: give all four"
            " with their dates",
            id="one dated, three not",
        ),
        pytest.param(
            {
                "bed_clock": "2027-01-03T23:10",
                "tried_clock": "2027-01-03T23:20",
                "final_wake_clock": "2027-01-04T06:30",
                "out_of_bed_clock": "2027-01-04T06:45",
            },
            "line 2: final_wake_clock: '2027-01-04T06:30' is not on wake_date 2027-01-05",
            id="dated, woken the day before",
        ),
        pytest.param(
            {"tried_clock": "2027-01-04T23:20+05:45"},
            "line 2: tried_clock: '2027-01-04T23:20+05:45' has a UTC offset",
            id="dated with an offset",
        ),
    ],
)
def test_the_journal_csv_refuses_by_its_line_what_a_check_in_refuses(
    clocks: dict[str, str], problem: str
) -> None:
    errors = _csv_errors(**clocks)
    assert len(errors) == 1, errors
    assert errors[0].startswith(problem), errors


def test_the_journal_csv_takes_a_long_night_written_with_its_dates() -> None:
    dated = {
        "bed_clock": "2027-01-04T19:30",
        "tried_clock": "2027-01-04T19:40",
        "final_wake_clock": "2027-01-05T12:05",
        "out_of_bed_clock": "2027-01-05T12:30",
    }
    [day] = read_journal_csv(_csv_row(**dated)).rows
    assert day.sleep is not None
    assert day.sleep.tried == wall_clock(2027, 1, 4, 19, 40)


@pytest.mark.parametrize("clocks", [LONG_AFTER_NOON, LONG_BEFORE_NOON])
def test_a_confirmed_long_night_is_written_with_its_dates_and_read_back(
    clocks: dict[str, str],
) -> None:
    night = _night(night_times(WAKE, **clocks, long_night_confirmed=True))
    text = journal_csv([CheckIn(WAKE, night, mood=5, anxiety=5)])
    assert f"{night.tried:%Y-%m-%dT%H:%M}" in text
    assert read_journal_csv(text).rows == (CheckIn(WAKE, night, mood=5, anxiety=5),)


def test_an_ordinary_night_is_still_written_as_clock_times() -> None:
    night = _night(night_times(WAKE))
    assert ",23:10,23:20," in journal_csv([CheckIn(WAKE, night, mood=5, anxiety=5)])


@st.composite
def stored_nights(draw: st.DrawFn) -> SleepDiary:
    """Any night the store can hold: in order, at most 24 h in bed, woken on WAKE."""
    final = datetime.combine(WAKE, time()) + timedelta(minutes=draw(st.integers(0, 24 * 60 - 1)))
    in_bed_min = draw(st.integers(0, 24 * 60))
    awake_before_min = draw(st.integers(0, in_bed_min))
    after_min = draw(st.integers(0, 24 * 60 - in_bed_min))
    bed = final - timedelta(minutes=in_bed_min)
    tried = bed + timedelta(minutes=awake_before_min)
    window_min = in_bed_min - awake_before_min
    sol_min = draw(st.integers(0, min(720, window_min)))
    waso_min = draw(st.integers(0, min(720, window_min - sol_min)))
    awakenings = draw(st.integers(1 if waso_min else 0, 5))
    out = final + timedelta(minutes=after_min)
    return SleepDiary(bed, tried, final, out, sol_min, waso_min, awakenings)


@settings(max_examples=300)
@given(stored_nights())
def test_every_night_the_store_can_hold_makes_the_journal_csv_round_trip(
    night: SleepDiary,
) -> None:
    checkin = CheckIn(WAKE, night, mood=5, anxiety=5)
    read = read_journal_csv(journal_csv([checkin]))
    assert read.errors == ()
    assert read.rows == (checkin,)


_CLOCK = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 5, 55]))


@settings(max_examples=300)
@given(st.tuples(_CLOCK, _CLOCK, _CLOCK, _CLOCK))
def test_the_journal_csv_reads_hh_mm_clocks_as_a_check_in_does(
    clocks: tuple[str, str, str, str],
) -> None:
    named = dict(zip(("bed", "tried", "final_wake", "out_of_bed"), clocks, strict=True))
    read = read_journal_csv(_csv_row(**{f"{k}_clock": v for k, v in named.items()}))
    try:
        door = CheckIn(WAKE, _night(night_times(WAKE, **named)), mood=5, anxiety=5)
    except CheckInError:
        # what a check-in refuses, refused by its line
        assert read.errors
        assert not read.rows
        return
    assert read.errors == ()
    [day] = read.rows
    assert day.sleep is not None
    assert NightTimes(
        day.sleep.bed, day.sleep.tried, day.sleep.final_wake, day.sleep.out_of_bed
    ) == (night_times(WAKE, **named))
    assert door.sleep is not None


# --- a device's sleep CSV ----------------------------------------------------------------------


def test_a_device_s_long_night_is_kept_as_the_device_wrote_it(tmp_path: Path) -> None:
    """A device measured it: no 12-hour clock slipped, and no one to ask (a check-in asks)."""
    from zoneinfo import ZoneInfo

    from taperline.adapters.devices.sleep_csv import read_sleep_csv

    path = tmp_path / "sleep.csv"
    path.write_text(
        "wake_date,in_bed,asleep,woke,out_of_bed,asleep_min,source,device\n"
        "2027-01-05,19:30,19:40,12:05,12:30,,Oura,\n",
        encoding="utf-8",
    )
    [record] = read_sleep_csv(path, ZoneInfo("Europe/London")).records
    assert record.asleep_min == 16 * 60 + 25
