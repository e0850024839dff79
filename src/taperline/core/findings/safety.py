"""Findings for a clinician: escalation, large doses, red flags (events, crisis words), co-use."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Final

from taperline.core.catalogue import DailyMaximum
from taperline.core.findings.model import Evidence, Finding, FindingRules, _by_date
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass, drug_label, fmt
from taperline.core.record import PlanVersion
from taperline.core.record.matching import day_text
from taperline.core.screening import (
    CRISIS_SOURCES,
    CRISIS_WHAT,
    OWN_SOURCE,
    CrisisCategory,
    Screening,
    crisis_items,
    crisis_matches,
)

# --- escalation -----------------------------------------------------------------------------


def find_escalation(
    checkins: Sequence[CheckIn], targets: Sequence[tuple[date, Mass]]
) -> tuple[Finding, ...]:
    """Escalation: more taken on a day than the plan's daily dose for that day.

    ``targets`` holds (start date, daily dose) of each plan step, e.g.
    ``[(s.start, s.daily) for s in plan.steps]``.

    >>> from taperline.core.journal import CheckIn, TakenDose
    >>> from datetime import datetime
    >>> dose = TakenDose(datetime(2027, 2, 1, 22, 0), Mass.of_mg(1))
    >>> day = CheckIn(date(2027, 2, 1), None, mood=5, anxiety=5, doses=(dose,))
    >>> find_escalation([day], [(date(2027, 1, 1), Mass.of_mg("0.5"))])[0].evidence[0].value
    '1 mg taken, 0.5 mg planned'
    """
    taken = {
        c.wake_date: Mass.of_mg(sum((d.amount.mg for d in c.doses), start=Mass.zero().mg))
        for c in checkins
        if c.doses
    }
    return find_escalation_taken(taken, targets)


def find_escalation_taken(
    taken_by_day: Mapping[date, Mass] | Mapping[date, Decimal],
    targets: Sequence[tuple[date, Mass]],
) -> tuple[Finding, ...]:
    """Escalation from the daily totals taken (e.g. from the dose log, check-in or not).

    A total is a :class:`Mass`, or a Decimal amount in mg (shown as ``Mass.of_mg`` of it).

    >>> plan = [(date(2027, 1, 1), Mass.of_mg(1))]
    >>> find_escalation_taken({date(2027, 2, 1): Mass.of_mg(2)}, plan)[0].evidence[0].value
    '2 mg taken, 1 mg planned'
    >>> find_escalation_taken({date(2027, 2, 1): Decimal("2.50")}, plan)[0].evidence[0].value
    '2.5 mg taken, 1 mg planned'

    """
    evidence = []
    ordered = sorted(targets, key=lambda t: t[0])
    starts = [start for start, _ in ordered]
    # fmt depends only on the amount in mg and the unit shown: format each one once.
    shown: dict[tuple[Decimal, str], str] = {}

    def show(amount: Mass | Decimal) -> str:
        if isinstance(amount, Mass):
            key = (amount.mg, amount.unit)
            if key not in shown:
                shown[key] = fmt(amount)
        else:
            key = (amount, "mg")  # equal amounts in mg are shown alike
            if key not in shown:
                shown[key] = fmt(Mass.of_mg(amount))
        return shown[key]

    # a year of days repeats a few (taken, planned) pairs: each one's words are made once
    values: dict[tuple[Decimal, str, Decimal, str], str] = {}
    for day in sorted(taken_by_day):
        index = bisect_right(starts, day)
        if not index:
            continue
        planned, amount = ordered[index - 1][1], taken_by_day[day]
        mg, unit = (amount.mg, amount.unit) if isinstance(amount, Mass) else (amount, "mg")
        if mg > planned.mg:
            pair = (mg, unit, planned.mg, planned.unit)
            value = values.get(pair)
            if value is None:
                value = values[pair] = f"{show(amount)} taken, {show(planned)} planned"
            evidence.append(Evidence(day, "daily dose", value))
    if not evidence:
        return ()
    return (
        Finding(
            kind="escalation",
            severity="warning",
            message=(
                f"More was taken than planned on {len(evidence)}"
                f" day{'s' if len(evidence) > 1 else ''}."
            ),
            evidence=tuple(evidence),
            source="ASAM-2025",
            suggested_action="talk with your prescriber before the next step",
            clinician_flag=True,
        ),
    )


# --- a dose far above the plan or the daily maximum -----------------------------------------


def find_large_doses(
    taken: Iterable[tuple[date, str, Mass]],
    daily_maxima: Mapping[str, DailyMaximum],
    planned_daily: Mapping[tuple[date, str], Mass],
    *,
    today: date,
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Urgent, for the clinician: a day above the daily maximum, or one dose above the plan's day.

    ``taken`` holds (day, drug, amount) of each dose taken (the dose log's lines, whatever
    door they came in by). A day whose total of a drug is above that drug's maximum in
    ``daily_maxima`` (for the person's indication, the lowest when it is not known: what
    ``Drug.daily_maximum_for`` gives) [LABEL, SEED-AURA], or a single dose above the plan's
    total of its drug for its whole day (``planned_daily``, by (day, drug); a day the plan gives
    none of it is not compared), is what logging refuses unless confirmed
    (:func:`taperline.service.log_dose`): once stored it is this finding. Drugs are matched by
    name exactly (the caller gives each the same name, e.g. the catalogue's). Only days up to
    ``today`` count; ``today`` also says which dates need their year in the message.

    >>> panic = {"clonazepam": DailyMaximum("panic", Mass.of_mg(4), "adults", "LABEL")}
    >>> day = date(2027, 1, 7)
    >>> (f,) = find_large_doses([(day, "clonazepam", Mass.of_mg(10))], panic, {}, today=day)
    >>> f.kind, f.severity, f.clinician_flag, f.source
    ('large_dose', 'urgent', True, 'LABEL; SEED-MINDED')
    >>> f.evidence[0].value
    'clonazePAM 10 mg taken, daily maximum 4 mg'
    >>> f.message.split(", more")[0]
    'On Thu 7 Jan the clonazePAM logged adds up to 10 mg'
    >>> plan = {(day, "clonazepam"): Mass.of_mg(1)}
    >>> (f,) = find_large_doses([(day, "clonazepam", Mass.of_mg(2))], panic, plan, today=day)
    >>> f.evidence[0].label, f.evidence[0].value
    ('single dose', 'clonazePAM 2 mg in one dose, 1 mg planned for the whole day')
    >>> find_large_doses([(day, "clonazepam", Mass.of_mg(1))], panic, plan, today=day)
    ()
    """
    totals: dict[tuple[date, str], Decimal] = {}
    above_plan: list[tuple[date, str, Mass, Mass]] = []
    for day, drug, amount in taken:
        if day > today:
            continue
        at, mg = (day, drug), amount.mg
        totals[at] = totals.get(at, _ZERO_MG) + mg
        planned = planned_daily.get(at)
        if planned is not None and planned.mg > 0 and mg > planned.mg:
            above_plan.append((day, drug, amount, planned))
    above_max = [
        (day, drug, Mass.of_mg(total), daily_maxima[drug].max_mg)
        for (day, drug), total in totals.items()
        if drug in daily_maxima and total > daily_maxima[drug].max_mg.mg
    ]
    if not above_max and not above_plan:
        return ()
    # fmt and drug_label depend only on the amount (and its unit) and the name: a year of
    # evidence repeats a few of each, so each is worked out once.
    shown: dict[tuple[Decimal, str], str] = {}
    named: dict[str, str] = {}

    def show(amount: Mass) -> str:
        key = (amount.mg, amount.unit)
        if key not in shown:
            shown[key] = fmt(amount)
        return shown[key]

    def name(drug: str) -> str:
        if drug not in named:
            named[drug] = drug_label(drug)
        return named[drug]

    evidence = [
        Evidence(
            day, "daily total", f"{name(drug)} {show(total)} taken, daily maximum {show(limit)}"
        )
        for day, drug, total, limit in above_max
    ]
    # a year of doses above the plan repeats a few (drug, dose, plan): each one's words once
    single: dict[tuple[str, Decimal, str, Decimal, str], str] = {}

    def words(drug: str, amount: Mass, planned: Mass) -> str:
        key = (drug, amount.mg, amount.unit, planned.mg, planned.unit)
        if key not in single:
            single[key] = (
                f"{name(drug)} {show(amount)} in one dose, {show(planned)} planned for the whole"
                " day"
            )
        return single[key]

    evidence += [
        Evidence(day, "single dose", words(drug, amount, planned))
        for day, drug, amount, planned in above_plan
    ]
    evidence.sort(key=_DAY_AND_LABEL)
    # The message tells the first days of each kind (a day above the maximum says enough for
    # that day; of several doses above the plan, the largest); the evidence lists them all.
    over_max = sorted(above_max, key=_by_day)[:_LARGE_DOSES_TOLD]
    max_days = {item[0] for item in above_max}
    largest: dict[tuple[date, str], tuple[Mass, Mass]] = {}
    for day, drug, amount, planned in above_plan:
        earlier = largest.get((day, drug))
        if day not in max_days and (earlier is None or amount.mg > earlier[0].mg):
            largest[day, drug] = (amount, planned)
    over_plan = sorted(largest)[:_LARGE_DOSES_TOLD]
    sentences = [
        f"On {day_text(day, today)} the {drug_label(drug)} logged adds up to {fmt(total)}, more"
        f" than the most to take in a day ({fmt(limit)})."
        for day, drug, total, limit in over_max
    ]
    sentences += [
        f"On {day_text(day, today)} one dose of {drug_label(drug)} logged was"
        f" {fmt(largest[day, drug][0])}, more than your plan gives for the whole day"
        f" ({fmt(largest[day, drug][1])})."
        for day, drug in over_plan
    ]
    every_day = max_days | {day for day, _ in largest}
    more = len(every_day - {item[0] for item in over_max} - {day for day, _ in over_plan})
    if more:
        sentences.append(f"So did {more} other day{'s' if more > 1 else ''} (see the evidence).")
    # The signs to call for now are the label's boxed warning (profound sedation, respiratory
    # depression) [LABEL] and confusion, shallow breathing [SEED-MINDED].
    sources = {daily_maxima[drug].source for _, drug, _, _ in above_max} | {"LABEL", "SEED-MINDED"}
    if above_plan:
        sources.add("ASAM-2025")
    return (
        Finding(
            kind="large_dose",
            severity="urgent",
            message=(
                f"{' '.join(sentences)} If that is what you took, call your clinician or"
                " prescriber today: they need to know. Do not change your doses on your own."
                " If you are very drowsy or confused, or your breathing is slow or shallow, call"
                f" {rules.local_emergency} now. If it was logged by mistake, correct the dose"
                " log."
            ),
            evidence=tuple(evidence),
            source="; ".join(sorted(sources)),
            suggested_action="ask your clinician today; a clinician must review before any step",
            clinician_flag=True,
        ),
    )


