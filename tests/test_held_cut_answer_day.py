"""The day a clinician answers a held cut, after a dose to stay on was taken that day.

The rule (core.readiness ``finishes_on_before``; design: never an increase on its own): on
the day a clinician lets a held cut go ahead, a person who has already taken a dose to stay
on that day (logged as taken, as told) finishes the day on the dose before the cut: the step
before's remaining doses of that day are doses to stay on, with their own times and amounts,
and the new step's start the next day. Without such a dose taken before the answer, the new
step applies from the answer (as before); a hold changes nothing here.

The plan: 0.5 mg at 08:00 and 0.5 mg at 22:00, then 0.75 mg at 22:00 from the cut (15 Dec,
UTC), approved on 30 Nov (before the window opened), no check-ins: the check holds the cut.
Each door is tried: today's view, ``log_dose`` (by day, by time, with a time), the CLI's
``log-dose`` and ``status`` (text and JSON), the dashboard and its tap, POST /api/doses, the
check-in's dose question, the calendar and the review.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, Profile, RecordStep
from taperline.errors import InputError, NotFoundError
from taperline.service import decide_plan, open_store
from taperline.service.journal import DoseEntry, log_dose, stay_on_doses
from taperline.service.today import build_today
from tests.support.held_cut import ANSWER_AFTER as _AFTER
from tests.support.held_cut import ANSWER_BEFORE as _BEFORE
from tests.support.held_cut import ANSWER_STEPS as _STEPS
from tests.support.held_cut import (
    CUT,
    above_plan,
    approved_store,
    plan_version,
    reminders_at_22,
    run_cli,
    site_with,
    step,
)

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from tests.support.web import Site, Web


def _at(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _store(
    tmp_path: Path, steps: tuple[RecordStep, ...] = _STEPS
) -> AbstractContextManager[tuple[Store, int, str]]:
    """A store (SQLite) whose person in UTC has the plan of ``steps``, approved on 30 Nov
    at 09:05; yields the store, person id and URL."""
    return approved_store(tmp_path, steps, approved=_at(date(2027, 11, 30), 9))


def _stayed_then_answered(store: Store, pid: int, day: date = CUT) -> None:
    """The 08:00 dose to stay on taken and logged as told; the clinician proceeds at 14:00."""
    stayed = DoseEntry(day=day, planned_clock="08:00", dose_before_cut=True)
    logged = log_dose(store, pid, stayed, now=_at(day, 8)).record
    assert (logged.amount, logged.stay_on_before) == (Mass.of_mg("0.5"), CUT)
    store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_at(day, 14))


def _lines(store: Store, pid: int, day: date) -> list[tuple[str, str, str, bool, bool]]:
    """Each line of ``day``: time, amount, status, ask first, stay only."""
    return [
        (line.planned.clock, str(line.planned.amount.mg), line.status, line.ask_first,
         line.stay_only)
        for line in build_today(store.record(pid), day).doses
    ]  # fmt: skip


# --- today's view (the dashboard's, the status's, the check-in's) -------------------------


@pytest.mark.parametrize("day", [CUT, CUT + timedelta(days=1)], ids=["cut-day", "day-after"])
def test_today_s_view_finishes_the_answer_s_day_on_the_dose_before(
    tmp_path: Path, day: date
) -> None:
    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid, day)
        today = build_today(store.record(pid), day)
        ready = today.readiness
        assert ready is not None
        assert ready.finishes_on_before
        assert ready.decision is not None
        assert not ready.is_question
        assert ready.new_dose_from == day + timedelta(days=1)
        assert _lines(store, pid, day) == [
            ("08:00", "0.5", "taken", False, True),
            ("22:00", "0.5", "due", False, True),
        ]
        words = ready.patient_message()
        assert "You had already taken a dose before the cut today" in words
        assert "finish today on the dose before the cut (1 mg a day)" in words
        assert "the new dose starts tomorrow" in words
        assert not re.search(r"\[[A-Z]", words)  # no source ids for the patient
        # the journal form's doses to stay on: the step before's, the new step's not the day's
        assert stay_on_doses(store.record(pid), day) == _STEPS[0].doses
        # the next day: the new step only
        assert _lines(store, pid, day + timedelta(days=1)) == [
            ("22:00", "0.75", "due", False, False)
        ]


def test_a_cut_at_the_same_times_finishes_on_the_dose_before_too(tmp_path: Path) -> None:
    """0.5 + 0.5 mg, then 0.375 + 0.375 mg at the same times: 'I stayed on 0.5 mg' at 08:00,
    then the answer: tonight is the 0.5 mg before the cut, logged by default as told."""
    steps = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("08:00", "0.375"), ("22:00", "0.375")))
    with _store(tmp_path, steps) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        assert _lines(store, pid, CUT) == [
            ("08:00", "0.5", "taken", False, True),
            ("22:00", "0.5", "due", False, True),
        ]
        done = log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22)).record
        assert (done.planned_clock, done.amount, done.stay_on_before) == (
            "22:00", Mass.of_mg("0.5"), CUT,
        )  # fmt: skip
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {}


# --- log_dose: by time, by day, with a time; the API's planned amount ----------------------


@pytest.mark.parametrize(
    "entry",
    [
        DoseEntry(next_planned=True),
        DoseEntry(day=CUT, next_planned=True),
        DoseEntry(day=CUT, planned_clock="22:00"),
        DoseEntry(day=CUT, planned_clock="22:00", dose_before_cut=True),
        DoseEntry(day=CUT, planned_clock="22:00", taken_at=datetime(2027, 12, 15, 22, 0)),  # noqa: DTZ001 -- wall clock
    ],
    ids=["next-by-time", "next-by-day", "by-clock", "stayed-tap", "with-time"],
)
def test_log_dose_takes_the_dose_before_the_cut_tonight(tmp_path: Path, entry: DoseEntry) -> None:
    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        done = log_dose(store, pid, entry, now=_at(CUT, 22))
        assert (done.record.planned_clock, done.record.amount, done.record.planned_amount) == (
            "22:00", Mass.of_mg("0.5"), Mass.of_mg("0.5"),
        )  # fmt: skip
        assert (done.record.cut_checked, done.record.stay_on_before) == (True, CUT)
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {}


def test_log_dose_after_midnight_by_time_is_the_answer_s_day_s_dose_before(
    tmp_path: Path,
) -> None:
    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        done = log_dose(
            store, pid, DoseEntry(next_planned=True), now=_at(CUT + timedelta(days=1), 0)
        )
        assert (done.record.day, done.record.amount, done.record.stay_on_before) == (
            CUT, Mass.of_mg("0.5"), CUT,
        )  # fmt: skip


def test_the_new_dose_s_amount_is_not_the_planned_one_on_the_finished_day(tmp_path: Path) -> None:
    """POST /api/doses saying the planned amount is the new 0.75 mg: refused, naming 0.5 mg."""
    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        entry = DoseEntry(day=CUT, planned_clock="22:00", planned_amount=Mass.of_mg("0.75"))
        with pytest.raises(InputError, match=r"0\.5 mg, not 0\.75 mg"):
            log_dose(store, pid, entry, now=_at(CUT, 22))
        assert len(store.doses(pid, CUT, CUT)) == 1


def test_a_new_only_time_is_no_dose_of_the_finished_day(tmp_path: Path) -> None:
    """1 mg at 22:00 before; 0.25 mg at 08:00 and 0.5 mg at 20:00 after, and 0.5 mg at 22:00
    is the new step's too: its 20:00 dose starts tomorrow, not tonight."""
    steps = (
        step(date(2027, 12, 1), ("08:00", "0.25"), ("22:00", "0.75")),
        step(CUT, ("20:00", "0.5"), ("22:00", "0.375")),
    )
    with _store(tmp_path, steps) as (store, pid, _url):
        stayed = DoseEntry(day=CUT, planned_clock="08:00", dose_before_cut=True)
        log_dose(store, pid, stayed, now=_at(CUT, 8))
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_at(CUT, 14))
        assert [c for c, *_ in _lines(store, pid, CUT)] == ["08:00", "22:00"]
        with pytest.raises(NotFoundError, match="the new dose starts the next day"):
            log_dose(store, pid, DoseEntry(day=CUT, planned_clock="20:00"), now=_at(CUT, 20))
        done = log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22)).record
        assert (done.planned_clock, done.amount) == ("22:00", Mass.of_mg("0.75"))


