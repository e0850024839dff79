"""`taperline check`: a regimen against dose bands, the daily maximum, interactions and cautions.

Thin: parses options, calls :func:`taperline.core.check.check_regimen`, renders. Rich and the
core (which pulls in NumPy through the catalogue) are imported inside the function, so
`taperline --help` stays light.
"""

from __future__ import annotations

import sys
from datetime import time
from typing import TYPE_CHECKING

import click

from taperline.cli import render
from taperline.cli.params import at_option, dose_option, format_option
from taperline.core.quantity import Mass, fmt, fmt_number

if TYPE_CHECKING:
    from rich.text import Text

    from taperline.core.catalogue import DoseBand
    from taperline.core.check import CheckReport, RegimenIssue

EPILOG = """\b
Examples:
  taperline check clonazepam --dose "1 mg" --at 22:00
  taperline check clonazepam --dose "0.5 mg" --at 08:00 --dose "1 mg" --at 22:00
  taperline check clonazepam --dose "1 mg" --at 22:00 --with oxycodone,alcohol \\
      --condition sleep-apnea --age 70 --weeks 20
  taperline check clonazepam --dose "2 mg" --at 08:00 --at 14:00 --at 22:00 \\
      --condition epilepsy
  taperline check clonazepam --dose "0.5 mg" --at 22:00 --format json
\b
Medicines are recognised by class, by any generic or brand name ("Percocet 5/325" is an
opioid); conditions by their words ("glaucoma (narrow angle)"). The daily maximum depends on
the condition treated: 20 mg for a seizure disorder ("epilepsy"), 4 mg otherwise.
\b
Exit status: 0 nothing to report, 1 warnings (or names taperline knows nothing about),
2 bad input.
"""

_STYLE = {"urgent": "bold red", "warning": "yellow", "info": "cyan"}


