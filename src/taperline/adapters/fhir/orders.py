"""FHIR export of plans: one tapering order per plan version and drug, and the regimen before.

The pattern is HL7's example medicationrequest0303 ("Order for Tapering Dose"): one
MedicationRequest whose ``dosageInstruction`` lists every step in order (``sequence`` = the
step's number; the doses of one step share it and run together), each dosage bounded by its
step's ``timing.repeat.boundsPeriod``. So a receiver's reconciliation sees one order per plan
version and drug (a crossover step has two drugs, so two orders), and only the plan in force
is ``active`` (or ``on-hold``); a version it replaced is ``completed``, a proposal a newer
version replaced is ``cancelled``, each linked to the version it came from by
``priorPrescription``. taperline's own status of each version goes in the ``plan-version``
extension, so the record reads back exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Final

from taperline.adapters.fhir.builders import (
    _complex,
    _ext,
    _mass,
    _medication,
    _Out,
    _part,
    _quantity,
    _text,
    _text_parts,
)
from taperline.adapters.fhir.codes import (
    _MR_STATUS,
    _ODD_SPACE,
    ORDER_SYSTEM,
    PLAN_SYSTEM,
    RXNORM,
    UCUM,
)
from taperline.adapters.fhir.common import Json
from taperline.core.products import Product
from taperline.core.quantity import fmt
from taperline.core.record import (
    PlanBasis,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
)
from taperline.core.record.current import Regimen
from taperline.core.record.versions import in_force
from taperline.errors import InputError

#: Who proposed a plan when it was the person (``taperline plan --save`` by the patient).
PATIENT_PROPOSER: Final = "patient"


def _moment(at: datetime, what: str) -> str:
    if at.utcoffset() is None:
        raise InputError(f"{what} must be timezone-aware, got {at.isoformat()}")
    return at.isoformat()


def _time(clock: str) -> str:
    return f"{clock}:00"


def add_plans(
    out: _Out,
    plans: Sequence[PlanVersion],
    profile: Profile,
    products: Mapping[str, Sequence[Product]],
    *,
    history: bool = True,
) -> None:
    """The plan versions as their orders, the clinicians named as Practitioners.

    With ``history`` every version (the exact record); without, only what is not superseded
    (:func:`current_versions`): a replaced version is then named by ``priorPrescription``'s
    identifier instead of being included.
    """
    followed = in_force(plans)
    replaced = {p.parent_version for p in plans if p.parent_version is not None}
    kept = list(plans) if history else current_versions(plans)
    included = {p.version for p in kept}
    clinicians: dict[str, str] = {}
    for plan in kept:
        status = _order_status(plan, followed, replaced)
        requester = _requester(out, plan, profile, clinicians)
        prior = plan.parent_version
        for index, drug in enumerate(_drugs(plan)):
            request = _request(plan, drug, status, out.patient, requester, full=index == 0)
            if prior is not None:
                request["priorPrescription"] = _prior(out, plans, prior, drug, included)
            known = products.get(drug.strip().lower(), ())
            _add_products(request, plan, drug, known)
            lines = [ln for ln in plan.supply if ln.drug == drug]
            _add_supply(request["dispenseRequest"], lines, known)
            out.add(request, plan.version, drug)
    for name, url in clinicians.items():
        out.entries.append({"fullUrl": url, "resource": _practitioner(name)})


def current_versions(plans: Sequence[PlanVersion]) -> list[PlanVersion]:
    """The versions a receiver needs: the plan in force and the proposals still waiting.

    What is superseded is left out: a version a later one replaced (completed, or a proposal
    approved or adjusted into a new version) and a rejected proposal.
    """
    followed = in_force(plans)
    replaced = {p.parent_version for p in plans if p.parent_version is not None}
    return [
        plan
        for plan in plans
        if plan is followed or (plan.status == "proposed" and plan.version not in replaced)
    ]


def _prior(
    out: _Out, plans: Sequence[PlanVersion], prior: int, drug: str, included: set[int]
) -> Json:
    """The version ``prior``'s order: by its full URL when the bundle holds it, else by identifier.

    A left-out version is named by its ``ORDER_SYSTEM`` identifier (an R4 logical reference,
    which needs no target in the bundle or on a server), so a default export carries no
    reference that a receiver cannot resolve.
    """
    lead = _lead(plans, prior, drug)
    if prior in included:
        return {"reference": out.url("MedicationRequest", prior, lead)}
    identifier = {"system": ORDER_SYSTEM, "value": f"{prior}/{lead}"}
    return {"identifier": identifier, "display": f"plan version {prior} (not included)"}


def _lead(plans: Sequence[PlanVersion], version: int, drug: str) -> str:
    """The drug of ``version``'s order a later order follows: the same drug, else its first."""
    plan = next((p for p in plans if p.version == version), None)
    if plan is None:  # not in the record (itself read from an export without history)
        return drug
    drugs = _drugs(plan)
    return drug if drug in drugs else drugs[0]


