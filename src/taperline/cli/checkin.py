"""`taperline checkin`: the day's check-in (sleep diary, mood, anxiety, symptoms, events).

Times are entered as the person's local wall-clock (their profile's time zone) and stored
unambiguously. Each command writes in one transaction; bad input is refused with a message
naming the field and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import click

from taperline.cli.params import CLOCK, DATE, resolve_day
from taperline.cli.profile import ask_choice, asking
from taperline.cli.session import now, open_store, person, person_option
from taperline.core.journal import RED_FLAG_EVENTS, SYMPTOMS, TIMES_OF_DAY
from taperline.errors import CheckInError

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from taperline.core.journal import CheckIn, RedFlagEvent, SleepDiary, TimeOfDay
    from taperline.core.review import Review
    from taperline.core.values import RelativeDay

__all__ = ["CheckInOptions", "build_checkin", "checkin", "checkin_options", "report_review"]

_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T")


# --- check-in ------------------------------------------------------------------------------


def _symptom(text: str) -> tuple[str, int]:
    name, _, rating = text.rpartition("=")
    name = name.strip().replace("_", " ")
    if not name or not rating.strip().isdigit():
        raise CheckInError(f"--symptom {text!r}: use NAME=RATING, e.g. --symptom tremor=1")
    return name, int(rating)


def checkin_options(function: _F) -> _F:
    """The check-in value flags shared by `checkin` and `journal edit`."""
    options = [
        click.option("--bed", type=CLOCK, default=None, help="Time you went to bed (HH:MM)."),
        click.option(
            "--tried", type=CLOCK, default=None, help="Time you tried to sleep (default: --bed)."
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
            help="Time you got up (default: --final-wake).",
        ),
        click.option("--quality", type=int, default=None, help="Sleep quality 1 (very poor) to 5."),
        click.option("--no-sleep", is_flag=True, help="No sleep diary for this night."),
        click.option("--mood", type=int, default=None, help="Mood 0 (worst) to 10 (best)."),
        click.option("--anxiety", type=int, default=None, help="Anxiety 0 (none) to 10."),
        click.option(
            "--symptom",
            "symptoms",
            multiple=True,
            help=f"SYMPTOM=0-3, repeatable. Symptoms: {', '.join(SYMPTOMS)}.",
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


@dataclass(frozen=True, slots=True)
class CheckInOptions:
    """The check-in values of :func:`checkin_options`, as `checkin` and `journal edit` get them.

    None (or an empty tuple) is a value not given.
    """

    bed: time | None
    tried: time | None
    sol_min: int | None
    awakenings: int | None
    waso_min: int | None
    final_wake: time | None
    out_of_bed: time | None
    quality: int | None
    no_sleep: bool
    mood: int | None
    anxiety: int | None
    symptoms: tuple[str, ...]
    worst_time: TimeOfDay | None
    caffeine: int | None
    alcohol: int | None
    opioid: bool | None
    events: tuple[RedFlagEvent, ...]
    note: str | None

    @property
    def sleep_given(self) -> bool:
        """Whether any value of the sleep diary is given."""
        return any(
            value is not None
            for value in (
                self.bed,
                self.tried,
                self.sol_min,
                self.awakenings,
                self.waso_min,
                self.final_wake,
                self.out_of_bed,
                self.quality,
            )
        )

    @property
    def given(self) -> bool:
        """Whether any sleep, mood, anxiety, symptom or worst-time value is given."""
        return (
            self.sleep_given
            or any(value is not None for value in (self.mood, self.anxiety, self.worst_time))
            or bool(self.symptoms)
        )


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _either(value: _T | None, default: _T) -> _T:
    """``value`` when it is given, else ``default``."""
    return value if value is not None else default


def _ask_clock(label: str, given: time | None, prior: datetime | None) -> time:
    """``given``, or the answer to a prompt with the ``prior`` night's clock time as the default."""
    if given is not None:
        return given
    answer: time = click.prompt(
        label, type=CLOCK, default=_clock(prior.time()) if prior is not None else None
    )
    return answer


def _ask_number(label: str, given: int | None, prior: int | None) -> int:
    """``given``, or the answer to a prompt with the ``prior`` night's number as the default."""
    if given is not None:
        return given
    answer: int = click.prompt(label, type=int, default=prior)
    return answer


