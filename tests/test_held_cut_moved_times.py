"""A held cut that moves the dose times names the dose to stay on, at its own time (defect 6).

The plan: 1 mg at 22:00, then at the cut 0.5 mg at 08:00 and 0.375 mg at 20:00. While the
readiness check holds the cut and no clinician has answered, the patient is told to stay on
1 mg a day: today's view gives the 1 mg its own line at 22:00 ("stay on", ``stay_only``) and
the new step's lines are the question (``ask_first``); every door logs that 1 mg as told
(``stay_on_before`` kept), and the review compares a held day's total with the dose before
the cut, whatever the times: staying on it is not more than planned, more than it still is
(a new dose this morning and the dose to stay on tonight too, or 1.5 mg at once).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.readiness import held_days
from taperline.core.record import DoseRecord, PersonRecord, RecordStep
from taperline.core.review import escalation_targets, review
from taperline.errors import ConfirmationNeededError, NotFoundError
from taperline.service import open_store
from taperline.service.journal import DoseEntry, log_dose, stay_on_doses
from taperline.service.store import plan_decisions
from taperline.service.today import build_today, readiness_of
from tests.strategies import ReadinessCase, readiness_cases
from tests.support.held_cut import (
    ABOVE_PLAN,
    BEFORE,
    CUT,
    MOVED,
    above_plan,
    above_plan_cli,
    dose_taken,
    each_day,
    moved_record,
    moved_site,
    moved_store,
    night,
    plan_version,
    run_cli,
    took_at_eight,
)


def _at(day: date, clock: str, planned: str, mg: str) -> DoseRecord:
    """``mg`` taken at ``clock`` on ``day`` (the planned dose there: ``planned``)."""
    return dose_taken(day, planned, mg, clock)


def _shown(today: date, record: PersonRecord) -> list[tuple[str, str, bool, bool, str | None]]:
    """Each line of today: time, amount, ask first, stay only, the amount to stay on."""
    return [
        (
            line.planned.clock,
            str(line.planned.amount.mg),
            line.ask_first,
            line.stay_only,
            str(line.stay_on.amount.mg) if line.stay_on else None,
        )
        for line in build_today(record, today).doses
    ]


# --- today's view ------------------------------------------------------------------------


def test_today_offers_the_dose_before_the_cut_at_its_time_and_the_new_lines_ask_first() -> None:
    record = moved_record()
    assert _shown(CUT, record) == [
        ("08:00", "0.5", True, False, None),
        ("20:00", "0.375", True, False, None),
        ("22:00", "1", False, True, "1"),
    ]
    today = build_today(record, CUT)
    assert [line.planned.clock for line in today.stay_on_lines] == ["22:00"]
    assert today.readiness is not None
    assert "stay on 1 mg a day" in today.readiness.patient_message()
    # logged as told: the line is taken, matched by its time
    logged = moved_record(_at(CUT, "22:00", "1", "1"))
    (stay,) = build_today(logged, CUT).stay_on_lines
    assert stay.taken
    assert stay.logged is not None
    assert stay.logged.amount == Mass.of_mg(1)


def test_a_new_dose_taken_first_makes_the_dose_to_stay_on_one_too_many() -> None:
    """0.5 mg at 08:00 (the new plan's), then 1 mg at 22:00 would make 1.5 mg: the line says so."""
    record = moved_record(_at(CUT, "08:00", "0.5", "0.5"))
    (stay,) = build_today(record, CUT).stay_on_lines
    assert stay.taken_already == Mass.of_mg("0.5")
    assert stay.would_make == Mass.of_mg("1.5")
    # nothing taken yet, or only the dose to stay on: nothing to say
    (plain,) = build_today(moved_record(), CUT).stay_on_lines
    assert plain.taken_already is None


def test_the_old_time_goes_once_a_clinician_answers_or_the_cut_goes_ahead() -> None:
    answered = replace(
        moved_record(), plans=(plan_version(decided=CUT - timedelta(days=1), steps=MOVED),)
    )
    new_plan = [("08:00", "0.5", False, False, None), ("20:00", "0.375", False, False, None)]
    assert _shown(CUT, answered) == new_plan
    assert _shown(CUT + timedelta(days=2), answered) == new_plan
    week = tuple(CheckIn(d, None, mood=6, anxiety=3) for d in each_day(BEFORE, CUT))
    ready = moved_record(checkins=week)
    check = readiness_of(ready, CUT)
    assert check is not None
    assert check.verdict == "proceed"
    assert _shown(CUT, ready) == new_plan
    assert stay_on_doses(ready, CUT) == ()
    assert [d.clock for d in stay_on_doses(moved_record(), CUT)] == ["22:00"]


# --- the review: a held day's total against the dose before the cut ----------------------


@pytest.mark.parametrize("asked", [False, True], ids=["read-from-the-record", "as-logged"])
def test_a_held_day_is_compared_with_the_dose_before_as_a_day_total(asked: bool) -> None:
    """Stayed on 1 mg at 22:00; 1.5 mg at 22:00; 0.5 mg at 08:00 and 1 mg at 22:00."""

    def line(day: date, clock: str, planned: str, mg: str) -> DoseRecord:
        dose = _at(day, clock, planned, mg)
        return replace(dose, cut_checked=True, stay_on_before=CUT) if asked else dose

    one, two, three = CUT, CUT + timedelta(days=1), CUT + timedelta(days=2)
    doses = (
        line(one, "22:00", "1", "1"),
        line(two, "22:00", "1", "1.5"),
        line(three, "08:00", "0.5", "0.5"),
        line(three, "22:00", "1", "1"),
    )
    record = moved_record(*doses)
    spans = held_days(record, three, review(record, three), plan_decisions(record))
    assert [(s.first, s.last, s.cut) for s in spans] == [(one, three, CUT)]
    # more than the 1 mg a day before the cut: the day of 1.5 mg at once (also a large single
    # dose), and the day of 0.5 mg and 1 mg (a day total); staying on 1 mg is neither
    assert above_plan(record, three) == {"escalation": [two, three], "large_dose": [two]}


_CLOCKS = ("08:00", "20:00", "22:00")


def _hour(day: date, clock: str) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=int(clock[:2]))


