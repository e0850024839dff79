"""The private calendar feed and the reminder settings page (issue 18 section 2), in-process.

A patient makes a link on /reminders (shown once, as https and webcal); a calendar app with
no session fetches it; the feed follows a hold and an approval (same UIDs, higher SEQUENCE,
cut events cancelled), the settings (a reminder turned off is cancelled), and ends with the
token (410), while unknown or malformed tokens are 404. Every read is audited against the
person; nobody else's data is in anyone's feed; the token is stored only as a hash.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import vobject
from icalendar import Calendar

from taperline.service.calendar import token_sha256
from taperline.service.plans import decide_plan
from tests.support.web import START, Site, Web, approved_plan, make_site

TODAY = START.date()
_URL = re.compile(r'id="feed-url" type="text" readonly value="(http://[^"]+)"')


def _new_link(web: Web) -> str:
    replaces = re.search(r'name="replaces" value="([^"]*)"', web.get("/reminders").text)
    assert replaces, "the form names the link it replaces"
    made = web.post("/reminders/feed", {"replaces": replaces.group(1)})
    assert made.status_code == 303, made.text[:300]
    assert made.headers["location"] == "/reminders"
    page = web.get("/reminders")
    assert page.headers["cache-control"] == "no-store"
    found = _URL.search(page.text)
    assert found, page.text[:2000]
    url = found.group(1)
    assert f'href="webcal://{url.split("://", 1)[1]}"' in page.text
    return url


def _fetch(site: Site, url: str, **headers: str) -> Any:
    app = site.browser()  # a calendar app: no session, no cookies
    return app.client.get(url, headers=headers)


def _events(data: bytes) -> dict[str, Any]:
    events = {str(e["UID"]): e for e in Calendar.from_ical(data).events}
    other = vobject.readOne(data.decode())
    assert {str(v.uid.value) for v in getattr(other, "vevent_list", [])} == set(events)
    return events


def _cancelled(events: dict[str, Any]) -> set[str]:
    return {u for u, e in events.items() if str(e.get("STATUS", "")) == "CANCELLED"}


def _setup(site: Site, email: str = "ann@example.org") -> tuple[Web, int]:
    web = site.patient(email)
    pid = site.person_id(email)
    approved_plan(site, pid, TODAY - timedelta(days=3))
    return web, pid


def test_the_feed_follows_a_hold_and_an_approval(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, pid = _setup(site)
        url = _new_link(web)
        first = _fetch(site, url)
        assert first.status_code == 200
        assert first.headers["content-type"] == "text/calendar; charset=utf-8"
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in first.text
        before = _events(first.content)
        assert not _cancelled(before)
        kinds = {str(c) for e in before.values() for c in e.categories}
        assert {"Dose", "Check-in", "Dose change", "Refill"} <= kinds

        store = site.services.store
        site.clock.advance(days=10)
        decide_plan(store, pid, "hold", by="Dr Test", reason="a wave", now=site.clock())
        held = _events(_fetch(site, url).content)
        assert set(before) <= set(held)  # same UIDs: calendars update, never duplicate
        cancelled = _cancelled(held)
        assert cancelled
        assert all(held[u]["SEQUENCE"] > before[u]["SEQUENCE"] for u in cancelled)
        assert all(not held[u].walk("VALARM") for u in cancelled)

        site.clock.advance(days=2)
        decide_plan(store, pid, "approve", by="Dr Test", reason="settled", now=site.clock())
        again = _events(_fetch(site, url).content)
        back = {u for u in cancelled if u in again and u not in _cancelled(again)}
        assert back
        assert all(again[u]["SEQUENCE"] > held[u]["SEQUENCE"] for u in back)


def test_revoking_ends_the_feed_and_a_new_link_replaces_the_old(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, _pid = _setup(site)
        old = _new_link(web)
        new = _new_link(web)
        assert old != new
        assert _fetch(site, old).status_code == 410
        assert _fetch(site, new).status_code == 200
        page = web.get("/reminders").text
        assert "Your calendar link is on" in page
        readable = re.sub(r"<[^>]+>", " ", page)  # plain words: no ISO dates, no tokens
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", readable)
        assert web.post("/reminders/feed/revoke", {}).status_code == 303
        gone = _fetch(site, new)
        assert gone.status_code == 410
        assert "BEGIN:VCALENDAR" not in gone.text
        assert "no calendar link yet" in web.get("/reminders").text
        token = new.rsplit("/", 1)[1].removesuffix(".ics")
        for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", token + "x", "a" * 43):
            answer = _fetch(site, f"/calendar/{bad}.ics")
            assert answer.status_code == 404, bad
            assert "BEGIN:VCALENDAR" not in answer.text


def _with_link_cookie(web: Web, token: str) -> Any:
    """The reminders page with the one-page cookie holding ``token`` (as if just made)."""
    jar = web.client.cookies.jar
    for cookie in [c for c in jar if c.name == "taperline_new_calendar_link"]:
        jar.clear(cookie.domain, cookie.path, cookie.name)
    web.client.cookies.set("taperline_new_calendar_link", token, path="/reminders")
    page = web.get("/reminders")
    for cookie in [c for c in jar if c.name == "taperline_new_calendar_link"]:
        jar.clear(cookie.domain, cookie.path, cookie.name)
    return page


def test_reloading_the_page_that_shows_the_link_makes_no_new_link(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, _pid = _setup(site)
        url = _new_link(ann)
        again = ann.get("/reminders")  # the reload: a GET, the link no more shown
        assert not _URL.search(again.text)
        assert "Your calendar link is on" in again.text
        assert _fetch(site, url).status_code == 200  # the subscription still answers
        # the cookie's token is shown only while it is this person's live link
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert _URL.search(_with_link_cookie(ann, token).text)
        _new_link(ann)  # replaced: the old token, if it came back, is not shown
        assert not _URL.search(_with_link_cookie(ann, token).text)
        bob = site.patient("bob@example.org")  # someone else's token is never shown
        page = _with_link_cookie(bob, token).text
        assert not _URL.search(page)
        assert token not in page


def test_the_token_is_stored_only_as_its_hash(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, _pid = _setup(site)
        url = _new_link(web)
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert len(token) == 43
        with sqlite3.connect(tmp_path / "web.db") as db:
            dump = "\n".join(db.iterdump())
        assert token not in dump
        assert token_sha256(token) in dump
        assert token not in web.get("/reminders").text  # shown once only


def test_each_feed_holds_only_its_persons_reminders_and_reads_are_audited(
    tmp_path: Path,
) -> None:
    with make_site(tmp_path) as site:
        ann, ann_id = _setup(site, "ann@example.org")
        bob, bob_id = _setup(site, "bob@example.org")
        ann_feed = _fetch(site, _new_link(ann))
        bob_feed = _fetch(site, _new_link(bob))
        ann_uids, bob_uids = set(_events(ann_feed.content)), set(_events(bob_feed.content))
        assert not ann_uids & bob_uids
        for text in (ann_feed.text, bob_feed.text):
            assert "example.org" not in text
        audit = site.services.accounts.audit_of(ann_id)
        reads = [e for e in audit if e.action == "read" and e.object.startswith("calendar feed")]
        assert len(reads) == 1
        assert reads[0].actor == "calendar feed (subscription)"
        assert [e for e in site.services.accounts.audit_of(bob_id) if "feed" in e.object]


def test_settings_turn_a_reminder_off_and_move_the_checkin(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, _pid = _setup(site)
        url = _new_link(web)
        before = _events(_fetch(site, url).content)
        page = web.get("/reminders").text
        assert 'name="checkin" value="on" checked' in page
        form = {"doses": "on", "changes": "on", "refills": "on", "checkin_clock": "09:30"}
        assert web.post("/reminders", form).status_code == 303
        after = _events(_fetch(site, url).content)
        (checkin,) = [u for u, e in before.items() if str(e["SUMMARY"]) == "taperline check-in"]
        assert checkin in _cancelled(after)
        assert after[checkin]["SEQUENCE"] > before[checkin]["SEQUENCE"]
        changes = [u for u, e in after.items() if str(e["SUMMARY"]).startswith("Dose change")]
        assert changes
        assert all(str(after[u].walk("VALARM")[0]["TRIGGER"].to_ical()) for u in changes)
        assert 'name="checkin" value="on" checked' not in web.get("/reminders").text
        assert web.post("/reminders", {**form, "discreet": "on"}).status_code == 303
        assert 'name="discreet" value="on" checked' in web.get("/reminders").text
        quiet = _fetch(site, url).text
        assert "SUMMARY:Evening dose" in quiet
        assert "SUMMARY:clonazePAM" not in quiet
        bad = web.post("/reminders", {**form, "checkin_clock": "9.30"})
        assert bad.status_code == 422
        assert "checkin_clock" in bad.text


def test_an_unchanged_feed_is_not_modified(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web, _pid = _setup(site)
        url = _new_link(web)
        first = _fetch(site, url)
        etag = first.headers["etag"]
        again = _fetch(site, url, **{"If-None-Match": etag})
        assert again.status_code == 304
        head = site.browser().client.head(url)
        assert head.status_code == 200
        assert head.headers["etag"] == etag
        assert site.browser().client.head("/calendar/" + "A" * 43 + ".ics").status_code == 404
        assert _fetch(site, url).content == first.content


def test_a_feed_before_any_plan_is_a_valid_empty_calendar(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("new@example.org")
        page = web.get("/reminders").text
        assert "Reminders appear once your clinician has approved a plan" in page
        answer = _fetch(site, _new_link(web))
        assert answer.status_code == 200
        assert _events(answer.content) == {}


def test_the_access_log_never_holds_the_token(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with make_site(tmp_path) as site:
        web, _pid = _setup(site)
        url = _new_link(web)
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        with caplog.at_level(logging.INFO, logger="taperline.access"):
            assert _fetch(site, url).status_code == 200
        assert "/calendar/<token>.ics" in caplog.text
        assert token not in caplog.text
