"""JSON documents of core objects, shared by the CLI's --format json and the API.

Each document's shape is a closed ``TypedDict`` (:mod:`taperline.core.shapes`) written here
beside the function that builds it: the API names the shape as its response model (so the
OpenAPI schema documents it) and the CLI prints what the function returns.

Today's document (:func:`today_document`, ``StatusOut``, the readiness check's) is in
:mod:`taperline.service.status_documents`, named here too and imported on first use: it reads
the whole review, which a check-in's or a plan version's document does not.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from taperline.core.findings.model import FindingKind, Severity
from taperline.core.lazy import lazy_names
from taperline.core.metrics import night_metrics, symptom_score
from taperline.core.quantity import fmt
from taperline.core.record.documents import GuidelineOut, guideline_document
from taperline.core.shapes import TypedDict, closed

if TYPE_CHECKING:
    from taperline.core.findings.model import Finding
    from taperline.core.journal import CheckIn
    from taperline.core.record import PlanVersion
    from taperline.core.review import Review
    from taperline.service.status_documents import (
        ReadinessOut,
        StatusOut,
        readiness_document,
        today_document,
    )

__all__ = [
    "CheckInOut",
    "FindingOut",
    "PlanVersionOut",
    "ReadinessOut",
    "ReviewOut",
    "StatusOut",
    "checkin_document",
    "finding_document",
    "plan_version_document",
    "readiness_document",
    "review_document",
    "today_document",
]


@closed
class EvidenceOut(TypedDict):
    """A day and value behind a finding."""

    date: str
    label: str
    value: str


@closed
class FindingOut(TypedDict):
    """An advisory finding; a clinician decides."""

    kind: FindingKind
    severity: Severity
    message: str
    evidence: list[EvidenceOut]
    source: str
    suggested_action: str
    clinician_flag: bool


@closed
class ProposalOut(TypedDict):
    """What the findings suggest (never applied on its own)."""

    action: str
    hold_days: int
    reasons: list[str]
    clinician_only: bool
    status: str


@closed
class ReviewOut(TypedDict):
    """All findings, the proposal, and what could not be checked."""

    findings: list[FindingOut]
    proposal: ProposalOut
    skipped: list[str]


@closed
class StepDoseOut(TypedDict):
    """One dose of a plan step."""

    time: str
    drug: str
    amount_mg: float
    amount: str
    instructions: list[str]


@closed
class StepOut(TypedDict):
    """One step of a plan version."""

    start_date: str
    daily_dose_mg: float
    daily_dose: str
    every_other_day: bool
    rule: str
    source: str
    note: str
    reason: str | None
    doses: list[StepDoseOut]


@closed
class PlanVersionOut(TypedDict):
    """A plan version (versions are never overwritten)."""

    version: int
    status: str
    drug: str
    strategy: str
    proposed_by: str
    proposed_at_utc: str
    decided_by: str | None
    decided_at_utc: str | None
    reason: str
    parent_version: int | None
    held_from: str | None
    guideline: GuidelineOut
    steps: list[StepOut]


@closed
class SleepOut(TypedDict):
    """A night with its metrics.

    ``time_zone``: the zone its clock times are in when it is not the person's now (a night
    logged before a move); null for every night logged in the person's own zone.
    """

    bed: str
    tried: str
    final_wake: str
    out_of_bed: str
    time_zone: str | None
    sol_min: int
    waso_min: int
    awakenings: int
    quality_1_5: int
    tib_min: int
    tst_min: int
    se_pct: float


@closed
class ReportedSleepOut(TypedDict):
    """A quick check-in's night: the person's estimate of their sleep (no clock times)."""

    asleep_min: int
    quality_1_5: int


@closed
class CheckInOut(TypedDict):
    """A stored check-in (``burden`` is taperline's own 0-68 score; ``*_copied_from``: a copy).

    ``sleep`` is the diary's night, ``reported_sleep`` a quick check-in's estimate instead
    (at most one of them); ``symptoms_rated`` is false when the checklist was not asked, and
    then ``burden`` is null: no score is made from symptoms nobody rated.
    ``caffeine_drinks``, ``alcohol_drinks`` and ``opioid_use`` are null when they were not
    asked that day (a quick check-in: ``substances_asked`` false), never 0 or false.
    """

    date: str
    sleep: SleepOut | None
    reported_sleep: ReportedSleepOut | None
    mood_0_10: int
    anxiety_0_10: int
    symptoms_rated: bool
    symptoms_0_3: dict[str, int]
    burden: int | None
    worst_time: str | None
    substances_asked: bool
    caffeine_drinks: int | None
    alcohol_drinks: int | None
    opioid_use: bool | None
    events: list[str]
    notes: str
    sleep_copied_from: str | None
    symptoms_copied_from: str | None


def finding_document(finding: Finding) -> FindingOut:
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


def review_document(result: Review) -> ReviewOut:
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


def plan_version_document(plan: PlanVersion) -> PlanVersionOut:
    """A stored plan version as JSON, with its guideline mark (see :func:`guideline_document`)."""
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


def checkin_document(checkin: CheckIn) -> CheckInOut:
    """A check-in as JSON (local wall-clock times; units in the keys)."""
    sleep = checkin.sleep
    night: SleepOut | None = None
    if sleep is not None:
        metrics = night_metrics(sleep)
        night = {
            "bed": sleep.bed.isoformat(timespec="minutes"),
            "tried": sleep.tried.isoformat(timespec="minutes"),
            "final_wake": sleep.final_wake.isoformat(timespec="minutes"),
            "out_of_bed": sleep.out_of_bed.isoformat(timespec="minutes"),
            "time_zone": sleep.time_zone,
            "sol_min": sleep.sol_min,
            "waso_min": sleep.waso_min,
            "awakenings": sleep.awakenings,
            "quality_1_5": sleep.quality,
            "tib_min": metrics.tib_min,
            "tst_min": metrics.tst_min,
            "se_pct": round(metrics.se_pct, 1),
        }
    reported = checkin.reported_sleep
    return {
        "date": checkin.wake_date.isoformat(),
        "sleep": night,
        "reported_sleep": (
            {"asleep_min": reported.asleep_min, "quality_1_5": reported.quality}
            if reported is not None
            else None
        ),
        "mood_0_10": checkin.mood,
        "anxiety_0_10": checkin.anxiety,
        "symptoms_rated": checkin.symptoms_rated,
        "symptoms_0_3": dict(checkin.symptoms),
        "burden": symptom_score(checkin),
        "worst_time": checkin.worst_time,
        "substances_asked": checkin.substances_asked,
        "caffeine_drinks": checkin.caffeine_drinks if checkin.substances_asked else None,
        "alcohol_drinks": checkin.alcohol_drinks if checkin.substances_asked else None,
        "opioid_use": checkin.opioid_use if checkin.substances_asked else None,
        "events": sorted(checkin.events),
        "notes": checkin.notes,
        # the earlier check-in's date when a section was copied ("same as last night")
        "sleep_copied_from": _iso(checkin.sleep_copied_from),
        "symptoms_copied_from": _iso(checkin.symptoms_copied_from),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


#: Today's document and its parts live in :mod:`taperline.service.status_documents` (it reads
#: the readiness check, and so the whole review): named here too, imported on first use.
_STATUS: dict[str, str] = {
    "DayGlanceOut": "status_documents",
    "DoseTodayOut": "status_documents",
    "NextChangeOut": "status_documents",
    "PlanTodayOut": "status_documents",
    "ReadinessOut": "status_documents",
    "ReadinessSignalOut": "status_documents",
    "StatusOut": "status_documents",
    "readiness_document": "status_documents",
    "today_document": "status_documents",
}


def _status_documents(_: str) -> object:
    """The module of the names of :data:`_STATUS` (imported when one is first read)."""
    from taperline.service import status_documents

    return status_documents


__getattr__, __dir__ = lazy_names(globals(), _STATUS, _status_documents)