@given(
    readiness_cases(st.integers(0, 6)),
    st.lists(
        st.lists(
            st.tuples(st.sampled_from(_CLOCKS), st.sampled_from(["0.125", "0.5", "1", "1.5"])),
            max_size=3,
            unique_by=lambda t: t[0],
        ),
        min_size=7,
        max_size=7,
    ),
)
def test_held_days_compare_day_totals_whatever_the_times(
    case: ReadinessCase, taken: list[list[tuple[str, str]]]
) -> None:
    """Any record near a cut that moves the dose times (the day's total is the cut's): each
    day from the cut is compared as a day total with the dose before the cut while held,
    the new step's after; today's view has the old time's line exactly while the cut is the
    question, and then each of the new step's lines asks first."""
    plan = case.record.plan
    assert plan is not None
    before, cut_step, *rest = plan.steps
    half = cut_step.daily.mg / 2
    moved = RecordStep(
        case.cut,
        tuple(replace(cut_step.doses[0], clock=c, amount=Mass.of_mg(half)) for c in _CLOCKS[:2]),
    )
    record = replace(case.record, plans=(replace(plan, steps=(before, moved, *rest)),))
    days = each_day(case.cut, case.today)
    lines = [
        DoseRecord(day, "clonazepam", c, None, _hour(day, c), Mass.of_mg(mg))
        for day, doses in zip(days, taken, strict=False)
        for c, mg in doses
    ]
    record = replace(record, doses=(*record.doses, *lines))
    decisions = (case.decision,) if case.decision is not None else ()
    spans = held_days(record, case.today, review(record, case.today), decisions)
    held = {s.first + timedelta(days=n) for s in spans for n in range((s.last - s.first).days + 1)}
    found = review(record, case.today, held_days=spans)
    escalated = {e.day for f in found.findings if f.kind == "escalation" for e in f.evidence}
    targets = dict(escalation_targets(record.plan or plan, case.today, spans))
    for day in days:
        total = sum((d.amount.mg for d in lines if d.day == day and d.amount), Decimal(0))
        expected = before.daily.mg if day in held else moved.daily.mg
        assert targets.get(day, targets[max(t for t in targets if t <= day)]).mg == expected
        assert (day in escalated) is (total > expected), (day, total, expected, spans)
    today = build_today(record, case.today)
    question = today.readiness is not None and today.readiness.is_question
    assert [line.planned.clock for line in today.stay_on_lines] == (["22:00"] if question else [])
    assert all(line.ask_first is question for line in today.doses if not line.stay_only)


# --- the service: log_dose ----------------------------------------------------------------


