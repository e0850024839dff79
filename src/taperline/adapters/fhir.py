"""FHIR R4 export and import of a person's record: a ``collection`` Bundle, lossless both ways.

fhir.resources 8.3.0 ships FHIR R5 at its root and R4B (4.3.0) and STU3 as subpackages; it has
no pure R4 (4.0.1) package. R4B changed none of the elements used here, so the bundle is built
and validated with ``fhir.resources.R4B`` and is R4 as well.

What goes where (``BASE_URL`` prefixes every taperline code system, naming system and
extension; ``EXTENSION_BASE/<name>`` is each extension's URL):

* **Patient**, pseudonymous: the label is an identifier under ``LABEL_SYSTEM`` (no name);
  extensions ``time-zone``, ``age-band``, ``condition`` and ``other-medicine``.
* **MedicationRequest** per plan version, step and drug (a crossover step has two):
  ``groupIdentifier`` = the version under ``PLAN_SYSTEM``; status active / draft / on-hold /
  cancelled and intent ``proposal`` (proposed) or ``order``; ``authoredOn`` and
  ``requester.display`` = proposed at / by; RxNorm ingredient codes where known; one dosage
  per dose (``sequence`` = its place in the step, ``timing`` with ``timeOfDay`` and a 1- or
  2-day period, ``doseQuantity`` in UCUM ``mg``, instructions as ``additionalInstruction``);
  ``dispenseRequest.validityPeriod`` from the step's start to the day before the next step;
  the step note as ``note``. Extension ``plan-version`` holds drug, strategy, reason, decided
  by / at and parent version, and on the first request of a version also its supply lines,
  warnings and assumptions; ``plan-step`` holds rule, source and every-other-day. The end of
  a taper (a step with no doses) is a ``doNotPerform`` request.
* **MedicationAdministration** per dose-log line: ``completed`` (taken) or ``not-done``
  (missed), at the time taken (or planned, when missed); extension ``dose-log`` holds the day,
  planned time, planned dose and units.
* **Observation** per check-in (``JOURNAL_SYSTEM#check-in``): mood, anxiety, symptom ratings
  (``SYMPTOM_SYSTEM``), worst time, caffeine, alcohol, opioid use and red-flag events as
  components, notes as ``note``; and, when the night was logged, a ``hasMember`` sleep
  Observation: LOINC 93832-4 (total sleep time [CARNEY-2012], from
  :func:`taperline.core.metrics.night_metrics`) with the diary as components. Both are dated
  by the date of waking.
* **QuestionnaireResponse** per PHQ-9 / GAD-7 (answers by item number) and its Observations:
  PHQ-9 panel 44249-1, total 44261-6 and item 9 44260-8; GAD-7 panel 69737-5 and total
  70274-6 [clinical-basis.md, Journal instruments].
* **Flag** per finding (status active; code text = kind; extension ``finding`` with
  severity, message, evidence, source, suggested action and clinician flag).

Clock times are local wall-clock times written with the offset of the profile's zone; an
import keeps the wall clock when the offset is the zone's own and converts otherwise. Full
URLs are ``urn:uuid:`` UUID5s of each resource's place and content, so the same record and
``generated_at`` always give the same bundle. Amounts are JSON numbers; an amount a float
cannot carry exactly also gets an ``exact-decimal`` extension. Free texts in extensions are
``valueMarkdown``, which takes any text; a FHIR ``string`` cannot be empty or made only of
whitespace other than spaces, tabs and line breaks, so a drug name, instruction or label
that is goes into a ``text`` (``label``) extension instead.
Import rebuilds the record from these resources; derived values (total sleep time, scores'
observations, findings) are recomputed rather than read. Doses travel in the dose log only
(a record's check-ins hold none; see :class:`~taperline.core.record.PersonRecord`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, cast, get_args
from zoneinfo import ZoneInfo

from taperline.core.findings import Evidence, Finding
from taperline.core.instruments import InstrumentScore, score_gad7, score_phq9
from taperline.core.journal import (
    SYMPTOMS,
    CheckIn,
    RedFlagEvent,
    SleepDiary,
    TimeOfDay,
)
from taperline.core.metrics import night_metrics
from taperline.core.quantity import Mass, MassUnit, fmt, to_decimal
from taperline.core.record import (
    AgeBand,
    DoseRecord,
    PersonRecord,
    PlanBasis,
    PlanStatus,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
)
from taperline.core.values import is_clock_text, parse_date
from taperline.errors import InputError, QuantityError, ValueFormatError
from taperline.zones import zone

__all__ = [
    "BASE_URL",
    "EXTENSION_BASE",
    "JOURNAL_SYSTEM",
    "SYMPTOM_SYSTEM",
    "export_bundle",
    "import_bundle",
]

Json = dict[str, Any]

#: The root of taperline's own FHIR definitions (code systems, naming systems, extensions).
BASE_URL: Final = "https://taperline.example/fhir"
EXTENSION_BASE: Final = f"{BASE_URL}/StructureDefinition"
#: Check-in and sleep-diary fields that have no standard code.
JOURNAL_SYSTEM: Final = f"{BASE_URL}/CodeSystem/journal"
#: taperline's withdrawal-symptom checklist: the code is the symptom's plain name.
SYMPTOM_SYSTEM: Final = f"{BASE_URL}/CodeSystem/withdrawal-symptom"
EVENT_SYSTEM: Final = f"{BASE_URL}/CodeSystem/red-flag-event"
TIME_OF_DAY_SYSTEM: Final = f"{BASE_URL}/CodeSystem/time-of-day"
FINDING_SYSTEM: Final = f"{BASE_URL}/CodeSystem/finding"
LABEL_SYSTEM: Final = f"{BASE_URL}/NamingSystem/person-label"
PLAN_SYSTEM: Final = f"{BASE_URL}/NamingSystem/plan-version"
BUNDLE_SYSTEM: Final = f"{BASE_URL}/NamingSystem/bundle"
QUESTIONNAIRE_BASE: Final = f"{BASE_URL}/Questionnaire"

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
_SURVEY: Final = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
        }
    ]
}

#: RxNorm ingredient codes [clinical-basis.md, Products: clonazepam 2598 ⚠, diazepam 3322].
RXNORM_INGREDIENTS: Final = MappingProxyType({"clonazepam": "2598", "diazepam": "3322"})

# LOINC codes [clinical-basis.md, Journal instruments].
SLEEP_DURATION: Final = "93832-4"
PHQ9_PANEL, PHQ9_TOTAL, PHQ9_ITEM9 = "44249-1", "44261-6", "44260-8"
GAD7_PANEL, GAD7_TOTAL = "69737-5", "70274-6"
_SCORE_CODES: Final = frozenset({PHQ9_PANEL, PHQ9_TOTAL, PHQ9_ITEM9, GAD7_PANEL, GAD7_TOTAL})
_QUESTIONNAIRES: Final = MappingProxyType(
    {f"{QUESTIONNAIRE_BASE}/phq-9": "PHQ-9", f"{QUESTIONNAIRE_BASE}/gad-7": "GAD-7"}
)

_MR_STATUS: Final[MappingProxyType[PlanStatus, str]] = MappingProxyType(
    {"active": "active", "proposed": "draft", "held": "on-hold", "rejected": "cancelled"}
)
_PLAN_STATUS: Final = MappingProxyType({v: k for k, v in _MR_STATUS.items()})

#: Codes of ``JOURNAL_SYSTEM`` and what they mean (the text shown with each).
JOURNAL_CODES: Final = MappingProxyType(
    {
        "check-in": "Daily check-in",
        "mood": "Mood (0-10, higher is better)",
        "anxiety": "Anxiety (0-10, higher is worse)",
        "worst-time": "Worst time of day",
        "caffeine-drinks": "Caffeinated drinks",
        "alcohol-drinks": "Alcoholic drinks",
        "opioid-use": "Opioid use",
        "event": "Red-flag event",
        "bed-time": "Time into bed",
        "tried-time": "Time tried to sleep",
        "final-wake-time": "Time of final awakening",
        "out-of-bed-time": "Time out of bed",
        "sleep-onset-latency": "Sleep-onset latency",
        "wake-after-sleep-onset": "Wake time after sleep onset",
        "awakenings": "Number of awakenings",
        "sleep-quality": "Sleep quality (1-5)",
        "time-in-bed": "Time in bed (derived)",
        "sleep-efficiency": "Sleep efficiency (derived)",
    }
)
_DERIVED: Final = frozenset({"time-in-bed", "sleep-efficiency"})
_READ_TYPES: Final = frozenset(
    {
        "Patient",
        "MedicationRequest",
        "MedicationAdministration",
        "Observation",
        "QuestionnaireResponse",
        "Flag",
    }
)
_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_URL, BASE_URL)
#: A FHIR ``string`` may not be empty or made only of this whitespace (Unicode White_Space
#: but space, tab and line breaks); ``markdown`` takes any text.
_ODD_SPACE: Final = re.compile(
    "[\x0b\x0c\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)


# --- small builders -----------------------------------------------------------------------------


def _ext(name: str, kind: str, value: object) -> Json:
    return {"url": f"{EXTENSION_BASE}/{name}", f"value{kind}": value}


def _complex(name: str, parts: Sequence[Json]) -> Json:
    return {"url": f"{EXTENSION_BASE}/{name}", "extension": list(parts)}


def _part(name: str, kind: str, value: object) -> Json:
    return {"url": name, f"value{kind}": value}


def _text_parts(**texts: str) -> list[Json]:
    """Markdown sub-extensions for the non-empty texts (a FHIR value may not be empty)."""
    return [_part(name.replace("_", "-"), "Markdown", text) for name, text in texts.items() if text]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _exact(value: Decimal) -> bool:
    return to_decimal(_number(value)) == value


def _quantity(value: Decimal, unit: str, code: str | None = None) -> Json:
    """A Quantity; an ``exact-decimal`` extension carries what a float cannot."""
    quantity: Json = {"value": _number(value)}
    if not _exact(value):
        quantity["extension"] = [_ext("exact-decimal", "String", str(value))]
    if unit:
        quantity["unit"] = unit
    if code is not None:
        quantity |= {"system": UCUM, "code": code}
    return quantity


def _mass(mass: Mass) -> Json:
    """A mass in UCUM mg; the unit it is shown in, when not mg, as ``display-unit``."""
    quantity = _quantity(mass.mg, "mg", "mg")
    if mass.unit != "mg":
        quantity.setdefault("extension", []).append(_ext("display-unit", "Code", mass.unit))
    return quantity


def _minutes(minutes: int) -> Json:
    return _quantity(Decimal(minutes), "min", "min")


def _concept(system: str, code: str, text: str | None = None) -> Json:
    return {"coding": [{"system": system, "code": code}], "text": text or code}


def _text(text: str) -> Json:
    """A CodeableConcept of ``text``, in a ``text`` extension when a FHIR string cannot hold it."""
    if text and not _ODD_SPACE.fullmatch(text):
        return {"text": text}
    return {"extension": [_ext("text", "Markdown", text)]}


def _medication(drug: str) -> Json:
    code = RXNORM_INGREDIENTS.get(drug.strip().lower())
    coding = [{"system": RXNORM, "code": code, "display": drug.strip()}] if code else []
    return ({"coding": coding} if coding else {}) | _text(drug)


def _zone(name: str) -> ZoneInfo:
    return zone(name)  # one validator; the store checks an imported profile's zone again


def _wall(local: datetime, zone: ZoneInfo) -> str:
    """A naive local wall-clock time with the offset of ``zone`` at that time."""
    return local.replace(tzinfo=zone).isoformat()


def _moment(at: datetime, what: str) -> str:
    if at.utcoffset() is None:
        raise InputError(f"{what} must be timezone-aware, got {at.isoformat()}")
    return at.isoformat()


def _time(clock: str) -> str:
    return f"{clock}:00"


@dataclass(slots=True)
class _Out:
    """The bundle's entries; each full URL is a UUID5 of the entry's place and content."""

    entries: list[Json] = field(default_factory=list)
    patient: Json = field(default_factory=dict)

    def add(self, resource: Json) -> str:
        key = json.dumps([len(self.entries), resource], sort_keys=True)
        url = f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


# --- export -----------------------------------------------------------------------------------


def export_bundle(
    record: PersonRecord, findings: Sequence[Finding], *, generated_at: datetime
) -> dict[str, Any]:
    """The record and its findings as a FHIR R4 ``collection`` Bundle (plain JSON values).

    ``generated_at`` (timezone-aware) stamps the bundle and the findings' flags; the same
    inputs always give the same bundle.

    >>> from datetime import timezone
    >>> record = PersonRecord(Profile("Europe/London"))
    >>> bundle = export_bundle(record, [], generated_at=datetime(2027, 1, 5, tzinfo=timezone.utc))
    >>> bundle["type"], [e["resource"]["resourceType"] for e in bundle["entry"]]
    ('collection', ['Patient'])
    >>> import_bundle(bundle) == record
    True
    """
    from fhir.resources.R4B.bundle import Bundle

    stamp = _moment(generated_at, "generated_at")
    zone = _zone(record.profile.time_zone)
    out = _Out()
    out.patient = {"reference": out.add(_patient(record.profile))}
    for plan in record.plans:
        _add_plan(out, plan)
    for dose in record.doses:
        out.add(_administration(dose, zone, out.patient))
    for checkin in record.checkins:
        _add_checkin(out, checkin, zone)
    for score in record.scores:
        _add_score(out, score)
    for finding in findings:
        out.add(_flag(finding, stamp, out.patient))
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


def _patient(profile: Profile) -> Json:
    extension = [_ext("time-zone", "Code", profile.time_zone)]
    if profile.age_band is not None:
        extension.append(_ext("age-band", "Code", profile.age_band))
    extension += [_ext("condition", "String", name) for name in profile.conditions]
    extension += [_ext("other-medicine", "String", name) for name in profile.other_medicines]
    patient: Json = {"resourceType": "Patient", "extension": extension}
    if profile.label and not _ODD_SPACE.fullmatch(profile.label):
        patient["identifier"] = [{"system": LABEL_SYSTEM, "value": profile.label}]
    elif profile.label:
        extension.append(_ext("label", "Markdown", profile.label))
    return patient


# --- plans --------------------------------------------------------------------------------------


def _add_plan(out: _Out, plan: PlanVersion) -> None:
    first = True
    for index, step in enumerate(plan.steps):
        following = plan.steps[index + 1].start if index + 1 < len(plan.steps) else None
        for drug, doses in _doses_by_drug(step, plan.drug):
            out.add(_request(plan, step, following, drug, doses, out.patient, full=first))
            first = False


def _doses_by_drug(
    step: RecordStep, plan_drug: str
) -> list[tuple[str, list[tuple[int, RecordDose]]]]:
    """Each drug of a step with its doses and places (the plan's drug alone at the end)."""
    groups: dict[str, list[tuple[int, RecordDose]]] = {}
    for sequence, dose in enumerate(step.doses, start=1):
        groups.setdefault(dose.drug, []).append((sequence, dose))
    return list(groups.items()) or [(plan_drug, [])]


def _request(  # noqa: PLR0917 -- private builder called once, arguments in reading order
    plan: PlanVersion,
    step: RecordStep,
    following: date | None,
    drug: str,
    doses: list[tuple[int, RecordDose]],
    patient: Json,
    *,
    full: bool,
) -> Json:
    period = {"start": step.start.isoformat()}
    if following is not None:
        period["end"] = (following - timedelta(days=1)).isoformat()  # FHIR ends are inclusive
    request: Json = {
        "resourceType": "MedicationRequest",
        "extension": [_plan_extension(plan, full=full), *_step_extension(step)],
        "groupIdentifier": {"system": PLAN_SYSTEM, "value": str(plan.version)},
        "status": _MR_STATUS[plan.status],
        "intent": "proposal" if plan.status == "proposed" else "order",
        "medicationCodeableConcept": _medication(drug),
        "subject": patient,
        "authoredOn": _moment(plan.proposed_at, f"plan version {plan.version} proposed_at"),
        "requester": {"display": plan.proposed_by},
        "dispenseRequest": {"validityPeriod": period},
    }
    if doses:
        eod = step.every_other_day
        request["dosageInstruction"] = [
            _dosage(n, d, period, every_other_day=eod) for n, d in doses
        ]
    else:
        request["doNotPerform"] = True
    # The plan's mark first (every request of an overridden plan says so), then the step note.
    notes = [text for text in (_mark_text(plan), step.note) if text]
    if notes:
        request["note"] = [{"text": text} for text in notes]
    return request


def _mark_text(plan: PlanVersion) -> str:
    """'Outside the guideline by clinician override: <reason>', or '' within it."""
    mark = plan.mark
    return f"{mark[:1].upper()}{mark[1:]}" if mark else ""


def _plan_extension(plan: PlanVersion, *, full: bool) -> Json:
    parts = [_part("drug", "Markdown", plan.drug)]
    parts += _text_parts(strategy=plan.strategy, reason=plan.reason)
    if plan.decided_by is not None:
        parts.append(_part("decided-by", "Markdown", plan.decided_by))
    if plan.decided_at is not None:
        decided = _moment(plan.decided_at, f"plan version {plan.version} decided_at")
        parts.append(_part("decided-at", "DateTime", decided))
    if plan.parent_version is not None:
        parts.append(_part("parent-version", "Integer", plan.parent_version))
    if plan.held_from is not None:
        parts.append(_part("held-from", "Date", plan.held_from.isoformat()))
    if full:
        parts.append(_basis_part(plan.basis))
        parts += [_supply_part(line) for line in plan.supply]
        parts += [_part("warning", "Markdown", text) for text in plan.warnings]
        parts += [
            {
                "url": "assumption",
                "extension": [_part("key", "Markdown", k), _part("value", "Markdown", v)],
            }
            for k, v in plan.assumptions.items()
        ]
    return _complex("plan-version", parts)


def _basis_part(basis: PlanBasis) -> Json:
    """The rule basis: settings, override reason, smallest doses, what is outside the guideline."""
    parts = [
        _part("max-cut", "Quantity", _quantity(basis.max_cut_pct, "%", "%")),
        _part("window-days", "Integer", basis.window_days),
        _part("stabilisation-days", "Integer", basis.stabilisation_days),
        *_text_parts(
            override_reason=basis.override_reason,
            equivalence_source=basis.equivalence_source,
            indication=basis.indication,
        ),
    ]
    parts += [
        {
            "url": "smallest-dose",
            "extension": [_part("drug", "Markdown", drug), _part("dose", "Quantity", _mass(m))],
        }
        for drug, m in basis.smallest_doses
    ]
    parts += [_part("outside-guideline", "Markdown", line) for line in basis.outside_guideline]
    return {"url": "basis", "extension": parts}


def _supply_part(line: RecordSupply) -> Json:
    return {
        "url": "supply",
        "extension": [
            _part("period-start", "Date", line.period_start.isoformat()),
            _part("period-end", "Date", line.period_end.isoformat()),
            _part("drug", "Markdown", line.drug),
            _part("product", "Markdown", line.product),
            _part("count", "Quantity", _quantity(line.count, "")),
            *_text_parts(unit=line.unit),
        ],
    }


def _step_extension(step: RecordStep) -> list[Json]:
    """The step's rule, source, reason and every-other-day, if any (an extension needs one)."""
    parts = _text_parts(rule=step.rule, source=step.source, reason=step.reason)
    if step.every_other_day:
        parts.append(_part("every-other-day", "Boolean", True))  # noqa: FBT003 -- a JSON value
    return [_complex("plan-step", parts)] if parts else []


def _dosage(sequence: int, dose: RecordDose, period: Json, *, every_other_day: bool) -> Json:
    text = f"{fmt(dose.amount)} at {dose.clock}" + (" every other day" if every_other_day else "")
    dosage: Json = {
        "sequence": sequence,
        "text": text,
        "timing": {
            "repeat": {
                "boundsPeriod": period,
                "frequency": 1,
                "period": 2 if every_other_day else 1,
                "periodUnit": "d",
                "timeOfDay": [_time(dose.clock)],
            }
        },
        "doseAndRate": [{"doseQuantity": _mass(dose.amount)}],
    }
    if dose.instructions:
        dosage["additionalInstruction"] = [_text(text) for text in dose.instructions]
    return dosage


# --- dose log -----------------------------------------------------------------------------------


def _administration(dose: DoseRecord, zone: ZoneInfo, patient: Json) -> Json:
    log = [_part("day", "Date", dose.day.isoformat())]
    if dose.planned_clock is not None:
        log.append(_part("planned-time", "Time", _time(dose.planned_clock)))
    if dose.planned_amount is not None:
        log.append(_part("planned-dose", "Quantity", _mass(dose.planned_amount)))
    log += _text_parts(units=dose.units)
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
        observation["hasMember"] = [{"reference": out.add(sleep)}]
    if checkin.notes:
        observation["note"] = [{"text": checkin.notes}]
    out.add(observation)


def _checkin_components(checkin: CheckIn) -> list[Json]:
    components = [
        _journal("mood", "Integer", checkin.mood),
        _journal("anxiety", "Integer", checkin.anxiety),
        _journal("caffeine-drinks", "Integer", checkin.caffeine_drinks),
        _journal("alcohol-drinks", "Integer", checkin.alcohol_drinks),
        _journal("opioid-use", "Boolean", checkin.opioid_use),
    ]
    if checkin.worst_time is not None:
        time_of_day = _concept(TIME_OF_DAY_SYSTEM, checkin.worst_time)
        components.append(_journal("worst-time", "CodeableConcept", time_of_day))
    components += [
        {"code": _concept(SYMPTOM_SYSTEM, name), "valueInteger": rating}
        for name, rating in checkin.symptoms.items()
    ]
    components += [
        _journal("event", "CodeableConcept", _concept(EVENT_SYSTEM, event))
        for event in sorted(checkin.events)
    ]
    return components


def _sleep(diary: SleepDiary, wake_date: date, zone: ZoneInfo, patient: Json) -> Json:
    metrics = night_metrics(diary)
    efficiency = Decimal(repr(round(metrics.se_pct, 1)))
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": _concept(LOINC, SLEEP_DURATION, "Total sleep time (Consensus Sleep Diary)"),
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


# --- questionnaires -----------------------------------------------------------------------------


def _add_score(out: _Out, score: InstrumentScore) -> None:
    response: Json = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_BASE}/{score.instrument.lower()}",
        "status": "completed",
        "subject": out.patient,
        "item": [
            {"linkId": str(number), "answer": [{"valueInteger": answer}]}
            for number, answer in enumerate(score.items, start=1)
        ],
    }
    if score.taken_on is not None:
        response["authored"] = score.taken_on.isoformat()
    source = {"reference": out.add(response)}
    phq9 = score.instrument == "PHQ-9"
    total_code, panel_code = (PHQ9_TOTAL, PHQ9_PANEL) if phq9 else (GAD7_TOTAL, GAD7_PANEL)
    total = _score_observation(out, score, source, (total_code, "total score"), score.total)
    total["interpretation"] = [{"text": score.band}]
    members = [{"reference": out.add(total)}]
    if phq9:
        item9 = _score_observation(out, score, source, (PHQ9_ITEM9, "item 9"), score.items[8])
        members.append({"reference": out.add(item9)})
    panel = _score_observation(out, score, source, (panel_code, "panel"), None)
    panel["hasMember"] = members
    out.add(panel)


