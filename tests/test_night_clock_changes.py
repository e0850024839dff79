"""A long night's question counts the time that passed across a change of the clocks.

core.journal.night_times asks about a night over 16 h from trying to sleep to the final
awakening (LONGEST_UNASKED_NIGHT). It measured the wall clock: 19:30 to 11:50 across the night
London's clocks went forward (2027-03-28) was asked as '16 h 20 min' though 15 h 20 min passed,
and 20:00 to 11:30 across the night they went back (2027-10-31), 16 h 30 min, was stored
unasked. Each door that knows the person's zone now gives it (the web form, the API, the
journal CSV import); the question says the hours that passed (LongNightError.passed). The
journal CSV writes a night over 16 h by its clocks or by the time that passed with its dates,
so an import with or without the zone reads it back. Also: a spreadsheet's dated clock cells
('2027-01-04 19:40', a space for the T) are read as the dated night.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from taperline.adapters.csvio import journal_csv, read_journal_csv
from taperline.core.journal import CheckIn, LongNightError, SleepDiary, night_times
from tests.strategies import wall_clock
from tests.support.journal_cli import Taperline
from tests.support.web import checkin_form, make_site

LONDON = ZoneInfo("Europe/London")
FORWARD = date(2027, 3, 28)  # London's clocks went forward an hour at 01:00 UTC
BACK = date(2027, 10, 31)  # and back an hour at 01:00 UTC
#: 19:30 to 11:50 across the night the clocks went forward: 16 h 20 min by the clocks, 15 h 20 min.
SHORTER = {"bed": "19:20", "tried": "19:30", "final_wake": "11:50", "out_of_bed": "12:10"}
#: 20:00 to 11:30 across the night they went back: 15 h 30 min by the clocks, 16 h 30 min.
LONGER = {"bed": "19:50", "tried": "20:00", "final_wake": "11:30", "out_of_bed": "11:45"}


# --- the rule -----------------------------------------------------------------------------------


def test_the_night_the_clocks_went_forward_is_counted_as_it_passed() -> None:
    times = night_times(FORWARD, **SHORTER, time_zone=LONDON)
    assert times.final_wake - times.tried == timedelta(hours=16, minutes=20)  # by the clocks
    with pytest.raises(LongNightError):  # no zone: the clocks, as before
        night_times(FORWARD, **SHORTER)


def test_the_night_the_clocks_went_back_is_asked_with_the_hours_that_passed() -> None:
    assert night_times(BACK, **LONGER).tried == wall_clock(2027, 10, 30, 20, 0)  # no zone
    with pytest.raises(LongNightError, match="16 h 30 min") as asked:
        night_times(BACK, **LONGER, time_zone=LONDON)
    assert asked.value.passed == timedelta(hours=16, minutes=30)
    assert (asked.value.tried, asked.value.final_wake) == (
        wall_clock(2027, 10, 30, 20, 0),
        wall_clock(2027, 10, 31, 11, 30),
    )
    confirmed = night_times(BACK, **LONGER, time_zone=LONDON, long_night_confirmed=True)
    assert confirmed.tried == asked.value.tried


def test_a_long_night_on_an_ordinary_day_is_asked_as_before() -> None:
    long = {"bed": "19:30", "tried": "19:40", "final_wake": "12:05", "out_of_bed": "12:30"}
    with pytest.raises(LongNightError, match="16 h 25 min") as asked:
        night_times(date(2027, 1, 5), **long, time_zone=LONDON)
    assert asked.value.passed == timedelta(hours=16, minutes=25)


# --- the web form and the API --------------------------------------------------------------


def _form(day: date, clocks: dict[str, str], **more: str) -> dict[str, str]:
    return checkin_form(day, **clocks, sol_min="10", awakenings="0", waso_min="0", **more)


@pytest.mark.parametrize("day", [FORWARD, BACK], ids=["forward", "back"])
def test_the_web_form_asks_by_the_hours_that_passed(tmp_path: Path, day: date) -> None:
    with make_site(tmp_path) as site:
        site.clock.now = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        web = site.patient()
        if day == FORWARD:
            assert web.post("/checkin", _form(day, SHORTER)).status_code == 303
            return
        asked = web.post("/checkin", _form(day, LONGER))
        assert asked.status_code == 422
        assert "is 16 h 30 min" in asked.text
        ticked = {"long_night": "1", "long_night_for": "20:00-11:30"}
        assert web.post("/checkin", _form(day, LONGER, **ticked)).status_code == 303


@pytest.mark.parametrize("day", [FORWARD, BACK], ids=["forward", "back"])
def test_the_api_asks_by_the_hours_that_passed(tmp_path: Path, day: date) -> None:
    with make_site(tmp_path) as site:
        site.clock.now = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
        web = site.patient()
        clocks = SHORTER if day == FORWARD else LONGER
        sleep = {**clocks, "sol_min": 10, "waso_min": 0, "awakenings": 0, "quality_1_5": 2}
        body = {"date": day.isoformat(), "sleep": sleep, "mood_0_10": 3, "anxiety_0_10": 6}
        answer = web.client.post("/api/checkins", json=body)
        if day == FORWARD:
            assert answer.status_code == 201, answer.text
            return
        assert answer.status_code == 422
        assert "16 h 30 min" in answer.text
        assert "long_night_confirmed" in answer.text


# --- the CLI ---------------------------------------------------------------------------------


def _cli_night(clocks: dict[str, str]) -> list[str]:
    given = {"bed": "--bed", "tried": "--tried", "final_wake": "--final-wake"}
    flags = [part for name, flag in given.items() for part in (flag, clocks[name])]
    return [*flags, "--out-of-bed", clocks["out_of_bed"], "--sol-min", "10", "--awakenings",
            "0", "--waso-min", "0", "--quality", "2", "--mood", "3", "--anxiety", "6"]  # fmt: skip


def test_the_cli_asks_by_the_hours_that_passed(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path / 'cli'}.db", now="2027-11-03T20:00+00:00")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    me.ok("checkin", "--date", FORWARD.isoformat(), *_cli_night(SHORTER))
    asked = me("checkin", "--date", BACK.isoformat(), *_cli_night(LONGER))
    assert asked.exit_code == 2
    assert "16 h 30 min" in asked.stderr
    assert "--long-night" in asked.stderr
    me.ok("checkin", "--date", BACK.isoformat(), *_cli_night(LONGER), "--long-night")
    nights = [c.sleep for c in me.store().record(1).checkins]
    assert [n.clock_shift_min for n in nights if n is not None] == [60, -60]


def test_the_cli_edit_of_a_night_the_clocks_went_back_asks_again(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path / 'edit'}.db", now="2027-11-03T20:00+00:00")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    me.ok("checkin", "--date", BACK.isoformat(), *_cli_night({**LONGER, "tried": "23:00"}))
    asked = me("journal", "edit", BACK.isoformat(), "--tried", "20:00")
    assert asked.exit_code == 2
    assert "16 h 30 min" in asked.stderr


# --- the journal CSV ------------------------------------------------------------------------


def _stored(day: date, clocks: dict[str, str], shift_min: int) -> CheckIn:
    """A night as the store gives it back: its clock shift set from the person's zone."""
    times = night_times(day, **clocks, long_night_confirmed=True)
    night = SleepDiary(*times, sol_min=10, waso_min=0, awakenings=0, clock_shift_min=shift_min)
    return CheckIn(day, night, mood=3, anxiety=6)


