"""FHIR export: a person's record and findings as a ``collection`` Bundle."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from taperline.adapters.fhir.builders import (
    _complex,
    _concept,
    _ext,
    _loinc,
    _loinc_answer,
    _mass,
    _medication,
    _minutes,
    _Out,
    _part,
    _quantity,
    _text_parts,
)
from taperline.adapters.fhir.codes import (
    _NAMESPACE,
    _ODD_SPACE,
    _SURVEY,
    BUNDLE_SYSTEM,
    CUT_WENT_AHEAD,
    EVENT_SYSTEM,
    FINDING_ID_SYSTEM,
    FINDING_SYSTEM,
    GAD7_PANEL,
    GAD7_TOTAL,
    JOURNAL_CODES,
    JOURNAL_SYSTEM,
    LABEL_SYSTEM,
    LOINC_ITEMS,
    LOINC_QUESTIONNAIRES,
    PHQ9_ITEM9,
    PHQ9_PANEL,
    PHQ9_TOTAL,
    SLEEP_DURATION,
    SYMPTOM_SYSTEM,
    TIME_OF_DAY_SYSTEM,
)
from taperline.adapters.fhir.common import Json, _zone
from taperline.adapters.fhir.device_sleep import device_observation, device_resource
from taperline.adapters.fhir.orders import add_plans, regimen_statement
from taperline.adapters.fhir.questionnaires import REPLACED_BY, REPLACES
from taperline.adapters.fhir.systems import code_systems
from taperline.core.device_sleep import DeviceSleepRecord
from taperline.core.findings import Evidence, Finding
from taperline.core.instruments import GAD7_ITEMS as GAD7_WORDING
from taperline.core.instruments import PHQ9_ITEMS as PHQ9_WORDING
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, ReportedSleep, SleepDiary
from taperline.core.metrics import night_metrics
from taperline.core.products import Product
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.errors import InputError


def _wall(local: datetime, zone: ZoneInfo) -> str:
    """A naive local wall-clock time with the offset of ``zone`` at that time."""
    return local.replace(tzinfo=zone).isoformat()


def _moment(at: datetime, what: str) -> str:
    if at.utcoffset() is None:
        raise InputError(f"{what} must be timezone-aware, got {at.isoformat()}")
    return at.isoformat()


def _time(clock: str) -> str:
    return f"{clock}:00"


# --- export -----------------------------------------------------------------------------------


def export_bundle(
    record: PersonRecord,
    findings: Sequence[Finding],
    *,
    generated_at: datetime,
    subject: str = "",
    products: Mapping[str, Sequence[Product]] | None = None,
    history: bool = True,
    device_sleep: Sequence[DeviceSleepRecord] = (),
    device_preferred_source: str | None = None,
) -> dict[str, Any]:
    """The record and its findings as a FHIR R4 ``collection`` Bundle (plain JSON values).

    ``generated_at`` (timezone-aware) stamps the bundle; the same inputs always give the
    same bundle, and each resource keeps its full URL from one export to the next (it is made
    from ``subject``, a name of the person unique to the exporting installation, and what the
    resource is about). ``products`` are the catalogue's products by drug name (lower case),
    whose RxNorm codes name the plans' products (default: the packaged catalogue's).
    ``history`` (the default here: the exact record) includes every plan version; without it
    only the plan in force and the proposals still waiting are included, the versions they
    replaced named by identifier (:func:`~taperline.adapters.fhir.orders.current_versions`).
    ``device_sleep`` are the person's stored device sleep records, each an Observation kept
    apart from the diary's (:mod:`~taperline.adapters.fhir.device_sleep`), and
    ``device_preferred_source`` the person's choice of source on nights several recorded (a
    Patient extension).

    >>> from datetime import timezone
    >>> record = PersonRecord(Profile("Europe/London"))
    >>> bundle = export_bundle(record, [], generated_at=datetime(2027, 1, 5, tzinfo=timezone.utc))
    >>> bundle["type"], [e["resource"]["resourceType"] for e in bundle["entry"]]
    ('collection', ['Patient'])
    >>> from taperline.adapters.fhir import import_bundle
    >>> import_bundle(bundle) == record
    True
    """
    from fhir.resources.R4B.bundle import Bundle

    stamp = _moment(generated_at, "generated_at")
    zone = _zone(record.profile.time_zone)
    out = _Out(subject)
    patient = _patient(record.profile)
    if device_preferred_source is not None and device_preferred_source.strip():
        patient["extension"].append(
            _ext("device-sleep-preferred-source", "Markdown", device_preferred_source)
        )
    out.patient = {"reference": out.add(patient)}
    if record.profile.regimen is not None:
        current = record.plan is None
        statement = regimen_statement(record.profile.regimen, out.patient, current=current)
        out.add(statement, "regimen")
    add_plans(out, record.plans, record.profile, _products(products), history=history)
    for dose in record.doses:
        out.add(_administration(dose, zone, out.patient), dose.day, dose.planned_clock, dose.drug)
    for checkin in record.checkins:
        _add_checkin(out, checkin, zone)
    for score in record.scores:
        _add_score(out, score)
    devices: dict[tuple[str, str], str] = {}
    for item in device_sleep:
        named = (item.source, item.device)
        if named not in devices:
            devices[named] = out.add(device_resource(*named, out.patient), *named)
        observation = device_observation(item, zone, out.patient, devices[named])
        out.add(observation, "device", item.key)
    for finding in findings:
        key, day = finding_key(finding)
        out.add(_flag(finding, key, day, out.patient), key)
    for system in code_systems(json.dumps([e["resource"] for e in out.entries])):
        out.add(system, system["url"])
    identifier = uuid.uuid5(_NAMESPACE, json.dumps([stamp, [e["fullUrl"] for e in out.entries]]))
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": BUNDLE_SYSTEM, "value": f"urn:uuid:{identifier}"},
        "type": "collection",
        "timestamp": stamp,
        "entry": out.entries,
    }
    Bundle.model_validate(bundle)  # built as plain JSON: validated, not re-serialised (speed)
    return bundle


def transaction_bundle(bundle: dict[str, Any]) -> dict[str, Any]:
    """A collection bundle as a ``transaction`` to load into a FHIR server.

    Each resource gets the id of its full URL's UUID (stable across exports) and is sent as
    ``PUT Type/id``, so loading a newer export updates the same resources instead of adding
    copies; the server rewrites the ``urn:uuid`` references to its own.
    """
    from fhir.resources.R4B.bundle import Bundle

    entries = []
    for entry in bundle["entry"]:
        resource = dict(entry["resource"])
        resource["id"] = entry["fullUrl"].removeprefix("urn:uuid:")
        kind = resource["resourceType"]
        request = {"method": "PUT", "url": f"{kind}/{resource['id']}"}
        entries.append({"fullUrl": entry["fullUrl"], "resource": resource, "request": request})
    transaction = {**bundle, "type": "transaction", "entry": entries}
    Bundle.model_validate(transaction)
    return transaction


#: US Core's Patient profile, claimed when the Patient conforms (docs/fhir.md).
US_CORE_PATIENT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
_MASKED: Json = {
    "url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
    "valueCode": "masked",
}


def _products(
    products: Mapping[str, Sequence[Product]] | None,
) -> Mapping[str, Sequence[Product]]:
    if products is not None:
        return products
    from taperline.catalogue_data import load_catalogue

    catalogue = load_catalogue()
    return {name.lower(): drug.products for name, drug in catalogue.drugs.items()}


def _patient(profile: Profile) -> Json:
    extension = [_ext("time-zone", "Code", profile.time_zone)]
    if profile.age_band is not None:
        extension.append(_ext("age-band", "Code", profile.age_band))
    extension += [_ext("condition", "String", name) for name in profile.conditions]
    extension += [_ext("other-medicine", "String", name) for name in profile.other_medicines]
    patient: Json = {"resourceType": "Patient", "extension": extension}
    if profile.label and not _ODD_SPACE.fullmatch(profile.label):
        patient["identifier"] = [{"system": LABEL_SYSTEM, "value": profile.label}]
        # US Core Patient: an identifier, a name (the person's own is masked: the label is
        # a pseudonym, written as text) and a gender (taperline does not ask: unknown).
        patient["meta"] = {"profile": [US_CORE_PATIENT]}
        patient["name"] = [{"extension": [_MASKED], "text": profile.label}]
    elif profile.label:
        extension.append(_ext("label", "Markdown", profile.label))
    patient["gender"] = "unknown"
    return patient


# --- dose log -----------------------------------------------------------------------------------


def _administration(dose: DoseRecord, zone: ZoneInfo, patient: Json) -> Json:
    log = [_part("day", "Date", dose.day.isoformat())]
    if dose.planned_clock is not None:
        log.append(_part("planned-time", "Time", _time(dose.planned_clock)))
    if dose.planned_amount is not None:
        log.append(_part("planned-dose", "Quantity", _mass(dose.planned_amount)))
    if dose.cut_checked and dose.stay_on_before is None:
        # of what the line was asked, only what can add findings: never that it was held
        log.append(_part(CUT_WENT_AHEAD, "Boolean", value=True))
    log += _text_parts(units=dose.units)
    if dose.time_zone is not None:  # logged before the person moved: its own zone and offset
        zone = _zone(dose.time_zone)
        log.append(_part("time-zone", "Code", dose.time_zone))
    resource: Json = {
        "resourceType": "MedicationAdministration",
        "extension": [_complex("dose-log", log)],
        "status": "completed" if dose.taken_at is not None else "not-done",
        "medicationCodeableConcept": _medication(dose.drug),
        "subject": patient,
        "effectiveDateTime": _wall(_dose_time(dose), zone),
    }
    if dose.taken_at is None:
        resource["statusReason"] = [{"text": "missed"}]
    if dose.amount is not None:
        resource["dosage"] = {"dose": _mass(dose.amount)}
    if dose.note:
        resource["note"] = [{"text": dose.note}]
    return resource


def _dose_time(dose: DoseRecord) -> datetime:
    """When it was taken, or (missed) when it was planned."""
    if dose.taken_at is not None:
        return dose.taken_at
    hours, minutes = (int(part) for part in (dose.planned_clock or "00:00").split(":"))
    return datetime.combine(dose.day, datetime.min.time()) + timedelta(hours=hours, minutes=minutes)


# --- journal ------------------------------------------------------------------------------------


def _journal(code: str, kind: str, value: object) -> Json:
    return {"code": _concept(JOURNAL_SYSTEM, code, JOURNAL_CODES[code]), f"value{kind}": value}


def _add_checkin(out: _Out, checkin: CheckIn, zone: ZoneInfo) -> None:
    observation: Json = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": _concept(JOURNAL_SYSTEM, "check-in", JOURNAL_CODES["check-in"]),
        "subject": out.patient,
        "effectiveDateTime": checkin.wake_date.isoformat(),
        "component": _checkin_components(checkin),
    }
    if checkin.sleep is not None:
        sleep = _sleep(checkin.sleep, checkin.wake_date, zone, out.patient)
        observation["hasMember"] = [{"reference": out.add(sleep, "night", checkin.wake_date)}]
    elif checkin.reported_sleep is not None:
        reported = _reported_sleep(checkin.reported_sleep, checkin.wake_date, out.patient)
        night = out.add(reported, "night", checkin.wake_date)
        observation["hasMember"] = [{"reference": night}]
    if checkin.notes:
        observation["note"] = [{"text": checkin.notes}]
    out.add(observation, "check-in", checkin.wake_date)


def _checkin_components(checkin: CheckIn) -> list[Json]:
    components = [
        _journal("mood", "Integer", checkin.mood),
        _journal("anxiety", "Integer", checkin.anxiety),
    ]
    if checkin.substances_asked:  # not asked (a quick check-in): no component, never a 0
        components += [
            _journal("caffeine-drinks", "Integer", checkin.caffeine_drinks),
            _journal("alcohol-drinks", "Integer", checkin.alcohol_drinks),
            _journal("opioid-use", "Boolean", checkin.opioid_use),
        ]
    if checkin.worst_time is not None:
        time_of_day = _concept(TIME_OF_DAY_SYSTEM, checkin.worst_time)
        components.append(_journal("worst-time", "CodeableConcept", time_of_day))
    if not checkin.symptoms_rated:  # the checklist was not asked: no symptom score that day
        components.append(_journal("symptoms-rated", "Boolean", value=False))
    components += [
        {"code": _concept(SYMPTOM_SYSTEM, name), "valueInteger": rating}
        for name, rating in checkin.symptoms.items()
    ]
    components += [
        _journal("event", "CodeableConcept", _concept(EVENT_SYSTEM, event))
        for event in sorted(checkin.events)
    ]
    # A section the person copied from an earlier day is marked as a copy, with that day.
    for code, source in (
        ("sleep-copied-from", checkin.sleep_copied_from),
        ("symptoms-copied-from", checkin.symptoms_copied_from),
    ):
        if source is not None:
            components.append(_journal(code, "DateTime", source.isoformat()))
    return components


def _sleep(diary: SleepDiary, wake_date: date, zone: ZoneInfo, patient: Json) -> Json:
    metrics = night_metrics(diary)
    efficiency = Decimal(repr(round(metrics.se_pct, 1)))
    named: Json = {}
    if diary.time_zone is not None:  # logged before the person moved: its own zone and offset
        zone = _zone(diary.time_zone)
        named["extension"] = [_ext("time-zone", "Code", diary.time_zone)]
    return {
        "resourceType": "Observation",
        **named,
        "status": "final",
        "category": [_SURVEY],
        "code": _loinc(SLEEP_DURATION, "Total sleep time (Consensus Sleep Diary)"),
        "subject": patient,
        "effectiveDateTime": wake_date.isoformat(),
        "valueQuantity": _minutes(metrics.tst_min),
        "component": [
            _journal("bed-time", "DateTime", _wall(diary.bed, zone)),
            _journal("tried-time", "DateTime", _wall(diary.tried, zone)),
            _journal("final-wake-time", "DateTime", _wall(diary.final_wake, zone)),
            _journal("out-of-bed-time", "DateTime", _wall(diary.out_of_bed, zone)),
            _journal("sleep-onset-latency", "Quantity", _minutes(diary.sol_min)),
            _journal("wake-after-sleep-onset", "Quantity", _minutes(diary.waso_min)),
            _journal("awakenings", "Integer", diary.awakenings),
            _journal("sleep-quality", "Integer", diary.quality),
            _journal("time-in-bed", "Quantity", _minutes(metrics.tib_min)),
            _journal("sleep-efficiency", "Quantity", _quantity(efficiency, "%", "%")),
        ],
    }


def _reported_sleep(night: ReportedSleep, wake_date: date, patient: Json) -> Json:
    """A quick check-in's night: the person's estimate of time asleep, marked as such."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": _loinc(SLEEP_DURATION, "Sleep duration (the person's own estimate)"),
        "subject": patient,
        "effectiveDateTime": wake_date.isoformat(),
        "valueQuantity": _minutes(night.asleep_min),
        "component": [
            _journal("sleep-reported", "Boolean", value=True),
            _journal("sleep-quality", "Integer", night.quality),
        ],
    }


