"""The current regimen (issue 16, section 3): before a plan starts, doses are matched against it.

Core: :class:`taperline.core.record.Regimen` (validated, stored as JSON with ``amount_mg``)
and :func:`taperline.core.record.planned_on` (the plan's doses from its start, the regimen's
before). Then the CLI end to end: ``init`` with a regimen, ``log-dose`` at 22:10 records the
22:00 dose (not extra), ``status --format json`` shows it taken, a regimen above the daily
maximum is refused, and an approved plan takes over on its start date. The review never reads
the regimen's doses as escalation or a large dose.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from taperline.catalogue_data import load_catalogue
from taperline.cli.main import cli
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    Regimen,
    check_regimen,
    nearest_planned,
    planned_around,
    planned_on,
    schedule_on,
)
from taperline.core.review import review
from taperline.errors import InputError, SafetyError
from taperline.service import open_store
from tests.strategies import (
    clock_texts,
    current_regimens,
    masses,
    plan_versions,
    wake_dates,
)

CATALOGUE = load_catalogue()

# --- the value --------------------------------------------------------------------------------


@given(current_regimens)
def test_a_regimen_is_sorted_by_clock_and_reads_back_from_its_json(regimen: Regimen) -> None:
    clocks = [d.clock for d in regimen.doses]
    assert clocks == sorted(set(clocks))
    assert all(d.drug == regimen.drug for d in regimen.doses)
    assert regimen.daily.mg == sum(d.amount.mg for d in regimen.doses)
    document = regimen.to_json()
    assert json.loads(json.dumps(document)) == document
    assert {key for dose in document["doses"] for key in dose} == {"clock", "amount_mg"}  # type: ignore[attr-defined]
    assert Regimen.from_json(document) == regimen


@given(current_regimens, st.data())
def test_a_time_given_twice_is_refused(regimen: Regimen, data: st.DataObject) -> None:
    again = data.draw(st.sampled_from(regimen.doses))
    pairs = [(d.clock, d.amount) for d in regimen.doses]
    with pytest.raises(InputError, match=f"two doses at {again.clock}"):
        Regimen.of(regimen.drug, [*pairs, (again.clock, data.draw(masses))])


@pytest.mark.parametrize(
    ("drug", "pairs", "words"),
    [
        ("clonazepam", [], "at least one dose"),
        ("  ", [("22:00", Mass.of_mg(1))], "which medicine"),
        ("clonazepam", [("24:00", Mass.of_mg(1))], "HH:MM"),
        ("clonazepam", [("10pm", Mass.of_mg(1))], "HH:MM"),
        ("clonazepam", [("22:00", Mass.of_mg(0))], "above zero"),
        ("clonazepam", [(f"{h:02d}:00", Mass.of_mg(1)) for h in range(9)], "at most 8"),
    ],
)
def test_a_regimen_that_makes_no_sense_is_refused(
    drug: str, pairs: list[tuple[str, Mass]], words: str
) -> None:
    with pytest.raises(InputError, match=words):
        Regimen.of(drug, pairs)


def test_a_malformed_stored_regimen_is_refused() -> None:
    for document in ({}, {"drug": "clonazepam", "doses": [{"clock": "22:00"}]}):
        with pytest.raises(InputError):
            Regimen.from_json(document)


def test_the_daily_maximum_for_the_indication_holds_and_the_name_is_the_catalogue_s() -> None:
    drug = CATALOGUE.get("Klonopin")
    six = Regimen.of("Klonopin", [("08:00", Mass.of_mg(3)), ("22:00", Mass.of_mg(3))])
    with pytest.raises(SafetyError, match="above the daily maximum of 4 mg"):
        check_regimen(six, drug, None)
    assert check_regimen(six, drug, "seizure").drug == "clonazepam"
    with pytest.raises(InputError):  # a likely mg/mcg slip
        check_regimen(Regimen.of("clonazepam", [("22:00", Mass.of_mg(500))]), drug, "seizure")


# --- the day's planned doses ----------------------------------------------------------------


@given(plan_versions(1, None), current_regimens, wake_dates)
def test_the_plan_takes_over_from_the_regimen_on_its_start(
    plan: PlanVersion, regimen: Regimen, day: date
) -> None:
    plan = replace(plan, held_from=None)  # a held plan without its day stays on the day's step
    planned = planned_on(plan, regimen, day)
    if day < plan.steps[0].start:
        assert planned == regimen.doses
    else:
        assert planned == schedule_on(plan, day)
    assert planned_on(None, regimen, day) == regimen.doses
    assert planned_on(None, None, day) == ()
    assert planned_on(plan, None, day) == schedule_on(plan, day)


@given(current_regimens, wake_dates, st.data())
def test_a_dose_near_the_usual_time_is_the_usual_dose(
    regimen: Regimen, day: date, data: st.DataObject
) -> None:
    """Logged within 15 minutes of a regimen dose, it is that dose, never an extra one."""
    dose = data.draw(st.sampled_from(regimen.doses))
    at = datetime.combine(day, datetime.min.time()) + timedelta(minutes=_minutes(dose.clock))
    moment = at + timedelta(minutes=data.draw(st.integers(-15, 15)))
    chosen = nearest_planned(moment, planned_around(None, moment.date(), regimen))
    assert chosen is not None  # a regimen dose is always there to match
    others = [d for d in regimen.doses if d is not dose]
    alone = all(_apart(d.clock, dose.clock) > 30 for d in others)
    if alone and moment.date() == day:
        assert chosen == (day, dose)


def _minutes(clock: str) -> int:
    hours, minutes = (int(p) for p in clock.split(":"))
    return hours * 60 + minutes


def _apart(one: str, other: str) -> int:
    """Minutes between two clock times, round the clock."""
    gap = abs(_minutes(one) - _minutes(other))
    return min(gap, 24 * 60 - gap)


# --- the review ------------------------------------------------------------------------------

usual_amounts = st.sampled_from([Mass.of_mg(x) for x in ("0.125", "0.25", "0.5", "1")])
allowed_regimens = st.builds(
    lambda clocks, amounts: Regimen.of("clonazepam", zip(clocks, amounts, strict=False)),
    st.lists(clock_texts, min_size=1, max_size=4, unique=True),
    st.lists(usual_amounts, min_size=4, max_size=4),
)


@given(allowed_regimens, st.integers(1, 20), st.booleans())
def test_regimen_doses_taken_as_usual_are_neither_escalation_nor_a_large_dose(
    regimen: Regimen, days: int, with_plan: bool
) -> None:
    first = date(2027, 1, 1)
    start = first + timedelta(days=days)
    doses = tuple(
        DoseRecord(
            day,
            regimen.drug,
            dose.clock,
            dose.amount,
            datetime.combine(day, datetime.min.time()) + timedelta(minutes=_minutes(dose.clock)),
            dose.amount,
        )
        for day in (first + timedelta(days=n) for n in range(days))
        for dose in regimen.doses
    )
    plans = ()
    if with_plan:  # a plan whose first step (a lower dose) starts after the regimen's days
        step = RecordStep(start, (RecordDose("22:00", "clonazepam", Mass.of_mg("0.125")),))
        plans = (
            PlanVersion(
                1,
                "active",
                "clonazepam",
                "percent",
                (step,),
                "Dr Lee",
                datetime(2026, 12, 1, tzinfo=UTC),
            ),
        )
    record = PersonRecord(Profile("Europe/London", regimen=regimen), doses=doses, plans=plans)
    found = review(record, start - timedelta(days=1), catalogue=CATALOGUE).findings
    assert not [f for f in found if f.kind in {"escalation", "large_dose"}], found


# --- the CLI ---------------------------------------------------------------------------------

NOW = "2027-01-05T22:10+00:00"  # 22:10 in London in January


@dataclass
class Taperline:
    url: str

    def __call__(self, *args: str, now: str = NOW, input: str | None = None) -> Result:
        env = {"TAPERLINE_DATABASE_URL": self.url, "TAPERLINE_NOW": now}
        return CliRunner().invoke(cli, list(args), env=env, input=input)

    def ok(self, *args: str, now: str = NOW, input: str | None = None) -> Result:
        result = self(*args, now=now, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    def status(self, now: str = NOW) -> Any:
        return json.loads(self.ok("status", "--format", "json", now=now).stdout)


@pytest.fixture
def tl(tmp_path: Path) -> Taperline:
    return Taperline(f"sqlite:///{tmp_path}/t.db")


INIT = ["init", "--time-zone", "Europe/London", "--no-ask"]


def test_the_usual_nightly_dose_is_matched_against_the_regimen(tl: Taperline) -> None:
    out = tl.ok(*INIT, "--drug", "Klonopin", "--dose", "0.5 mg", "--at", "22:00").stdout
    assert "Your regimen: clonazepam 0.5 mg at 22:00" in out
    before = tl.status()
    assert before["plan"] is None
    assert [(d["time"], d["status"]) for d in before["doses_today"]] == [("22:00", "due")]

    logged = tl.ok("log-dose").stdout
    assert "tonight's 22:00 dose" in logged
    assert "extra" not in logged
    (line,) = _doses(tl)
    assert (line.planned_clock, line.planned_amount, line.amount) == (
        "22:00",
        Mass.of_mg("0.5"),
        Mass.of_mg("0.5"),
    )
    assert line.status() == "taken"
    text = tl.ok("status").stdout
    assert "Your usual doses (your regimen, from taperline init) until a plan starts:" in text
    assert "22:00  clonazePAM 0.5 mg  [taken]" in text
    after = tl.status()
    (dose,) = after["doses_today"]
    assert (dose["time"], dose["status"], dose["taken_at"]) == (
        "22:00",
        "taken",
        "2027-01-05T22:10",
    )
    assert not [f for f in after["findings"] if f["kind"] in {"escalation", "large_dose"}]


def _doses(tl: Taperline) -> list[DoseRecord]:
    return open_store(tl.url).doses(1, date(2027, 1, 1), date(2027, 1, 31))


def test_a_dose_logged_the_next_morning_is_last_night_s(tl: Taperline) -> None:
    tl.ok(*INIT, "--drug", "clonazepam", "--dose", "0.25 mg", "--at", "22:00")
    tl.ok("log-dose", now="2027-01-06T07:05+00:00")
    (line,) = _doses(tl)
    assert (line.day, line.planned_clock, line.amount) == (
        date(2027, 1, 5),
        "22:00",
        Mass.of_mg("0.25"),
    )


def test_a_regimen_above_the_daily_maximum_is_refused(tl: Taperline) -> None:
    result = tl(*INIT, "--drug", "clonazepam", "--dose", "3 mg", "--at", "08:00", "--at", "22:00")
    assert result.exit_code == 2
    assert "regimen: 6 mg of clonazePAM a day is above the daily maximum of 4 mg" in result.stderr
    assert "check the doses with your prescriber" in result.stderr
    assert open_store(tl.url).person_ids() == []  # nothing written
    # for seizures the maximum is higher [LABEL]
    tl.ok(*INIT, "--condition", "epilepsy", "--drug", "clonazepam", "--dose", "3 mg",
          "--at", "08:00", "--at", "22:00")  # fmt: skip
    regimen = open_store(tl.url).profile(1).regimen
    assert regimen is not None
    assert regimen.daily == Mass.of_mg(6)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--drug", "clonazepam"], "needs --drug, --dose and --at together"),
        (["--dose", "1 mg", "--at", "22:00"], "needs --drug, --dose and --at together"),
        (["--drug", "clonazepam", "--dose", "1 mg", "--dose", "1 mg", "--at", "22:00"],
         "one --at per --dose"),
        (["--drug", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--at", "22:00"],
         "two doses at 22:00"),
        (["--drug", "wonderpill", "--dose", "1 mg", "--at", "22:00"], "wonderpill"),
    ],
)  # fmt: skip
def test_a_regimen_that_cannot_be_used_is_refused_with_its_reason(
    tl: Taperline, args: list[str], words: str
) -> None:
    result = tl(*INIT, *args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr


def test_init_asks_for_the_regimen_on_a_terminal_and_keeps_it_on_an_update(tl: Taperline) -> None:
    answers = "Europe/London\n\n\n\nclonazepam\n0.5 mg 22:00\n0.25 mg at 08:00, 0.5 mg at 22:00\n"
    result = tl.ok("init", "--ask", input=answers)
    assert "write each dose as" in result.output  # the first answer is asked again
    regimen = open_store(tl.url).profile(1).regimen
    assert regimen is not None
    assert regimen.text == "clonazepam 0.25 mg at 08:00 and 0.5 mg at 22:00"
    tl.ok(*INIT, "--age-band", "40-64")  # no regimen given: the one recorded stays
    assert open_store(tl.url).profile(1).regimen == regimen
    both = tl(*INIT, "--no-regimen", "--drug", "clonazepam")
    assert both.exit_code == 2
    assert "--no-regimen removes the regimen" in both.stderr
    assert open_store(tl.url).profile(1).regimen == regimen  # nothing changed
    removed = tl.ok(*INIT, "--no-regimen").output
    assert "No regimen recorded" in removed
    assert open_store(tl.url).profile(1).regimen is None


PLAN = ["plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-04"]
DAY_1 = "2027-01-02T12:00+00:00"


def test_an_approved_plan_takes_over_from_the_regimen_on_its_start_date(tl: Taperline) -> None:
    """The regimen until the plan's first step; a proposal waiting for a clinician changes nothing.

    Approved on 2027-01-03, the plan's first step (the dose taken now) starts that day
    (``catch_up``): from then on the plan's 22:00 dose is the day's, not the regimen's 21:00.
    """
    tl.ok(*INIT, "--drug", "clonazepam", "--dose", "1 mg", "--at", "21:00", now=DAY_1)
    tl.ok("log-dose", now="2027-01-02T21:05+00:00")
    tl.ok(*PLAN, "--save", now="2027-01-03T08:00+00:00")
    proposed = tl.status(now="2027-01-03T08:05+00:00")
    assert proposed["plan"] is None
    assert [(d["time"], d["status"]) for d in proposed["doses_today"]] == [("21:00", "due")]
    tl.ok("plan", "approve", "--by", "Dr Lee", "--reason", "agreed", now="2027-01-03T20:30+00:00")

    start = tl.status(now="2027-01-03T21:05+00:00")
    assert start["plan"] is not None
    assert [(d["time"], d["status"]) for d in start["doses_today"]] == [("22:00", "due")]
    tl.ok("log-dose", now="2027-01-03T21:05+00:00")  # the plan's 22:00, not the regimen's 21:00
    assert [(d.day, d.planned_clock, d.status()) for d in _doses(tl)] == [
        (date(2027, 1, 2), "21:00", "taken"),
        (date(2027, 1, 3), "22:00", "taken"),
    ]
    doses = tl.status(now="2027-01-03T21:10+00:00")["doses_today"]
    assert [(d["time"], d["status"]) for d in doses] == [("22:00", "taken")]


def test_profile_without_a_regimen_is_as_before(tl: Taperline) -> None:
    out = tl.ok(*INIT).stdout
    assert "No regimen recorded" in out
    assert open_store(tl.url).profile(1) == Profile("Europe/London", label="Person A")
    assert replace(open_store(tl.url).profile(1), regimen=None).regimen is None
