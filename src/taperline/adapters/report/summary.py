"""Page 1: who and what, the journal lately, the regimen, the next change, proposal, findings."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from taperline.adapters.report.period import _RULES, Period
from taperline.core.findings import FINDING_KIND_LABELS, Finding, crisis_message, flare_threshold
from taperline.core.metrics import burden, night_metrics, scored
from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.core.record import PersonRecord, PlanVersion, RecordDose

if TYPE_CHECKING:
    from taperline.core.review import Review

_WEEK_DAYS: Final = 7  # "lately": the last week of the period
_EVIDENCE_SHOWN: Final = 6  # evidence items shown per finding; the rest are counted
_CRISIS_START: Final = crisis_message().split(" 988", 1)[0]
_ACTIONS: Final = {
    "proceed": "proceed with the next step when it is due",
    "hold": "hold the current dose for {days}",
    "slow": "slow down: make the next step smaller",
    "return_to_previous": "return to the previous dose for a while (a clinician's decision)",
    "not_enough_checkins": "not enough check-ins to judge: check in daily with the symptom list",
}
_DECIDED: Final = {"active": "approved", "held": "held", "rejected": "rejected"}


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
    rated = scored(week)  # days without the checklist have no score
    if rated:
        mean = statistics.fmean(burden(c) for c in rated)
        against = f" (baseline {base.burden_mean:.1f})" if base else ""
        rows.append(("Symptom burden", f"{mean:.1f} on {_count(len(rated), 'day')}{against}"))
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
            # a retake keeps the answers it replaced: the clinician reads both
            replaced = "".join(
                f"; it replaced that day's earlier answers, {r.total} ({r.band})"
                for r in last.replaced_scores
            )
            rows.append((f"Last {name}", f"{last.total} ({last.band}) on {when}{replaced}"))
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
        "action": _ACTIONS[proposal.action].format(
            days=f"{proposal.hold_days} day{'s' if proposal.hold_days != 1 else ''}"
        ),
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
