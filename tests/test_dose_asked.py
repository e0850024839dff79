"""A dose-log line keeps what the person was asked when it was logged (defects 4 and 5).

Which days were held (the patient asked to stay on the dose before a cut the readiness check
held) was worked out from the record as it is now, so a check-in written late turned a dose
taken as told into "more than planned", and deleting the check-ins of the week before a cut
that had gone ahead hid every dose taken above it since. Now ``log_dose`` keeps with the line
whether the cut went ahead or was held (and which cut), and
:func:`taperline.core.readiness.held_days` reads the days it says as it says them; days with
no such line (older rows, imports) are read from the record as before.

The CLI's own cases are in tests/test_held_cut_review.py (the two former xfails); here: the
core's rule and its property, the store, and the web's and the API's doors.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taperline.core.quantity import Mass
from taperline.core.readiness import held_days
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.core.review import HeldSpan, escalation_targets, review
from taperline.errors import InputError
from taperline.service.store import plan_decisions
from tests.strategies import ReadinessCase, readiness_cases
from tests.support.dose_asked import asked, week_of_checkins
from tests.support.held_cut import (
    BEFORE,
    CUT,
    NEXT_CUT,
    a_plan_approved,
    above_plan,
    dose_taken,
    each_day,
    held_cut_site,
    plan_version,
    run_cli,
    step,
)


def _spans(record: PersonRecord, today: date) -> list[tuple[int, int, int]]:
    spans = held_days(record, today, review(record, today), plan_decisions(record))
    return [(s.first.day, s.last.day, s.cut.day) for s in spans]


def test_a_dose_logged_when_the_cut_went_ahead_stays_above_the_plan() -> None:
    """No check-ins now (deleted): the check reads Hold, but the lines say the cut went ahead."""
    doses = [dose_taken(d, "1", "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    doses += [
        asked(dose_taken(d, "0.875", "1"), None) for d in each_day(CUT, CUT + timedelta(days=2))
    ]
    record = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(plan_version(),))
    today = CUT + timedelta(days=3)
    assert _spans(record, today) == [(18, 18, 15)]  # the 18th has no line: held, as read now
    days = [CUT + timedelta(days=n) for n in range(3)]
    assert above_plan(record, today) == {"escalation": days, "large_dose": days}
    unknown = replace(record, doses=tuple(replace(d, cut_checked=False) for d in doses))
    assert _spans(unknown, today) == [(15, 18, 15)]  # lines that do not say: as before
    assert above_plan(unknown, today) == {}


def test_a_dose_logged_as_told_to_stay_on_is_not_above_the_plan_whatever_is_written_later() -> None:
    """Every check-in there now (some written late): the check is clear, the lines say held."""
    doses = [dose_taken(d, "1", "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    doses += [
        asked(dose_taken(d, "0.875", "1"), CUT) for d in each_day(CUT, CUT + timedelta(days=1))
    ]
    today = CUT + timedelta(days=2)
    record = PersonRecord(
        Profile("UTC"), week_of_checkins(today), tuple(doses), plans=(plan_version(),)
    )
    assert _spans(record, today) == [(15, 16, 15)]
    assert above_plan(record, today) == {}
    unknown = replace(record, doses=tuple(replace(d, cut_checked=False, stay_on_before=None)
                                          for d in doses))  # fmt: skip
    assert _spans(unknown, today) == []
    assert above_plan(unknown, today) == {
        "escalation": [CUT, CUT + timedelta(days=1)],
        "large_dose": [CUT, CUT + timedelta(days=1)],
    }


def test_the_answer_s_own_day_keeps_either_dose_whatever_its_line_says() -> None:
    """Held on the 15th, answered (proceed) on the 16th: the 16th's 1 mg is not more."""
    doses = [dose_taken(d, "1", "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    doses += [asked(dose_taken(CUT, "0.875", "1"), CUT)]
    answered = CUT + timedelta(days=1)
    doses += [asked(dose_taken(answered, "0.875", "1"), None)]  # logged after the answer
    doses += [asked(dose_taken(answered + timedelta(days=1), "0.875", "1"), None)]
    first = plan_version()
    again = replace(plan_version(decided=answered, version=3))
    record = PersonRecord(Profile("UTC"), doses=tuple(doses), plans=(first, again))
    today = answered + timedelta(days=1)
    assert _spans(record, today) == [(15, 16, 15)]
    assert above_plan(record, today) == {"escalation": [today], "large_dose": [today]}


def test_a_span_that_starts_after_its_cut_keeps_the_dose_before_the_cut() -> None:
    """The cut went ahead on its day, then a red flag held it: stay on 1 mg, not 0.875 mg."""
    doses = [dose_taken(d, "1", "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    doses += [asked(dose_taken(CUT, "0.875", "0.875"), None)]
    held = each_day(CUT + timedelta(days=1), CUT + timedelta(days=2))
    doses += [asked(dose_taken(d, "0.875", "1"), CUT) for d in held]
    today = CUT + timedelta(days=2)
    record = PersonRecord(
        Profile("UTC"), week_of_checkins(today), tuple(doses), plans=(plan_version(),)
    )
    assert _spans(record, today) == [(16, 17, 15)]
    assert above_plan(record, today) == {}
    plan = record.plan
    assert plan is not None
    targets = escalation_targets(plan, today, [HeldSpan(CUT + timedelta(days=1), today, CUT)])
    assert [(d.day, m) for d, m in targets] == [
        (1, Mass.of_mg(1)),
        (15, Mass.of_mg("0.875")),
        (16, Mass.of_mg(1)),
    ]


def test_a_later_cut_s_day_held_on_the_earlier_cut_compares_with_the_dose_before_that_one() -> None:
    """Logged on the next cut's day while the first cut was still the question: 1 mg."""
    doses = [dose_taken(d, "1", "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    doses += [dose_taken(d, "0.875", "0.875") for d in each_day(CUT, NEXT_CUT - timedelta(days=1))]
    doses += [asked(dose_taken(NEXT_CUT, "0.75", "1"), CUT)]
    today = NEXT_CUT
    checkins = week_of_checkins(today, BEFORE)
    record = PersonRecord(Profile("UTC"), checkins, tuple(doses), plans=(plan_version(),))
    assert _spans(record, today) == [(29, 29, 15)]
    assert above_plan(record, today) == {}


def test_a_line_cannot_say_it_was_held_without_a_check_or_before_its_cut() -> None:
    at = datetime(2027, 12, 15, 22, tzinfo=UTC)
    with pytest.raises(InputError, match="no readiness check"):
        DoseRecord(CUT, "clonazepam", "22:00", Mass.of_mg(1), at, Mass.of_mg(1),
                   stay_on_before=CUT)  # fmt: skip
    with pytest.raises(InputError, match="after the dose's day"):
        DoseRecord(CUT, "clonazepam", "22:00", Mass.of_mg(1), at, Mass.of_mg(1),
                   cut_checked=True, stay_on_before=CUT + timedelta(days=1))  # fmt: skip
    # an extra dose keeps what was asked of its day (tests/test_dose_asked_review.py)
    extra = DoseRecord(CUT, "clonazepam", None, None, at, Mass.of_mg(1), cut_checked=True)
    assert extra.stay_on_before is None
    with pytest.raises(InputError, match="true or false"):
        DoseRecord(CUT, "clonazepam", "22:00", None, None, None, cut_checked=1)  # type: ignore[arg-type]


@given(
    readiness_cases(st.integers(0, 6)),
    st.lists(st.sampled_from(["none", "ahead", "held"]), min_size=7, max_size=7),
    st.lists(st.booleans(), min_size=7, max_size=7),
)
def test_the_held_days_are_what_each_line_says_and_the_record_elsewhere(
    case: ReadinessCase, said: list[str], stays: list[bool]
) -> None:
    """Whatever the lines say, on any record: each day is held as its line says (but an
    answer's own day), a day without a line as the record reads now; the review compares each
    held day with the dose before its cut and every other day with the plan."""
    plan = case.record.plan
    assert plan is not None
    before, after = plan.steps[0].doses[0], plan.steps[1].doses[0]
    missed = {d.day for d in case.record.doses}
    days = [case.cut + timedelta(days=n) for n in range((case.today - case.cut).days + 1)]
    lines = []
    for day, what, stay in zip(days, said, stays, strict=False):
        if day in missed:
            continue
        taken = DoseRecord(
            day, "clonazepam", "22:00", after.amount,
            datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=22),
            (before if stay else after).amount,
        )  # fmt: skip
        if what != "none":
            taken = asked(taken, case.cut if what == "held" else None)
        lines.append(taken)
    record = replace(case.record, doses=(*case.record.doses, *lines))
    naive = review(record, case.today)
    decisions = (case.decision,) if case.decision is not None else ()
    held = held_days(record, case.today, naive, decisions)
    unsaid = replace(record, doses=tuple(replace(d, cut_checked=False, stay_on_before=None)
                                         for d in record.doses))  # fmt: skip
    as_read = {
        s.first + timedelta(days=n): s.cut
        for s in held_days(unsaid, case.today, naive, decisions)
        for n in range((s.last - s.first).days + 1)
    }
    answer_day = max(as_read) if case.decision is not None and as_read else None
    held_on = {s.first + timedelta(days=n): s.cut for s in held for n in range(
        (s.last - s.first).days + 1)}  # fmt: skip
    for span, following in itertools.pairwise(held):
        assert span.first <= span.last < following.first  # in order, never overlapping
        assert span.cut <= span.first
    told = {d.day: d for d in lines if d.cut_checked}
    for day in days:
        line = told.get(day)
        if line is None:
            assert held_on.get(day) == as_read.get(day), day
        elif line.stay_on_before is not None:
            assert held_on.get(day) == line.stay_on_before, day
        elif day != answer_day or case.decision is None or case.decision.on != day:
            assert day not in held_on, day
    above = {
        e.day
        for f in review(record, case.today, held_days=held).findings
        if f.kind in {"escalation", "large_dose"}
        for e in f.evidence
    }
    for line in lines:
        assert line.amount is not None
        if line.amount.mg > after.amount.mg:  # stayed on the dose before: more, unless held
            assert (line.day in above) is (line.day not in held_on), (line.day, held)
        else:
            assert line.day not in above


# --- the doors that log a dose: the store, the CLI, the web tap, the JSON API ---------------


def test_the_store_keeps_what_was_asked(tmp_path: Path) -> None:
    """Read back as written; on PostgreSQL too (tests/test_storage_contract.py's round trip)."""
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    from taperline.service import open_store

    store = open_store(url)
    at = datetime(2027, 1, 18, 22, 5)  # noqa: DTZ001 -- the dose log's local wall clock
    cut = date(2027, 1, 18)
    line = DoseRecord(cut, "clonazepam", "22:00", Mass.of_mg("0.875"), at, Mass.of_mg(1),
                      cut_checked=True, stay_on_before=cut)  # fmt: skip
    store.log_dose(1, line)
    assert store.doses(1, None, None) == [line]
    assert store.record(1).doses == (line,)


def test_log_dose_keeps_held_or_ahead_on_the_cli(tmp_path: Path) -> None:
    """Before any cut: nothing to keep; at a held cut: held; once answered: ahead."""
    from taperline.service import open_store

    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    assert run_cli(url, "log-dose", "--amount", "1 mg", now="2027-01-10T22:05+00:00").exit_code == 0
    assert run_cli(url, "log-dose", "--amount", "1 mg", now="2027-01-18T22:05+00:00").exit_code == 0
    proceed = ("plan", "proceed", "--by", "Dr Lee", "--reason", "seen today")
    assert run_cli(url, *proceed, now="2027-01-19T09:00+00:00").exit_code == 0
    assert run_cli(url, "log-dose", now="2027-01-20T22:05+00:00").exit_code == 0
    lines = open_store(url).doses(1, None, None)
    assert [(d.day.day, d.cut_checked, d.stay_on_before) for d in lines] == [
        (10, False, None),
        (18, True, date(2027, 1, 18)),
        (20, True, None),
    ]


def test_the_web_tap_and_the_api_keep_what_was_asked(tmp_path: Path) -> None:
    with held_cut_site(tmp_path) as (site, web, pid):
        cut = site.clock.today
        taken = web.post("/doses/taken", {"clock": "22:00", "status": "stayed"})
        assert taken.status_code == 303, taken.text
        site.clock.advance(days=1)
        assert web.signin("ann@example.org").status_code == 303
        day = site.clock.today.isoformat()
        body = {"date": day, "planned_time": "22:00", "amount_mg": 1, "taken_at": f"{day}T11:55"}
        api = web.client.post("/api/doses", json=body)
        assert api.status_code == 201, api.text
        lines = site.services.store.doses(pid, None, None)
        assert [(d.cut_checked, d.stay_on_before) for d in lines] == [(True, cut)] * 2


def test_the_undo_of_a_removed_line_puts_back_what_was_asked_and_nothing_else(
    tmp_path: Path,
) -> None:
    """The journal's undo carries the line sealed: changed or stripped, it is refused."""
    from tests.support.web import hidden_fields

    with held_cut_site(tmp_path) as (site, web, pid):
        site.clock.advance(hours=10, minutes=5)  # the cut's day, 22:05 in London
        assert web.signin("ann@example.org").status_code == 303  # the session timed out
        cut = site.clock.today
        assert web.post("/doses/taken", {"clock": "22:00", "status": "stayed"}).status_code == 303
        (logged,) = site.services.store.doses(pid)
        assert (logged.cut_checked, logged.stay_on_before) == (True, cut)
        removed = web.post(
            "/journal/doses/remove", {"day": cut.isoformat(), "planned_clock": "22:00"}
        )
        assert removed.status_code == 200, removed.text
        undo = hidden_fields(removed.text, 'action="/journal/doses/restore"')
        assert undo["asked"] == cut.isoformat()
        for changed in (
            {**undo, "asked": "ahead"},
            {**undo, "asked": (cut - timedelta(days=1)).isoformat()},
            {**undo, "asked": ""},
            {name: value for name, value in undo.items() if name != "asked"},
            {**undo, "amount_mg": "2"},
            {**undo, "asked_seal": "0" * 64},
        ):
            refused = web.post("/journal/doses/restore", changed)
            assert refused.status_code == 422, (changed, refused.status_code)
            assert "not the one the page gave" in refused.text
            assert site.services.store.doses(pid) == []
        assert web.post("/journal/doses/restore", undo).status_code == 303
        assert site.services.store.doses(pid) == [logged]  # the same line, what was asked too
        # another person's browser cannot put it back as theirs
        bob = site.patient("bob@example.org")
        theirs = {name: value for name, value in undo.items() if name != "csrf_token"}
        assert bob.post("/journal/doses/restore", theirs).status_code == 422
        assert site.services.store.doses(site.person_id("bob@example.org")) == []


def test_a_step_that_keeps_the_held_cut_s_dose_is_still_the_held_question(tmp_path: Path) -> None:
    """1 mg, then 0.875 mg (held: no check-ins, nobody answered), then 0.875 mg again from a
    plateau step: on the plateau's days the patient is still asked to stay on 1 mg, so the
    dose's amount is theirs to say, 1 mg is what was asked and "I stayed on it" logs 1 mg, as
    the dashboard shows it."""
    from taperline.service import open_store
    from taperline.service.journal import DoseEntry, log_dose
    from taperline.service.today import build_today

    store = open_store(f"sqlite:///{tmp_path}/t.db")
    pid = store.create_person(Profile("UTC"), at=datetime(2027, 11, 28, tzinfo=UTC))
    plateau = CUT + timedelta(days=7)
    steps = (
        step(date(2027, 12, 1), ("22:00", "1")),
        step(CUT, ("22:00", "0.875")),
        step(plateau, ("22:00", "0.875")),  # the same dose: not a cut
        step(NEXT_CUT + timedelta(days=7), ("22:00", "0.75")),
    )
    plan = replace(plan_version(steps=steps), version=1, status="proposed", decided_by=None,
                   decided_at=None)  # fmt: skip
    store.add_plan(pid, plan)
    store.decide(pid, "approve", by="Dr Lee", reason="agreed",
                 at=datetime(2027, 11, 30, 9, tzinfo=UTC))  # fmt: skip
    day = plateau + timedelta(days=1)
    now = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=22, minute=30)
    (line,) = build_today(store.record(pid), day).doses
    assert line.ask_first
    assert line.stay_on is not None
    assert line.stay_on.amount == Mass.of_mg(1)
    with pytest.raises(InputError, match="not answered yet"):
        log_dose(store, pid, DoseEntry(day=day, planned_clock="22:00"), now=now)
    stayed = DoseEntry(day=day, planned_clock="22:00", dose_before_cut=True)
    logged = log_dose(store, pid, stayed, now=now)
    assert logged.record.amount == Mass.of_mg(1)
    assert (logged.record.cut_checked, logged.record.stay_on_before) == (True, CUT)
    assert above_plan(store.record(pid), day) == {}
