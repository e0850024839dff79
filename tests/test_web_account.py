"""The account page: profile, export, audit log and deletion of every row."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage import schema as t
from tests.support.web import PASSWORD, START, approved_plan, checkin_form, make_site, share

TODAY = START.date()


def test_profile_edit(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        response = web.post(
            "/account/profile",
            {
                "display_name": "Annie",
                "time_zone": "America/New_York",
                "age_band": "65-79",
                "conditions": "sleep apnea, epilepsy",
                "other_medicines": "sertraline",
            },
        )
        assert response.status_code == 303
        profile = site.services.store.profile(site.person_id("ann@example.org"))
        assert profile.time_zone == "America/New_York"
        assert profile.conditions == ("sleep apnea", "epilepsy")
        assert web.get("/api/me").json()["display_name"] == "Annie"
        bad = web.post("/account/profile", {"time_zone": "Nowhere/Land"})
        assert bad.status_code == 422
        assert "time_zone" in bad.text


def test_clinician_account_page(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        doc = site.clinician()
        page = doc.get("/account")
        assert page.status_code == 200
        assert "Download everything" not in page.text
        assert doc.post("/account/profile", {"display_name": "Dr X"}).status_code == 303
        assert doc.get("/account/export").status_code == 403


def test_export_holds_the_whole_record(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        doc = site.clinician(display_name="Dr Lee")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        ann.post("/checkin", checkin_form(TODAY, notes="export me"))
        ann.post("/doses/taken", {"clock": "22:00", "status": "taken"})
        ann.post(
            "/questionnaires", {"instrument": "GAD-7", **{f"item_{i}": "2" for i in range(1, 8)}}
        )
        response = ann.get("/account/export")
        assert response.status_code == 200
        assert "attachment" in response.headers["content-disposition"]
        document = json.loads(response.text)
        assert document["format"] == "taperline-export-1"
        assert document["account"]["email"] == "ann@example.org"
        record = document["record"]
        assert record["checkins"][0]["notes"] == "export me"
        assert record["doses"][0]["status"] in {"taken", "late"}
        assert record["scores"][0]["total"] == 14
        assert [p["status"] for p in record["plans"]] == ["proposed", "active"]
        assert document["shares"][0]["clinician"] == "Dr Lee"
        assert any(e["action"] == "export" for e in document["audit_log"])
        assert "password" not in response.text


def test_audit_log_lists_reads_and_writes_in_the_patient_s_time_zone(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        ann.get("/dashboard")
        ann.post("/checkin", checkin_form(TODAY))
        page = ann.get("/account/audit").text
        assert "read: dashboard" in page
        assert "write: check-in Mon 1 Mar 2027" in page  # stored as 2027-03-01
        assert "times in your time zone (Europe/London)" in page
        assert "UTC" not in page
        entries = site.services.accounts.audit_of(site.person_id("ann@example.org"))
        assert entries[0].at.tzinfo is not None


def _count_rows(site: object, person_id: int, user_id: int) -> dict[str, int]:
    services = site.services  # type: ignore[attr-defined]  # a Site from the helpers
    counts = services.accounts.rows_about(person_id=person_id, user_id=user_id)
    with services.store.engine.connect() as c:
        for table in (t.checkins, t.dose_log, t.instrument_scores, t.plan_versions):
            counts[table.name] = c.execute(
                select(func.count()).select_from(table).where(table.c.person_id == person_id)
            ).scalar_one()
        counts["persons"] = c.execute(
            select(func.count()).select_from(t.persons).where(t.persons.c.id == person_id)
        ).scalar_one()
    return counts


def test_deleting_an_account_removes_every_row_of_that_person(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        bob = site.patient("bob@example.org")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        user_id = ann.get("/api/me").json()["user_id"]
        approved_plan(site, pid, TODAY - timedelta(days=3))
        ann.post("/checkin", checkin_form(TODAY, events="fall"))
        ann.post("/flags/acknowledge", {"next": "/dashboard"})
        ann.post("/doses/taken", {"clock": "22:00"})
        ann.post(
            "/questionnaires", {"instrument": "GAD-7", **{f"item_{i}": "1" for i in range(1, 8)}}
        )
        doc.get(f"/clinician/patients/{pid}")
        bob.post("/checkin", checkin_form(TODAY))
        before = _count_rows(site, pid, user_id)
        assert all(before[name] > 0 for name in ("checkins", "dose_log", "audit_log", "shares"))
        refused = ann.post("/account/delete", {"password": PASSWORD, "confirm": "delete"})
        assert refused.status_code == 422
        refused = ann.post("/account/delete", {"password": "wrong password", "confirm": "DELETE"})
        assert refused.status_code == 422
        done = ann.post("/account/delete", {"password": PASSWORD, "confirm": "DELETE"})
        assert done.status_code == 303
        assert done.headers["location"] == "/?done=deleted"
        after = _count_rows(site, pid, user_id)
        assert after == dict.fromkeys(after, 0), after
        assert ann.get("/api/me").status_code == 401
        assert site.browser().signin("ann@example.org").status_code == 401
        assert len(site.services.store.checkins(site.person_id("bob@example.org"))) == 1
        assert "No patient shares" in doc.get("/clinician").text


def test_deleting_a_clinician_keeps_the_patients_audit_trail(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician(display_name="Dr Gone")
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        doc.get(f"/clinician/patients/{pid}")
        assert (
            doc.post("/account/delete", {"password": PASSWORD, "confirm": "DELETE"}).status_code
            == 303
        )
        assert "Dr Gone (clinician)" in ann.get("/account/audit").text
        assert ann.get("/sharing").status_code == 200
        with site.services.store.engine.connect() as c:
            assert c.execute(select(func.count()).select_from(a.shares)).scalar_one() == 0


@pytest.mark.slow
def test_fhir_and_pdf_downloads_for_the_patient_only(tmp_path: Path) -> None:
    from taperline.adapters.fhir import import_bundle

    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        ann.post("/checkin", checkin_form(TODAY, notes="fhir me"))
        assert "export.fhir.json" in ann.get("/account").text
        fhir = ann.get("/account/export.fhir.json?history=true")
        assert fhir.status_code == 200
        assert fhir.headers["content-type"].startswith("application/fhir+json")
        imported = import_bundle(json.loads(fhir.text))
        assert imported == site.services.store.record(pid)
        in_force = import_bundle(json.loads(ann.get("/account/export.fhir.json").text))
        assert [p.status for p in in_force.plans] == ["active"]  # the proposal before: history
        pdf = ann.get("/account/report.pdf")
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
        assert "attachment" in pdf.headers["content-disposition"]
        doc = site.clinician()
        assert doc.get("/account/export.fhir.json").status_code == 403
        assert doc.get("/account/report.pdf").status_code == 403
        audit = ann.get("/account/audit").text
        assert "FHIR" in audit
        assert "PDF" in audit
