"""A scenario library (issue 17): synthetic journals built through the service layer.

Each scenario is a person in one store: a profile, a plan proposed by the planner and approved
(``save_plan``, ``decide_plan``), check-ins (``store_checkin``), doses (``log_dose``) and
questionnaires (``record_score``), then the review a clinician would read
(``person_review``). Each states the findings and the suggestion a clinician would expect.

Every plan starts on ``START`` (the dose before the taper) and cuts 10 % every 14 days, so the
first cut is on ``START + 14``: the 14 days before it are the person's baseline.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from taperline.adapters.storage.repo import Store
from taperline.catalogue_data import load_catalogue
from taperline.core.findings import Finding, crisis_message
from taperline.core.instruments import score_phq9
from taperline.core.journal import CheckIn, RedFlagEvent, SleepDiary, TimeOfDay, night_times
from taperline.core.plan import PlanRequest, propose
from taperline.core.quantity import Mass
from taperline.core.readiness import check_readiness
from taperline.core.record import Profile
from taperline.core.regimen import ScheduledDose
from taperline.core.review import Review
from taperline.core.strategies import Strategy
from taperline.service import (
    DoseEntry,
    decide_plan,
    log_dose,
    open_store,
    person_review,
    record_score,
    save_plan,
    save_profile,
    store_checkin,
)

START = date(2027, 1, 4)
CUT = START + timedelta(days=14)  # the first cut; the second is CUT + 14
NIGHTLY = ((22.0, "1"),)
SPLIT = ((8.0, "0.5"), (20.0, "0.5"))
#: A calm day: burden 3 + (10 - 6) + 1 = 8; a bad day: 7 + (10 - 3) + 3 = 17.
CALM = {"mood": 6, "anxiety": 3, "symptoms": {"insomnia": 1}}
BAD = {"mood": 3, "anxiety": 7, "symptoms": {"insomnia": 2, "tremor": 1}}
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for the whole library: each scenario is its own person."""
    path = tmp_path_factory.mktemp("scenarios") / "scenarios.db"
    made = open_store(f"sqlite:///{path}")
    yield made
    made.engine.dispose()


def _at(day: date, hour: int = 21) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@dataclass
class Journal:
    """One person's journal, written through the service as the person would."""

    store: Store
    regimen: tuple[tuple[float, str], ...] = NIGHTLY
    person: int = field(init=False)

    def __post_init__(self) -> None:
        self.person = save_profile(self.store, None, Profile("UTC"), now=_at(START, 8))
        request = PlanRequest(
            drug=load_catalogue().get("clonazepam"),
            regimen=tuple(ScheduledDose(h, Mass.of_mg(mg)) for h, mg in self.regimen),
            start=START,
            strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
        )
        now = _at(START, 8)
        save_plan(self.store, self.person, propose(request), by="Dr Lee", now=now)
        decide_plan(self.store, self.person, "approve", by="Dr Lee", reason="agreed", now=now)

    def day(self, offset: int, values: dict[str, object] | None = None, **extra: object) -> None:
        """The check-in of ``START + offset`` (calm unless told), stored that evening."""
        wake = START + timedelta(days=offset)
        fields: dict[str, object] = {**(values if values is not None else CALM), **extra}
        checkin = CheckIn(wake, fields.pop("sleep", None), **fields)  # type: ignore[arg-type]
        store_checkin(self.store, self.person, checkin, today=wake)

    def days(self, offsets: range | list[int], values: dict[str, object] | None = None,
             **extra: object) -> None:  # fmt: skip
        for offset in offsets:
            self.day(offset, values, **extra)

    def review(self, offset: int) -> Review:
        return person_review(self.store, self.person, now=_at(START + timedelta(days=offset)))


def _kinds(result: Review) -> set[str]:
    return {f.kind for f in result.findings}


def _only(result: Review, kind: str) -> Finding:
    [found] = [f for f in result.findings if f.kind == kind]
    return found


# --- stable, flares, waves --------------------------------------------------------------------


