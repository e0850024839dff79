"""A dose made of products: :class:`UnitCount` (units of one product) and :class:`Composition`.

Apart from :mod:`taperline.core.products.model` (which still gives both names, imported on
first use): the catalogue makes :class:`~taperline.core.products.model.Product` values for
every command that reads it, ``taperline learn`` among them, and only a plan makes doses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING, Final

from taperline.core.products.model import _A_FORM, Product, _plain
from taperline.core.quantity import Mass, Volume, drug_label, fmt, fmt_number, to_decimal
from taperline.errors import QuantityError

if TYPE_CHECKING:
    from taperline.core.products.documents import CompositionOut, UnitCountOut

__all__ = ["Composition", "UnitCount"]

_TIMES: Final = "\u00d7"  # the multiplication sign of "1.5 × tablet"  # noqa: RUF003 -- shown on purpose


def _check_count(product: Product, count: Decimal) -> None:
    """Refuse a count the product cannot deliver (a split ODT, a half of an unscored tablet ...)."""
    if product.form == "liquid" and product.resolution is not None:
        if count % product.resolution.ml:
            raise QuantityError(
                f"{fmt(Volume(count))} of {product.label} cannot be measured with a syringe "
                f"marked every {fmt(product.resolution)}"
            )
        return
    if (count * product.divisible_by) % 1 == 0:
        return
    if product.form != "tablet":
        raise QuantityError(
            f"{fmt_number(count)} {_TIMES} {product.label}: {_A_FORM[product.form]} is whole only"
        )
    allowed = {1: "whole tablets only", 2: "halves at most", 4: "quarters at most"}
    raise QuantityError(
        f"{fmt_number(count)} {_TIMES} {product.label}: its score lines allow "
        f"{allowed[product.divisible_by]}"
    )


@dataclass(frozen=True, slots=True)
class UnitCount:
    """An amount of one product: whole or split units of a solid, or mL of a liquid.

    ``count`` is in tablets/ODTs/capsules (1, 0.5, 1.5 ... as the scoring allows) for a
    solid and in mL (a multiple of the syringe resolution) for a liquid.

    >>> tablet = Product("tablet", Mass.of_mg("0.5"), "LABEL", divisible_by=2)
    >>> half = UnitCount(tablet, Decimal("1.5"))
    >>> half.label, fmt(half.amount), half.units, half.splits
    ('1.5 × tablet 0.5 mg (scored)', '0.75 mg', 2, 1)
    """  # noqa: RUF002 -- the multiplication sign is what labels display

    product: Product
    count: Decimal

    def __post_init__(self) -> None:
        count = _plain(to_decimal(self.count))
        if count <= 0:
            raise QuantityError(f"a count of {self.product.label} must be above zero")
        _check_count(self.product, count)
        object.__setattr__(self, "count", count)

    @property
    def is_liquid(self) -> bool:
        """Whether the count is a volume in mL."""
        return self.product.form == "liquid"

    @property
    def amount(self) -> Mass:
        """The drug delivered."""
        conc = self.product.concentration
        if self.is_liquid and conc is not None:
            return conc * Volume(self.count)
        return self.product.strength * self.count

    @property
    def units(self) -> int:
        """Tablets/capsules touched (a half counts 1); a syringe measure counts 1."""
        return 1 if self.is_liquid else int(self.count.to_integral_value(rounding=ROUND_CEILING))

    @property
    def splits(self) -> int:
        """Tablets broken along a score line: 1 if the count has a fraction, else 0."""
        return 0 if self.is_liquid or self.count % 1 == 0 else 1

    @property
    def label(self) -> str:
        """'1.5 × tablet 0.5 mg (scored)' or '2.3 mL of oral suspension 0.1 mg/mL'."""  # noqa: RUF002 -- the sign is displayed
        if self.is_liquid:
            return f"{fmt(Volume(self.count))} of {self.product.label}"
        return f"{fmt_number(self.count)} {_TIMES} {self.product.label}"

    @property
    def instructions(self) -> tuple[str, ...]:
        """How to take this part of the dose, one line each."""
        product = self.product
        if self.is_liquid and product.resolution is not None:
            measure = (
                f"Measure with an oral syringe: {self.label} "
                f"(marks every {fmt(product.resolution)})."
            )
            return (_shake_line(product), measure) if product.suspension else (measure,)
        if product.form == "odt":
            return (f"Take {self.label}: let it dissolve on the tongue; do not split it.",)
        if self.splits:
            quarters = (self.count * 2) % 1 != 0
            how = "into quarters along its score lines" if quarters else "along its score line"
            return (f"Take {self.label}: break one tablet {how}.",)
        return (f"Take {self.label}.",)

    def to_json(self) -> UnitCountOut:
        """A JSON-ready dict; numbers are floats (their shortest repr is the exact decimal).

        ``count`` is in ``count_unit`` ("tablet", "ODT", "capsule" or "mL").

        >>> capsule = Product("capsule", Mass.of_mg("0.075"), "x")
        >>> UnitCount(capsule, Decimal(2)).to_json()["amount_mg"]
        0.15
        """
        units = {"tablet": "tablet", "odt": "ODT", "capsule": "capsule", "liquid": "mL"}
        return {
            "product": self.product.label,
            "form": self.product.form,
            "count": float(self.count),
            "count_unit": units[self.product.form],
            "amount_mg": float(self.amount.mg),
            "splits": self.splits,
        }


def _shake_line(product: Product) -> str:
    name = drug_label(product.drug) if product.drug else "this liquid"
    return f"Shake well: {name} is a suspension, not a solution."


@dataclass(frozen=True, slots=True)
class Composition:
    """One dose made of products: the parts, the total and how to take it.

    An empty composition is "no dose" (0 mg).

    >>> tab = Product("tablet", Mass.of_mg(1), "LABEL")
    >>> dose = Composition((UnitCount(tab, Decimal(2)),))
    >>> fmt(dose.total), dose.unit_count, dose.split_count, dose.instructions
    ('2 mg', 2, 0, ('Take 2 × tablet 1 mg.', 'Total dose: 2 mg.'))
    """  # noqa: RUF002 -- the multiplication sign is what labels display

    units: tuple[UnitCount, ...] = field(default=())

    def __post_init__(self) -> None:
        products = [unit.product for unit in self.units]
        if len(set(products)) != len(products):
            raise QuantityError("a composition lists the same product twice; add the counts")
        if sum(unit.is_liquid for unit in self.units) > 1:
            raise QuantityError(
                "a dose may not mix two liquid concentrations in one measure (a 4- to 25-fold "
                "measuring mix-up): make it with one liquid"
            )

    @property
    def total(self) -> Mass:
        """The whole dose."""
        return Mass.of_mg(sum((unit.amount.mg for unit in self.units), Decimal(0)))

    @property
    def unit_count(self) -> int:
        """Units touched (see :attr:`UnitCount.units`)."""
        return sum(unit.units for unit in self.units)

    @property
    def split_count(self) -> int:
        """Tablets broken along a score line."""
        return sum(unit.splits for unit in self.units)

    @property
    def cost(self) -> tuple[int, int]:
        """(units, splits): what the solver minimises, in this order."""
        return self.unit_count, self.split_count

    @property
    def label(self) -> str:
        """The parts joined by ' + ', or 'no dose'."""
        return " + ".join(unit.label for unit in self.units) or "no dose"

    @property
    def instructions(self) -> tuple[str, ...]:
        """Human lines: each part, shake-well and syringe lines for liquids, then the total."""
        if not self.units:
            return ("No dose.",)
        lines = [line for unit in self.units for line in unit.instructions]
        lines.append(f"Total dose: {fmt(self.total)}.")
        return tuple(dict.fromkeys(lines))

    def to_json(self) -> CompositionOut:
        """A JSON-ready dict (floats as in :meth:`UnitCount.to_json`)."""
        return {
            "total_mg": float(self.total.mg),
            "unit_count": self.unit_count,
            "split_count": self.split_count,
            "units": [unit.to_json() for unit in self.units],
        }