def _drugs(plan: PlanVersion) -> list[str]:
    """The plan's drug first, then each other drug its steps use, in order of first use."""
    return list(dict.fromkeys([plan.drug, *(d.drug for s in plan.steps for d in s.doses)]))


def _order_status(plan: PlanVersion, followed: PlanVersion | None, replaced: set[int]) -> str:
    """The order's status: the plan in force's own; completed or cancelled once replaced."""
    if plan.status in {"active", "held"} and (followed is None or plan.version != followed.version):
        return "completed"
    if plan.status == "proposed" and plan.version in replaced:
        return "cancelled"
    return _MR_STATUS[plan.status]


def _requester(out: _Out, plan: PlanVersion, profile: Profile, clinicians: dict[str, str]) -> Json:
    """The approving clinician (a Practitioner) once approved; else who proposed it."""
    approved = plan.status in {"active", "held"} and plan.decided_by
    name = plan.decided_by if approved and plan.decided_by else plan.proposed_by
    if not approved and name.strip() in {PATIENT_PROPOSER, profile.label.strip()}:
        return dict(out.patient)
    url = clinicians.setdefault(name, out.url("Practitioner", name))
    return {"reference": url}


def _practitioner(name: str) -> Json:
    practitioner: Json = {"resourceType": "Practitioner"}
    if name.strip() and not _ODD_SPACE.fullmatch(name):
        practitioner["name"] = [{"text": name}]
    else:
        practitioner["extension"] = [_ext("label", "Markdown", name)]
    return practitioner


def _request(
    plan: PlanVersion, drug: str, status: str, patient: Json, requester: Json, *, full: bool
) -> Json:
    steps = plan.steps
    period = {"start": steps[0].start.isoformat(), "end": steps[-1].start.isoformat()}
    dosages = [
        dosage
        for number, step in enumerate(steps, start=1)
        for dosage in _step_dosages(plan, step, number, _following(steps, number), drug)
    ]
    request: Json = {
        "resourceType": "MedicationRequest",
        "extension": [_plan_extension(plan, full=full)],
        "identifier": [{"system": ORDER_SYSTEM, "value": f"{plan.version}/{drug}"}],
        "groupIdentifier": {"system": PLAN_SYSTEM, "value": str(plan.version)},
        "status": status,
        # a rejected version was never an order: it stays the proposal it was
        "intent": "order" if plan.status in {"active", "held"} else "proposal",
        "medicationCodeableConcept": _medication(drug),
        "subject": patient,
        "authoredOn": _moment(plan.proposed_at, f"plan version {plan.version} proposed_at"),
        "requester": requester,
        "dosageInstruction": dosages,
        "dispenseRequest": {"validityPeriod": period},
    }
    if plan.mark:
        request["note"] = [{"text": f"{plan.mark[:1].upper()}{plan.mark[1:]}"}]
    return request


def _following(steps: Sequence[RecordStep], number: int) -> date | None:
    return steps[number].start if number < len(steps) else None


