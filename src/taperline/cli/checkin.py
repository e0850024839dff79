"""`taperline checkin`: the day's check-in (sleep diary, mood, anxiety, symptoms, events).

Times are entered as the person's local wall-clock (their profile's time zone) and stored
unambiguously. Each command writes in one transaction; bad input is refused with a message
naming the field and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, TypeVar

import click

from taperline.cli.checkin_options import checkin_options
from taperline.cli.params import CLOCK, DATE, resolve_day
from taperline.cli.profile import ask_choice, asking
from taperline.cli.session import now, open_store, person, person_option, say_urgent
from taperline.core.journal import LONGEST_UNASKED_NIGHT, SYMPTOMS, TIMES_OF_DAY, LongNightError
from taperline.errors import CheckInError, ConflictError, InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from taperline.adapters.storage.repo import Store
    from taperline.core.journal import CheckIn, RedFlagEvent, ReportedSleep, SleepDiary, TimeOfDay
    from taperline.core.review import Review
    from taperline.core.values import RelativeDay
    from taperline.service import DoseAnswer
    from taperline.service.quick import DoseQuestion

__all__ = ["CheckInOptions", "build_checkin", "checkin", "checkin_options", "report_review"]

_T = TypeVar("_T")


# --- check-in ------------------------------------------------------------------------------


def _symptom(text: str) -> tuple[str, int]:
    name, _, rating = text.rpartition("=")
    name = name.strip().replace("_", " ")
    if not name or not rating.strip().isdecimal():
        raise CheckInError(f"--symptom {text!r}: use NAME=RATING, e.g. --symptom tremor=1")
    return name, int(rating)


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
    same_sleep: bool = False
    same_symptoms: bool = False
    slept: int | None = None
    quick: bool = False
    long_night: bool = False
    time_zone: str | None = None  # the person's: a long night's hours are those that passed

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
            or any(
                value is not None
                for value in (self.mood, self.anxiety, self.worst_time, self.slept)
            )
            or bool(self.symptoms)
        )

    @property
    def diary_given(self) -> bool:
        """Whether a value only the diary has is given (a clock time or a count)."""
        return self.sleep_given and any(
            value is not None
            for value in (
                self.bed,
                self.tried,
                self.sol_min,
                self.awakenings,
                self.waso_min,
                self.final_wake,
                self.out_of_bed,
            )
        )


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _either(value: _T | None, default: _T) -> _T:
    """``value`` when it is given, else ``default``."""
    return value if value is not None else default


def _ask_clock(label: str, given: time | None) -> time:
    """``given``, or the answer to a prompt (no default: nothing is filled in for the person)."""
    if given is not None:
        return given
    answer: time = click.prompt(label, type=CLOCK)
    return answer


def _ask_number(label: str, given: int | None) -> int:
    """``given``, or the answer to a prompt (no default)."""
    if given is not None:
        return given
    answer: int = click.prompt(label, type=int)
    return answer


def _night_text(night: SleepDiary) -> str:
    return (
        f"in bed {_clock(night.bed.time())}, trying to sleep {_clock(night.tried.time())},"
        f" {night.sol_min} min to fall asleep, woke {night.awakenings} time(s) for"
        f" {night.waso_min} min, awake for good {_clock(night.final_wake.time())}, up"
        f" {_clock(night.out_of_bed.time())}, quality {night.quality}/5"
    )


def _symptoms_text(checkin: CheckIn) -> str:
    rated = [f"{name} {rating}" for name, rating in checkin.symptoms.items() if rating]
    return ", ".join(rated) or "none"


def _ask_values(
    given: CheckInOptions, night_from: CheckIn | None, symptoms_from: CheckIn | None
) -> CheckInOptions:
    """Prompt for each value not given, with no default: "same as last night" is asked for."""
    values = given
    if not given.no_sleep and not given.sleep_given and not given.same_sleep:
        night = night_from.sleep if night_from is not None else None
        if (
            night_from is not None
            and night is not None
            and click.confirm(
                f"Same night as {night_from.wake_date:%a %d %b} ({_night_text(night)})?",
                default=False,
            )
        ):
            values = replace(values, same_sleep=True)
        elif click.confirm("Fill in last night's sleep diary?", default=True):
            values = replace(  # keyword arguments are evaluated, so asked, in this order
                values,
                bed=_ask_clock("Went to bed at (HH:MM)", values.bed),
                tried=_ask_clock("Started trying to sleep at", values.tried),
                sol_min=_ask_number("Minutes to fall asleep", values.sol_min),
                awakenings=_ask_number("Times you woke", values.awakenings),
                waso_min=_ask_number("Minutes awake in the night, in all", values.waso_min),
                final_wake=_ask_clock("Woke up for good at", values.final_wake),
                out_of_bed=_ask_clock("Got up at", values.out_of_bed),
                quality=_ask_number("Sleep quality 1-5", values.quality),
            )
        else:
            values = replace(values, no_sleep=True)
    if values.mood is None:
        mood: int = click.prompt("Mood 0-10", type=click.IntRange(0, 10))
        values = replace(values, mood=mood)
    if values.anxiety is None:
        anxiety: int = click.prompt("Anxiety 0-10", type=click.IntRange(0, 10))
        values = replace(values, anxiety=anxiety)
    if not values.symptoms and not values.same_symptoms:
        values = _ask_symptoms(values, symptoms_from)
    if values.worst_time is None:
        worst = ask_choice("Worst time of day", TIMES_OF_DAY, None, blank="if none")
        values = replace(values, worst_time=worst)
    return values


def _ask_symptoms(values: CheckInOptions, earlier: CheckIn | None) -> CheckInOptions:
    """Same as last time (asked), none (asked), or each rated."""
    if earlier is not None and click.confirm(
        f"Same symptoms as {earlier.wake_date:%a %d %b} ({_symptoms_text(earlier)})?",
        default=False,
    ):
        return replace(values, same_symptoms=True)
    if not click.confirm("Any withdrawal symptoms today?", default=None):
        return replace(values, symptoms=("none",))  # the person said: none
    ratings = []
    for name in SYMPTOMS:
        rating = click.prompt(f"  {name} 0-3", type=click.IntRange(0, 3), default=0)
        if rating:
            ratings.append(f"{name}={rating}")
    return replace(values, symptoms=tuple(ratings))


def with_copied_sections(
    values: CheckInOptions, night_from: CheckIn | None, symptoms_from: CheckIn | None
) -> CheckInOptions:
    """``values`` with the sections asked to be "same as last night" filled from the source.

    Raises:
        CheckInError: a copy asked for with nothing to copy, or beside values of that section.
    """
    if values.same_sleep:
        night = night_from.sleep if night_from is not None else None
        if night is None:
            raise CheckInError("--same-sleep: no earlier night in the last 14 days to copy")
        if values.sleep_given or values.no_sleep:
            raise CheckInError(
                "--same-sleep copies the whole night: leave out the other sleep flags"
            )
        values = replace(
            values,
            bed=night.bed.time(),
            tried=night.tried.time(),
            final_wake=night.final_wake.time(),
            out_of_bed=night.out_of_bed.time(),
            sol_min=night.sol_min,
            awakenings=night.awakenings,
            waso_min=night.waso_min,
            quality=night.quality,
            # a copy of a long night confirmed when it was stored is confirmed: not asked again
            long_night=values.long_night or night.final_wake - night.tried > LONGEST_UNASKED_NIGHT,
        )
    if values.same_symptoms:
        if symptoms_from is None:
            raise CheckInError("--same-symptoms: no earlier check-in in the last 14 days to copy")
        if values.symptoms:
            raise CheckInError("--same-symptoms copies every rating: leave out --symptom")
        rated = tuple(f"{name}={rating}" for name, rating in symptoms_from.symptoms.items())
        values = replace(values, symptoms=rated or ("none",))  # rated, none of them
    return values


def build_checkin(values: CheckInOptions, day: date, base: CheckIn | None) -> CheckIn:
    """A check-in from the option values; ``base`` fills what is not given (an edit).

    The symptom checklist is rated when --symptom is given ('none': rated, no symptom), kept
    as it was in an edit, and otherwise (or with --quick) not filled in: never zeros. So are
    caffeine, alcohol and opioid use: a quick check-in without them did not ask them (an
    edit keeps whether they were), never "none".
    """
    from taperline.core.journal import CheckIn

    if values.quick and values.symptoms:
        raise CheckInError("--quick does not ask the symptom checklist: leave out --symptom")
    symptoms = dict(base.symptoms) if base else {}
    rated = base.symptoms_rated if base else False
    if values.symptoms:
        symptoms, rated = _symptoms(values.symptoms), True
    if values.quick:
        symptoms, rated = {}, False
    mood = _required("mood", values.mood, base.mood if base else None)
    anxiety = _required("anxiety", values.anxiety, base.anxiety if base else None)
    reported = _reported(values, base)
    given = (values.caffeine, values.alcohol, values.opioid) != (None, None, None)
    asked = given or (base.substances_asked if base else not values.quick)
    return CheckIn(
        day,
        _sleep(values, day, base) if reported is None else None,
        reported_sleep=reported,
        symptoms_rated=rated,
        mood=mood,
        anxiety=anxiety,
        symptoms=symptoms,
        worst_time=_either(values.worst_time, base.worst_time if base else None),
        caffeine_drinks=_either(values.caffeine, base.caffeine_drinks if base else 0),
        alcohol_drinks=_either(values.alcohol, base.alcohol_drinks if base else 0),
        opioid_use=_either(values.opioid, base.opioid_use if base else False),
        substances_asked=asked,
        events=(
            frozenset(values.events) if values.events else (base.events if base else frozenset())
        ),
        notes=_either(values.note, base.notes if base else ""),
    )


def _symptoms(texts: tuple[str, ...]) -> dict[str, int]:
    """--symptom values as ratings; 'none' alone is the checklist filled in with none."""
    if any(text.strip().lower() == "none" for text in texts):
        if len(texts) > 1:
            raise CheckInError("--symptom none means no symptom: leave out the other --symptom")
        return {}
    return dict(_symptom(text) for text in texts)


def _reported(values: CheckInOptions, base: CheckIn | None) -> ReportedSleep | None:
    """The night in brief (--slept with --quality), or an edit's when no night is given."""
    from taperline.core.journal import ReportedSleep

    if values.slept is None:
        if base is None or base.reported_sleep is None or values.diary_given or values.no_sleep:
            return None
        night = base.reported_sleep  # an edit: the night in brief stays, its quality may change
        return ReportedSleep(night.asleep_min, _either(values.quality, night.quality))
    if values.diary_given or values.no_sleep:
        raise CheckInError(
            "--slept gives the night in brief: leave out the diary's times and counts"
            " (--bed, --tried, --sol-min, --awakenings, --waso-min, --final-wake, --out-of-bed)"
            " and --no-sleep"
        )
    earlier = base.reported_sleep.quality if base and base.reported_sleep else None
    quality = _either(values.quality, earlier)
    if quality is None:
        raise CheckInError("--slept needs --quality (1 very poor to 5 very good)")
    return ReportedSleep(values.slept, quality)


