"""The dashboard's red flags (from the loaded record) equal the banner's (from two queries)."""

from __future__ import annotations

from datetime import date

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.core.instruments import score_gad7, score_phq9
from taperline.core.journal import CheckIn
from taperline.core.record import Profile
from taperline.web.flags import red_flags, red_flags_in


def test_red_flags_from_the_record_equal_red_flags_from_the_database(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
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
