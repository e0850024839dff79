"""`taperline init`, `checkin`, `log-dose`, `journal`, `phq9` and `gad7`: keeping the journal.

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

from taperline.cli import session
from taperline.cli.params import CLOCK, DATE, DOSE, ZONE, format_option, resolve_day
from taperline.cli.session import now, open_store, person, person_option
from taperline.core.journal import RED_FLAG_EVENTS, SYMPTOMS, TIMES_OF_DAY
from taperline.core.record import AGE_BANDS
from taperline.errors import CheckInError, InputError

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from taperline.core.journal import CheckIn, RedFlagEvent, SleepDiary, TimeOfDay
    from taperline.core.quantity import Mass
    from taperline.core.record import AgeBand, Profile
    from taperline.core.review import Review
    from taperline.core.values import RelativeDay

_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T")
_C = TypeVar("_C", bound=str)


# --- init ----------------------------------------------------------------------------------


@click.command()
@click.option("--time-zone", default=None, help="Your IANA time zone, e.g. Europe/London.")
@click.option("--age-band", type=click.Choice(AGE_BANDS), default=None, help="Your age band.")
@click.option("--condition", "conditions", multiple=True, help="A condition you have (repeatable).")
@click.option(
    "--medicine", "medicines", multiple=True, help="Another medicine you take (repeatable)."
)
@click.option("--label", default=None, help="How reports name you (a pseudonym is fine).")
@click.option("--ask/--no-ask", default=None, help="Ask for each value (default: on a terminal).")
@person_option
def init(
    *,
    time_zone: str | None,
    age_band: AgeBand | None,
    conditions: tuple[str, ...],
    medicines: tuple[str, ...],
    label: str | None,
    ask: bool | None,
    person_id: int | None,
) -> None:
    """Create (or update) your profile: time zone, age band, conditions and other medicines.

    The journal is kept in a SQLite file in your user data directory unless
    TAPERLINE_DATABASE_URL names another database.
    """
    from taperline.core.record import Profile

    store = open_store()
    existing = person(store, person_id) if store.person_ids() else None
    current = store.profile(existing) if existing is not None else None
    ask = _asking(ask, given=time_zone is not None)
    time_zone = time_zone or (current.time_zone if current else None)
    if ask:  # no default but the one the profile has: taperline cannot know where you are
        time_zone = click.prompt("Time zone (IANA name, e.g. Europe/London)", time_zone, type=ZONE)
    if time_zone is None:
        raise InputError("--time-zone is required, e.g. --time-zone Europe/London")
    age_band = age_band or (current.age_band if current else None)
    if ask:
        age_band = _ask_choice("Age band", AGE_BANDS, age_band, blank="to skip")
    conditions = conditions or (current.conditions if current else ())
    medicines = medicines or (current.other_medicines if current else ())
    if ask:
        conditions = _ask_list("Conditions (comma-separated, blank for none)", conditions)
        medicines = _ask_list("Other medicines (comma-separated, blank for none)", medicines)
    label = label or (current.label if current else "Person A")
    from taperline.zones import check_zone

    time_zone = check_zone(time_zone, "--time-zone")
    profile = Profile(time_zone, age_band, tuple(conditions), tuple(medicines), label)
    if existing is not None:
        store.update_profile(existing, profile)
        click.echo(f"Profile updated ({profile.time_zone}).")
    else:
        store.create_person(profile, at=now())
        click.echo(f"Profile created ({profile.time_zone}). Next: taperline plan ... --save")
    _report_profile(profile)


def _report_profile(profile: Profile) -> None:
    """Crisis words at once, and the names taperline does not recognise (kept as typed)."""
    from taperline.catalogue_data import load_catalogue
    from taperline.core.findings import crisis_message
    from taperline.core.screening import recognise

    found = recognise(
        load_catalogue(), agents=profile.other_medicines, conditions=profile.conditions
    )
    if found.crisis:
        typed = ", ".join(f"“{m.typed}”" for m in found.crisis)
        click.echo(
            f"Your profile mentions {typed}. {crisis_message()} Please tell your prescriber "
            "today, and make no dose change on your own."
        )
    for unknown in found.unknown:
        hint = f" (did you mean {unknown.suggestion!r}?)" if unknown.suggestion else ""
        what = "medicine" if unknown.field == "agent" else "condition"
        click.echo(
            f"unknown: ask a pharmacist: the {what} {unknown.name!r}{hint} is kept as typed, "
            "but taperline does not recognise it."
        )


def _ask_choice(
    prompt: str, choices: tuple[_C, ...], current: _C | None, *, blank: str
) -> _C | None:
    """One of ``choices``, or None for a blank answer: the prompt lists the real choices."""
    answer = click.prompt(
        f"{prompt} ({', '.join(choices)}; blank {blank})",
        type=click.Choice(("", *choices)),
        default=current or "",
        show_default=current is not None,
        show_choices=False,
    )
    return next((choice for choice in choices if choice == answer), None)


def _ask_list(prompt: str, current: tuple[str, ...]) -> tuple[str, ...]:
    text = click.prompt(prompt, default=", ".join(current), show_default=bool(current))
    return tuple(part.strip() for part in str(text).split(",") if part.strip())


def _asking(flag: bool | None, *, given: bool) -> bool:  # noqa: FBT001 -- Click's tri-state --ask/--no-ask value
    if flag is not None:
        return flag
    return not given and session.on_terminal()


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
        worst = _ask_choice("Worst time of day", TIMES_OF_DAY, None, blank="if none")
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
    if _asking(ask, given=values.given):
        values = _ask_values(values, previous)
    entry = build_checkin(values, wake_date, None)
    saved, result = record_checkin(store, person_id, entry, now=moment, idempotency_key=key)
    word = "Saved" if saved.created else "Already saved"
    click.echo(f"{word}: check-in for {wake_date.isoformat()}.")
    report_review(result)


# --- doses ---------------------------------------------------------------------------------


@click.command("log-dose")
@click.option(
    "--date", "day", type=DATE, default=None, help="The dose's day, or yesterday (default today)."
)
@click.option("--time", "taken", type=CLOCK, default=None, help="When you took it (default now).")
@click.option("--amount", type=DOSE, default=None, help="How much (default: the planned dose).")
@click.option(
    "--planned", type=CLOCK, default=None, help="Which planned dose (default: the next one)."
)
@click.option("--missed", is_flag=True, help="Record the planned dose as missed.")
@click.option("--drug", default=None, help="Which drug (default: the plan's).")
@click.option("--units", default="", help="What you used, e.g. '1 x tablet 0.5 mg'.")
@click.option("--note", default="", help="A note.")
@click.option("--key", default=None, help="An idempotency key: a retry with it never duplicates.")
@person_option
def log_dose(
    *,
    day: date | RelativeDay | None,
    taken: time | None,
    amount: Mass | None,
    planned: time | None,
    missed: bool,
    drug: str | None,
    units: str,
    note: str,
    key: str | None,
    person_id: int | None,
) -> None:
    """Log a dose taken (or missed) against the plan in force.

    With a plan, the planned time and amount default to the next planned dose of the day
    that is not logged yet; an amount above the plan is stored as taken and shows up as an
    escalation finding for your prescriber.
    """
    from taperline.core.quantity import drug_label, fmt
    from taperline.service import DoseEntry, local_today, log_dose

    store = open_store()
    person_id = person(store, person_id)
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    dose_day = resolve_day(day, today) or today
    entry = DoseEntry(
        day=dose_day,
        planned_clock=planned.strftime("%H:%M") if planned is not None else None,
        next_planned=True,
        missed=missed,
        taken_at=(
            datetime.combine(dose_day, taken).replace(second=0) if taken is not None else None
        ),
        amount=amount,
        drug=drug,
        units=units,
        note=note,
    )
    try:
        done = log_dose(store, person_id, entry, now=moment, idempotency_key=key)
    except InputError as error:
        raise type(error)(_dose_option_names(str(error))) from None
    record, target = done.record, done.planned
    if not done.saved.created and done.planned is None and key is not None:
        click.echo(f"Already logged: the dose of {record.day.isoformat()} ({record.status()}).")
        return
    logged = record.amount
    what = "missed" if logged is None else f"{drug_label(record.drug)} {fmt(logged)}"
    word = "Logged" if done.saved.created else "Already logged"
    click.echo(f"{word}: {what} on {record.day.isoformat()} ({record.status()}).")
    if logged is not None and target is not None and logged.mg > target.amount.mg:
        click.secho(
            f"This is more than the planned {fmt(target.amount)}. It is recorded for your"
            " prescriber; do not raise your dose on your own.",
            fg="yellow",
            err=True,
        )


#: The fields a dose-log error names, and the options that carry them.
_DOSE_OPTIONS = {name: f"--{name}" for name in ("planned", "drug", "amount", "time", "missed")}


def _dose_option_names(message: str) -> str:
    """'amount: ...' from the service as '--amount: ...' (the option a person typed)."""
    field, sep, rest = message.partition(": ")
    return f"{_DOSE_OPTIONS[field]}: {rest}" if sep and field in _DOSE_OPTIONS else message


# --- journal list / edit / delete ----------------------------------------------------------


@click.group()
def journal() -> None:
    """List, edit or delete check-ins in your journal."""


@journal.command("list")
@click.option("--from", "start", type=DATE, default=None, help="First date (default: 14 days ago).")
@click.option("--to", "end", type=DATE, default=None, help="Last date (default: today).")
@format_option("table", "json", help_text="Output format.")
@person_option
def journal_list(
    *,
    start: date | RelativeDay | None,
    end: date | RelativeDay | None,
    output_format: str,
    person_id: int | None,
) -> None:
    """List check-ins with their sleep metrics, mood, anxiety and symptom burden."""
    from taperline.service import checkin_document, local_today

    store = open_store()
    person_id = person(store, person_id)
    today = local_today(store.profile(person_id).time_zone, now())
    last = resolve_day(end, today) or today
    first = resolve_day(start, today) or last - timedelta(days=13)
    if first > last:
        raise InputError("--from is after --to")
    documents = [checkin_document(c) for c in store.checkins(person_id, first, last)]
    if output_format == "json":
        from taperline.cli.render import print_json

        print_json(documents)
        return
    _journal_table(documents)


def _journal_table(documents: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from taperline.cli.render import console

    table = Table(title="Journal", show_lines=False)
    for column in ("date", "TST h", "SE %", "SOL min", "WASO min", "mood", "anxiety", "burden"):
        table.add_column(column, justify="right")
    table.add_column("worst time")
    table.add_column("notes", overflow="fold", max_width=30)
    for d in documents:
        night = d["sleep"]
        table.add_row(
            d["date"],
            f"{night['tst_min'] / 60:.1f}" if night else "-",
            f"{night['se_pct']:.0f}" if night else "-",
            str(night["sol_min"]) if night else "-",
            str(night["waso_min"]) if night else "-",
            str(d["mood_0_10"]),
            str(d["anxiety_0_10"]),
            str(d["burden"]),
            d["worst_time"] or "",
            d["notes"],
        )
    console().print(table if documents else "No check-ins in this period.")


@journal.command("edit")
@click.argument("day", type=DATE, metavar="DATE")
@checkin_options
@person_option
def journal_edit(
    *,
    day: date | RelativeDay,
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
    person_id: int | None,
) -> None:
    """Change a check-in: only the values given are changed; the rest stay."""
    from taperline.service import record_checkin

    store = open_store()
    person_id = person(store, person_id)
    wake_date = _day(store, person_id, day)
    current = store.checkin(person_id, wake_date)
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
    edited = build_checkin(values, wake_date, current)
    if edited == current:
        click.echo("Nothing to change.")
        return
    _, result = record_checkin(store, person_id, edited, now=now(), replace=True)
    click.echo(f"Updated: check-in for {wake_date.isoformat()}.")
    report_review(result)


def _day(store: Store, person_id: int, value: date | RelativeDay) -> date:
    """A DATE argument as a date (a day word counted back from the person's today)."""
    from taperline.service import local_today

    return resolve_day(value, local_today(store.profile(person_id).time_zone, now()))


@journal.command("delete")
@click.argument("day", type=DATE, metavar="DATE")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@person_option
def journal_delete(*, day: date | RelativeDay, yes: bool, person_id: int | None) -> None:
    """Delete the check-in of a date (the dose log is kept)."""
    store = open_store()
    person_id = person(store, person_id)
    wake_date = _day(store, person_id, day)
    store.checkin(person_id, wake_date)
    if not yes:
        click.confirm(f"Delete the check-in for {wake_date.isoformat()}?", abort=True)
    store.delete_checkin(person_id, wake_date)
    click.echo(f"Deleted: check-in for {wake_date.isoformat()}.")


# --- PHQ-9 and GAD-7 ------------------------------------------------------------------------


def _answers(text: str | None, items: tuple[str, ...]) -> list[int]:
    from taperline.core.instruments import ANSWERS, STEM

    if text is not None:
        parts = [p.strip() for p in text.split(",")]
        if not all(p.isdigit() for p in parts):
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


__all__ = [
    "CheckInOptions",
    "build_checkin",
    "checkin",
    "checkin_options",
    "gad7",
    "init",
    "journal",
    "log_dose",
    "phq9",
    "report_review",
]
