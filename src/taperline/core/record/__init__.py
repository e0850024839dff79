"""What a person's record holds besides check-ins: profile, dose log and plan versions.

These are plain values that storage, exports and the web app share. A plan version is kept as
the steps a person follows (dates, dose times, amounts and how to make them) rather than the
planner's working objects, so that a stored or imported plan reads back exactly.

Plan versions are never overwritten: approving, holding or adjusting a plan makes a new
version whose ``parent_version`` is the one it came from. A plan is ``proposed`` until a
clinician approves it; only then is it ``active``.

>>> from datetime import date, datetime
>>> from taperline.core.quantity import Mass
>>> entry = DoseRecord(date(2027, 1, 5), "clonazepam", "22:00", Mass.of_mg("0.5"),
...                    datetime(2027, 1, 5, 23, 30), Mass.of_mg("0.5"))
>>> entry.status(late_after_h=1.0)
'late'

The package: :mod:`~taperline.core.record.entries` (the profile and the dose log),
:mod:`~taperline.core.record.steps` (a stored plan's steps, supply and basis, made from the
planner's result), :mod:`~taperline.core.record.versions` (plan versions and their
transitions), :mod:`~taperline.core.record.matching` (which planned dose a dose logged without
a date belongs to), :mod:`~taperline.core.record.current` (the regimen taken before a plan,
and the doses planned on a day) and :mod:`~taperline.core.record.person` (the whole record,
check-ins joined with the dose log).
"""

from __future__ import annotations

from taperline.core.record.current import (
    Regimen,
    check_regimen,
    doses_text,
    planned_on,
    read_doses,
)
from taperline.core.record.entries import AGE_BAND_YEARS as AGE_BAND_YEARS
from taperline.core.record.entries import AGE_BANDS, AgeBand, DoseRecord, DoseStatus, Profile
from taperline.core.record.entries import MAX_NAME as MAX_NAME
from taperline.core.record.entries import MAX_TEXT as MAX_TEXT
from taperline.core.record.matching import (
    day_text,
    describe_dose,
    last_struck,
    nearest_planned,
    nearest_struck,
    planned_around,
    planned_moment,
)
from taperline.core.record.person import PersonRecord, with_doses
from taperline.core.record.steps import (
    PlanBasis,
    RecordDose,
    RecordStep,
    RecordSupply,
    plan_steps,
    record_from_plan,
    record_steps,
)
from taperline.core.record.versions import MAX_POSTPONE_DAYS as MAX_POSTPONE_DAYS
from taperline.core.record.versions import (
    PLAN_STATUSES,
    PlanAction,
    PlanStatus,
    PlanVersion,
    catch_up,
    decision_base,
    in_force,
    postpone,
    resume,
    schedule_on,
    transition,
)

# The ``name as name`` imports are names outside __all__, importable from here as before.
__all__ = [
    "AGE_BANDS",
    "PLAN_STATUSES",
    "AgeBand",
    "DoseRecord",
    "DoseStatus",
    "PersonRecord",
    "PlanAction",
    "PlanBasis",
    "PlanStatus",
    "PlanVersion",
    "Profile",
    "RecordDose",
    "RecordStep",
    "RecordSupply",
    "Regimen",
    "catch_up",
    "check_regimen",
    "day_text",
    "decision_base",
    "describe_dose",
    "doses_text",
    "in_force",
    "last_struck",
    "nearest_planned",
    "nearest_struck",
    "plan_steps",
    "planned_around",
    "planned_moment",
    "planned_on",
    "postpone",
    "read_doses",
    "record_from_plan",
    "record_steps",
    "resume",
    "schedule_on",
    "transition",
    "with_doses",
]
