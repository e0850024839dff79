"""The safety rules in the web app: the builder with an override, decisions on a stored plan
that breaks a rule (form and API), and the override mark on the patient's and clinician's pages."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from pathlib import Path

from taperline.core.quantity import Mass
from taperline.core.record import PlanVersion, RecordDose, RecordStep
from tests.support.web import START, make_site, share

TODAY = START.date()
REASON = "Nardi 2010 regimen, inpatient unit, supervised daily"
MARK = f"Outside the guideline by clinician override:</strong> {html.escape(REASON)}"


def test_an_overridden_plan_from_the_builder_is_marked_on_every_page(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        fields = {
            "drug": "clonazepam", "dose_0": "2 mg", "time_0": "22:00", "strategy": "fixed",
            "bands": "1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d", "start": TODAY.isoformat(),
            "auto_liquid": "on", "products": "tablet 0.5 mg /2, tablet 1 mg, tablet 2 mg",
        }  # fmt: skip
        refused = doc.post(f"/clinician/patients/{pid}/plans", fields)
        assert refused.status_code == 422
        assert "give an override reason" in refused.text
        assert site.services.store.plans(pid) == []
        preview = doc.get(
            f"/clinician/patients/{pid}/plan/new",
            params={**fields, "override_reason": REASON},
        )
        assert MARK in preview.text
        saved = doc.post(f"/clinician/patients/{pid}/plans", {**fields, "override_reason": REASON})
        assert saved.status_code == 303
        record = doc.get(f"/clinician/patients/{pid}").text
        assert MARK in record
        assert "a 33.3 % cut within 14 days" in record  # what is outside, for the clinician
        version = site.services.store.plans(pid)[-1].version
        approved = doc.post(
            f"/clinician/patients/{pid}/plans/{version}/decision",
            {"action": "approve", "reason": "agreed with Ann at the visit"},
        )
        assert approved.status_code == 303
        plan_page = ann.get("/plan").text
        assert MARK in plan_page  # the patient sees it too, in plain words
        assert "[ASAM-2025]" not in plan_page.split("Outside the guideline")[1].split("</div>")[0]
        assert MARK in ann.get("/").text  # the dashboard, every morning
        assert ann.client.get("/api/status").json()["plan"]["guideline_mark"].endswith(REASON)
        api = doc.get(f"/api/patients/{pid}/record").json()
        assert api["plans"][-1]["guideline"]["mark"].endswith(REASON)


def _dangerous() -> PlanVersion:
    dose = (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)
    steps = (
        RecordStep(TODAY, dose),
        RecordStep(
            TODAY + timedelta(days=14), (RecordDose("22:00", "clonazepam", Mass.of_mg("0.5")),)
        ),
        RecordStep(TODAY + timedelta(days=28), ()),
    )
    return PlanVersion(
        0, "proposed", "clonazepam", "custom", steps, "someone", datetime(2027, 2, 1, tzinfo=UTC)
    )


def test_approving_a_stored_plan_that_breaks_a_rule_is_refused_on_the_page_and_the_api(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org", display_name="Ann")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        stored = site.services.store.add_plan(pid, _dangerous())
        page = doc.post(
            f"/clinician/patients/{pid}/plans/{stored.version}/decision",
            {"action": "approve", "reason": "agreed with Ann at the visit"},
        )
        assert page.status_code == 422
        assert "a 50 % cut within 14 days" in html.unescape(page.text)
        api = doc.client.post(
            f"/api/patients/{pid}/plans/{stored.version}/decision",
            json={"action": "adjust", "reason": "wait a week more", "postpone_days": 7},
        )
        assert api.status_code == 422
        [detail] = api.json()["detail"]
        assert detail["type"] == "safety_rule"
        assert "at once" in detail["msg"]
        assert [v.version for v in site.services.store.plans(pid)] == [stored.version]