def test_stable_taper_proceeds(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(28))
    result = journal.review(27)
    assert _kinds(result) == {"stable"}
    assert result.proposal.action == "proceed"
    [evidence] = {e.value for e in _only(result, "stable").evidence}
    assert evidence == "8 of 68, baseline 8, threshold 11"  # scale, baseline and threshold


def test_a_flare_after_a_cut_holds(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(14))
    journal.days([14, 18])
    journal.days([15, 16, 17, 19], BAD)
    result = journal.review(19)
    flare = _only(result, "flare")
    assert _kinds(result) == {"flare"}
    assert flare.severity == "warning"
    assert "They have not settled yet." in flare.message
    assert {e.day for e in flare.evidence} == {START + timedelta(days=d) for d in (15, 16, 17, 19)}
    assert {e.value for e in flare.evidence} == {"17 of 68, baseline 8, threshold 11"}
    assert (result.proposal.action, result.proposal.hold_days) == ("hold", 14)


def test_a_flare_that_settled_no_longer_holds(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(14))
    journal.days([15, 16, 17], BAD)
    journal.days([14, *range(18, 28)])
    result = journal.review(27)
    flare = _only(result, "flare")
    assert flare.severity == "info"
    assert f"They settled from {(START + timedelta(days=18)).isoformat()}." in flare.message
    assert _kinds(result) == {"flare", "stable"}
    assert result.proposal.action == "proceed"
    assert flare.message not in result.proposal.reasons


def test_a_flare_persisting_through_the_next_cut_is_one_flare(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(14))
    journal.day(14)
    journal.days(range(15, 34), BAD)  # never settles; the second cut comes on day 28
    result = journal.review(33)
    flare = _only(result, "flare")  # not a second flare "after the step" of day 28
    second = (CUT + timedelta(days=14)).isoformat()
    assert flare.message.startswith(f"Symptoms rose after the step on {CUT.isoformat()}:")
    assert f"lowered again on {second} before they settled" in flare.message
    assert flare.clinician_flag
    assert (result.proposal.action, result.proposal.clinician_only) == ("return_to_previous", True)


def test_a_new_flare_after_a_cut_that_came_once_settled(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(14))
    journal.days([15, 16, 17], BAD)
    journal.days([14, *range(18, 29)])
    journal.days([29, 30, 31], BAD)
    result = journal.review(31)
    flares = [f for f in result.findings if f.kind == "flare"]
    assert [f.severity for f in flares] == ["warning", "info"]  # most severe first
    assert (CUT + timedelta(days=14)).isoformat() in flares[0].message
    assert result.proposal.action == "hold"


def test_windows_and_waves(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(14))
    journal.days([15, 16, 23, 24], BAD)
    journal.days([14, *range(17, 23), 25, 26])
    result = journal.review(26)
    assert _kinds(result) == {"waves"}
    assert "not a sign of failure" in _only(result, "waves").message
    assert result.proposal.action == "hold"  # a bad wave this week: not yet stable


# --- interdose ------------------------------------------------------------------------------


def _interdose_journal(
    store: Store, regimen: tuple[tuple[float, str], ...], worst: TimeOfDay
) -> Journal:
    """Calm on most days; on every third day worse, with the worst time ``worst``."""
    journal = Journal(store, regimen)
    for offset in range(12):
        if offset % 3 == 2:
            journal.day(offset, BAD, worst_time=worst)
        else:
            journal.day(offset, worst_time="afternoon" if offset % 2 else None)
    return journal


def test_interdose_with_a_once_daily_dose(store: Store) -> None:
    journal = Journal(store)
    for offset in range(12):
        journal.day(offset, BAD if offset % 2 else CALM, worst_time="evening")
    result = journal.review(11)
    found = _only(result, "interdose")
    # only the 6 days with symptoms: the calm evenings are not evidence
    assert {e.day for e in found.evidence} == {START + timedelta(days=d) for d in range(1, 12, 2)}
    assert "22:00" in found.message
    assert "splitting your daily dose into two" in found.suggested_action
    assert result.proposal.action == "hold"
    readiness = check_readiness(store.record(journal.person), START + timedelta(days=11))
    assert readiness is not None
    assert readiness.verdict == "caution"
    assert "withdrawal between doses" in readiness.patient_message()