_DAY_AND_LABEL: Final = attrgetter("day", "label")
_ZERO_MG: Final = Decimal(0)
#: At most this many days of each kind are told in a large-dose message (all are evidence).
_LARGE_DOSES_TOLD: Final = 2


def _by_day(item: tuple[date, str, Mass, Mass]) -> tuple[date, str, Decimal]:
    return item[0], item[1], item[2].mg


# --- red flags and co-use -------------------------------------------------------------------


def crisis_message(local_emergency: str = "your local emergency number") -> str:
    """The crisis resources included in every red-flag message.

    >>> crisis_message()
    'If you might act on thoughts of suicide, call or text 988 (US) now, or your local emergency number.'
    """  # noqa: E501 -- a doctest line reads better whole
    return (
        f"If you might act on thoughts of suicide, call or text 988 (US) now, or {local_emergency}."
    )


_RED_FLAG_TEXT: Final[dict[str, str]] = {
    "phq9 item 9": "Your PHQ-9 answer to item 9 (thoughts of death or self-harm) was above 0.",
    "suicidal thoughts": "You noted thoughts of suicide.",
    "seizure": "You noted a seizure.",
    "confusion": "You noted confusion. New confusion needs medical care soon.",
    "psychosis": "You noted seeing or hearing things or unusual beliefs. This needs care now.",
    "fall": "You noted a fall. Falls can be caused by the medicine and need checking.",
}


