"""Journal use cases: a check-in, a dose, a questionnaire, each stored and reviewed."""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from taperline.adapters.storage.repo import Saved, Store
from taperline.core.findings import Finding, crisis_message, find_red_flags
from taperline.core.instruments import (
    InstrumentScore,
    replacing,
    retake_replaces,
    validate_dated,
)
from taperline.core.journal import CheckIn, kept_night, validate_not_future, with_copies
from taperline.core.quantity import Mass, fmt
from taperline.core.readiness import Readiness, check_readiness
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    RecordDose,
    Regimen,
    day_text,
    describe_dose,
    nearest_planned,
    nearest_struck,
    planned_around,
    planned_on,
)
from taperline.core.record.versions import step_doses_on
from taperline.core.review import Review, cut_dates
from taperline.errors import (
    ConfirmationNeededError,
    ConflictError,
    InputError,
    NotFoundError,
    UnknownDrugError,
)

if TYPE_CHECKING:
    from taperline.adapters.storage.accounts import User

from taperline.service.store import (
    decision_moments,
    local_now,
    local_today,
    person_review,
    plan_decisions,
    review_as_of,
)

__all__ = [
    "AT_THIS_COMPUTER",
    "AuditLine",
    "DoseEntry",
    "LoggedDose",
    "auditor",
    "log_dose",
    "loggable_doses",
    "mark_copies",
    "record_checkin",
    "record_dose",
    "record_score",
    "remove_checkin",
    "remove_dose",
    "restore_checkin",
    "restore_dose",
    "stay_on_doses",
    "stays_until_answer",
    "store_checkin",
    "unlogged_stays",
]


def record_checkin(
    store: Store,
    person_id: int,
    checkin: CheckIn,
    *,
    now: datetime,
    idempotency_key: str | None = None,
    replace: bool = False,
    audit: AuditLine | None = None,
) -> tuple[Saved, Review]:
    """Store a check-in (never one dated in the future) and review the record at once.

    The review is returned so an urgent finding (a red flag) is shown straight away; an
    edit (``replace``) with ``audit`` writes its audit line with it.
    """
    today = local_today(store.profile(person_id).time_zone, now)
    action = "edit" if replace else "write"
    saved = store_checkin(
        store,
        person_id,
        checkin,
        today=today,
        idempotency_key=idempotency_key,
        replace=replace,
        audit=audit(action, f"check-in {checkin.wake_date.isoformat()}") if audit else None,
    )
    return saved, person_review(store, person_id, now=now)


def mark_copies(
    store: Store,
    person_id: int,
    checkin: CheckIn,
    *,
    sleep_from: date | None = None,
    symptoms_from: date | None = None,
) -> CheckIn:
    """``checkin`` marked as a copy of the check-ins it says it copied, where it still is one.

    ``sleep_from`` / ``symptoms_from`` are the dates the person chose "same as last night"
    from (None: typed by them). A section is marked only when that day's check-in exists and
    the section was kept as it was; a day that has no check-in, or a section changed since,
    leaves it unmarked (the person's own entry).
    """

    def source(day: date | None) -> CheckIn | None:
        if day is None or day >= checkin.wake_date:
            return None
        try:
            return store.checkin(person_id, day)
        except NotFoundError:
            return None

    return with_copies(
        checkin, sleep_source=source(sleep_from), symptoms_source=source(symptoms_from)
    )


#: Makes the audit line of a correction from its action and what it was about (the interface
#: knows who is making it: a signed-in user, or the person at this computer).
AuditLine = Callable[[str, str], Mapping[str, Any]]
#: Who a correction made at this computer (the CLI) is by, in the audit log.
AT_THIS_COMPUTER = "you, on this computer (taperline command line)"


def auditor(
    person_id: int, now: datetime, *, user: User | None = None, label: str | None = None
) -> AuditLine:
    """The audit lines of ``user`` (or ``label``; the CLI: :data:`AT_THIS_COMPUTER`) at ``now``."""
    from taperline.adapters.storage.accounts.audit import audit_row

    def line(action: str, obj: str) -> Mapping[str, Any]:
        return audit_row(user, person_id, action, obj, now, label=label)

    return line


def remove_checkin(
    store: Store, person_id: int, day: date, *, audit: AuditLine | None = None
) -> CheckIn:
    """Delete the check-in of ``day`` (the dose log is kept) and return it, for an undo.

    ``audit`` makes the audit line written in the same transaction, which says what was
    removed (the record keeps who corrected what, from every door).

    Raises:
        NotFoundError: the day has no check-in.
    """
    removed = store.checkin(person_id, day)
    line = (
        audit("delete", f"check-in {day.isoformat()} ({_checkin_text(removed)})") if audit else None
    )
    store.delete_checkin(person_id, day, audit=line)
    # its night names the zone its clocks were read in (the person's, unless it has its own):
    # put back after the person moved, it keeps its moments
    return _with_zone(removed, store.profile(person_id).time_zone)


def restore_checkin(
    store: Store,
    person_id: int,
    checkin: CheckIn,
    *,
    now: datetime,
    audit: AuditLine | None = None,
) -> Saved:
    """Put back a check-in that was deleted, as it was (the undo of :func:`remove_checkin`).

    Nothing is read from a form: a night in brief stays one, a checklist or drinks not asked
    stay not asked, a copy stays marked as one. Sent twice, it is put back once (a key made
    from the check-in itself, which goes with the row: deleted again, it can come back again).

    Raises:
        ConflictError: the day has a check-in again (saved since it was deleted, or this one
            put back and changed since).
        InputError: the day is in the future.
    """
    zone_name = store.profile(person_id).time_zone
    today = local_today(zone_name, now)
    line = (
        audit("restore", f"check-in {checkin.wake_date.isoformat()} ({_checkin_text(checkin)})")
        if audit
        else None
    )
    from taperline.adapters.csvio import checkin_code

    code = checkin_code(checkin, person_id=person_id)
    key = "restore:" + hashlib.sha256(code.encode()).hexdigest()
    saved = store_checkin(store, person_id, checkin, today=today, idempotency_key=key, audit=line)
    if not saved.created and store.checkin(person_id, checkin.wake_date) != _as_read(
        checkin, zone_name
    ):  # put back before by this key, then changed: not 'as it was'
        raise ConflictError(
            f"the check-in of {checkin.wake_date.isoformat()} was put back and changed since;"
            " open it to change it"
        )
    return saved


def _with_zone(checkin: CheckIn, zone_name: str) -> CheckIn:
    """``checkin`` with its night's zone named: its own, else ``zone_name``."""
    night = checkin.sleep
    if night is None or night.time_zone is not None:
        return checkin
    return replace(checkin, sleep=replace(night, time_zone=zone_name))


def _as_read(checkin: CheckIn, zone_name: str) -> CheckIn:
    """``checkin`` as the store reads it for a person in ``zone_name`` (that zone: not its own)."""
    night = checkin.sleep
    if night is None or night.time_zone != zone_name:
        return checkin
    return replace(checkin, sleep=replace(night, time_zone=None))


