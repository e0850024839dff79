"""iCalendar (RFC 5545) reminders for a plan: doses, daily check-ins, dose changes and refills.

:func:`calendar_ics` turns one :class:`~taperline.core.record.PlanVersion` into the bytes of
an ``.ics`` file. It is pure: the export time (``generated_at``) is an input, so the same
plan gives the same bytes, and every UID is derived from the plan, not drawn at random.

What the calendar holds:

* one recurring event per dose time of each step (daily, or every other day), from the
  step's first day to the day before the next step; a final step without doses (0 mg) has
  none, and a final step *with* doses repeats until ``until`` (or without end): a calendar
  must never suggest an abrupt stop;
* one daily check-in reminder from the plan's first day to ``checkin_days_after_end`` days
  after its last step (or to ``until``);
* an all-day event at each dose change, naming the new daily dose of every drug, the rule
  and its source, and saying that the readiness check comes first;
* an all-day refill reminder ``refill_days_before`` days before each supply period runs out,
  listing what to collect for the next period.

Given the readiness check of the cut in view (:mod:`taperline.core.readiness`) when it asks
the clinician (Hold, unanswered), that cut's event and the reminders of its new doses say
"ask your clinician before this cut" instead of naming the new dose as the thing to take; an
export after the clinician proceeds (a new plan version) updates them.

Times are local wall-clock times in the person's IANA time zone (``DTSTART;TZID=...`` with a
matching ``VTIMEZONE``), so a 22:00 dose stays at 22:00 across daylight-saving changes.

UIDs depend on a calendar key (the stored person id, by default the profile label), the step
index and the dose index, but not on the plan version: approving or holding a plan makes a
new version with the same steps, and its re-export must update the events already imported
rather than add a second copy. ``SEQUENCE`` carries the plan version, so calendar apps take
the newer version's event.

>>> from datetime import date, datetime, timezone
>>> from taperline.core.quantity import Mass
>>> from taperline.core.record import PlanVersion, Profile, RecordDose, RecordStep
>>> at = datetime(2027, 1, 1, tzinfo=UTC)
>>> steps = (
...     RecordStep(date(2027, 1, 4), (RecordDose("22:00", "clonazepam", Mass.of_mg("0.5")),)),
...     RecordStep(date(2027, 1, 18), ()),
... )
>>> plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "Dr Lee", at)
>>> text = calendar_ics(plan, Profile("Europe/London"), generated_at=at).decode()
>>> "SUMMARY:clonazePAM 0.5 mg" in text, "DTSTART;TZID=Europe/London:20270104T220000" in text
(True, True)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from icalendar import (
    CLASS,
    TRANSP,
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vDuration,
)

from taperline.adapters.ics_sequence import cancelled_event, fingerprint, pruned, sequenced
from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.core.readiness import Readiness
from taperline.core.record import PlanVersion, Profile, RecordDose, RecordStep, RecordSupply
from taperline.core.reminders import REMINDER_KINDS, IssuedEvent
from taperline.core.sources import patients_words
from taperline.core.values import parse_clock
from taperline.errors import InputError, ValueFormatError
from taperline.zones import zone

__all__ = [
    "REMINDERS",
    "CalendarOut",
    "IssuedEvent",
    "calendar_feed",
    "calendar_ics",
    "calendar_without_plan",
]

#: The kinds of reminder a calendar may hold, in the order they are written.
REMINDERS: Final = REMINDER_KINDS

PRODID: Final = "-//taperline//taperline reminders//EN"
# A fixed namespace makes UIDs deterministic (uuid5) without putting the person's key,
# a possibly identifying label, into the file (RFC 7986 section 5.3 advises against that).
_UID_NAMESPACE: Final = uuid.UUID("5f0c2b1e-7a43-4d5e-9c8b-2f1d6a3e9b70")
_DOSE_EVENT: Final = timedelta(minutes=15)
_SECOND: Final = timedelta(seconds=1)
_MINUTES_PER_DAY: Final = 24 * 60
# Symptoms may appear up to a week after a cut and may increase near the end [ASAM-2025]:
# check-ins go on for four weeks after the last step (taperline's default, overridable).
CHECKIN_DAYS_AFTER_END: Final = 28
# The VTIMEZONE lists the zone's transitions to at least this long after the last dated
# event, so that open-ended reminders keep their local time for a while (see calendar_ics).
_ZONE_MARGIN: Final = timedelta(days=2 * 366)
_UNIT_NAMES: Final = {"odt": "ODT", "tablet": "tablet", "capsule": "capsule", "mL": "mL"}
#: On every dose change: the readiness check comes first [ASAM-2025: assess withdrawal at
#: every reduction].
_READINESS_LINE: Final = (
    "In the days before this change, taperline's readiness check (status or dashboard) says"
    " Proceed, Caution or Hold: if it says Hold, ask your clinician before this cut."
)
_ASK_FIRST: Final = "ask your clinician before this cut"


@dataclass(frozen=True, slots=True)
class _Context:
    """The checked inputs every event builder needs."""

    plan: PlanVersion
    zone: ZoneInfo
    stamp: datetime
    key: str
    checkin: time
    checkin_end: date
    refill_days_before: int
    alarm_before: timedelta
    until: date | None
    readiness: Readiness | None = None
    #: titles and alarms that do not name the drug (a lock screen shows them)
    discreet: bool = False
    #: doses to stay on until a clinician answered, due by then and not logged: their day,
    #: the dose and when the answer was made (see :func:`calendar_feed`)
    waiting: tuple[tuple[date, RecordDose, datetime], ...] = ()

    def asks_before(self, step: RecordStep) -> bool:
        """Whether ``step`` starts the cut the readiness check asks the clinician about."""
        check = self.readiness
        return check is not None and check.asks_clinician and step.start == check.cut

    def finishes_before(self, step: RecordStep) -> bool:
        """Whether ``step`` starts the cut whose day of answer is finished on the dose before.

        The clinician answered the held cut today, after a dose to stay on was taken today
        (:attr:`Readiness.finishes_on_before`): the step before's doses go on to the end of
        today, and ``step``'s start tomorrow.
        """
        check = self.readiness
        return check is not None and check.finishes_on_before and step.start == check.cut

    def within(self, day: date) -> bool:
        """Whether ``day`` is on or before the last day the calendar covers."""
        return self.until is None or day <= self.until

    def at(self, day: date, clock: time) -> datetime:
        """A local wall-clock moment in the person's zone."""
        return datetime.combine(day, clock, tzinfo=self.zone)

    def uid(self, *parts: str | int) -> str:
        """A stable UID for one event of this person's calendar."""
        name = "/".join(str(part) for part in (self.key, *parts))
        return str(uuid.uuid5(_UID_NAMESPACE, name))

    @property
    def status_line(self) -> str:
        """Which plan version this is and whether a clinician has approved it."""
        plan = self.plan
        notes = {
            "proposed": "proposed, not yet approved by a clinician",
            "active": "approved",
            "held": "on hold: stay on this dose; ask your clinician before any change",
        }
        line = f"Plan version {plan.version} ({notes.get(plan.status, plan.status)})."
        mark = plan.mark
        return f"{line} {mark[:1].upper()}{mark[1:]}." if mark else line


