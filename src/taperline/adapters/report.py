"""The prescriber's PDF report: a taper's story on one to three A4 pages.

Page 1 says who and what, the regimen in force, the next change, the proposal and the
findings (red flags first, in a marked box with crisis resources); page 2 holds the charts
(dose, sleep efficiency, symptom burden, PHQ-9 and GAD-7, with finding days and dose changes
marked); page 3 the plan's steps with how each dose is made, adherence and supply. Long plans
and logs are cut to what a prescriber needs, and the report says how much was left out.

The HTML comes from the Jinja2 templates in ``taperline/templates/report`` (autoescaped) and
WeasyPrint turns it into PDF. Jinja2, matplotlib and WeasyPrint are imported inside the
functions that need them, so importing this module stays cheap; the module itself pulls in
the core (and with it NumPy), so interfaces import it only when a report is asked for.

The person is named by ``profile.label``, a pseudonym by default. Every dose is shown by the
ISMP rules (:func:`~taperline.core.quantity.fmt`) and drug names in tall-man letters.
"""

from __future__ import annotations

import base64
import importlib
import io
import itertools
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Final

from taperline.core.findings import (
    FINDING_KIND_LABELS,
    Finding,
    FindingRules,
    crisis_message,
    flare_threshold,
)
from taperline.core.metrics import burden, night_metrics, rolling_means
from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    RecordDose,
    RecordStep,
    RecordSupply,
    schedule_on,
)
from taperline.errors import InputError

if TYPE_CHECKING:
    from jinja2 import Environment

    from taperline.core.review import Review

__all__ = [
    "ChartData",
    "Period",
    "chart_data",
    "chart_svg",
    "render_report",
    "report_html",
    "resolve_period",
]

