"""`taperline phq9` and `taperline gad7`: the weekly questionnaires."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import click

from taperline.cli.checkin import report_review
from taperline.cli.params import DATE, resolve_day
from taperline.cli.session import now, open_store, person, person_option
from taperline.errors import InputError

if TYPE_CHECKING:
    from taperline.core.values import RelativeDay

__all__ = ["gad7", "phq9"]

_F = TypeVar("_F", bound=Callable[..., Any])


# --- PHQ-9 and GAD-7 ------------------------------------------------------------------------


def _answers(text: str | None, items: tuple[str, ...]) -> list[int]:
    from taperline.core.instruments import ANSWERS, STEM

    if text is not None:
        parts = [p.strip() for p in text.split(",")]
        if not all(p.isdecimal() for p in parts):
            raise InputError(f"--answers {text!r}: give {len(items)} numbers 0-3, comma-separated")
        return [int(p) for p in parts]
    click.echo(STEM)
    click.echo("  " + "   ".join(f"{i} = {a}" for i, a in enumerate(ANSWERS)))
    return [
        click.prompt(f"{n}. {item}", type=click.IntRange(0, 3))
        for n, item in enumerate(items, start=1)
    ]


def _instrument(
    name: str,
    *,
    answers: str | None,
    day: date | RelativeDay | None,
    key: str | None,
    person_id: int | None,
) -> None:
    from taperline.core.instruments import GAD7_ITEMS, PHQ9_ITEMS, score_gad7, score_phq9
    from taperline.service import local_today, record_score

    store = open_store()
    person_id = person(store, person_id)
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    taken_on = resolve_day(day, today) or today
    items = PHQ9_ITEMS if name == "PHQ-9" else GAD7_ITEMS
    scorer = score_phq9 if name == "PHQ-9" else score_gad7
    score = scorer(_answers(answers, items), taken_on=taken_on)
    saved, result = record_score(store, person_id, score, now=moment, idempotency_key=key)
    word = "Saved" if saved.created else "Already saved"
    click.echo(f"{word}: {name} {score.total} ({score.band}) on {taken_on.isoformat()}.")
    if saved.replaced:
        click.echo(
            f"These answers replace the {name} given earlier on {taken_on.isoformat()}: your"
            " answer to item 9 is higher, so your clinician is shown it."
        )
    report_review(result)


def _instrument_options(count: int) -> Callable[[_F], _F]:
    def decorate(function: _F) -> _F:
        function = click.option(
            "--answers", default=None, help=f"{count} answers 0-3, comma-separated (else asked)."
        )(function)
        function = click.option(
            "--date", "day", type=DATE, default=None, help="Date taken (default today)."
        )(function)
        function = click.option(
            "--key", default=None, help="An idempotency key: a retry never duplicates."
        )(function)
        return person_option(function)

    return decorate


@click.command()
@_instrument_options(9)
def phq9(
    *,
    answers: str | None,
    day: date | RelativeDay | None,
    key: str | None,
    person_id: int | None,
) -> None:
    """Answer the weekly PHQ-9 (depression) questionnaire; it is scored with its band.

    Any answer above 0 to item 9 gives an urgent message with crisis resources and flags
    your record for your clinician.
    """
    _instrument("PHQ-9", answers=answers, day=day, key=key, person_id=person_id)


@click.command()
@_instrument_options(7)
def gad7(
    *,
    answers: str | None,
    day: date | RelativeDay | None,
    key: str | None,
    person_id: int | None,
) -> None:
    """Answer the weekly GAD-7 (anxiety) questionnaire; it is scored with its band."""
    _instrument("GAD-7", answers=answers, day=day, key=key, person_id=person_id)
