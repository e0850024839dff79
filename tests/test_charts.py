"""The taper chart shared by the web pages and the PDF report (issue 18, section 3).

The SVG must parse, carry role="img" with a title and description, mark each cut, tell a
quick check-in's estimate apart, and never draw a missing value as zero; the text table says
the same numbers; the report draws it without matplotlib.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, timedelta

from taperline.adapters.svgcharts import (
    Marker,
    StrategyLine,
    chart_rows,
    strategy_chart,
    taper_chart,
)
from taperline.core.journal import CheckIn, ReportedSleep
from taperline.core.record import PersonRecord, Profile
from taperline.core.series import day_series, weekly
from tests.support.report_record import TODAY, realistic_record

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 -- our own drawing, not untrusted input


def _quick_every_fifth() -> PersonRecord:
    record = realistic_record()
    checkins = []
    for i, checkin in enumerate(record.checkins):
        quick = replace(
            checkin,
            sleep=None,
            reported_sleep=ReportedSleep(380, 3),
            symptoms={},
            symptoms_rated=False,
        )
        checkins.append(quick if i % 5 == 4 else checkin)
    return replace(record, checkins=tuple(checkins))


def test_the_chart_is_accessible_svg_with_every_panel_and_cut() -> None:
    record = _quick_every_fifth()
    days = day_series(record, TODAY - timedelta(days=89), TODAY)
    svg = taper_chart(days, [Marker(date(2027, 2, 17), "warning", "flare")], title="90 days")
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}desc") is not None
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for panel in ("Daily dose", "Hours slept", "Sleep efficiency", "Mood", "Symptoms"):
        assert panel in texts
    for symptom in ("insomnia", "tremor"):
        assert symptom in texts
    cut_titles = [
        g.find(f"{SVG}title").text  # type: ignore[union-attr]
        for g in root.iter(f"{SVG}g")
        if g.find(f"{SVG}line[@class='s-cut']") is not None
    ]
    plan_cuts = [s.start for s in record.plans[0].steps if days[0].day < s.start <= TODAY]
    assert len(cut_titles) == len(plan_cuts) >= 5
    assert "15 Feb: dose" in " ".join(t or "" for t in cut_titles)
    assert any("flare" in (t.text or "") for t in root.iter(f"{SVG}title"))
    # A quick check-in's estimate is drawn hollow, the diary's nights solid.
    assert root.find(f".//{SVG}path[@class='f-paper s-sleep']") is not None
    assert root.find(f".//{SVG}path[@class='f-sleep']") is not None


def test_a_missing_value_is_a_gap_never_a_zero() -> None:
    start = date(2027, 1, 1)
    checkins = (
        CheckIn(start, None, 6, 3, symptoms={"tremor": 2}),
        CheckIn(start + timedelta(days=2), None, 6, 3, symptoms_rated=False),
    )
    days = day_series(PersonRecord(Profile("UTC"), checkins=checkins), start, start + timedelta(2))
    assert [d.mood for d in days] == [6, None, 6]
    assert [d.symptoms for d in days] == [{"tremor": 2}, None, None]
    svg = taper_chart(days, title="3 days")
    mood = next(
        p.get("d", "") for p in _parse(svg).iter(f"{SVG}path") if p.get("class") == "s-mood"
    )
    assert mood.count("M") == 2
    assert "L" not in mood  # two lone points, no line through day 2
    symptoms = next(
        p.get("d", "") for p in _parse(svg).iter(f"{SVG}path") if p.get("class") == "f-symptom"
    )
    assert symptoms.count("M") == 1  # one bar: the unrated quick check-in has none
    rows = chart_rows(days)
    assert [r.mood for r in rows] == ["6", "", "6"]
    assert [r.symptoms for r in rows] == ["tremor 2", "", "not filled in"]


def test_a_long_range_is_drawn_as_weekly_means_and_stays_small() -> None:
    record = _quick_every_fifth()
    days = weekly(day_series(record, TODAY - timedelta(days=89), TODAY))
    assert len(days) == 13
    svg = taper_chart(days, title="weeks")
    _parse(svg)
    assert "Weekly means." in svg
    assert len(svg) < 20_000
    assert chart_rows(days)[0].day.startswith("week of ")


def test_the_strategy_chart_draws_each_strategy_on_one_plot() -> None:
    start = date(2027, 1, 1)
    lines = [
        StrategyLine("10 % every 2 weeks", ((start, 1.0), (start + timedelta(14), 0.9))),
        StrategyLine("fixed steps", ((start, 1.0), (start + timedelta(14), 0.75))),
    ]
    root = _parse(strategy_chart(lines, title="compare"))
    assert root.get("role") == "img"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "10 % every 2 weeks" in texts
    assert "fixed steps" in texts
    dashes = {p.get("stroke-dasharray") for p in root.iter(f"{SVG}path")}
    assert len(dashes) == 2  # told apart without colour


def test_the_report_path_imports_no_matplotlib_and_weasyprint_only_to_write(
    tmp_path: object,
) -> None:
    code = (
        "import sys\n"
        "from tests.support.report_record import realistic_record, TODAY, GENERATED\n"
        "from taperline.core.review import review\n"
        "from taperline.adapters.report import report_html\n"
        "r = realistic_record()\n"
        "html = report_html(r, review(r, TODAY), start=None, end=None, today=TODAY,"
        " generated_at=GENERATED)\n"
        "assert 'data:image/svg+xml' in html\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('matplotlib', 'weasyprint')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
