"""The check-in value flags shared by `taperline checkin` and `taperline journal edit`.

A module of their own, so that the `journal` group (whose `edit` takes them) does not import
the `checkin` command and what it asks with when `journal list` runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from taperline.cli.params import CLOCK, SLEPT
from taperline.core.journal import RED_FLAG_EVENTS, SYMPTOMS, TIMES_OF_DAY

__all__ = ["checkin_options"]

_F = TypeVar("_F", bound=Callable[..., Any])


def checkin_options(function: _F) -> _F:
    """The check-in value flags shared by `checkin` and `journal edit`."""
    options = [
        click.option("--bed", type=CLOCK, default=None, help="Time you went to bed (HH:MM)."),
        click.option(
            "--tried", type=CLOCK, default=None, help="Time you started trying to sleep (HH:MM)."
        ),
        click.option("--sol-min", type=int, default=None, help="Minutes it took to fall asleep."),
        click.option(
            "--awakenings", type=int, default=None, help="How many times you woke in the night."
        ),
        click.option(
            "--waso-min", type=int, default=None, help="Minutes awake in the night, in all."
        ),
        click.option("--final-wake", type=CLOCK, default=None, help="Final awakening (HH:MM)."),
        click.option(
            "--out-of-bed",
            type=CLOCK,
            default=None,
            help="Time you got up (HH:MM).",
        ),
        click.option("--quality", type=int, default=None, help="Sleep quality 1 (very poor) to 5."),
        click.option(
            "--slept",
            type=SLEPT,
            default=None,
            help="About how long you slept (6h30, 6:30, 6.5h, 390min), your own estimate, with"
            " --quality: the night in brief instead of the diary's times.",
        ),
        click.option("--no-sleep", is_flag=True, help="No sleep diary for this night."),
        click.option(
            "--long-night",
            is_flag=True,
            help="Yes, I slept that long: keep a night of more than 16 h from trying to sleep"
            " to waking up for good (without it such a night is refused as a likely a.m./p.m."
            " slip).",
        ),
        click.option("--mood", type=int, default=None, help="Mood 0 (worst) to 10 (best)."),
        click.option("--anxiety", type=int, default=None, help="Anxiety 0 (none) to 10."),
        click.option(
            "--symptom",
            "symptoms",
            multiple=True,
            help=f"SYMPTOM=0-3, repeatable, or 'none' (the checklist filled in, no symptom)."
            " Without it the checklist is stored as not filled in (no symptom score that day)."
            f" Symptoms: {', '.join(SYMPTOMS)}.",
        ),
        click.option(
            "--worst-time",
            type=click.Choice(TIMES_OF_DAY),
            default=None,
            help="When symptoms were worst.",
        ),
        click.option("--caffeine", type=int, default=None, help="Caffeinated drinks."),
        click.option("--alcohol", type=int, default=None, help="Alcoholic drinks."),
        click.option(
            "--opioid/--no-opioid", default=None, help="Took an opioid (painkiller) today."
        ),
        click.option(
            "--event",
            "events",
            multiple=True,
            type=click.Choice(RED_FLAG_EVENTS),
            help="Something serious that happened (repeatable).",
        ),
        click.option("--note", default=None, help="Free notes."),
    ]
    for option in reversed(options):
        function = option(function)
    return function
