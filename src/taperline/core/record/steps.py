"""A stored plan's steps, doses, supply and basis, and the planner's result made into them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from taperline.core.guideline import GUIDELINE, override_mark
from taperline.core.journal import check_text
from taperline.core.quantity import Mass, fmt
from taperline.core.record.entries import MAX_TEXT, _check_clock
from taperline.errors import InputError

if TYPE_CHECKING:  # the planner (and NumPy) load only when a plan is converted
    from taperline.core.plan import Plan, PlanStep


@dataclass(frozen=True, slots=True)
class RecordDose:
    """One dose of a step: clock time, drug, amount and how to make it."""

    clock: str
    drug: str
    amount: Mass
    instructions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_clock("clock", self.clock)
        if self.amount.mg <= 0:
            raise InputError(f"a plan dose must be above zero, got {fmt(self.amount)}")
        check_text("plan dose", self.drug, *self.instructions)

    @property
    def clock_h(self) -> float:
        """The clock time in hours after midnight."""
        hours, minutes = (int(part) for part in self.clock.split(":"))
        return hours + minutes / 60


@dataclass(frozen=True, slots=True)
class RecordStep:
    """One step of a stored plan. A step with no doses is the end of the taper (0 mg)."""

    start: date
    doses: tuple[RecordDose, ...]
    rule: str = ""
    source: str = ""
    every_other_day: bool = False
    note: str = ""
    #: The clinician's own reason for this step (a custom step), required for any increase.
    reason: str = ""

    @staticmethod
    def legacy_reason(note: str) -> str:
        """The clinician's reason of a step stored before reasons were kept (migration 0004).

        Its note said "increase by the clinician: <reason>".

        >>> RecordStep.legacy_reason("increase by the clinician: breakthrough seizures")
        'breakthrough seizures'
        """
        marker = "increase by the clinician: "
        first = note.split("; ", maxsplit=1)[0]
        return first[len(marker) :].strip() if first.startswith(marker) else ""

    @property
    def daily(self) -> Mass:
        """The day's total over all drugs (a crossover step lists its drugs' doses)."""
        return Mass.of_mg(sum((d.amount.mg for d in self.doses), Decimal(0)))

    def daily_by_drug(self) -> dict[str, Mass]:
        """The day's total for each drug."""
        totals: dict[str, Decimal] = {}
        for dose in self.doses:
            totals[dose.drug] = totals.get(dose.drug, Decimal(0)) + dose.amount.mg
        return {drug: Mass.of_mg(mg) for drug, mg in totals.items()}


