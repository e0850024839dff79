"""Exact dose quantities, parsing of what people type, and display by the ISMP rules.

Amounts are :class:`decimal.Decimal` underneath, so a schedule never shows
``0.30000000000000004 mg``. Three kinds of quantity exist:

* :class:`Mass` -- a dose or amount (mg, mcg or g; compared and added in mg);
* :class:`Volume` -- a liquid volume in mL;
* :class:`Concentration` -- mg/mL (or mcg/mL) of a liquid.

Every quantity is displayed by :func:`fmt` and every drug name by :func:`drug_label`:
the one place where the ISMP display rules live [ISMP].

>>> fmt(parse_quantity(".5 mg"))
'0.5 mg'
>>> fmt(parse_quantity("500 µg"))
'500 mcg'
>>> fmt(Mass.of_mg("0.1") + Mass.of_mg("0.2"))
'0.3 mg'
>>> drug_label("clonazepam")
'clonazePAM'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Final, Literal, TypeVar

from taperline.errors import ImplausibleDoseError, QuantityError

__all__ = [
    "TALL_MAN",
    "Concentration",
    "Mass",
    "MassUnit",
    "Quantity",
    "Volume",
    "check_plausible",
    "drug_label",
    "fmt",
    "fmt_number",
    "parse_concentration",
    "parse_dose",
    "parse_quantity",
    "parse_volume",
    "to_decimal",
]

MassUnit = Literal["mg", "mcg", "g"]

_MG_PER: Final[dict[str, Decimal]] = {"mg": Decimal(1), "mcg": Decimal("0.001"), "g": Decimal(1000)}

# Units as people type them, mapped to the one spelling we display [ISMP: "mcg", never "µg"].
_MASS_ALIASES: Final[dict[str, MassUnit]] = {
    "mg": "mg",
    "milligram": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "µg": "mcg",  # U+00B5 MICRO SIGN
    "μg": "mcg",  # U+03BC GREEK SMALL LETTER MU
    "ug": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
    "g": "g",
    "gram": "g",
    "grams": "g",
}
_VOLUME_ALIASES: Final[frozenset[str]] = frozenset(
    {"ml", "milliliter", "milliliters", "millilitre", "millilitres"}
)
# Error-prone abbreviations that we refuse with the safe spelling [ISMP].
_ERROR_PRONE: Final[dict[str, str]] = {
    "cc": "write mL instead of cc (cc is read as 'u' or '00')",
    "gr": "grains are not used here; write the dose in mg",
    "mgs": "write mg (no plural s)",
    "mls": "write mL (no plural s)",
}

# ISMP / FDA tall-man lettering for look-alike names [ISMP].
TALL_MAN: Final[dict[str, str]] = {
    "alprazolam": "ALPRAZolam",
    "chlordiazepoxide": "chlordiazePOXIDE",
    "chlorpromazine": "chlorproMAZINE",
    "clonazepam": "clonazePAM",
    "clonidine": "cloNIDine",
    "diazepam": "diazePAM",
    "diltiazem": "dilTIAZem",
    "hydroxyzine": "hydrOXYzine",
    "klonopin": "KlonoPIN",
    "lorazepam": "LORazepam",
    "trazodone": "traZODone",
}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_QUANTITY_RE: Final = re.compile(rf"^\s*(?P<num>{_NUMBER})\s*(?P<unit>.*?)\s*$")
_SPECIAL_RE: Final = re.compile(r"^\s*[+-]?(nan|inf|infinity)\b", re.IGNORECASE)
_MAX_DIGITS: Final = 15  # 10^15 of anything is a typo; Decimal's 28-digit context stays exact
_MAX_DECIMALS: Final = 6  # more decimals than this in what a person types is a typo, not a dose


def to_decimal(value: Decimal | int | str | float) -> Decimal:
    """Convert a number to an exact, finite Decimal (floats via their shortest repr).

    >>> to_decimal(0.1) + to_decimal(0.2)
    Decimal('0.3')
    """
    if type(value) is Decimal:  # the common case, already exact: no conversion needed
        result = value
    else:
        if isinstance(value, bool):
            raise QuantityError("a quantity must be a number, not true/false")
        try:
            result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation as exc:
            raise QuantityError(f"{value!r} is not a number") from exc
    if not result.is_finite():
        raise QuantityError(f"{value!r} is not a finite number")
    if result.adjusted() > _MAX_DIGITS:
        raise QuantityError(f"{value!r} is far too large to be an amount of drug")
    return result


def _normalise(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation."""
    if not value:
        return Decimal(0)
    normal = value.normalize()
    if normal.adjusted() <= 0:  # the exponent is at most the adjusted exponent: not above 0
        return normal
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


