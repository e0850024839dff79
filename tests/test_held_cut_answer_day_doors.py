"""The day a clinician answers a held cut after a dose to stay on was taken: two more doors.

tests/test_held_cut_answer_day.py has the rule (24f7d12): a go-ahead that day finishes the
day on the dose before the cut, and the new step starts the next day. Here:

* the journal's dose form offers as its choices only the doses the day can be logged as
  (:func:`taperline.service.journal.loggable_doses`): a new step's dose at a time the step
  before has none starts the next day, and log_dose refuses it, so it is no choice;
* a *hold* that day, made as every door makes it (:func:`taperline.service.decide_plan`),
  keeps the dose before the cut: that day makes no more than the dose before the cut, and no
  finding of more taken than planned.

The plan (a person in UTC, approved on 30 Nov, no check-ins, so the check holds the cut):
0.25 mg at 08:00 and 0.75 mg at 22:00 from 1 Dec; from 15 Dec 0.25 mg at 14:00 and 0.5 mg at
22:00 (the morning dose moves to 14:00, the night dose is cut).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from taperline.core.quantity import Mass
from taperline.core.record import PlanVersion, Profile
from taperline.errors import ConfirmationNeededError, NotFoundError
from taperline.service import decide_plan, open_store
from taperline.service.journal import DoseEntry, log_dose, loggable_doses
from taperline.service.store import review_as_of
from taperline.service.today import build_today
from taperline.web.dose_log_form import form_context
from tests.support.held_cut import CUT, step

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store

BEFORE = step(date(2027, 12, 1), ("08:00", "0.25"), ("22:00", "0.75"))
AFTER = step(CUT, ("14:00", "0.25"), ("22:00", "0.5"))


def _at(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


@contextmanager
def _store(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    """The plan above, proposed on 29 Nov and approved on 30 Nov, for a person in UTC."""
    store = open_store(f"sqlite:///{tmp_path}/t.db")
    pid = store.create_person(Profile("UTC"), at=datetime(2027, 11, 28, tzinfo=UTC))
    proposed = PlanVersion(
        1, "proposed", "clonazepam", "percent", (BEFORE, AFTER), "patient",
        datetime(2027, 11, 29, 9, tzinfo=UTC),
    )  # fmt: skip
    store.add_plan(pid, proposed)
    store.decide(pid, "approve", by="Dr Lee", reason="agreed", at=_at(date(2027, 11, 30), 9))
    yield store, pid


def _stayed_at_eight(store: Store, pid: int) -> None:
    """The cut day's 08:00 dose to stay on (the step before's, a time the new step has
    none), taken and logged as told."""
    stayed = DoseEntry(day=CUT, planned_clock="08:00", dose_before_cut=True)
    logged = log_dose(store, pid, stayed, now=_at(CUT, 8)).record
    assert (logged.amount, logged.stay_on_before) == (Mass.of_mg("0.25"), CUT)


def _choices(store: Store, pid: int) -> list[str]:
    """The planned doses the journal's dose form offers for the cut day (a new, blank form)."""
    return list(form_context(store.record(pid), CUT, None)["clocks"])


def test_the_dose_form_offers_the_new_step_while_the_cut_is_a_question(tmp_path: Path) -> None:
    """Held, nobody has answered: the new step's doses and the one to stay on are choices."""
    with _store(tmp_path) as (store, pid):
        assert _choices(store, pid) == ["08:00", "14:00", "22:00"]


def test_the_dose_form_does_not_offer_the_new_step_s_dose_that_starts_tomorrow(
    tmp_path: Path,
) -> None:
    """After the 08:00 dose to stay on, the clinician proceeds at 12:00: the day is finished
    on the dose before the cut, so 14:00 (the new step's only) is no choice, as log_dose
    refuses it; 08:00 and 22:00 (0.75 mg, the dose before the cut) are."""
    with _store(tmp_path) as (store, pid):
        _stayed_at_eight(store, pid)
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="seen", now=_at(CUT, 12))
        record = store.record(pid)
        assert sorted((d.clock, d.amount.mg) for d in loggable_doses(record, CUT)) == [
            ("08:00", Mass.of_mg("0.25").mg),
            ("22:00", Mass.of_mg("0.75").mg),
        ]
        assert _choices(store, pid) == ["08:00", "22:00"]
        with pytest.raises(NotFoundError, match="the new dose starts the next day"):
            log_dose(store, pid, DoseEntry(day=CUT, planned_clock="14:00"), now=_at(CUT, 14))
        tonight = log_dose(store, pid, DoseEntry(day=CUT, planned_clock="22:00"), now=_at(CUT, 22))
        assert tonight.record.amount == Mass.of_mg("0.75")
        # the next day: the new step, and so are the form's choices
        assert [d.clock for d in loggable_doses(record, CUT + timedelta(days=1))] == [
            "14:00",
            "22:00",
        ]


