"""`taperline report`: the prescriber's PDF report of the taper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from taperline.cli.params import DATE, resolve_day
from taperline.cli.session import now, open_store, person, person_option


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
def report(**o: Any) -> None:
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
        person(store, o["person_id"]),
        now=now(),
        period=lambda today: (resolve_day(o["start"], today), resolve_day(o["end"], today)),
    )
    out: Path = o["out_path"]
    out.write_bytes(pdf)
    click.echo(f"Report written to {out} ({len(pdf) // 1024} KiB).")
