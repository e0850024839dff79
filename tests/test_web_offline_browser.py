"""Installable and offline in a real browser (issue 18, section 1): Debian's chromium at a
phone's size, driven by Playwright, on the app served by uvicorn (``served`` from
``tests/test_web_browser.py``).

A patient signs up with a regimen (22:00), so today's page has a dose to tap. Then:

1. Chromium finds nothing missing to install the app (``Page.getInstallabilityErrors``:
   the manifest, its icons and a service worker controlling the page);
2. offline, today's page is the saved one with "Offline since HH:MM"; a dose tap is queued
   in IndexedDB with its idempotency key and the worker registers a Background Sync;
3. back online with no page of the app open, the "sync" event (dispatched through the
   DevTools protocol) sends it, and saves today's page again;
4. offline again, a check-in is queued; back online, the page sends it (the fallback where
   there is no Background Sync), today's page shows both, and the server holds each once,
   also after the same requests are sent again;
5. after sign-out no saved page and no queued entry is left.

And a page saved the day before, opened offline the next morning, says it is that day's.

Skipped without ``/usr/bin/chromium`` (failed under ``CI``), as the walk-through is.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    TIME_ZONE,
    TIMEOUT_MS,
    served,
    watch_console,
    whole_page_screenshot,
)
from tests.support.offline import (
    QUEUE_COUNT,
    SAVED_PAGES,
    WORKER_IN_CONTROL,
    phone_with_saved_pages,
    signs_up_with_a_regimen,
    stored,
    until,
)

PUT_ENTRY = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("taperline", 1);
  open.onsuccess = () => {
    const db = open.result;
    const tx = db.transaction("queue", "readwrite");
    tx.objectStore("queue").put({id: "checkin:0", kind: "checkin", url: "/checkin", body: ""});
    tx.oncomplete = () => { db.close(); resolve(null); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  };
})"""
RESEND = """(items) => {
  const csrf = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
  return Promise.all(items.map(item => {
    const fields = new URLSearchParams(item.body);
    fields.set("csrf_token", csrf);
    return fetch(item.url, {method: "POST", body: fields, redirect: "manual"})
      .then(r => r.type === "opaqueredirect" ? 303 : r.status);
  }));
}"""


def _is_installable(ann: Any) -> None:
    until(ann, WORKER_IN_CONTROL, True)
    # the worker saved today's page and check-in form for a morning without signal
    until(ann, SAVED_PAGES, ["/checkin", "/dashboard"])
    cdp = ann.context.new_cdp_session(ann)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/static/manifest.webmanifest"), manifest
    assert not manifest["errors"], manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors


SYNC_TAGS = """() => navigator.serviceWorker.ready
  .then(r => r.sync ? r.sync.getTags() : "no Background Sync")"""


def _taps_a_dose_offline(ann: Any, tmp_path: Path) -> list[dict[str, Any]]:
    from playwright.sync_api import expect

    ann.goto("/dashboard")  # the saved page
    expect(ann.locator("#offline")).to_contain_text(re.compile(r"^Offline since \d\d:\d\d\. "))
    dose = ann.locator("li.dose-line").first
    expect(dose).to_contain_text("22:00")
    whole_page_screenshot(ann, tmp_path / "offline-dashboard.png")
    dose.get_by_role("button", name="Taken", exact=True).tap()  # htmx, to the worker
    expect(ann.locator("li.dose-line").first).to_contain_text("saved on this phone")
    queued: list[dict[str, Any]] = ann.evaluate(QUEUE_COUNT)
    assert [item["kind"] for item in queued] == ["dose"]
    assert re.fullmatch(r"dose:\d{4}-\d\d-\d\d:22:00", queued[0]["id"]), queued
    assert ann.evaluate(SYNC_TAGS) == ["taperline-queue"]  # the worker asked for a sync
    return queued