def emergency_message(local_emergency: str = "your local emergency number") -> str:
    """What a seizure calls for: emergency services now, not only the prescriber.

    >>> emergency_message()
    'A seizure needs emergency care: call emergency services now (911 in the US, 112 in Europe, or your local emergency number).'
    """  # noqa: E501 -- a doctest line reads better whole
    return (
        "A seizure needs emergency care: call emergency services now (911 in the US, 112 in"
        f" Europe, or {local_emergency})."
    )


_TELL: Final = "Please tell your prescriber today and do not make any dose change on your own."


def red_flag_advice(event: str, local_emergency: str = "your local emergency number") -> str:
    """What to do after a red-flag event, by event; each keeps the prescriber and no dose change.

    Thoughts of suicide or self-harm get the crisis line (:func:`crisis_message`); a seizure
    gets emergency services now, without the crisis line; confusion, unusual experiences and
    falls the prescriber today, and emergency help when severe or unsafe.

    >>> red_flag_advice("seizure").startswith("A seizure needs emergency care")
    True
    >>> "988" in red_flag_advice("seizure"), "988" in red_flag_advice("suicidal thoughts")
    (False, True)
    """
    if event == "seizure":
        return (
            f"{emergency_message(local_emergency)} Then tell your prescriber, and do not make"
            " any dose change on your own."
        )
    if event in {"suicidal thoughts", "phq9 item 9", "self-harm"}:
        return f"{_TELL} {crisis_message(local_emergency)}"
    if event == "fall":
        return f"{_TELL} If you hit your head or cannot get up, call {local_emergency} now."
    return f"{_TELL} If it is sudden or severe, or you feel unsafe, call {local_emergency} now."


