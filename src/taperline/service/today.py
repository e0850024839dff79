"""Today for one person: doses, the next change, the check-in, the review, the last days.

One model, :class:`Today`, is what ``taperline status``, the patient's dashboard and
``GET /api/status`` show (:func:`~taperline.service.documents.today_document` is its JSON,
the same document from the CLI and the API). :func:`build_today` works it out from a record
(no I/O); :func:`status` reads the record first.

From 3 days before each cut, ``Today.readiness`` is the readiness check of that cut
(:mod:`taperline.core.readiness`), answered by the clinician's decision on the plan in force
(:func:`plan_decision`). When it asks the clinician on the cut day or after, the day's
changed doses are marked ``ask_first``: a question for the clinician, not an instruction;
the dose before the cut is the one to stay on (``stay_on``), at its own time: beside the new
dose at that time, or, when the cut moved the dose times, as a line of its own
(``stay_only``), so the patient has a dose to take and log as told. On the day a clinician
answers, such a dose due before the answer and not logged is still shown (``until_answer``),
to log with the time it was taken, and the day's other doses wait for it (``answer_first``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from taperline.adapters.storage.repo import Store
from taperline.core.metrics import sleep_efficiency, symptom_score
from taperline.core.quantity import Mass
from taperline.core.readiness import Readiness, check_readiness
from taperline.core.record import (
    DoseRecord,
    DoseStatus,
    PersonRecord,
    PlanVersion,
    RecordDose,
    RecordStep,
)
from taperline.core.record.versions import step_doses_on
from taperline.core.review import Review
from taperline.service.store import local_today, plan_decision, plan_decisions, review_as_of

__all__ = [
    "QUESTIONNAIRE_EVERY",
    "DayGlance",
    "DoseToday",
    "Today",
    "build_today",
    "glance",
    "held_lines",
    "match_doses",
    "pending_plan",
    "plan_decision",
    "readiness_of",
    "status",
]

#: How often the PHQ-9 and GAD-7 are asked for (weekly; taperline's default).
QUESTIONNAIRE_EVERY = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class DoseToday:
    """A planned dose of today and its dose-log line, if any.

    ``ask_first``: the dose is the new dose of a cut that the readiness check holds and no
    clinician has answered; shown as "ask your clinician before this cut", never as an
    instruction to take it.

    ``stay_only``: the line is the dose to stay on at a time the new step has no dose (the
    held cut moved the dose times: 1 mg at 22:00 before it, 0.5 mg at 08:00 and 0.375 mg at
    20:00 after): ``planned`` and ``stay_on`` are both the step before's dose at that time,
    not a dose of today's plan, shown as "stay on" and logged as told.
    """

    planned: RecordDose
    logged: DoseRecord | None
    ask_first: bool = False
    #: With ``ask_first`` (or ``stay_only``): the dose at this time of the step before the cut,
    #: the one the patient is asked to stay on until their clinician answers (None: none at
    #: this time).
    stay_on: RecordDose | None = None
    stay_only: bool = False
    #: With ``stay_on``, not logged yet: what the day's log has taken already of its drug,
    #: when that and the dose to stay on make more than the step before gives a day (a new
    #: dose taken this morning, then the dose to stay on tonight); None otherwise.
    taken_already: Mass | None = None
    #: With ``stay_only``, not logged: the dose was the one to stay on until the clinician
    #: answered the held cut today, at this moment (the person's wall clock), and was due by
    #: then; taken before the answer, it is logged with the time it was taken (the day then
    #: finishes on the dose before the cut). None otherwise.
    until_answer: datetime | None = None
    #: Not logged, on a day with a dose to stay on until the answer not logged either: that
    #: dose's time (HH:MM), to say first whether it was taken (taken, the day finishes on the
    #: dose before the cut, and this line is then another); None otherwise.
    answer_first: str | None = None

    @property
    def taken(self) -> bool:
        """Logged as taken (on time or late)."""
        return self.logged is not None and self.logged.taken_at is not None

    @property
    def missed(self) -> bool:
        """Logged as not taken."""
        return self.logged is not None and self.logged.taken_at is None

    @property
    def status(self) -> DoseStatus | Literal["due"]:
        """taken, late or missed as logged (:meth:`DoseRecord.status`), or due: not logged."""
        return self.logged.status() if self.logged is not None else "due"

    @property
    def would_make(self) -> Mass | None:
        """With ``taken_already``: the day's total if the dose to stay on were taken too."""
        if self.taken_already is None or self.stay_on is None:
            return None
        return Mass.of_mg(self.taken_already.mg + self.stay_on.amount.mg)