@pytest.mark.parametrize("worst", ["morning", "evening"])
def test_interdose_with_split_doses_before_either_dose(store: Store, worst: TimeOfDay) -> None:
    journal = Journal(store, SPLIT)
    for offset in range(12):
        journal.day(offset, BAD if offset % 2 else CALM, worst_time=worst)
    found = _only(journal.review(11), "interdose")
    assert "08:00, 20:00" in found.message
    assert "longer-acting medicine" in found.suggested_action
    assert "splitting" not in found.suggested_action  # already split


def test_no_interdose_when_the_worst_time_comes_without_symptoms(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(28), worst_time="evening")  # calm, but "worst" in the evening
    result = journal.review(27)
    assert _kinds(result) == {"stable"}
    assert result.proposal.action == "proceed"


def test_no_interdose_when_the_bad_days_are_not_at_a_trough(store: Store) -> None:
    journal = Journal(store, SPLIT)
    for offset in range(12):
        journal.day(offset, BAD if offset % 2 else CALM, worst_time="afternoon")
    assert "interdose" not in _kinds(journal.review(11))


# --- rebound and escalation -----------------------------------------------------------------


def _night(wake: date, *, bad: bool = False) -> SleepDiary:
    return SleepDiary(*night_times(wake), sol_min=200 if bad else 10, waso_min=0, awakenings=0)


def test_rebound_after_a_missed_dose(store: Store) -> None:
    journal = Journal(store)
    missed = 20
    for offset in range(28):
        wake = START + timedelta(days=offset)
        journal.day(offset, sleep=_night(wake, bad=offset == missed + 1))
        entry = DoseEntry(day=wake, planned_clock="22:00", missed=offset == missed,
                          taken_at=datetime.combine(wake, time(22)))  # fmt: skip
        log_dose(store, journal.person, entry, now=_at(wake + timedelta(days=1), 8))
    result = journal.review(27)
    rebound = _only(result, "rebound")
    assert "(once)" in rebound.message
    assert [(e.label, e.value) for e in rebound.evidence] == [
        ("dose", "missed"),
        ("sleep efficiency %", "51"),  # 230 min asleep of 455 in bed
    ]
    assert _kinds(result) == {"rebound", "stable"}  # a bad night is not a bad symptom day
    assert result.proposal.action == "proceed"  # rebound is information: take doses on time


def test_escalation_asks_the_clinician(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(28))
    day = START + timedelta(days=24)
    planned = DoseEntry(day=day, planned_clock="22:00", taken_at=datetime.combine(day, time(22)))
    log_dose(store, journal.person, planned, now=_at(day, 23))
    extra = DoseEntry(day=day, taken_at=datetime.combine(day, time(14)), amount=Mass.of_mg("0.5"))
    log_dose(store, journal.person, extra, now=_at(day))
    result = journal.review(27)
    assert "escalation" in _kinds(result)
    assert _only(result, "escalation").clinician_flag
    assert (result.proposal.action, result.proposal.clinician_only) == ("hold", True)


# --- red flags ------------------------------------------------------------------------------

EMERGENCY = "call emergency services now (911 in the US, 112 in Europe"


@pytest.mark.parametrize(
    ("event", "says", "not_says"),
    [
        ("seizure", EMERGENCY, "988"),
        ("suicidal thoughts", "988", "911"),
        ("confusion", "prescriber today", "988"),
        ("psychosis", "prescriber today", "988"),
        ("fall", "prescriber today", "988"),
    ],
)
def test_red_flags_by_kind(store: Store, event: RedFlagEvent, says: str, not_says: str) -> None:
    journal = Journal(store)
    journal.days([d for d in range(28) if d != 24])
    journal.day(24, events=frozenset({event}))
    result = journal.review(27)
    flag = _only(result, "red_flag")
    assert _kinds(result) == {"red_flag"}  # no "stable" over a red flag
    assert (flag.severity, flag.clinician_flag) == ("urgent", True)
    assert says in flag.message
    assert not_says not in flag.message
    assert (result.proposal.action, result.proposal.clinician_only) == ("hold", True)
    assert not any("stayed near your baseline" in r for r in result.proposal.reasons)


