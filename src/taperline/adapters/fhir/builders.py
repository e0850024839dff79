"""Small builders of FHIR elements for the export: extensions, quantities and concepts."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from taperline.adapters.fhir.codes import (
    _ODD_SPACE,
    EXTENSION_BASE,
    RXNORM,
    RXNORM_INGREDIENTS,
    UCUM,
)
from taperline.adapters.fhir.common import Json
from taperline.core.quantity import Mass, to_decimal


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
