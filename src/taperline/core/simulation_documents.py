"""The JSON document of a simulation (``taperline simulate --format json``) and its prose.

The shape (:class:`SimulationOut`) is a closed ``TypedDict`` beside its builder
(:mod:`taperline.core.shapes`); the API's OpenAPI schema lists it among the CLI's documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from taperline.core.quantity import Mass, fmt, fmt_number
from taperline.core.shapes import NotRequired, TypedDict, closed

if TYPE_CHECKING:
    from taperline.core.catalogue import Drug
    from taperline.core.simulation import SimulationResult

__all__ = ["SimulationOut", "explain", "simulation_document"]

_ROUND = 4  # decimals of concentrations in JSON/CSV: 0.1 pg/mL is far below any assay


def _r(value: float | None, places: int = _ROUND) -> float | None:
    return None if value is None else round(float(value), places)


@closed
class SampleOut(TypedDict):
    """The concentration at one time; with a population, its 5th, 50th and 95th centiles."""

    t_h: float | None
    concentration_ng_per_ml: float | None
    p05: NotRequired[float | None]
    p50: NotRequired[float | None]
    p95: NotRequired[float | None]


@closed
class SimulationSummaryOut(TypedDict):
    """Steady state, onset, duration and a missed dose, in numbers."""

    css_peak_ng_per_ml: float | None
    css_trough_ng_per_ml: float | None
    css_average_ng_per_ml: float | None
    accumulation_ratio: float | None
    fluctuation_pct: float | None
    time_to_steady_state_h: float | None
    half_life_h: float | None
    first_dose_tmax_h: float | None
    onset_h: float | None
    duration_h: float | None
    css_occupancy_pct: float | None
    ed50_mg_per_day: float
    missed_dose_lowest_ng_per_ml: float | None
    missed_dose_below_trough_pct: float | None
    missed_dose_recovery_days: float | None


@closed
class SimulatedDoseOut(TypedDict):
    """A dose given in the simulation."""

    t_h: float | None
    amount_mg: float


@closed
class SimulationOut(TypedDict):
    """What ``taperline simulate --format json`` prints."""

    drug: str
    drug_label: str
    daily_dose_mg: float
    summary: SimulationSummaryOut
    doses: list[SimulatedDoseOut]
    explanation: list[str]
    sources: dict[str, str]
    samples: list[SampleOut]


def simulation_document(drug: Drug, daily: Mass, result: SimulationResult) -> SimulationOut:
    """The JSON contract of `taperline simulate --format json`."""
    s = result.summary
    samples: list[SampleOut] = [
        {"t_h": _r(t, 6), "concentration_ng_per_ml": _r(c)}
        for t, c in zip(
            result.times_h.tolist(), result.concentration_ng_per_ml.tolist(), strict=True
        )
    ]
    if result.bands is not None:
        for sample, p05, p50, p95 in zip(samples, *(b.tolist() for b in result.bands), strict=True):
            sample["p05"], sample["p50"], sample["p95"] = _r(p05), _r(p50), _r(p95)
    return {
        "drug": drug.name,
        "drug_label": drug.label,
        "daily_dose_mg": float(daily.mg),
        "summary": {
            "css_peak_ng_per_ml": _r(s.css_peak_ng_per_ml),
            "css_trough_ng_per_ml": _r(s.css_trough_ng_per_ml),
            "css_average_ng_per_ml": _r(s.css_average_ng_per_ml),
            "accumulation_ratio": _r(s.accumulation_ratio),
            "fluctuation_pct": _r(s.fluctuation_pct, 2),
            "time_to_steady_state_h": _r(s.time_to_steady_state_h, 2),
            "half_life_h": _r(s.half_life_h, 2),
            "first_dose_tmax_h": _r(s.first_dose_tmax_h, 2),
            "onset_h": _r(s.onset_h, 2),
            "duration_h": _r(s.duration_h, 2),
            "css_occupancy_pct": _r(s.css_occupancy_pct, 2),
            "ed50_mg_per_day": s.ed50_mg_per_day,
            "missed_dose_lowest_ng_per_ml": _r(s.missed_dose_lowest_ng_per_ml),
            "missed_dose_below_trough_pct": _r(s.missed_dose_below_trough_pct, 2),
            "missed_dose_recovery_days": _r(s.missed_dose_recovery_days, 2),
        },
        "doses": [{"t_h": _r(e.time_h, 6), "amount_mg": e.amount_mg} for e in result.events],
        "explanation": explain(result),
        "sources": drug.pk_sources(),
        "samples": samples,
    }


def _n(value: float, places: int = 0) -> str:
    """A float rounded for prose, by the ISMP number rules."""
    return fmt_number(round(value, places))


def explain(result: SimulationResult) -> list[str]:
    """Plain-language lines about steady state, onset, duration and missed doses."""
    s = result.summary
    days = s.time_to_steady_state_h / 24
    lines = [
        f"Levels build up over the first days: 90 % of steady state after about "
        f"{fmt_number(round(days, 1))} days ({fmt_number(round(s.time_to_steady_state_h))} h), "
        f"because the half-life is about {fmt_number(round(s.half_life_h))} h.",
        f"At steady state the level moves between about {_n(s.css_trough_ng_per_ml, 1)}"
        f" and {_n(s.css_peak_ng_per_ml, 1)} ng/mL over the day "
        f"(average {_n(s.css_average_ng_per_ml, 1)} ng/mL).",
        f"After the first dose the model peaks at {_n(s.first_dose_tmax_h, 1)} h and "
        f"reaches half its peak after {fmt_number(round(s.onset_h * 60))} min; it stays above half "
        f"the peak for about {fmt_number(round(s.duration_h))} h. People usually feel clonazepam "
        "within an hour, for 8-12 h [SEED-AURA]: felt effects fade before the drug is gone.",
    ]
    if s.missed_dose_below_trough_pct is not None and s.missed_dose_lowest_ng_per_ml is not None:
        lines.append(
            f"Missing one dose lets the level fall to about "
            f"{fmt_number(round(s.missed_dose_lowest_ng_per_ml, 1))} ng/mL, "
            f"{fmt_number(round(s.missed_dose_below_trough_pct))} % below the usual lowest level; "
            "that drop can bring rebound insomnia or anxiety [SEED-INSOMNIA]. Do not double the "
            "next dose; ask your prescriber what to do."
        )
    lines.append(
        f"Predicted receptor occupancy at steady state: {_n(s.css_occupancy_pct, 1)} %"
        f" (assuming an ED50 of {fmt(Mass.of_mg(str(s.ed50_mg_per_day)))} a day: an assumption, "
        "not a measured value [MAUDSLEY-2024])."
    )
    return lines
