"""The one rules engine: every plan, whatever made it, is checked here before it is shown or stored.

A plan reaches this module as the steps a person follows (:class:`~taperline.core.record.
RecordStep`), whether the planner made it (any strategy, ``custom``, bands, holds), a
clinician adjusted or resumed a stored plan, or a FHIR import brought it. :func:`check_plan`
returns every rule it breaks; :meth:`RulesReport.raise_if_refused` refuses it.

The rules, where each number comes from, and whether an override reason can lift it:

=============== ========================================================== ============ ==========
rule            what it holds                                              override     source
=============== ========================================================== ============ ==========
daily_max       no step gives more of a drug a day than its maximum for     never        LABEL,
                the indication                                                          SEED-AURA
increase        no step raises the daily dose (diazepam equivalents)        never        taperline
                unless the clinician wrote the clinical reason on that step
abrupt_stop     a step to zero only from the smallest makeable dose (or     never        ASAM-2025,
                from at most diazepam 0.5 mg equivalent)                                NICE-CKS
label_rate      the dose never falls faster than the fastest documented     never        LABEL
                clonazepam discontinuation: 0.25 mg a day every 3 days
                (its diazepam equivalent for other drugs), counted over
                every period of at least 14 days
cap             in no 14-day window does the daily dose fall by more than   yes          ASAM-2025,
                25 % of the window's highest dose, or near the end by                   NICE-CKS
                more than diazepam 0.5 mg equivalent, however the steps
                are spaced
stabilisation   the first change comes at least 14 days after the start     yes          SEED-MICRO
switch          a crossover switch is not a cut above the cap by any        yes          ASHTON,
                equivalence source                                                      VADOD-2021
parameter       the plan's settings are within the guideline (cap,          yes          ASAM-2025
                window, stabilisation, a strategy's percent or interval)
=============== ========================================================== ============ ==========

Windows compare the dose on a day with the doses in force on the 14 days before it, so
"25 % every 14 days" is exactly allowed and 10 % every 3 days is not. The last step to
zero is judged by the ``abrupt_stop`` rule, not the cap. An every-other-day step counts as
half its daily dose. An override reason must be a sentence a colleague could audit
(:func:`check_reason`); with one, the ``cap``, ``stabilisation``, ``switch`` and
``parameter`` rules are lifted and each lifted rule is listed in
:attr:`RulesReport.outside_guideline`, which every surface shows as "outside the guideline
by clinician override: <reason>" (:func:`~taperline.core.guideline.override_mark`).

>>> from taperline.core.record import RecordDose, RecordStep
>>> def step(day, mg):
...     doses = (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),) if mg != "0" else ()
...     return RecordStep(date(2027, 1, day), doses)
>>> from taperline.core.catalogue import DailyMaximum
>>> limits = Limits(start_drug="clonazepam", ratios={"clonazepam": Decimal(20)},
...     daily_max={"clonazepam": DailyMaximum("panic", Mass.of_mg(4), "adults", "LABEL")},
...     smallest={"clonazepam": Mass.of_mg("0.125")})
>>> report = check_plan([step(1, "1"), step(15, "0.9"), step(18, "0.8"), step(21, "0.7")], limits)
>>> [v.rule for v in report.refused]
['cap']
>>> report.refused[0].message  # doctest: +NORMALIZE_WHITESPACE
'the step on 2027-01-21 takes the daily dose from 1 mg (on 2027-01-14) to 0.7 mg: a 30 % cut
within 14 days, above the guideline cap of 25 % per 14 days [ASAM-2025]: space the cuts out,
or give an override reason to allow it'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final, Literal, get_args

from taperline.core.catalogue import DailyMaximum
from taperline.core.guideline import (
    END_PHASE_DIAZEPAM_MG,
    GUIDELINE,
    LABEL_STEP_DAYS,
    LABEL_STEP_MG,
    override_mark,
)
from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.core.record import PlanBasis, RecordStep
from taperline.errors import InputError, SafetyError

__all__ = [
    "HARD_RULES",
    "RULE_IDS",
    "Limits",
    "RuleId",
    "RulesReport",
    "Violation",
    "cap_floor",
    "check_plan",
    "check_reason",
    "describe_change",
    "label_rate_floor",
    "lowest_allowed",
    "parameter_violations",
    "pct_text",
    "rate_allowance",
    "stop_allowance",
    "switch_changes",
    "window_highest",
]

RuleId = Literal[
    "daily_max",
    "increase",
    "abrupt_stop",
    "label_rate",
    "cap",
    "stabilisation",
    "switch",
    "parameter",
]
RULE_IDS: Final[tuple[RuleId, ...]] = get_args(RuleId)
#: Rules no override reason can lift.
HARD_RULES: Final[frozenset[RuleId]] = frozenset(
    {"daily_max", "increase", "abrupt_stop", "label_rate"}
)
_HUNDRED: Final = Decimal(100)
_ZERO: Final = Decimal(0)
#: How many broken rules a refusal message spells out (the rest are counted).
_SHOWN: Final = 3

# --- reasons ----------------------------------------------------------------------------------

#: taperline's bar for a reason a colleague could audit: at least two words and 12 letters,
#: and not only placeholder words.
MIN_REASON_WORDS: Final = 2
MIN_REASON_LETTERS: Final = 12
_PLACEHOLDERS: Final = frozenset(
    {
        "x", "xx", "xxx", "ok", "okay", "yes", "no", "fast", "faster", "quick", "quicker",
        "na", "n/a", "none", "nil", "test", "testing", "todo", "tbd", "tbc", "asdf", "qwerty",
        "foo", "bar", "override", "overridden", "reason", "because", "why", "see", "notes",
        "note", "above", "below", "etc", "whatever", "dunno", "idk", "please", "needed",
        "required", "clinical", "clinician", "doctor", "patient", "request", "requested",
        "wants", "want", "wish", "preference", "decision", "decided", "per", "the", "a", "an",
        "and", "or", "of", "to", "for", "by", "it", "is", "as", "on", "in", "at", "ok'd",
        "approved", "agreed", "fine", "good", "sure", "go", "do", "this", "that", "same",
        "other", "misc", "various", "plan", "taper", "cap", "cut", "cuts", "dose", "speed",
    }
)  # fmt: skip
_WORD_RE: Final = re.compile(r"[^\W\d_]+(?:['/][^\W\d_]+)*")


def check_reason(text: str | None, what: str = "the override reason") -> str:
    """The reason, stripped, when it is a sentence a colleague could audit; else InputError.

    Refused: empty text, fewer than two words or 12 letters, or only placeholder words
    ("x", "ok", "fast", "n/a", "patient request", "override").

    >>> check_reason("  Nardi 2010 regimen, inpatient unit  ")
    'Nardi 2010 regimen, inpatient unit'
    >>> check_reason("fast")
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: the override reason 'fast' is not a reason a colleague could \
audit: write what makes this plan right for this person, e.g. 'short-term use for 6 weeks, \
panic disorder label discontinuation'
    """
    cleaned = " ".join((text or "").split())
    words = [w.casefold() for w in _WORD_RE.findall(cleaned)]
    letters = sum(len(w) for w in words)
    meaningful = [w for w in words if w not in _PLACEHOLDERS]
    if not cleaned:
        raise InputError(f"{what} is empty: write what makes this plan right for this person")
    if len(words) < MIN_REASON_WORDS or letters < MIN_REASON_LETTERS or not meaningful:
        raise InputError(
            f"{what} {cleaned!r} is not a reason a colleague could audit: write what makes this "
            "plan right for this person, e.g. 'short-term use for 6 weeks, panic disorder "
            "label discontinuation'"
        )
    return cleaned


# --- limits and results ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limits:
    """Everything numeric a plan is checked against, built from its basis and the catalogue.

    ``ratios`` are diazepam-equivalent mg per mg of each drug by the plan's equivalence
    source; ``ratios_by_source`` the same by every source (for crossover switches).
    ``daily_max`` and ``smallest`` are per drug (the maximum for the indication, with its
    source and to whom it applies; the smallest makeable dose).
    ``label_step_ref`` is the label's 0.25 mg a day of clonazepam in diazepam-equivalent mg
    (None: 0.25 mg times the clonazepam ratio).
    """

    start_drug: str
    ratios: Mapping[str, Decimal]
    daily_max: Mapping[str, DailyMaximum]
    smallest: Mapping[str, Mass]
    ratios_by_source: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    max_cut_pct: Decimal = GUIDELINE.max_cut_pct
    window_days: int = GUIDELINE.window_days
    stabilisation_days: int = GUIDELINE.stabilisation_days
    override_reason: str = ""
    label_step_ref: Decimal | None = None

    def ratio(self, drug: str) -> Decimal:
        """Diazepam-equivalent mg per mg of ``drug``; refuses a drug it cannot convert."""
        ratio = self.ratios.get(drug)
        if ratio is None:
            raise InputError(
                f"the plan has doses of {drug_label(drug)}, which has no diazepam equivalence "
                "in the catalogue: taperline cannot check it"
            )
        return ratio

    @property
    def label_step(self) -> Decimal:
        """The label's daily-dose step (0.25 mg clonazepam) in diazepam-equivalent mg."""
        if self.label_step_ref is not None:
            return self.label_step_ref
        return LABEL_STEP_MG * self.ratio("clonazepam")

    @property
    def end_phase(self) -> Decimal:
        """The end-phase allowance in diazepam-equivalent mg [NICE-CKS]."""
        return END_PHASE_DIAZEPAM_MG


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: which, on which day, in plain words (with the guideline and the fix)."""

    rule: RuleId
    message: str
    day: date | None = None
    #: What is outside the guideline, in short, for the marks of an overridden plan.
    outside: str = ""

    @property
    def hard(self) -> bool:
        """No override reason lifts it."""
        return self.rule in HARD_RULES


@dataclass(frozen=True, slots=True)
class RulesReport:
    """What :func:`check_plan` found: refused violations, and those an override allowed."""

    refused: tuple[Violation, ...]
    overridden: tuple[Violation, ...]
    override_reason: str = ""

    @property
    def ok(self) -> bool:
        """Nothing is refused."""
        return not self.refused

    @property
    def outside_guideline(self) -> tuple[str, ...]:
        """What the override allowed, one line each (empty when within the guideline).

        Each line says what is outside the guideline and the guideline's value, with the
        step's date when it is about one step.
        """
        lines = (
            f"{v.day.isoformat()}: {v.outside or v.message}" if v.day else (v.outside or v.message)
            for v in self.overridden
        )
        return tuple(dict.fromkeys(lines))

    def step_notes(self) -> dict[date, str]:
        """The mark for each overridden step: the mark and what is outside the guideline."""
        notes: dict[date, list[str]] = {}
        for violation in self.overridden:
            if violation.day is not None:
                notes.setdefault(violation.day, []).append(violation.outside or violation.message)
        return {day: "; ".join((self.mark, *found)) for day, found in notes.items()}

    @property
    def mark(self) -> str:
        """'outside the guideline by clinician override: <reason>', or '' when within it."""
        return override_mark(self.override_reason) if self.overridden else ""

    def days_overridden(self) -> frozenset[date]:
        """The step dates whose own rule the override lifted."""
        return frozenset(v.day for v in self.overridden if v.day is not None)

    def raise_if_refused(self) -> None:
        """Raise :class:`SafetyError` naming the broken rules (the first few in full)."""
        if not self.refused:
            return
        messages = list(dict.fromkeys(v.message for v in self.refused))
        text = "; ".join(messages[:_SHOWN])
        if len(messages) > _SHOWN:
            text += f" (and {len(messages) - _SHOWN} more)"
        raise SafetyError(text)


# --- numbers shown in messages ----------------------------------------------------------------


def pct_text(value: Decimal, limit: Decimal | None = None) -> str:
    """A percentage for a message, precise enough never to read as within ``limit``.

    >>> pct_text(Decimal("16.666")), pct_text(Decimal("25.04"), Decimal(25))
    ('16.7', '25.04')
    """
    places = 1
    while True:
        shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        if limit is None or value <= limit or shown > limit or places >= 6:  # noqa: PLR2004
            return fmt_number(shown)
        places += 1


def _amount(ref: Decimal, drug: str | None, limits: Limits) -> str:
    """A reference (diazepam-equivalent) amount in ``drug``'s mg, or as diazepam equivalents."""
    if drug is None:
        return f"diazepam {fmt(Mass.of_mg(ref), places=3)} equivalent"
    return fmt(Mass.of_mg(ref / limits.ratio(drug)), places=3)


