"""Charts with matplotlib (imported here only, so the CLI starts fast)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taperline.core.quantity import drug_label
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.plan import Plan
    from taperline.core.simulation import SimulationResult

_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


def _figure_format(path: Path) -> str:
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot write a chart to {path.name!r}: use a .svg, .png or .pdf name")
    if not path.parent.exists():
        raise InputError(f"cannot write {path}: folder {path.parent} does not exist")
    return fmt


def _pyplot() -> Any:
    """The pyplot module on the file-only Agg backend (imported here, when plotting)."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path, fmt: str) -> None:
    try:
        fig.savefig(path, format=fmt)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror}") from error
    finally:
        _pyplot().close(fig)


def plot_simulation(result: SimulationResult, title: str, path: Path) -> None:
    """Write concentration over time (with population bands when present)."""
    fmt = _figure_format(path)
    plt = _pyplot()

    days = result.times_h / 24.0
    fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    if result.bands is not None:
        p05, p50, p95 = result.bands
        ax.fill_between(days, p05, p95, alpha=0.25, label="5-95 % of people")
        ax.plot(days, p50, linewidth=1, linestyle="--", label="median person")
    ax.plot(days, result.concentration_ng_per_ml, linewidth=1.2, label="typical person")
    ax.set_xlabel("day")
    ax.set_ylabel("plasma concentration (ng/mL)")
    ax.set_title(f"{title}: model prediction")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    _save(fig, path, fmt)


def _plan_series(plan: Plan) -> tuple[list[date], list[float], list[float]]:
    """Dates, daily dose in the starting drug's mg (crossovers converted), occupancy."""
    first = plan.steps[0]
    ratio = first.reference_daily.mg / first.daily.mg
    days = [step.start for step in plan.steps]
    doses = [float(step.reference_daily.mg / ratio) for step in plan.steps]
    occupancy = [step.occupancy_pct for step in plan.steps]
    return days, doses, occupancy


def plot_plan(plan: Plan, path: Path) -> None:
    """Write daily dose (in the starting drug's mg) and predicted occupancy."""
    plot_plans((plan,), path)


def plot_plans(plans: tuple[Plan, ...], path: Path) -> None:
    """Write dose and predicted occupancy over time for one or more plans."""
    fmt = _figure_format(path)
    plt = _pyplot()

    fig, (dose_ax, occ_ax) = plt.subplots(2, 1, figsize=(9, 6), sharex=True, layout="constrained")
    for plan in plans:
        days, daily, occupancy = _plan_series(plan)
        label = plan.strategy
        dose_ax.step(days, daily, where="post", label=label)
        occ_ax.step(days, occupancy, where="post", label=label)
    dose_ax.set_ylabel(f"daily dose ({plans[0].drug} mg or equivalent)")
    occ_ax.set_ylabel("predicted occupancy (%)")
    dose_ax.set_title(f"{drug_label(plans[0].drug)}: taper proposal (model, not advice)")
    for ax in (dose_ax, occ_ax):
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right")
    _save(fig, path, fmt)
