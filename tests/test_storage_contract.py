"""The storage contract: one suite, run on SQLite and on a real PostgreSQL server.

Every test takes ``migrated_db_url`` (see ``tests/conftest.py``: a fresh copy of the schema the
migrations made once this session), so it runs once per backend. What is written reads back
equal; times entered in the person's zone read back identical across daylight-saving changes;
retries never duplicate; plan versions are only ever added; a refused write leaves nothing
behind; deleting a person leaves nothing of theirs in any table.

"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from taperline import service
from taperline.adapters.storage import repo, schema
from taperline.adapters.storage.record_version import record_version
from taperline.adapters.storage.repo import KnownRows, Saved, Store
from taperline.core.device_sleep import DeviceSleepRecord
from taperline.core.instruments import InstrumentScore, score_gad7, score_phq9
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
    RecordSupply,
    Regimen,
)
from taperline.errors import CheckInError, ConflictError, InputError, NotFoundError
from tests.strategies import csv_checkins, dose_records, time_zones, wall_clock

# The web app's tables live on the same metadata; registering them makes the checks cover them.
with contextlib.suppress(ImportError):  # an older tree without the web app
    from taperline.adapters.storage import accounts_schema  # noqa: F401 -- imported for its tables

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
WAKE = date(2027, 1, 5)
#: Free text as people type it: accents, combining marks, CJK, right-to-left, emoji, quotes, tabs
#: and line breaks.
NOTE = "Schlaf schlecht — 眠れない 😴 שלום\nzweite Zeile: \"quoted\", 'x'\te\u0301 ; 100 %"
JOURNAL_TABLES = ("persons", "checkins", "dose_log", "instrument_scores", "plan_versions")
#: Filled through the Store by the delete-person check (a record needs its import's row).
DEVICE_SLEEP_TABLES = ("device_sleep_imports", "device_sleep_records")
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


# --- fixtures and helpers --------------------------------------------------------------------


def _backend(store: Store) -> str:
    return store.engine.dialect.name


def _night(day: date = WAKE, **clocks: str) -> SleepDiary:
    return SleepDiary(*night_times(day, **clocks), sol_min=25, waso_min=40, awakenings=2, quality=2)


def _checkin(day: date = WAKE, **changes: Any) -> CheckIn:
    return replace(CheckIn(day, None, mood=6, anxiety=4), **changes)


def _full_checkin(day: date = WAKE) -> CheckIn:
    """Every field filled in; the night starts the evening before ``day``."""
    return CheckIn(
        day,
        _night(day, bed="23:10", tried="23:20", final_wake="06:30", out_of_bed="06:45"),
        mood=3,
        anxiety=7,
        symptoms={"tremor": 1, "insomnia": 2, "muscle pain or stiffness": 3, "feeling unreal": 1},
        worst_time="evening",
        caffeine_drinks=3,
        alcohol_drinks=1,
        opioid_use=True,
        events=frozenset({"fall", "confusion"}),
        notes=NOTE,
    )


def _clock_shift_min(sleep: SleepDiary, time_zone: str) -> int:
    """How many minutes the clocks moved between trying to sleep and waking (real vs wall)."""
    tz = ZoneInfo(time_zone)
    wall = sleep.final_wake - sleep.tried
    real = sleep.final_wake.replace(tzinfo=tz).astimezone(UTC) - sleep.tried.replace(
        tzinfo=tz
    ).astimezone(UTC)
    return round((wall - real).total_seconds() / 60)


def _stored(checkin: CheckIn, time_zone: str = LONDON) -> CheckIn:
    """What a check-in reads back as in ``time_zone``.

    The checklist keeps only ratings above 0 (0 = not listed), and the store sets the night's
    ``clock_shift_min`` from the zone (raising CheckInError for a night the shift makes
    impossible). Check-ins hold no doses in storage (the dose log does).
    """
    sleep = checkin.sleep
    if sleep is not None:
        sleep = replace(sleep, clock_shift_min=_clock_shift_min(sleep, time_zone))
    return replace(checkin, sleep=sleep, symptoms={k: v for k, v in checkin.symptoms.items() if v})


def _dose(
    day: date = WAKE,
    planned: str | None = "22:00",
    planned_mg: str | None = "0.0625",
    taken: datetime | None = None,
    mg: str | None = "0.0625",
    **changes: Any,
) -> DoseRecord:
    return replace(
        DoseRecord(
            day,
            "clonazepam",
            planned,
            Mass.of_mg(planned_mg) if planned_mg is not None else None,
            taken,
            Mass.of_mg(mg) if mg is not None and taken is not None else None,
        ),
        **changes,
    )


def _step(start: date, *amounts: str, every_other_day: bool = False) -> RecordStep:
    return RecordStep(
        start,
        tuple(
            RecordDose(clock, "clonazepam", Mass.of_mg(mg), ("½ tablet 0.25 mg", "with water"))
            for clock, mg in zip(("08:00", "22:00"), amounts, strict=False)
        ),
        rule="10 % of the current dose every 2 weeks",
        source="ASAM-2025",
        every_other_day=every_other_day,
        note="Keine Eile — no rush",
    )


def _plan(proposed_by: str = "patient") -> PlanVersion:
    return PlanVersion(
        version=1,
        status="proposed",
        drug="clonazepam",
        strategy="percent",
        steps=(
            _step(date(2027, 1, 1), "0.125", "0.0625"),
            _step(date(2027, 1, 15), "0.0625", every_other_day=True),
            RecordStep(date(2027, 2, 1), (), rule="stop", source="ASAM-2025"),
        ),
        proposed_by=proposed_by,
        proposed_at=datetime(2026, 12, 20, 9, 30, 15, 123456, tzinfo=UTC),
        reason="Schlaf first — 先に",
        supply=(
            RecordSupply(
                date(2027, 1, 1),
                date(2027, 1, 31),
                "clonazepam",
                "tablet 0.25 mg",
                Decimal("2.5"),
                "tablet",
            ),
        ),
        warnings=("fall risk ⚠",),
        assumptions={"half-life": "30\u201340 h", "product": "tablet 0,25 mg"},
    )


def _person(store: Store, time_zone: str = LONDON, label: str = "Person A") -> int:
    return store.create_person(Profile(time_zone, "40-64", ("insomnia",), (), label))


def _count(store: Store, table: str, person_id: int | None = None) -> int:
    query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 -- table names are our own constants
    params: dict[str, int] = {}
    if person_id is not None:
        query += " WHERE person_id = :person_id"
        params["person_id"] = person_id
    with store.engine.connect() as connection:
        return int(connection.execute(sa.text(query), params).scalar_one())


def _journal_counts(store: Store) -> dict[str, int]:
    return {table: _count(store, table) for table in JOURNAL_TABLES}


def _raw_rows(store: Store, table: sa.Table, person_id: int) -> list[dict[str, Any]]:
    query = sa.select(table).where(table.c.person_id == person_id).order_by(table.c.id)
    with store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def _refusal(call: Callable[[], object]) -> InputError | None:
    """The InputError ``call`` raises, or None when it succeeds (other errors propagate)."""
    try:
        call()
    except InputError as refused:
        return refused
    return None


def _run_together(calls: Sequence[Callable[[], object]]) -> list[object]:
    """Run ``calls`` in threads released at the same moment; each result or raised error."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # the caller inspects each
            results[index] = error

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# --- round trips -----------------------------------------------------------------------------


