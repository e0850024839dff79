"""A virtual population: the one-compartment model with between-person variability.

Clearance, volume and ka are log-normal around the typical values (their medians), with
coefficients of variation from :class:`Variability`. Sampling uses a seeded generator,
so the same seed gives the same people.

:func:`simulate_nightly` is the fast path for the common question "one dose every night
at the same hour, for months": it writes every person's hourly concentrations into one
preallocated matrix and returns each night's trough and peak and their 5/50/95 % bands.

>>> pop = sample_population(CLONAZEPAM_PK, 200, seed=1)
>>> night = simulate_nightly(pop, 1.0, days=28)
>>> night.concentrations_ng_per_ml.shape, night.trough_bands.p50.shape
((200, 672), (28,))
>>> bool(np.all(night.trough_bands.p05 <= night.trough_bands.p95))
True
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from taperline.core.pk import (
    CLONAZEPAM_PK,  # noqa: F401 -- the doctests below use it
    DoseEvent,
    PKParams,
    peak_offset_h,
    unit_response,
)
from taperline.core.pk_params import NG_PER_ML_PER_MG_PER_L
from taperline.errors import InputError

__all__ = [
    "DEFAULT_VARIABILITY",
    "Bands",
    "NightlyResult",
    "Population",
    "Variability",
    "percentile_bands",
    "population_concentrations",
    "sample_population",
    "simulate_nightly",
]

_HOURS_PER_DAY: Final = 24.0
#: Bytes of output written per person-chunk: small enough to stay in cache.
_CHUNK_BYTES: Final = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Variability:
    """Between-person coefficients of variation (CV, as fractions) of CL, V and ka.

    >>> Variability().cv_cl
    0.2
    """

    #: CV of CL/F about 20 % [YUKAWA-2002].
    cv_cl: float = 0.20
    #: ⚠ Assumed: no population variability table for V was confirmed [LABEL: Vd 1.5-4.4
    #: L/kg]; 25 % is a documented, overridable default.
    cv_v: float = 0.25
    #: CV of ka about 42 % [KRUIZINGA-2022].
    cv_ka: float = 0.42

    def __post_init__(self) -> None:
        for name in ("cv_cl", "cv_v", "cv_ka"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"{name} must be a finite fraction, 0 or more, got {value!r}")


DEFAULT_VARIABILITY: Final = Variability()


@dataclass(frozen=True, slots=True, eq=False)
class Population:
    """One row per virtual person: their ka (1/h), CL (L/h) and V (L); arrays are read-only.

    >>> Population(np.array([1.7]), np.array([4.0]), np.array([200.0]), 1.0).size
    1
    """

    ka_per_h: NDArray[np.float64]
    cl_l_per_h: NDArray[np.float64]
    v_l: NDArray[np.float64]
    bioavailability: float

    def __post_init__(self) -> None:
        size = np.shape(self.ka_per_h)
        for name in ("ka_per_h", "cl_l_per_h", "v_l"):
            array = np.array(getattr(self, name), dtype=np.float64)  # a private copy
            if array.ndim != 1 or array.shape != size or array.size == 0:
                raise InputError(f"{name} must be a non-empty 1-D array, one value per person")
            if not np.all(np.isfinite(array) & (array > 0)):
                raise InputError(f"{name} must hold finite numbers above zero")
            array.setflags(write=False)
            object.__setattr__(self, name, array)  # frozen: store the validated copy once
        if not (0 < self.bioavailability <= 1):
            raise InputError(f"bioavailability must be in (0, 1], got {self.bioavailability!r}")

    @property
    def size(self) -> int:
        """Number of people."""
        return int(self.ka_per_h.size)

    @property
    def ke_per_h(self) -> NDArray[np.float64]:
        """Elimination rate constants CL/V (1/h)."""
        result: NDArray[np.float64] = self.cl_l_per_h / self.v_l
        return result


def sample_population(
    params: PKParams, n: int, variability: Variability = DEFAULT_VARIABILITY, seed: int = 0
) -> Population:
    """``n`` people around ``params`` (their medians), log-normal with the given CVs.

    Each parameter is ``typical * exp(sigma * z)`` with ``sigma = sqrt(ln(1 + cv**2))``
    and ``z`` standard normal from ``np.random.default_rng(seed)`` (CL, then V, then ka).

    >>> pop = sample_population(CLONAZEPAM_PK, 10_000, seed=7)
    >>> round(float(np.median(pop.cl_l_per_h)), 1)
    4.0
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"n must be a whole number of people, 1 or more, got {n!r}")
    z = np.random.default_rng(seed).standard_normal((3, n))
    typical = (params.cl_l_per_h, params.v_l, params.ka_per_h)
    cvs = (variability.cv_cl, variability.cv_v, variability.cv_ka)
    cl, v, ka = (
        value * np.exp(math.sqrt(math.log1p(cv * cv)) * row)
        for value, cv, row in zip(typical, cvs, z, strict=True)
    )
    return Population(ka, cl, v, params.bioavailability)


