"""Sharing by invite code, what a clinician sees, the plan builder and decisions."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.support.web import START, approved_plan, checkin_form, make_site, share

TODAY = START.date()


def test_sharing_by_invite_code_and_revoking(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        doc = site.clinician("doc@example.org", display_name="Dr Lee")
        pid = site.person_id("ann@example.org")
        assert doc.get(f"/clinician/patients/{pid}").status_code == 404  # not shared yet
        assert "No patient shares" in doc.get("/clinician").text
        share(site, ann, doc)
        assert "Dr Lee" in ann.get("/sharing?done=shared").text
        assert "Ann" in doc.get("/clinician").text
        assert doc.get(f"/clinician/patients/{pid}").status_code == 200
        share_id = site.services.accounts.shares_of(pid)[0].id
        assert ann.post(f"/sharing/{share_id}/revoke").status_code == 303
        assert doc.get(f"/clinician/patients/{pid}").status_code == 404
        assert "No patient shares" in doc.get("/clinician").text
        assert "Ended shares" in ann.get("/sharing").text
        audit = ann.get("/account/audit").text
        assert "shared with Dr Lee" in audit
        assert "revoked" in audit


def test_invite_codes_are_single_use_expire_and_can_be_withdrawn(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        bob = site.patient("bob@example.org")
        doc = site.clinician()
        code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', doc.post("/clinician/invites").text)
        assert code
        assert ann.post("/sharing", {"code": code.group(1).lower()}).status_code == 303
        used = bob.post("/sharing", {"code": code.group(1)})
        assert used.status_code == 404
        assert "unknown, used or expired" in used.text
        late = re.search(r'<p class="code">([A-Z0-9-]+)</p>', doc.post("/clinician/invites").text)
        assert late
        site.clock.advance(days=8)  # the invite expired (and so did the session)
        bob = site.browser()
        bob.signin("bob@example.org")
        assert bob.post("/sharing", {"code": late.group(1)}).status_code == 404


def test_withdrawing_an_invite(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician()
        code = re.search(r'<p class="code">([A-Z0-9-]+)</p>', doc.post("/clinician/invites").text)
        assert code
        invite_id = int(
            re.findall(r"/clinician/invites/(\d+)/cancel", doc.get("/clinician").text)[0]
        )
        other = site.clinician("other@example.org")
        assert other.post(f"/clinician/invites/{invite_id}/cancel").status_code == 404
        assert doc.post(f"/clinician/invites/{invite_id}/cancel").status_code == 303
        assert ann.post("/sharing", {"code": code.group(1)}).status_code == 404


def test_a_clinician_sees_only_patients_who_shared(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        site.patient("bob@example.org", display_name="Bob")
        doc = site.clinician()
        share(site, ann, doc)
        bob_id = site.person_id("bob@example.org")
        page = doc.get("/clinician").text
        assert "Ann" in page
        assert "Bob" not in page
        for path in (
            f"/clinician/patients/{bob_id}",
            f"/clinician/patients/{bob_id}/plan/new",
            "/clinician/patients/999999",
            "/api/patients/999999/record",
            f"/api/patients/{bob_id}/record",
        ):
            assert doc.get(path).status_code == 404, path
        decision = doc.post(
            f"/clinician/patients/{bob_id}/plans/1/decision", {"action": "approve", "reason": "x"}
        )
        assert decision.status_code == 404
        assert doc.get("/clinician/patients/0").status_code == 422
        assert doc.get("/clinician/patients/abc").status_code == 422


def test_patients_cannot_use_clinician_pages(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        for path in ("/clinician", f"/clinician/patients/{pid}", "/api/patients"):
            assert ann.get(path).status_code == 403, path
        assert ann.post("/clinician/invites").status_code == 403


def test_patient_list_puts_red_flags_first(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        doc = site.clinician()
        calm = site.patient("calm@example.org", display_name="Aaron Calm")
        flagged = site.patient("flag@example.org", display_name="Zoe Flagged")
        share(site, calm, doc)
        share(site, flagged, doc)
        calm.post("/checkin", checkin_form(TODAY))
        flagged.post("/checkin", checkin_form(TODAY, events="seizure"))
        page = doc.get("/clinician").text
        assert page.index("Zoe Flagged") < page.index("Aaron Calm")
        assert "1 red flag" in page
        api = doc.get("/api/patients").json()
        assert [p["display_name"] for p in api] == ["Zoe Flagged", "Aaron Calm"]
        assert api[0]["urgent_findings"] == 1


def test_patient_page_shows_findings_charts_journal_and_is_audited(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        doc = site.clinician(display_name="Dr Lee")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        ann.post("/checkin", checkin_form(TODAY, alcohol="3", notes="wine with dinner"))
        page = doc.get(f"/clinician/patients/{pid}").text
        assert "Co use" in page  # the co-use finding
        assert "wine with dinner" in page
        assert "The last 90 days" in page
        audit = ann.get("/account/audit").text
        assert "<strong>Dr Lee (clinician)</strong> read: record overview" in audit


def test_plan_builder_previews_compares_and_saves_a_proposal(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann", age_band="65-79")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        base = f"/clinician/patients/{pid}/plan/new"
        form = doc.get(base)
        assert form.status_code == 200
        assert 'value="1 mg"' in form.text
        query = (
            "drug=clonazepam&dose_0=1+mg&time_0=22:00&strategy=percent&percent=10"
            f"&every=14d&stabilise=14d&start={TODAY.isoformat()}"
            "&compare=percent&compare=deprescribing&compare=occupancy"
        )
        preview = doc.get(f"{base}?{query}")
        assert preview.status_code == 200
        assert "Strategies compared" in preview.text
        assert "deprescribing" in preview.text
        assert "occupancy" in preview.text
        assert "Save as a proposal" in preview.text
        assert site.services.store.plans(pid) == []  # previewing changes nothing
        fields = dict(
            re.findall(r'<input type="hidden" name="([a-z_0-9]+)" value="([^"]*)"', preview.text)
        )
        fields.pop("csrf_token", None)
        saved = doc.post(f"/clinician/patients/{pid}/plans", fields)
        assert saved.status_code == 303
        plans = site.services.store.plans(pid)
        assert [p.status for p in plans] == ["proposed"]
        assert "waiting for your clinician" in ann.get("/plan").text


def test_plan_builder_refuses_unsafe_input(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        base = f"/clinician/patients/{pid}/plan/new?strategy=percent&start={TODAY.isoformat()}"
        above = doc.get(f"{base}&dose_0=3+mg&time_0=08:00&dose_1=3+mg&time_1=22:00")
        assert above.status_code == 422
        assert "daily maximum" in above.text
        typo = doc.get(f"{base}&dose_0=50+mg&time_0=22:00")
        assert typo.status_code == 422
        assert "implausible" in typo.text
        nothing = doc.get(f"{base}&dose_0=&time_0=")
        assert nothing.status_code == 422
        assert "dose 1" in nothing.text
        bad = doc.post(
            f"/clinician/patients/{pid}/plans", {"strategy": "percent", "dose_0": "1 mg"}
        )
        assert bad.status_code == 422


def test_decisions_make_new_versions_and_the_patient_sees_the_new_dose(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician(display_name="Dr Lee")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        start = TODAY - timedelta(days=20)  # the first cut (day 14) has happened
        approved_plan(site, pid, start)
        assert "clonazePAM 1 mg" not in ann.get("/dashboard").text
        store = site.services.store
        url = f"/clinician/patients/{pid}/plans/2/decision"
        assert doc.post(url, {"action": "hold", "reason": ""}).status_code == 422
        assert doc.post(url, {"action": "explode", "reason": "x"}).status_code == 422
        held = doc.post(url, {"action": "hold", "reason": "flare after the cut"})
        assert held.status_code == 303
        assert store.plans(pid)[-1].status == "held"
        assert "on hold" in ann.get("/dashboard").text
        stale = doc.post(url, {"action": "approve", "reason": "ok"})  # version 2 is not the latest
        assert stale.status_code == 409
        adjust = doc.post(
            f"/clinician/patients/{pid}/plans/3/decision",
            {"action": "adjust", "reason": "two more weeks", "postpone_days": "14"},
        )
        assert adjust.status_code == 303
        versions = store.plans(pid)
        assert versions[-1].status == "proposed"
        moved = [s.start for s in versions[-1].steps if s.start > TODAY]
        before = [s.start for s in versions[2].steps if s.start > TODAY]
        assert moved == [d + timedelta(days=14) for d in before]
        approve = doc.post(
            f"/clinician/patients/{pid}/plans/4/decision", {"action": "approve", "reason": "agreed"}
        )
        assert approve.status_code == 303
        assert [v.status for v in store.plans(pid)] == [
            "proposed",
            "active",
            "held",
            "proposed",
            "active",
        ]
        plan_page = ann.get("/plan").text
        assert "Dr Lee (clinician)" in plan_page
        assert "agreed" in plan_page
        dashboard = ann.get("/dashboard").text
        assert "clonazePAM 0.875 mg" in dashboard or "clonazePAM 0.9 mg" in dashboard


def test_a_clinician_can_reject_a_proposal(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY)
        site.services.store.decide(
            pid, "adjust", by="x", reason="y", steps=site.services.store.plans(pid)[-1].steps
        )
        url = f"/clinician/patients/{pid}/plans/3/decision"
        assert doc.post(url, {"action": "reject", "reason": "not now"}).status_code == 303
        assert site.services.store.plans(pid)[-1].status == "rejected"
