"""A check-in saved offline and opened again says where it came from.

A check-in queued offline that the server asks about (422: a night over 16 h) or that meets
the day's check-in saved meanwhile on another device (409) is opened again, everything typed
(tests/test_web_offline_long_night.py). That page did not say it came from the offline save:
the next morning, a form full of answers and a question, with no word of why. It now says so
at its top, with the phone's own clock time the check-in was saved at (``at`` of the queue
entry, kept with the asked entry by the service worker), in a status region that axe-core
finds no fault with on either theme, readable at 320 px (screenshots in the test's directory).
Opened the next morning (the page's clock a day on), it says "yesterday at HH:MM".

The phone is in New York (UTC-5): a time shown in UTC would not be the phone's. Debian's
chromium through tests/support (skipped without it, as the other browser tests).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import TIMEOUT_MS, axe_source, axe_violations, served
from tests.support.offline import (
    NOTICE,
    NOTICE_START,
    QUEUE_COUNT,
    checks_in_offline,
    phone_with_saved_pages,
    saved_on_another_device,
    stored,
    until,
)

ZONE = "America/New_York"
NOTES = "typed in bed, no signal"


def _checks_in_offline(ann: Any, *, long_night: bool) -> tuple[str, str]:
    """A check-in saved offline (a night of 16 h 25 min, or none); its day and local time."""
    day = checks_in_offline(ann, NOTES, long_night=long_night)
    [queued] = ann.evaluate(QUEUE_COUNT)
    saved_at = datetime.fromtimestamp(queued["at"] / 1000, UTC).astimezone(ZoneInfo(ZONE))
    return day, saved_at.strftime("%H:%M")


def _the_notice_is_plain_and_accessible(ann: Any, words: str, when: str, shots: Path) -> None:
    from playwright.sync_api import expect

    notice = ann.locator(NOTICE)
    expect(notice).to_have_text(
        re.compile(NOTICE_START + rf"\({when}\)\. " + re.escape(words) + "$")
    )
    expect(notice).to_have_attribute("role", "status")
    expect(ann.get_by_label("Notes")).to_have_value(NOTES)  # the reopened form, as typed
    # at the top: right under the page's heading, before the server's words and the form
    assert ann.evaluate(
        """(sel) => {
          const note = document.querySelector(sel);
          const form = document.querySelector("form.checkin");
          return note.previousElementSibling.tagName === "H1"
            && Boolean(note.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING);
        }""",
        NOTICE,
    )
    axe = axe_source()
    for scheme in ("light", "dark"):
        ann.emulate_media(color_scheme=scheme)
        assert axe_violations(ann, axe) == [], scheme
    ann.set_viewport_size({"width": 320, "height": 700})
    ann.locator(NOTICE).screenshot(path=shots / "notice-320-dark.png")
    ann.emulate_media(color_scheme="light")
    ann.locator(NOTICE).screenshot(path=shots / "notice-320-light.png")
    wide = ann.evaluate(
        """(sel) => [document.documentElement.scrollWidth,
                     document.querySelector(sel).getBoundingClientRect().right]""",
        NOTICE,
    )
    assert max(wide) <= 320, wide
    until(ann, QUEUE_COUNT, [])


@pytest.mark.slow
def test_a_long_night_opened_again_says_it_was_saved_offline(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base, ZONE) as (phone, ann):
        phone.set_offline(True)
        _, clock = _checks_in_offline(ann, long_night=True)
        phone.set_offline(False)  # the page sends the queue; the server asks (422)
        expect(ann.locator("#long_night-error")).to_contain_text("is 16 h 25 min")
        _the_notice_is_plain_and_accessible(
            ann,
            "It has not been saved yet: the answer below needs a look.",
            f"(?:yesterday )?at {clock}",  # "yesterday" if New York's midnight passed meanwhile
            tmp_path,
        )
        assert stored(tmp_path)[0] == []
        # answered and saved: the next page is an ordinary one, without the notice
        ann.get_by_label("Yes, I slept that long").check()
        ann.get_by_role("button", name="Save check-in").last.tap()
        expect(ann).to_have_url(re.compile(r"/dashboard"))
        ann.goto("/checkin")
        expect(ann.get_by_label("Notes")).to_have_value(NOTES)  # today's, stored
        expect(ann.locator(NOTICE)).to_have_count(0)


@pytest.mark.slow
def test_a_day_saved_elsewhere_opened_again_says_it_was_saved_offline(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base, phone_with_saved_pages(browser, base, ZONE) as (phone, ann):
        phone.set_offline(True)
        day, clock = _checks_in_offline(ann, long_night=False)
        saved_on_another_device(tmp_path, day)  # on the laptop, meanwhile
        # opened the next morning (the page's clock; the server's day is still the form's)
        ann.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=1))
        phone.set_offline(False)  # the page sends the queue; the day has a check-in (409)
        expect(ann.get_by_text(re.compile("you already saved a check-in for"))).to_be_visible()
        _the_notice_is_plain_and_accessible(
            ann,
            "It has not been saved: a check-in for this day was saved meanwhile on another device.",
            f"yesterday at {clock}",
            tmp_path,
        )
        [kept] = stored(tmp_path)[0]
        assert (kept.mood, kept.notes) == (7, "")  # the laptop's, not written over
