"""FHIR import: the record a ``collection`` Bundle holds, checked as it is read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Final, cast
from zoneinfo import ZoneInfo

from taperline.adapters.fhir.codes import (
    _BUNDLE_TYPES,
    _DERIVED,
    _PASSED_TYPES,
    _PLAN_STATUS,
    _READ_TYPES,
    _SCORE_CODES,
    CUT_WENT_AHEAD,
    EXTENSION_BASE,
    JOURNAL_SYSTEM,
    LABEL_SYSTEM,
    LOINC,
    SLEEP_DURATION,
    SYMPTOM_SYSTEM,
)
from taperline.adapters.fhir.common import Json, _zone
from taperline.adapters.fhir.device_sleep import is_device_sleep, read_device_sleep
from taperline.adapters.fhir.questionnaires import (
    check_score_observations,
    kept_scores,
    read_score,
)
from taperline.adapters.fhir.reading import (
    _about,
    _aware,
    _clock,
    _coding,
    _date,
    _decimal,
    _drug,
    _local,
    _once,
    _Parts,
    _read_mass,
    _read_text,
    _Res,
    _whole_minutes,
)
from taperline.core.device_sleep import DeviceSleepRecord
from taperline.core.journal import (
    SYMPTOMS,
    CheckIn,
    RedFlagEvent,
    ReportedSleep,
    SleepDiary,
    TimeOfDay,
)
from taperline.core.quantity import Mass
from taperline.core.record import (
    PLAN_STATUSES,
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
from taperline.core.record.current import Regimen
from taperline.errors import InputError
from taperline.zones import known_zone


@dataclass(frozen=True, slots=True)
class ImportedBundle:
    """What a bundle holds: the record, and the device sleep kept apart from it.

    ``device_preferred_source`` is the person's choice of source on nights several recorded
    (None: none chosen); ``patient_url`` the Patient's full URL in the bundle (made from the
    exporting person's name in its installation: :func:`.builders.patient_url`).
    """

    record: PersonRecord
    device_sleep: tuple[DeviceSleepRecord, ...] = ()
    device_preferred_source: str | None = None
    patient_url: str = ""


def import_bundle(bundle: dict[str, Any]) -> PersonRecord:
    """The record a bundle from :func:`export_bundle` holds (findings are not read back).

    Device sleep is not part of the record: :func:`read_bundle` gives it too.

    The bundle may also be one a FHIR server hands back: a ``searchset`` (its
    OperationOutcome entries passed over), server ids and ``meta``, and references written
    ``Type/id`` or as the server's full URLs. A bundle that is not valid FHIR, or lacks what
    the record needs, is refused with :class:`~taperline.errors.InputError` naming the
    resource (type and entry) and field.

    >>> import_bundle({"resourceType": "Bundle", "type": "history"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: Bundle.type must be one of collection, ..., got 'history'
    """
    return read_bundle(bundle).record


def read_bundle(bundle: dict[str, Any]) -> ImportedBundle:
    """The record and the device sleep records a bundle holds, checked as they are read."""
    plain = _validated(bundle)
    _check_whole_answer(plain)
    resources = [
        _Res(
            f"{e['resource']['resourceType']} entry {index}", e["resource"], e.get("fullUrl") or ""
        )
        for index, e in enumerate(plain.get("entry") or [])
        if e["resource"]["resourceType"] not in _PASSED_TYPES
    ]
    for res in resources:  # withdrawn by its author as a mistake: never read as valid
        if res.data.get("status") == "entered-in-error":
            raise res.fail(
                "status", "is entered-in-error (withdrawn as a mistake): leave it out of the bundle"
            )
    for res in resources:
        _check_elements(res)
    patient = _the_patient(resources)
    profile = _read_profile(patient, _of(resources, "MedicationStatement"))
    zone = _zone(profile.time_zone)
    by_url = _by_reference(resources)
    checkins = [r for r in resources if _is_checkin(r)]
    _check_observations(resources, checkins, by_url)
    responses = _of(resources, "QuestionnaireResponse")
    scores = {id(r): read_score(r) for r in responses}
    check_score_observations(_of(resources, "Observation"), by_url, scores)
    kept = kept_scores(responses, by_url, scores)  # a retake's replaced answers: its own
    devices = tuple(read_device_sleep(r, by_url) for r in resources if is_device_sleep(r))
    record = PersonRecord(
        profile,
        checkins=tuple(_read_checkin(r, by_url, zone) for r in checkins),
        doses=tuple(
            _read_administration(r, zone) for r in _of(resources, "MedicationAdministration")
        ),
        scores=kept,
        plans=_read_plans(_of(resources, "MedicationRequest")),
    )
    preferred = patient.extension("device-sleep-preferred-source")
    chosen = str(preferred.get("valueMarkdown") or "") if preferred else ""
    return ImportedBundle(record, devices, chosen or None, patient.url)


def _check_whole_answer(plain: Json) -> None:
    """Refuse a server's answer that is not the whole record: one page, or an error.

    A searchset's first page names the next with ``Bundle.link`` ``next``; a server that
    stopped early says so in an OperationOutcome (``search.mode`` ``outcome``) of severity
    error or fatal. Either, read as the record, would lose what the server did not send.
    """
    for link in plain.get("link") or []:
        if link.get("relation") == "next":
            raise InputError(
                f"the bundle is one page of a server's answer (it has a next page:"
                f" {link.get('url')}); fetch every page into one bundle (or export with"
                " taperline export fhir) and import that: nothing was imported"
            )
    for index, entry in enumerate(plain.get("entry") or []):
        resource = entry["resource"]
        if resource["resourceType"] != "OperationOutcome":
            continue
        for issue in resource.get("issue") or []:
            if issue.get("severity") in {"error", "fatal"}:
                said = issue.get("diagnostics") or (issue.get("details") or {}).get("text")
                what = "a fatal error" if issue["severity"] == "fatal" else "an error"
                raise InputError(
                    f"OperationOutcome entry {index}: the server reports {what}"
                    f" ({issue.get('code')}: {said or 'no diagnostics'}); its answer may be"
                    " incomplete: nothing was imported"
                )


#: What a server adds to a resource, never the person's data: passed over.
_BOOKKEEPING: Final = frozenset({"resourceType", "id", "meta", "text", "implicitRules", "language"})
#: The elements read (or written by the export and derived again) of the resources whose
#: every element is checked: another is refused rather than lost in silence.
_ELEMENTS: Final = MappingProxyType(
    {
        "MedicationAdministration": frozenset(
            {
                "status",
                "statusReason",
                "extension",
                "medicationCodeableConcept",
                "subject",
                "effectiveDateTime",
                "dosage",
                "note",
            }
        ),
        "check-in": frozenset(
            {
                "status",
                "category",
                "code",
                "subject",
                "effectiveDateTime",
                "component",
                "hasMember",
                "note",
            }
        ),
    }
)
#: The Patient's extensions taperline writes and reads (docs/fhir.md).
_PATIENT_EXTENSIONS: Final = frozenset(
    f"{EXTENSION_BASE}/{name}"
    for name in (
        "time-zone",
        "age-band",
        "condition",
        "other-medicine",
        "label",
        "device-sleep-preferred-source",
    )
)


def _check_elements(res: _Res) -> None:
    """Refuse an element taperline does not read where it would hold the person's data.

    A dose's ``reasonCode`` or ``dosage.text``, a check-in's ``valueString``, another
    system's Patient extension: read as if absent, each would be dropped in silence.
    """
    kind = "check-in" if _is_checkin(res) else res.kind
    known = _ELEMENTS.get(kind)
    unread = sorted(set(res.data) - known - _BOOKKEEPING) if known is not None else []
    if unread:
        raise res.fail(
            unread[0],
            f"is not an element taperline reads in a {kind} (its value would be lost): leave"
            " it out of the bundle; nothing was imported",
        )
    if res.kind == "Patient":
        for extension in res.data.get("extension") or []:
            if extension.get("url") not in _PATIENT_EXTENSIONS:
                raise res.fail(
                    f"extension {extension.get('url')}",
                    "is not one taperline reads (its value would be lost): leave it out of"
                    " the bundle; nothing was imported",
                )
    if res.kind == "MedicationAdministration":
        _check_dosage(res)


def _check_dosage(res: _Res) -> None:
    dosage = res.data.get("dosage") or {}
    for name in sorted(set(dosage) - {"dose"}):
        raise res.fail(
            f"dosage.{name}",
            "is not read by taperline (only dosage.dose, the amount taken; its value would"
            " be lost): leave it out of the bundle; nothing was imported",
        )
    if res.data.get("status") == "not-done" and "dose" in dosage:
        raise res.fail(
            "dosage.dose",
            "is given for a dose not taken (status not-done): a missed dose has no amount"
            " taken; leave it out, or make the status completed with its effectiveDateTime",
        )


def _by_reference(resources: list[_Res]) -> dict[str, _Res]:
    """Each resource by every reference that may name it: its full URL, ``Type/id``."""
    found: dict[str, _Res] = {}
    for res in resources:
        names = [res.url] if res.url else []
        if res.data.get("id"):
            names.append(f"{res.kind}/{res.data['id']}")
        tail = res.url.rsplit("/", 2)[-2:] if "://" in res.url else []
        if len(tail) == 2 and tail[0] == res.kind:  # noqa: PLR2004 -- Type and id
            names.append("/".join(tail))
        for name in names:
            found.setdefault(name, res)
    return found


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
    if bundle.get("type") not in _BUNDLE_TYPES:
        raise InputError(
            f"Bundle.type must be one of {', '.join(_BUNDLE_TYPES)}, got {bundle.get('type')!r}"
        )
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
        if kind not in _READ_TYPES | _PASSED_TYPES:
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


def _read_profile(res: _Res, statements: list[_Res]) -> Profile:
    zone = res.extension("time-zone")
    if zone is None or not zone.get("valueCode"):
        raise res.fail("extension time-zone", "is missing")
    band = res.extension("age-band")
    if band is not None and not isinstance(band.get("valueCode"), str):
        raise res.fail("extension age-band", "must hold a valueCode")
    labels = [str(e.get("valueMarkdown") or "") for e in res.extensions("label")]
    labels += [
        str(i.get("value") or "")
        for i in res.data.get("identifier") or []
        if i.get("system") == LABEL_SYSTEM
    ]
    with _about(res.label):
        return Profile(
            time_zone=str(zone["valueCode"]),
            age_band=cast("AgeBand | None", band.get("valueCode") if band else None),
            conditions=res.texts("condition"),
            other_medicines=res.texts("other-medicine"),
            label=labels[0] if labels else "",
            regimen=_read_regimen(statements),
        )


def _read_regimen(statements: list[_Res]) -> Regimen | None:
    """The regimen before a plan (the one MedicationStatement), or None."""
    if len(statements) > 1:
        raise statements[1].fail("resource", "is a second regimen: a record holds one")
    if not statements:
        return None
    res = statements[0]
    drug = _drug(res)
    doses = [
        (_clock(res, f"{where}.timing.repeat.timeOfDay", clock), amount)
        for where, clock, amount, _ in _dosages(res, "dosage")
    ]
    with _about(res.label):
        return Regimen(drug.strip(), tuple(RecordDose(c, drug.strip(), a) for c, a in doses))


# --- import: plans ------------------------------------------------------------------------------


def _read_plans(requests: list[_Res]) -> tuple[PlanVersion, ...]:
    groups: dict[int, list[_Res]] = {}
    for res in requests:
        value = str(res.need("groupIdentifier").get("value") or "")
        if not value.isdecimal():
            raise res.fail(
                "groupIdentifier.value", f"must be the plan version number, got {value!r}"
            )
        groups.setdefault(int(value), []).append(res)
    return tuple(_read_plan(number, group) for number, group in groups.items())


def _read_plan(number: int, group: list[_Res]) -> PlanVersion:
    full = [r for r in group if _Parts.of(r, "plan-version").nested("basis")]
    head = full[0] if full else group[0]
    meta = _Parts.of(head, "plan-version")
    status = _plan_status(head, meta)
    decided_at = meta.value("decided-at", "DateTime")
    held_from = meta.value("held-from", "Date")
    steps = _read_order_steps(group) if _is_one_order(group) else _read_steps(group)
    proposed_by = meta.value("proposed-by", "Markdown")
    if proposed_by is None:  # an export from before one order per version
        proposed_by = head.need("requester").get("display") or ""
    with _about(head.label):
        return PlanVersion(
            version=number,
            status=status,
            drug=str(meta.need("drug", "Markdown")),
            strategy=meta.text("strategy"),
            steps=steps,
            proposed_by=str(proposed_by),
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


def _plan_status(head: _Res, meta: _Parts) -> PlanStatus:
    """The version's status in taperline (its own part; an older export's order status)."""
    own = meta.value("status", "Code")
    if own is not None:
        if own not in PLAN_STATUSES:
            raise head.fail(f"{meta.where}.status", f"{own!r} is not one of {PLAN_STATUSES}")
        return cast("PlanStatus", own)
    status = _PLAN_STATUS.get(str(head.need("status")))
    if status is None:
        raise head.fail(
            "status", f"{head.data['status']!r} is not one of {', '.join(_PLAN_STATUS)}"
        )
    return status


def _step_parts(res: _Res, where: str, dosage: Json) -> _Parts | None:
    url = f"{EXTENSION_BASE}/plan-step"
    found = [e for e in dosage.get("extension") or [] if e.get("url") == url]
    one = _once(res, f"{where}.extension plan-step", found)
    return (
        _Parts(res, f"{where}.extension plan-step", one.get("extension") or [])
        if one is not None
        else None
    )


def _is_one_order(group: list[_Res]) -> bool:
    """Whether the version is written as tapering orders (each dosage names its step)."""
    return any(
        _step_parts(res, "", dosage) is not None
        for res in group
        for dosage in res.data.get("dosageInstruction") or []
    )


def _read_order_steps(group: list[_Res]) -> tuple[RecordStep, ...]:
    """The steps of a version's orders: each dosage's bounds start its step."""
    metas: dict[date, _Parts] = {}
    doses: dict[date, list[tuple[int, RecordDose]]] = {}
    for res in group:
        drug = _drug(res)
        for index, dosage in enumerate(res.data.get("dosageInstruction") or []):
            where = f"dosageInstruction.{index}"
            meta = _step_parts(res, where, dosage)
            if meta is None:
                raise res.fail(f"{where}.extension plan-step", "is missing")
            bounds = ((dosage.get("timing") or {}).get("repeat") or {}).get("boundsPeriod") or {}
            if not bounds.get("start"):
                raise res.fail(f"{where}.timing.repeat.boundsPeriod.start", "is missing")
            start = _date(res, f"{where}.timing.repeat.boundsPeriod.start", str(bounds["start"]))
            metas.setdefault(start, meta)
            place = int(meta.need("place", "Integer"))
            day = doses.setdefault(start, [])
            if place > 0:
                day.append((place, _read_dosage(res, where, dosage, drug)))
    return tuple(_order_step(start, metas[start], doses[start]) for start in sorted(metas))


def _order_step(start: date, meta: _Parts, doses: list[tuple[int, RecordDose]]) -> RecordStep:
    doses.sort(key=lambda pair: pair[0])
    with _about(meta.res.label):
        return RecordStep(
            start=start,
            doses=tuple(dose for _, dose in doses),
            rule=meta.text("rule"),
            source=meta.text("source"),
            every_other_day=bool(meta.value("every-other-day", "Boolean")),
            note=meta.text("note"),
            reason=meta.text("reason"),
        )


def _read_basis(meta: _Parts, steps: Sequence[RecordStep]) -> PlanBasis:
    """The plan's rule basis; a bundle from before bases were kept gets the legacy one."""
    found = meta.nested("basis")
    if not found:
        return PlanBasis.legacy(steps)
    if len(found) > 1:
        raise meta.res.fail(
            f"{meta.where}.basis", f"is given {len(found)} times; it must be given once"
        )
    (part,) = found
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
    return "\n\n".join(t for t in own if t)  # taperline writes one; several are all kept


def _dosages(res: _Res, key: str) -> list[tuple[str, str, Mass, Json]]:
    """Each dosage of ``key``: where it is, its one time of day, its dose, the dosage."""
    found = []
    for index, dosage in enumerate(res.data.get(key) or []):
        where = f"{key}.{index}"
        times = ((dosage.get("timing") or {}).get("repeat") or {}).get("timeOfDay") or []
        if len(times) != 1:
            raise res.fail(f"{where}.timing.repeat.timeOfDay", "must hold exactly one time")
        rate = _once(res, f"{where}.doseAndRate", dosage.get("doseAndRate") or []) or {}
        quantity = rate.get("doseQuantity")
        if quantity is None:
            raise res.fail(f"{where}.doseAndRate.doseQuantity", "is missing")
        amount = _read_mass(res, f"{where}.doseAndRate.doseQuantity", quantity)
        found.append((where, str(times[0]), amount, dosage))
    return found


def _read_dosage(res: _Res, where: str, dosage: Json, drug: str) -> RecordDose:
    ((_, clock, amount, _),) = _dosages(_Res(res.label, {"d": [dosage]}), "d")
    notes = tuple(
        _read_text(res, f"{where}.additionalInstruction", i) or ""
        for i in dosage.get("additionalInstruction") or []
    )
    with _about(res.label):
        return RecordDose(
            _clock(res, f"{where}.timing.repeat.timeOfDay", clock), drug, amount, notes
        )


def _read_dosages(res: _Res) -> list[tuple[int, RecordDose]]:
    """An older export's doses of one step (one request per step and drug)."""
    drug = _drug(res)
    doses = []
    for index, (where, clock, amount, dosage) in enumerate(_dosages(res, "dosageInstruction")):
        notes = tuple(
            _read_text(res, f"{where}.additionalInstruction", i) or ""
            for i in dosage.get("additionalInstruction") or []
        )
        time = _clock(res, f"{where}.timing.repeat.timeOfDay", clock)
        with _about(res.label):
            doses.append(
                (int(dosage.get("sequence") or index), RecordDose(time, drug, amount, notes))
            )
    return doses


# --- import: dose log ---------------------------------------------------------------------------


def _read_administration(res: _Res, zone: ZoneInfo) -> DoseRecord:
    log = _Parts.of(res, "dose-log")
    status = res.need("status")
    if status not in {"completed", "not-done"}:
        raise res.fail("status", f"must be completed (taken) or not-done (missed), got {status!r}")
    taken_at, amount = None, None
    own_zone = _dose_zone(res, log, zone)
    if status == "completed":
        taken_at = _local(
            res, "effectiveDateTime", str(res.need("effectiveDateTime")), own_zone or zone
        )
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
            cut_checked=_cut_went_ahead(log),
            time_zone=None if own_zone is None else own_zone.key,
        )


