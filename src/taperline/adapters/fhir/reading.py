"""Reading helpers for the FHIR import: resources, extensions, dates, times and amounts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast, get_args
from zoneinfo import ZoneInfo

from taperline.adapters.fhir.codes import (
    EXTENSION_BASE,
    RXNORM,
    RXNORM_INGREDIENTS,
    UCUM,
)
from taperline.adapters.fhir.common import Json
from taperline.core.quantity import Mass, MassUnit, to_decimal
from taperline.core.values import is_clock_text, parse_date
from taperline.errors import InputError, QuantityError, ValueFormatError


def json_object(pairs: list[tuple[str, Any]]) -> Json:
    """A JSON object's members, each given once (``json.loads``' ``object_pairs_hook``).

    ``json.loads`` keeps the last of a member given twice and drops the first in silence:
    such a file is refused instead, naming the member.

    >>> import json
    >>> json.loads('{"note": [{"text": "a"}], "note": []}', object_pairs_hook=json_object)
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: the JSON member 'note' is given twice in one object (a \
reader keeps only one of them): nothing was imported
    """
    found: Json = {}
    for name, value in pairs:
        if name in found:
            raise InputError(
                f"the JSON member {name!r} is given twice in one object (a reader keeps only"
                " one of them): nothing was imported"
            )
        found[name] = value
    return found


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

    def texts(self, name: str, kind: str = "valueString") -> tuple[str, ...]:
        """The text of each extension ``name``, each a ``kind`` value (refused otherwise).

        A value of another type (a ``valueCode`` where a ``valueString`` is read) is never
        read as the text "None": the bundle is refused, naming the extension.
        """
        found = []
        for extension in self.extensions(name):
            value = extension.get(kind)
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"extension {name}", f"must hold a {kind} with text")
            found.append(value)
        return tuple(found)

    def extension(self, name: str) -> Json | None:
        """The one extension ``name`` of the resource (None: none); refused when repeated."""
        return _once(self, f"extension {name}", self.extensions(name))

    def note(self) -> str:
        """The resource's notes: taperline writes one; several are kept, a blank line apart."""
        notes = [str(n.get("text") or "") for n in self.data.get("note") or []]
        return "\n\n".join(n for n in notes if n)


def _once(res: _Res, where: str, found: list[Json]) -> Json | None:
    """The one item of ``found`` (None: none); several refuse the bundle.

    Each of these says one thing once (a time zone, a planned dose, an exact amount): of two
    that may differ, reading the first and passing over the other would drop an input in
    silence, so the import names it instead.
    """
    if len(found) > 1:
        raise res.fail(where, f"is given {len(found)} times; it must be given once")
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class _Parts:
    """The sub-extensions of one complex extension."""

    res: _Res
    where: str
    items: list[Json]

    @classmethod
    def of(cls, res: _Res, name: str, *, required: bool = True) -> _Parts:
        found = res.extension(name)
        if found is None and required:
            raise res.fail(f"extension {name}", "is missing")
        return cls(res, f"extension {name}", found.get("extension") or [] if found else [])

    def all(self, name: str) -> list[Json]:
        return [item for item in self.items if item.get("url") == name]

    def value(self, name: str, kind: str) -> Any:
        found = _once(self.res, f"{self.where}.{name}", self.all(name))
        if found is not None and found.get(f"value{kind}") is None:
            raise self.res.fail(f"{self.where}.{name}", f"needs a value{kind}")
        return found[f"value{kind}"] if found is not None else None

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


def _ext_value(res: _Res, where: str, element: Json, name: str, kind: str) -> Any:
    """The value of ``element``'s one extension ``name`` (``where`` names ``element``)."""
    url = f"{EXTENSION_BASE}/{name}"
    found = [e for e in element.get("extension") or [] if e.get("url") == url]
    one = _once(res, f"{where}.extension {name}", found)
    return None if one is None else one.get(f"value{kind}")


def _decimal(res: _Res, where: str, quantity: Json) -> Decimal:
    exact = _ext_value(res, where, quantity, "exact-decimal", "String")
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
    display = _ext_value(res, where, quantity, "display-unit", "Code")
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


def _read_text(res: _Res, where: str, concept: Json) -> str | None:
    """The text of a CodeableConcept (see :func:`_text`), or None."""
    if concept.get("text") is not None:
        return str(concept["text"])
    text = _ext_value(res, where, concept, "text", "Markdown")
    return None if text is None else str(text)


def _drug(res: _Res) -> str:
    concept: Json = res.need("medicationCodeableConcept")
    text = _read_text(res, "medicationCodeableConcept", concept)
    if text is not None:
        return text
    names = {code: name for name, code in RXNORM_INGREDIENTS.items()}
    for coding in concept.get("coding") or []:
        if coding.get("system") == RXNORM and coding.get("code") in names:
            return names[coding["code"]]
    raise res.fail("medicationCodeableConcept", "names no drug (no text, no known RxNorm code)")
