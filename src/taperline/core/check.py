"""Check a regimen against the catalogue, and gather what a patient asks about a drug.

Pure functions that return frozen values, shared by ``taperline check`` and
``taperline learn`` (and later the web app): no I/O, clock, environment or printing.

Findings and exit codes (``taperline check``):

* every :class:`RegimenIssue` has a kind, a severity, a message, a source id, ``clinician_flag``
  (set on every urgent finding) and ``crisis`` (the message carries the crisis resources);
* ``info`` is context (for example "about 30 min before bed") and never changes the exit code;
  ``warning`` is something to discuss with the prescriber (a moderate interaction, a
  condition, long use, an unknown name); ``urgent`` is a danger (above the daily maximum, a
  major interaction, a contraindication, crisis words, under 18);
* :attr:`CheckReport.exit_code` is 1 when any finding is a warning or urgent, or any name was
  not in the catalogue, and 0 otherwise. Bad input raises
  :class:`~taperline.errors.InputError` (exit 2 in the CLI), never a finding.

What the other medicines and conditions mean is decided by
:func:`taperline.core.screening.screen` (classes, contraindications, crisis words, the
indication and its daily maximum, age); names it does not know (``--with tea``,
``--condition gout``) are reported as "unknown: ask a pharmacist", with a did-you-mean when one
is close, never silently ignored: an unknown agent is not a safe agent.

The daily maximum is the one for the indication read from the conditions (20 mg for a seizure
disorder, 4 mg for panic disorder or sleep [LABEL, SEED-AURA]); without one, the lowest. With a
seizure or panic indication the sleep-use advice (bedtime range, short-term use) is left out.

>>> from taperline.catalogue_data import load_catalogue
>>> catalogue = load_catalogue()
>>> drug = catalogue.get("clonazepam")
>>> report = check_regimen(catalogue, drug, CheckRequest(
...     doses=build_doses((Mass.of_mg("0.5"),), (time(22, 0),)), agents=("oxycodone",)))
>>> report.band.name, report.exit_code, report.findings[0].severity
('low', 1, 'urgent')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import time
from typing import Final

from taperline.core.catalogue import (
    DIAZEPAM_REFERENCE,
    Catalogue,
    DailyMaximum,
    DoseBand,
    Drug,
    Equivalence,
    Indication,
    Interaction,
    Range,
    SleepUse,
    Sourced,
)
from taperline.core.quantity import Mass, fmt, fmt_number
from taperline.core.screening import (
    MAX_AGE_YEARS,
    OLDER_ADULT_AGE_YEARS,
    OWN_SOURCE,
    REGIMEN_ISSUE_KINDS,
    REGIMEN_ISSUE_SEVERITIES,
    RegimenIssue,
    RegimenIssueKind,
    RegimenIssueSeverity,
    Screening,
    maximum_document,
    regimen_issue_document,
    screen,
    screening_document,
)
from taperline.errors import InputError, RegimenError

__all__ = [
    "DISCLAIMER",
    "MAX_AGE_YEARS",
    "OLDER_ADULT_AGE_YEARS",
    "OWN_SOURCE",
    "REGIMEN_ISSUE_KINDS",
    "REGIMEN_ISSUE_SEVERITIES",
    "CheckReport",
    "CheckRequest",
    "HalfLifeTimes",
    "Lesson",
    "Point",
    "RegimenIssue",
    "RegimenIssueKind",
    "RegimenIssueSeverity",
    "TimedDose",
    "Topic",
    "WithdrawalRisk",
    "build_doses",
    "check_document",
    "check_regimen",
    "learn",
    "lesson_document",
    "split_names",
    "times_from_half_life",
    "withdrawal_risks",
]

#: The footer of every check and lesson.
DISCLAIMER: Final = "taperline supports your prescriber; it does not replace them."

# RegimenIssue, RegimenIssueKind, RegimenIssueSeverity, REGIMEN_ISSUE_KINDS,
# REGIMEN_ISSUE_SEVERITIES, OWN_SOURCE, OLDER_ADULT_AGE_YEARS (65: avoid benzodiazepines
# [BEERS-2023]) and MAX_AGE_YEARS come from taperline.core.screening and are re-exported
# here for the callers of the check.
MAX_WEEKS: Final = 52 * 100  # taperline's plausibility limit: a century of use is a typo

#: Half-lives to reach 90 % of steady state with regular dosing: 1 - 2**-n = 0.9, so
#: n = ln 10 / ln 2 (about 3.3). Arithmetic of first-order kinetics, which hold for
#: clonazepam [LABEL: linear kinetics].
HALF_LIVES_TO_90_PCT: Final = math.log(10) / math.log(2)
#: After 5 half-lives 1 - 2**-5 (about 97 %) is gone: "practically cleared" (same arithmetic).
HALF_LIVES_TO_CLEAR: Final = 5
CLEARED_PCT: Final = round(100 * (1 - 2**-HALF_LIVES_TO_CLEAR))

#: taperline's convention for turning --weeks into months (52 weeks in 12 months), so 13 weeks
#: count as the 3 months of ASAM-2025's significant-use rule.
WEEKS_PER_MONTH: Final = 52 / 12

#: taperline's own convention (not a clinical value) for which clock times are "the evening"
#: (a bedtime dose) and "after midnight" (a late dose) when a single daily dose is checked.
EVENING_START_H: Final = 18
LATE_NIGHT_END_H: Final = 5

_HOURS_PER_DAY: Final = 24.0
_DAYS_THRESHOLD_H: Final = 48.0  # show durations of two days or more in days, else in hours

_RANK: Final[dict[RegimenIssueSeverity, int]] = {"urgent": 0, "warning": 1, "info": 2}
#: Indications for which the sleep-use advice does not apply.
_NOT_FOR_SLEEP: Final[frozenset[Indication]] = frozenset({"seizure", "panic"})


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimedDose:
    """One dose of the day: the amount and, when known, the clock time."""

    amount: Mass
    clock: time | None = None

    @property
    def clock_text(self) -> str | None:
        """The clock time as HH:MM, or None.

        >>> TimedDose(Mass.of_mg(1), time(22, 0)).clock_text
        '22:00'
        """
        return None if self.clock is None else f"{self.clock:%H:%M}"


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """What to check: the day's doses and, optionally, other agents, conditions and context.

    ``weeks`` is how long the drug has been taken (regularly); ``age_years`` must be 0-120.
    ``indication`` overrides the one read from the conditions; ``local_emergency`` is how
    the crisis message names the local emergency number.
    """

    doses: tuple[TimedDose, ...]
    agents: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    age_years: int | None = None
    pregnant: bool = False
    breastfeeding: bool = False
    weeks: int | None = None
    indication: Indication | None = None
    local_emergency: str = "your local emergency number"


@dataclass(frozen=True, slots=True)
class WithdrawalRisk:
    """The ASAM-2025 withdrawal-risk band of the daily dose, by one equivalence source."""

    equivalence: Equivalence
    diazepam_mg: Mass
    band: DoseBand | None


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The result of :func:`check_regimen`; findings are sorted, most severe first."""

    drug: Drug
    doses: tuple[TimedDose, ...]
    daily_dose: Mass
    band: DoseBand | None
    withdrawal_risk: tuple[WithdrawalRisk, ...]
    findings: tuple[RegimenIssue, ...]
    unknown: tuple[str, ...]
    weeks: int | None = None
    screening: Screening | None = None

    @property
    def daily_max(self) -> DailyMaximum | None:
        """The daily maximum that applied (for the indication), or None when none did."""
        if self.screening is not None:
            return self.screening.daily_max
        return self.drug.daily_maximum_for(None)

    @property
    def exit_code(self) -> int:
        """1 when anything needs the prescriber's attention (warning, urgent, unknown), else 0."""
        return 1 if self.unknown or any(f.is_warning for f in self.findings) else 0

    @property
    def known_conditions(self) -> tuple[str, ...]:
        """The condition slugs the catalogue holds for this drug."""
        return tuple(c.condition for c in self.drug.cautions)