# --- the CLI: log-dose, status (text and JSON) ---------------------------------------------


def test_the_cli_logs_and_tells_the_dose_before_the_cut_tonight(tmp_path: Path) -> None:
    with _store(tmp_path) as (store, pid, url):
        _stayed_then_answered(store, pid)
    status = run_cli(url, "status", now="2027-12-15T21:55+00:00")
    assert status.exit_code == 0, status.stderr
    assert "clonazePAM 0.75 mg" not in status.output  # no line of the new dose today
    assert (
        "  22:00  clonazePAM 0.5 mg  [the dose before the cut: finish today on it]\n"
        "         your clinician has answered; the new dose starts tomorrow, as you have taken a"
        " dose before the cut today:\n         taperline log-dose --planned 22:00\n"
    ) in status.output
    assert "the new dose starts tomorrow" in status.output
    document = json.loads(run_cli(url, "status", "--format", "json",
                                  now="2027-12-15T21:55+00:00").stdout)  # fmt: skip
    assert [(d["time"], d["amount"], d["stay_only"], d["ask_clinician_first"])
            for d in document["doses_today"]] == [
        ("08:00", "0.5 mg", True, False),
        ("22:00", "0.5 mg", True, False),
    ]  # fmt: skip
    assert "the new dose starts tomorrow" in document["readiness"]["patient_message"]
    logged = run_cli(url, "log-dose", now="2027-12-15T22:05+00:00")
    assert logged.exit_code == 0, logged.stderr
    timed = run_cli(url, "log-dose", "--date", "today", "--time", "22:00",
                    now="2027-12-15T22:10+00:00")  # fmt: skip
    assert timed.exit_code != 0  # the 22:00 dose is logged already: not twice
    (night,) = [d for d in open_store(url).doses(1, CUT, CUT) if d.planned_clock == "22:00"]
    assert (night.amount, night.stay_on_before) == (Mass.of_mg("0.5"), CUT)
    assert above_plan(open_store(url).record(1), CUT + timedelta(days=1)) == {}


