"""The sleep window pages: the patient's course (start, review) and the clinician's view and set."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from tests.support.web import START, Site, Web, checkin_form, make_site, share

TODAY = START.date()
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def _week(web: Web, last: date, **fields: str) -> None:
    for back in range(7):
        day = last - timedelta(days=back)
        response = web.post("/checkin", checkin_form(day, **fields))
        assert response.status_code == 303, response.text[:300]
        assert response.headers["location"] == "/dashboard?done=checkin"


def _readable(page: str) -> str:
    """The page's text a person reads (no tags, no form values)."""
    return re.sub(r"<[^>]+>", " ", page)


def _started(site: Site, web: Web) -> None:
    _week(web, TODAY)  # the default form: 8 h in bed, 1 h awake in it: poor
    page = web.get("/sleep").text
    assert "A sleep window for you" in page
    assert "Try being in bed from" in page
    response = web.post("/sleep/start", {"rise": "07:00"})
    assert response.status_code == 303
    assert response.headers["location"] == "/sleep?done=sleep-window"


def test_a_patient_starts_and_reviews_the_window(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        _started(site, web)
        page = web.get("/sleep").text
        assert "Be in bed from <strong>00:00</strong> to <strong>07:00</strong>" in page
        assert "by you" in page
        assert "Next review:" in page
        assert "sleep restriction therapy (Spielman 1987)" in page
        assert "SPIELMAN" not in _readable(page)
        assert not ISO_DATE.search(_readable(page))
        early = web.post("/sleep/review", {})
        assert early.status_code == 422
        assert "reviewed on" in early.text

        site.clock.advance(days=7)
        web.signin("ann@example.org")  # a week later: a new session
        _week(web, TODAY + timedelta(days=7), bed="00:00", tried="00:00", final_wake="06:55",
              out_of_bed="07:00", sol_min="5", waso_min="5")  # fmt: skip
        assert "Review my week" in web.get("/sleep").text
        assert web.post("/sleep/review", {}).status_code == 303
        page = web.get("/sleep").text
        assert "Be in bed from <strong>23:45</strong> to <strong>07:00</strong>" in page
        assert "above 90 %, so 15 min more in bed" in page
        assert "Week by week" in page
        assert [w.time_in_bed_min for w in site.services.store.sleep_windows(pid)] == [420, 435]
        audit = [e.object for e in site.services.accounts.audit_of(pid)]
        assert any(o.startswith("sleep window review") for o in audit), audit
        learn = web.get("/learn/sleep").text
        assert "This week, be in bed from <strong>23:45</strong>" in learn
        assert 'href="/sleep"' in learn


def test_a_good_sleeper_is_not_offered_one(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient()
        _week(web, TODAY, bed="23:00", tried="23:00", final_wake="06:50", out_of_bed="07:00",
              sol_min="5", waso_min="10")  # fmt: skip
        page = web.get("/sleep").text
        assert "No sleep window" in page
        assert "not poor enough" in page
        refused = web.post("/sleep/start", {})
        assert refused.status_code == 422
        assert "Try being in bed from" not in web.get("/learn/sleep").text


def test_sleep_apnea_on_cpap_is_offered_a_window(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.patient(conditions="sleep apnea treated with CPAP")
        _week(web, TODAY)
        assert "Try being in bed from" in web.get("/sleep").text


def test_the_clinician_sees_the_course_and_sets_the_window(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        pid = site.person_id("ann@example.org")
        doc = site.clinician()
        share(site, ann, doc)
        _started(site, ann)
        assert (
            f'href="/clinician/patients/{pid}/sleep-window"'
            in doc.get(f"/clinician/patients/{pid}").text
        )
        page = doc.get(f"/clinician/patients/{pid}/sleep-window").text
        assert "[SPIELMAN-1987]" in page
        assert "85 % in many programs" in page
        assert "420 min" in page
        low = doc.post(
            f"/clinician/patients/{pid}/sleep-window",
            {"rise": "06:30", "time_in_bed_min": "280", "reason": ""},
        )
        assert low.status_code == 422
        assert "below the floor of 300 min" in low.text
        done = doc.post(
            f"/clinician/patients/{pid}/sleep-window",
            {"rise": "06:30", "time_in_bed_min": "390", "reason": "one more half hour"},
        )
        assert done.status_code == 303
        weeks = site.services.store.sleep_windows(pid)
        assert (weeks[-1].set_by, weeks[-1].time_in_bed_min) == ("clinician", 390)
        page = ann.get("/sleep").text
        assert "by your clinician" in page
        assert "one more half hour" in page
        assert ann.get(f"/clinician/patients/{pid}/sleep-window").status_code == 403
