"""The plan builder: a :class:`~taperline.plan_input.PlanSpec` from the builder's fields.

The form's fields carry the shared plan fields' names (``percent``, ``every``, ``cap_pct``,
``override_reason``, ``bands``, ``custom``...), so the builder, ``taperline plan`` and the
JSON API read the same text the same way (:func:`taperline.plan_input.build_request`) and the
planner refuses an unsafe plan with the same message on each. Age, conditions and other
medicines come from the patient's profile. Strategies can be compared side by side (custom
plans are built one at a time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from taperline.core.catalogue import Catalogue
from taperline.core.plan import Plan, PlanRequest
from taperline.core.quantity import fmt
from taperline.core.record import PlanVersion, Profile
from taperline.core.strategies import StrategyKind
from taperline.errors import InputError
from taperline.plan_input import STRATEGY_CHOICES, THEN_CHOICES, PlanSpec, build_request
from taperline.web.charts import StrategyLine
from taperline.web.forms import FormInput

__all__ = [
    "BUILDER_STRATEGIES",
    "COMPARABLE",
    "TEXT_FIELDS",
    "BuilderInput",
    "builder_defaults",
    "plan_request",
    "read_builder",
    "spec_from_profile",
    "strategy_lines",
]

BUILDER_STRATEGIES: Final[tuple[str, ...]] = STRATEGY_CHOICES
COMPARABLE: Final[tuple[StrategyKind, ...]] = ("percent", "deprescribing", "occupancy", "fixed")
DOSE_ROWS: Final = 3
#: The builder's text fields beyond the doses, with their default text (the guideline's).
TEXT_FIELDS: Final[dict[str, str]] = {
    "percent": "10",
    "every": "14d",
    "stabilise": "14d",
    "cap_pct": "25",
    "override_reason": "",
    "goal": "",
    "products": "",
    "bands": "",
    "custom": "",
    "reason": "",
    "equivalence": "",
    "holds": "",
    "min_step": "",
    "final_hold": "",
    "then": "fixed",
    "ed50": "",
    "swap_every": "7d",
    "used_for": "",
}


@dataclass(frozen=True, slots=True)
class BuilderInput:
    """What the builder form holds: the plan fields and the strategies to compare."""

    spec: PlanSpec
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
        "start": today.isoformat(),
        "compare": list(COMPARABLE[:3]),
        "auto_liquid": "on",
        **TEXT_FIELDS,
    }
    for i in range(DOSE_ROWS):
        dose, clock = rows[i] if i < len(rows) else ("", "")
        fields[f"dose_{i}"], fields[f"time_{i}"] = dose, clock
    return fields


def read_builder(form: FormInput, profile: Profile) -> BuilderInput:
    """Check the builder's fields (each error names its field) into a plan spec."""
    strategy = form.text("strategy", "percent", max_len=20)
    if strategy not in BUILDER_STRATEGIES:
        raise InputError(f"strategy: choose one of {', '.join(BUILDER_STRATEGIES)}")
    then = form.text("then", "fixed", max_len=20)
    if then not in THEN_CHOICES:
        raise InputError(f"then: choose one of {', '.join(THEN_CHOICES)}")
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
    text = {name: form.text(name, default, max_len=2000) for name, default in TEXT_FIELDS.items()}
    holds = tuple(h.strip() for h in text.pop("holds").split(",") if h.strip())
    spec = spec_from_profile(
        profile,
        drug=form.text("drug", "clonazepam", max_len=40),
        doses=tuple(doses),
        strategy=strategy,
        start=form.text("start", max_len=20) or None,
        holds=holds,
        auto_liquid=form.has("auto_liquid"),
        alternate_days=form.has("alternate_days"),
        **{k: (v or None) if k in _OPTIONAL else v for k, v in text.items()},
    )
    return BuilderInput(spec, compare)


_OPTIONAL: Final = frozenset(
    (
        "override_reason",
        "goal",
        "products",
        "bands",
        "custom",
        "equivalence",
        "min_step",
        "final_hold",
        "ed50",
        "used_for",
    )
)  # fmt: skip -- one line per row of names reads better than one name a line


def spec_from_profile(profile: Profile, **fields: Any) -> PlanSpec:
    """A plan spec with the patient's age, conditions and other medicines from the profile."""
    return PlanSpec(
        age=profile.age_years,
        conditions=profile.conditions,
        others=profile.other_medicines,
        **fields,
    )


def plan_request(catalogue: Catalogue, given: BuilderInput, today: date) -> PlanRequest:
    """The planner request for the builder's input (the shared parser)."""
    return build_request(catalogue, given.spec, today=today)


def strategy_lines(plans: Sequence[Plan]) -> list[StrategyLine]:
    """Each compared plan as a line of the strategy chart: its steps' start and mg a day."""
    return [
        StrategyLine(p.strategy, tuple((s.start, float(s.daily.mg)) for s in p.steps))
        for p in plans
    ]
