"""What the offline browser tests share: the queue and cache as the page sees them, a sign-up.

The app's IndexedDB queue and the service worker's saved pages read from a page (scripts for
``page.evaluate``), a patient signing up with a regimen (22:00, so today has a dose to tap),
and what the server stored (the served app's ``browser.db``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from taperline.service import open_store
from tests.support.browser import PHONE, TIME_ZONE, TIMEOUT_MS
from tests.support.web import PASSWORD

__all__ = [
    "EMAIL",
    "QUEUE_COUNT",
    "SAVED_PAGES",
    "phone_with_saved_pages",
    "signs_up_with_a_regimen",
    "stored",
    "until",
]

EMAIL = "ann@example.org"
QUEUE_COUNT = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("taperline", 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore("queue", {keyPath: "id"});
    open.result.createObjectStore("meta", {keyPath: "key"});
  };
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const request = db.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => { db.close(); resolve(request.result); };
    request.onerror = () => { db.close(); reject(request.error); };
  };
})"""
SAVED_PAGES = """() => caches.keys().then(keys => keys.includes("taperline-pages")
  ? caches.open("taperline-pages").then(c => c.keys())
      .then(found => found.map(r => new URL(r.url).pathname).sort())
  : [])"""


#: Whether the service worker controls the page (polled by :func:`until`).
WORKER_IN_CONTROL = "navigator.serviceWorker.controller !== null"


def until(page: Any, script: str, expected: object) -> None:
    """Evaluate ``script`` (it may return a promise) until it gives ``expected``.

    Polled from here, never with ``page.wait_for_function``: its in-page polling evaluates
    the predicate as a string, which the app's Content-Security-Policy (no 'unsafe-eval')
    refuses whenever the first try is not already true (a flake when the machine is busy).
    """
    found = None
    for _ in range(TIMEOUT_MS // 100):
        found = page.evaluate(script)
        if found == expected:
            return
        page.wait_for_timeout(100)
    pytest.fail(f"{script} gave {found!r}, not {expected!r}")


def signs_up_with_a_regimen(ann: Any, doses: str = "0.5 mg at 22:00") -> None:
    """Ann signs up with clonazepam ``doses`` (the page offers the browser's time zone)."""
    from playwright.sync_api import expect

    ann.goto("/signup")
    expect(ann.get_by_label("Time zone")).to_have_value(TIME_ZONE)
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_label("E-mail address").fill(EMAIL)
    ann.get_by_label("Password").fill(PASSWORD)
    ann.locator("#regimen_drug").fill("clonazepam")
    ann.locator("#regimen_doses").fill(doses)
    ann.get_by_role("button", name="Create account").click()
    expect(ann).to_have_url(re.compile(r"/dashboard$"))


@contextmanager
def phone_with_saved_pages(browser: Any, base: str) -> Iterator[tuple[Any, Any]]:
    """A phone (a context of its own: the worker and its caches) and Ann's page on it.

    Ann has signed up with a regimen, the service worker controls the page and has saved
    today's page and the check-in form for a morning without signal. Closed afterwards.
    """
    phone = browser.new_context(
        base_url=base, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id=TIME_ZONE
    )
    try:
        phone.set_default_timeout(TIMEOUT_MS)
        ann = phone.new_page()
        signs_up_with_a_regimen(ann)
        until(ann, WORKER_IN_CONTROL, True)
        until(ann, SAVED_PAGES, ["/checkin", "/dashboard"])
        yield phone, ann
    finally:
        phone.close()


def stored(tmp_path: Path) -> tuple[list[Any], list[Any]]:
    store = open_store(f"sqlite:///{tmp_path / 'browser.db'}", migrate_schema=False)
    try:
        (person_id,) = store.person_ids()
        return list(store.checkins(person_id)), list(store.doses(person_id))
    finally:
        store.engine.dispose()
