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
from typing import TYPE_CHECKING

from taperline.core.pk import DEFAULT_ED50_MG_PER_DAY, steady_state_occupancy
from taperline.core.record import PlanVersion

if TYPE_CHECKING:  # the readiness check is given by the caller, which made it
    from taperline.core.readiness import Readiness

__all__ = ["TaperProgress", "taper_progress"]

#: The drug whose ED50 the default is (clonazepam, mg a day) [MAUDSLEY-2024].
_OCCUPANCY_DRUG = "clonazepam"
_DAYS_PER_WEEK = 7


@dataclass(frozen=True, slots=True)
class TaperProgress:
    """The plan's first, current and last daily dose (mg), the way done so far, what is next.

    ``mg_done_pct`` and ``occupancy_done_pct`` are 0 at the first step and 100 at the last;
    ``occupancy_done_pct`` is None when not predicted (another drug, or no reduction planned).
    ``next_day``/``next_mg`` are the next change (None when none is planned, the plan is
    held, or a cut waits for the clinician); ``weeks`` are whole weeks since the plan started.
    ``asked_day``/``asked_mg``: a cut the readiness check held, a question until the clinician
    answers it (its day and new daily dose); ``now_mg`` is then the dose before it, the one
    the person is asked to stay on.
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
    asked_day: date | None = None
    asked_mg: float | None = None


def _share(start: float, now: float, end: float) -> float:
    return 100.0 * (start - now) / (start - end) if start != end else 0.0


def taper_progress(
    plan: PlanVersion, today: date, ready: Readiness | None = None
) -> TaperProgress | None:
    """How far ``plan`` has come on ``today`` (None before it starts).

    ``ready``: the readiness check of the cut in view. While it keeps the person on the dose
    before the cut (:attr:`~taperline.core.readiness.Readiness.stays_on_before`), that dose
    is the dose now; while the cut is a question no clinician has answered, it is not the
    next change (nor is any change after it, which the answer may move): ``asked_day`` and
    ``asked_mg`` say what waits for the answer.

    >>> from datetime import UTC, datetime
    >>> from taperline.core.quantity import Mass
    >>> from taperline.core.readiness import Readiness
    >>> from taperline.core.record import RecordDose, RecordStep
    >>> def step(day, mg):
    ...     dose = RecordDose("22:00", "clonazepam", Mass.of_mg(mg))
    ...     return RecordStep(date(2027, 1, day), (dose,))
    >>> before, cut, end = step(1, "1"), step(15, "0.5"), RecordStep(date(2027, 1, 29), ())
    >>> plan = PlanVersion(1, "active", "clonazepam", "fixed", (before, cut, end), "Dr A",
    ...                    datetime(2026, 12, 1, tzinfo=UTC))
    >>> held = Readiness(cut.start, date(2027, 1, 16), before, cut, "hold", ())
    >>> p = taper_progress(plan, date(2027, 1, 16), held)
    >>> p.now_mg, p.mg_done_pct, p.next_day, p.asked_day, p.asked_mg
    (1.0, 0.0, None, datetime.date(2027, 1, 15), 0.5)
    """
    steps = plan.followed_steps
    current = plan.step_on(today)
    if current is None or not steps:
        return None
    asked = ready.after if ready is not None and ready.is_question else None
    if ready is not None and ready.stays_on_before:
        current = ready.before
    start_mg = float(plan.steps[0].daily.mg)
    end_mg = float(plan.steps[-1].daily.mg)
    now_mg = float(current.daily.mg)
    later = [s for s in steps if s.start > today] if asked is None else []
    next_day, next_mg = (later[0].start, float(later[0].daily.mg)) if later else (None, None)
    if ready is not None and ready.finishes_on_before:  # the new dose from tomorrow
        next_day, next_mg = ready.new_dose_from, float(ready.after.daily.mg)
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
        next_day,
        next_mg,
        steps[0].start,
        (today - steps[0].start).days // _DAYS_PER_WEEK,
        asked.start if asked is not None else None,
        float(asked.daily.mg) if asked is not None else None,
    )