# --- the web: the dashboard, its tap, POST /api/doses --------------------------------------


@contextmanager
def _site(tmp_path: Path) -> Iterator[tuple[Site, Web, int]]:
    """The plan's shape on the site's day (London, GMT in March): the patient signed in at
    noon on the cut day, the 08:00 dose to stay on logged by POST /api/doses, then the
    clinician proceeds; the clock then at 22:05."""
    with site_with(tmp_path, _BEFORE, _AFTER, advance=timedelta(0)) as (site, web, pid):
        cut = site.clock.today
        body = {"date": cut.isoformat(), "planned_time": "08:00", "taken_at": f"{cut}T08:00",
                "amount_mg": 0.5}  # fmt: skip
        response = web.client.post("/api/doses", json=body)
        assert response.status_code == 201, response.text
        site.services.store.decide(pid, "proceed", by="Dr Test", reason="seen", at=site.clock.now)
        site.clock.advance(hours=10, minutes=5)
        assert web.signin("ann@example.org").status_code == 303  # the session of noon is over
        yield site, web, pid


def test_the_dashboard_offers_the_dose_before_the_cut_tonight(tmp_path: Path) -> None:
    with _site(tmp_path) as (site, web, pid):
        page = web.get("/dashboard").text
        assert "Finish today on the dose before the cut:" in page
        assert "the new dose starts tomorrow, because you had already taken a dose" in page
        assert "Took 0.5 mg" in page
        assert "0.75 mg</span>" not in page  # no line of the new dose today
        assert "new step (0.75 mg a day) starts for you tomorrow" in page
        assert not re.search(r"\[[A-Z][A-Z-]+[0-9]*\]", page)  # no source ids
        tap = web.post("/doses/taken", {"clock": "22:00", "status": "stayed"})
        assert tap.status_code in {200, 303}, tap.text
        night = [
            d for d in site.services.store.doses(pid, None, None) if d.planned_clock == "22:00"
        ]
        assert [(d.amount, d.stay_on_before) for d in night] == [
            (Mass.of_mg("0.5"), site.clock.today)
        ]


def test_post_api_doses_tonight_is_the_dose_before_the_cut(tmp_path: Path) -> None:
    with _site(tmp_path) as (site, web, pid):
        day = site.clock.today.isoformat()
        body: dict[str, object] = {"date": day, "planned_time": "22:00", "taken_at": f"{day}T22:00"}
        new = {**body, "planned_amount_mg": 0.75, "amount_mg": 0.75}
        refused = web.client.post("/api/doses", json=new)
        assert refused.status_code == 422, refused.text
        assert "0.5 mg, not 0.75 mg" in refused.text
        # the new amount said as taken: 1.25 mg that day, more than the dose before the cut
        more = web.client.post("/api/doses", json={**body, "amount_mg": 0.75})
        assert more.status_code == 422, more.text
        body["amount_mg"] = 0.5
        done = web.client.post("/api/doses", json=body)
        assert done.status_code == 201, done.text
        night = [
            d for d in site.services.store.doses(pid, None, None) if d.planned_clock == "22:00"
        ]
        assert [d.amount for d in night] == [Mass.of_mg("0.5")]
        record = site.services.store.record(pid)
        assert above_plan(record, site.clock.today + timedelta(days=1)) == {}


# --- the check-in's dose question -----------------------------------------------------------