@dataclass(frozen=True, slots=True)
class HalfLifeTimes:
    """Times (h) to 90 % of steady state and to practically clear, typical and range."""

    steady_90_h: tuple[float, float, float]
    cleared_h: tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Point:
    """One cited statement of a lesson."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Topic:
    """A section of a lesson: a key (stable, for JSON), a heading and cited points."""

    key: str
    heading: str
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Lesson:
    """What ``taperline learn`` shows about one drug; ``sparse`` when it has no catalogue facts."""

    drug: Drug
    topics: tuple[Topic, ...]
    sparse: bool


# --- input ------------------------------------------------------------------------------------


def build_doses(amounts: Iterable[Mass], clocks: Iterable[time]) -> tuple[TimedDose, ...]:
    """Pair doses with clock times: one dose at several times, or one time per dose.

    Without times each dose has ``clock=None``. Doses are sorted by time.

    Raises:
        RegimenError: no dose, or the numbers of doses and times cannot be paired.

    >>> [d.clock_text for d in build_doses([Mass.of_mg(1)], [time(22, 0), time(8, 0)])]
    ['08:00', '22:00']
    >>> build_doses([Mass.of_mg(1), Mass.of_mg(2)], [time(8, 0)] * 3)
    Traceback (most recent call last):
    ...
    taperline.errors.RegimenError: 2 doses, 3 times: pair each dose with a time, or give one dose
    """
    doses, times = tuple(amounts), tuple(clocks)
    if not doses:
        raise RegimenError("give at least one dose, for example '0.5 mg'")
    if not times:
        return tuple(TimedDose(dose) for dose in doses)
    if len(doses) == 1:
        doses *= len(times)
    if len(doses) != len(times):
        raise RegimenError(
            f"{len(doses)} doses, {len(times)} times: pair each dose with a time, or give one dose"
        )
    paired = (TimedDose(dose, clock) for dose, clock in zip(doses, times, strict=True))
    return tuple(sorted(paired, key=lambda d: (d.clock or time(), d.amount)))


def split_names(values: Iterable[str]) -> tuple[str, ...]:
    """Split repeatable, comma-separated names; drop blanks and repeats (ignoring case).

    >>> split_names(["oxycodone, Alcohol", "alcohol", " "])
    ('oxycodone', 'Alcohol')
    """
    seen: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            name = part.strip()
            if name and name.casefold() not in seen:
                seen[name.casefold()] = name
    return tuple(seen.values())


def _validate(request: CheckRequest, drug: Drug) -> None:
    if request.age_years is not None and not 0 <= request.age_years <= MAX_AGE_YEARS:
        raise InputError(f"age must be 0-{MAX_AGE_YEARS} years, got {request.age_years}")
    if request.weeks is not None and not 0 <= request.weeks <= MAX_WEEKS:
        raise InputError(f"weeks of use must be 0-{MAX_WEEKS}, got {request.weeks}")
    if not request.doses:
        raise RegimenError("give at least one dose, for example '0.5 mg'")
    for dose in request.doses:
        drug.check_single_dose(dose.amount)


# --- the check --------------------------------------------------------------------------------


def check_regimen(catalogue: Catalogue, drug: Drug, request: CheckRequest) -> CheckReport:
    """Check a day's doses of ``drug`` and the context given; never refuses a high dose.

    Raises:
        InputError: an implausible single dose (mcg/mg slip), no dose, an age outside 0-120.

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
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


