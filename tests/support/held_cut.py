"""What the held-cut tests share (tests/test_held_cut_*.py, tests/test_dose_asked*.py).

The CLI run in process against a database at a given moment, the days of the findings of
more taken than planned as ``taperline findings`` gives them, a dose taken in the morning
logged through the JSON API, and the 22:00 reminders of a day in a calendar feed.

The CLI's plan (:func:`a_plan_approved`): a person in London on 1 mg at 22:00, a 10 % cut
every 14 days from 4 Jan 2027, approved on 3 Jan; :func:`held_cut_site` is a site whose
patient is on the day of a cut held with no answer.

The core tests' plan (:func:`plan_version`): 1 mg at 22:00 from 1 Dec 2027, 0.875 mg from
15 Dec (``CUT``), 0.75 mg from 29 Dec (``NEXT_CUT``), approved on 30 Nov (before either
cut's window opens, so the approval answers neither); with no check-ins the check holds
both cuts. :func:`dose_taken` is a line of the dose log, :func:`above_plan` the days of the
findings of more taken than planned as the review gives them.

The moved plan (``MOVED``, a held cut that moves the dose times): 1 mg at 22:00, then at
the cut 0.5 mg at 08:00 and 0.375 mg at 20:00, as a record (:func:`moved_record`), a store
(:func:`moved_store`) and a site (:func:`moved_site`). Any other plan of the same making:
:func:`approved_store` (a store whose person, in any time zone, has a plan of given steps
approved on 30 Nov) and :func:`site_with` (a site whose patient is on the day of a held cut
between given doses).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from click.testing import CliRunner, Result

from taperline.cli.main import cli
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
)
from taperline.service import open_store
from taperline.service.store import review_as_of

if TYPE_CHECKING:
    from pathlib import Path

    from taperline.adapters.storage.repo import Store
    from taperline.core.journal import CheckIn
    from tests.support.web import Site, Web

#: The findings of more taken than planned.
ABOVE_PLAN = frozenset({"escalation", "large_dose"})


def run_cli(url: str, *args: str, now: str) -> Result:
    """``taperline *args`` on the database at ``url``, with the clock at ``now`` (ISO)."""
    env = {"TAPERLINE_DATABASE_URL": url, "TAPERLINE_NOW": now}
    return CliRunner().invoke(cli, list(args), env=env)


def above_plan_cli(url: str, now: str) -> dict[str, list[str]]:
    """The days of the findings of more taken than planned (``findings --format json``)."""
    result = run_cli(url, "findings", "--format", "json", now=now)
    assert result.exit_code == 0, result.stderr
    return {
        f["kind"]: sorted(e["date"] for e in f["evidence"])
        for f in json.loads(result.stdout)
        if f["kind"] in ABOVE_PLAN
    }


def took_at_eight(web: Web, day: str, amount_mg: float) -> None:
    """The planned 08:00 dose of ``day`` taken at 08:00, logged by POST /api/doses."""
    body = {
        "date": day,
        "planned_time": "08:00",
        "amount_mg": amount_mg,
        "taken_at": f"{day}T08:00",
    }
    response = web.client.post("/api/doses", json=body)
    assert response.status_code == 201, response.text


def reminders_at_22(feed: bytes, day: date) -> list[str]:
    """The summaries of the iCalendar ``feed``'s 22:00 reminders that fall on ``day``."""
    from icalendar import Calendar

    found = []
    for event in Calendar.from_ical(feed).walk("VEVENT"):
        start = event.decoded("DTSTART")
        if not isinstance(start, datetime) or start.strftime("%H:%M") != "22:00":
            continue
        until = ((event.get("RRULE") or {}).get("UNTIL") or [None])[0]
        if start.date() <= day and (until is None or until.date() >= day):
            found.append(str(event.get("SUMMARY")))
    return found


# --- the CLI's plan: 1 mg at 22:00 in London, a 10 % cut every 14 days from 4 Jan 2027 ------

PLANNED = "2027-01-03T20:00+00:00"


