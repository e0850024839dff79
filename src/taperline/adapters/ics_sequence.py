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
  ``CANCEL`` is for a whole scheduling message, not one event of a published calendar);
* a cancellation is sent for at least :data:`CANCELLED_KEPT` (30 days) after it was first
  sent, and until the event's last occurrence is over (:func:`pruned`); then it is left out
  of the calendar, while the store keeps its UID and ``SEQUENCE`` (an event that comes back
  gets a higher one).

Why a calendar must see a cancellation at least once: a calendar that *imported* a file
keeps every event it read until a later file it imports sends that UID with a higher
``SEQUENCE`` and ``STATUS:CANCELLED``; leaving an event out of the next file removes nothing
there, so a held cut's alarm would keep firing. A *subscribed* calendar replaces its copy on
each fetch, but apps fetch on their own schedule (Google Calendar can take a day or more)
and may be offline for days. So each cancellation stays for 30 days after it was first
sent, long past any app's refresh interval, and, in any case, for as long as the event has
an occurrence still to come (an event with no end is never dropped): a person who imports
an export late still gets every cancellation that matters. After both, a calendar that never
saw the cancellation only keeps a past event, which alarms no more.

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
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from icalendar import Event, vRecur

from taperline.core.reminders import IssuedEvent

__all__ = [
    "CANCELLED_KEPT",
    "IssuedEvent",
    "cancelled_event",
    "fingerprint",
    "last_moment",
    "pruned",
    "sequenced",
]

#: How long a cancellation is sent at least, from when it was first sent (see the module).
CANCELLED_KEPT: Final = timedelta(days=30)

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


def pruned(previous: IssuedEvent, now: datetime) -> bool:
    r"""Whether a cancellation was sent long enough to leave it out (see the module).

    >>> text = "BEGIN:VEVENT\r\nUID:u\r\nDTSTART;VALUE=DATE:20270104\r\nEND:VEVENT\r\n"
    >>> sent = datetime(2027, 1, 2, tzinfo=UTC)
    >>> gone = IssuedEvent("u", "f", 2, cancelled=True, text=text, issued_at=sent)
    >>> pruned(gone, sent + CANCELLED_KEPT), pruned(gone, sent + CANCELLED_KEPT - timedelta(1))
    (True, False)
    """
    if not previous.cancelled or previous.issued_at is None:
        return False
    if now - previous.issued_at < CANCELLED_KEPT:
        return False
    end = last_moment(previous.text)
    return end is not None and end <= now


def last_moment(text: str) -> datetime | None:
    r"""When the last occurrence of the event ``text`` is over; None when it has no end.

    An all-day date ends a day after its UTC midnight, late enough for any time zone.

    >>> last_moment(
    ...     "BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Europe/London:20270104T220000\r\n"
    ...     "DURATION:PT15M\r\nRRULE:FREQ=DAILY;UNTIL=20270117T220000Z\r\nEND:VEVENT\r\n"
    ... ).isoformat()
    '2027-01-17T22:15:00+00:00'
    >>> last_moment("BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=UTC:20270104T220000\r\n"
    ...             "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n") is None
    True
    """
    event = Event.from_ical(text)
    if not isinstance(event, Event) or "DTSTART" not in event:
        return None
    start = event.decoded("DTSTART")
    if "DTEND" in event:
        length = event.decoded("DTEND") - start
    elif "DURATION" in event:
        length = event.decoded("DURATION")
    else:
        length = timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)
    last = start
    rule = event.get("RRULE")
    if isinstance(rule, vRecur):
        until = rule.get("UNTIL")
        if not until:  # no end (or a COUNT, which taperline never writes): keep it
            return None
        last = until[0]
    return _moment(last + length)


def _moment(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(0), tzinfo=UTC) + timedelta(days=1)
