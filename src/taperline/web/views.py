"""What the pages show, built from one read of a person's record (no I/O here).

The dashboard, the plan calendar and the journal all come from a
:class:`~taperline.core.record.PersonRecord` and "today" in the person's own time zone,
using the core's review (the charts show the numbers of :func:`~taperline.service.glance`).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from markupsafe import Markup

from taperline.core.device_sleep import DeviceNight, with_device_nights
from taperline.core.findings import FINDING_KIND_LABELS, Finding
from taperline.core.journal import CheckIn, ReportedSleep
from taperline.core.metrics import (
    NightMetrics,
    night_metrics,
    symptom_score,
)
from taperline.core.progress import TaperProgress, taper_progress
from taperline.core.quantity import Mass
from taperline.core.record import (
    PersonRecord,
    PlanVersion,
    RecordStep,
    schedule_on,
)
from taperline.core.review import Review
from taperline.core.series import day_series
from taperline.service.store import review_as_of
from taperline.service.today import Today, build_today
from taperline.web.charts import ChartRow, Marker, chart_rows, taper_chart_markup

__all__ = [
    "CalendarDay",
    "Dashboard",
    "JournalRow",
    "Month",
    "build_dashboard",
    "chart_pair",
    "chart_table",
    "finding_markers",
    "journal_rows",
    "plan_months",
    "split_steps",
    "step_changes",
]


@dataclass(frozen=True, slots=True)
class Dashboard(Today):
    """Today (as ``taperline status`` and the API see it) with the last 14 days' chart.

    Longer ranges (3 months, the whole taper) are the charts page's (``/charts``), one tap
    away: a phone at 7 a.m. gets one chart to read, and a cold dashboard (a year of record
    read and reviewed after a restart) draws one chart, not two (issue 18's 20 ms).
    """

    chart_14: Markup
    #: The last 14 days of the chart as text, newest first (under the chart).
    chart_rows: tuple[ChartRow, ...] = ()
    #: Whether the journal has a check-in yet (day 0: the dashboard says what to do first).
    started: bool = True
    #: Where the person is on the plan in force (None: no plan, or not started yet).
    progress: TaperProgress | None = None


#: Findings whose evidence days are worth marking on a chart (interdose evidence is a time
#: of day, and waves are the chart itself).
MARKED_KINDS = frozenset(
    {"red_flag", "flare", "escalation", "large_dose", "co_use", "rebound", "device_rebound"}
)


def finding_markers(findings: Sequence[Finding], since: date = date.min) -> list[Marker]:
    """The chart markers of ``findings``: the kinds in :data:`MARKED_KINDS`, each evidence day.

    ``since``: the first day a chart shows (a year of evidence on a 90-day chart: the days
    before it are not drawn, so no marker is made for them).
    """
    markers: list[Marker] = []
    for f in findings:
        if f.kind in MARKED_KINDS:
            label = FINDING_KIND_LABELS[f.kind]
            markers.extend(Marker(e.day, f.severity, label) for e in f.evidence if e.day >= since)
    return markers


def chart_pair(
    record: PersonRecord,
    today: date,
    result: Review,
    prefix: str = "c",
    device: Sequence[DeviceNight] = (),
) -> tuple[Markup, Markup]:
    """The 14- and 90-day taper charts (dose, sleep, mood, anxiety, symptoms), findings marked.

    ``device``: device nights to draw beside the diary's (dotted), if any.
    """
    first = today - timedelta(days=89)
    days = with_device_nights(day_series(record, first, today), device)
    markers = finding_markers(result.findings, since=first)
    return (
        taper_chart_markup(days[-14:], markers, title="The last 14 days", chart_id=f"{prefix}-14"),
        taper_chart_markup(days, markers, title="The last 90 days", chart_id=f"{prefix}-90"),
    )


def chart_table(record: PersonRecord, today: date, count: int = 14) -> list[ChartRow]:
    """The last ``count`` days of the charts as a text table, newest first."""
    return chart_rows(day_series(record, today - timedelta(days=count - 1), today))[::-1]


def build_dashboard(record: PersonRecord, today: date) -> Dashboard:
    """What the dashboard shows: :func:`~taperline.service.build_today`, the 14 days' chart."""
    result = review_as_of(record, today)
    base = build_today(record, today, result)
    # the 14 days' series once: the chart's and the table's (chart_table)
    days = day_series(record, today - timedelta(days=13), today)
    markers = finding_markers(result.findings, since=days[0].day)
    shared = {f.name: getattr(base, f.name) for f in fields(Today)}
    return Dashboard(
        **shared,
        chart_14=taper_chart_markup(days, markers, title="The last 14 days", chart_id="dash-14"),
        chart_rows=tuple(chart_rows(days)[::-1]),
        started=bool(record.checkins),
        progress=(
            taper_progress(record.plan, today, base.readiness) if record.plan is not None else None
        ),
    )


# --- the journal ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One day of the journal history."""

    day: date
    mood: int
    anxiety: int
    burden: int | None  # None: the symptom checklist was not filled in (a quick check-in)
    night: NightMetrics | None
    events: tuple[str, ...]
    notes: str
    symptoms: tuple[tuple[str, int], ...]
    #: The sections copied from an earlier day ("same as last night"), with that day.
    copied: tuple[tuple[str, date], ...] = ()
    #: A quick check-in's night: the person's estimate of their sleep (no diary times).
    reported: ReportedSleep | None = None


def _copied(checkin: CheckIn) -> tuple[tuple[str, date], ...]:
    sections = (("night", checkin.sleep_copied_from), ("symptoms", checkin.symptoms_copied_from))
    return tuple((name, day) for name, day in sections if day is not None)


def journal_rows(record: PersonRecord, days: int, today: date) -> list[JournalRow]:
    """Check-ins of the last ``days`` days, newest first."""
    start = today - timedelta(days=days - 1)
    rows = [
        JournalRow(
            c.wake_date,
            c.mood,
            c.anxiety,
            symptom_score(c),
            night_metrics(c.sleep) if c.sleep else None,
            tuple(sorted(c.events)),
            c.notes,
            tuple(sorted(((k, v) for k, v in c.symptoms.items() if v), key=lambda kv: -kv[1])),
            _copied(c),
            c.reported_sleep,
        )
        for c in record.checkins
        if c.wake_date >= start
    ]
    return sorted(rows, key=lambda r: r.day, reverse=True)


# --- the plan calendar --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """A day of the plan calendar."""

    day: date
    daily: Mass | None
    change: bool
    today: bool
    off: bool


@dataclass(frozen=True, slots=True)
class Month:
    """A month of the plan calendar: weeks of days (None pads the first and last week)."""

    title: str
    weeks: tuple[tuple[CalendarDay | None, ...], ...]


def step_changes(plan: PlanVersion) -> list[tuple[RecordStep, Decimal | None]]:
    """Each step followed with its % change from the step before (None for the first).

    A held plan shows the steps up to its held dose only: the later ones are not due.
    """
    out: list[tuple[RecordStep, Decimal | None]] = []
    previous: Mass | None = None
    for step in plan.followed_steps:
        change = None
        if previous is not None and previous.mg > 0:
            change = ((step.daily.mg - previous.mg) / previous.mg * 100).quantize(Decimal("0.1"))
        out.append((step, change))
        previous = step.daily
    return out


def split_steps(
    steps: list[tuple[RecordStep, Decimal | None]], today: date, ahead: int = 3
) -> tuple[
    list[tuple[RecordStep, Decimal | None]],
    list[tuple[RecordStep, Decimal | None]],
    list[tuple[RecordStep, Decimal | None]],
]:
    """Steps before the current one, the current one and ``ahead`` more, and the rest."""
    current = max((i for i, (s, _) in enumerate(steps) if s.start <= today), default=0)
    return steps[:current], steps[current : current + ahead + 1], steps[current + ahead + 1 :]


def plan_months(plan: PlanVersion, today: date, count: int = 3) -> list[Month]:
    """``count`` months of the plan from the current month, step changes marked."""
    changes = {s.start for s in plan.followed_steps}
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        weeks = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            row: list[CalendarDay | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                step = plan.step_on(day)
                planned = schedule_on(plan, day)
                row.append(
                    CalendarDay(
                        day,
                        step.daily if step else None,
                        day in changes,
                        day == today,
                        step is not None and not planned and step.daily.mg > 0,
                    )
                )
            weeks.append(tuple(row))
        months.append(Month(f"{calendar.month_name[month]} {year}", tuple(weeks)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004 -- December
    return months