# --- the check --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Series:
    """The plan as dates and reference daily doses, with the drug each step is taken as."""

    days: tuple[date, ...]
    refs: tuple[Decimal, ...]
    drugs: tuple[str | None, ...]  # the one drug of a step, None when mixed or empty


def _series(steps: Sequence[RecordStep], limits: Limits) -> _Series:
    refs, drugs = [], []
    for step in steps:
        total = sum((d.amount.mg * limits.ratio(d.drug) for d in step.doses), _ZERO)
        refs.append(total / 2 if step.every_other_day else total)
        names = {d.drug for d in step.doses}
        drugs.append(names.pop() if len(names) == 1 else None)
    return _Series(tuple(s.start for s in steps), tuple(refs), tuple(drugs))


def check_plan(
    steps: Sequence[RecordStep],
    limits: Limits,
    extra: Iterable[Violation] = (),
) -> RulesReport:
    """Check a plan's steps against every rule; ``extra`` adds setting violations.

    Steps must be in date order (a stored plan always is). Nothing is raised here:
    call :meth:`RulesReport.raise_if_refused` to refuse.
    """
    if not steps:
        raise InputError("a plan needs at least one step")
    series = _series(steps, limits)
    found: list[Violation] = [*extra]
    found += _daily_max(steps, limits)
    found += _stabilisation(series)
    for index in range(1, len(steps)):
        found += _step_rules(steps, series, index, limits)
    return _sorted_report(found, limits)


