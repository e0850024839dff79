"""An adversarial review of "delete a check-in, then Undo / restore it" through every door
(commits 55ceff1 and b7629b4): the web journal's one delete form and its sealed Undo
(``POST /journal/restore``), ``taperline journal delete`` / ``journal restore CODE``, and the
code itself (``adapters.csvio.checkin_code`` / ``checkin_of_code``).

What holds is tested as it is; each defect found is a strict xfail whose reason says the door,
the input, what happens and what should.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.record import Profile
from taperline.service import restore_checkin
from tests.support.journal_cli import LONG_NIGHT_CLOCKS, Taperline, one_person, refused
from tests.support.web import PASSWORD, Site, Web, checkin_form, hidden_fields, make_site

UNDO = 'action="/journal/restore"'
ANN = "ann@example.org"


# --- helpers ----------------------------------------------------------------------------------


def _deleted(web: Web, day: date) -> dict[str, str]:
    """Delete the day's check-in from the journal page; the Undo notice's fields."""
    page = web.post(f"/journal/{day.isoformat()}/delete")
    assert page.status_code == 200, page.text[:300]
    return hidden_fields(page.text, UNDO)


def _pid(site: Site) -> int:
    return site.person_id(ANN)


def _move(site: Site, time_zone: str) -> None:
    """Ann's profile moves to ``time_zone`` (as the account page saves it)."""
    from taperline.service import save_profile

    store = site.services.store
    pid = _pid(site)
    save_profile(store, pid, replace(store.profile(pid), time_zone=time_zone))


def _full(site: Site, ann: Web, day: date, **changes: Any) -> CheckIn:
    """A full check-in of ``day`` by the form; as stored."""
    form = checkin_form(day, idem=f"full-{day}-{len(changes)}", **changes)
    saved = ann.post("/checkin", form)
    assert saved.status_code == 303, saved.text[:2000]
    return site.services.store.checkin(_pid(site), day)


# --- the web door: shapes of check-ins ----------------------------------------------------------


