"""FHIR as other systems read it (issue 20): one tapering order in force, stable identities,
the regimen as a MedicationStatement, and bundles that went through a FHIR server."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taperline.adapters.fhir import export_bundle, import_bundle, transaction_bundle
from taperline.core.findings import Evidence, Finding
from taperline.core.quantity import Mass
from taperline.core.record import PersonRecord, Profile, RecordDose, RecordStep
from taperline.core.record.current import Regimen
from taperline.core.record.versions import PlanVersion, in_force, schedule_on, transition
from tests.strategies import person_records, plan_histories, profiles_with_regimens
from tests.support.fhir_server import through_a_server

Json = dict[str, Any]
GENERATED = datetime(2027, 2, 1, 12, tzinfo=UTC)
AT = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)


def _resources(bundle: Json, kind: str) -> list[Json]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _order_doses(order: Json, day: date) -> list[tuple[str, Decimal]]:
    """What an order says to take on ``day``: (time, mg) of each dosage bounding it."""
    doses = []
    for dosage in order.get("dosageInstruction", []):
        repeat = dosage["timing"]["repeat"]
        bounds = repeat["boundsPeriod"]
        start, end = _day(bounds["start"]), _day(bounds.get("end", "9999-12-31"))
        if not start <= day <= end or "doseAndRate" not in dosage:
            continue
        if repeat.get("period") == 2 and (day - start).days % 2:
            continue
        quantity = dosage["doseAndRate"][0]["doseQuantity"]
        exact = [
            e["valueString"]
            for e in quantity.get("extension", [])
            if e["url"].endswith("/exact-decimal")
        ]
        amount = Decimal(exact[0] if exact else str(quantity["value"]))
        doses.append((repeat["timeOfDay"][0][:5], amount))
    return sorted(doses)


def _taper(version: int = 1) -> PlanVersion:
    one = (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)
    half = (RecordDose("22:00", "clonazepam", Mass.of_mg("0.5")),)
    steps = (
        RecordStep(date(2027, 1, 4), one),
        RecordStep(date(2027, 1, 18), half),
        RecordStep(date(2027, 2, 1), ()),
    )
    return PlanVersion(version, "proposed", "clonazepam", "fixed", steps, "patient", AT)


def _history() -> tuple[PlanVersion, ...]:
    """Proposed, approved, held (a hold, then the clinician's adjustment proposed)."""
    v1 = _taper()
    v2 = transition(v1, "approve", by="Dr Lee", reason="agreed", at=AT, new_version=2)
    v3 = transition(
        v2, "hold", by="Dr Lee", reason="flare", at=AT + timedelta(days=15), new_version=3,
        today=date(2027, 1, 17),
    )  # fmt: skip
    return v1, v2, v3


# --- one order in force ---------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=plan_histories(), offset=st.integers(-3, 200))
def test_at_most_one_order_per_drug_is_in_force_and_it_doses_as_the_plan(
    plans: tuple[PlanVersion, ...], offset: int
) -> None:
    record = PersonRecord(Profile("Europe/London"), plans=plans)
    bundle = export_bundle(record, (), generated_at=GENERATED)
    orders = _resources(bundle, "MedicationRequest")
    live = [o for o in orders if o["status"] in {"active", "on-hold"}]
    # without --history: the same orders in force, nothing superseded beside them
    current = _resources(export_bundle(record, (), generated_at=GENERATED, history=False),
                         "MedicationRequest")  # fmt: skip
    assert {o["status"] for o in current} <= {"active", "on-hold", "draft"}

    # the same orders; the version before is named by identifier instead of included
    def unlinked(order: Json) -> Json:
        return {k: v for k, v in order.items() if k != "priorPrescription"}

    assert [unlinked(o) for o in current if o["status"] != "draft"] == list(map(unlinked, live))
    drugs = [o["medicationCodeableConcept"].get("text") for o in live]
    assert len(drugs) == len(set(drugs))
    followed = in_force(plans)
    assert {o["groupIdentifier"]["value"] for o in live} == (
        {str(followed.version)} if followed else set()
    )
    if followed is None:
        return
    day = followed.steps[0].start + timedelta(days=offset)
    if followed.status == "held" and followed.held_from is not None:
        day = min(day, followed.held_from)  # an on-hold order's later steps are not due
    said = sorted(d for o in live for d in _order_doses(o, day))
    planned = sorted((d.clock, d.amount.mg) for d in schedule_on(followed, day))
    assert said == planned


def test_a_held_plan_is_one_order_on_hold_after_its_approved_version() -> None:
    record = PersonRecord(Profile("Europe/London"), plans=_history())
    bundle = export_bundle(record, (), generated_at=GENERATED)
    orders = {o["groupIdentifier"]["value"]: o for o in _resources(bundle, "MedicationRequest")}
    assert {v: o["status"] for v, o in orders.items()} == {
        "1": "cancelled",
        "2": "completed",
        "3": "on-hold",
    }
    urls = {id(e["resource"]): e["fullUrl"] for e in bundle["entry"]}
    assert orders["3"]["priorPrescription"]["reference"] == urls[id(orders["2"])]
    assert orders["2"]["priorPrescription"]["reference"] == urls[id(orders["1"])]
    (clinician,) = _resources(bundle, "Practitioner")
    assert orders["3"]["requester"]["reference"] == next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is clinician
    )
    (patient,) = (
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    )
    assert orders["1"]["requester"] == {"reference": patient}  # the person proposed it
    assert [d["sequence"] for d in orders["3"]["dosageInstruction"]] == [1, 2, 3]
    assert import_bundle(json.loads(json.dumps(bundle))) == record


