"""The JSON shapes of a dose made of products: ``UnitCount.to_json`` and ``Composition.to_json``.

Apart from :mod:`taperline.core.products.model` so that reading the catalogue's products (every
``taperline learn``) does not import ``typing_extensions`` for shapes only JSON output uses;
the model still gives both names (imported on first use).
"""

from __future__ import annotations

from taperline.core.shapes import TypedDict, closed

__all__ = ["CompositionOut", "UnitCountOut"]


@closed
class UnitCountOut(TypedDict):
    """Units of one product in a dose (``count`` in ``count_unit``; ``splits`` breaks needed)."""

    product: str
    form: str
    count: float
    count_unit: str
    amount_mg: float
    splits: int


@closed
class CompositionOut(TypedDict):
    """How a dose is made: its units and the breaks it needs."""

    total_mg: float
    unit_count: int
    split_count: int
    units: list[UnitCountOut]
