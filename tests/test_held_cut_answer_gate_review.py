"""Second review of the held-cut answer commits (d835368, d97207f, 6804c1d, 49eed8e).

What the new refusals and rules break or let through: the gate that makes the day's other
doses wait for a dose to stay on until the answer (``journal._wait_for_stays``), the doses
decided before a moment (``journal._decided_before``), and a hold that keeps the dose before
the cut while such a dose is unsaid (``plans._stay_unsaid``). The first review is
tests/test_held_cut_answer_late_log_review.py; nothing here repeats it.

The plan (as there): 0.5 mg at 08:00 and 0.5 mg at 22:00, then 0.75 mg at 22:00 from the cut
(15 Dec), approved on 30 Nov, no check-ins: the check holds the cut. The patient takes the
08:00 0.5 mg as told and does not log it; the clinician answers later that day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord
from taperline.errors import ConfirmationNeededError, InputError
from taperline.service.journal import DoseEntry, log_dose, stays_until_answer
from taperline.service.today import build_today
from tests.support.held_cut import ANSWER_AFTER as _AFTER
from tests.support.held_cut import ANSWER_BEFORE as _BEFORE
from tests.support.held_cut import ANSWER_STEPS as _STEPS
from tests.support.held_cut import CUT, above_plan, answered_store, approved_store, run_cli, step
from tests.support.held_cut import local_moment as _local
from tests.support.held_cut import wall as _wall

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from tests.support.web import Site

#: A cut the rules engine takes (no single dose raised): the 08:00 dose dropped.
_DROP = (
    step(date(2027, 12, 1), ("08:00", "0.25"), ("22:00", "0.75")),
    step(CUT, ("22:00", "0.75")),
    step(CUT + timedelta(days=14), ("22:00", "0.625")),
)
_HALF = Mass.of_mg("0.5")
_NEW = Mass.of_mg("0.75")
#: The gate's refusal: tonight waits for the 08:00 dose to stay on.
_WAITS = r"^planned: first say whether you took the 08:00"


def _utc(hour: int, minute: int = 0, day: date = CUT) -> datetime:
    return _local("UTC", day, hour, minute)


_answered = answered_store


def _lines(store: Store, pid: int, day: date = CUT) -> list[tuple[str, str, str]]:
    return [
        (line.planned.clock, str(line.planned.amount.mg), line.status)
        for line in build_today(store.record(pid), day).doses
    ]


# --- the check-in the next morning ----------------------------------------------------------


def test_every_dose_the_check_in_asks_can_be_answered_taken(tmp_path: Path) -> None:
    """The next morning, while the answer's day's 08:00 dose to stay on is unsaid, the
    check-in asks neither it nor the 22:00 dose that waits for it (it asked the 22:00 dose,
    and 'taken' was refused after the check-in was saved); once the 08:00 dose is said, the
    22:00 dose is asked, and taken is logged."""
    from taperline.service.quick import DoseAnswer, checkin_asks, confirm_doses

    morning = CUT + timedelta(days=1)
    with _answered(tmp_path) as (store, pid, _url):
        assert checkin_asks(store.record(pid), morning).doses == ()
        missed = DoseEntry(day=CUT, planned_clock="08:00", missed=True)
        log_dose(store, pid, missed, now=_utc(8, 20, morning))
        asks = checkin_asks(store.record(pid), morning)
        assert [(q.day, q.dose.clock, q.dose.amount) for q in asks.doses] == [(CUT, "22:00", _NEW)]
        answers = [DoseAnswer(q.day, q.dose.clock, taken=True) for q in asks.doses]
        (done,) = confirm_doses(store, pid, answers, now=_utc(8, 30, morning))
        assert done.record.amount == _NEW


def test_the_web_check_in_with_the_waiting_dose_answered(tmp_path: Path) -> None:
    from tests.support.held_cut import site_with
    from tests.support.web import hidden_fields

    def store_has_checkin(site: Site, pid: int) -> bool:
        return bool(site.services.store.record(pid).checkins)

    with site_with(tmp_path, _BEFORE, _AFTER, advance=timedelta(0)) as (site, web, pid):
        site.clock.advance(hours=2)
        site.services.store.decide(pid, "proceed", by="Dr Test", reason="seen", at=site.clock.now)
        cut = site.clock.today
        site.clock.advance(hours=20)  # 08:00 the next morning
        assert web.signin("ann@example.org").status_code == 303
        page = web.get("/checkin").text
        field = f"dose:{cut.isoformat()}:22:00"
        assert f'name="{field}"' not in page  # it waits for the 08:00 dose: not asked
        fields = {**hidden_fields(page, '<form method="post" action="/checkin"'),
                  "date": site.clock.today.isoformat(), "mode": "new", "kind": "quick",
                  "asleep_min": "390", "quality": "3", "mood": "6", "anxiety": "4"}  # fmt: skip
        # an answer sent anyway (a page from before) is refused before anything is saved
        anyway = web.post("/checkin", {**fields, field: "taken"})
        assert anyway.status_code == 422
        assert not store_has_checkin(site, pid)
        sent = web.post("/checkin", fields)
        assert store_has_checkin(site, pid)
        assert sent.status_code == 303, sent.text[sent.text.find('role="alert"') :][:600]


# --- idempotent retries, imports, people with no plan ----------------------------------------


def test_a_retry_of_a_line_logged_before_the_answer_is_not_refused(tmp_path: Path) -> None:
    """The 22:00 dose logged at 22:05 while the cut was held (the answer comes at 23:00, so
    the 08:00 dose is one to stay on until then); a retry of the same send after the answer
    returns the stored line: the key is looked up before the gate."""
    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        stayed = DoseEntry(day=CUT, planned_clock="22:00", dose_before_cut=True)
        first = log_dose(store, pid, stayed, now=_utc(22, 5), idempotency_key="k1")
        assert first.saved.created
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_utc(23))
        assert [d.clock for d, _at in stays_until_answer(store.record(pid), CUT)] == ["08:00"]
        again = log_dose(store, pid, stayed, now=_utc(23, 10), idempotency_key="k1")
        assert not again.saved.created
        assert [d.planned_clock for d in store.doses(pid, None, None)] == ["22:00"]


def test_an_imported_22_00_line_is_not_gated_and_a_late_08_00_is_found(tmp_path: Path) -> None:
    """Imports store lines as given (no gate): the 22:00 0.75 mg imported while the 08:00
    dose is unsaid; the 08:00 dose then logged with its time asks to be confirmed (1.25 mg
    that day) and, confirmed, is shown to the clinician, as an extra dose would be."""
    from taperline.service.exchange import import_doses

    with _answered(tmp_path) as (store, pid, _url):
        line = DoseRecord(CUT, "clonazepam", "22:00", _NEW, _wall(22), _NEW)
        import_doses(store, pid, [line], now=_utc(23), skip=False)
        morning = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        with pytest.raises(ConfirmationNeededError):
            log_dose(store, pid, morning, now=_utc(23, 5))
        log_dose(store, pid, replace(morning, confirmed=True), now=_utc(23, 5))
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {"escalation": [CUT]}


def test_a_person_with_no_plan_logs_as_before(tmp_path: Path) -> None:
    from taperline.core.record import Profile
    from taperline.service import open_store

    store = open_store(f"sqlite:///{tmp_path}/t.db")
    pid = store.create_person(Profile("UTC"), at=_utc(9, 0, date(2027, 11, 28)))
    extra = DoseEntry(taken_at=_wall(22), amount=_HALF, drug="clonazepam")
    assert log_dose(store, pid, extra, now=_utc(22, 5)).record.amount == _HALF


# --- ordinary days with a decision made that day ---------------------------------------------


def test_an_adjust_days_after_an_answered_cut_adds_no_line_and_no_gate(tmp_path: Path) -> None:
    """The cut answered on 15 Dec; on 18 Dec at 10:00 the clinician postpones the coming steps
    (decide_plan 'adjust'): nothing is a dose to stay on that day, tonight is logged at once."""
    from taperline.service import decide_plan

    with _answered(tmp_path, steps=_DROP) as (store, pid, _url):
        day = CUT + timedelta(days=3)
        decide_plan(store, pid, "adjust", by="Dr Lee", reason="later", now=_utc(10, 0, day),
                    delay_days=7)  # fmt: skip
        assert stays_until_answer(store.record(pid), day) == ()
        assert _lines(store, pid, day) == [("22:00", "0.75", "due")]
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22, 0, day))
        assert night.record.amount == _NEW


def test_a_plan_first_approved_on_its_cut_day_is_no_answer(tmp_path: Path) -> None:
    """A plan approved for the first time at 14:05 on the day of its cut (no version was in
    force that morning): no check held anything before, so nothing waits; tonight is the
    plan's 0.75 mg, logged at once."""
    with approved_store(tmp_path, _STEPS, approved=_utc(14, 5)) as (store, pid, _url):
        assert stays_until_answer(store.record(pid), CUT) == ()
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22))
        assert night.record.planned_clock == "22:00"


