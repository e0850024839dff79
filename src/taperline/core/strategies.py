"""Taper strategies: how large the ideal next cut is, and when it comes.

A strategy only proposes an *ideal* next daily dose and an interval; the planner then makes
that dose from real products and applies the safety rules. Every strategy names its rule
and source, so a clinician can read why each step is there.

>>> from taperline.core.quantity import Mass, fmt
>>> s = Strategy(kind="percent", percent=Decimal(10), interval_days=14)
>>> step = s.next_step(current=Mass.of_mg(1), start=Mass.of_mg(1), step_index=0)
>>> fmt(step.ideal), step.interval_days
('0.9 mg', 14)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from taperline.core.pk_params import DEFAULT_ED50_MG_PER_DAY
from taperline.core.quantity import Mass, fmt, fmt_number, to_decimal
from taperline.errors import InputError

__all__ = [
    "STRATEGY_KINDS",
    "CustomStep",
    "FixedBand",
    "IdealStep",
    "Strategy",
    "nice_diazepam_bands",
]

StrategyKind = Literal["percent", "fixed", "occupancy", "deprescribing", "crossover", "custom"]
STRATEGY_KINDS: tuple[StrategyKind, ...] = (
    "percent",
    "fixed",
    "occupancy",
    "deprescribing",
    "crossover",
    "custom",
)

_HUNDRED = Decimal(100)
# [DEPRESCRIBING-2018]: about 25 % every 2 weeks, 12.5 % near the end.
DEPRESCRIBING_PCT = Decimal(25)
DEPRESCRIBING_END_PCT = Decimal("12.5")
DEPRESCRIBING_INTERVAL_DAYS = 14
# "Near the end" is not defined by the source: taperline takes it as at or below a quarter of
# the starting dose (a documented assumption, shown in the plan's assumptions).
DEPRESCRIBING_END_FRACTION = Decimal("0.25")


@dataclass(frozen=True, slots=True)
class FixedBand:
    """While the daily dose is above ``above``, cut ``step`` every ``interval_days``."""

    above: Mass
    step: Mass
    interval_days: int
    source: str

    def __post_init__(self) -> None:
        if self.step.mg <= 0:
            raise InputError(f"a fixed step must be more than zero (band above {fmt(self.above)})")
        if self.interval_days < 1:
            raise InputError("a fixed band's interval must be at least 1 day")


@dataclass(frozen=True, slots=True)
class CustomStep:
    """A clinician's own step: from ``start`` the daily dose is ``daily`` (split as given)."""

    start: date
    daily: Mass
    reason: str = ""

    def __post_init__(self) -> None:
        if self.daily.mg < 0:
            raise InputError(
                f"custom step on {self.start.isoformat()}: a daily dose cannot be negative "
                f"({fmt(self.daily)})"
            )


@dataclass(frozen=True, slots=True)
class IdealStep:
    """What a strategy proposes next: a daily dose, when, and why."""

    ideal: Mass
    interval_days: int
    rule: str
    source: str


def nice_diazepam_bands(interval_days: int = 14) -> tuple[FixedBand, ...]:
    """The NICE-CKS diazepam schedule (slow ends of its ranges) as fixed bands [NICE-CKS].

    From up to 40 mg: cut 2 mg to 20 mg; 1 mg to 10 mg; 1 mg to 5 mg; 0.5 mg to zero,
    every 1-2 weeks (2 weeks by default, the slower end).

    >>> [(fmt(b.above), fmt(b.step)) for b in nice_diazepam_bands()]
    [('20 mg', '2 mg'), ('10 mg', '1 mg'), ('5 mg', '1 mg'), ('0 mg', '0.5 mg')]
    """
    steps = (("20", "2"), ("10", "1"), ("5", "1"), ("0", "0.5"))
    return tuple(
        FixedBand(Mass.of_mg(above), Mass.of_mg(step), interval_days, "NICE-CKS")
        for above, step in steps
    )


