"""Core of `taperline check` / `taperline learn`: findings, severities, exit codes, documents."""

from __future__ import annotations

import json
from datetime import time

import pytest

from taperline.catalogue_data import load_catalogue
from taperline.core.catalogue import Catalogue, Drug
from taperline.core.check import (
    DISCLAIMER,
    REGIMEN_ISSUE_KINDS,
    REGIMEN_ISSUE_SEVERITIES,
    CheckReport,
    CheckRequest,
    build_doses,
    check_document,
    check_regimen,
    learn,
    lesson_document,
    split_names,
    times_from_half_life,
)
from taperline.core.quantity import Mass
from taperline.errors import ImplausibleDoseError, InputError, RegimenError


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def clonazepam(catalogue: Catalogue) -> Drug:
    return catalogue.get("clonazepam")


def _check(
    catalogue: Catalogue,
    dose_mg: str = "0.5",
    clocks: tuple[time, ...] = (time(22, 0),),
    drug: str = "clonazepam",
    **context: object,
) -> CheckReport:
    doses = build_doses([Mass.of_mg(dose_mg)], clocks)
    request = CheckRequest(doses, **context)  # type: ignore[arg-type]
    return check_regimen(catalogue, catalogue.get(drug), request)


def _kinds(report: CheckReport) -> list[tuple[str, str]]:
    return [(f.kind, f.severity) for f in report.findings]


# --- doses ------------------------------------------------------------------------------------


def test_one_dose_at_several_times_and_paired_doses() -> None:
    doses = build_doses([Mass.of_mg("0.5")], [time(22, 0), time(8, 0)])
    assert [(d.clock_text, str(d.amount.mg)) for d in doses] == [("08:00", "0.5"), ("22:00", "0.5")]
    paired = build_doses([Mass.of_mg("0.25"), Mass.of_mg(1)], [time(8, 0), time(22, 0)])
    assert [str(d.amount.mg) for d in paired] == ["0.25", "1"]


def test_doses_without_times_and_mismatches() -> None:
    assert [d.clock for d in build_doses([Mass.of_mg(1), Mass.of_mg(1)], [])] == [None, None]
    with pytest.raises(RegimenError, match="2 doses, 3 times"):
        build_doses([Mass.of_mg(1), Mass.of_mg(2)], [time(1, 0), time(2, 0), time(3, 0)])
    with pytest.raises(RegimenError):
        build_doses([], [time(22, 0)])


def test_implausible_single_dose_is_input_error_with_mcg_hint(catalogue: Catalogue) -> None:
    with pytest.raises(ImplausibleDoseError, match="50 mcg"):
        _check(catalogue, "50")


@pytest.mark.parametrize(
    ("dose_mg", "band"),
    [
        ("0.125", None),
        ("0.25", "low"),
        ("0.5", "low"),
        ("0.75", "low-moderate"),
        ("1", "moderate"),
        ("2", "moderate"),
        ("2.5", "high"),
    ],
)
def test_bands_at_boundaries(catalogue: Catalogue, dose_mg: str, band: str | None) -> None:
    report = _check(catalogue, dose_mg, clocks=(time(9, 0),))
    assert (report.band.name if report.band else None) == band


def test_below_lowest_band_is_info(catalogue: Catalogue) -> None:
    report = _check(catalogue, "0.125", clocks=(time(9, 0),))
    assert _kinds(report) == [("dose", "info")]
    assert report.exit_code == 0


# --- daily maximum, sleep use, duration -------------------------------------------------------


def test_above_daily_maximum_is_urgent_not_refused(catalogue: Catalogue) -> None:
    report = _check(catalogue, "3", clocks=(time(8, 0), time(22, 0)))
    first = report.findings[0]
    assert (first.kind, first.severity, first.source) == ("dose", "urgent", "LABEL")
    assert "above the daily maximum of 4 mg" in first.message
    assert "prescriber" in first.message
    assert "20 mg" in first.message  # the seizure maximum is named as a hint, not applied
    assert first.clinician_flag
    assert report.exit_code == 1


