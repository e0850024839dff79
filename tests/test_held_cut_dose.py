"""The new dose of a held cut is never logged as taken by default (issue 16, section 4).

When the readiness check holds a cut (here: no check-ins in the week before it) and no
clinician has answered, the cut's new dose is a question, not an instruction: the dashboard
shows no "Taken" for it, and on every door (``log-dose``, ``POST /doses/taken``) a dose logged
against it must say the amount taken; the plan's new amount is never assumed.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import Result

from taperline.core.quantity import Mass
from taperline.service import open_store
from tests.support.held_cut import a_plan_approved, held_cut_site, run_cli

CUT_DAY = "2027-01-18T22:05+00:00"  # the first 10 % cut (1 mg to 0.9 mg), 22:05 in London


def _run(url: str, *args: str, now: str = CUT_DAY) -> Result:
    return run_cli(url, *args, now=now)


def test_log_dose_asks_the_amount_of_a_held_cut_and_logs_what_was_taken(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    held = _run(url, "log-dose")
    assert held.exit_code == 2, held.output
    assert "new dose of a cut your clinician has not answered yet" in held.stderr
    assert open_store(url).doses(1, None, None) == []  # nothing logged
    stayed = _run(url, "log-dose", "--amount", "1 mg")
    assert stayed.exit_code == 0, stayed.stderr
    (line,) = open_store(url).doses(1, None, None)
    assert line.amount == Mass.of_mg(1)
    assert line.planned_clock == "22:00"
    # the day after the cut the new dose is still a question until a clinician answers
    next_day = "2027-01-19T22:05+00:00"
    refused = _run(url, "log-dose", now=next_day)
    assert refused.exit_code == 2, refused.output
    assert "new dose of a cut your clinician has not answered yet" in refused.stderr
    assert _run(url, "log-dose", "--amount", "1 mg", now=next_day).exit_code == 0
    assert [d.amount for d in open_store(url).doses(1, None, None)] == [Mass.of_mg(1)] * 2


def test_the_dashboard_s_taken_cannot_log_a_held_cut_s_new_dose(tmp_path: Path) -> None:
    with held_cut_site(tmp_path) as (site, web, pid):
        assert "Ask your clinician before this cut" in web.get("/dashboard").text
        response = web.post("/doses/taken", {"clock": "22:00", "status": "taken"})
        assert response.status_code == 422
        assert "new dose of a cut your clinician has not answered yet" in response.text
        assert site.services.store.doses(pid, None, None) == []


def _above_plan(url: str, now: str) -> dict[str, list[str]]:
    """The days of the findings of more taken than planned (``findings --format json``)."""
    result = _run(url, "findings", "--format", "json", now=now)
    assert result.exit_code == 0, result.stderr
    return {
        f["kind"]: [e["date"] for e in f["evidence"]]
        for f in json.loads(result.stdout)
        if f["kind"] in {"escalation", "large_dose"}
    }


def test_staying_on_the_dose_before_a_held_cut_is_not_more_than_planned(tmp_path: Path) -> None:
    """The patient told to stay on 1 mg until their clinician answers is not escalating.

    From the cut day to the clinician's answer (its day included) the review compares what
    was taken with the dose before the cut; from the day after the answer, with the new dose.
    """
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    for day in ("2027-01-18", "2027-01-19", "2027-01-20"):
        now = f"{day}T22:05+00:00"
        logged = _run(url, "log-dose", "--amount", "1 mg", now=now)
        assert logged.exit_code == 0, logged.stderr
        assert "more than the planned" not in logged.stderr
        assert _above_plan(url, now) == {}, day
    # the clinician answers on the 20th: the 20th may be either dose, from the 21st 0.9 mg
    answered = _run(url, "plan", "proceed", "--by", "Dr Lee", "--reason", "seen today",
                    now="2027-01-20T09:00+00:00")  # fmt: skip
    assert answered.exit_code == 0, answered.stderr
    assert _above_plan(url, "2027-01-20T22:30+00:00") == {}
    late = "2027-01-21T22:05+00:00"
    logged = _run(url, "log-dose", "--amount", "1 mg", "--confirm", now=late)
    assert logged.exit_code == 0, logged.stderr
    assert "This is more than the planned 0.875 mg" in logged.stderr
    assert _above_plan(url, late) == {"escalation": ["2027-01-21"], "large_dose": ["2027-01-21"]}


def test_the_web_logs_the_dose_before_a_held_cut_and_calls_it_no_escalation(
    tmp_path: Path,
) -> None:
    """The dashboard offers "Took 1 mg" (the dose before the cut) and never counts it as more."""
    with held_cut_site(tmp_path) as (site, web, pid):
        for day in range(3):  # the cut day and the two after: 1 mg, as the dashboard asks
            assert web.signin("ann@example.org").status_code == 303  # a day: signed out
            page = web.get("/dashboard").text
            assert "Until they decide, stay on 1 mg at 22:00." in page
            assert 'value="stayed" class="button">Took 1 mg</button>' in page
            taken = web.post(
                "/doses/taken",
                {"clock": "22:00", "status": "stayed"},
                headers={"HX-Request": "true"},
            )
            assert taken.status_code == 200, taken.text
            assert "Taken at" in taken.text
            assert 'class="how"' not in taken.text  # no instructions for the new dose
            assert ": 1 mg</p>" in taken.text
            page = web.get("/dashboard").text
            assert "Ask your clinician before this cut" in page
            assert "more taken than planned" not in page.lower()
            kinds = {f["kind"] for f in web.get("/api/findings").json()["findings"]}
            assert not kinds & {"escalation", "large_dose"}, (day, kinds)
            site.clock.advance(days=1)
        logged = site.services.store.doses(pid, None, None)
        assert [d.amount for d in logged] == [Mass.of_mg(1)] * 3
        assert {d.planned_clock for d in logged} == {"22:00"}


def test_the_dose_before_the_cut_is_refused_for_any_other_dose(tmp_path: Path) -> None:
    """ "Took the dose before" is only for a held cut's new dose: an ordinary day refuses it."""
    from tests.support.web import approved_plan, make_site

    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        approved_plan(site, pid, start=site.clock.today)
        assert web.signin("ann@example.org").status_code == 303
        response = web.post("/doses/taken", {"clock": "22:00", "status": "stayed"})
        assert response.status_code == 422
        assert "only for the new dose of a cut" in response.text
        assert site.services.store.doses(pid, None, None) == []


