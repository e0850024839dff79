"""The JSON document of a plan's basis: whether it keeps to the guideline (shape and builder)."""

from __future__ import annotations

from taperline.core.record.steps import PlanBasis
from taperline.core.shapes import TypedDict, closed


@closed
class GuidelineOut(TypedDict):
    """Whether a plan keeps to the guideline; ``mark`` is set when an override took it outside."""

    within_guideline: bool
    mark: str | None
    override_reason: str | None
    outside_guideline: list[str]
    max_cut_pct: float
    cap_window_days: int
    stabilisation_days: int
    equivalence_source: str | None
    indication: str | None


def guideline_document(basis: PlanBasis) -> GuidelineOut:
    """Whether a plan keeps to the guideline, and what an override took outside it.

    ``mark`` is "outside the guideline by clinician override: <reason>" (None within it);
    every surface that shows the plan shows the mark.

    >>> doc = guideline_document(PlanBasis())
    >>> doc["within_guideline"], doc["mark"], doc["cap_window_days"]
    (True, None, 14)
    """
    return {
        "within_guideline": not basis.outside_guideline,
        "mark": basis.mark or None,
        "override_reason": basis.override_reason or None,
        "outside_guideline": list(basis.outside_guideline),
        "max_cut_pct": float(basis.max_cut_pct),
        "cap_window_days": basis.window_days,
        "stabilisation_days": basis.stabilisation_days,
        "equivalence_source": basis.equivalence_source or None,
        "indication": basis.indication or None,
    }