# --- questionnaires -----------------------------------------------------------------------------


def _add_score(out: _Out, score: InstrumentScore) -> None:
    """A PHQ-9 / GAD-7 as its QuestionnaireResponse and the Observations that repeat it.

    A score that replaced the same day's earlier answers (a PHQ-9 retaken with a higher item
    9: :func:`~taperline.core.instruments.retake_replaces`) keeps them in the bundle, each
    earlier answer set its own QuestionnaireResponse (:func:`_add_replaced`), and says so in
    standard R4 terms:

    * the day's response and its Observations keep their full URLs (the day's PHQ-9 is the
      same resource from one export to the next) and take status ``amended`` (R4
      QuestionnaireResponse: "filled out with answers, then marked as complete, yet changes
      or additions have been made to it afterwards"; Observation: "modified subsequently
      ... updates/new information"): a server that loaded the earlier answers under that
      URL receives them changed. Not ``entered-in-error`` or ``corrected``: nothing said
      earlier was a mistake;
    * the response names each replaced answer set, oldest first, in the extension
      ``questionnaire-replaces`` (a Reference); R4's core ``replaces`` extension is for
      canonical resources (Questionnaire, not QuestionnaireResponse) and takes a canonical,
      and a Provenance (``entity.role`` revision) needs the instant it was recorded, which
      taperline does not keep (a score has its day, not its moment);
    * each Observation (total, item 9, panel) carries a ``note`` naming the replaced totals
      in words, for a system that reads Observations only; ``derivedFrom`` still names the
      one response in force (an Observation repeats one response).

    A score that replaced nothing is written exactly as before (status ``completed`` /
    ``final``, no note, no extension).
    """
    # LOINC's Questionnaire; each item is named by its LOINC code and answered by LOINC's
    # answer code, the score its ordinalValue (docs/terminology.md).
    key = (score.instrument, score.taken_on)
    response = _response(out, score, "amended" if score.replaced else "completed")
    source = {"reference": out.add(response, *key)}
    if score.replaced:
        named = source["reference"]
        response["extension"] = [
            {"url": REPLACES, "valueReference": {"reference": _add_replaced(out, old, named, n)}}
            for n, old in enumerate(score.replaced_scores, start=1)
        ]
    phq9 = score.instrument == "PHQ-9"
    total_code, panel_code = (PHQ9_TOTAL, PHQ9_PANEL) if phq9 else (GAD7_TOTAL, GAD7_PANEL)
    total = _score_observation(out, score, source, (total_code, "total score"), score.total)
    total["interpretation"] = [{"text": score.band}]
    members = [{"reference": out.add(total, *key, total_code)}]
    if phq9:  # item 9 (thoughts of self-harm) as its own Observation, coded as answered
        item9 = _score_observation(out, score, source, (PHQ9_ITEM9, "item 9"), None)
        item9["valueCodeableConcept"] = {"coding": [_loinc_answer(score.items[8])]}
        members.append({"reference": out.add(item9, *key, PHQ9_ITEM9)})
    panel = _score_observation(out, score, source, (panel_code, "panel"), None)
    panel["hasMember"] = members
    out.add(panel, *key, panel_code)


