"""All findings for one person's record, and the proposal they lead to.

This joins the journal, the dose log, the weekly instruments and the plan in force and runs
every finding of :mod:`taperline.core.findings` once. ``today`` comes from the caller (the
core has no clock). Nothing is computed from a missing input: a finding whose inputs are
absent (no plan, fewer baseline days than needed, no dose log) is skipped and the reason is
listed in :attr:`Review.skipped` so a reader knows what was not checked.

>>> from datetime import date
>>> from taperline.core.journal import CheckIn
>>> from taperline.core.record import PersonRecord, Profile
>>> day = CheckIn(date(2027, 1, 5), None, mood=5, anxiety=5, events=frozenset({"seizure"}))
>>> result = review(PersonRecord(Profile("UTC"), checkins=(day,)), today=date(2027, 1, 5))
>>> [f.kind for f in result.findings], result.proposal.action
(['red_flag'], 'hold')

Crisis words in the notes of a check-in and in the profile's conditions or medicines are red
flags too (dated ``today`` for the profile, which holds no date).

A day of the dose log above the daily maximum for the person's indication, or a dose above the
plan's whole day, is urgent (``large_dose``), whichever door the dose came in by. The maxima
come from the drug catalogue the caller passes (the core reads no file): without one, only the
plan is compared and the review says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from taperline.core.catalogue import Catalogue, DailyMaximum, Drug
from taperline.core.findings import (
    Finding,
    FindingRules,
    Proposal,
    find_co_use,
    find_device_rebound,
    find_escalation_taken,
    find_flares,
    find_interdose,
    find_large_doses,
    find_plan_above_maximum,
    find_profile_red_flags,
    find_profile_screen,
    find_rebound,
    find_red_flags,
    find_stable,
    find_waves,
    good_day_level,
    propose_next_step,
    scored_days_in_week,
    trough_hours,
)
from taperline.core.journal import CheckIn
from taperline.core.metrics import MIN_BASELINE_DAYS, Baseline, baseline, scored
from taperline.core.pk_params import PKParams
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    RecordDose,
    RecordStep,
    planned_on,
)
from taperline.core.screening import indication_of
from taperline.errors import UnknownDrugError

if TYPE_CHECKING:
    from taperline.core.device_sleep import DeviceNight

__all__ = [
    "HeldDays",
    "HeldSpan",
    "Review",
    "cut_dates",
    "escalation_targets",
    "first_cut",
    "held_spans",
    "review",
]

_DEFAULT_RULES = FindingRules()
_SEVERITY_ORDER = {"urgent": 0, "warning": 1, "info": 2}


class HeldSpan(NamedTuple):
    """Days the patient was asked to stay on the dose before a held cut: ``first`` to ``last``.

    ``cut`` is the held cut's date (the dose asked is the one before it): ``first`` itself
    unless the span starts later, after a day the cut went ahead as the line logged that day
    recorded (:func:`taperline.core.readiness.held_days`).
    """

    first: date
    last: date
    cut: date


#: The held spans, in order (:func:`taperline.core.readiness.held_days`); a ``(first, last)``
#: pair is a span of the cut on ``first``.
HeldDays = Sequence[HeldSpan | tuple[date, date]]


def held_spans(held_days: HeldDays) -> tuple[HeldSpan, ...]:
    """``held_days`` as :class:`HeldSpan` s (a ``(first, last)`` pair: the cut on ``first``).

    >>> held_spans([(date(2027, 1, 8), date(2027, 1, 9))])[0].cut
    datetime.date(2027, 1, 8)
    """
    return tuple(
        span if isinstance(span, HeldSpan) else HeldSpan(span[0], span[1], span[0])
        for span in held_days
    )


def _by_severity(finding: Finding) -> int:
    return _SEVERITY_ORDER[finding.severity]


@dataclass(frozen=True, slots=True)
class Review:
    """The findings (most severe first), the proposal, the baseline and what was skipped."""

    findings: tuple[Finding, ...]
    proposal: Proposal
    baseline: Baseline | None
    skipped: tuple[str, ...]


def with_findings(result: Review, extra: Sequence[Finding]) -> Review:
    """``result`` with ``extra`` findings among its own (most severe first), the proposal kept.

    For findings about something other than the taper (a sleep window a condition now
    contraindicates): told with the review's findings, without changing its proposal.
    """
    if not extra:
        return result
    return replace(result, findings=tuple(sorted((*result.findings, *extra), key=_by_severity)))


@dataclass(frozen=True, slots=True)
class _HeldFree:
    """A review's findings that do not read ``held_days`` (what :func:`_held_by` reads).

    All but the large doses, escalation (both compare with the plan of each day, which the
    held days change) and a stable week (which no urgent finding, so no large dose, may
    stand over). In the order the review lists them before it sorts by severity.
    """

    checkins: tuple[CheckIn, ...]
    head: tuple[Finding, ...]  # red flags (the journal's, the profile's), co-use
    interdose: tuple[Finding, ...]
    base: Baseline | None
    steps: tuple[date, ...]  # the cuts made by today
    flares: tuple[Finding, ...]
    waves: tuple[Finding, ...]
    scored_days: int | None
    rebounds: tuple[Finding, ...]  # rebound, device rebound
    skipped: tuple[str, ...]


def _daily_mg(step: RecordStep) -> Decimal:
    """The step's daily total in mg: the value of ``step.daily.mg``, without making a Mass."""
    return sum((d.amount.mg for d in step.doses), Decimal(0))


