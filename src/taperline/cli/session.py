"""What the journal commands share: the database, the person and the clock.

The database is ``TAPERLINE_DATABASE_URL`` or the default SQLite file in the user's data
directory. The CLI keeps one person's journal; a database with several people (a clinic's
web app) needs ``--person ID``. ``TAPERLINE_NOW`` (an ISO date-time with an offset) fixes
the clock, for demonstrations and tests.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from taperline.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from taperline.adapters.storage.repo import Store
    from taperline.core.findings import Finding

_F = TypeVar("_F", bound=Callable[..., Any])
ENV_NOW = "TAPERLINE_NOW"


def now() -> datetime:
    """The current moment (UTC), or ``TAPERLINE_NOW`` when set."""
    fixed = os.environ.get(ENV_NOW, "").strip()
    if not fixed:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise InputError(f"{ENV_NOW}={fixed!r} is not an ISO date-time") from None
    if moment.tzinfo is None:
        raise InputError(f"{ENV_NOW}={fixed!r} needs an offset, e.g. 2027-01-05T08:00+00:00")
    return moment


def on_terminal() -> bool:
    """Whether a person is at the keyboard (standard input is a terminal): then commands ask.

    One place to ask, so that a test can play the person at a terminal.
    """
    return sys.stdin.isatty()


def open_store() -> Store:
    """The store on the configured database, migrated to the newest schema."""
    from taperline.adapters.storage.db import database_url
    from taperline.service import open_store as service_open_store

    return service_open_store(database_url(os.environ), announce=_announce_migration)


def _announce_migration() -> None:
    click.echo("Updating the database to this version of taperline...", err=True)


def person_option(function: _F) -> _F:
    """The shared --person option (only needed when the database holds several people)."""
    return click.option(
        "--person",
        "person_id",
        type=click.IntRange(min=1),
        default=None,
        help="Whose journal (needed only when the database holds several people).",
    )(function)


def person(store: Store, person_id: int | None) -> int:
    """The person to work on: ``person_id``, or the only person in the database."""
    ids = store.person_ids()
    if person_id is not None:
        if person_id not in ids:
            raise NotFoundError(f"person {person_id} not found")
        return person_id
    if not ids:
        raise NotFoundError("no profile yet: run `taperline init` first")
    if len(ids) > 1:
        raise InputError(f"this database holds {len(ids)} people: pass --person ID")
    return ids[0]


def say_urgent(findings: Sequence[Finding]) -> None:
    """Say urgent findings plainly (to standard error, in red): the message and what to do.

    A red flag names the day it was told on (a PHQ-9 answered a week ago is not today's).
    """
    for finding in findings:
        day = finding.evidence[0].day if finding.evidence else None
        click.secho(
            f"{urgent_label(finding.kind, day)}: {finding.message}", fg="red", bold=True, err=True
        )
        click.secho(f"  What to do: {finding.suggested_action}", fg="red", err=True)


def urgent_label(kind: str, day: date | None) -> str:
    """'URGENT', and for a red flag the day it was told on: 'URGENT (Tue 29 Dec 2026)'."""
    if kind != "red_flag" or day is None:
        return "URGENT"
    from taperline.core.record.matching import day_text

    return f"URGENT ({day_text(day, day)} {day.year})"
