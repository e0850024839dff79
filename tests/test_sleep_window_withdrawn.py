"""A sleep window set before a contraindication was named is withdrawn on every door (2026-12-04).

Sleep restriction is not given with epilepsy or seizures, bipolar disorder, psychosis,
untreated sleep apnea, parasomnias, high fall risk or pregnancy [SPIELMAN-1987 row, Somryst
labelling]. A window started before one of these was added to the health conditions is
withdrawn at once (status ``withdrawn``: no time in bed prescribed, the reason says to stop and
ask the clinician), not kept until its next review, and the clinician's findings name it.
The contraindications are read as people write them (tests/test_phq9_sleep_window_review.py
has the review's cases through the web pages).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

import pytest

from taperline.core.sleep_course import (
    WindowWeek,
    contraindications_in,
    withdrawal,
    withdrawal_finding,
)
from tests.support.journal_cli import Taperline
from tests.support.sleep_window import poor_week, poor_week_web, set_conditions
from tests.support.web import START as WEB_START
from tests.support.web import make_site

START: Final = date(2027, 1, 7)
WEEK: Final = WindowWeek(START, 6 * 60 + 30, 330, "patient", "patient", "poor sleep")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can't fall asleep", set()),
        ("fell asleep at my desk", set()),
        ("fall back asleep slowly", set()),
        ("fell on the stairs", {"high fall risk"}),
        ("sleep apnoea, on CPAP every night", set()),
        ("OSA, CPAP pending", {"untreated sleep apnea"}),
        ("Absence seizures", {"epilepsy or seizures"}),
        ("second trimester", {"pregnancy"}),
        ("cyclothymia", {"bipolar disorder"}),
        ("sleep paralysis", {"parasomnia"}),
        ("insomnia, anxiety", set()),
    ],
)
def test_contraindications_as_people_write_them(text: str, expected: set[str]) -> None:
    assert contraindications_in((text,)) == expected


def test_a_window_is_withdrawn_only_when_one_is_set_and_a_contraindication_named() -> None:
    stop = withdrawal(WEEK, frozenset({"pregnancy", "high fall risk"}))
    assert stop is not None
    assert "high fall risk, pregnancy" in stop.reason
    assert withdrawal(WEEK, frozenset()) is None
    assert withdrawal(None, frozenset({"pregnancy"})) is None
    assert withdrawal_finding(WEEK, frozenset(), START) is None


def _started(tmp_path: Path) -> Taperline:
    run = Taperline(f"sqlite:///{tmp_path / 'j.db'}", now=f"{START.isoformat()}T09:00+00:00")
    poor_week(run, START).ok("sleep-window", "start", "--rise", "06:30")
    return run


def test_the_cli_withdraws_the_window_and_the_findings_name_it(tmp_path: Path) -> None:
    run = _started(tmp_path)
    assert run.json("sleep-window", "show")["status"] == "active"
    run.ok("init", "--time-zone", "Europe/London", "--condition", "12 weeks pregnant", "--no-ask")
    shown = run.json("sleep-window", "show")
    assert shown["status"] == "withdrawn"
    assert (shown["time_in_bed_min"], shown["window_start"], shown["review_due"]) == (
        None,
        None,
        False,
    )
    assert shown["reason"].startswith("stop the sleep window and ask your clinician")
    assert [w["time_in_bed_min"] for w in shown["weeks"]] == [shown["weeks"][0]["time_in_bed_min"]]
    text = run.ok("sleep-window", "show").output
    assert "Sleep window withdrawn" in text
    started_again = run("sleep-window", "start", "--rise", "06:30")  # not 'already set'
    assert started_again.exit_code == 2
    assert "stop the sleep window and ask your clinician" in started_again.stderr
    assert "Review" not in text  # no review is offered for a withdrawn window
    findings = run.json("findings")
    [flag] = [f for f in findings if f["kind"] == "medicine_condition"]
    assert flag["clinician_flag"] is True
    assert "The sleep window was withdrawn" in flag["message"]


def test_a_condition_removed_again_gives_the_window_back(tmp_path: Path) -> None:
    run = _started(tmp_path)
    run.ok("init", "--time-zone", "Europe/London", "--condition", "sleepwalking", "--no-ask")
    assert run.json("sleep-window", "show")["status"] == "withdrawn"
    run.ok("init", "--time-zone", "Europe/London", "--condition", "insomnia", "--no-ask")
    assert run.json("sleep-window", "show")["status"] == "active"


def test_the_patient_s_dashboard_names_a_withdrawn_window(tmp_path: Path) -> None:
    """The patient looks at the dashboard each morning: a window withdrawn since yesterday is
    among its findings (not only on the sleep pages), and no window's times are shown."""
    with make_site(tmp_path) as site:
        web = site.patient()
        poor_week_web(web, WEB_START.date())
        assert web.post("/sleep/start", {"rise": "07:00"}).status_code == 303
        assert "The sleep window was withdrawn" not in web.get("/dashboard").text
        set_conditions(web, "pregnant")
        page = web.get("/dashboard").text
        assert "The sleep window was withdrawn" in page
        assert "stop the sleep window and ask your clinician" in page
        assert "Be in bed from" not in page