def test_the_morning_check_in_asks_about_the_dose_before_the_cut(tmp_path: Path) -> None:
    from taperline.service.quick import DoseAnswer, checkin_asks, confirm_doses

    morning = CUT + timedelta(days=1)
    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        asks = checkin_asks(store.record(pid), morning)
        assert [(q.day, q.dose.clock, q.dose.amount) for q in asks.doses] == [
            (CUT, "22:00", Mass.of_mg("0.5"))
        ]
        (done,) = confirm_doses(store, pid, [DoseAnswer(CUT, "22:00", taken=True)],
                                now=_at(morning, 8))  # fmt: skip
        assert (done.record.amount, done.record.stay_on_before) == (Mass.of_mg("0.5"), CUT)
        assert above_plan(store.record(pid), morning) == {}


# --- the calendar ---------------------------------------------------------------------------


def test_the_calendar_keeps_the_dose_before_the_cut_to_the_end_of_the_answer_s_day(
    tmp_path: Path,
) -> None:
    from taperline.adapters.ics import calendar_feed
    from taperline.service.today import readiness_of

    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        record = store.record(pid)
    plan = record.plan
    assert plan is not None
    ready = readiness_of(record, CUT)
    assert ready is not None
    feed = calendar_feed(plan, record.profile, generated_at=_at(CUT, 15), readiness=ready).data
    assert reminders_at_22(feed, CUT) == ["clonazePAM 0.5 mg"]
    assert reminders_at_22(feed, CUT + timedelta(days=1)) == ["clonazePAM 0.75 mg"]
    assert b"this dose starts on Thu 16 Dec 2027" in feed.replace(b"\r\n ", b"")
    # no dose to stay on taken before the answer: the plan's days, as before
    plain = calendar_feed(plan, record.profile, generated_at=_at(CUT, 15)).data
    assert reminders_at_22(plain, CUT) == ["clonazePAM 0.75 mg"]


# --- the review -----------------------------------------------------------------------------


def test_the_review_does_not_flag_the_answer_s_day_finished_on_the_dose_before(
    tmp_path: Path,
) -> None:
    from taperline.core.readiness import held_days
    from taperline.service.store import plan_decisions, review_as_of

    with _store(tmp_path) as (store, pid, _url):
        _stayed_then_answered(store, pid)
        log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22))
        nxt = CUT + timedelta(days=1)
        log_dose(store, pid, DoseEntry(next_planned=True), now=_at(nxt, 22))
        record = store.record(pid)
    day_after = nxt + timedelta(days=1)
    spans = held_days(record, day_after, review_as_of(record, day_after), plan_decisions(record))
    assert [(s.first, s.last, s.cut) for s in spans] == [(CUT, CUT, CUT)]
    assert above_plan(record, day_after) == {}
    assert sum((d.amount.mg for d in record.doses if d.day == CUT and d.amount), 0) == 1
    assert [d.amount for d in record.doses if d.day == nxt] == [Mass.of_mg("0.75")]


# --- unchanged: nothing to stay on taken before the answer; a hold --------------------------


def test_without_a_dose_to_stay_on_taken_the_new_step_applies_from_the_answer(
    tmp_path: Path,
) -> None:
    with _store(tmp_path) as (store, pid, _url):
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_at(CUT, 14))
        today = build_today(store.record(pid), CUT)
        assert today.readiness is not None
        assert not today.readiness.finishes_on_before
        assert "starts tomorrow" not in today.readiness.patient_message()
        # the 08:00 dose to stay on until the answer is still shown, to log if it was taken
        # then (tests/test_held_cut_answer_late_log.py); the new step's dose tonight
        assert _lines(store, pid, CUT) == [
            ("08:00", "0.5", "due", False, True),
            ("22:00", "0.75", "due", False, False),
        ]
        # not taken (said first: tonight's dose waits for it), the new step tonight
        missed = DoseEntry(day=CUT, planned_clock="08:00", missed=True)
        log_dose(store, pid, missed, now=_at(CUT, 21))
        done = log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22)).record
        assert (done.amount, done.stay_on_before) == (Mass.of_mg("0.75"), None)


