"""JSON documents of core objects, shared by the CLI's --format json and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from taperline.core.findings import Finding
from taperline.core.journal import CheckIn
from taperline.core.metrics import burden, night_metrics
from taperline.core.quantity import fmt
from taperline.core.record import (
    PlanVersion,
)
from taperline.core.review import Review

if TYPE_CHECKING:
    from taperline.service.today import Today

__all__ = [
    "checkin_document",
    "finding_document",
    "plan_version_document",
    "review_document",
    "today_document",
]


def finding_document(finding: Finding) -> dict[str, Any]:
    """A finding as JSON (the keys of the findings contract)."""
    return {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "evidence": [
            {"date": e.day.isoformat(), "label": e.label, "value": e.value}
            for e in finding.evidence
        ],
        "source": finding.source,
        "suggested_action": finding.suggested_action,
        "clinician_flag": finding.clinician_flag,
    }


def review_document(result: Review) -> dict[str, Any]:
    """A review as JSON: findings, proposal, what was not checked."""
    return {
        "findings": [finding_document(f) for f in result.findings],
        "proposal": {
            "action": result.proposal.action,
            "hold_days": result.proposal.hold_days,
            "reasons": list(result.proposal.reasons),
            "clinician_only": result.proposal.clinician_only,
            "status": result.proposal.status,
        },
        "skipped": list(result.skipped),
    }


def plan_version_document(plan: PlanVersion) -> dict[str, Any]:
    """A stored plan version as JSON, with its guideline mark (see :func:`guideline_document`)."""
    from taperline.adapters.documents import guideline_document

    return {
        "version": plan.version,
        "status": plan.status,
        "drug": plan.drug,
        "strategy": plan.strategy,
        "proposed_by": plan.proposed_by,
        "proposed_at_utc": plan.proposed_at.isoformat(),
        "decided_by": plan.decided_by,
        "decided_at_utc": plan.decided_at.isoformat() if plan.decided_at else None,
        "reason": plan.reason,
        "parent_version": plan.parent_version,
        "held_from": plan.held_from.isoformat() if plan.held_from else None,
        "guideline": guideline_document(plan.basis),
        "steps": [
            {
                "start_date": s.start.isoformat(),
                "daily_dose_mg": float(s.daily.mg),
                "daily_dose": fmt(s.daily),
                "every_other_day": s.every_other_day,
                "rule": s.rule,
                "source": s.source,
                "note": s.note,
                "reason": s.reason or None,
                "doses": [
                    {
                        "time": d.clock,
                        "drug": d.drug,
                        "amount_mg": float(d.amount.mg),
                        "amount": fmt(d.amount),
                        "instructions": list(d.instructions),
                    }
                    for d in s.doses
                ],
            }
            for s in plan.steps
        ],
    }


def checkin_document(checkin: CheckIn) -> dict[str, Any]:
    """A check-in as JSON (local wall-clock times; units in the keys)."""
    sleep = checkin.sleep
    night: Mapping[str, Any] | None = None
    if sleep is not None:
        metrics = night_metrics(sleep)
        night = {
            "bed": sleep.bed.isoformat(timespec="minutes"),
            "tried": sleep.tried.isoformat(timespec="minutes"),
            "final_wake": sleep.final_wake.isoformat(timespec="minutes"),
            "out_of_bed": sleep.out_of_bed.isoformat(timespec="minutes"),
            "sol_min": sleep.sol_min,
            "waso_min": sleep.waso_min,
            "awakenings": sleep.awakenings,
            "quality_1_5": sleep.quality,
            "tib_min": metrics.tib_min,
            "tst_min": metrics.tst_min,
            "se_pct": round(metrics.se_pct, 1),
        }
    return {
        "date": checkin.wake_date.isoformat(),
        "sleep": night,
        "mood_0_10": checkin.mood,
        "anxiety_0_10": checkin.anxiety,
        "symptoms_0_3": dict(checkin.symptoms),
        "burden": burden(checkin),
        "worst_time": checkin.worst_time,
        "caffeine_drinks": checkin.caffeine_drinks,
        "alcohol_drinks": checkin.alcohol_drinks,
        "opioid_use": checkin.opioid_use,
        "events": sorted(checkin.events),
        "notes": checkin.notes,
    }


def today_document(state: Today) -> dict[str, Any]:
    """Today as JSON: the one document of ``taperline status --format json`` and the API.

    The plan followed (and a proposal waiting), today's doses with what the log says
    (taken, late, missed, or due: not logged), the next change, the review, and the last
    14 days. ``GET /api/status`` documents it in the OpenAPI schema (``StatusOut``).
    """
    plan, step = state.plan, state.next_change
    return {
        "today": state.today.isoformat(),
        "plan": (
            {
                "version": plan.version,
                "status": plan.status,
                "drug": plan.drug,
                "held_from": plan.held_from.isoformat() if plan.held_from else None,
                "guideline_mark": plan.mark or None,
            }
            if plan
            else None
        ),
        "pending_version": state.pending.version if state.pending else None,
        "checked_in_today": state.checked_in_today,
        "questionnaire_due": state.questionnaire_due,
        "doses_today": [
            {
                "time": d.planned.clock,
                "drug": d.planned.drug,
                "amount_mg": float(d.planned.amount.mg),
                "amount": fmt(d.planned.amount),
                "instructions": list(d.planned.instructions),
                "status": d.status,
                "taken_at": (
                    d.logged.taken_at.isoformat(timespec="minutes")
                    if d.logged is not None and d.logged.taken_at is not None
                    else None
                ),
            }
            for d in state.doses
        ],
        "next_change": (
            {
                "start_date": step.start.isoformat(),
                "daily_dose_mg": float(step.daily.mg),
                "daily_dose": fmt(step.daily),
                "in_days": state.days_to_change,
            }
            if step
            else None
        ),
        **review_document(state.review),
        "urgent_findings": sum(f.severity == "urgent" for f in state.review.findings),
        "last_14_days": [
            {
                "date": d.day.isoformat(),
                "checked_in": d.checked_in,
                "mood_0_10": d.mood,
                "anxiety_0_10": d.anxiety,
                "burden": d.burden,
                "se_pct": None if d.se_pct is None else round(d.se_pct, 1),
                "doses_taken": d.doses_taken,
                "doses_missed": d.doses_missed,
            }
            for d in state.days
        ],
    }
