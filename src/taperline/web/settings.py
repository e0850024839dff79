"""The web app's settings: one explicit, frozen object; nothing is read at import time.

:meth:`Settings.from_env` reads ``TAPERLINE_*`` variables once, when the app is made:

==============================  ==========================================================
``TAPERLINE_DATABASE_URL``      database (default: a SQLite file in the user's data folder)
``TAPERLINE_SECRET_KEY``        key for CSRF tokens and invite-code hashes (random, 32+)
``TAPERLINE_ENV``               ``development`` (default) or ``production``
``TAPERLINE_SECURE_COOKIES``    ``auto`` (default: Secure when the request is HTTPS),
                                ``true`` or ``false``
``TAPERLINE_LOCAL_EMERGENCY``   the local emergency number shown next to 988, e.g. ``999``
``TAPERLINE_ALLOWED_HOSTS``     comma-separated host names (default: any)
``TAPERLINE_REQUEST_THREADS``   requests handled at once per worker process (default 4)
==============================  ==========================================================

``TAPERLINE_MAX_SIGNUPS_PER_ADDRESS_HOUR`` caps the sign-ups one client address may make in
an hour, accounts made and "already registered" answers alike (default 10; raise it for a
clinic whose people share one address).

``TAPERLINE_FORWARDED_ALLOW_IPS`` lists the reverse proxies (comma-separated IPs or CIDRs)
whose ``X-Forwarded-For``/``-Proto`` headers say who the client is and whether it used
HTTPS; by default nobody's are believed (see :mod:`taperline.web.forwarded`).

Outside development a default, short or guessable secret key (see
:mod:`taperline.web.secret_key`), cookies that are never Secure and password-hash
parameters below the OWASP minimum are refused.

>>> Settings(database_url="sqlite://", environment="production")
Traceback (most recent call last):
...
taperline.errors.InputError: TAPERLINE_SECRET_KEY: set a random key in production; make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"
"""  # noqa: E501 -- a doctest line reads better whole

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from taperline.errors import InputError
from taperline.web.forwarded import trusted_networks
from taperline.web.secret_key import MAKE_A_KEY, check_secret_key

__all__ = [
    "DEFAULT_SECRET_KEY",
    "Environment",
    "Settings",
    "utc_now",
]

Environment = Literal["development", "production"]
# Not a secret: the placeholder that production refuses (see Settings._check_production).
DEFAULT_SECRET_KEY: Final = "development-only-secret-key-do-not-use-in-production"  # noqa: S105
MAX_REQUEST_THREADS: Final = 64
MAX_SIGNUPS_PER_ADDRESS_HOUR: Final = 10_000  # above this the limit no longer limits anything
# OWASP Password Storage Cheat Sheet: Argon2id with at least 19 MiB, 2 iterations, 1 lane.
OWASP_MIN_MEMORY_KIB: Final = 19 * 1024
OWASP_MIN_TIME_COST: Final = 2


