"""The JSON of today for one person: ``taperline status --format json`` and ``GET /api/status``.

Apart from :mod:`taperline.service.documents` (which names each of these too) because today's
document reads the readiness check, and so the whole review, which the other documents (a
check-in, a plan version) do not need: ``taperline journal list`` imports none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from taperline.core.quantity import fmt
from taperline.core.readiness import Level, SignalKind, Verdict
from taperline.core.record import DoseStatus
from taperline.core.shapes import TypedDict, closed
from taperline.service.documents import FindingOut, ProposalOut, review_document

if TYPE_CHECKING:
    from taperline.core.readiness import Readiness
    from taperline.service.today import Today

__all__ = [
    "DayGlanceOut",
    "DoseTodayOut",
    "NextChangeOut",
    "PlanTodayOut",
    "ReadinessOut",
    "ReadinessSignalOut",
    "StatusOut",
    "readiness_document",
    "today_document",
]


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
    #: The dose before a held cut at a time its new step has no dose (the cut moved the
    #: times): not the plan's new dose but the one to stay on until the clinician answers.
    stay_only: bool
    #: With ask_clinician_first: the dose before the cut at this time, to stay on until the
    #: clinician answers (null: none at this time, or not a held cut's dose); with stay_only,
    #: that dose itself.
    stay_on_amount_mg: float | None
    stay_on_amount: str | None
    #: With a dose to stay on not logged yet: what the day's log has taken already, when that
    #: and the dose to stay on would make more than the dose before the cut gives a day (ask
    #: the clinician before taking more); null otherwise.
    taken_already_mg: float | None
    taken_already: str | None
    #: With stay_only, not logged: the dose was the one to stay on until the clinician
    #: answered the held cut today at this time (HH:MM, local), and was due by then. Taken
    #: before it, log it with the time it was taken (today then finishes on the dose before
    #: the cut); null otherwise.
    until_answer: str | None
    #: Not logged, on a day with such a dose (until_answer) not logged either: its time
    #: (HH:MM), to say first whether it was taken (the day's doses then follow from it);
    #: null otherwise.
    answer_first: str | None


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
                "stay_only": d.stay_only,
                "stay_on_amount_mg": float(d.stay_on.amount.mg) if d.stay_on else None,
                "stay_on_amount": fmt(d.stay_on.amount) if d.stay_on else None,
                "taken_already_mg": float(d.taken_already.mg) if d.taken_already else None,
                "taken_already": fmt(d.taken_already) if d.taken_already else None,
                "until_answer": (
                    d.until_answer.strftime("%H:%M") if d.until_answer is not None else None
                ),
                "answer_first": d.answer_first,
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