# --- the JSON document ------------------------------------------------------------------------


def _mg(mass: Mass | None) -> float | None:
    return None if mass is None else float(mass.mg)


def _band_document(band: DoseBand | None) -> dict[str, object] | None:
    if band is None:
        return None
    return {
        "name": band.name,
        "low_mg": _mg(band.low_mg),
        "high_mg": _mg(band.high_mg),
        "effects": band.effects,
        "risks": band.risks,
        "source": band.source,
        "assumption": band.assumption,
        "note": band.note,
    }


def _sleep_use_document(use: SleepUse | None) -> dict[str, object] | None:
    if use is None:
        return None
    return {
        "low_mg": _mg(use.low_mg),
        "high_mg": _mg(use.high_mg),
        "before_bed_min": use.before_bed_min,
        "short_term_weeks": [use.short_term_low_weeks, use.short_term_high_weeks],
        "source": use.source,
        "note": use.note,
    }


def _risk_document(risk: WithdrawalRisk) -> dict[str, object]:
    band = risk.band
    return {
        "equivalence_source": risk.equivalence.source,
        "dose_equivalent_to_diazepam_10_mg": _mg(risk.equivalence.dose_mg),
        "diazepam_equivalent_mg": _mg(risk.diazepam_mg),
        "band": None if band is None else band.name,
        "risks": None if band is None else band.risks,
        "band_source": None if band is None else band.source,
    }


