"""Readiness before each cut: Proceed, Caution or Hold, and the signals behind it.

A *cut* is a plan step whose daily dose is lower than the step before
(:func:`taperline.core.review.cut_dates`). From ``lead_days`` (3) days before each cut until
the cut day, :func:`check_readiness` reads the record and its review and says whether the
days before the cut show anything against it [ASAM-2025: assess withdrawal at every
reduction; symptoms may appear up to a week after a cut; slow or pause when significant]:

* **Hold**: a red flag, a flare of symptoms, more taken than planned, many missed doses, or
  almost no check-ins;
* **Caution**: signs of withdrawal between doses (interdose), a missed dose, or fewer
  check-ins than a week's reading needs;
* **Proceed**: every signal is clear.

The verdict is the worst level among the signals (:func:`verdict_of`). It is information
for the patient and a decision for the clinician: nothing here changes a plan.

A Hold nobody has answered *asks the clinician* (:attr:`Readiness.asks_clinician`): before
the cut the patient is told to ask their clinician before it, and on the cut day and after
the cut is a question rather than today's instruction (:attr:`Readiness.is_question`) until
a clinician answers. A clinician answers by a decision on the plan in force made once the
window is open (``decision``: the ``proceed`` decision, which goes ahead with the cut, or
approving the plan, each a new plan version recording who and when), or by holding the plan
(then no cut is due and there is nothing to check). A red flag the patient notes after that
decision asks again; the other signals do not (the clinician decided knowing them).

Which days count: evidence dated from ``lookback_days`` before the cut up to today, or up
to the cut day once it has passed (the record of the days before the cut, as known now; a
flare only before the cut day, so that a flare of this very cut does not turn it into a
question afterwards; doses above the plan only before the cut day, because from the cut
day what the plan expects depends on this check: :func:`held_days`). Check-ins and missed
doses are counted over the ``window_days`` up to that day.

The numbers are :class:`ReadinessRules`: the week comes from ASAM-2025; no source gives the
counts, which are taperline's documented, overridable defaults.

>>> from datetime import date, datetime, timezone
>>> from taperline.core.journal import CheckIn
>>> from taperline.core.quantity import Mass
>>> from taperline.core.record import PersonRecord, PlanVersion, Profile, RecordDose, RecordStep
>>> def step(day, mg):
...     return RecordStep(day, (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),))
>>> steps = (step(date(2027, 12, 1), "1"), step(date(2027, 12, 8), "0.9"))
>>> at = datetime(2027, 11, 30, tzinfo=timezone.utc)
>>> plan = PlanVersion(2, "active", "clonazepam", "percent", steps, "Dr Lee", at)
>>> days = [CheckIn(date(2027, 12, d), None, mood=6, anxiety=3) for d in range(1, 6)]
>>> record = PersonRecord(Profile("UTC"), checkins=tuple(days), plans=(plan,))
>>> ready = check_readiness(record, date(2027, 12, 5))
>>> ready.verdict, ready.days_to_cut
('proceed', 3)
>>> print(ready.patient_message())  # doctest: +NORMALIZE_WHITESPACE
Your next dose change is on Wed 8 Dec, from 1 mg a day to 0.9 mg a day. Before it, your
record shows nothing against it: check-ins on 5 of the last 7 days, no red flags, no flare
of symptoms, no doses above the plan, no sign of withdrawal between doses, no missed doses
logged in the last 7 days. If you feel ready, the change goes ahead as planned.
>>> flagged = CheckIn(date(2027, 12, 6), None, mood=2, anxiety=8, events=frozenset({"fall"}))
>>> late = check_readiness(PersonRecord(Profile("UTC"), (*days, flagged), plans=(plan,)),
...                        date(2027, 12, 8))
>>> late.verdict, late.is_question
('hold', True)
>>> print(late.patient_message())  # doctest: +NORMALIZE_WHITESPACE
Your plan changes your dose today (Wed 8 Dec), from 1 mg a day to 0.9 mg a day. Before it,
your record shows: a red flag (something your clinician must hear about) on Mon 6 Dec. Ask
your clinician before this cut; until they decide, stay on 1 mg a day rather than starting
the new dose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, Literal

from taperline.core.findings import Finding
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass, drug_label, fmt
from taperline.core.record import DoseRecord, PersonRecord, PlanVersion, RecordDose, RecordStep
from taperline.core.record.matching import day_text
from taperline.core.record.versions import step_doses_on
from taperline.core.review import HeldSpan, Review, cut_dates, review
from taperline.errors import InputError

__all__ = [
    "LEVELS",
    "SIGNAL_LABELS",
    "VERDICTS",
    "ClinicianDecision",
    "Level",
    "Readiness",
    "ReadinessRules",
    "Signal",
    "SignalKind",
    "Verdict",
    "check_readiness",
    "cut_in_view",
    "held_days",
    "open_question",
    "verdict_of",
]

Verdict = Literal["proceed", "caution", "hold"]
Level = Literal["clear", "caution", "hold"]
SignalKind = Literal["red_flag", "flare", "escalation", "interdose", "missed_doses", "checkins"]

VERDICTS: Final[tuple[Verdict, ...]] = ("proceed", "caution", "hold")
LEVELS: Final[tuple[Level, ...]] = ("clear", "caution", "hold")
#: Plain names of the signals, in the order they are shown.
SIGNAL_LABELS: Final[Mapping[SignalKind, str]] = {
    "checkins": "check-ins",
    "red_flag": "red flags",
    "flare": "recent flare",
    "escalation": "doses above the plan",
    "interdose": "interdose symptoms",
    "missed_doses": "missed doses",
}
_VERDICT_OF: Final[Mapping[Level, Verdict]] = {
    "clear": "proceed",
    "caution": "caution",
    "hold": "hold",
}
_DAYS_SHOWN: Final = 3  # evidence dates named in a patient's sentence


@dataclass(frozen=True, slots=True)
class ReadinessRules:
    """The readiness check's numbers: each with its source, or marked as taperline's own.

    No source gives a number for any count here: ASAM-2025 says *what* to assess before a
    reduction (withdrawal, within about a week of the last cut) and to slow or pause when it
    is significant. Show these to the clinician as the documented defaults they are.
    """

    #: The check is shown from this many days before a cut. ASAM-2025 asks for an
    #: assessment at every reduction; the 3 days are taperline's (issue 16; no source).
    lead_days: int = 3
    #: Red flags, flares, escalation and interdose days count from this many days before
    #: the cut: the shortest step between cuts [ASAM-2025: cuts every 2-4 weeks].
    lookback_days: int = 14
    #: Check-ins and missed doses are counted over a week [ASAM-2025: symptoms may appear
    #: up to a week after a cut, so a week is what an assessment reads].
    window_days: int = 7
    #: Check-ins in the week for the signal to be clear (taperline's; no source).
    checkins_for_clear: int = 5
    #: Fewer check-ins than this in the week: Hold, withdrawal cannot be assessed
    #: [ASAM-2025: assess at every reduction]; the count is taperline's (no source).
    checkins_for_caution: int = 2
    #: Missed doses in the week for Caution [SEED-INSOMNIA: missed or inconsistent doses
    #: cause withdrawal-like symptoms, which blur the reading]; the count is taperline's.
    missed_for_caution: int = 1
    #: Missed doses in the week for Hold: not stable on the current dose [SEED-MICROTAPER:
    #: stabilise before a cut]; the count is taperline's (no source).
    missed_for_hold: int = 3

    def __post_init__(self) -> None:
        for name in ("lead_days", "lookback_days", "window_days", "missed_for_caution"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 <= self.checkins_for_caution <= self.checkins_for_clear <= self.window_days:
            raise InputError(
                "check-in counts must satisfy 0 <= checkins_for_caution <= checkins_for_clear"
                f" <= window_days, got {self.checkins_for_caution}, {self.checkins_for_clear},"
                f" {self.window_days}"
            )
        if self.missed_for_hold < self.missed_for_caution:
            raise InputError("missed_for_hold must be at least missed_for_caution")


@dataclass(frozen=True, slots=True)
class Signal:
    """One thing the check looked at: its level, in plain words and with its basis.

    ``patient`` is a clause in plain words (no source ids); ``detail``, ``basis`` and
    ``source`` are for the clinician; ``days`` are the dates behind it.
    """

    kind: SignalKind
    level: Level
    patient: str
    detail: str
    basis: str
    source: str
    days: tuple[date, ...] = ()

    @property
    def label(self) -> str:
        """The signal's plain name ("recent flare")."""
        return SIGNAL_LABELS[self.kind]


