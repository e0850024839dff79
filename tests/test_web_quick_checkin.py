"""The quick check-in on the web (issue 16, section 2): quick by default, full when it matters.

A quick check-in asks about how long the person slept and how well, mood, anxiety and last
night's planned doses; it stores the night as the person's estimate and no symptom checklist
(never one of zeros). The full check-in is asked for on the days around a cut and weekly, and
each form is one tap from the other.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from taperline.core.quantity import Mass
from taperline.service.quick import CONFIRMED_NOTE
from tests.support.web import Site, Web, approved_plan, checkin_form, make_site

NIGHTLY = "0.5 mg at 22:00"


def _quick(day: date, **changes: str) -> dict[str, str]:
    fields = {
        "date": day.isoformat(),
        "mode": "new",
        "kind": "quick",
        "asleep_min": "390",
        "quality": "3",
        "mood": "6",
        "anxiety": "4",
    }
    fields.update(changes)
    return fields


def _kind(page: str) -> str:
    found = re.search(r'name="kind" value="(\w+)"', page)
    assert found, page[:500]
    return found.group(1)


def _later(site: Site, web: Web, **delta: float) -> None:
    """Time passes (the session has timed out by then): sign in again."""
    site.clock.advance(**delta)
    assert web.signin("ann@example.org").status_code == 303


def _patient_with_a_full_day(site: Site) -> tuple[Web, int, date]:
    """A patient on their usual 22:00 dose who did the full check-in yesterday."""
    web = site.patient("ann@example.org", regimen_drug="clonazepam", regimen_doses=NIGHTLY)
    today = site.clock.today
    yesterday = today - timedelta(days=1)
    assert web.post("/checkin", checkin_form(yesterday)).status_code == 303
    return web, site.person_id("ann@example.org"), today


def test_a_first_check_in_is_full_then_a_quick_one_is_offered(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        first = web.get("/checkin").text
        assert _kind(first) == "full"
        assert "A first full check-in is your starting point" in first
        assert "Quick check-in instead" in first
        assert web.post("/checkin", checkin_form(site.clock.today)).status_code == 303
        _later(site, web, days=1)
        page = web.get("/checkin").text
        assert _kind(page) == "quick"
        assert "About how long did you sleep?" in page
        assert 'name="sym_0"' not in page  # the checklist is one tap away, not on this form
        assert "Full check-in" in page


def test_a_quick_check_in_stores_the_estimate_no_checklist_and_last_nights_dose(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        web, pid, today = _patient_with_a_full_day(site)
        last_night = today - timedelta(days=1)
        page = web.get("/checkin").text
        field = f"dose:{last_night.isoformat()}:22:00"
        assert f'name="{field}"' in page
        assert "Last night's dose" in page
        saved = web.post("/checkin", _quick(today, **{field: "taken"}))
        assert saved.status_code == 303, saved.text[:800]
        stored = site.services.store.checkin(pid, today)
        assert stored.sleep is None
        assert stored.reported_sleep is not None
        assert (stored.reported_sleep.asleep_min, stored.reported_sleep.quality) == (390, 3)
        assert not stored.symptoms_rated
        assert dict(stored.symptoms) == {}
        (dose,) = site.services.store.doses(pid, last_night, last_night)
        assert (dose.planned_clock, dose.amount) == ("22:00", Mass.of_mg("0.5"))
        assert dose.taken_at is not None
        assert dose.taken_at.strftime("%H:%M") == "22:00"
        assert dose.note == CONFIRMED_NOTE  # its time is the plan's, by the person's word
        journal = web.get("/journal").text
        assert "slept about 6 h 30 min (your estimate)" in journal
        assert "no symptom score" in journal
        document = web.get("/api/checkins").json()["checkins"]
        quick = next(c for c in document if c["date"] == today.isoformat())
        assert quick["reported_sleep"] == {"asleep_min": 390, "quality_1_5": 3}
        assert (quick["sleep"], quick["symptoms_rated"], quick["burden"]) == (None, False, None)
        # the dose is in the log now: the next form does not ask it again
        assert field not in web.get(f"/checkin?date={today.isoformat()}").text


def test_an_unanswered_dose_is_not_logged_and_a_missed_one_is(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid, today = _patient_with_a_full_day(site)
        last_night = today - timedelta(days=1)
        assert web.post("/checkin", _quick(today)).status_code == 303
        assert site.services.store.doses(pid, last_night, last_night) == []
        _later(site, web, days=1)
        field = f"dose:{today.isoformat()}:22:00"
        tomorrow = _quick(today + timedelta(days=1), **{field: "missed"})
        assert web.post("/checkin", tomorrow).status_code == 303
        (dose,) = site.services.store.doses(pid, today, today)
        assert dose.taken_at is None  # missed: stored as not taken


def test_quick_errors_are_next_to_their_fields_and_values_kept(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid, today = _patient_with_a_full_day(site)
        response = web.post("/checkin", _quick(today, asleep_min="", mood=""))
        assert response.status_code == 422
        page = response.text
        assert _kind(page) == "quick"  # the quick form again, not the full one
        assert 'id="asleep_min-error"' in page
        assert "Choose about how long you slept." in page
        assert "Choose your mood today, 0 to 10." in page
        assert 'aria-invalid="true" aria-describedby="asleep_min-error"' in page
        assert 'value="4" checked' in page  # the anxiety given is kept
        bad_dose = web.post("/checkin", _quick(today, **{"dose:2027-02-30:22:00": "taken"}))
        assert bad_dose.status_code == 422
        assert "Answer each dose with taken or not taken." in bad_dose.text
        other = f"dose:{(today - timedelta(days=1)).isoformat()}:21:00"
        not_asked = web.post("/checkin", _quick(today, **{other: "taken"}))
        assert not_asked.status_code == 422
        assert "is not one of last night&#39;s planned doses still to log (22:00)" in (
            not_asked.text
        )
        with_quality_only = web.post("/checkin", _quick(today, asleep_min=""))
        assert "Choose about how long you slept." in with_quality_only.text
        assert site.services.store.checkins(pid, today, today) == []  # nothing stored


def test_the_full_check_in_is_asked_around_a_cut(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid, today = _patient_with_a_full_day(site)
        approved_plan(site, pid, start=today - timedelta(days=12), dose_mg="0.5")
        # the percent plan stabilises 14 days: the first cut is 2 days from today
        page = web.get("/checkin").text
        assert _kind(page) == "full"
        assert "Your next dose change is in 2 days: the full check-in helps see how it goes" in page
        assert _kind(web.get("/checkin?quick=1").text) == "quick"  # one tap away
        _later(site, web, days=8)  # 6 days after the cut: still full
        assert "Your dose changed 6 days ago" in web.get("/checkin").text


def test_editing_a_quick_check_in_opens_the_quick_form_with_its_values(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, _pid, today = _patient_with_a_full_day(site)
        assert web.post("/checkin", _quick(today, asleep_min="420")).status_code == 303
        page = web.get(f"/checkin?date={today.isoformat()}").text
        assert _kind(page) == "quick"
        assert '<option value="420" selected>7 h</option>' in page
        edited = _quick(today, asleep_min="450", mode="edit")
        assert web.post("/checkin", edited).status_code == 303
        full = web.get(f"/checkin?date={today.isoformat()}&full=1").text
        assert _kind(full) == "full"  # the full form for the same day, one tap away


def test_the_json_api_takes_a_quick_check_in_and_never_invents_a_checklist(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        today = site.clock.today
        quick = {
            "date": today.isoformat(),
            "reported_sleep": {"asleep_min": 400, "quality_1_5": 2},
            "mood_0_10": 5,
            "anxiety_0_10": 5,
        }
        saved = web.client.post("/api/checkins", json=quick)
        assert saved.status_code == 201, saved.text
        stored = web.get(f"/api/checkins/{today.isoformat()}").json()
        assert stored["reported_sleep"] == {"asleep_min": 400, "quality_1_5": 2}
        assert (stored["symptoms_rated"], stored["burden"]) == (False, None)
        yesterday = (today - timedelta(days=1)).isoformat()
        rated_none = {**quick, "date": yesterday, "symptoms_0_3": {}}
        assert web.client.post("/api/checkins", json=rated_none).status_code == 201
        assert web.get(f"/api/checkins/{yesterday}").json()["burden"] == 10
        night = {"bed": "23:00", "tried": "23:10", "final_wake": "06:40", "out_of_bed": "07:00",
                 "sol_min": 20, "waso_min": 10, "awakenings": 1}  # fmt: skip
        earlier = (today - timedelta(days=2)).isoformat()
        diary_only = {**quick, "date": earlier, "sleep": night, "reported_sleep": None}
        no_quality = web.client.post("/api/checkins", json=diary_only)
        assert no_quality.status_code == 422  # a night's quality is never assumed
        both = {**quick, "date": earlier, "sleep": {**night, "quality_1_5": 3}}
        refused = web.client.post("/api/checkins", json=both)
        assert refused.status_code == 422
        assert "either the diary's times or about how long you slept" in refused.text


def test_a_control_character_is_an_error_next_to_its_field_not_an_error_page(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        form = checkin_form(site.clock.today, notes="woke at 3\x01", mood="7")
        response = web.post("/checkin", form)
        assert response.status_code == 422
        assert 'id="notes-error"' in response.text
        assert "Contains control characters." in response.text
        assert "woke at 3</textarea>" in response.text  # kept, without the character
        assert 'name="mood" value="7" checked' in response.text
