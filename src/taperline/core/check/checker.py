"""The check itself (:func:`check_regimen`).

The screening, the daily maximum, the dose band, sleep use and the duration of use.
"""

from __future__ import annotations

from typing import Final

from taperline.core.catalogue import Catalogue, DailyMaximum, Drug, Indication, SleepUse, Sourced
from taperline.core.check.request import (
    CheckReport,
    CheckRequest,
    TimedDose,
    WithdrawalRisk,
    _validate,
)
from taperline.core.quantity import Mass, fmt, fmt_number
from taperline.core.screening import RegimenIssue, RegimenIssueSeverity, Screening, screen

#: taperline's convention for turning --weeks into months (52 weeks in 12 months), so 13 weeks
#: count as the 3 months of ASAM-2025's significant-use rule.
WEEKS_PER_MONTH: Final = 52 / 12

#: taperline's own convention (not a clinical value) for which clock times are "the evening"
#: (a bedtime dose) and "after midnight" (a late dose) when a single daily dose is checked.
EVENING_START_H: Final = 18
LATE_NIGHT_END_H: Final = 5

_RANK: Final[dict[RegimenIssueSeverity, int]] = {"urgent": 0, "warning": 1, "info": 2}
#: Indications for which the sleep-use advice does not apply.
_NOT_FOR_SLEEP: Final[frozenset[Indication]] = frozenset({"seizure", "panic"})


def check_regimen(catalogue: Catalogue, drug: Drug, request: CheckRequest) -> CheckReport:
    """Check a day's doses of ``drug`` and the context given; never refuses a high dose.

    Raises:
        InputError: an implausible single dose (mcg/mg slip), no dose, an age outside 0-120.

    >>> from datetime import time
    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> from taperline.core.check import build_doses
    >>> drug = catalogue.get("clonazepam")
    >>> report = check_regimen(catalogue, drug, CheckRequest(build_doses([Mass.of_mg(3)],
    ...     [time(8, 0), time(20, 0)])))
    >>> fmt(report.daily_dose), report.findings[0].message[:63]
    ('6 mg', '6 mg of clonazePAM a day is above the daily maximum of 4 mg for')
    >>> with_epilepsy = check_regimen(catalogue, drug, CheckRequest(build_doses([Mass.of_mg(3)],
    ...     [time(8, 0), time(20, 0)]), conditions=("epilepsy",)))
    >>> [f.severity for f in with_epilepsy.findings if f.kind == "dose"]
    ['info']
    """
    _validate(request, drug)
    daily = sum((d.amount for d in request.doses), Mass.zero())
    screening = screen(
        catalogue,
        drug,
        agents=request.agents,
        conditions=request.conditions,
        age_years=request.age_years,
        pregnant=request.pregnant,
        breastfeeding=request.breastfeeding,
        indication=request.indication,
        local_emergency=request.local_emergency,
    )
    for_sleep = screening.indication not in _NOT_FOR_SLEEP
    findings = [
        *_daily_max_findings(drug, daily, screening),
        *screening.findings,
        *_duration_findings(catalogue, drug, request.weeks, for_sleep=for_sleep),
        *_band_findings(drug, daily),
        *(_sleep_findings(drug, request.doses) if for_sleep else ()),
    ]
    return CheckReport(
        drug=drug,
        doses=request.doses,
        daily_dose=daily,
        band=drug.band_for(daily),
        withdrawal_risk=withdrawal_risks(catalogue, drug, daily),
        findings=tuple(sorted(findings, key=lambda f: _RANK[f.severity])),
        unknown=tuple(u.name for u in screening.unknown),
        weeks=request.weeks,
        screening=screening,
    )


def withdrawal_risks(catalogue: Catalogue, drug: Drug, daily: Mass) -> tuple[WithdrawalRisk, ...]:
    """The withdrawal-risk band by each equivalence source: they disagree up to 2-fold.

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> [(r.equivalence.source, fmt(r.diazepam_mg), r.band.name) for r in withdrawal_risks(
    ...     catalogue, catalogue.get("clonazepam"), Mass.of_mg(1))]
    [('ASHTON', '20 mg', 'high'), ('VADOD-2021', '10 mg', 'low')]
    """
    risks = []
    for eq in drug.equivalences:
        diazepam = drug.diazepam_equivalent(daily, eq.source)
        risks.append(WithdrawalRisk(eq, diazepam, catalogue.withdrawal_risk_band(diazepam)))
    return tuple(risks)


