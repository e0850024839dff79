"""Nothing lost, nothing duplicated: SIGKILL the writing process at random moments.

A child process (``tests/durability_writer.py``) logs doses with idempotency keys through the
Store and acknowledges each on stdout only after its transaction committed. The test kills it
with SIGKILL after a random delay (seeded), starts it again from the first unacknowledged key
(and re-sends the last acknowledged one, as a client that is unsure would), and repeats until
well over 1,000 writes are acknowledged across many kills. Then every acknowledged key must be
stored exactly once with exactly the values written, nothing else may be stored, and SQLite's
``PRAGMA integrity_check`` must say ``ok``.

Each writer is forked from a Python that has already imported the writer's modules
(``tests/support/forkserver.py``): a process of its own, which opens its own database
connection after the fork and dies of the SIGKILL like any other, ready in milliseconds
instead of the ~0.7 s a new interpreter took to import them; the run is spent writing.

The SQLite file lives in the test's ``tmp_path`` (a real file system, so ``synchronous=FULL``
really syncs). A smaller run does the same against PostgreSQL.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

import pytest
import sqlalchemy as sa

from taperline.adapters.storage.db import make_engine, migrate
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from tests.durability_writer import amount_for, dose_for, key_for
from tests.support.forkserver import ForkServer

ROOT = Path(__file__).resolve().parents[1]
WRITER = ROOT / "tests" / "durability_writer.py"
#: Seconds to wait for a writer to open the database, or to finish its last key.
START_TIMEOUT_S = 60.0
#: What the writers import, imported once by the fork server (the dialects and the PostgreSQL
#: driver are imported by the first engine, psycopg alone in ~0.25 s).
WRITER_MODULES = (
    "tests.durability_writer",
    "sqlalchemy.dialects.sqlite.pysqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "psycopg",
)


@pytest.fixture(scope="module")
def writers() -> Iterator[ForkServer]:
    """Forks writer processes (``tests/support/forkserver.py``), in the repository's root."""
    with ForkServer(WRITER_MODULES, cwd=ROOT) as server:
        yield server