def _sorted_report(found: Sequence[Violation], limits: Limits) -> RulesReport:
    reason = limits.override_reason.strip()
    refused = [v for v in found if v.hard or not reason]
    allowed = [v for v in found if not v.hard and reason]
    return RulesReport(tuple(refused), tuple(allowed), reason)


def _step_rules(
    steps: Sequence[RecordStep], series: _Series, index: int, limits: Limits
) -> list[Violation]:
    found: list[Violation] = []
    ref, before = series.refs[index], series.refs[index - 1]
    if ref > before:
        found += _increase(steps[index], series, index, limits)
    if ref < before:
        if ref == 0:
            found += _abrupt_stop(steps, series, index, limits)
        else:
            found += _cap(series, index, limits)
        found += _label_rate(series, index, limits)
    found += _switch(steps, index, limits)
    return found


def _totals(step: RecordStep) -> dict[str, Decimal]:
    """The day's total of each drug in mg (plain decimals: this runs for every step)."""
    totals: dict[str, Decimal] = {}
    for dose in step.doses:
        totals[dose.drug] = totals.get(dose.drug, _ZERO) + dose.amount.mg
    return totals


def _daily_max(steps: Sequence[RecordStep], limits: Limits) -> list[Violation]:
    found = []
    for index, step in enumerate(steps):
        for drug, total in _totals(step).items():
            limit = limits.daily_max.get(drug)
            if limit is None or total <= limit.max_mg.mg:
                continue
            daily = Mass.of_mg(total)
            maximum = f"{fmt(limit.max_mg)} for {limit.applies_to} [{limit.source}]"
            if index == 0:
                text = (
                    f"the starting regimen of {fmt(daily)} of {drug_label(drug)} a day is above "
                    f"the daily maximum of {maximum}; check the dose with the prescriber before "
                    "planning a taper"
                )
            else:
                text = (
                    f"the step on {step.start.isoformat()} gives {fmt(daily)} of "
                    f"{drug_label(drug)} a day, above the daily maximum of {maximum}"
                )
            found.append(Violation("daily_max", text, step.start))
    return found


