"""Compare taper strategies, and show how an occupancy plan depends on its assumed ED50.

The ED50 of clonazepam is not published [MAUDSLEY-2024 ⚠ in clinical-basis], so an
occupancy-based plan is shown under several plausible values rather than one hidden choice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from taperline.core.catalogue import Drug
from taperline.core.plan import Plan, PlanRequest, propose
from taperline.core.quantity import Mass
from taperline.core.strategies import (
    STRATEGY_KINDS,
    FixedBand,
    Strategy,
    StrategyKind,
    nice_diazepam_bands,
)
from taperline.errors import InputError, TaperlineError

__all__ = [
    "ED50_SENSITIVITY_MG",
    "Ed50Outcome",
    "compare",
    "default_fixed_bands",
    "ed50_sensitivity",
    "parse_kinds",
]

# Plausible ED50 values named in clinical-basis (receptor occupancy section).
ED50_SENSITIVITY_MG: tuple[Decimal, ...] = (Decimal("0.5"), Decimal(2), Decimal(10))


@dataclass(frozen=True, slots=True)
class Ed50Outcome:
    """How an occupancy plan comes out under one assumed ED50.

    ``refused`` says why no plan can be made under that ED50 (for example its first cut
    would break the guideline's cap); the counts are then zero.
    """

    ed50_mg: Decimal
    step_count: int
    duration_days: int
    complete: bool
    refused: str | None = None


def parse_kinds(text: str) -> tuple[StrategyKind, ...]:
    """Parse 'percent,occupancy' into strategy kinds (custom cannot be compared).

    >>> parse_kinds("percent, occupancy")
    ('percent', 'occupancy')
    """
    kinds = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    comparable = [k for k in STRATEGY_KINDS if k != "custom"]
    for kind in kinds:
        if kind not in comparable:
            raise InputError(f"cannot compare {kind!r}: choose from {', '.join(comparable)}")
    if len(kinds) < 2:  # noqa: PLR2004 -- a comparison needs two
        raise InputError("name at least two strategies to compare, e.g. percent,occupancy")
    return kinds  # type: ignore[return-value]  # validated against STRATEGY_KINDS above


def compare(request: PlanRequest, kinds: tuple[StrategyKind, ...]) -> tuple[Plan, ...]:
    """One plan per strategy kind, everything else equal."""
    return tuple(propose(replace(request, strategy=_as(request, kind))) for kind in kinds)


def _as(request: PlanRequest, kind: StrategyKind) -> Strategy:
    strategy = replace(request.strategy, kind=kind, custom_steps=())
    if kind == "fixed" and not strategy.bands:
        strategy = replace(strategy, bands=default_fixed_bands(request.drug))
    return strategy


def default_fixed_bands(drug: Drug) -> tuple[FixedBand, ...]:
    """NICE-CKS diazepam bands, converted to ``drug`` by its first (default) equivalence.

    >>> from taperline.core.quantity import fmt
    >>> from taperline.core.catalogue import Equivalence
    >>> class D:  # a stand-in with one equivalence: 0.5 mg = diazepam 10 mg
    ...     name = "clonazepam"
    ...     def equivalence(self): return Equivalence(Mass.of_mg("0.5"), "ASHTON")
    >>> [(fmt(b.above), fmt(b.step)) for b in default_fixed_bands(D())]
    [('1 mg', '0.1 mg'), ('0.5 mg', '0.05 mg'), ('0.25 mg', '0.05 mg'), ('0 mg', '0.025 mg')]
    """
    if drug.name == "diazepam":
        return nice_diazepam_bands()
    ratio = drug.equivalence().dose_mg.mg / Decimal(10)  # "equivalent to diazepam 10 mg"
    return tuple(
        FixedBand(
            Mass.of_mg(b.above.mg * ratio), Mass.of_mg(b.step.mg * ratio), b.interval_days, b.source
        )
        for b in nice_diazepam_bands()
    )


def ed50_sensitivity(
    request: PlanRequest, values: tuple[Decimal, ...] = ED50_SENSITIVITY_MG
) -> tuple[Ed50Outcome, ...]:
    """The occupancy plan's length under each assumed ED50."""
    outcomes = []
    for ed50 in values:
        strategy = replace(request.strategy, kind="occupancy", ed50_mg=ed50)
        try:
            plan = propose(replace(request, strategy=strategy))
        except TaperlineError as error:  # shown beside the others, never hidden
            outcomes.append(Ed50Outcome(ed50, 0, 0, complete=False, refused=str(error)))
            continue
        outcomes.append(Ed50Outcome(ed50, len(plan.steps), plan.duration_days, plan.complete))
    return tuple(outcomes)
