"""Hardening of the web app (issue 14): security headers on every answer, errors included;
forwarded headers trusted only from listed proxies; production keys with enough entropy;
form bytes that are not UTF-8 refused with 400.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from tests.support.web import START, Site, Web, checkin_form, make_site

SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "permissions-policy",
)
TODAY = START.date()


class BoomError(Exception):
    """An error nobody handles."""


def _add_failing_routes(app: FastAPI) -> None:
    def boom() -> None:
        raise BoomError

    def teapot() -> None:
        raise HTTPException(status_code=418, detail="short and stout")

    for path in ("/boom", "/api/boom"):
        app.add_api_route(path, boom)
    app.add_api_route("/teapot", teapot)


def _assert_headers(response: httpx.Response, reference: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.path} {response.status_code}"
    for name in SECURITY_HEADERS:
        assert response.headers.get(name) == reference.headers[name], (where, name)
    assert response.headers.get("cache-control") == "no-store", where


# --- 1. security headers on every answer -------------------------------------------------


def test_an_unhandled_exception_answers_500_with_the_security_headers(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        _add_failing_routes(site.app)
        client = TestClient(site.app, raise_server_exceptions=False)
        reference = client.get("/learn")
        page = client.get("/boom")
        assert page.status_code == 500
        assert "text/html" in page.headers["content-type"]
        assert "something went wrong" in page.text
        _assert_headers(page, reference)
        api = client.get("/api/boom")
        assert api.status_code == 500
        assert api.json() == {"detail": "something went wrong on our side; nothing was changed"}
        _assert_headers(api, reference)


def test_error_answers_carry_the_security_headers(tmp_path: Path) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=1, max_body_bytes=1000) as site:
        _add_failing_routes(site.app)
        web = site.patient()
        reference = web.get("/dashboard")
        answers = [
            (418, web.get("/teapot")),  # an HTTPException
            (404, web.get("/static/no-such-file.css")),
            (404, web.get("/api/no-such-thing")),
            (405, web.get("/signout")),
            (422, web.get("/api/checkins/not-a-date")),  # request validation
            (422, web.get("/checkin?date=not-a-date")),  # an InputError on a page
            (415, web.post("/api/checkins", content=b"{", headers={"content-type": "text/plain"})),
            (413, web.post("/checkin", {"notes": "x" * 2000})),
            (429, site.browser().signup("bob@example.org")),
        ]
        for status, response in answers:
            assert response.status_code == status, (status, response.text[:300])
            _assert_headers(response, reference)


# --- 2. forwarded headers only from listed proxies ----------------------------------------

SPOOFED = {
    "x-forwarded-for": "198.51.100.1",
    "x-forwarded-proto": "https",
    "forwarded": "for=198.51.100.1;proto=https",
}


def _session_address(site: Site, email: str) -> str:
    found = site.services.accounts.credentials(email)
    assert found is not None
    (session,) = site.services.accounts.sessions_of(found[0].id, active_since=START)
    return session.address


def _from(site: Site, address: str, **headers: str) -> Web:
    return site.browser(client=(address, 4000), headers=headers)


def test_spoofed_forwarded_headers_change_nothing_by_default(tmp_path: Path) -> None:
    with make_site(tmp_path, max_signups_per_address_hour=1) as site:
        page = _from(site, "203.0.113.5", **SPOOFED).get("/learn")
        assert "strict-transport-security" not in page.headers
        assert "secure" not in page.headers["set-cookie"].lower()
        first = _from(site, "203.0.113.5", **SPOOFED).signup("ann@example.org")
        assert first.status_code == 303
        assert "secure" not in first.headers["set-cookie"].lower()
        assert _session_address(site, "ann@example.org") == "203.0.113.5"
        # another made-up client address does not get round the per-address limit
        other = {**SPOOFED, "x-forwarded-for": "198.51.100.2", "forwarded": "for=198.51.100.2"}
        assert _from(site, "203.0.113.5", **other).signup("bob@example.org").status_code == 429


def test_a_listed_proxy_says_who_the_client_is(tmp_path: Path) -> None:
    proxies = ("192.0.2.10", "203.0.113.0/24")
    with make_site(tmp_path, max_signups_per_address_hour=1, forwarded_allow_ips=proxies) as site:
        page = _from(site, "203.0.113.5", **SPOOFED).get("/learn")
        assert "strict-transport-security" in page.headers
        assert "secure" in page.headers["set-cookie"].lower()
        # (the test client keeps Secure cookies to itself over http: the rest says http)
        plain = {"x-forwarded-for": "198.51.100.1", "x-forwarded-proto": "http"}
        assert _from(site, "203.0.113.5", **plain).signup("ann@example.org").status_code == 303
        assert _session_address(site, "ann@example.org") == "198.51.100.1"
        again = _from(site, "203.0.113.6", **plain).signup("bob@example.org")
        assert again.status_code == 429  # 198.51.100.1 already made its account this hour
        # a client behind two listed proxies; what the client made up stands to the left
        chain = {"x-forwarded-for": "10.9.9.9, 198.51.100.2, 192.0.2.10"}
        assert _from(site, "203.0.113.5", **chain).signup("cy@example.org").status_code == 303
        assert _session_address(site, "cy@example.org") == "198.51.100.2"
        # RFC 7239 alone is read too
        rfc = {"forwarded": 'for="[2001:db8::7]:443";proto=http'}
        assert _from(site, "203.0.113.5", **rfc).signup("di@example.org").status_code == 303
        assert _session_address(site, "di@example.org") == "2001:db8::7"
        # a client that is not a listed proxy is not believed
        direct = _from(site, "192.0.2.77", **{**SPOOFED, "x-forwarded-for": "198.51.100.9"})
        assert direct.signup("ed@example.org").status_code == 303
        assert _session_address(site, "ed@example.org") == "192.0.2.77"


def test_the_proxy_setting_is_read_and_checked() -> None:
    from taperline.errors import InputError
    from taperline.web.settings import Settings

    environ = {
        "TAPERLINE_DATABASE_URL": "sqlite://",
        "TAPERLINE_FORWARDED_ALLOW_IPS": " 10.0.0.1, fd00::/8 ,",
    }
    assert Settings.from_env(environ).forwarded_allow_ips == ("10.0.0.1", "fd00::/8")
    assert Settings.from_env({"TAPERLINE_DATABASE_URL": "sqlite://"}).forwarded_allow_ips == ()
    with pytest.raises(InputError, match="FORWARDED_ALLOW_IPS"):
        Settings.from_env({**environ, "TAPERLINE_FORWARDED_ALLOW_IPS": "*"})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"x-forwarded-for", b"1.1.1.1"), (b"x-forwarded-for", b"2.2.2.2")], ("2.2.2.2", None)),
        ([(b"x-forwarded-for", b"1.1.1.1, 10.0.0.3")], ("1.1.1.1", None)),
        ([(b"x-forwarded-for", b"10.0.0.4, 10.0.0.3")], ("10.0.0.4", None)),
        ([(b"x-forwarded-for", b"unknown")], (None, None)),
        ([(b"x-forwarded-for", b"::ffff:10.0.0.3, 1.1.1.1:80")], ("1.1.1.1", None)),
        ([(b"x-forwarded-proto", b"HTTPS")], (None, "https")),
        ([(b"x-forwarded-proto", b"gopher")], (None, None)),
        (
            [(b"x-forwarded-for", b"1.1.1.1, 2.2.2.2"), (b"x-forwarded-proto", b"https, http")],
            ("2.2.2.2", "http"),
        ),
        (
            [(b"forwarded", b"for=1.1.1.1;proto=https, for=10.0.0.3;proto=http")],
            ("1.1.1.1", "https"),
        ),
        ([(b"forwarded", b'for="_hidden", for=10.0.0.3')], (None, None)),
        # X-Forwarded-For wins: proxies set it and pass a client's Forwarded through
        ([(b"forwarded", b"for=6.6.6.6"), (b"x-forwarded-for", b"2.2.2.2")], ("2.2.2.2", None)),
    ],
)
def test_forwarded_client(
    headers: list[tuple[bytes, bytes]], expected: tuple[str | None, str | None]
) -> None:
    from taperline.web.forwarded import forwarded_client, trusted_networks

    client, scheme = forwarded_client(headers, trusted_networks(["10.0.0.0/8"]))
    assert (client[0] if client else None, scheme) == expected


def test_forwarded_doctests() -> None:
    import doctest

    from taperline.web import forwarded

    result = doctest.testmod(forwarded, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


def _echo_client(app: FastAPI) -> None:
    def echo(request: Request) -> dict[str, str]:
        return {
            "client": request.client.host if request.client else "",
            "scheme": request.url.scheme,
        }

    app.add_api_route("/echo-client", echo)


def _seen_by(app: Any, peer: str, headers: dict[str, str]) -> dict[str, str]:
    async def ask() -> dict[str, str]:
        transport = httpx.ASGITransport(app=app, client=(peer, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answer: dict[str, str] = (await http.get("/echo-client", headers=headers)).json()
            return answer

    return anyio.run(ask)


@pytest.mark.parametrize(("listed", "expected"), [("", "127.0.0.1"), ("127.0.0.1", "198.51.100.1")])
def test_serve_leaves_forwarded_headers_to_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listed: str, expected: str
) -> None:
    import uvicorn
    from click.testing import CliRunner

    from taperline.cli.serve import serve

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("TAPERLINE_FORWARDED_ALLOW_IPS", listed)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.delenv("TAPERLINE_ENV", raising=False)
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 0, result.output
    app, options = calls[0]
    options["log_config"] = None  # uvicorn would reconfigure this process's logging
    config = uvicorn.Config(app, **options)
    config.load()  # what uvicorn serves: the app inside uvicorn's own middleware
    _echo_client(app)
    seen = _seen_by(config.loaded_app, "127.0.0.1", SPOOFED)
    assert seen == {"client": expected, "scheme": "https" if listed else "http"}


def test_serve_with_workers_leaves_forwarded_headers_to_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import uvicorn.supervisors
    from click.testing import CliRunner

    from taperline.cli.serve import serve

    configs: list[Any] = []

    class Supervisor:
        def __init__(self, config: Any, sockets: list[socket.socket]) -> None:
            configs.append(config)
            sockets[0].close()

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    monkeypatch.setenv("TAPERLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(serve, ["--workers", "2", "--port", str(port)])
    assert result.exit_code == 0, result.output
    assert configs[0].proxy_headers is False


# --- 3. production keys with enough entropy ------------------------------------------------

GUESSABLE_KEYS = (
    "k" * 40,  # one character
    "s" * 40,
    "ab" * 20,  # a short block, repeated
    "abc" * 14,
    "Tr0ub4dor&3" * 3,
    "1234567890" * 4,  # runs
    "abcdefghijklmnopqrstuvwxyz0123456789",
    "0123456789abcdef" * 2,
    "0110100110010110100101100110100110010110",  # two characters
    "passwordpasswordpasswordpassword",  # words
    "correcthorsebatterystaplecorrecthorse",
    "CorrectHorseBatteryStapleCorrectHorse",
    "supercalifragilisticexpialidocious",
    "qwertyuiopasdfghjklzxcvbnmqwertyuiop",
    "my-production-secret-key-for-the-clinic-server",
    "Th1s-is-my-very-long-production-secret-key!",
    "THISISMYSECRETKEYFORPRODUCTIONUSE",
    "PassWordSecretKeyForProduction2024!!",
    "Secret-Key-2024-Production-Clinic!",
)


def _production(key: str) -> object:
    from taperline.web.settings import Settings

    return Settings(database_url="sqlite://", environment="production", secret_key=key)


@pytest.mark.parametrize("key", GUESSABLE_KEYS)
def test_production_refuses_a_guessable_secret_key(key: str) -> None:
    from taperline.errors import InputError

    with pytest.raises(InputError, match="TAPERLINE_SECRET_KEY: too easy to guess") as refused:
        _production(key)
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in str(refused.value)


def test_production_refuses_a_short_or_default_key_and_says_how_to_make_one() -> None:
    from taperline.errors import InputError
    from taperline.web.settings import DEFAULT_SECRET_KEY

    for key, why in (("x7#Qp2!v", "too short"), (DEFAULT_SECRET_KEY, "set a random key")):
        with pytest.raises(InputError, match=why) as refused:
            _production(key)
        assert "secrets.token_urlsafe(32)" in str(refused.value)


def test_production_accepts_random_keys() -> None:
    import base64
    import os
    import secrets

    makers = (
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(32),
        lambda: secrets.token_hex(32).upper(),
        lambda: secrets.token_urlsafe(24),  # 32 characters, 192 bits
        lambda: secrets.token_hex(16),  # 32 characters, 128 bits
        lambda: base64.b64encode(os.urandom(32)).decode(),  # openssl rand -base64 32
        lambda: base64.b32encode(os.urandom(32)).decode(),
    )
    for make in makers:
        for _ in range(700):
            key = make()
            _production(key)  # no InputError
    from taperline.web.secret_key import MIN_KEY_BITS, key_strength_bits

    assert (
        min(key_strength_bits(secrets.token_urlsafe(32)) for _ in range(2000)) > 1.5 * MIN_KEY_BITS
    )


def test_secret_key_doctests() -> None:
    import doctest

    from taperline.web import secret_key

    result = doctest.testmod(secret_key, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


# --- 4. form bytes that are not UTF-8 ------------------------------------------------------

URLENCODED = {"content-type": "application/x-www-form-urlencoded"}
BOUNDARY = "taperline-test-boundary"


def _urlencoded(fields: dict[str, str], extra: bytes) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode() + b"&" + extra


def _multipart(fields: dict[str, str], name: str, value: bytes) -> tuple[bytes, dict[str, str]]:
    parts = [(k, v.encode()) for k, v in fields.items() if k != name] + [(name, value)]
    body = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode() + v + b"\r\n"
        for k, v in parts
    )
    body += f"--{BOUNDARY}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


def _assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text[:300]
    assert "text/html" in response.headers["content-type"]
    assert "UTF-8" in response.text


@pytest.mark.parametrize(
    "notes",
    [b"notes=%FF%FEslept", b"notes=\xff\xfeslept", b"notes=caf%C3", b"notes=%ED%A0%80"],
    ids=["escaped", "raw", "cut short", "surrogate"],
)
def test_a_check_in_form_that_is_not_utf8_is_refused(tmp_path: Path, notes: bytes) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        fields = {"csrf_token": web.csrf(), **checkin_form(TODAY)}
        del fields["notes"]
        response = web.client.post(
            "/checkin", content=_urlencoded(fields, notes), headers=URLENCODED
        )
        _assert_refused(response)
        assert not site.services.store.checkins(site.person_id("ann@example.org"), None, None)


def test_a_multipart_check_in_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        fields = {"csrf_token": web.csrf(), **checkin_form(TODAY)}
        body, headers = _multipart(fields, "notes", b"slept \xff\xfe well")
        _assert_refused(web.client.post("/checkin", content=body, headers=headers))
        assert not site.services.store.checkins(site.person_id("ann@example.org"), None, None)
        # the same form in UTF-8 is stored as sent
        body, headers = _multipart(fields, "notes", "café ☕ 睡眠".encode())
        saved = web.client.post("/checkin", content=body, headers=headers, follow_redirects=False)
        assert saved.status_code == 303, saved.text[:300]
        stored = site.services.store.checkin(site.person_id("ann@example.org"), TODAY)
        assert stored is not None
        assert stored.notes == "café ☕ 睡眠"


def test_a_sign_up_form_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        fields = {
            "csrf_token": web.csrf("/signup"),
            "role": "patient",
            "email": "ann@example.org",
            "password": "correct horse battery staple",
            "time_zone": "Europe/London",
        }
        body = _urlencoded(fields, b"display_name=Ann%E9e")  # Latin-1, not UTF-8
        _assert_refused(web.client.post("/signup", content=body, headers=URLENCODED))
        body, headers = _multipart(fields, "display_name", b"Ann\xe9e")
        _assert_refused(web.client.post("/signup", content=body, headers=headers))
        assert site.services.accounts.credentials("ann@example.org") is None
        body = _urlencoded(fields, b"display_name=Ren%C3%A9e")  # UTF-8
        made = web.client.post("/signup", content=body, headers=URLENCODED, follow_redirects=False)
        assert made.status_code == 303, made.text[:300]
        found = site.services.accounts.credentials("ann@example.org")
        assert found is not None
        assert found[0].display_name == "Renée"
