"""Plain JSON-ready documents of a proposed plan, for the CLI's ``plan`` and the API's preview.

Keys carry units (`daily_dose_mg`, `amount_mg`); amounts are JSON numbers whose shortest form
is the exact decimal (Decimal -> float is exact for the amounts the products can make). Each
shape is a closed ``TypedDict`` beside its builder (:mod:`taperline.core.shapes`).
"""

from __future__ import annotations

from decimal import Decimal

from taperline.core.compare import Ed50Outcome
from taperline.core.plan import Plan, PlannedDose, PlanStep, SupplyLine
from taperline.core.products.model import UnitCountOut
from taperline.core.quantity import Mass, drug_label, fmt
from taperline.core.record.documents import GuidelineOut, guideline_document
from taperline.core.screening import screening_document
from taperline.core.screening.documents import ScreeningOut
from taperline.core.shapes import TypedDict, closed

__all__ = ["GuidelineOut", "PlanOut", "guideline_document", "plan_document"]


@closed
class PlannedDoseOut(TypedDict):
    """One dose of a step: time, drug, amount and the units that make it."""

    time: str
    drug: str
    amount_mg: float | None
    amount: str
    units: list[UnitCountOut]
    instructions: list[str]
    makeable: bool


@closed
class PlanStepOut(TypedDict):
    """One step of a proposed plan (crossover steps name each drug's total)."""

    step: int
    start_date: str
    daily_dose_mg: float | None
    daily_dose: str
    daily_dose_by_drug_mg: dict[str, float | None]
    diazepam_equivalent_mg: float | None
    every_other_day: bool
    doses: list[PlannedDoseOut]
    change_pct: float | None
    predicted_occupancy_pct: float
    predicted_css_average_ng_per_ml: dict[str, float]
    rule: str
    source: str
    note: str
    reason: str | None


@closed
class SupplyOut(TypedDict):
    """What to dispense in one period."""

    period_start: str
    period_end: str
    drug: str
    product: str
    count: float | None
    unit: str


@closed
class PlanSummaryOut(TypedDict):
    """A plan in numbers."""

    start_date: str
    end_date: str
    duration_days: int
    step_count: int
    largest_step_pct: float | None
    smallest_dose_before_zero_mg: float | None
    complete: bool


@closed
class Ed50Out(TypedDict):
    """How an occupancy plan comes out under one assumed ED50 (``refused``: why none can)."""

    ed50_mg: float | None
    step_count: int
    duration_days: int
    complete: bool
    refused: str | None


@closed
class PlanOut(TypedDict):
    """A proposed plan: ``taperline plan --format json`` and the clinician's preview.

    ``assumptions`` maps each assumption to its text, and ``ed50_sensitivity`` (when asked
    for) to how the plan comes out under each ED50; ``alternative`` is the direct taper shown
    beside a crossover where diazepam accumulates.
    """

    drug: str
    drug_label: str
    strategy: str
    status: str
    guideline: GuidelineOut
    steps: list[PlanStepOut]
    summary: PlanSummaryOut
    supply: list[SupplyOut]
    warnings: list[str]
    assumptions: dict[str, str | list[Ed50Out]]
    screening: ScreeningOut | None
    alternative: PlanOut | None


def _num(value: Decimal | None, places: int | None = None) -> float | None:
    if value is None:
        return None
    return float(round(value, places) if places is not None else value)


def dose_document(dose: PlannedDose) -> PlannedDoseOut:
    """One dose of a step: time, drug, amount and the units that make it."""
    composition = dose.composition
    return {
        "time": dose.clock,
        "drug": dose.drug,
        "amount_mg": _num(dose.amount.mg),
        "amount": fmt(dose.amount),
        "units": [unit.to_json() for unit in composition.units] if composition else [],
        "instructions": list(composition.instructions) if composition else [],
        "makeable": composition is not None,
    }


def _by_drug(step: PlanStep) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for dose in step.doses:
        totals[dose.drug] = totals.get(dose.drug, Decimal(0)) + dose.amount.mg
    return totals


