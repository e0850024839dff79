"""The taper planner: a proposal of steps made of real products, each with its rule and source.

The planner walks from the current regimen to the goal. At each step a strategy proposes an
ideal daily dose (:mod:`taperline.core.strategies`); the planner makes it from the
available products, keeps it within what the rules allow and records why. Every plan it
returns has passed the one rules engine, :mod:`taperline.core.rules` (the same check a
stored plan's later edit or an imported plan passes):

* never an increase, except in a clinician's custom step with a written reason;
* never above the drug's daily maximum for the indication (a starting regimen above it is
  refused);
* no fall above the cap (25 % in any 14-day window [ASAM-2025]) unless an override reason
  is recorded; near the end a fall of at most diazepam 0.5 mg equivalent is allowed
  [NICE-CKS; SEED-MICROTAPER: "cuts as small as 0.025 mg"];
* settings beyond the guideline (a larger cap, a stabilisation under 14 days, a percent or
  interval that breaks the window) need an override reason; an overridden plan is marked
  "outside the guideline by clinician override: <reason>";
* never faster than the fastest documented discontinuation (0.25 mg a day every 3 days
  [LABEL]), and never an abrupt stop: the last step to zero comes from the smallest
  makeable dose; no override lifts these;
* when the products cannot make a cut within the rules, the plan says so and proposes a
  liquid or compounded strength instead of silently taking bigger cuts.

A plan is always ``proposed``: a clinician approves it.

The package: :mod:`~taperline.core.plan.model` (the request and the plan),
:mod:`~taperline.core.plan.walk` (the walk's state, making one step),
:mod:`~taperline.core.plan.taper` (the taper loop), :mod:`~taperline.core.plan.custom` (custom
steps and the crossover) and :mod:`~taperline.core.plan.planner` (:func:`propose` and its rules
glue: the start checks, the rules engine's check, supply, warnings, assumptions).
"""

from __future__ import annotations

from taperline.core.guideline import END_PHASE_DIAZEPAM_MG
from taperline.core.plan.model import ALTERNATE_DAY_INTERVAL_H as ALTERNATE_DAY_INTERVAL_H
from taperline.core.plan.model import ALTERNATE_DAY_MIN_HALF_LIFE_H as ALTERNATE_DAY_MIN_HALF_LIFE_H
from taperline.core.plan.model import COARSE_FACTOR as COARSE_FACTOR
from taperline.core.plan.model import DEFAULT_MAX_MEASURE as DEFAULT_MAX_MEASURE
from taperline.core.plan.model import DIAZEPAM as DIAZEPAM
from taperline.core.plan.model import DIAZEPAM_REFERENCE_MG as DIAZEPAM_REFERENCE_MG
from taperline.core.plan.model import HIGH_RISK_DIAZEPAM_MG as HIGH_RISK_DIAZEPAM_MG
from taperline.core.plan.model import MAX_STEPS as MAX_STEPS
from taperline.core.plan.model import MAX_WAIT_DAYS as MAX_WAIT_DAYS
from taperline.core.plan.model import OLDER_ADULT_AGE_YEARS as OLDER_ADULT_AGE_YEARS
from taperline.core.plan.model import Constraints, Hold, Plan, PlannedDose, PlanRequest, PlanStep
from taperline.core.plan.planner import propose
from taperline.core.plan.planner import supply as supply
from taperline.core.plan.walk import _makeable_for as _makeable_for
from taperline.core.record import RecordSupply as SupplyLine

# The ``name as name`` imports are names outside __all__, importable from here as before.
__all__ = [
    "END_PHASE_DIAZEPAM_MG",
    "Constraints",
    "Hold",
    "Plan",
    "PlanRequest",
    "PlanStep",
    "PlannedDose",
    "SupplyLine",
    "propose",
]
