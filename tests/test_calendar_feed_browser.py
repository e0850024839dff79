"""The calendar subscription in a real browser (issue 18, section 5), at a phone's size.

The patient makes the link on the Reminders page in chromium; the feed is fetched the way a
calendar app fetches it (plain HTTP, no session), parsed with icalendar, fetched again after
the clinician holds the plan (same UIDs, higher SEQUENCE, the later cuts cancelled), and
answers 410 after the patient turns the link off on the page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from icalendar import Calendar

from tests.support.browser import (
    PHONE,
    TIME_ZONE,
    TIMEOUT_MS,
    close_contexts,
    served,
)
from tests.support.web import PASSWORD


def _events(url: str) -> dict[str, Any]:
    answer = httpx.get(url, timeout=30)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"].startswith("text/calendar")
    return {str(e["UID"]): e for e in Calendar.from_ical(answer.content).events}


def _approve_a_plan(db: Path, email: str) -> tuple[Any, int]:
    from taperline.adapters.storage.accounts import Accounts
    from taperline.adapters.storage.db import make_engine
    from taperline.adapters.storage.repo import Store
    from taperline.catalogue_data import load_catalogue
    from taperline.core.plan import PlanRequest, propose
    from taperline.core.quantity import Mass
    from taperline.core.regimen import ScheduledDose
    from taperline.core.strategies import Strategy
    from taperline.service import save_plan

    engine = make_engine(f"sqlite:///{db}")
    found = Accounts(engine).credentials(email)
    assert found is not None
    pid = found[0].person_id
    assert pid is not None
    request = PlanRequest(
        drug=load_catalogue().get("clonazepam"),
        regimen=(ScheduledDose(22.0, Mass.of_mg("1")),),
        start=datetime.now(UTC).date(),
        strategy=Strategy(kind="percent", percent=Decimal(10), interval_days=14),
    )
    store = Store(engine)
    now = datetime.now(UTC)
    save_plan(store, pid, propose(request), by="Dr Test", now=now)
    store.decide(pid, "approve", by="Dr Test", reason="agreed", at=now)
    return store, pid


@pytest.mark.slow
def test_subscribe_on_a_phone_then_the_feed_follows_a_hold_and_ends(
    tmp_path: Path, browser: Any
) -> None:
    from playwright.sync_api import expect

    from taperline.service.plans import decide_plan

    expect.set_options(timeout=TIMEOUT_MS)
    with served(tmp_path) as base:
        try:
            phone = browser.new_context(
                base_url=base, viewport=PHONE, is_mobile=True, timezone_id=TIME_ZONE
            )
            phone.set_default_timeout(TIMEOUT_MS)
            ann = phone.new_page()
            ann.goto("/signup")
            ann.get_by_label("Your name").fill("Ann")
            ann.get_by_label("E-mail address").fill("ann@example.org")
            ann.get_by_label("Password").fill(PASSWORD)
            ann.get_by_role("button", name="Create account").click()
            expect(ann).to_have_url(re.compile(r"/dashboard$"))
            store, pid = _approve_a_plan(tmp_path / "browser.db", "ann@example.org")

            ann.goto("/account")
            ann.get_by_role("link", name="Reminders in your phone's calendar").click()
            expect(ann).to_have_url(re.compile(r"/reminders$"))
            ann.get_by_role("button", name="Make my calendar link").click()
            field = ann.get_by_label(re.compile("copy the link into your calendar app"))
            url = str(field.input_value())
            assert re.fullmatch(rf"{base}/calendar/[A-Za-z0-9_-]{{43}}\.ics", url), url
            add = ann.get_by_role("link", name="Add to my calendar")
            assert add.get_attribute("href") == "webcal://" + url.split("://", 1)[1]

            ann.reload()  # a reload is a GET: the link is not shown again, and no new one made
            expect(ann.get_by_text("Your calendar link is on")).to_be_visible()
            assert ann.locator("#feed-url").count() == 0
            before = _events(url)
            assert before
            decide_plan(store, pid, "hold", by="Dr Test", reason="a wave", now=datetime.now(UTC))
            held = _events(url)
            assert set(before) <= set(held)
            cancelled = {u for u, e in held.items() if str(e.get("STATUS", "")) == "CANCELLED"}
            assert cancelled
            assert all(held[u]["SEQUENCE"] > before[u]["SEQUENCE"] for u in cancelled)

            ann.goto("/reminders")
            ann.get_by_role("button", name="Turn the link off").click()
            expect(ann.get_by_text("You have no calendar link yet.")).to_be_visible()
            assert httpx.get(url, timeout=30).status_code == 410
        finally:
            close_contexts(browser)
