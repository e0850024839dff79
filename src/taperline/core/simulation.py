"""Simulate a daily regimen: dose events, steady-state summary, samples and population bands.

A regimen is a daily schedule (clock time and amount) repeated for a number of days,
starting at midnight of day 0, minus missed doses and with late doses moved. Everything
is a list of dose events for the PK engine, so irregular dosing needs no special case.

>>> from decimal import Decimal
>>> from taperline.core.pk import PKParams
>>> from taperline.core.quantity import Mass
>>> from taperline.core.regimen import ScheduledDose
>>> request = SimulationRequest(
...     params=PKParams(ka_per_h=1.7, cl_l_per_h=4.0, v_l=200.0),
...     schedule=(ScheduledDose(clock_h=22.0, amount=Mass.of_mg("0.5")),),
...     days=28,
... )
>>> result = simulate(request)
>>> round(result.summary.time_to_steady_state_h)
115
>>> round(result.summary.css_average_ng_per_ml, 2)
5.21
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from taperline.core.pk import (
    DEFAULT_ED50_MG_PER_DAY,
    DoseEvent,
    PKParams,
    concentrations_ng_per_ml,
    missed_dose_effect,
    onset_duration,
    steady_state,
    steady_state_occupancy,
)
from taperline.core.population import (
    Variability,
    percentile_bands,
    population_concentrations,
    sample_population,
)
from taperline.core.quantity import Mass
from taperline.core.regimen import HOURS_PER_DAY, ScheduledDose, daily_total, validate_schedule
from taperline.errors import RegimenError

__all__ = [
    "LateDose",
    "SimulationRequest",
    "SimulationResult",
    "Summary",
    "build_events",
    "simulate",
]

MAX_DAYS = 3650  # ten years: beyond this a simulation answers no clinical question
MAX_POPULATION = 100_000
_PROFILE_STEP_H = 0.01  # grid for the steady-state profile of uneven schedules
_TIME_TOLERANCE_H = 1e-6  # a missed/late time must match a planned dose to within this


@dataclass(frozen=True, slots=True)
class LateDose:
    """A planned dose (at ``planned_h`` from the start) taken ``delay_h`` hours late."""

    planned_h: float
    delay_h: float


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """What to simulate. Times are hours from midnight of day 0."""

    params: PKParams
    schedule: tuple[ScheduledDose, ...]
    days: int
    missed_h: tuple[float, ...] = ()
    late: tuple[LateDose, ...] = ()
    sample_step_h: float = 1.0
    population: int = 0
    seed: int = 0
    variability: Variability = field(default_factory=Variability)
    ed50_mg_per_day: float = DEFAULT_ED50_MG_PER_DAY

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", validate_schedule(self.schedule))
        if not (1 <= self.days <= MAX_DAYS):
            raise RegimenError(f"days must be between 1 and {MAX_DAYS}, got {self.days}")
        if not (0 < self.sample_step_h <= HOURS_PER_DAY):
            raise RegimenError("the sampling step must be more than 0 and at most 24 h")
        if not (0 <= self.population <= MAX_POPULATION):
            raise RegimenError(f"population must be between 0 and {MAX_POPULATION}")
        if not (math.isfinite(self.ed50_mg_per_day) and self.ed50_mg_per_day > 0):
            raise RegimenError("the ED50 must be a number above zero")

    @property
    def daily_dose(self) -> Mass:
        """The total planned dose per day."""
        return daily_total(self.schedule)


@dataclass(frozen=True, slots=True)
class Summary:
    """Steady-state and single-dose figures of a regimen, in ng/mL and hours."""

    css_peak_ng_per_ml: float
    css_trough_ng_per_ml: float
    css_average_ng_per_ml: float
    accumulation_ratio: float
    fluctuation_pct: float
    time_to_steady_state_h: float
    half_life_h: float
    first_dose_tmax_h: float
    onset_h: float
    duration_h: float
    css_occupancy_pct: float
    ed50_mg_per_day: float
    missed_dose_lowest_ng_per_ml: float | None
    missed_dose_below_trough_pct: float | None
    missed_dose_recovery_days: float | None


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Summary, sample times and concentrations, and (for a population) 5/50/95 % bands."""

    summary: Summary
    events: tuple[DoseEvent, ...]
    times_h: NDArray[np.float64]
    concentration_ng_per_ml: NDArray[np.float64]
    bands: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] | None


def build_events(
    schedule: tuple[ScheduledDose, ...],
    days: int,
    missed_h: tuple[float, ...] = (),
    late: tuple[LateDose, ...] = (),
) -> tuple[DoseEvent, ...]:
    """Dose events for ``days`` days of the schedule, without missed and with late doses moved.

    >>> from taperline.core.regimen import ScheduledDose
    >>> s = (ScheduledDose(22.0, Mass.of_mg(1)),)
    >>> [e.time_h for e in build_events(s, 3, missed_h=(46.0,), late=(LateDose(22.0, 2.0),))]
    [24.0, 70.0]
    """
    planned = {
        day * HOURS_PER_DAY + dose.clock_h: dose.amount for day in range(days) for dose in schedule
    }
    moved = {_match(planned, item.planned_h, "late"): item.delay_h for item in late}
    skipped = {_match(planned, when, "missed") for when in missed_h}
    if overlap := skipped & moved.keys():
        raise RegimenError(f"a dose cannot be both missed and late (at hour {min(overlap):g})")
    events = [
        DoseEvent(time_h=when + moved.get(when, 0.0), amount_mg=amount.mg_float)
        for when, amount in planned.items()
        if when not in skipped
    ]
    return tuple(sorted(events, key=lambda event: event.time_h))