def _background_sync_sends_it(ann: Any, base: str, tmp_path: Path) -> None:
    """No page of the app open, back online: the browser's "sync" event sends the queue.

    Chromium fires it when its own network service sees a connection come back, which the
    test's offline switch does not change: the DevTools protocol dispatches it instead.
    """
    ann.goto("about:blank")  # no page of the app to send anything
    ann.context.set_offline(False)
    cdp = ann.context.new_cdp_session(ann)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(TIMEOUT_MS // 50):
        if registrations:
            break
        ann.wait_for_timeout(50)
    (registration,) = {r["registrationId"]: r for r in registrations if not r["isDeleted"]}.values()
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {
            "origin": base,
            "registrationId": registration["registrationId"],
            "tag": "taperline-queue",
            "lastChance": False,
        },
    )
    for _ in range(TIMEOUT_MS // 100):
        if stored(tmp_path)[1]:
            break
        ann.wait_for_timeout(100)
    checkins, doses = stored(tmp_path)
    assert checkins == []
    assert [(d.planned_clock, d.taken_at is not None) for d in doses] == [("22:00", True)]
    cdp.detach()


def _checks_in_offline(ann: Any) -> list[dict[str, Any]]:
    from playwright.sync_api import expect

    ann.goto("/checkin")
    expect(ann.locator("#offline")).to_contain_text(re.compile(r"^Offline since \d\d:\d\d\."))
    ann.locator("#mood").get_by_text("7", exact=True).tap()
    ann.locator("#anxiety").get_by_text("4", exact=True).tap()
    for label, value in (
        ("Went to bed", "23:00"),
        ("Tried to sleep", "23:10"),
        ("Woke up for good", "06:40"),
        ("Got up", "07:00"),
        ("Minutes to fall asleep", "25"),
        ("Times woken", "1"),
        ("Minutes awake in the night", "10"),
    ):
        ann.get_by_label(label).fill(value)
    ann.locator("#quality").get_by_text("fair", exact=True).tap()
    ann.get_by_label("Notes").fill("written on the train, no signal")
    ann.get_by_role("button", name="Save check-in").last.tap()
    expect(ann).to_have_url(re.compile(r"/dashboard\?queued=checkin$"))
    expect(ann.locator("#offline")).to_contain_text("Your check-in is saved on this phone.")
    expect(ann.locator("#offline")).to_contain_text("1 entry waits to be sent")
    # the dose the sync sent is on today's page as the worker saved it again after sending
    dose = ann.locator("li.dose-line").first
    expect(dose).to_contain_text("Taken at")
    expect(dose.get_by_role("button", name="Taken", exact=True)).to_have_count(0)
    queued: list[dict[str, Any]] = ann.evaluate(QUEUE_COUNT)
    assert [item["kind"] for item in queued] == ["checkin"]
    assert re.fullmatch(r"checkin:[0-9a-f]{32}", queued[0]["id"]), queued
    return queued


def _sends_the_queue(ann: Any, queued: list[dict[str, Any]]) -> None:
    from playwright.sync_api import expect

    expect(ann).to_have_url(re.compile(r"/dashboard$"))
    expect(ann.get_by_text("Done for today")).to_be_visible()
    expect(ann.locator("li.dose-line").first).to_contain_text("Taken at")
    expect(ann.locator("#offline")).to_be_hidden()
    assert ann.evaluate(QUEUE_COUNT) == []
    # the same requests again (a lost answer, a second tab): nothing new is stored
    assert ann.evaluate(RESEND, queued) == [303, 409]  # checkin first, by its key


def _the_server_holds_each_once(tmp_path: Path) -> None:
    checkins, doses = stored(tmp_path)
    assert len(checkins) == 1
    assert checkins[0].notes == "written on the train, no signal"
    assert [(d.planned_clock, d.taken_at is not None) for d in doses] == [("22:00", True)]


def _signs_out_and_nothing_stays(ann: Any) -> None:
    from playwright.sync_api import expect

    ann.evaluate(PUT_ENTRY)  # an entry waiting (the server is down, say), a page saved
    ann.evaluate("""() => caches.open("taperline-pages")
      .then(c => c.put("/journal", new Response("health data")))""")
    assert len(ann.evaluate(QUEUE_COUNT)) == 1
    assert ann.evaluate(SAVED_PAGES) == ["/checkin", "/dashboard", "/journal"]
    ann.get_by_role("button", name="Sign out").click()
    expect(ann).to_have_url(re.compile(r"/\?done=signed-out$"))
    assert ann.evaluate(SAVED_PAGES) == []
    assert ann.evaluate(QUEUE_COUNT) == []


@pytest.mark.slow
def test_offline_queue_sync_and_sign_out(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    with served(tmp_path) as base:
        # a profile on disk: Chromium does not install apps from an incognito context (the
        # shared driver starts a Chromium of its own for it)
        phone = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=base,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            timezone_id=TIME_ZONE,
        )
        try:
            phone.set_default_timeout(TIMEOUT_MS)
            ann = phone.new_page()
            watch_console(ann, errors)
            signs_up_with_a_regimen(ann)
            _is_installable(ann)

            phone.set_offline(True)
            queued = _taps_a_dose_offline(ann, tmp_path)
            _background_sync_sends_it(ann, base, tmp_path)  # the dose, with no page open
            phone.set_offline(True)
            ann.goto("/dashboard")
            queued += _checks_in_offline(ann)
            # the fallback: the page sends the queue when the connection returns
            phone.set_offline(False)  # the page sends the queue and shows today's page again
            _sends_the_queue(ann, sorted(queued, key=lambda item: item["id"]))
            _the_server_holds_each_once(tmp_path)
            _signs_out_and_nothing_stays(ann)
        finally:
            phone.close()
    # Expected: the page's tries while offline, and the dose sent again on purpose (409).
    offline = [
        e for e in errors if e.endswith("Failed to load resource: net::ERR_INTERNET_DISCONNECTED")
    ]
    resent = [e for e in errors if e.endswith("status of 409 (Conflict)")]
    assert len(resent) == 1, errors
    assert not [e for e in errors if e not in offline + resent], errors


@pytest.mark.slow
def test_a_page_saved_yesterday_says_so_offline(tmp_path: Path, browser: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        ann.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=1))  # the next morning
        ann.goto("/checkin")
        banner = ann.locator("#offline")
        expect(banner).to_contain_text(re.compile(r"^Offline since \d\d:\d\d\."))
        expect(banner).to_contain_text("not today: what you save here is for that day.")