def calendar_ics(
    plan: PlanVersion,
    profile: Profile,
    *,
    generated_at: datetime,
    checkin_clock: str = "08:00",
    checkin_days_after_end: int = CHECKIN_DAYS_AFTER_END,
    refill_days_before: int = 5,
    alarm_minutes_before: int = 0,
    until: date | None = None,
    calendar_key: str | None = None,
    readiness: Readiness | None = None,
) -> bytes:
    """The plan's reminders as an iCalendar file (bytes, CRLF lines, UTF-8).

    Args:
        plan: the plan version to remind of (a rejected plan is refused).
        profile: the person; ``profile.time_zone`` places every reminder.
        generated_at: the export moment (timezone-aware), written as every ``DTSTAMP``.
        checkin_clock: local time ``HH:MM`` of the daily check-in reminder (and of the
            alarms of the all-day dose-change and refill events).
        checkin_days_after_end: days of check-ins after the plan's last step.
        refill_days_before: how many days before a supply period runs out to remind.
        alarm_minutes_before: how early each dose alarm fires (0: at the dose time).
        until: the last day the calendar covers (inclusive); None for the whole plan.
        calendar_key: what tells one person's calendar from another's in the UIDs (the
            stored person id); defaults to ``profile.label``.
        readiness: the readiness check of the cut in view (from
            :func:`taperline.core.readiness.check_readiness`): when it asks the clinician,
            that cut is written as a question for the clinician.

    Raises:
        InputError: an unknown time zone, a bad clock or number, or a naive
            ``generated_at``; the message names the field.

    A dose that repeats after the plan's last step (a final step with doses) has no end
    unless ``until`` is given. A reader that uses the ``VTIMEZONE`` rather than its own copy
    of the IANA zone knows the zone's changes from 1970 to 2038, or to two years after the
    last dated event if that is later.
    """
    return calendar_feed(
        plan,
        profile,
        generated_at=generated_at,
        checkin_clock=checkin_clock,
        checkin_days_after_end=checkin_days_after_end,
        refill_days_before=refill_days_before,
        alarm_minutes_before=alarm_minutes_before,
        until=until,
        calendar_key=calendar_key,
        readiness=readiness,
    ).data


