"""Storage contract of calendar feeds, reminder settings and events as sent (SQLite, PostgreSQL).

A feed is found by its token's hash only, one live feed per person (a new one revokes the
old), a revoked feed is still found (to answer "gone"); settings default until saved; events
as sent read back equal and are replaced by UID; everything goes with the person.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from taperline.core.reminders import IssuedEvent, ReminderSettings
from taperline.errors import NotFoundError

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
A, B = "a" * 64, "b" * 64


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    engine = make_engine(db_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _person(store: Store) -> int:
    return store.create_person(Profile("Europe/London"))


def test_a_new_feed_revokes_the_old_one(store: Store) -> None:
    pid = _person(store)
    assert store.calendar_feed(pid) is None
    first = store.add_calendar_feed(pid, A, NOW)
    assert first.live
    assert first.created_at == NOW
    assert store.calendar_feed(pid) == first
    second = store.add_calendar_feed(pid, B, LATER)
    assert store.calendar_feed(pid) == second
    old = store.calendar_feed_by_token(A)
    assert old is not None
    assert old.revoked_at == LATER
    assert not old.live
    assert store.calendar_feed_by_token("c" * 64) is None


def test_revoking_ends_the_live_feed_only_once(store: Store) -> None:
    pid = _person(store)
    store.add_calendar_feed(pid, A, NOW)
    assert store.revoke_calendar_feed(pid, LATER)
    assert not store.revoke_calendar_feed(pid, LATER)
    assert store.calendar_feed(pid) is None
    found = store.calendar_feed_by_token(A)
    assert found is not None
    assert found.person_id == pid
    assert found.revoked_at == LATER


def test_settings_default_until_saved_and_then_read_back(store: Store) -> None:
    pid = _person(store)
    assert store.reminder_settings(pid) == ReminderSettings()
    chosen = ReminderSettings(("checkin", "doses"), "07:45", 10, discreet=True)
    store.save_reminder_settings(pid, chosen, NOW)
    assert store.reminder_settings(pid) == chosen
    store.save_reminder_settings(pid, ReminderSettings(()), LATER)
    assert store.reminder_settings(pid).reminders == ()


def test_events_as_sent_round_trip_and_are_replaced_by_uid(store: Store) -> None:
    pid = _person(store)
    one = IssuedEvent("uid-1", "f" * 64, 1, cancelled=False, text="BEGIN:VEVENT\r\nÜ 😴\r\n")
    two = IssuedEvent("uid-2", "e" * 64, 3, cancelled=True, text="BEGIN:VEVENT\r\n")
    store.record_issued_events(pid, [one, two], NOW)
    assert store.issued_events(pid) == [one, two]
    bumped = IssuedEvent("uid-1", "d" * 64, 2, cancelled=True, text=one.text)
    store.record_issued_events(pid, [bumped], LATER)
    store.record_issued_events(pid, [], LATER)
    assert store.issued_events(pid) == [bumped, two]
    # when each form was first sent (a cancellation's 30 days count from it)
    assert [e.issued_at for e in store.issued_events(pid)] == [LATER, NOW]
    assert store.calendar_sent_at(pid) == LATER
    assert store.calendar_sent_at(_person(store)) is None


def test_everything_is_the_persons_own_and_goes_with_them(store: Store) -> None:
    ann, bob = _person(store), _person(store)
    store.add_calendar_feed(ann, A, NOW)
    store.add_calendar_feed(bob, B, NOW)
    store.save_reminder_settings(ann, ReminderSettings(("doses",)), NOW)
    event = IssuedEvent("uid-1", "f" * 64, 1, cancelled=False, text="x")
    store.record_issued_events(ann, [event], NOW)
    assert store.issued_events(bob) == []
    assert store.reminder_settings(bob) == ReminderSettings()
    store.delete_person(ann)
    assert store.calendar_feed_by_token(A) is None
    assert store.issued_events(ann) == []
    assert store.reminder_settings(ann) == ReminderSettings()
    bobs = store.calendar_feed(bob)
    assert bobs is not None
    assert bobs.live


def test_an_unknown_person_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.add_calendar_feed(999, A, NOW)
    with pytest.raises(NotFoundError):
        store.save_reminder_settings(999, ReminderSettings(), NOW)
