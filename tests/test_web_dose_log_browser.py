"""The journal's "Log a dose" form in a real browser on a 390x844 phone.

A patient on her usual 1 mg at 22:00 logs last night's dose as 3 mg at 23:40: the form asks
her to confirm (more than planned for the whole day), with every value kept and the amount
field focused, and stores it at "Log it as I gave it". The form with errors and with the
confirmation has no axe-core violations and is no wider than the phone. Without
``/usr/bin/chromium`` (or Playwright, or axe-core) the test is skipped, except under ``CI``
where it fails.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import (
    PHONE,
    TIME_ZONE,
    TIMEOUT_MS,
    Shots,
    axe_source,
    axe_violations,
    close_contexts,
    served,
    watch_console,
)
from tests.support.web import PASSWORD

WIDTH = "document.documentElement.scrollWidth"


def _signs_up_on_her_usual_dose(ann: Any) -> None:
    """Ann signs up with her usual dose, 1 mg at 22:00 (no plan yet: the regimen's doses)."""
    from playwright.sync_api import expect

    ann.goto("/signup")
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_label("E-mail address").fill("ann@example.org")
    ann.get_by_label("Password").fill(PASSWORD)
    ann.get_by_label("The medicine you take now").fill("clonazepam")
    ann.get_by_label("Each dose and when you take it").fill("1 mg at 22:00")
    ann.get_by_role("button", name="Create account").click()
    expect(ann).to_have_url(re.compile(r"/dashboard$"))


def _errors_next_to_their_fields(ann: Any, axe: str, day: str) -> Any:
    """Last night's dose sent without a time and with the amount 'abc': the form's errors."""
    from playwright.sync_api import expect

    ann.goto("/journal#log-dose")
    form = ann.locator("#log-dose")
    form.get_by_label("Day").fill(day)
    form.get_by_label("Which dose").select_option("22:00")
    form.get_by_text("Taken", exact=True).click()
    form.get_by_label("Amount in mg").fill("abc")
    form.get_by_role("button", name="Log the dose").click()
    # each error next to its field, the first one focused
    expect(form.locator("#log-time-error")).to_contain_text("Say when you took it")
    expect(form.locator("#log-amount-error")).to_contain_text("does not start")
    expect(form.get_by_label("Time taken")).to_be_focused()
    assert axe_violations(ann, axe, "#log-dose") == []
    assert ann.evaluate(WIDTH) <= PHONE["width"]
    return form


@pytest.mark.slow
def test_log_a_dose_with_its_own_time_and_amount_on_a_phone(tmp_path: Path, browser: Any) -> None:
    axe = axe_source()
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    shots = Shots(tmp_path)
    errors: list[str] = []
    yesterday = (datetime.now(UTC).astimezone(ZoneInfo(TIME_ZONE)) - timedelta(days=1)).date()
    with served(tmp_path) as base:
        try:
            phone = browser.new_context(
                base_url=base,
                viewport=PHONE,
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
                timezone_id=TIME_ZONE,
            )
            phone.set_default_timeout(TIMEOUT_MS)
            ann = phone.new_page()
            watch_console(ann, errors)
            _signs_up_on_her_usual_dose(ann)

            form = _errors_next_to_their_fields(ann, axe, yesterday.isoformat())
            shots.take(ann, "dose-log-errors")

            form.get_by_label("Time taken").fill("23:40")
            form.get_by_label("Amount in mg").fill("3")
            form.get_by_role("button", name="Log the dose").click()
            expect(form.locator("#log-amount-error")).to_contain_text(
                "3 mg is more than the 1 mg planned for the whole day"
            )
            expect(form.get_by_label("Amount in mg")).to_be_focused()
            expect(form.get_by_label("Amount in mg")).to_have_value("3")
            expect(form.get_by_label("Time taken")).to_have_value("23:40")
            expect(form.get_by_label("Day")).to_have_value(yesterday.isoformat())
            expect(form.get_by_text("Taken", exact=True)).to_be_visible()
            assert form.locator('input[value="taken"]').is_checked()
            assert axe_violations(ann, axe, "#log-dose") == []
            assert ann.evaluate(WIDTH) <= PHONE["width"]
            shots.take(ann, "dose-log-confirm")

            form.get_by_role("button", name="Log it as I gave it").click()
            expect(ann).to_have_url(re.compile(r"/journal\?done=dose#log-dose$"))
            expect(ann.get_by_role("status").first).to_contain_text("Dose saved.")
            expect(ann.get_by_text("22:00: clonazePAM 3 mg taken at 23:40")).to_be_visible()
            assert axe_violations(ann, axe) == []
            shots.take(ann, "dose-log-saved")
        finally:
            close_contexts(browser)
    # the two refusals are the form's errors on purpose (422, the page with the errors)
    refused = [e for e in errors if "/journal/doses: Failed to load resource" in e]
    assert len(refused) == 2, errors
    assert not [e for e in errors if e not in refused], errors
