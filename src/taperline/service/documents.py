"""JSON documents of core objects, shared by the CLI's --format json and the API.

Each document's shape is a closed ``TypedDict`` (:mod:`taperline.core.shapes`) written here
beside the function that builds it: the API names the shape as its response model (so the
OpenAPI schema documents it) and the CLI prints what the function returns.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from taperline.core.findings import Finding
from taperline.core.findings.model import FindingKind, Severity
from taperline.core.journal import CheckIn
from taperline.core.metrics import night_metrics, symptom_score
from taperline.core.quantity import fmt
from taperline.core.readiness import Level, Readiness, SignalKind, Verdict
from taperline.core.record import DoseStatus, PlanVersion
from taperline.core.record.documents import GuidelineOut, guideline_document
from taperline.core.review import Review
from taperline.core.shapes import TypedDict, closed

if TYPE_CHECKING:
    from taperline.service.today import Today

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
    """A night with its metrics."""

    bed: str
    tried: str
    final_wake: str
    out_of_bed: str
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
    caffeine_drinks: int
    alcohol_drinks: int
    opioid_use: bool
    events: list[str]
    notes: str
    sleep_copied_from: str | None
    symptoms_copied_from: str | None


@closed
class DoseTodayOut(TypedDict):
    """A dose planned for today and what the dose log says of it."""

    time: str
    drug: str
    amount_mg: float
    amount: str
    instructions: list[str]
    status: DoseStatus | Literal["due"]
    taken_at: str | None
    #: The new dose of a cut the readiness check holds: ask your clinician before taking it.
    ask_clinician_first: bool
    #: With ask_clinician_first: the dose before the cut at this time, to stay on until the
    #: clinician answers (null: none at this time, or not a held cut's dose).
    stay_on_amount_mg: float | None
    stay_on_amount: str | None


@closed
class NextChangeOut(TypedDict):
    """The next step of the plan."""

    start_date: str
    daily_dose_mg: float
    daily_dose: str
    in_days: int


@closed
class PlanTodayOut(TypedDict):
    """The plan followed today."""

    version: int
    status: str
    drug: str
    held_from: str | None
    guideline_mark: str | None


@closed
class DayGlanceOut(TypedDict):
    """One of the last 14 days at a glance."""

    date: str
    checked_in: bool
    mood_0_10: int | None
    anxiety_0_10: int | None
    burden: int | None
    se_pct: float | None
    doses_taken: int
    doses_missed: int


@closed
class ReadinessSignalOut(TypedDict):
    """One signal of the readiness check: plain words, and its evidence and basis."""

    kind: SignalKind
    label: str
    level: Level
    #: plain words for the patient (no source ids)
    patient_text: str
    #: for the clinician: the evidence, the rule and its source ids
    detail: str
    basis: str
    source: str
    dates: list[str]


@closed
class ReadinessOut(TypedDict):
    """The readiness check of the cut in view (:mod:`taperline.core.readiness`).

    Information for the patient, a decision for the clinician.
    """

    cut_date: str
    days_to_cut: int
    from_daily_dose_mg: float
    to_daily_dose_mg: float
    from_daily_dose: str
    to_daily_dose: str
    verdict: Verdict
    #: Hold, and no clinician has answered: "ask your clinician before this cut"
    asks_clinician: bool
    #: on the cut day or after, the cut is a question, not today's instruction
    cut_is_question: bool
    patient_message: str
    signals: list[ReadinessSignalOut]
    #: the clinician's decision that answers this cut (who, and the person's date)
    decided_by: str | None
    decided_on: str | None


@closed
class StatusOut(TypedDict):
    """Today for the signed-in patient: also what ``taperline status --format json`` prints."""

    today: str
    plan: PlanTodayOut | None
    pending_version: int | None
    checked_in_today: bool
    questionnaire_due: bool
    doses_today: list[DoseTodayOut]
    next_change: NextChangeOut | None
    findings: list[FindingOut]
    proposal: ProposalOut
    skipped: list[str]
    urgent_findings: int
    last_14_days: list[DayGlanceOut]
    readiness: ReadinessOut | None


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
        "caffeine_drinks": checkin.caffeine_drinks,
        "alcohol_drinks": checkin.alcohol_drinks,
        "opioid_use": checkin.opioid_use,
        "events": sorted(checkin.events),
        "notes": checkin.notes,
        # the earlier check-in's date when a section was copied ("same as last night")
        "sleep_copied_from": _iso(checkin.sleep_copied_from),
        "symptoms_copied_from": _iso(checkin.symptoms_copied_from),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def today_document(state: Today) -> StatusOut:
    """Today as JSON: the one document of ``taperline status --format json`` and the API.

    The plan followed (and a proposal waiting), today's doses with what the log says
    (taken, late, missed, or due: not logged), the next change, the review, and the last
    14 days. ``GET /api/status`` documents it in the OpenAPI schema (``StatusOut``).
    """
    plan = state.plan
    review = review_document(state.review)
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
                "ask_clinician_first": d.ask_first,
                "stay_on_amount_mg": float(d.stay_on.amount.mg) if d.stay_on else None,
                "stay_on_amount": fmt(d.stay_on.amount) if d.stay_on else None,
            }
            for d in state.doses
        ],
        "next_change": _next_change(state),
        "findings": review["findings"],
        "proposal": review["proposal"],
        "skipped": review["skipped"],
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
        "readiness": readiness_document(state.readiness) if state.readiness else None,
    }


def readiness_document(check: Readiness) -> ReadinessOut:
    """The readiness check as JSON: the verdict, the patient's words, each signal's basis."""
    decision = check.decision
    return {
        "cut_date": check.cut.isoformat(),
        "days_to_cut": check.days_to_cut,
        "from_daily_dose_mg": float(check.before.daily.mg),
        "to_daily_dose_mg": float(check.after.daily.mg),
        "from_daily_dose": check.from_text,
        "to_daily_dose": check.to_text,
        "verdict": check.verdict,
        "asks_clinician": check.asks_clinician,
        "cut_is_question": check.is_question,
        "patient_message": check.patient_message(),
        "signals": [
            {
                "kind": s.kind,
                "label": s.label,
                "level": s.level,
                "patient_text": s.patient,
                "detail": s.detail,
                "basis": s.basis,
                "source": s.source,
                "dates": [d.isoformat() for d in s.days],
            }
            for s in check.signals
        ],
        "decided_by": decision.by if decision else None,
        "decided_on": decision.on.isoformat() if decision else None,
    }


def _next_change(state: Today) -> NextChangeOut | None:
    step, in_days = state.next_change, state.days_to_change
    if step is None or in_days is None:
        return None
    return {
        "start_date": step.start.isoformat(),
        "daily_dose_mg": float(step.daily.mg),
        "daily_dose": fmt(step.daily),
        "in_days": in_days,
    }
