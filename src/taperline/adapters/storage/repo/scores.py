"""The questionnaires (PHQ-9, GAD-7) and their scores."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.repo.common import Saved, _by_key, _check_key, _now, _StoreBase
from taperline.core.instruments import InstrumentScore
from taperline.errors import ConflictError, InputError, NotFoundError

_SCORES_OF: Final = (
    select(t.instrument_scores)
    .where(t.instrument_scores.c.person_id == t.PERSON_ID)
    .order_by(t.instrument_scores.c.taken_on, t.instrument_scores.c.instrument)
)


def _score(row: Row[Any]) -> InstrumentScore:
    replaced = tuple(tuple(items) for items in row.replaced_items or ())
    return InstrumentScore(
        row.instrument, tuple(row.items), row.total, row.band, row.taken_on, replaced
    )


def _score_row(score: InstrumentScore) -> dict[str, Any]:
    if score.taken_on is None:
        raise InputError("a stored questionnaire needs the date it was taken")
    return {
        "instrument": score.instrument,
        "taken_on": score.taken_on,
        "items": list(score.items),
        "total": score.total,
        "band": score.band,
        "idempotency_key": None,
        "replaced_items": [list(items) for items in score.replaced] or None,
    }


class _Scores(_StoreBase):
    """Questionnaire scores: save (idempotent, one of each per day) and read."""

    def save_score(
        self, person_id: int, score: InstrumentScore, *, idempotency_key: str | None = None
    ) -> Saved:
        """Store a scored PHQ-9 or GAD-7 (one of each per day)."""
        _check_key(idempotency_key)
        if score.taken_on is None:
            raise InputError("a stored questionnaire needs the date it was taken")
        table = t.instrument_scores
        try:
            with self._write() as c:
                earlier = _by_key(c, table, person_id, idempotency_key)
                if earlier is not None:
                    return Saved(earlier, created=False)
                self._zone_of(c, person_id)
                new = c.execute(
                    insert(table)
                    .values(
                        **_score_row(score),
                        person_id=person_id,
                        created_at_utc=_now(),
                    )
                    .values(idempotency_key=idempotency_key)
                    .returning(table.c.id)
                ).scalar_one()
                return Saved(int(new), created=True)
        except IntegrityError:
            won = self._race_winner(table, person_id, idempotency_key)
            if won is None:
                won = self._replaced_before(person_id, score)
            if won is None:
                raise ConflictError(
                    f"a {score.instrument} for {score.taken_on.isoformat()} is already stored"
                ) from None
            return won

    def _replaced_before(self, person_id: int, score: InstrumentScore) -> Saved | None:
        """The day's row, when ``score``'s answers are ones it replaced: a retry of those.

        A retake that replaced the day's questionnaire took the row's idempotency key; the
        first answers, sent again (a retry whose answer was lost), are answered as saved.
        """
        table = t.instrument_scores
        with self._read() as c:
            row = c.execute(
                select(table.c.id, table.c.replaced_items).where(
                    table.c.person_id == person_id,
                    table.c.instrument == score.instrument,
                    table.c.taken_on == score.taken_on,
                )
            ).first()
        if row is None or list(score.items) not in (row.replaced_items or []):
            return None
        return Saved(int(row.id), created=False)

    def replace_score(
        self, person_id: int, score: InstrumentScore, *, idempotency_key: str | None = None
    ) -> Saved:
        """Write ``score`` over the stored one of its kind and day (a retake that replaces it).

        The service decides whether a retake replaces (:func:`~taperline.core.instruments.
        retake_replaces`) and gives ``score`` with the answers it replaces kept
        (:func:`~taperline.core.instruments.replacing`); ``idempotency_key`` becomes the
        row's, so a retry of this call is answered as already saved.

        Raises:
            NotFoundError: no questionnaire of that kind and day is stored.
        """
        _check_key(idempotency_key)
        row = _score_row(score)
        table = t.instrument_scores
        with self._write() as c:
            changed = c.execute(
                update(table)
                .where(
                    table.c.person_id == person_id,
                    table.c.instrument == score.instrument,
                    table.c.taken_on == score.taken_on,
                )
                .values(**row, created_at_utc=_now())
                .values(idempotency_key=idempotency_key)
                .returning(table.c.id)
            ).scalar_one_or_none()
        if changed is None:
            day = row["taken_on"].isoformat()
            raise NotFoundError(f"no {score.instrument} for {day} is stored")
        return Saved(int(changed), created=True, replaced=True)

    def scores(self, person_id: int) -> list[InstrumentScore]:
        """Every stored questionnaire, oldest first."""
        table = t.instrument_scores
        query = (
            select(table)
            .where(table.c.person_id == person_id)
            .order_by(table.c.taken_on, table.c.instrument)
        )
        with self._read() as c:
            return [_score(row) for row in c.execute(query)]