def _red_flag(day: date, event: str, rules: FindingRules) -> Finding:
    seizure = event == "seizure"
    return Finding(
        kind="red_flag",
        severity="urgent",
        message=f"{_RED_FLAG_TEXT[event]} {red_flag_advice(event, rules.local_emergency)}",
        evidence=(Evidence(day, "event", event),),
        source="KROENKE-2001" if event == "phq9 item 9" else "ASAM-2025; SEED-MINDED",
        suggested_action=(
            "call emergency services now; a clinician must review before any step"
            if seizure
            else "contact your prescriber today; a clinician must review before any step"
        ),
        clinician_flag=True,
    )


#: Note words of these kinds are already reported by a check-in event of the same day.
_EVENT_OF: Final[dict[CrisisCategory, str]] = {
    "suicidal thoughts": "suicidal thoughts",
    "seizure": "seizure",
}


def _typed_red_flag(  # noqa: PLR0917 -- one private helper, called twice
    day: date,
    category: CrisisCategory,
    label: str,
    typed: Sequence[str],
    intro: str,
    rules: FindingRules,
) -> Finding:
    """An urgent finding for crisis words typed somewhere; the evidence quotes what was typed."""
    if category == "seizure":  # the emergency advice says what a seizure needs
        advice = red_flag_advice("seizure", rules.local_emergency)
    else:
        advice = f"{CRISIS_WHAT[category]} {_TELL} {crisis_message(rules.local_emergency)}"
    return Finding(
        kind="red_flag",
        severity="urgent",
        message=f"{intro} {advice}",
        evidence=tuple(Evidence(day, label, value) for value in typed),
        source=CRISIS_SOURCES[category],
        suggested_action=(
            "call emergency services now; a clinician must review before any step"
            if category == "seizure"
            else "contact your prescriber today; a clinician must review before any step"
        ),
        clinician_flag=True,
    )


def _note_red_flags(
    day: date,
    notes: str,
    reported: frozenset[CrisisCategory],
    rules: FindingRules,
    *,
    dose: bool = False,
) -> list[Finding]:
    """One finding per kind of crisis words in a note of ``day`` (none of a kind ``reported``).

    ``dose``: the note is a dose-log line's, not the check-in's.
    """
    if not notes:
        return []
    by_kind: dict[CrisisCategory, list[str]] = {}
    for match in crisis_matches(notes):
        if match.category not in reported:
            by_kind.setdefault(match.category, []).append(match.typed)
    where = "A note on a dose you logged for this day" if dose else "Your note for this day"
    return [
        _typed_red_flag(
            day,
            category,
            "dose note" if dose else "note",
            typed,
            f"{where} says “{'”, “'.join(typed)}”.",
            rules,
        )
        for category, typed in by_kind.items()
    ]


def _reported_by_events(checkin: CheckIn) -> frozenset[CrisisCategory]:
    """The kinds of crisis words a check-in's events already report."""
    return frozenset(kind for kind, event in _EVENT_OF.items() if event in checkin.events)


