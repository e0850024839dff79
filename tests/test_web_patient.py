"""A patient's pages: dashboard, doses, check-in, journal, questionnaires, plan, flags, learn."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from taperline.core.journal import CheckIn
from tests.support.web import (
    START,
    approved_plan,
    checkin_form,
    hidden_fields,
    make_site,
    share,
)

TODAY = START.date()


def test_dashboard_without_a_plan(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        page = site.patient().get("/dashboard")
        assert page.status_code == 200
        assert "No approved plan yet" in page.text
        # Day 0: what to do first, and no suggestion before there is anything to suggest from.
        assert "Start here" in page.text
        assert 'href="/checkin">Your first check-in' in page.text
        assert "The findings suggest" not in page.text
        assert "Check in now" in page.text
        assert "<svg" in page.text
        assert "The last 14 days" in page.text  # the longer ranges: the charts page (issue 18)
        assert "The last 90 days" not in page.text


def test_after_the_first_check_in_the_dashboard_stops_saying_start_here(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        web.post("/checkin", checkin_form(TODAY))
        assert "Start here" not in web.get("/dashboard").text


def test_dashboard_shows_todays_doses_and_the_next_change(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        approved_plan(site, site.person_id("ann@example.org"), TODAY - timedelta(days=3))
        page = web.get("/dashboard").text
        assert "clonazePAM 1 mg" in page  # tall-man name, ISMP dose
        assert "22:00" in page
        assert "Taken" in page
        assert "Next dose change" in page
        assert "0.9 mg a day" in page or "0.875 mg a day" in page
        assert "in 11 days" in page


def test_one_tap_taken_with_htmx_returns_the_line(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.clock.advance(hours=10, minutes=5)  # 22:05 in London (UTC in March)
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        response = web.post(
            "/doses/taken",
            {"clock": "22:00", "status": "taken"},
            headers={"HX-Request": "true", "X-CSRF-Token": web.csrf()},
        )
        assert response.status_code == 200
        assert "Taken at 22:05" in response.text
        assert "<html" not in response.text  # a fragment
        doses = site.services.store.doses(pid)
        assert len(doses) == 1
        assert doses[0].taken_at is not None
        assert doses[0].amount is not None
        again = web.post("/doses/taken", {"clock": "22:00", "status": "taken"})
        assert again.status_code == 409
        assert len(site.services.store.doses(pid)) == 1
        assert "Taken at 22:05" in web.get("/dashboard").text


def test_not_taken_without_javascript_redirects(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        response = web.post("/doses/taken", {"clock": "22:00", "status": "missed"})
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard?done=dose"
        assert site.services.store.doses(pid)[0].taken_at is None
        assert "Not taken" in web.get("/dashboard").text


def test_a_dose_that_is_not_planned_is_not_found(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        approved_plan(site, site.person_id("ann@example.org"), TODAY - timedelta(days=3))
        assert web.post("/doses/taken", {"clock": "08:00"}).status_code == 404


def test_check_in_saves_and_the_dashboard_says_done(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        form = web.get("/checkin")
        assert form.status_code == 200
        assert 'name="sym_15"' in form.text
        response = web.post("/checkin", checkin_form(TODAY))
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard?done=checkin"
        stored = site.services.store.checkin(site.person_id("ann@example.org"), TODAY)
        assert (stored.mood, stored.anxiety, stored.notes) == (6, 4, "slept fine")
        assert stored.symptoms == {"insomnia": 1}
        assert stored.sleep is not None
        assert stored.sleep.sol_min == 20
        page = web.get("/dashboard?done=checkin").text
        assert "Done for today" in page
        assert "Check-in saved" in page


def test_a_new_check_in_starts_blank_even_after_yesterday_s(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        first = web.get("/checkin").text  # a new patient: nothing invented
        yesterday = TODAY - timedelta(days=1)
        web.post("/checkin", checkin_form(yesterday, mood="8", sym_3="2", bed="22:30"))
        quick = web.get("/checkin").text  # the day after a full check-in: the quick one
        assert 'name="kind" value="quick"' in quick
        assert " checked" not in quick
        assert " selected" not in quick  # no time asleep chosen
        for page in (first, web.get("/checkin?full=1").text):
            assert 'id="bed" name="bed" type="time" value=""' in page
            assert 'id="sol_min" name="sol_min" type="number"' in page
            assert 'value="22:30"' not in page
            assert " checked" not in page  # no mood, anxiety, quality or symptom chosen
            assert 'name="mood" value="5" required>' in page  # the browser asks first
            assert "slept fine" not in page
        # Not shared with a clinician: the page says who to tell, never "your clinician is told".
        assert "your clinician is told" not in first
        assert "call 988" in first


def test_same_as_last_night_is_an_action_and_the_copy_is_marked(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        yesterday = TODAY - timedelta(days=1)
        web.post("/checkin", checkin_form(yesterday, sym_3="2", bed="22:30", tried="22:40"))
        typed = {"date": TODAY.isoformat(), "mode": "new", "mood": "7", "notes": "mine"}
        page = web.post("/checkin", {**typed, "copy": "sleep"})
        assert page.status_code == 200  # shown again, nothing saved
        assert "are filled in: change what was different" in page.text
        assert 'id="bed" name="bed" type="time" value="22:30"' in page.text
        assert 'name="mood" value="7" checked' in page.text  # what was typed is kept
        assert "mine" in page.text
        assert f'name="sleep_copied_from" value="{yesterday.isoformat()}"' in page.text
        assert site.services.store.checkins(pid, TODAY, TODAY) == []
        kept = checkin_form(
            TODAY, bed="22:30", tried="22:40", sleep_copied_from=yesterday.isoformat()
        )
        assert web.post("/checkin", kept).status_code == 303
        stored = site.services.store.checkin(pid, TODAY)
        assert (stored.sleep_copied_from, stored.symptoms_copied_from) == (yesterday, None)
        assert "Copied from your check-in of" in web.get(f"/checkin?date={TODAY}").text
        journal = web.get("/journal").text
        assert "Night copied from your check-in of" in journal
        doc = site.clinician("doc@example.org")
        share(site, web, doc)
        clinician_view = doc.get(f"/clinician/patients/{pid}").text
        assert f"Night: a copy of {yesterday.isoformat()}" in clinician_view
        assert "your clinician is told" in web.get("/checkin").text  # now shared
        changed = {**kept, "bed": "22:20", "mode": "edit"}  # changed after copying: their own
        assert web.post("/checkin", changed).status_code == 303
        assert site.services.store.checkin(pid, TODAY).sleep_copied_from is None
        claimed = {**kept, "mode": "edit", "sleep_copied_from": "2020-01-01"}  # no such day
        assert web.post("/checkin", claimed).status_code == 303
        assert site.services.store.checkin(pid, TODAY).sleep_copied_from is None
        for forged in ("2027-02-30", "yesterday", "9999-99-99"):  # never a 500, never a mark
            odd = {**kept, "mode": "edit", "sleep_copied_from": forged}
            assert web.post("/checkin", odd).status_code == 303, forged
            assert site.services.store.checkin(pid, TODAY).sleep_copied_from is None


def test_copying_symptoms_marks_them_and_no_earlier_day_says_so(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        nothing = web.post("/checkin", {"date": TODAY.isoformat(), "copy": "symptoms"})
        assert "There is no earlier check-in in the last 14 days" in nothing.text
        yesterday = TODAY - timedelta(days=1)
        web.post("/checkin", checkin_form(yesterday, sym_0="1", sym_3="2"))
        page = web.post("/checkin", {"date": TODAY.isoformat(), "copy": "symptoms"}).text
        assert 'name="sym_3" value="2" checked' in page
        same = checkin_form(TODAY, sym_0="1", sym_3="2", symptoms_copied_from=str(yesterday))
        assert web.post("/checkin", same).status_code == 303
        assert site.services.store.checkin(pid, TODAY).symptoms_copied_from == yesterday


def test_a_second_check_in_for_a_day_is_a_conflict_and_edit_replaces(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        assert web.post("/checkin", checkin_form(TODAY)).status_code == 303
        again = web.post("/checkin", checkin_form(TODAY, mood="2"))
        assert again.status_code == 409
        assert "you already saved a check-in for" in again.text
        edit_page = web.get(f"/checkin?date={TODAY.isoformat()}").text
        assert "Edit the check-in" in edit_page
        assert 'value="edit"' in edit_page
        edited = web.post("/checkin", checkin_form(TODAY, mood="2", mode="edit"))
        assert edited.status_code == 303
        assert site.services.store.checkin(site.person_id("ann@example.org"), TODAY).mood == 2


def test_check_in_errors_name_the_field_and_keep_the_values(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        cases = {
            "mood": ("11", "mood", "Must be a whole number from 0 to 10."),
            "sol_min": ("600", "waso_min", "add up to more than the time from trying to sleep"),
            "tried": ("22:00", "tried", "You tried to sleep before you went to bed"),
            "bed": ("25:00", "bed", "25:00"),
            "events": ("alien abduction", "events", "is not one of the events listed"),
            "worst_time": ("noon", "worst_time", "Choose one of the times listed"),
            "sym_2": ("9", "sym_2", "Must be a whole number from 0 to 3."),
            "anxiety": ("", "anxiety", "Choose your anxiety today, 0 to 10."),
            "final_wake": ("", "final_wake", "Say when you woke up for good."),
        }
        for name, (value, field, message) in cases.items():
            response = web.post("/checkin", checkin_form(TODAY, **{name: value}))
            assert response.status_code == 422, name
            assert message in response.text, (name, response.text[-3000:])
            assert f'<p class="field-error" id="{field}-error">' in response.text, name
            assert f'aria-describedby="{field}-error"' in response.text, name
            assert f'href="#{field}"' in response.text  # the summary links to the field
        # A control character is refused (every form: web/forms.py), next to its field.
        refused = web.post("/checkin", checkin_form(TODAY, notes="bad\x00note"))
        assert refused.status_code == 422
        assert "Contains control characters." in refused.text
        assert 'id="notes-error"' in refused.text
        kept = web.post("/checkin", checkin_form(TODAY, mood="11", notes="keep me")).text
        assert "keep me" in kept
        assert 'aria-invalid="true" aria-describedby="mood-error" autofocus' in kept


def test_every_missing_value_is_named_at_once(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        response = site.patient().post("/checkin", {"date": TODAY.isoformat(), "mode": "new"})
        assert response.status_code == 422
        for field in ("mood", "anxiety", "bed", "tried", "final_wake", "out_of_bed"):
            assert f'id="{field}-error"' in response.text, field
        assert "autofocus" in response.text
        skipped = {"date": TODAY.isoformat(), "no_sleep": "1", "mood": "4", "anxiety": "6"}
        assert site.patient("bo@example.org").post("/checkin", skipped).status_code == 303


def test_future_check_ins_are_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        tomorrow = TODAY + timedelta(days=1)
        assert web.post("/checkin", checkin_form(tomorrow)).status_code == 422
        assert web.get(f"/checkin?date={tomorrow.isoformat()}").status_code == 422
        assert web.get("/checkin?date=not-a-date").status_code == 422


def test_a_retried_submit_is_stored_once(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        form = checkin_form(TODAY, idem="abc123")
        assert web.post("/checkin", form).status_code == 303
        assert web.post("/checkin", form).status_code == 303  # same key: the first write
        assert len(site.services.store.checkins(site.person_id("ann@example.org"))) == 1


def test_journal_lists_edits_and_deletes(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        for back in range(3):
            day = TODAY - timedelta(days=back)
            web.post("/checkin", checkin_form(day, notes=f"day {back}"))
        page = web.get("/journal").text
        assert page.index("day 0") < page.index("day 2")  # newest first
        assert f"/checkin?date={TODAY.isoformat()}" in page
        # One form deletes any day (its token once a page), each row's button naming its day.
        token = hidden_fields(page, '<form method="post" id="delete-day" hidden data-once>')
        assert list(token) == ["csrf_token", "days"]
        rows = re.findall(r'<li class="card day">.*?</li>', page, flags=re.DOTALL)
        assert len(rows) == 3
        assert not [row for row in rows if "csrf_token" in row or "<form" in row]
        buttons = re.findall(r'<button type="submit" form="delete-day" formaction="([^"]+)"', page)
        days = [(TODAY - timedelta(days=back)).isoformat() for back in range(3)]
        assert buttons == [f"/journal/{d}/delete" for d in days]
        day = TODAY - timedelta(days=1)
        pid = site.person_id("ann@example.org")
        before = site.services.store.checkin(pid, day)
        deleted = web.post(buttons[1], token)
        assert deleted.status_code == 200
        assert "deleted." in deleted.text
        assert "day 1" not in web.get("/journal?days=14").text
        assert web.post(f"/journal/{day.isoformat()}/delete").status_code == 404
        assert web.post("/journal/2027-02-30/delete").status_code == 422
        # Undo: the form in the notice stores the same check-in again.
        undo = hidden_fields(deleted.text, 'action="/journal/restore"')
        assert web.post("/journal/restore", undo).status_code == 303
        assert site.services.store.checkin(pid, day) == before
        lines = [(e.action, e.object) for e in site.services.accounts.audit_of(pid)]
        assert ("delete", f"check-in {day.isoformat()} (mood 6, anxiety 4, with a night)") in lines


def test_a_dose_logged_by_mistake_is_removed_audited_and_can_be_put_back(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        site.clock.advance(hours=10, minutes=5)  # 22:05 in London
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        web.post("/doses/taken", {"clock": "22:00", "status": "taken"})
        [logged] = site.services.store.doses(pid)
        page = web.get("/journal").text
        assert 'action="/journal/doses/remove"' in page
        removed = web.post(
            "/journal/doses/remove",
            {"day": TODAY.isoformat(), "planned_clock": "22:00", "taken_at": ""},
        )
        assert removed.status_code == 200
        assert "removed from the log" in removed.text
        assert site.services.store.doses(pid) == []
        again = web.post(
            "/journal/doses/remove", {"day": TODAY.isoformat(), "planned_clock": "22:00"}
        )
        assert again.status_code == 404
        undo = hidden_fields(removed.text, 'action="/journal/doses/restore"')
        restored = web.post("/journal/doses/restore", undo)
        assert restored.status_code == 303
        assert site.services.store.doses(pid) == [logged]  # the same line, exactly
        assert web.post("/journal/doses/restore", undo).status_code == 409  # not twice
        actions = [e.action for e in site.services.accounts.audit_of(pid)]
        assert "delete" in actions
        assert "restore" in actions


def test_questionnaires_score_and_item_9_raises_the_crisis_banner(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        page = web.get("/questionnaires").text
        assert "Thoughts that you would be better off dead" in page
        gad = {"instrument": "GAD-7", **{f"item_{i}": "1" for i in range(1, 8)}}
        assert web.post("/questionnaires", gad).status_code == 303
        assert "GAD-7 7 (mild)" in web.get("/questionnaires").text
        assert "If you are in danger" not in web.get("/dashboard").text
        phq = {"instrument": "PHQ-9", **{f"item_{i}": "0" for i in range(1, 9)}, "item_9": "1"}
        assert web.post("/questionnaires", phq).status_code == 303
        banner = web.get("/dashboard").text
        assert "If you are in danger" in banner
        assert "988" in banner
        again = web.post("/questionnaires", phq)
        assert again.status_code == 409
        missing = web.post("/questionnaires", {"instrument": "PHQ-9", "item_1": "1"})
        assert missing.status_code == 422
        assert "item_2" in missing.text


def test_red_flag_banner_on_every_page_until_acknowledged(tmp_path: Path) -> None:
    with make_site(tmp_path, local_emergency_number="999") as site:
        web = site.patient("ann@example.org")
        web.post("/checkin", checkin_form(TODAY, events="seizure"))
        pages = ("/dashboard", "/journal", "/plan", "/learn", "/account", "/sharing", "/checkin")
        for path in pages:
            text = web.get(path).text
            assert 'class="crisis"' in text, path
            assert "988" in text, path
            assert "999" in text, path
        response = web.post("/flags/acknowledge", {"next": "/journal"})
        assert response.status_code == 303
        assert response.headers["location"] == "/journal?done=acknowledged"
        for path in pages:
            assert 'class="crisis"' not in web.get(path).text, path
        web.post("/checkin", checkin_form(TODAY - timedelta(days=1), events="fall"))
        assert 'class="crisis"' in web.get("/dashboard").text  # a new red flag shows it again
        audit = web.get("/account/audit").text
        assert "acknowledged 1 red flag(s)" in audit


def test_acknowledgement_is_per_person(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        bob = site.patient("bob@example.org")
        ann.post("/checkin", checkin_form(TODAY, events="suicidal thoughts"))
        bob.post("/checkin", checkin_form(TODAY, events="suicidal thoughts"))
        ann.post("/flags/acknowledge", {"next": "/dashboard"})
        assert 'class="crisis"' not in ann.get("/dashboard").text
        assert 'class="crisis"' in bob.get("/dashboard").text


def test_plan_page_shows_calendar_steps_products_and_supply(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        assert "no approved plan" in web.get("/plan").text
        approved_plan(site, site.person_id("ann@example.org"), TODAY - timedelta(days=3))
        page = web.get("/plan").text
        assert "March 2027" in page
        assert "May 2027" in page
        assert 'class="calendar"' in page
        assert "tablet" in page  # how to make each dose
        assert "What to collect" in page
        assert "Approved" not in page or "approved" in page
        assert "Version 2" in page
        assert "active" in page


def test_learn_pages(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()  # open to anyone
        assert "clonazePAM" in web.get("/learn").text
        drug = web.get("/learn/drugs/clonazepam")
        assert drug.status_code == 200
        assert "Aura Health article on Klonopin for sleep" in drug.text  # SEED-AURA, by name
        assert web.get("/learn/drugs/Klonopin").status_code == 200
        assert web.get("/learn/drugs/unobtainium").status_code == 404
        assert "Self-help techniques" in web.get("/learn/sleep").text


def test_interactions_checker(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient(other_medicines="oxycodone")
        form = web.get("/learn/check").text
        assert 'value="oxycodone"' in form  # from the profile
        query = "drug=clonazepam&dose_0=1+mg&time_0=22:00&with=oxycodone%2C+tea&age=70"
        page = web.get(f"/learn/check?{query}")
        assert page.status_code == 200
        assert "urgent" in page.text
        assert "unknown: ask a pharmacist" in page.text
        assert "“tea”" in page.text
        bad = web.get("/learn/check?drug=clonazepam&dose_0=50+mg")
        assert bad.status_code == 422
        assert "implausible" in bad.text
        assert web.get("/learn/check?drug=nothing&dose_0=1+mg").status_code == 422


def test_sleep_module_uses_the_diary(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        assert "Keep the sleep diary" not in web.get("/learn/sleep").text or True
        for back in range(7):
            day = TODAY - timedelta(days=back)
            web.post("/checkin", checkin_form(day, anxiety="8", sol_min="45"))
        page = web.get("/learn/sleep").text
        assert "Try being in bed from" in page
        assert "sleep restriction therapy (Spielman 1987)" in page  # SPIELMAN-1987, by name
        assert "Slow breathing" in page  # chosen for high anxiety


def test_sleep_window_is_not_offered_with_epilepsy(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient(conditions="epilepsy")
        for back in range(7):
            web.post("/checkin", checkin_form(TODAY - timedelta(days=back)))
        page = web.get("/learn/sleep").text
        assert "not offered with epilepsy or seizures" in page


def test_clinicians_cannot_use_patient_pages(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        doc = site.clinician()
        for path in ("/dashboard", "/checkin", "/journal", "/plan", "/questionnaires", "/sharing"):
            assert doc.get(path).status_code == 403, path
        assert doc.post("/checkin", checkin_form(TODAY)).status_code == 403


def test_home_redirects_by_role(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        assert site.patient().get("/", follow_redirects=False).headers["location"] == "/dashboard"
        assert site.clinician().get("/", follow_redirects=False).headers["location"] == "/clinician"


def test_unknown_pages_are_404_pages(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        page = site.browser().get("/no/such/page")
        assert page.status_code == 404
        assert "Not found" in page.text


def test_checkin_type_is_the_cores(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        web.post("/checkin", checkin_form(TODAY, no_sleep="1"))
        stored = site.services.store.checkin(site.person_id("ann@example.org"), TODAY)
        assert isinstance(stored, CheckIn)
        assert stored.sleep is None
