"""Codes a receiver knows (issue 20, item 4): LOINC displays, answers, items, canonicals.

The LOINC displays are read from ``docs/terminology.md``'s table, so the page that says where
each was confirmed and the code that writes it cannot drift apart. Bundles written before
LOINC's answer codes and canonicals (taperline's own canonicals, item-number linkIds,
``valueInteger`` answers) still read back as the same record. The score resources of a fixed
PHQ-9 and GAD-7 are compared with ``tests/snapshots/fhir_scores.json``; after a deliberate
change, regenerate it and read the diff::

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_fhir_terminology.py -k snapshot
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from taperline.adapters.fhir import export_bundle, import_bundle
from taperline.adapters.fhir.codes import (
    LOINC_DISPLAYS,
    LOINC_ITEMS,
    LOINC_QUESTIONNAIRES,
    QUESTIONNAIRE_BASE,
)
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import SYMPTOMS, CheckIn, ReportedSleep, SleepDiary, night_times
from taperline.core.record import PersonRecord, Profile
from tests.strategies import person_records

Json = dict[str, Any]
LOINC = "http://loinc.org"
GENERATED = datetime(2027, 1, 24, 12, tzinfo=UTC)
DOC = Path(__file__).parent.parent / "docs" / "terminology.md"
SNAPSHOT = Path(__file__).parent / "snapshots" / "fhir_scores.json"


def _doc_displays() -> dict[str, str | None]:
    """The first table of docs/terminology.md: code -> display (None: not confirmed)."""
    section = DOC.read_text(encoding="utf-8").split("## LOINC codes written as Codings")[1]
    rows = re.findall(r"^\| ([0-9A-Z-]+) \| ([^|]+?) \|", section.split("\n## ")[0], re.M)
    return {code: None if text == "not confirmed" else text for code, text in rows}


def _record() -> PersonRecord:
    """A diary night, an estimated night, symptoms, and a PHQ-9 and GAD-7 with every answer."""
    day = date(2027, 1, 10)
    diary = SleepDiary(
        *night_times(day, bed="23:00"), sol_min=20, waso_min=10, awakenings=1, quality=3
    )
    checkins = (
        CheckIn(day, diary, mood=6, anxiety=4, symptoms={"tremor": 2, "headache": 0}),
        CheckIn(
            date(2027, 1, 11),
            None,
            mood=5,
            anxiety=5,
            symptoms_rated=False,
            reported_sleep=ReportedSleep(390, 2),
        ),
    )
    scores = (
        score_phq9([0, 1, 2, 3, 0, 1, 2, 3, 1], day),
        score_gad7([3, 2, 1, 0, 1, 2, 3], day),
    )
    return PersonRecord(Profile("Europe/London"), checkins, (), scores)


def _codings(value: object) -> list[Json]:
    if isinstance(value, dict):
        found = [value] if "system" in value and "code" in value else []
        return found + [c for v in value.values() for c in _codings(v)]
    if isinstance(value, list):
        return [c for v in value for c in _codings(v)]
    return []


def _loinc_codings(bundle: Json) -> list[Json]:
    return [c for c in _codings(bundle["entry"]) if c["system"] == LOINC]


def _resources(bundle: Json, kind: str) -> list[Json]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_doc_table_is_the_code_table() -> None:
    assert _doc_displays() == dict(LOINC_DISPLAYS)


def _check_displays(bundle: Json) -> set[str]:
    table = _doc_displays()
    codings = _loinc_codings(bundle)
    for coding in codings:
        assert coding["code"] in table, coding
        assert coding.get("display") == table[coding["code"]], coding
    return {c["code"] for c in codings}


def test_every_loinc_coding_has_the_display_the_doc_gives() -> None:
    bundle = export_bundle(_record(), (), generated_at=GENERATED)
    assert _check_displays(bundle) == set(_doc_displays())  # every row is used


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=person_records)
def test_any_record_writes_only_the_displays_the_doc_gives(record: PersonRecord) -> None:
    _check_displays(export_bundle(record, (), generated_at=GENERATED))


def test_responses_name_loinc_questionnaires_items_and_answers() -> None:
    bundle = export_bundle(_record(), (), generated_at=GENERATED)
    phq, gad = _resources(bundle, "QuestionnaireResponse")
    assert phq["questionnaire"] == "http://loinc.org/q/44249-1"
    assert gad["questionnaire"] == "http://loinc.org/q/69737-5"
    assert [i["linkId"] for i in gad["item"]] == [
        "/69725-0",
        "/68509-9",
        "/69733-4",
        "/69734-2",
        "/69735-9",
        "/69689-8",
        "/69736-7",
    ]
    answers = [(i["answer"][0]["valueCoding"]) for i in phq["item"]]
    assert [a["code"] for a in answers[:4]] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
    assert [a["extension"][0]["valueDecimal"] for a in answers] == [0, 1, 2, 3, 0, 1, 2, 3, 1]


def _as_before(bundle: Json) -> Json:
    """The bundle as written before LOINC's canonicals and answer codes."""
    old = json.loads(json.dumps(bundle))
    canonicals = {
        url: f"{QUESTIONNAIRE_BASE}/{name.lower()}" for name, url in LOINC_QUESTIONNAIRES.items()
    }
    for response in _resources(old, "QuestionnaireResponse"):
        response["questionnaire"] = canonicals[response["questionnaire"]]
        for number, item in enumerate(response["item"], start=1):
            score = item["answer"][0]["valueCoding"]["extension"][0]["valueDecimal"]
            response["item"][number - 1] = {
                "linkId": str(number),
                "answer": [{"valueInteger": score}],
            }
    return old