@dataclass(frozen=True, slots=True)
class CalendarOut:
    """A calendar's bytes and every event it holds as issued (live and cancelled)."""

    data: bytes
    issued: tuple[IssuedEvent, ...]


def calendar_feed(
    plan: PlanVersion,
    profile: Profile,
    *,
    generated_at: datetime,
    checkin_clock: str = "08:00",
    checkin_days_after_end: int = CHECKIN_DAYS_AFTER_END,
    refill_days_before: int = 5,
    alarm_minutes_before: int = 0,
    until: date | None = None,
    calendar_key: str | None = None,
    readiness: Readiness | None = None,
    reminders: Collection[str] = REMINDERS,
    issued: Iterable[IssuedEvent] = (),
    refresh_minutes: int | None = None,
    discreet: bool = False,
    waiting: Sequence[tuple[date, RecordDose, datetime]] = (),
) -> CalendarOut:
    """The calendar of :func:`calendar_ics`, sequenced against what calendars already hold.

    ``issued`` is what an earlier export or the subscription feed sent (its ``issued``):
    unchanged events keep their ``SEQUENCE``, changed ones get a higher one, and events this
    export no longer has (a held plan's later steps, a replaced step, a reminder kind left
    out of ``reminders``) are sent cancelled with their old UID
    (:mod:`taperline.adapters.ics_sequence`). With nothing ``issued``, a held plan's later
    steps are cancelled all the same, since an earlier export may have put them in a calendar.
    ``refresh_minutes`` asks subscribing apps to poll that often (REFRESH-INTERVAL, RFC 7986).
    ``discreet`` writes titles and alarms that do not name the drug or dose ("Evening dose",
    "Dose change", "Refill: collect your medicine ..."), for lock screens and shared screens;
    the event's text, read when it is opened, still says how to make each dose.
    ``waiting``: the doses to stay on until a clinician answered a held cut, due by the
    answer and not logged (each with its day and the answer's wall-clock moment,
    :func:`taperline.service.journal.stays_until_answer`): each other dose reminder of that
    day says to log that dose first, as the dashboard waits for it (taken before the answer,
    the day finishes on the dose before the cut, not the new dose).

    >>> from datetime import UTC
    >>> from taperline.core.quantity import Mass
    >>> from taperline.core.record import RecordDose, RecordStep
    >>> at = datetime(2027, 1, 1, tzinfo=UTC)
    >>> steps = (
    ...     RecordStep(date(2027, 1, 4), (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),)),
    ...     RecordStep(date(2027, 1, 18), (RecordDose("22:00", "clonazepam", Mass.of_mg("0.75")),)),
    ... )
    >>> plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "Dr Lee", at)
    >>> first = calendar_feed(plan, Profile("UTC"), generated_at=at)
    >>> held = replace(plan, version=2, status="held", held_from=date(2027, 1, 10))
    >>> second = calendar_feed(held, Profile("UTC"), generated_at=at, issued=first.issued)
    >>> sorted((e.sequence, e.cancelled) for e in second.issued)
    [(2, False), (2, False), (2, True), (2, True)]
    """
    unknown = sorted(set(reminders) - set(REMINDERS))
    if unknown:
        raise InputError(f"reminders: unknown kind {unknown[0]!r} (known: {', '.join(REMINDERS)})")
    context = _context(
        plan,
        profile,
        generated_at=generated_at,
        checkin_clock=checkin_clock,
        checkin_days_after_end=checkin_days_after_end,
        refill_days_before=refill_days_before,
        alarm_minutes_before=alarm_minutes_before,
        until=until,
        calendar_key=calendar_key,
    )
    if readiness is not None and plan.status == "active":
        context = replace(context, readiness=readiness)
    context = replace(context, discreet=discreet, waiting=tuple(waiting))
    calendar = _calendar(context, profile)
    if refresh_minutes is not None:
        every = timedelta(minutes=refresh_minutes)
        calendar.add("REFRESH-INTERVAL", every, parameters={"VALUE": "DURATION"})
        calendar.add("X-PUBLISHED-TTL", vDuration(every))  # an X- name has no known type
    live = _events(context, reminders)
    previous = {e.uid: e for e in issued}
    # A hold keeps the held dose and drops the later steps: with no record of what was sent,
    # cancel what the plan's steps may have put in calendars (with one, what was sent).
    held = plan.status == "held" and not previous
    dropped = _events(replace(context, plan=plan), reminders) if held else []
    events, ledger = _issue(context.plan.version, context.stamp, live, dropped, previous)
    for event in events:
        calendar.add_component(event)
    _add_zone(calendar, context)
    # to_ical() is untyped (Any); it returns the encoded bytes.
    return CalendarOut(bytes(calendar.to_ical()), tuple(ledger))


