"""The proposal the findings lead to: proceed, hold, slow or (a clinician's) return."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from taperline.core.findings.model import Finding, FindingRules

ProposalAction = Literal["proceed", "hold", "slow", "return_to_previous"]


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the findings suggest for the next step; never applied automatically.

    ``return_to_previous`` is for a clinician only (``clinician_only`` is then True).
    """

    action: ProposalAction
    hold_days: int
    reasons: tuple[str, ...]
    clinician_only: bool
    status: str = "proposed"


def propose_next_step(
    findings: Sequence[Finding],
    rules: FindingRules = FindingRules(),
) -> Proposal:
    """Turn findings into a proposal: red flags and flares first, proceed only when stable.

    >>> propose_next_step([]).action, propose_next_step([]).hold_days
    ('hold', 14)
    """
    kinds = {f.kind for f in findings}
    reasons = tuple(f.message for f in findings if f.severity != "info" or f.kind == "stable")
    review = any(f.clinician_flag for f in findings)
    flares = [f for f in findings if f.kind == "flare"]
    if kinds & {"red_flag", "escalation", "large_dose"}:
        return Proposal("hold", rules.hold_days, reasons, clinician_only=True)
    if any(f.clinician_flag for f in flares):
        return Proposal("return_to_previous", 0, reasons, clinician_only=True)
    if len(flares) > 1:
        return Proposal("slow", 0, reasons, clinician_only=review)
    if flares:
        return Proposal("hold", rules.hold_days, reasons, clinician_only=review)
    if "stable" in kinds:
        return Proposal("proceed", 0, reasons, clinician_only=review)
    waiting = (f"not yet {rules.stable_days} stable days in a row",)
    return Proposal("hold", rules.hold_days, reasons + waiting, clinician_only=review)