@dataclass(frozen=True, slots=True)
class ClinicianDecision:
    """Who decided on the plan in force, on which of the person's days, and why."""

    by: str
    on: date
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Readiness:
    """The readiness check of one cut, as of ``today``.

    ``before`` and ``after`` are the steps either side of the cut; ``decision`` is the
    clinician's decision that answers this cut (None when none does).

    ``finishes_on_before``: the clinician answered the held cut today, after a dose to stay on
    had been taken today as told (:func:`check_readiness`): today is finished on the dose
    before the cut, and the new step's doses start tomorrow (:attr:`new_dose_from`).
    """

    cut: date
    today: date
    before: RecordStep
    after: RecordStep
    verdict: Verdict
    signals: tuple[Signal, ...]
    decision: ClinicianDecision | None = None
    finishes_on_before: bool = False

    @property
    def days_to_cut(self) -> int:
        """Days from today to the cut (0 on the cut day, negative after it)."""
        return (self.cut - self.today).days

    @property
    def asks_clinician(self) -> bool:
        """Hold, and no clinician has answered: ask your clinician before this cut."""
        return self.verdict == "hold" and self.decision is None

    @property
    def is_question(self) -> bool:
        """On the cut day or after, the cut is a question, not today's instruction."""
        return self.asks_clinician and self.today >= self.cut

    @property
    def stays_on_before(self) -> bool:
        """Today the patient takes the dose before the cut: a question, or finished on it."""
        return self.is_question or self.finishes_on_before

    @property
    def new_dose_from(self) -> date:
        """The first day of the new step's doses as asked (tomorrow when finished on before)."""
        if self.finishes_on_before:
            return self.today + timedelta(days=1)
        return max(self.cut, self.today)

    @property
    def concerns(self) -> tuple[Signal, ...]:
        """The signals that are not clear, Hold first."""
        return tuple(s for s in self.signals if s.level == "hold") + tuple(
            s for s in self.signals if s.level == "caution"
        )

    @property
    def from_text(self) -> str:
        """The daily dose before the cut, in plain words ("1 mg a day")."""
        return _daily_words(self.before, self.after, self.before)

    @property
    def to_text(self) -> str:
        """The daily dose the cut brings ("0.9 mg a day")."""
        return _daily_words(self.before, self.after, self.after)

    def in_cut(self, dose: RecordDose) -> bool:
        """Whether a planned dose of the new step is a changed one (not the same as before)."""
        return dose not in self.before.doses

    def patient_message(self) -> str:
        """The check in plain words for the patient (no source ids), as one paragraph."""
        return " ".join((self._when(), self._shows(), self._what_now()))

    def _when(self) -> str:
        change = f"from {self.from_text} to {self.to_text}"
        cut = day_text(self.cut, self.today)
        if self.days_to_cut > 0:
            return f"Your next dose change is on {cut}, {change}."
        if self.days_to_cut == 0:
            return f"Your plan changes your dose today ({cut}), {change}."
        return f"Your plan changed your dose on {cut}, {change}."

    def _shows(self) -> str:
        concerns = self.concerns
        if concerns:
            return f"Before it, your record shows: {_joined([s.patient for s in concerns])}."
        clear = ", ".join(s.patient for s in self.signals)
        return f"Before it, your record shows nothing against it: {clear}."

    def _what_now(self) -> str:
        decision = self.decision
        if decision is not None:
            on = day_text(decision.on, self.today)
            answered = f"Your clinician ({decision.by}) decided on {on} to go ahead with it."
            if not self.finishes_on_before:
                return answered
            tomorrow = day_text(self.new_dose_from, self.today)
            return (
                f"{answered} You had already taken a dose before the cut today, so finish"
                f" today on the dose before the cut ({self.from_text}); the new dose starts"
                f" tomorrow ({tomorrow}), so that today adds up to no more than the dose"
                " before the cut."
            )
        if self.verdict == "hold":
            if self.today < self.cut:
                return "Ask your clinician before this cut."
            return (
                f"Ask your clinician before this cut; until they decide, stay on"
                f" {self.from_text} rather than starting the new dose."
            )
        if self.verdict == "caution":
            return "Talk it over with your clinician before the change if you are unsure."
        return "If you feel ready, the change goes ahead as planned."

    def clinician_lines(self) -> tuple[str, ...]:
        """Each signal with its level, evidence, rule and source ids, for the clinician."""
        return tuple(
            f"{s.level.upper()} {s.label}: {s.detail} (rule: {s.basis}) [{s.source}]"
            for s in self.signals
        )