def _events(context: _Context, reminders: Collection[str]) -> list[Event]:
    """The live events of the kinds in ``reminders``, in the order of :data:`REMINDERS`."""
    builders: dict[str, Callable[[_Context], list[Event]]] = {
        "doses": _dose_events,
        "checkin": lambda c: [_checkin_event(c)],
        "changes": _change_events,
        "refills": _refill_events,
    }
    return [event for kind in REMINDERS if kind in reminders for event in builders[kind](context)]


def calendar_without_plan(*, generated_at: datetime, issued: Iterable[IssuedEvent]) -> CalendarOut:
    """A calendar with no plan: it only cancels what earlier exports or feed reads sent.

    A subscription made before any plan stays valid and quiet until a plan is approved.

    >>> from datetime import UTC
    >>> out = calendar_without_plan(generated_at=datetime(2027, 1, 1, tzinfo=UTC), issued=())
    >>> b"BEGIN:VEVENT" in out.data, out.issued
    (False, ())
    """
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise InputError("generated_at must be timezone-aware (for example UTC)")
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name="taperline reminders",
        description="Reminders from your taper plan appear here once a plan is approved.",
    )
    stamp = generated_at.astimezone(UTC)
    events, ledger = _issue(0, stamp, (), (), {e.uid: e for e in issued})
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return CalendarOut(bytes(calendar.to_ical()), tuple(ledger))


def _issue(
    version: int,
    stamp: datetime,
    live: Sequence[Event],
    dropped: Sequence[Event],
    previous: Mapping[str, IssuedEvent],
) -> tuple[list[Event], list[IssuedEvent]]:
    """Give each event its SEQUENCE; add the cancellations of events no longer live.

    A cancellation sent long enough is left out (:func:`~taperline.adapters.ics_sequence.pruned`).
    """
    events: list[Event] = []
    ledger: list[IssuedEvent] = []
    for event in live:
        uid, printed = str(event["UID"]), fingerprint(event)
        event.sequence = sequenced(previous.get(uid), printed, version=version)
        events.append(event)
        ledger.append(IssuedEvent(uid, printed, event.sequence, cancelled=False, text=_text(event)))
    seen = {entry.uid for entry in ledger}
    gone = {uid: entry.text for uid, entry in previous.items() if uid not in seen}
    for event in dropped:
        uid = str(event["UID"])
        if uid not in seen:
            gone.setdefault(uid, _text(event))
    for uid in sorted(gone):
        before = previous.get(uid)
        if before is not None and pruned(before, stamp):
            continue  # sent cancelled long enough: left out; the store keeps its SEQUENCE
        event = cancelled_event(gone[uid])
        printed = fingerprint(event)
        event.add("DTSTAMP", stamp)
        event.add("SEQUENCE", sequenced(previous.get(uid), printed, version=version))
        events.append(event)
        ledger.append(IssuedEvent(uid, printed, event.sequence, cancelled=True, text=gone[uid]))
    return events, ledger


def _text(event: Event) -> str:
    """An event's iCalendar text (its VEVENT block)."""
    return bytes(event.to_ical()).decode()


# --- input checks ------------------------------------------------------------------------


def _context(
    plan: PlanVersion,
    profile: Profile,
    *,
    generated_at: datetime,
    checkin_clock: str,
    checkin_days_after_end: int,
    refill_days_before: int,
    alarm_minutes_before: int,
    until: date | None,
    calendar_key: str | None,
) -> _Context:
    """Check every input and gather them (errors name the field)."""
    if plan.status == "rejected":
        raise InputError(f"plan version {plan.version} was rejected: export the plan in force")
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise InputError("generated_at must be timezone-aware (for example UTC)")
    _check_days("checkin_days_after_end", checkin_days_after_end)
    _check_days("refill_days_before", refill_days_before)
    if not 0 <= alarm_minutes_before <= _MINUTES_PER_DAY:
        raise InputError(
            f"alarm_minutes_before must be 0 to {_MINUTES_PER_DAY}, got {alarm_minutes_before}"
        )
    first = plan.steps[0].start
    if until is not None and until < first:
        raise InputError(f"until {until.isoformat()} is before the plan starts ({first})")
    checkin_end = plan.end + timedelta(days=checkin_days_after_end)
    if plan.status == "held":
        # On hold: the held dose goes on, with no cut, no stop and no refill of later steps.
        plan = replace(plan, steps=plan.followed_steps, supply=())
    return _Context(
        plan=plan,
        zone=_zone(profile.time_zone),
        stamp=generated_at.astimezone(UTC),
        key=profile.label if calendar_key is None else calendar_key,
        checkin=_clock("checkin_clock", checkin_clock),
        checkin_end=checkin_end if until is None else until,
        refill_days_before=refill_days_before,
        alarm_before=timedelta(minutes=alarm_minutes_before),
        until=until,
    )