def test_an_approval_the_day_before_the_cut_adds_nothing_on_the_cut_day(tmp_path: Path) -> None:
    """The answer given the day before the cut (14 Dec): the cut day's 08:00 dose of the step
    before is no dose to stay on, and tonight is logged at once."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        day = CUT - timedelta(days=1)
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="go", now=_utc(14, 5, day))
        assert stays_until_answer(store.record(pid), CUT) == ()
        assert _lines(store, pid) == [("22:00", "0.75", "due")]
        assert log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22)).record.amount == (
            _NEW
        )


# --- what the gate lets through and refuses -------------------------------------------------


def test_a_dose_to_stay_on_far_from_the_plan_is_confirmed_then_opens_the_gate(
    tmp_path: Path,
) -> None:
    """2 mg at 08:00 (more than the whole day's plan), logged after the answer with its time:
    asked to be confirmed, then logged as the dose to stay on; the gate opens and tonight's
    dose (the dose before the cut) asks to be confirmed as more than the day's dose."""
    with _answered(tmp_path) as (store, pid, _url):
        entry = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8), amount=Mass.of_mg(2))
        with pytest.raises(ConfirmationNeededError):
            log_dose(store, pid, entry, now=_utc(15))
        done = log_dose(store, pid, replace(entry, confirmed=True), now=_utc(15)).record
        assert done.stay_on_before == CUT
        with pytest.raises(ConfirmationNeededError):
            log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22))
        night = log_dose(store, pid, DoseEntry(next_planned=True, confirmed=True), now=_utc(22))
        assert night.record.amount == _HALF


