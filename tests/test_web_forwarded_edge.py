"""Forwarded headers from a listed proxy that give no usable client: never a failed request.

The README's clinic setup lists ``TAPERLINE_FORWARDED_ALLOW_IPS=127.0.0.1``. Then every
request from that address goes through ``forwarded_client``, also one that carries no
``X-Forwarded-For`` at all: a health check or an operator's ``curl`` on the machine, or a
proxy that does not add the header (nginx's ``proxy_pass`` adds none unless configured).
The middleware is the outermost layer, outside the error handler and the security headers,
so anything it raised would be a bare 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message, Scope

from taperline.web.app import create_app
from taperline.web.forwarded import forwarded_client, trusted_networks
from taperline.web.settings import Settings

PROXY = "127.0.0.1"


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings.for_tests(f"sqlite:///{tmp_path / 'web.db'}", forwarded_allow_ips=(PROXY,))
    with TestClient(
        create_app(settings), client=(PROXY, 50000), raise_server_exceptions=False
    ) as client:
        yield client


def _problem(response: httpx.Response) -> str:
    missing = "content-security-policy" not in response.headers
    return f"status {response.status_code}" + (", no security headers" if missing else "")


# Each request comes from the listed proxy itself.
REQUESTS = {
    "no forwarded headers (a local health check)": {},
    "an empty X-Forwarded-For": {"x-forwarded-for": ""},
}


@pytest.mark.parametrize("case", list(REQUESTS))
def test_a_listed_proxy_without_a_client_address_gets_an_answer(
    proxied: TestClient, case: str
) -> None:
    response = proxied.get("/healthz", headers=REQUESTS[case])
    answered = response.status_code == 200 and "content-security-policy" in response.headers
    assert answered, (
        f"a request from the listed proxy {PROXY} with {case} got {_problem(response)}:"
        " with no forwarded hop the client is the proxy itself and the scheme the"
        " connection's own; with the README's clinic settings every direct request to the"
        " app must still be answered"
    )


def test_the_readme_clinic_setup_answers_the_proxys_own_requests(proxied: TestClient) -> None:
    """The landing page, fetched by the proxy itself, as a load balancer's check would."""
    response = proxied.get("/")
    assert response.status_code == 200, (
        f"GET / from the listed proxy without X-Forwarded-For: {_problem(response)}"
    )


def _raw_get(app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> tuple[int, list[bytes]]:
    """One GET /healthz with raw header bytes, as h11 hands them over (no re-encoding)."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": (PROXY, 50000),
        "server": ("testserver", 80),
    }
    try:
        asyncio.run(app(scope, receive, send))
    except Exception:  # what uvicorn turns into a bare 500
        return 500, []
    start = next(m for m in sent if m["type"] == "http.response.start")
    return int(start["status"]), [name for name, _ in start["headers"]]


def test_a_forwarded_port_of_non_ascii_digits_is_not_a_500(tmp_path: Path) -> None:
    """A proxy that passes RFC 7239 ``Forwarded`` through untouched (it sets no X-Forwarded-For).

    ``str.isdigit`` is true for ``\u00b2`` (byte 0xB2 read as Latin-1) and ``int()`` refuses it,
    so the port must be checked for ASCII digits.
    """
    settings = Settings.for_tests(f"sqlite:///{tmp_path / 'web.db'}", forwarded_allow_ips=(PROXY,))
    app = create_app(settings)
    status, names = _raw_get(app, [(b"forwarded", b"for=203.0.113.9:\xb2")])
    answered = status == 200 and b"content-security-policy" in names
    assert answered, (
        f"Forwarded: for=203.0.113.9:<0xB2> from the listed proxy answered {status}"
        f" ({'with' if names else 'without'} security headers)"
    )


NETWORKS = trusted_networks(["10.0.0.0/8"])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], (None, None)),
        ([(b"x-forwarded-for", b"")], (None, None)),
        ([(b"x-forwarded-for", b" , ")], (None, None)),
        ([(b"forwarded", b"")], (None, None)),
        ([(b"forwarded", b"proto=https")], (None, "https")),
        ([(b"forwarded", b"for=203.0.113.9:\xb2")], (("203.0.113.9", 0), None)),
        ([(b"forwarded", b'for="[2001:db8::1]:99999"')], (("2001:db8::1", 0), None)),
        ([(b"forwarded", b"for=_hidden;proto=https")], (None, "https")),
        # the nearest unlisted hop is no address: the client is not taken from further left
        ([(b"x-forwarded-for", b"203.0.113.9, unknown, 10.0.0.2")], (None, None)),
        ([(b"x-forwarded-for", b"[::1, \xff\xb2:\xb9, ]:")], (None, None)),
    ],
)
def test_an_unusable_forwarded_value_gives_no_client_and_never_raises(
    headers: list[tuple[bytes, bytes]], expected: tuple[tuple[str, int] | None, str | None]
) -> None:
    assert forwarded_client(headers, NETWORKS) == expected
