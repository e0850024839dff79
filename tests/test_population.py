from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.core.pk import (
    CLONAZEPAM_PK,
    DoseEvent,
    PKParams,
    concentrations_ng_per_ml,
    regular_doses,
)
from taperline.core.population import (
    Population,
    Variability,
    percentile_bands,
    population_concentrations,
    sample_population,
    simulate_nightly,
)
from taperline.errors import InputError

from .strategies import pk_params


def person(pop: Population, index: int) -> PKParams:
    return PKParams(
        ka_per_h=float(pop.ka_per_h[index]),
        cl_l_per_h=float(pop.cl_l_per_h[index]),
        v_l=float(pop.v_l[index]),
        bioavailability=pop.bioavailability,
    )


# --- sampling ---------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_people() -> None:
    first, again = (sample_population(CLONAZEPAM_PK, 500, seed=42) for _ in range(2))
    other = sample_population(CLONAZEPAM_PK, 500, seed=43)
    for name in ("ka_per_h", "cl_l_per_h", "v_l"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
        assert not np.array_equal(getattr(first, name), getattr(other, name))


def test_medians_are_the_typical_values_and_spreads_the_cvs() -> None:
    variability = Variability()
    pop = sample_population(CLONAZEPAM_PK, 40_000, variability, seed=3)
    for values, typical, cv in [
        (pop.cl_l_per_h, CLONAZEPAM_PK.cl_l_per_h, variability.cv_cl),
        (pop.v_l, CLONAZEPAM_PK.v_l, variability.cv_v),
        (pop.ka_per_h, CLONAZEPAM_PK.ka_per_h, variability.cv_ka),
    ]:
        assert float(np.median(values)) == pytest.approx(typical, rel=0.02)
        assert float(np.std(values) / np.mean(values)) == pytest.approx(cv, rel=0.05)


def test_no_variability_gives_identical_people() -> None:
    pop = sample_population(CLONAZEPAM_PK, 5, Variability(0.0, 0.0, 0.0))
    assert np.all(pop.cl_l_per_h == CLONAZEPAM_PK.cl_l_per_h)


def test_default_cvs_are_the_documented_ones() -> None:
    assert Variability() == Variability(cv_cl=0.20, cv_v=0.25, cv_ka=0.42)


def test_population_arrays_are_read_only_copies() -> None:
    ka = np.array([1.7, 1.2])
    pop = Population(ka, np.array([4.0, 3.0]), np.array([200.0, 150.0]), 1.0)
    ka[0] = 99.0
    assert pop.ka_per_h[0] == 1.7
    with pytest.raises(ValueError, match="read-only"):
        pop.ka_per_h[0] = 2.0


@pytest.mark.parametrize(
    "arrays",
    [
        ([1.7, 1.2], [4.0], [200.0, 150.0]),
        ([1.7], [-4.0], [200.0]),
        ([1.7], [4.0], [float("nan")]),
        ([], [], []),
        ([[1.7]], [[4.0]], [[200.0]]),
    ],
)
def test_population_refuses_bad_arrays(arrays: tuple[list[float], ...]) -> None:
    ka, cl, v = (np.array(a) for a in arrays)
    with pytest.raises(InputError):
        Population(ka, cl, v, 1.0)


@pytest.mark.parametrize(
    "call", [lambda: Variability(cv_cl=-0.1), lambda: Variability(cv_v=float("nan"))]
)
def test_variability_refuses_bad_cvs(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]  # the parametrised lambdas are callables


@pytest.mark.parametrize("n", [0, -3, True])
def test_sample_size_must_be_positive(n: int) -> None:
    with pytest.raises(InputError):
        sample_population(CLONAZEPAM_PK, n)


# --- concentrations ---------------------------------------------------------------------------


def test_population_rows_are_the_one_person_model() -> None:
    pop = sample_population(CLONAZEPAM_PK, 6, seed=5)
    events = [DoseEvent(0.0, 1.0), DoseEvent(30.0, 0.5), DoseEvent(50.0, 2.0)]
    times = np.linspace(-5.0, 200.0, 77)
    matrix = population_concentrations(pop, events, times)
    assert matrix.shape == (6, 77)
    for index in range(6):
        expected = concentrations_ng_per_ml(person(pop, index), events, times)
        np.testing.assert_allclose(matrix[index], expected, rtol=1e-13, atol=1e-15)


def test_population_times_must_be_finite() -> None:
    pop = sample_population(CLONAZEPAM_PK, 2)
    with pytest.raises(InputError, match="times_h"):
        population_concentrations(pop, [DoseEvent(0.0, 1.0)], [float("inf")])


@pytest.mark.parametrize(
    ("days", "dose_hour", "step_h"),
    [
        (20, 22.0, 1.0),
        (5, 0.0, 1.0),
        (4, 23.5, 1.0),
        (3, 7.3, 0.5),
        (3, 22.0, 2.0),
        (3, 21.0, 24.0),
        (1, 5.0, 1.0),
    ],
)
def test_nightly_fast_path_is_the_superposition(days: int, dose_hour: float, step_h: float) -> None:
    pop = sample_population(CLONAZEPAM_PK, 4, seed=11)
    night = simulate_nightly(pop, 0.75, days, dose_hour=dose_hour, step_h=step_h)
    events = regular_doses(0.75, 24.0, days, first_h=dose_hour)
    assert night.concentrations_ng_per_ml.shape == (4, round(days * 24 / step_h))
    np.testing.assert_allclose(night.time_h, np.arange(night.time_h.size) * step_h)
    for index in range(4):
        expected = concentrations_ng_per_ml(person(pop, index), events, night.time_h)
        np.testing.assert_allclose(
            night.concentrations_ng_per_ml[index], expected, rtol=1e-9, atol=1e-14
        )


def test_nightly_troughs_and_peaks_are_exact() -> None:
    pop = sample_population(CLONAZEPAM_PK, 3, seed=2)
    days, dose_hour = 4, 22.0
    night = simulate_nightly(pop, 1.0, days, dose_hour=dose_hour)
    events = regular_doses(1.0, 24.0, days, first_h=dose_hour)
    for index in range(3):
        params = person(pop, index)
        troughs = concentrations_ng_per_ml(
            params, events, dose_hour + 24.0 * np.arange(1, days + 1)
        )
        np.testing.assert_allclose(night.trough_ng_per_ml[index], troughs, rtol=1e-12)
        for day in range(days):
            fine = dose_hour + 24.0 * day + np.linspace(0.0, 24.0, 48_001)
            best = concentrations_ng_per_ml(params, events, fine).max()
            assert night.peak_ng_per_ml[index, day] == pytest.approx(best, rel=1e-7)
            assert night.peak_ng_per_ml[index, day] >= best


@settings(max_examples=25, deadline=None)
@given(pk_params, st.integers(min_value=1, max_value=6), st.sampled_from([0.0, 9.5, 22.0]))
def test_nightly_peaks_for_any_parameters(params: PKParams, days: int, dose_hour: float) -> None:
    pop = Population(
        np.array([params.ka_per_h]), np.array([params.cl_l_per_h]), np.array([params.v_l]), 1.0
    )
    night = simulate_nightly(pop, 1.0, days, dose_hour=dose_hour, step_h=0.5)
    events = regular_doses(1.0, 24.0, days, first_h=dose_hour)
    grid = concentrations_ng_per_ml(person(pop, 0), events, night.time_h)
    np.testing.assert_allclose(night.concentrations_ng_per_ml[0], grid, rtol=1e-9, atol=1e-12)
    fine = dose_hour + 24.0 * (days - 1) + np.linspace(0.0, 24.0, 4801)
    best = concentrations_ng_per_ml(person(pop, 0), events, fine).max()
    assert night.peak_ng_per_ml[0, -1] >= best * (1 - 1e-12)
    assert night.peak_ng_per_ml[0, -1] == pytest.approx(best, rel=1e-3)


def test_nightly_handles_equal_rates() -> None:
    pop = Population(np.array([0.02, 1.7]), np.array([4.0, 4.0]), np.array([200.0, 200.0]), 1.0)
    night = simulate_nightly(pop, 1.0, 5)
    events = regular_doses(1.0, 24.0, 5, first_h=22.0)
    for index in range(2):
        expected = concentrations_ng_per_ml(person(pop, index), events, night.time_h)
        np.testing.assert_allclose(night.concentrations_ng_per_ml[index], expected, rtol=1e-9)
        fine = 22.0 + 24.0 * 4 + np.linspace(0.0, 24.0, 24_001)
        best = concentrations_ng_per_ml(person(pop, index), events, fine).max()
        assert night.peak_ng_per_ml[index, -1] == pytest.approx(best, rel=1e-7)


def test_nightly_writes_into_the_given_array() -> None:
    pop = sample_population(CLONAZEPAM_PK, 3)
    out = np.full((3, 72), np.nan)
    night = simulate_nightly(pop, 1.0, 3, out=out)
    assert night.concentrations_ng_per_ml is out
    assert np.all(np.isfinite(out))
    assert np.all(out[:, :22] == 0.0)  # before the first dose


@pytest.mark.parametrize(
    "out",
    [
        np.empty((3, 71)),
        np.empty((3, 72), dtype=np.float32),
        np.empty((72, 3)).T,
        np.empty((2, 72)),
    ],
)
def test_nightly_refuses_an_unusable_output_array(out: np.ndarray) -> None:
    with pytest.raises(InputError, match="out"):
        simulate_nightly(sample_population(CLONAZEPAM_PK, 3), 1.0, 3, out=out)


@pytest.mark.parametrize(
    ("dose_mg", "days", "dose_hour", "step_h"),
    [
        (0.0, 3, 22.0, 1.0),
        (1.0, 0, 22.0, 1.0),
        (1.0, 3, 24.0, 1.0),
        (1.0, 3, -1.0, 1.0),
        (1.0, 3, 22.0, 7.0),
        (1.0, 3, 22.0, 0.0),
        (1.0, 3, float("nan"), 1.0),
    ],
)
def test_nightly_refuses_bad_input(
    dose_mg: float, days: int, dose_hour: float, step_h: float
) -> None:
    with pytest.raises(InputError):
        simulate_nightly(sample_population(CLONAZEPAM_PK, 2), dose_mg, days, dose_hour, step_h)


def test_nightly_reaches_the_one_person_steady_state() -> None:
    pop = sample_population(CLONAZEPAM_PK, 2_000, seed=9)
    night = simulate_nightly(pop, 1.0, 60)
    # the median person is close to the typical one: about 8.2 ng/mL trough, 12.6 peak
    assert float(night.trough_bands.p50[-1]) == pytest.approx(8.2, rel=0.1)
    assert float(night.peak_bands.p50[-1]) == pytest.approx(12.6, rel=0.1)


# --- bands ------------------------------------------------------------------------------------


def test_bands_are_ordered_and_match_numpy() -> None:
    pop = sample_population(CLONAZEPAM_PK, 300, seed=4)
    night = simulate_nightly(pop, 1.0, 30)
    for bands, matrix in [
        (night.trough_bands, night.trough_ng_per_ml),
        (night.peak_bands, night.peak_ng_per_ml),
    ]:
        assert bands.p50.shape == (30,)
        assert np.all(bands.p05 <= bands.p50)
        assert np.all(bands.p50 <= bands.p95)
        expected = np.quantile(matrix, [0.05, 0.5, 0.95], axis=0)
        np.testing.assert_allclose([bands.p05, bands.p50, bands.p95], expected, rtol=1e-13)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=60),
    st.integers(min_value=1, max_value=4),
)
def test_percentile_bands_agree_with_numpy(values: list[float], columns: int) -> None:
    matrix = np.tile(np.asarray(values)[:, None], (1, columns))
    bands = percentile_bands(matrix, axis=0)
    expected = np.quantile(matrix, [0.05, 0.5, 0.95], axis=0)
    np.testing.assert_allclose([bands.p05, bands.p50, bands.p95], expected, rtol=1e-12, atol=1e-9)
    assert np.all(bands.p05 <= bands.p95)
    bands_by_row = percentile_bands(matrix.T, axis=1)
    np.testing.assert_array_equal(bands_by_row.p50, bands.p50)