@dataclass
class Acks:
    """What the writers acknowledged, in order: (key, created) pairs."""

    lines: list[tuple[str, bool]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Distinct acknowledged keys, in the order first acknowledged."""
        return list(dict.fromkeys(key for key, _ in self.lines))


def _read(stream: IO[bytes], acks: Acks, ready: threading.Event) -> None:
    """Collect complete lines; a line cut by the kill (no newline) is not an acknowledgement."""
    for raw in stream:
        if not raw.endswith(b"\n"):
            break
        line = raw.decode().strip()
        if line == "ready":
            ready.set()
        elif line.startswith("ack "):
            _, key, created = line.split()
            acks.lines.append((key, created == "1"))
        else:
            acks.unexpected.append(line)


def _run_writer(
    writers: ForkServer,
    url: str,
    person: int,
    start: int,
    stop: int,
    acks: Acks,
    kill_after_s: float | None,
) -> int:
    """Run the writer for keys ``start``..``stop``; SIGKILL it ``kill_after_s`` after it is ready.

    Returns the exit status (``-SIGKILL`` when killed before it finished).
    """
    process = writers.spawn(WRITER, [url, str(person), str(start), str(stop)])
    assert process.stdout is not None
    assert process.stderr is not None
    ready = threading.Event()
    reader = threading.Thread(target=_read, args=(process.stdout, acks, ready), daemon=True)
    reader.start()
    try:
        if kill_after_s is None:
            status = process.wait(timeout=START_TIMEOUT_S)
        else:
            ready.wait(timeout=START_TIMEOUT_S)
            time.sleep(kill_after_s)
            process.send_signal(signal.SIGKILL)
            status = process.wait(timeout=START_TIMEOUT_S)
    finally:
        if process.poll() is None:  # only on a failure above: never leave it running
            process.kill()
            process.wait()
        reader.join(timeout=START_TIMEOUT_S)
        errors = process.stderr.read().decode(errors="replace")
        process.stdout.close()
        process.stderr.close()
    if status not in {0, -signal.SIGKILL} or acks.unexpected:
        pytest.fail(f"the writer failed with status {status}: {acks.unexpected}\n{errors}")
    return status


def _hammer(
    writers: ForkServer,
    url: str,
    person: int,
    *,
    seed: int,
    min_acks: int,
    min_kills: int,
    max_delay_s: float,
) -> tuple[Acks, int]:
    """Kill and restart writers until ``min_acks`` keys and ``min_kills`` kills; then finish.

    Each restart re-sends the last acknowledged key (it must come back as not created) and
    the first unacknowledged one (stored or not by the killed writer: either is fine, once).
    """
    rng = random.Random(seed)  # noqa: S311 -- seeded test delays, not cryptography
    acks = Acks()
    kills = 0
    while len(acks.keys) < min_acks or kills < min_kills:
        done = len(acks.keys)
        start = max(0, done - 1)
        delay = rng.uniform(0.0, max_delay_s)
        status = _run_writer(writers, url, person, start, 1_000_000, acks, delay)
        assert status == -signal.SIGKILL
        kills += 1
    # The last kill may have struck after a commit and before its acknowledgement: a final
    # writer retries that key (and the last acknowledged one) and ends normally.
    done = len(acks.keys)
    assert _run_writer(writers, url, person, max(0, done - 1), done + 1, acks, None) == 0
    return acks, kills


def _check_acks(acks: Acks, kills: int) -> tuple[list[str], int]:
    """The acknowledgements are consistent.

    Returns the acknowledged keys in order, and how many were first acknowledged by a retry
    that found them already stored (a kill between commit and acknowledgement).
    """
    keys = acks.keys
    assert keys == [key_for(n) for n in range(len(keys))], "keys were acknowledged out of order"
    seen: set[str] = set()
    late_firsts = 0
    for key, created in acks.lines:
        if key in seen:
            assert not created, f"{key} was stored twice"
        elif not created:
            late_firsts += 1  # the killed writer had committed it but not acknowledged it
        seen.add(key)
    assert late_firsts <= kills
    return keys, late_firsts


def _stored_doses(url: str, person: int) -> list[tuple[str, Decimal, Decimal]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT idempotency_key, amount_mg, planned_amount_mg FROM dose_log"
                    " WHERE person_id = :person ORDER BY id"
                ),
                {"person": person},
            ).all()
    finally:
        engine.dispose()
    return [(key, Decimal(str(amount)), Decimal(str(planned))) for key, amount, planned in rows]


def _check_stored(url: str, person: int, keys: list[str]) -> None:
    """Every acknowledged key stored exactly once, with its exact values, and nothing else."""
    stored = _stored_doses(url, person)
    stored_keys = [key for key, _, _ in stored]
    duplicated = {key for key in stored_keys if stored_keys.count(key) > 1}
    assert not duplicated, f"stored more than once: {sorted(duplicated)[:10]}"
    assert len(stored) == len(set(stored_keys))
    missing = set(keys) - set(stored_keys)
    assert not missing, f"acknowledged but lost: {sorted(missing)[:10]}"
    assert stored_keys == keys, "stored keys that were never acknowledged (or out of order)"
    for number, (_, amount, planned) in enumerate(stored):
        assert amount == planned == amount_for(number)
    # And the Store reads them back as the values written.
    engine = make_engine(url)
    try:
        first = Store(engine).doses(person)[:20]
    finally:
        engine.dispose()
    assert first == [dose_for(n) for n in range(len(first))]


def _new_person(url: str, *, migrated: bool = False) -> int:
    engine = make_engine(url)
    try:
        if not migrated:
            migrate(engine)
        return Store(engine).create_person(Profile("Europe/London", label="durability"))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_sigkill_loses_and_duplicates_nothing_on_sqlite(
    writers: ForkServer, tmp_path: Path
) -> None:
    path = tmp_path / "durability.db"
    url = f"sqlite:///{path}"
    person = _new_person(url)
    started = time.monotonic()
    acks, kills = _hammer(
        writers, url, person, seed=20270105, min_acks=1_100, min_kills=20, max_delay_s=0.35
    )
    elapsed = time.monotonic() - started
    keys, late = _check_acks(acks, kills)
    assert len(keys) >= 1_000
    assert kills >= 10

    # Look at the file as the killed writers left it (WAL and all) before anything else opens it.
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        total, distinct = connection.execute(
            "SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM dose_log"
        ).fetchone()
    assert total == distinct == len(keys)
    _check_stored(url, person, keys)
    print(
        f"\nSQLite: {len(keys)} acknowledged writes, {kills} kills ({late} after a commit and"
        f" before its acknowledgement), {elapsed:.1f} s"
    )


@pytest.mark.slow
def test_sigkill_loses_and_duplicates_nothing_on_postgresql(
    writers: ForkServer, migrated_pg_url: str
) -> None:
    url = migrated_pg_url  # a copy of the session's migrated template
    person = _new_person(url, migrated=True)
    acks, kills = _hammer(
        writers, url, person, seed=20271107, min_acks=250, min_kills=6, max_delay_s=0.3
    )
    keys, _ = _check_acks(acks, kills)
    assert len(keys) >= 250
    _check_stored(url, person, keys)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            total = connection.execute(sa.text("SELECT COUNT(*) FROM dose_log")).scalar_one()
    finally:
        engine.dispose()
    assert total == len(keys)


def test_a_writer_that_fails_is_reported(writers: ForkServer, tmp_path: Path) -> None:
    # A forked writer's exit status and stderr reach the test, as a subprocess's did: a
    # writer that cannot write fails the test (here: a new file, no tables in it).
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    acks = Acks()
    with pytest.raises(pytest.fail.Exception, match=r"(?s)status 1: \[\].*no such table"):
        _run_writer(writers, url, 1, 0, 5, acks, None)
    assert acks.lines == []