def cut_dates(plan: PlanVersion) -> tuple[date, ...]:
    """The start dates of the steps that lower the daily dose (a held plan's cuts wait).

    An every-other-day step gives half its dose a day on average, as the rules engine
    counts it: the move from a dose a day to the same dose every other day is a cut [ASHTON].

    >>> from datetime import timezone
    >>> from taperline.core.record import RecordDose, RecordStep
    >>> dose = (RecordDose("22:00", "clonazepam", Mass.of_mg("0.125")),)
    >>> steps = (RecordStep(date(2027, 1, 1), dose),
    ...          RecordStep(date(2027, 1, 15), dose, every_other_day=True),
    ...          RecordStep(date(2027, 1, 29), ()))
    >>> at = datetime(2026, 12, 20, tzinfo=timezone.utc)
    >>> plan = PlanVersion(1, "active", "clonazepam", "percent", steps, "Dr Lee", at)
    >>> [d.isoformat() for d in cut_dates(plan)]
    ['2027-01-15', '2027-01-29']
    """
    steps = plan.followed_steps
    daily = [_daily_mg(step) / 2 if step.every_other_day else _daily_mg(step) for step in steps]
    return tuple(
        step.start
        for step, earlier, later in zip(steps[1:], daily, daily[1:], strict=False)
        if later < earlier
    )


def first_cut(plan: PlanVersion | None) -> date | None:
    """The first day of the first lower dose (None when the plan has no cut)."""
    cuts = cut_dates(plan) if plan is not None else ()
    return cuts[0] if cuts else None


def _schedule(step: RecordStep | None, drug: str) -> list[tuple[float, float]]:
    if step is None:
        return []
    return [(d.clock_h, float(d.amount.mg)) for d in step.doses if d.drug == drug]