def test_profile_round_trip(store: Store) -> None:
    profile = Profile(LONDON, "65-79", ("insomnia", "épilepsie"), ("sertraline 50 mg",), "Zoë 🌙")
    person = store.create_person(profile)
    assert store.profile(person) == profile
    assert store.person_ids() == [person]

    changed = Profile(NEW_YORK, None, (), ("melatonin 2 mg", "ibuprofen"), "")
    store.update_profile(person, changed)
    assert store.profile(person) == changed
    assert store.record(person).profile == changed


def test_the_regimen_round_trips_with_the_profile_and_can_be_removed(store: Store) -> None:
    regimen = Regimen.of(
        "clonazepam", [("22:00", Mass.of_mg("0.5")), ("08:00", Mass.of_mg("0.0625"))]
    )
    profile = Profile(LONDON, "40-64", ("panic disorder",), (), "Zoë", regimen)
    person = service.save_profile(store, None, profile)
    assert store.profile(person) == profile
    assert store.profile(person).regimen.doses[0].amount.mg == Decimal("0.0625")  # type: ignore[union-attr]
    assert store.record(person).profile == profile
    with store.engine.connect() as connection:
        stored = connection.execute(sa.select(schema.persons.c.regimen)).scalar_one()
    assert stored == {
        "drug": "clonazepam",
        "doses": [
            {"clock": "08:00", "amount_mg": "0.0625"},
            {"clock": "22:00", "amount_mg": "0.5"},
        ],
    }
    store.update_profile(person, replace(profile, regimen=None))
    assert store.profile(person).regimen is None
    with store.engine.connect() as connection:
        null = connection.execute(
            sa.select(schema.persons.c.id).where(schema.persons.c.regimen.is_(None))
        ).scalar_one()
    assert null == person  # SQL NULL, not the JSON null


def test_checkin_round_trip_with_every_field(store: Store) -> None:
    person = _person(store)
    checkin = _full_checkin()
    saved = store.save_checkin(person, checkin)
    assert saved.created

    assert store.checkin(person, WAKE) == checkin
    assert store.checkins(person) == [checkin]
    assert store.record(person).checkins == (checkin,)
    # The night crossed midnight: bed is on the evening before the wake date, kept as such.
    read = store.checkin(person, WAKE)
    assert read.sleep is not None
    assert read.sleep.bed == wall_clock(2027, 1, 4, 23, 10)
    assert read.sleep.final_wake == wall_clock(2027, 1, 5, 6, 30)
    assert read.notes == NOTE


def test_checkin_without_a_night_round_trips(store: Store) -> None:
    person = _person(store)
    checkin = _checkin(symptoms={"headache": 2}, worst_time="morning", notes="")
    store.save_checkin(person, checkin)
    assert store.checkins(person) == [checkin]


def test_dose_log_round_trip_with_exact_decimals(store: Store) -> None:
    person = _person(store)
    records = [
        _dose(taken=wall_clock(2027, 1, 5, 22, 5), units="1 x tablet 0.0625 mg", note=NOTE),
        _dose(
            planned="08:00", planned_mg="0.125", taken=wall_clock(2027, 1, 5, 11, 30), mg="0.125"
        ),
        _dose(planned="14:00", planned_mg="0.125", taken=None, note="vergessen"),
        _dose(
            planned=None,
            planned_mg=None,
            taken=wall_clock(2027, 1, 6, 3, 0),
            mg="0.25",
            units="0.25 mL of 1 mg/mL",
        ),
        replace(_dose(taken=wall_clock(2027, 1, 5, 22, 0)), amount=Mass(Decimal("62.5"), "mcg")),
    ]
    # what the person was asked at a cut's new dose: held (the cut's date) or it went ahead
    records[0] = replace(records[0], cut_checked=True, stay_on_before=WAKE - timedelta(days=2))
    records[1] = replace(records[1], cut_checked=True)
    for record in records:
        assert store.log_dose(person, record).created

    read = store.doses(person)
    assert read == records
    assert [r.status() for r in read] == ["taken", "late", "missed", "extra", "taken"]
    amounts = [r.amount.mg if r.amount else None for r in read]
    assert amounts == [
        Decimal("0.0625"),
        Decimal("0.125"),
        None,
        Decimal("0.25"),
        Decimal("0.0625"),
    ]
    assert [str(a) for a in amounts] == ["0.0625", "0.125", "None", "0.25", "0.0625"]
    assert [str(r.planned_amount.mg) if r.planned_amount else None for r in read] == [
        "0.0625",
        "0.125",
        "0.125",
        None,
        "0.0625",
    ]
    assert store.record(person).doses == tuple(records)


def test_import_doses_round_trip(store: Store) -> None:
    person = _person(store)
    records = [
        _dose(WAKE, taken=wall_clock(2027, 1, 5, 22, 30), mg="0.125"),
        _dose(WAKE, planned="08:00"),
        _dose(
            WAKE + timedelta(days=1),
            planned=None,
            planned_mg=None,
            taken=wall_clock(2027, 1, 7, 2, 0),
        ),
    ]
    records[0] = replace(records[0], cut_checked=True, stay_on_before=WAKE)
    assert store.import_doses(person, records) == 3
    assert store.doses(person) == records


def test_scores_round_trip(store: Store) -> None:
    person = _person(store)
    scores = [
        score_phq9([1, 2, 3, 0, 1, 2, 3, 0, 0], WAKE),
        score_gad7([3, 3, 3, 3, 3, 0, 1], WAKE),
        score_phq9([0] * 8 + [1], WAKE + timedelta(days=7)),
    ]
    for score in scores:
        assert store.save_score(person, score).created
    read = store.scores(person)
    assert read == sorted(scores, key=lambda s: (s.taken_on or WAKE, s.instrument))
    assert [s.band for s in read] == ["severe", "moderate", "minimal"]
    assert read[-1].item9_positive


def test_scores_one_per_instrument_and_day_and_idempotent(store: Store) -> None:
    person = _person(store)
    first = store.save_score(person, score_phq9([1] * 9, WAKE), idempotency_key="phq-1")
    again = store.save_score(person, score_phq9([1] * 9, WAKE), idempotency_key="phq-1")
    assert again == Saved(first.id, created=False)
    with pytest.raises(ConflictError, match="PHQ-9"):
        store.save_score(person, score_phq9([2] * 9, WAKE))
    with pytest.raises(InputError, match="date"):
        store.save_score(person, score_gad7([0] * 7))
    assert store.scores(person) == [score_phq9([1] * 9, WAKE)]


