"""The charts page: the taper chart over a range the reader picks, its text table, the progress.

One page for the patient (``/charts``) and the clinician (``/clinician/patients/{id}/charts``),
built here from one reading of the record (no I/O). The range is a plain query value
(``?range=2w|3m|all``), so the choice is three links that work without JavaScript; a value
that is not a range shows the default range with a message (:func:`pick_range`).

>>> pick_range("3m")[0].label, pick_range(None)[1], pick_range("9y")[0].key
('3 months', '', '2w')
>>> pick_range("9y")[1]
'"9y" is not a range: showing 2 weeks. Choose 2 weeks, 3 months or the whole taper.'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

from markupsafe import Markup

from taperline.adapters.svgcharts import ChartRow, chart_rows
from taperline.core.device_sleep import DeviceNight, with_device_nights
from taperline.core.pk import DEFAULT_ED50_MG_PER_DAY
from taperline.core.progress import TaperProgress, taper_progress
from taperline.core.record import PersonRecord, PlanVersion
from taperline.core.review import Review
from taperline.core.series import day_series, weekly
from taperline.service.today import readiness_of
from taperline.web.charts import taper_chart_markup
from taperline.web.views import finding_markers

__all__ = [
    "DEFAULT_RANGE",
    "ED50_MG_PER_DAY",
    "RANGES",
    "WEEKLY_AFTER_DAYS",
    "ChartPage",
    "ChartRange",
    "chart_page",
    "pick_range",
    "plan_end",
    "taper_start",
]

#: The occupancy's ED50 (mg a day): an assumption, shown to clinicians with its value.
ED50_MG_PER_DAY: Final = DEFAULT_ED50_MG_PER_DAY
#: A longer range is drawn and tabled as weekly means (as the PDF report does).
WEEKLY_AFTER_DAYS: Final = 120
#: The days shown when there is nothing to start the whole taper from.
_FALLBACK_DAYS: Final = 14


@dataclass(frozen=True, slots=True)
class ChartRange:
    """A range of the charts page: its query value, its words, its days (None: whole taper)."""

    key: str
    label: str
    days: int | None


RANGES: Final = (
    ChartRange("2w", "2 weeks", 14),
    ChartRange("3m", "3 months", 91),
    ChartRange("all", "The whole taper", None),
)
DEFAULT_RANGE: Final = RANGES[0]


@dataclass(frozen=True, slots=True)
class ChartPage:
    """What the charts page shows for one range."""

    range: ChartRange
    start: date
    end: date
    chart: Markup
    #: The chart's numbers as text, newest first (weeks when ``weekly``).
    rows: tuple[ChartRow, ...]
    weekly: bool
    progress: TaperProgress | None
    #: Why the range asked for is not the one shown ("" when it is).
    error: str = ""
    #: The reader's today: days after it (to ``end``, the plan's end) are the plan's only.
    today: date | None = None
    #: The first day of the plan's last step (today when that is past, or without a plan).
    plan_end: date | None = None

    @property
    def has_device_sleep(self) -> bool:
        """Whether any row has device sleep (the table then has the device's columns)."""
        return any(row.device_slept or row.device_se for row in self.rows)

    @property
    def planned_ahead(self) -> bool:
        """Whether the chart goes on past today (the whole taper, to the plan's end)."""
        return self.today is not None and self.end > self.today


def pick_range(given: str | None) -> tuple[ChartRange, str]:
    """The range asked for, or the default and a message saying why (never an error)."""
    if given is None or given == "":
        return DEFAULT_RANGE, ""
    for found in RANGES:
        if found.key == given:
            return found, ""
    shown = given[:20]
    return DEFAULT_RANGE, (
        f'"{shown}" is not a range: showing {DEFAULT_RANGE.label.lower()}.'
        " Choose 2 weeks, 3 months or the whole taper."
    )


def taper_start(record: PersonRecord, today: date) -> date:
    """The first day of the whole taper: the first plan step, check-in or dose, whichever first.

    >>> from taperline.core.record import Profile
    >>> taper_start(PersonRecord(Profile("Europe/London")), date(2027, 3, 1))
    datetime.date(2027, 2, 16)
    """
    firsts = [p.steps[0].start for p in record.plans if p.steps]
    firsts += [c.wake_date for c in record.checkins[:1]]
    firsts += [min(d.day for d in record.doses)] if record.doses else []
    found = min(firsts, default=today - timedelta(days=_FALLBACK_DAYS - 1))
    return min(found, today)


def chart_page(
    record: PersonRecord,
    today: date,
    review: Review,
    chosen: ChartRange,
    *,
    prefix: str = "range",
    error: str = "",
    device_nights: Callable[[date, date], Sequence[DeviceNight]] | None = None,
) -> ChartPage:
    """The chart of ``chosen`` up to ``today``, findings marked, its table and the progress.

    The whole taper goes on to the plan's end (:func:`plan_end`): the steps after today are
    drawn dashed, and their rows say "planned"; the journal stops at today.
    """
    plan = record.plan
    if chosen.days is None:
        start, end = taper_start(record, today), plan_end(plan, today)
        if end > today and (end - start).days + 1 > WEEKLY_AFTER_DAYS:
            end += timedelta(days=-((end - start).days + 1) % 7)  # the last week whole
    else:
        start, end = today - timedelta(days=chosen.days - 1), today
    days = day_series(record, start, end)
    if device_nights is not None:  # device sleep beside the diary (docs/device-sleep.md)
        days = with_device_nights(days, device_nights(start, min(end, today)))
    by_week = len(days) > WEEKLY_AFTER_DAYS
    if by_week:
        days = weekly(days)
    title = f"{chosen.label}: dose, sleep and symptoms" + (" (weekly means)" if by_week else "")
    chart = taper_chart_markup(
        days,
        finding_markers(review.findings),
        title=title,
        chart_id=f"{prefix}-{chosen.key}",
        today=today,
    )
    rows = [
        replace(row, dose=f"{row.dose} (planned)") if d.day > today and row.dose else row
        for d, row in zip(days, chart_rows(days), strict=True)
    ]
    return ChartPage(
        chosen,
        start,
        end,
        chart,
        tuple(rows[::-1]),
        by_week,
        taper_progress(plan, today, readiness_of(record, today, review)) if plan else None,
        error,
        today,
        plan_end(plan, today),
    )


def plan_end(plan: PlanVersion | None, today: date) -> date:
    """The first day of the plan's last step followed, or today when that is past (or no plan).

    A held plan ends on its held step (:attr:`~taperline.core.record.PlanVersion.followed_steps`):
    no cut on hold is drawn as to come.
    """
    if plan is None:
        return today
    return max(today, plan.followed_steps[-1].start)