def verdict_of(levels: Iterable[Level]) -> Verdict:
    """The verdict of a set of signal levels: the worst of them (Proceed when all clear).

    >>> verdict_of([]), verdict_of(["clear", "caution"]), verdict_of(["caution", "hold"])
    ('proceed', 'caution', 'hold')
    """
    worst: Level = "clear"
    for level in levels:
        if LEVELS.index(level) > LEVELS.index(worst):
            worst = level
    return _VERDICT_OF[worst]


def cut_in_view(
    plan: PlanVersion | None, today: date, rules: ReadinessRules = ReadinessRules()
) -> date | None:
    """The cut the check is about on ``today``: the next one within ``lead_days``, else the last.

    Only an active plan has cuts to check (a held plan's cuts wait; a proposal is not
    followed). Past the last cut's day, :func:`check_readiness` shows it only while it is a
    question.
    """
    if plan is None or plan.status != "active":
        return None
    cuts = cut_dates(plan)
    upcoming = next((c for c in cuts if c >= today), None)
    if upcoming is not None and (upcoming - today).days <= rules.lead_days:
        return upcoming
    past = [c for c in cuts if c < today]
    return past[-1] if past else None


def check_readiness(
    record: PersonRecord,
    today: date,
    result: Review | None = None,
    *,
    decision: ClinicianDecision | None = None,
    rules: ReadinessRules = ReadinessRules(),
) -> Readiness | None:
    """The readiness check of the cut in view on ``today``, or None when there is none.

    ``result`` is the record's review as of ``today`` (made here when not given);
    ``decision`` is the clinician's decision on the plan in force (who, on which of the
    person's days). A cut whose day has passed is returned only while it is a question, and
    while one is, it stays in view before any later cut (:func:`open_question`): the patient
    is still on the dose before it, so a later cut's window does not end the question.
    """
    plan = record.plan
    cut = cut_in_view(plan, today, rules)
    if plan is None or cut is None:
        return None
    result = result if result is not None else review(record, today)
    question = open_question(record, today, result, decision=decision, rules=rules)
    if question is not None:
        return question
    kept = _finished_on_before(record, plan, today, result.findings, decision, rules)
    if kept is not None or cut < today:
        return kept  # a cut past its day is shown only while the patient stays on before it
    return _check(record, plan, cut, today, result.findings, decision, rules)