def _dose_zone(res: _Res, log: _Parts, person_zone: ZoneInfo) -> ZoneInfo | None:
    """The zone a line was logged in when not the person's (the part ``time-zone``), or None.

    The zone is named, never guessed from an offset: "+01:00" fits dozens of zones. A line
    without the part (any other system's) is read in the person's zone, its moment kept
    (:func:`_local`). A named zone on a missed dose (no time taken to read) is refused.
    """
    name = log.value("time-zone", "Code")
    if name is None:
        return None
    try:
        own = _zone(known_zone(str(name), "the zone"))  # logged then: EST too
    except InputError as exc:
        raise res.fail(f"{log.where}.time-zone", f"names no zone taperline knows ({exc})") from None
    if res.data.get("status") != "completed":
        raise res.fail(
            f"{log.where}.time-zone",
            "is given for a dose not taken (status not-done): only a taken dose has a time"
            " to read in a zone; leave it out",
        )
    return None if own.key == person_zone.key else own


def _cut_went_ahead(log: _Parts) -> bool:
    """Whether the line says the cut of its day went ahead (the part ``CUT_WENT_AHEAD``).

    That is all a bundle is read for of what a line was asked. A part ``true`` makes the
    line one logged when the cut went ahead (``cut_checked``, nothing to stay on): its day
    is compared with the cut's new dose, which adds findings (docs/fhir.md). What would
    excuse a dose is never taken from a file a person can edit: ``false``, a
    ``stay-on-before`` or any other claim that the day was held is not read, and the line
    is "not known" (its day read from the record, as from a bundle written before this
    part). A part without a boolean value is refused, not passed over: it may have meant
    that the cut went ahead.
    """
    parts = log.all(CUT_WENT_AHEAD)
    if any(not isinstance(part.get("valueBoolean"), bool) for part in parts):
        raise log.res.fail(
            f"{log.where}.{CUT_WENT_AHEAD}",
            "needs a valueBoolean (true: the cut of the line's day went ahead)",
        )
    return any(part["valueBoolean"] for part in parts)


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
        "sleep-copied-from": ("sleep_copied_from", "DateTime"),
        "symptoms-copied-from": ("symptoms_copied_from", "DateTime"),
        "symptoms-rated": ("symptoms_rated", "Boolean"),
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