def test_products_are_named_by_their_rxnorm_scd_codes_only() -> None:
    """Codes from the catalogue, as clinical-basis.md lists them; a compounded one contained."""
    supply = _supply_of(("tablet 0.5 mg (scored)", "ODT 0.125 mg", "oral suspension 0.1 mg/mL"))
    plan = replace(_taper(), supply=supply)
    bundle = export_bundle(PersonRecord(Profile("UTC"), plans=(plan,)), (), generated_at=GENERATED)
    (order,) = _resources(bundle, "MedicationRequest")
    concept = order["medicationCodeableConcept"]
    assert concept["text"] == "clonazepam"
    # clinical-basis.md, Products: 0.5 mg tab 197527, ODT 0.125 349194; 2598 is marked ⚠
    assert [c["code"] for c in concept["coding"]] == ["197527", "349194"]
    (medication,) = order["contained"]
    strength = medication["ingredient"][0]["strength"]
    assert (strength["numerator"]["value"], strength["numerator"]["code"]) == (0.1, "mg")
    assert (strength["denominator"]["value"], strength["denominator"]["code"]) == (1, "mL")
    assert "coding" not in medication["code"]


def _supply_of(products: tuple[str, ...]) -> tuple[Any, ...]:
    from taperline.core.record import RecordSupply

    return tuple(
        RecordSupply(date(2027, 1, 4), date(2027, 2, 1), "clonazepam", name, Decimal(14), "unit")
        for name in products
    )


# --- the regimen before a plan ----------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles_with_regimens)
def test_the_regimen_is_a_medication_statement_that_reads_back(profile: Profile) -> None:
    record = PersonRecord(profile)
    bundle = export_bundle(record, (), generated_at=GENERATED)
    statements = _resources(bundle, "MedicationStatement")
    assert len(statements) == (profile.regimen is not None)
    if profile.regimen is not None:
        assert statements[0]["status"] == "active"
        assert len(statements[0]["dosage"]) == len(profile.regimen.doses)
    assert import_bundle(json.loads(json.dumps(bundle))) == record


def test_the_regimen_is_completed_once_a_plan_is_in_force() -> None:
    regimen = Regimen.of("clonazepam", [("22:00", Mass.of_mg(1))])
    record = PersonRecord(Profile("UTC", regimen=regimen), plans=_history())
    bundle = export_bundle(record, (), generated_at=GENERATED)
    (statement,) = _resources(bundle, "MedicationStatement")
    assert statement["status"] == "completed"


# --- stable identities -----------------------------------------------------------------------


def _red_flag(day: date) -> Finding:
    evidence = (Evidence(day, "check-in event", "seizure"),)
    return Finding("red_flag", "urgent", "a seizure was logged", evidence, "LABEL", "call", True)


