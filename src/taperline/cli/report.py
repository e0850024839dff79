"""`taperline report`: the prescriber's PDF report of the taper."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from taperline.cli.params import DATE, resolve_day
from taperline.cli.session import now, open_store, person, person_option

if TYPE_CHECKING:
    from taperline.core.values import RelativeDay


@click.command()
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the PDF, e.g. report.pdf.",
)
@click.option("--from", "start", type=DATE, default=None, help="First day of the period.")
@click.option("--to", "end", type=DATE, default=None, help="Last day (default today).")
@person_option
def report(
    *,
    out_path: Path,
    start: date | RelativeDay | None,
    end: date | RelativeDay | None,
    person_id: int | None,
) -> None:
    """Write a one-to-three page PDF for your prescriber: plan, charts, findings, adherence.

    It names you by your profile's label (a pseudonym by default), shows the plan in force
    with how each dose is made, charts of dose, sleep efficiency, symptom burden, PHQ-9 and
    GAD-7 with findings marked, the findings with evidence and sources, missed and late
    doses, and the supply to collect.
    """
    from taperline.service import report_pdf

    store = open_store()
    pdf = report_pdf(
        store,
        person(store, person_id),
        now=now(),
        period=lambda today: (resolve_day(start, today), resolve_day(end, today)),
        progress=_progress,
    )
    out_path.write_bytes(pdf)
    click.echo(f"Report written to {out_path} ({len(pdf) // 1024} KiB).")


def _progress(stage: str) -> None:
    """Each stage on stderr, on a terminal only (a script's output stays as it was)."""
    if sys.stderr.isatty():
        click.echo(f"{stage}...", err=True)