def a_plan_approved(url: str) -> None:
    """A person in London on 1 mg at 22:00, a 10 % cut every 14 days from 2027-01-04."""
    for args in (
        ("init", "--time-zone", "Europe/London", "--age-band", "40-64"),
        ("plan", "clonazepam", "--dose", "1 mg", "--at", "22:00", "--start", "2027-01-04",
         "--save"),
        ("plan", "approve", "--by", "Dr Lee", "--reason", "agreed at the visit"),
    ):  # fmt: skip
        assert run_cli(url, *args, now=PLANNED).exit_code == 0


@contextmanager
def held_cut_site(tmp_path: Path, *, cuts: int = 1) -> Iterator[tuple[Site, Web, int]]:
    """A site whose patient (signed in) is on the day of the ``cuts``-th cut, held: a plan
    approved before the first cut's window opened (so no decision answers the check) and no
    check-ins. Yields the site, the patient's browser and person id."""
    from tests.support.web import approved_plan, make_site

    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        site.clock.advance(days=-14 * cuts)
        approved_plan(site, pid, start=site.clock.today)
        site.clock.advance(days=14 * cuts)
        assert web.signin("ann@example.org").status_code == 303
        yield site, web, pid


# --- the core tests' plan: 1 mg at 22:00 from 1 Dec 2027, cuts on 15 and 29 Dec -------------

CUT, NEXT_CUT = date(2027, 12, 15), date(2027, 12, 29)


def step(day: date, *doses: tuple[str, str]) -> RecordStep:
    return RecordStep(day, tuple(RecordDose(c, "clonazepam", Mass.of_mg(mg)) for c, mg in doses))


def plan_version(
    *, decided: date = date(2027, 11, 30), steps: tuple[RecordStep, ...] = (), version: int = 2
) -> PlanVersion:
    steps = steps or (
        step(date(2027, 12, 1), ("22:00", "1")),
        step(CUT, ("22:00", "0.875")),
        step(NEXT_CUT, ("22:00", "0.75")),
    )
    at = datetime.combine(decided, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    proposed = datetime(2027, 11, 29, 9, tzinfo=UTC)
    return PlanVersion(
        version, "active", "clonazepam", "percent", steps, "patient", proposed,
        decided_by="Dr Lee", decided_at=at,
    )  # fmt: skip


def dose_taken(day: date, planned: str, mg: str, clock: str = "22:00") -> DoseRecord:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=int(clock[:2]))
    return DoseRecord(day, "clonazepam", clock, Mass.of_mg(planned), at, Mass.of_mg(mg))