def _required(name: str, value: int | None, default: int | None) -> int:
    chosen = value if value is not None else default
    if chosen is None:
        raise CheckInError(f"--{name} is required (0-10)")
    return chosen


def _sleep(values: CheckInOptions, day: date, base: CheckIn | None) -> SleepDiary | None:
    """The night from the values given; ``base``'s night fills what is not given (an edit)."""
    from taperline.core.journal import edited_night
    from taperline.zones import zone

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
        or tried is None
        or final_wake is None
        or out_of_bed is None
        or sol_min is None
        or awakenings is None
        or waso_min is None
        or quality is None
    ):
        required = {
            "--bed": bed,
            "--tried": tried,
            "--final-wake": final_wake,
            "--out-of-bed": out_of_bed,
            "--sol-min": sol_min,
            "--awakenings": awakenings,
            "--waso-min": waso_min,
            "--quality": quality,
        }
        flags = ", ".join(flag for flag, value in required.items() if value is None)
        raise CheckInError(f"the sleep diary also needs {flags} (or pass --no-sleep)")
    clocks = {
        "bed": _clock(bed),
        "tried": _clock(tried),
        "final_wake": _clock(final_wake),
        "out_of_bed": _clock(out_of_bed),
    }
    # the hours a night took are counted in its zone: the stored night's, else the person's
    named = night.time_zone if night is not None and night.time_zone else values.time_zone
    return edited_night(  # an edit keeps the stored night's clocks as they are, in its zone
        night,
        day,
        clocks,
        sol_min=sol_min,
        waso_min=waso_min,
        awakenings=awakenings,
        quality=quality,
        long_night_confirmed=values.long_night,
        time_zone=zone(named) if named else None,
    )


