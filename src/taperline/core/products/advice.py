"""Advice when the products are too coarse for a step: :func:`suggest_finer_products`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from taperline.core.products.model import _DEFAULT_RESOLUTION, Product, _plain
from taperline.core.products.parsing import parse_products  # noqa: F401 -- used by the doctests
from taperline.core.products.solver import _grid
from taperline.core.quantity import Concentration, Mass, Volume, drug_label, fmt
from taperline.errors import QuantityError

_FINER_RESOLUTIONS: Final = (Decimal("0.05"), Decimal("0.01"))  # finer oral syringe markings, mL
_NICE_MANTISSAS: Final = (Decimal(5), Decimal("2.5"), Decimal(2), Decimal(1))
# Liquids known to make fine steps, per drug: clonazepam oral suspension 0.1 mg/mL,
# compounded (USP, beyond-use 60 days) [clinical-basis, Products].
_FINE_LIQUIDS: Final[dict[str, tuple[Decimal, str]]] = {
    "clonazepam": (Decimal("0.1"), "compounded, beyond-use 60 days"),
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