def test_the_journal_csv_import_asks_by_the_hours_that_passed() -> None:
    row = f"{BACK.isoformat()},19:50,20:00,10,0,0,11:30,11:45,2,,3,6"
    forward = f"{FORWARD.isoformat()},19:20,19:30,10,0,0,11:50,12:10,2,,3,6"
    text = "\r\n".join([_HEADER, row, forward]) + "\r\n"
    result = read_journal_csv(text, skip_bad=True, time_zone=LONDON)
    [problem] = [str(e) for e in result.errors]
    assert "is 16 h 30 min after tried_clock '20:00'" in problem, problem
    assert [c.wake_date for c in result.rows] == [FORWARD]


_HEADER = (
    "wake_date,bed_clock,tried_clock,sol_min,awakenings,waso_min,final_wake_clock,"
    "out_of_bed_clock,sleep_quality_1_5,sleep_reported_min,mood_0_10,anxiety_0_10"
)


@pytest.mark.parametrize(
    ("day", "clocks", "shift_min"),
    [(FORWARD, SHORTER, 60), (BACK, LONGER, -60)],
    ids=["forward", "back"],
)
def test_a_night_long_by_its_clocks_or_by_the_time_that_passed_is_written_dated(
    day: date, clocks: dict[str, str], shift_min: int
) -> None:
    """Either reads back alike, through an import that knows the zone and one that does not."""
    checkin = _stored(day, clocks, shift_min)
    text = journal_csv([checkin])
    assert f"{(day - timedelta(days=1)).isoformat()}T{clocks['tried']}" in text
    for zone in (LONDON, None):
        result = read_journal_csv(text, time_zone=zone)
        assert result.errors == ()
        [read] = result.rows
        assert read.sleep is not None
        assert checkin.sleep is not None
        assert (read.sleep.tried, read.sleep.final_wake) == (
            checkin.sleep.tried,
            checkin.sleep.final_wake,
        )


