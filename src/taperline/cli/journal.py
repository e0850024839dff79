"""`taperline init`, `checkin`, `log-dose`, `journal`, `phq9` and `gad7`: keeping the journal.

Times are entered as the person's local wall-clock (their profile's time zone) and stored
unambiguously. Each command writes in one transaction; bad input is refused with a message
naming the field and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
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
    from taperline.core.journal import CheckIn
    from taperline.core.record import Profile
    from taperline.core.review import Review
    from taperline.core.values import RelativeDay

_F = TypeVar("_F", bound=Callable[..., Any])
_SLEEP_FIELDS = ("bed", "tried", "sol_min", "awakenings", "waso_min", "final_wake", "out_of_bed")
_SLEEP_REQUIRED = ("bed", "final_wake", "sol_min", "awakenings", "waso_min", "quality")
_VALUE_FIELDS = (*_SLEEP_FIELDS, "quality", "mood", "anxiety", "symptoms", "worst_time")


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
def init(**o: Any) -> None:
    """Create (or update) your profile: time zone, age band, conditions and other medicines.

    The journal is kept in a SQLite file in your user data directory unless
    TAPERLINE_DATABASE_URL names another database.
    """
    from taperline.core.record import Profile

    store = open_store()
    existing = person(store, o["person_id"]) if store.person_ids() else None
    current = store.profile(existing) if existing is not None else None
    ask = _asking(o["ask"], given=o["time_zone"] is not None)
    time_zone = o["time_zone"] or (current.time_zone if current else None)
    if ask:  # no default but the one the profile has: taperline cannot know where you are
        time_zone = click.prompt("Time zone (IANA name, e.g. Europe/London)", time_zone, type=ZONE)
    if time_zone is None:
        raise InputError("--time-zone is required, e.g. --time-zone Europe/London")
    age_band = o["age_band"] or (current.age_band if current else None)
    if ask:
        age_band = _ask_choice("Age band", AGE_BANDS, age_band, blank="to skip")
    conditions = o["conditions"] or (current.conditions if current else ())
    medicines = o["medicines"] or (current.other_medicines if current else ())
    if ask:
        conditions = _ask_list("Conditions (comma-separated, blank for none)", conditions)
        medicines = _ask_list("Other medicines (comma-separated, blank for none)", medicines)
    label = o["label"] or (current.label if current else "Person A")
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
    prompt: str, choices: tuple[str, ...], current: str | None, *, blank: str
) -> str | None:
    """One of ``choices``, or None for a blank answer: the prompt lists the real choices."""
    answer = click.prompt(
        f"{prompt} ({', '.join(choices)}; blank {blank})",
        type=click.Choice(("", *choices)),
        default=current or "",
        show_default=current is not None,
        show_choices=False,
    )
    return str(answer) or None


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


def _given(o: dict[str, Any]) -> bool:
    return any(o.get(name) not in (None, ()) for name in _VALUE_FIELDS)


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _previous_clocks(previous: CheckIn | None) -> dict[str, Any]:
    if previous is None or previous.sleep is None:
        return {}
    s = previous.sleep
    return {
        "bed": s.bed.time(),
        "tried": s.tried.time(),
        "final_wake": s.final_wake.time(),
        "out_of_bed": s.out_of_bed.time(),
        "sol_min": s.sol_min,
        "waso_min": s.waso_min,
        "awakenings": s.awakenings,
        "quality": s.quality,
    }


def _ask_values(o: dict[str, Any], previous: CheckIn | None) -> dict[str, Any]:
    """Prompt for each value not given, with yesterday's as the default."""
    prior = _previous_clocks(previous)
    out = dict(o)
    if not o["no_sleep"] and click.confirm("Fill in last night's sleep diary?", default=True):
        for name, label in (
            ("bed", "Went to bed at (HH:MM)"),
            ("tried", "Tried to sleep at"),
            ("sol_min", "Minutes to fall asleep"),
            ("awakenings", "Times you woke"),
            ("waso_min", "Minutes awake in the night, in all"),
            ("final_wake", "Final awakening at"),
            ("out_of_bed", "Got up at"),
            ("quality", "Sleep quality 1-5"),
        ):
            if out[name] is None:
                kind = CLOCK if name in {"bed", "tried", "final_wake", "out_of_bed"} else int
                default = prior.get(name)
                shown = _clock(default) if isinstance(default, time) else default
                out[name] = click.prompt(label, type=kind, default=shown)
    else:
        out["no_sleep"] = True
    for name, label, default in (  # yesterday's, or none: never a made-up value
        ("mood", "Mood 0-10", previous.mood if previous else None),
        ("anxiety", "Anxiety 0-10", previous.anxiety if previous else None),
    ):
        if out[name] is None:
            out[name] = click.prompt(label, type=click.IntRange(0, 10), default=default)
    if not out["symptoms"]:
        ratings = []
        for name in SYMPTOMS:
            old = previous.symptoms.get(name, 0) if previous else 0
            rating = click.prompt(f"  {name} 0-3", type=click.IntRange(0, 3), default=old)
            if rating:
                ratings.append(f"{name}={rating}")
        out["symptoms"] = tuple(ratings)
    if out["worst_time"] is None:
        out["worst_time"] = _ask_choice("Worst time of day", TIMES_OF_DAY, None, blank="if none")
    return out


