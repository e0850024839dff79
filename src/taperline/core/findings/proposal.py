"""The proposal the findings lead to.

Proceed, hold, slow, (a clinician's) return, or not enough check-ins to judge.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from taperline.core.findings.model import Finding, FindingRules

ProposalAction = Literal["proceed", "hold", "slow", "return_to_previous", "not_enough_checkins"]

#: Each action in plain words, as a page or a command says it.
PROPOSAL_WORDS: Final[dict[ProposalAction, str]] = {
    "proceed": "proceed",
    "hold": "hold",
    "slow": "slow",
    "return_to_previous": "return to previous",
    "not_enough_checkins": "not enough check-ins to judge",
}


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the findings suggest for the next step; never applied automatically.

    ``return_to_previous`` is for a clinician only (``clinician_only`` is then True).
    ``not_enough_checkins``: too few days with the symptom checklist in the last week to
    judge whether symptoms are stable (no hold is suggested for want of data).
    """

    action: ProposalAction
    hold_days: int
    reasons: tuple[str, ...]
    clinician_only: bool
    status: str = "proposed"

    @property
    def words(self) -> str:
        """The action in plain words ("not enough check-ins to judge")."""
        return PROPOSAL_WORDS[self.action]


def propose_next_step(
    findings: Sequence[Finding],
    rules: FindingRules = FindingRules(),
    *,
    scored_days: int | None = None,
    days_since_cut: int | None = None,
) -> Proposal:
    """Turn findings into a proposal: red flags and flares first, proceed only when stable.

    ``scored_days`` is the number of days with the symptom checklist in the last
    ``stable_days`` (None: stability was not assessed); below ``stable_min_days`` the answer
    is "not enough check-ins to judge" rather than a hold. ``days_since_cut``: within
    ``cut_watch_days`` of a cut the answer is never proceed [ASAM-2025: withdrawal may
    appear up to a week after a cut]. A settled flare (info) holds nothing; the reasons
    never contradict the action (a stable week is a reason only to proceed).

    >>> propose_next_step([]).action, propose_next_step([]).hold_days
    ('hold', 14)
    >>> propose_next_step([], scored_days=4).words
    'not enough check-ins to judge'
    >>> p = propose_next_step([], scored_days=7, days_since_cut=3)
    >>> p.action, p.hold_days
    ('hold', 4)
    """
    kinds = {f.kind for f in findings if f.kind != "flare" or f.severity != "info"}
    review = any(f.clinician_flag for f in findings)

    def reasons(*extra: str, stable: bool = False) -> tuple[str, ...]:
        told = tuple(
            f.message for f in findings if f.severity != "info" or (stable and f.kind == "stable")
        )
        return told + extra

    first = _urgent_or_flare(findings, kinds, rules, reasons(), review=review)
    if first is not None:
        return first
    if days_since_cut is not None and 0 <= days_since_cut < rules.cut_watch_days:
        wait = rules.cut_watch_days - days_since_cut
        why = (
            f"the last cut was {days_since_cut} day{'s' if days_since_cut != 1 else ''} ago:"
            f" withdrawal may appear up to {rules.cut_watch_days} days after a cut"
        )
        return Proposal("hold", wait, reasons(why), clinician_only=review)
    if "interdose" in kinds:
        return Proposal("hold", rules.hold_days, reasons(), clinician_only=review)
    if "stable" in kinds:
        return Proposal("proceed", 0, reasons(stable=True), clinician_only=review)
    if scored_days is not None and scored_days < rules.stable_min_days:
        why = (
            f"not enough check-ins to judge: the symptom checklist on {scored_days} of the"
            f" last {rules.stable_days} days, {rules.stable_min_days} are needed"
        )
        return Proposal("not_enough_checkins", 0, reasons(why), clinician_only=review)
    waiting = f"not yet {rules.stable_days} stable days in a row"
    return Proposal("hold", rules.hold_days, reasons(waiting), clinician_only=review)


def _urgent_or_flare(
    findings: Sequence[Finding],
    kinds: Collection[str],
    rules: FindingRules,
    reasons: tuple[str, ...],
    *,
    review: bool,
) -> Proposal | None:
    """Hold for a clinician on an urgent finding; a flare not settled: return, slow or hold."""
    flares = [f for f in findings if f.kind == "flare" and f.severity != "info"]
    if {"red_flag", "escalation", "large_dose"} & set(kinds):
        return Proposal("hold", rules.hold_days, reasons, clinician_only=True)
    if any(f.clinician_flag for f in flares):
        return Proposal("return_to_previous", 0, reasons, clinician_only=True)
    if len(flares) > 1:
        return Proposal("slow", 0, reasons, clinician_only=review)
    if flares:
        return Proposal("hold", rules.hold_days, reasons, clinician_only=review)
    return None
