"""Passwords, tokens, CSRF and throttling: the pure parts of the web app's security.

* Passwords: Argon2id (pwdlib), 12 to 1024 characters, no composition rules [OWASP ASVS
  2.1]; a password on the packaged list of commonly used ones (``data/common-passwords.txt``,
  from SecLists) is refused whatever its case [OWASP ASVS 2.1.7]. Unknown e-mail addresses
  are checked against a dummy hash so that both answers take the same time.
* Session tokens: 32 random bytes; only their SHA-256 is stored, so a database leak does
  not hand out sessions.
* CSRF: a token per session, ``HMAC(secret_key, "session:" + token hash)``; before sign-in,
  ``HMAC(secret_key, "anonymous:" + a random cookie)``. Forms carry it in ``csrf_token``,
  htmx in the ``X-CSRF-Token`` header.
* Throttling (:func:`throttle_wait`) slows guessing down without letting strangers lock
  the owner out [OWASP ASVS 2.2.1]. An "address" is the client's IPv4 address, or its IPv6
  /56 (an ISP delegates a /48 to /56 to one home [RFC 6177], so a subscriber could rotate
  through 256 /64s); an IPv6 address that carries an IPv4 one (``::ffff:``, 6to4
  ``2002::/16``, NAT64 ``64:ff9b::/96``, Teredo) counts as that IPv4 address (see
  :func:`throttle_address`).

  - Per address, whatever the account: ``address_free_failures`` failures in
    ``address_window``, then 1, 2, 4 ... seconds (up to ``address_max_backoff``) after each
    further failure. So one address cannot guess many passwords, of one account or of many.
  - Per account and address: an account with ``max_failures_per_account_hour`` failures in
    the last hour is *busy* (someone is guessing from many addresses). On a busy account an
    address that has failed :data:`BUSY_ACCOUNT_FAILURES_PER_ADDRESS` times on it in the hour
    waits an hour from its last failure; every other address, the owner's among them, is
    checked as usual. The account itself is never locked: strangers can only slow
    themselves down.

  So on a busy account an attacker gets 3 guesses an hour from each address (the address
  rule alone would give 5 at once and more after the backoff), and the owner signs in from
  any address that has not failed on the account, or has failed only once or twice (a
  typo). The price of never locking: many addresses make many guesses, 3 an hour each, so
  the address is the client's /56 for IPv6, and a site that must resist a large botnet
  needs long passphrases (the common-password list refuses the likely ones). Unknown and
  known e-mail addresses are counted alike (by a keyed hash, whether or not the account
  exists), run the same statements and get the same answers, so the throttle does not tell
  which accounts exist.

  The check and the record are one step (see ``Accounts.claim_attempt``): an attempt is
  recorded as a failure before its password is checked, inside the transaction that counted
  the earlier ones, and marked a success afterwards if it was one. So concurrent attempts
  cannot all read "no failures yet" and all get through.
* Invite codes use the same rules, except that there the account is the caller's own: an
  account with ``max_failures_per_account_hour`` wrong codes in an hour waits an hour.
* Sign-ups (:func:`signup_wait`): at most ``max_signups_per_address_hour`` accounts made,
  or "already registered" answers given, to one address in an hour, so finding out which
  e-mail addresses have accounts is as slow as guessing.

>>> hash_token("abc") == hash_token("abc") != hash_token("abd")
True
>>> check_password_rules("short")
Traceback (most recent call last):
...
taperline.errors.InputError: password: use at least 12 characters (a few words make a good one)
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from importlib import resources
from typing import Final

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from taperline.adapters.storage.attempts import ACCOUNT_WINDOW, Throttle
from taperline.errors import InputError
from taperline.web.settings import Settings

__all__ = [
    "BUSY_ACCOUNT_FAILURES_PER_ADDRESS",
    "COMMON_LIST_REFUSAL",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "SIGNUP_WINDOW",
    "Passwords",
    "account_key",
    "check_password_rules",
    "common_passwords",
    "csrf_matches",
    "csrf_token",
    "hash_token",
    "invite_code",
    "invite_hash",
    "is_common_password",
    "new_token",
    "signup_wait",
    "throttle_address",
    "throttle_wait",
]

MIN_PASSWORD: Final = 12  # [OWASP ASVS 2.1.1]
MAX_PASSWORD: Final = 1024  # long passphrases are fine; megabytes would only burn CPU
_INVITE_ALPHABET: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_INVITE_LENGTH: Final = 12  # 60 bits
_COMMON_PASSWORDS_FILE: Final = "common-passwords.txt"
COMMON_LIST_REFUSAL: Final = (
    "password: this password is on a list of commonly used passwords that attackers try"
    " first. Please choose another."
)
SIGNUP_WINDOW: Final = timedelta(hours=1)
# On a busy account each address gets this many failures an hour: a typo or two of the owner
# on their own network, and few guesses for each address of a botnet.
BUSY_ACCOUNT_FAILURES_PER_ADDRESS: Final = 3
_IPV6_BUCKET: Final = 56  # the longest prefix an ISP delegates to one home [RFC 6177]
_NAT64_WELL_KNOWN: Final = ipaddress.IPv6Network("64:ff9b::/96")  # [RFC 6052]
_NAT64_LOCAL: Final = ipaddress.IPv6Network("64:ff9b:1::/48")  # [RFC 8215]
_NAT64_LOCAL_96: Final = ipaddress.IPv6Network("64:ff9b:1::/96")
_LOW_32_BITS: Final = 0xFFFF_FFFF


@functools.cache
def common_passwords() -> frozenset[str]:
    """The packaged list of commonly used passwords, read once per process (lower case).

    Only entries of at least :data:`MIN_PASSWORD` characters are kept in the file: shorter
    ones are refused by the length rule anyway.

    >>> "qwerty123456" in common_passwords()
    True
    """
    resource = resources.files("taperline.web").joinpath("data", _COMMON_PASSWORDS_FILE)
    text = resource.read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def is_common_password(password: str) -> bool:
    """Whether ``password`` is on the common-password list (case and outer spaces ignored).

    >>> is_common_password("QWERTY123456"), is_common_password("correct horse battery staple")
    (True, False)
    """
    return password.strip().casefold() in common_passwords()


def check_password_rules(password: str, *, email: str = "") -> None:
    """Refuse a password that is too short, too long, the e-mail address, or a common one."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"password: use at least {MIN_PASSWORD} characters (a few words make a good one)"
        )
    if len(password) > MAX_PASSWORD:
        raise InputError(f"password: use at most {MAX_PASSWORD} characters")
    if "\x00" in password:
        raise InputError("password: contains a NUL character")
    if email and password.strip().casefold() == email.strip().casefold():
        raise InputError("password: must not be your e-mail address")
    if is_common_password(password):
        raise InputError(COMMON_LIST_REFUSAL)


