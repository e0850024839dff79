"""Calendars that update (issue 20): SEQUENCE bumps on changed events, removed ones cancelled.

Each test exports twice in sequence (the second given what the first issued, as the feed
and the one-off export do through the store) and reads both back with ``icalendar`` and the
independent parser ``vobject``: RFC 5545 3.8.7.4 says a calendar takes an event's new copy
only when its SEQUENCE is higher, and a cancelled event keeps its UID (3.8.1.11).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import vobject
from icalendar import Calendar

from taperline.adapters.ics import REMINDERS, CalendarOut, calendar_feed, calendar_ics
from taperline.core.quantity import Mass
from taperline.core.record import PlanVersion, Profile, RecordDose, RecordStep, transition

AT = datetime(2027, 1, 1, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(days=3)


def _dose(clock: str, mg: str) -> RecordDose:
    return RecordDose(clock, "clonazepam", Mass.of_mg(mg), (f"Take {mg} mg.",))


def _plan(version: int = 1, status: Any = "active") -> PlanVersion:
    steps = (
        RecordStep(date(2027, 1, 4), (_dose("08:00", "0.25"), _dose("22:00", "0.5"))),
        RecordStep(date(2027, 1, 18), (_dose("22:00", "0.5"),)),
        RecordStep(date(2027, 2, 1), (_dose("22:00", "0.25"),)),
        RecordStep(date(2027, 2, 15), ()),
    )
    return PlanVersion(version, status, "clonazepam", "custom", steps, "Dr Lee", AT)


def _feed(plan: PlanVersion, before: CalendarOut | None = None, **options: Any) -> CalendarOut:
    issued = before.issued if before is not None else ()
    return calendar_feed(
        plan,
        Profile("Europe/London"),
        generated_at=LATER if before else AT,
        calendar_key="person-1",
        issued=issued,
        **options,
    )


def _events(out: CalendarOut) -> dict[str, Any]:
    """Events by UID, parsed by icalendar; vobject must read the same UIDs and SEQUENCEs."""
    parsed = {str(e["UID"]): e for e in Calendar.from_ical(out.data).events}
    other = vobject.readOne(out.data.decode())
    seen = {str(v.uid.value): int(v.sequence.value) for v in other.vevent_list}
    assert seen == {uid: int(e["SEQUENCE"]) for uid, e in parsed.items()}
    return parsed


def _cancelled(events: dict[str, Any]) -> set[str]:
    return {uid for uid, e in events.items() if str(e.get("STATUS", "")) == "CANCELLED"}


def test_same_plan_again_keeps_every_sequence() -> None:
    first = _feed(_plan())
    second = _feed(_plan(), first)
    before, after = _events(first), _events(second)
    assert {u: e["SEQUENCE"] for u, e in after.items()} == {
        u: e["SEQUENCE"] for u, e in before.items()
    }
    assert not _cancelled(after)


def test_a_changed_time_bumps_only_that_event() -> None:
    first = _feed(_plan())
    plan = _plan()
    moved = replace(plan.steps[1], doses=(_dose("21:30", "0.5"),))
    changed = replace(plan, steps=(plan.steps[0], moved, *plan.steps[2:]))
    before, after = _events(first), _events(_feed(changed, first))
    bumped = {u for u in after if after[u]["SEQUENCE"] > before[u]["SEQUENCE"]}
    # the dose and the dose change of 18 January, which says how to take the new dose
    kinds = {str(after[u]["SUMMARY"]).split(":")[0]: after[u] for u in bumped}
    assert set(kinds) == {"clonazePAM 0.5 mg", "Dose change"}
    assert kinds["clonazePAM 0.5 mg"]["DTSTART"].dt.hour == 21
    assert "21:30" in str(kinds["Dose change"]["DESCRIPTION"])
    assert all(after[u]["SEQUENCE"] == before[u]["SEQUENCE"] for u in after if u not in bumped)


def test_a_checkin_time_change_bumps_the_checkin_and_the_all_day_alarms() -> None:
    first = _feed(_plan())
    before, after = _events(first), _events(_feed(_plan(), first, checkin_clock="09:15"))
    bumped = {str(after[u]["SUMMARY"]).split(":")[0] for u in after if after[u]["SEQUENCE"] > 1}
    assert bumped == {"taperline check-in", "Dose change"}
    doses = [u for u in after if str(after[u]["SUMMARY"]).startswith("clonazePAM")]
    assert doses
    assert all(after[u]["SEQUENCE"] == before[u]["SEQUENCE"] for u in doses)


def test_a_hold_cancels_the_later_cuts_with_their_old_uids() -> None:
    active = _plan()
    first = _feed(active)
    held = transition(active, "hold", by="Dr Lee", reason="wave", at=LATER, new_version=2)
    held = replace(held, held_from=date(2027, 1, 20))
    second = _feed(held, first)
    before, after = _events(first), _events(second)
    assert set(after) == set(before)  # nothing new, nothing lost: same UIDs
    cancelled = _cancelled(after)
    changes = {u for u, e in before.items() if str(e["SUMMARY"]).startswith("Dose change")}
    # the cut on 1 Feb and the stop on 15 Feb, their dose series; the cut on 18 Jan was done
    assert {str(before[u]["DTSTART"].dt) for u in changes & cancelled} == {
        "2027-02-01",
        "2027-02-15",
    }
    for uid in cancelled:
        event = after[uid]
        assert event["SEQUENCE"] > before[uid]["SEQUENCE"]
        assert not event.walk("VALARM"), "a cancelled reminder must not alarm"
        assert event["DTSTART"].dt == before[uid]["DTSTART"].dt
        assert str(event["SUMMARY"]).startswith("Cancelled: ")


def test_a_hold_cancels_the_later_cuts_even_without_a_record_of_the_first_export() -> None:
    active = _plan()
    held = replace(
        transition(active, "hold", by="Dr Lee", reason="wave", at=LATER, new_version=2),
        held_from=date(2027, 1, 20),
    )
    old = _events(_feed(active))
    now = _events(_feed(held))  # a file exported before the ledger existed had SEQUENCE 1
    cancelled = _cancelled(now)
    assert cancelled
    assert all(now[u]["SEQUENCE"] == 2 > old[u]["SEQUENCE"] for u in cancelled)


def test_cancellations_stay_put_and_an_approval_brings_the_events_back() -> None:
    active = _plan()
    first = _feed(active)
    held = replace(
        transition(active, "hold", by="Dr Lee", reason="wave", at=LATER, new_version=2),
        held_from=date(2027, 1, 20),
    )
    second = _feed(held, first)
    third = _feed(held, second)  # served again: nothing changed
    assert _events(third).keys() == _events(second).keys()
    assert [(e.uid, e.sequence) for e in third.issued] == [
        (e.uid, e.sequence) for e in second.issued
    ]
    approved = transition(held, "approve", by="Dr Lee", reason="ok", at=LATER, new_version=3)
    fourth = _events(_feed(approved, third))
    was = {e.uid: e for e in third.issued}
    back = {u for u in _cancelled(_events(second)) if u in fourth and u not in _cancelled(fourth)}
    assert back, "the resumed cuts come back under their old UIDs"
    assert all(fourth[u]["SEQUENCE"] > was[u].sequence for u in back)


def test_a_shorter_plan_cancels_the_steps_it_lost() -> None:
    active = _plan()
    first = _feed(active)
    shorter = replace(active, version=2, steps=active.steps[:2] + active.steps[3:])
    after = _events(_feed(shorter, first))
    assert _cancelled(after)
    assert not _cancelled(_events(first))


def test_a_reminder_kind_turned_off_is_cancelled() -> None:
    first = _feed(_plan())
    after = _events(_feed(_plan(), first, reminders=("doses", "changes", "refills")))
    cancelled = _cancelled(after)
    assert {str(after[u]["SUMMARY"]) for u in cancelled} == {"Cancelled: taperline check-in"}


def test_the_one_off_export_is_the_feed_without_history() -> None:
    plan = _plan()
    options: dict[str, Any] = {"generated_at": AT, "calendar_key": "person-1"}
    direct = calendar_ics(plan, Profile("Europe/London"), **options)
    assert direct == calendar_feed(plan, Profile("Europe/London"), **options).data
    assert set(REMINDERS) == {"doses", "checkin", "changes", "refills"}


def test_refresh_interval_is_written_for_subscriptions() -> None:
    out = _feed(_plan(), refresh_minutes=60)
    calendar = Calendar.from_ical(out.data)
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    assert "X-PUBLISHED-TTL:PT1H" in out.data.decode()


def test_discreet_titles_name_no_drug_where_a_lock_screen_shows_them() -> None:
    named = _feed(_plan())
    quiet = _feed(_plan(), named, discreet=True)
    events = _events(quiet)
    shown = [str(e["SUMMARY"]) for e in events.values()]
    shown += [str(a["DESCRIPTION"]) for e in events.values() for a in e.walk("VALARM")]
    calendar = Calendar.from_ical(quiet.data)
    shown += [str(calendar["NAME"]), str(calendar["X-WR-CALNAME"])]
    assert not [text for text in shown if "clonaze" in text.lower() or " mg" in text]
    assert {"Morning dose", "Evening dose", "Dose change"} <= set(shown)
    assert "Time for your evening dose" in shown
    # the details are still there when the event is opened
    assert all("clonazePAM" in str(e["DESCRIPTION"]) for e in events.values() if "dose" in
               str(e["SUMMARY"]).lower())  # fmt: skip
    before = _events(named)
    for uid, event in events.items():  # a changed title is a change; the check-in is not
        same = str(event["SUMMARY"]) == str(before[uid]["SUMMARY"])
        assert (event["SEQUENCE"] == before[uid]["SEQUENCE"]) is same, event["SUMMARY"]


def test_a_move_to_another_zone_keeps_the_old_zone_for_what_it_cancels() -> None:
    active = _plan()
    first = _feed(active)
    shorter = replace(active, version=2, steps=active.steps[:2])
    moved = calendar_feed(
        shorter,
        Profile("America/New_York"),
        generated_at=LATER,
        calendar_key="person-1",
        issued=first.issued,
    )
    events = _events(moved)  # vobject reads it too
    calendar = Calendar.from_ical(moved.data)
    assert {str(z["TZID"]) for z in calendar.timezones} == {"Europe/London", "America/New_York"}
    cancelled = [events[u] for u in _cancelled(events)]
    timed = [e for e in cancelled if hasattr(e["DTSTART"].dt, "hour")]
    assert timed
    assert {str(e["DTSTART"].dt.tzinfo) for e in timed} == {"Europe/London"}
    live = [e for u, e in events.items() if u not in _cancelled(events)]
    assert {str(e["DTSTART"].dt.tzinfo) for e in live if hasattr(e["DTSTART"].dt, "hour")} == {
        "America/New_York"
    }


def test_a_cancellation_is_sent_for_30_days_and_until_its_date_has_passed() -> None:
    """Then it is left out; the UID keeps its SEQUENCE, so an event that comes back is newer."""
    active = _plan()
    held = replace(
        transition(active, "hold", by="Dr Lee", reason="wave", at=LATER, new_version=2),
        held_from=date(2027, 1, 20),
    )
    second = _feed(held, _feed(active))
    sent = [replace(e, issued_at=LATER) for e in second.issued]  # as the store reads them back
    cancelled = {e.uid: e for e in sent if e.cancelled}
    starts = {u: _events(second)[u]["DTSTART"].dt for u in cancelled}
    cut, stop = (
        {u for u, day in starts.items() if str(day) == d} for d in ("2027-02-01", "2027-02-15")
    )
    assert cut
    assert stop

    def feed_at(now: datetime) -> CalendarOut:
        return calendar_feed(held, Profile("Europe/London"), generated_at=now,
                             calendar_key="person-1", issued=sent)  # fmt: skip

    # 29 days on: every cancellation is still sent (the doctest of ics_sequence.pruned keeps
    # one whose date passed long before, too, until its 30 days are over)
    assert set(cancelled) == _cancelled(_events(feed_at(LATER + timedelta(days=29))))
    # 30 days on (3 Feb): the passed cut is left out; the stop on 15 Feb and its doses stay
    later = feed_at(LATER + timedelta(days=30))
    kept = _cancelled(_events(later))
    assert cut.isdisjoint(kept)
    assert stop <= kept
    assert kept < set(cancelled)
    assert {e.uid for e in later.issued} == set(_events(later))  # nothing pruned is re-recorded
    # long after, every passed cancellation is gone; none with a date to come ever is
    assert not _cancelled(_events(feed_at(datetime(2027, 6, 1, tzinfo=UTC))))
    # the held cuts come back: higher than the SEQUENCE their cancellation was sent with
    approved = transition(held, "approve", by="Dr Lee", reason="ok", at=LATER, new_version=3)
    back = _events(calendar_feed(approved, Profile("Europe/London"),
                                 generated_at=datetime(2027, 6, 1, tzinfo=UTC),
                                 calendar_key="person-1", issued=sent))  # fmt: skip
    assert all(back[u]["SEQUENCE"] > cancelled[u].sequence for u in cut if u in back)
    assert cut & set(back)
