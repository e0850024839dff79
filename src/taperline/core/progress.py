"""Where a person is on their taper: dose now, how far they have come, what comes next.

How far is said two ways: in mg (the share of the planned reduction made so far) and in
predicted receptor occupancy at steady state (Emax model, ``D / (D + ED50)`` [MAUDSLEY-2024],
ED50 an assumption; clonazepam only, the drug its default ED50 is for). The two differ:
the last mg cost the most occupancy, which is why a hyperbolic taper slows down at the end.

>>> from datetime import UTC, date, datetime
>>> from taperline.core.quantity import Mass
>>> from taperline.core.record import PlanVersion, RecordDose, RecordStep
>>> def step(day, mg):
...     return RecordStep(date(2027, 1, day), (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),))
>>> plan = PlanVersion(1, "active", "clonazepam", "fixed",
...                    (step(1, "1"), step(15, "0.5"), RecordStep(date(2027, 1, 29), ())), "Dr A",
...                    datetime(2026, 12, 1, tzinfo=UTC))
>>> p = taper_progress(plan, date(2027, 1, 20))
>>> p.now_mg, p.mg_done_pct, round(p.occupancy_done_pct or 0, 1), p.next_day, p.next_mg, p.weeks
(0.5, 50.0, 40.0, datetime.date(2027, 1, 29), 0.0, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from taperline.core.pk import DEFAULT_ED50_MG_PER_DAY, steady_state_occupancy
from taperline.core.record import PlanVersion

__all__ = ["TaperProgress", "taper_progress"]

#: The drug whose ED50 the default is (clonazepam, mg a day) [MAUDSLEY-2024].
_OCCUPANCY_DRUG = "clonazepam"
_DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class TaperProgress:
    """The plan's first, current and last daily dose (mg), the way done so far, what is next.

    ``mg_done_pct`` and ``occupancy_done_pct`` are 0 at the first step and 100 at the last;
    ``occupancy_done_pct`` is None when not predicted (another drug, or no reduction planned).
    ``next_day``/``next_mg`` are the next change (None when none is planned or the plan is
    held); ``weeks`` are whole weeks since the plan started.
    """

    start_mg: float
    now_mg: float
    end_mg: float
    mg_done_pct: float
    occupancy_done_pct: float | None
    next_day: date | None
    next_mg: float | None
    started: date
    weeks: int


def _share(start: float, now: float, end: float) -> float:
    return 100.0 * (start - now) / (start - end) if start != end else 0.0


def taper_progress(plan: PlanVersion, today: date) -> TaperProgress | None:
    """How far ``plan`` has come on ``today`` (None before it starts)."""
    steps = plan.followed_steps
    current = plan.step_on(today)
    if current is None or not steps:
        return None
    start_mg = float(plan.steps[0].daily.mg)
    end_mg = float(plan.steps[-1].daily.mg)
    now_mg = float(current.daily.mg)
    later = [s for s in steps if s.start > today]
    occupancy = None
    if plan.drug == _OCCUPANCY_DRUG and start_mg != end_mg:
        start_occ, now_occ, end_occ = (
            steady_state_occupancy(mg, DEFAULT_ED50_MG_PER_DAY) for mg in (start_mg, now_mg, end_mg)
        )
        occupancy = _share(start_occ, now_occ, end_occ)
    return TaperProgress(
        start_mg,
        now_mg,
        end_mg,
        _share(start_mg, now_mg, end_mg),
        occupancy,
        later[0].start if later else None,
        float(later[0].daily.mg) if later else None,
        steps[0].start,
        (today - steps[0].start).days // _DAYS_PER_WEEK,
    )
