"""The charts page over a range, the taper progress, and the plan builder's strategy chart.

In-process app tests (issue 18, section 3): ``/charts?range=2w|3m|all`` for the patient and
``/clinician/patients/{id}/charts`` for a clinician they share with, each with its text
table; a range that is not one answers 422 with the default range and a message; the
progress (dose now, the way done in mg and in predicted occupancy, next change, weeks) in
plain words for the patient and with the ED50 assumption for the clinician; the strategy
comparison drawn as one chart with its table.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from taperline.service.store import reviewed_record
from taperline.web.filters import day, short_day
from tests.support.web import START, Site, Web, approved_plan, checkin_form, make_site, share

TODAY = START.date()
PLAN_START = TODAY - timedelta(days=150)  # the whole taper is drawn as weekly means
CHECKED_IN = (1, 2, 5, 40, 100)  # days ago


def _rows(page: str) -> list[str]:
    """The row headers of the page's first text table (the chart's)."""
    table = page.split('<details class="chart-table">', 1)[1].split("</details>", 1)[0]
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def _patient_with_plan(site: Site, start: object = PLAN_START) -> tuple[Web, int]:
    ann = site.patient("ann@example.org", display_name="Ann Example")
    pid = site.person_id("ann@example.org")
    approved_plan(site, pid, start)  # type: ignore[arg-type]
    for ago in CHECKED_IN:
        saved = ann.post("/checkin", checkin_form(TODAY - timedelta(days=ago)))
        assert saved.status_code == 303, saved.text[:300]
    return ann, pid


def test_each_range_draws_the_chart_with_its_table(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, _ = _patient_with_plan(site)
        default = ann.get("/charts")
        two_weeks = ann.get("/charts?range=2w")
        three_months = ann.get("/charts?range=3m")
        whole = ann.get("/charts?range=all")
    for page in (default, two_weeks, three_months, whole):
        assert page.status_code == 200
        assert page.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
        assert 'role="img"' in page.text
        # The choice is three plain links (no JavaScript needed), the chosen one marked.
        for key in ("2w", "3m", "all"):
            assert f'href="/charts?range={key}"' in page.text
    assert re.search(r'range=2w" aria-current="page">2 weeks', two_weeks.text)
    assert re.search(r'range=3m" aria-current="page">3 months', three_months.text)
    assert re.search(r'range=all" aria-current="page">The whole taper', whole.text)
    two = _rows(two_weeks.text)
    assert len(two) == 14
    assert two[0] == "1 Mar"
    assert two[-1] == "16 Feb"
    assert len(_rows(three_months.text)) == 91
    weeks = _rows(whole.text)
    assert len(weeks) > 22  # 22 weeks lived, then the plan's weeks to its end
    assert all(w.startswith("week of ") for w in weeks)
    assert "as weekly means" in whole.text
    assert "Weekly means." in whole.text
    assert "The whole taper so far" not in whole.text  # it goes on to the plan's end
    assert "nothing recorded that week (each row is the mean" in whole.text
    assert "nothing recorded that day." in three_months.text
    # The check-in of 100 days ago is beyond 3 months: only the whole taper shows it.
    assert re.search(r"week of 20 Nov</th><td>[^<]*</td><td>7 h</td>", whole.text)
    assert "20 Nov" not in three_months.text.split("<tbody>", 1)[1]
    assert "-10 %" in whole.text  # each cut in the table's "Dose change" column


@pytest.mark.parametrize("given", ["1y", "ALL", "<script>x</script>", "2w2w", "%00"])
def test_a_range_that_is_not_one_shows_two_weeks_with_a_message(tmp_path: Path, given: str) -> None:
    with make_site(tmp_path) as site:
        ann, _ = _patient_with_plan(site, TODAY - timedelta(days=30))
        page = ann.get("/charts", params={"range": given})
    assert page.status_code == 422
    assert 'role="alert"' in page.text
    assert "is not a range: showing 2 weeks" in page.text
    assert "<script>x" not in page.text
    assert len(_rows(page.text)) == 14
    assert re.search(r'range=2w" aria-current="page"', page.text)


def test_an_empty_range_is_the_default(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient()
        page = ann.get("/charts?range=")
    assert page.status_code == 200
    assert len(_rows(page.text)) == 14
    assert "No approved plan has started yet" in page.text


def test_the_whole_taper_without_a_plan_starts_at_the_first_check_in(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient()
        assert ann.post("/checkin", checkin_form(TODAY - timedelta(days=30))).status_code == 303
        page = ann.get("/charts?range=all")
    assert page.status_code == 200
    assert len(_rows(page.text)) == 31  # 30 days ago to today, by day


def test_the_whole_taper_goes_on_to_the_plans_end(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        plan = reviewed_record(site.services.store, pid, now=site.clock.now).record.plan
        assert plan is not None
        end = plan.followed_steps[-1].start
        assert end > TODAY + timedelta(days=60)  # a plan with months to go
        whole = ann.get("/charts?range=all").text
    chart = whole.split("<svg", 1)[1].split("</svg>", 1)[0]
    lived = (TODAY - PLAN_START).days // 7 + 1
    weeks = _rows(whole)[::-1]  # oldest first
    assert len(weeks) == ((end - PLAN_START).days + 1 + 6) // 7  # every week to the plan's end
    assert weeks[-1] == f"week of {short_day(PLAN_START + timedelta(weeks=len(weeks) - 1))}"
    assert f"to its last on {day(end)}, not yet taken" in whole
    assert f"After today ({day(TODAY)}) the dose line is dashed" in whole
    # The chart: the step line dashed after a line at today, cuts to come titled planned.
    assert chart.count('class="s-dose"') >= 2  # the lived part and the planned part
    assert 'stroke-dasharray="5 3"' in chart.split("Hours slept", 1)[0]
    assert ">today</text>" in chart
    assert re.search(r"<title>\d+ \w+: planned: dose ", chart)
    assert "are drawn dashed: planned, not yet taken." in chart  # the description says so
    # The table: the planned weeks say so and have no journal; the lived ones keep theirs.
    table = whole.split('<details class="chart-table">', 1)[1].split("</details>", 1)[0]
    cells = re.findall(r'<tr><th scope="row">week of [^<]*</th>(.*?)</tr>', table)[::-1]
    ahead = [re.findall(r"<td>([^<]*)</td>", c) for c in cells[lived:]]
    assert ahead
    assert all(c[0].endswith(" (planned)") and c[1:6] == ["—"] * 5 for c in ahead), ahead[:3]
    assert not any("(planned)" in c for c in cells[:lived])
    assert re.search(r"week of 20 Nov</th><td>[^<]*</td><td>7 h</td>", whole)


def test_a_held_plans_whole_taper_stops_at_today(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        site.services.store.decide(pid, "hold", by="Dr Test", reason="a wave", at=site.clock.now)
        whole = ann.get("/charts?range=all").text
    assert "The whole taper so far" in whole  # no cut on hold is drawn as to come
    assert "(planned)" not in whole
    assert ">today</text>" not in whole
    assert len(_rows(whole)) == (TODAY - PLAN_START).days // 7 + 1


def test_the_patient_sees_the_progress_in_plain_words(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, _ = _patient_with_plan(site)
        charts = ann.get("/charts").text
        dashboard = ann.get("/dashboard").text
    for page in (charts, dashboard):
        assert "Where you are on your plan" in page
        progress = page.split('id="progress-h"', 1)[1].split("</section>", 1)[0]
        assert "<strong>0.325 mg a day</strong>" in progress
        assert "(from 1 mg; the plan ends at 0 mg)" in progress
        assert "68 % of the way" in progress  # (1 - 0.325) / 1 in mg
        assert "58 % of the way" in progress  # in predicted occupancy, ED50 2 mg a day
        assert "5 Mar 2027, to 0.295 mg a day" in progress
        assert "21 weeks, since" in progress
        # Plain words: no source ids, no model names, no ED50.
        for word in ("ED50", "MAUDSLEY", "occupancy", "Emax"):
            assert word not in progress
    assert 'href="/charts?range=all"' in dashboard


def test_no_progress_card_on_the_dashboard_without_a_plan(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        page = site.patient().get("/dashboard")
    assert page.status_code == 200
    assert "Where you are on your plan" not in page.text


def test_a_held_plan_has_no_next_change(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site, TODAY - timedelta(days=30))
        site.services.store.decide(pid, "hold", by="Dr Test", reason="wait", at=site.clock.now)
        page = ann.get("/charts").text
    progress = page.split('id="progress-h"', 1)[1].split("</section>", 1)[0]
    assert "your plan is on hold until your clinician decides" in progress


def test_the_clinician_sees_a_shared_patients_charts_and_the_assumption(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann, pid = _patient_with_plan(site)
        doc = site.clinician()
        share(site, ann, doc)
        stranger = site.clinician("other@example.org")
        charts = doc.get(f"/clinician/patients/{pid}/charts?range=3m")
        bad = doc.get(f"/clinician/patients/{pid}/charts?range=x")
        overview = doc.get(f"/clinician/patients/{pid}")
        refused = stranger.get(f"/clinician/patients/{pid}/charts")
        own = ann.get(f"/clinician/patients/{pid}/charts")
        audit = ann.get("/account/audit").text
    assert charts.status_code == 200
    assert "Ann Example" in charts.text
    assert len(_rows(charts.text)) == 91
    assert f'href="/clinician/patients/{pid}/charts?range=all"' in charts.text
    assert bad.status_code == 422
    assert "is not a range" in bad.text
    assert refused.status_code == 404
    assert "Ann Example" not in refused.text
    assert own.status_code == 403
    for page in (charts.text, overview.text):
        assert "Taper progress" in page
        assert "ED50 = 2 mg a day" in page
        assert "an assumption" in page
        assert "MAUDSLEY-2024" in page  # clinicians read the source id
    # The patient page has the 14-day text table and links to the ranges.
    assert len(_rows(overview.text)) == 14
    assert f'href="/clinician/patients/{pid}/charts?range=3m"' in overview.text
    assert "(clinician)</strong> read: charts 3m" in audit


def test_the_strategy_comparison_is_one_chart_with_a_table(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        ann = site.patient("ann@example.org")
        doc = site.clinician()
        share(site, ann, doc)
        pid = site.person_id("ann@example.org")
        query = (
            "drug=clonazepam&dose_0=1+mg&time_0=22:00&strategy=percent&percent=10"
            f"&every=14d&stabilise=14d&start={TODAY.isoformat()}"
            "&compare=percent&compare=fixed&compare=occupancy"
        )
        page = doc.get(f"/clinician/patients/{pid}/plan/new?{query}")
        single = doc.get(
            f"/clinician/patients/{pid}/plan/new?{query.split('&compare', maxsplit=1)[0]}"
        )
    assert page.status_code == 200
    section = page.text.split("Strategies compared", 1)[1].split("</section>", 1)[0]
    assert section.count("<svg") == 1
    assert "<title" in section
    assert "Daily dose over time, by strategy" in section
    for name in ("percent", "fixed", "occupancy"):
        assert f">{name}</text>" in section  # the legend
        assert f'<th scope="col">{name}</th>' in section  # the table
    table = section.split('<details class="chart-table">', 1)[1]
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>(\d+)</td>(.*?)</tr>', table)
    assert rows[0][0] == "1 Mar"
    assert rows[0][1] == "0"
    assert rows[0][2].count("<td>1 mg</td>") == 3  # every strategy starts at 1 mg
    last = re.findall(r"<td>([^<]*)</td>", rows[-1][2])
    assert len(last) == 3
    assert "1 mg" not in last
    assert "—" not in last
    assert [int(week) for _, week, _ in rows] == sorted(int(week) for _, week, _ in rows)
    assert "Daily dose over time" not in single.text  # one strategy: nothing to compare


def test_the_dashboard_draws_the_last_14_days_and_links_further_back(tmp_path: Path) -> None:
    """One chart on the dashboard (phone at 7 a.m., and a cold dashboard draws one: issue 18);
    the last 3 months and the whole taper are the charts page's, one tap away."""
    with make_site(tmp_path) as site:
        ann, _ = _patient_with_plan(site)
        board = ann.get("/dashboard")
        three_months = ann.get("/charts?range=3m")
    assert board.status_code == 200
    assert board.text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1
    assert 'aria-labelledby="dash-14-t dash-14-d"' in board.text
    assert "Last 90 days" not in board.text
    for key in ("3m", "all"):
        assert f'href="/charts?range={key}"' in board.text
    rows = _rows(board.text)
    assert len(rows) == 14
    assert rows[0] == "1 Mar"
    # the check-in of 40 days ago: on the 3 months' page, not on the dashboard's chart or table
    forty = short_day(TODAY - timedelta(days=40))
    assert forty not in board.text.split('<section class="card" aria-labelledby="charts-h">')[1]
    assert forty in three_months.text.split("<tbody>", 1)[1]
