"""Page 2: the taper chart (dose, sleep, mood, anxiety, symptoms), drawn as SVG (no matplotlib)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from taperline.adapters.report.period import _RULES, LATE_AFTER_H, Period
from taperline.adapters.report.summary import _kind
from taperline.adapters.svgcharts import Marker, describe, taper_chart
from taperline.core.findings import flare_threshold
from taperline.core.metrics import burden, night_metrics, rolling_means, scored
from taperline.core.record import PersonRecord, PlanVersion, schedule_on
from taperline.core.series import day_series, weekly

if TYPE_CHECKING:
    from taperline.core.review import Review

#: A longer period is drawn as weekly means (a column a day would be under a pixel wide).
WEEKLY_AFTER_DAYS: Final = 120


_Series = list[tuple[date, float]]


@dataclass(slots=True)
class ChartData:
    """What the charts show, as plain series (built without matplotlib)."""

    period: Period
    planned: dict[str, _Series] = field(default_factory=dict)  # drug -> daily mg
    taken: dict[str, _Series] = field(default_factory=dict)
    missed: list[date] = field(default_factory=list)
    late: _Series = field(default_factory=list)  # day, mg taken late
    sleep: _Series = field(default_factory=list)
    sleep_mean: _Series = field(default_factory=list)
    burden: _Series = field(default_factory=list)
    burden_mean: float | None = None
    burden_bad: float | None = None
    phq9: _Series = field(default_factory=list)
    gad7: _Series = field(default_factory=list)
    changes: list[date] = field(default_factory=list)
    marks: list[tuple[str, str, list[date]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def panels(self) -> list[str]:
        """The panels that have data, top to bottom."""
        has = {
            "findings": bool(self.marks),
            "dose": bool(self.planned or self.taken),
            "sleep": bool(self.sleep),
            "burden": bool(self.burden),
            "scores": bool(self.phq9 or self.gad7),
        }
        return [name for name, present in has.items() if present]


def chart_data(
    shown: PersonRecord, review: Review, plan: PlanVersion | None, period: Period
) -> ChartData:
    """The chart series of the period's record (``shown``) and the review's findings."""
    data = ChartData(period)
    _dose_series(data, shown, plan)
    _journal_series(data, shown)
    for score in sorted(shown.scores, key=lambda s: s.taken_on or date.min):
        if score.taken_on is not None:
            series = data.phq9 if score.instrument == "PHQ-9" else data.gad7
            series.append((score.taken_on, float(score.total)))
    if not shown.scores:
        data.notes.append("No PHQ-9 or GAD-7 recorded in this period.")
    if review.baseline is not None:
        data.burden_mean = review.baseline.burden_mean
        data.burden_bad = flare_threshold(review.baseline, _RULES)
    marks: dict[str, tuple[str, set[date]]] = {}
    for finding in review.findings:  # most severe first, so a kind keeps its worst severity
        _, days = marks.setdefault(_kind(finding), (finding.severity, set()))
        days.update(e.day for e in finding.evidence if e.day in period)
    data.marks = [(kind, sev, sorted(days)) for kind, (sev, days) in marks.items() if days]
    return data


def _dose_series(data: ChartData, shown: PersonRecord, plan: PlanVersion | None) -> None:
    period = data.period
    for offset in range(period.days):
        day = period.start + timedelta(days=offset)
        totals: dict[str, Decimal] = {}
        for dose in schedule_on(plan, day):
            totals[dose.drug] = totals.get(dose.drug, Decimal(0)) + dose.amount.mg
        for drug in {d.drug for s in (plan.steps if plan else ()) for d in s.doses}:
            data.planned.setdefault(drug, []).append((day, float(totals.get(drug, 0))))
    taken: dict[tuple[str, date], Decimal] = {}
    for entry in shown.doses:
        status = entry.status(LATE_AFTER_H)
        if status == "missed":
            data.missed.append(entry.day)
        elif status == "late" and entry.amount is not None:
            data.late.append((entry.day, float(entry.amount.mg)))
        if entry.amount is not None:
            key = (entry.drug, entry.day)
            taken[key] = taken.get(key, Decimal(0)) + entry.amount.mg
    for (drug, day), mg in sorted(taken.items(), key=lambda kv: kv[0][1]):
        data.taken.setdefault(drug, []).append((day, float(mg)))
    if plan is not None:
        pairs = zip(plan.followed_steps, plan.followed_steps[1:], strict=False)
        data.changes = [b.start for a, b in pairs if b.daily != a.daily and b.start in period]


def _journal_series(data: ChartData, shown: PersonRecord) -> None:
    checkins = sorted(shown.checkins, key=lambda c: c.wake_date)
    if not checkins:
        data.notes.append("No check-ins in this period: no sleep or symptom charts.")
        return
    se = {c.wake_date: night_metrics(c.sleep).se_pct for c in checkins if c.sleep is not None}
    data.sleep = sorted(se.items())
    data.sleep_mean = [(r.end, r.mean) for r in rolling_means(se, 7) if r.mean is not None]
    if not se:
        data.notes.append("No sleep diary in this period.")
    data.burden = [(c.wake_date, float(burden(c))) for c in scored(checkins)]


def chart_svg(shown: PersonRecord, data: ChartData) -> str:
    """The taper chart of the period as an SVG data URI, weekly means over a long period.

    The web app's drawing (:func:`taperline.adapters.svgcharts.taper_chart`).
    No matplotlib: the SVG is written as text, so the report's path imports no plotting
    library (issue 19: the report in under 2 s).
    """
    days = day_series(shown, data.period.start, data.period.end)
    if len(days) > WEEKLY_AFTER_DAYS:
        days = weekly(days)
    markers = [
        Marker(day, severity, kind)
        for kind, severity, found in data.marks
        if severity in {"urgent", "warning"}
        for day in found
    ]
    svg = taper_chart(days, markers, title="Dose, sleep, mood and symptoms", chart_id="report")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def chart_alt(shown: PersonRecord, data: ChartData) -> str:
    """The chart's text equivalent: :func:`taperline.adapters.svgcharts.describe`."""
    days = day_series(shown, data.period.start, data.period.end)
    return describe(weekly(days) if len(days) > WEEKLY_AFTER_DAYS else days)
