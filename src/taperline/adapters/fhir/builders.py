"""Small builders of FHIR elements for the export: extensions, quantities and concepts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from taperline.adapters.fhir.codes import (
    _NAMESPACE,
    _ODD_SPACE,
    EXTENSION_BASE,
    LOINC,
    LOINC_ANSWERS,
    LOINC_DISPLAYS,
    ORDINAL_VALUE,
    RXNORM,
    RXNORM_CONFIRMED_INGREDIENTS,
    UCUM,
)
from taperline.adapters.fhir.common import Json
from taperline.core.quantity import Mass, to_decimal


@dataclass(slots=True)
class _Out:
    """The bundle's entries; each full URL is a UUID5 of what the resource is about.

    The key names the thing (a plan version and drug, a check-in's day, a finding), never
    the content or the place in the bundle, so a resource keeps its identity from one export
    to the next while what it says changes. ``subject`` names the person in the exporting
    store; a key met twice gets the number of its repeat.
    """

    subject: str = ""
    entries: list[Json] = field(default_factory=list)
    patient: Json = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)

    def url(self, kind: str, *key: object, repeat: int = 0) -> str:
        name = json.dumps([self.subject, kind, *key], default=str, ensure_ascii=False)
        if repeat:
            name = f"{name}#{repeat}"
        return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"

    def add(self, resource: Json, *key: object) -> str:
        kind = str(resource["resourceType"])
        name = json.dumps([kind, *key], default=str, ensure_ascii=False)
        repeat = self.seen.get(name, 0)
        self.seen[name] = repeat + 1
        url = self.url(kind, *key, repeat=repeat)
        self.entries.append({"fullUrl": url, "resource": resource})
        return url


def patient_url(subject: str) -> str:
    """The full URL an export with ``subject`` gives its Patient (the same on every export)."""
    return _Out(subject).url("Patient")


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


def _loinc_coding(code: str) -> Json:
    """A LOINC Coding with its display (docs/terminology.md), none where none is confirmed."""
    coding: Json = {"system": LOINC, "code": code}
    display = LOINC_DISPLAYS[code]
    if display is not None:
        coding["display"] = display
    return coding


def _loinc(code: str, text: str) -> Json:
    """A CodeableConcept of a LOINC code, its display, and taperline's words as ``text``."""
    return {"coding": [_loinc_coding(code)], "text": text}


def _loinc_answer(score: int) -> Json:
    """A PHQ-9 / GAD-7 answer: LOINC's answer code and display, the score as ordinalValue."""
    coding = _loinc_coding(LOINC_ANSWERS[score][0])
    coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": score}]
    return coding


def _text(text: str) -> Json:
    """A CodeableConcept of ``text``, in a ``text`` extension when a FHIR string cannot hold it."""
    if text and not _ODD_SPACE.fullmatch(text):
        return {"text": text}
    return {"extension": [_ext("text", "Markdown", text)]}


def _medication(drug: str) -> Json:
    """The drug by name, with its RxNorm ingredient code where clinical-basis.md confirms it."""
    code = RXNORM_CONFIRMED_INGREDIENTS.get(drug.strip().lower())
    coding = [{"system": RXNORM, "code": code, "display": drug.strip()}] if code else []
    return ({"coding": coding} if coding else {}) | _text(drug)
