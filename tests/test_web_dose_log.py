"""The journal's "Log a dose" form: a dose with its own day, time and amount, on the web.

The form (``POST /journal/doses``) gives ``service.log_dose`` what the CLI's ``log-dose
--date --time --amount --planned`` gives it: a planned dose taken at another time or in
another amount, a planned dose not taken, or an extra dose. Each error is shown next to its
field with every value kept; an amount far from the plan is stored only once confirmed; the
form's key stores a double send once; only the patient may post it.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from taperline.core.quantity import Mass
from tests.support.web import START, Site, Web, approved_plan, make_site, share

TODAY = START.date()  # 2027-03-01, 12:00 in London (UTC in March)
YESTERDAY = TODAY - timedelta(days=1)
ANN = "ann@example.org"


def _ann_with_a_plan(site: Site) -> tuple[Web, int]:
    """Ann, with an approved plan of 1 mg at 22:00 that started three days ago."""
    web = site.patient(ANN)
    pid = site.person_id(ANN)
    approved_plan(site, pid, TODAY - timedelta(days=3))
    return web, pid


def _form(page: str) -> str:
    """The "Log a dose" form of a journal page."""
    start = page.index('<form method="post" action="/journal/doses"')
    return page[start : page.index("</form>", start)]


def _idem(page: str) -> str:
    found = re.search(r'name="idem" value="([0-9a-f]{32})"', _form(page))
    assert found, _form(page)
    return found[1]


def _fields(web: Web, **changes: str) -> dict[str, Any]:
    """A planned dose of yesterday taken at 23:40, 0.75 mg, with the form's own key."""
    fields = {
        "date": YESTERDAY.isoformat(),
        "planned": "22:00",
        "status": "taken",
        "time": "23:40",
        "amount": "0.75",
        "idem": _idem(web.get("/journal").text),
    }
    fields.update(changes)
    return fields


def _writes(site: Site, pid: int) -> list[str]:
    """The objects of the audit log's writes of doses."""
    lines = site.services.accounts.audit_of(pid)
    return [e.object for e in lines if e.action == "write" and e.object.startswith("dose ")]


