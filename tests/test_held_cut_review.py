"""An adversarial review of "staying on the dose before a held cut" (issue 16, section 4).

Commits 89d94ed and bb117ff: while the readiness check holds a cut and no clinician has
answered, the patient is told to stay on the dose before it, and the review compares those
days (:func:`taperline.core.readiness.held_days`) with that dose. Each test here is one way
found to walk round that rule, or to harm or mislead the patient; those marked xfail are
defects left for a change larger than a fix in readiness, review or the journal service.
Defects 4 and 5 (a late check-in, deleted check-ins: held days read from the record as it is
now, not as the patient was asked) are fixed: each dose-log line keeps what was asked when it
was logged (tests/test_dose_asked.py). Defect 6 (a cut that moves the dose times left no
dose to stay on) is fixed: the dose before the cut is a line of its own at its old time,
logged as told on every door (tests/test_held_cut_moved_times.py).

The plan of the core tests (``plan_version``, tests/support/held_cut.py): 1 mg at 22:00 from
1 Dec, 0.875 mg from 15 Dec (the first cut), 0.75 mg from 29 Dec (the next cut), approved on
30 Nov (before either cut's window opens, so the approval answers neither); with no
check-ins the check holds both cuts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.record import (
    PersonRecord,
    PlanVersion,
    Profile,
)
from taperline.service import open_store
from taperline.service.today import build_today, readiness_of
from tests.support.held_cut import (
    ABOVE_PLAN,
    CUT,
    NEXT_CUT,
    a_plan_approved,
    above_plan,
    dose_taken,
    each_day,
    plan_version,
    run_cli,
    step,
)


def test_held_days_stay_excused_when_the_next_cut_comes_into_view() -> None:
    """Stayed on 1 mg as told from the cut to the clinician's answer, then 0.875 mg.

    Three days before the next cut, the days before the answer became 'more than your plan
    gives for the whole day' (urgent) and the next cut's check said Hold for them.
    """
    doses = [dose_taken(d, "1", "1") for d in each_day(date(2027, 12, 1), CUT - timedelta(days=1))]
    doses += [dose_taken(d, "0.875", "1") for d in (CUT, CUT + timedelta(days=1))]  # held, as told
    answered = CUT + timedelta(days=1)  # plan proceed on the 16th: from the 17th, 0.875 mg
    doses += [
        dose_taken(d, "0.875", "0.875") for d in each_day(answered + timedelta(days=1), NEXT_CUT)
    ]
    record = PersonRecord(
        Profile("UTC"), doses=tuple(doses), plans=(plan_version(decided=answered),)
    )
    window = NEXT_CUT - timedelta(days=3)
    assert above_plan(record, window - timedelta(days=1)) == {}  # the day before: clean
    assert above_plan(record, window) == {}
    ready = readiness_of(record, window)  # as status and the dashboard check it
    assert ready is not None
    assert ready.cut == NEXT_CUT
    assert next(s for s in ready.signals if s.kind == "escalation").level == "clear"


def test_an_unanswered_held_cut_stays_a_question_when_the_next_cut_comes_into_view() -> None:
    """Nobody answered the first cut; the patient stays on 1 mg, as told, for two weeks."""
    doses = [dose_taken(d, "1", "1") for d in each_day(date(2027, 12, 1), CUT - timedelta(days=1))]
    doses += [dose_taken(d, "0.875", "1") for d in each_day(CUT, NEXT_CUT - timedelta(days=4))]
    record = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(plan_version(),))
    window = NEXT_CUT - timedelta(days=3)
    before = build_today(record, window - timedelta(days=1))
    (line,) = before.doses
    assert line.ask_first  # the day before: still a question, 1 mg to stay on
    assert line.stay_on is not None
    today = build_today(record, window)
    (line,) = today.doses
    # still nobody's answer: the 0.875 mg is a question, 1 mg the dose to stay on
    assert line.ask_first
    assert line.stay_on is not None
    assert line.stay_on.amount == Mass.of_mg(1)
    assert above_plan(record, window) == {}


def test_a_held_cut_that_moves_the_dose_times_names_the_dose_to_stay_on() -> None:
    """1 mg at 22:00, then 0.5 mg at 08:00 and 0.375 mg at 20:00: the cut is held."""
    steps = (
        step(date(2027, 12, 1), ("22:00", "1")),
        step(CUT, ("08:00", "0.5"), ("20:00", "0.375")),
    )
    record = PersonRecord(Profile("UTC"), plans=(plan_version(steps=steps),))
    today = build_today(record, CUT)
    assert today.readiness is not None
    assert today.readiness.is_question
    assert "stay on 1 mg a day" in today.readiness.patient_message()
    stay = [d.stay_on for d in today.doses if d.stay_on is not None]
    assert [(d.clock, d.amount) for d in stay] == [("22:00", Mass.of_mg(1))]


def test_more_than_the_dose_before_on_a_held_day_is_still_more_than_planned() -> None:
    """Staying on is excused; taking more than the dose before the cut is not."""
    doses = [dose_taken(d, "1", "1") for d in each_day(date(2027, 12, 1), CUT - timedelta(days=1))]
    doses += [dose_taken(CUT, "0.875", "1.5"), dose_taken(CUT + timedelta(days=1), "0.875", "1")]
    record = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(plan_version(),))
    assert above_plan(record, CUT + timedelta(days=1)) == {
        "escalation": [CUT],
        "large_dose": [CUT],
    }


def test_a_red_flag_noted_after_a_proceed_makes_the_days_held_again() -> None:
    """A proceed in the window answers a Hold; a red flag after it asks again, from the cut.

    No check-ins in the week (Hold); the clinician proceeds two days before the cut.
    """
    doses = [dose_taken(d, "1", "1") for d in each_day(date(2027, 12, 1), CUT - timedelta(days=1))]
    doses += [dose_taken(d, "0.875", "1") for d in each_day(CUT, CUT + timedelta(days=2))]
    plan = plan_version(decided=CUT - timedelta(days=2))
    answered = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(plan,))
    today = CUT + timedelta(days=2)
    days = each_day(CUT, today)
    # the proceed answers the Hold: 1 mg from the cut day is more than planned
    assert above_plan(answered, today) == {"escalation": days, "large_dose": days}
    unanswered = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(plan_version(),))
    assert above_plan(unanswered, today) == {}  # nobody answered: held, as told
    flag = CheckIn(CUT - timedelta(days=1), None, mood=2, anxiety=8, events=frozenset({"fall"}))
    flagged = PersonRecord(Profile("UTC"), checkins=(flag,), doses=tuple(doses), plans=(plan,))
    assert above_plan(flagged, today) == {}  # the red flag after the proceed asks again


def _versions(*decided: date) -> tuple[PlanVersion, ...]:
    """The plan approved on 30 Nov, then a new version (same steps) decided on each day."""
    return tuple(
        plan_version(decided=d, version=2 + n) for n, d in enumerate((date(2027, 11, 30), *decided))
    )


def test_a_later_decision_does_not_excuse_the_days_after_the_answer() -> None:
    """Proceed on the 16th, 1 mg (above the plan) from the 17th, the plan decided again on 21st."""
    doses = [dose_taken(d, "1", "1") for d in each_day(date(2027, 12, 1), CUT - timedelta(days=1))]
    doses += [dose_taken(d, "0.875", "1") for d in each_day(CUT, CUT + timedelta(days=5))]
    answered, later = CUT + timedelta(days=1), CUT + timedelta(days=6)
    escalated = each_day(answered + timedelta(days=1), CUT + timedelta(days=5))
    once = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=_versions(answered))
    above = {"escalation": escalated, "large_dose": escalated}
    assert above_plan(once, later) == above
    again = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=_versions(answered, later))
    assert above_plan(again, later) == above


def test_holding_the_plan_after_the_answer_keeps_the_held_days_excused() -> None:
    """Held the 15th and 16th (1 mg, as told), proceed on the 16th, the plan held on the 20th."""
    doses = [dose_taken(d, "1", "1") for d in each_day(date(2027, 12, 1), CUT - timedelta(days=1))]
    doses += [dose_taken(d, "0.875", "1") for d in (CUT, CUT + timedelta(days=1))]
    held_on = CUT + timedelta(days=5)
    doses += [dose_taken(d, "0.875", "0.875") for d in each_day(CUT + timedelta(days=2), held_on)]
    answered = plan_version(decided=CUT + timedelta(days=1), version=3)
    assert (
        above_plan(
            PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(plan_version(), answered)),
            held_on,
        )
        == {}
    )
    at = datetime.combine(held_on, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    hold = replace(
        answered, version=4, status="held", decided_at=at, held_from=held_on, parent_version=3
    )
    plans = (plan_version(), answered, hold)
    assert above_plan(PersonRecord(Profile("UTC"), doses=tuple(doses), plans=plans), held_on) == {}


# --- the doors: the CLI, against a database file ---------------------------------------


def _planned(tmp_path: Path) -> str:
    """A plan of 1 mg from 4 Jan, 0.875 mg from 18 Jan (London), approved on 3 Jan."""
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    return url


def test_a_held_day_logged_after_the_answer_is_not_given_the_new_dose(tmp_path: Path) -> None:
    """The 19th was held (nobody had answered); its dose is logged on the 21st, after a proceed.

    On the 19th the patient was told to stay on 1 mg: logged later, its amount is still theirs
    to say (never the new 0.875 mg by default), and 1 mg is what was asked, not 'more than the
    planned 0.875 mg' to confirm.
    """
    url = _planned(tmp_path)
    proceed = ("plan", "proceed", "--by", "Dr Lee", "--reason", "seen today")
    assert run_cli(url, *proceed, now="2027-01-20T09:00+00:00").exit_code == 0
    late = "2027-01-21T09:00+00:00"
    backfill = ("log-dose", "--date", "2027-01-19", "--planned", "22:00", "--time", "22:05")
    assumed = run_cli(url, *backfill, now=late)
    assert assumed.exit_code == 2, assumed.output
    assert "new dose of a cut your clinician has not answered yet" in assumed.stderr
    assert open_store(url).doses(1, None, None) == []
    stayed = run_cli(url, *backfill, "--amount", "1 mg", now=late)
    assert stayed.exit_code == 0, stayed.stderr
    assert "more than the planned" not in stayed.stderr
    (line,) = open_store(url).doses(1, None, None)
    assert line.amount == Mass.of_mg(1)
    # the answer's day and after: the new dose is the plan's again
    today = run_cli(url, "log-dose", "--date", "2027-01-20", "--planned", "22:00", "--time",
                 "22:05", now=late)  # fmt: skip
    assert today.exit_code == 0, today.stderr
    assert open_store(url).doses(1, None, None)[-1].amount == Mass.of_mg("0.875")


def test_a_later_decision_does_not_reopen_a_day_after_the_answer(tmp_path: Path) -> None:
    """Proceed on the 20th, the plan decided again on the 23rd: the 21st was the new dose's.

    Logged on the 24th, the 21st's 1 mg is more than the planned 0.875 mg (the proceed had
    answered the cut), as the findings count it, not a held day's dose to stay on.
    """
    url = _planned(tmp_path)
    proceed = ("plan", "proceed", "--by", "Dr Lee", "--reason", "seen today")
    assert run_cli(url, *proceed, now="2027-01-20T09:00+00:00").exit_code == 0
    hold = ("plan", "hold", "--by", "Dr Lee", "--reason", "a pause")
    assert run_cli(url, *hold, now="2027-01-22T09:00+00:00").exit_code == 0
    resume = ("plan", "approve", "--by", "Dr Lee", "--reason", "go on")
    assert run_cli(url, *resume, now="2027-01-23T09:00+00:00").exit_code == 0, "resume"
    backfill = ("log-dose", "--date", "2027-01-21", "--planned", "22:00", "--time", "22:05")
    logged = run_cli(url, *backfill, "--amount", "1 mg", "--confirm", now="2027-01-24T09:00+00:00")
    assert logged.exit_code == 0, logged.stderr
    assert "more than the planned 0.875 mg" in logged.stderr


def _above_plan_cli(url: str, now: str) -> set[str]:
    import json

    result = run_cli(url, "findings", "--format", "json", now=now)
    assert result.exit_code == 0, result.stderr
    return {f["kind"] for f in json.loads(result.stdout)} & ABOVE_PLAN


_QUICK = ("--quick", "--slept", "6h30", "--quality", "3", "--mood", "6", "--anxiety", "4")


def test_a_late_check_in_does_not_turn_a_held_day_into_more_than_planned(tmp_path: Path) -> None:
    url = _planned(tmp_path)
    assert run_cli(url, "checkin", *_QUICK, now="2027-01-15T08:00+00:00").exit_code == 0
    status = run_cli(url, "status", now="2027-01-18T21:55+00:00")
    assert "stay on 1 mg" in status.output  # one check-in in the week: Hold, stay on 1 mg
    assert run_cli(url, "log-dose", "--amount", "1 mg", now="2027-01-18T22:05+00:00").exit_code == 0
    late = "2027-01-19T08:00+00:00"  # the cut day's own check-in, entered the next morning
    assert run_cli(url, "checkin", "--date", "2027-01-18", *_QUICK, now=late).exit_code == 0
    assert _above_plan_cli(url, late) == set()


def test_deleting_check_ins_does_not_hide_doses_above_a_proceeded_cut(tmp_path: Path) -> None:
    url = _planned(tmp_path)
    for day in range(12, 18):
        assert run_cli(url, "checkin", *_QUICK, now=f"2027-01-{day}T08:00+00:00").exit_code == 0
    status = run_cli(url, "status", now="2027-01-18T21:55+00:00")
    assert "Before the dose change: Proceed" in status.output
    for day in range(18, 21):
        now = f"2027-01-{day}T22:05+00:00"
        assert run_cli(url, "log-dose", "--amount", "1 mg", "--confirm", now=now).exit_code == 0
    later = "2027-01-21T08:00+00:00"
    assert _above_plan_cli(url, later) == ABOVE_PLAN
    for day in range(12, 18):
        assert (
            run_cli(url, "journal", "delete", f"2027-01-{day}", "--yes", now=later).exit_code == 0
        )
    assert _above_plan_cli(url, later) == ABOVE_PLAN