@dataclass(frozen=True, slots=True, order=True)
class Mass:
    """An amount of drug, exact, compared and added in mg; remembers the unit to show it in.

    >>> Mass.of_mg("0.5") == Mass(Decimal("500"), "mcg")
    True
    >>> fmt(Mass.of_mg(2) * 3)
    '6 mg'
    """

    value: Decimal = field(compare=False)
    unit: MassUnit = field(default="mg", compare=False)
    mg: Decimal = field(init=False, repr=False)

    def __post_init__(self) -> None:
        value = to_decimal(self.value)
        if self.unit not in _MG_PER:
            raise QuantityError(f"unknown mass unit {self.unit!r}; use mg, mcg or g")
        object.__setattr__(self, "value", value)
        # In mg already: _normalise rounds to the context precision as the product would.
        mg = value if self.unit == "mg" else value * _MG_PER[self.unit]
        object.__setattr__(self, "mg", _normalise(mg))

    @classmethod
    def of_mg(cls, value: Decimal | int | str | float) -> Mass:
        """A mass in mg."""
        # What __post_init__ does for mg, without converting and checking the value twice:
        # the planner makes hundreds of thousands of these.
        exact = to_decimal(value)
        mass = object.__new__(cls)
        object.__setattr__(mass, "value", exact)
        object.__setattr__(mass, "unit", "mg")
        object.__setattr__(mass, "mg", _normalise(exact))
        return mass

    @classmethod
    def zero(cls) -> Mass:
        """Nothing (0 mg)."""
        return cls.of_mg(Decimal(0))

    def in_unit(self, unit: MassUnit) -> Mass:
        """The same mass, to be shown in another unit."""
        return Mass(self.mg / _MG_PER[unit], unit)

    @property
    def mg_float(self) -> float:
        """The mass in mg as a float, for the numerical (PK) code only."""
        return float(self.mg)

    def __add__(self, other: Mass) -> Mass:
        return Mass.of_mg(self.mg + other.mg)

    def __sub__(self, other: Mass) -> Mass:
        return Mass.of_mg(self.mg - other.mg)

    def __mul__(self, factor: Decimal | int) -> Mass:
        return Mass.of_mg(self.mg * to_decimal(factor))

    __rmul__ = __mul__

    def __truediv__(self, other: Concentration) -> Volume:
        return Volume(self.mg / other.mg_per_ml)

    def ratio(self, other: Mass) -> Decimal:
        """Self / other as an exact Decimal (other must not be zero)."""
        if other.mg == 0:
            raise QuantityError("cannot divide by a zero dose")
        return self.mg / other.mg

    def __bool__(self) -> bool:
        return self.mg != 0


@dataclass(frozen=True, slots=True, order=True)
class Volume:
    """A liquid volume in mL.

    >>> fmt(Volume(Decimal("2.50")))
    '2.5 mL'
    """

    ml: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "ml", _normalise(to_decimal(self.ml)))

    def __mul__(self, conc: Concentration) -> Mass:
        return Mass.of_mg(self.ml * conc.mg_per_ml)


