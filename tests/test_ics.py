"""The iCalendar export, read back with icalendar and with the independent parser vobject.

Dose reminders are expanded twice: with icalendar + dateutil (the TZID read as an IANA zone)
and with vobject (which builds its zone from the file's VTIMEZONE), and both must give the
plan's schedule (``schedule_on``) at the same local times on both sides of each
daylight-saving change.

The snapshot test compares the export of a small fixed plan with ``tests/snapshots/taper.ics``.
After an intended change of the output, rewrite the snapshot and review its diff::

    UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_ics.py -k snapshot
"""

from __future__ import annotations

import doctest
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from taperline.adapters import ics
from taperline.adapters.ics import calendar_ics
from taperline.catalogue_data import load_catalogue
from taperline.core.plan import PlanRequest, propose
from taperline.core.quantity import Mass, drug_label, fmt, fmt_number
from taperline.core.record import (
    PlanStatus,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
    plan_steps,
    schedule_on,
    transition,
)
from taperline.core.regimen import ScheduledDose
from taperline.core.sources import patients_words
from taperline.core.strategies import Strategy
from taperline.errors import InputError

SNAPSHOT = Path(__file__).parent / "snapshots" / "taper.ics"
AT = datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
ZONES = ("Europe/London", "America/New_York")
# 2027 daylight-saving changes: London 28 March and 31 October, New York 14 March and
# 7 November; the plan below has dose series across each of them.
DST_DAYS = {
    "Europe/London": (date(2027, 3, 28), date(2027, 10, 31)),
    "America/New_York": (date(2027, 3, 14), date(2027, 11, 7)),
}
TABLET = Mass.of_mg("0.5")


def _dose(clock: str, mg: str, drug: str = "clonazepam") -> RecordDose:
    amount = Mass.of_mg(mg)
    return RecordDose(clock, drug, amount, _how(amount))


def _how(amount: Mass) -> tuple[str, ...]:
    """Instructions in the planner's words (halves of a scored 0.5 mg tablet)."""
    tablets = fmt_number(amount.ratio(TABLET))
    return (f"Take {tablets} × tablet 0.5 mg (scored).", f"Total dose: {fmt(amount)}.")  # noqa: RUF001 -- the sign is displayed


def _supply(start: date, end: date, count: int) -> RecordSupply:
    return RecordSupply(
        start, end, "clonazepam", "tablet 0.5 mg (scored)", Decimal(count), "tablet"
    )


def _dst_plan(status: PlanStatus = "active", version: int = 1) -> PlanVersion:
    """A hand-made plan whose dose series cross the spring and autumn changes."""
    steps = (
        RecordStep(
            date(2027, 3, 1),
            (_dose("08:00", "0.25"), _dose("22:00", "0.5")),
            "stabilise",
            "SEED-MICROTAPER",
        ),
        RecordStep(
            date(2027, 3, 22), (_dose("22:00", "0.5"),), "cut the morning dose", "ASAM-2025"
        ),
        RecordStep(date(2027, 10, 25), (_dose("22:00", "0.375"),), "cut 25 %", "ASAM-2025"),
        RecordStep(
            date(2027, 11, 15),
            (_dose("22:00", "0.25"),),
            "drug-free days",
            "DEPRESCRIBING-2018",
            every_other_day=True,
        ),
        RecordStep(date(2027, 11, 29), (), "stop from the smallest dose", "ASAM-2025"),
    )
    supply = (
        _supply(date(2027, 3, 1), date(2027, 3, 29), 49),
        _supply(date(2027, 3, 29), date(2027, 10, 25), 210),
        _supply(date(2027, 10, 25), date(2027, 11, 29), 26),
    )
    return PlanVersion(version, status, "clonazepam", "custom", steps, "Dr Lee", AT, supply=supply)


def _export(plan: PlanVersion, zone: str = "Europe/London", **options: Any) -> bytes:
    return calendar_ics(plan, Profile(zone), generated_at=AT, **options)


# --- reading back ------------------------------------------------------------------------


def _ical_events(data: bytes, kind: str) -> list[Event]:
    calendar = Calendar.from_ical(data)
    return [e for e in calendar.events if kind in [str(c) for c in e.categories]]