def population_concentrations(
    pop: Population, events: Sequence[DoseEvent], times_h: ArrayLike
) -> NDArray[np.float64]:
    """Concentrations (ng/mL) of every person at ``times_h``: shape ``(people, times)``.

    >>> pop = Population(np.array([1.7, 1.7]), np.array([4.0, 8.0]), np.array([200.0, 200.0]), 1.0)
    >>> np.round(population_concentrations(pop, [DoseEvent(0.0, 1.0)], [24.0]), 2).tolist()
    [[3.13], [1.96]]
    """
    times = np.ravel(np.asarray(times_h, dtype=np.float64))
    if not np.all(np.isfinite(times)):
        raise InputError("times_h must be finite numbers (no NaN or infinity)")
    ka = pop.ka_per_h[:, None]
    ke = pop.ke_per_h[:, None]
    scale = (pop.bioavailability * NG_PER_ML_PER_MG_PER_L / pop.v_l)[:, None]
    total = np.zeros((pop.size, times.size))
    for event in events:
        total += (event.amount_mg * scale) * unit_response(ka, ke, times - event.time_h)
    return total


@dataclass(frozen=True, slots=True, eq=False)
class Bands:
    """5th, 50th and 95th percentiles."""

    p05: NDArray[np.float64]
    p50: NDArray[np.float64]
    p95: NDArray[np.float64]


def percentile_bands(matrix: ArrayLike, axis: int = 0) -> Bands:
    """The 5/50/95 % percentiles of ``matrix`` along ``axis`` (linear interpolation).

    >>> bands = percentile_bands(np.arange(101.0).reshape(101, 1))
    >>> float(bands.p05[0]), float(bands.p50[0]), float(bands.p95[0])
    (5.0, 50.0, 95.0)
    """
    array = np.asarray(matrix, dtype=np.float64)
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise InputError("percentile bands need a non-empty matrix of finite numbers")
    values = np.moveaxis(array, axis, -1)
    # One vectorised partition at the six ranks the bands read (a partial sort: linear time,
    # each rank holding the value a full sort would put there, so the same bands as sorting;
    # about 5x faster than np.sort on a year of nights x 10,000 people).
    ranks = sorted({r for f in _BAND_FRACTIONS for r in _ranks(f, values.shape[-1])[:2]})
    ordered = np.partition(values, ranks, axis=-1)
    return Bands(*(_sorted_quantile(ordered, fraction) for fraction in _BAND_FRACTIONS))


_BAND_FRACTIONS: Final = (0.05, 0.5, 0.95)


def _ranks(fraction: float, count: int) -> tuple[int, int, float]:
    """The two ranks a quantile reads, and the weight of the upper one (``np.quantile``'s)."""
    position = fraction * (count - 1)
    below = math.floor(position)
    return below, min(below + 1, count - 1), position - below