def test_a_confirmed_night_of_more_than_16_hours_comes_back(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today
        clocks = {"bed": "19:30", "tried": "19:40", "final_wake": "12:05", "out_of_bed": "12:30"}
        before = _full(
            site, ann, day, **clocks, long_night="1", long_night_for="19:40-12:05", sol_min="5"
        )
        assert before.sleep is not None
        assert before.sleep.final_wake - before.sleep.tried > timedelta(hours=16)
        assert ann.post("/journal/restore", _deleted(ann, day)).status_code == 303
        assert site.services.store.checkin(_pid(site), day) == before


def test_a_night_logged_in_another_zone_comes_back_in_that_zone(tmp_path: Path) -> None:
    """Logged in London, moved to New York, then deleted and put back: still London's."""
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today - timedelta(days=2)
        _full(site, ann, day)
        _move(site, "America/New_York")
        before = site.services.store.checkin(_pid(site), day)
        assert before.sleep is not None
        assert before.sleep.time_zone == "Europe/London"
        assert ann.post("/journal/restore", _deleted(ann, day)).status_code == 303
        assert site.services.store.checkin(_pid(site), day) == before


def test_a_night_deleted_before_a_move_and_put_back_after_keeps_its_zone(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        pid = _pid(site)
        store = site.services.store
        day, kept_day = site.clock.today - timedelta(days=2), site.clock.today - timedelta(days=3)
        _full(site, ann, day)
        _full(site, ann, kept_day)
        undo = _deleted(ann, day)
        _move(site, "America/New_York")
        kept = store.checkin(pid, kept_day)  # never deleted: still London's night
        assert kept.sleep is not None
        assert kept.sleep.time_zone == "Europe/London"
        assert ann.post("/journal/restore", undo).status_code == 303
        back = store.checkin(pid, day)
        assert back.sleep is not None
        assert back.sleep.time_zone == "Europe/London"


@pytest.mark.parametrize(
    ("zone", "day", "clocks"),
    [
        ("Europe/London", date(2026, 3, 29), ("22:30", "22:40", "07:10", "07:30")),
        ("Europe/London", date(2026, 10, 25), ("22:30", "22:40", "07:10", "07:30")),
        ("America/New_York", date(2026, 3, 8), ("21:00", "21:10", "06:50", "07:00")),
        ("America/New_York", date(2026, 11, 1), ("21:00", "21:10", "06:50", "07:00")),
        # a confirmed long night across the change
        ("America/New_York", date(2026, 11, 1), ("18:00", "18:10", "11:30", "11:50")),
    ],
)
def test_ordinary_nights_across_a_clock_change_come_back(
    tmp_path: Path, zone: str, day: date, clocks: tuple[str, str, str, str]
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN, time_zone=zone)
        names = ("bed", "tried", "final_wake", "out_of_bed")
        long = {"long_night": "1", "long_night_for": f"{clocks[1]}-{clocks[2]}"}
        before = _full(site, ann, day, **dict(zip(names, clocks, strict=True)), **long)
        assert before.sleep is not None
        assert before.sleep.clock_shift_min != 0
        assert ann.post("/journal/restore", _deleted(ann, day)).status_code == 303
        assert site.services.store.checkin(_pid(site), day) == before


ODD_NOTES = [
    "\u2028line\u2029para\x85nel\x0bvt\x0cff\x1cfs",
    "\ufeffstarts with a BOM",
    "  spaces around, a tab after\t",
    "=1+1",
    "'=still a formula?",
    '"quoted", and a comma; and ""',
    "ends with a lone CR\r",
    "\r\n\r\n",
    "<script>alert(1)</script> &amp; {{ 7*7 }}",
    "𝄞" * 2000,  # 2,000 characters of 4 bytes: the form's limit, 8,000 bytes
    '"' * 2000,  # every quote doubled in the CSV row
]


@pytest.mark.parametrize("notes", ODD_NOTES, ids=range(len(ODD_NOTES)))
def test_notes_of_every_odd_shape_come_back_byte_for_byte(tmp_path: Path, notes: str) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        pid = _pid(site)
        store = site.services.store
        day = site.clock.today - timedelta(days=1)
        store.save_checkin(pid, CheckIn(day, None, mood=4, anxiety=5, notes=notes))
        before = store.checkin(pid, day)
        assert before.notes == notes
        back = ann.post("/journal/restore", _deleted(ann, day))
        assert back.status_code == 303, back.text[:500]
        assert store.checkin(pid, day) == before


def test_a_2000_character_note_of_4_byte_characters_typed_in_the_form_comes_back(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today
        before = _full(site, ann, day, notes="😀" * 2000)
        assert before.notes == "😀" * 2000
        too_long = ann.post("/checkin", checkin_form(day, notes="😀" * 2001, idem="long"))
        assert too_long.status_code == 422  # the form's own limit holds
        undo = _deleted(ann, day)
        assert len(undo["checkin"]) < 32_000
        assert ann.post("/journal/restore", undo).status_code == 303
        assert site.services.store.checkin(_pid(site), day) == before


def test_a_long_note_written_at_the_command_line_can_be_undone_on_the_web(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        pid = _pid(site)
        store = site.services.store
        cli = Taperline(f"sqlite:///{tmp_path / 'web.db'}")
        day = date(2027, 1, 5)  # the CLI's today (tests.support.journal_cli.NOW)
        cli.ok("checkin", "--person", str(pid), "--date", day.isoformat(), "--no-sleep",
               "--mood", "4", "--anxiety", "5", "--note", "😀" * 8000, "--no-ask")  # fmt: skip
        before = store.checkin(pid, day)
        assert before.notes == "😀" * 8000
        back = ann.post("/journal/restore", _deleted(ann, day))
        assert back.status_code == 303, back.text[:300]
        assert store.checkin(pid, day) == before


def test_copies_whose_source_was_deleted_meanwhile_keep_their_marks(tmp_path: Path) -> None:
    """A copy deleted, its source deleted, both put back in either order: both as they were."""
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        pid = _pid(site)
        store = site.services.store
        source_day = site.clock.today - timedelta(days=1)
        day = site.clock.today
        source = _full(site, ann, source_day)
        copy = replace(
            source,
            wake_date=day,
            sleep=None,
            sleep_copied_from=None,
            symptoms_copied_from=source_day,
            notes="",
        )
        store.save_checkin(pid, copy)
        copy = store.checkin(pid, day)
        assert copy.symptoms_copied_from == source_day
        undo_copy = _deleted(ann, day)
        undo_source = _deleted(ann, source_day)
        assert ann.post("/journal/restore", undo_copy).status_code == 303
        assert store.checkin(pid, day) == copy
        page = ann.get("/journal").text
        assert "Symptoms copied from your check-in of" in page
        assert ann.post("/journal/restore", undo_source).status_code == 303
        assert store.checkins(pid) == [source, copy]


# --- the web door: who may, and when ---------------------------------------------------------


def test_only_the_signed_in_patient_can_put_the_day_back(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        pid = _pid(site)
        store = site.services.store
        day = site.clock.today
        _full(site, ann, day)
        undo = _deleted(ann, day)
        fields = {k: v for k, v in undo.items() if k != "csrf_token"}
        doc = site.clinician("doc@example.org")
        assert doc.post("/journal/restore", fields).status_code == 403
        stranger = site.browser()
        signed_out = stranger.post("/journal/restore", fields)
        assert signed_out.status_code in {303, 401, 403}
        assert store.checkins(pid) == []
        # no CSRF token of this session: refused
        assert ann.post("/journal/restore", {**undo, "csrf_token": "0" * 64}).status_code == 403
        # Bob's own seal cannot be made for Ann's code; his own session cannot use Ann's
        bob = site.patient("bob@example.org")
        bob_pid = site.person_id("bob@example.org")
        assert bob.post("/journal/restore", fields).status_code == 422
        # nor with a seal of his own (made for his own deleted day)
        store.save_checkin(bob_pid, CheckIn(day, None, mood=1, anxiety=1))
        bobs = _deleted(bob, day)
        borrowed = {"checkin": undo["checkin"], "checkin_seal": bobs["checkin_seal"]}
        assert bob.post("/journal/restore", borrowed).status_code == 422
        assert store.checkins(bob_pid) == []
        assert store.checkins(pid) == []
        # Ann signed out and in again (another session): her undo still works
        assert ann.signout().status_code == 303
        assert ann.signin(ANN).status_code == 303
        assert ann.post("/journal/restore", fields).status_code == 303
        assert len(store.checkins(pid)) == 1


@pytest.mark.xfail(
    strict=True,
    reason=(
        "web /journal/restore after the session went idle (30 min: a phone put down after a"
        " Delete, the journal page still open): Undo tapped -> 303 to /signin?next=/; signed"
        " in, the start page and the journal neither say the undo was not done nor offer it"
        " again, and the day stays deleted, although the seal is made to outlive a session."
        " Should put the day back after signing in (next= the undo), or offer its Undo again"
    ),
)
def test_an_undo_tapped_after_the_session_went_idle_is_not_lost(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today
        _full(site, ann, day)
        undo = _deleted(ann, day)
        site.clock.advance(minutes=31)  # Settings.session_idle is 30 min
        tapped = ann.post("/journal/restore", undo)
        assert tapped.status_code == 303
        assert tapped.headers["location"].startswith("/signin")
        signed_in = ann.signin(ANN)
        assert signed_in.status_code == 303
        landing = ann.get(signed_in.headers["location"]).text + ann.get("/journal").text
        back = site.services.store.checkins(_pid(site)) != []
        assert back or UNDO in landing


def test_a_seal_made_for_one_code_does_not_open_another_of_the_same_person(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        store = site.services.store
        first, second = site.clock.today - timedelta(days=1), site.clock.today
        _full(site, ann, first)
        _full(site, ann, second)
        undo_first = _deleted(ann, first)
        undo_second = _deleted(ann, second)
        mixed = {**undo_first, "checkin_seal": undo_second["checkin_seal"]}
        assert ann.post("/journal/restore", mixed).status_code == 422
        assert store.checkins(_pid(site)) == []


def test_an_old_undo_after_delete_restore_edit_delete_gives_its_own_version_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """Version A deleted (undo A), put back, edited to B, B deleted (undo B): undo A gives A
    back; undo B then refuses (409) and leaves A. The other order: B back, A refused."""
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        pid = _pid(site)
        store = site.services.store
        day = site.clock.today
        a = _full(site, ann, day)
        undo_a = _deleted(ann, day)
        assert ann.post("/journal/restore", undo_a).status_code == 303
        edited = ann.post("/checkin", checkin_form(day, mode="edit", mood="2", idem="e1"))
        assert edited.status_code == 303
        b = store.checkin(pid, day)
        assert b.mood == 2
        # the undo of A sent again while B is stored: refused, B is kept (nothing overwritten)
        assert ann.post("/journal/restore", undo_a).status_code == 409
        assert store.checkin(pid, day) == b
        undo_b = _deleted(ann, day)
        assert ann.post("/journal/restore", undo_a).status_code == 303
        assert store.checkins(pid) == [a]
        assert ann.post("/journal/restore", undo_b).status_code == 409
        assert store.checkins(pid) == [a]
        undo_a_again = _deleted(ann, day)
        assert ann.post("/journal/restore", undo_b).status_code == 303
        assert store.checkins(pid) == [b]
        assert ann.post("/journal/restore", undo_a_again).status_code == 409
        assert store.checkins(pid) == [b]


def test_an_old_undo_over_an_edited_day_does_not_say_it_is_back_as_it_was(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today
        _full(site, ann, day)
        undo = _deleted(ann, day)
        assert ann.post("/journal/restore", undo).status_code == 303
        edited = ann.post("/checkin", checkin_form(day, mode="edit", mood="2", idem="e1"))
        assert edited.status_code == 303
        again = ann.post("/journal/restore", undo)
        assert site.services.store.checkin(_pid(site), day).mood == 2
        assert again.status_code == 409
        assert "was put back and changed since" in again.text


def test_a_day_now_in_the_future_after_a_move_is_refused_plainly_and_nothing_stored(
    tmp_path: Path,
) -> None:
    """Checked in for "today" in Kiritimati (UTC+14), deleted, moved to Honolulu (UTC-10):
    that day is tomorrow there. The undo is refused (no check-in is dated in the future);
    the page says why, in plain words; nothing is stored."""
    with make_site(tmp_path) as site:
        ann = site.patient(ANN, time_zone="Pacific/Kiritimati")
        pid = _pid(site)
        store = site.services.store
        day = site.clock.today + timedelta(days=1)  # 02:00 on 2 March there
        _full(site, ann, day)
        undo = _deleted(ann, day)
        _move(site, "Pacific/Honolulu")
        refused_page = ann.post("/journal/restore", undo)
        assert refused_page.status_code == 422
        assert "future" in refused_page.text
        assert "Traceback" not in refused_page.text
        assert store.checkins(pid) == []
        site.clock.advance(hours=22)  # 00:00 on 2 March in Honolulu: no longer the future
        assert ann.signin(ANN).status_code == 303  # signed out meanwhile (idle)
        fields = {k: v for k, v in undo.items() if k != "csrf_token"}
        assert ann.post("/journal/restore", fields).status_code == 303
        assert [c.wake_date for c in store.checkins(pid)] == [day]


# --- the web door: what the person sees after -----------------------------------------------


def test_a_red_flag_put_back_shows_the_crisis_banner_at_once(tmp_path: Path) -> None:
    """The patient's crisis banner and the clinician's list, both cached per record version."""
    from tests.support.web import share

    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        doc = site.clinician("doc@example.org")
        share(site, ann, doc)
        day = site.clock.today
        _full(site, ann, day, events="suicidal thoughts")
        crisis = "If you are in danger, get help now"
        assert crisis in ann.get("/dashboard").text  # cached now
        assert "1 red flag" in doc.get("/clinician").text
        undo = _deleted(ann, day)
        assert crisis not in ann.get("/dashboard").text
        assert "red flag" not in doc.get("/clinician").text
        back = ann.post("/journal/restore", undo, follow_redirects=True)
        assert crisis in back.text  # the journal the undo lands on
        assert crisis in ann.get("/dashboard").text
        assert "1 red flag" in doc.get("/clinician").text


def test_the_restore_reads_sensibly_in_the_access_log(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today
        _full(site, ann, day)
        assert ann.post("/journal/restore", _deleted(ann, day)).status_code == 303
        page = ann.get("/account/audit").text
        assert re.search(r"</strong> restore: check-in Mon 1 Mar 2027 \(mood 6, anxiety 4,", page)
        assert re.search(r"</strong> delete: check-in Mon 1 Mar 2027", page)


def test_the_access_log_does_not_say_no_night_of_a_night_in_brief(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        day = site.clock.today
        form = {"date": day.isoformat(), "kind": "quick", "mood": "6", "anxiety": "3"}
        form |= {"asleep_min": "390", "quality": "4", "idem": "quick"}
        assert ann.post("/checkin", form).status_code == 303
        assert ann.post("/journal/restore", _deleted(ann, day)).status_code == 303
        page = ann.get("/account/audit").text
        assert "restore: check-in Mon 1 Mar 2027" in page
        assert "no night" not in page


def test_the_delete_buttons_name_their_day_and_the_undo_page_is_small(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN)
        store = site.services.store
        pid = _pid(site)
        for back in range(3):
            store.save_checkin(pid, CheckIn(site.clock.today - timedelta(days=back), None, 5, 5))
        page = ann.get("/journal").text
        assert page.count('form="delete-day"') == 3
        assert page.count('id="delete-day"') == 1
        for label in ("Mon 1 Mar 2027", "Sun 28 Feb 2027", "Sat 27 Feb 2027"):
            assert f'Delete<span class="sr"> {label}</span>' in page
        # the one form carries this session's token and the period shown; a row's Delete
        # sends only them
        form = page[page.index('id="delete-day"') :]
        form = form[: form.index("</form>")]
        one_form = (
            r'id="delete-day" hidden data-once><input type="hidden" name="csrf_token"'
            r' value="[0-9a-f]+">'
            r'<input type="hidden" name="days" value="60">'
        )
        assert re.fullmatch(one_form, form)
        assert ann.post("/journal/2027-02-28/delete").status_code == 200
        assert [c.wake_date for c in store.checkins(pid)] == [date(2027, 2, 27), date(2027, 3, 1)]
        # a day with no check-in (a second tap, a stale page): a plain 404, nothing else gone
        assert ann.post("/journal/2027-02-28/delete").status_code == 404
        assert len(store.checkins(pid)) == 2


# --- the CLI door ----------------------------------------------------------------------------

DAY = date(2027, 1, 5)


@pytest.fixture
def me(tmp_path: Path) -> Taperline:
    return one_person(tmp_path)


def _code(tl: Taperline, day: date = DAY, *person: str) -> str:
    out = tl.ok("journal", "delete", day.isoformat(), "--yes", *person).stdout.splitlines()
    return out[1].removeprefix("To put it back: taperline journal restore ").split()[0]


def _checked_in(tl: Taperline, *more: str) -> CheckIn:
    """DAY's check-in (no night, mood 6, anxiety 4, and ``more``), as stored."""
    tl.ok("checkin", "--date", DAY.isoformat(), "--no-sleep", "--mood", "6", "--anxiety", "4",
          *more, "--no-ask")  # fmt: skip
    [checkin] = tl.store().checkins(1)
    return checkin


def test_cli_a_code_pasted_with_a_newline_spaces_or_shell_quotes_works(me: Taperline) -> None:
    before = _checked_in(me, "--note", 'a "quoted" note\nwith a line')
    code = _code(me)
    me.ok("journal", "restore", f"  {code}\r\n")
    assert me.store().checkins(1) == [before]
    code = _code(me)
    tag, body = code.split(".")
    # wrapped by a terminal and pasted inside quotes: the line breaks are not the code's
    me.ok("journal", "restore", f"{tag}.{body[:20]}\n{body[20:]}")
    assert me.store().checkins(1) == [before]


def test_cli_a_code_inside_quotes_the_shell_kept_is_read(me: Taperline) -> None:
    before = _checked_in(me)
    code = _code(me)
    me.ok("journal", "restore", f"'{code}'")
    assert me.store().checkins(1) == [before]
    code = _code(me)
    me.ok("journal", "restore", f"\u2018{code}\u2019")
    assert me.store().checkins(1) == [before]


def test_cli_restore_in_a_database_of_several_people_needs_the_person(me: Taperline) -> None:
    before = _checked_in(me)
    code = _code(me)  # one person then: no --person printed
    assert me.store().create_person(Profile("America/New_York", label="B")) == 2
    refused(me("journal", "restore", code), "2 people", "--person")
    assert me.store().checkins(1) == []
    assert me.store().checkins(2) == []
    me.ok("journal", "restore", code, "--person", "1")
    assert me.store().checkins(1) == [before]
    # a missing person is refused, nothing stored
    assert me("journal", "restore", code, "--person", "9").exit_code != 0


def test_cli_a_code_of_one_person_is_not_put_into_another_persons_journal(
    me: Taperline,
) -> None:
    assert me.store().create_person(Profile("Europe/London", label="B")) == 2
    me.ok("checkin", "--person", "1", "--date", DAY.isoformat(), "--no-sleep", "--mood", "2",
          "--anxiety", "8", "--event", "seizure", "--note", "person one's", "--no-ask")  # fmt: skip
    code = _code(me, DAY, "--person", "1")
    result = me("journal", "restore", code, "--person", "2")
    assert me.store().checkins(2) == []
    assert result.exit_code == 2


def test_cli_a_confirmed_long_night_and_a_night_in_another_zone_come_back(me: Taperline) -> None:
    me.ok("checkin", "--date", DAY.isoformat(), *LONG_NIGHT_CLOCKS, "--long-night",
          "--sol-min", "10", "--awakenings", "0", "--waso-min", "0", "--quality", "3",
          "--mood", "5", "--anxiety", "5", "--no-ask")  # fmt: skip
    earlier = DAY - timedelta(days=1)
    me.ok("checkin", "--date", earlier.isoformat(), "--bed", "23:00", "--tried", "23:10",
          "--final-wake", "06:30", "--out-of-bed", "06:45", "--sol-min", "10",
          "--awakenings", "0", "--waso-min", "0", "--quality", "3", "--mood", "5",
          "--anxiety", "5", "--no-ask")  # fmt: skip
    store = me.store()
    store.update_profile(1, replace(store.profile(1), time_zone="Asia/Kathmandu"))
    before = store.checkins(1)
    assert [c.sleep.time_zone for c in before if c.sleep] == ["Europe/London"] * 2
    for day in (earlier, DAY):
        me.ok("journal", "restore", _code(me, day))
    assert store.checkins(1) == before


def test_cli_a_night_deleted_before_a_move_and_put_back_after_keeps_its_zone(
    me: Taperline,
) -> None:
    me.ok("checkin", "--date", DAY.isoformat(), "--bed", "23:00", "--tried", "23:10",
          "--final-wake", "06:30", "--out-of-bed", "06:45", "--sol-min", "10",
          "--awakenings", "0", "--waso-min", "0", "--quality", "3", "--mood", "5",
          "--anxiety", "5", "--no-ask")  # fmt: skip
    code = _code(me)
    store = me.store()
    store.update_profile(1, replace(store.profile(1), time_zone="Asia/Kathmandu"))
    me.ok("journal", "restore", code)
    [back] = store.checkins(1)
    assert back.sleep is not None
    assert back.sleep.time_zone == "Europe/London"


def test_cli_restore_says_every_red_flag_again(me: Taperline) -> None:
    me.ok("checkin", "--date", DAY.isoformat(), "--no-sleep", "--mood", "1", "--anxiety", "9",
          "--event", "suicidal thoughts", "--event", "fall", "--no-ask")  # fmt: skip
    restored = me.ok("journal", "restore", _code(me))
    assert "988" in restored.stderr or "emergency" in restored.stderr.lower()
    assert "URGENT" in restored.stderr


# --- a real browser, without JavaScript, by keyboard alone ----------------------------------


def _two_days_beside_the_app(database: Path, email: str) -> list[CheckIn]:
    """Yesterday's full check-in (a diary night, a checklist, a fall, a note) and today's
    quick one, stored beside the running app; as stored."""
    from taperline.core.journal import ReportedSleep
    from taperline.service import store_checkin
    from tests.support.browser import served_record, usual_night

    with served_record(database, email) as (store, pid, today):
        yesterday = today - timedelta(days=1)
        full = CheckIn(yesterday, usual_night(yesterday), mood=6, anxiety=4,
                       symptoms={"tremor": 1}, events=frozenset({"fall"}),
                       notes='slipped on the stairs, "mild"\n<b>ok</b>',
                       substances_asked=True, caffeine_drinks=2)  # fmt: skip
        quick = CheckIn(today, None, mood=5, anxiety=3, reported_sleep=ReportedSleep(390, 4),
                        symptoms_rated=False, substances_asked=False)  # fmt: skip
        for checkin in (full, quick):
            store_checkin(store, pid, checkin, today=today)
        return list(store.checkins(pid))


def _stored(database: Path, email: str) -> list[CheckIn]:
    from tests.support.browser import served_record

    with served_record(database, email) as (store, pid, _today):
        return list(store.checkins(pid))


def _tab_to(page: Any, name: re.Pattern[str], most: int = 120) -> str:
    """Press Tab until the focused element's accessible name matches ``name``; that name."""
    for _ in range(most):
        page.keyboard.press("Tab")
        label = page.evaluate(
            """() => { const e = document.activeElement;
                return e ? (e.innerText || e.value || '').replace(/\\s+/g, ' ').trim() : ''; }"""
        )
        if name.search(label):
            return str(label)
    raise AssertionError(f"no control named {name.pattern} reached by Tab")


@pytest.mark.slow
def test_without_javascript_by_keyboard_a_day_is_deleted_and_put_back(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import (
        PHONE,
        TIME_ZONE,
        TIMEOUT_MS,
        close_contexts,
        served,
    )

    expect.set_options(timeout=TIMEOUT_MS)
    database = tmp_path / "browser.db"
    with served(tmp_path) as base:
        try:
            context = browser.new_context(
                base_url=base, viewport=PHONE, java_script_enabled=False, timezone_id=TIME_ZONE
            )
            context.set_default_timeout(TIMEOUT_MS)
            ann = context.new_page()
            ann.goto("/signup")
            ann.get_by_label("Your name").fill("Ann")
            ann.get_by_label("E-mail address").fill(ANN)
            ann.get_by_label("Password").fill(PASSWORD)
            ann.get_by_label("Time zone").fill(TIME_ZONE)  # no script to detect it
            ann.get_by_role("button", name="Create account").click()
            expect(ann).to_have_url(re.compile(r"/dashboard$"))
            before = _two_days_beside_the_app(database, ANN)

            ann.goto("/journal")
            days = ann.locator("li.day")
            expect(days).to_have_count(2)
            first = days.nth(1).locator(".day-head strong").inner_text()  # yesterday's
            label = _tab_to(ann, re.compile(f"^Delete {re.escape(first)}$"))
            button = ann.get_by_role("button", name=f"Delete {first}", exact=True)
            expect(button).to_be_focused()
            assert label == f"Delete {first}"
            ann.keyboard.press("Enter")
            expect(ann.locator("form.undo")).to_contain_text(f"Check-in of {first} deleted.")
            expect(days).to_have_count(1)
            assert [c.wake_date for c in _stored(database, ANN)] == [before[1].wake_date]

            _tab_to(ann, re.compile("^Undo$"))
            ann.keyboard.press("Enter")
            expect(ann).to_have_url(re.compile(r"/journal\?days=\d+&done=checkin-restored$"))
            expect(ann.get_by_role("status").first).to_contain_text("as it was")
            expect(days).to_have_count(2)
            expect(days.nth(1)).to_contain_text("fall")
            expect(days.nth(1)).to_contain_text('slipped on the stairs, "mild" <b>ok</b>')
            assert _stored(database, ANN) == before
        finally:
            close_contexts(browser)


@pytest.mark.slow
def test_axe_finds_nothing_on_the_journal_after_undo_and_after_delete(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import (
        PHONE,
        TIME_ZONE,
        TIMEOUT_MS,
        axe_source,
        axe_violations,
        close_contexts,
        served,
    )

    expect.set_options(timeout=TIMEOUT_MS)
    source = axe_source()
    database = tmp_path / "browser.db"
    with served(tmp_path) as base:
        try:
            context = browser.new_context(base_url=base, viewport=PHONE, timezone_id=TIME_ZONE)
            context.set_default_timeout(TIMEOUT_MS)
            ann = context.new_page()
            ann.goto("/signup")
            ann.get_by_label("Your name").fill("Ann")
            ann.get_by_label("E-mail address").fill(ANN)
            ann.get_by_label("Password").fill(PASSWORD)
            ann.get_by_role("button", name="Create account").click()
            expect(ann).to_have_url(re.compile(r"/dashboard$"))
            before = _two_days_beside_the_app(database, ANN)
            ann.goto("/journal")
            first = ann.locator("li.day").nth(1).locator(".day-head strong").inner_text()
            delete = ann.get_by_role("button", name=f"Delete {first}", exact=True)
            delete.dblclick()  # a double tap: one delete, and its Undo shown
            expect(ann.locator("form.undo")).to_contain_text(f"Check-in of {first} deleted.")
            ann.locator("form.undo").get_by_role("button", name="Undo").dblclick()
            expect(ann).to_have_url(re.compile(r"/journal\?days=\d+&done=checkin-restored$"))
            assert _stored(database, ANN) == before
            assert axe_violations(ann, source) == []  # after the Undo: holds
            delete.click()
            expect(ann.locator("form.undo")).to_contain_text(f"Check-in of {first} deleted.")
            assert axe_violations(ann, source) == []  # with the Undo notice: fails
        finally:
            close_contexts(browser)


#: Counts the submits the page lets go (after taperline.js's own listener) and stops them
#: there, so that a test can tap twice on one page.
_COUNT_SUBMITS = """() => {
  window.submits = 0;
  window.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) { window.submits += 1; }
    event.preventDefault();
  });
}"""


@pytest.mark.slow
def test_a_double_tap_on_delete_or_undo_sends_it_once(tmp_path: Path, browser: Any) -> None:
    """A second tap before the answer came (a slow connection) sends nothing more: a second
    Delete would answer 404 'no check-in' over the page with the Undo (taperline.js: forms
    marked data-once). Back to the page (bfcache), it may be sent again."""
    from playwright.sync_api import expect

    from tests.support.browser import TIMEOUT_MS, served
    from tests.support.offline import EMAIL, phone_with_saved_pages

    expect.set_options(timeout=TIMEOUT_MS)
    database = tmp_path / "browser.db"
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (_phone, ann):
        _two_days_beside_the_app(database, EMAIL)
        ann.goto("/journal")
        ann.evaluate(_COUNT_SUBMITS)
        delete = ann.locator("li.day").first.get_by_role("button", name=re.compile("^Delete"))
        delete.click()
        delete.click()
        assert ann.evaluate("window.submits") == 1
        ann.evaluate("window.dispatchEvent(new PageTransitionEvent('pageshow'))")
        delete.click()
        assert ann.evaluate("window.submits") == 2
        ann.goto("/journal")  # a Delete for real, then its Undo tapped twice
        delete = ann.locator("li.day").first.get_by_role("button", name=re.compile("^Delete"))
        delete.click()
        expect(ann.locator("form.undo")).to_be_visible()
        ann.evaluate(_COUNT_SUBMITS)
        undo = ann.locator("form.undo").get_by_role("button", name="Undo")
        undo.click()
        undo.click()
        assert ann.evaluate("window.submits") == 1


def test_a_check_in_that_answered_a_dose_comes_back_and_the_dose_log_is_untouched(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient(ANN, regimen_drug="clonazepam", regimen_doses="0.5 mg at 22:00")
        pid = _pid(site)
        store = site.services.store
        day = site.clock.today
        night_before = (day - timedelta(days=1)).isoformat()
        form = {"date": day.isoformat(), "kind": "quick", "mood": "6", "anxiety": "3"}
        form |= {
            "asleep_min": "390",
            "quality": "4",
            "idem": "q",
            f"dose:{night_before}:22:00": "taken",
        }
        saved = ann.post("/checkin", form)
        assert saved.status_code == 303, saved.text[:3000]
        doses = store.record(pid).doses
        assert len(doses) == 1
        before = store.checkin(pid, day)
        undo = _deleted(ann, day)
        assert store.record(pid).doses == doses  # the delete keeps the dose log
        assert ann.post("/journal/restore", undo).status_code == 303
        assert store.checkin(pid, day) == before
        assert store.record(pid).doses == doses  # put back: no dose added, none lost


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_restores_racing_on_each_database_store_the_day_once(
    request: pytest.FixtureRequest, backend: str
) -> None:
    """Eight restores of one code at once (the undo double-tapped on two phones), on SQLite and
    PostgreSQL (its unique-key race path): one row, one audit line, no error."""
    from taperline.adapters.storage.accounts import Accounts
    from taperline.adapters.storage.db import make_engine
    from taperline.service import AT_THIS_COMPUTER, auditor, open_store

    url: str = request.getfixturevalue(
        f"migrated_{'pg' if backend == 'postgresql' else 'sqlite'}_url"
    )
    store = open_store(url)
    pid = store.create_person(Profile("Europe/London"))
    now = datetime(2027, 1, 5, 20, 0, tzinfo=UTC)
    day = date(2027, 1, 5)
    night = SleepDiary(*night_times(day), sol_min=10, waso_min=0, awakenings=0)
    store.save_checkin(pid, CheckIn(day, night, mood=5, anxiety=5, notes="race"))
    before = store.checkin(pid, day)
    store.delete_checkin(pid, day)
    start = threading.Barrier(8)
    results: list[Any] = []

    def put_back() -> None:
        start.wait()
        try:
            audit = auditor(pid, now, label=AT_THIS_COMPUTER)
            results.append(restore_checkin(store, pid, before, now=now, audit=audit))
        except Exception as error:  # any error is a finding
            results.append(error)

    threads = [threading.Thread(target=put_back) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(r.created for r in results) == 1
    assert store.checkins(pid) == [before]
    engine = make_engine(url)
    try:
        restores = [e for e in Accounts(engine).audit_of(pid) if e.action == "restore"]
    finally:
        engine.dispose()
    assert len(restores) == 1


@pytest.mark.slow
def test_an_undo_tapped_without_signal_puts_the_day_back_once_online(
    tmp_path: Path, browser: Any
) -> None:
    """Tapped offline, the Undo is kept on the phone (the worker's queue, as a check-in is)
    and the saved Today says so; back online, the day is put back once."""
    from playwright.sync_api import expect

    from tests.support.browser import TIMEOUT_MS, served
    from tests.support.offline import EMAIL, QUEUE_COUNT, phone_with_saved_pages, until

    expect.set_options(timeout=TIMEOUT_MS)
    database = tmp_path / "browser.db"
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        before = _two_days_beside_the_app(database, EMAIL)
        ann.goto("/journal")
        first = ann.locator("li.day").first.locator(".day-head strong").inner_text()
        ann.get_by_role("button", name=f"Delete {first}", exact=True).tap()
        expect(ann.locator("form.undo")).to_contain_text(f"Check-in of {first} deleted.")
        phone.set_offline(True)
        ann.locator("form.undo").get_by_role("button", name="Undo").tap()
        expect(ann).to_have_url(re.compile(r"/dashboard\?queued=restore$"))
        expect(ann.locator("#offline")).to_contain_text("Your Undo is saved on this phone")
        [queued] = ann.evaluate(QUEUE_COUNT)
        assert queued["kind"] == "restore"
        assert _stored(database, EMAIL) != before
        phone.set_offline(False)
        ann.goto("/journal")  # a page opened online sends the queue
        until(ann, QUEUE_COUNT, [])
        for _ in range(TIMEOUT_MS // 100):
            if _stored(database, EMAIL) == before:
                break
            ann.wait_for_timeout(100)
        assert _stored(database, EMAIL) == before