def _ical_occurrences(event: Event) -> list[datetime]:
    """Expanded with dateutil from the parsed RRULE, the start read as an IANA zone."""
    rule = event.rrules[0].to_ical().decode()
    return list(rrulestr(rule, dtstart=event.start))


def _vobject_events(data: bytes, kind: str) -> list[Any]:
    calendar = vobject.readOne(data.decode())
    return [e for e in calendar.vevent_list if kind in e.categories.value]


def _vobject_zone(data: bytes) -> tzinfo:
    """The zone vobject builds from the file's own VTIMEZONE (UTC when there is none)."""
    calendar = vobject.readOne(data.decode())
    vtimezones = calendar.contents.get("vtimezone", [])
    return vtimezones[0].gettzinfo() if vtimezones else UTC


def _vobject_occurrences(event: Any, zone: tzinfo) -> list[datetime]:
    """Expanded by vobject; the wall times placed in the zone of the file's VTIMEZONE.

    vobject keeps one zone per TZID for the whole process (the first it meets), so the
    zone is read from this file explicitly.
    """
    return [moment.replace(tzinfo=zone) for moment in event.getrruleset(addRDate=True)]


def _dose_occurrences(data: bytes, parser: str, zone: str) -> Iterator[tuple[date, str, str]]:
    """Every dose reminder as (local day, local HH:MM, summary)."""
    tz = ZoneInfo(zone)
    if parser == "icalendar":
        pairs = [(str(e.summary), _ical_occurrences(e)) for e in _ical_events(data, "Dose")]
    else:
        file_zone = _vobject_zone(data)
        pairs = [
            (e.summary.value, _vobject_occurrences(e, file_zone))
            for e in _vobject_events(data, "Dose")
        ]
    for summary, moments in pairs:
        for moment in moments:
            local = moment.astimezone(tz)
            yield local.date(), local.strftime("%H:%M"), summary


def _expected_doses(plan: PlanVersion, last: date) -> list[tuple[date, str, str]]:
    days = [
        plan.steps[0].start + timedelta(days=n)
        for n in range((last - plan.steps[0].start).days + 1)
    ]
    return sorted(
        (day, dose.clock, f"{drug_label(dose.drug)} {fmt(dose.amount)}")
        for day in days
        for dose in schedule_on(plan, day)
    )


# --- dose reminders ----------------------------------------------------------------------


@pytest.mark.parametrize("parser", ["icalendar", "vobject"])
@pytest.mark.parametrize("zone", ZONES)
def test_dose_reminders_follow_the_plan_at_local_times_across_dst(zone: str, parser: str) -> None:
    plan = _dst_plan()
    got = sorted(_dose_occurrences(_export(plan, zone), parser, zone))
    # The final step has no doses: nothing on or after its first day.
    assert got == _expected_doses(plan, plan.end - timedelta(days=1))
    assert all(clock in {"08:00", "22:00"} for _, clock, _ in got)


@pytest.mark.parametrize("parser", ["icalendar", "vobject"])
@pytest.mark.parametrize("zone", ZONES)
def test_a_22_00_dose_stays_at_22_00_local_while_its_utc_time_moves(zone: str, parser: str) -> None:
    data = _export(_dst_plan(), zone)
    tz = ZoneInfo(zone)
    if parser == "icalendar":
        moments = [m for e in _ical_events(data, "Dose") for m in _ical_occurrences(e)]
    else:
        file_zone = _vobject_zone(data)
        events = _vobject_events(data, "Dose")
        moments = [m for e in events for m in _vobject_occurrences(e, file_zone)]
    spring, autumn = DST_DAYS[zone]
    for change in (spring, autumn):
        around = [change - timedelta(days=1), change + timedelta(days=1)]
        nightly = [
            m for m in moments if m.astimezone(tz).date() in around and m.astimezone(tz).hour == 22
        ]
        assert [m.astimezone(tz).time() for m in nightly] == [time(22), time(22)]
        before, after = (m.astimezone(UTC).hour for m in nightly)
        assert before != after  # the same local time is another UTC hour after the change


@pytest.mark.parametrize("zone", ZONES)
def test_dose_events_carry_tzid_and_the_zone_is_described(zone: str) -> None:
    text = _export(_dst_plan(), zone).decode()
    assert f"DTSTART;TZID={zone}:20270301T220000" in text
    assert f"BEGIN:VTIMEZONE\r\nTZID:{zone}\r\n" in text
    assert Calendar.from_ical(text).get_missing_tzids() == set()


