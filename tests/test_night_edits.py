"""An edit of a night: one rule for every door (core.journal.edited_night).

Clock times sent back as the stored night's own keep the stored night as it is (a night no
clock door takes, up 12 h 30 min after waking, stored by a dated journal CSV row or FHIR; a
confirmed long night); changed clocks are read by night_times, in the zone the night was
logged in. The web form's "Yes, I slept that long" box is drawn ticked only for the night it
was ticked for; a copy of a confirmed long night is confirmed; `journal edit` on a terminal
asks about a new long night as `checkin` does.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from taperline.cli import session
from taperline.core.journal import CheckIn, LongNightError, SleepDiary, edited_night
from tests.strategies import wall_clock
from tests.support.journal_cli import LONG_NIGHT_CLOCKS, Taperline
from tests.support.web import START, checkin_form, make_site
from tests.support.zone_change import move

KATHMANDU = "Asia/Kathmandu"
#: Asleep 19:40 to 12:05: 16 h 25 min, a long night the person confirms.
LONG = {"bed": "19:30", "tried": "19:40", "final_wake": "12:05", "out_of_bed": "12:30"}
CLOCKS = ("bed", "tried", "final_wake", "out_of_bed")


def _up_late(day: date, time_zone: str | None = None) -> SleepDiary:
    """Asleep 23:10 to 06:30, up 19:00: no HH:MM door takes it (12 h 30 min after waking)."""
    eve = day - timedelta(days=1)
    return SleepDiary(
        wall_clock(eve.year, eve.month, eve.day, 23, 0),
        wall_clock(eve.year, eve.month, eve.day, 23, 10),
        wall_clock(day.year, day.month, day.day, 6, 30),
        wall_clock(day.year, day.month, day.day, 19, 0),
        sol_min=10,
        waso_min=0,
        awakenings=0,
        time_zone=time_zone,
    )


def _clocks(night: SleepDiary, **changes: str) -> dict[str, str]:
    return {**{n: getattr(night, n).strftime("%H:%M") for n in CLOCKS}, **changes}


def _cli_night(**clocks: str) -> list[str]:
    given = {**LONG, **clocks}
    return [
        "--bed", given["bed"], "--tried", given["tried"], "--sol-min", "10", "--awakenings",
        "0", "--waso-min", "0", "--final-wake", given["final_wake"], "--out-of-bed",
        given["out_of_bed"], "--quality", "2", "--mood", "3", "--anxiety", "6",
    ]  # fmt: skip


#: The options of an ordinary night, asleep 23:10 to 06:30.
ORDINARY = _cli_night(bed="23:00", tried="23:10", final_wake="06:30", out_of_bed="06:45")


def _person(tmp_path: Path, zone: str = "Europe/London") -> Taperline:
    me = Taperline(f"sqlite:///{tmp_path / 'me'}.db")
    me.ok("init", "--time-zone", zone, "--age-band", "40-64")
    return me


# --- the rule (core) ---------------------------------------------------------------------------


def test_clocks_sent_back_as_stored_keep_the_stored_night() -> None:
    stored = _up_late(date(2027, 1, 5), KATHMANDU)
    kept = edited_night(stored, date(2027, 1, 5), _clocks(stored), sol_min=25, waso_min=5,
                        awakenings=1, quality=4)  # fmt: skip
    assert kept == SleepDiary(stored.bed, stored.tried, stored.final_wake, stored.out_of_bed,
                              sol_min=25, waso_min=5, awakenings=1, quality=4,
                              time_zone=KATHMANDU)  # fmt: skip


def test_a_changed_clock_is_read_by_the_clock_rule_in_the_night_s_zone() -> None:
    stored = _up_late(date(2027, 1, 5), KATHMANDU)
    up = edited_night(stored, date(2027, 1, 5), _clocks(stored, out_of_bed="07:00"),
                      sol_min=10, waso_min=0, awakenings=0)  # fmt: skip
    assert (up.out_of_bed, up.bed, up.time_zone) == (
        wall_clock(2027, 1, 5, 7, 0), wall_clock(2027, 1, 4, 23, 0), KATHMANDU
    )  # fmt: skip
    with pytest.raises(Exception, match="12 h 30 min after final_wake"):
        edited_night(stored, date(2027, 1, 5), _clocks(stored, bed="22:50"), sol_min=10,
                     waso_min=0, awakenings=0)  # fmt: skip


def test_a_stored_long_night_stays_confirmed_while_its_two_ends_are_kept() -> None:
    day = date(2027, 1, 5)
    stored = edited_night(None, day, LONG, sol_min=10, waso_min=0, awakenings=0,
                          long_night_confirmed=True)  # fmt: skip
    later_up = edited_night(stored, day, {**LONG, "out_of_bed": "12:50"}, sol_min=10,
                            waso_min=0, awakenings=0)  # fmt: skip
    assert later_up.final_wake - later_up.tried == timedelta(hours=16, minutes=25)
    with pytest.raises(LongNightError):  # a slip typed over it is a new night: asked
        edited_night(stored, day, {**LONG, "final_wake": "12:35", "out_of_bed": "12:50"},
                     sol_min=10, waso_min=0, awakenings=0)  # fmt: skip
    with pytest.raises(LongNightError):  # no stored night: asked
        edited_night(None, day, LONG, sol_min=10, waso_min=0, awakenings=0)


# --- the web form ------------------------------------------------------------------------------


def test_a_browser_s_mood_edit_keeps_a_night_no_clock_door_takes(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        pid = site.person_id("pat@example.org")
        day = START.date() - timedelta(days=1)
        site.services.store.save_checkin(pid, CheckIn(day, _up_late(day), mood=3, anxiety=6))
        assert web.get(f"/checkin?date={day.isoformat()}").status_code == 200
        sent = checkin_form(day, **_clocks(_up_late(day)), mode="edit",
                            sol_min="10", awakenings="0", waso_min="0", mood="5")  # fmt: skip
        assert web.post("/checkin", sent).status_code == 303
        [stored] = site.services.store.record(pid).checkins
        assert (stored.mood, stored.sleep) == (5, replace_quality(_up_late(day), 3))


def replace_quality(night: SleepDiary, quality: int) -> SleepDiary:
    from dataclasses import replace

    return replace(night, quality=quality)


def test_a_stored_night_carried_by_a_new_check_in_s_form_is_not_taken(tmp_path: Path) -> None:
    """Only an edit's form carries the stored night: a new check-in's clocks are read."""
    with make_site(tmp_path) as site:
        web = site.patient()
        day = START.date() - timedelta(days=1)
        forged = " ".join(getattr(_up_late(day), n).isoformat() for n in CLOCKS)
        sent = checkin_form(day, **_clocks(_up_late(day)), night_as_stored=forged)
        assert web.post("/checkin", sent).status_code == 422
        assert not site.services.store.record(site.person_id("pat@example.org")).checkins


def test_a_copy_of_a_confirmed_long_night_is_drawn_confirmed(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        day = START.date() - timedelta(days=1)
        confirmed = {"long_night": "1", "long_night_for": "19:40-12:05"}
        earlier = checkin_form(day - timedelta(days=1), **LONG, **confirmed)
        assert web.post("/checkin", earlier).status_code == 303
        copied = web.post("/checkin", {**checkin_form(day), "copy": "sleep"}).text
        assert 'name="long_night" value="1" checked' in copied
        assert 'name="long_night_for" value="19:40-12:05"' in copied
        saved = web.post("/checkin", checkin_form(day, **LONG, **confirmed,
                                                  sleep_copied_from=earlier["date"]))  # fmt: skip
        assert saved.status_code == 303


def test_a_box_ticked_for_the_night_typed_stays_ticked_after_another_error(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        day = START.date() - timedelta(days=1)
        ticked = {"long_night": "1", "long_night_for": "19:40 - 12:05"}
        page = web.post("/checkin", checkin_form(day, **LONG, **ticked, mood="")).text
        assert 'name="long_night" value="1" checked' in page  # only the mood is asked
        assert 'name="long_night_for" value="19:40-12:05"' in page


# --- the CLI -----------------------------------------------------------------------------------


def test_a_copy_of_a_confirmed_long_night_is_not_asked_again(tmp_path: Path) -> None:
    me = _person(tmp_path)
    me.ok("checkin", "--date", "2027-01-04", *_cli_night(), "--long-night")
    me.ok("checkin", "--date", "2027-01-05", "--same-sleep", "--mood", "3", "--anxiety", "5",
          "--no-ask")  # fmt: skip
    copy = me.store().checkin(1, date(2027, 1, 5))
    assert copy.sleep is not None
    assert copy.sleep.final_wake - copy.sleep.tried == timedelta(hours=16, minutes=25)
    assert copy.sleep_copied_from == date(2027, 1, 4)


def test_journal_edit_on_a_terminal_asks_about_a_long_night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = _person(tmp_path)
    me.ok("checkin", "--date", "2027-01-04", *ORDINARY)
    monkeypatch.setattr(session, "on_terminal", lambda: True)
    longer = LONG_NIGHT_CLOCKS
    said_no = me("journal", "edit", "2027-01-04", *longer, input="n\n")
    assert said_no.exit_code == 2
    assert "Did you really sleep that long?" in said_no.stdout
    said = me("journal", "edit", "2027-01-04", *longer, input="y\n")
    assert said.exit_code == 0, said.output
    night = me.store().checkin(1, date(2027, 1, 4)).sleep
    assert night is not None
    assert night.final_wake - night.tried == timedelta(hours=16, minutes=25)


def test_journal_edit_of_a_clock_says_the_night_s_zone(tmp_path: Path) -> None:
    me = _person(tmp_path, KATHMANDU)
    me.ok("checkin", "--date", "2027-01-04", *ORDINARY)
    move(me.store(), 1, "Europe/London")
    said = me.ok("journal", "edit", "2027-01-04", "--out-of-bed", "07:15")
    assert f"read as {KATHMANDU} times" in said.stdout
    night = me.store().checkin(1, date(2027, 1, 4)).sleep
    assert night is not None
    assert (night.out_of_bed, night.time_zone) == (wall_clock(2027, 1, 4, 7, 15), KATHMANDU)


# --- the JSON API ------------------------------------------------------------------------------


def test_the_api_s_put_reads_a_changed_clock_of_a_stored_night_again(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        pid = site.person_id("pat@example.org")
        day = START.date() - timedelta(days=1)
        site.services.store.save_checkin(pid, CheckIn(day, _up_late(day), mood=3, anxiety=6))
        sleep = {**_clocks(_up_late(day)), "sol_min": 10, "waso_min": 0, "awakenings": 0,
                 "quality_1_5": 3}  # fmt: skip
        body = {"date": day.isoformat(), "sleep": sleep, "mood_0_10": 5, "anxiety_0_10": 6}
        url = f"/api/checkins/{day.isoformat()}"
        assert web.client.put(url, json=body).status_code == 200  # as GET gives it: kept
        earlier_bed = {**body, "sleep": {**sleep, "bed": "22:50"}}
        refused = web.client.put(url, json=earlier_bed)
        assert refused.status_code == 422
        assert "12 h 30 min" in refused.text
        [stored] = site.services.store.record(pid).checkins
        assert (stored.mood, stored.sleep) == (5, replace_quality(_up_late(day), 3))