def check_document(report: CheckReport) -> dict[str, object]:
    """The JSON contract of ``taperline check --format json``.

    >>> from taperline.catalogue_data import load_catalogue
    >>> catalogue = load_catalogue()
    >>> doc = check_document(check_regimen(catalogue, catalogue.get("clonazepam"),
    ...     CheckRequest(build_doses([Mass.of_mg("0.5")], [time(22, 0)]))))
    >>> doc["daily_dose_mg"], doc["doses"], doc["exit_code"]
    (0.5, [{'time': '22:00', 'amount_mg': 0.5}], 0)
    >>> doc["daily_max"]["applies_to"][:40], doc["indication"]
    ('anyone whose reason for taking it is not', None)
    """
    drug = report.drug
    limit = report.daily_max
    screened = screening_document(report.screening) if report.screening is not None else {}
    return {
        "drug": drug.name,
        "drug_label": drug.label,
        "daily_dose_mg": _mg(report.daily_dose),
        "doses": [{"time": d.clock_text, "amount_mg": _mg(d.amount)} for d in report.doses],
        "weeks_of_use": report.weeks,
        "band": _band_document(report.band),
        "daily_max_mg": None if limit is None else _mg(limit.max_mg),
        "daily_max_source": None if limit is None else limit.source,
        "daily_max": maximum_document(limit),
        "indication": screened.get("indication"),
        "sleep_use": _sleep_use_document(drug.sleep_use),
        "withdrawal_risk": [_risk_document(r) for r in report.withdrawal_risk],
        "findings": [regimen_issue_document(f) for f in report.findings],
        "unknown": list(report.unknown),
        "unknown_details": screened.get("unknown", []),
        "classes": screened.get("classes", []),
        "contraindications": screened.get("contraindications", []),
        "crisis": bool(screened.get("crisis")),
        "clinician_flag": any(f.clinician_flag for f in report.findings),
        "refusals": screened.get("refusals", []),
        "known_conditions": list(report.known_conditions),
        "exit_code": report.exit_code,
        "disclaimer": DISCLAIMER,
    }


# --- learn ------------------------------------------------------------------------------------


def times_from_half_life(half_life_h: Range) -> HalfLifeTimes:
    """Times to 90 % of steady state (about 3.3 half-lives) and to clear (5 half-lives).

    Typical, low and high follow the half-life's typical value and range.

    >>> times = times_from_half_life(Range(35.0, 30.0, 40.0, "LABEL"))
    >>> [round(h / 24, 1) for h in times.steady_90_h], [round(h / 24, 1) for h in times.cleared_h]
    ([4.8, 4.2, 5.5], [7.3, 6.2, 8.3])
    """

    def scaled(factor: float) -> tuple[float, float, float]:
        return (half_life_h.typical * factor, half_life_h.low * factor, half_life_h.high * factor)

    return HalfLifeTimes(scaled(HALF_LIVES_TO_90_PCT), scaled(HALF_LIVES_TO_CLEAR))