def _response(out: _Out, score: InstrumentScore, status: str) -> Json:
    wording = PHQ9_WORDING if score.instrument == "PHQ-9" else GAD7_WORDING
    response: Json = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": LOINC_QUESTIONNAIRES[score.instrument],
        "status": status,
        "subject": out.patient,
        "item": [
            {"linkId": f"/{code}", "text": text, "answer": [{"valueCoding": _loinc_answer(answer)}]}
            for code, text, answer in zip(
                LOINC_ITEMS[score.instrument], wording, score.items, strict=True
            )
        ],
    }
    if score.taken_on is not None:
        response["authored"] = score.taken_on.isoformat()
    return response


def _add_replaced(out: _Out, earlier: InstrumentScore, kept: str, number: int) -> str:
    """The ``number``-th (oldest first) answers a score replaced that day: a response of its own.

    Status ``completed``: the person finished these answers and none of them was changed or
    withdrawn (``amended`` is the response changed afterwards, the one in force;
    ``entered-in-error`` a mistake; ``stopped`` never finished). That they are no longer the
    day's is said by the extension ``questionnaire-replaced-by`` (a Reference to the response
    in force), and the response in force names it back. No Observation repeats them: a system
    reading Observations only would take a second ``final`` total of the day for the day's
    score (R4 Observation has no status for "superseded"); the in-force Observations' ``note``
    gives their totals instead.
    """
    response = _response(out, earlier, "completed")
    response["extension"] = [{"url": REPLACED_BY, "valueReference": {"reference": kept}}]
    return out.add(response, earlier.instrument, earlier.taken_on, "replaced", number)