@pytest.mark.parametrize("zone", [*ZONES, "Australia/Lord_Howe", "Europe/Dublin"])
def test_vtimezone_places_every_local_hour_of_2027_like_the_iana_zone(
    zone: str,
) -> None:
    """The VTIMEZONE as vobject reads it places local times where the IANA zone does.

    Local to UTC is what a reader needs to place an event. Times in a gap or a repeated hour
    are skipped: RFC 5545 and zoneinfo resolve those differently on purpose.
    """
    data = _export(_dst_plan(), zone)
    tz = ZoneInfo(zone)
    readers = (_vobject_zone(data), _vobject_events(data, "Dose")[0].dtstart.value.tzinfo)
    local = datetime(2027, 1, 1)  # noqa: DTZ001 -- a wall time, placed in each zone below
    checked = 0
    while local < datetime(2028, 1, 1):  # noqa: DTZ001 -- likewise
        expected = local.replace(tzinfo=tz).utcoffset()
        if local.replace(tzinfo=tz, fold=1).utcoffset() == expected:
            for reader in readers:
                assert local.replace(tzinfo=reader).utcoffset() == expected, local
            checked += 1
        local += timedelta(hours=1)
    assert checked > 8_700


def _changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The zone's offset changes in ``year``, found hour by hour."""
    moment = datetime(year, 1, 1, tzinfo=UTC)
    found = []
    while moment.year == year:
        step = moment + timedelta(hours=1)
        if moment.astimezone(zone).utcoffset() != step.astimezone(zone).utcoffset():
            found.append(step)
        moment = step
    return found


@pytest.mark.parametrize("zone", [*ZONES, "Australia/Lord_Howe"])
def test_vtimezone_shows_utc_moments_near_each_change_like_the_iana_zone(zone: str) -> None:
    """UTC to local as vobject reads the file: onsets are in the old offset (RFC 5545 3.6.5).

    Europe/Dublin is left out: its winter time is a negative DST, which dateutil's generic
    conversion from UTC gets wrong for an hour whatever the file says.
    """
    tz = ZoneInfo(zone)
    from_file = _vobject_zone(_export(_dst_plan(), zone))
    changes = _changes(tz, 2027)
    assert len(changes) == 2
    for change in changes:
        for minutes in range(-6 * 60, 6 * 60, 15):
            moment = change + timedelta(minutes=minutes)
            expected = moment.astimezone(tz)
            got = moment.astimezone(from_file)
            assert (got.replace(tzinfo=None), got.utcoffset()) == (
                expected.replace(tzinfo=None),
                expected.utcoffset(),
            ), moment


def test_every_other_day_steps_repeat_with_interval_2() -> None:
    plan = _dst_plan()
    events = _ical_events(_export(plan), "Dose")
    last = [e for e in events if e.start.date() == date(2027, 11, 15)]
    assert len(last) == 1
    assert last[0].rrules[0]["INTERVAL"] == [2]
    days = sorted({m.date() for m in _ical_occurrences(last[0])})
    assert days == [date(2027, 11, 15) + timedelta(days=n) for n in range(0, 14, 2)]
    assert "Every other day" in str(last[0]["DESCRIPTION"])


def test_summaries_use_ismp_dose_text_and_tall_man_names() -> None:
    steps = (
        RecordStep(date(2027, 1, 4), (_dose("22:00", "0.5"),)),
        RecordStep(
            date(2027, 1, 18), (RecordDose("22:00", "clonazepam", Mass(Decimal(250), "mcg")),)
        ),
        RecordStep(date(2027, 2, 1), (_dose("22:00", "1.0"),)),
        RecordStep(date(2027, 2, 15), ()),
    )
    plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "Dr Lee", AT)
    summaries = [str(e.summary) for e in _ical_events(_export(plan), "Dose")]
    assert summaries == ["clonazePAM 0.5 mg", "clonazePAM 250 mcg", "clonazePAM 1 mg"]


def test_dose_descriptions_say_how_to_make_the_dose_and_why() -> None:
    event = _ical_events(_export(_dst_plan()), "Dose")[0]
    description = str(event["DESCRIPTION"])
    for line in (
        *_how(Mass.of_mg("0.25")),
        "Rule: stabilise.",
        "Source: the TaperOffBenzos article on micro-tapering.",
        "Plan version 1",
    ):
        assert line in description