def _match(planned: dict[float, Mass], when: float, what: str) -> float:
    for time_h in planned:
        if abs(time_h - when) <= _TIME_TOLERANCE_H:
            return time_h
    raise RegimenError(
        f"no planned dose at hour {when:g} of the simulation to mark as {what}: "
        "give the date and time of a scheduled dose"
    )


def simulate(request: SimulationRequest) -> SimulationResult:
    """Run the simulation: events, samples, summary and optional population bands."""
    events = build_events(request.schedule, request.days, request.missed_h, request.late)
    end_h = request.days * HOURS_PER_DAY
    times = np.arange(0.0, end_h + request.sample_step_h / 2, request.sample_step_h)
    concentration = concentrations_ng_per_ml(request.params, events, times)
    bands = None
    if request.population:
        population = sample_population(
            request.params, request.population, request.variability, request.seed
        )
        matrix = population_concentrations(population, events, times)
        found = percentile_bands(matrix)
        bands = (found.p05, found.p50, found.p95)
    return SimulationResult(_summary(request), events, times, concentration, bands)


def _summary(request: SimulationRequest) -> Summary:
    params, daily_mg = request.params, request.daily_dose.mg_float
    peak, trough, ratio = _steady_profile(params, request.schedule)
    average = daily_mg * params.bioavailability * 1000.0 / (params.cl_l_per_h * HOURS_PER_DAY)
    first = request.schedule[0].amount.mg_float
    onset = onset_duration(params, first)
    missed = _missed(params, request.schedule)
    return Summary(
        css_peak_ng_per_ml=peak,
        css_trough_ng_per_ml=trough,
        css_average_ng_per_ml=average,
        accumulation_ratio=ratio,
        fluctuation_pct=(peak - trough) / average * 100.0,
        time_to_steady_state_h=math.log(10.0) / params.ke_per_h,
        half_life_h=params.half_life_h,
        first_dose_tmax_h=onset.tmax_h,
        onset_h=onset.onset_h,
        duration_h=onset.duration_h,
        css_occupancy_pct=100.0 * steady_state_occupancy(daily_mg, request.ed50_mg_per_day),
        ed50_mg_per_day=request.ed50_mg_per_day,
        missed_dose_lowest_ng_per_ml=missed[0],
        missed_dose_below_trough_pct=missed[1],
        missed_dose_recovery_days=missed[2],
    )


def _steady_profile(
    params: PKParams, schedule: tuple[ScheduledDose, ...]
) -> tuple[float, float, float]:
    """Steady-state peak, trough and accumulation ratio of a daily schedule."""
    amounts = {dose.amount for dose in schedule}
    clocks = sorted(dose.clock_h for dose in schedule)
    interval = HOURS_PER_DAY / len(schedule)
    even = all(
        math.isclose(b - a, interval)
        for a, b in zip(clocks, [*clocks[1:], clocks[0] + 24.0], strict=True)
    )
    if len(amounts) == 1 and even:
        state = steady_state(params, schedule[0].amount.mg_float, interval)
        return state.peak_ng_per_ml, state.trough_ng_per_ml, state.accumulation_ratio
    return _numeric_profile(params, schedule)


def _numeric_profile(
    params: PKParams, schedule: tuple[ScheduledDose, ...]
) -> tuple[float, float, float]:
    """Peak, trough and AUC-based accumulation ratio for an uneven daily schedule."""
    days = math.ceil(20 * params.half_life_h / HOURS_PER_DAY) + 1  # 20 half-lives: within 1e-6
    events = build_events(schedule, days)
    last = np.arange(0.0, HOURS_PER_DAY, _PROFILE_STEP_H)
    steady = concentrations_ng_per_ml(params, events, last + (days - 1) * HOURS_PER_DAY)
    first = concentrations_ng_per_ml(params, build_events(schedule, 1), last)
    return float(steady.max()), float(steady.min()), float(steady.mean() / first.mean())


def _missed(
    params: PKParams, schedule: tuple[ScheduledDose, ...]
) -> tuple[float | None, float | None, float | None]:
    """What one missed dose does at steady state (single daily dose schedules only)."""
    if len(schedule) != 1:
        return None, None, None
    effect = missed_dose_effect(params, schedule[0].amount.mg_float, HOURS_PER_DAY)
    return (
        effect.lowest_ng_per_ml,
        effect.below_trough_pct,
        effect.recovery_intervals * 1.0,
    )