def _replaced_note(score: InstrumentScore) -> str:
    """What the day's score replaced, in words (the clinician's pages and report say the same)."""
    earlier = ", ".join(f"{r.total} ({r.band})" for r in score.replaced_scores)
    return (
        f"A retake the same day with a higher answer to item 9: it replaced the answers given"
        f" earlier that day: {earlier} (each kept as its own QuestionnaireResponse, named in"
        f" this response's extension questionnaire-replaces)"
    )


def _score_observation(
    out: _Out, score: InstrumentScore, source: Json, code: tuple[str, str], value: int | None
) -> Json:
    observation: Json = {
        "resourceType": "Observation",
        "status": "amended" if score.replaced else "final",
        "category": [_SURVEY],
        "code": _loinc(code[0], f"{score.instrument} {code[1]}"),
        "subject": out.patient,
        "derivedFrom": [source],
    }
    if score.taken_on is not None:
        observation["effectiveDateTime"] = score.taken_on.isoformat()
    if value is not None:
        observation["valueInteger"] = value
    if score.replaced:
        observation["note"] = [{"text": _replaced_note(score)}]
    return observation


# --- findings -----------------------------------------------------------------------------------


#: Evidence labels of a red flag typed in the profile, which holds no date of its own.
_PROFILE_LABELS = frozenset({"profile condition", "profile medicine"})


