"""Two check-ins saved offline and both asked about are both opened again, oldest first.

Two mornings without signal, two long nights: both check-ins wait on the phone, and when the
connection returns the server asks about each (422: a night over 16 h). The service worker
kept only one asked check-in (IndexedDB "meta", key "asked"): the second overwrote the first,
whose mood, night and notes were lost in silence. Each is now kept ("asked:" + its queue id)
and opened one at a time, oldest first: the first says one more waits; once it is answered
and saved, the next page opens the second with all that was typed. The server holds both,
each once, and nothing asked is left on the phone (each kept until it is saved).

Debian's chromium through tests/support (skipped without it, as the other browser tests).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
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
    reopened,
    stored,
    until,
)


@pytest.mark.slow
def test_two_check_ins_asked_about_are_both_opened_again_oldest_first(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base) as (phone, ann):
        ann.goto("/checkin")
        today = date.fromisoformat(str(ann.locator("form.checkin input[name=date]").input_value()))
        phone.set_offline(True)
        yesterday = checks_in_offline(ann, "first night", day=today - timedelta(days=1))
        assert checks_in_offline(ann, "second night") == today.isoformat()
        assert len(ann.evaluate(QUEUE_COUNT)) == 2
        phone.set_offline(False)  # the page sends the queue; the server asks about both (422)
        reopened(
            ann, yesterday, "first night", " 1 more check-in saved on this phone also needs a look."
        )
        until(ann, QUEUE_COUNT, [])
        until(ann, ASKED, ["first night", "second night"])  # both: the first kept until it is saved
        assert stored(tmp_path)[0] == []
        assert axe_violations(ann, axe_source()) == []
        ann.get_by_label("Yes, I slept that long").check()
        ann.get_by_role("button", name="Save check-in").last.tap()
        # the next page (today's) opens the second, as typed, with no more waiting
        reopened(ann, today.isoformat(), "second night", "")
        until(ann, ASKED, ["second night"])  # the first saved, gone; the second kept until saved
        ann.get_by_label("Yes, I slept that long").check()
        ann.get_by_role("button", name="Save check-in").last.tap()
        expect(ann).to_have_url(re.compile(r"/dashboard"))
        expect(ann.locator(NOTICE)).to_have_count(0)
        until(ann, ASKED, [])
        checkins = sorted(stored(tmp_path)[0], key=lambda checkin: checkin.wake_date)
        assert [(c.wake_date.isoformat(), c.notes) for c in checkins] == [
            (yesterday, "first night"),
            (today.isoformat(), "second night"),
        ]
        assert all(
            c.sleep is not None and c.sleep.tried.strftime("%H:%M") == "19:40" for c in checkins
        )