def confirmed_checkin(
    values: CheckInOptions,
    day: date,
    *,
    ask: bool,
    base: CheckIn | None = None,
    time_zone: str | None = None,
) -> CheckIn:
    """The check-in (``base`` edited), a night over 16 h asked about or named by its flag.

    On a terminal (``ask``) the person is asked; else the refusal names ``--long-night`` (an
    option of `checkin` and `journal edit`). ``time_zone`` (the person's) counts the hours
    that passed across a change of the clocks.
    """
    values = replace(values, time_zone=time_zone)
    try:
        return build_checkin(values, day, base)
    except LongNightError as error:
        hours, minutes = divmod(int(error.passed.total_seconds() // 60), 60)  # really passed
        if ask and click.confirm(
            f"From trying to sleep at {error.tried:%H:%M} to waking up for good at"
            f" {error.final_wake:%H:%M} is {hours} h {minutes} min. Did you really sleep that"
            " long?",
            default=False,
        ):
            return build_checkin(replace(values, long_night=True), day, base)
        raise CheckInError(f"{error} with --long-night") from None


def _earlier(store: Store, person_id: int, day: date) -> tuple[CheckIn | None, CheckIn | None]:
    """The latest check-in before ``day`` with a night, and the latest (the last 14 days)."""
    earlier = store.checkins(person_id, day - timedelta(days=14), day - timedelta(days=1))
    with_night = [c for c in earlier if c.sleep is not None]
    rated = [c for c in earlier if c.symptoms_rated]  # a quick day has no checklist to copy
    return (with_night[-1] if with_night else None), (rated[-1] if rated else None)


def _dose_answer(text: str, wake_date: date) -> DoseAnswer:
    """A --dose HH:MM=taken|missed: last night's (the day before ``wake_date``) planned dose."""
    from taperline.core.values import parse_clock
    from taperline.errors import ValueFormatError
    from taperline.service import DoseAnswer

    clock, _, answer = text.partition("=")
    if answer.strip().lower() not in {"taken", "missed"}:
        raise CheckInError(f"--dose {text!r}: use HH:MM=taken or HH:MM=missed, e.g. 22:00=taken")
    try:
        at = parse_clock(clock)
    except ValueFormatError as error:
        raise CheckInError(f"--dose: {error}") from None
    taken = answer.strip().lower() == "taken"
    return DoseAnswer(wake_date - timedelta(days=1), at.strftime("%H:%M"), taken=taken)


def _ask_quick(values: CheckInOptions) -> CheckInOptions:
    """Prompt for the quick check-in's values not given: the night in brief, mood, anxiety."""
    from taperline.core.values import parse_sleep_minutes
    from taperline.errors import ValueFormatError

    def minutes(text: str) -> str:
        try:
            return str(parse_sleep_minutes(text)) if text.strip() else ""
        except ValueFormatError as error:
            raise click.BadParameter(str(error)) from None  # asked again

    if values.slept is None and not values.no_sleep:
        text: str = click.prompt(
            "About how long did you sleep? (e.g. 6h30; Enter: no answer)",
            default="",
            show_default=False,
            value_proc=minutes,
        )
        values = replace(values, slept=int(text) if text else None, no_sleep=not text)
    if values.slept is not None and values.quality is None:
        values = replace(values, quality=_ask_number("Sleep quality 1-5", None))
    if values.mood is None:
        values = replace(values, mood=click.prompt("Mood 0-10", type=click.IntRange(0, 10)))
    if values.anxiety is None:
        anxiety: int = click.prompt("Anxiety 0-10", type=click.IntRange(0, 10))
        values = replace(values, anxiety=anxiety)
    return values


def _ask_doses(questions: Sequence[DoseQuestion], given: Sequence[DoseAnswer]) -> list[DoseAnswer]:
    """Ask about each of last night's planned doses not in the log (Enter: no answer)."""
    from taperline.core.quantity import fmt
    from taperline.service import DoseAnswer

    answered = {(a.day, a.clock) for a in given}
    answers = []
    for question in questions:
        dose = question.dose
        if (question.day, dose.clock) in answered:
            continue
        reply = ask_choice(
            f"Last night's {dose.clock} dose ({fmt(dose.amount)} {dose.drug})",
            ("taken", "missed"),
            None,
            blank="for no answer",
        )
        if reply is not None:
            answers.append(DoseAnswer(question.day, dose.clock, taken=reply == "taken"))
    return answers


def report_review(result: Review) -> None:
    """Say the urgent findings plainly, and how many others there are."""
    urgent = [f for f in result.findings if f.severity == "urgent"]
    say_urgent(urgent)
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
@click.option(
    "--same-sleep",
    is_flag=True,
    help="Last night was as the latest night in the journal: copy it (marked as a copy).",
)
@click.option(
    "--same-symptoms",
    is_flag=True,
    help="Symptoms as in the latest check-in: copy them (marked as a copy).",
)
@click.option(
    "--quick/--full",
    "quick_kind",
    default=None,
    help="--quick: the night in brief (--slept, --quality), mood, anxiety and last night's"
    " doses; no symptom checklist. --full: the whole diary and the checklist. On a terminal"
    " the quick one is asked unless the day calls for the full one (around a dose change,"
    " weekly).",
)
@click.option(
    "--dose",
    "dose_answers",
    multiple=True,
    metavar="HH:MM=taken|missed",
    help="Last night's planned dose: taken (at about its time) or missed (repeatable).",
)
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
    slept: int | None,
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
    same_sleep: bool,
    same_symptoms: bool,
    quick_kind: bool | None,
    dose_answers: tuple[str, ...],
    long_night: bool,
    key: str | None,
    ask: bool | None,
    person_id: int | None,
) -> None:
    """Record today's check-in: last night's sleep, mood, anxiety and symptoms.

    On a terminal it asks for each value, with no value filled in for you: the quick check-in
    (about how long you slept, how well, mood, anxiety, last night's doses) unless the day
    calls for the full one (around a dose change, weekly: it says why; --quick, --full choose).
    The full one offers "same as last night" for the night and for the symptoms, and a copy is
    stored marked as a copy (--same-sleep, --same-symptoms in scripts). Scripts pass the values
    as flags, e.g. --date 2027-01-05 --bed 23:10 --tried 23:20 --sol-min 30 --awakenings 2
    --waso-min 40 --final-wake 06:30 --out-of-bed 06:45 --quality 3 --mood 6 --anxiety 4
    --symptom tremor=1 --symptom insomnia=2 --worst-time evening; or quick: --quick --slept 6h30
    --quality 3 --mood 6 --anxiety 4 --dose 22:00=taken.
    """
    from taperline.service import (
        check_answers,
        checkin_asks,
        confirm_doses,
        local_today,
        mark_copies,
        record_checkin,
    )

    kind = None if quick_kind is None else "quick" if quick_kind else "full"

    store = open_store()
    person_id = person(store, person_id)
    moment = now()
    today = local_today(store.profile(person_id).time_zone, moment)
    wake_date = resolve_day(day, today) or today
    night_from, symptoms_from = _earlier(store, person_id, wake_date)
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
        same_sleep=same_sleep,
        same_symptoms=same_symptoms,
        slept=slept,
        quick=kind == "quick",
        long_night=long_night,
    )
    answers = [_dose_answer(text, wake_date) for text in dose_answers]
    asks = None
    asked = asking(ask, given=values.given or same_sleep or same_symptoms)
    if answers or asked:
        asks = checkin_asks(store.record(person_id), wake_date)
    if answers and asks is not None:
        try:
            check_answers(asks, answers)
        except InputError as error:
            raise CheckInError(str(error).replace("doses:", "--dose:", 1)) from None
    if asks is not None and asked:
        quick = kind == "quick" or (kind is None and not asks.asking.full)
        if kind is None:
            click.echo(
                "A quick check-in today (--full for the whole diary)."
                if quick
                else f"The full check-in: {asks.asking.reason} (--quick for a short one)."
            )
        if quick:
            values = _ask_quick(replace(values, quick=True))
            answers += _ask_doses(asks.doses, answers)
        else:
            values = _ask_values(values, night_from, symptoms_from)
    values = with_copied_sections(values, night_from, symptoms_from)
    entry = mark_copies(
        store,
        person_id,
        confirmed_checkin(
            values, wake_date, ask=asked, time_zone=store.profile(person_id).time_zone
        ),
        sleep_from=night_from.wake_date if values.same_sleep and night_from else None,
        symptoms_from=symptoms_from.wake_date if values.same_symptoms and symptoms_from else None,
    )
    try:
        saved, result = record_checkin(store, person_id, entry, now=moment, idempotency_key=key)
    except ConflictError as error:  # the day has one: say the command that edits it
        raise ConflictError(f"{error} (taperline journal edit {wake_date.isoformat()})") from None
    word = "Saved" if saved.created else "Already saved"
    click.echo(f"{word}: check-in for {wake_date.isoformat()}.")
    for done in confirm_doses(store, person_id, answers, now=moment, idempotency_key=key):
        line = done.record
        what = "taken" if line.taken_at is not None else "missed"
        click.echo(f"Logged: the {line.planned_clock} dose of {line.day.isoformat()}, {what}.")
    for what, source in (
        ("night is", entry.sleep_copied_from),
        ("symptoms are", entry.symptoms_copied_from),
    ):
        if source is not None:
            click.echo(f"The {what} marked as copied from {source.isoformat()}.")
    report_review(result)
