"""An adversarial review of three of today's changes, over HTTP and in Chromium.

* 96d9184, web/app.py ``CompressedStatic``: the static files and the worker gzip-compressed
  (Starlette's GZipMiddleware), a compressed file's ETag made weak; pages and the API never.
  What Starlette does with each Accept-Encoding, conditional, HEAD and Range requests, error
  answers under /static/ and /sw.js, the headers on compressed answers; in Chromium, the
  worker's shell after an update of a static file, offline, and installability.
* 4df3e82, taperline.js ``notice()`` / sw.js "drop": "Keep the other device's check-in" on a
  check-in the server sent back (409), beside one sent back for a question (422), two 409s,
  tapped twice, with no signal, by keyboard, axe-core in both themes, at 320 px.
* d8a1201, taperline.js ``data-once``: the journal's Delete and Undo sent once per page view;
  Back and Delete another day, a Delete refused (the day gone), the dose log's Undo, and the
  "Log a dose" form (not data-once) sent again after an error.

Defects found are strict xfails: door, input, observed, should.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import TIMEOUT_MS, axe_source, axe_violations, served
from tests.support.offline import (
    ASKED,
    NOTICE,
    QUEUE_COUNT,
    WORKER_IN_CONTROL,
    checks_in_offline,
    phone_with_saved_pages,
    saved_on_another_device,
    stored,
    until,
)
from tests.support.web import Site, Web, approved_plan, make_site

JS = "/static/vendor/htmx-2.0.11.min.js"
GZ = {"Accept-Encoding": "gzip"}
SECURITY = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "permissions-policy",
)


def _ann(site: Site) -> Web:
    ann = site.patient("ann@example.org")
    approved_plan(site, site.person_id("ann@example.org"), site.clock.today - timedelta(days=1))
    return ann


@pytest.fixture
def ann(tmp_path: Path) -> Iterator[Web]:
    with make_site(tmp_path) as site:
        yield _ann(site)


def _raw(web: Web, method: str, url: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """The answer as sent (headers, body bytes undecoded)."""
    with web.client.stream(method, url, headers=headers) as answer:
        return answer, b"".join(answer.iter_raw())


# --- 96d9184: what is compressed, for which Accept-Encoding ---------------------------------


@pytest.mark.parametrize(
    ("accept", "packed"),
    [
        ("gzip", True),
        ("gzip, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("x-gzip", False),  # not "gzip" (Starlette looked for the letters anywhere)
        ("identity", False),
        ("*", True),  # any coding: gzip too
        ("GZIP", True),  # codings are case-insensitive
        ("gzip;q=0, *", False),  # gzip refused by name
        ("", False),
    ],
)
def test_what_is_compressed_for_each_accept_encoding(ann: Web, accept: str, packed: bool) -> None:
    answer, body = _raw(ann, "GET", JS, {"Accept-Encoding": accept})
    plain = ann.client.get(JS, headers={"Accept-Encoding": "identity"}).content
    assert answer.status_code == 200
    assert (answer.headers.get("content-encoding") == "gzip") is packed
    assert (gzip.decompress(body) if packed else body) == plain
    assert "accept-encoding" in answer.headers["vary"].lower()  # caches keep the two apart
    assert answer.headers["cache-control"] == "public, max-age=3600"
    for name in SECURITY:
        assert name in answer.headers, name
    assert answer.headers["etag"].startswith('W/"')  # weak, compressed or not: one file
    if packed:
        assert int(answer.headers["content-length"]) == len(body)


@pytest.mark.parametrize("accept", ["gzip;q=0", "br, gzip;q=0"])
def test_gzip_refused_with_q_0_is_not_sent(ann: Web, accept: str) -> None:
    answer = ann.client.get(JS, headers={"Accept-Encoding": accept})
    assert "content-encoding" not in answer.headers


def test_pages_the_api_feeds_and_exports_are_never_compressed(ann: Web) -> None:
    """Whatever the Accept-Encoding: pages carry the CSRF token (BREACH)."""
    made = ann.post("/reminders/feed", {"replaces": _replaces(ann)})
    assert made.status_code == 303
    feed = re.search(
        r'id="feed-url" type="text" readonly value="http://[^/]+(/calendar/[^"]+)"',
        ann.get("/reminders").text,
    )
    assert feed, "a calendar feed link"
    urls = [
        "/dashboard", "/journal", "/checkin", "/account", "/account/audit", "/signin", "/learn",
        "/api/status", "/api/openapi.json", "/account/export", "/account/export.fhir.json",
        "/account/report.pdf", feed.group(1), "/no-such-page", "/journal/2000-01-01/delete",
    ]  # fmt: skip
    for accept in ("gzip", "gzip, br", "*", "GZIP", "gzip;q=1.0", "deflate, gzip"):
        for url in urls:
            answer = ann.client.get(url, headers={"Accept-Encoding": accept})
            assert answer.status_code in (200, 404, 405), (url, answer.status_code)
            assert "content-encoding" not in answer.headers, (url, accept)
    page = ann.client.get("/dashboard", headers=GZ)
    assert re.search(r'name="csrf_token" value="[^"]+"', page.text)  # the token: not compressed


def _replaces(web: Web) -> str:
    found = re.search(r'name="replaces" value="([^"]*)"', web.get("/reminders").text)
    assert found
    return found.group(1)


def test_error_answers_under_static_and_the_worker_carry_no_token_and_no_cache(
    ann: Web,
) -> None:
    """A 404 under /static/ and a 405 at /sw.js are compressed error pages: they reflect the
    path beside the (empty) CSRF field. No session is read there, so no token is in them."""
    for method, url in (
        ("GET", "/static/nothing-here.js"),
        ("GET", "/static/csrf_token%22value%3D%22a" + "b" * 400),
        ("GET", "/static/"),
        ("POST", JS),
        ("POST", "/sw.js"),
        ("HEAD", "/sw.js"),  # the worker's route answers GET only: 405
    ):
        answer, body = _raw(ann, method, url, GZ)
        assert answer.status_code in (404, 405), (method, url)
        assert answer.headers["cache-control"] == "no-store", url
        for name in SECURITY:
            assert name in answer.headers, name
        text = gzip.decompress(body).decode() if body else ""
        assert answer.headers["content-encoding"] == "gzip", url  # an HTML page, > 500 bytes
        assert 'name="csrf_token" value=""' in text or not text, url
        assert '"X-CSRF-Token": ""' in text or not text, url


def test_the_worker_is_compressed_never_cached_and_without_an_etag(ann: Web) -> None:
    answer, body = _raw(ann, "GET", "/sw.js", GZ)
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["cache-control"] == "no-store"
    assert "etag" not in answer.headers
    assert b"taperline-shell-" in gzip.decompress(body)
    assert b'"taperline-shell-1"' not in gzip.decompress(body)


def test_conditional_requests_revalidate_with_the_weak_or_the_strong_etag(ann: Web) -> None:
    packed = ann.client.get(JS, headers=GZ)
    weak = packed.headers["etag"]
    strong = weak.removeprefix("W/")
    for tag in (weak, strong, f'"other", {weak}', "*"):
        again = ann.client.get(JS, headers={**GZ, "If-None-Match": tag})
        assert again.status_code == 304, tag
        assert again.content == b""
        assert again.headers["cache-control"] == "public, max-age=3600"
    assert ann.client.get(JS, headers={**GZ, "If-None-Match": '"other"'}).status_code == 200


def test_a_304_carries_the_etag_and_vary_of_the_200(ann: Web) -> None:
    packed = ann.client.get(JS, headers=GZ)
    again = ann.client.get(JS, headers={**GZ, "If-None-Match": packed.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == packed.headers["etag"]
    assert "accept-encoding" in again.headers.get("vary", "").lower()


@pytest.mark.xfail(
    strict=True,
    reason="web/app.py CompressedStatic: HEAD /static/vendor/htmx with Accept-Encoding gzip ->"
    " 200 with no Content-Encoding and Content-Length 52182 (GZipMiddleware compresses no empty"
    " body) where GET gives gzip and 16896 (the ETag, weak, and Vary now agree); should send the"
    " header fields a GET would (RFC 9110 9.3.2). Browsers do not HEAD static files: left",
)
def test_head_says_what_get_sends(ann: Web) -> None:
    head = ann.client.head(JS, headers=GZ)
    got = ann.client.get(JS, headers=GZ)
    for name in ("content-encoding", "etag", "vary"):
        assert head.headers.get(name) == got.headers.get(name), name


def test_ranges_are_of_the_file_as_it_is_and_if_range_needs_a_strong_etag(ann: Web) -> None:
    """A range is of the file as it is (never compressed). Its ETag is weak, as every static
    answer's: an If-Range with it (weak never matches) gets the whole file (RFC 9110 13.1.5)."""
    plain = ann.client.get(JS, headers={"Accept-Encoding": "identity"})
    tag = plain.headers["etag"]
    assert tag.startswith('W/"')
    part = ann.client.get(JS, headers={**GZ, "Range": "bytes=0-99"})
    assert part.status_code == 206
    assert "content-encoding" not in part.headers
    assert part.content == plain.content[:100]
    assert part.headers["etag"] == tag
    whole = ann.client.get(JS, headers={**GZ, "Range": "bytes=0-99", "If-Range": tag})
    assert whole.status_code == 200
    assert whole.content == plain.content


