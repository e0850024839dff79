"""Products a dose can be made of, and the solver that makes each dose from them.

A scheduled dose is a count of units of the products on hand:

* tablets whole, or in halves / quarters only where the tablet is scored for it;
* orally disintegrating tablets (ODT) and capsules (for example compounded) whole only;
* a liquid measured with an oral syringe in steps of its marks (0.1 mL of a 0.1 mg/mL
  suspension = 0.01 mg). Clonazepam barely dissolves in water, so such a liquid is a
  suspension: shake well, measure with an oral syringe [clinical-basis, Products].

:class:`DoseSolver` works out once per product set the cheapest way to make every amount
on the products' grid. Cost is (units, splits), compared in that order:

* a *unit* is one tablet, ODT or capsule touched (a half or a quarter counts 1), or one
  syringe measure of a liquid (1 however many mL);
* a *split* is one tablet broken along its score line(s).

>>> products = parse_products("tablet 0.5 mg scored, tablet 1 mg", drug="clonazepam", source="x")
>>> solver = DoseSolver(products, Mass.of_mg(4))
>>> solver.make(Mass.of_mg("1.75")).label
'1 × tablet 1 mg + 1.5 × tablet 0.5 mg (scored)'
>>> fmt(solver.nearest_at_or_below(Mass.of_mg("1.6")).total)
'1.5 mg'
"""  # noqa: RUF002 -- the multiplication sign is what the labels display

from __future__ import annotations

import functools
import math
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from typing import Final, Literal

from taperline.core.quantity import (
    Concentration,
    Mass,
    Volume,
    drug_label,
    fmt,
    fmt_number,
    parse_quantity,
    to_decimal,
)
from taperline.errors import InputError, QuantityError

__all__ = [
    "MAX_GRID_AMOUNTS",
    "PRODUCT_GRAMMAR",
    "Composition",
    "DoseSolver",
    "Product",
    "ProductForm",
    "UnitCount",
    "dose_solver",
    "parse_products",
    "scoring_conflicts",
    "suggest_finer_products",
]

ProductForm = Literal["tablet", "odt", "liquid", "capsule"]

#: The most amounts (grid points up to ``max_mg``) a :class:`DoseSolver` will tabulate.
MAX_GRID_AMOUNTS: Final = 200_000
_INF: Final = 1 << 62  # "cannot be made": above any reachable encoded cost
_TIMES: Final = "\u00d7"  # the multiplication sign of "1.5 × tablet"  # noqa: RUF003 -- shown on purpose
_DEFAULT_RESOLUTION: Final = Volume(Decimal("0.1"))  # a 1 mL oral syringe marked every 0.1 mL
_FINER_RESOLUTIONS: Final = (Decimal("0.05"), Decimal("0.01"))  # finer oral syringe markings, mL
_A_FORM: Final[dict[str, str]] = {
    "tablet": "a tablet",
    "odt": "an ODT",
    "capsule": "a capsule",
    "liquid": "a liquid",
}
_NICE_MANTISSAS: Final = (Decimal(5), Decimal("2.5"), Decimal(2), Decimal(1))
# Liquids known to make fine steps, per drug: clonazepam oral suspension 0.1 mg/mL,
# compounded (USP, beyond-use 60 days) [clinical-basis, Products].
_FINE_LIQUIDS: Final[dict[str, tuple[Decimal, str]]] = {
    "clonazepam": (Decimal("0.1"), "compounded, beyond-use 60 days"),
}


