"""Throttled attempts (sign-in, invite code, sign-up): claimed, counted, finished.

See the package's docstring for how concurrent claims are counted one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Final, Literal

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from taperline.adapters.storage import accounts_schema as a
from taperline.adapters.storage.accounts.common import _AccountsBase, _lock
from taperline.adapters.storage.accounts.model import AttemptKind, Claim
from taperline.adapters.storage.attempts import ACCOUNT_WINDOW, Throttle

_KEEP_ATTEMPTS: Final = timedelta(days=1)


class _Attempts(_AccountsBase):
    """Attempts (throttling): a part of ``Accounts``."""

    # --- attempts (throttling) -------------------------------------------------------------

    def claim_attempt(
        self,
        kind: Literal["signin", "invite"],
        account_key: str,
        address: str,
        *,
        now: datetime,
        address_window: timedelta,
        wait: Callable[[Throttle], timedelta],
        user_id: int | None = None,
    ) -> Claim:
        """Count the earlier failures and, unless ``wait`` says to wait, record this attempt.

        ``user_id`` is the caller's, when known (an invite code). The attempt is recorded as
        a failure, in the transaction that counted (see the module docstring):
        :meth:`finish_attempt` or :meth:`finish_signin` marks it a success once it is one.
        Attempts older than a day are dropped on the way.
        """
        with self._write() as c:
            _lock(c, f"{kind}:address:{address}", f"{kind}:account:{account_key}")
            _drop_old_attempts(c, now)
            state = _throttle_state(
                c, kind, account_key, address, now=now, address_window=address_window
            )
            delay = wait(state)
            if delay > timedelta(0):
                return Claim(None, delay)
            return Claim(_insert_attempt(c, kind, account_key, address, now, user_id=user_id))

    def claim_signup(
        self,
        address: str,
        *,
        now: datetime,
        window: timedelta,
        limit: int,
        wait: Callable[[Sequence[datetime]], timedelta],
    ) -> Claim:
        """Like :meth:`claim_attempt`, for a sign-up (released if the form has a mistake).

        ``wait`` gets the times of the newest ``limit`` sign-up attempts from the address
        within ``window``: accounts made and "already registered" answers.
        """
        with self._write() as c:
            _lock(c, f"signup:address:{address}")
            _drop_old_attempts(c, now)
            delay = wait(_recent(c, "signup", address, now - window, limit))
            if delay > timedelta(0):
                return Claim(None, delay)
            return Claim(_insert_attempt(c, "signup", "", address, now))

    def finish_attempt(self, attempt_id: int, *, user_id: int | None, success: bool) -> None:
        """Note the outcome of a claimed attempt (a failure until this says otherwise)."""
        with self._write() as c:
            _finish(c, attempt_id, user_id=user_id, success=success)

    def release_attempt(self, attempt_id: int) -> None:
        """Forget a claimed attempt that does not count (a sign-up form with a mistake)."""
        with self._write() as c:
            c.execute(delete(a.login_attempts).where(a.login_attempts.c.id == attempt_id))

    def throttle_state(
        self,
        kind: AttemptKind,
        account_key: str,
        address: str,
        *,
        now: datetime,
        address_window: timedelta,
    ) -> Throttle:
        """The failures that :meth:`claim_attempt` would count now (for tests and checks)."""
        with self._read() as c:
            return _throttle_state(
                c, kind, account_key, address, now=now, address_window=address_window
            )

    def recent_attempts(
        self, kind: AttemptKind, address: str, *, since: datetime, limit: int
    ) -> list[datetime]:
        """When the newest ``limit`` counted attempts of ``kind`` from ``address`` were made.

        Only attempts after ``since`` count; the newest come first. For sign-ups these are
        the accounts made and the "already registered" answers; for sign-ins and invite
        codes, the attempts that were checked.
        """
        with self._read() as c:
            return _recent(c, kind, address, since, limit)

    def record_attempt(
        self,
        kind: AttemptKind,
        account_key: str,
        address: str,
        *,
        user_id: int | None,
        success: bool,
        now: datetime,
    ) -> None:
        """Note a finished attempt without a throttle check (tests set up a history so)."""
        with self._write() as c:
            _drop_old_attempts(c, now)
            attempt = _insert_attempt(c, kind, account_key, address, now)
            _finish(c, attempt, user_id=user_id, success=success)


def _drop_old_attempts(c: Connection, now: datetime) -> None:
    c.execute(delete(a.login_attempts).where(a.login_attempts.c.at_utc < now - _KEEP_ATTEMPTS))


def _insert_attempt(
    c: Connection,
    kind: AttemptKind,
    key: str,
    address: str,
    now: datetime,
    *,
    user_id: int | None = None,
) -> int:
    """A new attempt, a failure until it is finished; its id."""
    values = {
        "kind": kind,
        "at_utc": now,
        "address": address[:64],
        "account_key": key,
        "user_id": user_id,
        "success": False,
    }
    inserted = c.execute(insert(a.login_attempts).values(values).returning(a.login_attempts.c.id))
    return int(inserted.scalar_one())


def _finish(c: Connection, attempt_id: int, *, user_id: int | None, success: bool) -> None:
    c.execute(
        update(a.login_attempts)
        .where(a.login_attempts.c.id == attempt_id)
        .values(user_id=user_id, success=success)
    )


def _throttle_state(
    c: Connection,
    kind: AttemptKind,
    account_key: str,
    address: str,
    *,
    now: datetime,
    address_window: timedelta,
) -> Throttle:
    """Failures of the account in the hour, of the address in the window, of both in the hour."""
    t = a.login_attempts
    failed = and_(t.c.kind == kind, t.c.success.is_(False))
    hour = t.c.at_utc > now - ACCOUNT_WINDOW
    account = t.c.account_key == account_key
    from_address = t.c.address == address[:64]
    per_account = c.execute(select(func.count()).where(failed, account, hour)).scalar_one()
    per_address = c.execute(
        select(func.count(), func.max(t.c.at_utc)).where(
            failed, from_address, t.c.at_utc > now - address_window
        )
    ).one()
    per_pair = c.execute(
        select(func.count(), func.max(t.c.at_utc)).where(failed, account, from_address, hour)
    ).one()
    return Throttle(
        int(per_account), int(per_address[0]), per_address[1], int(per_pair[0]), per_pair[1]
    )


def _recent(
    c: Connection, kind: AttemptKind, address: str, since: datetime, limit: int
) -> list[datetime]:
    t = a.login_attempts
    query = (
        select(t.c.at_utc)
        .where(t.c.kind == kind, t.c.address == address[:64], t.c.at_utc > since)
        .order_by(t.c.at_utc.desc())
        .limit(limit)
    )
    return list(c.execute(query).scalars())