class Passwords:
    """Argon2id hashing with the settings' parameters."""

    def __init__(self, settings: Settings) -> None:
        hasher = Argon2Hasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self._hash = PasswordHash((hasher,))
        self._dummy = self._hash.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """The Argon2id hash of ``password`` (salted)."""
        return self._hash.hash(password)

    def verify(self, password: str, stored: str | None) -> bool:
        """Whether ``password`` matches ``stored``; None (no such user) costs the same time."""
        if len(password) > MAX_PASSWORD:
            return False
        if stored is None:
            self._hash.verify(password, self._dummy)
            return False
        return self._hash.verify(password, stored)

    def verify_and_update(self, password: str, stored: str | None) -> tuple[bool, str | None]:
        """:meth:`verify`, and a new hash when ``stored`` was made with other parameters.

        A sign-in rehashes an account whose hash is older than the settings (its owner's
        password is at hand only then), so old hashes, which take their own time to check,
        do not linger beside the dummy hash unknown addresses are checked against.
        """
        if len(password) > MAX_PASSWORD:
            return False, None
        if stored is None:
            self._hash.verify(password, self._dummy)
            return False, None
        ok, updated = self._hash.verify_and_update(password, stored)
        return ok, updated if ok else None


def new_token() -> str:
    """A fresh random token (session, anonymous CSRF cookie)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The SHA-256 of a token, as stored (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _hmac(secret_key: str, message: str) -> str:
    return hmac.new(
        secret_key.encode(), message.encode("utf-8", "surrogatepass"), "sha256"
    ).hexdigest()


def csrf_token(secret_key: str, binding: str) -> str:
    """The CSRF token bound to ``binding`` ("session:<hash>" or "anonymous:<cookie>")."""
    return _hmac(secret_key, f"csrf:{binding}")


def seal(secret_key: str, message: str) -> str:
    """A keyed hash of ``message``: a form's hidden values the server wrote, unchanged."""
    return _hmac(secret_key, f"seal:{message}")


def seal_matches(secret_key: str, message: str, given: str) -> bool:
    """Whether ``given`` is the seal of ``message`` (constant-time comparison)."""
    return bool(given) and hmac.compare_digest(seal(secret_key, message), given)


def csrf_matches(secret_key: str, binding: str, given: str | None) -> bool:
    """Whether ``given`` is the CSRF token of ``binding`` (constant-time comparison)."""
    if not given or not binding:
        return False
    return hmac.compare_digest(csrf_token(secret_key, binding), given)


def account_key(secret_key: str, email: str) -> str:
    """A keyed hash of an e-mail address: throttling counts per account without storing it."""
    return _hmac(secret_key, f"account:{email.strip().casefold()}")


def invite_code() -> str:
    """A new invite code, grouped for reading aloud, e.g. ``K7QM-2XWD-9RTA``."""
    raw = "".join(secrets.choice(_INVITE_ALPHABET) for _ in range(_INVITE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _INVITE_LENGTH, 4))


