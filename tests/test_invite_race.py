"""Two patients sending one single-use invite code at the same moment: one share, one refusal.

On PostgreSQL both transactions read the code unclaimed before either claims it (a barrier
between the read and the claim makes that certain, not a matter of timing); only the claim
that still finds the code free may succeed. SQLite takes the write lock at BEGIN, so there
the second request simply waits; the same rounds run on it for the same answer.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from taperline.adapters.storage.accounts import Accounts
from taperline.adapters.storage.accounts import shares as accounts_module
from taperline.adapters.storage.db import make_engine
from taperline.adapters.storage.repo import Store
from taperline.core.record import Profile
from taperline.errors import ConflictError, NotFoundError

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
ROUNDS = 5
HASH = "$argon2id$placeholder"


def _both_read_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each request after it has read the code and before it claims it, until both have."""
    barrier = threading.Barrier(2, timeout=30)
    original: Callable[..., Any] = accounts_module._active_share

    def after_both_read(*args: Any) -> Any:
        barrier.wait()
        return original(*args)

    monkeypatch.setattr(accounts_module, "_active_share", after_both_read)


def test_one_code_sent_twice_at_once_makes_one_share(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(migrated_db_url)
    acc, store = Accounts(engine), Store(engine)
    if engine.dialect.name == "postgresql":
        _both_read_first(monkeypatch)
    doctor = acc.create_user(
        email="dr@example.org", password_hash=HASH, role="clinician",
        display_name="Dr D", person_id=None, now=NOW,
    )  # fmt: skip
    try:
        for round_ in range(ROUNDS):
            code = f"code-{round_}"
            acc.create_invite(doctor.id, code, now=NOW, valid_for=timedelta(days=7))
            people = [store.create_person(Profile("UTC")) for _ in range(2)]

            def accept(pid: int, code: str = code) -> str:
                try:
                    return acc.accept_invite(code, pid, NOW)
                except NotFoundError:
                    return "refused"

            with ThreadPoolExecutor(max_workers=2) as pool:
                answers = list(pool.map(accept, people))
            assert sorted(answers) == ["Dr D", "refused"], (round_, answers)
            winner = people[answers.index("Dr D")]
            loser = people[answers.index("refused")]
            assert len(acc.shares_of(winner)) == 1
            assert acc.shares_of(loser) == []  # told "refused", and truly no share
    finally:
        engine.dispose()


@pytest.mark.slow
def test_two_codes_of_one_clinician_sent_at_once_by_one_patient_make_one_share(
    migrated_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two shares with one clinician would survive the patient revoking one of them.

    On PostgreSQL each request is held after reading its code until the other has read its
    own (or 3 s pass: with the claims serialised per patient, the second cannot get there
    while the first holds the patient's lock; the wait only shows the race when it exists).
    """
    engine = make_engine(migrated_db_url)
    acc, store = Accounts(engine), Store(engine)
    if engine.dialect.name == "postgresql":
        barrier = threading.Barrier(2, timeout=3)
        original: Callable[..., Any] = accounts_module._active_share

        def after_both_read(*args: Any) -> Any:
            # broken: the other request is waiting for this one, so there is no race to show
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
            return original(*args)

        monkeypatch.setattr(accounts_module, "_active_share", after_both_read)
    doctor = acc.create_user(
        email="dr@example.org", password_hash=HASH, role="clinician",
        display_name="Dr D", person_id=None, now=NOW,
    )  # fmt: skip
    try:
        for code in ("code-a", "code-b"):
            acc.create_invite(doctor.id, code, now=NOW, valid_for=timedelta(days=7))
        patient = store.create_person(Profile("UTC"))

        def accept(code: str) -> str:
            try:
                return acc.accept_invite(code, patient, NOW)
            except ConflictError:
                return "already shared"

        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(accept, ["code-a", "code-b"]))
        assert sorted(answers) == ["Dr D", "already shared"], answers
        assert len(acc.shares_of(patient)) == 1
    finally:
        engine.dispose()