def test_a_score_replaced_is_the_day_s_only_one_and_moves_the_record(store: Store) -> None:
    """``replace_score`` writes over the day's questionnaire of that kind, nothing else."""
    person = _person(store)
    first = store.save_score(person, score_phq9([0] * 9, WAKE), idempotency_key="phq-0")
    gad = store.save_score(person, score_gad7([1] * 7, WAKE))
    _, version = record_version(store.engine, person)
    retake = replace(score_phq9([1] * 8 + [2], WAKE), replaced=((0,) * 9,))
    replaced = store.replace_score(person, retake, idempotency_key="phq-2")
    assert replaced == Saved(first.id, created=True, replaced=True)
    assert store.scores(person) == [score_gad7([1] * 7, WAKE), retake]
    assert store.record(person).scores[-1].item9_positive  # a read of the record sees it
    # a retry of the retake is answered as saved, and so is one of the answers it replaced
    again = store.save_score(person, retake, idempotency_key="phq-2")
    assert again == Saved(first.id, created=False)
    assert store.save_score(person, score_phq9([0] * 9, WAKE)) == Saved(first.id, created=False)
    assert gad.id != first.id
    with pytest.raises(ConflictError):
        store.save_score(person, score_phq9([3] * 9, WAKE), idempotency_key="phq-0")
    with pytest.raises(NotFoundError, match="PHQ-9"):
        store.replace_score(person, score_phq9([0] * 9, WAKE + timedelta(days=1)))
    assert record_version(store.engine, person)[1] != version  # a kept dashboard is stale


def test_plan_round_trip(store: Store) -> None:
    person = _person(store)
    plan = _plan()
    stored = store.add_plan(person, replace(plan, version=7))
    assert stored == plan  # the store numbers versions itself: the first is 1
    assert store.plans(person) == [plan]
    read = store.plans(person)[0]
    assert [d.amount.mg for d in read.steps[0].doses] == [Decimal("0.125"), Decimal("0.0625")]
    assert read.supply[0].count == Decimal("2.5")
    assert dict(read.assumptions) == {"half-life": "30\u201340 h", "product": "tablet 0,25 mg"}
    assert read.proposed_at == datetime(2026, 12, 20, 9, 30, 15, 123456, tzinfo=UTC)
    assert store.plan_in_force(person) is None  # proposed, not yet approved
    assert store.record(person).plans == (plan,)


# --- time zones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "wake", "bed_utc", "final_wake_utc", "shift_min"),
    [
        # Clocks go forward at 01:00 GMT: bed is GMT (UTC+0), waking is BST (UTC+1).
        (
            LONDON,
            date(2027, 3, 28),
            wall_clock(2027, 3, 27, 23, 30),
            wall_clock(2027, 3, 28, 6, 0),
            60,
        ),
        # Clocks go back at 02:00 EDT: bed is EDT (UTC-4), waking is EST (UTC-5).
        (
            NEW_YORK,
            date(2027, 11, 7),
            wall_clock(2027, 11, 7, 3, 30),
            wall_clock(2027, 11, 7, 12, 0),
            -60,
        ),
    ],
    ids=["london-spring-forward", "new-york-fall-back"],
)
def test_local_times_read_back_identical_across_dst(
    store: Store,
    time_zone: str,
    wake: date,
    bed_utc: datetime,
    final_wake_utc: datetime,
    shift_min: int,
) -> None:
    person = _person(store, time_zone)
    night = SleepDiary(
        *night_times(wake, bed="23:30", tried="23:45", final_wake="07:00", out_of_bed="07:30"),
        sol_min=30,
        waso_min=60,
        awakenings=3,
    )
    checkin = _checkin(wake, sleep=night)
    dose = _dose(wake, planned="07:00", taken=wall_clock(wake.year, wake.month, wake.day, 7, 10))
    store.save_checkin(person, checkin)
    store.log_dose(person, dose)

    read = store.checkin(person, wake)
    assert read.sleep is not None
    # The wall-clock times read back exactly as entered ...
    assert (read.sleep.bed, read.sleep.tried, read.sleep.final_wake, read.sleep.out_of_bed) == (
        night.bed,
        night.tried,
        night.final_wake,
        night.out_of_bed,
    )
    # ... and the store knows how far the clocks moved in the night; nothing else differs.
    assert read.sleep.clock_shift_min == shift_min
    assert read == _stored(checkin, time_zone)
    assert store.doses(person) == [dose]
    row = _raw_rows(store, schema.checkins, person)[0]
    # Stored unambiguously, as UTC moments (compared as the naive UTC wall clock they are).
    assert row["bed_at_utc"].astimezone(UTC).replace(tzinfo=None) == bed_utc
    assert row["final_wake_at_utc"].astimezone(UTC).replace(tzinfo=None) == final_wake_utc
    assert row["time_zone"] == time_zone


def test_a_night_too_short_once_the_clocks_go_forward_is_refused(store: Store) -> None:
    """00:30 to 02:30 on the wall is one real hour in London on 2027-03-28: 90 min won't fit."""
    person = _person(store, LONDON)
    wake = date(2027, 3, 28)
    night = SleepDiary(
        *night_times(wake, bed="00:20", tried="00:30", final_wake="02:30", out_of_bed="02:40"),
        sol_min=90,
        waso_min=0,
        awakenings=0,
    )
    with pytest.raises(InputError, match="sol_min"):
        store.save_checkin(person, _checkin(wake, sleep=night))
    with pytest.raises(InputError, match="sol_min"):
        store.import_checkins(person, [_checkin(wake, sleep=night)])
    assert store.checkins(person) == []


def test_ambiguous_fall_back_times_read_back_identical(store: Store) -> None:
    """01:00-02:00 happens twice in New York on 2027-11-07; both read back as entered."""
    person = _person(store, NEW_YORK)
    wake = date(2027, 11, 7)
    first = wall_clock(2027, 11, 7, 1, 30)  # fold=0: the first 01:30 (EDT)
    second = wall_clock(2027, 11, 7, 1, 30).replace(fold=1)  # the second 01:30 (EST), an hour later
    night = SleepDiary(
        wall_clock(2027, 11, 7, 1, 10),
        first,
        wall_clock(2027, 11, 7, 6, 0),
        wall_clock(2027, 11, 7, 6, 15),
        sol_min=10,
        waso_min=0,
        awakenings=0,
    )
    store.save_checkin(person, _checkin(wake, sleep=night))
    store.log_dose(person, _dose(wake, planned="01:00", taken=first))
    store.log_dose(person, _dose(wake, planned="01:00", taken=second))

    read = store.checkin(person, wake)
    assert read.sleep == replace(night, clock_shift_min=-60)  # 01:30 EDT to 06:00 EST
    assert read == _stored(_checkin(wake, sleep=night), NEW_YORK)
    doses = store.doses(person)
    assert [d.taken_at for d in doses] == [first, second]
    stored = [r["taken_at_utc"].astimezone(UTC) for r in _raw_rows(store, schema.dose_log, person)]
    assert stored[1] - stored[0] == timedelta(hours=1)
    assert [d.taken_at.fold for d in doses if d.taken_at] == [0, 1]


def test_stored_times_keep_their_zone_when_the_profile_moves(store: Store) -> None:
    person = _person(store, LONDON)
    checkin = _full_checkin()
    store.save_checkin(person, checkin)
    store.update_profile(person, Profile(NEW_YORK))
    assert checkin.sleep is not None  # the night names the zone its clock times are London's
    assert store.checkin(person, WAKE) == replace(
        checkin, sleep=replace(checkin.sleep, time_zone=LONDON)
    )


#: (zone, a wall-clock time the clocks skip on that day).
GAPS = [
    (LONDON, wall_clock(2027, 3, 28, 1, 30)),
    (NEW_YORK, wall_clock(2027, 3, 14, 2, 30)),
]


