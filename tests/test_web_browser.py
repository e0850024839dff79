"""The web app in a real browser: Debian's chromium, headless, driven by Playwright.

The app is served by uvicorn on 127.0.0.1 (a free port, a SQLite file in the test's
temporary directory, the real clock) from a thread of this process. The story:

1. a clinician signs up (desktop window) and makes an invite code;
2. a patient signs up on a phone (390 x 844, touch), the time zone filled in by the page's
   script, and enters the code on the Sharing page;
3. the patient checks in on the phone (the sliders moved with the keyboard);
4. the clinician opens the patient, builds a plan in the plan builder, saves it as a
   proposal and approves it;
5. the patient sees the new dose on the dashboard and taps "Taken" (htmx).

Screenshots of each step are saved in the test's temporary directory (their paths are
printed: run with ``-s`` to see them). Then every main page, for the patient and the
clinician, is loaded 360 px wide and must not scroll sideways. No page may log a console
error (a Content-Security-Policy violation or a failed script would).

Without ``/usr/bin/chromium`` the test is skipped, except under ``CI`` where it fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    NARROW,
    PHONE,
    TIME_ZONE,
    TIMEOUT_MS,
    Shots,
    clinician_signs_up_and_invites,
    close_contexts,
    nav,
    patient_signs_up_and_shares,
    served,
    watch_console,
)


def _patient_checks_in(ann: Any, shots: Shots) -> None:
    """A new patient's first check-in: blank, an error shown at its field, then saved."""
    from playwright.sync_api import expect

    nav(ann, "Check in").click()
    expect(ann).to_have_url(re.compile(r"/checkin$"))
    expect(ann.get_by_label("Went to bed")).to_have_value("")  # nothing invented
    expect(ann.locator("input:checked")).to_have_count(0)
    ann.get_by_role("button", name="Same as last night").tap()
    expect(ann.get_by_role("status")).to_contain_text("no earlier check-in")
    ann.locator("#mood").get_by_text("7", exact=True).tap()
    ann.locator("#anxiety").get_by_text("4", exact=True).tap()
    ann.get_by_label("Tried to sleep").fill("23:10")
    ann.get_by_label("Woke up for good").fill("06:40")
    ann.get_by_label("Got up").fill("07:00")
    for label, value in (("Minutes to fall asleep", "25"), ("Times woken", "1")):
        ann.get_by_label(label).fill(value)
    ann.get_by_label("Minutes awake in the night").fill("10")
    ann.locator("#quality").get_by_text("fair", exact=True).tap()
    ann.get_by_role("button", name="Save check-in").tap()  # "Went to bed" left empty
    bed = ann.get_by_label("Went to bed")
    expect(bed).to_be_focused()
    expect(bed).to_have_attribute("aria-invalid", "true")
    expect(bed).to_have_accessible_description("Say when you went to bed.")
    expect(ann.get_by_label("Got up")).to_have_value("07:00")  # what was typed is kept
    bed.fill("23:00")
    ann.locator("fieldset.symptom").first.get_by_text("2", exact=True).tap()
    ann.get_by_label("Notes").fill("slept better after the walk")
    shots.take(ann, "patient-checkin")
    ann.get_by_role("button", name="Save check-in").tap()
    expect(ann).to_have_url(re.compile(r"/dashboard\?done=checkin$"))
    expect(ann.get_by_text("Check-in saved")).to_be_visible()
    expect(ann.get_by_text("Done for today")).to_be_visible()


