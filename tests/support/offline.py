"""What the offline browser tests share: the queue and cache as the page sees them, a sign-up.

The app's IndexedDB queue and the service worker's saved pages read from a page (scripts for
``page.evaluate``), a patient signing up with a regimen (22:00, so today has a dose to tap),
and what the server stored (the served app's ``browser.db``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Final

import pytest

from taperline.service import open_store
from tests.support.browser import PHONE, TIME_ZONE, TIMEOUT_MS
from tests.support.web import PASSWORD

__all__ = [
    "ASKED",
    "EMAIL",
    "LONG_NIGHT",
    "NOTICE",
    "NOTICE_START",
    "QUEUE_COUNT",
    "SAVED_PAGES",
    "WORKER_IN_CONTROL",
    "WORKER_READY",
    "checks_in_offline",
    "phone_with_saved_pages",
    "reopened",
    "saved_on_another_device",
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
#: Whether a worker is active for the page within 10 s (false: its install failed, or is slow).
WORKER_READY = """() => Promise.race([
  navigator.serviceWorker.ready.then(() => true),
  new Promise((resolve) => setTimeout(() => resolve(false), 10000)),
])"""


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


def signs_up_with_a_regimen(
    ann: Any, doses: str = "0.5 mg at 22:00", time_zone: str = TIME_ZONE
) -> None:
    """Ann signs up with clonazepam ``doses`` (the page offers the browser's ``time_zone``)."""
    from playwright.sync_api import expect

    ann.goto("/signup")
    expect(ann.get_by_label("Time zone")).to_have_value(time_zone)
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_label("E-mail address").fill(EMAIL)
    ann.get_by_label("Password").fill(PASSWORD)
    ann.locator("#regimen_drug").fill("clonazepam")
    ann.locator("#regimen_doses").fill(doses)
    ann.get_by_role("button", name="Create account").click()
    expect(ann).to_have_url(re.compile(r"/dashboard$"))


@contextmanager
def phone_with_saved_pages(
    browser: Any, base: str, time_zone: str = TIME_ZONE
) -> Iterator[tuple[Any, Any]]:
    """A phone (a context of its own: the worker and its caches) and Ann's page on it.

    Ann has signed up with a regimen, the service worker controls the page and has saved
    today's page and the check-in form for a morning without signal. The phone's clock is
    in ``time_zone``. Closed afterwards.
    """
    phone = browser.new_context(
        base_url=base, viewport=PHONE, is_mobile=True, has_touch=True, timezone_id=time_zone
    )
    try:
        phone.set_default_timeout(TIMEOUT_MS)
        ann = phone.new_page()
        signs_up_with_a_regimen(ann, time_zone=time_zone)
        if ann.evaluate(WORKER_READY) is not True:  # an install that failed: the next page
            ann.reload()  # registers the worker again, as a phone's next page would
        until(ann, WORKER_IN_CONTROL, True)
        until(ann, SAVED_PAGES, ["/checkin", "/dashboard"])
        yield phone, ann
    finally:
        phone.close()


#: The check-in form's fields for a night of 16 h 25 min from trying to sleep (asked about).
LONG_NIGHT: Final = (
    ("Went to bed", "19:30"),
    ("Tried to sleep", "19:40"),
    ("Woke up for good", "12:05"),
    ("Got up", "12:30"),
    ("Minutes to fall asleep", "10"),
    ("Times woken", "0"),
    ("Minutes awake in the night", "0"),
)
#: The notes of each check-in the worker keeps sent back (IndexedDB "meta", "asked:..."),
#: sorted; given ``later_ms``, each one's "opened" mark moved that far back (the phone's
#: clock that much later: the worker cannot be given another clock).
ASKED: Final = """(later_ms) => new Promise((resolve, reject) => {
  const open = indexedDB.open("taperline", 1);
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const store = db.transaction("meta", "readwrite").objectStore("meta");
    const request = store.getAll();
    request.onsuccess = () => {
      const asked = request.result.filter(e => String(e.key).startsWith("asked"));
      for (const e of asked) {  // the phone's clock later_ms on: the mark as long ago
        if (later_ms && e.opened) { e.opened -= later_ms; store.put(e); }
      }
      db.close();
      resolve(asked.map(e => new URLSearchParams(e.body).get("notes")).sort());
    };
    request.onerror = () => { db.close(); reject(request.error); };
  };
})"""
#: The notice on a check-in opened again from the phone's offline save (taperline.js).
NOTICE: Final = "#offline-opened"
#: How that notice begins (the clock time and what it says next follow).
NOTICE_START: Final = r"^This is the check-in you saved on this phone while offline "


def checks_in_offline(
    ann: Any, notes: str, *, long_night: bool = True, day: date | None = None
) -> str:
    """A check-in saved on the saved form while offline; the day it is for.

    Mood 3, anxiety 6, a night of 16 h 25 min (:data:`LONG_NIGHT`; else the diary skipped) and
    ``notes``; dated ``day`` when given (a form saved that morning), else the form's day.
    """
    from playwright.sync_api import expect

    ann.goto("/checkin")  # the saved form
    expect(ann.locator("#offline")).to_contain_text(re.compile(r"^Offline since \d\d:\d\d\."))
    field = ann.locator("form.checkin input[name=date]")
    if day is not None:
        field.evaluate("(input, day) => { input.value = day; }", day.isoformat())
    typed_day = str(field.input_value())
    ann.locator("#mood").get_by_text("3", exact=True).tap()
    ann.locator("#anxiety").get_by_text("6", exact=True).tap()
    if long_night:
        for label, value in LONG_NIGHT:
            ann.get_by_label(label).fill(value)
        ann.locator("#quality").get_by_text("fair", exact=True).tap()
    else:
        ann.get_by_label("Skip the sleep diary today").check()
    ann.get_by_label("Notes").fill(notes)
    ann.get_by_role("button", name="Save check-in").last.tap()
    expect(ann).to_have_url(re.compile(r"/dashboard\?queued=checkin$"))
    return typed_day


def reopened(ann: Any, day: str, notes: str, more: str = "") -> None:
    """The page is the long-night check-in of ``day`` opened again, as typed, with the notice
    that it was saved offline (and ``more``: what else waits)."""
    from playwright.sync_api import expect

    expect(ann.locator("#long_night-error")).to_contain_text("is 16 h 25 min")
    expect(ann.locator("form.checkin input[name=date]")).to_have_value(day)
    expect(ann.get_by_label("Notes")).to_have_value(notes)
    expect(ann.get_by_label("Tried to sleep")).to_have_value("19:40")
    expect(ann.locator(NOTICE)).to_have_text(
        re.compile(
            NOTICE_START + r"\((?:yesterday )?at \d\d:\d\d\)\. "
            r"It has not been saved yet: the answer below needs a look\." + re.escape(more) + "$"
        )
    )


def saved_on_another_device(tmp_path: Path, day: str) -> None:
    """The day's check-in saved meanwhile on the laptop (mood 7, anxiety 2, no notes)."""
    from taperline.core.journal import CheckIn

    store = open_store(f"sqlite:///{tmp_path / 'browser.db'}", migrate_schema=False)
    try:
        (person_id,) = store.person_ids()
        store.save_checkin(person_id, CheckIn(date.fromisoformat(day), None, mood=7, anxiety=2))
    finally:
        store.engine.dispose()


def stored(tmp_path: Path) -> tuple[list[Any], list[Any]]:
    store = open_store(f"sqlite:///{tmp_path / 'browser.db'}", migrate_schema=False)
    try:
        (person_id,) = store.person_ids()
        return list(store.checkins(person_id)), list(store.doses(person_id))
    finally:
        store.engine.dispose()