def test_small_and_already_compressed_files_go_as_they_are(ann: Web) -> None:
    for url in ("/static/icon.svg", "/static/icon-192.png"):  # under 500 bytes; a PNG
        answer = ann.client.get(url, headers=GZ)
        assert "content-encoding" not in answer.headers, url
        assert answer.headers["etag"].startswith('W/"'), url
    manifest, body = _raw(ann, "GET", "/static/manifest.webmanifest", GZ)
    assert manifest.headers["content-encoding"] == "gzip"
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert b'"name"' in gzip.decompress(body)


# --- 96d9184 in Chromium: the worker's shell after an update, offline, installable ----------

#: What the updated site sends (set by the test): a new taperline.js and a worker naming a new
#: shell cache, as a release with a changed script would.
UPDATE: dict[str, bytes] = {}
NEW_SHELL = "taperline-shell-updated0001"


class _Updated:
    """Innermost ASGI layer (inside CompressedStatic): the updated files once UPDATE is set."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.responses import Response

        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path in UPDATE:
            headers = {"etag": '"updated-1"'} if path.startswith("/static/") else {}
            body = UPDATE[path]
            await Response(body, media_type="text/javascript", headers=headers)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


@pytest.fixture
def updatable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from starlette.middleware import Middleware

    import tests.support.browser as support
    from taperline.web.app import create_app as real

    def create_app(settings: Any) -> Any:
        app = real(settings)
        app.user_middleware.append(Middleware(_Updated))  # the last added is innermost
        return app

    monkeypatch.setattr(support, "create_app", create_app)
    UPDATE.clear()
    yield
    UPDATE.clear()


def _update_the_site() -> bytes:
    from importlib import resources

    from taperline.web.routes_device import _worker_script

    script = resources.files("taperline").joinpath("static/taperline.js").read_bytes()
    new_script = script + b"\n// the next release\n"
    worker = re.sub(rb'"taperline-shell-[0-9a-f]+"', f'"{NEW_SHELL}"'.encode(), _worker_script())
    UPDATE["/static/taperline.js"] = new_script
    UPDATE["/sw.js"] = worker
    return new_script


SHELLS = "() => caches.keys().then(keys => keys.filter(k => k.startsWith('taperline-shell')))"
SHELL_SCRIPT = """(name) => caches.open(name).then(c => c.match('/static/taperline.js'))
  .then(r => r ? r.text() : null)"""
ENCODING = """(url) => fetch(url, {cache: 'no-store'}).then(r => [r.status,
  r.headers.get('content-encoding'), r.headers.get('etag')])"""


@pytest.mark.slow
def test_the_shell_after_a_static_file_changes_and_offline(
    tmp_path: Path, browser: Any, updatable: None
) -> None:
    """A compressed shell is cached, a new worker names a new cache and drops the old, the
    pages work offline with it; Chromium finds the app installable (manifest sent gzip)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        [old] = ann.evaluate(SHELLS)
        assert ann.evaluate(SHELL_SCRIPT, old).startswith("// taperline")
        cdp = phone.new_cdp_session(ann)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert [e["errorId"] for e in errors] == ["in-incognito"]  # a test context: only that
        found = cdp.send("Page.getAppManifest")
        assert found["errors"] == [], found["errors"]
        assert '"name"' in found["data"]
        manifest = ann.evaluate(ENCODING, "/static/manifest.webmanifest")
        assert manifest[:2] == [200, "gzip"]
        new_script = _update_the_site()
        ann.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        until(ann, SHELLS, [NEW_SHELL])  # the old shell cache dropped
        phone.set_offline(True)
        ann.goto("/dashboard")
        expect(ann.locator("#offline")).to_contain_text(re.compile(r"^Offline since"))
        assert ann.evaluate("getComputedStyle(document.body).margin") != "8px"  # styled
        assert ann.evaluate(SHELL_SCRIPT, NEW_SHELL) is not None
        del new_script