def _stabilisation(series: _Series) -> list[Violation]:
    if len(series.days) < 2:  # noqa: PLR2004 -- no change, nothing to stabilise before
        return []
    gap = (series.days[1] - series.days[0]).days
    if gap >= GUIDELINE.stabilisation_days:
        return []
    days = f"{gap} day{'s' if gap != 1 else ''}"
    text = (
        f"the first change on {series.days[1].isoformat()} comes {days} after the start; the "
        f"guideline stabilises on the current dose for {GUIDELINE.describe_stabilisation()} "
        "first: start the cuts later, or give an override reason"
    )
    outside = (
        f"the first change {days} after the start (the guideline: stabilise for "
        f"{GUIDELINE.describe_stabilisation()})"
    )
    return [Violation("stabilisation", text, series.days[1], outside)]


def _is_reason(text: str) -> bool:
    try:
        check_reason(text)
    except InputError:
        return False
    return True


def _increase(step: RecordStep, series: _Series, index: int, limits: Limits) -> list[Violation]:
    if _is_reason(step.reason):
        return []
    drug = series.drugs[index] if series.drugs[index] == series.drugs[index - 1] else None
    text = (
        f"the step on {step.start.isoformat()} increases the dose from "
        f"{_amount(series.refs[index - 1], drug, limits)} to "
        f"{_amount(series.refs[index], drug, limits)} a day: never an increase on its own; a "
        "clinician's custom step may increase it only with the clinical reason written on it"
    )
    return [Violation("increase", text, step.start)]