def _daily_max_findings(drug: Drug, daily: Mass, screening: Screening) -> list[RegimenIssue]:
    """Above, at or (above the lowest maximum yet) within the maximum for the indication."""
    limit = screening.daily_max
    if limit is None:
        return []
    head = f"{fmt(daily)} of {drug.label} a day"
    if daily.mg > limit.max_mg.mg:
        text = (
            f"{head} is above the daily maximum of {fmt(limit.max_mg)} for {limit.applies_to}; "
            "talk to the prescriber."
        )
        text += _higher_maximum_hint(drug, daily, limit)
        return [RegimenIssue("dose", "urgent", text, limit.source, clinician_flag=True)]
    if daily.mg == limit.max_mg.mg:
        text = f"{head} is the daily maximum ({fmt(limit.max_mg)}): do not take more."
        return [RegimenIssue("dose", "info", text, limit.source)]
    lowest = drug.daily_maximum_for(None)
    if lowest is not None and daily.mg > lowest.max_mg.mg:
        text = (
            f"{head} is within the maximum of {fmt(limit.max_mg)} for {limit.applies_to} "
            f"(above the {fmt(lowest.max_mg)} that applies to other uses)."
        )
        return [RegimenIssue("dose", "info", text, limit.source)]
    return []


def _higher_maximum_hint(drug: Drug, daily: Mass, limit: DailyMaximum) -> str:
    """When no indication was given and another indication allows the dose, say which."""
    if limit.indication is not None:
        return ""
    higher = [m for m in drug.daily_maxima if daily.mg <= m.max_mg.mg]
    return "".join(
        f" (The maximum for {m.applies_to} is {fmt(m.max_mg)} [{m.source}]: if that is why "
        f"{drug.label} is taken, say so, e.g. the condition “epilepsy”.)"
        if m.indication == "seizure"
        else f" (The maximum for {m.applies_to} is {fmt(m.max_mg)} [{m.source}].)"
        for m in higher
    )


def _band_findings(drug: Drug, daily: Mass) -> list[RegimenIssue]:
    if not drug.dose_bands or drug.band_for(daily) is not None:
        return []
    lowest = drug.dose_bands[0]
    text = (
        f"{fmt(daily)} a day is below the lowest dose band of the source "
        f"({fmt(lowest.low_mg)}); no band describes its effects."
    )
    return [RegimenIssue("dose", "info", text, lowest.source)]


def _sleep_findings(drug: Drug, doses: tuple[TimedDose, ...]) -> list[RegimenIssue]:
    """Bedtime timing and range, for a single evening or night dose of a drug used for sleep."""
    use = drug.sleep_use
    if use is None or len(doses) != 1 or doses[0].clock is None:
        return []
    dose, hour = doses[0].amount, doses[0].clock.hour
    if LATE_NIGHT_END_H <= hour < EVENING_START_H:
        return []
    findings = [
        RegimenIssue(
            "timing",
            "info",
            f"For sleep, take it about {use.before_bed_min} min before bed.",
            use.source,
        )
    ]
    if hour < LATE_NIGHT_END_H:
        findings.append(_late_dose_finding())
    findings += _sleep_range_findings(drug, use, dose)
    return findings


def _late_dose_finding() -> RegimenIssue:
    text = "A dose after midnight can leave you drowsy in the morning; keep the time regular."
    return RegimenIssue("timing", "info", text, "SEED-INSOMNIA")


def _sleep_range_findings(drug: Drug, use: SleepUse, dose: Mass) -> list[RegimenIssue]:
    if use.contains(dose):
        return []
    span = f"{fmt_number(use.low_mg.mg)}-{fmt(use.high_mg)}"
    if dose.mg > use.high_mg.mg:
        text = (
            f"{fmt(dose)} of {drug.label} at bedtime is above the usual sleep-use range of "
            f"{span}; talk to the prescriber."
        )
        return [RegimenIssue("dose", "warning", text, use.source)]
    text = f"{fmt(dose)} at bedtime is below the usual sleep-use range of {span}."
    return [RegimenIssue("dose", "info", text, use.source)]


def _duration_findings(
    catalogue: Catalogue, drug: Drug, weeks: int | None, *, for_sleep: bool = True
) -> list[RegimenIssue]:
    if weeks is None:
        return []
    findings = []
    use = drug.sleep_use
    if use is not None and for_sleep and weeks > use.short_term_high_weeks:
        text = (
            f"{weeks} weeks is longer than the short-term use advised for sleep (weeks, "
            f"typically {use.short_term_low_weeks}-{use.short_term_high_weeks}); review it with "
            "the prescriber."
        )
        findings.append(RegimenIssue("duration", "warning", text, use.source))
    months = catalogue.significant_use_months
    if weeks / WEEKS_PER_MONTH >= months.value:
        findings.append(_significant_use_finding(catalogue, months))
    return findings


def _significant_use_finding(catalogue: Catalogue, months: Sourced[float]) -> RegimenIssue:
    days = catalogue.significant_use_days_per_week.value
    text = (
        f"Use for {fmt_number(months.value)} months or more (on at least {fmt_number(days)} days "
        "a week) carries a clinically significant withdrawal risk: never stop abruptly; reduce "
        "only by a slow taper planned with the prescriber."
    )
    return RegimenIssue("duration", "warning", text, months.source)