def _ask_values(given: CheckInOptions, previous: CheckIn | None) -> CheckInOptions:
    """Prompt for each value not given, with yesterday's as the default."""
    night = previous.sleep if previous is not None else None
    values = given
    if not given.no_sleep and click.confirm("Fill in last night's sleep diary?", default=True):
        values = replace(  # keyword arguments are evaluated, so asked, in this order
            values,
            bed=_ask_clock("Went to bed at (HH:MM)", values.bed, night.bed if night else None),
            tried=_ask_clock("Tried to sleep at", values.tried, night.tried if night else None),
            sol_min=_ask_number(
                "Minutes to fall asleep", values.sol_min, night.sol_min if night else None
            ),
            awakenings=_ask_number(
                "Times you woke", values.awakenings, night.awakenings if night else None
            ),
            waso_min=_ask_number(
                "Minutes awake in the night, in all",
                values.waso_min,
                night.waso_min if night else None,
            ),
            final_wake=_ask_clock(
                "Final awakening at", values.final_wake, night.final_wake if night else None
            ),
            out_of_bed=_ask_clock(
                "Got up at", values.out_of_bed, night.out_of_bed if night else None
            ),
            quality=_ask_number(
                "Sleep quality 1-5", values.quality, night.quality if night else None
            ),
        )
    else:
        values = replace(values, no_sleep=True)
    # yesterday's, or none: never a made-up value
    if values.mood is None:
        mood: int = click.prompt(
            "Mood 0-10", type=click.IntRange(0, 10), default=previous.mood if previous else None
        )
        values = replace(values, mood=mood)
    if values.anxiety is None:
        anxiety: int = click.prompt(
            "Anxiety 0-10",
            type=click.IntRange(0, 10),
            default=previous.anxiety if previous else None,
        )
        values = replace(values, anxiety=anxiety)
    if not values.symptoms:
        ratings = []
        for name in SYMPTOMS:
            old = previous.symptoms.get(name, 0) if previous else 0
            rating = click.prompt(f"  {name} 0-3", type=click.IntRange(0, 3), default=old)
            if rating:
                ratings.append(f"{name}={rating}")
        values = replace(values, symptoms=tuple(ratings))
    if values.worst_time is None:
        worst = ask_choice("Worst time of day", TIMES_OF_DAY, None, blank="if none")
        values = replace(values, worst_time=worst)
    return values


def build_checkin(values: CheckInOptions, day: date, base: CheckIn | None) -> CheckIn:
    """A check-in from the option values; ``base`` fills what is not given (an edit)."""
    from taperline.core.journal import CheckIn

    symptoms = dict(base.symptoms) if base else {}
    if values.symptoms:
        symptoms = dict(_symptom(text) for text in values.symptoms)
    mood = _required("mood", values.mood, base.mood if base else None)
    anxiety = _required("anxiety", values.anxiety, base.anxiety if base else None)
    return CheckIn(
        day,
        _sleep(values, day, base),
        mood=mood,
        anxiety=anxiety,
        symptoms=symptoms,
        worst_time=_either(values.worst_time, base.worst_time if base else None),
        caffeine_drinks=_either(values.caffeine, base.caffeine_drinks if base else 0),
        alcohol_drinks=_either(values.alcohol, base.alcohol_drinks if base else 0),
        opioid_use=_either(values.opioid, base.opioid_use if base else False),
        events=(
            frozenset(values.events) if values.events else (base.events if base else frozenset())
        ),
        notes=_either(values.note, base.notes if base else ""),
    )


def _required(name: str, value: int | None, default: int | None) -> int:
    chosen = value if value is not None else default
    if chosen is None:
        raise CheckInError(f"--{name} is required (0-10)")
    return chosen


