"""Review of d835368: a dose to stay on, taken while the cut was held, logged after the answer.

Probes the author's tests do not make (tests/test_held_cut_answer_late_log.py): time zones
far from UTC and answers near midnight or days after the cut, several doses to stay on,
an every-other-day step, an adjusted version approved as the answer, a cut that moves
the times and changes the amounts, the new dose logged before the dose to stay on, queued
offline taps, the CLI the next morning, the calendar, and a clinician's hold as the
answer. The review found seven defects, each a strict xfail here at first; all are fixed
and their tests pass.

The plan (as in test_held_cut_answer_late_log): 0.5 mg at 08:00 and 0.5 mg at 22:00, then
0.75 mg at 22:00 from the cut (15 Dec), approved on 30 Nov, no check-ins: the check holds
the cut. The patient takes the 08:00 0.5 mg as told and does not log it; the clinician
answers later that day.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from taperline.core.quantity import Mass
from taperline.errors import ConfirmationNeededError, InputError
from taperline.service.journal import DoseEntry, log_dose, stays_until_answer
from taperline.service.today import build_today
from tests.support.held_cut import ANSWER_AFTER as _AFTER
from tests.support.held_cut import ANSWER_BEFORE as _BEFORE
from tests.support.held_cut import ANSWER_STEPS as _STEPS
from tests.support.held_cut import (
    CUT,
    above_plan,
    answered_store,
    approved_store,
    run_cli,
    site_with,
    step,
)
from tests.support.held_cut import local_moment as _local
from tests.support.held_cut import wall as _wall

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from tests.support.web import Site, Web

_HALF = Mass.of_mg("0.5")


_answered = answered_store


def _lines(store: Store, pid: int, day: date = CUT) -> list[tuple[str, str, str]]:
    """Each line of ``day``: time, amount, status."""
    return [
        (line.planned.clock, str(line.planned.amount.mg), line.status)
        for line in build_today(store.record(pid), day).doses
    ]


# --- time zones far from UTC, answers near midnight, days after the cut ---------------------


@pytest.mark.parametrize(
    ("zone", "day", "at"),
    [
        ("Pacific/Auckland", CUT, (14, 5)),  # 01:05 UTC on the same date
        ("America/Los_Angeles", CUT, (17, 0)),  # 01:00 UTC the next date
        ("America/Los_Angeles", CUT, (23, 59)),  # a minute before local midnight
        ("Pacific/Auckland", CUT + timedelta(days=2), (14, 5)),  # held for two days
    ],
    ids=["auckland", "los-angeles-next-utc-day", "los-angeles-midnight", "held-two-days"],
)
def test_the_answer_s_local_day_and_minute_rule_far_from_utc(
    tmp_path: Path, zone: str, day: date, at: tuple[int, int]
) -> None:
    """The dose to stay on is the one of the answer's local day, until its local minute;
    logged with its time it finishes the day on the dose before the cut, nothing found."""
    with _answered(tmp_path, zone=zone, day=day, at=at) as (store, pid, _url):
        [(dose, until)] = stays_until_answer(store.record(pid), day)
        assert (dose.clock, until) == ("08:00", _wall(*at, day=day))
        late = DoseEntry(day=day, planned_clock="08:00", taken_at=_wall(*at, day=day) + timedelta(
            minutes=1))  # fmt: skip
        if at < (23, 59):
            with pytest.raises(InputError, match=f"before {at[0]:02}:{at[1]:02}, say when"):
                log_dose(store, pid, late, now=_local(zone, day, 23, 59))
        entry = DoseEntry(day=day, planned_clock="08:00", taken_at=_wall(8, day=day))
        done = log_dose(store, pid, entry, now=_local(zone, day, 23, 59)).record
        assert (done.day, done.amount, done.stay_on_before) == (day, _HALF, CUT)
        assert _lines(store, pid, day) == [("08:00", "0.5", "taken"), ("22:00", "0.5", "due")]
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_local(zone, day, 22))
        assert (night.record.day, night.record.amount) == (day, _HALF)
        assert above_plan(store.record(pid), day + timedelta(days=1)) == {}


# --- other plan shapes --------------------------------------------------------------------


def test_several_doses_to_stay_on_before_the_answer(tmp_path: Path) -> None:
    """0.25 mg at 08:00 and 14:00 and 0.5 mg at 22:00, then 0.75 mg at 22:00; answered at
    16:00: both doses due by then are shown with the answer's time, the new dose waits for
    the first; the 14:00 one logged with its time finishes the day (the 08:00 one is then a
    dose to stay on of the day, 22:00 the 0.5 mg before the cut)."""
    steps = (
        step(date(2027, 12, 1), ("08:00", "0.25"), ("14:00", "0.25"), ("22:00", "0.5")),
        step(CUT, ("22:00", "0.75")),
    )
    with _answered(tmp_path, steps=steps, at=(16, 0)) as (store, pid, _url):
        doses = build_today(store.record(pid), CUT).doses
        assert [(d.planned.clock, d.until_answer, d.answer_first) for d in doses] == [
            ("08:00", _wall(16), None),
            ("14:00", _wall(16), None),
            ("22:00", None, "08:00"),
        ]
        entry = DoseEntry(day=CUT, planned_clock="14:00", taken_at=_wall(14))
        assert log_dose(store, pid, entry, now=_local("UTC", CUT, 17)).record.stay_on_before == CUT
        assert _lines(store, pid) == [
            ("08:00", "0.25", "due"), ("14:00", "0.25", "taken"), ("22:00", "0.5", "due"),
        ]  # fmt: skip


def test_an_every_other_day_step_before_the_cut(tmp_path: Path) -> None:
    """0.5 mg at 08:00 and 22:00 every other day, then 0.75 mg at 22:00 every other day: on
    the cut day (an on day) the 08:00 dose to stay on is shown until the answer and logged
    with its time finishes the day; the off day between has no line at all."""
    steps = (
        replace(step(date(2027, 12, 1), *_BEFORE), every_other_day=True),
        replace(step(CUT, *_AFTER), every_other_day=True),
    )
    with _answered(tmp_path, steps=steps) as (store, pid, _url):
        assert [d.clock for d, _at in stays_until_answer(store.record(pid), CUT)] == ["08:00"]
        entry = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        log_dose(store, pid, entry, now=_local("UTC", CUT, 15))
        assert _lines(store, pid) == [("08:00", "0.5", "taken"), ("22:00", "0.5", "due")]
        assert _lines(store, pid, CUT + timedelta(days=1)) == []


def test_an_adjusted_version_approved_as_the_answer(tmp_path: Path) -> None:
    """The clinician answers by approving an adjusted plan (0.875 mg at 22:00 from the cut)
    at 14:05: the 08:00 dose taken before it is still one to stay on."""
    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        adjusted = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("22:00", "0.875")))
        store.decide(pid, "adjust", by="Dr Lee", reason="slower", at=_local("UTC", CUT, 14),
                     steps=adjusted)  # fmt: skip
        store.decide(pid, "approve", by="Dr Lee", reason="slower", at=_local("UTC", CUT, 14, 5))
        entry = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        done = log_dose(store, pid, entry, now=_local("UTC", CUT, 15)).record
        assert done.stay_on_before == CUT
        assert _lines(store, pid) == [("08:00", "0.5", "taken"), ("22:00", "0.5", "due")]


def test_a_cut_that_moves_times_and_changes_amounts(tmp_path: Path) -> None:
    """0.5 + 0.5 mg at 08:00 and 22:00, then 0.25 mg at 12:00 and 0.5 mg at 22:00: the new
    12:00 dose taken before the answer is a question (its amount the patient's to say); the
    08:00 and 12:00 doses both taken before it, the 22:00 0.5 mg asks to be confirmed."""
    steps = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("12:00", "0.25"), ("22:00", "0.5")))
    with _answered(tmp_path, steps=steps) as (store, pid, _url):
        doses = build_today(store.record(pid), CUT).doses
        assert [(d.planned.clock, d.answer_first) for d in doses] == [
            ("08:00", None), ("12:00", "08:00"), ("22:00", "08:00"),
        ]  # fmt: skip
        now = _local("UTC", CUT, 15)
        log_dose(store, pid, DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8)), now=now)
        noon = DoseEntry(day=CUT, planned_clock="12:00", taken_at=_wall(12))
        with pytest.raises(InputError, match="say the amount you took"):
            log_dose(store, pid, noon, now=now)
        log_dose(store, pid, replace(noon, amount=Mass.of_mg("0.25")), now=now)
        with pytest.raises(ConfirmationNeededError, match=r"makes 1\.25 mg that day"):
            log_dose(store, pid, DoseEntry(next_planned=True), now=_local("UTC", CUT, 22))


# --- the new dose logged first ------------------------------------------------------------


def test_the_dose_to_stay_on_logged_after_the_new_dose_asks_to_confirm_and_is_found(
    tmp_path: Path,
) -> None:
    """The new 0.75 mg at 22:00 waits for the 08:00 answer at every door (log-dose too); said
    as an extra dose instead, then the 08:00 0.5 mg with its time: 1.25 mg that day, asked to
    be confirmed, and once confirmed a finding for the clinician."""
    with _answered(tmp_path) as (store, pid, _url):
        with pytest.raises(InputError, match=r"^planned: first say whether you took the 08:00"):
            log_dose(store, pid, DoseEntry(next_planned=True), now=_local("UTC", CUT, 22))
        extra = DoseEntry(taken_at=_wall(22), amount=Mass.of_mg("0.75"))
        night = log_dose(store, pid, extra, now=_local("UTC", CUT, 22))
        assert (night.record.planned_clock, night.record.amount) == (None, Mass.of_mg("0.75"))
        morning = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        with pytest.raises(ConfirmationNeededError, match=r"makes 1\.25 mg that day"):
            log_dose(store, pid, morning, now=_local("UTC", CUT, 22, 30))
        log_dose(store, pid, replace(morning, confirmed=True), now=_local("UTC", CUT, 22, 30))
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {"escalation": [CUT]}


def test_a_new_dose_logged_before_the_dose_to_stay_on_stays_in_today_s_view(
    tmp_path: Path,
) -> None:
    steps = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("12:00", "0.25"), ("22:00", "0.5")))
    with _answered(tmp_path, steps=steps) as (store, pid, url):
        # the new 12:00 dose taken at 13:00, before the answer (held: its amount is said),
        # logged before the 08:00 dose to stay on is
        noon = DoseEntry(day=CUT, planned_clock="12:00", taken_at=_wall(13),
                         amount=Mass.of_mg("0.25"))  # fmt: skip
        logged = log_dose(store, pid, noon, now=_local("UTC", CUT, 15)).record
        assert (logged.amount, logged.stay_on_before) == (Mass.of_mg("0.25"), CUT)
        morning = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        log_dose(store, pid, morning, now=_local("UTC", CUT, 16))
        status = run_cli(url, "status", "--format", "json", now="2027-12-15T16:05+00:00")
        shown = [(d["time"], d["status"]) for d in json.loads(status.stdout)["doses_today"]]
        assert ("12:00", "taken") in shown, shown  # taken at 13:00


# --- the doors: queued offline taps, the CLI the next morning, the calendar ---------------


@contextmanager
def _site(tmp_path: Path, *, answer_hours: float = 2) -> Iterator[tuple[Site, Web, int]]:
    """The plan on the site's cut day (London, GMT): noon, nothing logged; the clinician
    proceeds ``answer_hours`` later; the patient's phone sends its queue 15 minutes after."""
    with site_with(tmp_path, _BEFORE, _AFTER, advance=timedelta(0)) as (site, web, pid):
        site.clock.advance(hours=answer_hours)
        site.services.store.decide(pid, "proceed", by="Dr Test", reason="seen", at=site.clock.now)
        site.clock.advance(minutes=15)
        assert web.signin("ann@example.org").status_code == 303
        yield site, web, pid


def _tap(web: Web, day: date, clock: str, status: str, tapped: str | None) -> None:
    fields = {"clock": clock, "status": status, "day": day.isoformat()}
    response = web.post("/doses/taken", {**fields, **({"tapped_at": tapped} if tapped else {})})
    assert response.status_code in {200, 303}, response.text


def test_a_queued_tap_of_the_dose_to_stay_on_sent_after_the_answer(tmp_path: Path) -> None:
    """The 08:00 'Taken' tapped offline at 08:00 (tapped_at, UTC) and sent after the answer
    at 14:00: the dose to stay on, as when it was tapped; the dashboard then finishes the day
    on the dose before the cut."""
    with _site(tmp_path) as (site, web, pid):
        day = site.clock.today
        _tap(web, day, "08:00", "taken", f"{day}T08:00:00Z")
        [line] = site.services.store.doses(pid, None, None)
        assert (line.taken_at, line.amount, line.stay_on_before) == (_wall(8, day=day), _HALF, day)
        assert "Finish today on the dose before the cut:" in web.get("/dashboard").text


def test_post_api_doses_in_the_answer_s_minute_with_seconds(tmp_path: Path) -> None:
    with _site(tmp_path) as (site, web, pid):
        day = site.clock.today.isoformat()
        body = {"date": day, "planned_time": "08:00", "amount_mg": 0.5,
                "taken_at": f"{day}T14:00:30"}  # fmt: skip
        done = web.client.post("/api/doses", json=body)
        assert done.status_code == 201, done.text
        [line] = site.services.store.doses(pid, None, None)
        assert line.stay_on_before == site.clock.today


@pytest.mark.parametrize("order", ["as-tapped", "reversed"])
def test_both_queued_doses_to_stay_on_sent_after_a_late_answer(tmp_path: Path, order: str) -> None:
    """Offline all day: 08:00 'Taken' at 08:00 and 22:00 'I stayed on 0.5 mg' at 22:00, the
    clinician proceeds at 22:30, the queue is sent at 22:45 (in either order): both are doses
    to stay on, 1 mg that day, nothing for the clinician."""
    with _site(tmp_path, answer_hours=10.5) as (site, web, pid):
        day = site.clock.today
        taps = [("08:00", "taken", f"{day}T08:00:00Z"), ("22:00", "stayed", f"{day}T22:00:00Z")]
        for clock, status, tapped in taps if order == "as-tapped" else taps[::-1]:
            _tap(web, day, clock, status, tapped)
        doses = site.services.store.doses(pid, None, None)
        logged = sorted(doses, key=lambda d: d.planned_clock or "")
        assert [(d.planned_clock, d.amount, d.stay_on_before) for d in logged] == [
            ("08:00", _HALF, day), ("22:00", _HALF, day),
        ]  # fmt: skip
        assert above_plan(site.services.store.record(pid), day + timedelta(days=1)) == {}


def test_the_cli_the_next_morning_with_the_day(tmp_path: Path) -> None:
    """The morning after, `log-dose --date yesterday --planned 08:00 --time 08:00` logs it as
    a dose to stay on; `status --format json` of the answer's day then shows it taken."""
    with _answered(tmp_path) as (store, pid, url):
        args = ("log-dose", "--date", "yesterday", "--planned", "08:00", "--time", "08:00")
        done = run_cli(url, *args, now="2027-12-16T09:00+00:00")
        assert done.exit_code == 0, done.stderr
        [line] = store.doses(pid, None, None)
        assert (line.day, line.taken_at, line.stay_on_before) == (CUT, _wall(8), CUT)


def test_the_cli_the_next_morning_without_the_day_says_how(tmp_path: Path) -> None:
    with _answered(tmp_path) as (_store, _pid, url):
        args = ("log-dose", "--planned", "08:00", "--time", "08:00")
        refused = run_cli(url, *args, now="2027-12-16T09:00+00:00")
        assert refused.exit_code != 0
        assert "--date" in refused.stderr, refused.stderr


def test_the_calendar_s_reminder_tonight_waits_for_the_dose_until_the_answer(
    tmp_path: Path,
) -> None:
    from icalendar import Calendar

    from taperline.service.calendar import person_calendar

    with _answered(tmp_path) as (store, pid, _url):
        feed = person_calendar(store, pid, now=_local("UTC", CUT, 15)).data
        tonight = [
            f"{event.get('SUMMARY')} {event.get('DESCRIPTION')}"
            for event in Calendar.from_ical(feed).walk("VEVENT")
            if event.decoded("DTSTART") == _local("UTC", CUT, 22)
        ]
        assert tonight, "no reminder at 22:00 on the answer's day"
        assert all("08:00" in text for text in tonight), tonight


# --- import, words ------------------------------------------------------------------------


def test_an_imported_dose_to_stay_on_is_shown_as_logged(tmp_path: Path) -> None:
    from taperline.adapters.csvio.doses import read_dose_log_csv
    from taperline.service.exchange import import_doses

    text = (
        "day,drug,planned_clock,planned_amount_mg,taken_at,amount_mg,status,units,note\n"
        "2027-12-15,clonazepam,08:00,0.5,2027-12-15T08:00,0.5,taken,,\n"
    )
    with _answered(tmp_path) as (store, pid, _url):
        rows = read_dose_log_csv(text).rows
        import_doses(store, pid, rows, now=_local("UTC", CUT, 15), skip=False)
        [line] = store.doses(pid, None, None)
        assert (line.planned_clock, line.stay_on_before) == ("08:00", None)
        morning = build_today(store.record(pid), CUT).doses[0]
        assert (morning.planned.clock, morning.status, morning.until_answer) == (
            "08:00", "taken", None,
        )  # fmt: skip
        assert [line.answer_first for line in build_today(store.record(pid), CUT).doses] == [
            None, None,
        ]  # fmt: skip


def test_the_amount_question_after_the_answer_does_not_say_unanswered(tmp_path: Path) -> None:
    steps = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("08:00", "0.375"), ("22:00", "0.375")))
    with _answered(tmp_path, steps=steps) as (store, pid, _url):
        morning = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        with pytest.raises(InputError) as refused:
            log_dose(store, pid, morning, now=_local("UTC", CUT, 15))
        assert "say the amount you took" in str(refused.value)
        assert "not answered yet" not in str(refused.value)


