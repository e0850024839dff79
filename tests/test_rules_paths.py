"""The rules on the doors other than a new proposal: a stored plan's later edit, a resume after
a hold, an import, and the override mark on every surface that shows a plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from taperline.adapters.fhir import export_bundle, import_bundle
from taperline.adapters.ics import calendar_ics
from taperline.adapters.report import report_html
from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.catalogue_data import load_catalogue
from taperline.cli.main import cli
from taperline.core.plan import Constraints, PlanRequest, propose
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanBasis,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    schedule_on,
)
from taperline.core.regimen import ScheduledDose
from taperline.core.review import review
from taperline.core.strategies import FixedBand, Strategy
from taperline.errors import InputError, SafetyError
from taperline.service import decide_plan, import_record, save_plan, status
from tests.support.db import migrate

START = date(2027, 1, 4)
AT = datetime(2027, 1, 1, 12, tzinfo=UTC)
REASON = "Nardi 2010 regimen, inpatient unit, supervised daily"
CLONAZEPAM = load_catalogue().get("clonazepam")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path}/rules.db")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _person(store: Store) -> int:
    return store.create_person(Profile("Europe/London", "40-64"), at=AT)


def _step(day: int, mg: str) -> RecordStep:
    doses = (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),) if mg != "0" else ()
    return RecordStep(START + timedelta(days=day), doses)


def _dangerous(status: str = "proposed") -> PlanVersion:
    """A version written straight into the store (as an older taperline, or a hand edit,
    could have): 1 mg to 0.5 mg in one step, then stopped from 0.5 mg."""
    steps = (_step(0, "1"), _step(14, "0.5"), _step(28, "0"))
    return PlanVersion(0, status, "clonazepam", "custom", steps, "someone", AT)  # type: ignore[arg-type]


def _percent_plan(store: Store, pid: int) -> PlanVersion:
    request = PlanRequest(
        drug=CLONAZEPAM,
        regimen=(ScheduledDose(22.0, Mass.of_mg(1)),),
        start=START,
        strategy=Strategy(kind="percent", percent=Decimal(10)),
    )
    save_plan(store, pid, propose(request), by="Dr Lee", now=AT)
    return decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=AT)


def _overridden() -> tuple[PlanRequest, str]:
    bands = (
        FixedBand(Mass.of_mg(1), Mass.of_mg("0.5"), 14, "NARDI-2010"),
        FixedBand(Mass.zero(), Mass.of_mg("0.25"), 7, "NARDI-2010"),
    )
    request = PlanRequest(
        drug=CLONAZEPAM,
        regimen=(ScheduledDose(22.0, Mass.of_mg(2)),),
        start=START,
        strategy=Strategy(kind="fixed", bands=bands),
        constraints=Constraints(override_reason=REASON),
    )
    return request, f"outside the guideline by clinician override: {REASON}"


# --- a stored plan's later edit -------------------------------------------------------------


def test_approving_or_adjusting_a_stored_plan_that_breaks_a_rule_is_refused(store: Store) -> None:
    pid = _person(store)
    store.add_plan(pid, _dangerous())
    for action, days in (("approve", None), ("adjust", 7)):
        with pytest.raises(SafetyError, match="a 50 % cut within 14 days") as refused:
            decide_plan(
                store, pid, action, by="Dr Lee", reason="agreed at the visit",  # type: ignore[arg-type]
                now=AT, delay_days=days,
            )  # fmt: skip
        assert "at once" in str(refused.value)  # and the stop from 0.5 mg
    assert [v.version for v in store.plans(pid)] == [1]  # nothing written
    # Holding or rejecting it changes no step, and is allowed.
    decide_plan(store, pid, "reject", by="Dr Lee", reason="unsafe steps, replan", now=AT)


def test_the_cli_refuses_the_same_edit_with_the_same_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    engine = make_engine(url)
    migrate(engine)
    pid = _person(Store(engine))
    Store(engine).add_plan(pid, _dangerous())
    engine.dispose()
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": AT.isoformat()}
    args = ["plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 2
    assert "a 50 % cut within 14 days" in result.stderr
    assert "at once" in result.stderr


def test_a_legacy_override_reason_is_read_from_the_old_notes() -> None:
    steps = (_step(0, "1"), replace(_step(14, "0.5"), note="cap overridden: " + REASON))
    assert PlanBasis.legacy(steps).override_reason == REASON
    assert PlanBasis.legacy(steps[:1]) == PlanBasis()


# --- holds: the held dose, never the next cut -------------------------------------------


def test_a_held_plan_keeps_its_dose_in_status_schedule_and_calendar(store: Store) -> None:
    pid = _person(store)
    active = _percent_plan(store, pid)
    cut = active.steps[1].start  # the first cut (START + 14 days)
    held_on = cut - timedelta(days=3)
    hold_at = datetime.combine(held_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    held = decide_plan(store, pid, "hold", by="Dr Lee", reason="flare after the move", now=hold_at)
    assert held.held_from == held_on
    later = cut + timedelta(days=20)
    assert schedule_on(held, later) == active.steps[0].doses  # still the held 1 mg
    assert held.next_change(later) is None
    now = hold_at + timedelta(days=23)
    today = status(store, pid, now=now)
    assert [d.planned.amount for d in today.doses] == [Mass.of_mg(1)]
    assert today.next_change is None
    ics = calendar_ics(held, store.profile(pid), generated_at=now).decode()
    events = ics.split("BEGIN:VEVENT")[1:]
    changes = [e for e in events if "Dose change" in e]
    # no cut is announced: one a calendar may hold from before the hold is sent cancelled
    assert all("STATUS:CANCELLED" in e for e in changes), changes
    assert "on hold: stay on this dose" in ics
    [dose] = [e for e in ics.split("BEGIN:VEVENT")[1:] if "SUMMARY:clonazePAM 1 mg" in e]
    assert "RRULE:FREQ=DAILY\r\n" in dose  # the held dose goes on, with no end


def test_resuming_a_held_plan_moves_the_coming_steps_by_the_days_held(store: Store) -> None:
    pid = _person(store)
    active = _percent_plan(store, pid)
    cut = active.steps[1].start
    held_on = cut - timedelta(days=3)
    at = datetime.combine(held_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    decide_plan(store, pid, "hold", by="Dr Lee", reason="flare after the move", now=at)
    resumed = decide_plan(
        store, pid, "approve", by="Dr Lee", reason="settled again", now=at + timedelta(days=30)
    )
    assert resumed.status == "active"
    assert resumed.steps[0] == active.steps[0]
    assert [s.start for s in resumed.steps[1:]] == [
        s.start + timedelta(days=30) for s in active.steps[1:]
    ]
    # No cut fell due during the hold: the first one comes 3 days after the resumption.
    assert resumed.steps[1].start == held_on + timedelta(days=33)


# --- imports ----------------------------------------------------------------------------------


def _record(version: PlanVersion) -> PersonRecord:
    return PersonRecord(Profile("Europe/London", "40-64"), plans=(replace(version, version=1),))


def test_an_imported_plan_that_breaks_a_rule_is_refused_and_nothing_is_stored(
    store: Store,
) -> None:
    bundle = export_bundle(_record(_dangerous("active")), (), generated_at=AT)
    record = import_bundle(bundle)
    with pytest.raises(SafetyError, match="plan version 1 of the import breaks a safety rule"):
        import_record(store, record)
    assert store.person_ids() == []


def test_the_cli_import_refuses_it_too(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(export_bundle(_record(_dangerous("active")), (), generated_at=AT)))
    env = {"TAPERLINE_DATABASE_URL": f"sqlite:///{tmp_path}/import.db"}
    result = CliRunner().invoke(cli, ["import", "fhir", str(path)], env=env)
    assert result.exit_code == 2, result.stdout
    assert "breaks a safety rule" in result.stderr
    assert "at once" in result.stderr


def test_a_rejected_imported_proposal_is_history_and_kept(store: Store) -> None:
    record = import_bundle(export_bundle(_record(_dangerous("rejected")), (), generated_at=AT))
    pid = import_record(store, record)
    assert [v.status for v in store.plans(pid)] == ["rejected"]


# --- the override mark on every surface ---------------------------------------------------


def test_an_overridden_plan_is_marked_in_storage_fhir_calendar_and_report(store: Store) -> None:
    request, mark = _overridden()
    plan = propose(request)
    assert plan.mark == mark
    pid = _person(store)
    save_plan(store, pid, plan, by="Dr Lee", now=AT)
    version = decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=AT)
    assert version.mark == mark
    assert version.basis.outside_guideline  # what the override allowed, stored with it
    record = store.record(pid)
    bundle = export_bundle(record, (), generated_at=AT)
    notes = [
        n["text"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationRequest"
        for n in e["resource"].get("note", [])
    ]
    assert f"Outside the guideline by clinician override: {REASON}" in notes
    back = import_bundle(bundle)
    assert back.plans == record.plans  # the basis and the step notes come back exactly
    ics = calendar_ics(version, record.profile, generated_at=AT).decode()
    assert "Outside the guideline by clinician override" in ics.replace("\r\n ", "")
    html = report_html(record, review(record, START), start=None, end=None, today=START,
                       generated_at=AT)  # fmt: skip
    assert "Outside the guideline by clinician override" in html
    assert REASON in html


def test_the_cli_table_and_json_show_the_mark(tmp_path: Path) -> None:
    args = [
        "plan", "clonazepam", "--dose", "2 mg", "--at", "22:00", "--start", "2027-01-04",
        "--strategy", "fixed", "--bands", "1 mg:0.5 mg/14d, 0 mg:0.25 mg/7d",
        "--override-reason", REASON,
    ]  # fmt: skip
    env = {"TAPERLINE_NOW": AT.isoformat()}
    table = CliRunner().invoke(cli, args, env=env)
    assert table.exit_code == 0, table.stderr
    assert f"Outside the guideline by clinician override: {REASON}" in " ".join(
        table.stdout.split()
    )
    document = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"], env=env).stdout)
    assert document["guideline"]["mark"] == f"outside the guideline by clinician override: {REASON}"
    assert document["guideline"]["outside_guideline"]
    assert document["assumptions"]["override"] == document["guideline"]["mark"]
    overridden = [s for s in document["steps"] if "outside the guideline" in s["note"]]
    assert overridden
    assert all(s["source"] == "clinician override" for s in overridden)


# --- from the adversarial review: the change from today's dose, decisions, imports ------


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def _propose(store: Store, pid: int, mg: str, start: date, now: datetime) -> PlanVersion:
    request = PlanRequest(
        drug=CLONAZEPAM,
        regimen=(ScheduledDose(22.0, Mass.of_mg(mg)),),
        start=start,
        strategy=Strategy(kind="percent", percent=Decimal(10)),
    )
    return save_plan(store, pid, propose(request), by="Dr Lee", now=now)


def test_approving_a_new_plan_never_jumps_from_today_s_dose(store: Store) -> None:
    pid = _person(store)
    _propose(store, pid, "2", START, AT)
    decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=AT)
    day = START + timedelta(days=20)  # on 1.75 mg since the first cut
    _propose(store, pid, "0.25", day, _at(day))
    taken = rf"would change the dose taken on {day.isoformat()} \(1\.75 mg a day, by version 2\)"
    with pytest.raises(SafetyError, match=taken):
        decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(day))
    decide_plan(store, pid, "reject", by="Dr Lee", reason="too fast, replan", now=_at(day))
    _propose(store, pid, "4", day, _at(day))
    with pytest.raises(SafetyError, match="increases the dose"):
        decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(day))
    assert [v.status for v in store.plans(pid)][-1] == "proposed"  # nothing approved


def test_a_plan_approved_before_its_start_follows_on_from_today(store: Store) -> None:
    pid = _person(store)
    _propose(store, pid, "1", START, AT)
    decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=AT)
    day = START + timedelta(days=3)  # still 1 mg
    _propose(store, pid, "1", day + timedelta(days=10), _at(day))
    new = decide_plan(store, pid, "approve", by="Dr Lee", reason="a gentler plan", now=_at(day))
    assert new.steps[0].start == day  # no gap: the regimen is followed from today
    assert schedule_on(new, day + timedelta(days=5)) == new.steps[0].doses


def test_a_stale_proposal_approved_later_starts_its_cuts_after_the_approval(store: Store) -> None:
    pid = _person(store)
    proposal = _propose(store, pid, "2", START, AT)
    later = START + timedelta(days=180)
    new = decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at last", now=_at(later))
    assert schedule_on(new, later)[0].amount == Mass.of_mg(2)  # still the dose proposed
    assert new.steps[1].start == later + (proposal.steps[1].start - START)


def test_hold_acts_on_the_plan_in_force_never_on_a_proposal(store: Store) -> None:
    pid = _person(store)
    active = _percent_plan(store, pid)
    _propose(store, pid, "1", START, AT)  # a new proposal, not yet approved
    held = decide_plan(store, pid, "hold", by="Dr Lee", reason="flare after the move", now=AT)
    assert held.parent_version == active.version
    assert held.steps == active.steps  # the plan followed, not the proposal
    decide_plan(store, pid, "approve", by="Dr Lee", reason="settled again", now=AT)
    _propose(store, pid, "1", START, AT)
    decide_plan(store, pid, "reject", by="Dr Lee", reason="not needed after all", now=AT)
    again = decide_plan(store, pid, "hold", by="Dr Lee", reason="another flare", now=AT)
    assert again.status == "held"  # a rejected proposal does not block holding the plan


def _bundle_with(version: PlanVersion, profile: Profile) -> PersonRecord:
    return import_bundle(
        export_bundle(
            PersonRecord(profile, plans=(replace(version, version=1),)), (), generated_at=AT
        )
    )


@pytest.mark.parametrize(
    ("basis", "steps", "conditions", "fragment"),
    [
        (  # a claimed 1 mg smallest dose does not allow a stop from 1 mg
            PlanBasis(smallest_doses=(("clonazepam", Mass.of_mg(1)),)),
            ((0, "1"), (14, "0")),
            (),
            "at once",
        ),
        (  # a claimed seizure indication does not raise the maximum for a panic patient
            PlanBasis(indication="seizure"),
            ((0, "10"),),
            ("panic disorder",),
            "daily maximum of 4 mg",
        ),
        (  # a junk override reason overrides nothing
            PlanBasis(override_reason="x"),
            ((0, "1"), (14, "0.5")),
            (),
            "a 50 % cut within 14 days",
        ),
    ],
)
def test_an_import_cannot_claim_its_way_round_a_rule(
    store: Store,
    basis: PlanBasis,
    steps: tuple[tuple[int, str], ...],
    conditions: tuple[str, ...],
    fragment: str,
) -> None:
    version = PlanVersion(
        1, "active", "clonazepam", "custom", tuple(_step(d, mg) for d, mg in steps), "x", AT,
        basis=basis,
    )  # fmt: skip
    record = _bundle_with(version, Profile("Europe/London", "40-64", conditions))
    with pytest.raises(SafetyError, match=fragment):
        import_record(store, record, now=AT)
    assert store.person_ids() == []


def test_an_import_refuses_a_hold_from_the_future_and_people_under_18(store: Store) -> None:
    held = replace(_dangerous("held"), steps=(_step(0, "1"),), held_from=START + timedelta(days=90))
    with pytest.raises(InputError, match="held from"):
        import_record(store, _bundle_with(held, Profile("Europe/London", "40-64")), now=AT)
    plan = replace(_dangerous("active"), steps=(_step(0, "1"),))
    with pytest.raises(SafetyError, match="under 18"):
        import_record(store, _bundle_with(plan, Profile("Europe/London", "under 18")), now=AT)
    assert store.person_ids() == []


def test_an_import_may_name_the_drug_by_its_brand(store: Store) -> None:
    steps = tuple(
        RecordStep(s.start, tuple(replace(d, drug="Klonopin") for d in s.doses))
        for s in (_step(0, "1"), _step(14, "0.875"))
    )
    version = PlanVersion(1, "active", "Klonopin", "custom", steps, "x", AT)
    pid = import_record(store, _bundle_with(version, Profile("Europe/London", "40-64")), now=AT)
    assert store.plans(pid)[0].drug == "Klonopin"


# --- from the second review -------------------------------------------------------------------


def _propose_with(
    store: Store, pid: int, drug: str, mg: str, start: date, now: datetime, reason: str = ""
) -> PlanVersion:
    request = PlanRequest(
        drug=load_catalogue().get(drug),
        regimen=(ScheduledDose(22.0, Mass.of_mg(mg)),),
        start=start,
        strategy=Strategy(kind="percent", percent=Decimal(10)),
        constraints=Constraints(override_reason=reason) if reason else Constraints(),
    )
    return save_plan(store, pid, propose(request), by="Dr Lee", now=now)


def test_a_plan_replaced_on_the_day_it_began_is_checked_against_its_dose(store: Store) -> None:
    pid = _person(store)
    _propose(store, pid, "2", START, _at(START))
    decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(START))
    _propose(store, pid, "0.25", START, _at(START))
    later = _at(START) + timedelta(hours=1)
    with pytest.raises(SafetyError, match=r"\(2 mg a day, by version 2\)"):
        decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=later)
    decide_plan(store, pid, "reject", by="Dr Lee", reason="too fast, replan", now=later)
    _propose_with(store, pid, "clonazepam", "4", START, later)
    with pytest.raises(SafetyError, match="increases the dose"):
        decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=later)


def test_an_override_that_allows_the_change_on_approval_marks_the_plan(store: Store) -> None:
    pid = _person(store)
    _propose(store, pid, "1", START, _at(START))
    decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(START))
    day = START + timedelta(days=5)
    proposal = _propose_with(store, pid, "clonazepam", "0.5", day, _at(day), reason=REASON)
    assert proposal.basis.mark == ""  # the proposal on its own keeps to the guideline
    new = decide_plan(
        store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(day)
    )
    assert new.basis.mark == f"outside the guideline by clinician override: {REASON}"
    assert any(line.startswith("the change from version 2") for line in new.basis.outside_guideline)
    # A later edit keeps the line (it cannot be worked out from the new steps alone).
    adjusted = decide_plan(
        store, pid, "adjust", by="Dr Lee", reason="a week more", now=_at(day), delay_days=7
    )
    assert adjusted.basis.mark == new.basis.mark


def test_a_plan_of_another_drug_is_checked_by_every_equivalence(store: Store) -> None:
    pid = _person(store)
    _propose(store, pid, "1", START, _at(START))
    decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(START))
    day = START + timedelta(days=5)
    _propose_with(store, pid, "diazepam", "10", day, _at(day))
    with pytest.raises(SafetyError, match="a 50 % cut"):  # 1 mg -> diazepam 10 mg, by Ashton
        decide_plan(store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(day))
    decide_plan(store, pid, "reject", by="Dr Lee", reason="too fast, replan", now=_at(day))
    _propose_with(store, pid, "diazepam", "20", day, _at(day))
    new = decide_plan(
        store, pid, "approve", by="Dr Lee", reason="agreed at the visit", now=_at(day)
    )
    assert new.status == "active"


def test_a_held_plan_is_resumed_after_a_later_proposal_was_rejected(store: Store) -> None:
    pid = _person(store)
    active = _percent_plan(store, pid)
    decide_plan(store, pid, "hold", by="Dr Lee", reason="flare after the move", now=AT)
    _propose(store, pid, "1", START, AT)
    decide_plan(store, pid, "reject", by="Dr Lee", reason="not needed after all", now=AT)
    resumed = decide_plan(store, pid, "approve", by="Dr Lee", reason="settled again", now=AT)
    assert resumed.status == "active"
    assert resumed.parent_version == active.version + 1  # the held version


def test_an_import_checks_the_change_from_one_version_to_the_next(store: Store) -> None:
    first = PlanVersion(
        1, "active", "clonazepam", "custom", (_step(-30, "2"),), "x", AT - timedelta(days=30),
        decided_at=AT - timedelta(days=30),
    )  # fmt: skip
    second = PlanVersion(
        2, "active", "clonazepam", "custom", (_step(0, "0.125"), _step(20, "0")), "x", AT,
        decided_at=AT, parent_version=1,
    )  # fmt: skip
    record = import_bundle(
        export_bundle(PersonRecord(Profile("Europe/London", "40-64"), plans=(first, second)), (),
                      generated_at=AT)
    )  # fmt: skip
    with pytest.raises(SafetyError, match="plan version 2 of the import"):
        import_record(store, record, now=AT)
    assert store.person_ids() == []


def test_a_held_plan_s_review_expects_the_held_dose(store: Store) -> None:
    pid = _person(store)
    active = _percent_plan(store, pid)
    first_cut = active.steps[1].start
    hold_day = first_cut - timedelta(days=3)
    decide_plan(store, pid, "hold", by="Dr Lee", reason="flare after the move", now=_at(hold_day))
    for offset in range(-5, 25):
        day = first_cut + timedelta(days=offset)
        taken = datetime.combine(day, datetime.min.time()) + timedelta(hours=22)
        one = Mass.of_mg(1)
        store.log_dose(pid, DoseRecord(day, "clonazepam", "22:00", one, taken, one))
    found = review(store.record(pid), first_cut + timedelta(days=24))
    assert not [f for f in found.findings if f.kind == "escalation"]
