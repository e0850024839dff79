"""A dose to stay on, taken while the cut was held, logged after the clinician answered.

The plan (as in test_held_cut_answer_day): 0.5 mg at 08:00 and 0.5 mg at 22:00, then 0.75 mg
at 22:00 from the cut (15 Dec, UTC), approved on 30 Nov, no check-ins: the check holds the
cut, and the patient takes the 08:00 0.5 mg as told. They do not log it; at 14:05 the
clinician proceeds. Before this change the 08:00 dose could no longer be logged ("no dose is
planned at 08:00"), and the new 0.75 mg at 22:00 was the day's only dose: taken too, 1.25 mg
that day, more than the 1 mg before the cut, and the record held none of it.

The rule: what a dose was asked is what the check said when it was taken (decisions made
before that moment). Logged after the answer with the time it was taken (before the answer),
the 08:00 dose is one to stay on, and the day then finishes on the dose before the cut, as
if it had been logged on time. With no time or a later one, it is refused in plain words
that say what to do. Each door: ``log_dose`` (by day, by time), the CLI's ``log-dose`` and
``status``, POST /api/doses, the journal's form, the dashboard's line and its taps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from taperline.core.quantity import Mass
from taperline.errors import InputError
from taperline.service.journal import DoseEntry, log_dose, loggable_doses
from taperline.service.today import build_today
from tests.support.held_cut import ANSWER_AFTER as _AFTER
from tests.support.held_cut import ANSWER_BEFORE as _BEFORE
from tests.support.held_cut import (
    CUT,
    above_plan,
    answered_store,
    approved_store,
    run_cli,
    site_with,
    step,
)
from tests.support.held_cut import wall as _wall

if TYPE_CHECKING:
    from taperline.adapters.storage.repo import Store
    from tests.support.web import Site, Web

_ANSWER = datetime.combine(CUT, time(14, 5), tzinfo=UTC)


def _at(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


_answered = answered_store


def _lines(store: Store, pid: int, day: date = CUT) -> list[tuple[str, str, str, bool]]:
    """Each line of ``day``: time, amount, status, stay only."""
    return [
        (line.planned.clock, str(line.planned.amount.mg), line.status, line.stay_only)
        for line in build_today(store.record(pid), day).doses
    ]


def _finished(store: Store, pid: int) -> None:
    """The answer's day finishes on the dose before the cut; tonight is 0.5 mg, nothing found."""
    ready = build_today(store.record(pid), CUT).readiness
    assert ready is not None
    assert ready.finishes_on_before
    morning, tonight = build_today(store.record(pid), CUT).doses
    assert (morning.planned.clock, morning.planned.amount, morning.taken) == (
        "08:00", Mass.of_mg("0.5"), True,
    )  # fmt: skip
    assert (tonight.planned.clock, tonight.planned.amount, tonight.status) == (
        "22:00", Mass.of_mg("0.5"), "due",
    )  # fmt: skip
    night = log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22)).record
    assert (night.planned_clock, night.amount, night.stay_on_before) == (
        "22:00", Mass.of_mg("0.5"), CUT,
    )  # fmt: skip
    assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {}


# --- today's view: the dose to stay on until the answer is still shown ----------------------


def test_today_s_view_still_shows_the_dose_to_stay_on_until_the_answer(tmp_path: Path) -> None:
    with _answered(tmp_path) as (store, pid, _url):
        lines = build_today(store.record(pid), CUT).doses
        assert [(d.planned.clock, str(d.planned.amount.mg), d.status) for d in lines] == [
            ("08:00", "0.5", "due"),
            ("22:00", "0.75", "due"),
        ]
        assert lines[0].stay_only
        assert lines[0].until_answer == _wall(14, 5)
        assert lines[1].until_answer is None
        # the new dose tonight waits for it: taken, the day finishes on the dose before
        assert [line.answer_first for line in lines] == [None, "08:00"]
        # the journal form's choices: the day's plan and that dose
        assert sorted(d.clock for d in loggable_doses(store.record(pid), CUT)) == [
            "08:00",
            "22:00",
        ]
        # a dose due after the answer is no such dose: 22:00 is the new step's tonight
        assert [d.clock for d in loggable_doses(store.record(pid), CUT) if d.clock == "22:00"] == [
            "22:00"
        ]
        # the next day: nothing of the step before
        assert _lines(store, pid, CUT + timedelta(days=1)) == [("22:00", "0.75", "due", False)]


