"""A dose far from the plan is an urgent finding for the clinician (issue 16, section 3).

Logging refuses, unless confirmed, an amount that takes the day above the daily maximum for
the person's indication (the lowest when it is not known) [LABEL, SEED-AURA] or one dose
above the plan's total for the whole day. Once stored, by whatever door (the CLI, the web,
the API, a CSV or FHIR import), it is the ``large_dose`` finding: urgent, for the clinician,
found from the dose log itself. Properties of the review over any record, the service's
refusal and the finding agreeing, and the CLI: ``log-dose --confirm`` and ``import csv``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.catalogue_data import load_catalogue
from taperline.core.findings import (
    FINDING_KIND_LABELS,
    Finding,
    find_large_doses,
    propose_next_step,
)
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    schedule_on,
)
from taperline.core.review import Review, review
from taperline.core.screening import indication_of
from taperline.errors import ConfirmationNeededError
from taperline.service import DoseEntry, build_today, log_dose
from taperline.service.store import review_as_of
from taperline.web.clinical import _row
from taperline.web.views import build_dashboard, finding_markers
from tests.strategies import person_records, wall_clock
from tests.support.journal_cli import PLAN, PLANNED, Taperline, refused

CATALOGUE = load_catalogue()
START = date(2027, 3, 1)
TODAY = date(2027, 3, 8)
_AT = datetime(2027, 2, 1, tzinfo=UTC)

#: What a person may have typed as their conditions, and the daily maximum of clonazepam
#: that follows: 20 mg for a seizure disorder, 4 mg for panic disorder and for sleep, and
#: the lowest (4 mg) when the reason is not known [LABEL, SEED-AURA].
CONDITIONS: dict[tuple[str, ...], Decimal] = {
    ("epilepsy",): Decimal(20),
    ("panic disorder",): Decimal(4),
    ("insomnia",): Decimal(4),
    ("back pain",): Decimal(4),
    (): Decimal(4),
}
#: The drug as people write it: one drug whatever the case or the brand name.
SPELLINGS = ("clonazepam", "Clonazepam", "Klonopin")


def _large(result: Review) -> list[Finding]:
    return [f for f in result.findings if f.kind == "large_dose"]


def _reviewed(record: PersonRecord, today: date = TODAY) -> Review:
    return review(record, today, catalogue=CATALOGUE)


# --- the review: properties ---------------------------------------------------------------

amounts_mg = st.sampled_from(["0.125", "0.25", "0.5", "1", "2", "3", "4.5", "10", "21"]).map(
    Decimal
)


@st.composite
def plans(draw: st.DrawFn) -> PlanVersion | None:
    """No plan, or one step from START with 1-3 clonazepam doses at distinct clocks."""
    if draw(st.booleans()):
        return None
    clocks = draw(st.lists(st.sampled_from(["08:00", "14:00", "22:00"]), min_size=1, unique=True))
    doses = tuple(
        RecordDose(c, "clonazepam", Mass.of_mg(draw(amounts_mg.filter(lambda a: a <= 2))))
        for c in sorted(clocks)
    )
    step = RecordStep(START, doses, every_other_day=draw(st.booleans()))
    return PlanVersion(1, "active", "clonazepam", "percent", (step,), "Dr A", _AT)


@st.composite
def dose_logs(draw: st.DrawFn) -> tuple[DoseRecord, ...]:
    """Taken, extra and missed clonazepam doses on the days around START, any spelling."""
    out = []
    for n in range(draw(st.integers(0, 8))):
        day = START + timedelta(days=draw(st.integers(-2, 9)))  # some after TODAY
        drug = draw(st.sampled_from(SPELLINGS))
        taken_at = datetime.combine(day, time(8)) + timedelta(minutes=draw(st.integers(0, 1800)))
        if draw(st.integers(0, 5)) == 0:
            out.append(DoseRecord(day, drug, f"{n % 24:02d}:00", None, None, None))
        else:
            out.append(DoseRecord(day, drug, None, None, taken_at, Mass.of_mg(draw(amounts_mg))))
    return tuple(out)


def _expected_days(record: PersonRecord, maximum: Decimal) -> set[date]:
    """The days the rule names: a day's total above ``maximum`` or one dose above the plan's day."""
    totals: dict[date, Decimal] = {}
    days = set()
    for dose in record.doses:
        if dose.amount is None or dose.day > TODAY:
            continue
        totals[dose.day] = totals.get(dose.day, Decimal(0)) + dose.amount.mg
        planned = sum((d.amount.mg for d in schedule_on(record.plan, dose.day)), Decimal(0))
        if planned and dose.amount.mg > planned:
            days.add(dose.day)
    return days | {day for day, total in totals.items() if total > maximum}


@given(st.sampled_from(list(CONDITIONS)), plans(), dose_logs())
def test_the_finding_names_exactly_the_days_above_a_limit(
    conditions: tuple[str, ...], plan: PlanVersion | None, doses: tuple[DoseRecord, ...]
) -> None:
    record = PersonRecord(Profile("UTC", conditions=conditions), doses=doses, plans=plan_of(plan))
    expected = _expected_days(record, CONDITIONS[conditions])
    found = _large(_reviewed(record))
    if not expected:
        assert found == []
        return
    [finding] = found
    assert {e.day for e in finding.evidence} == expected
    assert (finding.severity, finding.clinician_flag) == ("urgent", True)
    proposal = propose_next_step(_reviewed(record).findings)
    assert (proposal.action, proposal.clinician_only) == ("hold", True)


def plan_of(plan: PlanVersion | None) -> tuple[PlanVersion, ...]:
    return () if plan is None else (plan,)


@given(person_records, st.sampled_from(SPELLINGS), st.integers(0, 3), st.booleans())
def test_any_record_with_a_day_above_the_maximum_has_the_urgent_finding(
    record: PersonRecord, drug: str, doses: int, late_night: bool
) -> None:
    """Whatever else the record holds, a day above the maximum is named, urgent, flagged."""
    maximum = CATALOGUE.get("clonazepam").daily_maximum_for(
        indication_of(record.profile.conditions)
    )
    assert maximum is not None
    day = date(2028, 12, 30)
    # split into 1-4 doses, the last possibly taken after midnight (the day's all the same)
    share = Mass.of_mg(maximum.max_mg.mg / (doses + 1) + Decimal("0.001"))
    taken = [datetime.combine(day, time(8 + n)) for n in range(doses + 1)]
    if late_night:
        taken[-1] = datetime.combine(day + timedelta(days=1), time(1, 30))
    over = tuple(DoseRecord(day, drug, None, None, t, share) for t in taken)
    with_over = PersonRecord(
        record.profile, record.checkins, record.doses + over, record.scores, record.plans
    )
    result = review(with_over, date(2029, 1, 1), catalogue=CATALOGUE)
    [finding] = _large(result)
    assert (finding.severity, finding.clinician_flag) == ("urgent", True)
    [evidence] = [e for e in finding.evidence if e.day == day and e.label == "daily total"]
    assert evidence.value.endswith(f"daily maximum {maximum.sourced.value.mg.normalize():f} mg")
    assert maximum.source in finding.source
    assert result.findings[0].severity == "urgent"  # the most severe come first
    assert result.proposal.clinician_only


@st.composite
def within_limits(draw: st.DrawFn) -> PersonRecord:
    """A plan of at most 4 mg a day, and doses of it taken as planned, late, or less."""
    plan = draw(plans())
    if plan is None or plan.steps[0].daily.mg > 4:
        plan = PlanVersion(
            1,
            "active",
            "clonazepam",
            "percent",
            (RecordStep(START, (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)),),
            "Dr A",
            _AT,
        )
    doses = []
    for n in range(draw(st.integers(0, 9))):
        day = START + timedelta(days=n)
        for planned in schedule_on(plan, day):
            late = timedelta(minutes=draw(st.integers(0, 12 * 60)))
            taken = datetime.combine(day, time(int(planned.clock[:2]))) + late
            share = draw(st.sampled_from([Decimal(1), Decimal("0.5"), Decimal("0.25")]))
            amount = Mass.of_mg(planned.amount.mg * share)
            doses.append(
                DoseRecord(
                    day,
                    draw(st.sampled_from(SPELLINGS)),
                    planned.clock,
                    planned.amount,
                    taken,
                    amount,
                )
            )
    conditions = draw(st.sampled_from(list(CONDITIONS)))
    return PersonRecord(Profile("UTC", conditions=conditions), doses=tuple(doses), plans=(plan,))


@given(within_limits())
def test_a_record_within_the_limits_never_has_it(record: PersonRecord) -> None:
    assert _large(_reviewed(record)) == []


def test_the_kind_has_a_label_and_holds_the_plan_for_a_clinician() -> None:
    assert FINDING_KIND_LABELS["large_dose"] == "very large dose"
    day = START + timedelta(days=1)
    record = PersonRecord(
        Profile("UTC", conditions=("epilepsy",)),
        doses=(DoseRecord(day, "clonazepam", None, None, wall_clock(2027, 3, 2, 22), _mg(12)),),
    )
    # 12 mg is within the 20 mg for a seizure disorder, and there is no plan to compare with
    assert _large(_reviewed(record)) == []
    unknown = PersonRecord(Profile("UTC"), doses=record.doses)
    [finding] = _large(_reviewed(unknown))
    assert finding.evidence[0].value == "clonazePAM 12 mg taken, daily maximum 4 mg"
    assert finding.suggested_action.startswith("ask your clinician")
    assert "your local emergency number" in finding.message
    assert "Tue 2 Mar" in finding.message


def test_without_a_catalogue_only_the_plan_is_compared_and_the_review_says_so() -> None:
    step = RecordStep(START, (RecordDose("22:00", "clonazepam", _mg(1)),))
    plan = PlanVersion(1, "active", "clonazepam", "percent", (step,), "Dr A", _AT)
    two = DoseRecord(START, "clonazepam", "22:00", _mg(1), wall_clock(2027, 3, 1, 22), _mg(2))
    record = PersonRecord(Profile("UTC"), doses=(two,), plans=(plan,))
    bare = review(record, TODAY)
    [finding] = _large(bare)
    assert [e.label for e in finding.evidence] == ["single dose"]
    assert any("daily maximum" in s for s in bare.skipped)
    assert review_as_of(record, TODAY).skipped == tuple(
        s for s in bare.skipped if "daily maximum" not in s
    )


@given(st.sets(st.integers(0, 30), min_size=1, max_size=8), st.sets(st.integers(0, 30)))
def test_the_message_tells_two_days_of_each_kind_and_counts_the_others(
    over_max: set[int], over_plan: set[int]
) -> None:
    """Every day is evidence; the message names at most two of each kind and counts the rest."""
    day = date(2027, 1, 1)
    maxima = {"clonazepam": CATALOGUE.get("clonazepam").daily_maximum_for(None)}
    assert maxima["clonazepam"] is not None
    taken = [(day + timedelta(days=n), "clonazepam", _mg(5)) for n in over_max]
    taken += [(day + timedelta(days=n), "clonazepam", _mg(2)) for n in over_plan]
    planned = {(day + timedelta(days=n), "clonazepam"): _mg(1) for n in over_plan}
    [finding] = find_large_doses(taken, maxima, planned, today=date(2027, 2, 1))
    assert {e.day for e in finding.evidence} == {t[0] for t in taken}
    plan_only = over_plan - over_max
    told = sorted(over_max)[:2] + sorted(plan_only)[:2]
    assert finding.message.count("On ") == len(told)
    for n in told:
        assert f" {(day + timedelta(days=n)).day} Jan" in finding.message
    others = len(over_max | over_plan) - len(told)
    assert (f"So did {others} other day" in finding.message) == (others > 0)


def _mg(amount: int | str) -> Mass:
    return Mass.of_mg(amount)


# --- every page that reviews -----------------------------------------------------------------


def test_status_the_dashboard_and_the_clinician_s_list_show_it() -> None:
    dose = DoseRecord(START, "clonazepam", None, None, wall_clock(2027, 3, 1, 22), _mg(10))
    record = PersonRecord(Profile("UTC"), doses=(dose,))
    assert _large(build_today(record, TODAY).review)
    assert _large(build_dashboard(record, TODAY).review)
    assert _row(1, "A", record, TODAY).urgent == 1
    # marked on the charts by its label, on its day
    marks = finding_markers(build_dashboard(record, TODAY).review.findings)
    assert [(m.day, m.severity, m.label) for m in marks] == [(START, "urgent", "very large dose")]


# --- the service: what is refused unless confirmed is what the finding names -----------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('large')}/doses.db")
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@settings(
    max_examples=25,
    deadline=None,
    # too_slow as in the session's profile (tests/conftest.py): a list given here replaces it.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(list(CONDITIONS)),
    st.lists(amounts_mg.filter(lambda a: a <= 10), min_size=1, max_size=5),
)
def test_an_amount_refused_unless_confirmed_is_the_finding_once_confirmed(
    store: Store, conditions: tuple[str, ...], amounts: list[Decimal]
) -> None:
    pid = store.create_person(Profile("Europe/London", "40-64", conditions), at=_AT)
    step = RecordStep(START, (RecordDose("22:00", "clonazepam", _mg(1)),))
    store.add_plan(pid, PlanVersion(1, "active", "clonazepam", "percent", (step,), "Dr A", _AT))
    now = datetime(2027, 3, 5, 12, 0, tzinfo=UTC)
    refusals = 0
    for n, amount in enumerate(amounts):
        entry = DoseEntry(
            day=date(2027, 3, 4),
            drug="clonazepam",
            taken_at=wall_clock(2027, 3, 4, 8 + n),
            amount=Mass.of_mg(amount),
        )
        try:
            log_dose(store, pid, entry, now=now)
        except ConfirmationNeededError:
            refusals += 1
            log_dose(store, pid, replace(entry, confirmed=True), now=now)
    found = _large(review_as_of(store.record(pid), date(2027, 3, 5)))
    assert bool(found) == bool(refusals)


# --- the CLI: log-dose --confirm, and a CSV import --------------------------------------------


@pytest.fixture
def approved(tmp_path: Path) -> Taperline:
    """A person in London with an active plan: clonazepam 1 mg at 22:00 from 2027-01-04."""
    tl = Taperline(f"sqlite:///{tmp_path}/t.db")
    tl.ok("init", "--time-zone", "Europe/London", "--age-band", "40-64")
    tl.ok(*PLAN, "--save", now=PLANNED)
    tl.ok("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit")
    return tl


def _large_json(tl: Taperline) -> list[dict[str, object]]:
    return [f for f in tl.json("findings") if f["kind"] == "large_dose"]


def test_a_confirmed_10_mg_dose_is_an_urgent_finding(approved: Taperline) -> None:
    refused(approved("log-dose", "--amount", "10 mg"), "above the daily maximum of 4 mg")
    assert _large_json(approved) == []
    out = approved.ok("log-dose", "--amount", "10 mg", "--confirm").stdout
    assert "clonazePAM 10 mg" in out
    text = approved.ok("findings").stdout
    assert text.startswith(
        "URGENT: On Tue 5 Jan the clonazePAM logged adds up to 10 mg, more than the most to"
        " take in a day (4 mg). If that is what you took, call your clinician or prescriber"
        " today: they need to know."
    ), text
    assert "What to do: ask your clinician today" in text
    [finding] = _large_json(approved)
    assert (finding["severity"], finding["clinician_flag"]) == ("urgent", True)
    assert finding["evidence"] == [
        {
            "date": "2027-01-05",
            "label": "daily total",
            "value": "clonazePAM 10 mg taken, daily maximum 4 mg",
        },
        {
            "date": "2027-01-05",
            "label": "single dose",
            "value": "clonazePAM 10 mg in one dose, 1 mg planned for the whole day",
        },
    ]
    assert finding["source"] == "ASAM-2025; LABEL; SEED-MINDED"
    status = approved.json("status")
    assert status["urgent_findings"] >= 1
    assert status["proposal"]["clinician_only"] is True


DOSE_CSV = (
    "day,drug,planned_clock,planned_amount_mg,taken_at,amount_mg,status,units,note\r\n"
    "2027-01-04,clonazepam,22:00,1,2027-01-04T22:05,1,taken,,\r\n"
    "2027-01-05,clonazepam,,,2027-01-05T07:30,4,extra,,\r\n"
    "2027-01-05,clonazepam,22:00,1,2027-01-05T22:00,0.5,taken,,\r\n"
)


def test_a_dose_log_imported_from_csv_gives_it_too(approved: Taperline, tmp_path: Path) -> None:
    # On the 5th: 4 mg in one dose (more than the plan's 1 mg a day), 4.5 mg in the day
    # (above the 4 mg maximum); the 4th is as planned.
    path = tmp_path / "doses.csv"
    path.write_text(DOSE_CSV, encoding="utf-8", newline="")
    approved.ok("import", "csv", str(path), now="2027-01-06T12:00+00:00")
    findings = approved.json("findings", now="2027-01-06T12:00+00:00")
    [finding] = [f for f in findings if f["kind"] == "large_dose"]
    assert finding["severity"] == "urgent"
    assert [(e["date"], e["label"], e["value"]) for e in finding["evidence"]] == [
        ("2027-01-05", "daily total", "clonazePAM 4.5 mg taken, daily maximum 4 mg"),
        (
            "2027-01-05",
            "single dose",
            "clonazePAM 4 mg in one dose, 1 mg planned for the whole day",
        ),
    ]