def test_log_dose_logs_the_dose_to_stay_on_as_told(tmp_path: Path) -> None:
    with moved_store(tmp_path) as (store, pid):
        by_time = log_dose(store, pid, DoseEntry(next_planned=True), now=night(CUT))
        record = by_time.record
        assert (record.planned_clock, record.planned_amount, record.amount) == (
            "22:00", Mass.of_mg(1), Mass.of_mg(1),
        )  # fmt: skip
        assert (record.cut_checked, record.stay_on_before) == (True, CUT)
        assert by_time.expected is not None
        assert by_time.expected.amount == Mass.of_mg(1)
        day = CUT + timedelta(days=1)
        stayed = DoseEntry(day=day, planned_clock="22:00", dose_before_cut=True)
        assert log_dose(store, pid, stayed, now=night(day)).record.amount == Mass.of_mg(1)
        assert above_plan(store.record(pid), day) == {}
        # 1.5 mg is more than the whole day before the cut: confirmed, it is found
        later = day + timedelta(days=1)
        more = DoseEntry(day=later, planned_clock="22:00", amount=Mass.of_mg("1.5"))
        with pytest.raises(ConfirmationNeededError, match="more than the 1 mg planned"):
            log_dose(store, pid, more, now=night(later))
        log_dose(store, pid, replace(more, confirmed=True), now=night(later))
        assert above_plan(store.record(pid), later) == {
            "escalation": [later],
            "large_dose": [later],
        }
        # not taken: the dose to stay on, missed, kept as asked
        last = later + timedelta(days=1)
        missed = DoseEntry(day=last, planned_clock="22:00", missed=True)
        line = log_dose(store, pid, missed, now=night(last)).record
        assert (line.planned_amount, line.amount, line.stay_on_before) == (
            Mass.of_mg(1), None, CUT,
        )  # fmt: skip


def test_a_new_dose_and_the_dose_to_stay_on_the_same_day_are_more_than_planned(
    tmp_path: Path,
) -> None:
    """0.5 mg at 08:00 (the new dose, its amount said), then 1 mg at 22:00: 1.5 mg that day is
    more than the 1 mg a day to stay on, so it is confirmed, and found (a day total)."""
    with moved_store(tmp_path) as (store, pid):
        morning = DoseEntry(day=CUT, planned_clock="08:00", amount=Mass.of_mg("0.5"))
        logged = log_dose(store, pid, morning, now=night(CUT, 8)).record
        assert (logged.cut_checked, logged.stay_on_before) == (True, CUT)
        tonight = DoseEntry(next_planned=True)
        with pytest.raises(ConfirmationNeededError, match=r"makes 1\.5 mg that day, more than"):
            log_dose(store, pid, tonight, now=night(CUT))
        assert len(store.doses(pid, CUT, CUT)) == 1
        log_dose(store, pid, replace(tonight, confirmed=True), now=night(CUT))
        assert above_plan(store.record(pid), CUT) == {"escalation": [CUT]}


def test_the_morning_check_in_asks_about_last_night_s_dose_to_stay_on(tmp_path: Path) -> None:
    """The quick check-in asks about the dose to stay on (not the new doses, a question) and
    logs it as told."""
    from taperline.service.quick import DoseAnswer, checkin_asks, confirm_doses

    with moved_store(tmp_path) as (store, pid):
        morning = CUT + timedelta(days=1)
        asks = checkin_asks(store.record(pid), morning)
        assert [(q.day, q.dose.clock, q.dose.amount) for q in asks.doses] == [
            (CUT, "22:00", Mass.of_mg(1))
        ]
        answer = DoseAnswer(CUT, "22:00", taken=True)
        (done,) = confirm_doses(store, pid, [answer], now=night(morning, 8))
        assert (done.record.amount, done.record.stay_on_before) == (Mass.of_mg(1), CUT)
        assert above_plan(store.record(pid), morning) == {}


def test_after_the_answer_the_old_time_is_no_dose_of_the_day(tmp_path: Path) -> None:
    with moved_store(tmp_path) as (store, pid):
        day = CUT + timedelta(days=1)
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=night(CUT, 9))
        assert [line.planned.clock for line in build_today(store.record(pid), day).doses] == [
            "08:00",
            "20:00",
        ]
        entry = DoseEntry(day=day, planned_clock="22:00", amount=Mass.of_mg(1))
        with pytest.raises(NotFoundError, match="no dose is planned at 22:00"):
            log_dose(store, pid, entry, now=night(day))
        assert stay_on_doses(store.record(pid), day) == ()


# --- the doors: the CLI, the dashboard's tap, the journal's form, POST /api/doses ---------


