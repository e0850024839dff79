"""Rendering for the CLI: JSON documents, CSV rows and Rich tables (Rich imported lazily)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from taperline.core.quantity import Mass, fmt, fmt_number

if TYPE_CHECKING:
    from taperline.adapters.documents import (
        Ed50Out,
        GuidelineOut,
        PlannedDoseOut,
        PlanOut,
        PlanStepOut,
        PlanSummaryOut,
        SupplyOut,
    )
    from taperline.core.products.model import UnitCountOut
    from taperline.core.simulation_documents import SimulationOut


def print_json(document: object) -> None:
    """Print one JSON document to stdout."""
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def print_csv(rows: Sequence[Mapping[str, object]]) -> None:
    """Print rows as CSV with a header line (columns carry units in their names).

    Text that a spreadsheet would run as a formula ('=HYPERLINK(...)' in a plan's reason) is
    written with a leading apostrophe, as the journal's and dose log's CSVs write it
    (docs/csv.md); numbers ("-12.5") are written as they are.
    """
    if not rows:
        return
    from taperline.adapters.csvio.columns import _FORMULA_START  # CSV output only

    def cell(value: object) -> object:
        return _cell(value, _FORMULA_START)

    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: cell(value) for name, value in row.items()} for row in rows)


def _cell(value: object, formula_start: tuple[str, ...]) -> object:
    """``value``, a text that starts like a formula with an apostrophe before it."""
    if not isinstance(value, str) or not value.startswith(formula_start):
        return value
    try:
        float(value)
    except ValueError:
        return f"'{value}"
    return value  # a number such as "-12.5": no spreadsheet runs it


def simulation_table(document: SimulationOut, plot: Path | None) -> None:
    """Print the summary as a Rich table and the explanation underneath."""
    from rich.table import Table

    out = console()
    summary = document["summary"]
    table = Table(
        title=f"{document['drug_label']} {fmt(Mass.of_mg(str(document['daily_dose_mg'])))}"
        " a day: model summary",
        title_justify="left",
    )
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    rows = [
        ("Steady-state peak", f"{summary['css_peak_ng_per_ml']:.2f} ng/mL"),
        ("Steady-state trough", f"{summary['css_trough_ng_per_ml']:.2f} ng/mL"),
        ("Steady-state average", f"{summary['css_average_ng_per_ml']:.2f} ng/mL"),
        ("Accumulation ratio", f"{summary['accumulation_ratio']:.2f}"),
        ("Fluctuation over the day", f"{summary['fluctuation_pct']:.1f} %"),
        ("Time to 90 % of steady state", f"{summary['time_to_steady_state_h']:.0f} h"),
        ("Elimination half-life", f"{summary['half_life_h']:.0f} h"),
        ("Receptor occupancy (assumed ED50)", f"{summary['css_occupancy_pct']:.1f} %"),
    ]
    if document["samples"] and "p05" in document["samples"][0]:
        last = document["samples"][-1]
        rows.append(
            (
                "Last sample, 5/50/95 %",
                f"{last['p05']:.1f} / {last['p50']:.1f} / {last['p95']:.1f} ng/mL",
            )
        )
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    for line in document["explanation"]:
        out.print(f"• {line}", highlight=False)
    sources = ", ".join(f"{name} [{source}]" for name, source in document["sources"].items())
    out.print(f"Sources: {sources}", style="dim", highlight=False)
    if plot is not None:
        out.print(f"Chart written to {plot}", highlight=False)


# --- plans --------------------------------------------------------------------------------------


def _units_text(dose: PlannedDoseOut) -> str:
    if not dose["makeable"]:
        return "cannot be made from these products"
    return " + ".join(_unit_label(unit) for unit in dose["units"]) or "-"


def _unit_label(unit: UnitCountOut) -> str:
    count = fmt_number(str(unit["count"]))
    if unit["count_unit"] == "mL":
        return f"{count} mL of {unit['product']}"
    return f"{count} × {unit['product']}"  # noqa: RUF001 -- the multiplication sign is meant


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f} %"


def plan_rows(document: PlanOut) -> list[dict[str, Any]]:
    """One CSV row per dose per step (a step with no dose gets one row with amount 0)."""
    rows: list[dict[str, Any]] = []
    for step in document["steps"]:
        stopped: PlannedDoseOut = {
            "time": "",
            "drug": document["drug"],
            "amount_mg": 0.0,
            "amount": "0 mg",
            "units": [],
            "instructions": [],
            "makeable": True,
        }
        doses = step["doses"] or [stopped]
        rows.extend(
            {
                "step": step["step"],
                "start_date": step["start_date"],
                "daily_dose_mg": step["daily_dose_mg"],
                "time": dose["time"],
                "drug": dose["drug"],
                "amount_mg": dose["amount_mg"],
                "units": _units_text(dose) if dose["units"] else "",
                "change_pct": step["change_pct"],
                "predicted_occupancy_pct": step["predicted_occupancy_pct"],
                "rule": step["rule"],
                "source": step["source"],
                "note": step["note"],
            }
            for dose in doses
        )
    return rows


def plan_table(document: PlanOut, plot: Path | None) -> None:
    """Print a plan: steps, summary, supply, warnings and assumptions."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    summary = document["summary"]
    rules = _rule_keys(document["steps"])
    title = (
        f"{document['drug_label']} taper: {document['strategy']} strategy "
        f"[{document['status'].upper()}: a clinician approves it]"
    )
    table = Table(title=title, title_justify="left", show_lines=True)
    for name in ("#", "From", "Daily", "Doses and how to make them", "Change", "Occ.", "Why"):
        table.add_column(name, overflow="fold")
    for step in document["steps"]:
        table.add_row(*_step_cells(step, rules))
    _print_crisis(out, document)
    _print_guideline(out, document["guideline"])
    out.print(table)
    for (rule, source), key in rules.items():
        out.print(escape(f"{key}: {rule} [{source}]"), highlight=False)
    out.print(_summary_line(summary), highlight=False)
    for line in _instructions(document["steps"]):
        out.print(f"How to take: {line}", highlight=False)
    _print_supply(out, document["supply"])
    for warning in document["warnings"]:
        out.print(f"[yellow]⚠ {escape(warning)}[/yellow]", highlight=False)
    out.print("Assumptions:", style="bold")
    for key, value in document["assumptions"].items():
        shown = value if isinstance(value, str) else "; ".join(_ed50_text(item) for item in value)
        out.print(f"  {key}: {shown}", highlight=False)
    alternative = document["alternative"]
    if alternative is not None:
        out.print(
            f"The direct {alternative['drug_label']} taper, beside this crossover:", style="bold"
        )
        for step in alternative["steps"]:
            out.print(f"  {step['start_date']}: {step['daily_dose']}", highlight=False)
        out.print(f"  {_summary_line(alternative['summary'])}", highlight=False)
    if plot is not None:
        out.print(f"Chart written to {plot}", highlight=False)


def _ed50_text(item: Ed50Out) -> str:
    head = f"ED50 {fmt_number(str(item['ed50_mg']))} mg"
    if item["refused"]:
        return f"{head}: no plan ({item['refused']})"
    return f"{head}: {item['step_count']} steps, {item['duration_days']} days"


def _print_crisis(out: Any, document: PlanOut) -> None:
    """Crisis words typed anywhere: the crisis message first, before anything else."""
    from rich.markup import escape

    screening = document["screening"]
    for finding in screening["findings"] if screening else []:
        if finding["crisis"]:
            out.print(f"[bold red]{escape(finding['message'])}[/bold red]", highlight=False)


def _print_guideline(out: Any, guideline: GuidelineOut) -> None:
    """The override mark, where the plan is outside the guideline (before and after the table)."""
    from rich.markup import escape

    if guideline["within_guideline"]:
        return
    mark = guideline["mark"] or "outside the guideline"
    out.print(f"[bold red]{escape(mark[:1].upper() + mark[1:])}[/bold red]", highlight=False)
    for line in guideline["outside_guideline"]:
        out.print(f"[red]  - {escape(line)}[/red]", highlight=False)


def _instructions(steps: list[PlanStepOut]) -> list[str]:
    """Product-level advice (shake the suspension, let ODTs dissolve), once each."""
    lines = (line for step in steps for dose in step["doses"] for line in dose["instructions"])
    general = (line for line in lines if not line.startswith(_PER_DOSE_LINES))
    return list(dict.fromkeys(general))


_PER_DOSE_LINES = ("Total dose", "Take ", "Measure with")


def _rule_keys(steps: list[PlanStepOut]) -> dict[tuple[str, str], str]:
    keys: dict[tuple[str, str], str] = {}
    for step in steps:
        keys.setdefault((step["rule"], step["source"]), f"R{len(keys) + 1}")
    return keys


def console() -> Any:
    """A Rich console; wide enough for tables when the output is not a terminal.

    Without colours (output to a file or a pipe, ``TERM=dumb``) no style is drawn, so the
    console does not highlight: Rich's highlighter runs a dozen regular expressions over every
    line printed (compiling them first), to add styles that would not be shown.
    """
    from rich.console import Console

    options: dict[str, Any] = {} if sys.stdout.isatty() else {"width": 120}
    out = Console(**options)
    return out if out.color_system is not None else Console(**options, highlight=False)


def _step_cells(step: PlanStepOut, rules: dict[tuple[str, str], str]) -> tuple[str, ...]:
    doses = (
        "\n".join(f"{d['time']} {d['amount']}: {_units_text(d)}" for d in step["doses"])
        or "none: stopped"
    )
    if step["every_other_day"]:
        doses += "\n(every other day)"
    from rich.markup import escape

    why = rules[(step["rule"], step["source"])]
    if step["note"]:
        why += f": {step['note']}"
    why = escape(why)
    return (
        str(step["step"]),
        step["start_date"],
        step["daily_dose"],
        doses,
        _pct(step["change_pct"]),
        f"{step['predicted_occupancy_pct']:.1f} %",
        why,
    )


def _summary_line(summary: PlanSummaryOut) -> str:
    smallest = summary["smallest_dose_before_zero_mg"]
    parts = [
        f"{summary['step_count']} steps over {summary['duration_days']} days "
        f"({summary['start_date']} to {summary['end_date']})",
        f"largest cut {summary['largest_step_pct']:.1f} %",
    ]
    if smallest is not None:
        parts.append(f"last dose before zero {fmt(Mass.of_mg(str(smallest)))}")
    if not summary["complete"]:
        parts.append("INCOMPLETE: see the warnings")
    return "; ".join(parts)


def _print_supply(out: Any, supply: list[SupplyOut]) -> None:
    from rich.table import Table

    if not supply:
        return
    table = Table(title="Supply to dispense", title_justify="left")
    for name in ("Period", "Product", "Count"):
        table.add_column(name)
    for line in supply:
        count = fmt_number(str(line["count"]))
        unit = _UNIT_NAMES.get(line["unit"], line["unit"])
        unit = unit if count == "1" or unit == "mL" else unit + "s"
        table.add_row(
            f"{line['period_start']} to {line['period_end']}", line["product"], f"{count} {unit}"
        )
    out.print(table)


_UNIT_NAMES = {"odt": "ODT", "tablet": "tablet", "capsule": "capsule", "mL": "mL"}


def compare_row(document: PlanOut) -> dict[str, Any]:
    """One row of a strategy comparison."""
    summary = document["summary"]
    return {
        "strategy": document["strategy"],
        "step_count": summary["step_count"],
        "duration_days": summary["duration_days"],
        "largest_step_pct": summary["largest_step_pct"],
        "smallest_dose_before_zero_mg": summary["smallest_dose_before_zero_mg"],
        "complete": summary["complete"],
        "warning_count": len(document["warnings"]),
    }


def compare_table(documents: list[PlanOut]) -> None:
    """Print strategies side by side."""
    from rich.table import Table

    table = Table(
        title=f"{documents[0]['drug_label']}: strategies compared (proposals)", title_justify="left"
    )
    for name in ("Strategy", "Steps", "Duration", "Largest cut", "Last dose", "Complete"):
        table.add_column(name)
    for document in documents:
        row = compare_row(document)
        smallest = row["smallest_dose_before_zero_mg"]
        table.add_row(
            row["strategy"],
            str(row["step_count"]),
            f"{row['duration_days']} days ({row['duration_days'] / 30.44:.1f} months)",
            f"{row['largest_step_pct']:.1f} %",
            fmt(Mass.of_mg(str(smallest))) if smallest is not None else "-",
            "yes" if row["complete"] else "no (see warnings)",
        )
    console().print(table)
