"""Device sleep stays beside the diary: importing it changes no check-in and no finding."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from taperline.core.journal import CheckIn, SleepDiary, night_times
from taperline.core.record import PersonRecord, PlanVersion, Profile
from taperline.service import open_store, person_review
from taperline.service.device_sleep import device_sleep_view, import_device_sleep
from tests.strategies import FLARE_START, _step

DAYS = 28


def _record() -> PersonRecord:
    """A nightly plan cut on day 14, calm before it and bad days after (a flare)."""
    steps = (_step(FLARE_START, "1"), _step(FLARE_START + timedelta(days=14), "0.875"))
    checkins = []
    for n in range(DAYS):
        bad = n >= 16
        if n % 5 == 4:
            continue
        day = FLARE_START + timedelta(days=n)
        sleep = SleepDiary(*night_times(day), sol_min=60 if bad else 10, waso_min=30, awakenings=2)
        checkins.append(
            CheckIn(day, sleep, mood=3 if bad else 6, anxiety=7 if bad else 3,
                    symptoms={"insomnia": 2, "tremor": 1} if bad else {"insomnia": 1})
        )  # fmt: skip
    at = datetime.combine(FLARE_START, time(9), tzinfo=UTC)
    plan = PlanVersion(1, "active", "clonazepam", "percent", steps, "Dr Lee", at)
    return PersonRecord(Profile("UTC"), checkins=tuple(checkins), plans=(plan,))


def test_device_sleep_fills_no_diary_night_and_feeds_no_finding(
    sqlite_url: str, tmp_path: Path
) -> None:
    store = open_store(sqlite_url)
    pid = store.import_record(_record())
    today = FLARE_START + timedelta(days=DAYS - 1)
    now = datetime.combine(today, time(21), tzinfo=UTC)
    record, findings = store.record(pid), person_review(store, pid, now=now).findings
    assert findings  # so that "the same findings" means something
    rows = ["wake_date,in_bed,out_of_bed,asleep_min,source"]
    rows += [f"{today - timedelta(days=n)},22:00,08:00,{60 + n * 20},Ring" for n in range(14)]
    path = tmp_path / "sleep.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    dry = import_device_sleep(store, pid, "sleep-csv", path, now=now, dry_run=True)
    assert (dry.new_records, dry.batch, len(dry.nights)) == (14, None, 14)
    assert store.device_sleep_records(pid) == []
    done = import_device_sleep(store, pid, "sleep-csv", path, now=now)
    assert done.batch is not None
    assert done.batch.records_added == 14

    assert store.record(pid) == record  # no check-in made, changed or filled in
    assert person_review(store, pid, now=now).findings == findings
    view = device_sleep_view(store, pid, now=now, days=14)
    empty = [n for n in view.nights if n.diary is None]
    assert len(empty) == 3  # the nights not filled in stay empty
    assert all(n.device is not None for n in empty)
    assert all("not used in its place" in n.words for n in empty)
