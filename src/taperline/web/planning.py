"""The plan builder: a planner request from the builder's fields and the person's profile.

The same rules as ``taperline plan`` (the core planner refuses what is unsafe); strategies
can be compared side by side (custom and crossover plans are built one at a time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

from taperline.core.catalogue import Catalogue, Drug
from taperline.core.plan import Constraints, PlanRequest
from taperline.core.quantity import fmt
from taperline.core.record import PlanVersion, Profile
from taperline.core.regimen import ScheduledDose, daily_total
from taperline.core.strategies import Strategy, StrategyKind, nice_diazepam_bands
from taperline.errors import InputError
from taperline.web.forms import FormInput

__all__ = [
    "BUILDER_STRATEGIES",
    "COMPARABLE",
    "BuilderInput",
    "builder_defaults",
    "plan_request",
    "read_builder",
]

BUILDER_STRATEGIES: Final[tuple[StrategyKind, ...]] = (
    "percent",
    "deprescribing",
    "occupancy",
    "fixed",
    "crossover",
)
COMPARABLE: Final[tuple[StrategyKind, ...]] = ("percent", "deprescribing", "occupancy", "fixed")
DOSE_ROWS: Final = 3


@dataclass(frozen=True, slots=True)
class BuilderInput:
    """What the builder form holds, checked."""

    drug: str
    doses: tuple[tuple[str, str], ...]
    strategy: StrategyKind
    percent: int
    every_days: int
    stabilise_days: int
    start: date
    compare: tuple[StrategyKind, ...]


def builder_defaults(plan: PlanVersion | None, today: date) -> dict[str, Any]:
    """Form values: the dose in force today when there is a plan, else 1 mg at 22:00."""
    rows = [("1 mg", "22:00")]
    drug = "clonazepam"
    step = plan.step_on(today) if plan else None
    if plan is not None and step is not None and step.doses:
        drug = plan.drug
        rows = [(fmt(d.amount), d.clock) for d in step.doses if d.drug == plan.drug] or rows
    fields: dict[str, Any] = {
        "drug": drug,
        "strategy": "percent",
        "percent": "10",
        "every_days": "14",
        "stabilise_days": "14",
        "start": today.isoformat(),
        "compare": list(COMPARABLE[:3]),
    }
    for i in range(DOSE_ROWS):
        dose, clock = rows[i] if i < len(rows) else ("", "")
        fields[f"dose_{i}"], fields[f"time_{i}"] = dose, clock
    return fields


def read_builder(form: FormInput) -> BuilderInput:
    """Check the builder's fields; each error names its field."""
    strategy = form.text("strategy", "percent", max_len=20)
    if strategy not in BUILDER_STRATEGIES:
        raise InputError(f"strategy: choose one of {', '.join(BUILDER_STRATEGIES)}")
    compare = tuple(k for k in form.texts("compare", max_len=20) if k in COMPARABLE)
    doses = []
    for i in range(DOSE_ROWS):
        dose, clock = form.text(f"dose_{i}", max_len=30), form.text(f"time_{i}", max_len=10)
        if dose or clock:
            if not (dose and clock):
                raise InputError(f"dose {i + 1}: give both the amount and the time")
            doses.append((dose, clock))
    if not doses:
        raise InputError("dose 1: give the current dose and its time, e.g. 1 mg at 22:00")
    return BuilderInput(
        drug=form.text("drug", "clonazepam", max_len=40),
        doses=tuple(doses),
        strategy=strategy,
        percent=form.integer("percent", 1, 50, default=10),
        every_days=form.integer("every_days", 7, 56, default=14),
        stabilise_days=form.integer("stabilise_days", 1, 56, default=14),
        start=form.day("start"),
        compare=compare,
    )


def _regimen(drug: Drug, doses: tuple[tuple[str, str], ...]) -> tuple[ScheduledDose, ...]:
    from taperline.web.forms import parse_clock

    schedule = []
    for i, (text, clock_text) in enumerate(doses, start=1):
        clock = parse_clock(f"time {i}", clock_text)
        schedule.append(ScheduledDose(clock.hour + clock.minute / 60, drug.parse_dose(text)))
    drug.check_daily_dose(daily_total(schedule))
    return tuple(schedule)


def _strategy(kind: StrategyKind, given: BuilderInput, drug: Drug) -> Strategy:
    from taperline.core.compare import default_fixed_bands

    base: dict[str, Any] = {"percent": Decimal(given.percent), "interval_days": given.every_days}
    if kind == "crossover":
        then = Strategy(kind="fixed", bands=nice_diazepam_bands(given.every_days), **base)
        return Strategy(kind="crossover", then=then, **base)
    if kind == "fixed":
        return Strategy(kind="fixed", bands=default_fixed_bands(drug), **base)
    return Strategy(kind=kind, **base)


def plan_request(catalogue: Catalogue, given: BuilderInput, profile: Profile) -> PlanRequest:
    """The planner request for the builder's input and the person's profile."""
    drug = catalogue.get(given.drug)
    target = catalogue.get("diazepam") if drug.name != "diazepam" else None
    if given.strategy == "crossover" and target is None:
        raise InputError("strategy: a crossover switches to diazepam; this plan is diazepam")
    return PlanRequest(
        drug=drug,
        regimen=_regimen(drug, given.doses),
        start=given.start,
        strategy=_strategy(given.strategy, given, drug),
        constraints=Constraints(stabilisation_days=given.stabilise_days),
        age_years=profile.age_years,
        conditions=profile.conditions,
        other_medicines=profile.other_medicines,
        target=target,
    )