def test_without_an_answer_that_day_nothing_is_added(tmp_path: Path) -> None:
    with _answered(tmp_path) as (store, pid, _url):
        day = CUT + timedelta(days=1)
        assert [line.until_answer for line in build_today(store.record(pid), day).doses] == [None]
        assert [d.clock for d in loggable_doses(store.record(pid), day)] == ["22:00"]


# --- log_dose: with the time it was taken, by day and by time -------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8)),
        DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8), dose_before_cut=True),
        DoseEntry(planned_clock="08:00", next_planned=True, taken_at=_wall(8, 10)),
        DoseEntry(next_planned=True, taken_at=_wall(8, 10)),
        # taken late, but before the answer, and in the answer's minute
        DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(14, 5)),
    ],
    ids=["by-clock", "stayed", "by-time-clock", "by-time", "answer-minute"],
)
def test_logged_after_the_answer_with_its_time_it_is_a_dose_to_stay_on(
    tmp_path: Path, entry: DoseEntry
) -> None:
    with _answered(tmp_path) as (store, pid, _url):
        done = log_dose(store, pid, entry, now=_at(CUT, 15)).record
        assert (done.planned_clock, done.amount, done.planned_amount) == (
            "08:00", Mass.of_mg("0.5"), Mass.of_mg("0.5"),
        )  # fmt: skip
        assert (done.cut_checked, done.stay_on_before) == (True, CUT)
        _finished(store, pid)


@pytest.mark.parametrize(
    "entry",
    [
        DoseEntry(day=CUT, planned_clock="08:00"),
        DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(14, 6)),
        DoseEntry(planned_clock="08:00", next_planned=True),
        DoseEntry(day=CUT, planned_clock="08:00", dose_before_cut=True),
    ],
    ids=["no-time", "after-the-answer", "by-time-now", "stayed-now"],
)
def test_with_no_time_or_one_after_the_answer_it_is_refused_saying_what_to_do(
    tmp_path: Path, entry: DoseEntry
) -> None:
    with _answered(tmp_path) as (store, pid, _url):
        with pytest.raises(InputError) as refused:
            log_dose(store, pid, entry, now=_at(CUT, 15))
        words = str(refused.value)
        assert words.startswith("time: your clinician answered about your dose change at 14:05")
        assert "the 08:00 dose of 0.5 mg was the one to take" in words
        assert "If you took it before 14:05, say when you took it" in words
        assert store.doses(pid, None, None) == []
        # the new step applies: tonight is 0.75 mg, as before this change
        assert _lines(store, pid)[1] == ("22:00", "0.75", "due", False)


def test_a_dose_to_stay_on_missed_is_logged_as_missed_and_the_new_step_stays(
    tmp_path: Path,
) -> None:
    with _answered(tmp_path) as (store, pid, _url):
        done = log_dose(
            store, pid, DoseEntry(day=CUT, planned_clock="08:00", missed=True), now=_at(CUT, 15)
        ).record
        assert (done.planned_clock, done.taken_at, done.stay_on_before) == ("08:00", None, CUT)
        assert _lines(store, pid) == [
            ("08:00", "0.5", "missed", True),
            ("22:00", "0.75", "due", False),
        ]
        assert not build_today(store.record(pid), CUT).readiness.finishes_on_before  # type: ignore[union-attr]