def test_the_cli_shows_and_logs_the_dose_to_stay_on(tmp_path: Path) -> None:
    with moved_store(tmp_path):
        pass
    url = f"sqlite:///{tmp_path}/t.db"
    status = run_cli(url, "status", "--format", "json", now="2027-12-15T21:55+00:00")
    assert status.exit_code == 0, status.stderr
    shown = [
        (d["time"], d["amount"], d["ask_clinician_first"], d["stay_on_amount"])
        for d in json.loads(status.stdout)["doses_today"]
    ]
    assert shown == [
        ("08:00", "0.5 mg", True, None),
        ("20:00", "0.375 mg", True, None),
        ("22:00", "1 mg", False, "1 mg"),
    ]
    logged = run_cli(url, "log-dose", now="2027-12-15T22:05+00:00")
    assert logged.exit_code == 0, logged.stderr
    assert "22:00 dose (Wed 15 Dec): clonazePAM 1 mg taken at 22:05." in logged.output
    assert "more than the planned" not in logged.stderr
    # the next day: 0.5 mg at 08:00 (the new dose), then the 1 mg tonight needs confirming
    morning = ("log-dose", "--planned", "08:00", "--amount", "0.5 mg")
    assert run_cli(url, *morning, now="2027-12-16T08:05+00:00").exit_code == 0
    refused = run_cli(url, "log-dose", now="2027-12-16T22:05+00:00")
    assert refused.exit_code == 2, refused.output
    assert "makes 1.5 mg that day, more than the 1 mg a day to stay on" in refused.stderr
    assert run_cli(url, "log-dose", "--confirm", now="2027-12-16T22:05+00:00").exit_code == 0
    lines = open_store(url).doses(1, None, None)
    assert [(d.day.day, d.planned_clock, d.amount, d.stay_on_before) for d in lines] == [
        (15, "22:00", Mass.of_mg(1), CUT),
        (16, "08:00", Mass.of_mg("0.5"), CUT),
        (16, "22:00", Mass.of_mg(1), CUT),
    ]
    assert above_plan_cli(url, "2027-12-16T22:30+00:00") == {"escalation": ["2027-12-16"]}


def test_the_dashboard_offers_the_dose_to_stay_on_and_its_tap_logs_it(tmp_path: Path) -> None:
    with moved_site(tmp_path) as (site, web, pid):
        page = web.get("/dashboard").text
        assert "Stay on this dose until your clinician decides:</strong> 1 mg at 22:00" in page
        assert 'value="stayed" class="button">Took 1 mg</button>' in page
        assert "take no dose at 08:00: stay on the dose before the cut, 1 mg at 22:00." in page
        taken = web.post(
            "/doses/taken", {"clock": "22:00", "status": "stayed"}, headers={"HX-Request": "true"}
        )
        assert taken.status_code == 200, taken.text
        assert "Taken at 22:05" in taken.text
        (line,) = site.services.store.doses(pid, None, None)
        assert (line.planned_clock, line.amount, line.stay_on_before) == (
            "22:00", Mass.of_mg(1), site.clock.today,
        )  # fmt: skip
        page = web.get("/dashboard").text
        assert "Taken at 22:05" in page
        assert "Took 1 mg" not in page
        kinds = {f["kind"] for f in web.get("/api/findings").json()["findings"]}
        assert not kinds & ABOVE_PLAN


def test_the_journal_form_and_the_api_log_the_dose_to_stay_on(tmp_path: Path) -> None:
    with moved_site(tmp_path) as (site, web, pid):
        day = site.clock.today.isoformat()
        assert '<option value="22:00"' in web.get("/journal").text
        form = {"date": day, "planned": "22:00", "status": "taken", "time": "22:00",
                "amount": "", "idem": "a" * 32}  # fmt: skip
        logged = web.post("/journal/doses", form)
        assert logged.status_code == 303, logged.text
        (line,) = site.services.store.doses(pid, None, None)
        assert (line.amount, line.stay_on_before) == (Mass.of_mg(1), site.clock.today)
        site.clock.advance(days=1)
        assert web.signin("ann@example.org").status_code == 303
        day = site.clock.today.isoformat()
        body = {"date": day, "planned_time": "22:00", "amount_mg": 1.5,
                "taken_at": f"{day}T22:00"}  # fmt: skip
        refused = web.client.post("/api/doses", json=body)
        assert refused.status_code == 422, refused.text
        assert "more than the 1 mg planned for the whole day" in refused.text
        stayed = web.client.post("/api/doses", json={**body, "amount_mg": 1})
        assert stayed.status_code == 201, stayed.text
        lines = site.services.store.doses(pid, None, None)
        assert [(d.amount, d.stay_on_before) for d in lines] == [
            (Mass.of_mg(1), site.clock.today - timedelta(days=1)),
            (Mass.of_mg(1), site.clock.today - timedelta(days=1)),
        ]
        kinds = {f["kind"] for f in web.get("/api/findings").json()["findings"]}
        assert not kinds & ABOVE_PLAN


def test_the_dashboard_does_not_offer_one_tap_over_the_dose_before_the_cut(
    tmp_path: Path,
) -> None:
    """The new 08:00 dose was taken: a one-tap 'Took 1 mg' would make 1.5 mg that day."""
    with moved_site(tmp_path) as (site, web, pid):
        took_at_eight(web, site.clock.today.isoformat(), 0.5)
        page = web.get("/dashboard").text
        assert "You have taken 0.5 mg today already.</strong> 1 mg more would make 1.5 mg" in page
        assert "Took 1 mg" not in page
        assert 'href="/journal#log-dose">Log what you took</a>' in page
        refused = web.post("/doses/taken", {"clock": "22:00", "status": "stayed"})
        assert refused.status_code == 422, refused.text
        assert len(site.services.store.doses(pid, None, None)) == 1