@dataclass(frozen=True, slots=True)
class Product:
    """One product a dose can be made from.

    * ``tablet``: ``strength`` per tablet; ``divisible_by`` is 1 (whole only), 2 (scored
      for halves) or 4 (scored for quarters).
    * ``odt``: orally disintegrating tablet, ``strength`` per tablet, whole only.
    * ``capsule``: ``strength`` per capsule (for example compounded), whole only.
    * ``liquid``: ``concentration`` and the measuring resolution ``resolution`` of the
      oral syringe; ``strength`` is the drug in one resolution step.

    ``drug`` (optional) names the drug, for instructions such as "shake well".

    >>> liquid = Product.liquid(
    ...     Concentration(Decimal("0.1")), Volume(Decimal("0.1")), source="LABEL"
    ... )
    >>> fmt(liquid.step)
    '0.01 mg'
    """

    form: ProductForm
    strength: Mass
    source: str
    divisible_by: int = 1
    concentration: Concentration | None = None
    resolution: Volume | None = None
    rxnorm: str | None = None
    compounded: bool = False
    suspension: bool = False
    drug: str | None = None

    def __post_init__(self) -> None:
        if self.strength.mg <= 0:
            raise InputError(f"a {self.form} must have a strength above zero")
        if self.divisible_by not in {1, 2, 4}:
            raise InputError(f"divisible_by must be 1, 2 or 4, got {self.divisible_by}")
        if self.form in {"odt", "capsule", "liquid"} and self.divisible_by != 1:
            raise InputError(f"a {self.form} cannot be split")
        if self.form == "liquid" and (self.concentration is None or self.resolution is None):
            raise InputError("a liquid needs a concentration and a syringe resolution")

    @classmethod
    def liquid(
        cls,
        concentration: Concentration,
        resolution: Volume,
        *,
        source: str,
        compounded: bool = True,
        suspension: bool = True,
        rxnorm: str | None = None,
        drug: str | None = None,
    ) -> Product:
        """A liquid measured with an oral syringe of the given resolution."""
        if resolution.ml <= 0:
            raise InputError("the syringe resolution must be above zero")
        return cls(
            form="liquid",
            strength=concentration * resolution,
            source=source,
            concentration=concentration,
            resolution=resolution,
            rxnorm=rxnorm,
            compounded=compounded,
            suspension=suspension,
            drug=drug,
        )

    @property
    def step(self) -> Mass:
        """The smallest amount this product delivers (a half, a quarter, a syringe step)."""
        return Mass.of_mg(self.strength.mg / Decimal(self.divisible_by))

    @property
    def label(self) -> str:
        """A short human label, e.g. 'tablet 0.5 mg (scored)' or 'liquid 0.1 mg/mL'."""
        if self.form == "liquid" and self.concentration is not None:
            kind = "suspension" if self.suspension else "solution"
            return f"oral {kind} {fmt(self.concentration)}"
        scoring = {1: "", 2: " (scored)", 4: " (quarter-scored)"}[self.divisible_by]
        name = {"tablet": "tablet", "odt": "ODT", "capsule": "capsule"}[self.form]
        compounded = "compounded " if self.compounded else ""
        return f"{compounded}{name} {fmt(self.strength)}{scoring}"


# --- unit counts and compositions ---------------------------------------------------------------


def _plain(value: Decimal) -> Decimal:
    """A Decimal without trailing zeros and without exponent notation (2.50 -> 2.5, 1E+1 -> 10)."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


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

    def to_json(self) -> dict[str, object]:
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

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict (floats as in :meth:`UnitCount.to_json`)."""
        return {
            "total_mg": float(self.total.mg),
            "unit_count": self.unit_count,
            "split_count": self.split_count,
            "units": [unit.to_json() for unit in self.units],
        }


# --- the solver ---------------------------------------------------------------------------------


def _grid(steps: Iterable[Decimal]) -> Decimal:
    """The greatest common divisor of exact decimal steps (0.5, 0.125 -> 0.125).

    >>> _grid([Decimal("0.5"), Decimal("0.3"), Decimal("0.125")])
    Decimal('0.025')
    """
    values = [_plain(step) for step in steps]
    places = max(-_exponent(value) for value in values)
    scale = Decimal(10) ** max(places, 0)
    divisor = math.gcd(*(int(value * scale) for value in values))
    return Decimal(divisor) / scale


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


