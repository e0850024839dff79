"""Sign-in throttling under attack: strangers cannot lock the owner out, one address cannot
guess many passwords, and concurrent attempts cannot slip past the per-address limit.

The app tests run on SQLite always and on PostgreSQL when present (``db_url``); time moves by
the app's clock, never by sleeping, so every assertion holds however slow the machine is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from taperline.web.app import create_app
from taperline.web.settings import Settings
from tests.support.web import PASSWORD, Clock, Site, Web, make_site, share

WRONG = "not the password at all"
OWNER = "ann@example.org"
BUSY = 10  # failures an hour that make an account busy, lowered from 100 to keep tests fast


@contextmanager
def site_on(url: str, **changes: Any) -> Iterator[Site]:
    """An app on ``url`` (SQLite or PostgreSQL), migrated, with a movable clock."""
    clock = Clock()
    app = create_app(Settings.for_tests(url, clock=clock, **changes))
    with TestClient(app) as main:
        yield Site(app, clock, [main])


def _from(site: Site, address: str) -> Web:
    return site.browser(client=(address, 50000))


def _stranger(i: int) -> str:
    return f"198.51.{100 + i // 250}.{1 + i % 250}"  # TEST-NET-2 and neighbours


def _attack(site: Site, email: str, addresses: int) -> None:
    """One wrong password for ``email`` from each of ``addresses`` rotating addresses."""
    for i in range(addresses):
        assert _from(site, _stranger(i)).signin(email, WRONG).status_code == 401


# --- no lockout by strangers ------------------------------------------------------------


@pytest.mark.slow
def test_strangers_cannot_lock_the_owner_out(tmp_path: Any) -> None:
    with make_site(tmp_path) as site:
        site.patient(OWNER).signout()
        _attack(site, OWNER, 100)
        # the owner, from an address with no failures, gets in at once
        assert _from(site, "192.0.2.10").signin(OWNER).status_code == 303
        # and so does a typo first: one failure does not lock the owner's own address out
        home = _from(site, "192.0.2.11")
        assert home.signin(OWNER, "a typo in the password").status_code == 401
        assert home.signin(OWNER).status_code == 303


def test_on_a_busy_account_an_address_with_failures_on_it_waits(tmp_path: Any) -> None:
    with make_site(tmp_path, max_failures_per_account_hour=BUSY) as site:
        site.patient(OWNER).signout()
        _attack(site, OWNER, BUSY)
        guesser = _from(site, _stranger(0))  # one failure on the account already
        assert guesser.signin(OWNER, WRONG).status_code == 401
        assert guesser.signin(OWNER, WRONG).status_code == 401
        # three failures on a busy account: this address waits an hour, right password or not
        blocked = guesser.signin(OWNER)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) == 3600 + 1
        assert "Too many failed sign-ins" in blocked.text
        # other accounts from that address are not slowed by the busy one
        site.patient("bob@example.org").signout()
        assert guesser.signin("bob@example.org").status_code == 303
        site.clock.advance(minutes=61)
        assert guesser.signin(OWNER).status_code == 303


def test_a_fresh_address_gets_fewer_guesses_on_a_busy_account(tmp_path: Any) -> None:
    with make_site(tmp_path, max_failures_per_account_hour=BUSY) as site:
        site.patient(OWNER).signout()
        _attack(site, OWNER, BUSY)
        fresh = _from(site, "203.0.113.77")
        codes = [fresh.signin(OWNER, WRONG).status_code for _ in range(5)]
        assert codes == [401, 401, 401, 429, 429]  # 3, where a quiet account allows 5


def test_a_quiet_account_keeps_the_per_address_rule(tmp_path: Any) -> None:
    with make_site(tmp_path) as site:
        site.patient(OWNER).signout()
        web = _from(site, "203.0.113.5")
        codes = [web.signin(OWNER, WRONG).status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]
        # across accounts too: the address is slowed, whichever account it tries
        assert web.signin("bob@example.org", WRONG).status_code == 429


def test_addresses_of_one_ipv6_subnet_count_as_one(tmp_path: Any) -> None:
    with make_site(tmp_path) as site:
        site.patient(OWNER).signout()
        for host in range(5):  # one machine rotating through its own /64
            web = _from(site, f"2001:db8:0:1::{host + 1:x}")
            assert web.signin(OWNER, WRONG).status_code == 401
        assert _from(site, "2001:db8:0:1::ff").signin(OWNER).status_code == 429
        assert _from(site, "2001:db8:0:2::1").signin(OWNER).status_code == 429  # same /56
        assert _from(site, "2001:db8:0:100::1").signin(OWNER).status_code == 303  # next /56


def test_a_busy_account_answers_alike_whether_it_exists_or_not(tmp_path: Any) -> None:
    with make_site(tmp_path, max_failures_per_account_hour=BUSY) as site:
        site.patient(OWNER).signout()
        _attack(site, OWNER, BUSY)
        _attack(site, "nobody@example.org", BUSY)
        for n, email in enumerate((OWNER, "nobody@example.org")):
            guesser = _from(site, _stranger(1 + n))  # one failure on each account so far
            answers = [guesser.signin(email, WRONG) for _ in range(3)]
            assert [r.status_code for r in answers] == [401, 401, 429]
            assert answers[-1].headers["retry-after"] == "3601"


# --- known and unknown e-mail addresses cost the same ------------------------------------


def _statements(site: Site, action: Callable[[], object]) -> list[str]:
    """The kinds of SQL statement ``action`` runs (BEGIN IMMEDIATE, SELECT, UPDATE ...)."""
    seen: list[str] = []

    def note(*args: Any) -> None:
        words = args[2].split()
        if words[0] != "PRAGMA":  # the pooled connection may switch synchronous on its way
            seen.append(" ".join(words[:2]) if words[0] in {"BEGIN", "UPDATE"} else words[0])

    engine = site.services.accounts.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return seen


def test_a_wrong_password_and_an_unknown_address_run_the_same_statements(
    tmp_path: Any,
) -> None:
    with make_site(tmp_path) as site:
        site.patient(OWNER).signout()
        known, unknown = _from(site, "192.0.2.1"), _from(site, "192.0.2.2")
        known.csrf("/signin")
        unknown.csrf("/signin")
        known_run = _statements(
            site, lambda: known.post("/signin", {"email": OWNER, "password": WRONG})
        )
        unknown_run = _statements(
            site, lambda: unknown.post("/signin", {"email": "zed@example.org", "password": WRONG})
        )
        assert known_run == unknown_run
        assert known_run.count("BEGIN IMMEDIATE") == 2  # the claim, then the outcome


# --- concurrency ---------------------------------------------------------------------------


def _at_once(browsers: list[Web], send: Callable[[Web], int]) -> list[int]:
    """Send one request from each browser, all released together; their statuses."""
    barrier = threading.Barrier(len(browsers))

    def go(web: Web) -> int:
        barrier.wait()
        return send(web)

    with ThreadPoolExecutor(len(browsers)) as pool:
        return list(pool.map(go, browsers))


def _slow_checks(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the window between the throttle check and the outcome (as Argon2 does)."""
    passwords = site.services.passwords
    real = passwords.verify
    pause = threading.Event()

    def slow(password: str, stored: str | None) -> bool:
        pause.wait(0.05)  # never set: a 50 ms pause, whatever the machine
        return real(password, stored)

    monkeypatch.setattr(passwords, "verify", slow)