def _step_dosages(
    plan: PlanVersion, step: RecordStep, number: int, following: date | None, drug: str
) -> list[Json]:
    """The step's doses of ``drug``; a step with no dose at all goes in the plan drug's order."""
    period = {"start": step.start.isoformat()}
    if following is not None:
        period["end"] = (following - timedelta(days=1)).isoformat()  # FHIR ends are inclusive
    mine = [(place, d) for place, d in enumerate(step.doses, start=1) if d.drug == drug]
    if mine:
        return [_dosage(number, place, d, period, step) for place, d in mine]
    if step.doses or drug != plan.drug:
        return []
    return [
        {
            "extension": [_step_extension(step, 0)],
            "sequence": number,
            "text": "No dose: the taper ends here" if following is None else "No dose",
            "timing": {"repeat": {"boundsPeriod": period}},
        }
    ]


def _dosage(number: int, place: int, dose: RecordDose, period: Json, step: RecordStep) -> Json:
    eod = step.every_other_day
    text = f"{fmt(dose.amount)} at {dose.clock}" + (" every other day" if eod else "")
    dosage: Json = {
        "extension": [_step_extension(step, place)],
        "sequence": number,
        "text": text,
        "timing": {
            "repeat": {
                "boundsPeriod": period,
                "frequency": 1,
                "period": 2 if eod else 1,
                "periodUnit": "d",
                "timeOfDay": [_time(dose.clock)],
            }
        },
        "doseAndRate": [{"doseQuantity": _mass(dose.amount)}],
    }
    if dose.instructions:
        dosage["additionalInstruction"] = [_text(text) for text in dose.instructions]
    return dosage


def _step_extension(step: RecordStep, place: int) -> Json:
    """The step's rule, source, reason, note and every-other-day, and the dose's place in it."""
    parts = [_part("place", "Integer", place)]
    parts += _text_parts(rule=step.rule, source=step.source, reason=step.reason, note=step.note)
    if step.every_other_day:
        parts.append(_part("every-other-day", "Boolean", True))  # noqa: FBT003 -- a JSON value
    return _complex("plan-step", parts)


def _plan_extension(plan: PlanVersion, *, full: bool) -> Json:
    parts = [
        _part("drug", "Markdown", plan.drug),
        _part("status", "Code", plan.status),
        _part("proposed-by", "Markdown", plan.proposed_by),
    ]
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


# --- products -----------------------------------------------------------------------------------


def _add_products(request: Json, plan: PlanVersion, drug: str, known: Sequence[Product]) -> None:
    """The RxNorm SCD code of each catalogue product the plan's supply uses for ``drug``.

    Only the catalogue's codes (each the one clinical-basis.md lists) are written; a product
    without one is named in text. A compounded product is a contained Medication with its
    ingredient strength, referenced by a ``compounded-product`` extension.
    """
    by_label = {p.label: p for p in known}
    used = [
        by_label[line.product]
        for line in plan.supply
        if line.drug == drug and line.product in by_label
    ]
    used = list(dict.fromkeys(used))
    codes = list(dict.fromkeys(p.rxnorm for p in used if p.rxnorm and not p.compounded))
    concept = request["medicationCodeableConcept"]
    if codes:
        concept["coding"] = [{"system": RXNORM, "code": code} for code in codes]
    contained = [
        _compounded(drug, product, n) for n, product in enumerate(used, 1) if product.compounded
    ]
    if contained:
        request["contained"] = contained
        request["extension"] += [
            _ext("compounded-product", "Reference", {"reference": f"#{m['id']}"}) for m in contained
        ]


def _compounded(drug: str, product: Product, number: int) -> Json:
    if product.concentration is not None:
        numerator = _quantity(product.concentration.mg_per_ml, "mg", "mg")
        strength = {"numerator": numerator, "denominator": _quantity_ml(1)}
    else:
        strength = {"numerator": _mass(product.strength), "denominator": _unit(product.form)}
    return {
        "resourceType": "Medication",
        "id": f"compounded-{number}",
        "code": _text(f"{drug.strip()} {product.label} (compounded)"),
        "form": {"text": product.form},
        "ingredient": [
            {"itemCodeableConcept": _medication(drug), "isActive": True, "strength": strength}
        ],
    }