@dataclass(frozen=True, slots=True, eq=False)
class _Layer:
    """A stage of the table: how many steps of ``size`` quanta a product adds at each amount."""

    product: Product
    size: int  # quanta per step
    piece: Decimal  # count (tablets or mL) per step
    back: list[int]  # steps chosen at each amount, after this stage


def _fraction_layer(product: Product, cost: list[int], step: int, base: int) -> _Layer:
    """Optionally one part-tablet (1 .. d-1 pieces): one unit and one split."""
    old, back, price = cost[:], [0] * len(cost), base + 1
    for pieces in range(1, product.divisible_by):
        offset = pieces * step
        for amount in range(offset, len(cost)):
            candidate = old[amount - offset] + price
            if candidate < cost[amount]:
                cost[amount], back[amount] = candidate, pieces
    return _Layer(product, step, Decimal(1) / product.divisible_by, back)


def _whole_layer(product: Product, cost: list[int], size: int, base: int) -> _Layer:
    """Any number of whole units, one unit each (unbounded knapsack, in place)."""
    back = [0] * len(cost)
    for amount in range(size, len(cost)):
        candidate = cost[amount - size] + base
        if candidate < cost[amount]:
            cost[amount], back[amount] = candidate, back[amount - size] + 1
    return _Layer(product, size, Decimal(1), back)


def _liquid_layer(  # noqa: PLR0917 -- internal; the table's parts, passed through once
    product: Product,
    cost: list[int],
    step: int,
    base: int,
    most: int,
    under: list[int] | None = None,
) -> _Layer:
    """Optionally one syringe measure of 1 .. ``most`` steps: one unit whatever the volume.

    The measure goes on top of ``under`` (the costs without any liquid) when given, else
    on top of the table so far. A sliding-window minimum over each residue class keeps
    this linear in the amounts.
    """
    old, back = (under if under is not None else cost[:]), [0] * len(cost)
    for residue in range(step):
        window: deque[int] = deque()  # earlier amounts, cheapest first; on a tie the nearest
        for amount in range(residue + step, len(cost), step):
            while window and old[window[-1]] >= old[amount - step]:
                window.pop()
            window.append(amount - step)
            while window[0] < amount - most * step:
                window.popleft()
            if old[window[0]] + base < cost[amount]:
                cost[amount] = old[window[0]] + base
                back[amount] = (amount - window[0]) // step
    resolution = product.resolution.ml if product.resolution is not None else Decimal(0)
    return _Layer(product, step, resolution, back)


