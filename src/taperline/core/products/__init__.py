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

The package: :mod:`~taperline.core.products.model` (:class:`Product`),
:mod:`~taperline.core.products.composition` (:class:`UnitCount`, :class:`Composition`),
:mod:`~taperline.core.products.solver` (:class:`DoseSolver`),
:mod:`~taperline.core.products.advice` (:func:`suggest_finer_products`) and
:mod:`~taperline.core.products.parsing` (:func:`parse_products`).

Each name is imported from its module on first use (PEP 562,
:func:`taperline.core.lazy.lazy_names`): the catalogue makes :class:`Product` values for every
command that reads it (``taperline learn`` among them), and only a plan needs the solver.

>>> from taperline.core.products import DoseSolver, parse_products
>>> from taperline.core.quantity import Mass, fmt
>>> products = parse_products("tablet 0.5 mg scored, tablet 1 mg", drug="clonazepam", source="x")
>>> solver = DoseSolver(products, Mass.of_mg(4))
>>> solver.make(Mass.of_mg("1.75")).label
'1 × tablet 1 mg + 1.5 × tablet 0.5 mg (scored)'
>>> fmt(solver.nearest_at_or_below(Mass.of_mg("1.6")).total)
'1.5 mg'
"""  # noqa: RUF002 -- the multiplication sign is what the labels display

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from taperline.core.lazy import lazy_names

if TYPE_CHECKING:  # the names for type checkers; at run time each is imported when first used
    from taperline.core.products.advice import suggest_finer_products
    from taperline.core.products.composition import Composition, UnitCount
    from taperline.core.products.model import Product, ProductForm
    from taperline.core.products.parsing import PRODUCT_GRAMMAR, parse_products
    from taperline.core.products.solver import (
        MAX_GRID_AMOUNTS,
        DoseSolver,
        dose_solver,
        scoring_conflicts,
    )
    from taperline.core.products.solver import (
        _cached_solver as _cached_solver,  # the bench clears it
    )

#: Each name and the module it lives in.
_WHERE: dict[str, str] = {
    "Composition": "composition",
    "DoseSolver": "solver",
    "MAX_GRID_AMOUNTS": "solver",
    "PRODUCT_GRAMMAR": "parsing",
    "Product": "model",
    "ProductForm": "model",
    "UnitCount": "composition",
    "_cached_solver": "solver",
    "dose_solver": "solver",
    "parse_products": "parsing",
    "scoring_conflicts": "solver",
    "suggest_finer_products": "advice",
}


def _module(where: str) -> ModuleType:
    """The module a name of :data:`_WHERE` is in (imported by its name: no importlib in core)."""
    if where == "model":
        from taperline.core.products import model

        return model
    if where == "composition":
        from taperline.core.products import composition

        return composition
    if where == "parsing":
        from taperline.core.products import parsing

        return parsing
    if where == "solver":
        from taperline.core.products import solver

        return solver
    if where == "advice":
        from taperline.core.products import advice

        return advice
    raise AssertionError(where)  # a name of _WHERE without its module here


__getattr__, __dir__ = lazy_names(globals(), _WHERE, _module)

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