def find_red_flags(
    checkins: Sequence[CheckIn],
    scores: Sequence[InstrumentScore] = (),
    rules: FindingRules = FindingRules(),
    dose_notes: Sequence[tuple[date, str]] = (),
) -> tuple[Finding, ...]:
    """Urgent findings: each red-flag event, crisis words in notes, PHQ-9 item 9 above 0.

    Crisis words in a day's notes give one finding per kind of words (suicidal thoughts,
    self-harm, seizure), unless an event of that day already reports that kind. The notes of
    the dose log (``dose_notes``: each line's day and note) are read too: words of a kind
    the day's events or check-in notes did not report give a finding of their own.

    >>> from taperline.core.instruments import score_phq9
    >>> f = find_red_flags([], [score_phq9([0] * 8 + [1], taken_on=date(2027, 2, 1))])
    >>> f[0].evidence[0].label, f[0].severity
    ('event', 'urgent')
    >>> from taperline.core.journal import CheckIn
    >>> day = CheckIn(date(2027, 2, 2), None, mood=2, anxiety=8, notes="I want to die")
    >>> [(e.label, e.value) for e in find_red_flags([day])[0].evidence]
    [('note', 'want to die')]
    >>> dose_flag = find_red_flags([], dose_notes=[(day.wake_date, "want to die")])[0]
    >>> [(e.label, e.value) for e in dose_flag.evidence], dose_flag.clinician_flag
    ([('dose note', 'want to die')], True)
    """
    found = []
    reported: dict[date, frozenset[CrisisCategory]] = {}
    for checkin in _by_date(checkins):
        day = checkin.wake_date
        if not (checkin.events or checkin.notes):
            continue
        found += [_red_flag(day, event, rules) for event in sorted(checkin.events)]
        by_events = _reported_by_events(checkin)
        found += _note_red_flags(day, checkin.notes, by_events, rules)
        if dose_notes:  # what the day's dose notes need not say again
            reported[day] = by_events | {m.category for m in crisis_matches(checkin.notes)}
    for day, note in sorted(dose_notes, key=lambda n: n[0]):
        flags = _note_red_flags(day, note, reported.get(day, frozenset()), rules, dose=True)
        reported[day] = reported.get(day, frozenset()) | {m.category for m in crisis_matches(note)}
        found += flags
    found += [
        _red_flag(s.taken_on or date.min, "phq9 item 9", rules) for s in scores if s.item9_positive
    ]
    return tuple(found)


def find_profile_red_flags(
    conditions: Sequence[str],
    day: date,
    rules: FindingRules = FindingRules(),
    medicines: Sequence[str] = (),
) -> tuple[Finding, ...]:
    """Crisis words in the profile's conditions (or medicines): one urgent finding per item.

    The conditions are read as the profile's screen reads them (:func:`crisis_items`: the
    comma entries the form stores joined where they are one item, so "denies seizures", "had
    one last night" is a seizure told and "Seizures", "no" a denial); each medicine entry
    alone. ``day`` is when it is reported (the profile holds no date): the caller's today.

    >>> [f.evidence[0] for f in find_profile_red_flags(["epilepsy", "self-harm"], date(2027, 3, 1))]
    [Evidence(day=datetime.date(2027, 3, 1), label='profile condition', value='self-harm')]
    >>> [f.evidence[0].value for f in find_profile_red_flags(
    ...     ["denies seizures", "had one last night", "Seizures", "no"], date(2027, 3, 1))]
    ['denies seizures, had one last night']
    """
    medicines_read = [(entry, hit) for entry in medicines if (hit := crisis_matches(entry))]
    found = []
    for label, items in (
        ("profile condition", crisis_items(conditions)),
        ("profile medicine", medicines_read),
    ):
        where = "health conditions" if label == "profile condition" else "medicines"
        for item, matches in items:
            intro = f"Your profile lists “{item}” among your {where}."
            category = matches[0].category
            found.append(_typed_red_flag(day, category, label, (item,), intro, rules))
    return tuple(found)


#: What the profile's screen reports as a finding of the review (crisis words are
#: :func:`find_profile_red_flags`'; an unknown name is said where it is typed).
#: Another sedative (a second benzodiazepine, a z-drug) is a "duplicate" of the screen: it adds
#: sedation and slower breathing [LABEL], so it is reported as an interaction is; the drug of
#: the plan itself among the profile's medicines is not (people list what they take).
_PROFILE_SCREEN_KINDS: Final = frozenset(
    {"interaction", "duplicate", "contraindication", "caution"}
)