def test_a_cut_at_the_same_times_asks_the_amount_taken_before_the_answer(tmp_path: Path) -> None:
    """0.5 + 0.5 mg, then 0.375 + 0.375 mg at the same times: the 08:00 dose taken at 08:00,
    logged after the answer, was then the held cut's new dose, a question: its amount is the
    patient's to say (never the new plan's by default), and 'I stayed on 0.5 mg' is taken."""
    steps = (step(date(2027, 12, 1), *_BEFORE), step(CUT, ("08:00", "0.375"), ("22:00", "0.375")))
    with approved_store(tmp_path, steps, approved=_at(date(2027, 11, 30), 9)) as found:
        store, pid, _url = found
        store.decide(pid, "proceed", by="Dr Lee", reason="seen", at=_ANSWER)
        morning = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8))
        words = (
            r"^amount: the 08:00 dose of 2027-12-15 was the new dose of a cut your clinician had"
            r" not answered when you took it \(they answered at 14:05\): say the amount you took"
        )
        with pytest.raises(InputError, match=words):
            log_dose(store, pid, morning, now=_at(CUT, 15))
        stayed = DoseEntry(day=CUT, planned_clock="08:00", taken_at=_wall(8), dose_before_cut=True)
        done = log_dose(store, pid, stayed, now=_at(CUT, 15)).record
        assert (done.amount, done.stay_on_before) == (Mass.of_mg("0.5"), CUT)
        night = log_dose(store, pid, DoseEntry(next_planned=True), now=_at(CUT, 22)).record
        assert (night.planned_clock, night.amount) == ("22:00", Mass.of_mg("0.5"))
        assert above_plan(store.record(pid), CUT + timedelta(days=1)) == {}


def test_the_next_morning_s_check_in_does_not_ask_it(tmp_path: Path) -> None:
    """An answer logs a dose at its planned time, and the 08:00 dose is the day's only if
    taken before the answer, which changes the day's other doses: asked with the 22:00 dose,
    a 'taken' for both would log 0.5 mg at 22:00, not the 0.75 mg the question showed. Nor
    the 22:00 dose, which waits for it (log_dose would refuse the answer after the check-in
    was saved; tests/test_held_cut_answer_gate_review.py)."""
    from taperline.service.quick import checkin_asks

    with _answered(tmp_path) as (store, pid, _url):
        assert checkin_asks(store.record(pid), CUT + timedelta(days=1)).doses == ()


def test_tonight_s_dose_waits_for_it_at_every_door(tmp_path: Path) -> None:
    """While the 08:00 dose to stay on until the answer is not logged, the 22:00 dose (the new
    0.75 mg) is refused saying what to do first, as the dashboard waits: by time, by clock,
    from the CLI; once the 08:00 dose is said not taken (by time too), tonight is 0.75 mg."""
    with _answered(tmp_path) as (store, pid, url):
        for entry in (
            DoseEntry(next_planned=True),
            DoseEntry(day=CUT, planned_clock="22:00"),
            DoseEntry(day=CUT, planned_clock="22:00", taken_at=_wall(22)),
        ):
            with pytest.raises(InputError) as refused:
                log_dose(store, pid, entry, now=_at(CUT, 22))
            words = str(refused.value)
            assert words.startswith("planned: first say whether you took the 08:00 dose of 0.5")
            assert "answered at 14:05" in words
            assert "log it with the time you took it, or as not taken" in words
        cli = run_cli(url, "log-dose", now="2027-12-15T22:00+00:00")
        assert cli.exit_code != 0
        assert "--planned: first say whether you took the 08:00 dose" in cli.stderr
        assert store.doses(pid, None, None) == []
        missed = run_cli(url, "log-dose", "--planned", "08:00", "--missed",
                         now="2027-12-15T21:55+00:00")  # fmt: skip
        assert missed.exit_code == 0, missed.stderr
        [line] = store.doses(pid, None, None)
        assert (line.planned_clock, line.taken_at, line.stay_on_before) == ("08:00", None, CUT)
        night = run_cli(url, "log-dose", now="2027-12-15T22:00+00:00")
        assert night.exit_code == 0, night.stderr
        tonight = [d for d in store.doses(pid, None, None) if d.planned_clock == "22:00"]
        assert [d.amount for d in tonight] == [Mass.of_mg("0.75")]


