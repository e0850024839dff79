"""Reminders in the person's own calendar: what they want reminded, and what was sent.

:class:`ReminderSettings` is the person's choice (which kinds of reminder, the check-in
time, how early a dose alarm fires); :class:`IssuedEvent` is one event as calendars last
received it, so that the next export or feed read updates it rather than adds a copy
(:mod:`taperline.adapters.ics_sequence`).

>>> ReminderSettings().reminders
('doses', 'checkin', 'changes', 'refills')
>>> ReminderSettings(reminders=("refills", "doses")).reminders
('doses', 'refills')
>>> ReminderSettings(checkin_clock="8am")
Traceback (most recent call last):
...
taperline.errors.InputError: checkin_clock: '8am' is not a 24-hour clock time such as 22:00
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from taperline.core.values import parse_clock
from taperline.errors import InputError, ValueFormatError

__all__ = ["REMINDER_KINDS", "REMINDER_LABELS", "IssuedEvent", "ReminderSettings"]

#: The kinds of reminder a calendar may hold, in the order they are written.
REMINDER_KINDS: Final = ("doses", "checkin", "changes", "refills")
#: Each kind in plain words (the settings page, the CLI).
REMINDER_LABELS: Final = {
    "doses": "Dose times, with how to make each dose",
    "checkin": "The daily check-in",
    "changes": "Dose changes, with how to make the new dose",
    "refills": "Refills, before your supply runs out",
}
_MINUTES_PER_DAY: Final = 24 * 60


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """Which reminders a person's calendar holds, and when.

    ``checkin_clock`` (``HH:MM``) places the daily check-in and the alarms of the all-day
    dose-change and refill events; ``alarm_minutes_before`` is how early a dose alarm fires;
    ``discreet``: titles and alarms that do not name the drug ("Evening dose").
    The kinds are kept in the order of :data:`REMINDER_KINDS`, without repeats.
    """

    reminders: tuple[str, ...] = REMINDER_KINDS
    checkin_clock: str = "08:00"
    alarm_minutes_before: int = 0
    discreet: bool = False

    def __post_init__(self) -> None:
        for kind in self.reminders:
            if kind not in REMINDER_KINDS:
                known = ", ".join(REMINDER_KINDS)
                raise InputError(f"reminders: {kind!r} is not a kind of reminder ({known})")
        ordered = tuple(kind for kind in REMINDER_KINDS if kind in self.reminders)
        object.__setattr__(self, "reminders", ordered)
        try:
            parse_clock(self.checkin_clock)
        except ValueFormatError as error:
            raise InputError(f"checkin_clock: {error}") from None
        if not 0 <= self.alarm_minutes_before <= _MINUTES_PER_DAY:
            raise InputError(
                f"alarm_minutes_before must be 0 to {_MINUTES_PER_DAY},"
                f" got {self.alarm_minutes_before}"
            )


@dataclass(frozen=True, slots=True)
class IssuedEvent:
    """An event as calendars last received it.

    ``fingerprint``: a SHA-256 (hex) of the event without ``DTSTAMP`` and ``SEQUENCE``;
    ``text``: the ``VEVENT`` as issued while live (a later cancellation keeps its times);
    ``issued_at``: when this form was first sent (its last change), as stored; None for one
    not stored yet. It is not part of what was sent, so two are equal without it.
    """

    uid: str
    fingerprint: str
    sequence: int
    cancelled: bool
    text: str
    issued_at: datetime | None = field(default=None, compare=False)