def _score_observation(
    out: _Out, score: InstrumentScore, source: Json, code: tuple[str, str], value: int | None
) -> Json:
    observation: Json = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": _concept(LOINC, code[0], f"{score.instrument} {code[1]}"),
        "subject": out.patient,
        "derivedFrom": [source],
    }
    if score.taken_on is not None:
        observation["effectiveDateTime"] = score.taken_on.isoformat()
    if value is not None:
        observation["valueInteger"] = value
    return observation


# --- findings -----------------------------------------------------------------------------------


def _flag(finding: Finding, stamp: str, patient: Json) -> Json:
    parts = [
        _part("severity", "Code", finding.severity),
        _part("message", "Markdown", finding.message),
        *_text_parts(source=finding.source, suggested_action=finding.suggested_action),
        _part("clinician-flag", "Boolean", finding.clinician_flag),
        *(_evidence(item) for item in finding.evidence),
    ]
    return {
        "resourceType": "Flag",
        "extension": [_complex("finding", parts)],
        "status": "active",
        "code": _concept(FINDING_SYSTEM, finding.kind),
        "subject": patient,
        "period": {"start": stamp},
    }


def _evidence(item: Evidence) -> Json:
    parts = [
        _part("day", "Date", item.day.isoformat()),
        *_text_parts(label=item.label, value=item.value),
    ]
    return {"url": "evidence", "extension": parts}