def _finished_on_before(  # noqa: PLR0917 -- check_readiness's arguments, for one day
    record: PersonRecord,
    plan: PlanVersion,
    today: date,
    findings: Sequence[Finding],
    decision: ClinicianDecision | None,
    rules: ReadinessRules,
) -> Readiness | None:
    """The held cut a clinician answered today after a dose to stay on was taken today.

    On the day a clinician lets a held cut go ahead, a person who has already taken a dose
    to stay on that day, as told (taken while the cut was held: ``stay_on_before``, kept
    with the line whether it was logged then or after the answer with the time it was taken),
    finishes the day on the dose before the cut (``finishes_on_before``): the step before's
    remaining doses of the day are doses to stay on, and the new step's start the next day.
    The new step's doses that evening on top of the dose before the cut taken that morning
    would make the day more than the dose before the cut (0.5 mg + 0.75 mg after 1 mg a
    day), an increase nobody chose; at most a return to the previous dose is ever
    asked [ASAM-2025: rarely return temporarily to the previous dose], and leaving the rest
    of the day out would be a cut of its own in one day [ASAM-2025: not more than 25 % every
    2 weeks]. None when no such dose was taken today (the new step applies from the answer).
    """
    if decision is None or decision.on != today:
        return None
    cuts = set(cut_dates(plan))
    stayed = sorted(
        {
            dose.stay_on_before
            for dose in record.doses
            if dose.day == today
            and dose.taken_at is not None
            and dose.stay_on_before is not None
            and dose.stay_on_before in cuts
            and dose.stay_on_before <= today
        }
    )
    planned = record.planned_on(today)
    for cut in stayed:
        found = _check(record, plan, cut, today, findings, decision, rules)
        if found.decision is None:
            continue  # not answered by it (a red flag since): still a question
        before = step_doses_on(found.before, today)
        if any(
            _stayed_on(dose, before, planned)
            for dose in record.doses
            if dose.day == today and dose.stay_on_before == cut
        ):
            return replace(found, finishes_on_before=True)
    return None


