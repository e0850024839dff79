from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from taperline.core.pk import (
    CLONAZEPAM_PK,
    DEFAULT_ED50_MG_PER_DAY,
    DoseEvent,
    PKParams,
    concentrations_ng_per_ml,
    ec50_ng_per_ml,
    missed_dose_effect,
    occupancy,
    onset_duration,
    peak_offset_h,
    regular_doses,
    steady_state,
    steady_state_occupancy,
    unit_response,
)
from taperline.errors import InputError, RegimenError
from tests.strategies import dose_events, pk_params, regimens, sample_times_h


def bateman_ng_per_ml(
    params: PKParams, dose_mg: float, t: NDArray[np.float64]
) -> NDArray[np.float64]:
    ka, ke = params.ka_per_h, params.ke_per_h
    amount = params.bioavailability * dose_mg * ka / (params.v_l * (ka - ke))
    return 1000.0 * amount * (np.exp(-ke * t) - np.exp(-ka * t))


def ode_ng_per_ml(
    params: PKParams, events: list[DoseEvent], times_h: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Reference: integrate the two-amount ODE numerically, restarting at every dose."""
    # imported here: SciPy's integrate package costs each pytest worker ~0.6 s to import
    # while collecting, and only this file's reference needs it
    from scipy.integrate import solve_ivp

    ka, ke = params.ka_per_h, params.ke_per_h
    state = np.zeros(2)
    clock = min([0.0, *(e.time_h for e in events)])
    out = np.zeros(times_h.size)
    stops = sorted({e.time_h for e in events} | {float(times_h.max()) + 1.0})
    for stop in stops:
        if stop > clock:
            inside = (times_h >= clock) & (times_h < stop)
            t_eval = np.append(times_h[inside], stop)
            sol = solve_ivp(
                lambda _t, y: [-ka * y[0], ka * y[0] - ke * y[1]],
                (clock, stop),
                state,
                method="DOP853",
                rtol=1e-11,
                atol=1e-15,
                t_eval=t_eval,
            )
            out[inside] = sol.y[1, :-1] * 1000.0 / params.v_l
            state = sol.y[:, -1].copy()
            clock = stop
        state[0] += params.bioavailability * sum(e.amount_mg for e in events if e.time_h == stop)
    return out


# --- closed forms -----------------------------------------------------------------------------


def test_single_dose_is_the_bateman_function() -> None:
    times = np.array([0.1, 0.5, 1.0, 2.64, 8.0, 24.0, 100.0, 500.0])
    conc = concentrations_ng_per_ml(CLONAZEPAM_PK, [DoseEvent(0.0, 1.0)], times)
    np.testing.assert_allclose(conc, bateman_ng_per_ml(CLONAZEPAM_PK, 1.0, times), rtol=1e-12)


def test_bioavailability_scales_the_dose() -> None:
    half = PKParams(ka_per_h=1.7, cl_l_per_h=4.0, v_l=200.0, bioavailability=0.5)
    times = np.linspace(0.0, 72.0, 50)
    full = concentrations_ng_per_ml(CLONAZEPAM_PK, [DoseEvent(0.0, 1.0)], times)
    np.testing.assert_allclose(concentrations_ng_per_ml(half, [DoseEvent(0.0, 2.0)], times), full)


def test_nothing_before_and_at_a_dose() -> None:
    conc = concentrations_ng_per_ml(CLONAZEPAM_PK, [DoseEvent(10.0, 1.0)], [-5.0, 0.0, 10.0])
    assert conc.tolist() == [0.0, 0.0, 0.0]


def test_result_has_the_shape_of_the_times() -> None:
    events = [DoseEvent(0.0, 1.0)]
    assert concentrations_ng_per_ml(CLONAZEPAM_PK, events, 3.0).shape == ()
    assert concentrations_ng_per_ml(CLONAZEPAM_PK, events, np.ones((2, 3))).shape == (2, 3)


def test_equal_rates_use_the_limit_form() -> None:
    k = 0.02
    params = PKParams(ka_per_h=k, cl_l_per_h=k * 200.0, v_l=200.0)
    times = np.array([0.5, 5.0, 50.0, 500.0])
    conc = concentrations_ng_per_ml(params, [DoseEvent(0.0, 1.0)], times)
    np.testing.assert_allclose(conc, 1000.0 * k * times * np.exp(-k * times) / 200.0, rtol=1e-13)


@pytest.mark.parametrize("relative_gap", [1e-3, 1e-7, 1e-11, -1e-9])
def test_nearly_equal_rates_are_continuous(relative_gap: float) -> None:
    k = 0.02
    equal = PKParams(ka_per_h=k, cl_l_per_h=k * 200.0, v_l=200.0)
    near = PKParams(ka_per_h=k * (1 + relative_gap), cl_l_per_h=k * 200.0, v_l=200.0)
    times = np.array([0.5, 5.0, 50.0, 500.0])
    reference = concentrations_ng_per_ml(equal, [DoseEvent(0.0, 1.0)], times)
    conc = concentrations_ng_per_ml(near, [DoseEvent(0.0, 1.0)], times)
    np.testing.assert_allclose(conc, reference, rtol=20 * abs(relative_gap) * 500 * k + 1e-14)


def test_unit_response_does_not_overflow_for_slow_absorption() -> None:
    value = unit_response(0.001, 5.0, 1e4)
    assert np.isfinite(value)
    assert float(value) == pytest.approx(0.001 * math.exp(-0.001 * 1e4) / (5.0 - 0.001), rel=1e-12)


def test_single_dose_peak_time() -> None:
    ka, ke = CLONAZEPAM_PK.ka_per_h, CLONAZEPAM_PK.ke_per_h
    expected = math.log(ka / ke) / (ka - ke)
    assert float(peak_offset_h(ka, ke, 0.0, 1.0)) == pytest.approx(expected, rel=1e-13)
    assert float(peak_offset_h(0.5, 0.5, 0.0, 1.0)) == pytest.approx(2.0, rel=1e-13)  # 1 / k


# --- agreement with numerical integration --------------------------------------------------------

IRREGULAR = {
    "regular": regular_doses(1.0, 24.0, 10, first_h=22.0),
    "missed": tuple(e for i, e in enumerate(regular_doses(1.0, 24.0, 10, first_h=22.0)) if i != 4),
    "late": (*regular_doses(1.0, 24.0, 5, first_h=22.0), DoseEvent(22.0 + 5 * 24 + 6, 1.0)),
    "changed": (*regular_doses(1.0, 24.0, 5), *regular_doses(0.75, 24.0, 5, first_h=120.0)),
    "twice daily, doubled": (
        *regular_doses(0.5, 12.0, 8, first_h=8.0),
        DoseEvent(100.0, 0.5),
        DoseEvent(100.0, 0.5),
    ),
}


@pytest.mark.parametrize("name", sorted(IRREGULAR))
@pytest.mark.parametrize(
    "params",
    [CLONAZEPAM_PK, PKParams(ka_per_h=0.05, cl_l_per_h=10.0, v_l=200.0)],
    ids=["clonazepam", "slow-absorption"],
)
def test_superposition_matches_solve_ivp(name: str, params: PKParams) -> None:
    events = list(IRREGULAR[name])
    times = np.arange(0.0, 300.0, 0.7)
    exact = concentrations_ng_per_ml(params, events, times)
    reference = ode_ng_per_ml(params, events, times)
    visible = reference > 1e-9 * reference.max()
    np.testing.assert_allclose(exact[visible], reference[visible], rtol=1e-6)
    np.testing.assert_allclose(exact, reference, atol=1e-9 * reference.max())


# --- steady state -----------------------------------------------------------------------------


def long_regimen_interval(
    params: PKParams, dose_mg: float, interval_h: float
) -> NDArray[np.float64]:
    doses = math.ceil(40 * params.half_life_h / interval_h)
    events = regular_doses(dose_mg, interval_h, doses)
    last = (doses - 1) * interval_h
    return concentrations_ng_per_ml(params, events, last + np.linspace(0.0, interval_h, 200_001))


@pytest.mark.parametrize(
    ("params", "dose_mg", "interval_h"),
    [
        (CLONAZEPAM_PK, 1.0, 24.0),
        (CLONAZEPAM_PK, 0.5, 8.0),
        (PKParams(ka_per_h=0.3, cl_l_per_h=10.0, v_l=50.0), 2.0, 12.0),
        (PKParams(ka_per_h=0.2, cl_l_per_h=40.0, v_l=200.0), 1.0, 24.0),  # ka == ke
    ],
)
def test_steady_state_matches_a_long_regimen(
    params: PKParams, dose_mg: float, interval_h: float
) -> None:
    ss = steady_state(params, dose_mg, interval_h)
    conc = long_regimen_interval(params, dose_mg, interval_h)
    assert ss.peak_ng_per_ml == pytest.approx(conc.max(), rel=1e-9)
    assert ss.trough_ng_per_ml == pytest.approx(conc[-1], rel=1e-9)
    step = interval_h / (conc.size - 1)
    assert ss.tmax_h == pytest.approx(step * int(conc.argmax()), abs=2 * step)
    area = step * (conc.sum() - 0.5 * (conc[0] + conc[-1]))
    assert ss.average_ng_per_ml == pytest.approx(area / interval_h, rel=1e-7)


def test_clonazepam_one_mg_a_day_is_in_the_expected_band() -> None:
    # about 8-14 ng/mL per mg/day [LABEL, GREENBLATT-2005]; this model gives 1000 / (4 * 24)
    ss = steady_state(CLONAZEPAM_PK, 1.0, 24.0)
    assert 8.0 <= ss.average_ng_per_ml <= 14.0
    assert ss.average_ng_per_ml == pytest.approx(10.4167, rel=1e-4)
    assert 2.0 < ss.accumulation_ratio < 3.5  # "about 3-fold accumulation at once daily"
    assert ss.fluctuation_pct == pytest.approx(
        (ss.peak_ng_per_ml - ss.trough_ng_per_ml) / ss.average_ng_per_ml * 100
    )
    assert ss.time_to_90pct_h == pytest.approx(math.log(10) * 50.0)


def test_time_to_90_percent_of_steady_state() -> None:
    ss = steady_state(CLONAZEPAM_PK, 1.0, 24.0)
    events = regular_doses(1.0, 24.0, 40)
    # troughs approach the steady-state trough; at ln 10 / ke the gap is about 10 %
    nights = round(ss.time_to_90pct_h / 24.0)
    trough = concentrations_ng_per_ml(CLONAZEPAM_PK, events[:nights], [nights * 24.0])[0]
    assert trough / ss.trough_ng_per_ml == pytest.approx(0.9, abs=0.02)


# --- onset, duration, missed doses ------------------------------------------------------------


def test_onset_and_duration_cross_the_threshold() -> None:
    od = onset_duration(CLONAZEPAM_PK, 1.0, threshold_fraction_of_peak=0.5)
    events = [DoseEvent(0.0, 1.0)]
    at = concentrations_ng_per_ml(CLONAZEPAM_PK, events, [od.onset_h, od.onset_h + od.duration_h])
    np.testing.assert_allclose(at, od.threshold_ng_per_ml, rtol=1e-9)
    assert od.threshold_ng_per_ml == pytest.approx(0.5 * od.peak_ng_per_ml)
    assert od.onset_h < 1.0  # the seeds: effects start within an hour
    assert od.duration_h > 12.0  # but plasma stays above half of the peak far longer than 8-12 h


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, float("nan")])
def test_onset_threshold_must_be_a_fraction(fraction: float) -> None:
    with pytest.raises(InputError, match="threshold_fraction_of_peak"):
        onset_duration(CLONAZEPAM_PK, 1.0, threshold_fraction_of_peak=fraction)


@pytest.mark.parametrize(
    ("params", "interval_h"),
    [
        (CLONAZEPAM_PK, 24.0),
        (CLONAZEPAM_PK, 12.0),
        (PKParams(ka_per_h=0.05, cl_l_per_h=5.0, v_l=100.0), 6.0),  # peak after several doses
    ],
)
def test_missed_dose_matches_brute_force(params: PKParams, interval_h: float) -> None:
    md = missed_dose_effect(params, 1.0, interval_h)
    before = math.ceil(40 * params.half_life_h / interval_h)
    after = 200
    events = [
        e for e in regular_doses(1.0, interval_h, before + after) if e.time_h != before * interval_h
    ]
    troughs_at = before * interval_h + interval_h * np.arange(1, after)
    troughs = concentrations_ng_per_ml(params, events, troughs_at)
    fine = concentrations_ng_per_ml(
        params, events, np.linspace(before * interval_h, troughs_at[-1], 100_001)
    )
    assert fine.min() >= md.lowest_ng_per_ml * (1 - 1e-12)  # no lower point between troughs
    assert md.lowest_ng_per_ml == pytest.approx(troughs.min(), rel=1e-9)
    outside = np.abs(troughs - md.usual_trough_ng_per_ml) > 0.05 * md.usual_trough_ng_per_ml
    expected = int(np.flatnonzero(outside).max()) + 2 if outside.any() else 0
    assert md.recovery_intervals == expected
    assert md.recovery_h == expected * interval_h


def test_clonazepam_missed_dose() -> None:
    md = missed_dose_effect(CLONAZEPAM_PK, 1.0, 24.0)
    assert md.lowest_at_h == 24.0
    assert 30 < md.below_trough_pct < 45
    assert md.recovery_intervals == 6


# --- occupancy --------------------------------------------------------------------------------


def test_occupancy_of_the_steady_state_average_is_the_dose_occupancy() -> None:
    for ed50 in (0.5, DEFAULT_ED50_MG_PER_DAY, 10.0):
        average = steady_state(CLONAZEPAM_PK, 1.5, 24.0).average_ng_per_ml
        by_concentration = float(occupancy(average, ec50_ng_per_ml(CLONAZEPAM_PK, ed50), 0.9))
        assert by_concentration == pytest.approx(steady_state_occupancy(1.5, ed50, 0.9))


def test_occupancy_is_half_at_the_ec50_and_bounded_by_emax() -> None:
    assert occupancy(20.0, 20.0).tolist() == 0.5
    assert float(occupancy(1e12, 20.0, emax=0.8)) == pytest.approx(0.8)
    assert steady_state_occupancy(0.0, 2.0) == 0.0


@pytest.mark.parametrize(
    "call",
    [
        lambda: occupancy(-1.0, 20.0),
        lambda: occupancy(float("nan"), 20.0),
        lambda: occupancy(1.0, 0.0),
        lambda: occupancy(1.0, 20.0, emax=1.5),
        lambda: steady_state_occupancy(-1.0, 2.0),
        lambda: steady_state_occupancy(1.0, float("nan")),
        lambda: ec50_ng_per_ml(CLONAZEPAM_PK, 0.0),
    ],
)
def test_occupancy_refuses_bad_input(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]  # the parametrised lambdas are callables


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_h", "amount_mg"),
    [(float("nan"), 1.0), (float("inf"), 1.0), (0.0, 0.0), (0.0, -1.0), (0.0, float("nan"))],
)
def test_dose_events_must_make_sense(time_h: float, amount_mg: float) -> None:
    with pytest.raises(RegimenError):
        DoseEvent(time_h, amount_mg)


@pytest.mark.parametrize(("interval_h", "count"), [(0.0, 3), (-24.0, 3), (24.0, -1), (24.0, True)])
def test_regular_doses_must_make_sense(interval_h: float, count: int) -> None:
    with pytest.raises(RegimenError):
        regular_doses(1.0, interval_h, count)


def test_times_must_be_finite() -> None:
    with pytest.raises(InputError, match="times_h"):
        concentrations_ng_per_ml(CLONAZEPAM_PK, [DoseEvent(0.0, 1.0)], [1.0, float("nan")])


@pytest.mark.parametrize(("dose_mg", "interval_h"), [(0.0, 24.0), (1.0, 0.0), (float("nan"), 24.0)])
def test_steady_state_refuses_bad_input(dose_mg: float, interval_h: float) -> None:
    with pytest.raises(InputError):
        steady_state(CLONAZEPAM_PK, dose_mg, interval_h)


# --- properties -------------------------------------------------------------------------------


def _scale(params: PKParams, events: list[DoseEvent]) -> float:
    return 1000.0 * params.bioavailability * sum(e.amount_mg for e in events) / params.v_l + 1e-300


@settings(max_examples=80, deadline=None)
@given(pk_params, regimens, sample_times_h)
def test_doubling_every_dose_doubles_the_concentrations(
    params: PKParams, events: list[DoseEvent], times: list[float]
) -> None:
    doubled = [DoseEvent(e.time_h, 2 * e.amount_mg) for e in events]
    np.testing.assert_allclose(
        concentrations_ng_per_ml(params, doubled, times),
        2 * concentrations_ng_per_ml(params, events, times),
        rtol=1e-12,
        atol=1e-13 * _scale(params, events),
    )


@settings(max_examples=80, deadline=None)
@given(pk_params, regimens, regimens, sample_times_h)
def test_two_regimens_superpose(
    params: PKParams, first: list[DoseEvent], second: list[DoseEvent], times: list[float]
) -> None:
    together = concentrations_ng_per_ml(params, first + second, times)
    apart = concentrations_ng_per_ml(params, first, times) + concentrations_ng_per_ml(
        params, second, times
    )
    np.testing.assert_allclose(
        together, apart, rtol=1e-12, atol=1e-13 * _scale(params, first + second)
    )


@settings(max_examples=80, deadline=None)
@given(pk_params, regimens, sample_times_h)
def test_concentrations_are_never_negative(
    params: PKParams, events: list[DoseEvent], times: list[float]
) -> None:
    assert np.all(concentrations_ng_per_ml(params, events, times) >= 0)


@settings(max_examples=80, deadline=None)
@given(pk_params, regimens, sample_times_h, st.integers(min_value=-1000, max_value=1000))
def test_shifting_doses_and_times_together_changes_nothing(
    params: PKParams, events: list[DoseEvent], times: list[float], shift_h: int
) -> None:
    shifted = [DoseEvent(e.time_h + shift_h, e.amount_mg) for e in events]
    moved = np.asarray(times) + shift_h
    np.testing.assert_allclose(
        concentrations_ng_per_ml(params, shifted, moved),
        concentrations_ng_per_ml(params, events, times),
        rtol=1e-9,
        atol=1e-9 * _scale(params, events),
    )


@settings(max_examples=60, deadline=None)
@given(pk_params, st.floats(min_value=0.05, max_value=4.0), st.sampled_from([6.0, 8.0, 12.0, 24.0]))
def test_steady_state_is_ordered(params: PKParams, dose_mg: float, interval_h: float) -> None:
    ss = steady_state(params, dose_mg, interval_h)
    assert ss.trough_ng_per_ml <= ss.average_ng_per_ml <= ss.peak_ng_per_ml
    assert 0 <= ss.tmax_h <= interval_h
    assert ss.accumulation_ratio >= 1


@settings(max_examples=40, deadline=None)
@given(pk_params, dose_events)
def test_peak_time_is_the_maximum_of_a_single_dose(params: PKParams, event: DoseEvent) -> None:
    tmax = float(peak_offset_h(params.ka_per_h, params.ke_per_h, 0.0, 1.0))
    around = event.time_h + tmax * np.array([0.99, 1.0, 1.01])
    conc = concentrations_ng_per_ml(params, [event], around)
    assert conc[1] >= conc[0] * (1 - 1e-12)
    assert conc[1] >= conc[2] * (1 - 1e-12)