def test_the_gate_s_words_are_the_person_s_own_clock(tmp_path: Path) -> None:
    """Los Angeles: answered at 14:05 local (22:05 UTC); the refusal tonight says 14:05 and
    the 08:00 dose, no source ids, and what to do."""
    zone = "America/Los_Angeles"
    with _answered(tmp_path, zone=zone) as (store, pid, _url):
        with pytest.raises(InputError) as refused:
            log_dose(store, pid, DoseEntry(next_planned=True), now=_local(zone, CUT, 22))
        words = str(refused.value)
        assert "answered at 14:05" in words
        assert "08:00 dose of 0.5 mg" in words
        assert "[" not in words


def test_stayed_on_tonight_after_the_answer_waits_too(tmp_path: Path) -> None:
    """'I stayed on 0.5 mg' at 22:00 after the answer, with the 08:00 dose unsaid: refused
    like any other tonight's dose, saying to answer the 08:00 dose first (logged at once, it
    would be the new step's dose on the dose log as 0.5 mg with nothing to say why)."""
    with _answered(tmp_path) as (store, pid, _url):
        stayed = DoseEntry(day=CUT, planned_clock="22:00", dose_before_cut=True)
        with pytest.raises(InputError, match=_WAITS):
            log_dose(store, pid, stayed, now=_utc(22))


