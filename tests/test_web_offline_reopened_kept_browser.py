"""A check-in opened again and left unsaved is still on the phone, and opens again later.

A check-in saved offline that the server sends back (422: a night over 16 h) is kept by the
service worker and opened again with everything typed (tests/test_web_offline_asked_notice_
browser.py). The worker deleted it when it opened it: a person who then locked the phone or
closed the tab without answering lost the night, the mood and the notes in silence. It is now
kept until that day's check-in is saved (the POST /checkin redirected to Today), marked with
when it was opened: a page loaded within 10 minutes does not open it over itself, one loaded
later (the time moved on here by moving the mark back) opens it again, as typed. Answered and
saved, it is gone from the phone and the server holds it once.

Debian's chromium through tests/support (skipped without it, as the other browser tests).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import TIMEOUT_MS, served
from tests.support.offline import (
    ASKED,
    NOTICE,
    QUEUE_COUNT,
    checks_in_offline,
    phone_with_saved_pages,
    reopened,
    stored,
    until,
)

NOTES = "typed in bed, no signal"
WORKER_OPENS = """() => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data.result);
  navigator.serviceWorker.controller.postMessage(
    {type: "asked", who: document.body.dataset.signedIn}, [channel.port2]);
})"""


@pytest.mark.slow
def test_a_check_in_opened_again_and_closed_unsaved_is_kept_and_opens_again(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, first):
        phone.set_offline(True)
        day = checks_in_offline(first, NOTES)
        phone.set_offline(False)  # the page sends the queue; the server asks (422)
        reopened(first, day, NOTES)
        until(first, QUEUE_COUNT, [])
        until(first, ASKED, [NOTES])  # kept while it is on screen
        first.close()  # the phone locked, the tab closed: nothing answered, nothing saved
        ann = phone.new_page()
        ann.goto("/dashboard")
        until(ann, ASKED, [NOTES])  # still on the phone
        assert ann.evaluate(WORKER_OPENS) is None  # not opened twice within 10 minutes
        assert stored(tmp_path)[0] == []
        assert ann.evaluate(ASKED, 11 * 60 * 1000) == [NOTES]  # 11 minutes on
        ann.goto("/dashboard")  # opens it again, as typed
        reopened(ann, day, NOTES)
        until(ann, ASKED, [NOTES])
        ann.get_by_label("Yes, I slept that long").check()
        ann.get_by_role("button", name="Save check-in").last.tap()
        expect(ann).to_have_url(re.compile(r"/dashboard\?done=checkin$"))
        until(ann, ASKED, [])  # saved: gone from the phone
        assert ann.evaluate(QUEUE_COUNT) == []
        [checkin] = stored(tmp_path)[0]
        assert (checkin.wake_date.isoformat(), checkin.notes, checkin.mood) == (day, NOTES, 3)
        assert checkin.sleep is not None
        assert checkin.sleep.tried.strftime("%H:%M") == "19:40"
        ann.goto("/dashboard")  # an ordinary Today: nothing to open
        expect(ann.locator(NOTICE)).to_have_count(0)
        assert ann.evaluate(WORKER_OPENS) is None
