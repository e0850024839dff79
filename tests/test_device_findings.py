"""Device sleep in the findings: only with the clinician's switch on, as a finding of its own.

The rebound rule [SEED-INSOMNIA] read on device nights (``device_rebound``) sits beside the
diary's findings and never changes them; with the switch off (the default) the review is the
diary's alone, device sleep stored or not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from taperline.core.device_sleep import DeviceNight, DeviceSleepRecord, DeviceSleepSettings
from taperline.core.findings import find_device_rebound, find_rebound
from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, PlanVersion, Profile
from taperline.core.review import review
from taperline.service import open_store, person_review
from taperline.service.device_sleep import save_device_sleep_settings
from tests.strategies import _step

START = date(2027, 2, 1)
DAYS = 28
TODAY = START + timedelta(days=DAYS - 1)
MISSED = START + timedelta(days=20)  # the dose of this day is missed; the next night is bad


def _record(missed: frozenset[date] = frozenset({MISSED})) -> PersonRecord:
    """A nightly 1 mg plan, calm diary nights every day, the dose log with ``missed`` days."""
    checkins = tuple(
        CheckIn(
            START + timedelta(days=n),
            SleepDiary(
                *night_times(START + timedelta(days=n)), sol_min=15, waso_min=20, awakenings=1
            ),
            mood=6,
            anxiety=3,
        )
        for n in range(DAYS)
    )
    doses = []
    for n in range(DAYS):
        day = START + timedelta(days=n)
        taken = None if day in missed else datetime.combine(day, time(22))
        amount = None if day in missed else Mass.of_mg("1")
        doses.append(DoseRecord(day, "clonazepam", "22:00", Mass.of_mg("1"), taken, amount))
    at = datetime.combine(START, time(9), tzinfo=UTC)
    plan = PlanVersion(1, "active", "clonazepam", "percent", (_step(START, "1"),), "Dr Lee", at)
    return PersonRecord(Profile("UTC"), checkins=checkins, plans=(plan,), doses=tuple(doses))


def _night(wake: date, asleep_min: int, in_bed_min: int = 480) -> DeviceNight:
    start = datetime.combine(wake - timedelta(days=1), time(23), tzinfo=UTC)
    return DeviceNight(
        wake,
        "Ann's Watch",
        "Watch6,1",
        in_bed_min,
        asleep_min,
        in_bed_min - asleep_min,
        start,
        start + timedelta(minutes=in_bed_min),
        staged=True,
    )


def _nights(bad: frozenset[date] = frozenset({MISSED + timedelta(days=1)})) -> list[DeviceNight]:
    days = [START + timedelta(days=n) for n in range(DAYS)]
    return [_night(day, 300 if day in bad else 440) for day in days]


def test_a_bad_device_night_after_a_missed_dose_is_its_own_labelled_finding() -> None:
    record = _record()
    diary_only = review(record, TODAY)
    both = review(record, TODAY, device_nights=_nights())
    (found,) = [f for f in both.findings if f.kind == "device_rebound"]
    assert [(e.day, e.label, e.value) for e in found.evidence] == [
        (MISSED, "dose", "missed"),
        (
            MISSED + timedelta(days=1),
            "device sleep efficiency % (Ann's Watch, Watch6,1)",
            "62",
        ),
    ]
    assert (found.severity, found.source, found.clinician_flag) == ("info", "SEED-INSOMNIA", False)
    assert "Ann's Watch (a device, not your diary)" in found.message
    assert "count lying still awake as sleep" in found.message
    assert "SEED" not in found.message  # plain words for the person
    # The diary's findings, the proposal and what was skipped are exactly as without it.
    assert "rebound" not in {f.kind for f in diary_only.findings}  # the diary's nights are calm
    assert tuple(f for f in both.findings if f.kind != "device_rebound") == diary_only.findings
    assert (both.proposal, both.skipped, both.baseline) == (
        diary_only.proposal,
        diary_only.skipped,
        diary_only.baseline,
    )


def test_the_device_rule_reads_no_diary_night_and_fills_none() -> None:
    record = _record()
    checkins = record.checkins
    logged = {d.day for d in record.doses}
    # No device night after the missed dose: nothing, however the diary slept.
    nights = [n for n in _nights() if n.wake_date != MISSED + timedelta(days=1)]
    assert find_device_rebound(checkins, nights, [22.0], logged_days=logged) == ()
    # A person with no diary sleep at all: the device nights alone are read.
    no_sleep = [CheckIn(c.wake_date, None, mood=6, anxiety=3) for c in checkins]
    (found,) = find_device_rebound(no_sleep, _nights(), [22.0], logged_days=logged)
    assert found.evidence[0].day == MISSED
    assert find_rebound(no_sleep, [22.0], logged_days=logged) == ()  # the diary has no nights


@settings(max_examples=20, deadline=None)
@given(
    missed=st.frozensets(st.integers(0, DAYS - 2), max_size=4),
    asleep=st.lists(st.integers(0, 480), min_size=DAYS, max_size=DAYS),
    kept=st.lists(st.booleans(), min_size=DAYS, max_size=DAYS),
)
def test_device_nights_add_only_device_findings(
    missed: frozenset[int], asleep: list[int], kept: list[bool]
) -> None:
    """Whatever the device recorded, the diary's review is unchanged; any extra finding is
    ``device_rebound``, its nights are device nights after a missed or late dose."""
    record = _record(frozenset(START + timedelta(days=n) for n in missed))
    nights = [
        _night(START + timedelta(days=n), minutes)
        for n, (minutes, keep) in enumerate(zip(asleep, kept, strict=True))
        if keep
    ]
    diary_only = review(record, TODAY)
    both = review(record, TODAY, device_nights=nights)
    assert tuple(f for f in both.findings if f.kind != "device_rebound") == diary_only.findings
    assert both.proposal == diary_only.proposal
    by_date = {n.wake_date: n for n in nights}
    for f in both.findings:
        if f.kind == "device_rebound":
            for dose, night in zip(f.evidence[::2], f.evidence[1::2], strict=True):
                assert dose.value in {"missed", "late"}
                assert night.day == dose.day + timedelta(days=1)
                assert night.day in by_date
                assert night.label.startswith("device sleep efficiency %")


def _device_records() -> list[DeviceSleepRecord]:
    return [
        DeviceSleepRecord("Ann's Watch", "Watch6,1", "asleep", n.first_start, n.last_end)
        if n.asleep_min == n.in_bed_min
        else DeviceSleepRecord(
            "Ann's Watch",
            "Watch6,1",
            "session",
            n.first_start,
            n.last_end,
            asleep_min=n.asleep_min,
        )
        for n in _nights()
    ]


def test_the_clinicians_switch_turns_the_device_finding_on_and_off(
    sqlite_url: str, tmp_path: Path
) -> None:
    store = open_store(sqlite_url)
    plain = store.import_record(_record())
    pid = store.import_record(_record(), device_sleep=_device_records(), device_file=("f", "0"))
    now = datetime.combine(TODAY, time(21), tzinfo=UTC)
    diary = person_review(store, plain, now=now)
    assert "device_rebound" not in {f.kind for f in diary.findings}
    # Off (the default), device sleep stored: the same findings as without any.
    assert not store.device_sleep_settings(pid).in_findings
    assert person_review(store, pid, now=now) == diary
    on = DeviceSleepSettings(None, in_findings=True)
    save_device_sleep_settings(store, pid, on, by="Dr Lee", now=now)
    with_device = person_review(store, pid, now=now)
    (found,) = [f for f in with_device.findings if f.kind == "device_rebound"]
    assert found.evidence[1].label == "device sleep efficiency % (Ann's Watch, Watch6,1)"
    assert tuple(f for f in with_device.findings if f is not found) == diary.findings
    save_device_sleep_settings(store, pid, DeviceSleepSettings(), by="Dr Lee", now=now)
    assert person_review(store, pid, now=now) == diary


def test_the_clinician_page_shows_the_device_finding_only_with_the_switch_on(
    tmp_path: Path,
) -> None:
    from tests.support.web import approved_plan, make_site, share

    with make_site(tmp_path) as site:  # the site's today is 2027-03-01
        patient = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        doctor = site.clinician("lee@example.org")
        share(site, patient, doctor)
        approved_plan(site, pid, START)
        store = site.services.store
        store.import_doses(pid, _record().doses)
        now = datetime.combine(TODAY, time(9), tzinfo=UTC)
        store.add_device_sleep(
            pid, _device_records(), kind="sleep-csv", file_name="f", file_sha256="0", now=now
        )
        label = "device sleep efficiency % (Ann&#39;s Watch, Watch6,1)"
        page = doctor.get(f"/clinician/patients/{pid}").text
        assert "Device rebound" not in page
        assert label not in page
        switch = f"/clinician/patients/{pid}/device-sleep"
        assert doctor.post(switch, {"in_findings": "1"}).status_code == 303
        assert "separate &ldquo;device rebound&rdquo; finding" in doctor.get(switch).text
        page = doctor.get(f"/clinician/patients/{pid}").text
        assert "Device rebound" in page
        assert label in page
        assert "(a device, not your diary)" in page
        assert doctor.post(switch, {}).status_code == 303
        page = doctor.get(f"/clinician/patients/{pid}").text
        assert "Device rebound" not in page
        assert label not in page
