"""The check-in form: blank values, "same as last night" copies, and back to a CheckIn.

Nothing is filled in that the person did not give: a new check-in starts blank. Copying the
night or the symptoms of the latest earlier check-in is an explicit action (``?copy=sleep`` or
``?copy=symptoms``); the form then carries the source's date, and the check-in is stored as a
copy of that day only for a section the person kept as it was (:func:`with_copies`).

The quick check-in (``kind=quick``) asks last night's sleep as about how long the person slept
(``asleep_min``, from a list in half hours) and its quality, mood, anxiety and last night's
planned doses (``dose:YYYY-MM-DD:HH:MM`` = ``taken`` or ``missed``; left unanswered, nothing
is logged); it stores no symptom checklist (``symptoms_rated`` false), never one of zeros.

Errors are collected per field (:class:`FieldsError`), in plain words, so the page shows each
next to its field and keeps every value typed. A night over 16 h from trying to sleep to
waking for good is asked about (``long_night``): the form is drawn again, as typed, with a
"Yes, I slept that long" box, and is kept only when that is ticked; a stored long night is
edited, or copied by "same as last night", with the box ticked (it was confirmed). The box
confirms the night it was shown for (``long_night_for``: the time tried and the final
awakening as then typed, spaces trimmed): clocks changed after it was ticked are a new night,
asked about again with the box drawn unticked. An edit is read against the stored night (the
route reads it, never the form): clock times sent back as shown keep it as it is, and changed
ones are read in the zone it was logged in (:func:`~taperline.core.journal.edited_night`). Symptom
fields are named by their index in :data:`~taperline.core.journal.SYMPTOMS` (``sym_0`` ...
``sym_15``) so no field name holds a space. Red-flag events and notes are never copied.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, tzinfo
from functools import partial
from typing import Any, Final, Literal

from taperline.core.journal import (
    LONGEST_UNASKED_NIGHT,
    MAX_REPORTED_SLEEP_MIN,
    RED_FLAG_EVENTS,
    SYMPTOMS,
    TIMES_OF_DAY,
    CheckIn,
    LongNightError,
    ReportedSleep,
    SleepDiary,
    edited_night,
)
from taperline.errors import CheckInError, InputError, NightSlipError
from taperline.service.quick import DoseAnswer
from taperline.web.forms import FormInput, parse_clock
from taperline.zones import zone

__all__ = [
    "ASLEEP_CHOICES_MIN",
    "BLANK",
    "CopySection",
    "FieldsError",
    "as_date",
    "checkin_from_form",
    "copied_fields",
    "dose_answers",
    "fields_from_checkin",
    "fields_from_form",
    "is_quick",
    "quick_checkin_from_form",
]

CopySection = Literal["sleep", "symptoms"]
SLEEP_CLOCKS: Final = ("bed", "tried", "final_wake", "out_of_bed")
SLEEP_NUMBERS: Final = ("sol_min", "awakenings", "waso_min", "quality")

#: A new check-in's values: nothing given.
BLANK: Final[dict[str, Any]] = {
    **dict.fromkeys(SLEEP_CLOCKS, ""),
    **dict.fromkeys(SLEEP_NUMBERS, ""),
    "mood": "",
    "anxiety": "",
    "worst_time": "",
    "caffeine": "",
    "alcohol": "",
    "opioid": False,
    "events": [],
    "notes": "",
    "no_sleep": False,
    "long_night": False,
    "sleep_copied_from": "",
    "symptoms_copied_from": "",
    "asleep_min": "",
    "dose_answers": {},
    **{f"sym_{i}": "" for i in range(len(SYMPTOMS))},
}
#: The quick check-in's choices of time asleep: 0 to 14 h in half hours (an estimate).
ASLEEP_CHOICES_MIN: Final = tuple(range(0, 14 * 60 + 1, 30))
#: A dose answer's field: ``dose:`` and the dose's day and planned time.
_DOSE_FIELD: Final = re.compile(r"dose:(\d{4}-\d{2}-\d{2}):(\d{2}:\d{2})")

#: What a person is asked for each field, in their words (for "say when ..." errors).
_MISSING: Final[dict[str, str]] = {
    "bed": "Say when you went to bed.",
    "tried": "Say when you started trying to sleep.",
    "final_wake": "Say when you woke up for good.",
    "out_of_bed": "Say when you got up.",
    "sol_min": "Say how many minutes it took to fall asleep (0 if at once).",
    "awakenings": "Say how many times you woke in the night (0 if none).",
    "waso_min": "Say how many minutes you were awake in the night, in all (0 if none).",
    "quality": "Choose how well you slept, 1 to 5.",
    "asleep_min": "Choose about how long you slept.",
    "mood": "Choose your mood today, 0 to 10.",
    "anxiety": "Choose your anxiety today, 0 to 10.",
}
#: The diary's clock times in words, for a time that is not one ("24:00").
_CLOCK_WORDS: Final[dict[str, str]] = {
    "bed": "the time you went to bed",
    "tried": "the time you started trying to sleep",
    "final_wake": "the time you woke up for good",
    "out_of_bed": "the time you got up",
}
#: The sleep diary's order checks, in plain words, by the later field (each is checked
#: against the one before it: bed, tried, final_wake, out_of_bed).
_ORDER: Final[dict[str, str]] = {
    "tried": "You tried to sleep before you went to bed: check both times.",
    "final_wake": "You woke for good before you tried to sleep: check both times.",
    "out_of_bed": "You got up before you woke for good: check both times.",
}


class FieldsError(InputError):
    """Errors by form field, in plain words; the first one names the page's error summary."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def is_quick(checkin: CheckIn) -> bool:
    """Whether a stored check-in is edited in the quick form (no diary times, no checklist)."""
    return checkin.sleep is None and not checkin.symptoms_rated


