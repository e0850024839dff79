"""Page 2: the charts (dose, sleep efficiency, symptom burden, PHQ-9, GAD-7), with matplotlib."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from taperline.adapters.report.period import _RULES, LATE_AFTER_H, Period
from taperline.adapters.report.summary import _kind
from taperline.core.findings import flare_threshold
from taperline.core.metrics import burden, night_metrics, rolling_means, scored
from taperline.core.quantity import drug_label
from taperline.core.record import PersonRecord, PlanVersion, schedule_on

if TYPE_CHECKING:
    from taperline.core.review import Review

_FIGURE_WIDTH_IN: Final = 7.2  # about the A4 text width, so the SVG is drawn near 1:1
_MAX_FIGURE_IN: Final = 9.0  # the figure's largest height: it fits under the page's heading
_SEVERITY_COLOURS: Final = {"urgent": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


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


def chart_svg(data: ChartData) -> str:
    """The charts of ``data`` as an SVG data URI (one figure, panels sharing the date axis)."""
    plt, mdates = _matplotlib()
    panels = data.panels
    heights = [0.35 + 0.2 * len(data.marks) if p == "findings" else 1.9 for p in panels]
    scale = min(1.0, _MAX_FIGURE_IN / (sum(heights) + 0.4))  # the charts fill one page at most
    heights = [h * scale for h in heights]
    # Text stays text in the SVG (drawn by WeasyPrint in the same font): a smaller, faster PDF
    # whose chart labels can be extracted too.
    style = {
        "font.size": 7,
        "font.family": "DejaVu Sans",
        "svg.fonttype": "none",
        "axes.titlesize": 8,
        "legend.fontsize": 6.5,
    }
    with plt.rc_context(style):
        fig, axes = plt.subplots(
            len(panels),
            1,
            sharex=True,
            squeeze=False,
            figsize=(_FIGURE_WIDTH_IN, sum(heights) + 0.4 * scale),
            gridspec_kw={"height_ratios": heights},
            layout="constrained",
        )
        try:
            for name, ax in zip(panels, axes[:, 0], strict=True):
                _PANELS[name](ax, data)
                if name != "findings":
                    _mark_days(ax, data)
                    ax.grid(alpha=0.25, linewidth=0.5)
            bottom = axes[-1, 0]
            locator = mdates.AutoDateLocator(maxticks=12)
            bottom.xaxis.set_major_locator(locator)
            bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            margin = timedelta(hours=18)
            bottom.set_xlim(
                datetime.combine(data.period.start, datetime.min.time()) - margin,
                datetime.combine(data.period.end, datetime.min.time()) + margin,
            )
            buffer = io.BytesIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _matplotlib() -> tuple[Any, Any]:
    """The pyplot module on the Agg backend, and matplotlib.dates (imported when drawing).

    Typed Any, as in :mod:`taperline.adapters.plots`: only drawing calls go through them.
    """
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    return plt, mdates


def _mark_days(ax: Any, data: ChartData) -> None:
    """Dose changes (dashed grey) and red-flag days (red) on every data panel."""
    for day in data.changes:
        ax.axvline(day, color="#616161", linestyle="--", linewidth=0.8, zorder=0)
    for _, severity, days in data.marks:
        if severity == "urgent":
            for day in days:
                ax.axvline(day, color=_SEVERITY_COLOURS["urgent"], linewidth=1.0, zorder=0)


def _plot_findings(ax: Any, data: ChartData) -> None:
    for row, (_, severity, days) in enumerate(data.marks):
        colour = _SEVERITY_COLOURS[severity]
        ax.plot(days, [row] * len(days), "s", color=colour, markersize=4, linestyle="none")
    ax.set_yticks(range(len(data.marks)), [kind for kind, _, _ in data.marks])
    ax.set_ylim(len(data.marks) - 0.4, -0.6)
    ax.tick_params(axis="y", length=0)
    for day in data.changes:
        ax.axvline(day, color="#616161", linestyle="--", linewidth=0.8, zorder=0)
    ax.set_title(
        "Findings: days of evidence (dashed lines: dose changes; red lines: red flags)", loc="left"
    )
    ax.grid(axis="x", alpha=0.25, linewidth=0.5)


def _plot_dose(ax: Any, data: ChartData) -> None:
    top = 0.0
    for drug, series in data.planned.items():
        days, mg = _unzip(series)
        ax.step(days, mg, where="post", linewidth=1.2, label=f"planned ({drug_label(drug)})")
        top = max([top, *mg])
    for drug, series in data.taken.items():
        days, mg = _unzip(series)
        ax.plot(days, mg, ".", markersize=3, label=f"taken ({drug_label(drug)})")
        top = max([top, *mg])
    if data.late:
        days, mg = _unzip(data.late)
        ax.plot(days, mg, "v", color="#ef6c00", markersize=5, label="late dose")
    if data.missed:
        ax.plot(data.missed, [0.0] * len(data.missed), "x", color="#c62828", label="missed dose")
    ax.set_ylim(-0.06 * max(top, 0.1), max(top, 0.1) * 1.15)
    ax.set_ylabel("mg a day")
    ax.set_title("Daily dose", loc="left")
    ax.legend(loc="upper right", ncols=2)


def _plot_sleep(ax: Any, data: ChartData) -> None:
    days, values = _unzip(data.sleep)
    ax.plot(days, values, ".", markersize=3, color="#90a4ae", label="night")
    mean_days, means = _unzip(data.sleep_mean)
    ax.plot(mean_days, means, linewidth=1.3, color="#00695c", label="7-day mean")
    ax.set_ylim(max(0.0, min(values) - 10), 100)
    ax.set_ylabel("%")
    ax.set_title("Sleep efficiency", loc="left")
    ax.legend(loc="lower left", ncols=2)


def _plot_burden(ax: Any, data: ChartData) -> None:
    days, values = _unzip(data.burden)
    ax.plot(days, values, linewidth=0.9, marker=".", markersize=3, color="#6a1b9a", label="day")
    if data.burden_mean is not None:
        ax.axhline(data.burden_mean, color="#2e7d32", linestyle=":", label="baseline mean")
    if data.burden_bad is not None:
        ax.axhline(data.burden_bad, color="#ef6c00", linestyle="--", label="bad-day threshold")
    ax.set_ylim(0, max([*values, data.burden_bad or 0.0]) * 1.2 + 1)
    ax.set_ylabel("points (0-68)")
    ax.set_title("Symptom burden (taperline's own score, higher is worse)", loc="left")
    ax.legend(loc="upper left", ncols=3)


def _plot_scores(ax: Any, data: ChartData) -> None:
    for name, series, colour in (("PHQ-9", data.phq9, "#37474f"), ("GAD-7", data.gad7, "#0277bd")):
        if series:
            days, totals = _unzip(series)
            ax.plot(days, totals, marker="o", markersize=3, linewidth=1, color=colour, label=name)
    ax.axhline(10, color="#9e9e9e", linewidth=0.6, linestyle=":", label="10: moderate")
    ax.set_ylim(0, 27)
    ax.set_ylabel("total")
    ax.set_title("PHQ-9 (0-27) and GAD-7 (0-21)", loc="left")
    ax.legend(loc="upper left", ncols=3)


def _unzip(series: Iterable[tuple[date, float]]) -> tuple[list[date], list[float]]:
    pairs: Sequence[tuple[date, float]] = list(series)
    return [d for d, _ in pairs], [v for _, v in pairs]


_PANELS: Final = {
    "findings": _plot_findings,
    "dose": _plot_dose,
    "sleep": _plot_sleep,
    "burden": _plot_burden,
    "scores": _plot_scores,
}
