"""Reminders in the person's own calendar: feed tokens (hashed), settings, events as sent.

A person has at most one live feed: adding one revokes the others in the same transaction.
Feeds are found by the SHA-256 of their token only; a revoked feed's row stays, so that its
URL can answer "gone" rather than "not found".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import _StoreBase
from taperline.errors import ConflictError

if TYPE_CHECKING:  # the reminders' model is loaded by what reads or writes them
    from taperline.core.reminders import IssuedEvent, ReminderSettings

__all__ = ["CalendarFeed"]


@dataclass(frozen=True, slots=True)
class CalendarFeed:
    """A calendar subscription: whose, made when, revoked when (None: live)."""

    id: int
    person_id: int
    created_at: datetime
    revoked_at: datetime | None

    @property
    def live(self) -> bool:
        """Whether the feed still answers."""
        return self.revoked_at is None


def _feed(row: Row[Any]) -> CalendarFeed:
    return CalendarFeed(row.id, row.person_id, row.created_at_utc, row.revoked_at_utc)


class _Calendar(_StoreBase):
    """The calendar feed, the reminder settings and the events as sent."""

    def add_calendar_feed(self, person_id: int, token_sha256: str, now: datetime) -> CalendarFeed:
        """A new live feed for the person; any earlier live feed is revoked at ``now``."""
        table = t.calendar_feeds
        with self._write() as c:
            self._zone_of(c, person_id)
            c.execute(
                update(table)
                .where(table.c.person_id == person_id, table.c.revoked_at_utc.is_(None))
                .values(revoked_at_utc=now)
            )
            row = c.execute(
                insert(table)
                .values(person_id=person_id, token_sha256=token_sha256, created_at_utc=now)
                .returning(*table.c)
            ).one()
        return _feed(row)

    def revoke_calendar_feed(self, person_id: int, now: datetime) -> bool:
        """Revoke the person's live feed; False when there was none."""
        table = t.calendar_feeds
        with self._write() as c:
            done = c.execute(
                update(table)
                .where(table.c.person_id == person_id, table.c.revoked_at_utc.is_(None))
                .values(revoked_at_utc=now)
            )
        return bool(done.rowcount)

    def calendar_feed(self, person_id: int) -> CalendarFeed | None:
        """The person's live feed, if any."""
        table = t.calendar_feeds
        query = select(table).where(
            table.c.person_id == person_id, table.c.revoked_at_utc.is_(None)
        )
        with self._read() as c:
            row = c.execute(query).first()
        return None if row is None else _feed(row)

    def calendar_feed_by_token(self, token_sha256: str) -> CalendarFeed | None:
        """The feed (live or revoked) whose token has this SHA-256, if any."""
        table = t.calendar_feeds
        with self._read() as c:
            row = c.execute(select(table).where(table.c.token_sha256 == token_sha256)).first()
        return None if row is None else _feed(row)

    def reminder_settings(self, person_id: int) -> ReminderSettings:
        """The person's reminder settings (the defaults until they save some)."""
        table = t.reminder_settings
        with self._read() as c:
            row = c.execute(select(table).where(table.c.person_id == person_id)).first()
        from taperline.core.reminders import ReminderSettings

        if row is None:
            return ReminderSettings()
        return ReminderSettings(
            tuple(row.reminders), row.checkin_clock, row.alarm_minutes_before, row.discreet
        )

    def save_reminder_settings(
        self, person_id: int, settings: ReminderSettings, now: datetime
    ) -> ReminderSettings:
        """Store the person's reminder settings (replacing earlier ones)."""
        table = t.reminder_settings
        values = {
            "reminders": list(settings.reminders),
            "checkin_clock": settings.checkin_clock,
            "alarm_minutes_before": settings.alarm_minutes_before,
            "discreet": settings.discreet,
            "updated_at_utc": now,
        }
        with self._write() as c:
            self._zone_of(c, person_id)
            c.execute(delete(table).where(table.c.person_id == person_id))
            c.execute(insert(table).values(person_id=person_id, **values))
        return settings

    def issued_events(self, person_id: int) -> list[IssuedEvent]:
        """Every event the person's calendars were sent, as last sent, by UID."""
        table = t.calendar_events
        query = select(table).where(table.c.person_id == person_id).order_by(table.c.uid)
        from taperline.core.reminders import IssuedEvent

        with self._read() as c:
            return [
                IssuedEvent(
                    r.uid, r.fingerprint_sha256, r.sequence, r.cancelled, r.vevent, r.issued_at_utc
                )
                for r in c.execute(query)
            ]

    def calendar_sent_at(self, person_id: int) -> datetime | None:
        """When the person's calendar events were last recorded as sent (None: never)."""
        table = t.calendar_events
        query = select(func.max(table.c.issued_at_utc)).where(table.c.person_id == person_id)
        with self._read() as c:
            found: datetime | None = c.execute(query).scalar()
        return found

    def record_issued_events(
        self, person_id: int, events: Sequence[IssuedEvent], now: datetime
    ) -> None:
        """Store ``events`` as the last sent of their UIDs (the others are kept).

        Raises:
            ConflictError: another read recorded the same UIDs at the same moment.
        """
        if not events:
            return
        table = t.calendar_events
        uids = [event.uid for event in events]
        rows = [
            {
                "person_id": person_id,
                "uid": e.uid,
                "fingerprint_sha256": e.fingerprint,
                "sequence": e.sequence,
                "cancelled": e.cancelled,
                "vevent": e.text,
                "issued_at_utc": now,
            }
            for e in events
        ]
        try:
            with self._write() as c:
                self._zone_of(c, person_id)
                c.execute(
                    delete(table).where(table.c.person_id == person_id, table.c.uid.in_(uids))
                )
                c.execute(insert(table), rows)
        except IntegrityError:
            raise ConflictError("the calendar was sent meanwhile; look again") from None
