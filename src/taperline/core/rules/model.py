"""The rules engine's types: the rule ids, limits, violations and the report.

:class:`Limits`, :class:`Violation`, :class:`RulesReport`, and how numbers are shown in
messages (:func:`pct_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final, Literal, get_args

from taperline.core.catalogue import DailyMaximum
from taperline.core.guideline import (
    END_PHASE_DIAZEPAM_MG,
    GUIDELINE,
    LABEL_STEP_DIAZEPAM_MG,
    LABEL_STEP_MG,
    override_mark,
)
from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.errors import InputError, SafetyError

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


@dataclass(frozen=True, slots=True)
class _Series:
    """The plan as dates and reference daily doses, with the drug each step is taken as."""

    days: tuple[date, ...]
    refs: tuple[Decimal, ...]
    drugs: tuple[str | None, ...]  # the one drug of a step, None when mixed or empty