def test_every_event_has_a_display_alarm() -> None:
    data = _export(_dst_plan(), alarm_minutes_before=10)
    calendar = vobject.readOne(data.decode())
    for event in calendar.vevent_list:
        alarms = event.contents.get("valarm", [])
        assert len(alarms) == 1, event.summary.value
        assert alarms[0].action.value == "DISPLAY"
        assert alarms[0].description.value
    for event in _vobject_events(data, "Dose"):
        assert event.valarm.trigger.value == timedelta(minutes=-10)


def test_dose_alarms_fire_at_the_dose_time_by_default() -> None:
    for event in _ical_events(_export(_dst_plan()), "Dose"):
        assert [a.TRIGGER for a in event.walk("VALARM")] == [timedelta(0)]


def test_a_final_step_with_doses_repeats_until_the_given_day_or_without_end() -> None:
    steps = (
        RecordStep(date(2027, 1, 4), (_dose("22:00", "0.5"),)),
        RecordStep(date(2027, 1, 18), (_dose("22:00", "0.25"),)),
    )
    plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "Dr Lee", AT)
    last = _ical_events(_export(plan), "Dose")[-1]
    assert "UNTIL" not in last.rrules[0]  # never suggest an abrupt stop
    until = date(2027, 3, 1)
    last = _ical_events(_export(plan, until=until), "Dose")[-1]
    assert max(_ical_occurrences(last)).date() == until


def test_until_ends_every_reminder() -> None:
    plan = _dst_plan()
    until = date(2027, 4, 10)
    data = _export(plan, until=until)
    got = sorted(_dose_occurrences(data, "vobject", "Europe/London"))
    assert got == _expected_doses(plan, until)
    checkin = _ical_events(data, "Check-in")[0]
    assert max(_ical_occurrences(checkin)).date() == until
    changes = _ical_events(data, "Dose change")
    assert [e.start for e in changes] == [date(2027, 3, 22)]  # the next is in October
    assert all(e.start <= until for e in _ical_events(data, "Refill"))


# --- check-in, dose changes, refills -----------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
def test_daily_checkin_from_the_first_day_to_four_weeks_after_the_end(zone: str) -> None:
    plan = _dst_plan()
    data = _export(plan, zone, checkin_clock="07:30")
    (event,) = _vobject_events(data, "Check-in")
    file_zone = _vobject_zone(data)
    moments = [m.astimezone(ZoneInfo(zone)) for m in _vobject_occurrences(event, file_zone)]
    assert {m.time() for m in moments} == {time(7, 30)}
    days = [m.date() for m in moments]
    assert days[0] == plan.steps[0].start
    assert days[-1] == plan.end + timedelta(days=28)
    assert len(days) == len(set(days)) == (days[-1] - days[0]).days + 1


def test_checkin_days_after_end_is_a_parameter() -> None:
    plan = _dst_plan()
    (event,) = _ical_events(_export(plan, checkin_days_after_end=0), "Check-in")
    assert max(_ical_occurrences(event)).date() == plan.end


def test_dose_change_events_name_the_new_daily_dose_rule_and_source() -> None:
    plan = _dst_plan()
    events = _ical_events(_export(plan), "Dose change")
    assert [e.start for e in events] == [s.start for s in plan.steps[1:]]
    assert [str(e.summary) for e in events] == [
        "Dose change: clonazePAM 0.5 mg a day",
        "Dose change: clonazePAM 0.375 mg a day",
        "Dose change: clonazePAM 0.25 mg every other day",
        "Dose change: clonazePAM 0 mg a day",
    ]
    for event, step in zip(events, plan.steps[1:], strict=True):
        assert event.end == step.start + timedelta(days=1)  # all-day
        description = str(event["DESCRIPTION"])
        assert f"Rule: {step.rule}." in description
        # the person's calendar names the source as their pages do, not by its id
        assert f"Source: {patients_words(step.source)}." in description
        assert step.source not in description


