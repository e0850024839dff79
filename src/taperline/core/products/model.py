"""Products: :class:`Product`; a dose made of them is in :mod:`taperline.core.products.composition`.

:class:`UnitCount` and :class:`Composition` are still importable from here (on first use).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from taperline.core.quantity import (
    Concentration,
    Mass,
    Volume,
    fmt,
)
from taperline.errors import InputError

if TYPE_CHECKING:
    # re-exported (as before they moved) for the adapters and the CLI that import them from here
    from taperline.core.products.composition import (
        Composition as Composition,  # noqa: PLC0414 -- an explicit re-export
    )
    from taperline.core.products.composition import (
        UnitCount as UnitCount,  # noqa: PLC0414 -- an explicit re-export
    )
    from taperline.core.products.documents import (
        CompositionOut as CompositionOut,  # noqa: PLC0414 -- an explicit re-export
    )
    from taperline.core.products.documents import (
        UnitCountOut as UnitCountOut,  # noqa: PLC0414 -- an explicit re-export
    )

ProductForm = Literal["tablet", "odt", "liquid", "capsule"]

_DEFAULT_RESOLUTION: Final = Volume(Decimal("0.1"))  # a 1 mL oral syringe marked every 0.1 mL
_A_FORM: Final[dict[str, str]] = {
    "tablet": "a tablet",
    "odt": "an ODT",
    "capsule": "a capsule",
    "liquid": "a liquid",
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


def __getattr__(name: str) -> Any:
    """The JSON shapes and a dose's types, still importable from here, on first use."""
    if name in {"CompositionOut", "UnitCountOut"}:
        from taperline.core.products import documents

        return getattr(documents, name)
    if name in {"Composition", "UnitCount"}:
        from taperline.core.products import composition

        return getattr(composition, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