def review(
    record: PersonRecord,
    today: date,
    rules: FindingRules = _DEFAULT_RULES,
    pk_params: Mapping[str, PKParams] | None = None,
    *,
    catalogue: Catalogue | None = None,
    device_nights: Sequence[DeviceNight] = (),
    held_days: HeldDays | Callable[[tuple[Finding, ...]], HeldDays] = (),
) -> Review:
    """Every finding for ``record`` on ``today``; ``pk_params`` maps drug -> PK model.

    ``pk_params`` defaults to clonazepam's model only (the other drugs have none yet), so
    the interdose check is skipped for a plan of another drug. ``catalogue`` gives each drug's
    daily maximum (``taperline.catalogue_data.load_catalogue()``, as logging a dose uses):
    without it no day is compared with a maximum, and ``skipped`` says so.

    ``device_nights``: the person's device sleep nights, given only when their clinician
    turned device sleep on for findings (the service reads the switch). The rebound rule is
    then read on them too, as a finding of its own (``device_rebound``); no other finding
    reads them and no diary value is filled. None given (the default): the diary alone.

    ``held_days``: for each cut whose new dose was on hold, its first and last held day (the
    cut day, and the day a clinician answered or ``today``), in order, from
    :func:`taperline.core.readiness.held_days`. The patient was asked to stay on the dose
    before the cut, so on those days escalation and the large-dose check compare with that
    dose, not the new one. Or a function that works them out from the findings the
    readiness check reads (:func:`taperline.core.readiness.held_days` of them): it is given
    the findings of the kinds it reads (red flags, flares, escalation without held days,
    interdose, in the order this review lists them; no large dose, no stable week, which the
    held days change and the check does not read), and the review then compares with the
    days it gives. The same result as a review without held days, the days worked out from
    it, and a second review with them (as :func:`taperline.service.store.review_as_of` made
    them), without finding anything twice.
    """
    kept = _held_free(record, today, rules, pk_params, catalogue, device_nights)
    plan, steps = record.plan, kept.steps
    if callable(held_days):
        held, escalation = _held_by(held_days, record, today, kept)
    else:
        held = held_spans(held_days)
        escalation = _escalation(record, plan, today, held) if plan is not None else ()
    found: list[Finding] = [
        *kept.head,
        *_large_doses(record, today, rules, catalogue, held_days=held),
        *kept.interdose,
    ]
    if kept.base is not None and plan is not None:
        # a stable week never stands over an urgent finding (a red flag, a large dose)
        urgent = {e.day for f in found if f.severity == "urgent" for e in f.evidence}
        found += kept.flares
        found += find_stable(
            kept.checkins,
            kept.base,
            rules,
            today=today,
            last_cut=steps[-1] if steps else None,
            urgent_days=urgent,
        )
        found += kept.waves
    if plan is not None:
        found += kept.rebounds
        found += escalation
    found.sort(key=_by_severity)
    proposal = propose_next_step(
        found,
        rules,
        scored_days=kept.scored_days,
        days_since_cut=(today - steps[-1]).days if steps else None,
    )
    return Review(tuple(found), proposal, kept.base, kept.skipped)


def _held_by(
    held_days: Callable[[tuple[Finding, ...]], HeldDays],
    record: PersonRecord,
    today: date,
    kept: _HeldFree,
) -> tuple[tuple[HeldSpan, ...], tuple[Finding, ...]]:
    """The held days ``held_days`` works out, and the escalation finding compared with them.

    ``held_days`` is given what a review without held days finds, but the large doses and a
    stable week (which it does not read), in that review's order: found once here, so the
    review with the held days does not look for them twice.
    """
    plan = record.plan
    unheld = _escalation(record, plan, today, ()) if plan is not None else ()
    asked = [*kept.head, *kept.interdose]
    if kept.base is not None and plan is not None:
        asked += [*kept.flares, *kept.waves]
    if plan is not None:
        asked += [*kept.rebounds, *unheld]
    asked.sort(key=_by_severity)
    held = held_spans(held_days(tuple(asked)))
    if not held or plan is None:
        return held, unheld
    return held, _escalation(record, plan, today, held)


def _profile_screen(
    record: PersonRecord,
    today: date,
    catalogue: Catalogue | None,
    rules: FindingRules,
    skipped: list[str],
) -> tuple[Finding, ...]:
    """The profile's medicines and conditions screened for the drug taken.

    None when there is no catalogue, no drug (no plan, no regimen) or nothing in the profile;
    a drug the catalogue does not hold is said in ``skipped``.
    """
    profile = record.profile
    plan, regimen = record.plan, profile.regimen
    drug = plan.drug if plan is not None else regimen.drug if regimen is not None else None
    if catalogue is None or drug is None:
        return ()
    from taperline.core.screening import screen

    try:
        known = catalogue.get(drug)
    except UnknownDrugError:
        skipped.append(
            f"medicines and conditions: {drug} is not in the drug catalogue, so the profile's"
            " medicines and conditions were not screened for it"
        )
        return ()
    screening = screen(
        catalogue,
        known,
        agents=profile.other_medicines,
        conditions=profile.conditions,
        local_emergency=rules.local_emergency,
    )
    found = find_profile_screen(screening, today)
    if plan is not None and screening.daily_max is not None:
        found += find_plan_above_maximum(plan, screening.daily_max, today, known.label)
    return found