def test_crossover_dose_changes_list_each_drug() -> None:
    catalogue = load_catalogue()
    request = PlanRequest(
        drug=catalogue.get("clonazepam"),
        regimen=(ScheduledDose(8.0, Mass.of_mg("0.5")), ScheduledDose(22.0, Mass.of_mg(1))),
        start=date(2027, 1, 4),
        strategy=Strategy("crossover"),
        target=catalogue.get("diazepam"),
    )
    steps, supply = plan_steps(propose(request))
    plan = PlanVersion(
        1, "proposed", "clonazepam", "crossover", steps, "patient", AT, supply=supply
    )
    summaries = [str(e.summary) for e in _ical_events(_export(plan), "Dose change")]
    assert summaries[0] == "Dose change: clonazePAM 0.5 mg + diazePAM 20 mg a day"
    assert summaries[1] == "Dose change: clonazePAM 0 mg + diazePAM 30 mg a day"
    assert summaries[-1] == "Dose change: diazePAM 0 mg a day"


@pytest.mark.parametrize("days_before", [5, 3, 0])
def test_refill_reminders_n_days_before_each_supply_runs_out(days_before: int) -> None:
    plan = _dst_plan()
    events = _ical_events(_export(plan, refill_days_before=days_before), "Refill")
    # Two periods follow another; after the last one the plan is complete.
    runs_out = [date(2027, 3, 29), date(2027, 10, 25)]
    assert [e.start for e in events] == [d - timedelta(days=days_before) for d in runs_out]
    first = str(events[0]["DESCRIPTION"])
    assert str(events[0].summary) == "Refill: collect clonazePAM before Mon 29 Mar 2027"
    assert "clonazePAM tablet 0.5 mg (scored): 210 tablets" in first
    assert "Mon 29 Mar 2027 to Sun 24 Oct 2027" in first
    assert [a.TRIGGER for a in events[0].walk("VALARM")] == [timedelta(hours=8)]


def test_supply_that_ends_while_doses_go_on_asks_for_more() -> None:
    steps = (
        RecordStep(date(2027, 1, 4), (_dose("22:00", "0.5"),)),
        RecordStep(date(2027, 1, 18), (_dose("22:00", "0.25"),)),
    )
    supply = (_supply(date(2027, 1, 4), date(2027, 1, 18), 14),)
    plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "Dr Lee", AT, supply=supply)
    (event,) = _ical_events(_export(plan), "Refill")
    assert event.start == date(2027, 1, 13)
    assert "ask your prescriber" in str(event.summary)


# --- stability ---------------------------------------------------------------------------


def test_export_twice_gives_identical_bytes() -> None:
    assert _export(_dst_plan()) == _export(_dst_plan())


def test_uids_are_unique_and_survive_a_new_version_with_the_same_steps() -> None:
    proposed = _dst_plan(status="proposed")
    approved = transition(proposed, "approve", by="Dr Lee", reason="agreed", at=AT, new_version=2)
    first = Calendar.from_ical(_export(proposed))
    second = Calendar.from_ical(_export(approved))
    uids = [str(e.uid) for e in first.events]
    assert len(uids) == len(set(uids))
    assert [str(e.uid) for e in second.events] == uids  # re-import updates, not duplicates
    assert {e["SEQUENCE"] for e in first.events} == {1}
    assert {e["SEQUENCE"] for e in second.events} == {2}  # the newer version wins
    assert "not yet approved" in str(first.events[0]["DESCRIPTION"])


def test_uids_differ_between_people() -> None:
    plan = _dst_plan()
    a = Calendar.from_ical(_export(plan, calendar_key="person-1"))
    b = Calendar.from_ical(_export(plan, calendar_key="person-2"))
    assert not {str(e.uid) for e in a.events} & {str(e.uid) for e in b.events}


def test_dtstamp_is_the_given_export_time_in_utc() -> None:
    local = AT.astimezone(ZoneInfo("America/New_York"))
    text = calendar_ics(_dst_plan(), Profile("Europe/London"), generated_at=local).decode()
    assert "DTSTAMP:20270101T093000Z" in text
    assert text.count("DTSTAMP:") == text.count("BEGIN:VEVENT")