def stop_allowance(drug: str, limits: Limits) -> Mass:
    """The largest daily dose of ``drug`` a plan may stop from.

    The smallest makeable dose, or diazepam 0.5 mg equivalent when that is larger
    [ASAM-2025, NICE-CKS].
    """
    smallest = limits.smallest.get(drug)
    end_phase = Mass.of_mg(limits.end_phase / limits.ratio(drug))
    if smallest is None:
        return end_phase
    return smallest if smallest.mg >= end_phase.mg else end_phase


def _abrupt_stop(
    steps: Sequence[RecordStep], series: _Series, index: int, limits: Limits
) -> list[Violation]:
    previous, step = steps[index - 1], steps[index]
    daily = previous.daily_by_drug()
    drug = series.drugs[index - 1]
    if drug is not None and daily[drug].mg <= stop_allowance(drug, limits).mg:
        return []
    what = " and ".join(f"{fmt(m)} of {drug_label(d)}" for d, m in daily.items())
    smallest = f" ({fmt(stop_allowance(drug, limits))})" if drug is not None else " of one drug"
    text = (
        f"the step on {step.start.isoformat()} stops {what} a day at once: step down to the "
        f"smallest makeable dose{smallest} first; never an abrupt stop [ASAM-2025]"
    )
    return [Violation("abrupt_stop", text, step.start)]


