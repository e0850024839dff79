"""A plan's settings against the guideline: :func:`parameter_violations`."""

from __future__ import annotations

import math
from decimal import ROUND_FLOOR, Decimal

from taperline.core.guideline import GUIDELINE
from taperline.core.quantity import fmt_number
from taperline.core.record import PlanBasis
from taperline.core.rules.model import _HUNDRED, Violation, pct_text


def parameter_violations(basis: PlanBasis) -> list[Violation]:
    """Settings beyond the guideline: each needs an override reason.

    >>> parameter_violations(PlanBasis(max_cut_pct=Decimal(10), window_days=7))  # 19 % in 14
    []
    >>> [v.message for v in parameter_violations(PlanBasis(max_cut_pct=Decimal(40)))]
    ["the cap of 40 % per 14 days is above the guideline's 25 % per 14 days [ASAM-2025]: \
use a cap of at most 25 %, or give an override reason to use it"]
    """
    found = []
    # A shorter window lets its cap apply several times in 14 days: compared as compounded.
    keep = 1 - basis.max_cut_pct / _HUNDRED
    repeats = math.ceil(GUIDELINE.window_days / min(basis.window_days, GUIDELINE.window_days))
    fall_pct = (1 - keep**repeats) * _HUNDRED
    if basis.max_cut_pct > GUIDELINE.max_cut_pct or fall_pct > GUIDELINE.max_cut_pct:
        cap = f"a cap of {fmt_number(basis.max_cut_pct)} % per {basis.window_days} days"
        compounded, most = "", "at most 25 %"
        if repeats > 1:
            compounded = (
                f" (up to {pct_text(fall_pct, GUIDELINE.max_cut_pct)} % within "
                f"{GUIDELINE.window_days} days)"
            )
            keep_per_window = (1 - GUIDELINE.max_cut_pct / _HUNDRED) ** (1 / Decimal(repeats))
            largest = ((1 - keep_per_window) * _HUNDRED).quantize(
                Decimal("0.1"), rounding=ROUND_FLOOR
            )
            most = f"at most {fmt_number(largest)} % per {basis.window_days} days"
        found.append(
            Violation(
                "parameter",
                f"the {cap[2:]}{compounded} is above the guideline's "
                f"{GUIDELINE.describe_cap()}: use a cap of {most}, or give an override reason "
                "to use it",
                outside=f"{cap}{compounded.replace(' (', ', ').rstrip(')')} (the guideline: "
                f"{GUIDELINE.describe_cap()})",
            )
        )
    if basis.stabilisation_days < GUIDELINE.stabilisation_days:
        days = f"{basis.stabilisation_days} day{'s' if basis.stabilisation_days != 1 else ''}"
        found.append(
            Violation(
                "parameter",
                f"a stabilisation of {days} is shorter than the guideline's "
                f"{GUIDELINE.describe_stabilisation()}: stabilise longer, or give an override "
                "reason",
                outside=f"a stabilisation of {days} (the guideline: "
                f"{GUIDELINE.describe_stabilisation()})",
            )
        )
    return found