def test_resources_and_flags_keep_their_identity_across_exports() -> None:
    record = PersonRecord(Profile("UTC"), plans=_history()[:2])
    finding = _red_flag(date(2027, 1, 20))
    first = export_bundle(record, (finding,), generated_at=GENERATED, subject="person/1")
    later = replace(record, plans=_history())  # held since
    second = export_bundle(
        later, (finding,), generated_at=GENERATED + timedelta(days=9), subject="person/1"
    )
    urls = {e["fullUrl"] for e in first["entry"]}
    again = {e["fullUrl"] for e in second["entry"]}
    assert urls <= again  # the orders changed status; none changed identity
    (flag_1,), (flag_2,) = _resources(first, "Flag"), _resources(second, "Flag")
    assert flag_1 == flag_2
    assert flag_1["period"] == {"start": "2027-01-20"}  # the finding's day, not the export's
    assert flag_1["identifier"][0]["value"] == "red_flag:2027-01-20:check-in event"
    other = export_bundle(record, (finding,), generated_at=GENERATED, subject="person/2")
    assert not urls & {e["fullUrl"] for e in other["entry"]}


# --- through a FHIR server ---------------------------------------------------------------------


def test_a_transaction_puts_each_resource_by_its_stable_id() -> None:
    record = PersonRecord(Profile("UTC"), plans=_history())
    bundle = export_bundle(record, (), generated_at=GENERATED)
    transaction = transaction_bundle(bundle)
    assert transaction["type"] == "transaction"
    for entry in transaction["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        assert entry["request"] == {
            "method": "PUT",
            "url": f"{resource['resourceType']}/{resource['id']}",
        }
    assert import_bundle(copy.deepcopy(transaction)) == record


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=person_records)
def test_a_record_reads_back_from_what_a_server_hands_back(record: PersonRecord) -> None:
    bundle = export_bundle(record, (), generated_at=GENERATED)
    served = through_a_server(transaction_bundle(bundle))
    assert import_bundle(served) == record


# --- local codes explained --------------------------------------------------------------------


def _codings(value: Any) -> list[Json]:
    if isinstance(value, dict):
        found = [value] if "system" in value and "code" in value else []
        return found + [c for v in value.values() for c in _codings(v)]
    if isinstance(value, list):
        return [c for v in value for c in _codings(v)]
    return []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=person_records)
def test_every_local_code_is_defined_in_a_code_system_the_bundle_holds(
    record: PersonRecord,
) -> None:
    finding = _red_flag(date(2027, 1, 20))
    bundle = export_bundle(record, (finding,), generated_at=GENERATED)
    systems = {s["url"]: s for s in _resources(bundle, "CodeSystem")}
    resources = [e["resource"] for e in bundle["entry"] if e["resource"] not in systems.values()]
    local = [c for c in _codings(resources) if c["system"].startswith("https://taperline.")]
    assert local  # the flag at least
    for coding in local:
        defined = {c["code"]: c["display"] for c in systems[coding["system"]]["concept"]}
        assert coding["code"] in defined
    assert import_bundle(json.loads(json.dumps(bundle))) == record


# --- US Core where it fits ------------------------------------------------------------------------

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"


@pytest.mark.parametrize("label", ["Person A", ""])
def test_the_patient_claims_us_core_only_when_it_conforms(label: str) -> None:
    """US Core Patient: an identifier (system and value), a name, a gender."""
    bundle = export_bundle(PersonRecord(Profile("UTC", label=label)), (), generated_at=GENERATED)
    (patient,) = _resources(bundle, "Patient")
    assert patient["gender"] == "unknown"
    if label:
        assert patient["meta"]["profile"] == [US_CORE]
        assert patient["identifier"][0]["value"] == label
        assert patient["name"][0]["text"] == label
    else:  # no identifier to give: no claim
        assert "meta" not in patient
    claims = [
        e["resource"] for e in bundle["entry"] if e["resource"].get("meta", {}).get("profile")
    ]
    assert {r["resourceType"] for r in claims} <= {"Patient"}
    assert import_bundle(json.loads(json.dumps(bundle))) == PersonRecord(
        Profile("UTC", label=label)
    )


# --- supply: what each order authorises -------------------------------------------------------


def _period_supply(product: str, unit: str, counts: list[int]) -> tuple[Any, ...]:
    from taperline.core.record import RecordSupply

    start = date(2027, 1, 4)
    return tuple(
        RecordSupply(
            start + timedelta(days=28 * n),
            start + timedelta(days=28 * (n + 1)),
            "clonazepam",
            product,
            Decimal(count),
            unit,
        )
        for n, count in enumerate(counts)
    )


def _dispense(plan: PlanVersion) -> Json:
    bundle = export_bundle(PersonRecord(Profile("UTC"), plans=(plan,)), (), generated_at=GENERATED)
    (order,) = _resources(bundle, "MedicationRequest")
    assert import_bundle(json.loads(json.dumps(bundle))).plans == (plan,)
    return dict(order["dispenseRequest"])


