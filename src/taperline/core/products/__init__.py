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

The package: :mod:`~taperline.core.products.model` (:class:`Product`, :class:`UnitCount`,
:class:`Composition`), :mod:`~taperline.core.products.solver` (:class:`DoseSolver`),
:mod:`~taperline.core.products.advice` (:func:`suggest_finer_products`) and
:mod:`~taperline.core.products.parsing` (:func:`parse_products`).

>>> from taperline.core.quantity import Mass, fmt
>>> products = parse_products("tablet 0.5 mg scored, tablet 1 mg", drug="clonazepam", source="x")
>>> solver = DoseSolver(products, Mass.of_mg(4))
>>> solver.make(Mass.of_mg("1.75")).label
'1 × tablet 1 mg + 1.5 × tablet 0.5 mg (scored)'
>>> fmt(solver.nearest_at_or_below(Mass.of_mg("1.6")).total)
'1.5 mg'
"""  # noqa: RUF002 -- the multiplication sign is what the labels display

from __future__ import annotations

from taperline.core.products.advice import suggest_finer_products
from taperline.core.products.model import Composition, Product, ProductForm, UnitCount
from taperline.core.products.parsing import PRODUCT_GRAMMAR, parse_products
from taperline.core.products.solver import (
    MAX_GRID_AMOUNTS,
    DoseSolver,
    dose_solver,
    scoring_conflicts,
)
from taperline.core.products.solver import _cached_solver as _cached_solver  # the bench clears it

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
