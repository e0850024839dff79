"""The regimen on the web (issue 16, section 3): asked at sign-up, kept on the profile form.

Before a plan starts, the dashboard's dose button logs the regimen's dose as that planned
dose (never extra) and ``GET /api/status`` shows it taken. A regimen above the daily maximum
is refused on both forms, naming why; emptying the fields removes it.
"""

from __future__ import annotations

from pathlib import Path

from taperline.core.quantity import Mass
from tests.support.web import PASSWORD, make_site

NOON = "0.5 mg at 12:00"  # START is 12:00 in London


def test_sign_up_with_a_regimen_then_the_usual_dose_is_matched(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org", regimen_drug="Klonopin", regimen_doses=NOON)
        pid = site.person_id("ann@example.org")
        regimen = site.services.store.profile(pid).regimen
        assert regimen is not None
        assert regimen.text == "clonazepam 0.5 mg at 12:00"  # named as the catalogue names it
        me = web.get("/api/me").json()
        assert me["profile"]["regimen"] == {
            "drug": "clonazepam",
            "doses": [{"time": "12:00", "amount_mg": 0.5, "amount": "0.5 mg"}],
            "daily_mg": 0.5,
        }
        page = web.get("/").text
        assert "Your usual doses" in page
        assert "12:00" in page
        before = web.get("/api/status").json()
        assert [(d["time"], d["status"]) for d in before["doses_today"]] == [("12:00", "due")]
        assert web.post("/doses/taken", {"clock": "12:00", "status": "taken"}).status_code == 303
        (line,) = site.services.store.doses(pid, site.clock.now.date(), site.clock.now.date())
        assert (line.planned_clock, line.amount) == ("12:00", Mass.of_mg("0.5"))
        after = web.get("/api/status").json()
        assert [(d["time"], d["status"]) for d in after["doses_today"]] == [("12:00", "taken")]


def test_sign_up_refuses_a_regimen_above_the_daily_maximum(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        data = {
            "role": "patient",
            "email": "a@example.org",
            "password": PASSWORD,
            "time_zone": "Europe/London",
            "regimen_drug": "clonazepam",
            "regimen_doses": "3 mg at 08:00, 3 mg at 22:00",
        }
        response = site.browser().post("/signup", data)
        assert response.status_code == 422
        assert "above the daily maximum of 4 mg" in response.text
        assert site.services.accounts.credentials("a@example.org") is None
        assert site.services.store.person_ids() == []


def test_sign_up_names_the_regimen_field_at_fault(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        for fields, words in (
            ({"regimen_doses": NOON}, "regimen_drug"),
            ({"regimen_drug": "clonazepam"}, "regimen_doses"),
            ({"regimen_drug": "clonazepam", "regimen_doses": "0.5 mg 22:00"}, "regimen_doses"),
        ):
            response = site.browser().signup("b@example.org", **fields)
            assert response.status_code == 422, fields
            assert words in response.text


def test_the_profile_form_shows_keeps_changes_and_removes_the_regimen(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org", regimen_drug="clonazepam", regimen_doses=NOON)
        pid = site.person_id("ann@example.org")
        page = web.get("/account").text
        assert 'value="clonazepam"' in page
        assert 'value="0.5 mg at 12:00"' in page
        form = {"display_name": "Ann", "time_zone": "Europe/London", "regimen_drug": "clonazepam"}
        changed = {**form, "regimen_doses": "0.25 mg at 08:00, 0.5 mg at 22:00"}
        assert web.post("/account/profile", changed).status_code == 303
        regimen = site.services.store.profile(pid).regimen
        assert regimen is not None
        assert regimen.text == "clonazepam 0.25 mg at 08:00 and 0.5 mg at 22:00"
        too_much = {**form, "regimen_doses": "2.5 mg at 08:00, 2.5 mg at 22:00"}
        refused = web.post("/account/profile", too_much)
        assert refused.status_code == 422
        assert "above the daily maximum" in refused.text
        assert site.services.store.profile(pid).regimen == regimen  # unchanged
        seizures = {**too_much, "conditions": "epilepsy"}  # the maximum for seizures [LABEL]
        assert web.post("/account/profile", seizures).status_code == 303
        removed = {"display_name": "Ann", "time_zone": "Europe/London", "conditions": "epilepsy"}
        assert web.post("/account/profile", removed).status_code == 303
        assert site.services.store.profile(pid).regimen is None