def fields_from_checkin(checkin: CheckIn) -> dict[str, Any]:
    """Form values of a stored check-in, to edit it (its copy marks kept)."""
    fields = dict(BLANK)
    fields.update(_sleep_fields(checkin.sleep), no_sleep=checkin.sleep is None)
    fields["long_night"] = _long(checkin.sleep)  # a long night was confirmed when it was stored
    if checkin.reported_sleep is not None:
        fields.update(
            asleep_min=str(checkin.reported_sleep.asleep_min),
            quality=str(checkin.reported_sleep.quality),
        )
    if checkin.symptoms_rated:
        fields.update(_symptom_fields(checkin))
    fields.update(
        mood=str(checkin.mood),
        anxiety=str(checkin.anxiety),
        worst_time=checkin.worst_time or "",
        # not asked (a quick day): empty, never "0" shown as the person's answer
        caffeine=str(checkin.caffeine_drinks) if checkin.substances_asked else "",
        alcohol=str(checkin.alcohol_drinks) if checkin.substances_asked else "",
        opioid=checkin.opioid_use,
        events=sorted(checkin.events),
        notes=checkin.notes,
        sleep_copied_from=_iso(checkin.sleep_copied_from),
        symptoms_copied_from=_iso(checkin.symptoms_copied_from),
    )
    return fields


def copied_fields(
    fields: dict[str, Any], section: CopySection, earlier: Sequence[CheckIn], day: date
) -> tuple[dict[str, Any], CheckIn | None]:
    """``fields`` with ``section`` copied from the latest check-in before ``day`` that has it.

    Returns the new values and the source (None, values unchanged, when there is none).
    """
    having = [
        c
        for c in earlier
        if c.wake_date < day
        and (c.symptoms_rated if section == "symptoms" else c.sleep is not None)
    ]
    if not having:
        return fields, None
    source = max(having, key=lambda c: c.wake_date)
    copied = dict(fields)
    if section == "sleep":
        copied.update(_sleep_fields(source.sleep), no_sleep=False)
        copied["long_night"] = _long(source.sleep)  # confirmed when stored: not asked again
        copied["sleep_copied_from"] = source.wake_date.isoformat()
    else:
        copied.update(_symptom_fields(source))
        copied["symptoms_copied_from"] = source.wake_date.isoformat()
    return copied, source