def window_highest(
    days: Sequence[date], refs: Sequence[Decimal], when: date, window_days: int
) -> tuple[Decimal, date]:
    """The highest reference dose in force on the ``window_days`` days before ``when``.

    ``days`` and ``refs`` are the steps before ``when`` (starts and reference daily doses, in
    date order); the last is in force up to the day before ``when``. Returns the dose and the
    last day it was in force (``when`` itself when nothing is).
    """
    start = when - timedelta(days=window_days)
    highest, seen = _ZERO, when
    for j in range(len(days) - 1, -1, -1):
        ends = days[j + 1] if j + 1 < len(days) else when  # in force up to the day before
        if ends <= start:
            break
        if refs[j] > highest:
            highest, seen = refs[j], ends - timedelta(days=1)
    return highest, seen


def cap_floor(highest: Decimal, cap_pct: Decimal, end_phase: Decimal) -> Decimal:
    """The lowest dose a window whose highest dose is ``highest`` allows.

    The cap (a share of the highest dose) or, near the end, the end-phase allowance,
    whichever lets the dose fall further.

    >>> cap_floor(Decimal(20), Decimal(25), Decimal("0.5")), cap_floor(Decimal(1), Decimal(25),
    ...     Decimal("0.5"))
    (Decimal('15'), Decimal('0.5'))
    """
    allowed = max(highest * cap_pct / _HUNDRED, end_phase)
    return max(highest - allowed, _ZERO)


def _cap(series: _Series, index: int, limits: Limits) -> list[Violation]:
    found = []
    checks = [(GUIDELINE.max_cut_pct, GUIDELINE.window_days, True)]
    stricter = (limits.max_cut_pct, limits.window_days)
    if stricter != (GUIDELINE.max_cut_pct, GUIDELINE.window_days) and (
        limits.max_cut_pct <= GUIDELINE.max_cut_pct and limits.window_days >= GUIDELINE.window_days
    ):
        checks.append((limits.max_cut_pct, limits.window_days, False))
    for cap, days, guideline in checks:
        highest, when = window_highest(
            series.days[:index], series.refs[:index], series.days[index], days
        )
        ref = series.refs[index]
        if ref >= cap_floor(highest, cap, limits.end_phase):
            continue
        if not guideline and limits.override_reason:
            continue  # the plan's own stricter cap, lifted by the override: within the guideline
        found.append(_cap_violation(series, index, limits, (cap, days, guideline), (highest, when)))
        break
    return found


def _cap_violation(
    series: _Series,
    index: int,
    limits: Limits,
    cap: tuple[Decimal, int, bool],
    window: tuple[Decimal, date],
) -> Violation:
    pct, days, guideline = cap
    highest, when = window
    ref, day = series.refs[index], series.days[index]
    drug = series.drugs[index]
    fall = (highest - ref) / highest * _HUNDRED
    what = (
        f"the guideline cap of {GUIDELINE.describe_cap()}"
        if guideline
        else f"the cap of {fmt_number(pct)} % per {days} days set for this plan"
    )
    cut = f"a {pct_text(fall, pct)} % cut within {days} days"
    text = (
        f"the step on {day.isoformat()} takes the daily dose from {_amount(highest, drug, limits)}"
        f" (on {when.isoformat()}) to {_amount(ref, drug, limits)}: {cut}, above {what}: space "
        "the cuts out, or give an override reason to allow it"
    )
    return Violation("cap", text, day, f"{cut} (the guideline: {GUIDELINE.describe_cap()})")


def rate_allowance(span_days: int, limits: Limits) -> Decimal:
    """How much the label's fastest taper removes in ``span_days`` (at least a window's worth).

    0.25 mg a day every 3 days [LABEL], counted over at least 14 days so that a single
    larger cut, spaced out (Nardi's 0.5 mg every 2 weeks), is judged by its rate.
    """
    span = max(span_days, GUIDELINE.window_days)
    return limits.label_step * math.ceil(span / LABEL_STEP_DAYS)