def test_output_is_crlf_folded_utf8() -> None:
    data = _export(_dst_plan())
    lines = data.split(b"\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)  # RFC 5545 3.1: 75 octets
    data.decode("utf-8")


def test_utc_profile_writes_utc_times() -> None:
    text = _export(_dst_plan(), "UTC").decode()
    assert "DTSTART:20270301T220000Z" in text
    assert "TZID" not in text


def test_snapshot() -> None:
    steps = (
        RecordStep(
            date(2027, 3, 22),
            (_dose("22:00", "0.5"),),
            "stabilise on the current regimen",
            "SEED-MICROTAPER",
        ),
        RecordStep(
            date(2027, 4, 5), (_dose("22:00", "0.25"),), "the prescriber's custom step", "custom"
        ),
        RecordStep(date(2027, 4, 12), (), "stop from the smallest dose", "ASAM-2025"),
    )
    supply = (
        _supply(date(2027, 3, 22), date(2027, 4, 5), 14),
        _supply(date(2027, 4, 5), date(2027, 4, 12), 4),
    )
    plan = PlanVersion(1, "active", "clonazepam", "custom", steps, "Dr Lee", AT, supply=supply)
    data = calendar_ics(plan, Profile("Europe/London"), generated_at=AT, checkin_days_after_end=7)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_bytes(data)
    # Compared line by line, so that a checkout that turns CRLF into LF still matches.
    assert data.decode().splitlines() == SNAPSHOT.read_bytes().decode().splitlines()


# --- the real planner --------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
def test_a_planner_plan_exports_its_schedule_changes_and_refills(zone: str) -> None:
    request = PlanRequest(
        drug=load_catalogue().get("clonazepam"),
        regimen=(ScheduledDose(22.0, Mass.of_mg("0.5")),),
        start=date(2027, 1, 4),
        strategy=Strategy("deprescribing"),
    )
    steps, supply = plan_steps(propose(request))
    plan = PlanVersion(1, "proposed", "clonazepam", "deprescribing", steps, "me", AT, supply=supply)
    data = _export(plan, zone)
    for parser in ("icalendar", "vobject"):
        got = sorted(_dose_occurrences(data, parser, zone))
        assert got == _expected_doses(plan, plan.end - timedelta(days=1)), parser
    doses = _ical_events(data, "Dose")
    for event, dose in zip(doses, (d for s in steps for d in s.doses), strict=True):
        description = str(event["DESCRIPTION"])
        assert all(line in description for line in dose.instructions)
    changes = _ical_events(data, "Dose change")
    assert len(changes) == len(steps) - 1
    assert str(changes[0].summary) == "Dose change: clonazePAM 0.375 mg a day"
    periods = sorted({(s.period_start, s.period_end) for s in supply})
    refills = _ical_events(data, "Refill")
    assert [e.start for e in refills] == [end - timedelta(days=5) for _, end in periods[:-1]]


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe/Londres", "../etc/passwd", "Europe"])
def test_unknown_time_zone_is_refused(zone: str) -> None:
    with pytest.raises(InputError, match="time_zone"):
        _export(_dst_plan(), zone)


@pytest.mark.parametrize(
    "clock", ["8am", "7:3", "24:00", "12:60", "", "08:00:00", "\u0660\u0668:00", "\uff10\uff18:00"]
)
def test_bad_checkin_clock_is_refused(clock: str) -> None:
    with pytest.raises(InputError, match="checkin_clock"):
        _export(_dst_plan(), checkin_clock=clock)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"refill_days_before": -1}, "refill_days_before"),
        ({"checkin_days_after_end": -1}, "checkin_days_after_end"),
        ({"alarm_minutes_before": -5}, "alarm_minutes_before"),
        ({"alarm_minutes_before": 24 * 60 + 1}, "alarm_minutes_before"),
        ({"until": date(2027, 2, 28)}, "until"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError, match=field):
        _export(_dst_plan(), **options)


def test_naive_export_time_is_refused() -> None:
    with pytest.raises(InputError, match="generated_at"):
        calendar_ics(_dst_plan(), Profile("Europe/London"), generated_at=datetime(2027, 1, 1))  # noqa: DTZ001 -- the naive value under test


def test_rejected_plan_is_refused() -> None:
    rejected = replace(_dst_plan(status="proposed"), status="rejected")
    with pytest.raises(InputError, match="rejected"):
        _export(rejected)


def test_module_doctests() -> None:
    result = doctest.testmod(ics)
    assert result.attempted > 0
    assert result.failed == 0