# --- the CLI: log-dose and status -----------------------------------------------------------


def test_the_cli_logs_it_with_its_time_and_says_what_to_do_without(tmp_path: Path) -> None:
    with _answered(tmp_path) as (store, pid, url):
        now = "2027-12-15T15:00+00:00"
        status = run_cli(url, "status", now=now)
        assert status.exit_code == 0, status.stderr
        assert "until your clinician answered at 14:05" in status.stdout
        assert "taperline log-dose --planned 08:00 --time HH:MM" in status.stdout
        doc = json.loads(run_cli(url, "status", "--format", "json", now=now).stdout)
        assert [(d["time"], d["until_answer"], d["answer_first"]) for d in doc["doses_today"]] == [
            ("08:00", "14:05", None),
            ("22:00", None, "08:00"),
        ]
        assert "[first say whether you took the 08:00 dose]" in status.stdout
        refused = run_cli(url, "log-dose", "--planned", "08:00", now=now)
        assert refused.exit_code != 0
        assert "--time: your clinician answered about your dose change at 14:05" in (refused.stderr)
        done = run_cli(url, "log-dose", "--planned", "08:00", "--time", "08:00", now=now)
        assert done.exit_code == 0, done.stderr
        _finished(store, pid)


# --- the web: POST /api/doses, the journal's form, the dashboard ----------------------------


@contextmanager
def _site(tmp_path: Path) -> Iterator[tuple[Site, Web, int]]:
    """The plan's shape on the site's day (London, GMT): the cut day at noon, nothing logged;
    the clinician proceeds at 14:00; the patient signs in at 21:00."""
    with site_with(tmp_path, _BEFORE, _AFTER, advance=timedelta(0)) as (site, web, pid):
        site.clock.advance(hours=2)
        site.services.store.decide(pid, "proceed", by="Dr Test", reason="seen", at=site.clock.now)
        site.clock.advance(hours=7)
        assert web.signin("ann@example.org").status_code == 303
        yield site, web, pid


def _web_finished(site: Site, pid: int) -> None:
    store = site.services.store
    [morning] = store.doses(pid, None, None)
    assert (morning.planned_clock, morning.amount, morning.stay_on_before) == (
        "08:00", Mass.of_mg("0.5"), site.clock.today,
    )  # fmt: skip
    ready = build_today(store.record(pid), site.clock.today).readiness
    assert ready is not None
    assert ready.finishes_on_before


def test_post_api_doses_with_the_time_taken_before_the_answer(tmp_path: Path) -> None:
    with _site(tmp_path) as (site, web, pid):
        day = site.clock.today.isoformat()
        body = {"date": day, "planned_time": "08:00", "amount_mg": 0.5}
        refused = web.client.post("/api/doses", json={**body, "taken_at": f"{day}T14:30"})
        assert refused.status_code == 422, refused.text
        assert "If you took it before 14:00, say when you took it" in refused.text
        done = web.client.post("/api/doses", json={**body, "taken_at": f"{day}T08:00"})
        assert done.status_code == 201, done.text
        _web_finished(site, pid)


def test_the_journal_form_offers_it_and_logs_it_with_its_time(tmp_path: Path) -> None:
    from tests.support.web import hidden_fields

    with _site(tmp_path) as (site, web, pid):
        page = web.get("/journal").text
        assert re.search(r'<option value="08:00"', page)
        fields = {**hidden_fields(page, "log-dose"), "date": site.clock.today.isoformat(),
                  "planned": "08:00", "status": "taken", "amount": ""}  # fmt: skip
        late = web.post("/journal/doses", {**fields, "time": "14:30"})
        assert late.status_code == 422, late.text
        assert "If you took it before 14:00, say when you took it" in late.text
        assert site.services.store.doses(pid, None, None) == []
        done = web.post("/journal/doses", {**fields, "time": "08:00"})
        assert done.status_code == 303, done.text
        _web_finished(site, pid)