def _zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``, or an InputError naming it (:func:`taperline.zones.zone`)."""
    return zone(name)


def _clock(name: str, text: str) -> time:
    """A 24-hour clock time (:func:`.values.parse_clock`); the error names the field."""
    try:
        return parse_clock(text)
    except ValueFormatError as error:
        raise InputError(f"{name}: {error}") from None


def _check_days(name: str, days: int) -> None:
    if days < 0:
        raise InputError(f"{name} cannot be negative, got {days}")


# --- the calendar ------------------------------------------------------------------------


def _calendar(context: _Context, profile: Profile) -> Calendar:
    """An empty calendar named after the plan, with a deterministic UID."""
    plan = context.plan
    drug = "your" if context.discreet else f"a {drug_label(plan.drug)}"
    name = f"taperline: {drug_label(plan.drug)} plan v{plan.version} ({plan.status})"
    calendar = Calendar.new(
        prodid=PRODID,
        method="PUBLISH",
        name="taperline reminders" if context.discreet else name,
        description=patients_words(
            f"Reminders from {drug} taper plan. {context.status_line} "
            "Follow your prescriber's advice. Never stop a benzodiazepine abruptly."
        ),
        uid=context.uid("calendar"),
    )
    calendar.add("X-WR-TIMEZONE", profile.time_zone)
    return calendar


def _add_zone(calendar: Calendar, context: _Context) -> None:
    """Add the VTIMEZONE that the events' TZID names, covering every event."""
    # From icalendar's default first date (1970), not the plan's: readers such as vobject
    # (and the CalDAV servers built on it) compare a VTIMEZONE with UTC over 2000-2020 and
    # take one without transitions there for UTC, which moves every dose after a change.
    last = max(context.checkin_end, context.plan.end) + _ZONE_MARGIN
    calendar.add_missing_timezones(last_date=max(last, Timezone.DEFAULT_LAST_DATE))
    missing = calendar.get_missing_tzids()
    if missing:
        raise InputError(f"time_zone {sorted(missing)[0]!r} cannot be written as a VTIMEZONE")
    for vtimezone in calendar.timezones:
        # a cancelled event may keep the zone the person had before a move
        here = _zone(str(vtimezone["TZID"]))
        for observance in vtimezone.subcomponents:
            if isinstance(observance, TimezoneStandard | TimezoneDaylight):
                _fix_onsets(observance, here)


def _fix_onsets(observance: TimezoneStandard | TimezoneDaylight, zone: ZoneInfo) -> None:
    """Write an observance's onsets as RFC 5545 3.6.5 wants: local time in the *old* offset.

    icalendar 7.3 writes a spring-forward onset in the new offset (New York's 2027-03-14
    02:00 EST as 03:00), an hour late for readers that use the VTIMEZONE (vobject, for one).
    Each onset then goes on its own RDATE line (RFC 5545 allows a list or several lines).
    """
    before, after = observance.TZOFFSETFROM, observance.TZOFFSETTO
    if before == after:
        return
    observance.DTSTART = _onset(observance.DTSTART, before, after, zone)
    onsets = [_onset(day, before, after, zone) for day, _ in observance.rdates]
    # One RDATE line per onset: vobject reads only the first value of a comma list.
    del observance.rdates
    for onset in onsets:
        observance.add("RDATE", onset)


def _onset(written: datetime, before: timedelta, after: timedelta, zone: ZoneInfo) -> datetime:
    """The zone's real change from ``before`` to ``after`` near ``written``, in ``before``.

    ``written`` is read as wall time in either offset; the reading at which the zone's
    offset does change is kept (so a library that writes it right is left alone).
    """
    for wall_offset in (before, after):
        moment = (written - wall_offset).replace(tzinfo=UTC)
        if _offset(moment - _SECOND, zone) == before and _offset(moment, zone) == after:
            return (moment + before).replace(tzinfo=None)
    return written


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset at an aware ``moment``."""
    return moment.astimezone(zone).utcoffset()


def _event(
    context: _Context,
    uid: str,
    summary: str,
    description: str,
    start: date | datetime,
    *,
    kind: str,
) -> Event:
    """A private, non-blocking event: timed (15 min) at a datetime, all-day at a date.

    Its categories are ``taperline`` and ``kind`` (Dose, Check-in, Dose change, Refill), so
    that calendar apps can filter them.
    """
    timed = isinstance(start, datetime)
    event = Event.new(
        uid=uid,
        stamp=context.stamp,
        # the person's own calendar: their words, no source ids or ISO dates (as their pages)
        summary=patients_words(summary),
        description=patients_words(description),
        start=start,
        end=None if timed else start + timedelta(days=1),
        sequence=0,  # set by _issue, from what calendars already hold
        transparency=TRANSP.TRANSPARENT,
        classification=CLASS.PRIVATE,
        categories=["taperline", kind],
    )
    if timed:
        event.DURATION = _DOSE_EVENT
    return event


def _alarm(text: str, trigger: timedelta) -> Alarm:
    """A DISPLAY alarm ``trigger`` after the event's start (negative: before)."""
    return Alarm.new_display(description=patients_words(text), trigger=trigger)


