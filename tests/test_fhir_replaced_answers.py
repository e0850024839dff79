"""The FHIR export of a PHQ-9 retake's replaced answers, and their import back.

A PHQ-9 retaken the same day with a higher answer to item 9 replaces the day's answers and
keeps the ones it replaced (``InstrumentScore.replaced``). The export keeps them too: the
day's QuestionnaireResponse and its Observations take status ``amended`` and name what they
replaced (extension ``questionnaire-replaces``, Observation ``note``); each earlier answer set
is a QuestionnaireResponse of its own, status ``completed``, naming the one that replaced it
(``questionnaire-replaced-by``), with no Observation (a second ``final`` total of the day).
The bundle passes fhir.resources and the independent validator; importing it gives the same
score with the same replaced answers, one PHQ-9 for the day, directly, through a server and
into the store. A link that does not hold refuses the bundle, nothing imported.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from taperline.adapters.fhir import export_bundle, read_bundle, transaction_bundle
from taperline.adapters.fhir.questionnaires import REPLACED_BY, REPLACES
from taperline.core.instruments import InstrumentScore, replacing, score_gad7, score_phq9
from taperline.core.record import PersonRecord, Profile
from taperline.errors import InputError
from taperline.service import import_record, open_store
from tests.support.fhir_server import through_a_server
from tests.support.fhir_validation import needs_validator, validate

Json = dict[str, Any]
NOW: Final = datetime(2027, 1, 5, 12, tzinfo=UTC)
TAKEN: Final = date(2027, 1, 4)
CRISIS: Final = "call or text 988 (US) now"
FIRST: Final = score_phq9([3] * 8 + [0], TAKEN)  # 24, severe, item 9 "Not at all"
SECOND: Final = score_phq9([1] * 8 + [1], TAKEN)  # 9, mild, item 9 "Several days"
RETAKE: Final = score_phq9([0] * 8 + [2], TAKEN)  # 2, minimal, item 9 "More than half"
KEPT: Final = replacing(FIRST, RETAKE)
TWICE: Final = replacing(replacing(FIRST, SECOND), RETAKE)


def _bundle(*scores: InstrumentScore) -> Json:
    record = PersonRecord(Profile("Europe/London", "40-64"), scores=scores)
    bundle: Json = export_bundle(record, (), generated_at=NOW)
    return bundle


def _of(bundle: Json, kind: str) -> list[tuple[str, Json]]:
    return [
        (e["fullUrl"], e["resource"])
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == kind
    ]


def _links(resource: Json, url: str) -> list[str]:
    return [
        e["valueReference"]["reference"] for e in resource.get("extension", []) if e["url"] == url
    ]


def _items(response: Json) -> list[str]:
    return [item["answer"][0]["valueCoding"]["code"] for item in response["item"]]


# --- the export -----------------------------------------------------------------------------


def test_a_retake_exports_both_answer_sets_linked_with_their_statuses() -> None:
    bundle = _bundle(KEPT)
    responses = _of(bundle, "QuestionnaireResponse")
    assert len(responses) == 2
    (kept_url, kept), (old_url, old) = responses
    assert (kept["status"], old["status"]) == ("amended", "completed")
    assert _links(kept, REPLACES) == [old_url]
    assert _links(old, REPLACED_BY) == [kept_url]
    assert kept["authored"] == old["authored"] == "2027-01-04"
    # the earlier answers as they were: items 1-8 "Nearly every day", item 9 "Not at all"
    assert _items(old) == ["LA6571-9"] * 8 + ["LA6568-5"]
    assert _items(kept) == ["LA6568-5"] * 8 + ["LA6570-1"]
    observations = [r for _, r in _of(bundle, "Observation")]
    assert len(observations) == 3  # panel, total, item 9: the day's only, none of the earlier
    assert {o["status"] for o in observations} == {"amended"}
    assert all(o["derivedFrom"] == [{"reference": kept_url}] for o in observations)
    for observation in observations:
        (note,) = observation["note"]
        assert "replaced the answers given earlier that day: 24 (severe)" in note["text"]
    (total,) = [o for o in observations if o["code"]["coding"][0]["code"] == "44261-6"]
    assert total["valueInteger"] == 2


def test_two_replaced_answer_sets_are_kept_oldest_first() -> None:
    bundle = _bundle(TWICE)
    (kept_url, kept), *earlier = _of(bundle, "QuestionnaireResponse")
    assert _links(kept, REPLACES) == [url for url, _ in earlier]
    assert [_items(r)[-1] for _, r in earlier] == ["LA6568-5", "LA6569-3"]
    assert all(_links(r, REPLACED_BY) == [kept_url] for _, r in earlier)
    assert len({url for url, _ in earlier}) == 2
    (total,) = [
        r for _, r in _of(bundle, "Observation") if r["code"]["coding"][0]["code"] == "44261-6"
    ]
    assert "24 (severe), 9 (mild)" in total["note"][0]["text"]


def test_the_full_urls_stay_from_one_export_to_the_next() -> None:
    """The day's response keeps the URL it had before the retake; a server loading the new
    export updates it (now ``amended``) and adds the earlier answers beside it."""
    before = _of(_bundle(FIRST), "QuestionnaireResponse")
    after = _of(_bundle(KEPT), "QuestionnaireResponse")
    assert before[0][0] == after[0][0]
    assert before[0][1]["status"] == "completed"
    assert _of(_bundle(KEPT), "QuestionnaireResponse") == after  # the same every time


def test_a_score_that_replaced_nothing_is_written_as_before() -> None:
    bundle = _bundle(RETAKE, score_gad7([1] * 7, TAKEN))
    text = json.dumps(bundle)
    assert "amended" not in text
    assert "questionnaire-replace" not in text
    assert "note" not in text
    assert {r["status"] for _, r in _of(bundle, "QuestionnaireResponse")} == {"completed"}
    assert {r["status"] for _, r in _of(bundle, "Observation")} == {"final"}


def test_the_bundle_validates_as_r4_collection_and_transaction() -> None:
    from fhir.resources.R4B.bundle import Bundle

    bundle = _bundle(TWICE)
    Bundle.model_validate(bundle)
    Bundle.model_validate(transaction_bundle(bundle))


@needs_validator
def test_the_independent_validator_finds_zero_issues(tmp_path: Path) -> None:
    files = []
    bundle = _bundle(TWICE, score_gad7([1] * 7, TAKEN))
    for name, made in (("collection", bundle), ("transaction", transaction_bundle(bundle))):
        path = tmp_path / f"replaced-{name}.json"
        path.write_text(json.dumps(made), encoding="utf-8")
        files.append(path)
    found = validate(files)
    assert set(found) == {path.name for path in files}
    assert {name: issues for name, issues in found.items() if issues} == {}


# --- the import -----------------------------------------------------------------------------


@pytest.mark.parametrize("score", [KEPT, TWICE], ids=["once", "twice"])
def test_importing_gives_the_same_score_and_its_replaced_answers(score: InstrumentScore) -> None:
    bundle = _bundle(score, score_gad7([1] * 7, TAKEN))
    (phq9, gad7) = read_bundle(bundle).record.scores
    assert phq9 == score  # the same total, items and replaced answers: one PHQ-9 that day
    assert (phq9.total, phq9.items, phq9.replaced) == (score.total, score.items, score.replaced)
    assert gad7 == score_gad7([1] * 7, TAKEN)
    served = through_a_server(transaction_bundle(bundle))
    assert read_bundle(served).record.scores == (score, gad7)


def test_the_store_keeps_one_phq9_for_the_day_with_its_replaced_answers(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'imported.db'}")
    pid = import_record(store, read_bundle(_bundle(TWICE)).record, now=NOW)
    (stored,) = store.scores(pid)
    assert (stored.total, stored.items) == (TWICE.total, TWICE.items)
    assert stored.replaced == TWICE.replaced
    assert [s.total for s in stored.replaced_scores] == [24, 9]


def _refused(bundle: Json, *said: str) -> InputError:
    with pytest.raises(InputError) as caught:
        read_bundle(bundle)
    for text in said:
        assert text in str(caught.value)
    return caught.value


def test_a_replaced_answer_set_no_response_names_is_refused() -> None:
    """Read alone, it would be a second PHQ-9 of the day (its lower item 9 the day's)."""
    bundle = _bundle(KEPT)
    (_, kept), _ = _of(bundle, "QuestionnaireResponse")
    del kept["extension"]
    error = _refused(bundle, "questionnaire-replaced-by", "would be read as the day's")
    assert CRISIS not in str(error)  # the unnamed answers' item 9 is 0


def test_a_link_to_no_response_of_the_bundle_is_refused() -> None:
    bundle = _bundle(KEPT)
    bundle["entry"] = [
        e for e in bundle["entry"] if not _links(e["resource"], REPLACED_BY)
    ]  # the earlier answers left out: they would be lost
    _refused(bundle, "questionnaire-replaces 0", "not a QuestionnaireResponse of the bundle")


def test_a_replaced_answer_set_that_does_not_name_it_back_is_refused() -> None:
    bundle = _bundle(KEPT)
    _, (_, old) = _of(bundle, "QuestionnaireResponse")
    del old["extension"]
    _refused(bundle, "questionnaire-replaces 0", "questionnaire-replaced-by", CRISIS)


def test_a_later_answer_set_with_a_lower_item9_never_replaces() -> None:
    """Swapped: the day's would be the lower item 9, hiding the higher one."""
    bundle = _bundle(KEPT)
    (_, kept), (_, old) = _of(bundle, "QuestionnaireResponse")
    kept["item"], old["item"] = copy.deepcopy(old["item"]), copy.deepcopy(kept["item"])
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Observation"]
    _refused(bundle, "only a PHQ-9 retaken with a higher answer to item 9", CRISIS)


def test_a_replaced_answer_set_of_another_day_is_refused() -> None:
    bundle = _bundle(KEPT)
    _, (_, old) = _of(bundle, "QuestionnaireResponse")
    old["authored"] = "2027-01-03"
    _refused(bundle, "a PHQ-9 of 2027-01-03", "the same questionnaire of the same day", CRISIS)