# --- the answer is a hold ---------------------------------------------------------------


def test_a_hold_as_the_answer_keeps_the_dose_before_the_cut(tmp_path: Path) -> None:
    """The clinician holds (decide_plan, as the CLI and the clinician's page) at 14:05 while
    the cut is a question: the hold keeps the dose before the cut, so the 08:00 dose is the
    day's plan and tonight is 0.5 mg, nothing found."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        decide_plan(store, pid, "hold", by="Dr Lee", reason="wait", now=_local("UTC", CUT, 14, 5))
        entry = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        log_dose(store, pid, entry, now=_local("UTC", CUT, 15))
        assert _lines(store, pid) == [("08:00", "0.5", "taken"), ("22:00", "0.5", "due")]
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_local("UTC", CUT, 22))
        assert night.record.amount == _HALF
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {}


def test_a_hold_after_a_go_ahead_keeps_the_dose_before_the_cut_while_the_dose_is_unsaid(
    tmp_path: Path,
) -> None:
    """A go-ahead at 12:00, then a hold at 14:05, with the 08:00 dose to stay on until the
    go-ahead not logged yet: taken, it finishes the day on the dose before the cut, so the
    hold keeps the dose before the cut (it kept the new 0.75 mg: the 08:00 dose could not be
    logged at all, then once it could, tonight was 0.75 mg, 1.25 mg that day, and an
    escalation found against a patient who did as told). The 08:00 dose is then the day's
    plan, logged with its time; tonight 0.5 mg; nothing found."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="go", now=_local("UTC", CUT, 12))
        held = decide_plan(
            store, pid, "hold", by="Dr Lee", reason="wait", now=_local("UTC", CUT, 14, 5)
        )
        assert (held.status, held.held_from) == ("held", CUT - timedelta(days=1))
        assert _lines(store, pid) == [("08:00", "0.5", "due"), ("22:00", "0.5", "due")]
        entry = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        done = log_dose(store, pid, entry, now=_local("UTC", CUT, 15)).record
        assert (done.planned_clock, done.amount) == ("08:00", _HALF)
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_local("UTC", CUT, 22))
        assert night.record.amount == _HALF
        assert above_plan(store.record(pid), CUT + timedelta(days=2)) == {}


