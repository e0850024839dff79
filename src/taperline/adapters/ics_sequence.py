"""What a calendar already holds, so that the next export updates it (RFC 5545 3.8.7.4).

A calendar app that imported or subscribed to taperline's reminders keeps each event by its
UID and takes a new copy only when its ``SEQUENCE`` is higher. So every export is compared
with what was issued before (an :class:`IssuedEvent` per UID, kept by the caller: the
subscription feed stores them):

* an event whose content (everything but ``DTSTAMP`` and ``SEQUENCE``) is unchanged keeps its
  ``SEQUENCE``;
* a changed event (a time, a text, an alarm) gets a higher one, never lower than the plan's
  version (exports before this ledger existed wrote the version, and calendars hold those);
* an event that an export no longer has (a held or replaced step, a reminder turned off) is
  sent again with its old UID, ``STATUS:CANCELLED``, no alarm and a higher ``SEQUENCE``, so
  calendars drop it (RFC 5545 3.8.1.11; the calendar stays ``METHOD:PUBLISH``: RFC 5546's
  ``CANCEL`` is for a whole scheduling message, not one event of a published calendar).

>>> first = sequenced(None, "abc", version=1)
>>> first
1
>>> sequenced(IssuedEvent("u", "abc", 1, False, ""), "abc", version=2)
1
>>> sequenced(IssuedEvent("u", "abc", 1, False, ""), "abd", version=1)
2
>>> sequenced(IssuedEvent("u", "abc", 1, False, ""), "abd", version=4)
4
"""

from __future__ import annotations

import hashlib
from typing import Final

from icalendar import Event

from taperline.core.reminders import IssuedEvent

__all__ = ["IssuedEvent", "cancelled_event", "fingerprint", "sequenced"]

_VOLATILE: Final = (b"DTSTAMP", b"SEQUENCE")
_CANCELLED_NOTE: Final = (
    "This reminder is no longer part of your plan (the plan changed, was put on hold, or you"
    " turned this reminder off). Follow the reminders that are not cancelled."
)


def fingerprint(event: Event) -> str:
    """The hash of what an event says: every content line but ``DTSTAMP`` and ``SEQUENCE``."""
    lines = bytes(event.to_ical()).split(b"\r\n")
    kept = b"\r\n".join(line for line in lines if not line.startswith(_VOLATILE))
    return hashlib.sha256(kept).hexdigest()


def sequenced(previous: IssuedEvent | None, printed: str, *, version: int) -> int:
    """The ``SEQUENCE`` of an event whose fingerprint is ``printed`` (see the module)."""
    if previous is None:
        return version
    if previous.fingerprint == printed:  # a cancellation's SUMMARY differs from the event's
        return previous.sequence
    return max(previous.sequence + 1, version)


def cancelled_event(text: str) -> Event:
    """The event issued as ``text``, cancelled: same UID and times, no alarm, no RRULE change.

    ``DTSTAMP`` and ``SEQUENCE`` are left for the caller to set.
    """
    event = Event.from_ical(text)
    if not isinstance(event, Event):
        raise TypeError("an issued event's text is not a VEVENT")
    event.subcomponents = [c for c in event.subcomponents if c.name != "VALARM"]
    summary = str(event.get("SUMMARY", "taperline reminder"))
    for name in ("SUMMARY", "DESCRIPTION", "STATUS", "SEQUENCE", "DTSTAMP"):
        event.pop(name, None)
    event.add("SUMMARY", f"Cancelled: {summary}")
    event.add("DESCRIPTION", _CANCELLED_NOTE)
    event.add("STATUS", "CANCELLED")
    return event