def _span(typical_h: float, low_h: float, high_h: float) -> str:
    """'about 4.8 days (4.2-5.5 days)' or 'about 8 h (5-15 h)', in one unit chosen by size.

    >>> _span(8.3, 4.6, 14.9)
    'about 8 h (5-15 h)'
    """
    if typical_h >= _DAYS_THRESHOLD_H:
        values = [fmt_number(round(v / _HOURS_PER_DAY, 1)) for v in (typical_h, low_h, high_h)]
        return f"about {values[0]} days ({values[1]}-{values[2]} days)"
    values = [fmt_number(round(v)) for v in (typical_h, low_h, high_h)]
    return f"about {values[0]} h ({values[1]}-{values[2]} h)"


def _range_text(value: Range) -> str:
    low, high = fmt_number(round(value.low, 1)), fmt_number(round(value.high, 1))
    return f"about {fmt_number(round(value.typical, 1))} h (range {low}-{high} h)"


def _facts(drug: Drug, *topics: str) -> tuple[Point, ...]:
    return tuple(Point(f.text, f.source) for t in topics for f in drug.facts_about(t))


def _half_life_points(drug: Drug) -> tuple[Point, ...]:
    hl = drug.half_life_h
    text = f"The elimination half-life is {_range_text(hl)}."
    if hl.note:
        text += f" Note: {hl.note}."
    points = [Point(text, hl.source)]
    metabolite = drug.active_metabolite_half_life_h
    if metabolite is not None:
        points.append(
            Point(
                f"Its active metabolite's half-life is {_range_text(metabolite)}.",
                metabolite.source,
            )
        )
    return tuple(points)


def _steady_state_points(drug: Drug) -> tuple[Point, ...]:
    times = times_from_half_life(drug.half_life_h)
    text = (
        "Taken regularly, levels build up: about 90 % of steady state after about "
        f"{fmt_number(round(HALF_LIVES_TO_90_PCT, 1))} half-lives, {_span(*times.steady_90_h)}; "
        f"practically all of it (about {CLEARED_PCT} %) after {HALF_LIVES_TO_CLEAR} half-lives, "
        f"{_span(*times.cleared_h)}. A dose change takes as long to settle."
    )
    return (Point(text, drug.half_life_h.source),)


def _clear_points(drug: Drug) -> tuple[Point, ...]:
    times = times_from_half_life(drug.half_life_h)
    text = (
        "After the last dose the level halves every half-life; about "
        f"{CLEARED_PCT} % is gone after {HALF_LIVES_TO_CLEAR} half-lives: "
        f"{_span(*times.cleared_h)}."
    )
    points = [Point(text, drug.half_life_h.source)]
    metabolite = drug.active_metabolite_half_life_h
    if metabolite is not None:
        span = _span(*times_from_half_life(metabolite).cleared_h)
        points.append(
            Point(f"Its active metabolite takes longer to clear: {span}.", metabolite.source)
        )
    return tuple(points)


def _onset_points(drug: Drug) -> tuple[Point, ...]:
    points = list(_facts(drug, "onset"))
    tmax = drug.tmax_h
    if tmax is not None:
        low, high = fmt_number(round(tmax.low, 1)), fmt_number(round(tmax.high, 1))
        points.append(Point(f"Blood levels peak about {low}-{high} h after a dose.", tmax.source))
    return tuple(points)