def test_at_a_later_cut_the_dose_to_stay_on_is_the_held_cut_s_on_every_door(
    tmp_path: Path,
) -> None:
    """Past a later cut, the first held cut unanswered is still the question: the patient is
    told to stay on the dose before it (1 mg), so logging 1 mg is what was asked, not more
    than planned, and "I stayed on it" logs 1 mg, never the step before the later cut's."""
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    second_cut = "2027-02-01T22:05+00:00"  # 0.9 mg to 0.8 mg; the 0.9 mg cut is still held
    status = _run(url, "status", "--format", "json", now=second_cut)
    assert status.exit_code == 0, status.stderr
    (today,) = json.loads(status.stdout)["doses_today"]
    assert today["stay_on_amount_mg"] == 1
    stayed = _run(url, "log-dose", "--amount", "1 mg", now=second_cut)
    assert stayed.exit_code == 0, stayed.stderr
    (line,) = open_store(url).doses(1, None, None)
    assert line.amount == Mass.of_mg(1)

    with held_cut_site(tmp_path / "web", cuts=2) as (site, web, pid):  # the second cut's day
        assert "Ask your clinician before this cut" in web.get("/dashboard").text
        response = web.post("/doses/taken", {"clock": "22:00", "status": "stayed"})
        assert response.status_code == 303, response.text
        (line,) = site.services.store.doses(pid, None, None)
        assert line.amount == Mass.of_mg(1)
