"""What a check is asked and what it reports, and reading the doses and names typed.

:class:`CheckRequest`, :class:`CheckReport`, :func:`build_doses`, :func:`split_names`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from typing import Final

from taperline.core.catalogue import DailyMaximum, DoseBand, Drug, Equivalence, Indication
from taperline.core.check.disclaimer import (
    DISCLAIMER as DISCLAIMER,  # noqa: PLC0414 -- re-exported: taperline.core.check's name
)
from taperline.core.quantity import Mass
from taperline.core.screening import MAX_AGE_YEARS, RegimenIssue, Screening
from taperline.errors import InputError, RegimenError

MAX_WEEKS: Final = 52 * 100  # taperline's plausibility limit: a century of use is a typo


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