def test_the_cli_status_says_what_to_do_first_in_plain_words(tmp_path: Path) -> None:
    with _answered(tmp_path) as (_store, _pid, url):
        status = run_cli(url, "status", now="2027-12-15T21:00+00:00")
        assert status.exit_code == 0, status.stderr
        assert "until your clinician answered at 14:05" in status.stdout
        assert "[first say whether you took the 08:00 dose]" in status.stdout
        assert "CUT" not in status.stdout


# --- the hold while a dose to stay on is unsaid ---------------------------------------------


def test_a_hold_while_unsaid_then_not_taken_keeps_the_dose_before_the_cut(tmp_path: Path) -> None:
    """A go-ahead at 12:00 and a hold at 14:05 with the 08:00 dose unsaid: the hold keeps the
    dose before the cut (0.5 + 0.5 mg). The 08:00 dose then said not taken: the day was on the
    new step (the go-ahead applied), yet the held plan stays on the dose before the cut from
    the next day on. Pinned as what happens: the hold cannot wait for the answer."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="go", now=_utc(12))
        decide_plan(store, pid, "hold", by="Dr Lee", reason="wait", now=_utc(14, 5))
        missed = DoseEntry(day=CUT, planned_clock="08:00", missed=True)
        log_dose(store, pid, missed, now=_utc(15))
        assert _lines(store, pid, CUT + timedelta(days=1)) == [
            ("08:00", "0.5", "due"), ("22:00", "0.5", "due"),
        ]  # fmt: skip


def test_a_hold_the_next_day_keeps_the_new_dose(tmp_path: Path) -> None:
    """Answered on 15 Dec, the 08:00 dose of that day still unsaid, a hold on 16 Dec: the
    person's dose today is the new step's (0.75 mg), which the hold keeps."""
    from taperline.service import decide_plan

    with _answered(tmp_path) as (store, pid, _url):
        day = CUT + timedelta(days=1)
        held = decide_plan(store, pid, "hold", by="Dr Lee", reason="wait", now=_utc(9, 0, day))
        assert held.held_from == day
        assert _lines(store, pid, day) == [("22:00", "0.75", "due")]


def test_a_resume_after_a_hold_while_unsaid(tmp_path: Path) -> None:
    """0.25 mg at 08:00 and 0.75 mg at 22:00, then 0.75 mg at 22:00 (a cut the rules take).
    Go-ahead 12:00, hold 14:05 while the 08:00 dose is unsaid, the 08:00 dose logged with its
    time, tonight 0.75 mg; resumed (approve) on 18 Dec: accepted, and that day's plan is no
    more than the dose before the cut (no jump the rules refuse)."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _DROP) as (store, pid, _url):
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="go", now=_utc(12))
        held = decide_plan(store, pid, "hold", by="Dr Lee", reason="wait", now=_utc(14, 5))
        assert held.held_from == CUT - timedelta(days=1)
        log_dose(store, pid, DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8)),
                 now=_utc(15))  # fmt: skip
        log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22))
        day = CUT + timedelta(days=3)
        resumed = decide_plan(store, pid, "approve", by="Dr Lee", reason="go on",
                              now=_utc(9, 0, day))  # fmt: skip
        assert resumed.status == "active"
        total = sum(Mass.of_mg(mg).mg for _c, mg, _s in _lines(store, pid, day))
        assert total <= 1
        assert above_plan(store.record(pid), day) == {}


# --- a dose to stay on already logged as an extra dose -------------------------------------