def dose_notes(doses: Sequence[DoseRecord], today: date) -> list[tuple[date, str]]:
    """The dose log's notes up to ``today``, with their days (read for crisis words)."""
    return [(d.day, d.note) for d in doses if d.note and d.day <= today]


def _held_free(  # noqa: PLR0917 -- review()'s own arguments, in its order
    record: PersonRecord,
    today: date,
    rules: FindingRules,
    pk_params: Mapping[str, PKParams] | None,
    catalogue: Catalogue | None,
    device_nights: Sequence[DeviceNight],
) -> _HeldFree:
    """Every finding of :func:`review` that does not read ``held_days`` (see :class:`_HeldFree`)."""
    if pk_params is None:
        from taperline.core.pk_params import CLONAZEPAM_PK

        pk_params = {"clonazepam": CLONAZEPAM_PK}
    # The dose log is not joined to the check-ins (record.with_doses): only the rebound finding
    # reads the doses, and it takes their times from the log (_taken_times).
    checkins = [c for c in record.checkins if c.wake_date <= today]
    checkins.sort(key=lambda c: c.wake_date)
    plan = record.plan
    skipped: list[str] = []
    profile = record.profile
    head = (
        *find_red_flags(checkins, record.scores, rules, dose_notes(record.doses, today)),
        *find_profile_red_flags(profile.conditions, today, rules, profile.other_medicines),
        *_profile_screen(record, today, catalogue, rules, skipped),
        *find_co_use(checkins),
    )
    if catalogue is None and any(d.amount is not None and d.day <= today for d in record.doses):
        skipped.append("large dose: no drug catalogue given, so no daily maximum was compared")
    interdose = _interdose(record, checkins, today, rules, pk_params, skipped)
    cuts = cut_dates(plan) if plan is not None else ()
    base = _baseline(checkins, plan, cuts, today, skipped)
    steps = tuple(d for d in cuts if d <= today)
    flares: list[Finding] = []
    waves: list[Finding] = []
    scored_days: int | None = None
    if base is not None and plan is not None:
        recent = [c for c in checkins if c.wake_date >= (steps[0] if steps else today)]
        flares += find_flares(checkins, steps, base, rules)
        waves += find_waves(recent, base, rules)
        scored_days = scored_days_in_week(checkins, today, rules)
    rebounds: list[Finding] = []
    if plan is None:
        skipped.append("rebound and escalation: no plan in force")
    else:
        rebounds = _rebounds(record, checkins, plan, today, rules, skipped, device_nights)
    return _HeldFree(
        tuple(checkins),
        head,
        tuple(interdose),
        base,
        steps,
        tuple(flares),
        tuple(waves),
        scored_days,
        tuple(rebounds),
        tuple(skipped),
    )


