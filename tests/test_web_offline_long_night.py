"""A check-in saved offline that the server asks about is opened again with all that was typed.

A night over 16 h is asked about ("Yes, I slept that long"): the check-in form answers 422
with the form drawn again. The service worker treated any 422 of a queued entry as refused
and deleted it ("Something you saved offline was not accepted... enter it again"): the mood,
the notes and the night were lost and the question never shown. It now keeps such an entry
(IndexedDB "meta", key "asked") and the page sends it again as a form, so the person sees
the server's answer: the question and every field as typed; ticked and saved, it is kept.

Debian's chromium through tests/support (skipped without it, as the other browser tests).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import TIMEOUT_MS, served
from tests.support.offline import QUEUE_COUNT, phone_with_saved_pages, stored, until

NOTES = "ill all day, slept and slept"


def _checks_in_a_long_night_offline(ann: Any) -> None:
    from playwright.sync_api import expect

    ann.goto("/checkin")  # the saved form
    expect(ann.locator("#offline")).to_contain_text(re.compile(r"^Offline since \d\d:\d\d\."))
    ann.locator("#mood").get_by_text("3", exact=True).tap()
    ann.locator("#anxiety").get_by_text("6", exact=True).tap()
    for label, value in (
        ("Went to bed", "19:30"),
        ("Tried to sleep", "19:40"),
        ("Woke up for good", "12:05"),
        ("Got up", "12:30"),
        ("Minutes to fall asleep", "10"),
        ("Times woken", "0"),
        ("Minutes awake in the night", "0"),
    ):
        ann.get_by_label(label).fill(value)
    ann.locator("#quality").get_by_text("fair", exact=True).tap()
    ann.get_by_label("Notes").fill(NOTES)
    ann.get_by_role("button", name="Save check-in").last.tap()
    expect(ann).to_have_url(re.compile(r"/dashboard\?queued=checkin$"))
    assert [item["kind"] for item in ann.evaluate(QUEUE_COUNT)] == ["checkin"]


@pytest.mark.slow
def test_a_long_night_queued_offline_is_asked_about_with_what_was_typed(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        _checks_in_a_long_night_offline(ann)
        phone.set_offline(False)  # the page sends the queue; the server asks (422)
        expect(ann.locator("#long_night-error")).to_contain_text("is 16 h 25 min")
        expect(ann.get_by_label("Notes")).to_have_value(NOTES)
        expect(ann.get_by_label("Tried to sleep")).to_have_value("19:40")
        until(ann, QUEUE_COUNT, [])
        assert stored(tmp_path)[0] == []  # nothing kept unasked
        ann.get_by_label("Yes, I slept that long").check()
        ann.get_by_role("button", name="Save check-in").last.tap()
        expect(ann).to_have_url(re.compile(r"/dashboard"))
        [checkin] = stored(tmp_path)[0]
        assert checkin.notes == NOTES
        assert checkin.sleep is not None
        assert checkin.sleep.tried.strftime("%H:%M") == "19:40"
