"""FHIR export: a person's record and findings as a ``collection`` Bundle."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from taperline.adapters.fhir.builders import (
    _complex,
    _concept,
    _ext,
    _mass,
    _medication,
    _minutes,
    _part,
    _quantity,
    _text,
    _text_parts,
)
from taperline.adapters.fhir.codes import (
    _MR_STATUS,
    _NAMESPACE,
    _ODD_SPACE,
    _SURVEY,
    BUNDLE_SYSTEM,
    EVENT_SYSTEM,
    FINDING_SYSTEM,
    GAD7_PANEL,
    GAD7_TOTAL,
    JOURNAL_CODES,
    JOURNAL_SYSTEM,
    LABEL_SYSTEM,
    LOINC,
    PHQ9_ITEM9,
    PHQ9_PANEL,
    PHQ9_TOTAL,
    PLAN_SYSTEM,
    QUESTIONNAIRE_BASE,
    SLEEP_DURATION,
    SYMPTOM_SYSTEM,
    TIME_OF_DAY_SYSTEM,
)
from taperline.adapters.fhir.common import Json, _zone
from taperline.core.findings import Evidence, Finding
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, ReportedSleep, SleepDiary
from taperline.core.metrics import night_metrics
from taperline.core.quantity import fmt
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanBasis,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
)
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
    >>> from taperline.adapters.fhir import import_bundle
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
    elif checkin.reported_sleep is not None:
        reported = _reported_sleep(checkin.reported_sleep, checkin.wake_date, out.patient)
        observation["hasMember"] = [{"reference": out.add(reported)}]
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


def _reported_sleep(night: ReportedSleep, wake_date: date, patient: Json) -> Json:
    """A quick check-in's night: the person's estimate of time asleep, marked as such."""
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": _concept(LOINC, SLEEP_DURATION, "Sleep duration (the person's own estimate)"),
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