def _quantity_ml(value: int) -> Json:
    return {"value": value, "unit": "mL", "system": UCUM, "code": "mL"}


def _unit(form: str) -> Json:
    return {"value": 1, "unit": form, "system": UCUM, "code": "1"}


# --- supply -----------------------------------------------------------------------------------


def _add_supply(dispense: Json, lines: Sequence[RecordSupply], known: Sequence[Product]) -> None:
    """What the order authorises to dispense (every line is also in ``plan-version``).

    In the pattern of HL7's medicationrequest0303 (a taper's whole supply as one quantity):
    ``quantity`` is everything the order dispenses over its periods and
    ``expectedSupplyDuration`` the days that covers; ``initialFill`` is the first period's
    supply when it is one product, and ``dispenseInterval`` the period's length when every
    period has the same. The quantity is in the product's unit ({tablet}, {odt}, mL) when the
    order uses one product; an order made of several products cannot count them in one
    unit, so its quantity is the drug they hold in UCUM mg (each product's strength from the
    catalogue; none when a product is not in it). See docs/fhir.md.
    """
    periods: dict[tuple[date, date], list[RecordSupply]] = {}
    for line in lines:
        periods.setdefault((line.period_start, line.period_end), []).append(line)
    if not periods:
        return
    lengths = {(end - start).days for start, end in periods}
    days = lengths.pop() if len(lengths) == 1 else None
    if days is not None and days > 0:
        dispense["dispenseInterval"] = _days(days)
    (first_start, first_end), first = next(iter(periods.items()))
    if len(first) == 1:
        fill: Json = {"quantity": _count(first[0].count, first[0].unit)}
        if first_end > first_start:
            fill["duration"] = _days((first_end - first_start).days)
        dispense["initialFill"] = fill
    total = _total(lines, known)
    if total is not None:
        dispense["quantity"] = total
    span = (max(end for _, end in periods) - min(start for start, _ in periods)).days
    if span > 0:
        dispense["expectedSupplyDuration"] = _days(span)


def _total(lines: Sequence[RecordSupply], known: Sequence[Product]) -> Json | None:
    """Everything ``lines`` dispense: a count of the one product, else the drug in mg."""
    if len({(ln.product, ln.unit) for ln in lines}) == 1:
        return _count(sum((ln.count for ln in lines), Decimal(0)), lines[0].unit)
    by_label = {p.label: p for p in known}
    mg = Decimal(0)
    for line in lines:
        product = by_label.get(line.product)
        if product is None:
            return None
        if line.unit == "mL":
            if product.concentration is None:
                return None
            mg += line.count * product.concentration.mg_per_ml
        else:
            mg += line.count * product.strength.mg
    return _quantity(mg, "mg", "mg")


def _days(days: int) -> Json:
    return {"value": days, "unit": "d", "system": UCUM, "code": "d"}


def _count(count: Decimal, unit: str) -> Json:
    """A supply count: in UCUM mL, or as a UCUM annotation ({tablet}) of its unit."""
    quantity = _quantity(count, unit)
    if unit == "mL":
        quantity |= {"system": UCUM, "code": "mL"}
    elif unit.isalpha():
        quantity |= {"system": UCUM, "code": f"{{{unit}}}"}
    return quantity


# --- the regimen before a plan ------------------------------------------------------------------


def regimen_statement(regimen: Regimen, patient: Json, *, current: bool) -> Json:
    """What the person takes before a plan, as they said it: a MedicationStatement."""
    return {
        "resourceType": "MedicationStatement",
        "status": "active" if current else "completed",
        "medicationCodeableConcept": _medication(regimen.drug),
        "subject": patient,
        "informationSource": patient,
        "dosage": [
            {
                "sequence": number,
                "text": f"{fmt(dose.amount)} at {dose.clock}",
                "timing": {
                    "repeat": {
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                        "timeOfDay": [_time(dose.clock)],
                    }
                },
                "doseAndRate": [{"doseQuantity": _mass(dose.amount)}],
            }
            for number, dose in enumerate(regimen.doses, start=1)
        ],
    }