def _clinician_builds_and_approves_a_plan(doc: Any, shots: Shots) -> str:
    """Build, save and approve a plan; the URL of the builder's comparison."""
    from playwright.sync_api import expect

    nav(doc, "Patients").click()
    doc.get_by_role("link", name="Ann").click()
    expect(doc.get_by_role("heading", name="Ann", exact=True)).to_be_visible()
    expect(doc.get_by_text("slept better after the walk")).to_be_visible()
    doc.get_by_role("link", name="Build or compare a plan").click()
    expect(doc.get_by_label("Current dose 1")).to_have_value("1 mg")
    doc.get_by_role("button", name="Preview and compare").click()
    expect(doc.get_by_role("heading", name="Strategies compared")).to_be_visible()
    shots.take(doc, "clinician-builder")
    preview = str(doc.url)
    doc.get_by_role("button", name="Save as a proposal").click()
    expect(doc.get_by_text("Plan saved as a proposal")).to_be_visible()
    approve = doc.get_by_label("Approve (make it active)")
    expect(approve).not_to_be_checked()  # the decision form pre-selects nothing
    approve.check()
    doc.get_by_label("Reason").fill("Agreed with Ann at today's visit")
    doc.get_by_role("button", name="Save decision").click()
    expect(doc.get_by_text("Decision saved as a new plan version")).to_be_visible()
    expect(doc.get_by_text("Followed now: version 2 (active)")).to_be_visible()
    shots.take(doc, "clinician-approved")
    return preview


def _patient_sees_the_new_dose(ann: Any, shots: Shots) -> None:
    from playwright.sync_api import expect

    nav(ann, "Today").click()
    dose = ann.locator("li.dose-line").first
    expect(dose).to_contain_text("22:00")
    expect(dose).to_contain_text("1 mg")
    shots.take(ann, "patient-dose")
    dose.get_by_role("button", name="Taken", exact=True).tap()  # htmx swaps the line
    expect(ann.locator("li.dose-line").first).to_contain_text("Taken at")
    expect(ann).to_have_url(re.compile(r"/dashboard$"))
    nav(ann, "Plan").click()
    expect(ann.get_by_text("Agreed with Ann at today's visit").first).to_be_visible()


def _wider_than_narrow(pages: list[tuple[Any, str]], shots: Shots) -> dict[str, int]:
    wide = {}
    for page, url in pages:
        page.set_viewport_size({"width": NARROW, "height": 800})
        page.goto(url)
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        shots.take(page, "narrow" + re.sub(r"[^a-z0-9]+", "-", url.split("?")[0]))
        if width > NARROW:
            wide[url] = width
    return wide


@pytest.mark.slow
def test_sign_up_share_check_in_approve_and_see_the_dose(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    shots = Shots(tmp_path)
    errors: list[str] = []
    with served(tmp_path) as base:
        try:
            desk = browser.new_context(
                base_url=base, viewport={"width": 1280, "height": 900}, timezone_id=TIME_ZONE
            )
            phone = browser.new_context(
                base_url=base,
                viewport=PHONE,
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
                timezone_id=TIME_ZONE,
            )
            for context in (desk, phone):
                context.set_default_timeout(TIMEOUT_MS)
            doc, ann = desk.new_page(), phone.new_page()
            watch_console(doc, errors)
            watch_console(ann, errors)

            code = clinician_signs_up_and_invites(doc, shots)
            patient_signs_up_and_shares(ann, code, shots)
            _patient_checks_in(ann, shots)
            preview = _clinician_builds_and_approves_a_plan(doc, shots).removeprefix(base)
            patient_page = doc.url.split("?")[0].removeprefix(base)
            _patient_sees_the_new_dose(ann, shots)

            patient = ["/dashboard", "/checkin", "/journal", "/plan", "/learn", "/questionnaires"]
            patient += ["/sharing", "/account", "/learn/sleep", "/learn/drugs/clonazepam"]
            patient += ["/learn/sources", "/reminders"]
            clinician = ["/clinician", patient_page, preview, "/account"]
            pages = [(ann, url) for url in patient] + [(doc, url) for url in clinician]
            wide = _wider_than_narrow(pages, shots)
            assert not wide, f"pages wider than {NARROW} px (scrollWidth): {wide}"
        finally:
            close_contexts(browser)
    # The one error the walk-through makes on purpose: the check-in saved without a bedtime.
    refused = [e for e in errors if e.endswith("/checkin: Failed to load resource: the server"
               " responded with a status of 422 (Unprocessable Entity)")]  # fmt: skip
    assert len(refused) == 1, errors
    assert not [e for e in errors if e not in refused], errors
    assert all(p.stat().st_size > 0 for p in shots.paths)
