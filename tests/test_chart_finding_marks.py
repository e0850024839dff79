"""Findings marked on a chart: each on the column holding its day, looked up not searched.

``svgcharts._finding_marks`` once searched every column for each marker (a year of findings
on the dashboard's 90-day chart: markers x columns); it now looks each day up. These tests
pin what it draws to the search it replaced, on daily and weekly charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from taperline.adapters import svgcharts
from taperline.adapters.svgcharts import Marker, SeriesDay, taper_chart
from taperline.core.series import weekly

START = date(2027, 1, 1)


def _searched(days: Sequence[SeriesDay], markers: Sequence[Marker]) -> dict[int, set[str]]:
    """Which column each marker is on, by the search over the columns (the old way)."""
    found: dict[int, set[str]] = {}
    for marker in markers:
        for i, d in enumerate(days):
            if d.day <= marker.day and (marker.day - d.day).days < d.days:
                found.setdefault(i, set()).add(marker.label)
                break
    return found


def _year_of_markers() -> list[Marker]:
    """A marker on most days of a year, before and after the charts' days too."""
    return [
        Marker(START + timedelta(days=n), "urgent" if n % 3 else "warning", f"kind {n % 4}")
        for n in range(-30, 365)
        if n % 5
    ]


def test_each_marker_is_on_the_column_the_search_gives_daily_and_weekly() -> None:
    daily = [SeriesDay(START + timedelta(days=n), 1.0) for n in range(90)]
    markers = _year_of_markers()
    for days in (daily, list(weekly(daily)), daily[-14:]):
        frame = svgcharts._Frame.of(len(days))
        marks = svgcharts._finding_marks(days, frame, markers, 100.0)
        expected = _searched(days, markers)
        assert len(marks) == len(expected)
        for column, mark in zip(sorted(expected), marks, strict=True):
            assert f'x1="{frame.xs[column]:.1f}"' in mark
            assert ", ".join(sorted(expected[column])) in mark


def test_a_marker_outside_the_chart_is_not_drawn() -> None:
    days = [SeriesDay(START + timedelta(days=n), 1.0) for n in range(14)]
    outside = [Marker(START - timedelta(days=1), "urgent", "red flag")]
    drawn = taper_chart(days, outside, title="t").split("</desc>", 1)[1]
    assert "red flag" not in drawn
    assert drawn == taper_chart(days, (), title="t").split("</desc>", 1)[1]
