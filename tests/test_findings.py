"""Advisory findings and the proposal: each kind fires on its pattern and not without it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from taperline.core.findings import (
    Finding,
    FindingRules,
    crisis_message,
    find_co_use,
    find_escalation,
    find_flares,
    find_interdose,
    find_profile_red_flags,
    find_rebound,
    find_red_flags,
    find_stable,
    find_waves,
    flare_threshold,
    propose_next_step,
    time_of_day,
    trough_hour,
)
from taperline.core.instruments import score_phq9
from taperline.core.journal import CheckIn, SleepDiary, TakenDose, TimeOfDay, night_times
from taperline.core.metrics import Baseline
from taperline.core.pk import CLONAZEPAM_PK
from taperline.core.quantity import Mass
from tests.strategies import wall_clock

START = date(2027, 2, 1)
BASE = Baseline(burden_mean=8.0, burden_sd=1.0, se_mean_pct=85.0, se_sd_pct=3.0, days=14, nights=14)
GOOD_MOOD, BAD_MOOD = 6, 0  # with anxiety 4: burden 8 (baseline) or 14 (>= 11, bad)


def _day(offset: int, mood: int = GOOD_MOOD, **extra: object) -> CheckIn:
    return CheckIn(START + timedelta(days=offset), None, mood=mood, anxiety=4, **extra)  # type: ignore[arg-type]


def _days(moods: list[int]) -> list[CheckIn]:
    return [_day(i, mood) for i, mood in enumerate(moods)]


def test_threshold_is_mean_plus_max_3_or_sd() -> None:
    assert flare_threshold(BASE) == 11.0
    assert flare_threshold(BASE, FindingRules(flare_min_points=1.0)) == 9.0


def test_flare_three_bad_days_in_a_week_after_a_step() -> None:
    days = _days([6, 6, 0, 6, 0, 0, 6, 6])
    (flare,) = find_flares(days, [START], BASE)
    assert flare.kind == "flare"
    assert flare.severity == "warning"
    assert flare.source == "ASAM-2025"
    assert [e.day for e in flare.evidence] == [START + timedelta(days=d) for d in (2, 4, 5)]
    assert not flare.clinician_flag


def test_no_flare_when_bad_days_are_spread_or_before_the_step() -> None:
    spread = _days([0, 6, 6, 6, 6, 6, 6, 6, 0, 6, 6, 6, 6, 0])
    assert find_flares(spread, [START], BASE) == ()
    assert find_flares(_days([0, 0, 0, 6]), [START + timedelta(days=4)], BASE) == ()


def test_severe_flare_asks_the_clinician() -> None:
    (flare,) = find_flares(_days([0] * 6), [START], BASE)
    assert flare.clinician_flag
    assert "previous dose" in flare.suggested_action
    proposal = propose_next_step([flare])
    assert proposal.action == "return_to_previous"
    assert proposal.clinician_only


def test_stable_needs_a_good_week_with_five_check_ins() -> None:
    # issue 17: 5 of the 7 days with the checklist are enough (one missing day no longer
    # blocks "stable"); a bad day in the week does.
    assert find_stable(_days([6] * 7), BASE)[0].suggested_action.startswith("ready")
    assert find_stable(_days([6] * 6), BASE)[0].kind == "stable"
    assert find_stable(_days([6] * 4), BASE) == ()
    assert find_stable(_days([6, 0, 6, 6, 6, 6, 6, 6, 6]), BASE)[0].kind == "stable"
    assert find_stable(_days([6, 6, 6, 6, 0, 6, 6, 6]), BASE) == ()
    gap = [_day(d) for d in (0, 1, 2, 3, 4, 5, 7)]
    assert find_stable(gap, BASE)[0].kind == "stable"
    few = [_day(d) for d in (0, 1, 2, 4, 6)]
    assert find_stable(few, BASE, today=START + timedelta(days=7)) == ()


def test_waves_need_two_bad_stretches_with_a_window_between() -> None:
    (waves,) = find_waves(_days([0, 0, 6, 6, 6, 0, 0, 0]), BASE)
    assert waves.severity == "info"
    assert "not a sign of failure" in waves.message
    assert waves.source == "SEED-MICROTAPER"
    assert find_waves(_days([0, 0, 0, 6, 6, 6]), BASE) == ()
    assert find_waves(_days([0, 6, 0, 6, 0, 6]), BASE) == ()  # single days are noise


@pytest.mark.parametrize(
    ("hour", "part"),
    [
        (0.0, "night"),
        (5.9, "night"),
        (6.0, "morning"),
        (12.0, "afternoon"),
        (18.0, "evening"),
        (23.99, "evening"),
        (30.0, "morning"),
    ],
)
def test_time_of_day(hour: float, part: str) -> None:
    assert time_of_day(hour) == part


def test_trough_is_just_before_the_next_dose() -> None:
    assert trough_hour(CLONAZEPAM_PK, [(22.0, 1.0)]) == 22.0
    assert time_of_day(trough_hour(CLONAZEPAM_PK, [(9.0, 0.5)])) == "morning"
    assert trough_hour(CLONAZEPAM_PK, [(8.0, 0.25), (20.0, 0.5)]) == 20.0


def _worst(times: list[TimeOfDay | None], mood: int = BAD_MOOD) -> list[CheckIn]:
    return [_day(i, mood, worst_time=t) for i, t in enumerate(times)]


def test_interdose_when_most_worst_times_with_symptoms_match_a_trough() -> None:
    # issue 17: the troughs of each day's regimen, days with symptoms only (a worst time
    # alone is not withdrawal), the supporting days alone as evidence.
    days = _worst(["evening", "evening", "evening", "morning", None, "evening", "evening"])
    nightly = {c.wake_date: (22.0,) for c in days}
    (found,) = find_interdose(days, nightly, good_day=8.0)
    assert found.kind == "interdose"
    assert [e.day for e in found.evidence if e.label == "worst time"] == [
        START + timedelta(days=d) for d in (0, 1, 2, 5, 6)
    ]
    assert "splitting" in found.suggested_action
    mornings = {c.wake_date: (8.0,) for c in days}
    assert find_interdose(days, mornings, good_day=8.0) == ()
    assert find_interdose(_worst(["evening"] * 4), nightly, good_day=8.0) == ()  # too few days
    half = _worst(["evening", "evening", "night", "night"] * 3)
    assert find_interdose(half, {c.wake_date: (22.0,) for c in half}, good_day=8.0) == ()
    calm = _worst(["evening"] * 7, mood=GOOD_MOOD)  # no symptoms above the good days
    assert find_interdose(calm, nightly, good_day=8.0) == ()


def _night(offset: int, sol_min: int) -> SleepDiary:
    return SleepDiary(
        *night_times(START + timedelta(days=offset)), sol_min=sol_min, waso_min=0, awakenings=0
    )


def _dosed(offset: int, sol_min: int, hour: int | None) -> CheckIn:
    day = START + timedelta(days=offset)
    doses = (
        ()
        if hour is None
        else (TakenDose(wall_clock(day.year, day.month, day.day, hour), Mass.of_mg("0.5")),)
    )
    return CheckIn(day, _night(offset, sol_min), mood=6, anxiety=4, doses=doses)


def test_rebound_after_missed_and_late_dose() -> None:
    days = [
        _dosed(0, 10, 22),
        _dosed(1, 10, None),  # missed
        _dosed(2, 150, 22),  # bad night after the miss
        _dosed(3, 10, 23),  # late by 1 h: not late
        _dosed(4, 10, 23),
        _dosed(5, 10, 22),
    ]
    days.append(_dosed(6, 10, 22))
    (found,) = find_rebound(days, [21.0])
    assert [e.value for e in found.evidence] == ["missed", "62"]
    late = [_dosed(0, 10, 23), _dosed(1, 150, 21), _dosed(2, 10, 21)]
    assert find_rebound(late, [21.0], FindingRules(late_after_h=1.5))[0].evidence[0].value == "late"
    assert find_rebound(late, [21.0]) == ()


def test_escalation_above_the_plan_step_of_that_day() -> None:
    targets = [(START, Mass.of_mg(1)), (START + timedelta(days=14), Mass.of_mg("0.75"))]
    ok = _dosed(3, 10, 22)
    days = [
        ok,
        CheckIn(
            START + timedelta(days=15),
            None,
            mood=6,
            anxiety=4,
            doses=(TakenDose(wall_clock(2027, 2, 16, 22), Mass.of_mg(1)),),
        ),
    ]
    (found,) = find_escalation(days, targets)
    assert found.clinician_flag
    assert found.evidence[0].value == "1 mg taken, 0.75 mg planned"
    assert find_escalation([ok], targets) == ()
    assert find_escalation(days, []) == ()


@pytest.mark.parametrize(
    "event", ["suicidal thoughts", "seizure", "confusion", "psychosis", "fall"]
)
def test_every_red_flag_is_urgent_for_the_clinician(event: str) -> None:
    # issue 17: the crisis line goes with thoughts of suicide (tests/test_findings_red_flags.py
    # has each event's message), not with every red flag.
    (found,) = find_red_flags([_day(0, events=frozenset({event}))])
    assert found.severity == "urgent"
    assert found.clinician_flag
    assert (crisis_message() in found.message) == (event == "suicidal thoughts")


def test_phq9_item9_is_a_red_flag_with_local_number() -> None:
    scores = [score_phq9([0] * 8 + [2], taken_on=START), score_phq9([1] * 8 + [0])]
    rules = FindingRules(local_emergency="call 999 (UK)")
    (found,) = find_red_flags([], scores, rules)
    assert found.evidence[0].value == "phq9 item 9"
    assert found.evidence[0].day == START
    assert "call 999 (UK)" in found.message
    assert found.source == "KROENKE-2001"


@pytest.mark.parametrize(
    ("note", "typed", "source"),
    [
        ("Awful day. I want to die.", ["want to die"], "LABEL"),
        ("thought about SELF-HARM again", ["SELF-HARM"], "LABEL; KROENKE-2001"),
        ("had a seizure at work", ["seizure"], "ASAM-2025; SEED-MINDED"),
        ("convulsions and then suicidal, kill myself", ["convulsions"], "ASAM-2025; SEED-MINDED"),
    ],
)
def test_crisis_words_in_notes_are_red_flags(note: str, typed: list[str], source: str) -> None:
    found = find_red_flags([_day(0, notes=note)], rules=FindingRules(local_emergency="112"))
    first = found[0]
    assert (first.kind, first.severity, first.clinician_flag) == ("red_flag", "urgent", True)
    assert [(e.label, e.value) for e in first.evidence] == [("note", t) for t in typed]
    assert first.source == source
    # issue 17: a seizure gets emergency services, thoughts of suicide the crisis line
    seizure = typed in (["seizure"], ["convulsions"])
    assert (crisis_message("112") in first.message) != seizure
    assert ("call emergency services now" in first.message) == seizure
    assert all(e.value in note for f in found for e in f.evidence)  # quoted, never invented


def test_two_kinds_in_one_note_give_two_flags_with_every_phrase() -> None:
    found = find_red_flags([_day(0, notes="suicidal, want to die; had a fit")])
    assert [[e.value for e in f.evidence] for f in found] == [
        ["suicidal", "want to die"],
        ["had a fit"],
    ]


@pytest.mark.parametrize(
    "note", ["", "slept badly", "my epilepsy is fine", "seizure medication taken", "a benefit"]
)
def test_notes_without_crisis_words_give_no_red_flag(note: str) -> None:
    assert find_red_flags([_day(0, notes=note)]) == ()


def test_a_note_repeating_the_days_event_is_not_reported_twice() -> None:
    day = _day(0, events=frozenset({"seizure"}), notes="had a seizure in the morning")
    [flag] = find_red_flags([day])
    assert flag.evidence[0].label == "event"
    other = _day(0, events=frozenset({"seizure"}), notes="and now suicidal")
    assert [f.evidence[0].label for f in find_red_flags([other])] == ["event", "note"]


def test_profile_conditions_with_crisis_words_are_red_flags() -> None:
    conditions = ["epilepsy", "history of self-harm", "seizures", "insomnia"]
    found = find_profile_red_flags(conditions, START, medicines=["wish I was dead"])
    assert [(e.label, e.value) for f in found for e in f.evidence] == [
        ("profile condition", "history of self-harm"),
        ("profile condition", "seizures"),
        ("profile medicine", "wish I was dead"),
    ]
    assert all(f.severity == "urgent" and f.clinician_flag for f in found)
    assert all(f.evidence[0].day == START for f in found)
    assert "“history of self-harm”" in found[0].message
    assert find_profile_red_flags(["epilepsy", "seizure disorder"], START) == ()


def test_review_reports_profile_red_flags_and_holds() -> None:
    from taperline.core.record import PersonRecord, Profile
    from taperline.core.review import review

    record = PersonRecord(Profile("UTC", conditions=("suicidal thoughts",)))
    result = review(record, START)
    assert [f.kind for f in result.findings] == ["red_flag"]
    assert result.findings[0].evidence[0].day == START
    assert (result.proposal.action, result.proposal.clinician_only) == ("hold", True)


def test_co_use_of_alcohol_or_opioids() -> None:
    (found,) = find_co_use([_day(0, alcohol_drinks=2), _day(1, opioid_use=True), _day(2)])
    assert [e.label for e in found.evidence] == ["alcohol drinks", "opioid"]
    assert found.severity == "warning"
    assert find_co_use([_day(0, caffeine_drinks=3)]) == ()


def _finding(kind: str, *, flag: bool = False) -> Finding:
    return Finding(kind, "warning", kind, (), "test", "x", clinician_flag=flag)  # type: ignore[arg-type]


def test_proposal_rules() -> None:
    assert propose_next_step([_finding("stable")]).action == "proceed"
    hold = propose_next_step([_finding("flare")])
    assert (hold.action, hold.hold_days) == ("hold", 14)
    assert propose_next_step([_finding("flare"), _finding("flare")]).action == "slow"
    urgent = propose_next_step([_finding("stable"), _finding("red_flag", flag=True)])
    assert (urgent.action, urgent.clinician_only) == ("hold", True)
    assert propose_next_step([_finding("escalation", flag=True)]).clinician_only
    waiting = propose_next_step([_finding("waves")], FindingRules(hold_days=7))
    assert (waiting.action, waiting.hold_days) == ("hold", 7)
    assert "not yet 7 stable days in a row" in waiting.reasons


def test_proposal_is_never_applied() -> None:
    for findings in ([], [_finding("stable")], [_finding("flare")]):
        assert propose_next_step(findings).status == "proposed"
