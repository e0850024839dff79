"""A cut day under Hold in a real browser (issue 16, sections 4 and 6): a question, not an order.

The walk-through of ``tests/test_web_browser.py`` (its server, browser and screenshots), one
step more: a patient on a phone whose plan cuts today, with no check-ins in the last week,
sees the readiness check say Hold and today's new dose as a question for the clinician (no
"Taken" button that would log the new amount), and the page does not scroll sideways at
360 px; "Took 1 mg" logs the dose before the cut in one tap. The plan is put in the
database beside the running app (approved two weeks ago by "Dr Lee", so no decision in the
check's window answers it).

Without ``/usr/bin/chromium`` (or the playwright package) the test is skipped, except under
``CI`` where it fails.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    NARROW,
    PHONE,
    TIME_ZONE,
    TIMEOUT_MS,
    Shots,
    close_contexts,
    served,
    watch_console,
)
from tests.support.web import PASSWORD


def _plan_cutting_today(database: Path, email: str) -> None:
    """An approved 10 % plan for ``email``'s record whose first cut is today (their date)."""
    from taperline.adapters.storage.accounts import Accounts
    from taperline.adapters.storage.db import make_engine
    from taperline.adapters.storage.repo import Store
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import local_today, save_plan

    engine = make_engine(f"sqlite:///{database}")
    try:
        found = Accounts(engine).credentials(email)
        assert found is not None
        assert found[0].person_id is not None
        pid = found[0].person_id
        store = Store(engine)
        then = datetime.now(UTC) - timedelta(days=14)
        request = PlanRequest(
            drug=load_catalogue().get("clonazepam"),
            regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
            start=local_today(TIME_ZONE, then),
            strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
        )
        save_plan(store, pid, propose(request), by="Dr Lee", now=then)
        store.decide(pid, "approve", by="Dr Lee", reason="agreed at the visit", at=then)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_cut_day_under_hold_is_shown_as_a_question(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    shots = Shots(tmp_path)
    errors: list[str] = []
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
            ann.goto("/signup")
            expect(ann.get_by_label("Time zone")).to_have_value(TIME_ZONE)
            ann.get_by_label("Your name").fill("Ann")
            ann.get_by_label("E-mail address").fill("ann@example.org")
            ann.get_by_label("Password").fill(PASSWORD)
            ann.get_by_role("button", name="Create account").click()
            expect(ann).to_have_url(re.compile(r"/dashboard$"))

            _plan_cutting_today(tmp_path / "browser.db", "ann@example.org")
            ann.goto("/dashboard")
            expect(
                ann.get_by_role("heading", name="Ask your clinician before this cut")
            ).to_be_visible()
            ready = ann.locator("section.readiness")
            expect(ready).to_contain_text("Hold")
            expect(ready).to_contain_text("no check-ins in the last 7 days")
            expect(ready).to_contain_text("stay on 1 mg a day rather than starting the new dose")
            dose = ann.locator("li.dose-line").first
            expect(dose).to_contain_text("ask your clinician before this cut")
            expect(dose.get_by_role("button", name="Taken", exact=True)).to_have_count(0)
            shots.take(ann, "patient-cut-day-hold")

            ann.set_viewport_size({"width": NARROW, "height": 800})
            ann.goto("/dashboard")
            width = int(ann.evaluate("document.documentElement.scrollWidth"))
            shots.take(ann, "narrow-dashboard-hold")
            assert width <= NARROW, f"the dashboard is {width} px wide at {NARROW} px"

            # the dose stayed on, in one tap: the line says what was taken, no instructions
            dose = ann.locator("li.dose-line").first
            expect(dose).to_contain_text("Until they decide, stay on 1 mg at 22:00.")
            dose.get_by_role("button", name="Took 1 mg").click()
            dose = ann.locator("li.dose-line").first
            expect(dose.get_by_role("status")).to_contain_text(
                re.compile(r"Taken at \d\d:\d\d: 1 mg")
            )
            expect(dose.locator(".how")).to_have_count(0)
            shots.take(ann, "narrow-dashboard-hold-stayed")
            ann.goto("/dashboard")
            expect(ann.locator("li.dose-line").first).to_contain_text(": 1 mg")
            expect(ann.get_by_text("more taken than planned")).to_have_count(0)
        finally:
            close_contexts(browser)
    assert not errors, errors
