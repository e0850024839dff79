"""The check-in form: values to show (prefilled from the day before) and back to a CheckIn.

Symptom fields are named by their index in :data:`~taperline.core.journal.SYMPTOMS`
(``sym_0`` ... ``sym_15``) so no field name holds a space. Red-flag events are never
carried over from the day before; notes neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from taperline.core.journal import (
    RED_FLAG_EVENTS,
    SYMPTOMS,
    TIMES_OF_DAY,
    CheckIn,
    SleepDiary,
    night_times,
)
from taperline.errors import CheckInError
from taperline.web.forms import FormInput

__all__ = ["DEFAULTS", "checkin_from_form", "fields_from_checkin", "fields_from_form", "prefill"]

DEFAULTS: Final[dict[str, Any]] = {
    "bed": "23:00",
    "tried": "23:15",
    "final_wake": "06:45",
    "out_of_bed": "07:00",
    "sol_min": "20",
    "awakenings": "1",
    "waso_min": "15",
    "quality": "3",
    "mood": "5",
    "anxiety": "5",
    "worst_time": "",
    "caffeine": "0",
    "alcohol": "0",
    "opioid": False,
    "events": [],
    "notes": "",
    "no_sleep": False,
    **{f"sym_{i}": "0" for i in range(len(SYMPTOMS))},
}


def fields_from_checkin(checkin: CheckIn, *, carry_over: bool = False) -> dict[str, Any]:
    """Form values from a stored check-in (``carry_over``: yesterday's, for today's form)."""
    fields = dict(DEFAULTS)
    sleep = checkin.sleep
    if sleep is not None:
        for name in ("bed", "tried", "final_wake", "out_of_bed"):
            fields[name] = getattr(sleep, name).strftime("%H:%M")
        fields.update(
            sol_min=str(sleep.sol_min),
            awakenings=str(sleep.awakenings),
            waso_min=str(sleep.waso_min),
            quality=str(sleep.quality),
        )
    fields["no_sleep"] = sleep is None and not carry_over
    fields.update(
        mood=str(checkin.mood),
        anxiety=str(checkin.anxiety),
        worst_time=checkin.worst_time or "",
        caffeine=str(checkin.caffeine_drinks),
        alcohol=str(checkin.alcohol_drinks),
        opioid=checkin.opioid_use,
    )
    for i, name in enumerate(SYMPTOMS):
        fields[f"sym_{i}"] = str(checkin.symptoms.get(name, 0))
    if not carry_over:
        fields.update(events=sorted(checkin.events), notes=checkin.notes)
    return fields


def prefill(checkins: Sequence[CheckIn], day: date) -> dict[str, Any]:
    """Values for a new check-in of ``day``: the latest earlier check-in's, or defaults."""
    earlier = [c for c in checkins if c.wake_date < day]
    if not earlier:
        return dict(DEFAULTS)
    return fields_from_checkin(max(earlier, key=lambda c: c.wake_date), carry_over=True)


def fields_from_form(form: FormInput) -> dict[str, Any]:
    """The values as submitted (to show the form again after an error)."""
    fields = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        if isinstance(default, str):
            fields[name] = form.text(name, default, max_len=2000)
    fields["opioid"] = form.has("opioid")
    fields["no_sleep"] = form.has("no_sleep")
    fields["events"] = [e for e in form.texts("events") if e in RED_FLAG_EVENTS]
    return fields


def _sleep(form: FormInput, day: date) -> SleepDiary | None:
    if form.has("no_sleep"):
        return None
    clocks = {n: form.text(n, max_len=10) for n in ("bed", "tried", "final_wake", "out_of_bed")}
    times = night_times(day, **clocks)
    return SleepDiary(
        *times,
        sol_min=form.integer("sol_min", 0, 720),
        waso_min=form.integer("waso_min", 0, 720),
        awakenings=form.integer("awakenings", 0, 50),
        quality=form.integer("quality", 1, 5, default=3),
    )


def checkin_from_form(form: FormInput, day: date) -> CheckIn:
    """A CheckIn from the submitted form; a bad value raises an error naming the field."""
    worst = form.text("worst_time", max_len=20)
    if worst and worst not in TIMES_OF_DAY:
        raise CheckInError(f"worst_time {worst!r} is unknown")
    events = form.texts("events", max_len=40)
    unknown = [e for e in events if e not in RED_FLAG_EVENTS]
    if unknown:
        raise CheckInError(f"events: {unknown[0]!r} is unknown")
    symptoms = {name: form.integer(f"sym_{i}", 0, 3, default=0) for i, name in enumerate(SYMPTOMS)}
    return CheckIn(
        day,
        _sleep(form, day),
        mood=form.integer("mood", 0, 10),
        anxiety=form.integer("anxiety", 0, 10),
        symptoms={k: v for k, v in symptoms.items() if v},
        worst_time=worst or None,
        caffeine_drinks=form.integer("caffeine", 0, 40, default=0),
        alcohol_drinks=form.integer("alcohol", 0, 40, default=0),
        opioid_use=form.has("opioid"),
        events=frozenset(events),  # type: ignore[arg-type]  # checked against RED_FLAG_EVENTS above
        notes=form.text("notes", max_len=2000),
    )