@pytest.mark.slow
def test_a_new_shell_cache_holds_the_new_files(
    tmp_path: Path, browser: Any, updatable: None
) -> None:

    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (_phone, ann):
        new_script = _update_the_site()
        ann.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
        until(ann, SHELLS, [NEW_SHELL])
        assert ann.evaluate(SHELL_SCRIPT, NEW_SHELL) == new_script.decode()


# --- 4df3e82: "Keep the other device's check-in" -------------------------------------------

KEEP = "Keep the other device's check-in"
DAY_FIELD = "form.checkin input[name=date]"


def _tab_to(page: Any, name: str) -> None:
    """Tab until the focused element is the button ``name`` (keyboard only)."""
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    pytest.fail(f"Tab never reached {name!r}")


@pytest.mark.slow
def test_keep_drops_only_the_409_day_and_the_422_day_still_opens(
    tmp_path: Path, browser: Any
) -> None:
    """Day A (today) met the laptop's check-in (409), day B (yesterday, a 16 h night) was
    asked about (422). Keep, by keyboard, on A: A's copy gone, B opened next, without Keep.
    Back to A's reopened form and the journal: A is not brought back."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        day_a = checks_in_offline(ann, "A typed offline", long_night=False)
        day_b = (date.fromisoformat(day_a) - timedelta(days=1)).isoformat()
        checks_in_offline(ann, "B typed offline", day=date.fromisoformat(day_b))
        saved_on_another_device(tmp_path, day_a)
        phone.set_offline(False)
        expect(ann.locator(NOTICE)).to_contain_text("saved meanwhile on another device")
        expect(ann.locator(NOTICE)).to_contain_text("1 more check-in saved on this phone")
        expect(ann.locator(DAY_FIELD)).to_have_value(day_a)
        until(ann, ASKED, ["A typed offline", "B typed offline"])
        _tab_to(ann, KEEP)
        ann.keyboard.press("Enter")
        expect(ann.locator(DAY_FIELD)).to_have_value(day_b)  # B opened next, at once
        expect(ann.locator(NOTICE)).to_contain_text("the answer below needs a look")
        expect(ann.get_by_role("button", name=KEEP)).to_have_count(0)
        until(ann, ASKED, ["B typed offline"])
        ann.go_back()  # the journal the Keep went to: its notice; nothing opened again
        expect(ann).to_have_url(re.compile(r"/journal\?done=offline-dropped$"))
        expect(ann.get_by_role("status").first).to_contain_text("is gone from it")
        until(ann, ASKED, ["B typed offline"])
        checkins, _doses = stored(tmp_path)
        assert [(c.wake_date.isoformat(), c.mood, c.notes) for c in checkins] == [(day_a, 7, "")]


@pytest.mark.slow
def test_two_409s_keep_twice_tapped_then_with_no_signal_dark_at_320_px(
    tmp_path: Path, browser: Any
) -> None:
    """Two days met the laptop's. Keep tapped twice on the first: only its copy goes, the
    second opens with its own Keep (axe-core clean in the dark theme, no sideways scroll at
    320 px); Keep with no signal: the copy goes, the page says it is offline. A second tab
    opens nothing."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.add_cookies([{"name": "theme", "value": "dark", "url": base}])
        ann.set_viewport_size({"width": 320, "height": 640})
        phone.set_offline(True)
        day_a = checks_in_offline(ann, "A typed offline", long_night=False)
        day_b = (date.fromisoformat(day_a) - timedelta(days=1)).isoformat()
        checks_in_offline(ann, "B typed offline", long_night=False, day=date.fromisoformat(day_b))
        saved_on_another_device(tmp_path, day_a)
        saved_on_another_device(tmp_path, day_b)
        phone.set_offline(False)
        expect(ann.locator(DAY_FIELD)).to_have_value(day_a)
        keep = ann.get_by_role("button", name=KEEP)
        expect(keep).to_be_visible()
        until(ann, ASKED, ["A typed offline", "B typed offline"])
        keep.dblclick()  # tapped twice
        expect(ann.locator(DAY_FIELD)).to_have_value(day_b)
        expect(ann.locator(NOTICE)).to_contain_text("saved meanwhile on another device")
        until(ann, ASKED, ["B typed offline"])
        keep = ann.get_by_role("button", name=KEEP)
        expect(keep).to_be_visible()
        assert ann.evaluate("document.documentElement.dataset.theme") == "dark"
        assert axe_violations(ann, axe_source()) == []
        assert ann.evaluate("document.documentElement.scrollWidth") <= 320
        box = keep.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 320
        phone.set_offline(True)
        keep.tap()
        expect(ann.get_by_role("heading", name="You are offline")).to_be_visible()
        until(ann, ASKED, [])
        phone.set_offline(False)
        other = phone.new_page()  # a second tab: nothing left to open
        other.goto("/dashboard")
        expect(other.locator("h1")).to_be_visible()
        expect(other.locator(NOTICE)).to_have_count(0)
        expect(other).to_have_url(re.compile(r"/dashboard$"))
        checkins, _doses = stored(tmp_path)
        assert sorted((c.wake_date.isoformat(), c.mood, c.notes) for c in checkins) == [
            (day_b, 7, ""),
            (day_a, 7, ""),
        ]