def test_every_order_with_a_supply_says_what_it_authorises_in_all() -> None:
    """medicationrequest0303's pattern: the order's whole supply as one quantity."""
    ucum = "http://unitsofmeasure.org"
    same = _dispense(replace(_taper(), supply=_period_supply("tablet 1 mg", "tablet", [28, 28])))
    assert same["quantity"] == {"value": 56, "unit": "tablet", "system": ucum, "code": "{tablet}"}
    assert same["expectedSupplyDuration"] == {"value": 56, "unit": "d", "system": ucum, "code": "d"}
    assert same["initialFill"]["quantity"]["value"] == 28  # what the first period collects
    assert same["dispenseInterval"]["value"] == 28

    liquid = ("oral suspension 0.1 mg/mL", "mL", [97, 52])
    tapering = _dispense(replace(_taper(), supply=_period_supply(*liquid)))
    assert (tapering["quantity"]["value"], tapering["quantity"]["code"]) == (149, "mL")
    assert tapering["expectedSupplyDuration"]["value"] == 56
    assert tapering["initialFill"]["quantity"]["value"] == 97


def test_an_order_made_of_several_products_authorises_the_drug_they_hold_in_mg() -> None:
    """No one unit counts a tablet and an ODT: the quantity is the clonazepam, in mg."""
    tablets = _period_supply("tablet 0.5 mg (scored)", "tablet", [14, 14])
    odts = _period_supply("ODT 0.125 mg", "odt", [14, 0])
    dispense = _dispense(replace(_taper(), supply=tablets + odts))
    # 28 x 0.5 mg + 14 x 0.125 mg [the catalogue's strengths]
    ucum = "http://unitsofmeasure.org"
    assert dispense["quantity"] == {"value": 15.75, "unit": "mg", "system": ucum, "code": "mg"}
    assert "initialFill" not in dispense  # the first period collects two products
    unknown = _dispense(
        replace(_taper(), supply=tablets + _period_supply("tablet 7 mg", "tablet", [1]))
    )
    assert "quantity" not in unknown  # a product the catalogue does not hold: no strength to add
    assert unknown["expectedSupplyDuration"]["value"] == 56


# --- the plan in force, or the whole history -------------------------------------------------


def test_without_history_only_the_plan_in_force_is_exported_and_names_its_prior() -> None:
    v1, v2, v3 = _history()
    record = PersonRecord(Profile("UTC"), plans=(v1, v2, v3))
    bundle = export_bundle(record, (), generated_at=GENERATED, history=False)
    (order,) = _resources(bundle, "MedicationRequest")
    assert (order["groupIdentifier"]["value"], order["status"]) == ("3", "on-hold")
    assert order["priorPrescription"] == {
        "identifier": {"system": "https://taperline.example/fhir/NamingSystem/plan-order",
                       "value": "2/clonazepam"},
        "display": "plan version 2 (not included)",
    }  # fmt: skip
    assert len(_resources(bundle, "Practitioner")) == 1
    # what a default export loses: the versions before; the one in force reads back exactly
    assert import_bundle(json.loads(json.dumps(bundle))) == replace(record, plans=(v3,))
    everything = export_bundle(record, (), generated_at=GENERATED, history=True)
    assert import_bundle(json.loads(json.dumps(everything))) == record


def test_without_history_a_proposal_waiting_for_a_decision_stays_beside_the_plan() -> None:
    v1, v2, _ = _history()
    adjust = replace(_taper(3), parent_version=2, proposed_by="Dr Lee", reason="slower")
    rejected = replace(_taper(4), status="rejected", decided_by="Dr Lee", decided_at=AT)
    record = PersonRecord(Profile("UTC"), plans=(v1, v2, adjust, rejected))
    bundle = export_bundle(record, (), generated_at=GENERATED, history=False)
    orders = {o["groupIdentifier"]["value"]: o for o in _resources(bundle, "MedicationRequest")}
    assert {v: o["status"] for v, o in orders.items()} == {"2": "active", "3": "draft"}
    urls = {id(e["resource"]): e["fullUrl"] for e in bundle["entry"]}
    assert orders["3"]["priorPrescription"] == {"reference": urls[id(orders["2"])]}
    assert import_bundle(json.loads(json.dumps(bundle))).plans == (v2, adjust)