@pytest.mark.parametrize("condition", ["epilepsy", "Seizure disorder", "history of seizures"])
def test_seizure_disorder_raises_the_maximum_to_20_mg(catalogue: Catalogue, condition: str) -> None:
    report = _check(catalogue, "3", clocks=(time(8, 0), time(22, 0)), conditions=(condition,))
    doses = [f for f in report.findings if f.kind == "dose"]
    assert [f.severity for f in doses] == ["info"]
    assert "within the maximum of 20 mg" in doses[0].message
    assert "above the daily maximum" not in " ".join(f.message for f in report.findings)
    assert report.daily_max is not None
    assert (report.daily_max.indication, report.daily_max.source) == ("seizure", "LABEL")
    assert all(f.kind != "timing" for f in report.findings)  # no bedtime sleep advice
    doc = check_document(report)
    assert (doc["daily_max_mg"], doc["indication"]) == (20.0, "seizure")
    assert "seizure disorder" in str(doc["daily_max"])


def test_above_the_seizure_maximum_is_still_urgent(catalogue: Catalogue) -> None:
    doses = build_doses([Mass.of_mg(4)] * 6, [time(h, 0) for h in (6, 9, 12, 15, 18, 21)])
    request = CheckRequest(doses, conditions=("epilepsy",))
    report = check_regimen(catalogue, catalogue.get("clonazepam"), request)
    first = report.findings[0]
    assert (first.kind, first.severity) == ("dose", "urgent")
    assert "above the daily maximum of 20 mg for adults with a seizure disorder" in first.message


@pytest.mark.parametrize(("condition", "max_mg"), [("panic disorder", 4), ("insomnia", 4)])
def test_panic_and_sleep_keep_4_mg(catalogue: Catalogue, condition: str, max_mg: int) -> None:
    report = _check(catalogue, "3", clocks=(time(8, 0), time(22, 0)), conditions=(condition,))
    assert report.daily_max is not None
    assert report.daily_max.max_mg.mg == max_mg
    assert report.findings[0].severity == "urgent"


def test_under_18_has_no_maximum_and_an_urgent_flag(catalogue: Catalogue) -> None:
    report = _check(catalogue, "1", age_years=15, conditions=("epilepsy",))
    assert report.daily_max is None
    ages = [f for f in report.findings if f.kind == "age"]
    assert [(f.severity, f.clinician_flag) for f in ages] == [("urgent", True)]
    assert "body weight" in ages[0].message
    assert check_document(report)["refusals"]


def test_at_daily_maximum_is_info(catalogue: Catalogue) -> None:
    report = _check(catalogue, "2", clocks=(time(8, 0), time(20, 0)))
    assert ("dose", "info") in _kinds(report)
    assert report.exit_code == 0


def test_plain_bedtime_dose_has_only_info(catalogue: Catalogue) -> None:
    report = _check(catalogue)
    assert _kinds(report) == [("timing", "info")]
    assert "30 min before bed" in report.findings[0].message
    assert report.exit_code == 0


def test_daytime_dose_has_no_bedtime_advice(catalogue: Catalogue) -> None:
    assert _check(catalogue, clocks=(time(9, 0),)).findings == ()


def test_after_midnight_dose_notes_morning_sedation(catalogue: Catalogue) -> None:
    report = _check(catalogue, clocks=(time(1, 30),))
    assert [f.source for f in report.findings] == ["SEED-AURA", "SEED-INSOMNIA"]


def test_bedtime_dose_above_sleep_range_is_warning(catalogue: Catalogue) -> None:
    report = _check(catalogue, "3")
    assert ("dose", "warning") in _kinds(report)
    assert report.exit_code == 1


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [(4, []), (5, ["SEED-AURA"]), (12, ["SEED-AURA"]), (13, ["SEED-AURA", "ASAM-2025"])],
)
def test_duration_of_use(catalogue: Catalogue, weeks: int, expected: list[str]) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), weeks=weeks)
    assert [f.source for f in report.findings if f.kind == "duration"] == expected


# --- interactions, conditions, unknown names --------------------------------------------------


