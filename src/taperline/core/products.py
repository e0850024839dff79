"""Products a dose can be made of: tablets (and their score lines), ODTs, liquids, capsules.

(Being written: the product type below is fixed; the dose solver follows.)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from taperline.core.quantity import Concentration, Mass, Volume, fmt
from taperline.errors import InputError

__all__ = ["Product", "ProductForm"]

ProductForm = Literal["tablet", "odt", "liquid", "capsule"]


@dataclass(frozen=True, slots=True)
class Product:
    """One product a dose can be made from.

    * ``tablet``: ``strength`` per tablet; ``divisible_by`` is 1 (whole only), 2 (scored
      for halves) or 4 (scored for quarters).
    * ``odt``: orally disintegrating tablet, ``strength`` per tablet, whole only.
    * ``capsule``: ``strength`` per capsule (for example compounded), whole only.
    * ``liquid``: ``concentration`` and the measuring resolution ``resolution`` of the
      oral syringe; ``strength`` is the drug in one resolution step.

    >>> liquid = Product.liquid(Concentration(Decimal("0.1")), Volume(Decimal("0.1")), source="LABEL")
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
