"""Importing a whole record: every plan version, and each change between them, checked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from taperline.adapters.storage.repo import Store
from taperline.core.device_sleep import DeviceSleepRecord
from taperline.core.instruments import InstrumentScore, validate_dated
from taperline.core.journal import CheckIn, validate_not_future
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
)
from taperline.errors import InputError
from taperline.service.journal import with_crisis_line
from taperline.service.plans import check_version_change, checked_version, with_outside
from taperline.service.store import local_today

__all__ = ["RowsImported", "import_checkins", "import_doses", "import_record"]


def _once(what: str, keys: Sequence[str]) -> None:
    """Refuse a record that holds an entry twice, naming it (nothing is imported)."""
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise InputError(f"the record holds {what} {key} twice; nothing was imported")
        seen.add(key)


def import_record(
    store: Store,
    record: PersonRecord,
    *,
    now: datetime | None = None,
    device_sleep: Sequence[DeviceSleepRecord] = (),
    device_file: tuple[str, str] = ("", ""),
    device_preferred_source: str | None = None,
    source: str = "",
) -> int:
    """Store an imported record as a new person, once every plan version passes the rules.

    A record this store holds already (:func:`imported_before`: the same bundle imported
    again) is refused; ``source``, the bundle's Patient full URL, names the person it was
    exported from, whom a copy in the same store does not count as.

    A rejected proposal is history (it can never be approved) and is kept as it is. The
    rules read the imported profile (what the drug is taken for, the age), not a plan's own
    claim; a hold cannot begin after today, no check-in or questionnaire is dated after it,
    and a questionnaire has a date. ``device_sleep`` (from the same bundle) is
    stored in the same transaction as one device sleep import of ``device_file`` (name,
    SHA-256), never into the diary, with the person's ``device_preferred_source``.
    """
    today = local_today(record.profile.time_zone, now or datetime.now(UTC))
    for checkin in record.checkins:  # never a day not lived yet (as every other door)
        validate_not_future(checkin, today)
    for score in record.scores:  # nor a questionnaire (its flag is dated by it)
        _score_dated(score, today)
    _one_a_day(record.scores)
    _once("the check-in of", [c.wake_date.isoformat() for c in record.checkins])
    earlier = imported_before(store, record, source=source)
    if earlier is not None:
        raise InputError(
            f"this record is already here as person {earlier} (the same time zone and label,"
            " and every check-in, dose and questionnaire of it is theirs): it was imported"
            " before; nothing was imported"
        )
    _once("plan version", [str(p.version) for p in record.plans])
    plans: list[PlanVersion] = []
    followed: PlanVersion | None = None
    for version in sorted(record.plans, key=lambda p: p.version):
        if version.status == "rejected":
            plans.append(version)
            continue
        checked = _imported(version, record.profile, today)
        if version.status in {"active", "held"}:
            if followed is not None:
                checked = _imported_change(followed, checked, record.profile)
            followed = checked
        plans.append(checked)
    return store.import_record(
        replace(record, plans=tuple(plans)),
        device_sleep=device_sleep,
        device_file=device_file,
        device_preferred_source=device_preferred_source,
    )


def _score_dated(score: InstrumentScore, today: date) -> None:
    """Refuse a questionnaire with no date or one after ``today``, as every door does.

    The rule of :func:`~taperline.core.instruments.validate_dated` (a score's day dates its
    flag); the message says where a bundle writes the date and that nothing was imported.
    """
    try:
        validate_dated(score, today)
    except InputError as error:
        refused = (
            f"{error} (its QuestionnaireResponse's authored, a total of {score.total}): correct"
            " its date; nothing was imported"
        )
        raise InputError(with_crisis_line(refused, score)) from None


def _one_a_day(scores: Sequence[InstrumentScore]) -> None:
    """Refuse two questionnaires of a kind on one day (one is kept a day), naming them.

    Which of two a bundle's answers were the later ones cannot be told from the day alone,
    so neither is chosen: a PHQ-9 with item 9 above 0 among them gives the crisis line.
    """
    by_day: dict[tuple[str, date | None], list[InstrumentScore]] = {}
    for score in scores:
        by_day.setdefault((score.instrument, score.taken_on), []).append(score)
    for (instrument, day), same in by_day.items():
        if len(same) > 1:
            refused = (
                f"the record holds {len(same)} {instrument} questionnaires of"
                f" {day.isoformat() if day else 'one day'} (totals"
                f" {', '.join(str(s.total) for s in same)}): taperline keeps one a day; leave"
                " out the one not meant; nothing was imported"
            )
            positive = next((s for s in same if s.item9_positive), same[0])
            raise InputError(with_crisis_line(refused, positive))


def _entries(
    checkins: Sequence[CheckIn], doses: Sequence[DoseRecord], scores: Sequence[InstrumentScore]
) -> set[tuple[object, ...]]:
    """What tells one record's entries from another's.

    Each day's check-in by its day and answers, each dose by :func:`_dose_key` and amount,
    each questionnaire by its answers.
    """
    return (
        {("check-in", c.wake_date, c.mood, c.anxiety, c.notes) for c in checkins}
        | {("dose", *_dose_key(d), d.amount.mg if d.amount else None) for d in doses}
        | {("score", s.instrument, s.taken_on, s.items) for s in scores}
    )


def imported_before(store: Store, record: PersonRecord, *, source: str = "") -> int | None:
    """The person who already holds ``record``: the same bundle imported again (None: none).

    A person is that record's when they have its time zone and label and every one of its
    check-ins, doses and questionnaires (one they logged since does not matter). No import
    id is stored with a person, so this is what can tell; a record holding none of these
    (a profile alone) cannot be told from another person's, and is never refused. The
    person the bundle was exported from (their export's Patient URL is ``source``) is not
    counted: their own export imported beside them is a copy asked for, once.
    """
    entries = _entries(record.checkins, record.doses, record.scores)
    if not entries:
        return None
    days = [c.wake_date for c in record.checkins] + [d.day for d in record.doses]
    start, end = (min(days), max(days)) if days else (None, None)
    wanted = (record.profile.time_zone, record.profile.label)
    for person_id in store.person_ids():
        profile = store.profile(person_id)
        if (profile.time_zone, profile.label) != wanted:
            continue
        kept = _entries(
            store.checkins(person_id, start, end) if record.checkins else (),
            store.doses(person_id, start, end) if record.doses else (),
            store.scores(person_id) if record.scores else (),
        )
        if entries <= kept and _exported_as(store, person_id) != source:
            return person_id
    return None


def _exported_as(store: Store, person_id: int) -> str:
    """The full URL of the person's Patient in their own export (see service.exports)."""
    from taperline.adapters.fhir.builders import patient_url
    from taperline.service.exports import person_uuid

    return patient_url(f"urn:uuid:{person_uuid(store, person_id)}")


def _imported_change(followed: PlanVersion, version: PlanVersion, profile: Profile) -> PlanVersion:
    """An imported version put in force after another: the change on its day is checked too.

    Its day is the person's date it was decided on; a resumed hold is checked like any
    other change (an import's steps were not worked out by taperline).
    """
    day = local_today(profile.time_zone, version.decided_at or version.proposed_at)
    what = f"plan version {version.version} of the import (nothing was imported)"
    outside = check_version_change(followed, version, day, profile, what)
    return replace(version, basis=with_outside(version.basis, outside))


def _imported(version: PlanVersion, profile: Profile, today: date) -> PlanVersion:
    from taperline.errors import SafetyError

    if version.held_from is not None and version.held_from > today:
        raise InputError(
            f"plan version {version.version} of the import is held from "
            f"{version.held_from.isoformat()}, after today ({today.isoformat()}): nothing was "
            "imported"
        )
    try:
        return checked_version(version, profile=profile)
    except SafetyError as error:
        raise SafetyError(
            f"plan version {version.version} of the import breaks a safety rule, so nothing was"
            f" imported: {error}"
        ) from None


@dataclass(frozen=True, slots=True)
class RowsImported:
    """How many rows an import stored, and each row left out with why."""

    count: int
    skipped: tuple[str, ...] = ()


def import_checkins(
    store: Store, person_id: int, checkins: Sequence[CheckIn], *, now: datetime, skip: bool
) -> RowsImported:
    """Store imported check-ins in one transaction: none dated after today, no day twice.

    A day in the future or one that already has a check-in refuses the whole import, or,
    with ``skip``, is left out and named (the others are stored).
    """
    today = local_today(store.profile(person_id).time_zone, now)
    days = [c.wake_date for c in checkins]
    stored = (
        {c.wake_date for c in store.checkins(person_id, min(days), max(days))} if days else set()
    )
    problems: dict[date, str] = {}
    for day in days:
        if day > today:
            problems[day] = f"{day.isoformat()} is in the future (today is {today.isoformat()})"
        elif day in stored:
            problems[day] = f"{day.isoformat()} already has a check-in"
    return _import(
        sorted(problems.items()),
        skip,
        lambda: store.import_checkins(
            person_id, [c for c in checkins if c.wake_date not in problems]
        ),
    )


_DoseKey = tuple[date, str, str | None, datetime | None, int]


def _dose_key(dose: DoseRecord) -> _DoseKey:
    """What makes a dose-log line the same line: its day, drug, planned time and taken_at.

    The fold of taken_at counts (the two 01:30 of the night the clocks go back are two
    moments; naive datetimes compare equal without it); the amount and note do not.
    """
    taken = dose.taken_at
    return (dose.day, dose.drug.casefold(), dose.planned_clock, taken, taken.fold if taken else 0)


def _dose_named(dose: DoseRecord) -> str:
    when = (
        f"taken {dose.taken_at.isoformat(sep=' ', timespec='minutes')}"
        if dose.taken_at is not None
        else "missed"
    )
    planned = f" planned {dose.planned_clock}" if dose.planned_clock else " extra"
    return f"the {dose.drug}{planned} dose of {dose.day.isoformat()} ({when})"


def import_doses(
    store: Store, person_id: int, doses: Sequence[DoseRecord], *, now: datetime, skip: bool
) -> RowsImported:
    """Store imported dose-log lines in one transaction: none dated after today, none twice.

    A line already in the dose log (the same day, drug, planned time and taken_at: the same
    file imported again) or one in the future refuses them all; with ``skip`` it is left out
    and named, and the others are stored.
    """
    today = local_today(store.profile(person_id).time_zone, now)
    days = [d.day for d in doses]
    stored = {_dose_key(d) for d in store.doses(person_id, min(days), max(days))} if days else set()
    problems: dict[int, tuple[date, str]] = {}
    for index, dose in enumerate(doses):
        if dose.day > today:
            future = f"is in the future (today is {today.isoformat()})"
            problems[index] = (dose.day, f"{_dose_named(dose)} {future}")
        elif _dose_key(dose) in stored:
            problems[index] = (dose.day, f"{_dose_named(dose)} is already in the dose log")
    return _import(
        sorted(problems.values()),
        skip,
        lambda: store.import_doses(
            person_id, [d for index, d in enumerate(doses) if index not in problems]
        ),
    )


def _import(
    problems: Sequence[tuple[date, str]],
    skip: bool,  # noqa: FBT001 -- the caller's --skip-bad
    write: Callable[[], int],
) -> RowsImported:
    if problems and not skip:
        first = problems[0][1]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InputError(f"{first}{more}: nothing was imported")
    return RowsImported(write(), tuple(message for _, message in problems))