def _sorted_quantile(ordered: NDArray[np.float64], fraction: float) -> NDArray[np.float64]:
    """Quantile along the last axis, interpolated like ``np.quantile``'s default.

    ``ordered`` need only be sorted at the ranks it reads (see :func:`_ranks`).
    """
    below, above, weight = _ranks(fraction, ordered.shape[-1])
    low, high = ordered[..., below], ordered[..., above]
    result: NDArray[np.float64] = low + (high - low) * weight
    return result


@dataclass(frozen=True, slots=True, eq=False)
class NightlyResult:
    """Result of :func:`simulate_nightly`.

    ``concentrations_ng_per_ml[p, k]`` is person ``p`` at ``time_h[k] = k * step_h`` hours
    after midnight of day 0. ``trough_ng_per_ml[p, d]`` is the concentration just before
    the dose of night ``d + 1`` (the lowest the dose of night ``d`` leaves, computed even
    beyond the last simulated hour) and ``peak_ng_per_ml[p, d]`` the highest concentration
    between the doses of nights ``d`` and ``d + 1``; the bands are across people, per night.
    """

    time_h: NDArray[np.float64]
    concentrations_ng_per_ml: NDArray[np.float64]
    trough_ng_per_ml: NDArray[np.float64]
    peak_ng_per_ml: NDArray[np.float64]
    trough_bands: Bands
    peak_bands: Bands


@dataclass(frozen=True, slots=True)
class _Grid:
    """The hourly (or finer) grid and where each night's dose interval starts on it."""

    steps_per_day: int
    total: int
    first: int  # index of the first grid time at or after the first dose
    offsets_h: NDArray[np.float64]  # grid times after a dose, within its interval

    @property
    def full_intervals(self) -> int:
        return (self.total - self.first) // self.steps_per_day

    @property
    def tail(self) -> int:
        return self.total - self.first - self.full_intervals * self.steps_per_day


def simulate_nightly(  # noqa: PLR0917 -- the agreed public signature
    pop: Population,
    dose_mg: float,
    days: int,
    dose_hour: float = 22.0,
    step_h: float = 1.0,
    out: NDArray[np.float64] | None = None,
    *,
    threads: int = 1,
) -> NightlyResult:
    """One dose of ``dose_mg`` every night at ``dose_hour`` for ``days`` nights, from day 0.

    Exact (the same superposition as :func:`population_concentrations`, by a per-interval
    recursion of the amounts in the gut and the body), on the grid ``k * step_h`` for
    ``days * 24 / step_h`` steps (``24 / step_h`` must be whole); hours before the first
    dose are 0. The matrix is written into ``out`` when given (float64, C order, shape
    ``(people, steps)``); troughs and peaks are analytic. See :class:`NightlyResult`.
    ``threads``: how many threads write it, each a contiguous share of the people (NumPy
    computes without the interpreter's lock); every value is the same for any number.

    >>> pop = sample_population(CLONAZEPAM_PK, 3, seed=0)
    >>> night = simulate_nightly(pop, 1.0, days=2)
    >>> night.concentrations_ng_per_ml.shape, night.peak_ng_per_ml.shape
    ((3, 48), (3, 2))
    """
    grid = _grid(days, dose_hour, step_h)
    _require_dose(dose_mg)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise InputError(f"threads must be a whole number, 1 or more, got {threads!r}")
    matrix = _output(out, pop.size, grid.total)
    central, gut = _nightly_amounts(pop, dose_mg, days)
    peaks = np.empty_like(gut)

    def share(begin: int, end: int) -> None:
        _fill(matrix, pop, grid, central, gut, begin, end)
        _nightly_peaks(pop, central, gut, peaks, begin, end)

    bounds = np.linspace(0, pop.size, min(threads, pop.size) + 1).round().astype(int).tolist()
    _run([functools.partial(share, begin, end) for begin, end in itertools.pairwise(bounds)])
    trough, peak = central[1:].T, peaks.T
    return NightlyResult(
        time_h=np.arange(grid.total, dtype=np.float64) * step_h,
        concentrations_ng_per_ml=matrix,
        trough_ng_per_ml=trough,
        peak_ng_per_ml=peak,
        trough_bands=percentile_bands(trough),
        peak_bands=percentile_bands(peak),
    )


