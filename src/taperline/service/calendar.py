"""Reminders in the person's own calendar: the private subscription feed and its settings.

A feed is a URL with a random token (``secrets.token_urlsafe``, 256 bits: not guessable);
the store keeps only the token's SHA-256, so a copy of the database cannot be turned into
working URLs. A person has at most one live feed: a new one revokes the old, and a revoked
URL answers "gone". The token is not the session: it can read the calendar and nothing else.

Every calendar the person gets, the feed and the one-off ``.ics`` export alike, is built by
:func:`taperline.adapters.ics.calendar_feed` against what their calendars were sent before
(``Store.issued_events``), and what it sends is recorded: so an event that changed gets a
higher SEQUENCE, and one that a plan change, a hold or a settings change removed is sent
cancelled with its old UID (:mod:`taperline.adapters.ics_sequence`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from taperline.adapters.storage.repo import Store
from taperline.adapters.storage.repo.calendar import CalendarFeed
from taperline.core.record import PersonRecord, PlanVersion, RecordDose
from taperline.core.reminders import IssuedEvent, ReminderSettings
from taperline.errors import ConflictError
from taperline.service.store import plan_decisions, reviewed_record

__all__ = [
    "FEED_REFRESH_MIN",
    "PersonCalendar",
    "feed_of_token",
    "new_feed",
    "person_calendar",
    "revoke_feed",
    "save_reminders",
    "token_sha256",
]

#: How often a subscribed calendar app is asked to fetch the feed again.
FEED_REFRESH_MIN: Final = 60
_TOKEN_BYTES: Final = 32
# token_urlsafe(32) gives 43 characters of the URL-safe base64 alphabet; anything else is
# refused before any database read.
_TOKEN_FORM: Final = re.compile(r"[A-Za-z0-9_-]{43}")


def token_sha256(token: str) -> str:
    """The stored form of a feed token (hex SHA-256).

    >>> token_sha256("x")[:12]
    '2d711642b726'
    """
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed(store: Store, person_id: int, *, now: datetime) -> str:
    """Make the person a new feed token (the old feed stops); the token is shown once only."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    store.add_calendar_feed(person_id, token_sha256(token), now)
    return token


def revoke_feed(store: Store, person_id: int, *, now: datetime) -> bool:
    """End the person's feed; False when there was none."""
    return store.revoke_calendar_feed(person_id, now)


def feed_of_token(store: Store, token: str) -> CalendarFeed | None:
    """The feed (live or revoked) whose URL holds ``token``; None for anything else."""
    if not _TOKEN_FORM.fullmatch(token):
        return None
    return store.calendar_feed_by_token(token_sha256(token))


def save_reminders(
    store: Store,
    person_id: int,
    *,
    reminders: Collection[str],
    checkin_clock: str,
    alarm_minutes_before: int,
    discreet: bool = False,
    now: datetime,
) -> ReminderSettings:
    """Check and store the person's reminder settings (InputError names a bad field)."""
    settings = ReminderSettings(tuple(reminders), checkin_clock, alarm_minutes_before, discreet)
    return store.save_reminder_settings(person_id, settings, now)


@dataclass(frozen=True, slots=True)
class PersonCalendar:
    """A person's calendar as sent: the iCalendar bytes and the plan it reminds of."""

    data: bytes
    plan: PlanVersion | None


def _waiting(record: PersonRecord, today: date) -> tuple[tuple[date, RecordDose, datetime], ...]:
    """Today's doses to stay on until a clinician answered, due by then and not logged."""
    if all(decision.on != today for decision in plan_decisions(record)):
        return ()
    from taperline.service.journal import unlogged_stays  # a day a clinician answered

    return tuple((today, dose, at) for dose, at in unlogged_stays(record, today))


def person_calendar(
    store: Store,
    person_id: int,
    *,
    now: datetime,
    settings: ReminderSettings | None = None,
    refill_days_before: int = 5,
    refresh_minutes: int | None = None,
) -> PersonCalendar:
    """The person's reminders for the plan in force, sequenced against what was sent before.

    ``settings`` defaults to the person's stored reminder settings. Without a plan, the
    calendar only cancels what was sent before (a new feed is valid, and quiet). What is
    sent is recorded, so the next export or feed read updates the same events.
    """
    from taperline.adapters.ics import calendar_feed, calendar_without_plan
    from taperline.service.today import readiness_of

    chosen = settings if settings is not None else store.reminder_settings(person_id)
    found = reviewed_record(store, person_id, now=now)
    before = store.issued_events(person_id)
    plan = found.record.plan
    if plan is None:
        out = calendar_without_plan(generated_at=now, issued=before)
    else:
        out = calendar_feed(
            plan,
            found.record.profile,
            generated_at=now,
            checkin_clock=chosen.checkin_clock,
            refill_days_before=refill_days_before,
            alarm_minutes_before=chosen.alarm_minutes_before,
            calendar_key=f"person-{person_id}",
            readiness=readiness_of(found.record, found.today, found.review),
            reminders=chosen.reminders,
            issued=before,
            refresh_minutes=refresh_minutes,
            discreet=chosen.discreet,
            waiting=_waiting(found.record, found.today),
        )
    _record(store, person_id, before, out.issued, now)
    return PersonCalendar(out.data, plan)


def _record(
    store: Store,
    person_id: int,
    before: Collection[IssuedEvent],
    after: Collection[IssuedEvent],
    now: datetime,
) -> None:
    """Store the events whose sent form changed (none, usually)."""
    known = {(e.uid, e.fingerprint, e.sequence) for e in before}
    changed = [e for e in after if (e.uid, e.fingerprint, e.sequence) not in known]
    with contextlib.suppress(ConflictError):  # a read at that moment recorded the same
        store.record_issued_events(person_id, changed, now)
