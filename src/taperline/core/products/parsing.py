"""Parsing the products people type, such as "tablet 0.5 mg scored": :func:`parse_products`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from taperline.core.products.model import _A_FORM, _DEFAULT_RESOLUTION, Product, ProductForm
from taperline.core.quantity import Concentration, Mass, Volume, parse_quantity
from taperline.errors import InputError, QuantityError

# --- parsing what people type -------------------------------------------------------------------

PRODUCT_GRAMMAR: Final = (
    "Write products separated by commas, each one of:\n"
    "  tablet STRENGTH [scored | quarter-scored | unscored | /2 | /4]  ('tablet 0.5 mg scored')\n"
    "  odt STRENGTH  ('odt 0.125 mg')\n"
    "  capsule STRENGTH  ('capsule 0.075 mg')\n"
    "  liquid | suspension | solution CONCENTRATION [@ SYRINGE-MARKS]  "
    "('liquid 0.1 mg/mL @ 0.1 mL'; marks default to 0.1 mL)"
)

_FORMS: Final[dict[str, tuple[ProductForm, bool | None]]] = {
    # word -> (form, suspension: True/False as stated, None when the word does not say)
    "tablet": ("tablet", None),
    "tab": ("tablet", None),
    "odt": ("odt", None),
    "capsule": ("capsule", None),
    "cap": ("capsule", None),
    "liquid": ("liquid", None),
    "suspension": ("liquid", True),
    "solution": ("liquid", False),
}
_SCORING: Final[dict[str, int]] = {"scored": 2, "quarter-scored": 4, "unscored": 1}
_ITEM_RE: Final = re.compile(r"^\s*(?P<form>[A-Za-z-]+)\b\s*(?P<rest>.*?)\s*$")
_SCORING_RE: Final = re.compile(
    r"^(?P<amount>.*?)\s*(?:(?<![A-Za-z-])(?P<word>quarter-scored|unscored|scored)|/\s*(?P<div>\d+))$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Item:
    """One product as typed, for error messages."""

    number: int
    text: str

    def error(self, problem: str, kind: type[InputError] = InputError) -> InputError:
        return kind(f"product {self.number} ({self.text.strip()!r}): {problem}.\n{PRODUCT_GRAMMAR}")


def _parsed(item: _Item, text: str) -> Mass | Volume | Concentration:
    try:
        return parse_quantity(text)
    except QuantityError as exc:
        raise item.error(str(exc), QuantityError) from exc


def _positive(item: _Item, text: str, value: Decimal) -> None:
    if value <= 0:
        raise item.error(f"{text.strip()!r} must be above zero", QuantityError)


def _strength(item: _Item, text: str) -> Mass:
    value = _parsed(item, text)
    if not isinstance(value, Mass):
        raise item.error(f"{text.strip()!r} is not a strength such as '0.5 mg'", QuantityError)
    _positive(item, text, value.mg)
    return value


def _concentration(item: _Item, text: str) -> Concentration:
    value = _parsed(item, text)
    if not isinstance(value, Concentration):
        raise item.error(
            f"{text.strip()!r} is not a concentration such as '0.1 mg/mL'", QuantityError
        )
    _positive(item, text, value.mg_per_ml)
    return value


def _resolution(item: _Item, text: str) -> Volume:
    value = _parsed(item, text)
    if not isinstance(value, Volume):
        raise item.error(
            f"{text.strip()!r} is not a syringe resolution such as '0.1 mL'", QuantityError
        )
    _positive(item, text, value.ml)
    return value


def _scoring(item: _Item, form: ProductForm, rest: str) -> tuple[str, int | None]:
    """Split 'STRENGTH [scoring]' into the strength text and divisible_by (None: not stated)."""
    match = _SCORING_RE.match(rest)
    if match is None:
        return rest, None
    if form != "tablet":
        raise item.error(f"{_A_FORM[form]} is taken whole: remove the scoring")
    if match["word"]:
        return match["amount"], _SCORING[match["word"].lower()]
    if match["div"] not in {"2", "4"}:
        raise item.error(f"'/{match['div']}': tablets split only into halves (/2) or quarters (/4)")
    return match["amount"], int(match["div"])


def _solid(item: _Item, form: ProductForm, rest: str, context: _Context) -> Product:
    amount, divisible = _scoring(item, form, rest)
    strength = _strength(item, amount)
    match = next((k for k in context.known if k.form == form and k.strength == strength), None)
    if match is not None and divisible in {None, match.divisible_by}:
        return replace(match, drug=match.drug or context.drug)
    return Product(
        form=form,
        strength=strength,
        source=context.source,
        divisible_by=divisible or 1,
        compounded=match.compounded if match else context.custom or form == "capsule",
        drug=context.drug,
    )


def _liquid(item: _Item, rest: str, context: _Context, *, suspension: bool | None) -> Product:
    if _SCORING_RE.match(rest) and "@" not in rest:
        raise item.error("a liquid is measured, not split: remove the scoring")
    conc_text, _, volume_text = rest.partition("@")
    conc = _concentration(item, conc_text)
    volume = _resolution(item, volume_text) if "@" in rest else _DEFAULT_RESOLUTION
    match = next((k for k in context.known if k.concentration == conc), None)
    return Product.liquid(
        conc,
        volume,
        source=match.source if match else context.source,
        compounded=match.compounded if match else True,
        suspension=suspension if suspension is not None else (match.suspension if match else True),
        rxnorm=match.rxnorm if match else None,
        drug=context.drug,
    )


@dataclass(frozen=True, slots=True)
class _Context:
    drug: str
    source: str
    known: tuple[Product, ...]
    custom: bool  # whether a strength not in ``known`` is compounded


def _parse_item(item: _Item, context: _Context) -> Product:
    if not item.text.strip():
        raise item.error("empty: remove the extra comma or add a product")
    match = _ITEM_RE.match(item.text)
    if match is None:
        raise item.error("start with a form (tablet, odt, capsule or liquid), then the strength")
    word = match["form"].lower()
    if word not in _FORMS:
        raise item.error(f"unknown form {match['form']!r}; use tablet, odt, capsule or liquid")
    if not match["rest"]:
        raise item.error("no strength given")
    form, suspension = _FORMS[word]
    if form == "liquid":
        return _liquid(item, match["rest"], context, suspension=suspension)
    return _solid(item, form, match["rest"], context)


def parse_products(
    text: str, *, drug: str, source: str, known: Sequence[Product] | None = None
) -> tuple[Product, ...]:
    """Parse a product list as people type it (see :data:`PRODUCT_GRAMMAR`).

    Grammar: items separated by commas; each is a form and a strength:

    * ``tablet STRENGTH [scored | quarter-scored | unscored | /2 | /4]`` ("tab" too);
    * ``odt STRENGTH`` and ``capsule STRENGTH`` ("cap" too): whole only;
    * ``liquid | suspension | solution CONCENTRATION [@ VOLUME]``: VOLUME is the oral
      syringe's marks (default 0.1 mL); "liquid" and "suspension" are suspensions
      (shake well), "solution" is not.

    ``known`` are the catalogue products of the drug: an item with a known form and
    strength (or concentration) is that product (its scoring unless stated, its source
    and RxNorm code); any other strength is compounded and cites ``source``. Without
    ``known``, tablets and ODTs are taken as commercial, capsules and liquids as compounded.

    >>> from taperline.core.quantity import fmt
    >>> for product in parse_products(
    ...     "tablet 0.5 mg /2, odt 0.125 mg, liquid 0.1 mg/mL @ 0.05 mL, capsule 0.075 mg",
    ...     drug="clonazepam",
    ...     source="user",
    ... ):
    ...     print(product.label, fmt(product.step))
    tablet 0.5 mg (scored) 0.25 mg
    ODT 0.125 mg 0.125 mg
    oral suspension 0.1 mg/mL 0.005 mg
    compounded capsule 0.075 mg 0.075 mg
    >>> parse_products("tablet 0.5 mg /3", drug="clonazepam", source="user")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: product 1 ('tablet 0.5 mg /3'): '/3': tablets split only ...
    """
    if not text.strip():
        raise InputError(f"no products given.\n{PRODUCT_GRAMMAR}")
    context = _Context(drug.strip().lower(), source, tuple(known or ()), custom=known is not None)
    products: dict[Product, int] = {}
    for number, part in enumerate(text.split(","), start=1):
        item = _Item(number, part)
        product = _parse_item(item, context)
        if product in products:
            raise item.error(f"the same product as product {products[product]}")
        products[product] = number
    return tuple(products)