def test_an_extra_dose_to_stay_on_logged_before_the_answer_is_the_dose(tmp_path: Path) -> None:
    """0.5 mg logged as an extra dose at 08:05 while the cut was held, then a go-ahead at
    14:05. An extra dose is not taken to be the 08:00 dose (that would be a guess): the view
    still asks about the 08:00 dose. Said not taken, tonight's 0.75 mg would make 1.25 mg,
    more than the 1 mg before the cut that day: it is asked to be confirmed (it was logged at
    once), and once confirmed it is a finding for the clinician."""
    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        extra = DoseEntry(taken_at=_wall(8, 5), amount=_HALF, drug="clonazepam")
        logged = log_dose(store, pid, extra, now=_utc(8, 6)).record
        assert (logged.planned_clock, logged.stay_on_before) == (None, CUT)
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_utc(14, 5))
        doses = build_today(store.record(pid), CUT).doses
        assert [(d.planned.clock, d.until_answer is not None) for d in doses] == [
            ("08:00", True), ("22:00", False),
        ]  # fmt: skip
        missed = DoseEntry(day=CUT, planned_clock="08:00", missed=True)
        log_dose(store, pid, missed, now=_utc(15))
        night = DoseEntry(next_planned=True)
        with pytest.raises(ConfirmationNeededError) as asked:
            log_dose(store, pid, night, now=_utc(22))
        assert "0.75 mg makes 1.25 mg that day, more than the 1 mg a day before the cut" in str(
            asked.value
        )
        log_dose(store, pid, replace(night, confirmed=True), now=_utc(22))
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {"escalation": [CUT]}


# --- the gate's reach -------------------------------------------------------------------------


def test_the_next_day_s_doses_do_not_wait(tmp_path: Path) -> None:
    """The 08:00 dose of the answer's day still unsaid: that day's 22:00 dose logged the next
    morning still waits for it, the next day's own 22:00 does not."""
    with _answered(tmp_path) as (store, pid, _url):
        day = CUT + timedelta(days=1)
        late = DoseEntry(day=CUT, planned_clock="22:00", taken_at=_wall(22))
        with pytest.raises(InputError, match=_WAITS):
            log_dose(store, pid, late, now=_utc(9, 0, day))
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22, 0, day))
        assert (night.record.day, night.record.amount) == (day, _NEW)


def test_with_two_doses_to_stay_on_one_said_opens_tonight(tmp_path: Path) -> None:
    """0.25 mg at 08:00 and 14:00 and 0.5 mg at 22:00, then 0.75 mg at 22:00; answered at
    16:00. The 14:00 dose logged with its time finishes the day on the dose before the cut:
    tonight (0.5 mg, whatever the 08:00 dose was) no longer waits for the 08:00 one, which
    can still be said afterwards."""
    steps = (
        step(date(2027, 12, 1), ("08:00", "0.25"), ("14:00", "0.25"), ("22:00", "0.5")),
        step(CUT, ("22:00", "0.75")),
    )
    with _answered(tmp_path, steps=steps, at=(16, 0)) as (store, pid, _url):
        with pytest.raises(InputError, match=_WAITS):
            log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22))
        entry = DoseEntry(day=CUT, planned_clock="14:00", taken_at=_wall(14))
        log_dose(store, pid, entry, now=_utc(17))
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22))
        assert night.record.amount == _HALF
        morning = DoseEntry(day=CUT, planned_clock="08:00", missed=True)
        assert log_dose(store, pid, morning, now=_utc(22, 30)).record.taken_at is None
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {}


def test_a_second_decision_on_a_cut_day_answered_the_day_before_adds_nothing(
    tmp_path: Path,
) -> None:
    """The go-ahead given the day before the cut; on the cut day at 14:05 the clinician
    postpones the coming steps (decide_plan 'adjust'): that decision is no answer to a held
    cut (nothing was held at 08:00), so no line waits and tonight is logged at once."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _DROP) as (store, pid, _url):
        before = CUT - timedelta(days=1)
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="go", now=_utc(14, 5, before))
        decide_plan(
            store, pid, "adjust", by="Dr Lee", reason="later", now=_utc(14, 5), delay_days=7
        )
        assert stays_until_answer(store.record(pid), CUT) == ()
        doses = build_today(store.record(pid), CUT).doses
        assert [(d.until_answer, d.answer_first) for d in doses] == [(None, None)]
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_utc(22))
        assert night.record.amount == _NEW
