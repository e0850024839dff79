"""Red flags for the crisis banner: found cheaply on every page, hidden once acknowledged.

A red flag is a check-in event (suicidal thoughts, seizure, confusion, psychosis, a fall) or
a PHQ-9 with item 9 above 0 [KROENKE-2001, ASAM-2025, SEED-MINDED]. The messages come from
the core's :func:`~taperline.core.findings.find_red_flags`; only the rows that can hold a
red flag are read, so the banner costs two small queries. Each flag has a stable key
("2027-01-05:seizure") that an acknowledgement stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from sqlalchemy import Engine, String, cast, select

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction
from taperline.core.findings import Finding, FindingRules, find_red_flags
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import RED_FLAG_EVENTS, CheckIn
from taperline.core.record import PersonRecord

__all__ = ["Banner", "flag_key", "red_flags", "red_flags_in"]


@dataclass(frozen=True, slots=True)
class Banner:
    """The crisis banner: the unacknowledged red flags and their keys."""

    flags: tuple[Finding, ...]
    keys: tuple[str, ...]


def flag_key(finding: Finding) -> str:
    """The stable key of a red-flag finding: its day and event."""
    evidence = finding.evidence[0]
    return f"{evidence.day.isoformat()}:{evidence.value}"


# Built once: making these statements costs more than running them.
_EVENT_ROWS: Final = select(t.checkins.c.wake_date, t.checkins.c.events).where(
    t.checkins.c.person_id == t.PERSON_ID, cast(t.checkins.c.events, String) != "[]"
)
_PHQ9_ROWS: Final = select(t.instrument_scores.c.taken_on, t.instrument_scores.c["items"]).where(
    t.instrument_scores.c.person_id == t.PERSON_ID, t.instrument_scores.c.instrument == "PHQ-9"
)


def red_flags(engine: Engine, person_id: int, local_emergency: str) -> tuple[Finding, ...]:
    """Every red-flag finding on the person's record, newest first."""
    person = {"person_id": person_id}
    with read_transaction(engine) as c:
        event_rows = c.execute(_EVENT_ROWS, person).all()
        score_rows = c.execute(_PHQ9_ROWS, person).all()
    return _newest_first(
        [(row.wake_date, row.events) for row in event_rows],
        [
            InstrumentScore("PHQ-9", tuple(row.items), sum(row.items), "", row.taken_on)
            for row in score_rows
        ],
        local_emergency,
    )


def red_flags_in(record: PersonRecord, local_emergency: str) -> tuple[Finding, ...]:
    """The same as :func:`red_flags`, from a record already loaded (no queries)."""
    return _newest_first(
        [(c.wake_date, c.events) for c in record.checkins if c.events],
        [s for s in record.scores if s.instrument == "PHQ-9"],
        local_emergency,
    )


def _newest_first(
    events: Sequence[tuple[date, Iterable[str]]],
    scores: Sequence[InstrumentScore],
    local_emergency: str,
) -> tuple[Finding, ...]:
    checkins = [
        CheckIn(
            day, None, mood=5, anxiety=5, events=frozenset(e for e in got if e in RED_FLAG_EVENTS)
        )
        for day, got in events
    ]
    phq9 = [s for s in scores if len(s.items) == 9]  # noqa: PLR2004 -- the PHQ-9's item count
    found = find_red_flags(checkins, phq9, FindingRules(local_emergency=local_emergency))
    return tuple(sorted(found, key=lambda f: f.evidence[0].day, reverse=True))
