"""Regimen simulation: events, summary, population bands."""

from __future__ import annotations

import math

import numpy as np
import pytest

from taperline.core.pk import CLONAZEPAM_PK, concentrations_ng_per_ml, steady_state
from taperline.core.quantity import Mass
from taperline.core.regimen import ScheduledDose
from taperline.core.simulation import LateDose, SimulationRequest, build_events, simulate
from taperline.errors import RegimenError

NIGHT = (ScheduledDose(22.0, Mass.of_mg("0.5")),)


def test_events_skip_missed_and_move_late() -> None:
    events = build_events(NIGHT, 4, missed_h=(46.0,), late=(LateDose(70.0, 3.0),))
    assert [e.time_h for e in events] == [22.0, 73.0, 94.0]


@pytest.mark.parametrize(
    ("missed", "late", "fragment"),
    [
        ((47.0,), (), "no planned dose at hour 47"),
        ((), (LateDose(10.0, 1.0),), "no planned dose at hour 10"),
        ((46.0,), (LateDose(46.0, 1.0),), "both missed and late"),
    ],
)
def test_bad_missed_or_late_named(missed, late, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RegimenError, match=fragment):
        build_events(NIGHT, 4, missed_h=missed, late=late)


def test_request_validation() -> None:
    with pytest.raises(RegimenError, match="at least one dose"):
        SimulationRequest(params=CLONAZEPAM_PK, schedule=(), days=3)
    with pytest.raises(RegimenError, match="same time"):
        SimulationRequest(params=CLONAZEPAM_PK, schedule=NIGHT * 2, days=3)
    with pytest.raises(RegimenError, match="days"):
        SimulationRequest(params=CLONAZEPAM_PK, schedule=NIGHT, days=0)
    with pytest.raises(RegimenError, match="within the day"):
        ScheduledDose(24.0, Mass.of_mg(1))


def test_summary_matches_the_analytic_steady_state() -> None:
    result = simulate(SimulationRequest(params=CLONAZEPAM_PK, schedule=NIGHT, days=28))
    state = steady_state(CLONAZEPAM_PK, 0.5, 24.0)
    s = result.summary
    assert s.css_peak_ng_per_ml == pytest.approx(state.peak_ng_per_ml)
    assert s.css_trough_ng_per_ml == pytest.approx(state.trough_ng_per_ml)
    assert s.css_average_ng_per_ml == pytest.approx(state.average_ng_per_ml)
    assert s.time_to_steady_state_h == pytest.approx(math.log(10) / CLONAZEPAM_PK.ke_per_h)
    assert s.missed_dose_below_trough_pct is not None
    assert s.missed_dose_below_trough_pct > 0
    assert len(result.times_h) == 28 * 24 + 1
    late_samples = result.concentration_ng_per_ml[result.times_h > 20 * 24]
    assert late_samples.max() <= state.peak_ng_per_ml * 1.0001


def test_uneven_schedule_profile_agrees_with_a_long_simulation() -> None:
    schedule = (ScheduledDose(8.0, Mass.of_mg("0.25")), ScheduledDose(22.0, Mass.of_mg("0.5")))
    s = simulate(SimulationRequest(params=CLONAZEPAM_PK, schedule=schedule, days=2)).summary
    events = build_events(schedule, 60)
    last_day = np.arange(0, 24, 0.01) + 59 * 24
    conc = concentrations_ng_per_ml(CLONAZEPAM_PK, events, last_day)
    assert s.css_peak_ng_per_ml == pytest.approx(conc.max(), rel=1e-4)
    assert s.css_trough_ng_per_ml == pytest.approx(conc.min(), rel=1e-4)
    assert s.missed_dose_below_trough_pct is None


def test_population_bands_are_ordered_and_reproducible() -> None:
    request = SimulationRequest(
        params=CLONAZEPAM_PK, schedule=NIGHT, days=5, population=300, seed=7
    )
    first, again = simulate(request), simulate(request)
    assert first.bands is not None
    assert again.bands is not None
    p05, p50, p95 = first.bands
    assert np.all(p05 <= p50)
    assert np.all(p50 <= p95)
    assert np.array_equal(p50, again.bands[1])