def test_a_missed_dose_to_stay_on_or_a_dose_no_cut_changed_does_not_finish_the_day(
    tmp_path: Path,
) -> None:
    """Logged as not taken, the 08:00 dose to stay on is no dose taken; a dose both steps have
    (0.5 mg at 08:00, then 0.5 mg at 08:00 and 0.25 mg at 22:00) is no dose to stay on."""
    with _store(tmp_path) as (store, pid, _url):
        missed = DoseEntry(day=CUT, planned_clock="08:00", missed=True)
        log_dose(store, pid, missed, now=_at(CUT, 9))
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_at(CUT, 14))
        assert ("22:00", "0.75", "due", False, False) in _lines(store, pid, CUT)
    steps = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("08:00", "0.5"), ("22:00", "0.25")))
    with _store(tmp_path / "same", steps) as (store, pid, _url):
        log_dose(store, pid, DoseEntry(day=CUT, planned_clock="08:00"), now=_at(CUT, 8))
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_at(CUT, 14))
        assert _lines(store, pid, CUT) == [
            ("08:00", "0.5", "taken", False, False),
            ("22:00", "0.25", "due", False, False),
        ]


#: What a hold at 14:00 gives that day: the dose before the cut, the rest of the day too.
_HELD_LINES = [("08:00", "0.5", "taken", False, False), ("22:00", "0.5", "due", False, False)]


def test_a_hold_on_the_answer_s_day_keeps_the_dose_before_the_cut(tmp_path: Path) -> None:
    """The clinician holds the plan at 14:00 instead, as every door holds it
    (service.decide_plan): while the cut is a question a hold keeps the dose of the day
    before the cut, so the day needs no rule of its own (a held plan has no cut in view).
    (The storage's own ``decide`` keeps the dose of the day it is given; no door calls it
    for a hold.)"""
    with _store(tmp_path) as (store, pid, _url):
        stayed = DoseEntry(day=CUT, planned_clock="08:00", dose_before_cut=True)
        log_dose(store, pid, stayed, now=_at(CUT, 8))
        held = decide_plan(store, pid, "hold", by="Dr Lee", reason="wait", now=_at(CUT, 14))
        assert held.held_from == CUT - timedelta(days=1)
        today = build_today(store.record(pid), CUT)
        assert today.readiness is None
        assert _lines(store, pid, CUT) == _HELD_LINES


# --- every shape of cut: never more than the dose before the cut that day ------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(_BEFORE, _AFTER, id="two-to-one"),
        pytest.param(_BEFORE, (("08:00", "0.375"), ("22:00", "0.375")), id="same-times"),
        pytest.param(
            (("08:00", "0.5"), ("20:00", "0.5")),
            (("08:00", "0.5"), ("22:00", "0.25")),
            id="one-of-two-moved",
        ),
        pytest.param(
            (("08:00", "0.25"), ("22:00", "0.75")),
            (("14:00", "0.25"), ("22:00", "0.5")),
            id="moved-and-changed",
        ),
        pytest.param(
            (("08:00", "0.5"), ("14:00", "0.25"), ("22:00", "0.5")),
            (("22:00", "1"),),
            id="three-to-one",
        ),
    ],
)
def test_the_answer_s_day_never_offers_more_than_the_dose_before_the_cut(
    before: tuple[tuple[str, str], ...], after: tuple[tuple[str, str], ...]
) -> None:
    """The first dose to stay on the held day shows is taken as told; the clinician answers
    that day: what the day has taken and what it still offers make the dose before the cut,
    every line of the rest of the day is one to stay on, and the journal form's doses to
    stay on are the ones shown (the same lines on every door)."""
    steps = (step(date(2027, 12, 1), *before), step(CUT, *after))
    held = PersonRecord(Profile("UTC"), plans=(plan_version(steps=steps),))
    first = next(line for line in build_today(held, CUT).doses if line.stay_on is not None)
    stay = first.stay_on
    assert stay is not None
    at = datetime.combine(CUT, time.fromisoformat(stay.clock))  # the wall clock, as logged
    taken = DoseRecord(CUT, stay.drug, stay.clock, first.planned.amount, at, stay.amount,
                       cut_checked=True, stay_on_before=CUT)  # fmt: skip
    answered = replace(held, doses=(taken,), plans=(plan_version(decided=CUT, steps=steps),))
    today = build_today(answered, CUT)
    assert today.readiness is not None
    assert today.readiness.finishes_on_before
    offered = sum(
        (line.logged.amount.mg if line.logged and line.logged.amount else line.planned.amount.mg)
        for line in today.doses
    )
    assert offered == steps[0].daily.mg  # the dose before the cut, no more, no less
    assert not any(line.ask_first for line in today.doses)
    assert all(line.stay_only or line.planned in steps[1].doses for line in today.doses)
    shown = [line.planned for line in today.doses if line.stay_only]
    assert shown == list(stay_on_doses(answered, CUT))
    tomorrow = build_today(answered, CUT + timedelta(days=1))
    assert [line.planned for line in tomorrow.doses] == list(steps[1].doses)