@pytest.mark.parametrize("matrix", [np.empty((0, 3)), np.array([[1.0, math.nan]])])
def test_percentile_bands_refuse_bad_input(matrix: np.ndarray) -> None:
    with pytest.raises(InputError):
        percentile_bands(matrix)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=4, max_size=4),
        min_size=1,
        max_size=80,
    ),
)
def test_percentile_bands_are_exactly_those_of_a_full_sort(rows: list[list[float]]) -> None:
    """The bands come from a partial sort at the ranks they read: the very values a full sort
    gives (each column its own values, ties and all), not merely close to them."""
    matrix = np.asarray(rows)
    ordered = np.sort(matrix, axis=0)
    bands = percentile_bands(matrix, axis=0)
    for fraction, band in ((0.05, bands.p05), (0.5, bands.p50), (0.95, bands.p95)):
        position = fraction * (matrix.shape[0] - 1)
        below = math.floor(position)
        above = min(below + 1, matrix.shape[0] - 1)
        low, high = ordered[below], ordered[above]
        np.testing.assert_array_equal(band, low + (high - low) * (position - below))


def _mixed_population() -> Population:
    """Sampled people and one whose ka equals their ke (the peaks' other formulas)."""
    pop = sample_population(CLONAZEPAM_PK, 37, seed=8)
    ka = np.append(pop.ka_per_h, 0.02)  # ke = 4 L/h / 200 L = 0.02 1/h
    return Population(
        ka, np.append(pop.cl_l_per_h, 4.0), np.append(pop.v_l, 200.0), pop.bioavailability
    )