def build_checkin(o: dict[str, Any], day: date, base: CheckIn | None) -> CheckIn:
    """A check-in from the option values; ``base`` fills what is not given (an edit)."""
    from taperline.core.journal import CheckIn

    symptoms = dict(base.symptoms) if base else {}
    if o["symptoms"]:
        symptoms = dict(_symptom(text) for text in o["symptoms"])
    mood = _required(o, "mood", base.mood if base else None)
    anxiety = _required(o, "anxiety", base.anxiety if base else None)

    def pick(name: str, default: Any) -> Any:
        return o[name] if o[name] not in (None, ()) else default

    return CheckIn(
        day,
        _sleep(o, day, base),
        mood=mood,
        anxiety=anxiety,
        symptoms=symptoms,
        worst_time=pick("worst_time", base.worst_time if base else None),
        caffeine_drinks=pick("caffeine", base.caffeine_drinks if base else 0),
        alcohol_drinks=pick("alcohol", base.alcohol_drinks if base else 0),
        opioid_use=pick("opioid", base.opioid_use if base else False),
        events=frozenset(o["events"]) if o["events"] else (base.events if base else frozenset()),
        notes=pick("note", base.notes if base else ""),
    )


def _required(o: dict[str, Any], name: str, default: int | None) -> int:
    value = o[name] if o[name] is not None else default
    if value is None:
        raise CheckInError(f"--{name} is required (0-10)")
    return int(value)