def _run(tasks: Sequence[Callable[[], object]]) -> None:
    """Run ``tasks`` at once: each but the first on a thread of its own, the first on this one.

    The first error raised in any of them is raised here, once all have ended.
    """
    errors: list[BaseException] = []

    def guarded(task: Callable[[], object]) -> None:
        try:
            task()
        except BaseException as error:  # handed to the caller's thread below
            errors.append(error)

    workers = [
        threading.Thread(target=guarded, args=(task,), name="taperline-population")
        for task in tasks[1:]
    ]
    for worker in workers:
        worker.start()
    guarded(tasks[0])
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


def _require_dose(dose_mg: float) -> None:
    if not (math.isfinite(dose_mg) and dose_mg > 0):
        raise InputError(f"dose_mg must be a finite number of mg above zero, got {dose_mg!r}")


def _grid(days: int, dose_hour: float, step_h: float) -> _Grid:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InputError(f"days must be a whole number of days, 1 or more, got {days!r}")
    if not (math.isfinite(dose_hour) and 0 <= dose_hour < _HOURS_PER_DAY):
        raise InputError(f"dose_hour must be in [0, 24), got {dose_hour!r}")
    steps = round(_HOURS_PER_DAY / step_h) if math.isfinite(step_h) and step_h > 0 else 0
    if steps < 1 or not math.isclose(steps * step_h, _HOURS_PER_DAY, rel_tol=1e-12):
        raise InputError(f"step_h must divide 24 hours into whole steps, got {step_h!r}")
    first = math.ceil(dose_hour / step_h)
    first -= 1 if first > 0 and (first - 1) * step_h >= dose_hour else 0
    first += 1 if first * step_h < dose_hour else 0
    offsets = (first + np.arange(steps, dtype=np.float64)) * step_h - dose_hour
    return _Grid(steps, days * steps, first, offsets)


def _output(out: NDArray[np.float64] | None, people: int, steps: int) -> NDArray[np.float64]:
    if out is None:
        return np.empty((people, steps))
    usable = out.dtype == np.float64 and out.flags.c_contiguous and out.flags.writeable
    if not usable or out.shape != (people, steps):
        raise InputError(
            f"out must be a writeable C-ordered float64 array of shape {(people, steps)}"
        )
    return out