def find_profile_screen(screening: Screening, day: date) -> tuple[Finding, ...]:
    """The interactions (a second sedative too), contraindications and cautions of the profile.

    ``screening``: :func:`taperline.core.screening.screen` of the profile's medicines and
    conditions for the drug taken; ``day`` is when it is reported (the profile holds no
    date). A medicine or condition added after the plan was made is screened by the review
    as it is by a new plan: an opioid added under a plan gets its boxed warning here.

    >>> from taperline.catalogue_data import load_catalogue
    >>> from taperline.core.screening import screen
    >>> catalogue = load_catalogue()
    >>> found = screen(catalogue, catalogue.get("clonazepam"), agents=["OxyContin"])
    >>> day = date(2027, 3, 1)
    >>> [(f.kind, f.severity, f.clinician_flag) for f in find_profile_screen(found, day)]
    [('medicine_condition', 'urgent', True)]
    """
    return tuple(
        Finding(
            kind="medicine_condition",
            severity=issue.severity,
            message=issue.message,
            evidence=(Evidence(day, "profile", issue.kind),),
            source=issue.source,
            suggested_action=(
                "contact your prescriber today; a clinician must review the profile"
                if issue.severity == "urgent"
                else "discuss it with your prescriber"
            ),
            clinician_flag=issue.clinician_flag or issue.severity == "urgent",
        )
        for issue in screening.findings
        if issue.kind in _PROFILE_SCREEN_KINDS
        and issue.severity != "info"
        and not (issue.kind == "duplicate" and issue.source == OWN_SOURCE)
    )


def find_plan_above_maximum(
    plan: PlanVersion, maximum: DailyMaximum, today: date, drug_name: str
) -> tuple[Finding, ...]:
    """An urgent finding when the plan gives more a day than the profile's maximum now.

    ``maximum`` is the one the profile's reason for taking the drug gives; the plan's doses
    from ``today`` on are compared with it. A plan is checked against the maximum when it is
    made; a reason changed afterwards (epilepsy's 20 mg, then panic disorder's 4 mg [LABEL])
    is caught here, by every review.

    >>> from taperline.core.record import RecordDose, RecordStep
    >>> from datetime import UTC, datetime
    >>> doses = (RecordDose("08:00", "clonazepam", Mass.of_mg(3)),
    ...          RecordDose("20:00", "clonazepam", Mass.of_mg(3)))
    >>> plan = PlanVersion(1, "active", "clonazepam", "fixed",
    ...                    (RecordStep(date(2027, 1, 1), doses),), "Dr A",
    ...                    datetime(2026, 12, 1, tzinfo=UTC))
    >>> panic = DailyMaximum("panic", Mass.of_mg(4), "adults with panic disorder", "LABEL")
    >>> day = date(2027, 1, 5)
    >>> [f.severity for f in find_plan_above_maximum(plan, panic, day, "clonazePAM")]
    ['urgent']
    """
    current = plan.step_on(today)
    steps = [s for s in plan.steps if s.start > today] + ([current] if current else [])
    # the plan's drug only: a crossover step's other drug has its own maximum
    totals = [sum((d.amount.mg for d in s.doses if d.drug == plan.drug), Decimal(0)) for s in steps]
    if not totals or max(totals) <= maximum.max_mg.mg:
        return ()
    most = Mass.of_mg(max(totals))
    return (
        Finding(
            kind="medicine_condition",
            severity="urgent",
            message=(
                f"Your plan gives up to {fmt(most)} of {drug_name} a day, above the daily"
                f" maximum of {fmt(maximum.max_mg)} for {maximum.applies_to}. Ask your"
                " prescriber today; do not change your dose on your own."
            ),
            evidence=(Evidence(today, "plan daily maximum", fmt(most)),),
            source=maximum.source,
            suggested_action="contact your prescriber today; a clinician must review the plan",
            clinician_flag=True,
        ),
    )


def find_co_use(checkins: Sequence[CheckIn]) -> tuple[Finding, ...]:
    """Alcohol or opioids on a day the benzodiazepine is taken.

    >>> from taperline.core.journal import CheckIn
    >>> find_co_use([CheckIn(date(2027, 2, 1), None, mood=5, anxiety=5, alcohol_drinks=2)])[0].kind
    'co_use'
    """
    evidence = []
    for checkin in _by_date(checkins):
        if checkin.alcohol_drinks:
            evidence.append(
                Evidence(checkin.wake_date, "alcohol drinks", str(checkin.alcohol_drinks))
            )
        if checkin.opioid_use:
            evidence.append(Evidence(checkin.wake_date, "opioid", "yes"))
    if not evidence:
        return ()
    return (
        Finding(
            kind="co_use",
            severity="warning",
            message=(
                "Alcohol or opioids together with clonazepam add to drowsiness and can slow"
                " breathing dangerously; alcohol also makes withdrawal symptoms harder to read."
            ),
            evidence=tuple(evidence),
            source="SEED-MINDED; LABEL",
            suggested_action=(
                "avoid alcohol and opioids while taking clonazepam; tell your prescriber"
            ),
        ),
    )
