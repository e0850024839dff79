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
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Final, Literal, get_args

from taperline.core.catalogue import DailyMaximum
from taperline.core.guideline import (
    END_PHASE_DIAZEPAM_MG,
    GUIDELINE,
    LABEL_STEP_DAYS,
    LABEL_STEP_DIAZEPAM_MG,
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
    "is_reason",
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
CLONAZEPAM: Final = "clonazepam"

# --- reasons ----------------------------------------------------------------------------------

#: taperline's bar for a reason a colleague could audit: at least 12 letters and two different
#: words that are not placeholders or typing.
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
        "blah", "lorem", "ipsum", "dolor", "amet", "hmm", "hmmm", "said", "say", "says", "so",
        "just", "cause", "cos", "coz", "nothing", "anything", "stuff",
        "thing", "things", "something", "xyz", "abc", "aaa", "zzz", "dummy", "sample",
        # Deferrals and pointers elsewhere: not the reason itself.
        "later", "will", "document", "documented", "documenting", "documentation", "pending",
        "review", "reviewed", "verbal", "verbally", "given", "discussed", "discussion",
        "earlier", "previously", "before", "here", "there", "add", "added", "mentioned",
        "explained", "told", "attached", "elsewhere", "chart", "record", "file", "email",
        "phone", "call", "one", "two", "three", "follow", "follows", "soon", "asap",
    }
)  # fmt: skip
#: Runs of letters that are typing, not words ("asdfgh", "qwerty", "jklmnop").
_RUNS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")
#: Keys typed down the keyboard's columns ("qazwsx", "edcrfv").
_COLUMNS_RE: Final = re.compile(r"(?:qaz|wsx|edc|rfv|tgb|yhn|ujm|zaq|xsw|cde|vfr|bgt|nhy|mju)+")
_VOWELS: Final = frozenset("aeiouy")
_WORD_RE: Final = re.compile(r"[^\W\d_]+(?:['/][^\W\d_]+)*")


def _junk(word: str) -> bool:
    """A placeholder, a one-letter run ("aaaaaa"), a keyboard or alphabet run, no vowel."""
    letters = word.replace("'", "").replace("/", "")
    return (
        word in _PLACEHOLDERS
        or len(letters) <= 2  # noqa: PLR2004 -- "ok", "dr", "so": too short to say anything
        or len(set(letters)) == 1
        or (len(letters) >= 4 and any(letters in run for run in _RUNS))  # noqa: PLR2004
        or _COLUMNS_RE.fullmatch(letters) is not None
        or not _VOWELS & set(letters)
    )