def _nightly_amounts(
    pop: Population, dose_mg: float, days: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Amounts in the body and the gut just after each night's dose, shape (nights(+1), people).

    Scaled by 1000/V so they read as ng/mL; ``central`` has one more row (the next night).
    """
    ka, ke = pop.ka_per_h, pop.ke_per_h
    dose = pop.bioavailability * dose_mg * NG_PER_ML_PER_MG_PER_L / pop.v_l
    keep_gut, keep_central = np.exp(-ka * _HOURS_PER_DAY), np.exp(-ke * _HOURS_PER_DAY)
    gain = unit_response(ka, ke, _HOURS_PER_DAY)
    central = np.zeros((days + 1, pop.size))
    gut = np.empty((days, pop.size))
    gut[0] = dose
    for night in range(days):
        central[night + 1] = central[night] * keep_central + gut[night] * gain
        if night + 1 < days:
            gut[night + 1] = gut[night] * keep_gut + dose
    return central, gut


def _nightly_peaks(  # noqa: PLR0917 -- one share of simulate_nightly's work
    pop: Population,
    central: NDArray[np.float64],
    gut: NDArray[np.float64],
    peak: NDArray[np.float64],
    begin: int,
    end: int,
) -> None:
    """Highest concentration in each dose interval of people ``begin``-``end``, into ``peak``.

    ``peak`` has the shape (nights, people); it is written a block of people at a time.

    ``central`` holds one row more than ``gut``: the amount at the end of the last interval.
    A person with ``ka == ke`` gets the general formulas, whatever block they are in, so
    every value is the same for any block.
    """
    block = max(1, _CHUNK_BYTES // (8 * 4 * gut.shape[0]))
    for start in range(begin, end, block):
        cols = slice(start, min(start + block, end))
        ka, ke = pop.ka_per_h[cols], pop.ke_per_h[cols]
        _interval_peaks(ka, ke, central[:, cols], gut[:, cols], out=peak[:, cols])
        same = np.flatnonzero(ka == ke)
        if same.size:
            at = cols.start + same
            peak[:, at] = _limit_peaks(ka[same], ke[same], central[:, at], gut[:, at])


def _interval_peaks(
    ka: NDArray[np.float64],
    ke: NDArray[np.float64],
    central: NDArray[np.float64],
    gut: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """Peaks from each interval's starting amounts (and ``central`` at its end, one row more).

    At the interval's one stationary point ``ka * gut(t) = ke * central(t)``, so the peak is
    ``ka / ke * gut * exp(-ka t)``; earlier than the start it is the start, later than the
    end, the end. Needs ``ka != ke``; written in place, as this runs on every night.
    """
    gap = ka - ke
    # 1 + gap * u = exp(-gap * t) at the stationary point; see peak_offset_h.
    at = np.divide(central[:-1], gut)
    at *= gap * ke / (ka * ka)
    at -= gap / ka
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # masked below
        np.log1p(at, out=at)  # NaN where there is no stationary point: the start is the peak
        at *= -1.0 / gap  # ka == ke: not used (the caller writes those by _limit_peaks)
        np.multiply(at, -ka, out=out)
        np.exp(out, out=out)
    out *= ka / ke
    out *= gut
    late = at < _HOURS_PER_DAY
    np.copyto(out, central[1:], where=np.logical_not(late, out=late))
    started = at > 0
    np.copyto(out, central[:-1], where=np.logical_not(started, out=started))


def _limit_peaks(
    ka: NDArray[np.float64],
    ke: NDArray[np.float64],
    central: NDArray[np.float64],
    gut: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Peaks by the general, ``ka == ke``-safe formulas (see :func:`peak_offset_h`)."""
    at = np.minimum(peak_offset_h(ka, ke, central[:-1], gut), _HOURS_PER_DAY)
    result: NDArray[np.float64] = central[:-1] * np.exp(-ke * at) + gut * unit_response(ka, ke, at)
    return result


def _fill(  # noqa: PLR0917 -- one share of simulate_nightly's work
    matrix: NDArray[np.float64],
    pop: Population,
    grid: _Grid,
    central: NDArray[np.float64],
    gut: NDArray[np.float64],
    begin: int,
    end: int,
) -> None:
    """Write people ``begin``-``end``'s concentrations, a cache-sized chunk of people at a time.

    Within a dose interval the concentration is ``central * exp(-ke s) + gut * r(s)`` at
    offset ``s``: a (intervals x 2) by (2 x offsets) product per person, written in place.
    """
    chunk = max(1, _CHUNK_BYTES // (8 * grid.total))
    full, tail, first = grid.full_intervals, grid.tail, grid.first
    end_full = first + full * grid.steps_per_day
    ka, ke = pop.ka_per_h[begin:end, None], pop.ke_per_h[begin:end, None]
    basis = np.stack((np.exp(-ke * grid.offsets_h), unit_response(ka, ke, grid.offsets_h)), axis=1)
    intervals = full + (1 if tail else 0)
    amounts = np.empty((chunk, intervals, 2))
    for start in range(begin, end, chunk):
        rows = slice(start, min(start + chunk, end))
        count = rows.stop - start
        own = basis[start - begin : rows.stop - begin]  # this chunk's people
        amounts[:count, :, 0] = central[:intervals, rows].T
        amounts[:count, :, 1] = gut[:intervals, rows].T
        matrix[rows, :first] = 0.0
        if full:
            block = matrix[rows, first:end_full].reshape(count, full, grid.steps_per_day)
            # reshape is a view (it splits a contiguous axis): matmul writes the output in place
            np.matmul(amounts[:count, :full], own, out=block)
        if tail:
            last = matrix[rows, end_full:][:, None]
            np.matmul(amounts[:count, full : full + 1], own[:, :, :tail], out=last)