def test_a_seizure_written_in_the_notes_calls_for_emergency_services(store: Store) -> None:
    journal = Journal(store)
    journal.days([d for d in range(28) if d != 25])
    journal.day(25, notes="had a seizure at work")
    flag = _only(journal.review(27), "red_flag")
    assert EMERGENCY in flag.message
    assert crisis_message() not in flag.message


def test_phq9_item_9_gets_the_crisis_line(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(28))
    day = START + timedelta(days=26)
    score = score_phq9([0] * 8 + [1], taken_on=day)
    record_score(store, journal.person, score, now=_at(day))
    result = journal.review(27)
    flag = _only(result, "red_flag")
    assert crisis_message() in flag.message
    assert flag.clinician_flag
    assert "stable" not in _kinds(result)


# --- gaps in the data and the week after a cut ----------------------------------------------


def test_one_missing_day_in_the_week_is_still_stable(store: Store) -> None:
    journal = Journal(store)
    journal.days([d for d in range(28) if d != 24])
    result = journal.review(27)
    assert _kinds(result) == {"stable"}
    assert result.proposal.action == "proceed"


def test_too_few_check_ins_to_judge(store: Store) -> None:
    journal = Journal(store)
    journal.days([*range(22), 23, 25, 27])  # 3 of the last 7 days (21-27)
    result = journal.review(27)
    assert _kinds(result) == set()
    assert result.proposal.action == "not_enough_checkins"
    assert result.proposal.words == "not enough check-ins to judge"
    assert any("not enough check-ins to judge" in r for r in result.proposal.reasons)


def test_quick_check_ins_are_not_symptom_free_days(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(21))
    journal.days(range(21, 28), {"mood": 9, "anxiety": 0, "symptoms_rated": False})
    result = journal.review(27)
    assert "stable" not in _kinds(result)
    assert result.proposal.action == "not_enough_checkins"


def test_no_proceed_within_a_week_of_a_cut(store: Store) -> None:
    journal = Journal(store)
    journal.days(range(18))
    result = journal.review(17)  # 3 days after the cut of day 14, every day calm
    assert "stable" not in _kinds(result)
    assert (result.proposal.action, result.proposal.hold_days) == ("hold", 4)
    assert any("up to 7 days after a cut" in r for r in result.proposal.reasons)
    journal.days(range(18, 22))
    assert _kinds(journal.review(21)) == {"stable"}  # a week after it


# --- noise ----------------------------------------------------------------------------------

TIMES: tuple[TimeOfDay | None, ...] = (None, "morning", "afternoon", "evening", "night")


def _noise(journal: Journal, rng: random.Random, days: int) -> None:
    """Everyday ups and downs around a steady level, an odd bad day, gaps and quick days."""
    for offset in range(days):
        if rng.random() < 0.1:
            continue  # no check-in that day
        if rng.random() < 0.1:
            journal.day(offset, {"mood": rng.randint(4, 8), "anxiety": rng.randint(2, 5),
                                 "symptoms_rated": False})  # fmt: skip
            continue
        spike = 4 if rng.random() < 0.07 else 0  # a single bad day now and then
        symptoms = {rng.choice(["insomnia", "tremor", "headache"]): rng.randint(0, 1)}
        values = {"mood": rng.randint(5, 7), "anxiety": min(10, rng.randint(2, 5) + spike),
                  "symptoms": symptoms}  # fmt: skip
        journal.day(offset, values, worst_time=rng.choice(TIMES))


@pytest.mark.parametrize("seed", range(20))
def test_noise_journals_give_no_false_findings(store: Store, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 -- seeded noise for a test, not a secret
    journal = Journal(store, rng.choice([NIGHTLY, SPLIT]))
    _noise(journal, rng, 56)
    for offset in (13, 20, 27, 41, 55):
        result = journal.review(offset)
        assert _kinds(result) <= {"stable"}, (offset, [f.message for f in result.findings])
        assert result.proposal.action in {"proceed", "hold", "not_enough_checkins"}