def _most_steps(product: Product, max_measure: Volume | None, size: int) -> int:
    """Syringe steps one measure may hold (``max_measure``; any number when None)."""
    if max_measure is None or product.resolution is None:
        return size
    most = int(max_measure.ml // product.resolution.ml)
    if most < 1:
        raise InputError(
            f"a measure of at most {fmt(max_measure)} is less than one mark "
            f"({fmt(product.resolution)}) of the {product.label}"
        )
    return most


def _tabulate(
    products: Sequence[Product], size: int, quantum: Decimal, max_measure: Volume | None
) -> tuple[list[int], tuple[_Layer, ...]]:
    """Cheapest encoded cost (units * base + splits) of every amount 0 .. size quanta.

    With two or more liquids, the solids are tabulated first and each liquid is added on
    top of the solids alone, so no amount is made of two liquid concentrations.
    """
    cost = [_INF] * (size + 1)
    cost[0] = 0
    base = len(products) + 1  # splits never reach base, so the encoding is lexicographic
    liquids = [p for p in products if p.form == "liquid"]
    separate = len(liquids) > 1
    ordered = [p for p in products if p.form != "liquid"] + liquids if separate else products
    layers: list[_Layer] = []
    solids_only: list[int] | None = None
    for product in ordered:
        step = int(product.step.mg / quantum)
        if product.form == "liquid":
            most = _most_steps(product, max_measure, size)
            if separate:
                solids_only = solids_only if solids_only is not None else cost[:]
                layers.append(_liquid_layer(product, cost, step, base, most, solids_only))
            else:
                layers.append(_liquid_layer(product, cost, step, base, most))
            continue
        if product.divisible_by > 1:
            layers.append(_fraction_layer(product, cost, step, base))
        layers.append(_whole_layer(product, cost, step * product.divisible_by, base))
    return cost, tuple(layers)


def _largest_makeable(cost: list[int]) -> list[int]:
    """For each amount, the largest makeable amount above zero at or below it (-1: none)."""
    below, last = [-1] * len(cost), -1
    for amount in range(1, len(cost)):
        if cost[amount] < _INF:
            last = amount
        below[amount] = last
    return below


def _checked_products(products: Sequence[Product]) -> tuple[Product, ...]:
    unique = tuple(dict.fromkeys(products))
    if not unique:
        raise InputError(
            "no products given: a dose needs at least one tablet, ODT, liquid or capsule"
        )
    drugs = {product.drug for product in unique if product.drug}
    if len(drugs) > 1:
        raise InputError(f"the products are of different drugs ({', '.join(sorted(drugs))})")
    return unique


def _order_key(unit: UnitCount) -> tuple[bool, Decimal, str]:
    """Solids first, largest strength first; liquids last."""
    return unit.is_liquid, -unit.product.strength.mg, unit.product.form


class DoseSolver:
    """Makes doses from a product set: fewest units, then fewest splits.

    Built once per product set (a table over every amount up to ``max_mg`` on the grid
    of the products' steps); each query is then a look-up. Prefer :func:`dose_solver`,
    which reuses solvers.

    A liquid measure counts one unit whatever its volume, so with a liquid in the set
    every dose the liquid alone can make is made with the liquid alone (3 mg = 30 mL of
    0.1 mg/mL). ``max_measure`` caps one measure (for example the syringe, 10 mL): the
    rest then comes from the solids. None (the default) puts no cap.

    >>> tabs = parse_products(
    ...     "tablet 0.5 mg scored, tablet 1 mg, tablet 2 mg", drug="clonazepam", source="x"
    ... )
    >>> solver = DoseSolver(tabs, Mass.of_mg(4))
    >>> solver.make(Mass.of_mg(3)).label, solver.make(Mass.of_mg("0.25")).label
    ('1 × tablet 2 mg + 1 × tablet 1 mg', '0.5 × tablet 0.5 mg (scored)')
    >>> solver.make(Mass.of_mg("0.3")) is None
    True
    >>> mixed = (*tabs, *parse_products("liquid 0.1 mg/mL", drug="clonazepam", source="x"))
    >>> capped = DoseSolver(mixed, Mass.of_mg(4), max_measure=Volume(Decimal(5)))
    >>> capped.make(Mass.of_mg("2.37")).label
    '1 × tablet 2 mg + 3.7 mL of oral suspension 0.1 mg/mL'
    """  # noqa: RUF002 -- the multiplication sign is what labels display

    __slots__ = ("_below", "_cost", "_layers", "max_measure", "max_mg", "products", "quantum")

    def __init__(
        self, products: Sequence[Product], max_mg: Mass, *, max_measure: Volume | None = None
    ) -> None:
        self.products = _checked_products(products)
        self.max_mg = max_mg
        self.quantum = Mass.of_mg(_grid(product.step.mg for product in self.products))
        size = self._grid_size(max_mg)
        self.max_measure = max_measure
        self._cost, self._layers = _tabulate(self.products, size, self.quantum.mg, max_measure)
        self._below = _largest_makeable(self._cost)

    def _grid_size(self, max_mg: Mass) -> int:
        smallest = min(product.step for product in self.products)
        if max_mg < smallest:
            raise InputError(
                f"nothing can be made up to {fmt(max_mg)}: the smallest step of these "
                f"products is {fmt(smallest)}"
            )
        size = int(max_mg.mg // self.quantum.mg)
        if size > MAX_GRID_AMOUNTS:
            raise InputError(
                f"these products make doses in steps of {fmt(self.quantum)}: up to "
                f"{fmt(max_mg)} that is {fmt_number(size)} amounts, more than "
                f"{fmt_number(MAX_GRID_AMOUNTS)}; drop a product with an odd strength or "
                "lower the maximum"
            )
        return size

    def _index(self, dose: Mass) -> Decimal:
        """The dose in quanta (maybe fractional); refuses doses outside 0 .. max_mg."""
        if dose.mg < 0:
            raise QuantityError(f"{fmt(dose)} is negative; a dose must be zero or more")
        if dose > self.max_mg:
            raise QuantityError(
                f"{fmt(dose)} is above {fmt(self.max_mg)}, the most this solver was built for"
            )
        return dose.mg / self.quantum.mg

    def _compose(self, index: int) -> Composition:
        counts: dict[Product, Decimal] = {}
        liquid = False
        for layer in reversed(self._layers):
            if liquid and layer.product.form == "liquid":
                continue  # one liquid per dose: the others were built on the solids alone
            steps = layer.back[index]
            if steps:
                liquid = liquid or layer.product.form == "liquid"
                counts[layer.product] = counts.get(layer.product, Decimal(0)) + steps * layer.piece
                index -= steps * layer.size
        units = (UnitCount(product, count) for product, count in counts.items())
        return Composition(tuple(sorted(units, key=_order_key)))

    def make(self, dose: Mass) -> Composition | None:
        """The cheapest composition of exactly ``dose``, or None if it cannot be made.

        Zero gives the empty composition ("no dose").

        >>> odts = parse_products("odt 0.25 mg", drug="clonazepam", source="x")
        >>> solver = dose_solver(odts, Mass.of_mg(1))
        >>> solver.make(Mass.of_mg("0.75")).label, solver.make(Mass.of_mg("0.1"))
        ('3 × ODT 0.25 mg', None)
        """  # noqa: RUF002 -- the multiplication sign is what labels display
        index = self._index(dose)
        if index % 1 or self._cost[int(index)] >= _INF:
            return None
        return self._compose(int(index))

    def can_make(self, dose: Mass) -> bool:
        """Whether ``dose`` can be made exactly.

        >>> tabs = parse_products("tablet 1 mg", drug="clonazepam", source="x")
        >>> dose_solver(tabs, Mass.of_mg(2)).can_make(Mass.of_mg("0.5"))
        False
        """
        return self.make(dose) is not None

    def nearest_at_or_below(self, dose: Mass, *, floor: Mass | None = None) -> Composition | None:
        """The largest makeable amount above zero with ``floor`` <= amount <= ``dose``.

        Never returns more than ``dose``, never less than ``floor`` (for example the
        lowest dose a cut cap allows), and never "no dose": stopping is a decision for
        the planner, not a rounding. None if nothing fits.

        >>> tabs = parse_products("tablet 0.5 mg scored", drug="clonazepam", source="x")
        >>> solver = dose_solver(tabs, Mass.of_mg(2))
        >>> fmt(solver.nearest_at_or_below(Mass.of_mg("0.9")).total)
        '0.75 mg'
        >>> solver.nearest_at_or_below(Mass.of_mg("0.9"), floor=Mass.of_mg("0.8")) is None
        True
        """
        found = self._below[int(self._index(dose))]
        if found < 0 or (floor is not None and found * self.quantum.mg < floor.mg):
            return None
        return self._compose(found)

    def smallest_positive(self) -> Composition:
        """The smallest dose above zero these products make.

        >>> tabs = parse_products("tablet 0.5 mg /4", drug="clonazepam", source="x")
        >>> dose_solver(tabs, Mass.of_mg(1)).smallest_positive().label
        '0.25 × tablet 0.5 mg (quarter-scored)'
        """  # noqa: RUF002 -- the multiplication sign is what labels display
        first = next(index for index in range(1, len(self._cost)) if self._cost[index] < _INF)
        return self._compose(first)

    def makeable_amounts(self) -> tuple[Mass, ...]:
        """Every makeable amount above zero up to ``max_mg``, ascending.

        >>> tabs = parse_products("tablet 1 mg", drug="clonazepam", source="x")
        >>> [fmt(m) for m in dose_solver(tabs, Mass.of_mg(2)).makeable_amounts()]
        ['1 mg', '2 mg']
        """
        quantum = self.quantum.mg
        return tuple(
            Mass.of_mg(index * quantum)
            for index in range(1, len(self._cost))
            if self._cost[index] < _INF
        )


@functools.lru_cache(maxsize=64)
def _cached_solver(
    products: tuple[Product, ...], max_mg: Mass, max_measure: Volume | None
) -> DoseSolver:
    return DoseSolver(products, max_mg, max_measure=max_measure)


def dose_solver(
    products: Sequence[Product], max_mg: Mass, *, max_measure: Volume | None = None
) -> DoseSolver:
    """A :class:`DoseSolver`, reused for the same products and maximum (solvers never change).

    >>> tabs = parse_products("tablet 1 mg", drug="clonazepam", source="x")
    >>> dose_solver(tabs, Mass.of_mg(2)) is dose_solver(list(tabs), Mass.of_mg(2))
    True
    """
    return _cached_solver(tuple(products), max_mg, max_measure)


def scoring_conflicts(products: Iterable[Product], known: Iterable[Product]) -> tuple[str, ...]:
    """Warnings for tablets listed with a scoring the catalogue's same tablet does not have.

    US clonazepam 1 mg and 2 mg tablets are not scored [LABEL]: a half of one is not a dose.

    >>> known = parse_products("tablet 1 mg unscored", drug="clonazepam", source="LABEL")
    >>> listed = parse_products("tablet 1 mg /2", drug="clonazepam", source="prescriber")
    >>> print(*scoring_conflicts(listed, known))  # doctest: +ELLIPSIS
    tablet 1 mg is listed as scored for halves, but the catalogue's 1 mg tablet is not scored ...
    """
    catalogue = [k for k in known if k.form == "tablet"]
    found = []
    for product in products:
        match = next(
            (k for k in catalogue if product.form == "tablet" and k.strength == product.strength),
            None,
        )
        if match is None or match.divisible_by == product.divisible_by:
            continue
        strength = fmt(product.strength)
        advice = (
            "split a tablet only along a score line it really has (check the tablet, or ask "
            "the pharmacist)"
            if product.divisible_by > match.divisible_by
            else "if yours has the score line, listing it as scored allows smaller steps"
        )
        found.append(
            f"tablet {strength} is listed as {_SCORE_WORDS[product.divisible_by]}, but the "
            f"catalogue's {strength} tablet is {_SCORE_WORDS[match.divisible_by]} "
            f"[{match.source}]: {advice}"
        )
    return tuple(found)


_SCORE_WORDS: Final[dict[int, str]] = {
    1: "not scored",
    2: "scored for halves",
    4: "scored for quarters",
}


# --- advice when the products are too coarse ----------------------------------------------------


def _nice_below(value: Decimal) -> Decimal:
    """The largest of 1, 2, 2.5, 5 x 10^k at or below ``value`` (0.0375 -> 0.025).

    >>> _nice_below(Decimal("0.0375")), _nice_below(Decimal("0.2")), _nice_below(Decimal("7"))
    (Decimal('0.025'), Decimal('0.2'), Decimal('5'))
    """
    power = Decimal(10) ** value.adjusted()
    mantissa = next(m for m in _NICE_MANTISSAS if m * power <= value)
    return _plain(mantissa * power)


def _shortfall(grid: Decimal | None, needed: Mass, name: str) -> str:
    if grid is None:
        return f"No {name} products are listed, so a cut of {fmt(needed)} cannot be made."
    return (
        f"The {name} products on hand change a dose only in steps of {fmt(Mass.of_mg(grid))}, "
        f"so a cut of {fmt(needed)} cannot be made exactly."
    )


def _finer_syringe(current: Sequence[Product], needed: Mass) -> list[str]:
    """A finer syringe for a liquid already on hand, where one would make the cut."""
    lines = []
    for product in current:
        if product.concentration is None or product.resolution is None:
            continue
        conc = product.concentration
        finer = [r for r in _FINER_RESOLUTIONS if r < product.resolution.ml]
        fits = [r for r in finer if conc.mg_per_ml * r <= needed.mg]
        if fits:
            volume = Volume(fits[0])
            lines.append(
                f"Measure the {product.label} with a finer oral syringe (marks every "
                f"{fmt(volume)}): it changes a dose in steps of {fmt(conc * volume)}."
            )
    return lines


def _liquid_advice(current: Sequence[Product], needed: Mass, drug: str) -> list[str]:
    name = drug_label(drug)
    known = _FINE_LIQUIDS.get(drug.strip().lower())
    have = {p.concentration.mg_per_ml for p in current if p.concentration is not None}
    resolution = _DEFAULT_RESOLUTION
    if known is not None and known[0] * resolution.ml <= needed.mg:
        if known[0] in have:
            return []
        conc = Concentration(known[0])
        return [
            f"Ask for {name} oral suspension {fmt(conc)} ({known[1]}), measured with an oral "
            f"syringe marked every {fmt(resolution)}: it changes a dose in steps of "
            f"{fmt(conc * resolution)}. Shake well: {name} is a suspension, not a solution."
        ]
    conc = Concentration(_nice_below(needed.mg / resolution.ml))
    return [
        f"Ask the pharmacist for an oral liquid of {name} at {fmt(conc)} or weaker, measured "
        f"with an oral syringe marked every {fmt(resolution)}: it changes a dose in steps of "
        f"{fmt(conc * resolution)}. If it is a suspension, shake it well before each dose."
    ]


def _capsule_advice(grid: Decimal | None, needed: Mass, name: str) -> str:
    strength = _nice_below(needed.mg)
    finest = strength if grid is None else _grid([grid, strength])
    return (
        f"Or ask a compounding pharmacy for {name} capsules of {fmt(Mass.of_mg(strength))}: "
        f"with them a dose can change in steps of {fmt(Mass.of_mg(finest))}."
    )


def suggest_finer_products(
    current: Sequence[Product], needed_step: Mass, drug: str
) -> tuple[str, ...]:
    """Plain advice when a cut is finer than the products allow; () when they allow it.

    Proposes a liquid (or a finer syringe for one on hand) and a compounded capsule
    strength, and says not to take bigger cuts instead.

    >>> tabs = parse_products("tablet 0.5 mg scored", drug="clonazepam", source="LABEL")
    >>> advice = suggest_finer_products(tabs, Mass.of_mg("0.05"), "clonazepam")
    >>> for line in advice:
    ...     print(line[:61])
    The clonazePAM products on hand change a dose only in steps o
    Ask for clonazePAM oral suspension 0.1 mg/mL (compounded, bey
    Or ask a compounding pharmacy for clonazePAM capsules of 0.05
    Do not take bigger cuts instead: keep the planned pace and as
    >>> suggest_finer_products(tabs, Mass.of_mg("0.5"), "clonazepam")
    ()
    """
    if needed_step.mg <= 0:
        raise QuantityError(f"a cut must be above zero, got {fmt(needed_step)}")
    grid = _grid(p.step.mg for p in current) if current else None
    if grid is not None and needed_step.mg % grid == 0:
        return ()
    name = drug_label(drug)
    return (
        _shortfall(grid, needed_step, name),
        *_finer_syringe(current, needed_step),
        *_liquid_advice(current, needed_step, drug),
        _capsule_advice(grid, needed_step, name),
        "Do not take bigger cuts instead: keep the planned pace and ask the prescriber and "
        "pharmacist which of these to use.",
    )


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
