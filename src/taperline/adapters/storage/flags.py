"""Red flags for the crisis banner (web pages): found cheaply, hidden once acknowledged.

A red flag is a check-in event (suicidal thoughts, seizure, confusion, psychosis, a fall), a
PHQ-9 with item 9 above 0 [KROENKE-2001, ASAM-2025, SEED-MINDED], or suicidal-thought,
self-harm or seizure words typed in a check-in's notes, a dose-log line's note, or the
profile's conditions or medicines [LABEL]. The messages come from the core's
:func:`~taperline.core.findings.find_red_flags` and
:func:`~taperline.core.findings.find_profile_red_flags`; only the rows that can hold a red
flag are read, so the banner costs four small queries: check-ins with an event or with notes
that contain a crisis word's stem (:func:`~taperline.core.screening.crisis_stems`, a
``LIKE`` pre-filter the exact match then confirms), dose-log lines whose note does, the PHQ-9
scores, and the profile row.

Each flag has a stable key that an acknowledgement stores: its day and what was typed
("2027-01-05:seizure"), or for the profile, which holds no date, "profile:" and the entry as
typed, so that an acknowledged profile entry stays acknowledged on the following days (a
profile flag is shown dated today).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Engine, Integer, String, and_, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from taperline.adapters.storage import schema as t
from taperline.adapters.storage.db import read_transaction
from taperline.adapters.storage.repo import zone
from taperline.core.findings import (
    Finding,
    FindingRules,
    find_profile_red_flags,
    find_red_flags,
)
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import RED_FLAG_EVENTS, CheckIn
from taperline.core.record import PersonRecord
from taperline.core.screening import crisis_matches, crisis_stems

__all__ = ["flag_key", "red_flags", "red_flags_in"]

_PROFILE_LABELS: Final = frozenset({"profile condition", "profile medicine"})


def flag_key(finding: Finding) -> str:
    """The stable key of a red-flag finding: its day and event (or what was typed).

    A profile entry has no day of its own: its key is "profile:" and the entry.
    """
    evidence = finding.evidence[0]
    if evidence.label in _PROFILE_LABELS:
        return f"profile:{evidence.value}"
    return f"{evidence.day.isoformat()}:{evidence.value}"


class _ByteLength(FunctionElement[int]):
    """The length of a text in UTF-8 bytes (more than its characters when not all ASCII)."""

    type = Integer()
    inherit_cache = True
    name = "byte_length"


@compiles(_ByteLength)
def _byte_length(element: _ByteLength, compiler: SQLCompiler, **kw: Any) -> str:
    return f"octet_length({compiler.process(element.clauses, **kw)})"


@compiles(_ByteLength, "sqlite")
def _byte_length_sqlite(element: _ByteLength, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite before 3.43 has no octet_length(); a blob's length() counts its bytes
    return f"length(CAST({compiler.process(element.clauses, **kw)} AS BLOB))"


def _crisis_notes(notes: ColumnElement[str]) -> ColumnElement[bool]:
    """Notes that may hold crisis words: every word of one of the pre-filter groups.

    Or any text that is not all ASCII: the core folds it before matching (a soft hyphen in
    "sui\u00adcide", full-width letters), which ``LIKE`` cannot; the exact match decides.
    """
    lowered = func.lower(notes)
    return or_(
        *(
            and_(*(lowered.contains(word, autoescape=True) for word in group))
            for group in crisis_stems()
        ),
        _ByteLength(notes) != func.length(notes),
    )


# Built once: making these statements costs more than running them.
_EVENT_ROWS: Final = select(t.checkins.c.wake_date, t.checkins.c.events, t.checkins.c.notes).where(
    t.checkins.c.person_id == t.PERSON_ID,
    or_(cast(t.checkins.c.events, String) != "[]", _crisis_notes(t.checkins.c.notes)),
)
_DOSE_NOTE_ROWS: Final = select(t.dose_log.c.day, t.dose_log.c.note).where(
    t.dose_log.c.person_id == t.PERSON_ID, _crisis_notes(t.dose_log.c.note)
)
_PHQ9_ROWS: Final = select(t.instrument_scores.c.taken_on, t.instrument_scores.c["items"]).where(
    t.instrument_scores.c.person_id == t.PERSON_ID, t.instrument_scores.c.instrument == "PHQ-9"
)
_PROFILE_ROW: Final = select(
    t.persons.c.time_zone, t.persons.c.conditions, t.persons.c.other_medicines
).where(t.persons.c.id == t.PERSON_ID)


def _today(time_zone: str, now: datetime | None, today: date | None) -> date:
    """The date in the person's zone: the day a profile flag is shown with."""
    if today is not None:
        return today
    moment = now if now is not None else datetime.now(UTC)
    return moment.astimezone(zone(time_zone)).date()