HEADER: Final = "taperline report — not a prescription; a clinician decides"
_RULES: Final = FindingRules()
#: A dose this long after its planned time is late: the findings' default (taperline's, no source).
LATE_AFTER_H: Final = _RULES.late_after_h
_WEEK_DAYS: Final = 7  # "lately": the last week of the period
# Plan steps shown: the latest of the period and the next few, within a number of rows and
# of dose lines (a twice-daily plan shows fewer steps), so that page 3 holds them.
_PERIOD_STEPS: Final = 7
_PERIOD_DOSE_LINES: Final = 10
_NEXT_STEPS: Final = 3
_NEXT_DOSE_LINES: Final = 4
_EVIDENCE_SHOWN: Final = 6  # evidence items shown per finding; the rest are counted
_RED_FLAGS_SHOWN: Final = 6
_DOSE_ROWS: Final = 8  # missed and late doses listed
_SUPPLY_PERIODS: Final = 2  # the current supply period and the next
_CRISIS_START: Final = crisis_message().split(" 988", 1)[0]
_ACTIONS: Final = {
    "proceed": "proceed with the next step when it is due",
    "hold": "hold the current dose for {days} days",
    "slow": "slow down: make the next step smaller",
    "return_to_previous": "return to the previous dose for a while (a clinician's decision)",
}
_DECIDED: Final = {"active": "approved", "held": "held", "rejected": "rejected"}
_FIGURE_WIDTH_IN: Final = 7.2  # about the A4 text width, so the SVG is drawn near 1:1
_MAX_FIGURE_IN: Final = 9.0  # the figure's largest height: it fits under the page's heading
_SEVERITY_COLOURS: Final = {"urgent": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


@dataclass(frozen=True, slots=True)
class Period:
    """The first and last day (inclusive) that the report covers."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1


def render_report(
    record: PersonRecord,
    review: Review,
    *,
    start: date | None,
    end: date | None,
    today: date,
    generated_at: datetime,
) -> bytes:
    """The prescriber's report as PDF bytes (A4, one to three pages for a typical record).

    ``start``/``end`` limit the journal, dose log and scores shown (default: from the first
    entry to ``today``); the findings are the caller's ``review`` as given. Raises
    :class:`~taperline.errors.InputError` when ``start`` is after ``end``.
    """
    html = report_html(record, review, start=start, end=end, today=today, generated_at=generated_at)
    # WeasyPrint ships no type information; it is loaded by name so that mypy --strict
    # sees a plain module (attributes typed Any) instead of a missing-stubs error.
    weasyprint: Any = importlib.import_module("weasyprint")
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def report_html(
    record: PersonRecord,
    review: Review,
    *,
    start: date | None,
    end: date | None,
    today: date,
    generated_at: datetime,
) -> str:
    """The report as one HTML document (charts embedded), for previews and tests."""
    period = resolve_period(record, start, end, today)
    shown = _within(record, period)
    context = _context(record, shown, review, period, today, generated_at)
    return _environment().get_template("report.html").render(**context)


def resolve_period(
    record: PersonRecord, start: date | None, end: date | None, today: date
) -> Period:
    """The period asked for, defaulting to the first journal entry up to ``today``.

    >>> from taperline.core.record import Profile
    >>> resolve_period(PersonRecord(Profile("UTC")), None, None, date(2027, 3, 1))
    Period(start=datetime.date(2027, 3, 1), end=datetime.date(2027, 3, 1))
    """
    last = end or today
    if start is None:
        days = [d for d in _journal_days(record) if d <= last]
        start = min(days, default=last)
    if start > last:
        raise InputError(
            f"the report period starts on {start.isoformat()}, after it ends on"
            f" {last.isoformat()}: give --from before --to"
        )
    return Period(start, last)


def _journal_days(record: PersonRecord) -> list[date]:
    days = [c.wake_date for c in record.checkins] + [d.day for d in record.doses]
    return days + [s.taken_on for s in record.scores if s.taken_on is not None]


def _within(record: PersonRecord, period: Period) -> PersonRecord:
    """The record with only the period's check-ins, dose log and scores."""
    return replace(
        record,
        checkins=tuple(c for c in record.checkins if c.wake_date in period),
        doses=tuple(d for d in record.doses if d.day in period),
        scores=tuple(s for s in record.scores if s.taken_on in period),
    )


@cache
def _environment() -> Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("taperline", "templates/report"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# --- the context ----------------------------------------------------------------------------


def _context(  # noqa: PLR0917 -- one private helper of report_html(), called once
    record: PersonRecord,
    shown: PersonRecord,
    review: Review,
    period: Period,
    today: date,
    generated_at: datetime,
) -> dict[str, Any]:
    plan = record.plan
    chart = chart_data(shown, review, plan, period)
    urgent = _grouped([f for f in review.findings if f.severity == "urgent"])
    return {
        "header": HEADER,
        "generated": generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "period": period,
        "today": today,
        "label": record.profile.label,
        "drug": drug_label(plan.drug) if plan else None,
        "who": _who(record, plan),
        "journal": _journal_summary(shown),
        "lately": _lately(shown, review, period),
        "regimen": _regimen(plan, today),
        "next_change": _next_change(plan, today),
        "proposal": _proposal(review),
        "crisis": crisis_message(),
        "red_flags": [_finding_row(f) for f in urgent[:_RED_FLAGS_SHOWN]],
        "red_flags_more": max(0, len(urgent) - _RED_FLAGS_SHOWN),
        "findings": [_finding_row(f) for f in review.findings if f.severity != "urgent"],
        "skipped": review.skipped,
        "baseline": _baseline_text(review),
        "chart": chart_svg(chart) if chart.panels else None,
        "chart_notes": chart.notes,
        "steps": _steps(plan, period, today),
        "adherence": _adherence(shown, plan, period, today),
        "supply": _supply(plan, today),
        "warnings": plan.warnings if plan else (),
    }


def _who(record: PersonRecord, plan: PlanVersion | None) -> list[tuple[str, str]]:
    profile = record.profile
    rows = [
        ("Person", profile.label),
        ("Age band", profile.age_band or "not given"),
        ("Conditions", ", ".join(profile.conditions) or "none recorded"),
        ("Other medicines", ", ".join(profile.other_medicines) or "none recorded"),
    ]
    if plan is None:
        waiting = [v.version for v in record.plans if v.status == "proposed"]
        note = f" (version {max(waiting)} is proposed, awaiting a clinician)" if waiting else ""
        return [*rows, ("Plan", f"no plan in force{note}")]
    decided = f", {plan.status}"
    if plan.decided_by and plan.decided_at:
        verb = _DECIDED.get(plan.status, plan.status)
        decided += f" ({verb} by {plan.decided_by} on {plan.decided_at.date().isoformat()})"
    span = f"{plan.steps[0].start.isoformat()} to {plan.end.isoformat()}"
    if plan.status == "held" and plan.held_from is not None:
        span += f"; held on the dose of {plan.held_from.isoformat()}: no cut until approved again"
    rows += [
        ("Medicine", drug_label(plan.drug)),
        ("Plan", f"version {plan.version} ({plan.strategy}){decided}; {span}"),
    ]
    if plan.mark:
        outside = "; ".join(plan.basis.outside_guideline)
        rows.append(("Guideline", f"{plan.mark[:1].upper()}{plan.mark[1:]}: {outside}"))
    return rows


def _journal_summary(shown: PersonRecord) -> str:
    nights = sum(1 for c in shown.checkins if c.sleep is not None)
    phq = sum(1 for s in shown.scores if s.instrument == "PHQ-9")
    gad = len(shown.scores) - phq
    return (
        f"{_count(len(shown.checkins), 'check-in')} ({nights} with a sleep diary),"
        f" {_count(len(shown.doses), 'dose-log entry', 'dose-log entries')},"
        f" {phq} PHQ-9 and {gad} GAD-7 in this period"
    )


def _lately(shown: PersonRecord, review: Review, period: Period) -> list[tuple[str, str]]:
    """The last week of the period against the baseline, and the latest questionnaires."""
    week = [c for c in shown.checkins if (period.end - c.wake_date).days < _WEEK_DAYS]
    base = review.baseline
    rows: list[tuple[str, str]] = []
    if week:
        mean = statistics.fmean(burden(c) for c in week)
        against = f" (baseline {base.burden_mean:.1f})" if base else ""
        rows.append(("Symptom burden", f"{mean:.1f} on {_count(len(week), 'day')}{against}"))
        se = [night_metrics(c.sleep).se_pct for c in week if c.sleep is not None]
        if se:
            se_base = base.se_mean_pct if base else None
            against = f" (baseline {se_base:.0f} %)" if se_base is not None else ""
            rows.append(("Sleep efficiency", f"{statistics.fmean(se):.0f} %{against}"))
    for name in ("PHQ-9", "GAD-7"):
        dated = [s for s in shown.scores if s.instrument == name and s.taken_on is not None]
        if dated:
            last = max(dated, key=lambda s: s.taken_on or date.min)
            when = last.taken_on.isoformat() if last.taken_on else ""
            rows.append((f"Last {name}", f"{last.total} ({last.band}) on {when}"))
    return rows


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


@dataclass(frozen=True, slots=True)
class _DoseLine:
    clock: str
    drug: str
    amount: str
    how: tuple[str, ...]


def _dose_line(dose: RecordDose) -> _DoseLine:
    # The "Total dose" line repeats the amount shown beside it.
    how = tuple(i for i in dose.instructions if not i.startswith("Total dose"))
    return _DoseLine(dose.clock, drug_label(dose.drug), fmt(dose.amount), how)


def _regimen(plan: PlanVersion | None, today: date) -> dict[str, Any] | None:
    if plan is None:
        return None
    step = plan.step_on(today)
    if step is None:
        return {"note": f"the plan starts on {plan.steps[0].start.isoformat()}", "doses": []}
    note = "every other day" if step.every_other_day else ""
    if not step.doses:
        note = f"0 mg since {step.start.isoformat()}: the taper is complete"
    return {
        "daily": fmt(step.daily),
        "since": step.start.isoformat(),
        "doses": [_dose_line(d) for d in step.doses],
        "note": note,
    }


def _change_pct(before: Mass, after: Mass) -> str:
    if before.mg == 0:
        return ""
    pct = (after.mg - before.mg) / before.mg * 100
    return f"{fmt_number(pct.quantize(Decimal('0.1')))} %"


def _next_change(plan: PlanVersion | None, today: date) -> dict[str, str] | None:
    if plan is None:
        return None
    step = plan.next_change(today)
    if step is None:
        return None
    current = plan.step_on(today)
    change = _change_pct(current.daily, step.daily) if current else ""
    return {
        "date": step.start.isoformat(),
        "in_days": _count((step.start - today).days, "day"),
        "daily": fmt(step.daily),
        "change": change,
        "rule": step.rule,
        "source": step.source,
    }


def _proposal(review: Review) -> dict[str, Any]:
    proposal = review.proposal
    messages = {f.message for f in review.findings}
    kinds = dict.fromkeys(_kind(f) for f in review.findings if f.message in proposal.reasons)
    return {
        "action": _ACTIONS[proposal.action].format(days=proposal.hold_days),
        "status": proposal.status,
        "clinician_only": proposal.clinician_only,
        "based_on": ", ".join(kinds),
        "other_reasons": [r for r in proposal.reasons if r not in messages],
    }


def _kind(finding: Finding) -> str:
    return FINDING_KIND_LABELS[finding.kind]


def _grouped(findings: Sequence[Finding]) -> list[Finding]:
    """Findings with the same kind and message as one, their evidence joined in date order."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.kind, finding.message), []).append(finding)
    return [
        replace(
            same[0],
            evidence=tuple(sorted((e for f in same for e in f.evidence), key=lambda e: e.day)),
        )
        for same in groups.values()
    ]


def _finding_row(finding: Finding) -> dict[str, Any]:
    message = finding.message
    if _CRISIS_START in message:  # the red-flag box shows the crisis resources once
        message = message.split(_CRISIS_START, 1)[0].strip()
    return {
        "kind": _kind(finding),
        "severity": finding.severity,
        "message": message,
        "evidence": _evidence_text(finding),
        "source": finding.source,
        "action": finding.suggested_action,
        "clinician": finding.clinician_flag,
    }


def _evidence_text(finding: Finding) -> str:
    items = finding.evidence[:_EVIDENCE_SHOWN]
    labels = {e.label for e in finding.evidence}
    pairs = {(e.label, e.value) for e in finding.evidence}
    if len(pairs) == 1 and items[0].label == "event":  # a red-flag event, once or repeated
        text = f"{items[0].value} on " + ", ".join(e.day.isoformat() for e in items)
    elif len(labels) == 1:
        text = f"{items[0].label}: " + ", ".join(f"{e.day.isoformat()} {e.value}" for e in items)
    else:
        text = "; ".join(f"{e.day.isoformat()} {e.label} {e.value}" for e in items)
    more = len(finding.evidence) - len(items)
    return f"{text} (+{more} more)" if more > 0 else text


def _baseline_text(review: Review) -> str:
    base = review.baseline
    if base is None:
        return "No baseline: too few check-ins before the first cut."
    text = (
        f"Baseline before the first cut ({base.days} days): symptom burden"
        f" {base.burden_mean:.1f} ± {base.burden_sd:.1f}"
        f" (a day counts as bad from {flare_threshold(base, _RULES):.1f})"
    )
    if base.se_mean_pct is not None:
        text += f"; sleep efficiency {base.se_mean_pct:.0f} %"
    return text + "."


# --- plan steps, adherence, supply ----------------------------------------------------------


def _steps(plan: PlanVersion | None, period: Period, today: date) -> dict[str, Any] | None:
    if plan is None:
        return None
    steps = plan.followed_steps  # a held plan: up to its held dose
    ends = [s.start - timedelta(days=1) for s in steps[1:]] + [date.max]
    inside = [i for i, s in enumerate(steps) if s.start <= period.end and ends[i] >= period.start]
    inside = _budget(steps, inside[::-1], _PERIOD_STEPS, _PERIOD_DOSE_LINES)
    upcoming = [i for i, s in enumerate(steps) if s.start > period.end]
    after = _budget(steps, upcoming, _NEXT_STEPS, _NEXT_DOSE_LINES)
    shown = sorted(set(inside) | set(after))
    current = plan.step_on(today)
    rows = [_step_row(steps[i], steps[i - 1] if i else None, steps[i] == current) for i in shown]
    for before, row in itertools.pairwise(rows):
        row["same_rule"] = (row["rule"], row["source"]) == (before["rule"], before["source"])
    later = len(steps) - 1 - shown[-1] if shown else len(steps)
    return {
        "rows": rows,
        "earlier": shown[0] if shown else 0,
        "later": later,
        "last": f"{steps[-1].start.isoformat()} ({fmt(steps[-1].daily)})",
    }


def _budget(steps: Sequence[RecordStep], order: list[int], most: int, lines: int) -> list[int]:
    """The first steps of ``order`` (at least one) within ``most`` rows and ``lines`` doses."""
    chosen: list[int] = []
    used = 0
    for i in order[:most]:
        used += max(1, len(steps[i].doses))
        if chosen and used > lines:
            break
        chosen.append(i)
    return chosen


def _step_row(step: RecordStep, previous: RecordStep | None, current: bool) -> dict[str, Any]:  # noqa: FBT001 -- private helper, positional by design
    return {
        "start": step.start.isoformat(),
        "daily": fmt(step.daily),
        "change": _change_pct(previous.daily, step.daily) if previous else "",
        "doses": [_dose_line(d) for d in step.doses],
        "rule": step.rule,
        "source": step.source,
        "note": step.note,
        "every_other_day": step.every_other_day,
        "current": current,
        "same_rule": False,
    }


@dataclass(frozen=True, slots=True)
class _DoseRow:
    day: str
    status: str
    planned: str
    taken: str
    note: str


def _dose_row(entry: DoseRecord, status: str) -> _DoseRow:
    planned = " ".join(
        part
        for part in (
            entry.planned_clock or "",
            fmt(entry.planned_amount) if entry.planned_amount else "",
        )
        if part
    )
    taken = "not taken"
    if entry.taken_at is not None and entry.amount is not None:
        when = entry.taken_at.strftime("%H:%M")
        if entry.taken_at.date() != entry.day:
            when = entry.taken_at.strftime("%Y-%m-%d %H:%M")
        taken = f"{when} {fmt(entry.amount)}"
    return _DoseRow(entry.day.isoformat(), status, planned, taken, entry.note)


def _adherence(
    shown: PersonRecord, plan: PlanVersion | None, period: Period, today: date
) -> dict[str, Any]:
    counts = {"taken": 0, "late": 0, "missed": 0, "extra": 0}
    problems: list[_DoseRow] = []
    for entry in sorted(shown.doses, key=lambda d: (d.day, d.planned_clock or "")):
        status = entry.status(LATE_AFTER_H)
        counts[status] += 1
        if status != "taken":
            problems.append(_dose_row(entry, status))
    logged = {d.day for d in shown.doses}
    planned_days = [
        day
        for offset in range(period.days)
        if (day := period.start + timedelta(days=offset)) <= today and schedule_on(plan, day)
    ]
    return {
        "counts": counts,
        "rows": problems[-_DOSE_ROWS:],  # the latest matter most
        "more": max(0, len(problems) - _DOSE_ROWS),
        "planned_days": len(planned_days),
        "unlogged_days": sum(1 for d in planned_days if d not in logged),
        "late_after": fmt_number(Decimal(str(LATE_AFTER_H))),
    }


def _supply(plan: PlanVersion | None, today: date) -> dict[str, Any] | None:
    if plan is None or not plan.supply:
        return None
    periods = sorted({(s.period_start, s.period_end) for s in plan.supply})
    first = next((i for i, (_, end) in enumerate(periods) if end > today), len(periods))
    chosen = periods[first : first + _SUPPLY_PERIODS]
    lines = [s for s in plan.supply if (s.period_start, s.period_end) in chosen]
    lines.sort(key=lambda s: (s.period_start, s.drug, s.product))
    return {
        "rows": [_supply_row(s) for s in lines],
        "later": max(0, len(periods) - first - len(chosen)),
    }


def _supply_row(line: RecordSupply) -> dict[str, str]:
    last_day = line.period_end - timedelta(days=1)
    return {
        "period": f"{line.period_start.isoformat()} to {last_day.isoformat()}",
        "drug": drug_label(line.drug),
        "product": line.product,
        "count": f"{fmt_number(line.count)} {line.unit}",
    }


# --- charts ---------------------------------------------------------------------------------

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
    data.burden = [(c.wake_date, float(burden(c))) for c in checkins]


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