def _interdose(  # noqa: PLR0917 -- one private helper of review(), called once
    record: PersonRecord,
    checkins: list[CheckIn],
    today: date,
    rules: FindingRules,
    pk_params: Mapping[str, PKParams],
    skipped: list[str],
) -> list[Finding]:
    """Interdose withdrawal against the troughs of the regimen in force on each day.

    Each day's doses are the plan's in force that day, or the person's regimen before it
    (:meth:`PersonRecord.planned_on`); a day with a dose of a drug without a PK model has no
    predicted trough and is not read.
    """
    first = today - timedelta(days=rules.interdose_window_days - 1)
    days = [c.wake_date for c in checkins if first <= c.wake_date and c.worst_time is not None]
    troughs_on: dict[date, tuple[float, ...]] = {}
    missing: set[str] = set()
    for day in days:
        doses = record.planned_on(day)
        drugs = {d.drug for d in doses}
        if len(drugs) != 1:
            continue
        (drug,) = drugs
        params = pk_params.get(drug)
        if params is None:
            missing.add(drug)
            continue
        troughs_on[day] = trough_hours(params, [(d.clock_h, float(d.amount.mg)) for d in doses])
    skipped.extend(f"interdose: no PK model for {drug}" for drug in sorted(missing))
    if not troughs_on:
        if record.plan is None and record.profile.regimen is None:
            skipped.append("interdose: no plan in force and no regimen")
        return []
    good_day = good_day_level(checkins, rules)
    if good_day is None:
        skipped.append(
            f"interdose: fewer than {MIN_BASELINE_DAYS} check-ins with the symptom checklist"
            " to know your good-day level"
        )
        return []
    return list(find_interdose(checkins, troughs_on, good_day, rules, today=today))


def _baseline(
    checkins: list[CheckIn],
    plan: PlanVersion | None,
    cuts: tuple[date, ...],
    today: date,
    skipped: list[str],
) -> Baseline | None:
    """The baseline before the first of ``cuts`` (the plan's :func:`cut_dates`)."""
    if plan is None:
        skipped.append("flare, stable and waves: no plan in force")
        return None
    cut = cuts[0] if cuts else today + timedelta(days=1)
    before = [c for c in scored(checkins) if c.wake_date < cut]
    if len(before) < MIN_BASELINE_DAYS:
        skipped.append(
            f"flare, stable and waves: {len(before)} check-ins with the symptom checklist"
            f" before the first cut; the baseline needs {MIN_BASELINE_DAYS}"
        )
        return None
    return baseline(checkins, cut)


def _taken_times(doses: Sequence[DoseRecord]) -> dict[date, list[datetime]]:
    """When doses were taken, by day: the doses ``record.with_doses`` joins to check-ins.

    A dose stays with its day when taken on another date (last night's dose logged at 07:05
    this morning): the rebound finding reads it as late, not missed.
    """
    by_day: dict[date, list[datetime]] = {}
    for dose in doses:
        taken = dose.taken_at
        if taken is not None and dose.amount is not None:
            by_day.setdefault(dose.day, []).append(taken)
    return by_day


def _rebounds(  # noqa: PLR0917 -- one private helper of review(), called once
    record: PersonRecord,
    checkins: list[CheckIn],
    plan: PlanVersion,
    today: date,
    rules: FindingRules,
    skipped: list[str],
    device_nights: Sequence[DeviceNight] = (),
) -> list[Finding]:
    found: list[Finding] = []
    step = plan.step_on(today)
    schedule = _schedule(step, plan.drug)
    logged = {d.day for d in record.doses}
    if not logged:
        skipped.append("rebound and escalation: no doses logged")
        return found
    dose_hours = [hour for hour, _ in schedule]
    if dose_hours:
        taken_times = _taken_times(record.doses)
        found += find_rebound(
            checkins, dose_hours, rules, logged_days=logged, taken_times=taken_times
        )
        nights = [n for n in device_nights if n.wake_date <= today]
        if nights:
            found += find_device_rebound(
                checkins, nights, dose_hours, rules, logged_days=logged, taken_times=taken_times
            )
    return found


def _escalation(
    record: PersonRecord,
    plan: PlanVersion,
    today: date,
    held_days: Sequence[HeldSpan],
) -> tuple[Finding, ...]:
    """Escalation over the dose log up to ``today`` (none without a line taken)."""
    # Summed exactly in mg: the same totals, in mg, as adding the Masses.
    taken_mg: dict[date, Decimal] = {}
    for dose in record.doses:
        if dose.amount is not None and dose.day <= today:
            taken_mg[dose.day] = taken_mg.get(dose.day, Decimal(0)) + dose.amount.mg
    if not taken_mg:
        return ()
    return find_escalation_taken(taken_mg, escalation_targets(plan, today, held_days))