def _label_rate(series: _Series, index: int, limits: Limits) -> list[Violation]:
    ref, day = series.refs[index], series.days[index]
    peak = max(series.refs[:index])
    for j in range(index - 1, -1, -1):
        last_day = series.days[j + 1] - timedelta(days=1)  # step j's last day in force
        span = (day - last_day).days
        allowance = rate_allowance(span, limits)
        if allowance >= peak:
            break  # no earlier dose can have fallen faster than this
        fall = series.refs[j] - ref
        if fall <= allowance:
            continue
        drug = series.drugs[index] or series.drugs[j]
        same = (
            drug
            if series.drugs[j] in {drug, None} and series.drugs[index] in {drug, None}
            else None
        )
        span_shown = max(span, GUIDELINE.window_days)
        text = (
            f"the step on {day.isoformat()} takes the daily dose from "
            f"{_amount(series.refs[j], same, limits)} (on {last_day.isoformat()}) to "
            f"{_amount(ref, same, limits)} within {span} day{'s' if span != 1 else ''}: faster "
            "than the fastest documented clonazePAM discontinuation (0.25 mg a day less every "
            f"3 days [LABEL], at most {_amount(allowance, same, limits)} in {span_shown} "
            "days); no override allows this"
        )
        return [Violation("label_rate", text, day)]
    return []


def label_rate_floor(
    days: Sequence[date], refs: Sequence[Decimal], when: date, limits: Limits
) -> Decimal:
    """The lowest reference dose the label rate allows on ``when`` after the steps given.

    ``days`` and ``refs`` are the steps so far (starts and reference daily doses, in date
    order); the last is in force up to the day before ``when``.
    """
    floor, peak = _ZERO, max(refs, default=_ZERO)
    for j in range(len(days) - 1, -1, -1):
        ends = days[j + 1] if j + 1 < len(days) else when
        allowance = rate_allowance((when - ends).days + 1, limits)
        if allowance >= peak:
            break
        floor = max(floor, refs[j] - allowance)
    return floor


def lowest_allowed(
    days: Sequence[date], refs: Sequence[Decimal], when: date, limits: Limits
) -> Decimal:
    """The lowest reference dose a new step on ``when`` may take, for the planner.

    Always the label rate; the guideline cap unless an override reason is given; the cap
    set for the plan when it differs from the guideline's (kept even with an override, which
    then only lifts the guideline's own cap).
    """
    floor = label_rate_floor(days, refs, when, limits)
    own = (limits.max_cut_pct, limits.window_days)
    caps = [] if limits.override_reason else [(GUIDELINE.max_cut_pct, GUIDELINE.window_days)]
    if own != (GUIDELINE.max_cut_pct, GUIDELINE.window_days) or not limits.override_reason:
        caps.append(own)
    for pct, window in caps:
        highest, _ = window_highest(days, refs, when, window)
        floor = max(floor, cap_floor(highest, pct, limits.end_phase))
    return floor


def _switch(steps: Sequence[RecordStep], index: int, limits: Limits) -> list[Violation]:
    """A crossover switch judged by every equivalence source [ASHTON, VADOD-2021]."""
    drugs = {d.drug for d in steps[index - 1].doses} | {d.drug for d in steps[index].doses}
    if len(drugs) < 2 or not limits.ratios_by_source:  # noqa: PLR2004 -- a switch needs two
        return []
    before, after = steps[index - 1].daily_by_drug(), steps[index].daily_by_drug()
    if not _is_switch(before, after):
        return []
    changes = switch_changes(before, after, limits)
    cut_by = [source for source, change in changes if -change > GUIDELINE.max_cut_pct]
    if not cut_by:
        return []
    shown = "; ".join(f"{describe_change(change)} by {source}" for source, change in changes)
    # Planned by the source giving the most diazepam, the switch is a cut by no source.
    start = limits.start_drug
    sources = [s for s, r in limits.ratios_by_source.items() if start in r]
    highest = max(sources, key=lambda s: limits.ratios_by_source[s][start], default=None)
    choose = (
        f"choose the equivalence that keeps the dose ({highest})"
        if highest is not None
        and limits.ratios_by_source[highest][start] > limits.ratios.get(start, _ZERO)
        else "switch more gradually"
    )
    text = (
        f"the switch on {steps[index].start.isoformat()} changes the daily dose by {shown}: a "
        f"cut above the guideline cap of {GUIDELINE.describe_cap()} by "
        f"{', '.join(cut_by)}: {choose}, or give an override reason"
    )
    outside = (
        f"a switch that changes the daily dose by {shown} (the guideline: at most "
        f"{GUIDELINE.describe_cap()})"
    )
    return [Violation("switch", text, steps[index].start, outside)]


