"""Journal use cases: a check-in, a dose, a questionnaire, each stored and reviewed."""

from __future__ import annotations

from datetime import datetime

from taperline.adapters.storage.repo import Saved, Store
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn, validate_not_future
from taperline.core.record import (
    DoseRecord,
)
from taperline.core.review import Review
from taperline.errors import InputError
from taperline.service.store import local_today, person_review

__all__ = ["record_checkin", "record_dose", "record_score"]


def record_checkin(
    store: Store,
    person_id: int,
    checkin: CheckIn,
    *,
    now: datetime,
    idempotency_key: str | None = None,
    replace: bool = False,
) -> tuple[Saved, Review]:
    """Store a check-in (never one dated in the future) and review the record at once.

    The review is returned so an urgent finding (a red flag) is shown straight away.
    """
    today = local_today(store.profile(person_id).time_zone, now)
    validate_not_future(checkin, today)
    saved = store.save_checkin(person_id, checkin, idempotency_key=idempotency_key, replace=replace)
    return saved, person_review(store, person_id, now=now)


def record_dose(
    store: Store,
    person_id: int,
    dose: DoseRecord,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> Saved:
    """Add a dose to the log (never one dated in the future)."""
    today = local_today(store.profile(person_id).time_zone, now)
    if dose.day > today:
        raise InputError(f"day {dose.day.isoformat()} is in the future (today is {today})")
    return store.log_dose(person_id, dose, idempotency_key=idempotency_key)


def record_score(
    store: Store,
    person_id: int,
    score: InstrumentScore,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[Saved, Review]:
    """Store a PHQ-9 or GAD-7 and review (item 9 above 0 raises an urgent finding)."""
    today = local_today(store.profile(person_id).time_zone, now)
    if score.taken_on is None or score.taken_on > today:
        raise InputError("the questionnaire's date must be given and not in the future")
    saved = store.save_score(person_id, score, idempotency_key=idempotency_key)
    return saved, person_review(store, person_id, now=now)
