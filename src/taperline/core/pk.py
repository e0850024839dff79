"""Pharmacokinetics: a one-compartment model with first-order oral absorption.

A regimen is a sequence of :class:`DoseEvent` (time, amount), so irregular, missed,
late and changed doses are all just events. Concentrations at any times are the
exact analytic superposition of one Bateman curve per dose [LABEL: linear kinetics].

The model has two amounts: the drug still in the gut (``gut``, absorbed at rate
``ka``) and the drug in the body (``central``, eliminated at rate ``ke = CL/V``).
After a dose ``D`` at time 0 the central amount is ``F * D * unit_response(t)``.
Every formula here is written so that ``ka == ke`` (and ``ka`` close to ``ke``)
is exact and stable: no ``1 / (ka - ke)`` is ever formed on its own.

>>> events = regular_doses(1.0, 24.0, 30, first_h=22.0)
>>> round(float(concentrations_ng_per_ml(CLONAZEPAM_PK, events, [22.0 + 30 * 24.0])[0]), 2)
8.21
>>> round(steady_state(CLONAZEPAM_PK, 1.0, 24.0).average_ng_per_ml, 1)
10.4
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from taperline.core.pk_params import (
    CLONAZEPAM_PK,
    DEFAULT_ED50_MG_PER_DAY,
    NG_PER_ML_PER_MG_PER_L,
    DoseEvent,
    PKParams,
)
from taperline.errors import InputError, RegimenError

__all__ = [
    "CLONAZEPAM_PK",
    "DEFAULT_ED50_MG_PER_DAY",
    "DoseEvent",
    "MissedDose",
    "OnsetDuration",
    "PKParams",
    "SteadyState",
    "concentrations_ng_per_ml",
    "ec50_ng_per_ml",
    "missed_dose_effect",
    "occupancy",
    "onset_duration",
    "peak_offset_h",
    "regular_doses",
    "steady_state",
    "steady_state_occupancy",
    "unit_response",
]

#: The usual trough is "recovered" after a missed dose once within this fraction of it.
RECOVERY_FRACTION: Final = 0.05

_HOURS_PER_DAY: Final = 24.0
_BISECTION_STEPS: Final = 200


def regular_doses(
    amount_mg: float, interval_h: float, count: int, first_h: float = 0.0
) -> tuple[DoseEvent, ...]:
    """``count`` equal doses every ``interval_h`` hours, the first at ``first_h``.

    >>> [event.time_h for event in regular_doses(0.5, 12.0, 3, first_h=8.0)]
    [8.0, 20.0, 32.0]
    """
    _require_positive("interval_h", interval_h, RegimenError)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise RegimenError(f"count must be a whole number of doses (0 or more), got {count!r}")
    return tuple(DoseEvent(first_h + index * interval_h, amount_mg) for index in range(count))


def unit_response(
    ka_per_h: ArrayLike, ke_per_h: ArrayLike, time_h: ArrayLike
) -> NDArray[np.float64]:
    """Fraction of an absorbed dose in the body ``time_h`` hours after it (the Bateman shape).

    ``ka * (exp(-ke t) - exp(-ka t)) / (ka - ke)`` for ``t > 0`` and 0 before the dose,
    evaluated as ``ka * exp(-min(ka, ke) t) * (1 - exp(-|ka - ke| t)) / |ka - ke|`` so that
    ``ka == ke`` gives its limit ``ka * t * exp(-ka t)`` and nothing overflows. Broadcasts.

    >>> [round(float(x), 4) for x in unit_response(1.0, [0.5, 1.0], 2.0)]
    [0.4651, 0.2707]
    """
    ka = np.asarray(ka_per_h, dtype=np.float64)
    ke = np.asarray(ke_per_h, dtype=np.float64)
    t = np.maximum(np.asarray(time_h, dtype=np.float64), 0.0)
    slow = np.minimum(ka, ke)
    gap = np.abs(ka - ke)
    safe_gap = np.where(gap > 0, gap, 1.0)
    spread = np.where(gap > 0, -np.expm1(-gap * t) / safe_gap, t)
    result: NDArray[np.float64] = ka * np.exp(-slow * t) * spread
    return result


def peak_offset_h(
    ka_per_h: ArrayLike, ke_per_h: ArrayLike, central: ArrayLike, gut: ArrayLike
) -> NDArray[np.float64]:
    """Hours until the concentration peaks, from amounts ``central`` in the body and ``gut``.

    The concentration rises while ``ka * gut > ke * central`` and has at most one maximum;
    this returns its time (0 when it is already falling), unbounded above: clip it to the
    dosing interval yourself. ``ka == ke`` is handled by its limit. Broadcasts.

    >>> round(float(peak_offset_h(1.7, 0.02, 0.0, 1.0)), 2)  # single dose: ln(ka/ke)/(ka-ke)
    2.64
    >>> float(peak_offset_h(1.7, 0.02, 1.0, 0.0))
    0.0
    """
    ka = np.asarray(ka_per_h, dtype=np.float64)
    ke = np.asarray(ke_per_h, dtype=np.float64)
    central_a = np.asarray(central, dtype=np.float64)
    gut_a = np.asarray(gut, dtype=np.float64)
    # Stationary point of central(t): 1 + (ka - ke) u = exp(-(ka - ke) t), with u below.
    u = (ke * central_a - ka * gut_a) / (ka * ka * np.where(gut_a > 0, gut_a, 1.0))
    gap = ka - ke
    gap_u = gap * u
    valid = (gut_a > 0) & (gap_u > -1.0)
    safe_gap = np.where(gap != 0, gap, 1.0)
    offset = np.where(gap != 0, -np.log1p(np.where(valid, gap_u, 0.0)) / safe_gap, -u)
    result: NDArray[np.float64] = np.where(valid, np.maximum(offset, 0.0), 0.0)
    return result


def concentrations_ng_per_ml(
    params: PKParams, events: Sequence[DoseEvent], times_h: ArrayLike
) -> NDArray[np.float64]:
    """Plasma concentrations (ng/mL) at ``times_h`` by exact superposition of every dose.

    A dose contributes nothing before (and at) its own time. Events need not be sorted.
    The result has the shape of ``times_h``.

    >>> conc = concentrations_ng_per_ml(CLONAZEPAM_PK, [DoseEvent(0.0, 1.0)], [0.0, 2.64, 24.0])
    >>> [round(float(c), 2) for c in conc]
    [0.0, 4.74, 3.13]
    """
    times = _finite_array("times_h", times_h)
    total = np.zeros_like(times)
    scale = params.bioavailability * NG_PER_ML_PER_MG_PER_L / params.v_l
    for event in events:
        total += (event.amount_mg * scale) * unit_response(
            params.ka_per_h, params.ke_per_h, times - event.time_h
        )
    return total


@dataclass(frozen=True, slots=True)
class SteadyState:
    """Steady state of a fixed dose every fixed interval.

    ``accumulation_ratio`` is the elimination accumulation index ``1 / (1 - exp(-ke tau))``;
    ``fluctuation_pct`` is ``(peak - trough) / average * 100``; ``time_to_90pct_h`` is
    ``ln 10 / ke``, the time a new regular regimen takes to reach 90 % of its steady state;
    ``tmax_h`` is the time of the peak after each dose.
    """

    peak_ng_per_ml: float
    trough_ng_per_ml: float
    average_ng_per_ml: float
    accumulation_ratio: float
    fluctuation_pct: float
    time_to_90pct_h: float
    tmax_h: float


def steady_state(params: PKParams, dose_mg: float, interval_h: float) -> SteadyState:
    """Analytic steady state of ``dose_mg`` every ``interval_h`` hours.

    >>> ss = steady_state(CLONAZEPAM_PK, 1.0, 24.0)
    >>> round(ss.peak_ng_per_ml, 1), round(ss.trough_ng_per_ml, 1), round(ss.accumulation_ratio, 2)
    (12.6, 8.2, 2.62)
    >>> round(ss.time_to_90pct_h / 24, 1)  # days
    4.8
    """
    _require_positive("dose_mg", dose_mg, InputError)
    _require_positive("interval_h", interval_h, InputError)
    central, gut = _steady_state_amounts(params, dose_mg, interval_h)
    tmax_h = min(float(peak_offset_h(params.ka_per_h, params.ke_per_h, central, gut)), interval_h)
    average = params.bioavailability * dose_mg / (params.cl_l_per_h * interval_h)
    average_ng_per_ml = average * NG_PER_ML_PER_MG_PER_L
    peak = _amounts_to_ng_per_ml(params, central, gut, tmax_h)
    trough = _amounts_to_ng_per_ml(params, central, 0.0, 0.0)
    return SteadyState(
        peak_ng_per_ml=peak,
        trough_ng_per_ml=trough,
        average_ng_per_ml=average_ng_per_ml,
        accumulation_ratio=1.0 / -math.expm1(-params.ke_per_h * interval_h),
        fluctuation_pct=(peak - trough) / average_ng_per_ml * 100.0,
        time_to_90pct_h=math.log(10.0) / params.ke_per_h,
        tmax_h=tmax_h,
    )


@dataclass(frozen=True, slots=True)
class OnsetDuration:
    """Single-dose onset and duration against a threshold (see :func:`onset_duration`)."""

    onset_h: float
    duration_h: float
    threshold_ng_per_ml: float
    peak_ng_per_ml: float
    tmax_h: float


def onset_duration(
    params: PKParams, dose_mg: float, *, threshold_fraction_of_peak: float = 0.5
) -> OnsetDuration:
    """When a single dose's concentration reaches a threshold and how long it stays above it.

    The threshold is a fraction of the single-dose peak. ``onset_h`` is the time from the
    dose until the plasma concentration first reaches it; ``duration_h`` the time it stays
    at or above it. This is plasma, not effect: the seeds say clonazepam's effect starts
    within an hour and lasts 8-12 h [SEED-AURA, SEED-MINDED]. With the default model the
    onset to half of the peak is about 0.4 h (23 min), consistent with "within an hour", but the
    concentration stays above half of the peak for about 37 h: the 8-12 h the seeds report
    is not explained by plasma levels of one dose (distribution out of the brain,
    tolerance and the threshold for effect all matter), so show both, do not equate them.

    >>> od = onset_duration(CLONAZEPAM_PK, 1.0)
    >>> round(od.onset_h, 2), round(od.duration_h, 1), round(od.tmax_h, 2)
    (0.38, 37.5, 2.64)
    """
    _require_positive("dose_mg", dose_mg, InputError)
    fraction = threshold_fraction_of_peak
    if not (math.isfinite(fraction) and 0 < fraction < 1):
        raise InputError(f"threshold_fraction_of_peak must be between 0 and 1, got {fraction!r}")
    tmax_h = _single_dose_tmax_h(params)
    peak = _single_dose_ng_per_ml(params, dose_mg, tmax_h)
    threshold = fraction * peak
    above = _above(params, dose_mg, threshold)
    onset_h = _bisect(above, 0.0, tmax_h)
    offset_h = _bisect(lambda t: not above(t), tmax_h, _time_below(params, dose_mg, threshold))
    return OnsetDuration(
        onset_h=onset_h,
        duration_h=offset_h - onset_h,
        threshold_ng_per_ml=threshold,
        peak_ng_per_ml=peak,
        tmax_h=tmax_h,
    )


@dataclass(frozen=True, slots=True)
class MissedDose:
    """What skipping one dose at steady state does (see :func:`missed_dose_effect`)."""

    usual_trough_ng_per_ml: float
    lowest_ng_per_ml: float
    lowest_at_h: float
    below_trough_pct: float
    recovery_intervals: int
    recovery_h: float


def missed_dose_effect(params: PKParams, dose_mg: float, interval_h: float) -> MissedDose:
    """At steady state, skip one dose (due at time 0) and take every later one.

    The concentration is the steady state minus the missed dose's own curve, so its
    lowest point is one of the later pre-dose troughs (``lowest_at_h`` after the missed
    dose time). ``recovery_intervals`` counts dosing intervals from the missed dose until
    the pre-dose trough is back within 5 % of the usual one and stays there (0 when it
    never drops further than that); ``recovery_h`` is the same in hours.

    >>> md = missed_dose_effect(CLONAZEPAM_PK, 1.0, 24.0)
    >>> round(md.lowest_ng_per_ml, 1), round(md.below_trough_pct), md.recovery_intervals
    (5.1, 38, 6)
    """
    usual = steady_state(params, dose_mg, interval_h).trough_ng_per_ml
    tmax_h = _single_dose_tmax_h(params)
    candidates = {max(1, math.floor(tmax_h / interval_h)), max(1, math.ceil(tmax_h / interval_h))}
    lowest_k = max(
        candidates, key=lambda k: _single_dose_ng_per_ml(params, dose_mg, k * interval_h)
    )
    deficit = _single_dose_ng_per_ml(params, dose_mg, lowest_k * interval_h)
    allowed = RECOVERY_FRACTION * usual
    recovery = 0
    if deficit > allowed:
        back_h = _bisect(
            lambda t: _single_dose_ng_per_ml(params, dose_mg, t) <= allowed,
            lowest_k * interval_h,
            _time_below(params, dose_mg, allowed),
        )
        recovery = math.ceil(back_h / interval_h)
    return MissedDose(
        usual_trough_ng_per_ml=usual,
        lowest_ng_per_ml=usual - deficit,
        lowest_at_h=lowest_k * interval_h,
        below_trough_pct=deficit / usual * 100.0,
        recovery_intervals=recovery,
        recovery_h=recovery * interval_h,
    )


def ec50_ng_per_ml(params: PKParams, ed50_mg_per_day: float) -> float:
    """Concentration equal to the steady-state average of a daily dose of ``ed50_mg_per_day``.

    ``ED50 * F / (CL * 24 h)``, in ng/mL; with it, :func:`occupancy` of the steady-state
    average equals :func:`steady_state_occupancy` of the daily dose.

    >>> round(ec50_ng_per_ml(CLONAZEPAM_PK, DEFAULT_ED50_MG_PER_DAY), 1)
    20.8
    """
    _require_positive("ed50_mg_per_day", ed50_mg_per_day, InputError)
    per_day = params.cl_l_per_h * _HOURS_PER_DAY
    return ed50_mg_per_day * params.bioavailability / per_day * NG_PER_ML_PER_MG_PER_L


def occupancy(
    concentration_ng_per_ml: ArrayLike, ec50_ng_per_ml: float, emax: float = 1.0
) -> NDArray[np.float64]:
    """Receptor occupancy (fraction) by the Emax model ``Emax * C / (C + EC50)`` [MAUDSLEY-2024].

    >>> [round(float(x), 2) for x in occupancy([0.0, 20.0, 60.0], 20.0)]
    [0.0, 0.5, 0.75]
    """
    conc = _finite_array("concentration_ng_per_ml", concentration_ng_per_ml)
    if np.any(conc < 0):
        raise InputError("concentration_ng_per_ml must not be negative")
    _require_positive("ec50_ng_per_ml", ec50_ng_per_ml, InputError)
    _require_emax(emax)
    result: NDArray[np.float64] = emax * conc / (conc + ec50_ng_per_ml)
    return result


def steady_state_occupancy(
    daily_dose_mg: float, ed50_mg_per_day: float, emax: float = 1.0
) -> float:
    """Steady-state occupancy of a daily dose: ``Emax * D / (D + ED50)`` [MAUDSLEY-2024].

    >>> steady_state_occupancy(2.0, DEFAULT_ED50_MG_PER_DAY)
    0.5
    """
    if not (math.isfinite(daily_dose_mg) and daily_dose_mg >= 0):
        raise InputError(
            f"daily_dose_mg must be a finite number of mg, 0 or more, got {daily_dose_mg!r}"
        )
    _require_positive("ed50_mg_per_day", ed50_mg_per_day, InputError)
    _require_emax(emax)
    return emax * daily_dose_mg / (daily_dose_mg + ed50_mg_per_day)


# --- helpers ----------------------------------------------------------------------------------


def _require_positive(name: str, value: float, error: type[InputError]) -> None:
    if not (math.isfinite(value) and value > 0):
        raise error(f"{name} must be a finite number above zero, got {value!r}")


def _require_emax(emax: float) -> None:
    if not (math.isfinite(emax) and 0 < emax <= 1):
        raise InputError(f"emax must be in (0, 1], got {emax!r}")


def _finite_array(name: str, values: ArrayLike) -> NDArray[np.float64]:
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"{name} must be numbers") from error
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name} must be finite numbers (no NaN or infinity)")
    return array


def _steady_state_amounts(
    params: PKParams, dose_mg: float, interval_h: float
) -> tuple[float, float]:
    """Amounts (mg) in the body and in the gut just after a dose, at steady state."""
    gut = params.bioavailability * dose_mg / -math.expm1(-params.ka_per_h * interval_h)
    gain = float(unit_response(params.ka_per_h, params.ke_per_h, interval_h))
    central = gut * gain / -math.expm1(-params.ke_per_h * interval_h)
    return central, gut


def _amounts_to_ng_per_ml(params: PKParams, central: float, gut: float, time_h: float) -> float:
    """Concentration ``time_h`` after a moment with these amounts (mg), with no dose between."""
    ke = params.ke_per_h
    absorbed = gut * float(unit_response(params.ka_per_h, ke, time_h))
    amount = central * math.exp(-ke * time_h) + absorbed
    return amount / params.v_l * NG_PER_ML_PER_MG_PER_L


def _single_dose_tmax_h(params: PKParams) -> float:
    return float(peak_offset_h(params.ka_per_h, params.ke_per_h, 0.0, 1.0))


def _single_dose_ng_per_ml(params: PKParams, dose_mg: float, time_h: float) -> float:
    return _amounts_to_ng_per_ml(params, 0.0, params.bioavailability * dose_mg, time_h)


def _above(params: PKParams, dose_mg: float, threshold: float) -> Callable[[float], bool]:
    return lambda t: _single_dose_ng_per_ml(params, dose_mg, t) >= threshold


def _time_below(params: PKParams, dose_mg: float, threshold: float) -> float:
    """A time after the peak when a single dose is below ``threshold`` (an upper bracket)."""
    time_h = _single_dose_tmax_h(params) + params.half_life_h
    while _single_dose_ng_per_ml(params, dose_mg, time_h) >= threshold:
        time_h *= 2.0
    return time_h


def _bisect(is_past: Callable[[float], bool], before: float, after: float) -> float:
    """The time where ``is_past`` switches from False (at ``before``) to True (at ``after``)."""
    for _ in range(_BISECTION_STEPS):
        middle = 0.5 * (before + after)
        if middle in {before, after}:
            break
        if is_past(middle):
            after = middle
        else:
            before = middle
    return after