def escalation_targets(
    plan: PlanVersion, today: date, held_days: HeldDays = ()
) -> list[tuple[date, Mass]]:
    """The daily dose planned from each date on: what a day's total taken is compared with.

    A step starting after today is the plan of no day taken by today: left out. A held
    plan's dose stays the held one (its later cuts are not due). On each of ``held_days``
    (first, last) the dose is the one before the cut the readiness check held, which the
    patient was asked to stay on; from the day after, the plan's again. An every-other-day
    step plans its dose on its first day and every second day after, and nothing on the days
    between: each of its days up to today is a date of its own, an off day planned at 0 mg.

    >>> from datetime import timezone
    >>> from taperline.core.quantity import fmt
    >>> from taperline.core.record import RecordDose, RecordStep
    >>> def step(day, mg, alternate=False):
    ...     dose = RecordDose("22:00", "clonazepam", Mass.of_mg(mg))
    ...     return RecordStep(date(2027, 1, day), (dose,), every_other_day=alternate)
    >>> at = datetime(2026, 12, 20, tzinfo=timezone.utc)
    >>> steps = (step(1, "1"), step(8, "0.9"), step(15, "0.8"))
    >>> plan = PlanVersion(1, "active", "clonazepam", "percent", steps, "Dr Lee", at)
    >>> def shown(held=(), plan=plan, today=date(2027, 1, 20)):
    ...     return [(d.day, fmt(m)) for d, m in escalation_targets(plan, today, held)]
    >>> shown()
    [(1, '1 mg'), (8, '0.9 mg'), (15, '0.8 mg')]
    >>> shown([(date(2027, 1, 8), date(2027, 1, 11))])
    [(1, '1 mg'), (8, '1 mg'), (12, '0.9 mg'), (15, '0.8 mg')]
    >>> shown([(date(2027, 1, 8), date(2027, 1, 9)), (date(2027, 1, 15), date(2027, 1, 20))])
    [(1, '1 mg'), (8, '1 mg'), (10, '0.9 mg'), (15, '0.9 mg')]
    >>> from dataclasses import replace
    >>> alternate = replace(plan, steps=(step(1, "0.125"), step(8, "0.125", True)))
    >>> shown(plan=alternate, today=date(2027, 1, 11))
    [(1, '0.125 mg'), (8, '0.125 mg'), (9, '0 mg'), (10, '0.125 mg'), (11, '0 mg')]
    >>> shown([(date(2027, 1, 8), date(2027, 1, 9))], alternate, date(2027, 1, 11))
    [(1, '0.125 mg'), (8, '0.125 mg'), (10, '0.125 mg'), (11, '0 mg')]
    """
    targets: list[_Target] = [
        (s.start, s.daily, s.start if s.every_other_day else None)
        for s in plan.followed_steps
        if s.start <= today
    ]
    for span in held_spans(held_days):
        targets = _held_target(targets, span, today)
    return _by_day(targets, today)


#: A target: from this date, this daily dose; every other day from the date given (else None).
_Target = tuple[date, Mass, date | None]


def _by_day(targets: list[_Target], today: date) -> list[tuple[date, Mass]]:
    """``targets`` as (date, dose), an every-other-day one as a date for each of its days."""
    out: list[tuple[date, Mass]] = []
    for index, (start, daily, alternate_from) in enumerate(targets):
        if alternate_from is None:
            out.append((start, daily))
            continue
        until = targets[index + 1][0] if index + 1 < len(targets) else today + timedelta(days=1)
        out += [
            (day, daily if (day - alternate_from).days % 2 == 0 else Mass.zero())
            for day in (start + timedelta(days=n) for n in range((until - start).days))
        ]
    return out


def _held_target(targets: list[_Target], span: HeldSpan, today: date) -> list[_Target]:
    """``targets`` with the dose before ``span.cut`` kept from ``span.first`` to ``span.last``."""
    first, last = span.first, span.last
    before = [t for t in targets if t[0] < span.cut]
    if not before:
        return targets
    out = [*(t for t in targets if t[0] < first), (first, *before[-1][1:])]
    resume = last + timedelta(days=1)
    if resume <= today:
        out.append((resume, *[t for t in targets if t[0] <= resume][-1][1:]))
    return out + [t for t in targets if t[0] > resume]


