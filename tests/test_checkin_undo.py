"""Undo of a deleted check-in puts back the day as it was stored (web/checkin_undo.py).

The undo sent the deleted day through the full check-in form, which cannot say "not asked":
a quick check-in came back with a symptom checklist of zeros (a symptom score the person
never gave) and without its night in brief. Now the notice carries the day itself, sealed,
and ``/journal/restore`` stores it unchanged, once, for that person only.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taperline.core.journal import CheckIn
from tests.strategies import csv_checkins
from tests.support.web import Site, Web, hidden_fields, make_site

UNDO = 'action="/journal/restore"'


def _deleted(web: Web, day: date) -> dict[str, str]:
    """Delete the day's check-in from the journal; the undo's fields."""
    deleted = web.post(f"/journal/{day.isoformat()}/delete")
    assert deleted.status_code == 200
    assert "deleted." in deleted.text
    fields = hidden_fields(deleted.text, UNDO)
    assert sorted(fields) == ["checkin", "checkin_seal", "csrf_token", "days"]
    return fields


def _quick_day(site: Site, web: Web, day: date) -> CheckIn:
    form = {"date": day.isoformat(), "kind": "quick", "mood": "6", "anxiety": "3"}
    form |= {"asleep_min": "390", "quality": "4", "idem": f"quick-{day}"}
    assert web.post("/checkin", form).status_code == 303
    stored = site.services.store.checkin(site.person_id("ann@example.org"), day)
    assert stored.reported_sleep is not None
    assert not stored.symptoms_rated
    assert not stored.substances_asked
    return stored


def test_a_quick_check_in_comes_back_quick_not_with_a_checklist_of_zeros(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        day = site.clock.today - timedelta(days=1)
        before = _quick_day(site, ann, day)
        undo = _deleted(ann, day)
        assert site.services.store.checkins(pid) == []
        back = ann.post("/journal/restore", undo)
        assert back.status_code == 303
        assert back.headers["location"] == "/journal?days=60&done=checkin-restored"
        assert site.services.store.checkin(pid, day) == before
        page = ann.get("/journal?done=checkin-restored").text
        assert "The check-in is back in your journal, as it was." in page
        assert "slept about 6 h 30 min (your estimate)" in page
        assert "no symptom score" in page
        lines = [(e.action, e.object) for e in site.services.accounts.audit_of(pid)]
        told = f"check-in {day.isoformat()} (mood 6, anxiety 3, with a night in brief)"
        assert ("restore", told) in lines


def test_the_undo_sent_twice_puts_the_day_back_once(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        day = site.clock.today
        before = _quick_day(site, ann, day)
        undo = _deleted(ann, day)
        assert ann.post("/journal/restore", undo).status_code == 303
        assert ann.post("/journal/restore", undo).status_code == 303  # a double tap
        assert site.services.store.checkins(pid) == [before]
        restores = [e for e in site.services.accounts.audit_of(pid) if e.action == "restore"]
        assert len(restores) == 1
        # deleted again, the same undo works again (its key went with the row)
        undo_again = _deleted(ann, day)
        assert undo_again["checkin"] == undo["checkin"]
        assert ann.post("/journal/restore", undo_again).status_code == 303
        assert site.services.store.checkins(pid) == [before]


def test_a_day_checked_in_again_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        day = site.clock.today
        _quick_day(site, ann, day)
        undo = _deleted(ann, day)
        form = {"date": day.isoformat(), "kind": "quick", "mood": "2", "anxiety": "8"}
        assert ann.post("/checkin", {**form, "idem": "again"}).status_code == 303
        again = site.services.store.checkin(pid, day)
        refused = ann.post("/journal/restore", undo)
        assert refused.status_code == 409
        assert day == date(2027, 3, 1)
        assert "there is already a check-in for Mon 1 Mar 2027; edit it instead" in refused.text
        assert site.services.store.checkin(pid, day) == again


def test_a_changed_or_borrowed_undo_is_refused_and_stores_nothing(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        bob = site.patient("bob@example.org")
        pid = site.person_id("ann@example.org")
        day = site.clock.today
        _quick_day(site, ann, day)
        undo = _deleted(ann, day)
        text = undo["checkin"]
        other = "B" if text[10] != "B" else "C"
        changed = {**undo, "checkin": text[:10] + other + text[11:]}
        for form in (
            changed,
            {**undo, "checkin_seal": ""},
            {"checkin": text},
            {**undo, "checkin": "not base64 at all!"},
        ):
            refused = ann.post("/journal/restore", form)
            assert refused.status_code == 422, form
            assert "This undo is not the one the page gave" in refused.text
        # Bob's own token, Ann's undo: sealed for Ann, refused for Bob
        anns = {k: v for k, v in undo.items() if k != "csrf_token"}
        borrowed = bob.post("/journal/restore", anns)
        assert borrowed.status_code == 422
        assert site.services.store.checkins(pid) == []
        assert site.services.store.checkins(site.person_id("bob@example.org")) == []


def test_every_kind_of_check_in_comes_back_exactly_as_stored(tmp_path: Path) -> None:
    """Any check-in the journal CSV carries (a diary or a night in brief or none, a checklist
    rated or not asked, drinks asked or not, copy marks, a night's own zone, red-flag events,
    any notes): deleted and put back, it is the same check-in."""
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        store = site.services.store
        days = st.integers(0, 400).map(lambda back: site.clock.today - timedelta(days=back))

        @settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
        @given(days.flatmap(lambda day: csv_checkins(wake_date=day)))
        def deleted_and_put_back(checkin: CheckIn) -> None:
            store.save_checkin(pid, checkin)
            try:
                stored = store.checkin(pid, checkin.wake_date)
                assert ann.post("/journal/restore", _deleted(ann, checkin.wake_date)).is_redirect
                assert store.checkin(pid, checkin.wake_date) == stored
            finally:
                store.delete_checkin(pid, checkin.wake_date)

        deleted_and_put_back()


def test_the_period_shown_stays_through_delete_and_undo(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        day = site.clock.today - timedelta(days=80)
        _quick_day(site, ann, day)
        page = ann.get("/journal?days=90").text
        form = hidden_fields(page, '<form method="post" id="delete-day" hidden data-once>')
        assert form["days"] == "90"
        deleted = ann.post(f"/journal/{day.isoformat()}/delete", {"days": "90"})
        assert '<option value="90" selected>' in deleted.text
        undo = hidden_fields(deleted.text, UNDO)
        assert undo["days"] == "90"
        back = ann.post("/journal/restore", undo)
        assert back.headers["location"] == "/journal?days=90&done=checkin-restored"
        assert day.strftime("%a %-d %b %Y") in ann.get(back.headers["location"]).text
        # a period not offered: the usual 60 days
        odd = ann.post(f"/journal/{day.isoformat()}/delete", {"days": "1000"})
        assert '<option value="60" selected>' in odd.text
