"""The rules engine on hand-made plans: each rule, its boundary, and what an override lifts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from taperline.core.catalogue import DailyMaximum
from taperline.core.quantity import Mass
from taperline.core.record import PlanBasis, RecordDose, RecordStep
from taperline.core.rules import (
    Limits,
    check_plan,
    check_reason,
    lowest_allowed,
    parameter_violations,
    pct_text,
    rate_allowance,
)
from taperline.errors import InputError, SafetyError

START = date(2027, 1, 4)
REASON = "inpatient detoxification unit, supervised daily by the team"


def _limits(**changes: object) -> Limits:
    base = Limits(
        start_drug="clonazepam",
        ratios={"clonazepam": Decimal(20), "diazepam": Decimal(1)},  # ASHTON
        daily_max={
            "clonazepam": DailyMaximum("panic", Mass.of_mg(4), "adults", "LABEL"),
            "diazepam": DailyMaximum(None, Mass.of_mg(40), "adults", "LABEL-DIAZEPAM"),
        },
        smallest={"clonazepam": Mass.of_mg("0.125"), "diazepam": Mass.of_mg(1)},
        ratios_by_source={
            "ASHTON": {"clonazepam": Decimal(20), "diazepam": Decimal(1)},
            "VADOD-2021": {"clonazepam": Decimal(10), "diazepam": Decimal(1)},
        },
    )
    return Limits(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})  # type: ignore[arg-type]


def _plan(*days_mg: tuple[int, str], drug: str = "clonazepam") -> list[RecordStep]:
    steps = []
    for day, mg in days_mg:
        doses = (RecordDose("22:00", drug, Mass.of_mg(mg)),) if mg != "0" else ()
        steps.append(RecordStep(START + timedelta(days=day), doses))
    return steps


def _rules(steps: list[RecordStep], **changes: object) -> list[str]:
    return [v.rule for v in check_plan(steps, _limits(**changes)).refused]


# --- the cap in a rolling window ------------------------------------------------------------


def test_25_percent_every_14_days_is_exactly_allowed() -> None:
    assert _rules(_plan((0, "1"), (14, "0.75"), (28, "0.5625"), (42, "0.421875"))) == []


def test_short_intervals_do_not_get_round_the_window() -> None:
    weekly = _plan((0, "1"), (14, "0.85"), (21, "0.72"))  # 28 % within 14 days
    assert _rules(weekly) == ["cap"]
    daily = _plan((0, "1"), *((14 + i, f"{1 - 0.04 * (i + 1):.2f}") for i in range(7)))
    assert "cap" in _rules(daily)


def test_the_end_phase_allows_a_fall_of_diazepam_half_a_mg_per_window_not_per_step() -> None:
    # 0.05 -> 0.025 mg: a 50 % cut of 0.5 mg diazepam equivalent (Ashton): allowed.
    assert _rules(_plan((0, "0.05"), (14, "0.025"))) == []
    # Daily cuts of 0.025 mg, each within the end phase: from 0.2 mg (4 mg diazepam) a window
    # may fall 25 % (0.05 mg); the third and fourth days go beyond it.
    steps = _plan((0, "0.2"), (14, "0.175"), (15, "0.15"), (16, "0.125"), (17, "0.1"))
    assert _rules(steps) == ["cap", "cap"]


def test_an_override_lifts_the_cap_and_says_what_is_outside() -> None:
    steps = _plan((0, "2"), (14, "1"))
    report = check_plan(steps, _limits(override_reason=REASON))
    assert report.ok
    assert report.mark == f"outside the guideline by clinician override: {REASON}"
    assert report.outside_guideline == (
        "2027-01-18: a 50 % cut within 14 days (the guideline: 25 % per 14 days [ASAM-2025])",
    )
    assert report.step_notes()[START + timedelta(days=14)].startswith(report.mark)


def test_messages_never_contradict_the_cap() -> None:
    assert pct_text(Decimal("25.04"), Decimal(25)) == "25.04"
    assert pct_text(Decimal("16.666")) == "16.7"
    # A step that cuts 16.7 % but falls 30 % within the window says 30 %, not 16.7 %.
    steps = _plan((0, "1.2"), (14, "0.84"), (20, "0.7"))
    with pytest.raises(SafetyError, match=r"from 1\.2 mg .* to 0\.7 mg: a 41\.7 % cut"):
        check_plan(steps, _limits()).raise_if_refused()


# --- hard limits: no override lifts them ----------------------------------------------------


@pytest.mark.parametrize("override", ["", REASON])
def test_hard_limits_hold_with_or_without_an_override(override: str) -> None:
    assert "daily_max" in _rules(_plan((0, "4.5")), override_reason=override)
    assert "increase" in _rules(_plan((0, "1"), (14, "1.5")), override_reason=override)
    assert "abrupt_stop" in _rules(_plan((0, "1"), (14, "0")), override_reason=override)
    assert "label_rate" in _rules(_plan((0, "4"), (14, "2.5")), override_reason=override)


def test_an_increase_with_a_real_reason_is_allowed() -> None:
    steps = _plan((0, "1"), (14, "1.5"))
    steps[1] = RecordStep(steps[1].start, steps[1].doses, reason="breakthrough seizures, EEG")
    assert _rules(steps) == []
    steps[1] = RecordStep(steps[1].start, steps[1].doses, reason="ok")
    assert _rules(steps) == ["increase"]


def test_a_stop_is_allowed_from_the_smallest_dose_or_the_end_phase() -> None:
    assert _rules(_plan((0, "0.25"), (14, "0.125"), (28, "0")), override_reason=REASON) == []
    assert _rules(_plan((0, "0.025"), (14, "0"))) == []  # diazepam 0.5 mg equivalent
    assert _rules(_plan((0, "0.25"), (14, "0")), override_reason=REASON) == ["abrupt_stop"]


def test_the_label_rate_over_every_span() -> None:
    limits = _limits()
    step = limits.label_step(True)  # 0.25 mg of clonazepam: 5 mg diazepam by Ashton
    assert step == Decimal(5)
    assert rate_allowance(1, step) == rate_allowance(14, step) == Decimal(25)  # 1.25 mg
    assert rate_allowance(28, step) == Decimal(50)  # 10 steps of 0.25 mg
    assert limits.label_step(False) == Decimal("2.5")  # with another drug: never looser
    # The label's own taper, 0.25 mg a day every 3 days, is exactly allowed...
    label = _plan(*((3 * i, f"{2 - 0.25 * i:g}") for i in range(8)))
    assert "label_rate" not in _rules(label, override_reason=REASON)
    # ...and 0.25 mg every 2 days is not.
    faster = _plan(*((2 * i, f"{2 - 0.25 * i:g}") for i in range(8)))
    assert "label_rate" in _rules(faster, override_reason=REASON)
    # Nardi 2010: 0.5 mg every 2 weeks, larger single cuts spaced out, is slower.
    nardi = _plan((0, "3"), (14, "2.5"), (28, "2"), (42, "1.5"), (56, "1"))
    assert "label_rate" not in _rules(nardi, override_reason=REASON)


def test_the_planner_floor_is_the_engine_s_own() -> None:
    limits = _limits()
    step = limits.label_step(True)
    days, refs = [START], [Decimal(20)]  # 1 mg (Ashton: 20 mg diazepam)
    when = START + timedelta(days=14)
    assert lowest_allowed(days, refs, when, limits, step, False) == Decimal(15)  # 25 %
    days, refs = [START], [Decimal(1)]  # 0.05 mg
    assert lowest_allowed(days, refs, when, limits, step, False) == Decimal("0.5")  # end phase
    days, refs = [START], [Decimal(80)]  # 4 mg with the cap lifted: the label rate stays
    assert lowest_allowed(days, refs, when, limits, step, True) == Decimal(55)  # 1.25 mg


# --- crossovers and settings ------------------------------------------------------------------


def test_a_switch_that_is_a_cut_by_another_source_needs_an_override() -> None:
    steps = [
        RecordStep(START, (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)),
        RecordStep(START + timedelta(days=14), (RecordDose("22:00", "diazepam", Mass.of_mg(10)),)),
    ]
    vadod = {"clonazepam": Decimal(10), "diazepam": Decimal(1)}
    report = check_plan(steps, _limits(ratios=vadod))
    assert [v.rule for v in report.refused] == ["switch"]
    assert "a 50 % cut by ASHTON; 0 % by VADOD-2021" in report.refused[0].message
    assert "choose the equivalence that keeps the dose (ASHTON)" in report.refused[0].message
    assert check_plan(steps, _limits(ratios=vadod, override_reason=REASON)).ok


def test_settings_beyond_the_guideline_name_the_setting_and_the_guideline() -> None:
    found = parameter_violations(
        PlanBasis(max_cut_pct=Decimal(40), window_days=7, stabilisation_days=3)
    )
    assert [v.outside for v in found] == [
        "a cap of 40 % per 7 days, up to 64 % within 14 days (the guideline: 25 % per 14 days "
        "[ASAM-2025])",
        "a stabilisation of 3 days (the guideline: at least 14 days [SEED-MICROTAPER])",
    ]
    assert parameter_violations(PlanBasis(max_cut_pct=Decimal(20), stabilisation_days=28)) == []


def test_the_first_change_waits_for_the_stabilisation() -> None:
    assert _rules(_plan((0, "1"), (7, "0.9"))) == ["stabilisation"]
    assert _rules(_plan((0, "1"), (14, "0.9"))) == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x", "ok", "fast", "n/a", "N/A", "TBD", "patient request", "override",
     "see notes", "per protocol", "asdf qwerty", "ok per dr", "reason: faster",
     "asdfgh jklmnop", "blah blah blah", "lorem ipsum dolor", "aaaaaa bbbbbb",
     "because I said so", "n/a n/a n/a n/a hmm", "xyzzy plugh", "nothing to add here",
     "will document later", "pending review", "testing one two", "reason given verbally",
     "as discussed earlier", "qazwsx edcrfv"],
)  # fmt: skip
def test_placeholder_reasons_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        check_reason(text)


@pytest.mark.parametrize(
    "text",
    ["Nardi 2010 regimen", "inpatient detoxification", "short-term use for 6 weeks",
     "breakthrough seizures, EEG", "panic disorder label discontinuation",
     "admitted for surgery next month, start earlier", "flare of withdrawal symptoms",
     "discussed with the neurologist: breakthrough seizures"],
)  # fmt: skip
def test_real_reasons_are_kept(text: str) -> None:
    assert check_reason(f"  {text}  ") == text


# --- regressions from the adversarial review ---------------------------------------------------


def _mixed(day: int, clonazepam_mg: str, diazepam_mg: str) -> RecordStep:
    doses = []
    if clonazepam_mg != "0":
        doses.append(RecordDose("08:00", "clonazepam", Mass.of_mg(clonazepam_mg)))
    if diazepam_mg != "0":
        doses.append(RecordDose("22:00", "diazepam", Mass.of_mg(diazepam_mg)))
    return RecordStep(START + timedelta(days=day), tuple(doses))


def test_swaps_every_3_days_are_judged_over_the_whole_window() -> None:
    """Four quarter-swaps 3 days apart: each is small, together a 50 % cut by ASHTON."""
    swaps = [_mixed(0, "1", "0")] + [
        _mixed(14 + 3 * i, f"{1 - 0.25 * (i + 1):g}", f"{2.5 * (i + 1):g}") for i in range(4)
    ]
    vadod = {"clonazepam": Decimal(10), "diazepam": Decimal(1)}
    report = check_plan(swaps, _limits(ratios=vadod))
    assert "switch" in [v.rule for v in report.refused]
    assert "within 14 days" in next(v.message for v in report.refused if v.rule == "switch")
    assert check_plan(swaps, _limits(ratios=vadod, override_reason=REASON)).ok


def test_a_single_dose_that_grows_is_an_increase_even_when_the_day_s_total_does_not() -> None:
    every_day = RecordStep(START, (RecordDose("22:00", "clonazepam", Mass.of_mg(2)),))
    every_other = RecordStep(
        START + timedelta(days=14),
        (RecordDose("22:00", "clonazepam", Mass.of_mg(4)),),
        every_other_day=True,
    )
    report = check_plan([every_day, every_other], _limits())
    assert "increase" in [v.rule for v in report.refused]
    assert "raises a single dose (clonazePAM from 2 mg to 4 mg)" in report.refused[0].message


def test_a_stricter_cap_of_10_percent_per_7_days_needs_no_override() -> None:
    assert parameter_violations(PlanBasis(max_cut_pct=Decimal(10), window_days=7)) == []
    # ... while 14 % per 7 days compounds to 26 % in 14 days: beyond the guideline.
    (found,) = parameter_violations(PlanBasis(max_cut_pct=Decimal(14), window_days=7))
    assert found.message == (
        "the cap of 14 % per 7 days (up to 26 % within 14 days) is above the guideline's 25 % "
        "per 14 days [ASAM-2025]: use a cap of at most 13.3 % per 7 days, or give an override "
        "reason to use it"
    )
