"""The dashboard's charts mark each finding day they show, however old the finding's evidence.

The dashboard's 14- and 90-day charts make markers only for the evidence days the 90-day
chart shows (a year of evidence makes no marker for the days before it, issue 18's speed-up);
a finding day inside the 90 days is still marked there, and the 14-day chart still marks
only its own days. The table under the charts is the last 14 days of the same series.
"""

from __future__ import annotations

from datetime import date, timedelta

from taperline.adapters.svgcharts import short_day
from taperline.core.findings import Evidence, Finding
from taperline.core.journal import CheckIn
from taperline.core.quantity import Mass
from taperline.core.record import DoseRecord, PersonRecord, Profile
from taperline.service.store import review_as_of
from taperline.web.views import build_dashboard, chart_pair, chart_table, finding_markers
from tests.strategies import wall_clock

TODAY = date(2027, 6, 30)


def _ten_mg(days_ago: int) -> DoseRecord:
    day = TODAY - timedelta(days=days_ago)
    return DoseRecord(
        day, "clonazepam", None, None, wall_clock(day.year, day.month, day.day, 22), Mass.of_mg(10)
    )


def test_a_finding_day_is_marked_on_the_charts_that_show_it() -> None:
    ago = (3, 30, 89, 90, 200)  # the 14-day chart's, the 90-day chart's, its first, before
    record = PersonRecord(Profile("UTC"), doses=tuple(_ten_mg(n) for n in ago))
    result = review_as_of(record, TODAY)
    assert {e.day for f in result.findings if f.kind == "large_dose" for e in f.evidence} == {
        TODAY - timedelta(days=n) for n in ago
    }
    chart_14, chart_90 = chart_pair(record, TODAY, result)

    def marked(chart: str, days_ago: int) -> bool:
        return f"<title>{short_day(TODAY - timedelta(days=days_ago))}: " in chart

    assert [marked(chart_90, n) for n in ago] == [True, True, True, False, False]
    assert [marked(chart_14, n) for n in ago] == [True, False, False, False, False]


def test_markers_since_a_day_keep_that_day_and_leave_the_earlier_ones() -> None:
    days = [TODAY - timedelta(days=n) for n in (0, 5, 6, 7)]
    finding = Finding("flare", "warning", "m", tuple(Evidence(d, "x", "y") for d in days), "S", "a")
    every = finding_markers([finding])
    assert [m.day for m in every] == days
    since = finding_markers([finding], since=TODAY - timedelta(days=6))
    assert [m.day for m in since] == days[:3]


def test_the_dashboard_s_table_is_the_last_14_days_newest_first() -> None:
    """Made from the charts' 90-day series: the same rows chart_table makes on its own."""
    record = PersonRecord(
        Profile("UTC"),
        checkins=tuple(
            CheckIn(TODAY - timedelta(days=n), None, mood=n % 11, anxiety=3) for n in range(20)
        ),
        doses=tuple(_ten_mg(n) for n in (0, 13, 14)),
    )
    rows = build_dashboard(record, TODAY).chart_rows
    assert rows == tuple(chart_table(record, TODAY))
    assert [r.day for r in rows] == [short_day(TODAY - timedelta(days=n)) for n in range(14)]