def test_a_hold_after_a_go_ahead_on_a_finished_day_keeps_the_dose_before_the_cut(
    tmp_path: Path,
) -> None:
    """The 08:00 dose to stay on logged on time, a go-ahead at 12:00 (the day finishes on the
    dose before the cut), then a hold at 14:05: the hold keeps the person's dose today, the
    dose before the cut (it kept the new 0.75 mg, and tonight made 1.25 mg and an escalation
    found against a patient who did as told)."""
    from taperline.service import decide_plan

    with approved_store(tmp_path, _STEPS) as (store, pid, _url):
        stayed = DoseEntry(day=CUT, planned_clock="08:00", dose_before_cut=True)
        log_dose(store, pid, stayed, now=_local("UTC", CUT, 8, 5))
        decide_plan(store, pid, "proceed", by="Dr Lee", reason="go", now=_local("UTC", CUT, 12))
        held = decide_plan(
            store, pid, "hold", by="Dr Lee", reason="wait", now=_local("UTC", CUT, 14, 5)
        )
        assert (held.status, held.held_from) == ("held", CUT - timedelta(days=1))
        assert _lines(store, pid) == [("08:00", "0.5", "taken"), ("22:00", "0.5", "due")]
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_local("UTC", CUT, 22))
        assert night.record.amount == _HALF
        assert _lines(store, pid, CUT + timedelta(days=1)) == [
            ("08:00", "0.5", "due"), ("22:00", "0.5", "due"),
        ]  # fmt: skip
        assert above_plan(store.record(pid), CUT + timedelta(days=2)) == {}