def utc_now() -> datetime:
    """The current moment (timezone-aware, UTC): the default clock."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the web app needs to run; tests replace ``clock`` to move time.

    The Argon2id defaults are argon2-cffi's (RFC 9106 low-memory: 64 MiB, 3 iterations,
    4 lanes), above the OWASP minimum; :meth:`for_tests` lowers them to keep tests fast.
    """

    database_url: str
    secret_key: str = DEFAULT_SECRET_KEY
    environment: Environment = "development"
    secure_cookies: bool | None = None  # None: Secure when the request came over HTTPS
    local_emergency_number: str = ""
    session_idle: timedelta = timedelta(minutes=30)
    session_absolute: timedelta = timedelta(hours=12)
    # "Keep me signed in on this phone" (patients, at sign-in): a phone used every morning
    # stays signed in while it is used at least every two weeks, and signs in again monthly
    remembered_idle: timedelta = timedelta(days=14)
    remembered_absolute: timedelta = timedelta(days=30)
    session_touch_every: timedelta = timedelta(minutes=1)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    argon2_parallelism: int = 4
    max_failures_per_account_hour: int = 100
    address_free_failures: int = 5
    address_window: timedelta = timedelta(minutes=15)
    address_max_backoff: timedelta = timedelta(minutes=5)
    invite_valid_for: timedelta = timedelta(days=7)
    # sign-ups (accounts made, "already registered" answers) one client address may make per
    # hour [OWASP ASVS 2.2.1]: a family or a small office shares an address, a script making
    # accounts or probing for them in bulk does not get far
    max_signups_per_address_hour: int = 10
    max_body_bytes: int = 256 * 1024
    allowed_hosts: tuple[str, ...] = ()
    # reverse proxies (IPs or CIDRs) whose forwarded headers say who the client is
    forwarded_allow_ips: tuple[str, ...] = ()
    migrate_on_start: bool = False
    db_pool_size: int = 10
    # requests handled at once per process (the rest queue in order): few threads contend
    # less for the interpreter lock, so a burst is served first come, first served
    request_threads: int = 4
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    def __post_init__(self) -> None:
        if self.environment not in {"development", "production"}:
            raise InputError(f"TAPERLINE_ENV {self.environment!r}: use development or production")
        if not self.database_url.strip():
            raise InputError("the database URL is empty")
        if not 1 <= self.request_threads <= MAX_REQUEST_THREADS:
            raise InputError(
                f"TAPERLINE_REQUEST_THREADS {self.request_threads}: use 1-{MAX_REQUEST_THREADS}"
            )
        if not 1 <= self.max_signups_per_address_hour <= MAX_SIGNUPS_PER_ADDRESS_HOUR:
            raise InputError(
                f"TAPERLINE_MAX_SIGNUPS_PER_ADDRESS_HOUR {self.max_signups_per_address_hour}:"
                f" use 1-{MAX_SIGNUPS_PER_ADDRESS_HOUR}"
            )
        trusted_networks(self.forwarded_allow_ips)  # refuses what is not an address
        for idle, absolute in (
            (self.session_idle, self.session_absolute),
            (self.remembered_idle, self.remembered_absolute),
        ):
            if idle <= timedelta(0) or absolute < idle:
                raise InputError(
                    "the session idle timeout must be positive and within the absolute"
                )
        if self.environment == "production":
            self._check_production()

    def _check_production(self) -> None:
        if self.secret_key == DEFAULT_SECRET_KEY:
            raise InputError(f"TAPERLINE_SECRET_KEY: set a random key in production; {MAKE_A_KEY}")
        check_secret_key(self.secret_key)
        if self.secure_cookies is False:
            raise InputError("TAPERLINE_SECURE_COOKIES=false is refused in production")
        weak = (
            self.argon2_memory_kib < OWASP_MIN_MEMORY_KIB
            or self.argon2_time_cost < OWASP_MIN_TIME_COST
        )
        if weak:
            raise InputError("the Argon2id parameters are below the OWASP minimum")

    @property
    def development(self) -> bool:
        """Whether this is a development server (demo accounts, default key allowed)."""
        return self.environment == "development"

    def crisis_local(self) -> str:
        """How the crisis message names the local emergency number."""
        number = self.local_emergency_number.strip()
        return (
            f"your local emergency number ({number})" if number else "your local emergency number"
        )

    @classmethod
    def for_tests(cls, database_url: str, **changes: object) -> Settings:
        """Development settings with light password hashing (never use in production)."""
        base = cls(
            database_url=database_url,
            secret_key=secrets.token_urlsafe(32),
            argon2_time_cost=1,
            argon2_memory_kib=8,
            argon2_parallelism=1,
            migrate_on_start=True,
        )
        return replace(base, **changes)  # type: ignore[arg-type]  # the caller names real fields

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **changes: object) -> Settings:
        """Settings from ``TAPERLINE_*`` variables (see the module docstring)."""
        from taperline.adapters.storage.db import database_url

        hosts = environ.get("TAPERLINE_ALLOWED_HOSTS", "")
        proxies = environ.get("TAPERLINE_FORWARDED_ALLOW_IPS", "")
        values: dict[str, object] = {
            "database_url": database_url(environ),
            "secret_key": environ.get("TAPERLINE_SECRET_KEY", "").strip() or DEFAULT_SECRET_KEY,
            "environment": environ.get("TAPERLINE_ENV", "development").strip().lower(),
            "secure_cookies": _tristate(environ.get("TAPERLINE_SECURE_COOKIES", "auto")),
            "local_emergency_number": environ.get("TAPERLINE_LOCAL_EMERGENCY", "").strip(),
            "allowed_hosts": tuple(h.strip() for h in hosts.split(",") if h.strip()),
            "forwarded_allow_ips": tuple(p.strip() for p in proxies.split(",") if p.strip()),
        }
        numbers = {
            "TAPERLINE_REQUEST_THREADS": "request_threads",
            "TAPERLINE_MAX_SIGNUPS_PER_ADDRESS_HOUR": "max_signups_per_address_hour",
        }
        for variable, name in numbers.items():
            text = environ.get(variable, "").strip()
            if text:
                values[name] = _whole_number(variable, text)
        values.update(changes)
        return cls(**values)  # type: ignore[arg-type]  # keys are the fields above


def _whole_number(variable: str, text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise InputError(f"{variable} {text!r}: use a whole number")
    return int(text)


def _tristate(text: str) -> bool | None:
    value = text.strip().lower()
    if value in {"", "auto"}:
        return None
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise InputError(f"TAPERLINE_SECURE_COOKIES {text!r}: use auto, true or false")