def _night_with(field: str, gap: datetime) -> SleepDiary:
    """A valid night whose ``field`` is the skipped time ``gap`` (the others exist)."""
    hour = timedelta(hours=1)
    times = {
        "bed": (gap, gap + hour, gap + 5 * hour, gap + 6 * hour),
        "tried": (gap - hour, gap, gap + 5 * hour, gap + 6 * hour),
        "final_wake": (gap - 4 * hour, gap - 3 * hour, gap, gap + hour),
        "out_of_bed": (gap - 5 * hour, gap - 4 * hour, gap - hour, gap),
    }[field]
    return SleepDiary(*times, sol_min=0, waso_min=0, awakenings=0)


@pytest.mark.parametrize(("time_zone", "gap"), GAPS, ids=["london", "new-york"])
def test_a_time_skipped_by_dst_is_refused_naming_the_field(
    store: Store, time_zone: str, gap: datetime
) -> None:
    person = _person(store, time_zone)
    for field in ("bed", "tried", "final_wake", "out_of_bed"):
        night = _night_with(field, gap)
        checkin = _checkin(night.final_wake.date(), sleep=night)
        with pytest.raises(InputError, match=rf"^{field}: .*does not exist in {time_zone}"):
            store.save_checkin(person, checkin, idempotency_key=field)
        with pytest.raises(InputError, match=rf"^{field}: "):
            store.import_checkins(
                person, [_checkin(night.final_wake.date() - timedelta(1)), checkin]
            )
        assert store.checkins(person) == []
        assert _count(store, "checkins") == 0


@pytest.mark.parametrize(("time_zone", "gap"), GAPS, ids=["london", "new-york"])
def test_a_dose_time_skipped_by_dst_is_refused(store: Store, time_zone: str, gap: datetime) -> None:
    person = _person(store, time_zone)
    with pytest.raises(InputError, match=r"^taken_at: .*does not exist"):
        store.log_dose(person, _dose(gap.date(), taken=gap), idempotency_key="gap")
    assert store.doses(person) == []
    # The refused key was not used up: the corrected entry is stored under it.
    fixed = _dose(gap.date(), taken=gap + timedelta(hours=1))
    assert store.log_dose(person, fixed, idempotency_key="gap").created
    assert store.doses(person) == [fixed]


# --- idempotency and conflicts ---------------------------------------------------------------


def test_same_idempotency_key_twice_stores_one_checkin(store: Store) -> None:
    person = _person(store)
    checkin = _full_checkin()
    first = store.save_checkin(person, checkin, idempotency_key="submit-1")
    assert first.created
    retry = store.save_checkin(person, checkin, idempotency_key="submit-1")
    assert retry == Saved(first.id, created=False)
    # Even a retry carrying other values writes nothing: the first write stands.
    other = store.save_checkin(person, _checkin(mood=0), idempotency_key="submit-1")
    assert other == Saved(first.id, created=False)
    assert _count(store, "checkins") == 1
    assert store.checkins(person) == [checkin]


def test_same_idempotency_key_twice_stores_one_dose(store: Store) -> None:
    person = _person(store)
    dose = _dose(taken=wall_clock(2027, 1, 5, 22, 0))
    first = store.log_dose(person, dose, idempotency_key="dose-1")
    assert store.log_dose(person, dose, idempotency_key="dose-1") == Saved(first.id, created=False)
    assert store.log_dose(person, dose, idempotency_key="dose-2").created
    assert _count(store, "dose_log") == 2


def test_keys_belong_to_a_person(store: Store) -> None:
    alice, bob = _person(store, label="A"), _person(store, label="B")
    assert store.save_checkin(alice, _checkin(), idempotency_key="k").created
    assert store.save_checkin(bob, _checkin(), idempotency_key="k").created
    assert store.log_dose(alice, _dose(), idempotency_key="k").created
    assert store.log_dose(bob, _dose(), idempotency_key="k").created
    assert _count(store, "checkins") == 2
    assert _count(store, "dose_log") == 2


def test_bad_idempotency_keys_are_refused(store: Store) -> None:
    person = _person(store)
    for key in ["", "x" * 101]:
        with pytest.raises(InputError, match="idempotency key"):
            store.save_checkin(person, _checkin(), idempotency_key=key)
        with pytest.raises(InputError, match="idempotency key"):
            store.log_dose(person, _dose(), idempotency_key=key)
        with pytest.raises(InputError, match="idempotency key"):
            store.save_score(person, score_phq9([0] * 9, WAKE), idempotency_key=key)
    assert _journal_counts(store) == {**dict.fromkeys(JOURNAL_TABLES, 0), "persons": 1}
    assert store.save_checkin(person, _checkin(), idempotency_key="x" * 100).created


def test_concurrent_retries_of_one_key_store_one_row(store: Store) -> None:
    person = _person(store)
    dose, score = _dose(taken=wall_clock(2027, 1, 5, 22, 0)), score_gad7([1] * 7, WAKE)
    results = _run_together(
        [lambda: store.log_dose(person, dose, idempotency_key="race")] * 6
        + [lambda: store.save_score(person, score, idempotency_key="race")] * 6
    )
    assert all(isinstance(r, Saved) for r in results), results
    for saved in (results[:6], results[6:]):
        assert sum(s.created for s in saved if isinstance(s, Saved)) == 1
        assert len({s.id for s in saved if isinstance(s, Saved)}) == 1
    assert _count(store, "dose_log") == 1
    assert _count(store, "instrument_scores") == 1