def check_reason(text: str | None, what: str = "the override reason") -> str:
    """The reason, stripped, when it is a sentence a colleague could audit; else InputError.

    Refused: empty text, fewer than 12 letters, or fewer than two different words that are
    not placeholders ("x", "ok", "fast", "n/a", "patient request", "override", "blah",
    "because I said so") or typing ("asdfgh", "aaaaaa").

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
    meaningful = {w for w in words if not _junk(w)}
    if not cleaned:
        raise InputError(f"{what} is empty: write what makes this plan right for this person")
    if letters < MIN_REASON_LETTERS or len(meaningful) < MIN_REASON_WORDS:
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

    def ratio(self, drug: str) -> Decimal:
        """Diazepam-equivalent mg per mg of ``drug``; refuses a drug it cannot convert."""
        ratio = self.ratios.get(drug)
        if ratio is None:
            raise InputError(
                f"the plan has doses of {drug_label(drug)}, which has no diazepam equivalence "
                "in the catalogue: taperline cannot check it"
            )
        return ratio

    def label_step(self, clonazepam_only: bool) -> Decimal:  # noqa: FBT001 -- one switch
        """The label's daily-dose step, 0.25 mg of clonazepam, in diazepam-equivalent mg.

        For clonazepam by the plan's own equivalence; where another drug is taken, its
        diazepam equivalent by the smaller of the two sources (2.5 mg), never looser [LABEL,
        VADOD-2021].
        """
        clonazepam = self.ratios.get(CLONAZEPAM)
        if clonazepam is None:
            return LABEL_STEP_DIAZEPAM_MG
        own = LABEL_STEP_MG * clonazepam
        return own if clonazepam_only else min(own, LABEL_STEP_DIAZEPAM_MG)

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
    else:
        found += _dose_increase(steps[index - 1], steps[index])
    if ref < before:
        if ref == 0:
            found += _abrupt_stop(steps, series, index, limits)
        else:
            found += _cap(series, index, limits)
        found += _label_rate(series, index, limits)
    found += _switch(steps, series, index, limits)
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
    """The first change of dose (or of drug) comes at least 14 days after the start."""
    first = next(
        (
            i
            for i in range(1, len(series.days))
            if series.refs[i] != series.refs[0] or series.drugs[i] != series.drugs[0]
        ),
        None,
    )
    if first is None:
        return []
    gap = (series.days[first] - series.days[0]).days
    if gap >= GUIDELINE.stabilisation_days:
        return []
    days = f"{gap} day{'s' if gap != 1 else ''}"
    text = (
        f"the first change on {series.days[first].isoformat()} comes {days} after the start; "
        f"the guideline stabilises on the current dose for {GUIDELINE.describe_stabilisation()} "
        "first: start the cuts later, or give an override reason"
    )
    outside = (
        f"the first change {days} after the start (the guideline: stabilise for "
        f"{GUIDELINE.describe_stabilisation()})"
    )
    return [Violation("stabilisation", text, series.days[first], outside)]


def is_reason(text: str) -> bool:
    """Whether ``text`` passes :func:`check_reason`.

    >>> is_reason("breakthrough seizures, EEG"), is_reason("ok")
    (True, False)
    """
    try:
        check_reason(text)
    except InputError:
        return False
    return True


def _increase(step: RecordStep, series: _Series, index: int, limits: Limits) -> list[Violation]:
    if is_reason(step.reason):
        return []
    drug = series.drugs[index] if series.drugs[index] == series.drugs[index - 1] else None
    text = (
        f"the step on {step.start.isoformat()} increases the dose from "
        f"{_amount(series.refs[index - 1], drug, limits)} to "
        f"{_amount(series.refs[index], drug, limits)} a day: never an increase on its own; a "
        "clinician's custom step may increase it only with the clinical reason written on it"
    )
    return [Violation("increase", text, step.start)]


def _largest_doses(step: RecordStep) -> dict[str, Decimal]:
    largest: dict[str, Decimal] = {}
    for dose in step.doses:
        largest[dose.drug] = max(largest.get(dose.drug, _ZERO), dose.amount.mg)
    return largest


def _grown_doses(previous: RecordStep, step: RecordStep) -> list[str]:
    """The drugs taken before whose single dose grows.

    The day's total may not: 2 mg a day becoming 4 mg every other day doubles each dose. In
    a switch the drug coming in grows by design (the switch rule judges the whole change), so
    only the drugs that do not rise in the day's total count.
    """
    before, after = _largest_doses(previous), _largest_doses(step)
    old, new = _totals(previous), _totals(step)
    switch = any(new.get(d, _ZERO) < mg for d, mg in old.items())
    return [
        d
        for d, mg in after.items()
        if d in before and mg > before[d] and not (switch and new[d] > old[d])
    ]


def _dose_increase(previous: RecordStep, step: RecordStep) -> list[Violation]:
    grown = _grown_doses(previous, step)
    if not grown or is_reason(step.reason):
        return []
    before, after = _largest_doses(previous), _largest_doses(step)
    what = "; ".join(
        f"{drug_label(d)} from {fmt(Mass.of_mg(before[d]))} to {fmt(Mass.of_mg(after[d]))}"
        for d in grown
    )
    text = (
        f"the step on {step.start.isoformat()} raises a single dose ({what}): never an increase "
        "on its own; a clinician's custom step may do it only with the clinical reason written "
        "on it"
    )
    return [Violation("increase", text, step.start)]


def stop_allowance(drug: str, limits: Limits) -> Mass:
    """The largest daily dose of ``drug`` a plan may stop from.

    The smallest dose the plan's products make, but never more than the label's own last
    step (0.25 mg a day of clonazepam, or its diazepam equivalent [LABEL]) whatever products
    are claimed; and always at least diazepam 0.5 mg equivalent [NICE-CKS, ASAM-2025].

    >>> from taperline.core.catalogue import DailyMaximum
    >>> limits = Limits("clonazepam", {"clonazepam": Decimal(20)}, {},
    ...                 {"clonazepam": Mass.of_mg(1)})
    >>> fmt(stop_allowance("clonazepam", limits))  # only 1 mg tablets: still 0.25 mg
    '0.25 mg'
    """
    ratio = limits.ratio(drug)
    end_phase = limits.end_phase / ratio
    label = limits.label_step(drug == CLONAZEPAM) / ratio
    smallest = limits.smallest.get(drug)
    bound = label if smallest is None else min(smallest.mg, label)
    return Mass.of_mg(max(bound, end_phase))


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
    start = day - timedelta(days=days)
    first = next(
        (j for j in range(index) if series.days[j + 1] > start), index
    )  # the first step in force within the window
    drug = _one_drug(series, first, index)  # amounts in its mg, else as diazepam equivalents
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


def rate_allowance(span_days: int, step: Decimal) -> Decimal:
    """How much the label's fastest taper removes in ``span_days`` (at least a window's worth).

    ``step`` a day every 3 days (0.25 mg of clonazepam [LABEL], see :meth:`Limits.label_step`),
    counted over at least 14 days so that a single larger cut, spaced out (Nardi's 0.5 mg
    every 2 weeks), is judged by its rate.
    """
    span = max(span_days, GUIDELINE.window_days)
    return step * math.ceil(span / LABEL_STEP_DAYS)


def _label_rate(series: _Series, index: int, limits: Limits) -> list[Violation]:
    ref, day = series.refs[index], series.days[index]
    peak = max(series.refs[:index])
    clonazepam_only = _clonazepam_or_stop(series, index)
    for j in range(index - 1, -1, -1):
        clonazepam_only = clonazepam_only and _clonazepam_or_stop(series, j)
        last_day = series.days[j + 1] - timedelta(days=1)  # step j's last day in force
        span = (day - last_day).days
        step = limits.label_step(clonazepam_only)
        allowance = rate_allowance(span, step)
        if allowance >= peak:
            break  # no earlier dose can have fallen faster than this
        fall = series.refs[j] - ref
        if fall <= allowance:
            continue
        same = _one_drug(series, j, index)
        span_shown = max(span, GUIDELINE.window_days)
        what = (
            "clonazePAM"
            if step == LABEL_STEP_MG * limits.ratios.get(CLONAZEPAM, _ZERO)
            else ("clonazePAM, its diazepam equivalent")
        )
        text = (
            f"the step on {day.isoformat()} takes the daily dose from "
            f"{_amount(series.refs[j], same, limits)} (on {last_day.isoformat()}) to "
            f"{_amount(ref, same, limits)} within {span} day{'s' if span != 1 else ''}: faster "
            f"than the fastest documented discontinuation (0.25 mg a day less every 3 days of "
            f"{what} [LABEL], at most {_amount(allowance, same, limits)} in {span_shown} "
            "days); no override allows this"
        )
        return [Violation("label_rate", text, day)]
    return []


def _clonazepam_or_stop(series: _Series, index: int) -> bool:
    return series.drugs[index] == CLONAZEPAM or series.refs[index] == 0


def _one_drug(series: _Series, first: int, last: int) -> str | None:
    """The one drug taken in steps ``first``..``last`` (a stop counts as any), else None."""
    names = {series.drugs[k] for k in range(first, last + 1) if series.refs[k] > 0}
    return names.pop() if len(names) == 1 else None


def label_rate_floor(
    days: Sequence[date], refs: Sequence[Decimal], when: date, step: Decimal
) -> Decimal:
    """The lowest reference dose the label rate allows on ``when`` after the steps given.

    ``days`` and ``refs`` are the steps so far (starts and reference daily doses, in date
    order); the last is in force up to the day before ``when``. ``step`` is the label's
    step in reference mg (:meth:`Limits.label_step`).
    """
    floor, peak = _ZERO, max(refs, default=_ZERO)
    for j in range(len(days) - 1, -1, -1):
        ends = days[j + 1] if j + 1 < len(days) else when
        allowance = rate_allowance((when - ends).days + 1, step)
        if allowance >= peak:
            break
        floor = max(floor, refs[j] - allowance)
    return floor


def lowest_allowed(  # noqa: PLR0917 -- the planner's one call, in reading order
    days: Sequence[date],
    refs: Sequence[Decimal],
    when: date,
    limits: Limits,
    step: Decimal | None,
    lift_cap: bool,  # noqa: FBT001 -- the planner says whether an override lifted the cap
) -> Decimal:
    """The lowest reference dose a new step on ``when`` may take, for the planner.

    The label rate (``step``: :meth:`Limits.label_step`; None leaves it out, to tell what
    holds a cut back); the guideline cap unless
    ``lift_cap`` (an override reason that went beyond the guideline's cap or the strategy's
    settings; an override for another setting, a shorter stabilisation say, keeps the cap);
    and the cap set for the plan when it differs from the guideline's.
    """
    floor = _ZERO if step is None else label_rate_floor(days, refs, when, step)
    own = (limits.max_cut_pct, limits.window_days)
    guideline = (GUIDELINE.max_cut_pct, GUIDELINE.window_days)
    caps = [] if lift_cap else [guideline]
    if own != guideline or not lift_cap:
        caps.append(own)
    for pct, window in caps:
        highest, _ = window_highest(days, refs, when, window)
        floor = max(floor, cap_floor(highest, pct, limits.end_phase))
    return floor


def _switch(
    steps: Sequence[RecordStep], series: _Series, index: int, limits: Limits
) -> list[Violation]:
    """A crossover judged by every equivalence source [ASHTON, VADOD-2021].

    In no 14-day window holding a switch may the dose fall beyond the cap by any source.
    """
    if not limits.ratios_by_source or not _switch_in_window(steps, series, index):
        return []
    falls = []
    for source, ratios in limits.ratios_by_source.items():
        refs = [_ref_by(step, ratios) for step in steps[: index + 1]]
        if any(ref is None for ref in refs):
            continue  # a drug this source gives no equivalence for
        known = [ref for ref in refs if ref is not None]
        highest, _ = window_highest(
            series.days[:index], known[:index], series.days[index], GUIDELINE.window_days
        )
        if highest > 0:
            falls.append((source, highest, known[index]))
    cap = GUIDELINE.max_cut_pct
    cut_by = [s for s, high, ref in falls if ref < cap_floor(high, cap, limits.end_phase)]
    if not cut_by:
        return []
    shown = "; ".join(
        f"{describe_change((ref / high - 1) * _HUNDRED)} by {source}" for source, high, ref in falls
    )
    text = (
        f"the switch on {steps[index].start.isoformat()} changes the daily dose within 14 days "
        f"by {shown}: a cut above the guideline cap of {GUIDELINE.describe_cap()} by "
        f"{', '.join(cut_by)}: {_choose_source(limits)}, or give an override reason"
    )
    outside = (
        f"a switch that changes the daily dose within 14 days by {shown} (the guideline: at "
        f"most {GUIDELINE.describe_cap()})"
    )
    return [Violation("switch", text, steps[index].start, outside)]


def _ref_by(step: RecordStep, ratios: Mapping[str, Decimal]) -> Decimal | None:
    total = _ZERO
    for dose in step.doses:
        ratio = ratios.get(dose.drug)
        if ratio is None:
            return None
        total += dose.amount.mg * ratio
    return total / 2 if step.every_other_day else total


def _switch_in_window(steps: Sequence[RecordStep], series: _Series, index: int) -> bool:
    """Whether a step in the 14 days up to step ``index`` changes which drugs are taken."""
    start = series.days[index] - timedelta(days=GUIDELINE.window_days)
    for k in range(index, 0, -1):
        if series.days[k] <= start:
            break
        if {d.drug for d in steps[k].doses} - {d.drug for d in steps[k - 1].doses}:
            return True
    return False


def _choose_source(limits: Limits) -> str:
    """Planned by the source giving the most diazepam, a switch is a cut by no source."""
    start = limits.start_drug
    sources = [s for s, r in limits.ratios_by_source.items() if start in r]
    highest = max(sources, key=lambda s: limits.ratios_by_source[s][start], default=None)
    if highest is not None and limits.ratios_by_source[highest][start] > limits.ratios.get(
        start, _ZERO
    ):
        return f"choose the equivalence that keeps the dose ({highest})"
    return "switch more gradually"


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

    >>> parameter_violations(PlanBasis(max_cut_pct=Decimal(10), window_days=7))  # 19 % in 14
    []
    >>> [v.message for v in parameter_violations(PlanBasis(max_cut_pct=Decimal(40)))]
    ["the cap of 40 % per 14 days is above the guideline's 25 % per 14 days [ASAM-2025]: \
use a cap of at most 25 %, or give an override reason to use it"]
    """
    found = []
    # A shorter window lets its cap apply several times in 14 days: compared as compounded.
    keep = 1 - basis.max_cut_pct / _HUNDRED
    repeats = math.ceil(GUIDELINE.window_days / min(basis.window_days, GUIDELINE.window_days))
    fall_pct = (1 - keep**repeats) * _HUNDRED
    if basis.max_cut_pct > GUIDELINE.max_cut_pct or fall_pct > GUIDELINE.max_cut_pct:
        cap = f"a cap of {fmt_number(basis.max_cut_pct)} % per {basis.window_days} days"
        compounded, most = "", "at most 25 %"
        if repeats > 1:
            compounded = (
                f" (up to {pct_text(fall_pct, GUIDELINE.max_cut_pct)} % within "
                f"{GUIDELINE.window_days} days)"
            )
            keep_per_window = (1 - GUIDELINE.max_cut_pct / _HUNDRED) ** (1 / Decimal(repeats))
            largest = ((1 - keep_per_window) * _HUNDRED).quantize(
                Decimal("0.1"), rounding=ROUND_FLOOR
            )
            most = f"at most {fmt_number(largest)} % per {basis.window_days} days"
        found.append(
            Violation(
                "parameter",
                f"the {cap[2:]}{compounded} is above the guideline's "
                f"{GUIDELINE.describe_cap()}: use a cap of {most}, or give an override reason "
                "to use it",
                outside=f"{cap}{compounded.replace(' (', ', ').rstrip(')')} (the guideline: "
                f"{GUIDELINE.describe_cap()})",
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