def _daily_max_points(drug: Drug) -> tuple[Point, ...]:
    """The maximum, or the maximum for each indication and which applies to whom."""
    if drug.daily_maxima:
        points = [
            Point(f"For {m.applies_to}: at most {fmt(m.max_mg)} of {drug.label} a day.", m.source)
            for m in sorted(drug.daily_maxima, key=lambda m: -m.max_mg.mg)
        ]
        lowest = drug.daily_maximum_for(None)
        if lowest is not None:
            text = (
                f"When the reason for taking it is not known, taperline uses the lowest: "
                f"{fmt(lowest.max_mg)} a day."
            )
            points.append(Point(text, OWN_SOURCE))
        return (*points, *_facts(drug, "daily_max"))
    limit = drug.daily_max_mg
    if limit is None:
        return _facts(drug, "daily_max")
    text = f"Do not take more than {fmt(limit.value)} of {drug.label} a day."
    if limit.assumption and limit.note:
        text += f" ({limit.note})"
    return (Point(text, limit.source), *_facts(drug, "daily_max"))


_SEVERITY_ORDER: Final[dict[str, int]] = {"major": 0, "moderate": 1, "minor": 2}


def _interaction_point(interaction: Interaction) -> Point:
    what = interaction.agent[:1].upper() + interaction.agent[1:]
    if interaction.class_examples:
        what += f" (for example {interaction.class_examples})"
    elif interaction.aliases:
        what += f" ({', '.join(interaction.aliases[:3])})"
    advice = interaction.advice[:1].upper() + interaction.advice[1:]
    text = f"{what}: {interaction.effect}. {advice.rstrip('.')}."
    if interaction.assumption and interaction.note:
        text += f" ({interaction.note})"
    return Point(text, interaction.source)


def _interactions_points(drug: Drug) -> tuple[Point, ...]:
    """Boxed warning, the classes and other interactions, contraindications, pregnancy."""
    points = list(_facts(drug, "boxed_warning", "warnings"))
    # who should not take it: the contraindications, and what is not one (open-angle glaucoma)
    points += [Point(c.message, c.source) for c in drug.cautions if c.contraindication]
    points += [Point(c.message, c.source) for c in drug.cautions if c.severity == "info"]
    rows = sorted(drug.interactions, key=lambda i: _SEVERITY_ORDER[i.severity])
    points += [_interaction_point(i) for i in rows]
    points += [
        Point(c.message, c.source)
        for c in drug.cautions
        if c.condition in {"pregnancy", "breastfeeding"}
    ]
    return tuple(points)


def _stopping_points(drug: Drug) -> tuple[Point, ...]:
    points = list(_facts(drug, "side_effects_stopping", "tapering"))
    if drug.drug_class == "benzodiazepine":
        text = (
            "Never stop abruptly after regular use. A taper usually starts with cuts of 5-10 % "
            "every 2-4 weeks (typically not more than 25 % every 2 weeks), slowed or paused when "
            "withdrawal symptoms are significant; they may appear up to a week after a cut."
        )
        points.append(Point(text, "ASAM-2025"))
    else:
        text = (
            "Taper gradually with the prescriber rather than stopping suddenly: about 25 % every "
            "2 weeks, and 12.5 % steps near the end."
        )
        points.append(Point(text, "DEPRESCRIBING-2018"))
    return tuple(points)


def _equivalence_points(drug: Drug) -> tuple[Point, ...]:
    reference = drug.name == "diazepam"  # equivalences are stated against diazepam 10 mg
    if (
        reference
        and drug.equivalences
        and all(eq.dose_mg == DIAZEPAM_REFERENCE for eq in drug.equivalences)
    ):
        text = f"{drug.label} {fmt(DIAZEPAM_REFERENCE)} is the reference dose for equivalences."
        return (Point(text, drug.equivalences[0].source),)
    points = [
        Point(f"{fmt(eq.dose_mg)} of {drug.label} is about as strong as diazepam 10 mg.", eq.source)
        for eq in drug.equivalences
    ]
    doses_mg = [eq.dose_mg.mg for eq in drug.equivalences]
    if len(set(doses_mg)) > 1:
        fold = fmt_number(round(max(doses_mg) / min(doses_mg), 1))
        text = f"The sources disagree ({fold}-fold): taperline shows each rather than pick one."
        points.append(Point(text, "ASAM-2025"))
    return tuple(points)


