"""FHIR R4 export and import: valid resources, the right codes, and a lossless round trip."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taperline.adapters.fhir import EXTENSION_BASE, SYMPTOM_SYSTEM, export_bundle, import_bundle
from taperline.catalogue_data import load_catalogue
from taperline.core.findings import Finding
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.metrics import night_metrics
from taperline.core.plan import PlanRequest, propose
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    plan_steps,
    schedule_on,
    transition,
)
from taperline.core.regimen import ScheduledDose
from taperline.core.review import review
from taperline.core.strategies import Strategy
from taperline.errors import InputError
from tests.strategies import findings as finding_values
from tests.strategies import person_records, wall_clock

Json = dict[str, Any]
START = date(2027, 1, 4)
TODAY = date(2027, 1, 24)
GENERATED = datetime(2027, 1, 24, 12, 0, tzinfo=UTC)
ZONE = "America/New_York"  # -05:00 in January
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


# --- a realistic record -------------------------------------------------------------------------


def _plans() -> tuple[PlanVersion, ...]:
    """A percent taper proposed, then approved, then an adjustment to a diazepam crossover."""
    catalogue = load_catalogue()
    clonazepam, diazepam = catalogue.get("clonazepam"), catalogue.get("diazepam")
    request = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(22.0, Mass.of_mg(1)),),
        start=START,
        strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
    )
    plan = propose(request)
    steps, supply = plan_steps(plan)
    at = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)
    v1 = PlanVersion(
        1,
        "proposed",
        "clonazepam",
        "percent",
        steps,
        "Person A",
        at,
        reason="first proposal",
        supply=supply,
        warnings=plan.warnings,
        assumptions=plan.assumptions,
    )
    v2 = transition(v1, "approve", by="Dr Lee", reason="agreed at the visit", at=at, new_version=2)
    crossover = PlanRequest(
        drug=clonazepam,
        regimen=(ScheduledDose(8.0, Mass.of_mg("0.5")), ScheduledDose(22.0, Mass.of_mg(1))),
        start=START,
        strategy=Strategy(kind="crossover"),
        target=diazepam,
    )
    swap_steps, _ = plan_steps(propose(crossover))
    v3 = transition(
        v2,
        "adjust",
        by="Dr Lee",
        reason="interdose withdrawal",
        at=at + timedelta(days=20),
        new_version=3,
        steps=swap_steps,
    )
    return v1, v2, v3


def _checkin(day: date) -> CheckIn:
    offset = (day - date(2027, 1, 1)).days
    bed = "00:20" if offset % 5 == 0 else "23:10"  # some nights start after midnight
    sleep = SleepDiary(
        *night_times(day, bed=bed, tried="23:30" if bed == "23:10" else "00:30"),
        sol_min=15 + offset % 4 * 10,
        waso_min=20 + offset % 3 * 15,
        awakenings=1 + offset % 3,
        quality=1 + offset % 5,
    )
    after_cut = day >= date(2027, 1, 18)
    return CheckIn(
        day,
        sleep if offset % 7 != 3 else None,  # a morning without the diary
        mood=4 if after_cut else 6,
        anxiety=7 if after_cut else 4,
        symptoms={"tremor": 2 if after_cut else 0, "insomnia": 2, "feeling unreal": 1},
        worst_time="morning" if offset % 2 else None,
        caffeine_drinks=offset % 3,
        alcohol_drinks=2 if day == date(2027, 1, 9) else 0,
        opioid_use=day == date(2027, 1, 11),
        notes="slept badly, woke at 3" if offset % 4 == 0 else "",
    )


def _doses(active: PlanVersion) -> tuple[DoseRecord, ...]:
    """The dose log: taken on time, one late (after midnight) and one missed."""
    log = []
    for offset in range((TODAY - START).days):
        day = START + timedelta(days=offset)
        for dose in schedule_on(active, day):
            planned = datetime.combine(day, datetime.min.time()) + timedelta(hours=dose.clock_h)
            if day == date(2027, 1, 10):
                log.append(DoseRecord(day, dose.drug, dose.clock, dose.amount, None, None))
                continue
            late = day == date(2027, 1, 12)
            taken_at = planned + (timedelta(hours=2, minutes=40) if late else timedelta(minutes=5))
            note = "forgot until after midnight" if late else ""
            log.append(
                DoseRecord(
                    day,
                    dose.drug,
                    dose.clock,
                    dose.amount,
                    taken_at,
                    dose.amount,
                    units="2 x tablet 0.5 mg",
                    note=note,
                )
            )
    return tuple(log)


@pytest.fixture(scope="module")
def record() -> PersonRecord:
    plans = _plans()
    checkins = tuple(_checkin(date(2027, 1, 1) + timedelta(days=n)) for n in range(23))
    scores = (
        score_phq9([1, 1, 2, 1, 0, 1, 1, 0, 1], date(2027, 1, 10)),
        score_gad7([2, 1, 1, 1, 0, 1, 0], date(2027, 1, 10)),
    )
    profile = Profile(ZONE, "40-64", ("insomnia",), ("sertraline",), "Person A")
    return PersonRecord(profile, checkins, _doses(plans[1]), scores, plans)


@pytest.fixture(scope="module")
def findings(record: PersonRecord) -> tuple[Finding, ...]:
    return review(record, TODAY).findings


@pytest.fixture(scope="module")
def bundle(record: PersonRecord, findings: tuple[Finding, ...]) -> Json:
    return export_bundle(record, findings, generated_at=GENERATED)


def _resources(bundle: Json, kind: str) -> list[Json]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _coded(bundle: Json, system: str, code: str) -> list[Json]:
    return [
        r
        for r in _resources(bundle, "Observation")
        if any(c.get("system") == system and c["code"] == code for c in r["code"]["coding"])
    ]


def _component(resource: Json, code: str) -> Json:
    return next(c for c in resource["component"] if c["code"]["coding"][0]["code"] == code)


def _ext(element: Json, name: str) -> Json:
    return next(e for e in element["extension"] if e["url"] == f"{EXTENSION_BASE}/{name}")


# --- the bundle ---------------------------------------------------------------------------------


def test_the_bundle_is_plain_json_of_type_collection(bundle: Json) -> None:
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    assert bundle["timestamp"] == "2027-01-24T12:00:00+00:00"
    assert json.loads(json.dumps(bundle)) == bundle


def test_every_entry_is_a_valid_r4b_resource(bundle: Json, record: PersonRecord) -> None:
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Patient") == 1
    assert kinds.count("MedicationAdministration") == len(record.doses)
    assert kinds.count("QuestionnaireResponse") == 2


def test_full_urls_are_unique_deterministic_uuids_and_references_resolve(
    bundle: Json, record: PersonRecord, findings: tuple[Finding, ...]
) -> None:
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", url) for url in urls)
    assert len(set(urls)) == len(urls)
    assert export_bundle(record, findings, generated_at=GENERATED) == bundle
    later = export_bundle(record, findings, generated_at=GENERATED + timedelta(days=1))
    assert later["identifier"] != bundle["identifier"]
    references = re.findall(r'"reference": "([^"]+)"', json.dumps(bundle))
    assert references
    contained = {f"#{c['id']}" for e in bundle["entry"] for c in e["resource"].get("contained", [])}
    assert set(references) <= set(urls) | contained


def test_the_patient_is_pseudonymous_with_the_profile_in_extensions(bundle: Json) -> None:
    (patient,) = _resources(bundle, "Patient")
    (name,) = patient["name"]  # the person's own name is masked; the label is a pseudonym
    assert name["text"] == "Person A"
    assert name["extension"][0]["valueCode"] == "masked"
    assert patient["gender"] == "unknown"
    assert patient["identifier"][0]["value"] == "Person A"
    assert _ext(patient, "time-zone")["valueCode"] == ZONE
    assert _ext(patient, "age-band")["valueCode"] == "40-64"
    assert _ext(patient, "other-medicine")["valueString"] == "sertraline"


# --- codes and values ---------------------------------------------------------------------------


def test_each_logged_night_is_a_sleep_duration_observation(
    bundle: Json, record: PersonRecord
) -> None:
    nights = _coded(bundle, LOINC, "93832-4")
    logged = [c for c in record.checkins if c.sleep is not None]
    assert len(nights) == len(logged) > 0
    for checkin, night in zip(logged, nights, strict=True):
        assert checkin.sleep is not None
        assert night["effectiveDateTime"] == checkin.wake_date.isoformat()
        assert night["valueQuantity"]["value"] == night_metrics(checkin.sleep).tst_min
        assert night["valueQuantity"]["code"] == "min"
        bed = _component(night, "bed-time")["valueDateTime"]
        assert bed == checkin.sleep.bed.isoformat() + "-05:00"
    bed_days = [_component(n, "bed-time")["valueDateTime"][:10] for n in nights]
    wake_days = [n["effectiveDateTime"] for n in nights]
    assert any(bed != wake for bed, wake in zip(bed_days, wake_days, strict=True))  # evenings


def test_check_in_observations_hold_the_journal_and_link_the_night(
    bundle: Json, record: PersonRecord
) -> None:
    checkins = [
        r for r in _resources(bundle, "Observation") if r["code"]["coding"][0]["code"] == "check-in"
    ]
    assert len(checkins) == len(record.checkins)
    first = checkins[0]
    assert _component(first, "mood")["valueInteger"] == record.checkins[0].mood
    symptoms = {
        c["code"]["coding"][0]["code"]: c["valueInteger"]
        for c in first["component"]
        if c["code"]["coding"][0]["system"] == SYMPTOM_SYSTEM
    }
    assert symptoms == dict(record.checkins[0].symptoms)
    assert first["note"][0]["text"] == "slept badly, woke at 3"
    without_night = [c for c in record.checkins if c.sleep is None]
    assert sum("hasMember" not in r for r in checkins) == len(without_night)


def _answer(code: str, display: str, score: int) -> Json:
    extension = [
        {"url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": score}
    ]
    return {"system": LOINC, "code": code, "display": display, "extension": extension}


def test_questionnaires_and_their_loinc_observations(bundle: Json) -> None:
    responses = _resources(bundle, "QuestionnaireResponse")
    assert [len(r["item"]) for r in responses] == [9, 7]
    assert [r["questionnaire"] for r in responses] == [
        "http://loinc.org/q/44249-1",
        "http://loinc.org/q/69737-5",
    ]
    assert responses[0]["item"][8] == {
        "linkId": "/44260-8",
        "text": "Thoughts that you would be better off dead, or of hurting yourself in some way",
        "answer": [{"valueCoding": _answer("LA6569-3", "Several days", 1)}],
    }
    assert [i["linkId"] for i in responses[1]["item"]][::6] == ["/69725-0", "/69736-7"]
    assert responses[1]["item"][0]["answer"][0]["valueCoding"] == _answer(
        "LA6570-1", "More than half the days", 2
    )
    (phq_panel,) = _coded(bundle, LOINC, "44249-1")
    (phq_total,) = _coded(bundle, LOINC, "44261-6")
    (item9,) = _coded(bundle, LOINC, "44260-8")
    (gad_panel,) = _coded(bundle, LOINC, "69737-5")
    (gad_total,) = _coded(bundle, LOINC, "70274-6")
    assert phq_total["valueInteger"] == 8
    assert phq_total["code"]["coding"][0]["display"] == (
        "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
    )
    assert "display" not in gad_panel["code"]["coding"][0]  # not confirmed on LOINC's pages
    assert gad_panel["code"]["text"] == "GAD-7 panel"
    assert phq_total["interpretation"][0]["text"] == "mild"
    assert item9["valueCodeableConcept"] == {"coding": [_answer("LA6569-3", "Several days", 1)]}
    assert gad_total["valueInteger"] == 6
    assert len(phq_panel["hasMember"]) == 2
    assert len(gad_panel["hasMember"]) == 1
    assert phq_panel["effectiveDateTime"] == "2027-01-10"


def test_medication_requests_are_one_tapering_order_per_version_and_drug(
    bundle: Json, record: PersonRecord
) -> None:
    requests = _resources(bundle, "MedicationRequest")
    by_version: dict[str, list[Json]] = {}
    for request in requests:
        by_version.setdefault(request["groupIdentifier"]["value"], []).append(request)
    assert list(by_version) == ["1", "2", "3"]
    # v1 was approved as v2 (a proposal replaced), v2 is in force, v3 is a pending proposal
    assert [(r["status"], r["intent"]) for r in by_version["1"]] == [("cancelled", "proposal")]
    assert [(r["status"], r["intent"]) for r in by_version["2"]] == [("active", "order")]
    assert {(r["status"], r["intent"]) for r in by_version["3"]} == {("draft", "proposal")}
    (order,) = by_version["2"]
    assert _ext(order, "plan-version")["extension"][0]["valueMarkdown"] == "clonazepam"
    (clinician,) = _resources(bundle, "Practitioner")
    assert clinician["name"] == [{"text": "Dr Lee"}]
    urls = {e["resource"]["resourceType"]: e["fullUrl"] for e in bundle["entry"]}
    assert order["requester"] == {"reference": urls["Practitioner"]}
    assert by_version["1"][0]["requester"] == {"reference": urls["Patient"]}  # Person A's
    prior = order["priorPrescription"]["reference"]
    assert prior == next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is by_version["1"][0]
    )
    codes = [c["code"] for c in order["medicationCodeableConcept"]["coding"]]
    assert codes
    assert "2598" not in codes  # marked unconfirmed in clinical-basis.md: never written
    assert {c["system"] for c in order["medicationCodeableConcept"]["coding"]} == {RXNORM}
    (v2,) = (p for p in record.plans if p.version == 2)
    dosages = order["dosageInstruction"]
    assert [d["sequence"] for d in dosages] == sorted(d["sequence"] for d in dosages)
    assert {d["sequence"] for d in dosages} == set(range(1, len(v2.steps) + 1))
    first = dosages[0]
    assert first["timing"]["repeat"]["timeOfDay"] == ["22:00:00"]
    assert first["timing"]["repeat"]["boundsPeriod"]["start"] == v2.steps[0].start.isoformat()
    day_before = v2.steps[1].start - timedelta(days=1)
    assert first["timing"]["repeat"]["boundsPeriod"]["end"] == day_before.isoformat()
    assert first["doseAndRate"][0]["doseQuantity"] == {
        "value": 1,
        "unit": "mg",
        "system": "http://unitsofmeasure.org",
        "code": "mg",
    }
    assert "doseAndRate" not in dosages[-1]  # the end of the taper: no dose
    diazepam = [r for r in by_version["3"] if r["medicationCodeableConcept"]["text"] == "diazepam"]
    assert diazepam[0]["medicationCodeableConcept"]["coding"][0]["code"] == "3322"
    assert len(by_version["3"]) == 2  # a crossover: one order per drug


def test_administrations_are_taken_late_or_missed_with_offsets(bundle: Json) -> None:
    given = _resources(bundle, "MedicationAdministration")
    missed = [r for r in given if r["status"] == "not-done"]
    assert len(missed) == 1
    assert missed[0]["effectiveDateTime"] == "2027-01-10T22:00:00-05:00"
    assert "dosage" not in missed[0]
    late = next(r for r in given if r.get("note"))
    assert late["effectiveDateTime"] == "2027-01-13T00:40:00-05:00"
    assert late["dosage"]["dose"]["code"] == "mg"
    assert _ext(late, "dose-log")["extension"][0] == {"url": "day", "valueDate": "2027-01-12"}


def test_each_finding_is_an_active_flag(bundle: Json, findings: tuple[Finding, ...]) -> None:
    flags = _resources(bundle, "Flag")
    assert [f["code"]["text"] for f in flags] == [f.kind for f in findings]
    assert {f["status"] for f in flags} == {"active"}
    red = next(f for f in flags if f["code"]["text"] == "red_flag")
    parts = {p["url"]: p for p in _ext(red, "finding")["extension"]}
    assert parts["severity"]["valueCode"] == "urgent"
    assert parts["clinician-flag"]["valueBoolean"] is True
    assert "evidence" in parts


# --- round trips --------------------------------------------------------------------------------


def test_a_realistic_record_reads_back_exactly(bundle: Json, record: PersonRecord) -> None:
    assert import_bundle(bundle) == record
    assert import_bundle(json.loads(json.dumps(bundle))) == record


def _one_dose_record(taken_at: datetime, amount: Mass, **profile: Any) -> PersonRecord:
    dose = DoseRecord(taken_at.date(), "clonazepam", None, None, taken_at, amount)
    return PersonRecord(Profile(ZONE, **profile), doses=(dose,))


@pytest.mark.parametrize(
    ("taken_at", "offset"),
    [
        (wall_clock(2027, 3, 14, 2, 30), "-05:00"),  # does not exist: clocks go 02:00 -> 03:00
        (wall_clock(2027, 11, 7, 1, 30), "-04:00"),  # happens twice: the first is kept
        (wall_clock(2027, 7, 1, 8, 0), "-04:00"),
    ],
)
def test_wall_clock_times_survive_daylight_saving(taken_at: datetime, offset: str) -> None:
    record = _one_dose_record(taken_at, Mass.of_mg("0.5"))
    bundle = export_bundle(record, [], generated_at=GENERATED)
    (given,) = _resources(bundle, "MedicationAdministration")
    assert given["effectiveDateTime"].endswith(offset)
    assert import_bundle(bundle) == record


def test_times_written_in_another_offset_read_as_the_local_wall_clock() -> None:
    record = _one_dose_record(wall_clock(2027, 1, 5, 22, 0), Mass.of_mg("0.5"))
    bundle = export_bundle(record, [], generated_at=GENERATED)
    _resources(bundle, "MedicationAdministration")[0]["effectiveDateTime"] = "2027-01-06T03:00:00Z"
    assert import_bundle(bundle) == record


def test_amounts_and_texts_fhir_strings_cannot_hold_read_back_exactly() -> None:
    fine = Mass.of_mg(Decimal("0.12345678901234567891"))
    odd = RecordDose("22:00", "\u00a0", Mass(Decimal(125), "mcg"), ("", "\x0c"))
    plan = PlanVersion(
        1, "proposed", "clonazepam", "", (RecordStep(START, (odd,)),), "me", GENERATED
    )
    record = PersonRecord(
        Profile(ZONE, label="\u3000"),
        doses=(DoseRecord(START, "clonazepam", None, None, wall_clock(2027, 1, 4, 9), fine),),
        plans=(plan,),
    )
    bundle = export_bundle(record, [], generated_at=GENERATED)
    dose = _resources(bundle, "MedicationAdministration")[0]["dosage"]["dose"]
    assert _ext(dose, "exact-decimal")["valueString"] == "0.12345678901234567891"
    back = import_bundle(json.loads(json.dumps(bundle)))
    assert back == record
    assert back.plans[0].steps[0].doses[0].amount.unit == "mcg"


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(person_records, st.lists(finding_values, max_size=2))
def test_any_record_reads_back_exactly(record: PersonRecord, found: list[Finding]) -> None:
    bundle = export_bundle(record, found, generated_at=GENERATED)
    assert import_bundle(json.loads(json.dumps(bundle))) == record


# --- refused --------------------------------------------------------------------------------


def test_export_needs_an_aware_time_and_a_known_zone(record: PersonRecord) -> None:
    with pytest.raises(InputError, match="generated_at must be timezone-aware"):
        export_bundle(record, [], generated_at=datetime(2027, 1, 5))  # noqa: DTZ001 -- the point
    with pytest.raises(InputError, match="not a known IANA time zone"):
        export_bundle(PersonRecord(Profile("Mars/Olympus")), [], generated_at=GENERATED)


def _first(bundle: Json, kind: str, test: Callable[[Json], bool] = lambda _: True) -> Json:
    return next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == kind and test(e["resource"])
    )


def _drop_patient(bundle: Json) -> None:
    bundle["entry"] = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]


def _dose_in_ml(bundle: Json) -> None:
    dose = _first(bundle, "MedicationAdministration", lambda r: "dosage" in r)["dosage"]["dose"]
    dose.update(unit="mL", code="mL")


def _unknown_symptom(bundle: Json) -> None:
    checkin = _first(bundle, "Observation", lambda r: r["code"]["coding"][0]["code"] == "check-in")
    symptom = next(
        c for c in checkin["component"] if c["code"]["coding"][0]["system"] == SYMPTOM_SYSTEM
    )
    symptom["code"]["coding"][0]["code"] = "vertigo"


def _unknown_event(bundle: Json) -> None:
    checkin = _first(bundle, "Observation", lambda r: r["code"]["coding"][0]["code"] == "check-in")
    event = copy.deepcopy(_component(checkin, "mood"))
    event["code"]["coding"][0]["code"] = "event"
    event.pop("valueInteger")
    event["valueCodeableConcept"] = {"coding": [{"code": "headache"}]}
    checkin["component"].append(event)


def _foreign_resource(bundle: Json) -> None:
    condition = {"resourceType": "Condition", "subject": {"reference": "urn:uuid:x"}}
    bundle["entry"].append({"fullUrl": "urn:uuid:x", "resource": condition})


def _no_status(bundle: Json) -> None:
    _first(bundle, "Observation").pop("status")


def _no_zone(bundle: Json) -> None:
    patient = _first(bundle, "Patient")
    patient["extension"] = [e for e in patient["extension"] if not e["url"].endswith("time-zone")]


def _phq9_answer_4(bundle: Json) -> None:
    """An answer written as bundles before 2026-12-03 wrote them: a valueInteger."""
    _first(bundle, "QuestionnaireResponse")["item"][8]["answer"] = [{"valueInteger": 4}]


def _unknown_answer(bundle: Json) -> None:
    _first(bundle, "QuestionnaireResponse")["item"][2]["answer"][0]["valueCoding"]["code"] = "LA1-1"


def _wrong_ordinal(bundle: Json) -> None:
    coding = _first(bundle, "QuestionnaireResponse")["item"][2]["answer"][0]["valueCoding"]
    coding["extension"][0]["valueDecimal"] = 3


def _unknown_item(bundle: Json) -> None:
    _first(bundle, "QuestionnaireResponse")["item"][0]["linkId"] = "/69725-0"  # a GAD-7 item


def _unknown_plan_status(bundle: Json) -> None:
    meta = _ext(_first(bundle, "MedicationRequest"), "plan-version")["extension"]
    next(p for p in meta if p["url"] == "status")["valueCode"] = "completed"


def _naive_time(bundle: Json) -> None:
    given = _first(bundle, "MedicationAdministration")
    given["effectiveDateTime"] = given["effectiveDateTime"][:10]


BAD_BUNDLES: list[tuple[Callable[[Json], None], str]] = [
    (
        lambda b: b.update(type="history"),
        r"Bundle\.type must be one of collection, searchset, transaction, got 'history'",
    ),
    (lambda b: b.update(resourceType="Patient"), "not a FHIR Bundle: resourceType is 'Patient'"),
    (_drop_patient, "exactly one Patient, found 0"),
    (_dose_in_ml, r"MedicationAdministration entry \d+: dosage\.dose must be in mg .*'mL'"),
    (
        _unknown_symptom,
        r"Observation entry \d+: component\.\d+\.code names unknown symptom 'vertigo'",
    ),
    (_unknown_event, r"Observation entry \d+: unknown event 'headache'"),
    (_foreign_resource, r"entry \d+: resource type 'Condition' is not one taperline reads"),
    (_no_status, r"Observation entry \d+: status: .*required"),
    (_no_zone, r"Patient entry 0: extension time-zone is missing"),
    (_phq9_answer_4, r"QuestionnaireResponse entry \d+: PHQ-9 item 9 must be 0-3, got 4"),
    (
        _unknown_answer,
        r"QuestionnaireResponse entry \d+: item\.2\.answer\.valueCoding "
        r"http://loinc\.org#LA1-1 is not a LOINC answer \(LA6568-5, ",
    ),
    (
        _wrong_ordinal,
        r"QuestionnaireResponse entry \d+: item\.2\.answer\.valueCoding "
        r"ordinalValue 3 is not LA6570-1's score 2",
    ),
    (
        _unknown_item,
        r"QuestionnaireResponse entry \d+: item\.0\.linkId '/69725-0' is neither an item "
        r"number nor a PHQ-9 LOINC item",
    ),
    (
        _unknown_plan_status,
        r"MedicationRequest entry \d+: extension plan-version\.status 'completed' is not one of",
    ),
    (_naive_time, r"MedicationAdministration entry \d+: effectiveDateTime must be a date-time"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD_BUNDLES)
def test_a_bad_bundle_is_refused_naming_the_resource_and_field(
    bundle: Json, spoil: Callable[[Json], None], message: str
) -> None:
    bad = copy.deepcopy(bundle)
    spoil(bad)
    with pytest.raises(InputError, match=message):
        import_bundle(bad)


def test_a_bundle_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InputError, match="expected a JSON object, got list"):
        import_bundle([])  # type: ignore[arg-type]  # a JSON file may hold anything
