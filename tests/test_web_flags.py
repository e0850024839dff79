"""The dashboard's red flags (from the loaded record) equal the banner's (from two queries)."""

from __future__ import annotations

from datetime import date

from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.flags import red_flags, red_flags_in
from taperline.adapters.storage.repo import Store
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, Profile


def test_red_flags_from_the_record_equal_red_flags_from_the_database(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    store = Store(engine)
    person = store.create_person(Profile("Europe/London", "40-64"))
    assert red_flags(engine, person, "112") == red_flags_in(store.record(person), "112") == ()
    for day, events in (
        (date(2027, 1, 3), frozenset({"seizure"})),
        (date(2027, 1, 4), frozenset()),
        (date(2027, 1, 5), frozenset({"fall", "suicidal thoughts"})),
    ):
        store.save_checkin(person, CheckIn(day, None, mood=4, anxiety=6, events=events))
    store.save_score(person, score_phq9([1] * 8 + [2], taken_on=date(2027, 1, 6)))
    store.save_score(person, score_phq9([1] * 9, taken_on=date(2027, 1, 7)))
    store.save_score(person, score_phq9([0] * 9, taken_on=date(2027, 1, 8)))
    store.save_score(person, score_gad7([3] * 7, taken_on=date(2027, 1, 8)))
    from_queries = red_flags(engine, person, "112")
    from_record = red_flags_in(store.record(person), "112")
    assert from_record == from_queries
    assert [f.evidence[0].day.day for f in from_record] == [7, 6, 5, 5, 3]
    assert all(f.severity == "urgent" for f in from_record)
    engine.dispose()


def test_crisis_words_in_notes_and_profile_show_in_the_banner(migrated_db_url: str) -> None:
    from datetime import UTC, datetime

    from taperline.adapters.storage.flags import flag_key

    engine = make_engine(migrated_db_url)
    store = Store(engine)
    profile = Profile("Asia/Tokyo", "40-64", ("epilepsy", "history of self-harm"), ())
    person = store.create_person(profile)
    notes = {
        date(2027, 1, 3): "slept badly; a benefit of the walk",  # no crisis words
        date(2027, 1, 4): "I want to DIE",
        date(2027, 1, 5): "had a seizure, seizure medication taken",
        date(2027, 1, 6): "",
    }
    for day, note in notes.items():
        events = frozenset({"seizure"}) if day.day == 6 else frozenset()
        store.save_checkin(person, CheckIn(day, None, mood=4, anxiety=6, events=events, notes=note))
    now = datetime(2027, 1, 10, 23, 30, tzinfo=UTC)  # already 11 January in Tokyo
    from_queries = red_flags(engine, person, "112", now=now)
    from_record = red_flags_in(store.record(person), "112", now=now)
    assert from_record == from_queries
    assert [
        (f.evidence[0].day.day, f.evidence[0].label, f.evidence[0].value) for f in from_record
    ] == [
        (11, "profile condition", "history of self-harm"),
        (6, "event", "seizure"),
        (5, "note", "seizure"),
        (4, "note", "want to DIE"),
    ]
    assert all(f.severity == "urgent" and "112" in f.message for f in from_record)
    keys = [flag_key(f) for f in from_record]
    assert keys[0] == "profile:history of self-harm"  # the same key on every day it is shown
    later = red_flags(engine, person, "112", now=datetime(2027, 2, 1, 12, tzinfo=UTC))
    assert flag_key(later[0]) == keys[0]
    on_a_day = red_flags_in(store.record(person), "112", today=date(2027, 3, 1))
    assert on_a_day[0].evidence[0].day == date(2027, 3, 1)
    assert flag_key(on_a_day[0]) == keys[0]
    engine.dispose()


def test_the_notes_prefilter_skips_notes_without_crisis_stems(migrated_db_url: str) -> None:
    from sqlalchemy import select

    from taperline.adapters.storage import schema as t
    from taperline.adapters.storage.flags import _crisis_notes

    engine = make_engine(migrated_db_url)
    store = Store(engine)
    person = store.create_person(Profile("UTC"))
    for day, note in ((1, "slept well"), (2, "SUICIDAL"), (3, "self  harm"), (4, "fine")):
        store.save_checkin(person, CheckIn(date(2027, 1, day), None, mood=5, anxiety=5, notes=note))
    query = (
        select(t.checkins.c.notes)
        .where(_crisis_notes(t.checkins.c.notes))
        .order_by(t.checkins.c.wake_date)
    )
    with engine.connect() as c:
        assert [row.notes for row in c.execute(query)] == ["SUICIDAL", "self  harm"]
    engine.dispose()


def test_the_notes_prefilter_lets_text_through_that_the_core_folds(migrated_db_url: str) -> None:
    """A soft hyphen or full-width letters hide the stems from LIKE: non-ASCII text passes."""
    from sqlalchemy import select

    from taperline.adapters.storage import schema as t
    from taperline.adapters.storage.flags import _crisis_notes

    engine = make_engine(migrated_db_url)
    store = Store(engine)
    person = store.create_person(Profile("UTC"))
    notes = ("slept well", "sui\u00adcide", "\uff53\uff55\uff49\uff43\uff49\uff44\uff45", "fine")
    for day, note in enumerate(notes, start=1):
        store.save_checkin(person, CheckIn(date(2027, 1, day), None, mood=5, anxiety=5, notes=note))
    dose = DoseRecord(
        date(2027, 1, 4), "clonazepam", "22:00", Mass.of_mg("1"), None, None, note="sei\u00adzure"
    )
    store.log_dose(person, dose)
    query = (
        select(t.checkins.c.notes)
        .where(_crisis_notes(t.checkins.c.notes))
        .order_by(t.checkins.c.wake_date)
    )
    with engine.connect() as c:
        assert [row.notes for row in c.execute(query)] == list(notes[1:3])
    from_record = red_flags_in(store.record(person), "112")
    assert from_record == red_flags(engine, person, "112")
    assert [(f.evidence[0].day.day, f.evidence[0].label) for f in from_record] == [
        (4, "dose note"),
        (3, "note"),
        (2, "note"),
    ]
    assert all(f.severity == "urgent" and "112" in f.message for f in from_record)
    engine.dispose()


def test_red_flags_in_notes_from_the_record_equal_those_from_the_database(
    migrated_db_url: str,
) -> None:
    engine = make_engine(migrated_db_url)
    store = Store(engine)
    person = store.create_person(Profile("UTC"))
    notes = ("slept well", "SUICIDAL", "self  harm", "Ünd ich will STERBEN", "Écrit: want to DIE")
    for day, note in enumerate(notes, start=1):
        events = frozenset({"suicidal thoughts"}) if day == 2 else frozenset()
        store.save_checkin(
            person,
            CheckIn(date(2027, 1, day), None, mood=5, anxiety=5, notes=note, events=events),
        )
    # the dose log's notes: another kind of words than the day's check-in (day 3), the same
    # kind (day 5: one flag), a day with no check-in (day 6), no crisis word (day 1)
    dose_notes = {3: "I want to die", 5: "die", 6: "had a seizure", 1: "with food"}
    for day, note in dose_notes.items():
        day_of = date(2027, 1, day)
        dose = DoseRecord(day_of, "clonazepam", "22:00", Mass.of_mg("1"), None, None, note=note)
        store.log_dose(person, dose)
    from_record = red_flags_in(store.record(person), "112")
    assert from_record == red_flags(engine, person, "112")
    assert [
        (f.evidence[0].day.day, f.evidence[0].label, f.evidence[0].value) for f in from_record
    ] == [
        (6, "dose note", "seizure"),
        (5, "note", "want to DIE"),
        (3, "note", "self  harm"),
        (3, "dose note", "want to die"),
        (2, "event", "suicidal thoughts"),  # the note's word is this day's event: one flag
    ]
    engine.dispose()