def test_opioid_by_alias_is_urgent_and_mentions_breathing(catalogue: Catalogue) -> None:
    report = _check(catalogue, agents=("OxyCodone",))
    first = report.findings[0]
    assert (first.kind, first.severity, first.source) == ("interaction", "urgent", "LABEL")
    assert "breathing" in first.message
    assert report.exit_code == 1


def test_group_match_and_several_agents_of_one_group(catalogue: Catalogue) -> None:
    report = _check(catalogue, agents=("oxycodone, morphine", "Opioids"))
    opioid = [f for f in report.findings if f.kind == "interaction"]
    assert len(opioid) == 1
    assert "oxycodone, morphine, Opioids" in opioid[0].message


def test_inhibitor_is_qualitative_and_inducer_has_numbers(catalogue: Catalogue) -> None:
    report = _check(catalogue, agents=("fluconazole", "carbamazepine"))
    messages = [f.message for f in report.findings if f.kind == "interaction"]
    assert any("fluconazole" in m and "qualitative" in m for m in messages)
    assert any("carbamazepine" in m and "19-37 %" in m for m in messages)


def test_minor_interaction_is_info(catalogue: Catalogue) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), agents=("coffee",))
    assert _kinds(report) == [("interaction", "info")]
    assert report.exit_code == 0


def test_unknown_agent_and_condition_are_reported(catalogue: Catalogue) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), agents=("tea",), conditions=("gout",))
    assert report.unknown == ("tea", "gout")
    assert _kinds(report) == [("unknown", "warning"), ("unknown", "warning")]
    assert "sleep-apnea" in report.known_conditions
    assert report.exit_code == 1


def test_conditions_by_slug_alias_and_commas(catalogue: Catalogue) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), conditions=("OSA, liver-disease", "COPD"))
    sources = [f.message.split()[0] for f in report.findings]
    assert sources == ["Significant", "Sleep", "Clonazepam"]  # the contraindication first
    assert report.findings[0].kind == "contraindication"
    assert report.unknown == ()


@pytest.mark.parametrize(("age", "warned"), [(64, False), (65, True), (70, True)])
def test_age_threshold(catalogue: Catalogue, age: int, *, warned: bool) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), age_years=age)
    ages = [f for f in report.findings if f.kind == "age"]
    assert bool(ages) is warned
    if warned:
        assert ages[0].source == "BEERS-2023"


def test_age_and_condition_are_not_reported_twice(catalogue: Catalogue) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), age_years=80, conditions=("elderly",))
    assert _kinds(report) == [("age", "warning")]


@pytest.mark.parametrize("age", [-1, 121, 200])
def test_age_out_of_range_is_input_error(catalogue: Catalogue, age: int) -> None:
    with pytest.raises(InputError, match="0-120"):
        _check(catalogue, age_years=age)


def test_pregnancy_and_breastfeeding(catalogue: Catalogue) -> None:
    report = _check(catalogue, clocks=(time(9, 0),), pregnant=True, breastfeeding=True)
    assert _kinds(report) == [("pregnancy", "warning"), ("breastfeeding", "warning")]
    assert {f.source for f in report.findings} == {"SEED-MINDED"}


def test_flags_without_catalogue_caution_still_warn(catalogue: Catalogue) -> None:
    report = _check(catalogue, "5", drug="zolpidem", clocks=(time(9, 0),), pregnant=True)
    assert _kinds(report) == [("pregnancy", "warning")]
    assert "no information" in report.findings[0].message
    lorazepam = _check(catalogue, "1", drug="lorazepam", clocks=(time(9, 0),), age_years=70)
    assert [f.source for f in lorazepam.findings] == ["BEERS-2023"]