@pytest.mark.parametrize("chunk_bytes", [1, 8 * 24 * 5 + 7, 2 * 1024 * 1024])
def test_nightly_is_the_same_for_any_thread_count_and_block_size(
    monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    """Every hour, trough, peak and band is identical, whatever the threads and block sizes
    (issue 19, section 3): each person's values are computed from their own numbers alone."""
    from taperline.core import population

    pop = _mixed_population()
    assert pop.ka_per_h[-1] == pop.ke_per_h[-1]
    expected = simulate_nightly(pop, 0.5, 9, dose_hour=21.5, step_h=0.5)
    monkeypatch.setattr(population, "_CHUNK_BYTES", chunk_bytes)
    for threads in (1, 2, 3, 5, 64):
        found = simulate_nightly(pop, 0.5, 9, dose_hour=21.5, step_h=0.5, threads=threads)
        for name in ("concentrations_ng_per_ml", "trough_ng_per_ml", "peak_ng_per_ml"):
            np.testing.assert_array_equal(getattr(found, name), getattr(expected, name))
        for bands in ("trough_bands", "peak_bands"):
            for band in ("p05", "p50", "p95"):
                np.testing.assert_array_equal(
                    getattr(getattr(found, bands), band), getattr(getattr(expected, bands), band)
                )


def test_nightly_raises_an_error_of_any_of_its_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    from taperline.core import population

    def broken(*_args: object) -> None:
        raise InputError("a share failed")

    monkeypatch.setattr(population, "_nightly_peaks", broken)
    with pytest.raises(InputError, match="a share failed"):
        simulate_nightly(sample_population(CLONAZEPAM_PK, 8), 1.0, 3, threads=3)


@pytest.mark.parametrize("threads", [0, -1, 1.5, True, "2"])
def test_nightly_refuses_a_thread_count_that_is_not_a_whole_number(threads: object) -> None:
    with pytest.raises(InputError, match="threads"):
        simulate_nightly(sample_population(CLONAZEPAM_PK, 3), 1.0, 3, threads=threads)  # type: ignore[arg-type]