@dataclass(frozen=True, slots=True)
class DayGlance:
    """One day of the last two weeks at a glance."""

    day: date
    checked_in: bool
    mood: int | None
    anxiety: int | None
    burden: int | None
    se_pct: float | None
    doses_taken: int
    doses_missed: int


@dataclass(frozen=True, slots=True)
class Today:
    """Today for one person: the plan, today's doses, the next change, the review, 14 days.

    ``readiness`` is the readiness check of the cut in view (None outside its window).
    """

    today: date
    plan: PlanVersion | None
    pending: PlanVersion | None
    doses: tuple[DoseToday, ...]
    step: RecordStep | None
    next_change: RecordStep | None
    checked_in_today: bool
    review: Review
    questionnaire_due: bool
    days: tuple[DayGlance, ...]
    readiness: Readiness | None

    @property
    def days_to_change(self) -> int | None:
        """Days until the next dose change."""
        return (self.next_change.start - self.today).days if self.next_change else None

    @property
    def stay_on_lines(self) -> tuple[DoseToday, ...]:
        """The lines with a dose to stay on (``stay_on``: at a held cut), by time."""
        return tuple(line for line in self.doses if line.stay_on is not None)


def match_doses(
    planned: Sequence[RecordDose], logged: Sequence[DoseRecord]
) -> tuple[DoseToday, ...]:
    """Pair the day's planned doses with the dose log by planned time."""
    remaining = list(logged)
    lines = []
    for dose in planned:
        match = next((d for d in remaining if d.planned_clock == dose.clock), None)
        if match is not None:
            remaining.remove(match)
        lines.append(DoseToday(dose, match))
    return tuple(lines)


def pending_plan(record: PersonRecord) -> PlanVersion | None:
    """The latest version when it is a proposal waiting for a clinician."""
    latest = record.plans[-1] if record.plans else None
    return latest if latest is not None and latest.status == "proposed" else None


def glance(record: PersonRecord, today: date, days: int = 14) -> tuple[DayGlance, ...]:
    """The last ``days`` days, oldest first."""
    by_day = {c.wake_date: c for c in record.checkins}
    first = today - timedelta(days=days - 1)
    counts: dict[date, list[int]] = {}  # day -> [doses taken, doses missed]
    for dose in record.doses:
        if first <= dose.day <= today:
            count = counts.setdefault(dose.day, [0, 0])
            count[0 if dose.taken_at is not None else 1] += 1
    out = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        checkin = by_day.get(day)
        taken, missed = counts.get(day, (0, 0))
        if checkin is None:
            out.append(
                DayGlance(
                    day,
                    checked_in=False,
                    mood=None,
                    anxiety=None,
                    burden=None,
                    se_pct=None,
                    doses_taken=taken,
                    doses_missed=missed,
                )
            )
            continue
        sleep = checkin.sleep
        out.append(
            DayGlance(
                day,
                checked_in=True,
                mood=checkin.mood,
                anxiety=checkin.anxiety,
                burden=symptom_score(checkin),
                se_pct=sleep_efficiency(sleep) if sleep is not None else None,
                doses_taken=taken,
                doses_missed=missed,
            )
        )
    return tuple(out)


