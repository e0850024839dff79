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
from tests.support.offline import (
    QUEUE_COUNT,
    checks_in_offline,
    phone_with_saved_pages,
    stored,
    until,
)

NOTES = "ill all day, slept and slept"


def _checks_in_a_long_night_offline(ann: Any) -> None:
    checks_in_offline(ann, NOTES)
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


@pytest.mark.slow
def test_a_check_in_queued_offline_for_a_day_saved_meanwhile_is_opened_again(
    tmp_path: Path, browser: Any
) -> None:
    """The day's check-in saved on another device while the phone was offline: the queued one
    is answered 409 and was dropped ('not accepted... enter it again', all typed lost); it is
    opened again with all that was typed and the server's words, nothing written over."""
    from datetime import date

    from playwright.sync_api import expect

    from taperline.core.journal import CheckIn
    from taperline.service import open_store

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        phone.set_offline(True)
        day = checks_in_offline(ann, NOTES, long_night=False)
        store = open_store(f"sqlite:///{tmp_path / 'browser.db'}", migrate_schema=False)
        try:  # on the laptop, meanwhile
            (person_id,) = store.person_ids()
            store.save_checkin(person_id, CheckIn(date.fromisoformat(day), None, mood=7, anxiety=2))
        finally:
            store.engine.dispose()
        phone.set_offline(False)  # the page sends the queue; the day has a check-in (409)
        expect(ann.get_by_text(re.compile("you already saved a check-in for"))).to_be_visible()
        expect(ann.get_by_label("Notes")).to_have_value(NOTES)
        until(ann, QUEUE_COUNT, [])
        [kept] = stored(tmp_path)[0]
        assert (kept.mood, kept.notes) == (7, "")  # the laptop's, not written over
