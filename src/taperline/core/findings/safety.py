"""Findings that need a clinician: escalation, red flags (events, typed crisis words), co-use."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from taperline.core.findings.model import Evidence, Finding, FindingRules, _by_date
from taperline.core.instruments import InstrumentScore
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass, fmt
from taperline.core.screening import CRISIS_SOURCES, CRISIS_WHAT, CrisisCategory, crisis_matches

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

    for day in sorted(taken_by_day):
        index = bisect_right(starts, day)
        if not index:
            continue
        planned, amount = ordered[index - 1][1], taken_by_day[day]
        if (amount.mg if isinstance(amount, Mass) else amount) > planned.mg:
            value = f"{show(amount)} taken, {show(planned)} planned"
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
    "seizure": "You noted a seizure. A seizure while tapering needs medical care now.",
    "confusion": "You noted confusion. New confusion needs medical care soon.",
    "psychosis": "You noted seeing or hearing things or unusual beliefs. This needs care now.",
    "fall": "You noted a fall. Falls can be caused by the medicine and need checking.",
}


def _red_flag(day: date, event: str, rules: FindingRules) -> Finding:
    return Finding(
        kind="red_flag",
        severity="urgent",
        message=(
            f"{_RED_FLAG_TEXT[event]} Please tell your prescriber today and do not make any"
            f" dose change on your own. {crisis_message(rules.local_emergency)}"
        ),
        evidence=(Evidence(day, "event", event),),
        source="KROENKE-2001" if event == "phq9 item 9" else "ASAM-2025; SEED-MINDED",
        suggested_action="contact your prescriber today; a clinician must review before any step",
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
    return Finding(
        kind="red_flag",
        severity="urgent",
        message=(
            f"{intro} {CRISIS_WHAT[category]} Please tell your prescriber today and do not make"
            f" any dose change on your own. {crisis_message(rules.local_emergency)}"
        ),
        evidence=tuple(Evidence(day, label, value) for value in typed),
        source=CRISIS_SOURCES[category],
        suggested_action="contact your prescriber today; a clinician must review before any step",
        clinician_flag=True,
    )


def _note_red_flags(checkin: CheckIn, rules: FindingRules) -> list[Finding]:
    """One finding per kind of crisis words in the day's notes (not one an event reports)."""
    if not checkin.notes:
        return []
    by_kind: dict[CrisisCategory, list[str]] = {}
    for match in crisis_matches(checkin.notes):
        if _EVENT_OF.get(match.category) not in checkin.events:
            by_kind.setdefault(match.category, []).append(match.typed)
    return [
        _typed_red_flag(
            checkin.wake_date,
            category,
            "note",
            typed,
            f"Your note for this day says “{'”, “'.join(typed)}”.",
            rules,
        )
        for category, typed in by_kind.items()
    ]


def find_red_flags(
    checkins: Sequence[CheckIn],
    scores: Sequence[InstrumentScore] = (),
    rules: FindingRules = FindingRules(),
) -> tuple[Finding, ...]:
    """Urgent findings: each red-flag event, crisis words in notes, PHQ-9 item 9 above 0.

    Crisis words in a day's notes give one finding per kind of words (suicidal thoughts,
    self-harm, seizure), unless an event of that day already reports that kind.

    >>> from taperline.core.instruments import score_phq9
    >>> f = find_red_flags([], [score_phq9([0] * 8 + [1], taken_on=date(2027, 2, 1))])
    >>> f[0].evidence[0].label, f[0].severity
    ('event', 'urgent')
    >>> from taperline.core.journal import CheckIn
    >>> day = CheckIn(date(2027, 2, 2), None, mood=2, anxiety=8, notes="I want to die")
    >>> [(e.label, e.value) for e in find_red_flags([day])[0].evidence]
    [('note', 'want to die')]
    """
    found = []
    for checkin in _by_date(checkins):
        found += [_red_flag(checkin.wake_date, event, rules) for event in sorted(checkin.events)]
        found += _note_red_flags(checkin, rules)
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
    """Crisis words in the profile's conditions (or medicines): one urgent finding per entry.

    ``day`` is when it is reported (the profile holds no date): the caller's today.

    >>> [f.evidence[0] for f in find_profile_red_flags(["epilepsy", "self-harm"], date(2027, 3, 1))]
    [Evidence(day=datetime.date(2027, 3, 1), label='profile condition', value='self-harm')]
    """
    found = []
    for label, entries in (("profile condition", conditions), ("profile medicine", medicines)):
        where = "health conditions" if label == "profile condition" else "medicines"
        for entry in entries:
            matches = crisis_matches(entry)
            if matches:
                intro = f"Your profile lists “{entry}” among your {where}."
                category = matches[0].category
                found.append(_typed_red_flag(day, category, label, (entry,), intro, rules))
    return tuple(found)


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