def readiness_of(
    record: PersonRecord, today: date, result: Review | None = None
) -> Readiness | None:
    """The readiness check of the cut in view on ``today`` (``result``: the review, if made).

    The plan in force's decision answers it when it was made once the check's window
    opened (:func:`taperline.core.readiness.check_readiness`) and by ``today``.
    """
    result = result if result is not None else review_as_of(record, today)
    decision = plan_decision(record.plan, record.profile.time_zone)
    if decision is not None and decision.on > today:
        # a past day (last night's doses, asked at the morning's check-in) is as it was
        # asked then: a decision made since did not answer it that day, the last one made
        # by then might (as held_days and the dose log count it)
        made = [d for d in plan_decisions(record) if d.on <= today]
        decision = made[-1] if made else None
    return check_readiness(record, today, result, decision=decision)


def build_today(record: PersonRecord, today: date, result: Review | None = None) -> Today:
    """Today for the person whose ``record`` this is (``result``: its review, if made)."""
    plan = record.plan
    logged = [d for d in record.doses if d.day == today]
    last_score = max((s.taken_on for s in record.scores if s.taken_on), default=None)
    result = result if result is not None else review_as_of(record, today)
    ready = readiness_of(record, today, result)
    # before a plan starts, the regimen's doses are today's (due, taken or missed)
    doses = match_doses(record.planned_on(today), logged)
    if ready is not None and ready.stays_on_before:
        doses = held_lines(doses, ready, logged)
    else:
        doses = _until_answer(record, today, _kept_stays(doses, logged), logged)
    return Today(
        today=today,
        plan=plan,
        pending=pending_plan(record),
        doses=doses,
        step=plan.step_on(today) if plan else None,
        next_change=plan.next_change(today) if plan and plan.status == "active" else None,
        checked_in_today=any(c.wake_date == today for c in record.checkins),
        review=result,
        questionnaire_due=last_score is None or today - last_score >= QUESTIONNAIRE_EVERY,
        days=glance(record, today),
        readiness=ready,
    )


def held_lines(
    lines: Sequence[DoseToday], ready: Readiness, logged: Sequence[DoseRecord]
) -> tuple[DoseToday, ...]:
    """The day's ``lines`` while ``ready``'s cut is a question, by time: what to stay on.

    Each dose the cut changed asks first, with the step before's dose at its time to stay
    on; each dose of the step before at a time the day's plan has none (a cut that moved
    the dose times) is a line of its own, to stay on (``stay_only``), matched with the
    ``logged`` line at its time. A dose to stay on not logged yet says what the day has
    taken already when taking it too would make more than the step before gives a day.

    On the day a clinician answered the cut after a dose to stay on was taken
    (``ready.finishes_on_before``), the day is finished on the dose before the cut: the doses
    the cut changed are not the day's (the new step's start tomorrow), and each dose of the
    step before at their times is a line of its own to stay on, as at a moved time; a dose
    the cut changed, at a time the step before has none, already logged (before the dose to
    stay on was) is shown as logged.
    """
    # the step before's doses of this day: none on its off days when it is every other day
    # (the patient stays on "0.125 mg every other day", in its own rhythm)
    before_doses = step_doses_on(ready.before, ready.today)
    before = {d.clock: d for d in before_doses}
    if ready.finishes_on_before:
        # a changed dose already logged at a time the step before has none stays shown, as
        # logged (taken before the dose to stay on was logged); at the step before's time,
        # the dose to stay on's line shows what was logged
        lines = [
            line
            for line in lines
            if not ready.in_cut(line.planned)
            or (line.logged is not None and line.planned.clock not in before)
        ]
    out = [
        replace(line, ask_first=True, stay_on=before.get(line.planned.clock))
        if ready.in_cut(line.planned) and not ready.finishes_on_before
        else line
        for line in lines
    ]
    clocks = {line.planned.clock for line in lines}
    remaining = [d for d in logged if not any(d is line.logged for line in lines)]
    for dose in before_doses:
        if dose.clock in clocks:
            continue
        match = next((d for d in remaining if d.planned_clock == dose.clock), None)
        if match is not None:
            remaining.remove(match)
        out.append(DoseToday(dose, match, stay_on=dose, stay_only=True))
    out.sort(key=lambda line: line.planned.clock)
    return tuple(_taken_already(line, ready, logged) for line in out)