def remove_dose(
    store: Store,
    person_id: int,
    day: date,
    *,
    planned_clock: str | None,
    taken_at: datetime | None = None,
    audit: AuditLine | None = None,
) -> DoseRecord:
    """Delete one dose-log line and return it, for an undo, with its audit line.

    A planned dose is named by its time, an extra one by when it was taken.

    Raises:
        NotFoundError: no such line.
    """
    line = None
    if audit is not None:
        described = f"dose {day.isoformat()} {planned_clock or 'extra'}"
        for dose in store.doses(person_id, day, day):
            if dose.planned_clock == planned_clock:
                described = f"dose {day.isoformat()} {_dose_text(dose)}"
                break
        line = audit("delete", described)
    return store.delete_dose(
        person_id, day, planned_clock=planned_clock, taken_at=taken_at, audit=line
    )


def restore_dose(
    store: Store,
    person_id: int,
    record: DoseRecord,
    *,
    now: datetime,
    audit: AuditLine | None = None,
) -> Saved:
    """Put back a dose-log line that was removed (the undo of :func:`remove_dose`).

    Raises:
        ConflictError: that planned dose is in the day's log again already.
        InputError: the day is in the future.
    """
    today = local_today(store.profile(person_id).time_zone, now)
    if record.day > today:
        raise InputError(f"day: {record.day.isoformat()} is in the future (today is {today})")
    if record.planned_clock is not None and any(
        d.planned_clock == record.planned_clock
        for d in store.doses(person_id, record.day, record.day)
    ):
        raise ConflictError(
            f"the {record.planned_clock} dose of {record.day.isoformat()} is already in the log"
        )
    line = (
        audit("restore", f"dose {record.day.isoformat()} {_dose_text(record)}") if audit else None
    )
    # an extra dose has no planned time to conflict on: the undo sent twice (a double tap, the
    # page sent again) puts it back once, by a key made from the line itself (freed when the
    # line is removed again), so a dose taken once is never in the log twice
    key = "restore:" + hashlib.sha256(repr(record).encode()).hexdigest()
    return store.log_dose(person_id, record, idempotency_key=key, audit=line)


def _checkin_text(checkin: CheckIn) -> str:
    if checkin.sleep is not None:
        night = "with a night"
    elif checkin.reported_sleep is not None:
        night = "with a night in brief"
    else:
        night = "no night"
    return f"mood {checkin.mood}, anxiety {checkin.anxiety}, {night}"


def _dose_text(dose: DoseRecord) -> str:
    what = dose.planned_clock or "extra"
    if dose.taken_at is None or dose.amount is None:
        return f"{what}: missed"
    return f"{what}: {fmt(dose.amount)} taken {dose.taken_at:%Y-%m-%d %H:%M}"


def store_checkin(
    store: Store,
    person_id: int,
    checkin: CheckIn,
    *,
    today: date,
    idempotency_key: str | None = None,
    replace: bool = False,
    audit: Mapping[str, Any] | None = None,
) -> Saved:
    """Store a check-in dated no later than the person's ``today``, without reviewing.

    :func:`record_checkin` reviews at once; the web app reviews once after the write and
    caches the result for the next page, and writes its ``audit`` line (an ``audit_log``
    row) in the same transaction as the check-in.
    """
    validate_not_future(checkin, today)
    if replace and checkin.sleep is not None and checkin.sleep.time_zone is None:
        checkin = _night_kept(store, person_id, checkin)
    return store.save_checkin(
        person_id, checkin, idempotency_key=idempotency_key, replace=replace, audit=audit
    )


def _night_kept(store: Store, person_id: int, checkin: CheckIn) -> CheckIn:
    """An edit that keeps the clock times of a night logged in another zone keeps its zone."""
    try:
        stored = store.checkin(person_id, checkin.wake_date)
    except NotFoundError:
        return checkin
    night = kept_night(stored.sleep, checkin.sleep)
    return checkin if night is checkin.sleep else replace(checkin, sleep=night)


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
        raise InputError(f"day: {dose.day.isoformat()} is in the future (today is {today})")
    return store.log_dose(person_id, dose, idempotency_key=idempotency_key)