def finding_key(finding: Finding) -> tuple[str, date | None]:
    """A finding's identity and date, the same on every export while it stands.

    Its kind, its first day of evidence and what that evidence says (a red flag's event,
    a flare's first day); a profile entry has no day ("profile:" and the entry). The date is
    the first day of its evidence (None for a profile entry).
    """
    if not finding.evidence:
        return finding.kind, None
    first = min(finding.evidence, key=lambda e: e.day)
    if first.label in _PROFILE_LABELS:
        return f"{finding.kind}:profile:{first.value}", None
    return f"{finding.kind}:{first.day.isoformat()}:{first.label}", first.day


def _flag(finding: Finding, key: str, day: date | None, patient: Json) -> Json:
    parts = [
        _part("severity", "Code", finding.severity),
        _part("message", "Markdown", finding.message),
        *_text_parts(source=finding.source, suggested_action=finding.suggested_action),
        _part("clinician-flag", "Boolean", finding.clinician_flag),
        *(_evidence(item) for item in finding.evidence),
    ]
    flag: Json = {
        "resourceType": "Flag",
        "extension": [_complex("finding", parts)],
        "identifier": [{"system": FINDING_ID_SYSTEM, "value": key}],
        "status": "active",
        "code": _concept(FINDING_SYSTEM, finding.kind),
        "subject": patient,
    }
    if day is not None:
        flag["period"] = {"start": day.isoformat()}
    return flag


def _evidence(item: Evidence) -> Json:
    parts = [
        _part("day", "Date", item.day.isoformat()),
        *_text_parts(label=item.label, value=item.value),
    ]
    return {"url": "evidence", "extension": parts}