def test_a_hold_that_day_keeps_the_dose_before_the_cut(tmp_path: Path) -> None:
    """After the 08:00 dose to stay on, the clinician holds the plan at 12:00 (as the CLI, the
    clinician's page and the API do it): the held plan keeps the dose before the cut, so the
    night's dose is 0.75 mg, the day makes 1 mg as before the cut, and nothing is found as
    more than planned; the next day too."""
    with _store(tmp_path) as (store, pid):
        _stayed_at_eight(store, pid)
        held = decide_plan(store, pid, "hold", by="Dr Lee", reason="wait", now=_at(CUT, 12))
        assert (held.status, held.held_from) == ("held", CUT - timedelta(days=1))
        lines = build_today(store.record(pid), CUT).doses
        assert [(line.planned.clock, line.planned.amount, line.status) for line in lines] == [
            ("08:00", Mass.of_mg("0.25"), "taken"),
            ("22:00", Mass.of_mg("0.75"), "due"),
        ]
        assert _choices(store, pid) == ["08:00", "22:00"]
        log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22))
        next_day = CUT + timedelta(days=1)
        for clock in ("08:00", "22:00"):
            entry = DoseEntry(day=next_day, planned_clock=clock)
            log_dose(store, pid, entry, now=_at(next_day, int(clock[:2])))
        record = store.record(pid)
        taken = [d.amount.mg for d in record.doses if d.day == CUT and d.amount is not None]
        day_total = sum(taken, Mass.zero().mg)
        assert day_total == Mass.of_mg("1").mg
        findings = review_as_of(record, next_day + timedelta(days=1)).findings
        assert [f.kind for f in findings if f.kind in {"escalation", "large_dose"}] == []


def test_a_dose_logged_runs_the_readiness_check_once_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """log_dose asks the check of a day up to three times (the doses to stay on, the line's,
    the day's), each a review of the whole record: it is made once a day of the line (twice
    by time: yesterday's and today's doses are candidates), not once an ask."""
    from taperline.service import journal

    days: list[date] = []
    check = vars(journal)["check_readiness"]  # the name log_dose calls, not an export

    def counted(*args: Any, **kwargs: Any) -> Any:
        days.append(args[1])  # check_readiness(record, day, ...)
        return check(*args, **kwargs)

    monkeypatch.setattr(journal, "check_readiness", counted)
    with _store(tmp_path) as (store, pid):
        decide_plan(
            store, pid, "proceed", by="Dr Lee", reason="seen", now=_at(CUT - timedelta(days=2), 9)
        )
        day = CUT + timedelta(days=1)
        log_dose(store, pid, DoseEntry(day=day, planned_clock="22:00"), now=_at(day, 22))
        assert days == [day]
        days.clear()
        log_dose(store, pid, DoseEntry(next_planned=True), now=_at(day + timedelta(days=1), 14))
        assert sorted(days) == [day, day + timedelta(days=1)]


def test_more_than_the_dose_before_the_cut_that_day_is_confirmed_in_the_day_s_own_words(
    tmp_path: Path,
) -> None:
    """After the 08:00 dose to stay on and the go-ahead, 0.875 mg at 22:00 makes 1.125 mg:
    asked to confirm, with the day as it is now (finished on the dose before the cut, the
    clinician has answered), not 'until your clinician answers'; confirmed, it is kept."""
    with _store(tmp_path) as (store, pid):
        _stayed_at_eight(store, pid)
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="seen", now=_at(CUT, 12))
        entry = DoseEntry(day=CUT, planned_clock="22:00", amount=Mass.of_mg("0.875"))
        with pytest.raises(ConfirmationNeededError) as refused:
            log_dose(store, pid, entry, now=_at(CUT, 22))
        words = str(refused.value)
        assert "makes 1.125 mg that day, more than the 1 mg a day before the cut" in words
        assert "your clinician has answered; the new dose starts tomorrow" in words
        assert "until your clinician answers" not in words
        kept = log_dose(store, pid, replace(entry, confirmed=True), now=_at(CUT, 22))
        assert kept.record.amount == Mass.of_mg("0.875")