def invite_hash(secret_key: str, code: str) -> str:
    """The stored form of an invite code (case, spaces and dashes do not matter)."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return _hmac(secret_key, f"invite:{normal}")


def throttle_address(address: str) -> str:
    """The address that throttling counts: an IPv4 address, or the /56 of an IPv6 one.

    An IPv6 address that carries an IPv4 one counts as it, so that each IPv4 client behind
    a translator is counted alone and a 6to4 host cannot rotate through its /48: IPv4-mapped
    (``::ffff:``), 6to4 (``2002::/16``), Teredo (the client's address) and NAT64's
    well-known prefix ``64:ff9b::/96`` [RFC 6052]. In the local-use prefix ``64:ff9b:1::/48``
    [RFC 8215] the operator picks where the IPv4 address sits: in ``64:ff9b:1::/96`` it is
    the low 32 bits, elsewhere the whole address counts (it is fixed by the IPv4 client).

    >>> throttle_address("2001:db8:0:1:aaaa::7"), throttle_address("2001:db8:0:ff::1")
    ('2001:db8::/56', '2001:db8::/56')
    >>> throttle_address("::ffff:192.0.2.1"), throttle_address("2002:c000:201:7::1")
    ('192.0.2.1', '192.0.2.1')
    >>> throttle_address("64:ff9b::c000:201"), throttle_address("64:ff9b:1::c000:201")
    ('192.0.2.1', '192.0.2.1')
    >>> throttle_address("192.0.2.1"), throttle_address("testclient")
    ('192.0.2.1', 'testclient')
    """
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(parsed)
        if embedded is not None:
            return str(embedded)
        if parsed in _NAT64_LOCAL:
            return str(parsed)
        return str(ipaddress.IPv6Network((parsed, _IPV6_BUCKET), strict=False))
    return str(parsed)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that ``address`` carries, if it carries one where we can find it."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64_WELL_KNOWN or address in _NAT64_LOCAL_96:
        return ipaddress.IPv4Address(int(address) & _LOW_32_BITS)
    return None


def throttle_wait(
    state: Throttle, now: datetime, settings: Settings, *, lock_account: bool = False
) -> timedelta:
    """How long to wait before another attempt may be checked (zero: go ahead).

    An address waits 1, 2, 4 ... seconds (up to ``address_max_backoff``) after its free
    failures. On a busy account (``max_failures_per_account_hour`` failures in the hour) an
    address with :data:`BUSY_ACCOUNT_FAILURES_PER_ADDRESS` failures on it waits an hour from
    its last; others go ahead. ``lock_account`` (invite codes, where the account is the
    caller's own) makes a busy account wait an hour from any address.

    >>> from datetime import UTC
    >>> s = Settings(database_url="sqlite://")
    >>> t = datetime(2027, 1, 1, tzinfo=UTC)
    >>> throttle_wait(Throttle(0, 7, t), t, s)
    datetime.timedelta(seconds=4)
    >>> throttle_wait(Throttle(100, 0, None), t, s)  # a busy account, a fresh address
    datetime.timedelta(0)
    >>> throttle_wait(Throttle(100, 3, t, 3, t), t, s)
    datetime.timedelta(seconds=3600)
    >>> throttle_wait(Throttle(100, 0, None), t, s, lock_account=True)
    datetime.timedelta(seconds=3600)
    """
    busy = state.account_failures_hour >= settings.max_failures_per_account_hour
    if busy and lock_account:
        return ACCOUNT_WINDOW
    wait = _address_wait(state, now, settings)
    pair_done = state.pair_failures_hour >= BUSY_ACCOUNT_FAILURES_PER_ADDRESS
    if busy and pair_done and state.pair_last_failure is not None:
        wait = max(wait, state.pair_last_failure + ACCOUNT_WINDOW - now)
    return wait


def _address_wait(state: Throttle, now: datetime, settings: Settings) -> timedelta:
    extra = state.address_failures - settings.address_free_failures
    if extra < 0 or state.address_last_failure is None:
        return timedelta(0)
    backoff = min(timedelta(seconds=2 ** min(extra, 20)), settings.address_max_backoff)
    return max(timedelta(0), state.address_last_failure + backoff - now)


def signup_wait(recent: Sequence[datetime], now: datetime, settings: Settings) -> timedelta:
    """How long an address waits before it may make another account (zero: go ahead).

    ``recent`` holds the times of the address's newest sign-ups (accounts made and "already
    registered" answers) within
    :data:`SIGNUP_WINDOW` (at least ``max_signups_per_address_hour`` of them when there
    are that many). With the limit reached, the wait lasts until the oldest of the newest
    ``max_signups_per_address_hour`` leaves the window.

    >>> from datetime import UTC
    >>> s = Settings(database_url="sqlite://", max_signups_per_address_hour=2)
    >>> t = datetime(2027, 1, 1, 12, tzinfo=UTC)
    >>> signup_wait([t], t, s)
    datetime.timedelta(0)
    >>> signup_wait([t, t - timedelta(minutes=50)], t, s)
    datetime.timedelta(seconds=600)
    """
    limit = settings.max_signups_per_address_hour
    newest = sorted(recent, reverse=True)[:limit]
    if len(newest) < limit:
        return timedelta(0)
    return max(timedelta(0), newest[-1] + SIGNUP_WINDOW - now)