@click.command(epilog=EPILOG)
@click.argument("drug_name", metavar="DRUG")
@dose_option("Dose, e.g. '1 mg' or '500 mcg'. Repeat with --at for several daily doses.")
@at_option(
    "Clock time of the dose (24-hour HH:MM). One per --dose, or one dose at several "
    "times. Needed for the bedtime advice.",
    required=False,
)
@click.option(
    "--with",
    "agents",
    multiple=True,
    metavar="AGENTS",
    help="Other medicines, drinks or substances, comma-separated (e.g. OxyContin,beer). "
    "Repeatable. Recognised by class and brand; names taperline does not know are reported "
    "as 'unknown: ask a pharmacist', with a did-you-mean.",
)
@click.option(
    "--condition",
    "conditions",
    multiple=True,
    metavar="SLUGS",
    help="Health conditions, comma-separated or repeated (e.g. sleep-apnea, epilepsy). "
    "'epilepsy' raises the daily maximum to the seizure-disorder one; contraindications are "
    "urgent; unknown ones are reported together with the known list.",
)
@click.option(
    "--age",
    "age_years",
    type=int,
    default=None,
    help="Age in years (0-120). Under 18 no adult maximum applies [LABEL]; from 65 the "
    "older-adult caution applies [BEERS-2023].",
)
@click.option("--pregnant", is_flag=True, help="Pregnant or planning a pregnancy.")
@click.option("--breastfeeding", is_flag=True, help="Breastfeeding.")
@click.option(
    "--weeks",
    type=click.IntRange(min=0),
    default=None,
    help="How many weeks the drug has been taken regularly (adds short-term-use and "
    "withdrawal-risk advice).",
)
@format_option("table", "json", help_text="Output format: a readable table, or one JSON object.")
def check(  # noqa: PLR0917 -- Click passes one argument per documented option
    drug_name: str,
    doses: tuple[Mass, ...],
    clocks: tuple[time, ...],
    agents: tuple[str, ...],
    conditions: tuple[str, ...],
    age_years: int | None,
    pregnant: bool,  # noqa: FBT001 -- Click passes flags positionally by name
    breastfeeding: bool,  # noqa: FBT001 -- likewise
    weeks: int | None,
    output_format: str,
) -> None:
    """Check a regimen against dose bands, the daily maximum, interactions and cautions.

    Shows the dose band and its expected effects on sleep, the daily maximum, the usual
    sleep-use range and timing, the withdrawal-risk band by each equivalence source, and
    every interaction or caution that applies, each with its source. It never refuses a
    high dose: it says so, so you can talk to your prescriber.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.check import CheckRequest, build_doses, check_document, check_regimen

    catalogue = load_catalogue()
    drug = catalogue.get(drug_name)
    request = CheckRequest(
        doses=build_doses(doses, clocks),
        agents=agents,
        conditions=conditions,
        age_years=age_years,
        pregnant=pregnant,
        breastfeeding=breastfeeding,
        weeks=weeks,
    )
    report = check_regimen(catalogue, drug, request)
    if output_format == "json":
        render.print_json(check_document(report))
    else:
        _print_report(report)
    sys.exit(report.exit_code)


# --- text output --------------------------------------------------------------------------------


def _cited(text: str, source: str, style: str = "") -> Text:
    """A line that ends with its [SOURCE] (built as Text, so brackets are not Rich markup)."""
    from rich.text import Text

    line = Text(text, style=style)
    line.append(f" [{source}]", style="dim")
    return line


def _band_range(band: DoseBand) -> str:
    if band.high_mg is None:
        return f"more than {fmt(band.low_mg)}"
    return f"{fmt_number(band.low_mg.mg)}-{fmt(band.high_mg)}"


def _dose_lines(report: CheckReport) -> list[Text]:
    from rich.text import Text

    label = report.drug.label
    parts = [
        f"{fmt(d.amount)} at {d.clock_text}" if d.clock_text else fmt(d.amount)
        for d in report.doses
    ]
    lines = [Text(f"{label}: {', '.join(parts)}; total {fmt(report.daily_dose)} a day")]
    band = report.band
    if band is not None:
        text = f"Dose band {band.name} ({_band_range(band)} a day): {band.effects}; {band.risks}"
        if band.assumption and band.note:
            text += f" ({band.note})"
        lines.append(_cited(text, band.source))
    return lines


def _limit_lines(report: CheckReport) -> list[Text]:
    from rich.text import Text

    drug, lines = report.drug, []
    limit, screening = report.daily_max, report.screening
    if limit is not None:
        text = f"Daily maximum: {fmt(limit.max_mg)} (for {limit.applies_to})"
        lines.append(_cited(text, limit.source))
    elif screening is not None and screening.refusals:
        lines.append(Text("Daily maximum: none applies here; a taper plan needs the specialist"))
    use = drug.sleep_use
    if use is not None and (screening is None or screening.indication not in {"seizure", "panic"}):
        text = (
            f"Sleep use: {fmt_number(use.low_mg.mg)}-{fmt(use.high_mg)} about "
            f"{use.before_bed_min} min before bed, short-term (typically "
            f"{use.short_term_low_weeks}-{use.short_term_high_weeks} weeks)"
        )
        lines.append(_cited(text, use.source))
    return lines


def _risk_lines(report: CheckReport) -> list[Text]:
    from rich.text import Text

    if not report.withdrawal_risk:
        return []
    lines = [Text("Withdrawal risk in diazepam equivalents (the equivalence sources disagree):")]
    for risk in report.withdrawal_risk:
        eq, band = risk.equivalence, risk.band
        name = band.name if band is not None else "no band"
        text = (
            f"  by {eq.source} ({fmt(eq.dose_mg)} = diazepam 10 mg): {fmt(risk.diazepam_mg)} "
            f"a day, {name} risk"
        )
        lines.append(_cited(text, f"{eq.source}, {band.source if band else 'ASAM-2025'}"))
    return lines


def _findings_table(findings: tuple[RegimenIssue, ...]) -> object:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Findings", title_justify="left", show_lines=False, expand=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Finding")
    for finding in findings:
        style = _STYLE[finding.severity]
        table.add_row(
            Text(finding.severity.upper(), style=style),
            Text(finding.kind),
            _cited(finding.message, finding.source, style if finding.is_warning else ""),
        )
    return table


def _unknown_list(report: CheckReport) -> str:
    """The unknown names as typed, each with its did-you-mean."""
    if report.screening is None:
        return ", ".join(report.unknown)
    return ", ".join(
        f"{u.name} (did you mean {u.suggestion!r}?)" if u.suggestion else u.name
        for u in report.screening.unknown
    )


def _print_report(report: CheckReport) -> None:
    from rich.console import Console, Group
    from rich.panel import Panel
    from rich.text import Text

    from taperline.core.check import DISCLAIMER

    console = Console()
    if any(f.crisis for f in report.findings):
        console.print(
            Text(
                "If you are in danger, get help now: call or text 988 (US), or your local "
                "emergency number.",
                style="bold red",
            )
        )
    summary = [*_dose_lines(report), *_limit_lines(report), *_risk_lines(report)]
    console.print(Panel(Group(*summary), title=f"check: {report.drug.label}", title_align="left"))
    if report.findings:
        console.print(_findings_table(report.findings))
    else:
        console.print(Text("Nothing to report for these doses and this context."))
    if report.unknown:
        known = ", ".join(report.known_conditions) or "none"
        console.print(Text(f"unknown: ask a pharmacist: {_unknown_list(report)}", style="yellow"))
        console.print(Text(f"Known condition slugs for {report.drug.label}: {known}"))
    console.print(Text(DISCLAIMER, style="dim"))