def _held_doses(
    plan: PlanVersion | None, held_days: Sequence[HeldSpan]
) -> list[tuple[date, date, tuple[RecordDose, ...]]]:
    """Each held span with the doses of the step before its cut (none before it: left out)."""
    if plan is None:
        return []
    spans = []
    for first, last, cut in held_days:
        before = [s for s in plan.followed_steps if s.start < cut]
        if before:
            spans.append((first, last, before[-1].doses))
    return spans


def _large_doses(
    record: PersonRecord,
    today: date,
    rules: FindingRules,
    catalogue: Catalogue | None,
    *,
    held_days: Sequence[HeldSpan] = (),
) -> tuple[Finding, ...]:
    """The large-dose finding over the dose log up to ``today``.

    Each drug is named as the catalogue names it (a brand or another case is the same drug),
    its maximum is the one for the person's indication, the lowest when it is not known
    (``Drug.daily_maximum_for(indication_of(conditions))``, the lookup logging a dose makes)
    [LABEL, SEED-AURA], and the plan's total of it on a dose's day is what the plan in force
    gives that day (:func:`schedule_on`), or before the plan starts the person's regimen
    (:meth:`PersonRecord.planned_on`, as logging a dose compares it). On a held cut's held days
    (``held_days``) it is the doses of the step before that cut, the dose the patient was asked
    to stay on.
    """
    doses = [
        (d.day, d.drug, d.amount) for d in record.doses if d.amount is not None and d.day <= today
    ]
    if not doses:
        return ()
    known: dict[str, Drug | None] = {}

    def drug_of(name: str) -> Drug | None:
        if name not in known:
            try:
                known[name] = catalogue.get(name) if catalogue is not None else None
            except UnknownDrugError:  # a drug the catalogue does not hold: no maximum
                known[name] = None
        return known[name]

    def key(name: str) -> str:
        drug = drug_of(name)
        return drug.name if drug is not None else name.strip().casefold()

    indication = indication_of(record.profile.conditions)
    maxima: dict[str, DailyMaximum] = {}
    for name in {name for _, name, _ in doses}:
        drug = drug_of(name)
        maximum = drug.daily_maximum_for(indication) if drug is not None else None
        if drug is not None and maximum is not None:
            maxima[drug.name] = maximum
    plan, regimen = record.plan, record.profile.regimen  # the plan in force: found once
    stay = _held_doses(plan, held_days)
    # A year of days plans a few distinct dose lists (a step's, the regimen's): the totals by
    # drug of each, one (immutable) Mass for each distinct total, are worked out once.
    masses: dict[Decimal, Mass] = {}
    totals_of: dict[int, tuple[tuple[RecordDose, ...], list[tuple[str, Mass]]]] = {}

    def totals(day_doses: tuple[RecordDose, ...]) -> list[tuple[str, Mass]]:
        kept = totals_of.get(id(day_doses))
        if kept is not None and kept[0] is day_doses:  # the list itself is kept: ids stay
            return kept[1]
        mg: dict[str, Decimal] = {}
        for dose in day_doses:
            name = key(dose.drug)
            mg[name] = mg.get(name, Decimal(0)) + dose.amount.mg
        found = [
            (
                name,
                masses[total] if total in masses else masses.setdefault(total, Mass.of_mg(total)),
            )
            for name, total in mg.items()
        ]
        totals_of[id(day_doses)] = (day_doses, found)
        return found

    planned: dict[tuple[date, str], Mass] = {}
    for day in {day for day, _, _ in doses}:
        held = next((d for first, last, d in stay if first <= day <= last), None)
        # the held cut's step before on its held days; the regimen's before the plan starts
        for name, mass in totals(held if held is not None else planned_on(plan, regimen, day)):
            planned[day, name] = mass
    names = {name: key(name) for name in {name for _, name, _ in doses}}
    taken = [(day, names[name], amount) for day, name, amount in doses]
    return find_large_doses(taken, maxima, planned, today=today, rules=rules)