# --- import: reading helpers --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Res:
    """One resource of the bundle being read, named for error messages."""

    label: str
    data: Json
    url: str = ""

    @property
    def kind(self) -> str:
        return str(self.data.get("resourceType"))

    def fail(self, where: str, problem: str) -> InputError:
        return InputError(f"{self.label}: {where} {problem}")

    def need(self, key: str) -> Any:
        value = self.data.get(key)
        if value is None:
            raise self.fail(key, "is missing")
        return value

    def extensions(self, name: str) -> list[Json]:
        url = f"{EXTENSION_BASE}/{name}"
        return [e for e in self.data.get("extension") or [] if e.get("url") == url]

    def note(self) -> str:
        notes = self.data.get("note") or []
        return str(notes[0].get("text") or "") if notes else ""


@dataclass(frozen=True, slots=True)
class _Parts:
    """The sub-extensions of one complex extension."""

    res: _Res
    where: str
    items: list[Json]

    @classmethod
    def of(cls, res: _Res, name: str, *, required: bool = True) -> _Parts:
        found = res.extensions(name)
        if not found and required:
            raise res.fail(f"extension {name}", "is missing")
        return cls(res, f"extension {name}", found[0].get("extension") or [] if found else [])

    def all(self, name: str) -> list[Json]:
        return [item for item in self.items if item.get("url") == name]

    def value(self, name: str, kind: str) -> Any:
        found = self.all(name)
        if found and found[0].get(f"value{kind}") is None:
            raise self.res.fail(f"{self.where}.{name}", f"needs a value{kind}")
        return found[0][f"value{kind}"] if found else None

    def need(self, name: str, kind: str) -> Any:
        value = self.value(name, kind)
        if value is None:
            raise self.res.fail(f"{self.where}.{name}", "is missing")
        return value

    def text(self, name: str) -> str:
        return str(self.value(name, "Markdown") or "")

    def nested(self, name: str) -> list[_Parts]:
        return [
            _Parts(self.res, f"{self.where}.{name}", item.get("extension") or [])
            for item in self.all(name)
        ]