def test_the_journal_has_the_form_with_today_s_planned_doses(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, _ = _ann_with_a_plan(site)
        page = web.get("/journal").text
        form = _form(page)
        assert 'id="log-dose"' in form
        assert f'name="date" type="date" max="{TODAY.isoformat()}" value="{TODAY}"' in form
        assert '<option value="22:00">22:00 dose</option>' in form
        assert '<option value="extra">Extra dose</option>' in form
        assert 'name="csrf_token"' in form
        assert "aria-invalid" not in form  # a new form has no errors
        assert 'name="confirm_amount"' not in form
        assert _idem(page) != _idem(web.get("/journal").text)  # one key per form shown
        # the check-in's dose question sends a dose at another time or amount to the form
        assert 'href="/journal#log-dose"' in web.get("/checkin").text


def test_a_planned_dose_at_another_time_and_amount_is_stored_as_given(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        response = web.post("/journal/doses", _fields(web))
        assert response.status_code == 303
        assert response.headers["location"] == "/journal?done=dose#log-dose"
        [line] = site.services.store.doses(pid)
        assert line.day == YESTERDAY
        assert line.planned_clock == "22:00"
        assert line.taken_at == datetime.combine(YESTERDAY, time(23, 40))
        assert line.amount == Mass.of_mg("0.75")
        assert line.planned_amount == Mass.of_mg(1)
        page = web.get(response.headers["location"]).text
        assert "Dose saved." in page
        assert "22:00: clonazePAM 0.75 mg taken at 23:40" in page
        assert _writes(site, pid) == [f"dose {YESTERDAY.isoformat()} 22:00"]


def test_an_extra_dose_and_a_missed_planned_dose(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        extra = _fields(web, date=TODAY.isoformat(), planned="extra", time="09:15", amount="0.25")
        assert web.post("/journal/doses", extra).status_code == 303
        missed = _fields(web, status="missed", time="", amount="")
        assert web.post("/journal/doses", missed).status_code == 303
        lines = {d.day: d for d in site.services.store.doses(pid)}
        assert lines[TODAY].planned_clock is None
        assert lines[TODAY].taken_at == datetime.combine(TODAY, time(9, 15))
        assert lines[TODAY].amount == Mass.of_mg("0.25")
        assert lines[YESTERDAY].planned_clock == "22:00"
        assert (lines[YESTERDAY].taken_at, lines[YESTERDAY].amount) == (None, None)
        page = web.get("/journal").text
        assert "extra dose: clonazePAM 0.25 mg taken at 09:15" in page
        assert "22:00: clonazePAM not taken" in page
        assert sorted(_writes(site, pid)) == [f"dose {YESTERDAY} 22:00", f"dose {TODAY} extra"]


#: Each field's errors: what is sent, the field the error is next to, and its words.
ERRORS = [
    ({"time": ""}, "time", "Say when you took it (HH:MM, for example 22:05)."),
    ({"time": "25:00"}, "time", "&#39;25:00&#39; is not a 24-hour clock time"),
    ({"amount": "abc"}, "amount", "&#39;abc&#39; does not start with a number"),
    ({"amount": "-1"}, "amount", "&#39;-1 mg&#39; is negative"),
    ({"amount": "0"}, "amount", "a dose must be more than zero"),
    ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date", "is in the future"),
    ({"date": "2027-02-30"}, "date", "&#39;2027-02-30&#39; is not a date"),
    ({"planned": ""}, "planned", "Choose which dose it was, or an extra dose."),
    ({"planned": "08:00"}, "planned", "No dose is planned at 08:00 on 2027-02-28."),
    ({"status": ""}, "status", "Say whether you took it."),
]


def test_each_field_s_error_is_next_to_it_with_every_value_kept(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        for changes, field, words in ERRORS:
            sent = _fields(web, **changes)
            response = web.post("/journal/doses", sent)
            assert response.status_code in {404, 422}, changes
            form = _form(response.text)
            error = re.search(rf'<p class="field-error" id="log-{field}-error">([^<]*)</p>', form)
            assert error, (changes, form)
            assert words in error[1], changes
            assert 'role="alert"' in form
            # the field is marked and names its error; only that field (one error each here)
            described = rf'id="log-{field}"[^>]*aria-describedby="[^"]*log-{field}-error"'
            assert re.search(described, form), changes
            assert form.count('aria-invalid="true"') == 1, changes
            assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', form), changes
            assert f'value="{sent["idem"]}"' in form  # the same key: a resend stores once
            assert f'value="{html.escape(sent["time"])}"' in form
            assert f'value="{html.escape(sent["amount"])}"' in form
        assert site.services.store.doses(pid) == []
        assert _writes(site, pid) == []


def test_an_amount_far_from_the_plan_is_stored_only_when_confirmed(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        sent = _fields(web, amount="2")
        asked = web.post("/journal/doses", sent)
        assert asked.status_code == 422
        assert site.services.store.doses(pid) == []
        form = _form(asked.text)
        assert "2 mg is more than the 1 mg planned for the whole day" in form
        button = '<button type="submit" name="confirm_amount" value="2"'
        assert button in form
        assert "Log it as I gave it" in form
        assert 'value="23:40"' in form
        assert '<option value="22:00" selected>' in form
        # the default button (Enter in a field) is never the confirmation
        assert form.index('class="default-submit"') < form.index(button)
        # a confirmation of another amount than the one in the field confirms nothing
        changed = web.post("/journal/doses", {**sent, "amount": "3", "confirm_amount": "2"})
        assert changed.status_code == 422
        assert "3 mg is more than the 1 mg planned" in changed.text
        assert site.services.store.doses(pid) == []
        confirmed = {**sent, "confirm_amount": "2"}
        assert web.post("/journal/doses", confirmed).status_code == 303
        assert web.post("/journal/doses", confirmed).status_code == 303  # a double click
        [line] = site.services.store.doses(pid)
        assert line.amount == Mass.of_mg(2)
        assert _writes(site, pid) == [f"dose {YESTERDAY} 22:00"]


def test_a_double_submit_stores_once_and_another_form_is_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        sent = _fields(web)
        first = web.post("/journal/doses", sent)
        second = web.post("/journal/doses", sent)
        assert (first.status_code, second.status_code) == (303, 303)
        assert len(site.services.store.doses(pid)) == 1
        assert _writes(site, pid) == [f"dose {YESTERDAY} 22:00"]
        # the same dose from a new form (another key) is already in the log
        again = web.post("/journal/doses", _fields(web, time="23:50"))
        assert again.status_code == 409
        error = re.search(r'id="log-planned-error">([^<]*)<', again.text)
        assert error, _form(again.text)
        assert "already in the log" in error[1]
        assert len(site.services.store.doses(pid)) == 1


def test_a_held_cut_s_new_dose_needs_its_amount(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient(ANN)
        pid = site.person_id(ANN)
        site.clock.advance(days=-14)  # approved two weeks ago: no decision answers the check
        approved_plan(site, pid, start=site.clock.today)
        site.clock.advance(days=14)
        assert web.signin(ANN).status_code == 303
        sent = _fields(web, date=site.clock.today.isoformat(), time="11:30", amount="")
        refused = web.post("/journal/doses", sent)
        assert refused.status_code == 422
        error = re.search(r'id="log-amount-error">([^<]*)<', refused.text)
        assert error, _form(refused.text)
        assert "new dose of a cut your clinician has not answered yet" in error[1]
        assert site.services.store.doses(pid) == []
        assert web.post("/journal/doses", {**sent, "amount": "1"}).status_code == 303
        [line] = site.services.store.doses(pid)
        assert line.amount == Mass.of_mg(1)


def test_a_clinician_cannot_post_it(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        sent = _fields(web)
        doc = site.clinician()
        share(site, web, doc)
        for forged in (sent, {**sent, "person_id": str(pid)}):
            assert doc.post("/journal/doses", forged).status_code == 403
        assert site.services.store.doses(pid) == []
        assert _writes(site, pid) == []


def test_a_dose_taken_after_midnight_is_stored_on_the_morning_after(tmp_path: Path) -> None:
    """Yesterday's 22:00 dose taken at 00:30 was taken this morning, not 21.5 h early."""
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        assert web.post("/journal/doses", _fields(web, time="00:30")).status_code == 303
        [line] = site.services.store.doses(pid)
        assert (line.day, line.planned_clock) == (YESTERDAY, "22:00")
        assert line.taken_at == datetime.combine(TODAY, time(0, 30))
        assert "taken at 00:30" in web.get("/journal").text


def test_a_time_still_to_come_is_refused_beside_the_time(tmp_path: Path) -> None:
    """At 12:00, tonight's 22:00 dose "taken at 22:10" has not happened: nothing stored."""
    with make_site(tmp_path) as site:
        web, pid = _ann_with_a_plan(site)
        response = web.post("/journal/doses", _fields(web, date=TODAY.isoformat(), time="22:10"))
        assert response.status_code == 422
        form = html.unescape(_form(response.text))
        assert "22:10 on 2027-03-01 has not come yet" in form
        assert re.search(r'name="time"[^>]*aria-invalid="true"', form), form
        assert 'value="22:10"' in form  # kept
        assert site.services.store.doses(pid) == []
        # the JSON API refuses it too
        dose = {
            "date": TODAY.isoformat(),
            "planned_time": "22:00",
            "taken_at": f"{TODAY.isoformat()}T22:10",
            "amount_mg": 1,
        }
        refused = web.client.post("/api/doses", json=dose)
        assert refused.status_code == 422
        assert "has not come yet" in refused.text
        assert site.services.store.doses(pid) == []