def _check_observations(
    resources: list[_Res], checkins: list[_Res], by_url: dict[str, _Res]
) -> None:
    """Refuse an Observation taperline did not write.

    A score's Observations are checked against their response
    (:func:`~taperline.adapters.fhir.questionnaires.check_score_observations`); a device
    sleep record (category ``device-sleep``) is read apart, into device sleep.
    """
    nights = {
        id(by_url[ref])
        for r in checkins
        for m in r.data.get("hasMember") or []
        if (ref := str(m.get("reference"))) in by_url
    }
    for res in _of(resources, "Observation"):
        system, code = _coding(res.data.get("code"))
        known = (
            (system, code) == (JOURNAL_SYSTEM, "check-in")
            or (system == LOINC and code in _SCORE_CODES)
            or ((system, code) == (LOINC, SLEEP_DURATION) and id(res) in nights)
            or is_device_sleep(res)
        )
        if not known:
            raise res.fail(
                "code",
                f"{system}#{code} is not a check-in, a night of a check-in, a score"
                " or a device sleep record",
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
    sleep: SleepDiary | None = None
    for member in (res.data.get("hasMember") or [])[:1]:
        night = by_url.get(str(member.get("reference")))
        if night is None:
            raise res.fail("hasMember", f"refers to {member.get('reference')!r}, not in the bundle")
        own_zone = _night_zone(night, zone)
        if _is_reported(night):
            if night.extension("time-zone") is not None:
                raise night.fail(
                    "extension time-zone",
                    "is given for a night in brief (sleep-reported): only a diary's night has"
                    " times to read in a zone; leave it out",
                )
            values["reported_sleep"] = _read_reported_sleep(night)
        else:
            sleep = _read_sleep(night, own_zone or zone, own_zone)
    with _about(res.label):
        return CheckIn(wake, sleep, notes=res.note(), **values)


def _night_zone(night: _Res, person_zone: ZoneInfo) -> ZoneInfo | None:
    """The zone a night was logged in when not the person's (extension ``time-zone``), or None.

    As a dose's (:func:`_dose_zone`): the zone is named, never guessed from an offset; a
    night without the extension (any other system's) is read in the person's zone, its
    moments kept.
    """
    found = night.extension("time-zone")
    if found is None:
        return None
    name = found.get("valueCode")
    if not isinstance(name, str):
        raise night.fail("extension time-zone", "needs a valueCode")
    try:
        own = _zone(known_zone(name, "the zone"))  # logged then: EST too
    except InputError as exc:
        raise night.fail("extension time-zone", f"names no zone taperline knows ({exc})") from None
    return None if own.key == person_zone.key else own


def _is_reported(night: _Res) -> bool:
    """A quick check-in's night (marked ``sleep-reported``), not a diary's."""
    return any(
        _coding(component.get("code")) == (JOURNAL_SYSTEM, "sleep-reported")
        for component in night.data.get("component") or []
    )


def _read_reported_sleep(res: _Res) -> ReportedSleep:
    if _coding(res.data.get("code")) != (LOINC, SLEEP_DURATION):
        raise res.fail("code", f"must be LOINC {SLEEP_DURATION} (sleep duration)")
    quality = None
    for index, component in enumerate(res.data.get("component") or []):
        where = f"component.{index}"
        code = _coding(component.get("code"))
        if code == (JOURNAL_SYSTEM, "sleep-quality"):
            quality = _value(res, where, component, "Integer")
        elif code == (JOURNAL_SYSTEM, "sleep-reported"):
            if _value(res, where, component, "Boolean") is not True:
                raise res.fail(f"{where}.valueBoolean", "must be true")
        else:
            raise res.fail(f"{where}.code", f"{code[0]}#{code[1]} is not a reported-sleep field")
    if quality is None:
        raise res.fail("component sleep-quality", "is missing")
    asleep = _whole_minutes(res, "valueQuantity", res.need("valueQuantity"))
    with _about(res.label):
        return ReportedSleep(asleep, quality)


def _checkin_values(res: _Res) -> dict[str, Any]:
    values: dict[str, Any] = {"symptoms": {}, "events": set()}
    for index, component in enumerate(res.data.get("component") or []):
        where = f"component.{index}"
        system, code = _coding(component.get("code"))
        if system == SYMPTOM_SYSTEM:
            if code not in SYMPTOMS:
                raise res.fail(f"{where}.code", f"names unknown symptom {code!r}")
            if code in values["symptoms"]:  # never the last of two in silence
                raise res.fail(f"{where}.code", f"rates symptom {code!r} a second time")
            values["symptoms"][code] = _value(res, where, component, "Integer")
        elif system == JOURNAL_SYSTEM and (field_kind := _CHECKIN_FIELDS.get(code or "")):
            name, kind = field_kind
            if name != "events" and name in values:  # never the last of two in silence
                raise res.fail(f"{where}.code", f"gives {code} a second time")
            value = _value(res, where, component, kind)
            if name == "events":
                values["events"].add(cast("RedFlagEvent", value))
            elif name.endswith("_copied_from"):
                values[name] = _date(res, f"{where}.valueDateTime", str(value))
            else:
                values[name] = cast("TimeOfDay", value) if name == "worst_time" else value
        else:
            raise res.fail(f"{where}.code", f"{system}#{code} is not a check-in field")
    for required in ("mood", "anxiety"):
        if required not in values:
            raise res.fail(f"component {required}", "is missing")
    values["events"] = frozenset(values["events"])
    # none of the three: not asked that day (a quick check-in), never read as none
    values["substances_asked"] = bool(_SUBSTANCES & set(values))
    return values


#: The check-in fields asked together (a quick check-in asks none of them).
_SUBSTANCES: Final = frozenset({"caffeine_drinks", "alcohol_drinks", "opioid_use"})


def _read_sleep(res: _Res, zone: ZoneInfo, own_zone: ZoneInfo | None = None) -> SleepDiary:
    """A diary's night, its times read in ``zone`` (``own_zone``: the night's, not the person's)."""
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
    if own_zone is not None:
        fields["time_zone"] = own_zone.key
    with _about(res.label):
        return SleepDiary(**fields)
