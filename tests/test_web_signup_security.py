"""Sign-up and password-change hardening: the common-password list [OWASP ASVS 2.1.7] and the
per-address limit on new accounts [OWASP ASVS 2.2.1]."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from taperline.adapters.storage.accounts import Accounts, AttemptKind
from taperline.adapters.storage.db import make_engine
from taperline.errors import InputError
from taperline.web.security import (
    COMMON_LIST_REFUSAL,
    MIN_PASSWORD,
    check_password_rules,
    common_passwords,
    is_common_password,
    signup_wait,
)
from taperline.web.settings import MAX_SIGNUPS_PER_ADDRESS_HOUR, Settings
from tests.support.db import migrate
from tests.support.web import PASSWORD, ZONE, Site, Web, make_site

COMMON_MESSAGE = "on a list of commonly used passwords that attackers try first"
LIMIT_MESSAGE = "Too many sign-ups have come from your network"
OTHER_ADDRESS = ("192.0.2.7", 50000)  # TEST-NET-1: never a real client


def _signup_form(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {
        "role": "patient",
        "email": email,
        "password": password,
        "display_name": "Ann Example",
        "time_zone": ZONE,
        "conditions": "sleep apnea",
    }


def _signup_attempts(site: Site) -> int:
    now = site.clock.now
    found = site.services.accounts.recent_attempts(
        "signup", "testclient", since=now - timedelta(days=1), limit=1000
    )
    return len(found)


# --- the list ---------------------------------------------------------------------------


def _list_lines() -> list[str]:
    resource = resources.files("taperline.web").joinpath("data", "common-passwords.txt")
    return resource.read_text(encoding="utf-8").splitlines()


def test_the_list_loads_from_the_package_and_every_entry_could_pass_the_length_rule() -> None:
    passwords = common_passwords()
    assert len(passwords) > 400
    assert all(len(p) >= MIN_PASSWORD for p in passwords)
    assert all(p == p.casefold() == p.strip() for p in passwords)
    assert common_passwords() is passwords  # read once per process


def test_the_list_file_is_sorted_unique_and_names_its_source_and_licence() -> None:
    lines = _list_lines()
    header = "\n".join(line for line in lines if line.startswith("#"))
    entries = [line for line in lines if line and not line.startswith("#")]
    assert entries == sorted(set(entries))
    assert len(entries) == len(common_passwords())
    for needed in (
        "SecLists",
        "Daniel Miessler",
        "10-million-password-list-top-100000.txt",
        "MIT License",
        "Permission is hereby granted, free of charge",
    ):
        assert needed in header


@pytest.mark.parametrize(
    "password", ["qwerty123456", "QWERTY123456", "QwErTy123456", "  Password1234  "]
)
def test_the_check_ignores_case_and_outer_spaces(password: str) -> None:
    assert is_common_password(password)
    with pytest.raises(InputError, match=COMMON_MESSAGE) as raised:
        check_password_rules(password, email="ann@example.org")
    assert str(raised.value) == COMMON_LIST_REFUSAL


@pytest.mark.parametrize("password", [PASSWORD, "qwerty123456 but longer", "my cat likes 12 fish"])
def test_uncommon_passwords_pass(password: str) -> None:
    assert not is_common_password(password)
    check_password_rules(password, email="ann@example.org")


# --- sign-up and password change ----------------------------------------------------------


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "Qwerty123456"])
def test_a_common_password_is_refused_at_sign_up_and_nothing_is_made(
    tmp_path: Path, password: str
) -> None:
    with make_site(tmp_path) as site:
        persons = site.services.store.person_ids()
        response = site.browser().post("/signup", _signup_form("ann@example.org", password))
        assert response.status_code == 422
        assert COMMON_MESSAGE in response.text
        assert 'value="ann@example.org"' in response.text  # typed fields are kept
        assert 'value="sleep apnea"' in response.text
        assert password not in response.text  # the password is not
        assert site.services.accounts.credentials("ann@example.org") is None
        assert site.services.store.person_ids() == persons
        assert _signup_attempts(site) == 0


def test_a_strong_password_is_accepted_at_sign_up(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        response = web.post("/signup", _signup_form("ann@example.org"))
        assert response.status_code == 303
        assert site.services.accounts.credentials("ann@example.org") is not None
        assert _signup_attempts(site) == 1


def test_a_common_password_is_refused_at_password_change(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        refused = web.post(
            "/account/password", {"current_password": PASSWORD, "new_password": "Password1234"}
        )
        assert refused.status_code == 422
        assert COMMON_MESSAGE in refused.text
        assert site.browser().signin("ann@example.org", "Password1234").status_code == 401
        assert site.browser().signin("ann@example.org", PASSWORD).status_code == 303
        changed = web.post(
            "/account/password",
            {"current_password": PASSWORD, "new_password": "a less common passphrase"},
        )
        assert changed.status_code == 303


# --- the sign-up limit --------------------------------------------------------------------


def _sign_up(web: Web, email: str) -> int:
    return web.post("/signup", _signup_form(email)).status_code


def test_the_sign_up_limit_answers_429_with_retry_after_and_keeps_the_form(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=3) as site:
        for n in range(3):
            assert _sign_up(site.browser(), f"p{n}@example.org") == 303
        site.clock.advance(minutes=30)
        limited = site.browser().post("/signup", _signup_form("late@example.org"))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) == 30 * 60 + 1
        assert LIMIT_MESSAGE in limited.text
        assert "about 30 minutes" in limited.text
        assert "<h1>Create an account</h1>" in limited.text  # the normal page, not an error page
        assert 'value="late@example.org"' in limited.text
        assert 'value="Ann Example"' in limited.text
        assert PASSWORD not in limited.text
        assert site.services.accounts.credentials("late@example.org") is None
        site.clock.advance(minutes=30, seconds=1)
        assert _sign_up(site.browser(), "late@example.org") == 303


def test_another_address_is_not_limited(tmp_path: Path) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=1) as site:
        assert _sign_up(site.browser(), "first@example.org") == 303
        assert _sign_up(site.browser(), "second@example.org") == 429
        elsewhere = site.browser(client=OTHER_ADDRESS)
        assert _sign_up(elsewhere, "second@example.org") == 303


def test_forms_with_a_mistake_and_sign_ins_do_not_count_towards_the_limit(tmp_path: Path) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=1) as site:
        web = site.browser()
        assert (
            web.post("/signup", _signup_form("ann@example.org", "qwerty123456")).status_code == 422
        )
        assert web.post("/signup", _signup_form("not-an-email")).status_code == 422
        assert site.browser().signin("nobody@example.org").status_code == 401  # a sign-in attempt
        assert _sign_up(site.browser(), "ann@example.org") == 303
        assert _sign_up(site.browser(), "bob@example.org") == 429


def test_already_registered_answers_count_towards_the_limit(tmp_path: Path) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=3) as site:
        assert _sign_up(site.browser(), "ann@example.org") == 303
        site.patient("bob@example.org")
        prober = site.browser()
        assert _sign_up(prober, "ann@example.org") == 409  # one probe: "already registered"
        assert _sign_up(prober, "bob@example.org") == 429  # the limit: 2 made and 1 probe
        assert _sign_up(prober, "cid@example.org") == 429
        assert _sign_up(site.browser(client=OTHER_ADDRESS), "bob@example.org") == 409
        site.clock.advance(hours=1, seconds=1)
        assert _sign_up(prober, "cid@example.org") == 303


def test_the_limit_is_checked_before_the_form(tmp_path: Path) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=1) as site:
        assert _sign_up(site.browser(), "ann@example.org") == 303
        response = site.browser().post("/signup", _signup_form("bob@example.org", "short"))
        assert response.status_code == 429  # no hint about the form while limited


def test_recent_attempts_are_of_one_kind_from_one_address(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    migrate(engine)
    accounts = Accounts(engine)
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)

    def note(kind: AttemptKind, address: str, minutes_ago: int, *, success: bool = True) -> None:
        at = now - timedelta(minutes=minutes_ago)
        accounts.record_attempt(kind, "k", address, user_id=None, success=success, now=at)

    for minutes_ago in (50, 10, 70):
        note("signup", "198.51.100.1", minutes_ago)
    note("signup", "198.51.100.1", 5, success=False)  # an "already registered" answer
    note("signin", "198.51.100.1", 1)
    note("signup", "198.51.100.2", 2)
    hour_ago = now - timedelta(hours=1)
    found = accounts.recent_attempts("signup", "198.51.100.1", since=hour_ago, limit=10)
    assert found == [now - timedelta(minutes=m) for m in (5, 10, 50)]
    newest = accounts.recent_attempts("signup", "198.51.100.1", since=hour_ago, limit=1)
    assert newest == [now - timedelta(minutes=5)]


def test_signup_wait_policy() -> None:
    settings = Settings(database_url="sqlite://", max_signups_per_address_hour=3)
    now = datetime(2027, 3, 1, 12, tzinfo=UTC)
    minutes = [now - timedelta(minutes=m) for m in (1, 10, 40, 55)]
    assert signup_wait([], now, settings) == timedelta(0)
    assert signup_wait(minutes[:2], now, settings) == timedelta(0)
    # the limit is reached: wait until the third newest leaves the hour
    assert signup_wait(minutes[:3], now, settings) == timedelta(minutes=20)
    assert signup_wait(list(reversed(minutes)), now, settings) == timedelta(minutes=20)
    assert signup_wait([now - timedelta(hours=2)] * 3, now, settings) == timedelta(0)


# --- settings -----------------------------------------------------------------------------


def test_the_signup_limit_setting_is_validated() -> None:
    assert Settings(database_url="sqlite://").max_signups_per_address_hour == 10
    for good in (1, MAX_SIGNUPS_PER_ADDRESS_HOUR):
        Settings(database_url="sqlite://", max_signups_per_address_hour=good)
    for bad in (0, -1, MAX_SIGNUPS_PER_ADDRESS_HOUR + 1):
        with pytest.raises(InputError, match="TAPERLINE_MAX_SIGNUPS_PER_ADDRESS_HOUR"):
            Settings(database_url="sqlite://", max_signups_per_address_hour=bad)


def test_the_signup_limit_comes_from_the_environment() -> None:
    base = {"TAPERLINE_DATABASE_URL": "sqlite://"}
    variable = "TAPERLINE_MAX_SIGNUPS_PER_ADDRESS_HOUR"
    assert Settings.from_env(base).max_signups_per_address_hour == 10
    assert Settings.from_env({**base, variable: " 25 "}).max_signups_per_address_hour == 25
    for text, message in (("abc", "whole number"), ("-3", "whole number"), ("0", "use 1-")):
        with pytest.raises(InputError, match=message):
            Settings.from_env({**base, variable: text})