@dataclass(frozen=True, slots=True)
class RecordSupply:
    """What to dispense for one period: product and count (tablets, capsules or mL).

    The planner makes these (``taperline.core.plan`` calls them ``SupplyLine``).
    """

    period_start: date
    period_end: date
    drug: str
    product: str
    count: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class PlanBasis:
    """The rule settings a plan was made under, kept with every version of it.

    Every later change (an adjust, a resume after a hold, an import) is checked by
    :mod:`taperline.core.rules` against these, so no edit gets round what the proposal was
    held to. ``outside_guideline`` lists what an override allowed, one line each (empty when
    the plan keeps to the guideline); ``smallest_doses`` is the smallest makeable dose of
    each drug with the plan's products (the stop rule); ``equivalence_source`` and
    ``indication`` are empty for the catalogue's default and "not given".

    >>> basis = PlanBasis(override_reason="inpatient unit, supervised daily",
    ...                   outside_guideline=("a 33 % cut within 14 days",))
    >>> basis.mark
    'outside the guideline by clinician override: inpatient unit, supervised daily'
    >>> PlanBasis().mark
    ''
    """

    max_cut_pct: Decimal = GUIDELINE.max_cut_pct
    window_days: int = GUIDELINE.window_days
    stabilisation_days: int = GUIDELINE.stabilisation_days
    override_reason: str = ""
    equivalence_source: str = ""
    indication: str = ""
    smallest_doses: tuple[tuple[str, Mass], ...] = ()
    outside_guideline: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.max_cut_pct < 100:  # noqa: PLR2004 -- a percentage
            raise InputError("the cap must be between 0 and 100 %")
        if self.window_days < 1 or self.stabilisation_days < 1:
            raise InputError("the cap window and the stabilisation must be at least 1 day")
        if len(self.override_reason) > MAX_TEXT:
            raise InputError(f"the override reason is longer than {MAX_TEXT} characters")
        check_text("plan basis", self.override_reason, self.equivalence_source, self.indication)
        check_text("plan basis", *self.outside_guideline, *(d for d, _ in self.smallest_doses))

    @property
    def mark(self) -> str:
        """'outside the guideline by clinician override: <reason>', or '' within it."""
        return override_mark(self.override_reason) if self.outside_guideline else ""

    def smallest(self) -> dict[str, Mass]:
        """The smallest makeable dose by drug."""
        return dict(self.smallest_doses)

    def to_json(self) -> dict[str, object]:
        """The basis as JSON (decimals as exact strings); :meth:`from_json` reads it back.

        >>> PlanBasis.from_json(PlanBasis(smallest_doses=(("clonazepam", Mass.of_mg("0.125")),
        ...     )).to_json()).smallest()
        {'clonazepam': Mass(value=Decimal('0.125'), unit='mg')}
        """
        return {
            "max_cut_pct": format(self.max_cut_pct, "f"),
            "window_days": self.window_days,
            "stabilisation_days": self.stabilisation_days,
            "override_reason": self.override_reason,
            "equivalence_source": self.equivalence_source,
            "indication": self.indication,
            "smallest_doses_mg": {drug: format(m.mg, "f") for drug, m in self.smallest_doses},
            "outside_guideline": list(self.outside_guideline),
        }

    @classmethod
    def from_json(cls, document: Mapping[str, object]) -> PlanBasis:
        """The basis :meth:`to_json` wrote; missing keys take the guideline's values."""
        default = cls()
        smallest = document.get("smallest_doses_mg") or {}
        outside = document.get("outside_guideline") or []
        if not isinstance(smallest, Mapping) or not isinstance(outside, list):
            raise InputError("plan basis: smallest_doses_mg and outside_guideline are malformed")
        try:
            return cls(
                max_cut_pct=Decimal(str(document.get("max_cut_pct", default.max_cut_pct))),
                window_days=int(str(document.get("window_days", default.window_days))),
                stabilisation_days=int(
                    str(document.get("stabilisation_days", default.stabilisation_days))
                ),
                override_reason=str(document.get("override_reason") or ""),
                equivalence_source=str(document.get("equivalence_source") or ""),
                indication=str(document.get("indication") or ""),
                smallest_doses=tuple(
                    (str(drug), Mass.of_mg(str(mg))) for drug, mg in sorted(smallest.items())
                ),
                outside_guideline=tuple(str(line) for line in outside),
            )
        except (ArithmeticError, ValueError) as error:
            raise InputError(f"plan basis: {error}") from None

    @classmethod
    def legacy(cls, steps: Sequence[RecordStep]) -> PlanBasis:
        """The basis of a plan stored before bases were kept (migration 0004).

        The guideline's values, and the override reason its steps recorded ("cap
        overridden: <reason>"), if any.
        """
        marker = "cap overridden: "
        for step in steps:
            for part in step.note.split("; "):
                if part.startswith(marker) and part[len(marker) :].strip():
                    return cls(override_reason=part[len(marker) :].strip())
        return cls()


def record_from_plan(plan: Plan) -> tuple[RecordStep, ...]:
    """The steps of a planner result as stored steps (instructions kept, working data not)."""
    return record_steps(plan.steps)


def record_steps(planned: Sequence[PlanStep]) -> tuple[RecordStep, ...]:
    """Planner steps as the steps a person follows (what is stored and what the rules check)."""
    steps = []
    for step in planned:
        doses = tuple(
            RecordDose(
                f"{int(d.clock_h):02d}:{round((d.clock_h % 1) * 60):02d}",
                d.drug,
                d.amount,
                tuple(d.composition.instructions) if d.composition else (),
            )
            for d in step.doses
            if d.amount.mg > 0
        )
        steps.append(
            RecordStep(
                step.start,
                doses,
                step.rule,
                step.source,
                step.every_other_day,
                step.note,
                step.reason,
            )
        )
    return tuple(steps)


def plan_steps(plan: Plan) -> tuple[tuple[RecordStep, ...], tuple[RecordSupply, ...]]:
    """Stored steps and supply lines of a planner result."""
    return record_from_plan(plan), tuple(plan.supply)
