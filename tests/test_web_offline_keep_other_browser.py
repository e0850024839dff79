"""A check-in saved offline that meets the day saved on another device can be let go.

The phone's copy of a day saved meanwhile on another device (409) is opened again with a
notice (tests/test_web_offline_asked_notice_browser.py), and the worker keeps it until that
day's check-in is saved (tests/test_web_offline_reopened_kept_browser.py). A person who
prefers the other device's check-in had no way to say so: the only way out was to save the
phone's over it, and Today opened the phone's copy again every 10 minutes. The notice now has
a button, "Keep the other device's check-in": the phone's copy is forgotten (never sent, never
opened again), the journal says so, and the other device's check-in is untouched.

Debian's chromium through tests/support (skipped without it, as the other browser tests).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import TIMEOUT_MS, axe_source, axe_violations, served
from tests.support.offline import (
    ASKED,
    NOTICE,
    QUEUE_COUNT,
    checks_in_offline,
    phone_with_saved_pages,
    saved_on_another_device,
    stored,
    until,
)

NOTES = "typed in bed, no signal"
KEEP = "Keep the other device's check-in"


@pytest.mark.slow
def test_the_other_device_s_check_in_kept_and_the_phone_s_copy_forgotten(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        day = checks_in_offline(ann, NOTES, long_night=False)
        saved_on_another_device(tmp_path, day)
        phone.set_offline(False)  # the page sends the queue; the day has a check-in (409)
        expect(ann.locator(NOTICE)).to_contain_text("saved meanwhile on another device")
        keep = ann.get_by_role("button", name=KEEP)
        expect(keep).to_be_visible()
        assert axe_violations(ann, axe_source()) == []
        until(ann, ASKED, [NOTES])
        keep.tap()
        expect(ann).to_have_url(re.compile(r"/journal\?done=offline-dropped$"))
        expect(ann.get_by_role("status").first).to_contain_text(
            "The check-in saved on this phone while offline is gone from it"
        )
        until(ann, ASKED, [])
        assert ann.evaluate(QUEUE_COUNT) == []
        assert ann.evaluate(ASKED, 11 * 60 * 1000) == []  # 11 minutes on: nothing to open
        ann.goto("/dashboard")
        expect(ann.locator(NOTICE)).to_have_count(0)
        expect(ann).to_have_url(re.compile(r"/dashboard$"))
        [kept] = stored(tmp_path)[0]
        assert (kept.wake_date.isoformat(), kept.mood, kept.notes) == (day, 7, "")


@pytest.mark.slow
def test_a_long_night_asked_about_offers_no_such_choice(tmp_path: Path, browser: Any) -> None:
    """A 422 (a night over 16 h) is the phone's only copy of the day: no button drops it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        checks_in_offline(ann, NOTES)
        phone.set_offline(False)
        expect(ann.locator(NOTICE)).to_contain_text("the answer below needs a look")
        expect(ann.get_by_role("button", name=KEEP)).to_have_count(0)
        until(ann, ASKED, [NOTES])
