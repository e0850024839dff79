"""The planner's request and its answer: :class:`PlanRequest`, :class:`Plan` and its steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from taperline.core import rules
from taperline.core.catalogue import Drug, Indication
from taperline.core.guideline import GUIDELINE
from taperline.core.products import Composition, Product
from taperline.core.quantity import Mass, Volume
from taperline.core.record import PlanBasis
from taperline.core.record import RecordSupply as SupplyLine
from taperline.core.regimen import ScheduledDose
from taperline.core.screening import Screening
from taperline.core.strategies import Strategy
from taperline.errors import InputError

_HUNDRED = Decimal(100)
DIAZEPAM = "diazepam"
DIAZEPAM_REFERENCE_MG = Decimal(10)  # equivalences are "equivalent to diazepam 10 mg"
DEFAULT_MAX_MEASURE = Volume(Decimal(5))
HIGH_RISK_DIAZEPAM_MG = Decimal(15)  # [ASAM-2025] high withdrawal-risk band
# A cut more than 1.5 times the planned one means the products are too coarse for the strategy.
COARSE_FACTOR = Decimal("1.5")
#: Crossover to diazepam for these people needs a warning: diazepam accumulates with age and
#: liver disease [KLOTZ-1975; clinical-basis, Safety facts added 2026-12].
OLDER_ADULT_AGE_YEARS = 65  # [BEERS-2023]
MAX_STEPS = 400  # a plan longer than this is a modelling error, not a taper
#: The label's rate frees a cut within 45 days of the last one (15 steps of 0.25 mg over
#: 3 days each); waiting longer than this for it means something else holds the cut back.
MAX_WAIT_DAYS = 60
ALTERNATE_DAY_MIN_HALF_LIFE_H = 24.0  # alternate days only when levels span 48 h [ASHTON]
ALTERNATE_DAY_INTERVAL_H = 48.0


@dataclass(frozen=True, slots=True)
class Hold:
    """A period with no cut (holidays, exams, illness): steps inside it move to its end."""

    start: date
    days: int

    def __post_init__(self) -> None:
        if self.days < 1:
            raise InputError(
                f"a hold from {self.start.isoformat()} must last at least 1 day "
                f"(got {self.days}): its end cannot be before its start"
            )


@dataclass(frozen=True, slots=True)
class Constraints:
    """Safety constraints of a plan (the guideline's values by default).

    An ``override_reason`` lifts the guideline's cap and lets settings go beyond the
    guideline; it must be a sentence a colleague could audit
    (:func:`taperline.core.rules.check_reason`). A cap other than the guideline's is kept
    even with an override.
    """

    max_cut_pct: Decimal = GUIDELINE.max_cut_pct  # [ASAM-2025]
    cap_window_days: int = GUIDELINE.window_days  # [ASAM-2025]
    stabilisation_days: int = GUIDELINE.stabilisation_days  # [SEED-MICROTAPER]
    min_step: Mass | None = None
    holds: tuple[Hold, ...] = ()
    override_reason: str | None = None
    final_hold_days: int = 0

    def __post_init__(self) -> None:
        if not (0 < self.max_cut_pct < _HUNDRED):
            raise InputError("the cap must be between 0 and 100 %")
        if self.stabilisation_days < 1:
            # Step 0 is the current dose on the start day; the first cut comes after it.
            raise InputError("stabilisation must be at least 1 day before the first cut")
        if self.final_hold_days < 0:
            raise InputError("hold days cannot be negative")
        if self.cap_window_days < 1:
            raise InputError("the cap window must be at least 1 day")
        if self.override_reason is not None:
            reason = rules.check_reason(self.override_reason)
            object.__setattr__(self, "override_reason", reason)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything the planner needs; built and validated by the interfaces."""

    drug: Drug
    regimen: tuple[ScheduledDose, ...]
    start: date
    strategy: Strategy
    goal: Mass = field(default_factory=Mass.zero)
    constraints: Constraints = field(default_factory=Constraints)
    products: tuple[Product, ...] | None = None
    use_months: Decimal | None = None
    age_years: int | None = None
    conditions: tuple[str, ...] = ()
    other_medicines: tuple[str, ...] = ()
    equivalence_source: str | None = None
    target: Drug | None = None
    target_products: tuple[Product, ...] | None = None
    alternate_days: bool = False
    add_finer_products: bool = True
    # One oral-syringe measure holds at most this much, so tablets carry the bulk of a dose
    # and the liquid the fine part (taperline's assumption; None for no limit).
    max_measure: Volume | None = DEFAULT_MAX_MEASURE
    #: What the drug is taken for ("seizure", "panic", "sleep"); None: the lowest maximum.
    indication: Indication | None = None
    #: The person's today: a plan may not start before it (None when unknown, in tests).
    today: date | None = None
    #: What the other medicines, conditions and age mean for the drug
    #: (:func:`taperline.core.screening.screen`); the interfaces always give it.
    screening: Screening | None = None


@dataclass(frozen=True, slots=True)
class PlannedDose:
    """One dose of a step: clock time, drug, amount and the units that make it."""

    clock_h: float
    drug: str
    amount: Mass
    composition: Composition | None

    @property
    def clock(self) -> str:
        """HH:MM."""
        return ScheduledDose(self.clock_h, self.amount).clock


@dataclass(frozen=True, slots=True)
class PlanStep:
    """One step of the plan: from ``start`` these doses, because of ``rule`` [``source``]."""

    start: date
    doses: tuple[PlannedDose, ...]
    daily: Mass
    reference_daily: Mass
    change_pct: Decimal | None
    rule: str
    source: str
    occupancy_pct: float
    css_average_ng_per_ml: Mapping[str, float]
    every_other_day: bool = False
    note: str = ""
    reason: str = ""  # the clinician's reason written on a custom step

    @property
    def drugs(self) -> tuple[str, ...]:
        """The drugs taken in this step, in dose order."""
        return tuple(dict.fromkeys(dose.drug for dose in self.doses))


@dataclass(frozen=True, slots=True)
class Plan:
    """A taper proposal: steps, supply, warnings, assumptions; always ``proposed``."""

    drug: str
    strategy: str
    steps: tuple[PlanStep, ...]
    end: date
    complete: bool
    supply: tuple[SupplyLine, ...]
    warnings: tuple[str, ...]
    assumptions: Mapping[str, str]
    status: str = "proposed"
    basis: PlanBasis = field(default_factory=PlanBasis)
    #: What was recognised in the other medicines, conditions and age (None: not screened).
    screening: Screening | None = field(default=None, compare=False)
    #: The direct taper shown beside a crossover where diazepam accumulates (65+, liver).
    alternative: Plan | None = None

    @property
    def mark(self) -> str:
        """'outside the guideline by clinician override: <reason>', or '' within it."""
        return self.basis.mark

    @property
    def duration_days(self) -> int:
        """Days from the start of the plan to the last step (the first day at the goal)."""
        return (self.end - self.steps[0].start).days

    @property
    def largest_step_pct(self) -> Decimal:
        """The largest cut of any step, in % of the dose before it."""
        cuts = [-s.change_pct for s in self.steps if s.change_pct is not None and s.change_pct < 0]
        return max(cuts, default=Decimal(0))

    @property
    def smallest_dose_before_zero(self) -> Mass | None:
        """The last non-zero daily dose, when the plan ends at zero."""
        positive = [s for s in self.steps if s.daily.mg > 0]
        ends_at_zero = self.steps[-1].daily.mg == 0
        return positive[-1].daily if positive and ends_at_zero else None
