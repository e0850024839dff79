"""`taperline simulate`: plasma concentration and occupancy of a regimen, for one person or many."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from taperline.cli import render
from taperline.cli.main import fail
from taperline.cli.params import (
    DATE,
    DATETIME,
    DOSE,
    DURATION,
    at_option,
    dose_option,
    format_option,
    plot_option,
    resolve_day,
    schedule_from,
)

if TYPE_CHECKING:
    from taperline.core.catalogue import Drug
    from taperline.core.quantity import Mass
    from taperline.core.simulation import LateDose, SimulationRequest, SimulationResult

EPILOG = """\b
Examples:
  taperline simulate clonazepam --dose "0.5 mg" --at 22:00 --days 28
  taperline simulate clonazepam --dose "0.25 mg" --at 08:00 --dose "0.5 mg" --at 22:00
  taperline simulate clonazepam --dose "1 mg" --at 22:00 --start 2027-01-01 \\
      --missed 2027-01-10T22:00 --late 2027-01-14T22:00=3h
  taperline simulate clonazepam --dose "0.5 mg" --at 22:00 --population 1000 --format json
"""


@click.command(epilog=EPILOG)
@click.argument("drug_name", metavar="DRUG")
@dose_option("Dose, e.g. '0.5 mg' or '500 mcg'. Repeat with --at for several daily doses.")
@at_option("Clock time of the dose (24-hour HH:MM). One per --dose, or one dose at several times.")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=28,
    show_default=True,
    help="How many days to simulate.",
)
@click.option(
    "--start",
    type=DATE,
    default=None,
    help="Date of day 1 (default: today). Only needed to place --missed/--late.",
)
@click.option(
    "--missed",
    type=DATETIME,
    multiple=True,
    help="A scheduled dose that was not taken (YYYY-MM-DDTHH:MM). Repeatable.",
)
@click.option(
    "--late",
    "late_specs",
    multiple=True,
    metavar="WHEN=DELAY",
    help="A scheduled dose taken late, e.g. 2027-01-14T22:00=3h. Repeatable.",
)
@click.option(
    "--population",
    type=click.IntRange(0, 100_000),
    default=0,
    show_default=True,
    help="Simulate a virtual population of this size and show 5/50/95 % bands.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Random seed of the virtual population (same seed, same people).",
)
@click.option(
    "--every",
    "sample_step_h",
    type=DURATION,
    default="1h",
    show_default=True,
    help="Sampling interval of the output, e.g. 1h, 30min, 1d.",
)
@click.option(
    "--ed50",
    "ed50",
    type=DOSE,
    default=None,
    help="Daily dose giving half-maximal receptor occupancy (an assumption; "
    "default shown in the output).",
)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    help="What it is taken for, when that sets the daily maximum, e.g. epilepsy (20 mg a "
    "day) or panic disorder (4 mg). Repeatable.",
)
@format_option("table", "json", "csv", help_text="Output format.")
@plot_option("Also write a chart (.svg or .png).")
def simulate(  # noqa: PLR0917 -- Click passes one argument per option
    drug_name: str,
    doses: tuple[Mass, ...],
    clocks: tuple[time, ...],
    days: int,
    start: date | None,
    missed: tuple[datetime, ...],
    late_specs: tuple[str, ...],
    population: int,
    seed: int,
    sample_step_h: float,
    ed50: Mass | None,
    conditions: tuple[str, ...],
    output_format: str,
    plot_path: Path | None,
) -> None:
    """Simulate plasma concentration and receptor occupancy of a regimen.

    A one-compartment model with first-order absorption, with the drug's parameters
    and sources from the catalogue. The output shows steady state (peak, trough,
    average), how long it takes to get there, what a missed dose does, and the model's
    onset and duration. With --population, the spread between people (5/50/95 %).
    This is a model, not a measurement: levels in a real person can differ.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.pk import DEFAULT_ED50_MG_PER_DAY
    from taperline.core.screening import indication_of
    from taperline.core.simulation import SimulationRequest
    from taperline.core.simulation import simulate as run

    drug = load_catalogue().get(drug_name)
    schedule = schedule_from(drug, doses, clocks, indication_of(conditions))
    today = date.today()  # noqa: DTZ011 -- the person's local day
    origin = datetime.combine(resolve_day(start, today) or today, time())
    request = SimulationRequest(
        params=drug.pk_params(),
        schedule=schedule,
        days=days,
        missed_h=tuple(_hours(origin, when) for when in missed),
        late=tuple(_late(origin, spec) for spec in late_specs),
        sample_step_h=sample_step_h,
        population=population,
        seed=seed,
        variability=drug.variability(),
        ed50_mg_per_day=ed50.mg_float if ed50 else DEFAULT_ED50_MG_PER_DAY,
    )
    result = _with_progress(run, request, output_format)
    if plot_path is not None:
        from taperline.adapters.plots import plot_simulation

        plot_simulation(result, drug.label, plot_path)
    _emit(drug, request.daily_dose, result, output_format, plot_path)


def _hours(origin: datetime, when: datetime) -> float:
    if when < origin:
        fail(f"{when:%Y-%m-%dT%H:%M} is before the start of the simulation ({origin:%Y-%m-%d})")
    return (when - origin).total_seconds() / 3600


def _late(origin: datetime, spec: str) -> LateDose:
    from taperline.core.simulation import LateDose

    when_text, sep, delay_text = spec.partition("=")
    if not sep:
        fail(f"--late {spec!r}: write WHEN=DELAY, e.g. 2027-01-14T22:00=3h")
    when = DATETIME.convert(when_text, None, None)
    delay = DURATION.convert(delay_text, None, None)
    return LateDose(planned_h=_hours(origin, when), delay_h=delay)


def _with_progress(
    run: Callable[[SimulationRequest], SimulationResult],
    request: SimulationRequest,
    output_format: str,
) -> SimulationResult:
    """Run, with a spinner on a terminal for population runs (they can take a moment)."""
    if request.population < 1000 or output_format != "table":  # noqa: PLR2004 -- small runs are instant
        return run(request)
    from rich.console import Console

    with Console(stderr=True).status(f"Simulating {request.population:,} people..."):
        return run(request)


def _emit(
    drug: Drug, daily: Mass, result: SimulationResult, output_format: str, plot: Path | None
) -> None:
    from taperline.core.simulation_documents import simulation_document

    document = simulation_document(drug, daily, result)
    if output_format == "json":
        render.print_json(document)
    elif output_format == "csv":
        render.print_csv(document["samples"])
    else:
        render.simulation_table(document, plot)
