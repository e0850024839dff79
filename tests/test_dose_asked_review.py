"""An adversarial review of "each dose-log line keeps what the person was asked" (d40db26,
ffdda5b, d4210c2, ab2b924).

While the readiness check holds a cut and no clinician has answered, the patient is told to
stay on the dose before it; the review must not call that dose "more taken than planned", but
must still flag a dose above a cut that went ahead. Each test here is one way tried to walk
round that rule (or to mislead the patient or the clinician) through a door the person uses;
those marked xfail are defects left for a change larger than a fix here, with the reason.

The CLI's plan (tests/support/held_cut.py's ``a_plan_approved``): a person in London on
1 mg at 22:00, a 10 % cut every 14 days from 4 Jan 2027 (0.875 mg from 18 Jan), approved on
3 Jan, before the cut's window opens (so the approval answers no held cut).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, Profile
from taperline.service import open_store
from taperline.service.journal import DoseEntry, log_dose, remove_dose
from tests.support.dose_asked import week_of_checkins
from tests.support.held_cut import (
    CUT,
    a_plan_approved,
    above_plan,
    above_plan_cli,
    dose_taken,
    held_cut_site,
    plan_version,
    run_cli,
    step,
)

_QUICK = ("--quick", "--slept", "6h30", "--quality", "3", "--mood", "6", "--anxiety", "4")


def _checked_in_before_the_cut(tmp_path: Path) -> str:
    """The plan, and a check-in every morning of the week before the 18 Jan cut: Proceed."""
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    for day in range(12, 18):
        assert run_cli(url, "checkin", *_QUICK, now=f"2027-01-{day}T08:00+00:00").exit_code == 0
    status = run_cli(url, "status", now="2027-01-18T21:55+00:00")
    assert "Before the dose change: Proceed" in status.output
    return url


def _delete_the_check_ins(url: str, now: str) -> None:
    for day in range(12, 18):
        assert run_cli(url, "journal", "delete", f"2027-01-{day}", "--yes", now=now).exit_code == 0


_ESCALATED = {
    "escalation": ["2027-01-18", "2027-01-19", "2027-01-20"],
    "large_dose": ["2027-01-18", "2027-01-19", "2027-01-20"],
}


# --- the CLI: a dose above a cut that went ahead, logged another way ------------------------


def test_a_missed_planned_dose_and_an_extra_one_above_a_cut_that_went_ahead_stay_more(
    tmp_path: Path,
) -> None:
    """The cut went ahead; each night the planned 0.875 mg is logged missed and 1 mg as an
    extra dose. Deleting the week's check-ins afterwards must not make those days held."""
    url = _checked_in_before_the_cut(tmp_path)
    for day in range(18, 21):
        now = f"2027-01-{day}T22:05+00:00"
        assert run_cli(url, "log-dose", "--missed", now=now).exit_code == 0
        extra = ("log-dose", "--extra", "--amount", "1 mg", "--confirm")
        assert run_cli(url, *extra, now=now).exit_code == 0
    later = "2027-01-21T08:00+00:00"
    assert above_plan_cli(url, later) == _ESCALATED
    _delete_the_check_ins(url, later)
    assert above_plan_cli(url, later) == _ESCALATED


def test_an_extra_dose_alone_above_a_cut_that_went_ahead_stays_more(tmp_path: Path) -> None:
    """The cut went ahead; 1 mg logged each night as an extra dose, the planned one not logged."""
    url = _checked_in_before_the_cut(tmp_path)
    for day in range(18, 21):
        extra = ("log-dose", "--extra", "--amount", "1 mg", "--confirm")
        assert run_cli(url, *extra, now=f"2027-01-{day}T22:05+00:00").exit_code == 0
    later = "2027-01-21T08:00+00:00"
    assert above_plan_cli(url, later) == _ESCALATED
    _delete_the_check_ins(url, later)
    assert above_plan_cli(url, later) == _ESCALATED


