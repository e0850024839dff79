"""Readiness before a cut in the web app (issue 16, section 4).

The patient's dashboard and the clinician's patient page show the readiness check; on a cut
day under Hold the new dose is a question for the clinician, not an instruction, until the
clinician proceeds or holds the plan. A patient cannot make a plan active.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from taperline.core.journal import CheckIn
from taperline.service import store_checkin
from tests.support.web import START, Site, Web, approved_plan, make_site, share

TODAY = START.date()
#: Source ids (clinical-basis.md): never in the patient's words.
SOURCE_IDS = re.compile(r"ASAM|SEED-|KROENKE|LABEL|NICE-|ASHTON|MAUDSLEY|DEPRESCRIBING")


def _plan_cutting_on(site: Site, pid: int, days_from_today: int) -> None:
    """An approved plan (10 % every 14 days) whose first cut is ``days_from_today`` away.

    Approved two weeks before its first cut, so no decision in the check's window answers it.
    """
    cut = TODAY + timedelta(days=days_from_today)
    now = site.clock.now
    site.clock.now = now - timedelta(days=14 - days_from_today)
    approved_plan(site, pid, cut - timedelta(days=14))
    site.clock.now = now


def _check_in(site: Site, pid: int, *days_back: int) -> None:
    for back in days_back:
        day = TODAY - timedelta(days=back)
        store_checkin(site.services.store, pid, CheckIn(day, None, mood=6, anxiety=3), today=TODAY)


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def _shared(site: Site) -> tuple[Web, Web, int]:
    ann = site.patient("ann@example.org", display_name="Ann")
    doc = site.clinician(display_name="Dr Lee")
    share(site, ann, doc)
    return ann, doc, site.person_id("ann@example.org")


def test_dashboard_before_a_cut_shows_the_check_in_plain_words(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        _plan_cutting_on(site, pid, 2)
        _check_in(site, pid, *range(7))
        page = web.get("/dashboard").text
        ready = _section(page, "ready-h")
        assert "Before your next dose change" in ready
        assert "Proceed" in ready
        assert "Your next dose change is on Wed 3 Mar" in ready
        assert "check-ins on 7 of the last 7 days" in ready
        assert "If you feel ready" in ready
        assert not SOURCE_IDS.search(ready)
        assert 'value="taken"' in page  # today's dose is as it was


def test_dashboard_on_a_cut_day_under_hold_is_a_question(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.clock.advance(hours=8)  # 20:00 in London: tonight's dose is due
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        _plan_cutting_on(site, pid, 0)  # no check-ins at all: Hold
        page = web.get("/dashboard").text
        ready = _section(page, "ready-h")
        assert "Ask your clinician before this cut" in ready
        assert '<span class="chip urgent">Hold</span>' in ready
        assert "no check-ins in the last 7 days" in ready
        assert "stay on 1 mg a day rather than starting the new dose" in ready
        assert not SOURCE_IDS.search(ready)
        doses = _section(page, "doses-h")
        assert "The new dose in your plan: ask your clinician before this cut." in doses
        assert 'value="taken"' not in doses  # no one-tap log of the new amount
        assert "Take 1" not in doses  # no instruction for the held cut
        assert "Current step" not in doses
        assert "a question for your clinician; until they decide: 1 mg a day" in doses


def test_the_clinician_sees_the_signals_with_their_basis_and_proceeds(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc, pid = _shared(site)
        _plan_cutting_on(site, pid, 0)  # no check-ins at all: Hold
        page = doc.get(f"/clinician/patients/{pid}").text
        ready = _section(page, "r-h")
        assert "Readiness before the cut of Mon 1 Mar" in ready
        assert '<span class="chip urgent">Hold</span>' in ready
        assert "1 mg a day to 0.875 mg a day, today" in ready
        assert "0 of 7 days (2027-02-23 to 2027-03-01)" in ready
        assert "Rule: check-ins on 5 or more of 7 days: clear" in ready
        assert "[ASAM-2025]" in ready
        assert "the new dose is shown to them as a question" in ready
        assert "Proceed with the cut of Mon 1 Mar" in page
        assert "Ask your clinician before this cut" in ann.get("/dashboard").text
        version = site.services.store.plans(pid)[-1].version
        url = f"/clinician/patients/{pid}/plans/{version}/decision"
        answered = doc.post(url, {"action": "proceed", "reason": "Spoke with Ann today."})
        assert answered.status_code == 303, answered.text[:300]
        latest = site.services.store.plans(pid)[-1]
        assert (latest.status, latest.decided_by) == ("active", "Dr Lee (clinician)")
        assert latest.reason == "go ahead with the cut of 2027-03-01: Spoke with Ann today."
        assert latest.decided_at == site.clock.now
        dashboard = ann.get("/dashboard").text
        ready = _section(dashboard, "ready-h")
        assert "Your clinician (Dr Lee (clinician)) decided on Mon 1 Mar to go ahead" in ready
        assert "The new dose in your plan" not in dashboard
        assert "Answered by Dr Lee (clinician)" in doc.get(f"/clinician/patients/{pid}").text


def test_a_clinician_s_hold_on_a_questioned_cut_keeps_the_dose_before_it(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc, pid = _shared(site)
        _plan_cutting_on(site, pid, 0)
        page = doc.get(f"/clinician/patients/{pid}").text
        assert "Hold (pause the taper) on the dose before the cut of Mon 1 Mar" in page
        version = site.services.store.plans(pid)[-1].version
        url = f"/api/patients/{pid}/plans/{version}/decision"
        held = doc.client.post(url, json={"action": "hold", "reason": "See me first."})
        assert held.status_code == 201, held.text
        assert held.json()["held_from"] == (TODAY - timedelta(days=1)).isoformat()
        status = ann.get("/api/status").json()
        assert status["readiness"] is None
        assert [(d["amount"], d["ask_clinician_first"]) for d in status["doses_today"]] == [
            ("1 mg", False)
        ]


def test_api_status_carries_the_readiness_check(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc, pid = _shared(site)
        _plan_cutting_on(site, pid, 0)
        status = ann.get("/api/status").json()
        ready: dict[str, Any] = status["readiness"]
        assert (ready["verdict"], ready["cut_is_question"]) == ("hold", True)
        assert ready["cut_date"] == TODAY.isoformat()
        assert [d["ask_clinician_first"] for d in status["doses_today"]] == [True]
        version = site.services.store.plans(pid)[-1].version
        url = f"/api/patients/{pid}/plans/{version}/decision"
        done = doc.client.post(url, json={"action": "proceed", "reason": "ok by phone"})
        assert done.status_code == 201, done.text
        assert done.json()["decided_by"] == "Dr Lee (clinician)"
        after = ann.get("/api/status").json()
        assert after["readiness"]["decided_by"] == "Dr Lee (clinician)"
        assert after["readiness"]["cut_is_question"] is False
        early = doc.client.post(
            url.replace(f"/{version}/", f"/{version + 1}/"),
            json={"action": "proceed", "reason": "again"},
        )
        assert early.status_code == 201  # still in view today: a second go-ahead is recorded


def test_a_patient_cannot_make_a_plan_active(tmp_path: Path) -> None:
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan

    with make_site(tmp_path) as site:
        ann, _doc, pid = _shared(site)
        request = PlanRequest(
            drug=load_catalogue().get("clonazepam"),
            regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
            start=TODAY,
            strategy=Strategy(kind="deprescribing"),
        )
        save_plan(site.services.store, pid, propose(request), by="Ann", now=site.clock.now)
        for action in ("approve", "proceed"):
            body = {"action": action, "reason": "I decide"}
            page = ann.post(f"/clinician/patients/{pid}/plans/1/decision", body)
            assert page.status_code in {403, 404}, (action, page.status_code)
            api = ann.client.post(f"/api/patients/{pid}/plans/1/decision", json=body)
            assert api.status_code in {403, 404}, (action, api.status_code)
        assert [v.status for v in site.services.store.plans(pid)] == ["proposed"]
        plan_page = ann.get("/plan").text
        assert 'name="action"' not in plan_page  # no decision form for the patient
        assert "/decision" not in plan_page
        assert "/decision" not in ann.get("/dashboard").text