def _kept_stays(lines: Sequence[DoseToday], logged: Sequence[DoseRecord]) -> tuple[DoseToday, ...]:
    """``lines`` with each dose to stay on logged today at a time the day's plan has none.

    On the day a clinician answers a held cut that moved the dose times, the dose taken as
    told that morning (logged with ``stay_on_before``) is still the day's: shown as taken
    (or not taken), not dropped with the old time's line.
    """
    clocks = {line.planned.clock for line in lines}
    kept = [
        DoseToday(stay, d, stay_on=stay, stay_only=True)
        for d in logged
        if d.stay_on_before is not None
        and d.planned_clock is not None
        and d.planned_clock not in clocks
        and d.planned_amount is not None
        for stay in (RecordDose(d.planned_clock, d.drug, d.planned_amount),)
    ]
    if not kept:
        return tuple(lines)
    return tuple(sorted((*lines, *kept), key=lambda line: line.planned.clock))


def _until_answer(
    record: PersonRecord, today: date, lines: tuple[DoseToday, ...], logged: Sequence[DoseRecord]
) -> tuple[DoseToday, ...]:
    """``lines`` with each dose to stay on until a clinician answered today, not logged.

    A held cut that moved the dose times (0.5 mg at 08:00 and 22:00, then 0.75 mg at 22:00),
    answered at 14:05: the 08:00 dose was the one to take until then. Not logged before the
    answer, it is still shown (``until_answer``), so that a dose taken as told is logged with
    its time, and the day then finishes on the dose before the cut: not the new dose tonight
    on top of it (:func:`taperline.service.journal.stays_until_answer`). Until it is logged
    (taken or not), the day's other doses not logged wait for it (``answer_first``): no one
    tap on the new dose while the one before it may have been taken. One in the log without
    what it was asked (imported: ``stay_on_before`` unknown) is shown as logged, and nothing
    waits for it.
    """
    if all(decision.on != today for decision in plan_decisions(record)):
        return lines
    from taperline.service.journal import stays_until_answer  # a day a clinician answered

    clocks = {line.planned.clock for line in lines}
    by_clock = {d.planned_clock: d for d in logged if d.planned_clock is not None}
    until = [
        DoseToday(dose, by_clock.get(dose.clock), stay_on=dose, stay_only=True,
                  until_answer=None if dose.clock in by_clock else at)
        for dose, at in stays_until_answer(record, today)
        if dose.clock not in clocks
    ]  # fmt: skip
    if not until:
        return lines
    # the day's other doses wait for one not logged: taken, it finishes the day on the dose
    # before the cut
    first = next((line.planned.clock for line in until if line.logged is None), None)
    waiting = [replace(line, answer_first=first) if line.logged is None else line for line in lines]
    return tuple(sorted((*waiting, *until), key=lambda line: line.planned.clock))


def _taken_already(line: DoseToday, ready: Readiness, logged: Sequence[DoseRecord]) -> DoseToday:
    """``line`` with what the day has taken already, when its dose to stay on is one too many."""
    stay = line.stay_on
    if stay is None or line.logged is not None:
        return line
    taken = sum((d.amount.mg for d in logged if d.amount and d.drug == stay.drug), Decimal(0))
    daily = sum((d.amount.mg for d in ready.before.doses if d.drug == stay.drug), Decimal(0))
    if taken == 0 or taken + stay.amount.mg <= daily:
        return line
    return replace(line, taken_already=Mass.of_mg(taken))


def status(store: Store, person_id: int, *, now: datetime) -> Today:
    """Today for the person, in their own time zone."""
    record = store.record(person_id)
    return build_today(record, local_today(record.profile.time_zone, now))
