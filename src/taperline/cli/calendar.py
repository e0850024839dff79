"""`taperline calendar feed|status|revoke|settings`: reminders in your own calendar app.

The feed is a private link that a calendar app (phone or computer) subscribes to once; the
web app (`taperline serve`) answers it, and it follows every plan change, hold and approval.
"""

from __future__ import annotations

from datetime import time

import click

from taperline.cli.params import CLOCK
from taperline.cli.session import now, open_store, person, person_option

__all__ = ["calendar"]

_KINDS = ("doses", "checkin", "changes", "refills")


@click.group()
def calendar() -> None:
    r"""Reminders in your own calendar app: a private link it subscribes to, and settings.

    The link holds doses (with how to make them), the daily check-in, dose changes and
    refills, and follows every plan change, hold and approval. Anyone with the link can read
    your reminders: keep it private, and revoke it if it gets out.

    \b
    Examples:
      taperline calendar feed --base-url https://taperline.example.org
      taperline calendar settings --remind doses,checkin --checkin-at 08:30
      taperline calendar revoke
    """


@calendar.command("feed")
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Address of your taperline web app (taperline serve), as your phone reaches it.",
)
@person_option
def feed(*, base_url: str, person_id: int | None) -> None:
    """Make a new private calendar link and print it (shown once; the old link stops).

    Open the webcal:// link on your phone, or paste the https link into your calendar app's
    "subscribe" or "add calendar from URL". The web app must be running to answer it.
    """
    from taperline.service.calendar import new_feed

    store = open_store()
    pid = person(store, person_id)
    token = new_feed(store, pid, now=now())
    url = f"{base_url.rstrip('/')}/calendar/{token}.ics"
    click.echo(f"Your private calendar link (shown once; any earlier link stopped):\n{url}")
    if "://" in url:
        click.echo(f"On a phone: webcal://{url.split('://', 1)[1]}")
    click.echo(
        "Anyone with this link can read your reminders. Revoke it: taperline calendar revoke"
    )


@calendar.command("status")
@person_option
def status(*, person_id: int | None) -> None:
    """Say whether your calendar link is on, since when, and which reminders it holds."""
    store = open_store()
    pid = person(store, person_id)
    found = store.calendar_feed(pid)
    if found is None:
        click.echo("No calendar link is on. Make one: taperline calendar feed")
    else:
        made = found.created_at.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"Your calendar link is on (made {made}).")
    settings = store.reminder_settings(pid)
    kinds = ", ".join(settings.reminders) or "none"
    click.echo(
        f"Reminders: {kinds}; check-in at {settings.checkin_clock};"
        f" dose alarms {settings.alarm_minutes_before} min before;"
        f" titles {'without' if settings.discreet else 'with'} the medicine's name."
    )


@calendar.command("revoke")
@person_option
def revoke(*, person_id: int | None) -> None:
    """Turn your calendar link off: calendar apps get nothing more from it (410 Gone)."""
    from taperline.service.calendar import revoke_feed

    store = open_store()
    pid = person(store, person_id)
    if revoke_feed(store, pid, now=now()):
        click.echo("Your calendar link is off. Calendar apps get nothing more from it.")
    else:
        click.echo("No calendar link was on.")


@calendar.command("settings")
@click.option(
    "--remind",
    default=",".join(_KINDS),
    show_default=True,
    help="Which reminders, comma-separated: doses, checkin, changes, refills (or none).",
)
@click.option(
    "--checkin-at", type=CLOCK, default="08:00", show_default=True, help="Check-in time (HH:MM)."
)
@click.option(
    "--alarm-minutes",
    type=click.IntRange(0, 1440),
    default=0,
    show_default=True,
    help="Alarm this many minutes before each dose.",
)
@click.option(
    "--discreet/--named",
    default=False,
    show_default=True,
    help='Titles and alarms that do not name the medicine ("Evening dose"), for lock screens.',
)
@person_option
def settings(
    *, remind: str, checkin_at: time, alarm_minutes: int, discreet: bool, person_id: int | None
) -> None:
    """Choose which reminders your calendar link holds and when the check-in reminder comes.

    A reminder you turn off is cancelled in your calendar at its next refresh.
    """
    from taperline.core.values import format_clock
    from taperline.service.calendar import save_reminders

    kinds = [k.strip() for k in remind.split(",") if k.strip() and k.strip() != "none"]
    store = open_store()
    pid = person(store, person_id)
    saved = save_reminders(
        store,
        pid,
        reminders=kinds,
        checkin_clock=format_clock(checkin_at),
        alarm_minutes_before=alarm_minutes,
        discreet=discreet,
        now=now(),
    )
    click.echo(
        f"Saved. Reminders: {', '.join(saved.reminders) or 'none'};"
        f" check-in at {saved.checkin_clock}."
    )