@dataclass(frozen=True, slots=True, order=True)
class Concentration:
    """A liquid's strength in mg/mL (shown in mcg/mL when entered so).

    >>> fmt(parse_concentration("0.1 mg/mL") * Volume(Decimal("0.1")))
    '0.01 mg'
    """

    mg_per_ml: Decimal
    unit: MassUnit = field(default="mg", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mg_per_ml", _normalise(to_decimal(self.mg_per_ml)))

    def __mul__(self, volume: Volume) -> Mass:
        return Mass.of_mg(self.mg_per_ml * volume.ml)


Quantity = Mass | Volume | Concentration


def fmt_number(value: Decimal | int | str | float) -> str:
    """A number by the ISMP rules: leading zero, no trailing zero, commas from 1,000.

    >>> fmt_number(Decimal("1.50")), fmt_number(".25"), fmt_number(5000), fmt_number(-0.5)
    ('1.5', '0.25', '5,000', '-0.5')
    """
    number = _normalise(to_decimal(value))
    # adjusted() >= 3 is abs(number) >= 1,000, the ISMP comma threshold.
    text = f"{number:,f}" if number.adjusted() >= 3 else f"{number:f}"  # noqa: PLR2004 -- ISMP
    return "0" if text in {"-0", "0"} else text


def fmt(quantity: Quantity, *, places: int | None = None) -> str:
    """Display any quantity by the ISMP rules; the one formatting function [ISMP].

    ``places`` rounds (half-even) before display, for computed values.

    >>> fmt(Mass.of_mg("1.0")), fmt(Mass(Decimal(250), "mcg")), fmt(Volume(Decimal("0.10")))
    ('1 mg', '250 mcg', '0.1 mL')
    >>> fmt(Mass.of_mg("0.333333"), places=3)
    '0.333 mg'
    """
    unit: str
    if isinstance(quantity, Mass):
        unit = quantity.unit
        # mg / 1 is mg itself (an exact division keeps the dividend's exponent).
        value = quantity.mg if unit == "mg" else quantity.mg / _MG_PER[unit]
    elif isinstance(quantity, Volume):
        value, unit = quantity.ml, "mL"
    else:
        value = quantity.mg_per_ml / _MG_PER[quantity.unit]
        unit = f"{quantity.unit}/mL"
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return f"{fmt_number(value)} {unit}"


def drug_label(name: str) -> str:
    """A drug name with ISMP tall-man lettering where it is confusable [ISMP].

    >>> drug_label("LORAZEPAM"), drug_label("zolpidem")
    ('LORazepam', 'zolpidem')
    """
    key = name.strip().lower()
    return TALL_MAN.get(key, key)


def _split(text: str) -> tuple[Decimal, str]:
    """Split what a person typed into an exact number and a unit string."""
    if not isinstance(text, str):
        raise QuantityError(f"expected text such as '0.5 mg', got {type(text).__name__}")
    if not text.strip():
        raise QuantityError("no quantity given: type a number and a unit, for example '0.5 mg'")
    if _SPECIAL_RE.match(text):
        raise QuantityError(f"{text.strip()!r} is not a finite number")
    if re.match(r"^\s*[+-]?\d*,\d", text):
        raise QuantityError(
            f"{text.strip()!r}: use a point as the decimal mark ('0.5 mg') and no thousands "
            "separator ('1000 mcg')"
        )
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise QuantityError(f"{text.strip()!r} does not start with a number; type e.g. '0.5 mg'")
    number, unit = Decimal(match["num"]), match["unit"].rstrip(".").strip()
    if unit[:1] in {"e", "E"} and unit[1:2].isdigit():
        raise QuantityError(f"{text.strip()!r}: write the number in full, not in exponent form")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _MAX_DECIMALS:
        raise QuantityError(f"{text.strip()!r} has more than {_MAX_DECIMALS} decimal places")
    return number, unit


def _unit_kind(unit: str, text: str) -> tuple[str, MassUnit | None]:
    """Classify a unit string as ('mass'|'volume'|'concentration', mass unit)."""
    key = unit.replace(" ", "")
    lower = key.lower()
    if not key:
        raise QuantityError(f"{text.strip()!r} has no unit: add mg, mcg or mL, e.g. '0.5 mg'")
    if lower in _ERROR_PRONE:
        raise QuantityError(f"{text.strip()!r}: {_ERROR_PRONE[lower]}")
    if "/" in key:
        num, _, den = key.partition("/")
        mass = _MASS_ALIASES.get(num) or _MASS_ALIASES.get(num.lower())
        if mass in {"mg", "mcg"} and den.lower() in _VOLUME_ALIASES:
            return "concentration", mass
    elif (mass := _MASS_ALIASES.get(key) or _MASS_ALIASES.get(lower)) is not None:
        return "mass", mass
    elif lower in _VOLUME_ALIASES:
        return "volume", None
    raise QuantityError(f"{text.strip()!r}: unknown unit {unit!r}; use mg, mcg, g, mL or mg/mL")


def parse_quantity(text: str) -> Quantity:
    """Parse '0.5 mg', '500 mcg', '500 ug', '.5mg', '2.5 mg/mL' or '1.5 mL'.

    Negative values are refused; zero is allowed here (see :func:`parse_dose`).

    >>> parse_quantity("2.5 mg/mL")
    Concentration(mg_per_ml=Decimal('2.5'), unit='mg')
    >>> parse_quantity("-1 mg")
    Traceback (most recent call last):
    ...
    taperline.errors.QuantityError: '-1 mg' is negative; a quantity must be zero or more
    """
    number, unit = _split(text)
    kind, mass_unit = _unit_kind(unit, text)
    if number < 0:
        raise QuantityError(f"{text.strip()!r} is negative; a quantity must be zero or more")
    if kind == "mass" and mass_unit is not None:
        return Mass(number, mass_unit)
    if kind == "volume":
        return Volume(number)
    unit_c: MassUnit = mass_unit or "mg"
    return Concentration(number * _MG_PER[unit_c], unit_c)


_Q = TypeVar("_Q", Mass, Volume, Concentration)


def _parse_kind(text: str, kind: type[_Q], what: str) -> _Q:
    quantity = parse_quantity(text)
    if not isinstance(quantity, kind):
        raise QuantityError(f"{text.strip()!r} is not {what}")
    return quantity


def parse_volume(text: str) -> Volume:
    """Parse a volume such as '1.5 mL'."""
    return _parse_kind(text, Volume, "a volume (for example '1.5 mL')")


def parse_concentration(text: str) -> Concentration:
    """Parse a concentration such as '0.1 mg/mL' or '100 mcg/mL'."""
    conc = _parse_kind(text, Concentration, "a concentration (for example '0.1 mg/mL')")
    if conc.mg_per_ml == 0:
        raise QuantityError(f"{text.strip()!r}: a concentration must be more than zero")
    return conc


def parse_dose(
    text: str,
    *,
    drug: str | None = None,
    min_plausible_mg: Decimal | None = None,
    max_plausible_mg: Decimal | None = None,
) -> Mass:
    """Parse a single dose: a mass above zero, plausible for the drug when limits are given.

    >>> fmt(parse_dose("0.5mg"))
    '0.5 mg'
    >>> parse_dose("50 mg", drug="clonazepam", max_plausible_mg=Decimal(4))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.ImplausibleDoseError: 50 mg of clonazePAM in one dose is implausible ...
    """
    dose = _parse_kind(text, Mass, "a dose: use mg or mcg, for example '0.5 mg'")
    if dose.mg == 0:
        raise QuantityError(f"{text.strip()!r}: a dose must be more than zero")
    check_plausible(dose, drug=drug, min_mg=min_plausible_mg, max_mg=max_plausible_mg)
    return dose


def check_plausible(
    dose: Mass, *, drug: str | None, min_mg: Decimal | None, max_mg: Decimal | None
) -> None:
    """Refuse a dose outside [min_mg, max_mg], with a hint about a mcg/mg mix-up.

    The hint is only given when what it says to type is itself plausible, and it is written
    as :func:`parse_dose` reads it (no thousands separator):

    >>> check_plausible(Mass.of_mg(1000), drug="clonazepam", min_mg=Decimal("0.01"),
    ...                 max_mg=Decimal(4))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.ImplausibleDoseError: ... If you meant 1,000 mcg (1 mg), type '1000 mcg'.
    """
    name = drug_label(drug) if drug else "this drug"
    if max_mg is not None and dose.mg > max_mg:
        hint = _hint(Mass(dose.value, "mcg"), dose, min_mg, max_mg)
        raise ImplausibleDoseError(
            f"{fmt(dose)} of {name} in one dose is implausible (more than "
            f"{fmt(Mass.of_mg(max_mg))}).{hint}"
        )
    if min_mg is not None and dose.mg < min_mg:
        hint = _hint(Mass(dose.value, "mg"), dose, min_mg, max_mg)
        raise ImplausibleDoseError(
            f"{fmt(dose)} of {name} is implausibly small (less than "
            f"{fmt(Mass.of_mg(min_mg))}).{hint}"
        )


def _hint(meant: Mass, typed: Mass, min_mg: Decimal | None, max_mg: Decimal | None) -> str:
    """The mcg/mg mix-up hint for ``typed``, or nothing when ``meant`` is implausible too.

    A hint must be input that is then accepted: ``meant`` within the limits, written as
    the parser reads it.
    """
    if typed.unit not in {"mg", "mcg"} or typed.unit == meant.unit:
        return ""
    if (min_mg is not None and meant.mg < min_mg) or (max_mg is not None and meant.mg > max_mg):
        return ""
    number = _normalise(meant.value)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > _MAX_DECIMALS:
        return ""
    typed_text = f"{number:f} {meant.unit}"  # as parse_dose reads it: no thousands separator
    shown = fmt(meant)
    if meant.unit == "mcg":
        shown = f"{shown} ({fmt(Mass.of_mg(meant.mg))})"
    return f" If you meant {shown}, type '{typed_text}'."