@dataclass(frozen=True, slots=True)
class Strategy:
    """A taper strategy and its parameters.

    * ``percent``: cut ``percent`` % of the current dose every ``interval_days`` [ASAM-2025].
    * ``fixed``: fixed mg steps by dose band (``bands``; default NICE-CKS for diazepam).
    * ``occupancy``: equal steps of predicted receptor occupancy (Emax, ``ed50_mg``)
      [MAUDSLEY-2024]; each step removes ``percent`` % of the starting occupancy.
    * ``deprescribing``: 25 % every 2 weeks, 12.5 % near the end [DEPRESCRIBING-2018].
    * ``crossover``: switch to diazepam one dose at a time, then taper by ``then``.
    * ``custom``: the clinician's ``custom_steps``.
    """

    kind: StrategyKind
    percent: Decimal = Decimal(10)
    interval_days: int = 14
    bands: tuple[FixedBand, ...] = ()
    ed50_mg: Decimal = field(default_factory=lambda: to_decimal(DEFAULT_ED50_MG_PER_DAY))
    custom_steps: tuple[CustomStep, ...] = ()
    then: Strategy | None = None
    swap_days: int = 7

    def __post_init__(self) -> None:
        if self.kind not in STRATEGY_KINDS:
            raise InputError(f"unknown strategy {self.kind!r}; choose {', '.join(STRATEGY_KINDS)}")
        if not (0 < self.percent < _HUNDRED):
            raise InputError(f"the percent cut must be between 0 and 100, got {self.percent}")
        if not (1 <= self.interval_days <= 365):  # noqa: PLR2004 -- a year between cuts is a hold
            raise InputError(f"the interval must be 1-365 days, got {self.interval_days}")
        if self.ed50_mg <= 0:
            raise InputError("the ED50 must be more than zero")
        if not (1 <= self.swap_days <= 28):  # noqa: PLR2004 -- NICE-CKS: switch over 1-2 weeks
            raise InputError("swap days must be 1-28")
        if self.kind == "custom" and not self.custom_steps:
            raise InputError("a custom plan needs at least one (date, dose) step")
        if self.kind == "fixed" and self.bands:
            aboves = [band.above.mg for band in self.bands]
            if aboves != sorted(aboves, reverse=True) or aboves[-1] != 0:
                raise InputError(
                    "fixed bands must run from the highest 'above' dose down to one above 0 mg"
                )

    def next_step(
        self,
        *,
        current: Mass,
        start: Mass,
        step_index: int,  # noqa: ARG002 -- kept in the API for step-counting strategies
    ) -> IdealStep:
        """The ideal next daily dose after ``current`` (``start`` is the starting dose)."""
        if self.kind == "percent":
            return self._percent(current, self.percent, "ASAM-2025")
        if self.kind == "deprescribing":
            return self._deprescribing(current, start)
        if self.kind == "occupancy":
            return self._occupancy(current, start)
        if self.kind == "fixed":
            return self._fixed(current)
        raise InputError(f"the {self.kind} strategy has no rule for a next step")  # planner bug

    def _percent(self, current: Mass, pct: Decimal, source: str) -> IdealStep:
        ideal = Mass.of_mg(current.mg * (1 - pct / _HUNDRED))
        rule = f"cut {fmt_number(pct)} % of the current dose every {self.interval_days} days"
        return IdealStep(ideal, self.interval_days, rule, source)

    def _deprescribing(self, current: Mass, start: Mass) -> IdealStep:
        near_end = current.mg <= start.mg * DEPRESCRIBING_END_FRACTION
        pct = DEPRESCRIBING_END_PCT if near_end else DEPRESCRIBING_PCT
        ideal = Mass.of_mg(current.mg * (1 - pct / _HUNDRED))
        phase = "near the end: " if near_end else ""
        rule = f"{phase}cut {fmt_number(pct)} % every {DEPRESCRIBING_INTERVAL_DAYS} days"
        return IdealStep(ideal, DEPRESCRIBING_INTERVAL_DAYS, rule, "DEPRESCRIBING-2018")

    def _occupancy(self, current: Mass, start: Mass) -> IdealStep:
        ed50 = self.ed50_mg
        occ_start = start.mg / (start.mg + ed50)
        step = occ_start * self.percent / _HUNDRED
        occ_next = current.mg / (current.mg + ed50) - step
        ideal = Mass.zero() if occ_next <= 0 else Mass.of_mg(ed50 * occ_next / (1 - occ_next))
        rule = (
            f"equal steps of predicted receptor occupancy ({fmt_number(round(step * 100, 2))} "
            f"points each, ED50 {fmt(Mass.of_mg(ed50))}/day, an assumption) every "
            f"{self.interval_days} days"
        )
        return IdealStep(ideal, self.interval_days, rule, "MAUDSLEY-2024")

    def _fixed(self, current: Mass) -> IdealStep:
        for band in self.bands:
            if current.mg > band.above.mg:
                ideal = Mass.of_mg(max(current.mg - band.step.mg, band.above.mg))
                rule = (
                    f"above {fmt(band.above)}: cut {fmt(band.step)} every {band.interval_days} days"
                )
                return IdealStep(ideal, band.interval_days, rule, band.source)
        raise InputError("no fixed band covers the current dose")  # bands end at 0 mg
