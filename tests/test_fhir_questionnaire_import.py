"""The FHIR import of the PHQ-9 and GAD-7 after the fixes of 2026-12-04.

The neighbours of the defects tests/test_phq9_sleep_window_review.py pinned (its FHIR part): a
score Observation (PHQ-9 panel 44249-1, total 44261-6, item 9 44260-8; GAD-7 69737-5 and
70274-6) must name its QuestionnaireResponse in ``derivedFrom`` and say what the response says,
or the bundle is refused naming it, nothing imported; a refusal where item 9 was said above 0
carries the crisis message. Item numbers outside the instrument's are refused, and a
questionnaire dated after today is refused as a check-in is. What taperline itself writes, in
either form and through a server, still reads back the same.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from taperline.adapters.fhir import export_bundle, read_bundle
from taperline.adapters.fhir.codes import QUESTIONNAIRE_BASE
from taperline.core.instruments import InstrumentScore, score_gad7, score_phq9
from taperline.core.record import PersonRecord, Profile
from taperline.errors import InputError
from taperline.service import import_record, open_store
from tests.support.journal_cli import Taperline, refused

Json = dict[str, Any]
NOW: Final = datetime(2027, 1, 5, 12, tzinfo=UTC)  # today is 2027-01-05 in London
TAKEN: Final = date(2027, 1, 4)
#: The crisis line of core.findings.crisis_message.
CRISIS: Final = "call or text 988 (US) now"
#: LOINC's answers by score (LL358-3).
ANSWER_CODE: Final = ("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9")


def _bundle(*scores: InstrumentScore) -> Json:
    record = PersonRecord(Profile("Europe/London", "40-64"), scores=scores)
    bundle: Json = export_bundle(record, (), generated_at=NOW)
    return bundle


def _phq9(items: list[int], day: date | None = TAKEN) -> InstrumentScore:
    return score_phq9(items, day)


def _resources(bundle: Json, kind: str, code: str | None = None) -> list[Json]:
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
    if code is None:
        return found
    return [r for r in found if r["code"]["coding"][0]["code"] == code]


def _without_responses(bundle: Json) -> Json:
    bundle["entry"] = [
        e for e in bundle["entry"] if e["resource"]["resourceType"] != "QuestionnaireResponse"
    ]
    return bundle


def _refused(bundle: Json, *words: str) -> str:
    with pytest.raises(InputError) as caught:
        read_bundle(bundle)
    said = str(caught.value)
    for word in words:
        assert word in said, (word, said)
    return said


def _cli_import(tmp_path: Path, bundle: Json) -> tuple[Any, Taperline]:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    run = Taperline(f"sqlite:///{tmp_path / 'imported.db'}")
    return run("import", "fhir", str(path)), run


# --- Observations without their response ----------------------------------------------------


def test_an_item_9_observation_alone_is_refused_through_the_cli_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    result, run = _cli_import(tmp_path, _without_responses(_bundle(_phq9([1] * 8 + [2]))))
    refused(result, "44260-8", "derivedFrom", "QuestionnaireResponse", CRISIS)
    assert "nothing was imported" in result.stderr
    assert run.store().person_ids() == []


def test_an_item_9_observation_of_0_alone_is_refused_without_the_crisis_message() -> None:
    said = _refused(_without_responses(_bundle(_phq9([1] * 8 + [0]))))
    assert "44260-8" in said
    assert CRISIS not in said


@pytest.mark.parametrize("code", ["70274-6", "69737-5"])
def test_a_gad7_total_or_panel_alone_is_refused(code: str) -> None:
    bundle = _bundle(score_gad7([1] * 7, TAKEN))
    kept = [
        e
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Patient"
        or e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == code
    ]
    bundle["entry"] = kept
    _refused(bundle, code, "derivedFrom", "GAD-7")


def test_an_observation_naming_a_response_not_in_the_bundle_is_refused() -> None:
    bundle = _bundle(_phq9([0] * 9))
    (item9,) = _resources(bundle, "Observation", "44260-8")
    item9["derivedFrom"] = [{"reference": "QuestionnaireResponse/elsewhere"}]
    _refused(bundle, "Observation entry", "44260-8", "derivedFrom")


def test_a_phq9_observation_derived_from_a_gad7_is_refused() -> None:
    bundle = _bundle(_phq9([0] * 9), score_gad7([0] * 7, TAKEN))
    (total,) = _resources(bundle, "Observation", "44261-6")
    gad7 = next(
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"].get("questionnaire", "").endswith("69737-5")
    )
    total["derivedFrom"] = [{"reference": gad7}]
    _refused(bundle, "44261-6", "GAD-7", "PHQ-9")


# --- Observations that say another thing ------------------------------------------------------


@pytest.mark.parametrize(("answered", "said"), [(2, 0), (0, 3), (1, 2)])
def test_an_item_9_observation_must_say_what_the_response_answers(answered: int, said: int) -> None:
    bundle = _bundle(_phq9([0] * 8 + [answered]))
    (item9,) = _resources(bundle, "Observation", "44260-8")
    item9["valueCodeableConcept"]["coding"][0]["code"] = ANSWER_CODE[said]
    del item9["valueCodeableConcept"]["coding"][0]["extension"]
    text = _refused(bundle, "44260-8", "QuestionnaireResponse entry", "nothing was imported")
    assert CRISIS in text  # one of the two says above 0


def test_an_item_9_observation_as_written_before_is_checked_too() -> None:
    """Bundles of b4d983b wrote item 9 as a valueInteger: read, and checked the same."""
    bundle = _bundle(_phq9([0] * 8 + [1]))
    (item9,) = _resources(bundle, "Observation", "44260-8")
    del item9["valueCodeableConcept"]
    item9["valueInteger"] = 1
    assert read_bundle(bundle).record.scores[0].items[8] == 1
    item9["valueInteger"] = 0
    _refused(bundle, "44260-8", CRISIS)


def test_an_item_9_observation_without_an_answer_is_refused() -> None:
    bundle = _bundle(_phq9([0] * 9))
    (item9,) = _resources(bundle, "Observation", "44260-8")
    del item9["valueCodeableConcept"]
    _refused(bundle, "Observation entry", "valueCodeableConcept", "is missing")


def test_a_gad7_total_that_is_not_the_sum_of_its_answers_is_refused() -> None:
    bundle = _bundle(score_gad7([1] * 7, TAKEN))
    (total,) = _resources(bundle, "Observation", "70274-6")
    total["valueInteger"] = 8
    _refused(bundle, "70274-6", "8", "(7)", "nothing was imported")


def test_a_total_with_another_band_is_refused() -> None:
    bundle = _bundle(_phq9([1] * 9))  # 9: mild
    (total,) = _resources(bundle, "Observation", "44261-6")
    total["interpretation"] = [{"text": "minimal"}]
    _refused(bundle, "interpretation", "'mild'")


def test_a_second_total_of_one_response_is_refused() -> None:
    bundle = _bundle(_phq9([1] * 9))
    entry = next(
        e
        for e in bundle["entry"]
        if e["resource"].get("code", {}).get("text", "").endswith("total score")
    )
    bundle["entry"].append({**entry, "fullUrl": "urn:uuid:22222222-2222-4222-8222-222222222222"})
    _refused(bundle, "44261-6", "second")


def test_a_panel_with_a_value_is_refused() -> None:
    bundle = _bundle(_phq9([1] * 9))
    (panel,) = _resources(bundle, "Observation", "44249-1")
    panel["valueInteger"] = 9
    _refused(bundle, "valueInteger", "44249-1")


# --- item numbers ------------------------------------------------------------------------------


def _numbered(bundle: Json, instrument: str, answers: dict[str, int]) -> Json:
    """The response in the form written before 2026-12-03: item numbers, valueInteger."""
    (response,) = _resources(bundle, "QuestionnaireResponse")
    response["questionnaire"] = f"{QUESTIONNAIRE_BASE}/{instrument}"
    response["item"] = [
        {"linkId": link, "answer": [{"valueInteger": value}]} for link, value in answers.items()
    ]
    return bundle


@pytest.mark.parametrize(
    "links",
    [
        pytest.param([str(n) for n in range(9)], id="0-8"),
        pytest.param([str(n) for n in range(1, 11)], id="1-10"),
        pytest.param(["1", "2", "3", "4", "5", "6", "7", "8", "\uff19"], id="full-width-9"),
    ],
)
def test_phq9_item_numbers_outside_1_to_9_are_refused(tmp_path: Path, links: list[str]) -> None:
    bundle = _numbered(_bundle(_phq9([0] * 9)), "phq-9", dict.fromkeys(links, 0))
    result, run = _cli_import(tmp_path, bundle)
    refused(result, "linkId")
    assert run.store().person_ids() == []


@pytest.mark.parametrize("link", ["0", "8", "9"])
def test_gad7_item_numbers_outside_1_to_7_are_refused(link: str) -> None:
    answers = {str(n): 0 for n in range(1, 7)} | {link: 0}
    bundle = _numbered(_bundle(score_gad7([0] * 7, TAKEN)), "gad-7", answers)
    _refused(bundle, "linkId", repr(link), "GAD-7", "1-7")


def test_item_numbers_with_a_leading_zero_still_read(tmp_path: Path) -> None:
    """'09' is item 9: with the Observations agreeing, it imports and is urgent."""
    answers = {f"0{n}": 0 for n in range(1, 9)} | {"09": 1}
    bundle = _numbered(_bundle(_phq9([0] * 8 + [1])), "phq-9", answers)
    result, run = _cli_import(tmp_path, bundle)
    assert result.exit_code == 0, result.stderr
    assert CRISIS in result.output
    assert [s.items for s in run.store().scores(1)] == [(0,) * 8 + (1,)]


# --- the date ------------------------------------------------------------------------------------


def _import(tmp_path: Path, bundle: Json) -> Any:
    store = open_store(f"sqlite:///{tmp_path / 'imported.db'}")
    return store, import_record(store, read_bundle(bundle).record, now=NOW)


@pytest.mark.parametrize("instrument", ["PHQ-9", "GAD-7"])
def test_a_questionnaire_dated_after_today_is_refused_and_nothing_is_stored(
    tmp_path: Path, instrument: str
) -> None:
    tomorrow = date(2027, 1, 6)
    score = _phq9([0] * 9, tomorrow) if instrument == "PHQ-9" else score_gad7([0] * 7, tomorrow)
    store = open_store(f"sqlite:///{tmp_path / 'imported.db'}")
    with pytest.raises(InputError, match=rf"{instrument} dated 2027-01-06 .* in the future"):
        import_record(store, read_bundle(_bundle(_phq9([1] * 9), score)).record, now=NOW)
    assert store.person_ids() == []


def test_a_questionnaire_of_today_is_imported(tmp_path: Path) -> None:
    store, pid = _import(tmp_path, _bundle(_phq9([0] * 9, date(2027, 1, 5))))
    assert [s.taken_on for s in store.scores(pid)] == [date(2027, 1, 5)]


def test_an_undated_questionnaire_is_refused_naming_authored(tmp_path: Path) -> None:
    """The store never kept one; the refusal now says which and where its date goes."""
    store = open_store(f"sqlite:///{tmp_path / 'imported.db'}")
    record = read_bundle(_bundle(_phq9([1] * 9), score_gad7([0] * 7))).record
    with pytest.raises(InputError, match=r"GAD-7 has no date.*authored, a total of 0"):
        import_record(store, record, now=NOW)
    assert store.person_ids() == []


# --- what taperline writes reads back ---------------------------------------------------------


def test_what_taperline_writes_reads_back_directly_and_through_a_server() -> None:
    from taperline.adapters.fhir import transaction_bundle
    from tests.support.fhir_server import through_a_server

    scores = (_phq9([3, 2, 1, 0, 0, 1, 2, 3, 2]), score_gad7([1, 2, 3, 0, 1, 2, 3], TAKEN))
    bundle = _bundle(*scores)
    assert read_bundle(bundle).record.scores == scores
    served = through_a_server(transaction_bundle(bundle))
    derived = {
        ref["reference"]
        for r in _resources(served, "Observation")
        for ref in r.get("derivedFrom", [])
    }
    assert all(ref.startswith("QuestionnaireResponse/") for ref in derived), derived
    assert read_bundle(served).record.scores == scores


# --- an Observation of another day -------------------------------------------------------------


def test_an_observation_of_another_day_than_its_response_is_refused() -> None:
    bundle = _bundle(_phq9([0] * 9))
    (total,) = _resources(bundle, "Observation", "44261-6")
    total["effectiveDateTime"] = "2027-01-03"
    _refused(bundle, "effectiveDateTime", "44261-6")