@contextmanager
def _about(label: str) -> Iterator[None]:
    """Prefix an input error raised while building a core value with the resource's name."""
    try:
        yield
    except InputError as exc:
        if str(exc).startswith(label):
            raise
        raise type(exc)(f"{label}: {exc}") from exc


def _coding(concept: Json | None) -> tuple[str | None, str | None]:
    codings = (concept or {}).get("coding") or [{}]
    return codings[0].get("system"), codings[0].get("code")


def _date(res: _Res, where: str, text: str) -> date:
    try:
        return parse_date(text)
    except ValueFormatError:
        raise res.fail(where, f"must be a full date YYYY-MM-DD, got {text!r}") from None


def _aware(res: _Res, where: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise res.fail(where, f"must be a date-time with a time zone offset, got {text!r}")
    return moment


def _local(res: _Res, where: str, text: str, zone: ZoneInfo) -> datetime:
    """The wall clock of the profile's zone (kept as written when the offset is the zone's)."""
    moment = _aware(res, where, text)
    wall = moment.replace(tzinfo=None)
    if wall.replace(tzinfo=zone).utcoffset() == moment.utcoffset():
        return wall
    return moment.astimezone(zone).replace(tzinfo=None)


def _clock(res: _Res, where: str, text: str) -> str:
    """A FHIR ``time`` on the minute, ``HH:MM:00``, as taperline stores it (``HH:MM``)."""
    if len(text) == len("22:00:00") and text.endswith(":00") and is_clock_text(text[:5]):
        return text[:5]
    raise res.fail(where, f"must be a whole-minute time HH:MM:00, got {text!r}")


def _ext_value(element: Json, name: str, kind: str) -> Any:
    url = f"{EXTENSION_BASE}/{name}"
    found = [e for e in element.get("extension") or [] if e.get("url") == url]
    return found[0].get(f"value{kind}") if found else None


def _decimal(res: _Res, where: str, quantity: Json) -> Decimal:
    exact = _ext_value(quantity, "exact-decimal", "String")
    value = exact if exact is not None else quantity.get("value")
    if value is None:
        raise res.fail(f"{where}.value", "is missing")
    try:
        return to_decimal(value)
    except QuantityError as exc:
        raise res.fail(where, f"has no usable number ({exc})") from exc


def _read_mass(res: _Res, where: str, quantity: Json) -> Mass:
    unit = quantity.get("code") or quantity.get("unit")
    if unit != "mg" or quantity.get("system", UCUM) != UCUM:
        raise res.fail(where, f"must be in mg (UCUM 'mg'), got {unit!r}")
    mass = Mass.of_mg(_decimal(res, where, quantity))
    display = _ext_value(quantity, "display-unit", "Code")
    if display in get_args(MassUnit):
        return mass.in_unit(cast("MassUnit", display))
    return mass


def _whole_minutes(res: _Res, where: str, quantity: Json) -> int:
    if (quantity.get("code") or quantity.get("unit")) != "min":
        raise res.fail(where, f"must be in minutes (UCUM 'min'), got {quantity.get('code')!r}")
    value = _decimal(res, where, quantity)
    if value != value.to_integral_value():
        raise res.fail(where, f"must be whole minutes, got {value}")
    return int(value)


def _read_text(concept: Json) -> str | None:
    """The text of a CodeableConcept (see :func:`_text`), or None."""
    if concept.get("text") is not None:
        return str(concept["text"])
    text = _ext_value(concept, "text", "Markdown")
    return None if text is None else str(text)


def _drug(res: _Res) -> str:
    concept: Json = res.need("medicationCodeableConcept")
    text = _read_text(concept)
    if text is not None:
        return text
    names = {code: name for name, code in RXNORM_INGREDIENTS.items()}
    for coding in concept.get("coding") or []:
        if coding.get("system") == RXNORM and coding.get("code") in names:
            return names[coding["code"]]
    raise res.fail("medicationCodeableConcept", "names no drug (no text, no known RxNorm code)")


# --- import -------------------------------------------------------------------------------------


def import_bundle(bundle: dict[str, Any]) -> PersonRecord:
    """The record a bundle from :func:`export_bundle` holds (findings are not read back).

    A bundle that is not valid FHIR, or lacks what the record needs, is refused with
    :class:`~taperline.errors.InputError` naming the resource (type and entry) and field.

    >>> import_bundle({"resourceType": "Bundle", "type": "searchset"})
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: Bundle.type must be 'collection', got 'searchset'
    """
    plain = _validated(bundle)
    resources = [
        _Res(
            f"{e['resource']['resourceType']} entry {index}", e["resource"], e.get("fullUrl") or ""
        )
        for index, e in enumerate(plain.get("entry") or [])
    ]
    profile = _read_profile(_the_patient(resources))
    zone = _zone(profile.time_zone)
    by_url = {r.url: r for r in resources if r.url}
    checkins = [r for r in resources if _is_checkin(r)]
    _check_observations(resources, checkins)
    return PersonRecord(
        profile,
        checkins=tuple(_read_checkin(r, by_url, zone) for r in checkins),
        doses=tuple(
            _read_administration(r, zone) for r in _of(resources, "MedicationAdministration")
        ),
        scores=tuple(_read_score(r) for r in _of(resources, "QuestionnaireResponse")),
        plans=_read_plans(_of(resources, "MedicationRequest")),
    )


def _of(resources: list[_Res], kind: str) -> list[_Res]:
    return [r for r in resources if r.kind == kind]


def _validated(bundle: object) -> Json:
    """The bundle as fhir.resources parses it (R4B), in plain JSON values."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    if not isinstance(bundle, dict):
        raise InputError(f"not a FHIR Bundle: expected a JSON object, got {type(bundle).__name__}")
    if bundle.get("resourceType") != "Bundle":
        raise InputError(f"not a FHIR Bundle: resourceType is {bundle.get('resourceType')!r}")
    if bundle.get("type") != "collection":
        raise InputError(f"Bundle.type must be 'collection', got {bundle.get('type')!r}")
    _check_entries(bundle.get("entry"))
    try:
        return Bundle.model_validate(bundle).model_dump(mode="json")
    except ValidationError as exc:
        raise InputError(_describe(exc, bundle)) from exc


def _check_entries(entries: object) -> None:
    if entries is None:
        return
    if not isinstance(entries, list):
        raise InputError("Bundle.entry must be a list")
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind not in _READ_TYPES:
            raise InputError(
                f"Bundle.entry {index}: resource type {kind!r} is not one taperline reads"
                f" (it reads {', '.join(sorted(_READ_TYPES))})"
            )


def _describe(exc: Any, bundle: Json) -> str:
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    if len(loc) > 2 and loc[0] == "entry" and isinstance(loc[1], int):  # noqa: PLR2004 -- entry, index
        kind = bundle["entry"][loc[1]]["resource"]["resourceType"]
        where = ".".join(str(part) for part in loc[3:]) or "resource"
        return f"{kind} entry {loc[1]}: {where}: {first['msg']}{more}"
    return f"Bundle.{'.'.join(str(part) for part in loc)}: {first['msg']}{more}"


def _the_patient(resources: list[_Res]) -> _Res:
    patients = _of(resources, "Patient")
    if len(patients) != 1:
        raise InputError(f"the bundle must hold exactly one Patient, found {len(patients)}")
    return patients[0]


def _read_profile(res: _Res) -> Profile:
    zones = res.extensions("time-zone")
    if not zones or not zones[0].get("valueCode"):
        raise res.fail("extension time-zone", "is missing")
    bands = res.extensions("age-band")
    labels = [str(e.get("valueMarkdown") or "") for e in res.extensions("label")]
    labels += [
        str(i.get("value") or "")
        for i in res.data.get("identifier") or []
        if i.get("system") == LABEL_SYSTEM
    ]
    with _about(res.label):
        return Profile(
            time_zone=str(zones[0]["valueCode"]),
            age_band=cast("AgeBand | None", bands[0].get("valueCode") if bands else None),
            conditions=tuple(str(e.get("valueString")) for e in res.extensions("condition")),
            other_medicines=tuple(
                str(e.get("valueString")) for e in res.extensions("other-medicine")
            ),
            label=labels[0] if labels else "",
        )


# --- import: plans ------------------------------------------------------------------------------


def _read_plans(requests: list[_Res]) -> tuple[PlanVersion, ...]:
    groups: dict[int, list[_Res]] = {}
    for res in requests:
        value = str(res.need("groupIdentifier").get("value") or "")
        if not value.isdigit():
            raise res.fail(
                "groupIdentifier.value", f"must be the plan version number, got {value!r}"
            )
        groups.setdefault(int(value), []).append(res)
    return tuple(_read_plan(number, group) for number, group in groups.items())


def _read_plan(number: int, group: list[_Res]) -> PlanVersion:
    head = group[0]
    meta = _Parts.of(head, "plan-version")
    status = _PLAN_STATUS.get(str(head.need("status")))
    if status is None:
        raise head.fail(
            "status", f"{head.data['status']!r} is not one of {', '.join(_PLAN_STATUS)}"
        )
    decided_at = meta.value("decided-at", "DateTime")
    held_from = meta.value("held-from", "Date")
    steps = _read_steps(group)
    with _about(head.label):
        return PlanVersion(
            version=number,
            status=status,
            drug=str(meta.need("drug", "Markdown")),
            strategy=meta.text("strategy"),
            steps=steps,
            proposed_by=str(head.need("requester").get("display") or ""),
            proposed_at=_aware(head, "authoredOn", str(head.need("authoredOn"))),
            reason=meta.text("reason"),
            decided_by=meta.value("decided-by", "Markdown"),
            decided_at=_aware(head, f"{meta.where}.decided-at", decided_at) if decided_at else None,
            parent_version=meta.value("parent-version", "Integer"),
            supply=tuple(_read_supply(part) for part in meta.nested("supply")),
            warnings=tuple(str(w.get("valueMarkdown") or "") for w in meta.all("warning")),
            assumptions={
                str(p.need("key", "Markdown")): str(p.need("value", "Markdown"))
                for p in meta.nested("assumption")
            },
            basis=_read_basis(meta, steps),
            held_from=_date(head, f"{meta.where}.held-from", str(held_from)) if held_from else None,
        )


def _read_basis(meta: _Parts, steps: Sequence[RecordStep]) -> PlanBasis:
    """The plan's rule basis; a bundle from before bases were kept gets the legacy one."""
    found = meta.nested("basis")
    if not found:
        return PlanBasis.legacy(steps)
    part = found[0]
    smallest = tuple(
        (str(p.need("drug", "Markdown")), _read_mass(p.res, p.where, p.need("dose", "Quantity")))
        for p in part.nested("smallest-dose")
    )
    return PlanBasis(
        max_cut_pct=_decimal(part.res, f"{part.where}.max-cut", part.need("max-cut", "Quantity")),
        window_days=int(part.need("window-days", "Integer")),
        stabilisation_days=int(part.need("stabilisation-days", "Integer")),
        override_reason=part.text("override-reason"),
        equivalence_source=part.text("equivalence-source"),
        indication=part.text("indication"),
        smallest_doses=smallest,
        outside_guideline=tuple(
            str(item.get("valueMarkdown") or "") for item in part.all("outside-guideline")
        ),
    )


def _read_supply(part: _Parts) -> RecordSupply:
    count: Json = part.need("count", "Quantity")
    return RecordSupply(
        period_start=_date(
            part.res, f"{part.where}.period-start", part.need("period-start", "Date")
        ),
        period_end=_date(part.res, f"{part.where}.period-end", part.need("period-end", "Date")),
        drug=str(part.need("drug", "Markdown")),
        product=str(part.need("product", "Markdown")),
        count=_decimal(part.res, f"{part.where}.count", count),
        unit=part.text("unit"),
    )


def _read_steps(group: list[_Res]) -> tuple[RecordStep, ...]:
    by_start: dict[date, list[_Res]] = {}
    for res in group:
        where = "dispenseRequest.validityPeriod.start"
        period = (res.data.get("dispenseRequest") or {}).get("validityPeriod") or {}
        if not period.get("start"):
            raise res.fail(where, "is missing")
        by_start.setdefault(_date(res, where, str(period["start"])), []).append(res)
    return tuple(_read_step(start, parts) for start, parts in sorted(by_start.items()))


def _read_step(start: date, group: list[_Res]) -> RecordStep:
    head = group[0]
    meta = _Parts.of(head, "plan-step", required=False)
    doses = [d for res in group if not res.data.get("doNotPerform") for d in _read_dosages(res)]
    doses.sort(key=lambda pair: pair[0])
    with _about(head.label):
        return RecordStep(
            start=start,
            doses=tuple(dose for _, dose in doses),
            rule=meta.text("rule"),
            source=meta.text("source"),
            every_other_day=bool(meta.value("every-other-day", "Boolean")),
            note=_step_note(head),
            reason=meta.text("reason")
            if meta.all("reason")
            else RecordStep.legacy_reason(_step_note(head)),
        )


def _step_note(res: _Res) -> str:
    """The step's own note: the plan's mark (first, when the plan has one) is not part of it."""
    texts = [str(n.get("text") or "") for n in res.data.get("note") or []]
    own = [t for t in texts if not t.startswith("Outside the guideline by clinician override: ")]
    return own[0] if own else ""


def _read_dosages(res: _Res) -> list[tuple[int, RecordDose]]:
    drug = _drug(res)
    doses = []
    for index, dosage in enumerate(res.data.get("dosageInstruction") or []):
        where = f"dosageInstruction.{index}"
        times = ((dosage.get("timing") or {}).get("repeat") or {}).get("timeOfDay") or []
        if len(times) != 1:
            raise res.fail(f"{where}.timing.repeat.timeOfDay", "must hold exactly one time")
        rates = dosage.get("doseAndRate") or [{}]
        quantity = rates[0].get("doseQuantity")
        if quantity is None:
            raise res.fail(f"{where}.doseAndRate.doseQuantity", "is missing")
        amount = _read_mass(res, f"{where}.doseAndRate.doseQuantity", quantity)
        clock = _clock(res, f"{where}.timing.repeat.timeOfDay", str(times[0]))
        notes = tuple(_read_text(i) or "" for i in dosage.get("additionalInstruction") or [])
        with _about(res.label):
            doses.append(
                (int(dosage.get("sequence") or index), RecordDose(clock, drug, amount, notes))
            )
    return doses


# --- import: dose log ---------------------------------------------------------------------------


def _read_administration(res: _Res, zone: ZoneInfo) -> DoseRecord:
    log = _Parts.of(res, "dose-log")
    status = res.need("status")
    if status not in {"completed", "not-done"}:
        raise res.fail("status", f"must be completed (taken) or not-done (missed), got {status!r}")
    taken_at, amount = None, None
    if status == "completed":
        taken_at = _local(res, "effectiveDateTime", str(res.need("effectiveDateTime")), zone)
        dose = (res.data.get("dosage") or {}).get("dose")
        if dose is None:
            raise res.fail("dosage.dose", "is missing")
        amount = _read_mass(res, "dosage.dose", dose)
    planned_time = log.value("planned-time", "Time")
    planned_dose = log.value("planned-dose", "Quantity")
    with _about(res.label):
        return DoseRecord(
            day=_date(res, f"{log.where}.day", str(log.need("day", "Date"))),
            drug=_drug(res),
            planned_clock=_clock(res, f"{log.where}.planned-time", planned_time)
            if planned_time
            else None,
            planned_amount=_read_mass(res, f"{log.where}.planned-dose", planned_dose)
            if planned_dose
            else None,
            taken_at=taken_at,
            amount=amount,
            units=log.text("units"),
            note=res.note(),
        )


# --- import: journal ----------------------------------------------------------------------------

#: Check-in components: journal code -> (CheckIn field, FHIR value type).
_CHECKIN_FIELDS: Final = MappingProxyType(
    {
        "mood": ("mood", "Integer"),
        "anxiety": ("anxiety", "Integer"),
        "caffeine-drinks": ("caffeine_drinks", "Integer"),
        "alcohol-drinks": ("alcohol_drinks", "Integer"),
        "opioid-use": ("opioid_use", "Boolean"),
        "worst-time": ("worst_time", "CodeableConcept"),
        "event": ("events", "CodeableConcept"),
    }
)
#: Sleep-diary components: journal code -> (SleepDiary field, FHIR value type).
_SLEEP_FIELDS: Final = MappingProxyType(
    {
        "bed-time": ("bed", "DateTime"),
        "tried-time": ("tried", "DateTime"),
        "final-wake-time": ("final_wake", "DateTime"),
        "out-of-bed-time": ("out_of_bed", "DateTime"),
        "sleep-onset-latency": ("sol_min", "Quantity"),
        "wake-after-sleep-onset": ("waso_min", "Quantity"),
        "awakenings": ("awakenings", "Integer"),
        "sleep-quality": ("quality", "Integer"),
    }
)


def _is_checkin(res: _Res) -> bool:
    return res.kind == "Observation" and _coding(res.data.get("code")) == (
        JOURNAL_SYSTEM,
        "check-in",
    )


def _check_observations(resources: list[_Res], checkins: list[_Res]) -> None:
    """Refuse an Observation taperline did not write (scores' observations are derived)."""
    nights = {m.get("reference") for r in checkins for m in r.data.get("hasMember") or []}
    for res in _of(resources, "Observation"):
        system, code = _coding(res.data.get("code"))
        known = (
            (system, code) == (JOURNAL_SYSTEM, "check-in")
            or (system == LOINC and code in _SCORE_CODES)
            or ((system, code) == (LOINC, SLEEP_DURATION) and res.url in nights)
        )
        if not known:
            raise res.fail(
                "code", f"{system}#{code} is not a check-in, a night of a check-in or a score"
            )


def _value(res: _Res, where: str, component: Json, kind: str) -> Any:
    value = component.get(f"value{kind}")
    if value is None:
        raise res.fail(f"{where}.value{kind}", "is missing")
    if kind == "CodeableConcept":
        return _coding(value)[1] or value.get("text")
    return value


def _read_checkin(res: _Res, by_url: dict[str, _Res], zone: ZoneInfo) -> CheckIn:
    wake = _date(res, "effectiveDateTime", str(res.need("effectiveDateTime")))
    values = _checkin_values(res)
    sleep = None
    for member in (res.data.get("hasMember") or [])[:1]:
        night = by_url.get(str(member.get("reference")))
        if night is None:
            raise res.fail("hasMember", f"refers to {member.get('reference')!r}, not in the bundle")
        sleep = _read_sleep(night, zone)
    with _about(res.label):
        return CheckIn(wake, sleep, notes=res.note(), **values)


def _checkin_values(res: _Res) -> dict[str, Any]:
    values: dict[str, Any] = {"symptoms": {}, "events": set()}
    for index, component in enumerate(res.data.get("component") or []):
        where = f"component.{index}"
        system, code = _coding(component.get("code"))
        if system == SYMPTOM_SYSTEM:
            if code not in SYMPTOMS:
                raise res.fail(f"{where}.code", f"names unknown symptom {code!r}")
            values["symptoms"][code] = _value(res, where, component, "Integer")
        elif system == JOURNAL_SYSTEM and (field_kind := _CHECKIN_FIELDS.get(code or "")):
            name, kind = field_kind
            value = _value(res, where, component, kind)
            if name == "events":
                values["events"].add(cast("RedFlagEvent", value))
            else:
                values[name] = cast("TimeOfDay", value) if name == "worst_time" else value
        else:
            raise res.fail(f"{where}.code", f"{system}#{code} is not a check-in field")
    for required in ("mood", "anxiety"):
        if required not in values:
            raise res.fail(f"component {required}", "is missing")
    values["events"] = frozenset(values["events"])
    return values


def _read_sleep(res: _Res, zone: ZoneInfo) -> SleepDiary:
    if _coding(res.data.get("code")) != (LOINC, SLEEP_DURATION):
        raise res.fail("code", f"must be LOINC {SLEEP_DURATION} (sleep duration)")
    fields: dict[str, Any] = {}
    for index, component in enumerate(res.data.get("component") or []):
        where = f"component.{index}"
        system, code = _coding(component.get("code"))
        if system == JOURNAL_SYSTEM and code in _DERIVED:
            continue
        field_kind = _SLEEP_FIELDS.get(code or "")
        if system != JOURNAL_SYSTEM or field_kind is None:
            raise res.fail(f"{where}.code", f"{system}#{code} is not a sleep-diary field")
        name, kind = field_kind
        value = _value(res, where, component, kind)
        if kind == "DateTime":
            value = _local(res, f"{where}.valueDateTime", str(value), zone)
        elif kind == "Quantity":
            value = _whole_minutes(res, f"{where}.valueQuantity", value)
        fields[name] = value
    missing = [code for code, (name, _) in _SLEEP_FIELDS.items() if name not in fields]
    if missing:
        raise res.fail(f"component {missing[0]}", "is missing")
    with _about(res.label):
        return SleepDiary(**fields)


# --- import: questionnaires ---------------------------------------------------------------------


def _read_score(res: _Res) -> InstrumentScore:
    canonical = str(res.need("questionnaire"))
    instrument = _QUESTIONNAIRES.get(canonical)
    if instrument is None:
        raise res.fail("questionnaire", f"{canonical!r} is not the PHQ-9 or GAD-7")
    answers: dict[int, int] = {}
    for index, item in enumerate(res.data.get("item") or []):
        link = str(item.get("linkId") or "")
        given = item.get("answer") or [{}]
        if not link.isdigit() or given[0].get("valueInteger") is None:
            raise res.fail(f"item.{index}", "needs a numeric linkId and a valueInteger answer")
        answers[int(link)] = int(given[0]["valueInteger"])
    authored = res.data.get("authored")
    taken_on = _date(res, "authored", str(authored)) if authored else None
    scorer = score_phq9 if instrument == "PHQ-9" else score_gad7
    with _about(res.label):
        return scorer([answers[n] for n in sorted(answers)], taken_on)
