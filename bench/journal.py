"""Benchmark: journal storage and findings (issue 4, section 8).

* one person's year (365 check-ins with sleep diaries, 365 dose-log lines, an active plan):
  load the record from the database and compute every finding; target at most 100 ms
  (best of ``--repeat``);
* ``--people`` people x 1 year (default 1,000 x 365 = 365,000 check-ins): import every
  person's year (one transaction per person, as a FHIR or CSV import does) and compute all
  findings for everyone; target at most 60 s, on SQLite and on PostgreSQL (a throwaway
  server started like the tests do). ``--workers`` processes share the work (default 2,
  the cores of this machine); on SQLite they take turns at the single write lock.

The synthetic journals are generated before the clock starts (generation is not import).
The last line is ``one_year_ms=<x> sqlite_s=<y> postgresql_s=<z> targets=100ms/60s``.

Usage: ``python bench/journal.py [--people 1000] [--workers 2] [--repeat 20] [--no-postgres]``
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.pgserver

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.core.journal import SYMPTOMS, CheckIn, SleepDiary, night_times
from taperline.core.quantity import Mass
from taperline.core.record import (
    DoseRecord,
    PersonRecord,
    PlanVersion,
    Profile,
    RecordDose,
    RecordStep,
)
from taperline.core.review import review

START = date(2027, 1, 1)
DAYS = 365
TODAY = START + timedelta(days=DAYS - 1)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000, help="people in the bulk run")
    parser.add_argument("--repeat", type=int, default=20, help="best of this many runs")
    parser.add_argument("--workers", type=int, default=2, help="processes (2 cores here)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    return parser.parse_args()


def plan() -> PlanVersion:
    """A year of 0.125 mg cuts every 28 days from 1.5 mg, approved."""
    steps = []
    for index in range(13):
        mg = Mass.of_mg("1.5") - Mass.of_mg("0.125") * index
        doses = (RecordDose("22:00", "clonazepam", mg),) if mg.mg > 0 else ()
        steps.append(RecordStep(START + timedelta(days=14 + 28 * index), doses, "cut", "ASAM"))
    at = datetime(2026, 12, 20, tzinfo=UTC)
    first = RecordStep(START, (RecordDose("22:00", "clonazepam", Mass.of_mg("1.5")),))
    return PlanVersion(1, "active", "clonazepam", "fixed", (first, *steps), "bench", at)


def year(seed: int) -> tuple[list[CheckIn], list[DoseRecord]]:
    """A plausible year: sleep diary every night, symptoms that flare after cuts."""
    rng = random.Random(seed)
    checkins, doses = [], []
    for offset in range(DAYS):
        day = START + timedelta(days=offset)
        bed = f"{rng.choice([22, 23])}:{rng.randrange(0, 60):02d}"
        wake = f"0{rng.choice([5, 6, 7])}:{rng.randrange(0, 60):02d}"
        times = night_times(day, bed=bed, tried=bed, final_wake=wake, out_of_bed=wake)
        sol, waso = rng.randrange(5, 60), rng.randrange(0, 90)
        diary = SleepDiary(*times, sol_min=sol, waso_min=waso, awakenings=1 if waso else 0)
        since_cut = (offset - 14) % 28
        flare = 2 if since_cut < 7 and offset > 14 else 0
        symptoms = {name: min(3, rng.randrange(0, 2) + flare) for name in rng.sample(SYMPTOMS, 4)}
        checkins.append(
            CheckIn(
                day,
                diary,
                mood=rng.randrange(3, 9),
                anxiety=rng.randrange(2, 8),
                symptoms=symptoms,
                worst_time=rng.choice(["evening", "night", "morning", None]),
            )
        )
        if rng.random() < 0.95:
            taken = datetime.combine(day, datetime.min.time()) + timedelta(
                hours=22, minutes=rng.randrange(0, 180)
            )
            doses.append(
                DoseRecord(day, "clonazepam", "22:00", Mass.of_mg("1"), taken, Mass.of_mg("1"))
            )
        else:
            doses.append(DoseRecord(day, "clonazepam", "22:00", Mass.of_mg("1"), None, None))
    return checkins, doses


def load_person(store: Store, seed: int) -> int:
    """One person with a year of journal, dose log and an active plan."""
    checkins, doses = year(seed)
    person_id = store.create_person(Profile("Europe/London", "40-64"))
    store.import_checkins(person_id, checkins)
    store.import_doses(person_id, doses)
    store.add_plan(person_id, plan())
    return person_id


def best_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def one_year(url: str, repeat: int) -> float:
    store = Store(make_engine(url))
    migrate(store.engine)
    person_id = load_person(store, 1)
    result = review(store.record(person_id), TODAY)
    kinds = sorted({f.kind for f in result.findings})
    print(f"one person-year findings: {kinds}; proposal {result.proposal.action}")
    return best_ms(lambda: review(store.record(person_id), TODAY), repeat)


_JOURNALS: list[tuple[list[CheckIn], list[DoseRecord]]] = []
_JOURNAL_COUNT = 50  # distinct synthetic years, reused round-robin


def _warm() -> None:
    """Pool initialiser: generate the synthetic journals before the clock starts."""
    _JOURNALS.extend(year(seed) for seed in range(_JOURNAL_COUNT))


def _import_chunk(url: str, indexes: list[int]) -> list[int]:
    store = Store(make_engine(url))
    ids = []
    for index in indexes:
        checkins, doses = _JOURNALS[index % len(_JOURNALS)]
        record = PersonRecord(
            Profile("Europe/London", "40-64"), tuple(checkins), tuple(doses), plans=(plan(),)
        )
        ids.append(store.import_record(record))
    store.engine.dispose()
    return ids


def _review_chunk(url: str, ids: list[int]) -> int:
    store = Store(make_engine(url))
    found = sum(len(review(store.record(person_id), TODAY).findings) for person_id in ids)
    store.engine.dispose()
    return found


def bulk(url: str, people: int, label: str, workers: int) -> float:
    """Import ``people`` years and review everyone, on ``workers`` processes."""
    migrate(make_engine(url))
    chunks = [list(range(w, people, workers)) for w in range(workers)]
    with ProcessPoolExecutor(workers, initializer=_warm) as pool:
        list(pool.map(_noop, range(workers * 4)))  # start the workers: not timed
        start = time.perf_counter()
        ids = [i for chunk in pool.map(_import_chunk, [url] * workers, chunks) for i in chunk]
        imported = time.perf_counter() - start
        id_chunks = [ids[w::workers] for w in range(workers)]
        findings = sum(pool.map(_review_chunk, [url] * workers, id_chunks))
        total = time.perf_counter() - start
    print(
        f"{label}: {people} people x {DAYS} days on {workers} processes: import"
        f" {imported:.1f} s, findings {total - imported:.1f} s, total {total:.1f} s"
        f" ({findings} findings)"
    )
    return total


def _noop(_: int) -> None:
    time.sleep(0.05)


def main() -> None:
    args = parse_args()
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        one_ms = one_year(f"sqlite:///{folder / 'one.db'}", args.repeat)
        print(f"one person-year load + all findings: {one_ms:.1f} ms (target 100 ms)")
        sqlite_s = bulk(f"sqlite:///{folder / 'bulk.db'}", args.people, "sqlite", args.workers)
        postgres_s = float("nan")
        if not args.no_postgres:
            from tests.pgserver import postgres_server

            # durable: fsync and synchronous commits on, as SQLite's synchronous=FULL
            server = stack.enter_context(postgres_server(durable=True))
            url = server.create_database("bench")
            postgres_s = bulk(url, args.people, "postgresql", args.workers)
    print(
        f"one_year_ms={one_ms:.1f} sqlite_s={sqlite_s:.1f} postgresql_s={postgres_s:.1f}"
        f" ratio_one_year={one_ms / 100:.2f} ratio_sqlite={sqlite_s / 60:.2f}"
        f" ratio_postgresql={postgres_s / 60:.2f} targets=100ms/60s"
    )


if __name__ == "__main__":
    main()
