"""The JSON API: every operation, its access rules, CSRF defence and input validation."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.web import START, Web, approved_plan, make_site, share

TODAY = START.date()


def checkin(day: str = TODAY.isoformat(), **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "date": day,
        "sleep": {
            "bed": "23:00",
            "tried": "23:15",
            "final_wake": "06:30",
            "out_of_bed": "06:50",
            "sol_min": 20,
            "waso_min": 15,
            "awakenings": 1,
            "quality_1_5": 3,
        },
        "mood_0_10": 6,
        "anxiety_0_10": 4,
        "symptoms_0_3": {"tremor": 1},
        "worst_time": "evening",
        "notes": "api",
    }
    body.update(changes)
    return body


def test_openapi_schema_lists_the_operations(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        schema = site.browser().get("/api/openapi.json").json()
        paths = schema["paths"]
        for path in (
            "/api/me",
            "/api/checkins",
            "/api/checkins/{day}",
            "/api/doses",
            "/api/findings",
            "/api/plans",
            "/api/status",
            "/api/export",
            "/api/patients",
            "/api/patients/{person_id}/record",
            "/api/patients/{person_id}/plans/{version}/decision",
        ):
            assert path in paths, path
        assert not any(p.startswith(("/dashboard", "/signin")) for p in paths)  # pages are not API
        assert set(paths["/api/checkins/{day}"]) == {"get", "put", "delete"}
        assert "APIKeyCookie" in schema["components"]["securitySchemes"]


def test_anonymous_gets_401_everywhere(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        for path in ("/api/me", "/api/checkins", "/api/status", "/api/export", "/api/patients"):
            assert web.get(path).status_code == 401, path
        assert web.client.post("/api/checkins", json=checkin()).status_code == 401


def test_check_in_round_trip(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        created = web.client.post("/api/checkins", json=checkin())
        assert created.status_code == 201
        body = created.json()
        assert body["created"] is True
        assert body["checkin"]["sleep"]["tst_min"] == 470 - 15 - 20 - 15 - 20
        assert body["checkin"]["symptoms_0_3"] == {"tremor": 1}
        assert "proposal" in body["review"]
        day = TODAY.isoformat()
        assert web.client.post("/api/checkins", json=checkin()).status_code == 409
        assert web.get(f"/api/checkins/{day}").json()["notes"] == "api"
        listed = web.get(f"/api/checkins?start={day}&end={day}").json()["checkins"]
        assert len(listed) == 1
        replaced = web.client.put(f"/api/checkins/{day}", json=checkin(mood_0_10=2))
        assert replaced.status_code == 200
        assert replaced.json()["checkin"]["mood_0_10"] == 2
        mismatch = web.client.put(f"/api/checkins/{day}", json=checkin("2027-02-01"))
        assert mismatch.status_code == 422
        assert web.client.delete(f"/api/checkins/{day}").status_code == 204
        assert web.get(f"/api/checkins/{day}").status_code == 404
        assert web.client.delete(f"/api/checkins/{day}").status_code == 404
        pid = site.person_id("pat@example.org")
        deletes = [e.object for e in site.services.accounts.audit_of(pid) if e.action == "delete"]
        assert deletes == [f"check-in {day} (mood 2, anxiety 4, with a night)"]  # one, with it


def test_idempotency_key_makes_retries_safe(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        headers = {"Idempotency-Key": "retry-1"}
        first = web.client.post("/api/checkins", json=checkin(), headers=headers)
        second = web.client.post("/api/checkins", json=checkin(), headers=headers)
        assert first.status_code == second.status_code == 201
        assert (first.json()["created"], second.json()["created"]) == (True, False)
        bad = web.client.post("/api/checkins", json=checkin(), headers={"Idempotency-Key": "a b"})
        assert bad.status_code == 422


def test_doses_scores_findings_plans_status_export(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        site.clock.advance(hours=10, minutes=30)  # 22:30 in London: tonight's dose is taken
        assert web.signin("ann@example.org").status_code == 303  # the session timed out
        dose = {
            "date": TODAY.isoformat(),
            "planned_time": "22:00",
            "planned_amount_mg": "1",
            "taken_at": f"{TODAY.isoformat()}T22:10",
            "amount_mg": 1,
        }
        assert web.client.post("/api/doses", json=dose).status_code == 201
        doses = web.get("/api/doses").json()["doses"]
        assert doses[0]["amount"] == "1 mg"
        assert doses[0]["taken_at"].endswith("22:10")
        score = {"instrument": "PHQ-9", "date": TODAY.isoformat(), "items": [1] * 8 + [0]}
        saved = web.client.post("/api/scores", json=score)
        assert saved.status_code == 201
        assert saved.json()["score"]["band"] == "mild"
        assert web.get("/api/scores").json()[0]["total"] == 8
        assert "findings" in web.get("/api/findings").json()
        plans = web.get("/api/plans").json()
        assert plans["in_force_version"] == 2
        assert plans["plans"][1]["steps"][0]["doses"][0]["amount"] == "1 mg"
        status = web.get("/api/status").json()
        assert status["doses_today"][0]["status"] == "taken"
        assert status["next_change"]["start_date"] > TODAY.isoformat()
        export = web.get("/api/export").json()
        assert export["record"]["doses"]
        assert export["record"]["scores"]
        assert web.get("/api/audit").json()[0]["action"] in {"export", "read"}


def test_wrong_role_is_403(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        doc = site.clinician()
        for path in ("/api/checkins", "/api/doses", "/api/status", "/api/export", "/api/findings"):
            assert doc.get(path).status_code == 403, path
        patient = site.patient()
        assert patient.get("/api/patients").status_code == 403


def test_writes_must_be_json_from_this_site(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        form = web.client.post("/api/checkins", data={"date": TODAY.isoformat()})
        assert form.status_code == 415
        text = web.client.post(
            "/api/checkins", content="{}", headers={"content-type": "text/plain"}
        )
        assert text.status_code == 415
        foreign = web.client.post(
            "/api/checkins", json=checkin(), headers={"origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        cross = web.client.delete(
            f"/api/checkins/{TODAY.isoformat()}", headers={"sec-fetch-site": "cross-site"}
        )
        assert cross.status_code == 403
        same = web.client.post(
            "/api/checkins", json=checkin(), headers={"origin": "http://testserver"}
        )
        assert same.status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (checkin(mood_0_10=11), "mood_0_10"),
        (checkin(mood_0_10=True), "mood_0_10"),
        (checkin(mood_0_10=5.5), "mood_0_10"),
        (checkin(mood_0_10="5"), "mood_0_10"),
        (checkin(mood_0_10=10**40), "mood_0_10"),
        (checkin(notes="a\x00b"), "notes"),
        (json.dumps(checkin(notes="\ud800")), "notes"),  # raw JSON: a lone surrogate
        (checkin(notes="x" * 2001), "notes"),
        (checkin(date="2027-02-30"), "date"),
        (checkin(date="0001-01-01"), "date"),
        (checkin(date="9999-12-31"), "date"),
        (checkin(date=20270101), "date"),
        (checkin(symptoms_0_3={"hiccups": 1}), "symptoms_0_3"),
        (checkin(symptoms_0_3={"tremor": 4}), "symptoms_0_3"),
        (checkin(events=["alien"]), "events"),
        (checkin(worst_time="noon"), "worst_time"),
        (checkin(person_id=2), "person_id"),
        (checkin(sleep={"bed": "25:00"}), "sleep"),
        (checkin(sleep=[]), "sleep"),
        ({"date": TODAY.isoformat()}, "mood_0_10"),
        ([], "body"),
        ("nonsense", "body"),
    ],
)
def test_malformed_check_ins_are_422_naming_the_field(
    tmp_path: Path, body: Any, field: str
) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        if isinstance(body, str) and body.startswith("{"):
            response = web.client.post(
                "/api/checkins", content=body, headers={"content-type": "application/json"}
            )
        else:
            response = web.client.post("/api/checkins", json=body)
        assert response.status_code == 422, response.text
        locations = [".".join(str(p) for p in e["loc"]) for e in response.json()["detail"]]
        assert any(field in loc for loc in locations) or field == "body", locations
        assert "\x00" not in response.text


def test_domain_errors_are_422_with_the_message(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        future = (TODAY + timedelta(days=1)).isoformat()
        response = web.client.post("/api/checkins", json=checkin(future))
        assert response.status_code == 422
        assert "in the future" in response.json()["detail"][0]["msg"]
        short = checkin(sleep={**checkin()["sleep"], "sol_min": 500})
        assert web.client.post("/api/checkins", json=short).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"date": TODAY.isoformat(), "planned_amount_mg": "1e999999"},
        f'{{"date": "{TODAY}", "amount_mg": 1e400, "taken_at": "{TODAY}T22:00"}}',
        {"date": TODAY.isoformat(), "amount_mg": -1, "taken_at": f"{TODAY}T22:00"},
        {"date": TODAY.isoformat(), "amount_mg": "NaN", "taken_at": f"{TODAY}T22:00"},
        {"date": TODAY.isoformat(), "taken_at": f"{TODAY}T22:00Z", "amount_mg": 1},
        {"date": TODAY.isoformat(), "taken_at": "0001-01-01T00:00", "amount_mg": 1},
        {"date": TODAY.isoformat(), "taken_at": f"{TODAY}T22:00"},
        {"date": TODAY.isoformat(), "drug": "unobtainium", "planned_time": "22:00"},
        {"date": TODAY.isoformat(), "drug": "", "planned_time": "22:00"},
        {"date": TODAY.isoformat(), "planned_time": "24:00"},
        {"date": TODAY.isoformat()},
        {"date": (TODAY + timedelta(days=3)).isoformat(), "planned_time": "22:00"},
    ],
)
def test_malformed_doses_are_4xx(tmp_path: Path, body: dict[str, Any] | str) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        if isinstance(body, str):
            headers = {"content-type": "application/json"}
            response = web.client.post("/api/doses", content=body, headers=headers)
        else:
            response = web.client.post("/api/doses", json=body)
        assert 400 <= response.status_code < 500, (body, response.text)


@pytest.mark.parametrize(
    "path",
    [
        "/api/checkins/2027-13-01",
        "/api/checkins/0001-01-01",
        "/api/checkins/9999-12-31",
        "/api/checkins/x",
        "/api/checkins?start=2027-02-30",
        "/api/checkins?start=0001-01-01",
        "/api/doses?end=99999-01-01",
    ],
)
def test_bad_dates_in_urls_are_422(tmp_path: Path, path: str) -> None:
    with make_site(tmp_path) as site:
        assert site.patient().get(path).status_code == 422


def test_scores_are_validated(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        for body in (
            {"instrument": "PHQ-9", "date": TODAY.isoformat(), "items": [1] * 7},
            {"instrument": "GAD-7", "date": TODAY.isoformat(), "items": [4] * 7},
            {"instrument": "BDI", "date": TODAY.isoformat(), "items": [1] * 7},
            {"instrument": "GAD-7", "date": "2030-01-01", "items": [1] * 7},
        ):
            assert web.client.post("/api/scores", json=body).status_code == 422, body


def _shared(site: Any) -> tuple[Web, Web, int]:
    ann = site.patient("ann@example.org", display_name="Ann")
    doc = site.clinician()
    share(site, ann, doc)
    return ann, doc, site.person_id("ann@example.org")


def test_clinician_reads_a_shared_record_and_decides(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, doc, pid = _shared(site)
        ann.client.post("/api/checkins", json=checkin())
        approved_plan(site, pid, TODAY - timedelta(days=3))
        record = doc.get(f"/api/patients/{pid}/record").json()
        assert record["display_name"] == "Ann"
        assert record["checkins"][0]["notes"] == "api"
        assert "review" in record
        url = f"/api/patients/{pid}/plans/2/decision"
        held = doc.client.post(url, json={"action": "hold", "reason": "flare"})
        assert held.status_code == 201
        assert held.json()["status"] == "held"
        assert held.json()["version"] == 3
        stale = doc.client.post(url, json={"action": "approve", "reason": "ok"})
        assert stale.status_code == 409
        missing = doc.client.post(
            f"/api/patients/{pid}/plans/99/decision", json={"action": "approve", "reason": "ok"}
        )
        assert missing.status_code == 404
        adjust = doc.client.post(
            f"/api/patients/{pid}/plans/3/decision",
            json={"action": "adjust", "reason": "slower", "postpone_days": 7},
        )
        assert adjust.status_code == 201
        assert adjust.json()["status"] == "proposed"
        for body in (
            {"action": "approve"},
            {"action": "approve", "reason": ""},
            {"action": "launch", "reason": "x"},
            {"action": "adjust", "reason": "x", "postpone_days": 0},
            {"action": "approve", "reason": "x", "person_id": pid},
        ):
            response = doc.client.post(f"/api/patients/{pid}/plans/4/decision", json=body)
            assert response.status_code == 422, body


def test_clinician_without_a_share_gets_404_and_ids_are_bounded(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        _ann, _doc, pid = _shared(site)
        stranger = site.clinician("stranger@example.org")
        assert stranger.get(f"/api/patients/{pid}/record").status_code == 404
        body = {"action": "approve", "reason": "x"}
        decision = stranger.client.post(f"/api/patients/{pid}/plans/1/decision", json=body)
        assert decision.status_code == 404
        huge = 2**70
        assert stranger.get(f"/api/patients/{huge}/record").status_code == 422
        assert stranger.get("/api/patients/-1/record").status_code == 422
        assert stranger.get("/api/patients").json() == []


def test_no_5xx_on_assorted_garbage(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        deep = "[" * 50_000 + "]" * 50_000
        for content in (deep, "{", '{"date": "\u0000"}', "\x00", "1" * 100_000):
            response = web.client.post(
                "/api/checkins", content=content, headers={"content-type": "application/json"}
            )
            assert 400 <= response.status_code < 500, (content[:20], response.status_code)


def _dose(day: str, taken: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"date": day, "planned_time": "22:00", "planned_amount_mg": "1"}
    if taken is not None:
        body.update(taken_at=f"{day}T{taken}", amount_mg=1)
    else:
        body.update(taken_at=None, amount_mg=None)
    return body


def test_status_is_one_document_from_the_cli_and_the_api(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from taperline.catalogue_data import load_catalogue
    from taperline.cli.main import cli
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan

    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=10))
        for back, taken in ((3, "22:05"), (2, None), (1, "22:00")):  # taken, missed, taken
            day = (TODAY - timedelta(days=back)).isoformat()
            assert web.client.post("/api/checkins", json=checkin(day)).status_code == 201
            assert web.client.post("/api/doses", json=_dose(day, taken)).status_code == 201
        request = PlanRequest(
            drug=load_catalogue().get("clonazepam"),
            regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
            start=TODAY,
            strategy=Strategy(kind="deprescribing"),
        )
        save_plan(site.services.store, pid, propose(request), by="Dr Test", now=site.clock.now)
        api = web.get("/api/status").json()
        env = {
            "TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
            "TAPERLINE_NOW": site.clock.now.isoformat(),
        }
        run = CliRunner().invoke(cli, ["status", "--format", "json", "--person", str(pid)], env=env)
        assert run.exit_code == 0, run.output
        assert json.loads(run.output) == api
        assert api["plan"]["version"] == 2
        assert api["pending_version"] == 3
        assert [d["status"] for d in api["doses_today"]] == ["due"]
        days = {d["date"]: d for d in api["last_14_days"]}
        missed_day = (TODAY - timedelta(days=2)).isoformat()
        assert (days[missed_day]["doses_taken"], days[missed_day]["doses_missed"]) == (0, 1)


def test_a_dose_is_matched_to_the_plan_as_the_cli_and_dashboard_match_it(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        day = (TODAY - timedelta(days=1)).isoformat()
        not_planned = {**_dose(day, "22:05"), "planned_time": "08:00"}
        assert web.client.post("/api/doses", json=not_planned).status_code == 404
        wrong_amount = {**_dose(day, "22:05"), "planned_amount_mg": "4"}
        refused = web.client.post("/api/doses", json=wrong_amount)
        assert refused.status_code == 422
        assert "the plan's 22:00 dose" in refused.text
        headers = {"Idempotency-Key": "dose-1"}
        first = web.client.post("/api/doses", json=_dose(day, "22:05"), headers=headers)
        retry = web.client.post("/api/doses", json=_dose(day, "22:05"), headers=headers)
        assert (first.status_code, retry.status_code) == (201, 201)
        assert first.json() == {**retry.json(), "created": True}  # the same line's id
        again = web.client.post("/api/doses", json=_dose(day, "22:05"))
        assert again.status_code == 409  # the 22:00 dose of that day is already logged
        assert len(site.services.store.doses(pid)) == 1


def test_a_planned_dose_s_drug_is_the_plan_s(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        approved_plan(site, site.person_id("ann@example.org"), TODAY - timedelta(days=3))
        day = (TODAY - timedelta(days=1)).isoformat()
        other = {**_dose(day, "22:05"), "drug": "diazepam"}
        refused = web.client.post("/api/doses", json=other)
        assert refused.status_code == 422
        assert "the plan's 22:00 dose is clonazepam, not diazepam" in refused.text
        extra = {"date": day, "taken_at": f"{day}T13:00", "amount_mg": 0.25}  # no planned_time
        assert web.client.post("/api/doses", json=extra).status_code == 201


def test_an_amount_above_the_day_s_plan_needs_confirmed(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, TODAY - timedelta(days=3))
        day = (TODAY - timedelta(days=1)).isoformat()
        body = {**_dose(day, "22:05"), "amount_mg": 3}
        refused = web.client.post("/api/doses", json=body)
        assert refused.status_code == 422
        assert "3 mg is more than the 1 mg planned for the whole day" in refused.text
        assert "confirmed: true" in refused.text
        assert site.services.store.doses(pid) == []
        assert web.client.post("/api/doses", json={**body, "confirmed": True}).status_code == 201
        assert web.client.post("/api/doses", json={**body, "confirmed": "yes"}).status_code == 422
