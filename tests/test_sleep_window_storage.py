"""Storage contract of the sleep window's weeks, on SQLite and PostgreSQL (``db_url``).

What is added reads back equal, in order; rows are only added; a person's weeks are theirs
and go with them; an unknown person is not found.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from taperline.core.sleep_course import WindowWeek
from taperline.errors import NotFoundError
from tests.strategies import window_weeks

FIRST = WindowWeek(date(2027, 1, 7), 390, 345, "patient", "patient", "your average sleep")
REVIEWED = WindowWeek(
    date(2027, 1, 14), 390, 360, "patient", "patient", "you slept 94 % ...", step_min=15,
    efficiency_pct=94.2, nights=7, raise_above_se_pct=90.0,
)  # fmt: skip
SET = WindowWeek(date(2027, 1, 15), 0, 300, "clinician", "Dr Lee — Zoë", "agreed 😴")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    engine = make_engine(db_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


def _person(store: Store) -> int:
    return store.create_person(Profile("Europe/London", "40-64", ("insomnia",), ()))


def test_weeks_round_trip_in_order(store: Store) -> None:
    pid = _person(store)
    assert store.sleep_windows(pid) == []
    for week in (FIRST, REVIEWED, SET):
        assert store.add_sleep_window(pid, week) == week
    assert store.sleep_windows(pid) == [FIRST, REVIEWED, SET]


def test_weeks_belong_to_their_person_and_go_with_them(store: Store) -> None:
    ann, bob = _person(store), _person(store)
    store.add_sleep_window(ann, FIRST)
    store.add_sleep_window(bob, SET)
    store.delete_person(ann)
    assert store.sleep_windows(ann) == []
    assert store.sleep_windows(bob) == [SET]


def test_an_unknown_person_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.add_sleep_window(999, FIRST)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(window_weeks(), min_size=1, max_size=3))
def test_generated_weeks_round_trip(store: Store, weeks: list[WindowWeek]) -> None:
    pid = _person(store)
    for week in weeks:
        store.add_sleep_window(pid, week)
    assert store.sleep_windows(pid) == weeks
