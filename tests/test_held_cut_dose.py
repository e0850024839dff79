"""The new dose of a held cut is never logged as taken by default (issue 16, section 4).

When the readiness check holds a cut (here: no check-ins in the week before it) and no
clinician has answered, the cut's new dose is a question, not an instruction: the dashboard
shows no "Taken" for it, and on every door (``log-dose``, ``POST /doses/taken``) a dose logged
against it must say the amount taken; the plan's new amount is never assumed.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from taperline.cli.main import cli
from taperline.core.quantity import Mass
from taperline.service import open_store

PLANNED = "2027-01-03T20:00+00:00"
CUT_DAY = "2027-01-18T22:05+00:00"  # the first 10 % cut (1 mg to 0.9 mg), 22:05 in London


def _run(url: str, *args: str, now: str = CUT_DAY) -> Result:
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": now}
    return CliRunner().invoke(cli, list(args), env=env)


def test_log_dose_asks_the_amount_of_a_held_cut_and_logs_what_was_taken(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    for args in (
        ("init", "--time-zone", "Europe/London", "--age-band", "40-64"),
        ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-04",
         "--save"),
        ("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit"),
    ):  # fmt: skip
        assert _run(url, *args, now=PLANNED).exit_code == 0
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

    from tests.support.web import approved_plan, make_site

    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        site.clock.advance(days=-14)  # approved two weeks ago: no decision answers the check
        approved_plan(site, pid, start=site.clock.today)
        site.clock.advance(days=14)
        assert web.signin("ann@example.org").status_code == 303
        assert "Ask your clinician before this cut" in web.get("/dashboard").text
        response = web.post("/doses/taken", {"clock": "22:00", "status": "taken"})
        assert response.status_code == 422
        assert "new dose of a cut your clinician has not answered yet" in response.text
        assert site.services.store.doses(pid, None, None) == []