def each_day(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def above_plan(record: PersonRecord, today: date) -> dict[str, list[date]]:
    """The days of the findings of more taken than planned, as every page shows them."""
    result = review_as_of(record, today)
    return {f.kind: [e.day for e in f.evidence] for f in result.findings if f.kind in ABOVE_PLAN}


# --- the moved plan: 1 mg at 22:00, then 0.5 mg at 08:00 and 0.375 mg at 20:00 from CUT ----

BEFORE = CUT - timedelta(days=7)
_MOVED_FROM = (("22:00", "1"),)
_MOVED_TO = (("08:00", "0.5"), ("20:00", "0.375"))
MOVED = (step(date(2027, 12, 1), *_MOVED_FROM), step(CUT, *_MOVED_TO))


def moved_record(*doses: DoseRecord, checkins: tuple[CheckIn, ...] = ()) -> PersonRecord:
    """The moved plan, approved on 30 Nov (before the cut's window: it answers nothing)."""
    before = [dose_taken(d, "1", "1") for d in each_day(BEFORE, CUT - timedelta(days=1))]
    return PersonRecord(
        Profile("UTC"), checkins, doses=(*before, *doses), plans=(plan_version(steps=MOVED),)
    )


@contextmanager
def approved_store(
    tmp_path: Path,
    steps: tuple[RecordStep, ...],
    *,
    zone: str = "UTC",
    approved: datetime = datetime(2027, 11, 30, 9, tzinfo=UTC),
) -> Iterator[tuple[Store, int, str]]:
    """A store (SQLite) whose person in ``zone`` (made on 28 Nov) has the plan of ``steps``,
    proposed, then approved by Dr Lee at ``approved`` (30 Nov, 09:00 UTC unless told).
    Yields the store, person id and URL."""
    url = f"sqlite:///{tmp_path}/t.db"
    store = open_store(url)
    pid = store.create_person(Profile(zone), at=datetime(2027, 11, 28, tzinfo=UTC))
    plan = replace(plan_version(steps=steps), version=1, status="proposed", decided_by=None,
                   decided_at=None)  # fmt: skip
    store.add_plan(pid, plan)
    store.decide(pid, "approve", by="Dr Lee", reason="agreed", at=approved)
    yield store, pid, url


@contextmanager
def moved_store(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    """A store (SQLite) whose person in UTC has the moved plan, approved on 30 Nov."""
    with approved_store(tmp_path, MOVED) as (store, pid, _url):
        yield store, pid


def night(day: date, hour: int = 22) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC).replace(hour=hour, minute=5)


@contextmanager
def site_with(
    tmp_path: Path,
    before: tuple[tuple[str, str], ...],
    after: tuple[tuple[str, str], ...],
    *,
    advance: timedelta = timedelta(hours=10, minutes=5),
) -> Iterator[tuple[Site, Web, int]]:
    """A site whose patient (London) is on the day of a cut from the doses ``before`` (each a
    time and mg) to ``after``, held: the plan approved 14 days before (before the cut's window
    opened), no check-ins. The clock then moves on by ``advance`` (from noon to 22:05 unless
    told) and the patient signs in. Yields the site, the patient's browser and person id."""
    from tests.support.web import make_site

    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        cut = site.clock.today
        steps = (step(cut - timedelta(days=14), *before), step(cut, *after))
        plan = replace(plan_version(steps=steps), version=1, status="proposed", decided_by=None,
                       decided_at=None)  # fmt: skip
        store = site.services.store
        store.add_plan(pid, plan)
        approved = site.clock.now - timedelta(days=14)
        store.decide(pid, "approve", by="Dr Test", reason="agreed", at=approved)
        site.clock.advance(seconds=advance.total_seconds())  # 22:05 in London (GMT) unless told
        assert web.signin("ann@example.org").status_code == 303
        yield site, web, pid


@contextmanager
def moved_site(tmp_path: Path) -> Iterator[tuple[Site, Web, int]]:
    """A site whose patient (London) is on the cut day of the moved plan, held: the plan
    approved 14 days before (before the cut's window opened), no check-ins; 22:05."""
    with site_with(tmp_path, _MOVED_FROM, _MOVED_TO) as (site, web, pid):
        yield site, web, pid


# --- the answer-day plan: 0.5 mg at 08:00 and 22:00, then 0.75 mg at 22:00 from CUT -------

ANSWER_BEFORE = (("08:00", "0.5"), ("22:00", "0.5"))
ANSWER_AFTER = (("22:00", "0.75"),)
ANSWER_STEPS = (step(date(2027, 12, 1), *ANSWER_BEFORE), step(CUT, *ANSWER_AFTER))


def local_moment(zone: str, day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC moment of ``hour:minute`` on ``day`` in ``zone``."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def wall(hour: int, minute: int = 0, day: date = CUT) -> datetime:
    """A wall-clock moment (naive, as a dose's time taken is said)."""
    return datetime.combine(day, time(hour, minute))


@contextmanager
def answered_store(
    tmp_path: Path,
    *,
    zone: str = "UTC",
    steps: tuple[RecordStep, ...] = ANSWER_STEPS,
    day: date = CUT,
    at: tuple[int, int] = (14, 5),
) -> Iterator[tuple[Store, int, str]]:
    """:func:`approved_store` of ``steps`` (the answer-day plan unless told), nothing logged,
    and the clinician's go-ahead at ``at`` (local) on ``day`` (the cut day unless told)."""
    with approved_store(tmp_path, steps, zone=zone) as found:
        store, pid, _url = found
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=local_moment(zone, day, *at))
        yield found