def _all_day_alarm(context: _Context, text: str) -> Alarm:
    """An alarm at the check-in time on the day of an all-day event."""
    clock = context.checkin
    return _alarm(text, timedelta(hours=clock.hour, minutes=clock.minute))


# --- dose reminders ----------------------------------------------------------------------


def _dose_events(context: _Context) -> list[Event]:
    """One recurring event per dose time of each step that has doses.

    While the readiness check holds the next step's cut (asks the clinician), a dose of this
    step at a time the next step has none is the dose to stay on at its own time
    (:func:`taperline.service.today.held_lines`): its reminder goes on through the held
    step, saying so, instead of ending the day before the cut. The feed changes again when
    the clinician answers.

    On the day a clinician answers it after a dose to stay on was taken that day, the day is
    finished on the dose before the cut (:attr:`Readiness.finishes_on_before`): this step's
    reminders go on to the end of that day, and the next step's start the day after.
    """
    steps = context.plan.steps
    events: list[Event] = []
    for index, step in enumerate(steps):
        first = _first_day(context, step)
        if not context.within(first):
            continue
        following = steps[index + 1] if index + 1 < len(steps) else None
        last = _last_day(context, following.start if following else None)
        check = context.readiness
        if following is not None and check is not None and context.finishes_before(following):
            last = _last_day(context, check.new_dose_from)  # to the end of the answer's day
        if last is not None and last < first:
            continue  # no day of this step is left as asked
        held = following if following is not None and context.asks_before(following) else None
        kept = {dose.clock for dose in held.doses} if held is not None else set()
        for number, dose in enumerate(step.doses):
            if held is None or dose.clock in kept:
                events.append(_dose_event(context, index, number, last))
                continue
            after = steps[index + 2].start if index + 2 < len(steps) else None
            events.append(_dose_event(context, index, number, _last_day(context, after), held))
    return events


def _first_day(context: _Context, step: RecordStep) -> date:
    """The first day of ``step``'s doses as asked: its start, or after a finished day.

    The day after the day a clinician answered its held cut, when that day was finished on
    the dose before the cut (its first dose day then, every other day counted from its start).
    """
    check = context.readiness
    if check is None or not context.finishes_before(step):
        return step.start
    first = max(step.start, check.new_dose_from)
    if step.every_other_day and (first - step.start).days % 2 == 1:
        first += timedelta(days=1)
    return first


def _last_day(context: _Context, following: date | None) -> date | None:
    """The last day of a step that ends before ``following`` (None: no end)."""
    last = None if following is None else following - timedelta(days=1)
    if context.until is not None:
        last = context.until if last is None else min(last, context.until)
    return last


def _dose_event(
    context: _Context,
    index: int,
    number: int,
    last: date | None,
    held: RecordStep | None = None,
) -> Event:
    """The recurring reminder of dose ``number`` of step ``index``, to ``last`` (inclusive).

    ``held``: the next step, whose cut the readiness check holds, with no dose at this time:
    this dose is the one to stay on until the clinician answers (``last`` is then in it).
    """
    step = context.plan.steps[index]
    dose = step.doses[number]
    clock = _clock("clock", dose.clock)
    summary = f"{drug_label(dose.drug)} {fmt(dose.amount)}"
    alarm = f"Time for your dose: {summary}"
    if context.discreet:
        summary = _dose_name(clock)
        alarm = f"Time for your {summary.lower()}"
    if context.asks_before(step):
        summary = f"{summary}: new dose, {_ASK_FIRST}"
        alarm = f"Your plan's new dose, {summary}"
    description = _dose_description(context, step, dose)
    first = _first_day(context, step)
    check = context.readiness
    if first != step.start and check is not None:
        description = (
            f"{description}\nYour clinician went ahead with the change of {step.start.isoformat()}"
            f" on {check.today.isoformat()}, after a dose before the change had been taken that"
            f" day: that day was finished on the dose before the change, and this dose starts"
            f" on {first.isoformat()}."
        )
    for day, stay, answered in context.waiting:
        if stay.clock != dose.clock and first <= day and (last is None or day <= last):
            description = (
                f"{description}\nOn {day.isoformat()}: if you took the {stay.clock} dose of"
                f" {fmt(stay.amount)} before your clinician answered at {answered:%H:%M}, log"
                " it in taperline first: that day then finishes on the dose before the change,"
                " not this dose."
            )
    if held is not None:
        description = (
            f"{description}\nFrom {held.start.isoformat()} the plan changes the dose times, and"
            " your clinician has not yet decided on that change: until they do, stay on this"
            f" dose at {dose.clock}, the dose before the change."
        )
    event = _event(
        context,
        context.uid("step", index, "dose", number),
        summary,
        description,
        context.at(first, clock),
        kind="Dose",
    )
    rule: dict[str, object] = {"FREQ": "DAILY"}
    if step.every_other_day:
        rule["INTERVAL"] = 2
    if last is not None:
        # RFC 5545 3.3.10: with a TZID start, UNTIL is the UTC moment of the last dose.
        rule["UNTIL"] = context.at(last, clock).astimezone(UTC)
    event.add("RRULE", rule)
    event.add_component(_alarm(alarm, -context.alarm_before))
    return event