def fields_from_form(form: FormInput) -> dict[str, Any]:
    """The values as submitted (to show the form again after an error, nothing lost)."""
    fields = dict(BLANK)
    for name, blank in BLANK.items():
        if isinstance(blank, str):
            fields[name] = form.shown(name, blank)
    fields["opioid"] = form.has("opioid")
    fields["no_sleep"] = form.has("no_sleep")
    # a box ticked for another night is a new question: drawn unticked
    fields["long_night"] = _box_confirms(form, form.shown("tried"), form.shown("final_wake"))
    fields["events"] = [e for e in form.raw().get("events", []) if e in RED_FLAG_EVENTS]
    fields["dose_answers"] = {
        name: form.shown(name, max_len=10) for name in form.names() if name.startswith("dose:")
    }
    return fields


def checkin_from_form(
    form: FormInput,
    day: date,
    *,
    time_zone: tzinfo | None = None,
    stored: SleepDiary | None = None,
) -> CheckIn:
    """A CheckIn from the submitted form, or :class:`FieldsError` naming every bad field.

    Mood, anxiety and (unless the diary is skipped) every value of the night must be given;
    drinks left empty are none. ``time_zone`` (the person's) measures a long night's hours.
    ``stored``: the night an edit changes, as stored (the route reads it; never the form).
    """
    errors: dict[str, str] = {}

    def read(name: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except InputError as error:
            errors[name] = _plain(name, error)
            return None

    mood = read("mood", lambda: _required_integer(form, "mood", 0, 10))
    anxiety = read("anxiety", lambda: _required_integer(form, "anxiety", 0, 10))
    worst = read("worst_time", lambda: _choice(form, "worst_time", TIMES_OF_DAY))
    events = read("events", lambda: _events(form))
    symptoms = {
        name: read(f"sym_{i}", partial(form.integer, f"sym_{i}", 0, 3, default=0))
        for i, name in enumerate(SYMPTOMS)
    }
    caffeine = read("caffeine", lambda: form.integer("caffeine", 0, 40, default=0))
    alcohol = read("alcohol", lambda: form.integer("alcohol", 0, 40, default=0))
    notes = read("notes", lambda: form.text("notes", max_len=2000))
    sleep = None if form.has("no_sleep") else _night(form, day, errors, time_zone, stored)
    if errors:
        raise FieldsError(errors)
    return CheckIn(
        day,
        sleep,
        mood=mood,
        anxiety=anxiety,
        symptoms={k: v for k, v in symptoms.items() if v},
        worst_time=worst or None,
        caffeine_drinks=caffeine,
        alcohol_drinks=alcohol,
        opioid_use=form.has("opioid"),
        events=frozenset(events),
        notes=notes,
    )


def quick_checkin_from_form(form: FormInput, day: date) -> CheckIn:
    """A quick check-in from the form: the night in brief (or none), mood and anxiety.

    The symptom checklist was not asked: the check-in has none (``symptoms_rated`` false).
    A time asleep needs its quality, and a quality its time asleep.
    """
    errors: dict[str, str] = {}

    def read(name: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except InputError as error:
            errors[name] = _plain(name, error)
            return None

    mood = read("mood", lambda: _required_integer(form, "mood", 0, 10))
    anxiety = read("anxiety", lambda: _required_integer(form, "anxiety", 0, 10))
    asleep = read(
        "asleep_min", lambda: form.optional_integer("asleep_min", 0, MAX_REPORTED_SLEEP_MIN)
    )
    quality = read("quality", lambda: form.optional_integer("quality", 1, 5))
    if asleep is not None and quality is None and "quality" not in errors:
        errors["quality"] = _MISSING["quality"]
    if quality is not None and asleep is None and "asleep_min" not in errors:
        errors["asleep_min"] = _MISSING["asleep_min"]
    events = read("events", lambda: _events(form))
    if errors:
        raise FieldsError(errors)
    night = ReportedSleep(asleep, quality) if asleep is not None else None
    return CheckIn(
        day,
        None,
        mood=mood,
        anxiety=anxiety,
        reported_sleep=night,
        symptoms_rated=False,
        substances_asked=False,  # the quick form asks no drinks or opioids: not "none"
        events=frozenset(events),
    )


def dose_answers(form: FormInput) -> list[DoseAnswer]:
    """The answers given for planned doses (``dose:DAY:HH:MM`` = taken or missed).

    An unanswered dose is not an answer; any other value, or a field that names no day and
    time, is a :class:`FieldsError` against ``doses``.
    """
    answers = []
    for name in form.names():
        if not name.startswith("dose:"):
            continue
        match = _DOSE_FIELD.fullmatch(name)
        value = form.text(name, max_len=10)
        day = as_date(match.group(1)) if match else None
        try:
            clock = parse_clock("doses", match.group(2)) if match else None
        except InputError:
            clock = None
        if day is None or clock is None or value not in {"", "taken", "missed"}:
            raise FieldsError({"doses": "Answer each dose with taken or not taken."})
        if value:
            answers.append(DoseAnswer(day, clock.strftime("%H:%M"), taken=value == "taken"))
    return answers


def claimed_copy(form: FormInput, section: CopySection) -> date | None:
    """The date the form says ``section`` was copied from (checked by the caller), if any."""
    return as_date(form.text(f"{section}_copied_from", max_len=20))


def as_date(text: str) -> date | None:
    """``text`` as a YYYY-MM-DD date, or None (empty, another form, or no such day).

    >>> as_date("2027-01-05"), as_date("2027-02-30"), as_date("")
    (datetime.date(2027, 1, 5), None, None)
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # a day the calendar does not have
        return None


def _night(
    form: FormInput,
    day: date,
    errors: dict[str, str],
    time_zone: tzinfo | None = None,
    stored: SleepDiary | None = None,
) -> SleepDiary | None:
    """The night as given, or None with an error against each field that is wrong."""
    clocks = {name: form.text(name, max_len=10) for name in SLEEP_CLOCKS}
    numbers: dict[str, int] = {}
    limits = {"sol_min": (0, 720), "awakenings": (0, 50), "waso_min": (0, 720), "quality": (1, 5)}
    for name, clock in clocks.items():
        if not clock:
            errors[name] = _MISSING[name]
    for name, (low, high) in limits.items():
        try:
            numbers[name] = _required_integer(form, name, low, high)
        except InputError as error:
            errors[name] = _plain(name, error)
    if any(name in errors for name in (*SLEEP_CLOCKS, *SLEEP_NUMBERS)):
        return None
    if stored is not None and stored.time_zone is not None:
        time_zone = zone(stored.time_zone)  # its clocks are read in the zone it was logged in
    try:
        return edited_night(  # an edit keeps the stored night's clocks as they are, in its zone
            stored,
            day,
            clocks,
            sol_min=numbers["sol_min"],
            waso_min=numbers["waso_min"],
            awakenings=numbers["awakenings"],
            quality=numbers["quality"],
            long_night_confirmed=_box_confirms(form, clocks["tried"], clocks["final_wake"]),
            time_zone=time_zone,
        )
    except LongNightError as error:
        errors["long_night"] = _long_night_words(error)
        return None
    except (CheckInError, InputError) as error:
        field, text = _diary_error(error)
        errors[field] = text
        return None


#: Core sleep-diary errors by their kind, as (field, plain words).
_DIARY_WORDS: Final[dict[str, tuple[str, str]]] = {
    "no_awakenings": (
        "awakenings",
        "You were awake in the night, so you woke at least once: say how many times.",
    ),
    "awake_over_night": (
        "waso_min",
        "The minutes to fall asleep and awake in the night add up to more than the time"
        " from trying to sleep to waking: check them.",
    ),
    "over_24h": (
        "out_of_bed",
        "That is more than 24 hours in bed: check the times.",
    ),
}
_SLIP_WORDS: Final = {
    "final_wake": ("Waking up for good", "trying to sleep"),
    "out_of_bed": ("Getting up", "waking up for good"),
}


def _box_confirms(form: FormInput, tried: str, final_wake: str) -> bool:
    """Whether "Yes, I slept that long" is ticked for this night's two ends.

    The box confirms the night it was shown for (``long_night_for``: the time tried and the
    final awakening as then typed), both read alike, spaces trimmed: clocks changed after
    it was ticked are a new night, asked about again, and a box sent without its night (a
    crafted form) confirms nothing.
    """
    ends = [end.strip() for end in form.shown("long_night_for", max_len=40).split("-", 1)]
    return form.has("long_night") and ends == [tried.strip(), final_wake.strip()]


def _long(night: SleepDiary | None) -> bool:
    """Whether ``night`` is over 16 h from trying to sleep to the final awakening."""
    return night is not None and night.final_wake - night.tried > LONGEST_UNASKED_NIGHT


def _long_night_words(error: LongNightError) -> str:
    """A night over 16 h, asked about in plain words (the box to tick is in the form).

    The hours are the time that really passed (``error.passed``: an hour less than the
    clocks say when they went forward in the night).
    """
    hours, minutes = divmod(int(error.passed.total_seconds() // 60), 60)
    return (
        f"From trying to sleep at {error.tried:%H:%M} to waking up for good at"
        f" {error.final_wake:%H:%M} is {hours} h {minutes} min. If you really slept that long,"
        ' tick "Yes, I slept that long" and save again; if not, check the times (a.m. or'
        " p.m.?)."
    )


def _diary_error(error: InputError) -> tuple[str, str]:
    """A core sleep-diary error as (field, plain words), by its field and kind."""
    field = getattr(error, "field", None)
    kind = getattr(error, "kind", None)
    if isinstance(error, NightSlipError) and field in _SLIP_WORDS:  # night_times' a.m./p.m.
        doing, after = _SLIP_WORDS[field]
        hours, minutes = divmod(int(error.span.total_seconds() // 60), 60)
        return field, (
            f"{doing} at {error.later:%H:%M} is {hours} h {minutes} min after {after} at"
            f" {error.earlier:%H:%M}: check the times (a.m. or p.m.?)."
        )
    if kind == "order" and field in _ORDER:
        return field, _ORDER[field]
    if kind in _DIARY_WORDS:
        return _DIARY_WORDS[kind]
    if kind == "clock" and field in _CLOCK_WORDS:  # 24:00, 7.30, ...
        return field, f"Give {_CLOCK_WORDS[field]} as a time from 00:00 to 23:59, such as 22:30."
    return (field if field in (*SLEEP_CLOCKS, *SLEEP_NUMBERS) else "bed"), str(error)


def _required_integer(form: FormInput, name: str, low: int, high: int) -> int:
    if not form.text(name, max_len=20):
        raise InputError(_MISSING.get(name, f"{name}: say a whole number from {low} to {high}"))
    return form.integer(name, low, high)


def _choice(form: FormInput, name: str, choices: Sequence[str]) -> str:
    text = form.text(name, max_len=20)
    if text and text not in choices:
        raise InputError(f"Choose one of the times listed ({text!r} is not one).")
    return text


def _events(form: FormInput) -> list[Any]:
    events = form.texts("events", max_len=40)
    unknown = [e for e in events if e not in RED_FLAG_EVENTS]
    if unknown:
        raise InputError(f"{unknown[0]!r} is not one of the events listed.")
    return events


def _plain(name: str, error: InputError) -> str:
    """The form's own message, or a core one with the field name put into words."""
    text = str(error)
    prefix = f"{name}: "
    if text.startswith(prefix):
        text = text[len(prefix) :]
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return text


def _sleep_fields(sleep: SleepDiary | None) -> dict[str, str]:
    if sleep is None:
        return {}
    fields = {name: getattr(sleep, name).strftime("%H:%M") for name in SLEEP_CLOCKS}
    fields.update({name: str(getattr(sleep, name)) for name in SLEEP_NUMBERS})
    return fields


def _symptom_fields(checkin: CheckIn) -> dict[str, str]:
    return {f"sym_{i}": str(checkin.symptoms.get(name, 0)) for i, name in enumerate(SYMPTOMS)}


def _iso(day: date | None) -> str:
    return day.isoformat() if day is not None else ""