def test_findings_are_sorted_by_severity(catalogue: Catalogue) -> None:
    report = _check(catalogue, agents=("coffee", "fluconazole", "alcohol"), age_years=70)
    ranks = [REGIMEN_ISSUE_SEVERITIES.index(f.severity) for f in report.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_split_names() -> None:
    assert split_names(["a, B", "b", "", " c "]) == ("a", "B", "c")


# --- documents --------------------------------------------------------------------------------


def test_check_document_shape(catalogue: Catalogue) -> None:
    report = _check(catalogue, "1", agents=("oxycodone", "tea"), weeks=20)
    doc = json.loads(json.dumps(check_document(report)))
    assert {
        "drug",
        "daily_dose_mg",
        "doses",
        "band",
        "daily_max_mg",
        "daily_max_source",
        "sleep_use",
        "withdrawal_risk",
        "findings",
        "unknown",
        "exit_code",
    } <= set(doc)
    assert doc["doses"] == [{"time": "22:00", "amount_mg": 1.0}]
    assert doc["band"]["name"] == "moderate"
    assert doc["band"]["source"] == "SEED-INSOMNIA"
    assert (doc["daily_max_mg"], doc["daily_max_source"]) == (4.0, "LABEL")
    assert doc["sleep_use"]["low_mg"] == 0.25
    assert doc["sleep_use"]["before_bed_min"] == 30
    risks = {r["equivalence_source"]: r for r in doc["withdrawal_risk"]}
    assert risks["ASHTON"]["diazepam_equivalent_mg"] == 20.0
    assert risks["VADOD-2021"]["diazepam_equivalent_mg"] == 10.0
    for finding in doc["findings"]:
        assert finding["kind"] in REGIMEN_ISSUE_KINDS
        assert finding["severity"] in REGIMEN_ISSUE_SEVERITIES
        assert finding["message"]
        assert finding["source"]
    assert doc["unknown"] == ["tea"]
    assert doc["exit_code"] == 1
    assert doc["disclaimer"] == DISCLAIMER


def test_drug_without_sleep_use_or_bands(catalogue: Catalogue) -> None:
    doc = check_document(_check(catalogue, "5", drug="zolpidem"))
    assert doc["sleep_use"] is None
    assert doc["band"] is None
    assert doc["exit_code"] == 0


# --- learn ------------------------------------------------------------------------------------


def test_times_from_half_life(clonazepam: Drug) -> None:
    times = times_from_half_life(clonazepam.half_life_h)
    assert times.steady_90_h[0] == pytest.approx(35 * 3.3219, rel=1e-3)
    assert times.cleared_h == (175.0, 150.0, 200.0)


def test_lesson_for_clonazepam(clonazepam: Drug) -> None:
    lesson = learn(clonazepam)
    keys = [t.key for t in lesson.topics]
    for key in (
        "onset",
        "duration",
        "half_life",
        "steady_state",
        "time_to_clear",
        "side_effects",
        "insomnia_paradox",
        "alternatives",
        "stopping",
    ):
        assert key in keys
    alternatives = next(t for t in lesson.topics if t.key == "alternatives")
    assert "CBT-I" in alternatives.points[0].text
    stopping = next(t for t in lesson.topics if t.key == "stopping")
    assert {"SEED-MICROTAPER", "ASAM-2025"} <= {p.source for p in stopping.points}
    assert not lesson.sparse
    assert all(p.source for t in lesson.topics for p in t.points)


def test_every_drug_has_a_lesson(catalogue: Catalogue) -> None:
    for name in catalogue.names:
        doc = json.loads(json.dumps(lesson_document(learn(catalogue.get(name)))))
        assert doc["topics"], name
        keys = [t["key"] for t in doc["topics"]]
        assert "half_life" in keys
        assert ("little_else" in keys) is doc["sparse"]


def test_catalogue_validates_sleep_use() -> None:
    import copy
    import tomllib
    from importlib import resources

    from taperline.core.catalogue import parse_catalogue
    from taperline.errors import CatalogueError

    text = resources.files("taperline").joinpath("data", "drugs.toml").read_text("utf-8")
    data = tomllib.loads(text)
    bad = copy.deepcopy(data)
    bad["drugs"][0]["sleep_use"]["high_mg"] = "0.1 mg"
    with pytest.raises(CatalogueError, match="sleep_use: needs 0 < low_mg < high_mg"):
        parse_catalogue(bad)
    bad = copy.deepcopy(data)
    bad["drugs"][0]["sleep_use"]["short_term_high_weeks"] = 1
    with pytest.raises(CatalogueError, match="short_term_low_weeks"):
        parse_catalogue(bad)