def test_a_bundle_written_before_reads_back_the_same() -> None:
    record = _record()
    bundle = export_bundle(record, (), generated_at=GENERATED)
    before = _as_before(bundle)
    assert "taperline" in _resources(before, "QuestionnaireResponse")[0]["questionnaire"]
    assert import_bundle(before) == import_bundle(bundle) == record


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=person_records)
def test_any_record_reads_back_from_either_form(record: PersonRecord) -> None:
    bundle = export_bundle(record, (), generated_at=GENERATED)
    assert import_bundle(json.loads(json.dumps(bundle))) == record
    assert import_bundle(_as_before(bundle)) == record


def test_item_codes_are_one_per_item() -> None:
    assert {name: len(codes) for name, codes in LOINC_ITEMS.items()} == {"PHQ-9": 9, "GAD-7": 7}
    assert len({c for codes in LOINC_ITEMS.values() for c in codes}) == 16


def test_mood_anxiety_and_every_symptom_are_explained_in_the_bundle() -> None:
    bundle = export_bundle(_record(), (), generated_at=GENERATED)
    systems = {s["url"]: s for s in _resources(bundle, "CodeSystem")}
    journal = {
        c["code"]: c
        for c in systems["https://taperline.example/fhir/CodeSystem/journal"]["concept"]
    }
    assert "higher is better" in journal["mood"]["definition"]
    assert "higher is worse" in journal["anxiety"]["definition"]
    symptoms = systems["https://taperline.example/fhir/CodeSystem/withdrawal-symptom"]["concept"]
    assert [c["code"] for c in symptoms] == list(SYMPTOMS)
    assert all("0-3" in c["definition"] and c["code"] in c["definition"] for c in symptoms)


def _score_resources(bundle: Json) -> list[Json]:
    """The responses and the Observations coded LOINC, full URLs kept (they are stable)."""
    return [
        e
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
        or any(
            c.get("system") == LOINC and c["code"] != "93832-4"
            for c in e["resource"].get("code", {}).get("coding", [])
        )
    ]


def test_score_resources_snapshot() -> None:
    made = (
        json.dumps(
            _score_resources(export_bundle(_record(), (), generated_at=GENERATED)),
            indent=1,
            ensure_ascii=False,
        )
        + "\n"
    )
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(made, encoding="utf-8")
    if not SNAPSHOT.exists():
        pytest.fail(f"{SNAPSHOT} is missing: run with UPDATE_SNAPSHOTS=1 and read it")
    assert made == SNAPSHOT.read_text(encoding="utf-8")