def _dose_name(clock: time) -> str:
    """A dose's title that names no drug: by the time of day it is taken.

    >>> _dose_name(time(8)), _dose_name(time(13, 30)), _dose_name(time(22))
    ('Morning dose', 'Afternoon dose', 'Evening dose')
    """
    if clock.hour < 12:  # noqa: PLR2004 -- noon
        return "Morning dose"
    return "Afternoon dose" if clock.hour < 17 else "Evening dose"  # noqa: PLR2004 -- 5 pm


def _dose_description(context: _Context, step: RecordStep, dose: RecordDose) -> str:
    """How to make the dose, when the step applies, and why (a question, while held)."""
    lines = [f"{dose.clock}: {drug_label(dose.drug)} {fmt(dose.amount)}.", *dose.instructions]
    if context.asks_before(step) and context.readiness is not None:
        lines = [
            f"{dose.clock}: the new dose of the change on {step.start.isoformat()},"
            f" {drug_label(dose.drug)} {fmt(dose.amount)}: {_ASK_FIRST}.",
            context.readiness.patient_message(),
        ]
    if step.every_other_day:
        lines.append(f"Every other day, counting from {step.start.isoformat()}.")
    lines.extend(_rule_lines(step))
    lines.append(context.status_line)
    return "\n".join(lines)


def _rule_lines(step: RecordStep) -> list[str]:
    """The step's rule, source and note, where the plan gives them."""
    lines = []
    if step.rule:
        lines.append(f"Rule: {step.rule}.")
    if step.source:
        lines.append(f"Source: {step.source}.")
    if step.note:
        lines.append(step.note)
    return lines


# --- check-in ----------------------------------------------------------------------------


def _checkin_event(context: _Context) -> Event:
    """The daily check-in reminder, from the plan's first day to the check-in end."""
    first = context.plan.steps[0].start
    event = _event(
        context,
        context.uid("checkin"),
        "taperline check-in",
        (
            "Log last night's sleep, the doses you took, your mood and anxiety, and any "
            f"withdrawal symptoms: it takes under a minute.\n{context.status_line}"
        ),
        context.at(first, context.checkin),
        kind="Check-in",
    )
    until = context.at(max(first, context.checkin_end), context.checkin)
    event.add("RRULE", {"FREQ": "DAILY", "UNTIL": until.astimezone(UTC)})
    event.add_component(_alarm("Time for your taperline check-in", timedelta(0)))
    return event


# --- dose changes ------------------------------------------------------------------------


def _change_events(context: _Context) -> list[Event]:
    """An all-day event on the first day of every step after the first."""
    steps = context.plan.steps
    return [
        _change_event(context, index, steps[index - 1], step)
        for index, step in enumerate(steps)
        if index > 0 and context.within(step.start)
    ]


def _change_event(context: _Context, index: int, previous: RecordStep, step: RecordStep) -> Event:
    """The dose change at the start of ``step``: the new daily dose of every drug."""
    summary = "Dose change" if context.discreet else f"Dose change: {_daily_text(previous, step)}"
    lines = [f"From {step.start.isoformat()}: {_daily_text(previous, step)}."]
    if context.asks_before(step) and context.readiness is not None:
        # A held cut is a question for the clinician, not an instruction: no "how to take it".
        summary = f"Dose change? {_ASK_FIRST[:1].upper()}{_ASK_FIRST[1:]}"
        lines = [
            f"Planned from {step.start.isoformat()}: {_daily_text(previous, step)}.",
            context.readiness.patient_message(),
        ]
    else:
        for dose in step.doses:
            lines.extend(
                (f"{dose.clock}: {drug_label(dose.drug)} {fmt(dose.amount)}.", *dose.instructions)
            )
        if not step.doses:
            lines.append("No more doses: keep up the daily check-ins.")
    lines.extend(_rule_lines(step))
    lines.append(_READINESS_LINE)
    lines.append(context.status_line)
    uid = context.uid("step", index, "change")
    event = _event(context, uid, summary, "\n".join(lines), step.start, kind="Dose change")
    event.add_component(_all_day_alarm(context, summary))
    return event