def _stayed_on(
    dose: DoseRecord, before: Sequence[RecordDose], planned: Sequence[RecordDose]
) -> bool:
    """Whether ``dose`` is a dose to stay on taken as told: the step before's, not the day's.

    At a time the day's plan has no dose, the step before's dose there (whatever amount was
    taken); at a time whose dose the cut changed, the amount before the cut. A dose the cut
    did not change is in both steps: no dose to stay on.
    """
    if dose.taken_at is None or dose.amount is None:
        return False
    was = next((b for b in before if b.clock == dose.planned_clock and b.drug == dose.drug), None)
    if was is None or was in planned:
        return False
    new = next((p for p in planned if p.clock == was.clock and p.drug == was.drug), None)
    return new is None or dose.amount.mg == was.amount.mg != new.amount.mg


def open_question(
    record: PersonRecord,
    today: date,
    result: Review,
    *,
    decision: ClinicianDecision | None = None,
    rules: ReadinessRules = ReadinessRules(),
) -> Readiness | None:
    """The first cut by ``today`` that is still a question (None: none is).

    Only a cut whose window opened after ``decision`` can be one (a decision once the
    window opened answers it, unless a red flag came after it: :func:`_answers`).
    """
    plan = record.plan
    if plan is None or plan.status != "active":
        return None
    flagged = [
        e.day
        for f in result.findings
        if f.kind == "red_flag"
        for e in f.evidence
        if not e.label.startswith("profile")
    ]
    for cut in cut_dates(plan):
        if cut > today:
            break
        answered = decision is not None and decision.on >= cut - timedelta(days=rules.lead_days)
        if answered and decision is not None and not any(d > decision.on for d in flagged):
            continue  # answered, and no red flag since: no question (the cheap test first)
        found = _check(record, plan, cut, today, result.findings, decision, rules)
        if found.is_question:
            return found
    return None


def _check(  # noqa: PLR0917 -- check_readiness's arguments, for one cut
    record: PersonRecord,
    plan: PlanVersion,
    cut: date,
    today: date,
    findings: Sequence[Finding],
    decision: ClinicianDecision | None,
    rules: ReadinessRules,
) -> Readiness:
    """The check of ``cut`` as of ``today`` (of the days up to the cut once it has passed).

    ``findings``: the record's review's, as of ``today``.
    """
    as_of = min(today, cut)
    start = cut - timedelta(days=rules.lookback_days)
    red_flags = _red_flag_signal(findings, start, as_of, rules)
    signals = (  # in the order of SIGNAL_LABELS
        _checkin_signal(record.checkins, as_of, today, rules),
        red_flags,
        _flare_signal(findings, start, min(as_of, cut - timedelta(days=1)), rules),
        # days before the cut only: on the cut day and after, what the patient should take
        # depends on this check (held_days), so reading them here would be circular
        _escalation_signal(findings, start, cut - timedelta(days=1), rules),
        _interdose_signal(findings, start, as_of, rules),
        _missed_signal(record.doses, as_of, today, rules),
    )
    before, after = _either_side(plan, cut)
    return Readiness(
        cut,
        today,
        before,
        after,
        verdict_of(s.level for s in signals),
        signals,
        decision if _answers(decision, cut, red_flags, rules) else None,
    )