def _mixed(by_drug: dict[str, Decimal]) -> str:
    return " + ".join(f"{drug_label(drug)} {fmt(Mass.of_mg(mg))}" for drug, mg in by_drug.items())


def step_document(index: int, step: PlanStep, plan_drug: str | None = None) -> PlanStepOut:
    """One plan step, by the planner's JSON contract (other drugs than ``plan_drug`` named)."""
    by_drug = _by_drug(step)
    shown = fmt(step.daily)
    if len(by_drug) > 1 or (by_drug and plan_drug is not None and plan_drug not in by_drug):
        shown = _mixed(by_drug)
    return {
        "step": index,
        "start_date": step.start.isoformat(),
        # Mixed crossover steps have no single daily dose: see the per-drug totals.
        "daily_dose_mg": _num(step.daily.mg) if len(by_drug) <= 1 else None,
        "daily_dose": shown,
        "daily_dose_by_drug_mg": {drug: _num(total) for drug, total in by_drug.items()},
        "diazepam_equivalent_mg": _num(step.reference_daily.mg, 4),
        "every_other_day": step.every_other_day,
        "doses": [dose_document(dose) for dose in step.doses],
        "change_pct": _num(step.change_pct, 2),
        "predicted_occupancy_pct": round(step.occupancy_pct, 2),
        "predicted_css_average_ng_per_ml": {
            drug: round(value, 3) for drug, value in step.css_average_ng_per_ml.items()
        },
        "rule": step.rule,
        "source": step.source,
        "note": step.note,
        "reason": step.reason or None,
    }


def supply_document(line: SupplyLine) -> SupplyOut:
    """What to dispense in one period."""
    return {
        "period_start": line.period_start.isoformat(),
        "period_end": line.period_end.isoformat(),
        "drug": line.drug,
        "product": line.product,
        "count": _num(line.count),
        "unit": line.unit,
    }


def _largest_cut(plan: Plan) -> Decimal:
    """The largest cut in %, not counting the final step to zero (always 100 %)."""
    cuts = [
        -step.change_pct
        for step in plan.steps
        if step.change_pct is not None and step.change_pct < 0 and step.daily.mg > 0
    ]
    return max(cuts, default=Decimal(0))


def plan_document(plan: Plan, sensitivity: tuple[Ed50Outcome, ...] = ()) -> PlanOut:
    """A whole plan: steps, summary, supply, warnings, assumptions and status."""
    smallest = plan.smallest_dose_before_zero
    assumptions: dict[str, str | list[Ed50Out]] = dict(plan.assumptions)
    if sensitivity:
        assumptions["ed50_sensitivity"] = [
            {
                "ed50_mg": _num(item.ed50_mg),
                "step_count": item.step_count,
                "duration_days": item.duration_days,
                "complete": item.complete,
                "refused": item.refused,
            }
            for item in sensitivity
        ]
    return {
        "drug": plan.drug,
        "drug_label": drug_label(plan.drug),
        "strategy": plan.strategy,
        "status": plan.status,
        "guideline": guideline_document(plan.basis),
        "steps": [step_document(i, step, plan.drug) for i, step in enumerate(plan.steps)],
        "summary": {
            "start_date": plan.steps[0].start.isoformat(),
            "end_date": plan.end.isoformat(),
            "duration_days": plan.duration_days,
            "step_count": len(plan.steps),
            "largest_step_pct": _num(_largest_cut(plan), 2),
            "smallest_dose_before_zero_mg": _num(smallest.mg) if smallest else None,
            "complete": plan.complete,
        },
        "supply": [supply_document(line) for line in plan.supply],
        "warnings": list(plan.warnings),
        "assumptions": assumptions,
        # What was recognised in the medicines, conditions and age (None when not screened).
        "screening": screening_document(plan.screening) if plan.screening is not None else None,
        # The direct taper shown beside a crossover where diazepam accumulates (else None).
        "alternative": plan_document(plan.alternative) if plan.alternative is not None else None,
    }