def _daily_text(previous: RecordStep, step: RecordStep) -> str:
    """The new daily dose of each drug in ``previous`` or ``step`` (0 mg when stopped).

    >>> from datetime import date
    >>> old = RecordStep(date(2027, 1, 4), (RecordDose("22:00", "clonazepam", Mass.of_mg(1)),))
    >>> new = RecordStep(date(2027, 1, 18), (
    ...     RecordDose("08:00", "clonazepam", Mass.of_mg("0.5")),
    ...     RecordDose("22:00", "diazepam", Mass.of_mg(10)),
    ... ))
    >>> _daily_text(old, new)
    'clonazePAM 0.5 mg + diazePAM 10 mg a day'
    >>> _daily_text(new, RecordStep(date(2027, 2, 1), ()))
    'clonazePAM 0 mg + diazePAM 0 mg a day'
    """
    totals = step.daily_by_drug()
    drugs = dict.fromkeys([*previous.daily_by_drug(), *totals])
    parts = [f"{drug_label(drug)} {fmt(totals.get(drug, Mass.zero()))}" for drug in drugs]
    return " + ".join(parts) + (" every other day" if step.every_other_day else " a day")


# --- refills -----------------------------------------------------------------------------


def _refill_events(context: _Context) -> list[Event]:
    """A reminder before each supply period runs out, with the next period's supply.

    After the last period nothing is collected, unless the plan's last step still has
    doses: then the reminder asks for more supply rather than let the doses stop.
    """
    periods = list(_periods(context.plan.supply).items())
    events = []
    for number, ((start, runs_out), _lines) in enumerate(periods):
        day = max(runs_out - timedelta(days=context.refill_days_before), start)
        if not context.within(day):
            continue
        if number + 1 < len(periods):
            collect = periods[number + 1][1]
        elif _doses_after(context.plan, runs_out):
            collect = []
        else:
            continue
        events.append(_refill_event(context, number, day, runs_out, collect))
    return events


def _periods(supply: Sequence[RecordSupply]) -> dict[tuple[date, date], list[RecordSupply]]:
    """Supply lines grouped by period ``[start, end)``, in date order."""
    periods: dict[tuple[date, date], list[RecordSupply]] = {}
    for line in sorted(supply, key=lambda s: (s.period_start, s.period_end)):
        periods.setdefault((line.period_start, line.period_end), []).append(line)
    return periods


def _doses_after(plan: PlanVersion, day: date) -> bool:
    """Whether the step in force on ``day`` still has doses (the supply must go on)."""
    step = plan.step_on(day)
    return step is not None and bool(step.doses)


def _refill_event(
    context: _Context, number: int, day: date, runs_out: date, collect: Sequence[RecordSupply]
) -> Event:
    """The refill reminder on ``day`` for a supply that runs out on ``runs_out``."""
    if collect:
        drugs = " and ".join(dict.fromkeys(drug_label(line.drug) for line in collect))
        drugs = "your medicine" if context.discreet else drugs
        summary = f"Refill: collect {drugs} before {runs_out.isoformat()}"
        end = collect[0].period_end - timedelta(days=1)
        lines = [
            f"Your supply runs out on {runs_out.isoformat()}. Collect for "
            f"{runs_out.isoformat()} to {end.isoformat()}:",
            *(f"- {_supply_text(line)}" for line in collect),
        ]
    else:
        summary = f"Refill: ask your prescriber for supply after {runs_out.isoformat()}"
        lines = [
            f"Your supply runs out on {runs_out.isoformat()} and the plan goes on: ask your "
            "prescriber for the next supply. Never stop a benzodiazepine abruptly."
        ]
    lines.append(context.status_line)
    uid = context.uid("supply", number, "refill")
    event = _event(context, uid, summary, "\n".join(lines), day, kind="Refill")
    event.add_component(_all_day_alarm(context, summary))
    return event


def _supply_text(line: RecordSupply) -> str:
    """One line to collect, e.g. 'clonazePAM ODT 0.125 mg: 28 ODTs'.

    >>> from decimal import Decimal
    >>> _supply_text(RecordSupply(date(2027, 1, 4), date(2027, 2, 1), "clonazepam",
    ...                          "tablet 0.5 mg (scored)", Decimal("14"), "tablet"))
    'clonazePAM tablet 0.5 mg (scored): 14 tablets'
    """
    count = fmt_number(line.count)
    unit = _UNIT_NAMES.get(line.unit, line.unit)
    plural = unit if count == "1" or unit == "mL" else unit + "s"
    return f"{drug_label(line.drug)} {line.product}: {count} {plural}"