def test_a_retry_racing_the_first_submit_gets_the_first_write(
    store: Store, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Two submits of one check-in (a double click): the second returns the first's id.

    The race is made deterministic: right after the second submit has looked for its key (and
    found none), the first submit runs to its commit. SQLite cannot interleave so (the write lock
    is taken at BEGIN IMMEDIATE, so the first submit waits); PostgreSQL can.
    """
    person = _person(store)
    checkin = _full_checkin()
    real_by_key = repo._by_key
    twin: list[object] = []

    def submit_twin() -> None:
        try:
            twin.append(store.save_checkin(person, checkin, idempotency_key="double-click"))
        except InputError as error:  # the outcome is asserted below
            twin.append(error)

    def by_key_then_twin(c: sa.Connection, table: sa.Table, pid: int, key: str | None) -> Any:
        found = real_by_key(c, table, pid, key)
        if not twin and threading.current_thread() is threading.main_thread():
            thread = threading.Thread(target=submit_twin)
            thread.start()
            thread.join(timeout=5 if _backend(store) == "postgresql" else 0.2)
            threads.append(thread)
        return found

    threads: list[threading.Thread] = []
    monkeypatch.setattr(repo.checkins, "_by_key", by_key_then_twin)  # where save_checkin finds it
    first = store.save_checkin(person, checkin, idempotency_key="double-click")
    for thread in threads:
        thread.join(timeout=60)
    outcomes = [first, *twin]
    assert all(isinstance(o, Saved) for o in outcomes), outcomes
    assert sorted(o.created for o in outcomes if isinstance(o, Saved)) == [False, True]
    assert len({o.id for o in outcomes if isinstance(o, Saved)}) == 1
    assert _count(store, "checkins") == 1


def test_second_checkin_for_a_day_needs_replace(store: Store) -> None:
    person = _person(store)
    first = store.save_checkin(person, _full_checkin())
    edited = _checkin(mood=9, notes="besser ✓")
    with pytest.raises(ConflictError, match=WAKE.isoformat()):
        store.save_checkin(person, edited)
    with pytest.raises(ConflictError, match=WAKE.isoformat()):
        store.save_checkin(person, edited, idempotency_key="another-submit")
    assert store.checkins(person) == [_full_checkin()]

    replaced = store.save_checkin(person, edited, replace=True)
    assert replaced == Saved(first.id, created=False)
    assert store.checkins(person) == [edited]
    assert _count(store, "checkins") == 1


def test_delete_checkin(store: Store) -> None:
    person = _person(store)
    store.save_checkin(person, _checkin())
    store.save_checkin(person, _checkin(WAKE + timedelta(days=1)))
    store.delete_checkin(person, WAKE)
    assert [c.wake_date for c in store.checkins(person)] == [WAKE + timedelta(days=1)]
    with pytest.raises(NotFoundError, match=WAKE.isoformat()):
        store.delete_checkin(person, WAKE)
    with pytest.raises(NotFoundError, match=WAKE.isoformat()):
        store.checkin(person, WAKE)


# --- plan versions ---------------------------------------------------------------------------


def test_plan_versions_are_only_ever_added(store: Store) -> None:
    person = _person(store)
    store.add_plan(person, _plan())
    at = datetime(2027, 1, 2, 10, 0, tzinfo=UTC)
    new_steps = (_step(date(2027, 1, 1), "0.125"), _step(date(2027, 3, 1), "0.0625"))
    history: list[tuple[str, dict[str, Any]]] = [
        ("approve", {}),
        ("hold", {}),
        ("approve", {}),
        ("adjust", {"steps": new_steps}),
        ("reject", {}),
    ]
    expected_status = ["proposed", "active", "held", "active", "proposed", "rejected"]
    expected_in_force = [None, 2, 3, 4, 4, 4]
    in_force = store.plan_in_force(person)
    assert in_force is None

    for number, (action, extra) in enumerate(history, start=2):
        before = _raw_rows(store, schema.plan_versions, person)
        new = store.decide(
            person,
            action,
            by=f"Dr Lee ({number})",
            reason=f"{action} — why",
            at=at + timedelta(days=number),
            version=number - 1,
            **extra,
        )
        after = _raw_rows(store, schema.plan_versions, person)
        assert after[:-1] == before  # every earlier row is untouched, to the last column
        assert len(after) == number
        assert new.version == number
        assert new.parent_version == number - 1
        assert new.status == expected_status[number - 1]
        assert new.reason == f"{action} — why"
        assert store.plans(person)[-1] == new
        in_force = store.plan_in_force(person)
        assert (in_force.version if in_force else None) == expected_in_force[number - 1]

    plans = store.plans(person)
    assert [p.status for p in plans] == expected_status
    assert [p.version for p in plans] == [1, 2, 3, 4, 5, 6]
    assert plans[0] == _plan()
    assert plans[4].steps == new_steps
    assert plans[4].proposed_by == "Dr Lee (5)"
    assert plans[4].decided_by is None
    assert plans[1].decided_by == "Dr Lee (2)"
    assert plans[1].decided_at == at + timedelta(days=2)
    assert all(p.steps == _plan().steps for p in plans[:3])
    # The hold began on day 3 and the approval on day 4 resumed it: the steps not yet
    # started when it was held moved one day later, so no cut is skipped or doubled.
    held_from = plans[2].held_from
    assert held_from == (at + timedelta(days=3)).date()
    assert plans[3].held_from is None
    assert plans[3].steps == tuple(
        replace(s, start=s.start + timedelta(days=1)) if s.start > held_from else s
        for s in _plan().steps
    )


def test_plan_decisions_that_are_refused_write_nothing(store: Store) -> None:
    person = _person(store)
    with pytest.raises(NotFoundError, match="no plan"):
        store.decide(person, "approve", by="Dr Lee", reason="ok")
    store.add_plan(person, _plan())
    store.decide(person, "approve", by="Dr Lee", reason="agreed")  # version 2, active
    rows = _raw_rows(store, schema.plan_versions, person)

    with pytest.raises(ConflictError, match="is not the one to"):
        store.decide(person, "hold", by="Dr Lee", reason="stale", version=1)
    with pytest.raises(NotFoundError, match="version 9"):
        store.decide(person, "hold", by="Dr Lee", reason="no such", version=9)
    not_allowed: list[tuple[str, dict[str, Any]]] = [
        ("reject", {}),  # an active plan cannot be rejected, only held or adjusted
        ("approve", {}),  # it is already active
        ("adjust", {}),  # adjust needs the new steps
        ("hold", {"steps": _plan().steps}),  # only adjust changes steps
    ]
    for action, extra in not_allowed:
        with pytest.raises(InputError) as refused:
            store.decide(person, action, by="Dr Lee", reason="r", **extra)
        assert refused.type is InputError, (action, refused.value)
    for by, reason in [(" ", "why"), ("Dr Lee", " ")]:
        with pytest.raises(InputError, match="empty"):
            store.decide(person, "hold", by=by, reason=reason)
    assert _raw_rows(store, schema.plan_versions, person) == rows


def test_concurrent_decisions_on_one_version_make_one_new_version(store: Store) -> None:
    person = _person(store)
    store.add_plan(person, _plan())
    results = _run_together(
        [
            lambda: store.decide(person, "approve", by="Dr Lee", reason="yes", version=1),
            lambda: store.decide(person, "reject", by="Dr Kim", reason="no", version=1),
        ]
    )
    assert sum(isinstance(r, PlanVersion) for r in results) == 1, results
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    assert [p.version for p in store.plans(person)] == [1, 2]


def test_add_plan_numbers_after_the_latest(store: Store) -> None:
    person = _person(store)
    store.add_plan(person, _plan())
    store.decide(person, "approve", by="Dr Lee", reason="ok")
    third = store.add_plan(person, replace(_plan("planner"), version=1))
    assert third.version == 3
    assert [p.proposed_by for p in store.plans(person)] == ["patient", "patient", "planner"]


# --- deleting a person -----------------------------------------------------------------------


def _tables_with_person_id() -> list[sa.Table]:
    return [t for t in schema.metadata.sorted_tables if "person_id" in t.c]


def _linked_tables() -> list[sa.Table]:
    """Tables whose rows belong to a person: by ``person_id`` or through the person's account."""
    return [
        t
        for t in schema.metadata.sorted_tables
        if any(fk.target_fullname in {"persons.id", "users.id"} for fk in t.foreign_keys)
    ]


def _filler(table: sa.Table, person_id: int, users: dict[int, int]) -> dict[str, Any]:
    """A plausible row for a table the Store does not write (the web app's), for ``person_id``."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if column.primary_key:
            continue
        targets = {fk.target_fullname for fk in column.foreign_keys}
        if "persons.id" in targets:
            row[column.name] = person_id
        elif "users.id" in targets and person_id in users:
            row[column.name] = users[person_id]
        elif column.nullable:
            continue
        elif table.name == "users" and column.name == "role":
            row[column.name] = "patient"
        elif isinstance(column.type, schema.UtcDateTime):
            row[column.name] = NOW
        elif isinstance(column.type, sa.Boolean):
            row[column.name] = False
        elif isinstance(column.type, sa.Integer):
            row[column.name] = 0
        elif isinstance(column.type, sa.Date):
            row[column.name] = WAKE
        elif isinstance(column.type, sa.JSON):
            row[column.name] = []
        else:
            width = getattr(column.type, "length", None) or 40
            row[column.name] = f"p{person_id}-{table.name}-{column.name}"[:width]
    return row


def _fill_person(store: Store, person: int) -> None:
    """Rows of ``person`` in every table: through the Store, and raw for the web app's tables."""
    store.save_checkin(person, _full_checkin(), idempotency_key="c1")
    store.save_checkin(person, _checkin(WAKE + timedelta(days=1)))
    store.log_dose(person, _dose(taken=wall_clock(2027, 1, 5, 22, 0)), idempotency_key="d1")
    store.log_dose(person, _dose(planned_mg="0.125"))
    store.save_score(person, score_phq9([1] * 9, WAKE))
    store.save_score(person, score_gad7([1] * 7, WAKE))
    store.add_plan(person, _plan())
    store.decide(person, "approve", by="Dr Lee", reason="agreed")
    night = wall_clock(2027, 1, 4, 23, 0).replace(tzinfo=UTC)
    asleep = DeviceSleepRecord("Watch", "", "asleep", night, night + timedelta(hours=7))
    store.add_device_sleep(
        person, [asleep], kind="apple-health", file_name="x", file_sha256="a" * 64, now=NOW
    )
    users: dict[int, int] = {}
    with store.engine.begin() as connection:
        for table in _linked_tables():
            if table.name in (*JOURNAL_TABLES, *DEVICE_SLEEP_TABLES):
                continue
            row = _filler(table, person, users)
            if table.name == "users":
                inserted = connection.execute(sa.insert(table).values(row).returning(table.c.id))
                users[person] = int(inserted.scalar_one())
            else:
                connection.execute(sa.insert(table).values(row))


def test_delete_person_removes_every_row_of_theirs_and_nothing_else(store: Store) -> None:
    alice, bob = _person(store, label="Alice"), _person(store, NEW_YORK, label="Bob")
    _fill_person(store, alice)
    _fill_person(store, bob)
    tables = _tables_with_person_id()
    assert {"checkins", "dose_log", "instrument_scores", "plan_versions"} <= {
        t.name for t in tables
    }
    everything = [t.name for t in schema.metadata.sorted_tables]
    counts = {name: _count(store, name) for name in everything}
    for table in tables:
        assert _count(store, table.name, alice) >= 1, table.name
    bob_record = store.record(bob)

    store.delete_person(alice)

    for table in tables:
        assert _count(store, table.name, alice) == 0, table.name
        assert _count(store, table.name, bob) == counts[table.name] // 2, table.name
    # Rows that hang on Alice's account rather than on her person_id went too.
    for table in _linked_tables():
        assert _count(store, table.name) == counts[table.name] // 2, table.name
    assert store.person_ids() == [bob]
    assert store.record(bob) == bob_record
    with pytest.raises(NotFoundError):
        store.profile(alice)
    assert store.checkins(alice) == []
    assert store.doses(alice) == []


# --- refused input leaves nothing behind -----------------------------------------------------


def test_import_checkins_with_a_duplicate_day_imports_nothing(store: Store) -> None:
    person = _person(store)
    batch = [_checkin(WAKE + timedelta(days=n)) for n in range(5)] + [_checkin(WAKE, mood=1)]
    with pytest.raises(ConflictError, match="nothing was imported"):
        store.import_checkins(person, batch)
    assert store.checkins(person) == []

    store.save_checkin(person, _checkin(WAKE + timedelta(days=3), mood=2))
    with pytest.raises(ConflictError, match="nothing was imported"):
        store.import_checkins(person, batch[:5])
    assert store.checkins(person) == [_checkin(WAKE + timedelta(days=3), mood=2)]

    assert store.import_checkins(person, batch[:3]) == 3
    assert [c.wake_date for c in store.checkins(person)] == [
        WAKE + timedelta(days=n) for n in (0, 1, 2, 3)
    ]


def test_import_with_a_bad_time_halfway_imports_nothing(store: Store) -> None:
    person = _person(store, LONDON)
    gap = wall_clock(2027, 3, 28, 1, 30)
    night = _night_with("bed", gap)
    batch = [_checkin(date(2027, 3, 20) + timedelta(days=n)) for n in range(5)]
    with pytest.raises(InputError, match=r"^bed: "):
        store.import_checkins(person, [*batch, _checkin(night.final_wake.date(), sleep=night)])
    doses = [
        _dose(date(2027, 3, 27), taken=wall_clock(2027, 3, 27, 22, 0)),
        _dose(gap.date(), taken=gap),
    ]
    with pytest.raises(InputError, match=r"^taken_at: "):
        store.import_doses(person, doses)
    assert _journal_counts(store) == {**dict.fromkeys(JOURNAL_TABLES, 0), "persons": 1}


def _record_failing(how: str) -> PersonRecord:
    """A whole record that is refused only after the person and some rows were inserted."""
    checkins = tuple(_checkin(WAKE + timedelta(days=n)) for n in range(3))
    doses = (_dose(taken=wall_clock(2027, 1, 5, 22, 0)), _dose(planned_mg="0.125"))
    scores: tuple[InstrumentScore, ...] = (score_phq9([1] * 9, WAKE),)
    plans: tuple[PlanVersion, ...] = (_plan(),)
    gap_night = _night_with("tried", wall_clock(2027, 3, 28, 1, 30))
    if how == "undated score":
        scores = (*scores, score_gad7([0] * 7))
    elif how == "skipped time":
        checkins = (*checkins, _checkin(gap_night.final_wake.date(), sleep=gap_night))
    elif how == "duplicate day":
        checkins = (*checkins, _checkin(WAKE, mood=0))
    elif how == "duplicate score":
        scores = (*scores, score_phq9([2] * 9, WAKE))
    elif how == "duplicate plan version":
        plans = (_plan(), _plan())
    return PersonRecord(Profile(LONDON, label="imported"), checkins, doses, scores, plans)


FAILURES = [
    "undated score",
    "skipped time",
    "duplicate day",
    "duplicate score",
    "duplicate plan version",
]


def test_import_record_failing_halfway_leaves_no_person(store: Store) -> None:
    existing = _person(store)
    store.save_checkin(existing, _checkin())
    before = _journal_counts(store)
    for how in FAILURES:
        # The type of the error is checked below; here only that nothing partial stays.
        with pytest.raises((InputError, sa.exc.IntegrityError)):
            store.import_record(_record_failing(how))
        assert _journal_counts(store) == before, how
        assert store.person_ids() == [existing], how


@pytest.mark.parametrize("how", FAILURES)
def test_import_record_refusal_is_an_input_error(
    store: Store, how: str, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(InputError):
        store.import_record(_record_failing(how))


def test_import_record_round_trip(store: Store) -> None:
    record = _record_failing("nothing")
    person = store.import_record(record)
    read = store.record(person)
    assert read == replace(record, checkins=tuple(_stored(c) for c in record.checkins))


def test_future_dates_are_refused_by_the_use_cases(store: Store) -> None:
    person = _person(store, LONDON)
    today = NOW.date()
    with pytest.raises(InputError, match="future"):
        service.record_checkin(store, person, _checkin(today + timedelta(days=1)), now=NOW)
    with pytest.raises(InputError, match="future"):
        service.record_dose(store, person, _dose(today + timedelta(days=1)), now=NOW)
    with pytest.raises(InputError, match="future"):
        service.record_score(store, person, score_phq9([0] * 9, today + timedelta(days=1)), now=NOW)
    assert _journal_counts(store) == {**dict.fromkeys(JOURNAL_TABLES, 0), "persons": 1}
    saved, _ = service.record_checkin(store, person, _checkin(today), now=NOW)
    assert saved.created


def test_an_unknown_time_zone_is_refused_and_nothing_stored(store: Store) -> None:
    with pytest.raises(InputError, match="time_zone"):
        store.create_person(Profile("Mars/Olympus_Mons"))
    person = _person(store)
    with pytest.raises(InputError, match="time_zone"):
        store.update_profile(person, Profile("Europe/Atlantis"))
    assert store.person_ids() == [person]
    assert store.profile(person).time_zone == LONDON


# --- reading: filters and missing rows -------------------------------------------------------


def test_date_filters_are_inclusive(store: Store) -> None:
    person = _person(store)
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(10)]
    store.import_checkins(person, [_checkin(day) for day in reversed(days)])
    store.import_doses(person, [_dose(day) for day in days] + [_dose(days[4], planned="08:00")])

    def checkin_days(start: date | None = None, end: date | None = None) -> list[date]:
        return [c.wake_date for c in store.checkins(person, start, end)]

    def dose_days(start: date | None = None, end: date | None = None) -> list[date]:
        return [d.day for d in store.doses(person, start, end)]

    assert checkin_days() == days
    assert checkin_days(days[3], days[5]) == days[3:6]
    assert checkin_days(days[8]) == days[8:]
    assert checkin_days(None, days[1]) == days[:2]
    assert checkin_days(days[5], days[5]) == [days[5]]
    assert checkin_days(days[6], days[5]) == []
    assert dose_days(days[4], days[5]) == [days[4], days[4], days[5]]
    assert [d.planned_clock for d in store.doses(person, days[4], days[4])] == ["22:00", "08:00"]
    assert dose_days(None, days[0]) == [days[0]]
    assert dose_days(date(2030, 1, 1)) == []
    record = store.record(person, days[2], days[3])
    assert [c.wake_date for c in record.checkins] == days[2:4]
    assert [d.day for d in record.doses] == days[2:4]


def test_missing_person_or_checkin_is_not_found(store: Store) -> None:
    person = _person(store)
    missing = person + 1000
    store.save_checkin(person, _checkin())
    calls: list[Callable[[], object]] = [
        lambda: store.profile(missing),
        lambda: store.update_profile(missing, Profile(LONDON)),
        lambda: store.record(missing),
        lambda: store.save_checkin(missing, _checkin()),
        lambda: store.import_checkins(missing, [_checkin()]),
        lambda: store.log_dose(missing, _dose()),
        lambda: store.import_doses(missing, [_dose()]),
        lambda: store.save_score(missing, score_phq9([0] * 9, WAKE)),
        lambda: store.add_plan(missing, _plan()),
        lambda: store.decide(missing, "approve", by="Dr Lee", reason="ok"),
        lambda: store.checkin(person, WAKE + timedelta(days=1)),
        lambda: store.checkin(missing, WAKE),  # another person's day is not yours
        lambda: store.delete_checkin(person, WAKE + timedelta(days=1)),
        lambda: store.delete_checkin(missing, WAKE),
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()
    assert _journal_counts(store) == {
        **dict.fromkeys(JOURNAL_TABLES, 0),
        "persons": 1,
        "checkins": 1,
    }
    assert store.checkins(missing) == []
    assert store.doses(missing) == []
    assert store.scores(missing) == []
    assert store.plans(missing) == []
    assert store.plan_in_force(missing) is None


# --- properties ------------------------------------------------------------------------------


def _exists(local: datetime, time_zone: str) -> bool:
    """Whether a wall-clock time happens in ``time_zone`` (not skipped by a DST change)."""
    tz = ZoneInfo(time_zone)
    back = local.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back == local


def _expected(checkin: CheckIn, time_zone: str) -> CheckIn | None:
    """What ``checkin`` reads back as in ``time_zone``, or None when it must be refused.

    Refused: a time of the night that the clocks skipped, or a night whose latency and wake
    time no longer fit once the real minutes (after a clock change) are counted.
    """
    sleep = checkin.sleep
    if sleep is not None:
        times = (sleep.bed, sleep.tried, sleep.final_wake, sleep.out_of_bed)
        if not all(_exists(t, time_zone) for t in times):
            return None
    try:
        return _stored(checkin, time_zone)
    except CheckInError:
        return None


def _examples(store: Store) -> int:
    """Keep PostgreSQL, with a round trip per write, to a modest number of examples."""
    return 25 if _backend(store) == "postgresql" else 40


#: NUL cannot be stored in PostgreSQL text (see test_text_with_nul_is_stored_or_refused).
_no_nul = st.lists(
    csv_checkins().filter(lambda c: "\x00" not in c.notes),
    max_size=8,
    unique_by=lambda c: c.wake_date,
)


def test_generated_checkins_round_trip(store: Store) -> None:
    @settings(max_examples=_examples(store), deadline=None)
    @given(checkins=_no_nul, time_zone=time_zones)
    def round_trip(checkins: list[CheckIn], time_zone: str) -> None:
        person = store.create_person(Profile(time_zone))
        kept = []
        for number, checkin in enumerate(checkins):
            expected = _expected(checkin, time_zone)
            if expected is not None:
                saved = store.save_checkin(person, checkin, idempotency_key=f"k{number}")
                assert saved.created
                kept.append(expected)
            else:
                with pytest.raises(InputError):
                    store.save_checkin(person, checkin, idempotency_key=f"k{number}")
        kept.sort(key=lambda c: c.wake_date)
        assert store.checkins(person) == kept
        # Retrying every submit changes nothing.
        for number, checkin in enumerate(checkins):
            if _expected(checkin, time_zone) is not None:
                assert not store.save_checkin(person, checkin, idempotency_key=f"k{number}").created
        assert store.checkins(person) == kept
        store.delete_person(person)

    round_trip()


def test_generated_imports_round_trip_or_store_nothing(store: Store) -> None:
    @settings(max_examples=_examples(store), deadline=None)
    @given(
        checkins=_no_nul,
        doses=st.lists(dose_records().filter(lambda d: "\x00" not in d.note), max_size=6),
        time_zone=time_zones,
    )
    def round_trip(checkins: list[CheckIn], doses: list[DoseRecord], time_zone: str) -> None:
        person = store.create_person(Profile(time_zone))
        expected = [_expected(c, time_zone) for c in checkins]
        if all(e is not None for e in expected):
            assert store.import_checkins(person, checkins) == len(checkins)
            kept = [e for e in expected if e is not None]
            assert store.checkins(person) == sorted(kept, key=lambda c: c.wake_date)
        else:
            with pytest.raises(InputError):
                store.import_checkins(person, checkins)
            assert store.checkins(person) == []
        if all(d.taken_at is None or _exists(d.taken_at, time_zone) for d in doses):
            assert store.import_doses(person, doses) == len(doses)
            assert store.doses(person) == sorted(doses, key=lambda d: d.day)
        else:
            with pytest.raises(InputError, match=r"^taken_at: "):
                store.import_doses(person, doses)
            assert store.doses(person) == []
        # the whole record reads its rows as the driver gives them and converts them itself
        # (adapters.storage.repo.records._RawRead): the same values as the typed reads
        whole, known = store.record(person), KnownRows()
        assert whole.checkins == tuple(store.checkins(person))
        assert whole.doses == tuple(store.doses(person))
        assert store.record(person, known=known) == whole
        assert store.refresh(whole, person, ["checkins", "doses"], known=known) == whole
        store.delete_person(person)

    round_trip()


# --- defects found and fixed: NUL text, exact amounts ----------------------------------------


@pytest.mark.parametrize("where", ["notes", "label"])
def test_text_with_nul_is_stored_or_refused(
    store: Store, where: str, request: pytest.FixtureRequest
) -> None:
    """A NUL character must round-trip or be refused with an InputError, on both backends."""
    person = _person(store)
    text = "before\x00after"
    if where == "notes":
        refused = _refusal(lambda: store.save_checkin(person, _checkin(notes=text)))
    else:
        refused = _refusal(lambda: store.update_profile(person, Profile(LONDON, label=text)))
    if refused is not None:
        assert where in str(refused)
        assert store.checkins(person) == []
        assert store.profile(person).label == "Person A"
    elif where == "notes":
        assert store.checkin(person, WAKE).notes == text
    else:
        assert store.profile(person).label == text


@pytest.mark.parametrize("amount", ["0.1234567891", "0.0000000001", "1000000000.5"])
def test_dose_amounts_are_exact_or_refused(
    store: Store, amount: str, request: pytest.FixtureRequest
) -> None:
    """An amount is stored exactly or refused naming the field; never silently changed."""
    person = _person(store)
    record = _dose(planned_mg=amount, taken=wall_clock(2027, 1, 5, 22, 0), mg=amount)
    refused = _refusal(lambda: store.log_dose(person, record))
    if refused is not None:
        assert "amount" in str(refused)
        assert _count(store, "dose_log") == 0
    else:
        read = store.doses(person)
        assert read == [record]
        assert read[0].amount is not None
        assert read[0].amount.mg == Decimal(amount)


# --- commit durability -----------------------------------------------------------------------


def _sync_setting(c: sa.Connection) -> str:
    if c.dialect.name == "sqlite":
        return {0: "off", 1: "normal", 2: "full", 3: "extra"}[
            c.exec_driver_sql("PRAGMA synchronous").scalar_one()
        ]
    return str(c.exec_driver_sql("SHOW synchronous_commit").scalar_one())


def test_only_a_relaxed_write_skips_the_disk_flush(store: Store) -> None:
    from taperline.adapters.storage.db import (
        read_transaction,
        relaxed_write_transaction,
        write_transaction,
    )

    with read_transaction(store.engine) as c:
        durable = _sync_setting(c)  # "full"; on the test PostgreSQL server its default
    assert durable == "full" or _backend(store) == "postgresql"
    relaxed = "normal" if _backend(store) == "sqlite" else "off"
    for _ in range(2):  # the same pooled connection goes back and forth
        with relaxed_write_transaction(store.engine) as c:
            assert _sync_setting(c) == relaxed
            c.execute(
                sa.insert(schema.persons).values(
                    label="audit",
                    time_zone="UTC",
                    age_band="40-64",
                    conditions=[],
                    other_medicines=[],
                    created_at_utc=datetime.now(UTC),
                    updated_at_utc=datetime.now(UTC),
                )
            )
        with write_transaction(store.engine) as c:
            assert _sync_setting(c) == durable
        with read_transaction(store.engine) as c:
            assert _sync_setting(c) == durable
    with read_transaction(store.engine) as c:  # the relaxed writes were committed
        labels = c.execute(sa.select(schema.persons.c.label)).scalars().all()
    assert labels.count("audit") == 2


def _audit_line(obj: str) -> dict[str, object]:
    return {
        "at_utc": datetime.now(UTC),
        "user_id": None,
        "actor_label": "someone",
        "person_id": None,
        "action": "read",
        "object": obj,
    }


def test_a_relaxed_insert_commits_one_row_and_leaves_the_connection_durable(
    store: Store,
) -> None:
    from taperline.adapters.storage import accounts_schema as a
    from taperline.adapters.storage.db import read_transaction, relaxed_insert

    with read_transaction(store.engine) as c:
        durable = _sync_setting(c)  # the test PostgreSQL server's default is "off"
    for n in range(3):
        relaxed_insert(store.engine, a.audit_log, _audit_line(f"page {n}"))
    with read_transaction(store.engine) as c:
        rows = c.execute(sa.select(a.audit_log.c.object, a.audit_log.c.user_id)).all()
        assert _sync_setting(c) == durable  # the pooled connection is as it was
    assert sorted(rows) == [("page 0", None), ("page 1", None), ("page 2", None)]


def test_a_relaxed_insert_on_postgresql_turns_off_only_its_own_commits_wait(
    store: Store,
) -> None:
    if _backend(store) != "postgresql":
        pytest.skip("SQLite's relaxed insert is a relaxed_write_transaction (tested above)")
    from taperline.adapters.storage import accounts_schema as a
    from taperline.adapters.storage.db import relaxed_insert_statement

    line = _audit_line("page")
    statement = relaxed_insert_statement(a.audit_log, tuple(line)).returning(
        sa.literal_column("current_setting('synchronous_commit')")
    )
    with store.engine.connect() as c:
        c.execution_options(isolation_level="AUTOCOMMIT")
        c.exec_driver_sql("SET synchronous_commit TO on")  # as a durable server (session-wide)
        # the row's own transaction commits with synchronous_commit off ...
        assert c.execute(statement, line).scalar_one() == "off"
        # ... and the next statement on the same connection is durable again
        assert _sync_setting(c) == "on"
        c.exec_driver_sql("RESET synchronous_commit")


def test_a_plan_row_whose_id_is_used_again_is_read_afresh(store: Store) -> None:
    # Plan versions are decoded once per process and cached by row; a deleted person's rows
    # may give their ids to the next ones (SQLite reuses the highest rowid).
    first = _person(store)
    store.add_plan(first, _plan(proposed_by="patient"))
    assert store.record(first).plans[0].proposed_by == "patient"
    store.delete_person(first)
    second = _person(store)
    store.add_plan(second, _plan(proposed_by="Dr Second"))
    assert [p.proposed_by for p in store.record(second).plans] == ["Dr Second"]
    store.decide(second, "approve", by="Dr Second", reason="ok", at=datetime.now(UTC))
    assert [p.status for p in store.record(second).plans] == ["proposed", "active"]
