"""Hardening of the web app (issue 14): security headers on every answer, errors included;
forwarded headers trusted only from listed proxies; production keys with enough entropy;
form bytes that are not UTF-8 refused with 400.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from tests.test_web_support import make_site

SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "permissions-policy",
)


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