def test_the_dashboard_asks_for_the_time_and_then_finishes_the_day(tmp_path: Path) -> None:
    with _site(tmp_path) as (site, web, pid):
        page = web.get("/dashboard").text
        assert "Did you take this before your clinician answered at 14:00?" in page
        tonight = page[page.index('id="dose-2200"') :]
        tonight = tonight[: tonight.index("</li>")]
        assert "First say whether you took the 08:00 dose above." in tonight
        assert "<button" not in tonight  # no one tap on the new dose yet
        assert 'name="time" type="time" required max="14:00"' in page
        assert "Took it after 14:00? Then it was not part of today" in page
        assert not re.search(r"\[[A-Z][A-Z-]+[0-9]*\]", page)  # no source ids
        form = page[page.index('<input type="hidden" name="back"') - 600 :]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf is not None
        fields = {"csrf_token": csrf.group(1), "date": site.clock.today.isoformat(),
                  "planned": "08:00", "status": "taken", "back": "dashboard",
                  "time": "08:00"}  # fmt: skip
        key = re.search(r'name="idem" value="([^"]+)"', form)
        assert key is not None
        assert key.group(1) == f"until-{site.clock.today.isoformat()}-0800"
        done = web.post("/journal/doses", {**fields, "idem": key.group(1)})
        assert (done.status_code, done.headers["location"]) == (303, "/dashboard?done=dose")
        # sent twice (a double tap, a retry): one line
        again = web.post("/journal/doses", {**fields, "idem": key.group(1)})
        assert (again.status_code, again.headers["location"]) == (303, "/dashboard?done=dose")
        _web_finished(site, pid)
        after = web.get("/dashboard").text
        assert "Finish today on the dose before the cut:" in after
        assert "Did you take this before" not in after


def test_the_dashboard_s_not_taken_logs_it_missed(tmp_path: Path) -> None:
    with _site(tmp_path) as (site, web, pid):
        assert "Did you take this before" in web.get("/dashboard").text
        tap = web.post("/doses/taken", {"clock": "08:00", "status": "missed"})
        assert tap.status_code in {200, 303}, tap.text
        [missed] = site.services.store.doses(pid, None, None)
        assert (missed.planned_clock, missed.taken_at, missed.stay_on_before) == (
            "08:00", None, site.clock.today,
        )  # fmt: skip
        after = web.get("/dashboard").text
        assert "Did you take this before" not in after
        assert "0.75 mg</span>" in after  # the new dose tonight, as the clinician answered
        assert "First say whether you took" not in after
        tonight = after[after.index('id="dose-2200"') :]
        assert 'value="taken" class="button">Taken</button>' in tonight[: tonight.index("</li>")]


# --- a real browser: the dashboard's line on a phone, both themes, axe-core -----------------


def _through(context: Any, web: Web) -> None:
    """Serve ``context``'s pages at http://127.0.0.1:9 from the in-process app (``web``'s
    session and the site's clock): the page the patient sees at 21:00 on the answer's day.
    Every request is answered here, none reaches the port (a loopback address: a page's
    origin the browser trusts, as the served app's)."""
    from urllib.parse import urlsplit

    def handle(route: Any, request: Any) -> None:
        url = urlsplit(request.url)
        path = f"{url.path}?{url.query}" if url.query else url.path
        sent = {k: v for k, v in request.headers.items() if k in {"content-type", "hx-request"}}
        got = web.client.request(
            request.method, path, content=request.post_data_buffer, headers=sent,
            follow_redirects=False,
        )  # fmt: skip
        kept = {k: v for k, v in got.headers.items() if k not in {"content-length", "set-cookie"}}
        route.fulfill(status=got.status_code, headers=kept, body=got.content)

    context.route("http://127.0.0.1:9/**", handle)