def held_days(
    record: PersonRecord,
    today: date,
    result: Review | Sequence[Finding],
    decisions: Sequence[ClinicianDecision] = (),
    rules: ReadinessRules = ReadinessRules(),
) -> tuple[HeldSpan, ...]:
    """The days each cut's new dose was on hold by this check: (first, last, cut) spans.

    ``result``: the record's review as of ``today`` without held days, or its findings (at
    least those of the kinds the check reads: red flags, flares, escalation, interdose; what
    ``review(..., held_days=)`` gives a function of them).

    When the check held a cut and no clinician had answered by the cut day, the patient was
    asked to stay on the dose before it (:meth:`Readiness.patient_message`) from the cut day
    until a clinician answered (the first of ``decisions``, every decision on the plan's
    versions by day, that answers it: made once its window opened, no red flag after it; its
    day included, either dose is right that day) or, unanswered, until ``today``. Those are
    the days :func:`taperline.core.review.review` compares with the dose before the cut
    (``held_days``), so staying on it as told is not "more taken than planned", on every
    cut of the plan in force by ``today``, held or not now, whatever was decided later. A
    cut within an earlier one's held days has none of its own (the patient was still on the
    dose before the earlier one). The check reads no escalation on or after a cut day, so
    this does not depend on itself.

    A day whose dose log says what was asked when its line was logged is as it says
    (:class:`~taperline.core.record.DoseRecord`'s ``cut_checked`` and ``stay_on_before``),
    not as the record reads now: a check-in written late or deleted since does not turn a
    dose taken as told into one above the plan, nor excuse one taken above a cut that went
    ahead. A span then starts after its cut when the cut's first days went ahead.

    >>> from datetime import datetime, timezone
    >>> from taperline.core.journal import CheckIn
    >>> from taperline.core.record import Profile
    >>> def step(day, mg):
    ...     return RecordStep(day, (RecordDose("22:00", "clonazepam", Mass.of_mg(mg)),))
    >>> steps = (step(date(2027, 12, 1), "1"), step(date(2027, 12, 8), "0.9"))
    >>> at = datetime(2027, 11, 30, tzinfo=timezone.utc)
    >>> plan = PlanVersion(2, "active", "clonazepam", "percent", steps, "Dr Lee", at)
    >>> days = [CheckIn(date(2027, 12, 1), None, mood=6, anxiety=3)]  # too few: Hold
    >>> record = PersonRecord(Profile("UTC"), checkins=tuple(days), plans=(plan,))
    >>> today = date(2027, 12, 10)
    >>> def shown(spans):
    ...     return [(s.first.day, s.last.day, s.cut.day) for s in spans]
    >>> shown(held_days(record, today, review(record, today)))
    [(8, 10, 8)]
    >>> answers = [ClinicianDecision("Dr Lee", date(2027, 12, d)) for d in (9, 10)]
    >>> shown(held_days(record, today, review(record, today), answers))
    [(8, 9, 8)]

    The 8th's dose was logged when the cut went ahead (the check-ins of that week have been
    deleted since): the 8th is not a held day.

    >>> from dataclasses import replace
    >>> logged = DoseRecord(date(2027, 12, 8), "clonazepam", "22:00", Mass.of_mg("0.9"),
    ...     datetime(2027, 12, 8, 22), Mass.of_mg("0.9"), cut_checked=True)
    >>> shown(held_days(replace(record, doses=(logged,)), today, review(record, today)))
    [(9, 10, 8)]
    """
    plan = record.plan
    if plan is None:
        return ()
    findings = result.findings if isinstance(result, Review) else result
    spans: list[tuple[date, date]] = []
    answer_days: set[date] = set()
    for cut in cut_dates(plan):
        if cut > today:
            break
        if spans and cut <= spans[-1][1]:
            continue  # still on the dose before the earlier held cut
        asked = _check(record, plan, cut, today, findings, None, rules)
        if not asked.asks_clinician:
            continue
        red_flags = next(s for s in asked.signals if s.kind == "red_flag")
        answer = next((d for d in decisions if _answers(d, cut, red_flags, rules)), None)
        last = min(answer.on, today) if answer is not None else today
        if last >= cut:
            spans.append((cut, last))
            if answer is not None and answer.on == last:
                answer_days.add(last)
    return _as_asked(spans, answer_days, record.doses, today)


def _as_asked(
    spans: Sequence[tuple[date, date]],
    answer_days: set[date],
    doses: Sequence[DoseRecord],
    today: date,
) -> tuple[HeldSpan, ...]:
    """The held ``spans`` (cut, last) with each day as its logged dose lines say it was asked.

    A line logged as a held cut's new dose (``stay_on_before``) makes its day a held day of
    that cut; one logged as the new dose of a cut that went ahead (``cut_checked``, nothing to
    stay on) takes its day out of the held days, but for a clinician's answer's own day, when
    either dose is right. What the patient was asked then stands, whatever check-ins were
    written or deleted since; a day without such a line is as the check reads the record now.
    """
    asked: dict[date, date | None] = {}
    for dose in doses:
        if not dose.cut_checked or dose.day > today:
            continue
        stay = dose.stay_on_before
        kept = asked.get(dose.day)
        asked[dose.day] = stay if kept is None else min(kept, stay or kept)
    if not asked:
        return tuple(HeldSpan(cut, last, cut) for cut, last in spans)
    held_on = {
        cut + timedelta(days=n): cut for cut, last in spans for n in range((last - cut).days + 1)
    }
    for day, stay in asked.items():
        if stay is not None:
            held_on[day] = stay
        elif day not in answer_days:
            held_on.pop(day, None)
    out: list[HeldSpan] = []
    for day in sorted(held_on):
        cut = held_on[day]
        if out and out[-1].cut == cut and out[-1].last + timedelta(days=1) == day:
            out[-1] = out[-1]._replace(last=day)
        else:
            out.append(HeldSpan(day, day, cut))
    return tuple(out)