def _is_switch(before: Mapping[str, Mass], after: Mapping[str, Mass]) -> bool:
    """True when one drug's dose falls while another's rises or appears."""
    drugs = set(before) | set(after)
    up = any(after.get(d, Mass.zero()).mg > before.get(d, Mass.zero()).mg for d in drugs)
    down = any(after.get(d, Mass.zero()).mg < before.get(d, Mass.zero()).mg for d in drugs)
    return up and down


def switch_changes(
    before: Mapping[str, Mass], after: Mapping[str, Mass], limits: Limits
) -> list[tuple[str, Decimal]]:
    """The change of the daily dose (%) by each equivalence source, in the sources' order."""
    changes = []
    for source, ratios in limits.ratios_by_source.items():
        if not all(d in ratios for d in (*before, *after)):
            continue
        old = sum((m.mg * ratios[d] for d, m in before.items()), _ZERO)
        new = sum((m.mg * ratios[d] for d, m in after.items()), _ZERO)
        if old > 0:
            changes.append((source, (new / old - 1) * _HUNDRED))
    return changes


def describe_change(change: Decimal) -> str:
    """'0 %', 'a 50 % cut' or 'a 100 % increase'.

    >>> describe_change(Decimal("-50")), describe_change(Decimal("0.0")), describe_change(
    ...     Decimal(100))
    ('a 50 % cut', '0 %', 'a 100 % increase')
    """
    shown = pct_text(abs(change))
    if shown == "0":
        return "0 %"
    return f"a {shown} % {'cut' if change < 0 else 'increase'}"


# --- settings ---------------------------------------------------------------------------------


def parameter_violations(basis: PlanBasis) -> list[Violation]:
    """Settings beyond the guideline: each needs an override reason.

    >>> [v.message for v in parameter_violations(PlanBasis(max_cut_pct=Decimal(40)))]
    ["the cap of 40 % per 14 days is above the guideline's 25 % per 14 days [ASAM-2025]: \
use a cap of at most 25 %, or give an override reason to use it"]
    """
    found = []
    if basis.max_cut_pct > GUIDELINE.max_cut_pct or basis.window_days < GUIDELINE.window_days:
        cap = f"a cap of {fmt_number(basis.max_cut_pct)} % per {basis.window_days} days"
        found.append(
            Violation(
                "parameter",
                f"the cap of {fmt_number(basis.max_cut_pct)} % per "
                f"{basis.window_days} days is above the guideline's {GUIDELINE.describe_cap()}: "
                "use a cap of at most 25 %, or give an override reason to use it",
                outside=f"{cap} (the guideline: {GUIDELINE.describe_cap()})",
            )
        )
    if basis.stabilisation_days < GUIDELINE.stabilisation_days:
        days = f"{basis.stabilisation_days} day{'s' if basis.stabilisation_days != 1 else ''}"
        found.append(
            Violation(
                "parameter",
                f"a stabilisation of {days} is shorter than the guideline's "
                f"{GUIDELINE.describe_stabilisation()}: stabilise longer, or give an override "
                "reason",
                outside=f"a stabilisation of {days} (the guideline: "
                f"{GUIDELINE.describe_stabilisation()})",
            )
        )
    return found
