"""`taperline sleep-window show|start|review|set`: the CBT-I sleep window, week by week."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING

import click

from taperline.cli.params import CLOCK, format_option
from taperline.cli.session import now, open_store, person, person_option

if TYPE_CHECKING:
    from taperline.service.sleep_window import SleepWindowOut

__all__ = ["sleep_window"]


def _hours(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _print_text(doc: SleepWindowOut) -> None:
    rules = doc["rules"]
    if doc["status"] == "withdrawn":
        click.secho(f"Sleep window withdrawn: {doc['reason']}.", bold=True)
    elif doc["status"] == "not_offered":
        click.echo(f"No sleep window: {doc['reason']}.")
    else:
        when = "this week" if doc["status"] == "active" else "offered (not started)"
        assert doc["time_in_bed_min"] is not None  # noqa: S101 -- a window is shown
        click.echo(
            f"Sleep window {when}: in bed from {doc['window_start']} to {doc['window_end']}"
            f" ({_hours(doc['time_in_bed_min'])}); {doc['reason']}."
        )
    if doc["status"] == "offered":
        click.echo("Start it with `taperline sleep-window start` (the rise time stays fixed).")
    if doc["set_on"] is not None:
        who = "you" if doc["set_by"] == "patient" else f"{doc['weeks'][-1]['by']} (clinician)"
        click.echo(f"Set on {doc['set_on']} by {who}; step {doc['step_min']:+d} min.")
        if doc["other_threshold_step_min"] is not None:
            click.echo(
                f"Widening above {rules['other_raise_above_se_pct']:g} % instead (many programs)"
                f" would have stepped {doc['other_threshold_step_min']:+d} min."
            )
        if doc["status"] != "withdrawn":
            due = "due now" if doc["review_due"] else f"on {doc['review_on']}"
            click.echo(f"Review {due}: `taperline sleep-window review`.")
    diary = doc["diary"]
    efficiency = diary["efficiency_pct"]
    se_text = "no" if efficiency is None else f"{efficiency:.0f} %"
    click.echo(
        f"Last 7 days: {diary['nights']} diary nights, {diary['poor_nights']} poor,"
        f" efficiency {se_text}."
    )
    click.echo(
        f"Rules [{rules['source']}]: +{rules['step_min']} min above"
        f" {rules['raise_above_se_pct']:g} % (above {rules['other_raise_above_se_pct']:g} % in"
        f" many programs), -{rules['step_min']} min below"
        f" {rules['lower_below_se_pct']:g} %, never below {_hours(rules['floor_min'])}."
    )


def _show(person_id: int | None, output_format: str) -> None:
    from taperline.service.sleep_window import sleep_window_document, sleep_window_state

    store = open_store()
    pid = person(store, person_id)
    document = sleep_window_document(sleep_window_state(store, pid, now=now()))
    if output_format == "json":
        from taperline.cli.render import print_json

        print_json(document)
        return
    _print_text(document)


@click.group()
def sleep_window() -> None:
    """The CBT-I sleep window (sleep restriction), kept and reviewed week by week.

    It is offered only when your diary shows poor sleep, and never with epilepsy, bipolar
    disorder, psychosis, untreated sleep apnea, parasomnias, high fall risk or pregnancy.
    Each week's review takes the window 15 min longer, 15 min shorter or keeps it, from the
    efficiency of the nights inside it [SPIELMAN-1987].
    """


@sleep_window.command("show")
@format_option("text", "json", help_text="Output format.")
@person_option
def show(*, output_format: str, person_id: int | None) -> None:
    """Show this week's window (or the one offered, or why none), and when it is reviewed.

    Example: taperline sleep-window show --format json
    """
    _show(person_id, output_format)


@sleep_window.command("start")
@click.option(
    "--rise", type=CLOCK, default=None, help="Your fixed rise time (default: your usual one)."
)
@format_option("text", "json", help_text="Output format.")
@person_option
def start(*, rise: time | None, output_format: str, person_id: int | None) -> None:
    """Start the course: a first window of your average sleep over the last week's diary.

    Refused when sleep is not poor, the diary has fewer than 5 nights of the last 7, or a
    condition rules sleep restriction out. Example: taperline sleep-window start --rise 06:30
    """
    from taperline.core.values import format_clock
    from taperline.service.sleep_window import start_sleep_window

    store = open_store()
    pid = person(store, person_id)
    start_sleep_window(store, pid, now=now(), rise=format_clock(rise) if rise else None)
    _show(pid, output_format)


@sleep_window.command("review")
@format_option("text", "json", help_text="Output format.")
@person_option
def review(*, output_format: str, person_id: int | None) -> None:
    """Review the week: 15 min more in bed, 15 min less, or the same, from the week's nights.

    Due a week after the window was set; needs at least 5 diary nights inside the window.
    Example: taperline sleep-window review --format json
    """
    from taperline.service.sleep_window import review_sleep_window

    store = open_store()
    pid = person(store, person_id)
    review_sleep_window(store, pid, now=now())
    _show(pid, output_format)


@sleep_window.command("set")
@click.option("--rise", type=CLOCK, required=True, help="The fixed rise time (HH:MM).")
@click.option(
    "--time-in-bed-min",
    type=click.IntRange(1, 720),
    required=True,
    help="Minutes in bed before the rise time (not below the 300 min floor).",
)
@click.option("--by", required=True, help="The clinician who sets it.")
@click.option("--reason", default="", help="Why this window (shown to the patient).")
@format_option("text", "json", help_text="Output format.")
@person_option
def set_(
    *,
    rise: time,
    time_in_bed_min: int,
    by: str,
    reason: str,
    output_format: str,
    person_id: int | None,
) -> None:
    """A clinician sets this week's window; weekly reviews continue from it.

    Example: taperline sleep-window set --rise 06:30 --time-in-bed-min 360 --by "Dr Lee"
    """
    from taperline.core.values import format_clock
    from taperline.service.sleep_window import set_sleep_window

    store = open_store()
    pid = person(store, person_id)
    set_sleep_window(
        store,
        pid,
        now=now(),
        rise=format_clock(rise),
        time_in_bed_min=time_in_bed_min,
        by=by,
        reason=reason,
    )
    _show(pid, output_format)