@pytest.mark.slow
def test_the_dashboard_s_line_on_a_phone_in_both_themes(tmp_path: Path, browser: Any) -> None:
    from playwright.sync_api import expect

    from tests.support.browser import (
        NARROW,
        PHONE,
        TIMEOUT_MS,
        axe_source,
        axe_violations,
        close_contexts,
        watch_console,
    )  # fmt: skip

    axe = axe_source()
    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    with _site(tmp_path) as (site, web, pid):
        try:
            phone = browser.new_context(
                base_url="http://127.0.0.1:9", viewport=PHONE, is_mobile=True,
                has_touch=True, device_scale_factor=2,
            )  # fmt: skip
            phone.set_default_timeout(TIMEOUT_MS)
            _through(phone, web)
            ann = phone.new_page()
            watch_console(ann, errors)
            violations = {}
            for scheme in ("light", "dark"):
                ann.emulate_media(color_scheme=scheme)
                ann.goto("/dashboard")
                violations[scheme] = axe_violations(ann, axe)
            assert violations == {"light": [], "dark": []}, violations
            ann.set_viewport_size({"width": NARROW, "height": 800})
            ann.goto("/dashboard")
            width = int(ann.evaluate("document.documentElement.scrollWidth"))
            assert width <= NARROW, f"the dashboard is {width} px wide at {NARROW} px"
            line = ann.locator("li.dose-line").first
            expect(line).to_contain_text("Did you take this before your clinician answered")
            line.get_by_label("Time you took it").fill("08:00")
            line.get_by_role("button", name="Log it").click()
            expect(ann).to_have_url(re.compile(r"/dashboard\?done=dose$"))
            expect(ann.locator("li.dose-line").first).to_contain_text("Taken at 08:00")
            expect(ann.get_by_text("Finish today on the dose before the cut:")).to_be_visible()
        finally:
            close_contexts(browser)
    _web_finished(site, pid)
    assert not errors, errors


@pytest.mark.slow
def test_not_taken_on_a_phone_opens_tonight_s_dose(tmp_path: Path, browser: Any) -> None:
    """'Not taken' sends the whole page back (not only its line, as a dose tap does): the
    22:00 dose, which waited for the answer, then has its 'Taken' button."""
    from playwright.sync_api import expect

    from tests.support.browser import PHONE, TIMEOUT_MS, close_contexts, watch_console

    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    with _site(tmp_path) as (_served, web, _pid):
        try:
            phone = browser.new_context(
                base_url="http://127.0.0.1:9", viewport=PHONE, is_mobile=True, has_touch=True
            )
            phone.set_default_timeout(TIMEOUT_MS)
            _through(phone, web)
            ann = phone.new_page()
            watch_console(ann, errors)
            ann.goto("/dashboard")
            tonight = ann.locator("#dose-2200")
            expect(tonight).to_contain_text("First say whether you took the 08:00 dose above.")
            expect(tonight.get_by_role("button", name="Taken", exact=True)).to_have_count(0)
            ann.locator("#dose-0800").get_by_role("button", name="Not taken").click()
            expect(ann).to_have_url(re.compile(r"/dashboard\?done=dose$"))
            expect(ann.locator("#dose-0800")).to_contain_text("Not taken")
            expect(tonight.get_by_role("button", name="Taken", exact=True)).to_have_count(1)
        finally:
            close_contexts(browser)
    assert not errors, errors


def test_the_clinician_s_hold_says_what_it_keeps(tmp_path: Path) -> None:
    """While the 08:00 dose to stay on until the go-ahead is unsaid, a hold keeps the dose
    before the cut (decide_plan), and the clinician's form says so; once it is said not
    taken, a hold keeps today's dose, and the form says only 'Hold'."""
    from tests.support.web import share

    with _site(tmp_path) as (site, web, pid):
        doc = site.clinician()
        share(site, web, doc)
        page = doc.get(f"/clinician/patients/{pid}").text
        assert re.search(
            r"Hold \(pause the taper\) on the dose before the cut of [^<]+</label>", page
        )
        assert web.post("/doses/taken", {"clock": "08:00", "status": "missed"}).status_code == 303
        page = doc.get(f"/clinician/patients/{pid}").text
        assert "Hold (pause the taper)</label>" in page