def record_score(
    store: Store,
    person_id: int,
    score: InstrumentScore,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> tuple[Saved, Review]:
    """Store a PHQ-9 or GAD-7 and review (item 9 above 0 raises an urgent finding).

    One of each is kept a day: a retake the same day is refused (ConflictError), unless it is
    a PHQ-9 with a higher answer to item 9, which replaces the day's (``Saved.replaced``,
    :func:`~taperline.core.instruments.retake_replaces`). A refused retake with item 9 above
    0 says the crisis resources and that the day's stored answer, as high, is flagged.
    """
    try:
        validate_dated(score, local_today(store.profile(person_id).time_zone, now))
    except InputError as error:
        raise InputError(with_crisis_line(str(error), score)) from None
    try:
        saved = store.save_score(person_id, score, idempotency_key=idempotency_key)
    except ConflictError as error:
        stored = next(
            (
                s
                for s in store.scores(person_id)
                if (s.instrument, s.taken_on) == (score.instrument, score.taken_on)
            ),
            None,
        )
        if stored is None or not retake_replaces(stored, score):
            raise ConflictError(_retake_refused(str(error), score)) from None
        kept = replacing(stored, score)
        saved = store.replace_score(person_id, kept, idempotency_key=idempotency_key)
    return saved, person_review(store, person_id, now=now)


def with_crisis_line(refused: str, score: InstrumentScore) -> str:
    """A questionnaire's refusal, with the crisis resources when its item 9 is above 0.

    Whatever is wrong with it (a date, a second one the same day), a PHQ-9 that tells of
    thoughts of death or self-harm is never answered without them.
    """
    if not score.item9_positive:
        return refused
    return (
        f"{refused}. Your answer to item 9 (thoughts of death or self-harm) was above 0:"
        f" {crisis_message()}"
    )


def _retake_refused(refused: str, retake: InstrumentScore) -> str:
    """Why a same-day retake was refused; with item 9 above 0, the crisis resources too."""
    if not retake.item9_positive:
        return f"{refused}: one of each a day is kept"
    return (
        f"{refused}, with the same or a higher answer to item 9 (thoughts of death or"
        f" self-harm): your clinician is shown it. {crisis_message()}"
    )


@dataclass(frozen=True, slots=True)
class DoseEntry:
    """What a person says about a dose; what they leave out comes from the day's plan.

    The day's planned doses are the plan in force's, or before it starts the person's
    regimen (:func:`~taperline.core.record.planned_on`): the usual dose is never "extra".

    ``planned_clock`` names the planned dose (HH:MM) it belongs to; without it,
    ``next_planned`` picks one (the CLI's default), or the entry is an extra dose (the
    API's). With ``next_planned`` and no ``day``, the dose is matched by time across
    midnight: the planned dose of yesterday or today (of ``taken_at``'s day or the day
    before) nearest to when it was taken, so a dose logged at 07:00 is last night's (see
    :mod:`taperline.core.record.matching`); with a ``day``, it is that day's next planned
    dose not yet logged. Without ``day`` or ``next_planned``, ``day`` is the day it was
    taken (today, unless ``taken_at`` says otherwise).
    ``taken_at`` is the local wall-clock moment it was taken (default: now, for a dose of
    today or matched by time); ``amount`` defaults to the planned one; ``planned_amount``,
    when given, must be the plan's. ``units_from_plan`` records the planned dose's
    instructions as what was used (a tap on "taken" beside them). ``confirmed`` stores an
    amount far from the plan (see :func:`log_dose`).
    """

    day: date | None = None
    planned_clock: str | None = None
    next_planned: bool = False
    missed: bool = False
    taken_at: datetime | None = None
    amount: Mass | None = None
    planned_amount: Mass | None = None
    drug: str | None = None
    units: str = ""
    note: str = ""
    units_from_plan: bool = False
    confirmed: bool = False
    #: The amount is the dose before the cut at ``planned_clock``: a tap on "I stayed on
    #: 1 mg" at a cut the readiness check holds (refused for any other dose).
    dose_before_cut: bool = False


@dataclass(frozen=True, slots=True)
class LoggedDose:
    """A dose-log line as stored, the planned dose it belongs to, and whether it was new."""

    saved: Saved
    record: DoseRecord
    planned: RecordDose | None
    #: The dose the person was asked to take: the plan's, or at a cut the readiness check
    #: holds unanswered the step before's at that time (None: neither gives one).
    expected: RecordDose | None = None

    @property
    def red_flags(self) -> tuple[Finding, ...]:
        """Crisis words in the line's note, as urgent findings: said at once, as a check-in's."""
        return red_flags_of((), (self.record,))


def red_flags_of(
    checkins: Sequence[CheckIn],
    doses: Sequence[DoseRecord] = (),
    scores: Sequence[InstrumentScore] = (),
) -> tuple[Finding, ...]:
    """The red flags of entries coming in (an import): said at once, as a check-in's are.

    Events, crisis words in check-in and dose-log notes, PHQ-9 item 9 above 0, by the same
    rule as every review (:func:`~taperline.core.findings.find_red_flags`).
    """
    notes = [(d.day, d.note) for d in doses if d.note]
    return find_red_flags(checkins, scores, dose_notes=notes)


def log_dose(
    store: Store,
    person_id: int,
    entry: DoseEntry,
    *,
    now: datetime,
    idempotency_key: str | None = None,
    read_record: Callable[[], PersonRecord] | None = None,
) -> LoggedDose:
    """Match ``entry`` to the plan in force (the regimen before it starts) and log it.

    The one place that decides which planned dose a log line belongs to, for the CLI's
    ``log-dose``, the dashboard's dose buttons and ``POST /api/doses``. A retry with the
    same ``idempotency_key`` returns the line already stored. Errors name the field
    (``planned``, ``drug``, ``amount``, ``time``, ``missed``).

    ``read_record``: gives the person's whole record as stored now (what
    ``store.record(person_id)`` reads), for a caller that keeps it (the web app, with the
    dashboard); read from ``store`` when not given. Only a line of a day whose doses a cut
    changed reads it (whether the readiness check holds that cut: kept with the line, taken,
    missed or extra).

    On a day a held cut moved the dose times (1 mg at 22:00 before it, 0.5 mg at 08:00 and
    0.375 mg at 20:00 after), the dose to stay on at its old time is a planned dose of the
    day too, by its time or matched by time: logged as told (the dose before the cut by
    default, ``stay_on_before`` kept), as the dashboard shows it
    (:func:`taperline.service.today.held_lines`).

    Raises:
        NotFoundError: ``planned_clock`` is not a planned dose of that day, nor on a held day
            a dose to stay on (matched by time: of the day it was taken or the day before).
        InputError: the entry cannot be completed (a missed dose that is not a planned one,
            no amount, a planned amount that is not the plan's, ...).
        ConflictError: that planned dose is already in the day's log (matched by time: the
            nearest planned dose is).
        ConfirmationNeededError: the amount is more than the plan gives for the whole day, or
            would take the day above the daily maximum for what the person takes it for, or
            on a held day the day's total above the dose before the cut (the dose to stay
            on: a new dose taken and the dose to stay on too); stored when
            ``entry.confirmed`` (the escalation finding shows it to the clinician).
    """
    if idempotency_key is not None:
        earlier = store.dose_by_key(person_id, idempotency_key)
        if earlier is not None:  # a retry: the stored line and its id, nothing written
            return LoggedDose(
                store.log_dose(person_id, earlier, idempotency_key=idempotency_key), earlier, None
            )
    # a brand, another case: the catalogue's name (the plan's spelling), so no check is skipped
    entry = replace(entry, drug=catalogue_name(entry.drug)) if entry.drug else entry
    profile = store.profile(person_id)
    zone_name = profile.time_zone
    today = local_today(zone_name, now)
    plan = store.plan_in_force(person_id)
    regimen = profile.regimen  # what the day's doses are before the plan starts
    # without a day: the dose's day is found by when it was taken (now, when not given)
    moment = entry.taken_at or local_now(zone_name, now)
    by_time = entry.day is None and entry.next_planned
    # read once at most, whichever of the steps below needs it first (each day's check too,
    # as asked when the dose was taken: a dose to stay on taken before the clinician answered
    # that day, logged after, is one to stay on)
    read = _Reader(
        read_record or functools.partial(store.record, person_id),
        _asked_at(entry, moment),
    )
    if by_time:
        day, target, day_log, stay = _nearest_dose(
            store, person_id, entry, plan=plan, regimen=regimen, moment=moment, today=today,
            read_record=read,
        )  # fmt: skip
    else:
        day = entry.day or moment.date()
        day_log = store.doses(person_id, day, day)
        target, stay = _dose_of_day(entry, read, plan, regimen, day, day_log)
    scheduled = planned_on(plan, regimen, day)
    if target is not None and entry.drug is not None and entry.drug != target.drug:
        raise InputError(f"drug: the plan's {target.clock} dose is {target.drug}, not {entry.drug}")
    drug = entry.drug or (target.drug if target else _usual_drug(plan, regimen, day))
    if drug is None:
        raise InputError("drug: say which medicine (there is no plan in force or regimen)")
    if entry.missed and target is None:
        left = "is due" if by_time else "is left that day"
        raise InputError(f"missed: only a planned dose can be missed, and none {left}")
    if target is not None and stay is None and not entry.missed:
        _wait_for_stays(read, plan, zone_name, day, target)
    asked, before, scheduled = _asked_of(
        read, plan, day, target, scheduled, missed=entry.missed, stay=stay
    )
    asks_amount = entry.amount is None and not entry.dose_before_cut
    if target is not None and before is not None and asks_amount:
        raise _amount_asked(read, day, target)
    amount = _amount(entry, target, before, staying_on=stay is not None)
    if amount is None and not entry.missed:
        left = "is planned yesterday or today" if by_time else "is left that day"
        raise InputError(f"amount: say how much (no planned dose {left})")
    if amount is not None and not entry.confirmed:
        far = _far_from_plan(
            profile.conditions,
            drug=drug,
            amount=amount,
            scheduled=scheduled,
            day_log=day_log,
            held=asked is not None and asked.before is not None,
            finished=asked is not None and asked.finished,
            answered=_answer_day_ceiling(read, plan, zone_name, day, drug),
        )
        if far is not None:
            raise ConfirmationNeededError("amount", far)
    record = DoseRecord(
        day,
        drug,
        target.clock if target else None,
        target.amount if target else None,
        _taken_at(entry, moment, day, target, local_now(zone_name, now)),
        amount,
        _units(entry, target),
        entry.note,
        # what the person was asked, kept with the line: a check-in written or deleted later
        # does not change which days were held (taperline.core.readiness.held_days)
        cut_checked=asked is not None,
        stay_on_before=asked.cut if asked is not None else None,
    )
    saved = record_dose(store, person_id, record, now=now, idempotency_key=idempotency_key)
    return LoggedDose(saved, record, target, _expected(target, before))


def _wait_for_stays(
    read: _Reader, plan: PlanVersion | None, zone_name: str, day: date, target: RecordDose
) -> None:
    """Refuse ``target`` while a dose to stay on until ``day``'s answer is not logged.

    A planned dose taken after a clinician answered a held cut that day, while the dose to
    stay on until the answer is not logged: taken before the answer (as told), that dose
    finishes the day on the dose before the cut, and ``target`` is then another dose (0.5 mg
    tonight, not the new 0.75 mg); logged first, the new dose would make 1.25 mg that day
    with nothing to show why. The refusal says what to do first; today's view waits for it
    the same way (``answer_first``). Returns when no such dose is waiting, without reading
    the record when the plan says there can be none (:func:`_answered_on_or_after`).
    """
    if not _answered_on_or_after(plan, zone_name, day):
        return
    for stay, at in unlogged_stays(read(), day):
        if stay.clock != target.clock and (read.moment is None or at < read.moment):
            raise InputError(
                f"planned: first say whether you took the {stay.clock} dose of"
                f" {fmt(stay.amount)} on {day.isoformat()}: it was the one to take until your"
                f" clinician answered at {at:%H:%M}. Taken before then, that day finishes on"
                " the dose before the cut: log it with the time you took it, or as not"
                f" taken, then the {target.clock} dose"
            )


def _answered_on_or_after(plan: PlanVersion | None, zone_name: str, day: date) -> bool:
    """Whether ``day`` may have a dose to stay on until a clinician's answer that day.

    The plan alone says so (nothing is read): a decision made on ``day`` or later (the plan
    in force's is the last one made), and a cut by ``day`` that had a dose at a time the day
    has none (:func:`_moves_times`).
    """
    decided = plan.decided_at if plan is not None else None
    if plan is None or decided is None or local_today(zone_name, decided) < day:
        return False
    return _moves_times(plan, day, planned_on(plan, None, day))


def _answer_day_ceiling(
    read: _Reader, plan: PlanVersion | None, zone_name: str, day: date, drug: str
) -> Decimal | None:
    """The daily dose of ``drug`` before the cut a clinician answered on ``day`` (else None).

    Only on such a day with a dose to stay on due before the answer
    (:func:`stays_until_answer`): that dose, taken, finishes the day on the dose before the
    cut, and logged as an extra dose, or not said, the day's other doses would not show it.
    The record is read only when the plan says there may be one (:func:`_answered_on_or_after`).
    """
    if not _answered_on_or_after(plan, zone_name, day):
        return None
    stays = stays_until_answer(read(), day)
    if not stays:
        return None
    ready = _Reader(read, stays[0][1]).readiness(day)  # as the check was until the answer
    if ready is None or not ready.stays_on_before:
        return None
    total = sum((d.amount.mg for d in step_doses_on(ready.before, day) if d.drug == drug),
                Decimal(0))  # fmt: skip
    return total if total > 0 else None


def _amount_asked(read: _Reader, day: date, target: RecordDose) -> InputError:
    """The question of the amount taken of a held cut's new dose (never the plan's by default).

    Taken before a clinician answered that day and logged after, the words say so.
    """
    moment = read.moment
    answered = (
        next((at for d, at in decision_moments(read()) if d.on == day and at >= moment), None)
        if moment is not None
        else None
    )
    if answered is not None:
        return InputError(
            f"amount: the {target.clock} dose of {day.isoformat()} was the new dose of a cut"
            " your clinician had not answered when you took it (they answered at"
            f" {answered:%H:%M}): say the amount you took"
        )
    return InputError(
        f"amount: the {target.clock} dose of {day.isoformat()} is the new dose of a cut your"
        " clinician has not answered yet (ask them before this cut): say the amount you took"
    )


def _asked_at(entry: DoseEntry, moment: datetime) -> datetime | None:
    """The moment whose instructions a dose followed: when it was taken, as given.

    None for a dose logged as taken now (every decision made so far applies, as the day's).
    A missed planned dose has no time taken: its planned time that day (today's, matched by
    time) when that has passed (``moment``: now), as it was asked then (a dose to stay on
    until a clinician answered at 14:05, missed at 08:00, is a missed dose to stay on).
    """
    if entry.taken_at is not None:  # to the minute, as decisions are (and the log keeps it)
        return entry.taken_at.replace(second=0, microsecond=0)
    if not entry.missed or entry.planned_clock is None:
        return None
    try:
        clock = time.fromisoformat(entry.planned_clock)
    except ValueError:  # not a clock: log_dose says so, as for any dose
        return None
    planned = datetime.combine(entry.day or moment.date(), clock)
    return planned if planned < moment else None


def _amount(
    entry: DoseEntry,
    target: RecordDose | None,
    before: Sequence[RecordDose] | None,
    *,
    staying_on: bool = False,
) -> Mass | None:
    """The amount taken: the one given, the dose before a held cut, or the plan's.

    ``staying_on``: ``target`` is itself the dose before the held cut, to stay on at a time
    the new step has none.
    """
    if entry.missed:
        return None
    if not entry.dose_before_cut:
        return entry.amount or (target.amount if target else None)
    if staying_on and target is not None:
        return target.amount
    stay = _expected(target, before)
    if target is None or before is None or stay is None:
        raise InputError(
            "amount: 'the dose before the cut' is only for the new dose of a cut your"
            " clinician has not answered yet, at a time the dose before it was taken too"
        )
    return stay.amount


def _dose_of_day(  # noqa: PLR0917 -- log_dose's values, for one step of it
    entry: DoseEntry,
    read_record: Callable[[], PersonRecord],
    plan: PlanVersion | None,
    regimen: Regimen | None,
    day: date,
    day_log: Sequence[DoseRecord],
) -> tuple[RecordDose | None, _StayingOn | None]:
    """The planned dose of ``day`` ``entry`` belongs to (None: extra), and what was asked.

    What was asked is given when the dose is the one to stay on at a time a held cut's new
    step has none (else None). The record is read only for a time the day's plan has none
    (:func:`_staying_on`).
    """
    scheduled = planned_on(plan, regimen, day)
    stay = None
    clock = entry.planned_clock
    at_clock = [d for d in scheduled if d.clock == clock]
    if (
        (entry.next_planned if clock is None else not at_clock)
        # a dose a cut changed: on the day a clinician answered the cut after a dose to stay on
        # was taken, the dose before the cut at its time is the day's (its own read, as ever)
        or any(_cut_changed(plan, day, d) for d in at_clock)
    ):
        stay = _staying_on(read_record, plan, day, scheduled)
    extra = stay.doses if stay is not None else ()
    if stay is not None:
        scheduled = stay.asked.as_asked(scheduled)
    candidates = (*scheduled, *extra)
    if clock is None and stay is not None:
        # the day's next dose on a held day is one the patient was told to take (a dose the
        # cut did not change, or one to stay on), by time, before the cut's new doses (each
        # a question for the clinician)
        kept = stay.asked.before or ()
        told = sorted((*(d for d in scheduled if d in kept), *extra), key=lambda d: d.clock)
        candidates = (*told, *(d for d in scheduled if d not in told))
    if clock is not None and at_clock and all(d.clock != clock for d in candidates):
        # the new step's dose at this time, on a day finished on the dose before the cut
        raise NotFoundError(
            f"planned: no dose is planned at {clock} on {day.isoformat()}: your clinician"
            " went ahead with the cut, but a dose before the cut had already been taken that"
            " day, so the new dose starts the next day"
        )
    if clock is not None and all(d.clock != clock for d in candidates):
        _refuse_stay_after_answer(read_record, day, clock)
    logged = {d.planned_clock for d in day_log}
    target = _planned_dose(entry, day, candidates, logged)
    return target, stay if target is not None and target in extra else None


def _refuse_stay_after_answer(
    read_record: Callable[[], PersonRecord], day: date, clock: str
) -> None:
    """Refuse, saying why, the dose at ``clock`` to stay on until a clinician answered ``day``.

    A held cut that moved the dose times (0.5 mg at 08:00 and 22:00, then 0.75 mg at 22:00)
    asks the patient to stay on the 08:00 dose until their clinician answers. Logged after
    the answer, that dose is one of the day only if it was taken before the answer
    (:func:`stays_until_answer`): with no time, or a later one, it is refused with what to
    do (a plain "no dose is planned at 08:00" would leave the patient no way to log what
    they took as told). Returns when ``clock`` is no such dose.
    """
    moment = read_record.moment if isinstance(read_record, _Reader) else None
    for stay, at in stays_until_answer(read_record(), day):
        if stay.clock != clock or (moment is not None and at >= moment):
            continue
        if moment is not None and moment.date() > day:  # said with a time, of a later day
            raise InputError(
                f"day: the {clock} dose of {fmt(stay.amount)} on {day.isoformat()} was the one"
                f" to take until your clinician answered about your dose change at {at:%H:%M}"
                " that day. If you took it then, say that day with the time you took it"
            )
        raise InputError(
            f"time: your clinician answered about your dose change at {at:%H:%M} on"
            f" {day.isoformat()}; until then the {clock} dose of {fmt(stay.amount)} was"
            f" the one to take. If you took it before {at:%H:%M}, say when you took it"
        )


def _expected(target: RecordDose | None, before: Sequence[RecordDose] | None) -> RecordDose | None:
    """The dose asked for: ``target``, or at a questioned cut the step before's at its time."""
    if target is None or before is None:
        return target
    return next((d for d in before if d.clock == target.clock), None)


def _planned_dose(
    entry: DoseEntry, day: date, scheduled: Sequence[RecordDose], logged: set[str | None]
) -> RecordDose | None:
    """The planned dose ``entry`` belongs to (None: an extra dose)."""
    if entry.planned_clock is None:
        if not entry.next_planned:
            return None
        return next((d for d in scheduled if d.clock not in logged), None)
    clock = entry.planned_clock
    target = next((d for d in scheduled if d.clock == clock), None)
    if target is None:
        raise NotFoundError(f"planned: no dose is planned at {clock} on {day.isoformat()}")
    if clock in logged:
        raise ConflictError(f"the {clock} dose of {day.isoformat()} is already in the log")
    _check_planned_amount(entry, day, target)
    return target


def _nearest_dose(
    store: Store,
    person_id: int,
    entry: DoseEntry,
    *,
    plan: PlanVersion | None,
    regimen: Regimen | None,
    moment: datetime,
    today: date,
    read_record: Callable[[], PersonRecord],
) -> tuple[date, RecordDose | None, list[DoseRecord], _StayingOn | None]:
    """A dose matched by time: its day, its planned dose (None: extra), that day's log.

    And what was asked when the dose is one to stay on at a held cut's old time (else None).
    The planned dose of ``moment``'s day or the day before (at ``entry.planned_clock`` when
    given) nearest to ``moment`` (:func:`nearest_planned`; for a missed dose, one already
    due); on a day a held cut moved the dose times, the doses to stay on are planned ones too
    (:func:`_staying_on`: the record is read only on such a day). When that dose is already
    in the log this entry is refused, never matched to a farther one: logging last night's
    dose twice is a repeat, not tonight's dose taken early.
    """
    on = moment.date()
    log = store.doses(person_id, on - timedelta(days=1), on)
    clock = entry.planned_clock
    planned = list(planned_around(plan, on, regimen))
    stays: dict[date, _StayingOn] = {}
    for day in (on - timedelta(days=1), on):
        scheduled = planned_on(plan, regimen, day)
        found = _staying_on(read_record, plan, day, scheduled)
        if found is not None:
            stays[day] = found
            kept = found.asked.as_asked(scheduled)  # finished on the dose before: not the new
            planned = [(d, p) for d, p in planned if d != day or p in kept]
            planned += [(day, dose) for dose in found.doses]
    candidates = [(d, p) for d, p in planned if clock in {None, p.clock}]
    if clock is not None and all(d != on for d, _p in candidates):
        # today's dose to stay on until the clinician answered, logged after it without a
        # time before it: refused saying why, not matched to yesterday's dose at that time
        _refuse_stay_after_answer(read_record, on, clock)
    chosen = nearest_planned(moment, candidates, due_only=entry.missed)
    if chosen is None:
        if clock is not None:
            _refuse_stay_after_answer(read_record, on - timedelta(days=1), clock)
            days = f"{day_text(on - timedelta(days=1), today)} or {day_text(on, today)}"
            due = " and due" if entry.missed else ""
            raise NotFoundError(f"planned: no dose is planned{due} at {clock} on {days}")
        return on, None, [d for d in log if d.day == on], None
    day, target = chosen
    day_log = [d for d in log if d.day == day]
    earlier = next((d for d in day_log if d.planned_clock == target.clock), None)
    if earlier is not None:
        raise ConflictError(
            f"{describe_dose(day, target.clock, today=today)} is already in the log"
            f" ({_as_logged(earlier, today)})"
        )
    _check_planned_amount(entry, day, target)
    stay = stays.get(day)
    return day, target, day_log, stay if stay is not None and target in stay.doses else None


@dataclass(frozen=True, slots=True)
class _Asked:
    """What the readiness check asked of a cut's new dose: the held cut and the doses before it.

    Both None: the cut went ahead (the plan's new dose is what was asked). ``changed`` false
    with a ``cut``: the day was held on that cut, but this dose is not one the cut changed.
    """

    cut: date | None = None
    before: tuple[RecordDose, ...] | None = None
    #: whether the dose asked of is one the held cut changed (its amount is then a question)
    changed: bool = False
    #: the clinician answered the cut that day after a dose to stay on was taken: the day is
    #: finished on the dose before the cut (the doses it changed start the next day)
    finished: bool = False

    def as_asked(self, scheduled: Sequence[RecordDose]) -> tuple[RecordDose, ...]:
        """The day's planned doses as asked: without the ones the cut changed when finished."""
        if not self.finished:
            return tuple(scheduled)
        return tuple(d for d in scheduled if d in (self.before or ()))


@dataclass(frozen=True, slots=True)
class _StayingOn:
    """A held day whose cut moved the dose times: what was asked, and the doses to stay on.

    ``doses``: the step before the held cut's doses at times the day's plan has none, the
    ones the patient is asked to take until their clinician answers (as
    :func:`taperline.service.today.held_lines` shows them); on a day finished on the dose
    before the cut (``asked.finished``), each of the step before's doses that is not one of
    the day's plan (the cut's changed doses start the next day).
    """

    asked: _Asked
    doses: tuple[RecordDose, ...]


def _moves_times(plan: PlanVersion | None, day: date, scheduled: Sequence[RecordDose]) -> bool:
    """Whether a cut by ``day`` had a dose before it at a time ``day``'s plan has none.

    The plan alone says so (nothing is read): only such a cut has a dose to stay on at a time
    of its own (:func:`stays_until_answer`). A cut at the same times (1 mg at 22:00, then
    0.9 mg at 22:00) has none; a day a plan was approved on reads no record for it.
    """
    if plan is None:
        return False
    clocks = {d.clock for d in scheduled}
    cuts = {cut for cut in cut_dates(plan) if cut <= day}
    return any(
        dose.clock not in clocks
        for before, step in itertools.pairwise(plan.followed_steps)
        if step.start in cuts
        for dose in before.doses
    )


def _staying_on(
    read_record: Callable[[], PersonRecord],
    plan: PlanVersion | None,
    day: date,
    scheduled: Sequence[RecordDose],
) -> _StayingOn | None:
    """The doses to stay on that ``day``'s plan (``scheduled``) does not give, if it is held.

    At times the day's plan has none; on a day finished on the dose before the cut (a
    clinician answered it that day after a dose to stay on was taken), each of the step
    before's doses the day's plan does not have. None when no cut by ``day`` had a dose
    before it that the day does not have (the plan alone says so: the record is not read),
    or when the day is not held.
    """
    if plan is None:
        return None
    clocks = {d.clock for d in scheduled}
    steps = plan.followed_steps
    cuts = {cut for cut in cut_dates(plan) if cut <= day}
    if not any(
        dose not in scheduled
        for before, step in itertools.pairwise(steps)
        if step.start in cuts
        for dose in before.doses
    ):
        return None
    # the check itself, not a dose of the day a cut changed: an every-other-day step's off
    # day and the last step's stop have none, and the patient is still asked to stay on
    asked = _held_on(read_record, day, None)
    if asked.cut is None:
        return None
    before = next((b for b, step in itertools.pairwise(steps) if step.start == asked.cut), None)
    if before is None:
        return None
    # the step before's doses of this day: none on its off days when it is every other day
    kept = asked.as_asked(scheduled)
    doses = tuple(
        d
        for d in step_doses_on(before, day)
        if (d not in kept if asked.finished else d.clock not in clocks)
    )
    return _StayingOn(asked, doses) if doses else None


def stay_on_doses(record: PersonRecord, day: date) -> tuple[RecordDose, ...]:
    """The doses to stay on at times ``day``'s plan has none, on a held day (else none).

    What the journal's dose form offers beside the day's planned doses; the record is only
    read further (reviewed) when a cut by ``day`` changed the doses. On the day a clinician
    answered the cut after a dose to stay on was taken, the step before's doses the day's plan
    does not have (the day is finished on the dose before the cut).
    """
    found = _staying_on(lambda: record, record.plan, day, record.planned_on(day))
    return found.doses if found is not None else ()


def loggable_doses(record: PersonRecord, day: date) -> tuple[RecordDose, ...]:
    """The planned doses a dose of ``day`` can be logged as, as :func:`log_dose` takes them.

    The day's plan and the doses to stay on (:func:`stay_on_doses`); on the day a clinician
    answered a held cut after a dose to stay on was taken, without the new step's doses the
    step before does not have (they start the next day; :func:`log_dose` refuses them).
    What the journal's dose form offers as its choices. On the day a clinician answered a
    held cut, the doses to stay on until then, due by the answer, are choices too: one
    taken before the answer and logged after it is the day's (:func:`log_dose` takes it
    with the time it was taken, and refuses it taken after the answer).
    """
    scheduled = record.planned_on(day)
    found = _staying_on(lambda: record, record.plan, day, scheduled)
    doses = scheduled if found is None else (*found.asked.as_asked(scheduled), *found.doses)
    clocks = {d.clock for d in doses}
    until = [d for d, _at in stays_until_answer(record, day) if d.clock not in clocks]
    return (*doses, *until)


def unlogged_stays(record: PersonRecord, day: date) -> tuple[tuple[RecordDose, datetime], ...]:
    """:func:`stays_until_answer` of ``day`` that the day's dose log does not have yet."""
    logged = {d.planned_clock for d in record.doses if d.day == day}
    found = stays_until_answer(record, day)
    return tuple((dose, at) for dose, at in found if dose.clock not in logged)


def stays_until_answer(record: PersonRecord, day: date) -> tuple[tuple[RecordDose, datetime], ...]:
    """The doses to stay on until a clinician answered a held cut on ``day``, due by then.

    Each with when the answer was made (the person's wall clock). A held cut that moved the
    dose times (0.5 mg at 08:00 and 22:00, then 0.75 mg at 22:00) asks the patient to take
    the 08:00 dose as before until their clinician answers; answered at 14:05, that dose
    was the day's until then. Logged after the answer with the time it was taken (before
    it), it is one to stay on, and the day then finishes on the dose before the cut
    (:func:`taperline.core.readiness.check_readiness`): what today's view shows, the journal
    form offers and :func:`log_dose` takes. By time, the first answer's first; none when no
    decision was made on ``day`` (nothing further is read).
    """
    answers = [at for decision, at in decision_moments(record) if decision.on == day]
    if not answers:
        return ()
    scheduled = record.planned_on(day)
    if not _moves_times(record.plan, day, scheduled):
        return ()  # no cut by ``day`` had a dose at a time the day has none: nothing to read
    found: dict[str, tuple[RecordDose, datetime]] = {}
    for at in answers:
        until = _staying_on(_Reader(lambda: record, at), record.plan, day, scheduled)
        for dose in until.doses if until is not None else ():
            if dose.clock <= f"{at:%H:%M}":
                found.setdefault(dose.clock, (dose, at))
    return tuple(sorted(found.values(), key=lambda pair: pair[0].clock))


def _asked_of(
    read_record: Callable[[], PersonRecord],
    plan: PlanVersion | None,
    day: date,
    target: RecordDose | None,
    scheduled: tuple[RecordDose, ...],
    *,
    missed: bool,
    stay: _StayingOn | None = None,
) -> tuple[_Asked | None, tuple[RecordDose, ...] | None, tuple[RecordDose, ...]]:
    """What was asked of ``day``, the doses before a held cut, and the day's plan.

    ``stay``: ``target`` is the dose to stay on at a time the held cut's new step has none
    (found by :func:`_staying_on`): what was asked, so no doses before the cut are given (its
    amount is the one said or the dose before the cut, no question to ask).

    What was asked is kept with every line of the day, a missed dose and an extra one too:
    otherwise a dose above a cut that went ahead, logged as the planned one missed and an
    extra taken, would be read from the record as it is later (as defect 5 was). The doses
    before the held cut are given only when the line is that cut's new dose, taken (its
    amount is then the person's to say). On a held day the plan an amount is compared with
    is the dose before the cut, which the readiness check suggests staying on.
    """
    if stay is not None:
        return stay.asked, None, stay.asked.before or scheduled
    asked = _day_asked(read_record, plan, day, (target,) if target is not None else scheduled)
    if asked is None and target is not None:
        # a dose no cut changed, on a day a cut changed others: what the day was asked is
        # kept with it too, and on a held day its amount counts in the day's total
        # (``changed`` false: its amount is the plan's, no question)
        found = _day_asked(read_record, plan, day, scheduled)
        asked = replace(found, changed=False) if found is not None else None
    if asked is None or asked.before is None:
        return asked, None, scheduled
    before = asked.before if asked.changed and not missed else None
    return asked, before, asked.before


def _day_asked(
    read_record: Callable[[], PersonRecord],
    plan: PlanVersion | None,
    day: date,
    doses: Sequence[RecordDose],
) -> _Asked | None:
    """What was asked of ``day`` by the first of ``doses`` a cut changed (None: none was).

    The record is read once at most: the first such dose reads it and gives the answer.
    """
    for dose in doses:
        asked = _questioned(read_record, plan, day, dose)
        if asked is not None:
            return asked
    return None


def _questioned(
    read_record: Callable[[], PersonRecord],
    plan: PlanVersion | None,
    day: date,
    target: RecordDose,
) -> _Asked | None:
    """What was asked of ``target`` when a cut by ``day`` changed it; None when none did.

    When the cut is held unanswered, the cut in question and the doses before it.

    The cut in question is the readiness check's: an earlier cut still unanswered stays it
    past a later one's day, and its step before is the dose the person was asked to stay on.

    Such a dose is a question for the clinician, not an instruction (the dashboard shows no
    "Taken" for it, on the cut's day and after, until a clinician answers): the person may
    have stayed on the previous dose, so the amount taken is theirs to say, never the plan's
    by default. An empty answer when the cut went ahead. A clinician's answer given after ``day``
    does not answer it: that day the person was asked to stay on the dose before, and a
    dose logged late keeps what was asked then (as
    :func:`taperline.core.readiness.held_days` counts it).
    """
    if not _cut_changed(plan, day, target):
        return None
    return _held_on(read_record, day, target)


def _cut_changed(plan: PlanVersion | None, day: date, target: RecordDose) -> bool:
    """Whether a cut by ``day`` changed ``target`` (the plan alone says: nothing is read)."""
    if plan is None:
        return False
    steps = plan.followed_steps
    cuts = {cut for cut in cut_dates(plan) if cut <= day}
    befores = [before for before, step in itertools.pairwise(steps) if step.start in cuts]
    # no cut by ``day`` changed this dose (none yet, or each step before one had it too);
    # a later step that keeps a cut's new dose is still that cut's (a plateau, a move)
    return not all(target in before.doses for before in befores)


def _readiness_on(
    record: PersonRecord, day: date, moment: datetime | None = None
) -> Readiness | None:
    """The readiness check of ``day``, with the last decision made by then (any version's).

    A decision made later did not answer the check then. ``moment``: when the dose asked
    about was taken (the person's wall clock): a decision made that day after it did not
    answer the check for it either (the patient took it as told while the cut was held).
    """
    if moment is not None:  # the plan in force then (a hold made since is not yet)
        record = _decided_before(record, moment)
    made = [d for d in plan_decisions(record) if d.on <= day]
    decision = made[-1] if made else None
    return check_readiness(record, day, review_as_of(record, day), decision=decision)


def _decided_before(record: PersonRecord, moment: datetime) -> PersonRecord:
    """``record`` with the plan versions decided before ``moment`` (wall clock) only.

    A go-ahead at 12:00 and a hold at 14:05: a dose taken at 08:00 followed the version in
    force then, approved weeks before, whose check held the cut.
    """
    zone_name = record.profile.time_zone
    kept = tuple(
        v
        for v in record.plans
        if v.decided_at is None or local_now(zone_name, v.decided_at) < moment
    )
    return record if len(kept) == len(record.plans) else replace(record, plans=kept)


class _Reader:
    """The person's record, read once at most, and each day's readiness check, made once.

    What :func:`log_dose` reads: a line asks the check of its day up to three times (the doses
    to stay on, the line's own dose, the day's doses), each a review of the whole record. The
    record does not change before the line is written, so the check of a day is the same.
    ``moment``: when the line's dose was taken (None: now), the moment each check is made for
    (:func:`_readiness_on`).
    """

    __slots__ = ("_checks", "_read", "_record", "moment")

    def __init__(self, read: Callable[[], PersonRecord], moment: datetime | None = None) -> None:
        self._read = read
        self._record: PersonRecord | None = None
        self._checks: dict[date, Readiness | None] = {}
        self.moment = moment

    def __call__(self) -> PersonRecord:
        if self._record is None:
            self._record = self._read()
        return self._record

    def readiness(self, day: date) -> Readiness | None:
        """:func:`_readiness_on` of the record read, made once for ``day``."""
        if day not in self._checks:
            self._checks[day] = _readiness_on(self(), day, self.moment)
        return self._checks[day]


def _held_on(
    read_record: Callable[[], PersonRecord], day: date, target: RecordDose | None
) -> _Asked:
    """What the readiness check asked of ``day``, as the record is read now.

    The held cut in question and the doses before it, or nothing held (``_Asked()``: the
    cut went ahead). ``target``: the dose asked of (None: the day's, as a dose to stay on
    is, which no cut needs to have changed).
    """
    if isinstance(read_record, _Reader):
        ready = read_record.readiness(day)
    else:
        ready = _readiness_on(read_record(), day)
    if ready is not None and ready.stays_on_before:
        # the doses before the cut in question (an earlier one still unanswered is: the
        # person was asked to stay on the dose before it), as the dashboard and status say;
        # a dose that cut did not change is no question, but its day was still held on it;
        # on the answer's day after a dose to stay on was taken, the day finishes on them
        changed = target is not None and ready.in_cut(target)
        return _Asked(
            ready.cut, ready.before.doses, changed=changed, finished=ready.finishes_on_before
        )
    return _Asked()


def _usual_drug(plan: PlanVersion | None, regimen: Regimen | None, day: date) -> str | None:
    """The drug of the plan in force on ``day``, else of the regimen (None: neither)."""
    if plan is not None and (regimen is None or plan.step_on(day) is not None):
        return plan.drug
    return regimen.drug if regimen is not None else None


def _as_logged(record: DoseRecord, today: date) -> str:
    """'missed', or 'taken at 22:05' (with its date when not the dose's day)."""
    if record.taken_at is None:
        return "missed"
    when = record.taken_at.strftime("%H:%M")
    if record.taken_at.date() != record.day:
        when = f"{when} on {day_text(record.taken_at.date(), today)}"
    return f"taken at {when}"


def _check_planned_amount(entry: DoseEntry, day: date, target: RecordDose) -> None:
    if entry.planned_amount is not None and entry.planned_amount.mg != target.amount.mg:
        raise InputError(
            f"planned_amount: the plan's {target.clock} dose on {day.isoformat()} is"
            f" {fmt(target.amount)}, not {fmt(entry.planned_amount)}"
        )


def catalogue_name(drug: str) -> str:
    """The catalogue's name of ``drug`` as typed: a brand ("Klonopin"), any case, spaces.

    What a dose is compared with (the plan's doses, the day's log, the daily maximum) is
    kept under this name, so a spelling never skips a check.

    Raises:
        UnknownDrugError: the catalogue does not hold it ("clonazepam hydrochloride"): the
            message names the known drugs and a close one ("drug: ...").
    """
    from taperline.catalogue_data import load_catalogue

    try:
        return load_catalogue().get(drug).name
    except UnknownDrugError as error:
        raise UnknownDrugError(f"drug: {error}") from None


def _far_from_plan(
    conditions: Sequence[str],
    *,
    drug: str,
    amount: Mass,
    scheduled: Sequence[RecordDose],
    day_log: Sequence[DoseRecord],
    held: bool = False,
    finished: bool = False,
    answered: Decimal | None = None,
) -> str | None:
    """Why ``amount`` needs confirming, if it does: above the day's maximum or its plan.

    The daily maximum for the person's indication (the lowest when it is not known) [LABEL,
    SEED-AURA], counting what is already logged that day, comes first; then the plan's
    daily total of this drug. On a ``held`` day (``scheduled``: the dose before the cut, to
    stay on) the day's total is compared with it, what is already logged counted: a new
    dose taken in the morning and the dose to stay on at night are more than the dose
    before the cut, as the review counts that day. ``finished``: the clinician has answered,
    and the day is finished on the dose before the cut (the words say so). ``answered``: on
    the day a clinician answered a held cut with a dose to stay on due before the answer, the
    daily dose before the cut (:func:`_answer_day_ceiling`): whichever way that dose was
    said (as the dose, as an extra one, not at all), the day's total above it is asked.
    """
    from taperline.catalogue_data import load_catalogue
    from taperline.core.screening import indication_of

    taken = sum((d.amount.mg for d in day_log if d.drug == drug and d.amount), Decimal(0))
    try:
        known = load_catalogue().get(drug)
    except UnknownDrugError:  # a drug the catalogue does not hold: no maximum to compare
        known = None
    if known is not None:
        maximum = known.daily_maximum_for(indication_of(conditions))
        if maximum is not None and taken + amount.mg > maximum.max_mg.mg:
            total = fmt(Mass.of_mg(taken + amount.mg))
            limit = fmt(maximum.max_mg)
            return f"{fmt(amount)} makes {total} that day, above the daily maximum of {limit}"
    planned = sum((d.amount.mg for d in scheduled if d.drug == drug), Decimal(0))
    if planned > 0 and amount.mg > planned:
        whole_day = fmt(Mass.of_mg(planned))
        return f"{fmt(amount)} is more than the {whole_day} planned for the whole day"
    if held and planned > 0 and taken > 0 and taken + amount.mg > planned:
        total, whole_day = fmt(Mass.of_mg(taken + amount.mg)), fmt(Mass.of_mg(planned))
        if finished:
            return (
                f"{fmt(amount)} makes {total} that day, more than the {whole_day} a day before"
                " the cut, which today finishes on (your clinician has answered; the new dose"
                " starts tomorrow)"
            )
        return (
            f"{fmt(amount)} makes {total} that day, more than the {whole_day} a day to stay"
            " on until your clinician answers (the dose before the cut)"
        )
    if answered is not None and taken > 0 and taken + amount.mg > answered:
        total, before = fmt(Mass.of_mg(taken + amount.mg)), fmt(Mass.of_mg(answered))
        return (
            f"{fmt(amount)} makes {total} that day, more than the {before} a day before the"
            " cut your clinician answered about that day"
        )
    return None


def _units(entry: DoseEntry, target: RecordDose | None) -> str:
    if entry.units or not entry.units_from_plan or target is None or entry.missed:
        return entry.units
    return "; ".join(target.instructions)[:200]


def _taken_at(
    entry: DoseEntry, moment: datetime, day: date, target: RecordDose | None, now: datetime
) -> datetime | None:
    """When the dose was taken (None: missed): ``moment``, ``entry.taken_at`` or now.

    A dose of a day given that is not today must say when it was taken; one whose day was
    found by time was taken at ``moment`` (now, to the minute, when not given). A planned
    dose of a given day taken at a time of day was taken when that time struck nearest its
    planned time (:func:`nearest_struck`: last night's 22:00 dose at 00:30 is this morning's
    00:30). A time still to come (``now``: the person's wall clock) is refused.
    """
    if entry.missed:
        return None
    today = now.date()
    if entry.taken_at is None and entry.day is not None and day != today:
        raise InputError("time: say when it was taken (the dose is not today's)")
    given = entry.taken_at
    if given is not None and entry.day is not None and target is not None and given.date() == day:
        moment = nearest_struck(day, given.time(), target.clock)
    if moment > now and day <= today:  # a day to come is refused as such (record_dose)
        raise InputError(
            f"time: {moment.strftime('%H:%M')} on {moment.date().isoformat()} has not come"
            f" yet (it is {now.strftime('%H:%M')} on {today.isoformat()}): say when it was taken"
        )
    return moment