@pytest.mark.xfail(
    strict=True,
    reason="a line logged for a past day is asked of the record as it is when logged: with the"
    " week's check-ins and the lines themselves deleted first, what was asked then is gone from"
    " the store (kept only as the audit log's text), so the lines logged again say 'held';"
    " keeping it needs the removed lines' asks or the check-ins' written times, not a fix here",
)
def test_removing_and_logging_again_a_dose_above_a_cut_that_went_ahead_stays_more(
    tmp_path: Path,
) -> None:
    """1 mg logged each night above the cut that went ahead; the next morning the week's
    check-ins and the three lines are deleted and the three doses logged again."""
    url = _checked_in_before_the_cut(tmp_path)
    for day in range(18, 21):
        now = f"2027-01-{day}T22:05+00:00"
        assert run_cli(url, "log-dose", "--amount", "1 mg", "--confirm", now=now).exit_code == 0
    later = "2027-01-21T08:00+00:00"
    assert above_plan_cli(url, later) == _ESCALATED
    _delete_the_check_ins(url, later)
    store = open_store(url)
    for line in store.doses(1, None, None):  # as the journal's remove does
        remove_dose(store, 1, line.day, planned_clock=line.planned_clock)
    for day in range(18, 21):
        again = ("log-dose", "--date", f"2027-01-{day}", "--planned", "22:00", "--time", "22:05")
        assert run_cli(url, *again, "--amount", "1 mg", "--confirm", now=later).exit_code == 0
    assert above_plan_cli(url, later) == _ESCALATED