def _answers(
    decision: ClinicianDecision | None, cut: date, red_flags: Signal, rules: ReadinessRules
) -> bool:
    """Whether ``decision`` answers the cut: made once its window opened, no red flag since."""
    if decision is None or decision.on < cut - timedelta(days=rules.lead_days):
        return False
    return not any(day > decision.on for day in red_flags.days)


def _either_side(plan: PlanVersion, cut: date) -> tuple[RecordStep, RecordStep]:
    steps = plan.followed_steps
    index = next(i for i, s in enumerate(steps) if s.start == cut)
    return steps[index - 1], steps[index]


def _daily_words(before: RecordStep, after: RecordStep, step: RecordStep) -> str:
    """A step's daily dose in words: '1 mg a day', or each drug's when the plan has several."""
    how = "every other day" if step.every_other_day else "a day"
    totals = step.daily_by_drug()
    drugs = list(dict.fromkeys([*before.daily_by_drug(), *after.daily_by_drug()]))
    if len(drugs) <= 1:
        return f"{fmt(step.daily)} {how}"
    parts = [f"{drug_label(d)} {fmt(totals.get(d, Mass.zero()))}" for d in drugs]
    return f"{' + '.join(parts)} {how}"


def _joined(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def _days_text(days: Sequence[date], today: date) -> str:
    shown = [day_text(d, today) for d in days[-_DAYS_SHOWN:]]
    more = len(days) - len(shown)
    return _joined(shown) + (f" and {more} earlier" if more else "")


def _evidence_days(
    findings: Sequence[Finding], kind: str, start: date, end: date, *, profile: bool = True
) -> tuple[date, ...]:
    """The distinct dates of ``kind`` findings' evidence within ``[start, end]``."""
    days = {
        e.day
        for f in findings
        if f.kind == kind
        for e in f.evidence
        if start <= e.day <= end and (profile or not e.label.startswith("profile"))
    }
    return tuple(sorted(days))


def _sources(findings: Sequence[Finding], kind: str, first: str) -> str:
    """``first`` and the sources of the ``kind`` findings, each id once."""
    ids = [first]
    for f in findings:
        if f.kind == kind:
            ids += [part.strip() for part in f.source.split(";") if part.strip()]
    return "; ".join(dict.fromkeys(ids))


def _red_flag_signal(
    findings: Sequence[Finding], start: date, end: date, rules: ReadinessRules
) -> Signal:
    """Any red flag from ``lookback_days`` before the cut: Hold.

    ``days`` holds the dates of red flags noted in the journal (not the profile's, which are
    dated today): a red flag noted after a clinician's decision asks again.
    """
    basis = f"any red flag from {rules.lookback_days} days before the cut: Hold"
    source = _sources(findings, "red_flag", "ASAM-2025")
    noted = _evidence_days(findings, "red_flag", start, end, profile=False)
    # The profile holds no date (the review dates its red flags today): always in view.
    in_profile = [
        e.value
        for f in findings
        if f.kind == "red_flag"
        for e in f.evidence
        if e.label.startswith("profile")
    ]
    if not noted and not in_profile:
        return Signal("red_flag", "clear", "no red flags", "none", basis, source)
    values = [
        f"{e.value} ({e.day.isoformat()})"
        for f in findings
        if f.kind == "red_flag"
        for e in f.evidence
        if e.day in noted and not e.label.startswith("profile")
    ]
    values = sorted(set(values)) + [f"{v} (profile)" for v in dict.fromkeys(in_profile)]
    parts = []
    if noted:
        parts.append(
            "a red flag (something your clinician must hear about) on " + _days_text(noted, end)
        )
    if in_profile:
        parts.append("a red flag in your profile")
    return Signal("red_flag", "hold", _joined(parts), "; ".join(values), basis, source, noted)


def _flare_signal(
    findings: Sequence[Finding], start: date, end: date, rules: ReadinessRules
) -> Signal:
    """A flare of symptoms with days before the cut: Hold [ASAM-2025: slow or pause]."""
    basis = (
        f"a flare (finding) with bad days from {rules.lookback_days} days before the cut:"
        " Hold; slow or pause when significant"
    )
    days = _evidence_days(findings, "flare", start, end)
    if not days:
        return Signal("flare", "clear", "no flare of symptoms", "none", basis, "ASAM-2025")
    detail = f"bad days (burden at or above the flare threshold): {_iso(days)}"
    patient = f"your symptoms flared ({_days_text(days, end)})"
    return Signal("flare", "hold", patient, detail, basis, "ASAM-2025", days)


def _escalation_signal(
    findings: Sequence[Finding], start: date, end: date, rules: ReadinessRules
) -> Signal:
    """More taken than planned before the cut: Hold (a clinician reviews first)."""
    basis = f"more taken than planned from {rules.lookback_days} days before the cut: Hold"
    days = _evidence_days(findings, "escalation", start, end)
    if not days:
        return Signal("escalation", "clear", "no doses above the plan", "none", basis, "ASAM-2025")
    values = [
        f"{e.value} ({e.day.isoformat()})"
        for f in findings
        if f.kind == "escalation"
        for e in f.evidence
        if e.day in days
    ]
    plural = "s" if len(days) > 1 else ""
    patient = f"more taken than planned on {len(days)} day{plural} ({_days_text(days, end)})"
    return Signal("escalation", "hold", patient, "; ".join(values), basis, "ASAM-2025", days)


def _interdose_signal(
    findings: Sequence[Finding], start: date, end: date, rules: ReadinessRules
) -> Signal:
    """The worst time of day at the predicted trough: Caution (consider a crossover)."""
    basis = (
        f"interdose withdrawal (finding) with days from {rules.lookback_days} days before"
        " the cut: Caution; consider splitting the dose or a crossover"
    )
    source = "SEED-INSOMNIA; ASAM-2025"
    days = _evidence_days(findings, "interdose", start, end)
    if not days:
        clear = "no sign of withdrawal between doses"
        return Signal("interdose", "clear", clear, "none", basis, source)
    detail = f"worst time of day at the predicted trough on {_iso(days)}"
    patient = (
        "your worst time of day is often when your medicine level is lowest, a sign of"
        " withdrawal between doses"
    )
    return Signal("interdose", "caution", patient, detail, basis, source, days)


def _period(as_of: date, today: date, rules: ReadinessRules) -> str:
    if as_of == today:
        return f"the last {rules.window_days} days"
    return f"the {rules.window_days} days up to the cut"


def _checkin_signal(
    checkins: Sequence[CheckIn], as_of: date, today: date, rules: ReadinessRules
) -> Signal:
    """Check-ins in the week up to ``as_of``: too few and withdrawal cannot be assessed."""
    first = as_of - timedelta(days=rules.window_days - 1)
    days = tuple(sorted({c.wake_date for c in checkins if first <= c.wake_date <= as_of}))
    count, window = len(days), rules.window_days
    basis = (
        f"check-ins on {rules.checkins_for_clear} or more of {window} days: clear;"
        f" {rules.checkins_for_caution} or more: Caution; fewer: Hold (the week is"
        " ASAM-2025's; the counts are taperline's, no source gives one)"
    )
    detail = f"{count} of {window} days ({first.isoformat()} to {as_of.isoformat()})"
    period = _period(as_of, today, rules)
    if count >= rules.checkins_for_clear:
        level: Level = "clear"
        patient = f"check-ins on {count} of {period}"
    elif count == 0:
        level, patient = "hold", f"no check-ins in {period}"
    else:
        level = "caution" if count >= rules.checkins_for_caution else "hold"
        patient = f"check-ins on only {count} of {period}"
    return Signal("checkins", level, patient, detail, basis, "ASAM-2025", days)


def _missed_signal(
    doses: Sequence[DoseRecord], as_of: date, today: date, rules: ReadinessRules
) -> Signal:
    """Doses logged as not taken in the week up to ``as_of``."""
    first = as_of - timedelta(days=rules.window_days - 1)
    missed = [d for d in doses if d.taken_at is None and first <= d.day <= as_of]
    days = tuple(sorted({d.day for d in missed}))
    count = len(missed)
    basis = (
        f"{rules.missed_for_caution} or more missed doses in {rules.window_days} days:"
        f" Caution; {rules.missed_for_hold} or more: Hold (taperline's counts; no source"
        " gives one)"
    )
    source = "SEED-INSOMNIA; SEED-MICROTAPER"
    period = _period(as_of, today, rules)
    if count < rules.missed_for_caution:
        patient = f"no missed doses logged in {period}"
        return Signal("missed_doses", "clear", patient, "none logged", basis, source)
    level: Level = "hold" if count >= rules.missed_for_hold else "caution"
    detail = f"{count} logged as not taken: {_iso(days)}"
    patient = f"{count} missed dose{'s' if count > 1 else ''} in {period}"
    return Signal("missed_doses", level, patient, detail, basis, source, days)


def _iso(days: Sequence[date]) -> str:
    return ", ".join(d.isoformat() for d in days)