def red_flags(
    engine: Engine,
    person_id: int,
    local_emergency: str,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> tuple[Finding, ...]:
    """Every red-flag finding on the person's record, newest first.

    The profile's flags are dated ``today`` (the person's date), else the date ``now``
    (timezone-aware; default: the clock) in the person's zone.
    """
    person = {"person_id": person_id}
    with read_transaction(engine) as c:
        event_rows = c.execute(_EVENT_ROWS, person).all()
        dose_rows = c.execute(_DOSE_NOTE_ROWS, person).all()
        score_rows = c.execute(_PHQ9_ROWS, person).all()
        profile = c.execute(_PROFILE_ROW, person).first()
    profile_flags: tuple[Finding, ...] = ()
    if profile is not None:
        profile_flags = find_profile_red_flags(
            tuple(profile.conditions),
            _today(profile.time_zone, now, today),
            FindingRules(local_emergency=local_emergency),
            tuple(profile.other_medicines),
        )
    return _newest_first(
        [(row.wake_date, row.events, row.notes) for row in event_rows],
        [
            InstrumentScore("PHQ-9", tuple(row.items), sum(row.items), "", row.taken_on)
            for row in score_rows
        ],
        local_emergency,
        profile_flags,
        [(row.day, row.note) for row in dose_rows],
    )


def red_flags_in(
    record: PersonRecord,
    local_emergency: str,
    *,
    now: datetime | None = None,
    today: date | None = None,
) -> tuple[Finding, ...]:
    """The same as :func:`red_flags`, from a record already loaded (no queries).

    Only days with an event or with crisis words in their notes make a check-in to read
    (:func:`crisis_matches` keeps its answer per text: the review read the same notes).
    """
    profile = record.profile
    profile_flags = find_profile_red_flags(
        profile.conditions,
        _today(profile.time_zone, now, today),
        FindingRules(local_emergency=local_emergency),
        profile.other_medicines,
    )
    return _newest_first(
        [
            (c.wake_date, c.events, c.notes)
            for c in record.checkins
            if c.events or (c.notes and crisis_matches(c.notes))
        ],
        [s for s in record.scores if s.instrument == "PHQ-9"],
        local_emergency,
        profile_flags,
        [(d.day, d.note) for d in record.doses if d.note and crisis_matches(d.note)],
    )


def _newest_first(
    rows: Sequence[tuple[date, Iterable[str], str]],
    scores: Sequence[InstrumentScore],
    local_emergency: str,
    profile_flags: tuple[Finding, ...] = (),
    dose_notes: Sequence[tuple[date, str]] = (),
) -> tuple[Finding, ...]:
    checkins = [
        CheckIn(
            day,
            None,
            mood=5,
            anxiety=5,
            events=frozenset(e for e in got if e in RED_FLAG_EVENTS),
            notes=notes,
        )
        for day, got, notes in rows
    ]
    phq9 = [s for s in scores if len(s.items) == 9]  # noqa: PLR2004 -- the PHQ-9's item count
    rules = FindingRules(local_emergency=local_emergency)
    found = find_red_flags(checkins, phq9, rules, dose_notes)
    flags = (*profile_flags, *found)
    return tuple(sorted(flags, key=lambda f: f.evidence[0].day, reverse=True))