@pytest.mark.xfail(
    strict=True,
    reason="a dose logged after its day is asked of the record as it is then: the cut day's"
    " check-in entered the next morning, before last night's dose, makes the 1 mg taken as"
    " the status told 'more than planned' (defect 4 through a late line); the store keeps no"
    " time a check-in was written, so what the status said that night cannot be read back",
)
def test_last_night_s_dose_logged_after_the_morning_s_late_check_in_is_as_told(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    assert run_cli(url, "checkin", *_QUICK, now="2027-01-15T08:00+00:00").exit_code == 0
    status = run_cli(url, "status", now="2027-01-18T21:55+00:00")
    assert "stay on 1 mg" in status.output  # one check-in in the week: Hold, stay on 1 mg
    late = "2027-01-19T08:00+00:00"
    assert run_cli(url, "checkin", "--date", "2027-01-18", *_QUICK, now=late).exit_code == 0
    logged = run_cli(url, "log-dose", "--amount", "1 mg", "--time", "22:05", now=late)
    assert logged.exit_code == 0, logged.stderr  # last night's dose, as the status told
    assert above_plan_cli(url, late) == {}


# --- what a line keeps on the days a held cut did not change every dose ---------------------


def test_a_dose_the_held_cut_did_not_change_keeps_the_day_held(tmp_path: Path) -> None:
    """0.5 mg at 08:00 and 22:00; the first cut (went ahead) halves the 08:00 dose, the
    second (held: no check-ins the week before it, nobody answered) the 22:00 dose. On the
    second cut's day the 08:00 line was kept as 'the cut went ahead' (its dose is not the held
    cut's), which took the day out of the held days: the 22:00 dose stayed on as told (here
    logged as an extra dose) was then 'more than planned'."""
    store = open_store(f"sqlite:///{tmp_path}/t.db")
    pid = store.create_person(Profile("UTC"), at=datetime(2027, 11, 20, tzinfo=UTC))
    first = CUT - timedelta(days=7)
    steps = (
        step(date(2027, 12, 1), ("08:00", "0.5"), ("22:00", "0.5")),
        step(first, ("08:00", "0.25"), ("22:00", "0.5")),
        step(CUT, ("08:00", "0.25"), ("22:00", "0.25")),
    )
    plan = replace(plan_version(steps=steps), version=1, status="proposed", decided_by=None,
                   decided_at=None)  # fmt: skip
    store.add_plan(pid, plan)
    store.decide(pid, "approve", by="Dr Lee", reason="agreed",
                 at=datetime(2027, 11, 30, 9, tzinfo=UTC))  # fmt: skip
    for checkin in week_of_checkins(first - timedelta(days=1), date(2027, 11, 24)):
        store.save_checkin(pid, checkin)

    def at(hour: int) -> datetime:
        return datetime.combine(CUT, datetime.min.time(), tzinfo=UTC).replace(hour=hour)

    morning = log_dose(store, pid, DoseEntry(day=CUT, planned_clock="08:00"), now=at(8))
    assert morning.record.amount == Mass.of_mg("0.25")
    assert (morning.record.cut_checked, morning.record.stay_on_before) == (True, CUT)
    extra = DoseEntry(day=CUT, amount=Mass.of_mg("0.5"), taken_at=at(22).replace(tzinfo=None))
    log_dose(store, pid, extra, now=at(22))
    assert above_plan(store.record(pid), CUT) == {}


# --- the web's doors: the missed tap, an extra dose removed and put back, an API retry -------


def test_the_web_keeps_what_was_asked_with_a_missed_tap_and_an_extra_dose(tmp_path: Path) -> None:
    """At a held cut: the missed tap and an extra dose (POST /api/doses) keep 'held on the
    cut' as the planned dose's line does, and 1 mg, the dose to stay on, is not 'more than
    the 0.875 mg planned' to confirm; the extra one, removed in the journal and put back, is
    the same line, and its undo with 'asked' changed is refused."""
    from tests.support.web import hidden_fields

    with held_cut_site(tmp_path) as (site, web, pid):
        site.clock.advance(hours=10, minutes=5)  # the cut's day, 22:05 in London
        assert web.signin("ann@example.org").status_code == 303  # the session timed out
        cut = site.clock.today
        assert web.post("/doses/taken", {"clock": "22:00", "status": "missed"}).status_code == 303
        body = {"date": cut.isoformat(), "taken_at": f"{cut.isoformat()}T22:03", "amount_mg": 1}
        assert web.client.post("/api/doses", json=body).status_code == 201
        missed, extra = site.services.store.doses(pid)
        assert (missed.planned_clock, missed.amount) == ("22:00", None)
        assert extra.planned_clock is None
        assert [(d.cut_checked, d.stay_on_before) for d in (missed, extra)] == [(True, cut)] * 2
        removed = web.post(
            "/journal/doses/remove",
            {"day": cut.isoformat(), "planned_clock": "", "taken_at": f"{cut.isoformat()}T22:03"},
        )
        assert removed.status_code == 200, removed.text
        undo = hidden_fields(removed.text, 'action="/journal/doses/restore"')
        assert undo["asked"] == cut.isoformat()
        refused = web.post("/journal/doses/restore", {**undo, "asked": "ahead"})
        assert refused.status_code == 422
        assert web.post("/journal/doses/restore", undo).status_code == 303
        assert site.services.store.doses(pid) == [missed, extra]


def test_an_api_retry_after_the_clinician_answered_keeps_the_first_line(tmp_path: Path) -> None:
    """The same Idempotency-Key sent again after a proceed: the line stored at the held cut,
    held, nothing written twice and nothing asked again."""
    with held_cut_site(tmp_path) as (site, web, pid):
        cut = site.clock.today
        body = {"date": cut.isoformat(), "planned_time": "22:00", "amount_mg": 1,
                "taken_at": f"{cut.isoformat()}T11:55"}  # fmt: skip
        headers = {"Idempotency-Key": "phone-1"}
        first = web.client.post("/api/doses", json=body, headers=headers)
        assert first.status_code == 201, first.text
        site.services.store.decide(pid, "proceed", by="Dr Test", reason="seen",
                                   at=site.clock.now)  # fmt: skip
        again = web.client.post("/api/doses", json=body, headers=headers)
        assert again.status_code == 201, again.text
        assert again.json() == {**first.json(), "created": False}
        (line,) = site.services.store.doses(pid)
        assert (line.amount, line.cut_checked, line.stay_on_before) == (Mass.of_mg(1), True, cut)


# --- old rows: the migration 0011 up and down, and a line from before it ---------------------


def test_0011_down_and_up_keeps_every_dose_line_and_reads_old_rows_as_not_known(
    db_url: str,
) -> None:
    """Down to 0010 a line keeps every other value and the revision triggers still bump;
    up again it reads as a line from before (nothing known of what was asked), and a line
    written at 0010 reads the same: its day is as the record reads now, as before."""
    import sqlalchemy as sa

    from taperline.adapters.storage.db import downgrade, make_engine, migrate
    from taperline.adapters.storage.repo import Store

    engine = make_engine(db_url)
    try:
        migrate(engine)
        store = Store(engine)
        pid = store.create_person(Profile("UTC"), at=datetime(2027, 11, 28, tzinfo=UTC))
        at = datetime(2027, 12, 15, 22, 5)  # noqa: DTZ001 -- the dose log's local wall clock
        held = DoseRecord(CUT, "clonazepam", "22:00", Mass.of_mg("0.875"), at, Mass.of_mg(1),
                          cut_checked=True, stay_on_before=CUT)  # fmt: skip
        store.log_dose(pid, held, idempotency_key="k-1")

        def rows() -> list[dict[str, object]]:
            with engine.connect() as c:
                found = c.execute(sa.text("SELECT * FROM dose_log ORDER BY id"))
                return [dict(r._mapping) for r in found]

        def revision() -> int:
            with engine.connect() as c:
                query = sa.text("SELECT doses_revision FROM persons WHERE id = :p")
                return int(c.execute(query, {"p": pid}).scalar_one())

        before = rows()
        assert store.doses(pid) == [held]
        downgrade(engine, "0010_device_sleep")
        kept = [{k: v for k, v in r.items() if k not in {"cut_checked", "stay_on_before"}}
                for r in before]  # fmt: skip
        assert rows() == kept
        bumped = revision()
        with engine.begin() as c:  # a line written by the code of 0010 (its columns only)
            c.execute(
                sa.text(
                    "INSERT INTO dose_log (person_id, day, drug, planned_clock,"
                    " planned_amount_mg, taken_at_utc, amount_mg, time_zone, units, note,"
                    " created_at_utc) SELECT person_id, day + 1, drug, planned_clock,"
                    " planned_amount_mg, taken_at_utc, amount_mg, time_zone, units, note,"
                    " created_at_utc FROM dose_log WHERE id = :i"
                )
                if engine.dialect.name == "postgresql"
                else sa.text(
                    "INSERT INTO dose_log (person_id, day, drug, planned_clock,"
                    " planned_amount_mg, taken_at_utc, amount_mg, time_zone, units, note,"
                    " created_at_utc) SELECT person_id, date(day, '+1 day'), drug,"
                    " planned_clock, planned_amount_mg, taken_at_utc, amount_mg, time_zone,"
                    " units, note, created_at_utc FROM dose_log WHERE id = :i"
                ),
                {"i": before[0]["id"]},
            )
        assert revision() > bumped
        migrate(engine)
        first, second = store.doses(pid)
        assert first == replace(held, cut_checked=False, stay_on_before=None)
        assert (second.day, second.cut_checked, second.stay_on_before) == (
            CUT + timedelta(days=1),
            False,
            None,
        )
        assert {k: v for k, v in rows()[0].items() if k not in {"cut_checked", "stay_on_before"}
                } == kept[0]  # fmt: skip
    finally:
        engine.dispose()


# --- a whole record moved by FHIR, and a plan decided again after the held days ---------------


def test_a_record_moved_by_fhir_keeps_the_doses_above_a_cut_that_went_ahead(
    tmp_path: Path,
) -> None:
    """The bundle carries 'the cut went ahead' of each line (never that a day was held: a
    file a person can edit must not excuse a dose), so with the week's check-ins deleted
    before the move, the doses above the cut are still a finding on the new server."""
    url = _checked_in_before_the_cut(tmp_path)
    for day in range(18, 21):
        now = f"2027-01-{day}T22:05+00:00"
        assert run_cli(url, "log-dose", "--amount", "1 mg", "--confirm", now=now).exit_code == 0
    later = "2027-01-21T08:00+00:00"
    _delete_the_check_ins(url, later)
    assert above_plan_cli(url, later) == _ESCALATED  # on this server (d40db26)
    bundle = tmp_path / "bundle.json"
    exported = run_cli(url, "export", "fhir", "--history", "--out", str(bundle), now=later)
    assert exported.exit_code == 0, exported.stderr
    moved = f"sqlite:///{tmp_path}/moved.db"
    imported = run_cli(moved, "import", "fhir", str(bundle), now=later)
    assert imported.exit_code == 0, imported.stderr
    lines = open_store(moved).doses(1, None, None)
    assert [(d.amount, d.cut_checked, d.stay_on_before) for d in lines] == [
        (Mass.of_mg(1), True, None)
    ] * 3
    assert above_plan_cli(moved, later) == _ESCALATED


def test_held_days_stay_excused_after_the_plan_is_held_and_decided_again(tmp_path: Path) -> None:
    """1 mg as told on the held cut's first two days; the clinician holds the plan on the
    20th and approves it again on the 22nd (new versions after the lines were logged): the
    two days are still no finding, and 1 mg above the 0.875 mg since the approval is."""
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    for day in (18, 19):
        now = f"2027-01-{day}T22:05+00:00"
        assert run_cli(url, "log-dose", "--amount", "1 mg", now=now).exit_code == 0
    hold = ("plan", "hold", "--by", "Dr Lee", "--reason", "a pause")
    assert run_cli(url, *hold, now="2027-01-20T09:00+00:00").exit_code == 0
    resume = ("plan", "approve", "--by", "Dr Lee", "--reason", "go on")
    assert run_cli(url, *resume, now="2027-01-22T09:00+00:00").exit_code == 0
    assert above_plan_cli(url, "2027-01-22T10:00+00:00") == {}
    late = "2027-01-23T22:05+00:00"
    assert run_cli(url, "log-dose", "--amount", "1 mg", "--confirm", now=late).exit_code == 0
    above = above_plan_cli(url, late)
    assert above.get("escalation") == ["2027-01-23"], above


# --- midnight, and two lines of one day that disagree ---------------------------------------


def test_last_night_s_held_dose_logged_after_midnight_keeps_its_own_day(tmp_path: Path) -> None:
    """00:30 in London on the 19th: the dose matched is the 18th's 22:00 (the cut's day, held)."""
    url = f"sqlite:///{tmp_path}/t.db"
    a_plan_approved(url)
    after_midnight = "2027-01-19T00:30+00:00"
    refused = run_cli(url, "log-dose", now=after_midnight)
    assert refused.exit_code == 2  # its amount is the person's to say
    logged = run_cli(url, "log-dose", "--amount", "1 mg", "--time", "22:05", now=after_midnight)
    assert logged.exit_code == 0, logged.stderr
    (line,) = open_store(url).doses(1, None, None)
    assert (line.day, line.cut_checked, line.stay_on_before) == (
        date(2027, 1, 18),
        True,
        date(2027, 1, 18),
    )
    assert above_plan_cli(url, after_midnight) == {}


def test_two_lines_of_a_day_that_disagree_give_the_same_days_in_any_order() -> None:
    """08:00 logged held, 22:00 logged after a check-in made the cut go ahead: the day is held
    whichever line comes first, and more than the dose before the cut is still more."""
    from taperline.core.readiness import held_days
    from taperline.core.record import PersonRecord
    from taperline.core.review import review
    from tests.support.dose_asked import asked

    steps = (
        step(date(2027, 12, 1), ("08:00", "0.5"), ("22:00", "0.5")),
        step(CUT, ("08:00", "0.25"), ("22:00", "0.5")),
    )
    plan = plan_version(steps=steps)
    held = asked(dose_taken(CUT, "0.25", "0.5", "08:00"), CUT)
    for ahead_mg, found in (("0.5", None), ("0.75", [CUT])):
        ahead = asked(dose_taken(CUT, "0.5", ahead_mg, "22:00"), None)
        spans = set()
        for lines in ((held, ahead), (ahead, held)):
            record = PersonRecord(Profile("UTC"), doses=lines, plans=(plan,))
            spans.add(held_days(record, CUT, review(record, CUT)))
            assert above_plan(record, CUT).get("escalation") == found, (ahead_mg, lines)
        assert len(spans) == 1


def test_an_extra_dose_s_undo_sent_twice_puts_it_back_once(tmp_path: Path) -> None:
    """A planned dose's undo sent twice is refused (409); an extra dose has no planned time to
    conflict on, and was stored twice: a dose the person took once, twice in the log (and in
    the day's total the review compares). Removed again, its undo puts it back again."""
    from tests.support.web import hidden_fields

    with held_cut_site(tmp_path) as (site, web, pid):
        site.clock.advance(hours=10, minutes=5)  # 22:05 in London
        assert web.signin("ann@example.org").status_code == 303
        day = site.clock.today.isoformat()
        body = {"date": day, "taken_at": f"{day}T22:03", "amount_mg": 0.25}
        assert web.client.post("/api/doses", json=body).status_code == 201
        (extra,) = site.services.store.doses(pid)
        where = {"day": day, "planned_clock": "", "taken_at": f"{day}T22:03"}
        for _ in range(2):
            removed = web.post("/journal/doses/remove", where)
            assert removed.status_code == 200, removed.text
            undo = hidden_fields(removed.text, 'action="/journal/doses/restore"')
            assert web.post("/journal/doses/restore", undo).status_code == 303
            assert web.post("/journal/doses/restore", undo).status_code == 303  # sent again
            assert site.services.store.doses(pid) == [extra]
        restores = [e for e in site.services.accounts.audit_of(pid) if e.action == "restore"]
        assert len(restores) == 2  # one a removal, not one a post