def test_a_spreadsheet_s_dated_cells_read_as_the_dated_night() -> None:
    row = (
        "2027-01-05,2027-01-04 19:30,2027-01-04 19:40,10,0,0,2027-01-05 12:05,"
        "2027-01-05 12:30,2,,3,6"
    )
    [checkin] = read_journal_csv(f"{_HEADER}\n{row}\n").rows
    assert checkin.sleep is not None
    assert checkin.sleep.tried == wall_clock(2027, 1, 4, 19, 40)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("7pm", "is not a 24-hour clock time HH:MM (nor a date and time YYYY-MM-DDTHH:MM)"),
        ("2027-01-04 7pm", "nor a date and time YYYY-MM-DDTHH:MM (or YYYY-MM-DD HH:MM)"),
        ("2027-01-04 19:40+05:45", "has a UTC offset"),
    ],
)
def test_a_clock_cell_that_is_neither_names_both_forms(cell: str, words: str) -> None:
    row = f"2027-01-05,{cell},23:20,10,0,0,06:30,06:45,2,,3,6"
    result = read_journal_csv(f"{_HEADER}\n{row}\n", skip_bad=True)
    assert words in str(result.errors[0])


def test_taperline_import_csv_reads_the_night_in_the_person_s_zone(tmp_path: Path) -> None:
    me = Taperline(f"sqlite:///{tmp_path / 'import'}.db", now="2027-11-03T20:00+00:00")
    me.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    journal = tmp_path / "journal.csv"
    forward = f"{FORWARD.isoformat()},19:20,19:30,10,0,0,11:50,12:10,2,,3,6"
    back = f"{BACK.isoformat()},19:50,20:00,10,0,0,11:30,11:45,2,,3,6"
    journal.write_text(f"{_HEADER}\n{forward}\n{back}\n", encoding="utf-8")
    said = me("import", "csv", str(journal), "--skip-bad")
    assert "'11:30' is 16 h 30 min after tried_clock '20:00'" in said.stderr, said.stderr
    assert [c.wake_date for c in me.store().record(1).checkins] == [FORWARD]


# --- the journal CSV's time_zone column -----------------------------------------------------

KATHMANDU = "Asia/Kathmandu"


def _there(**clocks: str) -> CheckIn:
    times = night_times(date(2027, 5, 1), **clocks, long_night_confirmed=True)
    night = SleepDiary(*times, sol_min=10, waso_min=0, awakenings=0, time_zone=KATHMANDU)
    return CheckIn(date(2027, 5, 1), night, mood=3, anxiety=6)


def test_a_night_in_its_zone_reads_back_through_the_time_zone_column() -> None:
    checkin = _there()
    text = journal_csv([checkin])
    assert text.split("\r\n")[1].endswith(",Asia/Kathmandu")
    assert "23:20+05:45" in text
    assert read_journal_csv(text, time_zone=LONDON).rows == (checkin,)
    # without the offsets (typed by hand), the clocks are that zone's
    plain = text.replace("+05:45", "")
    assert read_journal_csv(plain, time_zone=LONDON).rows == (checkin,)
    # a zone that is the person's is theirs: no zone of its own
    [here] = read_journal_csv(text.replace("+05:45", "").replace(KATHMANDU, "Europe/London"),
                              time_zone=LONDON).rows  # fmt: skip
    assert here.sleep is not None
    assert here.sleep.time_zone is None


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("23:20+05:45", "23:20+05:30"), "tried_clock: '23:20+05:30' has an offset Asia/Kathmandu"),
        ((",Asia/Kathmandu", ",Asia/Nowhere"), "time_zone: 'Asia/Nowhere'"),
        ((",Asia/Kathmandu", ","), "tried_clock: '23:20+05:45' has a UTC offset"),
    ],
)
def test_a_night_s_zone_that_does_not_fit_is_refused_by_its_line(
    change: tuple[str, str], problem: str
) -> None:
    text = journal_csv([_there()]).replace(*change)
    result = read_journal_csv(text, skip_bad=True, time_zone=LONDON)
    assert result.rows == ()
    assert problem in " | ".join(str(e) for e in result.errors), result.errors


def test_a_zone_without_a_night_s_clocks_is_refused() -> None:
    row = "2027-05-01,,,,,,,,3,420,3,6"
    header = _HEADER + "," + ",".join(["time_zone"])
    result = read_journal_csv(f"{header}\n{row},{KATHMANDU}\n", skip_bad=True)
    assert "time_zone: is filled but so is sleep_reported_min" in str(result.errors[0])