def _product_points(drug: Drug) -> tuple[Point, ...]:
    return tuple(Point(p.label, p.source) for p in drug.products)


_Builder = Callable[[Drug], tuple[Point, ...]]

_TOPICS: Final[tuple[tuple[str, str, _Builder], ...]] = (
    ("onset", "Onset: when it starts working", _onset_points),
    ("duration", "Duration: how long the effect lasts", lambda d: _facts(d, "duration")),
    ("half_life", "Half-life", _half_life_points),
    ("steady_state", "How long to reach steady state", _steady_state_points),
    ("time_to_clear", "How long to clear after the last dose", _clear_points),
    ("sleep_use", "Use for sleep", lambda d: _facts(d, "sleep_use")),
    ("daily_max", "Daily maximum", _daily_max_points),
    ("interactions", "Interactions and who should not take it", _interactions_points),
    (
        "side_effects",
        "Side effects",
        lambda d: _facts(
            d, "side_effects_common", "side_effects_behavioural", "side_effects_physical"
        ),
    ),
    ("insomnia_paradox", "Why it can cause insomnia", lambda d: _facts(d, "insomnia_paradox")),
    ("alternatives", "Alternatives (CBT-I first)", lambda d: _facts(d, "alternatives")),
    ("discuss_before", "Discuss with your prescriber", lambda d: _facts(d, "discuss_before")),
    ("stopping", "Stopping: never abruptly", _stopping_points),
    ("equivalence", "Strength compared with diazepam", _equivalence_points),
    ("products", "Products", _product_points),
    ("pharmacology", "How the body handles it", lambda d: _facts(d, "pharmacology", "levels")),
)


def learn(drug: Drug) -> Lesson:
    """The facts a patient asks about, each cited; says so plainly when the catalogue holds few.

    Topics without content are left out, so every topic shown has at least one point.

    >>> from taperline.catalogue_data import load_catalogue
    >>> lesson = learn(load_catalogue().get("zolpidem"))
    >>> lesson.sparse, lesson.topics[-1].key
    (True, 'little_else')
    """
    topics = [
        Topic(key, heading, points) for key, heading, build in _TOPICS if (points := build(drug))
    ]
    sparse = not drug.facts
    if sparse:
        text = (
            f"The catalogue holds little else about {drug.label}: ask the prescriber or "
            "pharmacist about onset, side effects and interactions."
        )
        topics.append(
            Topic("little_else", "What the catalogue does not hold", (Point(text, OWN_SOURCE),))
        )
    return Lesson(drug, tuple(topics), sparse)


def lesson_document(lesson: Lesson) -> dict[str, object]:
    """The JSON contract of ``taperline learn --format json``.

    >>> from taperline.catalogue_data import load_catalogue
    >>> doc = lesson_document(learn(load_catalogue().get("clonazepam")))
    >>> doc["drug_label"], doc["topics"][0]["key"], doc["topics"][0]["points"][0]["source"]
    ('clonazePAM', 'onset', 'SEED-AURA')
    """
    drug = lesson.drug
    return {
        "drug": drug.name,
        "drug_label": drug.label,
        "brand_names": list(drug.brand_names),
        "drug_class": drug.drug_class,
        "sparse": lesson.sparse,
        "topics": [
            {
                "key": t.key,
                "heading": t.heading,
                "points": [{"text": p.text, "source": p.source} for p in t.points],
            }
            for t in lesson.topics
        ],
        "disclaimer": DISCLAIMER,
    }