def _sleep(values: CheckInOptions, day: date, base: CheckIn | None) -> SleepDiary | None:
    """The night from the values given; ``base``'s night fills what is not given (an edit)."""
    from taperline.core.journal import SleepDiary, night_times

    if values.no_sleep:
        return None
    night = base.sleep if base is not None else None
    if night is None and not values.sleep_given:
        return None
    bed = _either(values.bed, night.bed.time() if night else None)
    tried = _either(values.tried, night.tried.time() if night else None)
    final_wake = _either(values.final_wake, night.final_wake.time() if night else None)
    out_of_bed = _either(values.out_of_bed, night.out_of_bed.time() if night else None)
    sol_min = _either(values.sol_min, night.sol_min if night else None)
    awakenings = _either(values.awakenings, night.awakenings if night else None)
    waso_min = _either(values.waso_min, night.waso_min if night else None)
    quality = _either(values.quality, night.quality if night else None)
    if (
        bed is None
        or final_wake is None
        or sol_min is None
        or awakenings is None
        or waso_min is None
        or quality is None
    ):
        required = {
            "--bed": bed,
            "--final-wake": final_wake,
            "--sol-min": sol_min,
            "--awakenings": awakenings,
            "--waso-min": waso_min,
            "--quality": quality,
        }
        flags = ", ".join(flag for flag, value in required.items() if value is None)
        raise CheckInError(f"the sleep diary also needs {flags} (or pass --no-sleep)")
    times = night_times(
        day,
        bed=_clock(bed),
        tried=_clock(tried or bed),
        final_wake=_clock(final_wake),
        out_of_bed=_clock(out_of_bed or final_wake),
    )
    return SleepDiary(
        *times, sol_min=sol_min, waso_min=waso_min, awakenings=awakenings, quality=quality
    )


def _previous(store: Store, person_id: int, day: date) -> CheckIn | None:
    earlier = store.checkins(person_id, day - timedelta(days=14), day - timedelta(days=1))
    return earlier[-1] if earlier else None


def report_review(result: Review) -> None:
    """Say the urgent findings plainly, and how many others there are."""
    urgent = [f for f in result.findings if f.severity == "urgent"]
    for finding in urgent:
        click.secho(f"URGENT: {finding.message}", fg="red", bold=True, err=True)
        click.secho(f"  What to do: {finding.suggested_action}", fg="red", err=True)
    others = len(result.findings) - len(urgent)
    if others:
        click.echo(f"{others} other finding(s): see `taperline findings`.")


@click.command()
@click.option(
    "--date",
    "day",
    type=DATE,
    default=None,
    help="The date you woke, or yesterday (default today).",
)
@checkin_options
@click.option("--key", default=None, help="An idempotency key: a retry with it never duplicates.")
@click.option("--ask/--no-ask", default=None, help="Ask for each value (default: on a terminal).")
@person_option
def checkin(
    *,
    day: date | RelativeDay | None,
    bed: time | None,
    tried: time | None,
    sol_min: int | None,
    awakenings: int | None,
    waso_min: int | None,
    final_wake: time | None,
    out_of_bed: time | None,
    quality: int | None,
    no_sleep: bool,
    mood: int | None,
    anxiety: int | None,
    symptoms: tuple[str, ...],
    worst_time: TimeOfDay | None,
    caffeine: int | None,
    alcohol: int | None,
    opioid: bool | None,
    events: tuple[RedFlagEvent, ...],
    note: str | None,
    key: str | None,
    ask: bool | None,
    person_id: int | None,
) -> None:
    """Record today's check-in: last night's sleep, mood, anxiety and symptoms.

    On a terminal it asks for each value, with yesterday's as the default. Scripts pass
    them as flags, e.g. --date 2027-01-05 --bed 23:10 --tried 23:20 --sol-min 30
    --awakenings 2 --waso-min 40 --final-wake 06:30 --out-of-bed 06:45 --quality 3
    --mood 6 --anxiety 4 --symptom tremor=1 --symptom insomnia=2 --worst-time evening.
    """
    from taperline.service import local_today, record_checkin

    store = open_store()
    person_id = person(store, person_id)
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    wake_date = resolve_day(day, today) or today
    previous = _previous(store, person_id, wake_date)
    values = CheckInOptions(
        bed=bed,
        tried=tried,
        sol_min=sol_min,
        awakenings=awakenings,
        waso_min=waso_min,
        final_wake=final_wake,
        out_of_bed=out_of_bed,
        quality=quality,
        no_sleep=no_sleep,
        mood=mood,
        anxiety=anxiety,
        symptoms=symptoms,
        worst_time=worst_time,
        caffeine=caffeine,
        alcohol=alcohol,
        opioid=opioid,
        events=events,
        note=note,
    )
    if asking(ask, given=values.given):
        values = _ask_values(values, previous)
    entry = build_checkin(values, wake_date, None)
    saved, result = record_checkin(store, person_id, entry, now=moment, idempotency_key=key)
    word = "Saved" if saved.created else "Already saved"
    click.echo(f"{word}: check-in for {wake_date.isoformat()}.")
    report_review(result)