def test_concurrent_sign_ins_from_one_address_stop_at_the_limit(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with site_on(db_url) as site:
        site.patient(OWNER).signout()
        _slow_checks(site, monkeypatch)
        browsers = [site.browser(client=("203.0.113.9", 40000 + i)) for i in range(40)]
        for web in browsers:
            web.csrf("/signin")

        def send(web: Web) -> int:
            data = {"email": OWNER, "password": WRONG}
            return web.post("/signin", data).status_code

        codes = _at_once(browsers, send)
        free = site.services.settings.address_free_failures
        checked = codes.count(401)  # the clock stands still: no backoff has passed
        assert checked == free, f"{checked} of {len(codes)} passwords were checked"
        assert codes.count(429) == len(browsers) - free


def test_concurrent_sign_ups_from_one_address_stop_at_the_limit(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with site_on(db_url, max_signups_per_address_hour=3) as site:
        passwords = site.services.passwords
        real = passwords.hash
        pause = threading.Event()

        def slow(password: str) -> str:
            pause.wait(0.05)  # never set: a 50 ms pause, as Argon2 takes
            return real(password)

        monkeypatch.setattr(passwords, "hash", slow)
        browsers = [site.browser(client=("203.0.113.10", 41000 + i)) for i in range(12)]
        for web in browsers:
            web.csrf("/signup")
        emails = iter(range(len(browsers)))
        lock = threading.Lock()

        def send(web: Web) -> int:
            with lock:
                n = next(emails)
            form = {"role": "clinician", "email": f"c{n}@example.org", "password": PASSWORD}
            return web.post("/signup", form).status_code

        codes = _at_once(browsers, send)
        assert codes.count(303) == 3, f"{codes.count(303)} of {len(codes)} accounts were made"
        assert codes.count(429) == len(browsers) - 3


# --- invite codes ------------------------------------------------------------------------


def test_wrong_invite_codes_are_throttled_and_a_right_one_still_works(tmp_path: Any) -> None:
    with make_site(tmp_path, max_failures_per_account_hour=BUSY) as site:
        ann, doc = site.patient(OWNER), site.clinician()
        codes = [ann.post("/sharing", {"code": "WRNG-CODE-0000"}).status_code for _ in range(6)]
        assert codes == [404] * 5 + [429]
        site.clock.advance(minutes=16)
        share(site, ann, doc)  # the right code, once the address's failures have aged
        # the account is the caller's own: wrong codes past the hour's cap, from any address,
        # make it wait an hour
        user_id = ann.get("/api/me").json()["user_id"]
        for i in range(BUSY):
            site.services.accounts.record_attempt(
                "invite",
                f"user:{user_id}",
                _stranger(i),
                user_id=user_id,
                success=False,
                now=site.clock.now,
            )
        refused = ann.post("/sharing", {"code": "WRNG-CODE-0000"})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "3601"