def _sleep(o: dict[str, Any], day: date, base: CheckIn | None) -> Any:
    from taperline.core.journal import SleepDiary, night_times

    if o["no_sleep"]:
        return None
    prior = _previous_clocks(base)
    values: dict[str, Any] = {
        name: o[name] if o[name] is not None else prior.get(name)
        for name in (*_SLEEP_FIELDS, "quality")
    }
    if all(o[name] is None for name in (*_SLEEP_FIELDS, "quality")) and not prior:
        return None
    missing = [n for n in _SLEEP_REQUIRED if values[n] is None]
    if missing:
        flags = ", ".join(f"--{n.replace('_', '-')}" for n in missing)
        raise CheckInError(f"the sleep diary also needs {flags} (or pass --no-sleep)")
    times = night_times(
        day,
        bed=_clock(values["bed"]) or "",
        tried=_clock(values["tried"] or values["bed"]) or "",
        final_wake=_clock(values["final_wake"]) or "",
        out_of_bed=_clock(values["out_of_bed"] or values["final_wake"]) or "",
    )
    return SleepDiary(
        *times,
        sol_min=int(values["sol_min"]),
        waso_min=int(values["waso_min"]),
        awakenings=int(values["awakenings"]),
        quality=int(values["quality"]),
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
def checkin(**o: Any) -> None:
    """Record today's check-in: last night's sleep, mood, anxiety and symptoms.

    On a terminal it asks for each value, with yesterday's as the default. Scripts pass
    them as flags, e.g. --date 2027-01-05 --bed 23:10 --tried 23:20 --sol-min 30
    --awakenings 2 --waso-min 40 --final-wake 06:30 --out-of-bed 06:45 --quality 3
    --mood 6 --anxiety 4 --symptom tremor=1 --symptom insomnia=2 --worst-time evening.
    """
    from taperline.service import local_today, record_checkin

    store = open_store()
    person_id = person(store, o["person_id"])
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    day = resolve_day(o["day"], today) or today
    previous = _previous(store, person_id, day)
    if _asking(o["ask"], given=_given(o)):
        o = _ask_values(o, previous)
    entry = build_checkin(o, day, None)
    saved, result = record_checkin(store, person_id, entry, now=moment, idempotency_key=o["key"])
    word = "Saved" if saved.created else "Already saved"
    click.echo(f"{word}: check-in for {day.isoformat()}.")
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
def log_dose(**o: Any) -> None:
    """Log a dose taken (or missed) against the plan in force.

    With a plan, the planned time and amount default to the next planned dose of the day
    that is not logged yet; an amount above the plan is stored as taken and shows up as an
    escalation finding for your prescriber.
    """
    from taperline.core.quantity import drug_label, fmt
    from taperline.service import DoseEntry, local_today, log_dose

    store = open_store()
    person_id = person(store, o["person_id"])
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    day = resolve_day(o["day"], today) or today
    taken: time | None = o["taken"]
    entry = DoseEntry(
        day=day,
        planned_clock=o["planned"].strftime("%H:%M") if o["planned"] is not None else None,
        next_planned=True,
        missed=o["missed"],
        taken_at=datetime.combine(day, taken).replace(second=0) if taken is not None else None,
        amount=o["amount"],
        drug=o["drug"],
        units=o["units"],
        note=o["note"],
    )
    try:
        done = log_dose(store, person_id, entry, now=moment, idempotency_key=o["key"])
    except InputError as error:
        raise type(error)(_dose_option_names(str(error))) from None
    record, target = done.record, done.planned
    if not done.saved.created and done.planned is None and o["key"] is not None:
        click.echo(f"Already logged: the dose of {record.day.isoformat()} ({record.status()}).")
        return
    amount = record.amount
    what = "missed" if amount is None else f"{drug_label(record.drug)} {fmt(amount)}"
    word = "Logged" if done.saved.created else "Already logged"
    click.echo(f"{word}: {what} on {record.day.isoformat()} ({record.status()}).")
    if amount is not None and target is not None and amount.mg > target.amount.mg:
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
def journal_list(**o: Any) -> None:
    """List check-ins with their sleep metrics, mood, anxiety and symptom burden."""
    from taperline.service import checkin_document, local_today

    store = open_store()
    person_id = person(store, o["person_id"])
    today = local_today(store.profile(person_id).time_zone, now())
    end = resolve_day(o["end"], today) or today
    start = resolve_day(o["start"], today) or end - timedelta(days=13)
    if start > end:
        raise InputError("--from is after --to")
    documents = [checkin_document(c) for c in store.checkins(person_id, start, end)]
    if o["output_format"] == "json":
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
def journal_edit(**o: Any) -> None:
    """Change a check-in: only the values given are changed; the rest stay."""
    from taperline.service import record_checkin

    store = open_store()
    person_id = person(store, o["person_id"])
    day = _day(store, person_id, o["day"])
    current = store.checkin(person_id, day)
    edited = build_checkin(o, day, current)
    if edited == current:
        click.echo("Nothing to change.")
        return
    _, result = record_checkin(store, person_id, edited, now=now(), replace=True)
    click.echo(f"Updated: check-in for {day.isoformat()}.")
    report_review(result)


def _day(store: Store, person_id: int, value: date | RelativeDay) -> date:
    """A DATE argument as a date (a day word counted back from the person's today)."""
    from taperline.service import local_today

    return resolve_day(value, local_today(store.profile(person_id).time_zone, now()))


@journal.command("delete")
@click.argument("day", type=DATE, metavar="DATE")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@person_option
def journal_delete(**o: Any) -> None:
    """Delete the check-in of a date (the dose log is kept)."""
    store = open_store()
    person_id = person(store, o["person_id"])
    day = _day(store, person_id, o["day"])
    store.checkin(person_id, day)
    if not o["yes"]:
        click.confirm(f"Delete the check-in for {day.isoformat()}?", abort=True)
    store.delete_checkin(person_id, day)
    click.echo(f"Deleted: check-in for {day.isoformat()}.")


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


def _instrument(name: str, o: dict[str, Any]) -> None:
    from taperline.core.instruments import GAD7_ITEMS, PHQ9_ITEMS, score_gad7, score_phq9
    from taperline.service import local_today, record_score

    store = open_store()
    person_id = person(store, o["person_id"])
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    day = resolve_day(o["day"], today) or today
    items = PHQ9_ITEMS if name == "PHQ-9" else GAD7_ITEMS
    scorer = score_phq9 if name == "PHQ-9" else score_gad7
    score = scorer(_answers(o["answers"], items), taken_on=day)
    saved, result = record_score(store, person_id, score, now=moment, idempotency_key=o["key"])
    word = "Saved" if saved.created else "Already saved"
    click.echo(f"{word}: {name} {score.total} ({score.band}) on {day.isoformat()}.")
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
def phq9(**o: Any) -> None:
    """Answer the weekly PHQ-9 (depression) questionnaire; it is scored with its band.

    Any answer above 0 to item 9 gives an urgent message with crisis resources and flags
    your record for your clinician.
    """
    _instrument("PHQ-9", o)


@click.command()
@_instrument_options(7)
def gad7(**o: Any) -> None:
    """Answer the weekly GAD-7 (anxiety) questionnaire; it is scored with its band."""
    _instrument("GAD-7", o)


__all__ = [
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
