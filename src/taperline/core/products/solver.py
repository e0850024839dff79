"""The solver that makes each dose from the products on hand: :class:`DoseSolver`.

It works out once per product set the cheapest way to make every amount on the products'
grid; :func:`dose_solver` reuses a solver for the same products and maximum.
"""

from __future__ import annotations

import functools
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from taperline.core.products.composition import Composition, UnitCount
from taperline.core.products.model import Product, _plain
from taperline.core.products.parsing import parse_products  # noqa: F401 -- used by the doctests
from taperline.core.quantity import Mass, Volume, fmt, fmt_number
from taperline.errors import InputError, QuantityError

#: The most amounts (grid points up to ``max_mg``) a :class:`DoseSolver` will tabulate.
MAX_GRID_AMOUNTS: Final = 200_000
_INF: Final = 1 << 62  # "cannot be made": above any reachable encoded cost


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

    __slots__ = (
        "_below",
        "_cost",
        "_layers",
        "_made",
        "max_measure",
        "max_mg",
        "products",
        "quantum",
    )

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
        # Compositions already made, by grid index: a planner asks for the same few amounts
        # many times, and a composition is frozen, so one is shared (the table never changes).
        self._made: dict[int, Composition] = {}

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
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._composed(index)
        return made

    def _composed(self, index: int) -> Composition:
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