def _stays(page: Any, script: str, expected: object, window_ms: int = 5000) -> None:
    """``script`` keeps giving ``expected`` for ``window_ms`` (an absence, polled: it fails as
    soon as anything else shows)."""
    from playwright.sync_api import Error

    for _ in range(window_ms // 100):
        try:
            found = page.evaluate(script)
        except Error as error:  # the page navigating: asked again
            if "context was destroyed" not in str(error):
                raise
            continue
        assert found == expected, f"found {found!r}, not {expected!r}, at {page.url}"
        page.wait_for_timeout(100)


@pytest.mark.slow
def test_keep_then_back_does_not_bring_the_copy_back(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        day_a = checks_in_offline(ann, "A typed offline", long_night=False)
        saved_on_another_device(tmp_path, day_a)
        phone.set_offline(False)
        keep = ann.get_by_role("button", name=KEEP)
        expect(keep).to_be_visible()
        keep.tap()
        expect(ann).to_have_url(re.compile(r"/journal\?done=offline-dropped$"))
        until(ann, ASKED, [])
        ann.go_back()
        _stays(ann, f"({ASKED})().then(a => ({QUEUE_COUNT})().then(q => [a, q.length]))", [[], 0])


# --- d8a1201: forms sent once per page view (data-once) ------------------------------------


def _delete(page: Any, day: str) -> Any:
    return page.locator(f'button[formaction="/journal/{day}/delete"]')


@pytest.mark.slow
def test_data_once_blocks_only_a_second_send_of_the_same_page(tmp_path: Path, browser: Any) -> None:
    """Delete, Back, Delete another day; Undo; a Delete refused (the day deleted in another
    tab: 404), Back, Delete another; Log a dose refused then corrected (not data-once: sent
    again); a dose removed and its Undo."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        today = date.fromisoformat(ann.locator("body").evaluate("() => new Date()"
                                   ".toLocaleDateString('en-CA')"))  # fmt: skip
        days = [(today - timedelta(days=n)).isoformat() for n in range(3)]
        for day in days:
            saved_on_another_device(tmp_path, day)
        undo = ann.locator("form.undo").get_by_role("button", name="Undo")
        ann.goto("/journal")
        _delete(ann, days[0]).click()
        expect(undo).to_be_visible()
        ann.go_back()  # bfcache or not: the journal sends a Delete again
        expect(ann).to_have_url(re.compile(r"/journal$"))
        _delete(ann, days[1]).click()
        expect(ann).to_have_url(re.compile(rf"/journal/{days[1]}/delete$"))
        expect(undo).to_be_visible()
        undo.click()
        expect(ann).to_have_url(re.compile(r"/journal\?days=60&done=checkin-restored$"))
        other = phone.new_page()  # another tab deletes the day the first still shows
        other.goto("/journal")
        _delete(other, days[2]).click()
        expect(other.locator("form.undo")).to_be_visible()
        other.close()
        _delete(ann, days[2]).click()  # refused: 404
        expect(ann.get_by_role("heading", name="Not found")).to_be_visible()
        ann.go_back()
        expect(ann).to_have_url(re.compile(r"/journal\?days=60&done=checkin-restored$"))
        _delete(ann, days[1]).click()
        expect(undo).to_be_visible()
        assert sorted(c.wake_date.isoformat() for c in stored(tmp_path)[0]) == []
        # Log a dose: refused (no dose chosen), corrected, sent again
        yesterday = days[1]
        ann.goto("/journal")
        ann.get_by_label("Day").fill(yesterday)
        ann.get_by_text("Taken", exact=True).click()
        ann.get_by_label("Time taken").fill("22:05")
        ann.get_by_role("button", name="Log the dose", exact=True).last.click()
        expect(ann.get_by_role("alert")).to_contain_text("The dose is not logged yet")
        ann.get_by_label("Which dose").select_option(label="22:00 dose")
        ann.get_by_role("button", name="Log the dose", exact=True).last.click()
        expect(ann.get_by_role("alert")).to_have_count(0)
        assert len(stored(tmp_path)[1]) == 1
        ann.goto("/journal")
        ann.get_by_role("button", name=re.compile("^Remove")).click()
        expect(undo).to_be_visible()
        undo.click()
        expect(ann).to_have_url(re.compile(r"/journal\?done=dose-restored$"))
        assert len(stored(tmp_path)[1]) == 1


def test_no_accept_encoding_header_at_all_gets_the_file_as_it_is(ann: Web) -> None:
    del ann.client.headers["accept-encoding"]  # httpx sends one by default
    for url in (JS, "/sw.js", "/static/manifest.webmanifest"):
        answer, body = _raw(ann, "GET", url, {})
        assert answer.request.headers.get("accept-encoding") is None
        assert answer.status_code == 200, url
        assert "content-encoding" not in answer.headers, url
        assert int(answer.headers["content-length"]) == len(body), url
        assert "accept-encoding" in answer.headers["vary"].lower(), url


@pytest.mark.slow
def test_a_shell_file_the_server_cannot_send_at_install_comes_from_the_http_cache(
    tmp_path: Path, browser: Any
) -> None:
    """The worker's install fetches the shell afresh (cache 'reload'); one file failing then
    (a weak signal) is taken from the browser's HTTP cache: the worker still installs and
    takes the page, the shell complete."""
    failed: list[str] = []

    def flaky(route: Any) -> None:
        if route.request.service_worker is not None and not failed:
            failed.append(route.request.url)
            route.abort()
            return
        route.continue_()

    with served(tmp_path) as base:
        context = browser.new_context(base_url=base)
        try:
            context.route("**/static/taperline.css", flaky)
            page = context.new_page()
            page.goto("/learn")  # a page signed out registers the worker too
            until(page, WORKER_IN_CONTROL, True)
            shell = page.evaluate(
                """() => caches.keys().then((keys) => caches.open(keys.find(
                     (k) => k.startsWith("taperline-shell-"))).then((c) => c.keys()))
                     .then((requests) => requests.map((r) => new URL(r.url).pathname))"""
            )
        finally:
            context.close()
    assert failed, "the install's fetch of taperline.css was not seen"
    assert "/static/taperline.css" in shell
