"""Accounts and security: sign-up, sign-in, sessions, CSRF, throttling, headers, settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from taperline.adapters.storage.attempts import Throttle
from taperline.errors import InputError
from taperline.web.security import account_key, hash_token, throttle_wait
from taperline.web.settings import DEFAULT_SECRET_KEY, Settings
from tests.support.web import PASSWORD, Site, Web, make_site


def test_landing_sign_up_and_in_pages_render(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        for path in ("/", "/signin", "/signup", "/signup?role=clinician", "/healthz"):
            assert web.get(path).status_code == 200, path
        assert "Create an account" in web.get("/").text


def test_patient_sign_up_creates_a_record_and_a_session(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        response = web.signup("ann@example.org", display_name="Ann", age_band="40-64")
        assert response.status_code == 303
        assert response.headers["location"] == "/dashboard"
        cookie = response.headers["set-cookie"]
        assert "taperline_session=" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Secure" not in cookie  # plain HTTP in tests, secure_cookies on auto
        profile = site.services.store.profile(site.person_id("ann@example.org"))
        assert (profile.time_zone, profile.age_band, profile.label) == (
            "Europe/London",
            "40-64",
            "Ann",
        )
        me = web.get("/api/me").json()
        assert me["role"] == "patient"
        assert me["email"] == "ann@example.org"


def test_clinician_sign_up_has_no_record(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        response = web.signup("doc@example.org", role="clinician")
        assert response.headers["location"] == "/clinician"
        assert web.get("/api/me").json()["person_id"] is None
        assert web.get("/dashboard").status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "short"}, "at least 12 characters"),
        ({"password": "x" * 1025}, "at most 1024"),
        ({"email": "not-an-email"}, "email"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"time_zone": "  "}, "Time zone: choose the time zone you live in"),  # never UTC unasked
        ({"age_band": "sixty"}, "age_band"),
        ({"role": "admin"}, "role"),
        ({"display_name": "bad\x00name"}, "control characters"),
    ],
)
def test_sign_up_refuses_bad_input_and_names_the_field(
    tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        data = {"role": "patient", "email": "a@example.org", "password": PASSWORD}
        data.update({"time_zone": "Europe/London", **fields})
        response = web.post("/signup", data)
        assert response.status_code == 422
        assert message in response.text
        assert site.services.accounts.credentials("a@example.org") is None


def test_long_passphrases_without_composition_rules_are_fine(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        data = {"role": "patient", "email": "a@example.org", "password": "a" * 1024}
        data["time_zone"] = "Europe/London"
        assert web.post("/signup", data).status_code == 303


def test_a_taken_email_is_a_conflict_and_leaves_no_orphan_record(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org")
        persons = site.services.store.person_ids()
        response = site.browser().signup("ANN@example.org")
        assert response.status_code == 409
        assert site.services.store.person_ids() == persons


def test_sign_in_gives_a_new_session_id_every_time(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        first = site.patient("ann@example.org")
        old = first.client.cookies["taperline_session"]
        second = site.browser()
        response = second.signin("Ann@Example.org")
        assert response.status_code == 303
        assert second.client.cookies["taperline_session"] != old
        assert second.get("/dashboard").status_code == 200
        assert first.get("/dashboard").status_code == 200  # both sessions are valid


def test_wrong_password_and_unknown_account_get_the_same_answer(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org")
        web = site.browser()
        wrong = web.signin("ann@example.org", "not the password at all")
        unknown = web.signin("nobody@example.org", PASSWORD)
        assert wrong.status_code == unknown.status_code == 401
        assert "e-mail address or password is wrong" in wrong.text
        assert "e-mail address or password is wrong" in unknown.text
        assert "taperline_session" not in web.client.cookies
        user = site.services.accounts.credentials("ann@example.org")
        assert user is not None
        assert user[0].failed_logins == 1


def test_sign_out_ends_the_session_on_the_server(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        token = web.client.cookies["taperline_session"]
        assert web.signout().headers["location"] == "/?done=signed-out"
        web.client.cookies.set("taperline_session", token)  # a copy of the old cookie
        assert web.get("/dashboard", follow_redirects=False).status_code == 303
        assert web.get("/api/me").status_code == 401


def test_pages_redirect_to_sign_in_and_the_api_answers_401(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        page = web.get("/journal?days=30", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"] == "/signin?next=/journal%3Fdays%3D30"
        assert web.get("/api/checkins").status_code == 401
        assert web.get("/api/checkins").json() == {"detail": "sign in first"}


def test_sign_in_returns_to_a_local_next_page_only(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org").signout()
        web = site.browser()
        data = {"email": "ann@example.org", "password": PASSWORD}
        assert web.post("/signin", {**data, "next": "/journal"}).headers["location"] == "/journal"
        web.csrf_cache = ""
        evil = web.post("/signin", {**data, "next": "//evil.example/x"})
        assert evil.headers["location"] == "/dashboard"


def test_sessions_end_after_30_idle_minutes(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        site.clock.advance(minutes=29)
        assert web.get("/api/me").status_code == 200  # this also moves the last-seen time
        site.clock.advance(minutes=29)
        assert web.get("/api/me").status_code == 200
        site.clock.advance(minutes=31)
        assert web.get("/api/me").status_code == 401


def test_sessions_end_after_12_hours_however_busy(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        for _ in range(11 * 4 + 3):
            site.clock.advance(minutes=15)
            assert web.get("/api/me").status_code == 200
        site.clock.advance(minutes=15)  # 12 h 0 min since sign-in
        assert web.get("/api/me").status_code == 200
        site.clock.advance(minutes=1)
        assert web.get("/api/me").status_code == 401


def _remembered_signin(site: Site, email: str) -> tuple[Web, httpx.Response]:
    web = site.browser()
    web.csrf_cache = ""
    response = web.post("/signin", {"email": email, "password": PASSWORD, "remember": "on"})
    web.csrf_cache = ""  # the session's own token from now on, as Web.signin does
    assert response.status_code == 303
    return web, response


def test_a_patient_kept_signed_in_on_a_phone_stays_while_using_it(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org").signout()
        page = site.browser().get("/signin").text
        assert 'name="remember"' in page  # offered, never ticked for the person
        assert "checked" not in page.split('name="remember"', 1)[1].split(">", 1)[0]
        phone, signed_in = _remembered_signin(site, "ann@example.org")
        cookie = signed_in.headers["set-cookie"]
        assert f"Max-Age={30 * 24 * 3600}" in cookie
        assert "HttpOnly" in cookie
        for _ in range(4):  # a phone used every morning, and after a week away
            site.clock.advance(days=1)
            assert phone.get("/api/me").status_code == 200
        site.clock.advance(days=13, hours=23)
        assert phone.get("/api/me").status_code == 200
        site.clock.advance(days=14, minutes=1)  # two weeks unused: signed out
        assert phone.get("/api/me").status_code == 401


def test_a_kept_session_still_ends_after_30_days_and_at_sign_out(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org").signout()
        phone, _ = _remembered_signin(site, "ann@example.org")
        for _ in range(29):
            site.clock.advance(days=1)
            assert phone.get("/api/me").status_code == 200
        site.clock.advance(days=1, minutes=1)
        assert phone.get("/api/me").status_code == 401
        again, _ = _remembered_signin(site, "ann@example.org")
        assert again.signout().status_code == 303
        assert again.get("/api/me").status_code == 401


def test_a_clinician_is_never_kept_signed_in(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.clinician("doc@example.org").signout()
        laptop, signed_in = _remembered_signin(site, "doc@example.org")
        assert f"Max-Age={12 * 3600}" in signed_in.headers["set-cookie"]
        site.clock.advance(minutes=31)
        assert laptop.get("/api/me").status_code == 401


def test_sessions_are_listed_and_revocable(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        phone = site.patient("ann@example.org")
        laptop = site.browser(headers={"user-agent": "Laptop browser"})
        laptop.signin("ann@example.org")
        page = phone.get("/account").text
        assert "Laptop browser" in page
        assert "this device" in page
        user_id = phone.get("/api/me").json()["user_id"]
        sessions = site.services.accounts.sessions_of(user_id, active_since=site.clock.now)
        other = next(s for s in sessions if s.user_agent == "Laptop browser")
        assert phone.post(f"/account/sessions/{other.id}/revoke").status_code == 303
        assert laptop.get("/api/me").status_code == 401
        assert phone.get("/api/me").status_code == 200


def test_a_session_of_another_user_cannot_be_revoked(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        bob = site.patient("bob@example.org")
        bob_id = bob.get("/api/me").json()["user_id"]
        bob_session = site.services.accounts.sessions_of(bob_id, active_since=site.clock.now)[0]
        assert ann.post(f"/account/sessions/{bob_session.id}/revoke").status_code == 404
        assert bob.get("/api/me").status_code == 200
        assert ann.post("/account/sessions/99999999999/revoke").status_code == 422


def test_sign_out_everywhere_else_keeps_this_session(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        phone = site.patient("ann@example.org")
        laptop = site.browser()
        laptop.signin("ann@example.org")
        assert phone.post("/account/sessions/revoke-others").status_code == 303
        assert laptop.get("/api/me").status_code == 401
        assert phone.get("/api/me").status_code == 200


def test_password_change_needs_the_current_one_and_ends_other_sessions(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        phone = site.patient("ann@example.org")
        laptop = site.browser()
        laptop.signin("ann@example.org")
        wrong = phone.post(
            "/account/password", {"current_password": "nope", "new_password": "another long pass"}
        )
        assert wrong.status_code == 422
        ok = phone.post(
            "/account/password",
            {"current_password": PASSWORD, "new_password": "another long passphrase"},
        )
        assert ok.status_code == 303
        assert laptop.get("/api/me").status_code == 401
        fresh = site.browser()
        assert fresh.signin("ann@example.org", "another long passphrase").status_code == 303


@pytest.mark.parametrize(
    "path", ["/signin", "/signup", "/signout", "/checkin", "/sharing", "/account/delete"]
)
def test_forms_without_a_valid_csrf_token_are_refused(tmp_path: Path, path: str) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        for token in ("", "0" * 64):
            response = web.client.post(path, data={"csrf_token": token}, follow_redirects=False)
            assert response.status_code == 403, (path, token)
            assert "did not come from this site" in response.text


def test_the_csrf_token_of_another_session_is_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        bob = site.patient("bob@example.org")
        stolen = bob.csrf()
        response = ann.client.post(
            "/checkin", data={"csrf_token": stolen, "date": "2027-03-01"}, follow_redirects=False
        )
        assert response.status_code == 403


def test_sign_in_without_the_anonymous_cookie_is_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org")
        web = site.browser()
        token = web.csrf("/signin")
        web.client.cookies.clear()
        response = web.client.post(
            "/signin", data={"csrf_token": token, "email": "ann@example.org", "password": PASSWORD}
        )
        assert response.status_code == 403


def test_failed_sign_ins_from_one_address_back_off(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org")
        web = site.browser()
        for _ in range(5):
            assert web.signin("ann@example.org", "wrong password!!").status_code == 401
        blocked = web.signin("ann@example.org", PASSWORD)  # the 6th waits, even if right
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) >= 1
        assert "Too many failed sign-ins" in blocked.text
        site.clock.advance(seconds=5)
        assert web.signin("ann@example.org", PASSWORD).status_code == 303


def test_100_failures_from_many_addresses_slow_those_addresses_not_the_owner(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        site.patient("ann@example.org")
        accounts, settings = site.services.accounts, site.services.settings
        key = account_key(settings.secret_key, "ann@example.org")
        for i in range(100):  # 3 each from 34 addresses: no per-address backoff
            accounts.record_attempt(
                "signin", key, f"10.0.0.{i // 3}", user_id=None, success=False, now=site.clock.now
            )
        assert site.browser().signin("ann@example.org").status_code == 303  # a clean address
        guesser = site.browser(client=("10.0.0.1", 50000))
        assert guesser.signin("ann@example.org").status_code == 429  # even with the password
        site.clock.advance(minutes=61)
        assert guesser.signin("ann@example.org").status_code == 303


def test_throttle_policy() -> None:
    settings = Settings(database_url="sqlite://")
    now = Settings(database_url="sqlite://").clock()
    hour = timedelta(hours=1)
    assert throttle_wait(Throttle(99, 0, None, 9, now), now, settings) == timedelta(0)
    # a busy account: an address with 3 failures on it waits an hour from its last, others not
    assert throttle_wait(Throttle(100, 0, None), now, settings) == timedelta(0)
    assert throttle_wait(Throttle(100, 2, now, 2, now), now, settings) == timedelta(0)
    assert throttle_wait(Throttle(100, 3, now, 3, now), now, settings) == hour
    earlier = now - timedelta(minutes=40)
    assert throttle_wait(Throttle(100, 0, None, 3, earlier), now, settings) == hour / 3
    # invite codes: the account is the caller's own, and a busy one waits from any address
    assert throttle_wait(Throttle(100, 0, None), now, settings, lock_account=True) == hour
    assert throttle_wait(Throttle(0, 4, now), now, settings) == timedelta(0)
    assert throttle_wait(Throttle(0, 5, now), now, settings) == timedelta(seconds=1)
    assert throttle_wait(Throttle(0, 6, now), now, settings) == timedelta(seconds=2)
    assert throttle_wait(Throttle(0, 60, now), now, settings) == timedelta(minutes=5)
    assert throttle_wait(Throttle(0, 60, now - timedelta(minutes=6)), now, settings) == timedelta(0)


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        token = web.client.cookies["taperline_session"]
        assert site.services.accounts.session(token) is None
        assert site.services.accounts.session(hash_token(token)) is not None


def test_security_headers_on_every_response(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        for path in ("/dashboard", "/api/me", "/static/taperline.css", "/nope"):
            headers = web.get(path).headers
            assert "default-src 'self'" in headers["content-security-policy"], path
            assert "unsafe-inline" not in headers["content-security-policy"]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["x-frame-options"] == "DENY"
        assert web.get("/dashboard").headers["cache-control"] == "no-store"
        assert web.get("/static/taperline.css").headers["cache-control"].startswith("public")


def test_secure_cookies_when_forced_or_over_https(tmp_path: Path) -> None:
    with make_site(tmp_path, secure_cookies=True) as site:
        web = site.browser(base_url="https://testserver")
        response = web.signup("ann@example.org")
        assert "Secure" in response.headers["set-cookie"]
        assert "strict-transport-security" in web.get("/dashboard").headers


def test_huge_bodies_are_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        response = web.post("/checkin", {"notes": "x" * 300_000})
        assert response.status_code == 413


def test_production_refuses_the_default_secret_and_weak_settings() -> None:
    with pytest.raises(InputError, match="SECRET_KEY"):
        Settings(database_url="sqlite://", environment="production")
    with pytest.raises(InputError, match="SECRET_KEY"):
        Settings(database_url="sqlite://", environment="production", secret_key="short" * 2)
    key = Settings.for_tests("sqlite://").secret_key  # random
    with pytest.raises(InputError, match="OWASP"):
        Settings(
            database_url="sqlite://", environment="production", secret_key=key, argon2_time_cost=1
        )
    with pytest.raises(InputError, match="SECURE_COOKIES"):
        Settings(
            database_url="sqlite://", environment="production", secret_key=key, secure_cookies=False
        )
    ok = Settings(database_url="sqlite://", environment="production", secret_key=key)
    assert ok.argon2_memory_kib >= 19 * 1024
    assert Settings(database_url="sqlite://").secret_key == DEFAULT_SECRET_KEY  # development


def test_settings_from_the_environment() -> None:
    environ = {
        "TAPERLINE_DATABASE_URL": "sqlite:////tmp/x.db",
        "TAPERLINE_ENV": "production",
        "TAPERLINE_SECRET_KEY": Settings.for_tests("sqlite://").secret_key,
        "TAPERLINE_SECURE_COOKIES": "true",
        "TAPERLINE_LOCAL_EMERGENCY": "999",
        "TAPERLINE_ALLOWED_HOSTS": "a.example, b.example",
    }
    settings = Settings.from_env(environ)
    assert settings.database_url == "sqlite:////tmp/x.db"
    assert settings.secure_cookies is True
    assert settings.allowed_hosts == ("a.example", "b.example")
    assert "999" in settings.crisis_local()
    with pytest.raises(InputError, match="SECURE_COOKIES"):
        Settings.from_env({**environ, "TAPERLINE_SECURE_COOKIES": "maybe"})
    with pytest.raises(InputError, match="TAPERLINE_ENV"):
        Settings.from_env({**environ, "TAPERLINE_ENV": "staging"})


def test_allowed_hosts_are_enforced(tmp_path: Path) -> None:
    with make_site(tmp_path, allowed_hosts=("taperline.example",)) as site:
        assert site.browser().get("/").status_code == 400
        assert site.browser(base_url="http://taperline.example").get("/").status_code == 200


def test_production_argon2_parameters_are_owasp_level() -> None:
    from taperline.web.security import Passwords

    settings = Settings(
        database_url="sqlite://",
        environment="production",
        secret_key=Settings.for_tests("sqlite://").secret_key,
    )
    stored = Passwords(settings).hash(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert "m=65536,t=3,p=4" in stored


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in(tmp_path: Path) -> None:
    from dataclasses import replace

    from taperline.web.security import Passwords

    with make_site(tmp_path) as site:
        site.patient("ann@example.org").signout()
        accounts, settings = site.services.accounts, site.services.settings
        older = Passwords(replace(settings, argon2_time_cost=settings.argon2_time_cost + 1))
        found = accounts.credentials("ann@example.org")
        assert found is not None
        user = found[0]
        accounts.set_password(user.id, older.hash(PASSWORD))
        current = f"t={settings.argon2_time_cost},"
        assert current not in accounts.password_hash(user.id)
        web = site.browser()
        assert web.signin("ann@example.org", "not the password").status_code == 401
        assert current not in accounts.password_hash(user.id)  # only its owner's sign-in
        assert web.signin("ann@example.org").status_code == 303
        assert current in accounts.password_hash(user.id)
        web.signout()
        assert site.browser().signin("ann@example.org").status_code == 303
