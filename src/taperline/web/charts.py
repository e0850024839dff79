"""The pages' charts: the shared SVG drawing (:mod:`taperline.adapters.svgcharts`) as markup.

The PDF report draws with the same code; here the SVG and its text table become
:class:`~markupsafe.Markup` for the templates (every label was escaped when it was drawn).

>>> from datetime import date, timedelta
>>> from taperline.core.series import SeriesDay
>>> days = [SeriesDay(date(2027, 1, 1) + timedelta(d), 1.0, mood=6) for d in range(14)]
>>> flare = Marker(date(2027, 1, 5), "warning", "flare")
>>> chart = taper_chart_markup(days, [flare], title="14 days")
>>> chart.startswith("<svg") and "flare" in chart
True
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import Markup

from taperline.adapters.svgcharts import (
    COLOURS,
    ChartRow,
    Marker,
    StrategyLine,
    StrategyRow,
    chart_rows,
    strategy_chart,
    strategy_rows,
    taper_chart,
)
from taperline.core.series import SeriesDay

__all__ = [
    "COLOURS",
    "ChartRow",
    "Marker",
    "StrategyLine",
    "StrategyRow",
    "chart_rows",
    "strategy_chart_markup",
    "strategy_rows",
    "taper_chart_markup",
]


def taper_chart_markup(
    days: Sequence[SeriesDay],
    markers: Sequence[Marker],
    *,
    title: str,
    chart_id: str = "chart",
    today: date | None = None,
) -> Markup:
    """:func:`~taperline.adapters.svgcharts.taper_chart` as markup for a template."""
    svg = taper_chart(days, markers, title=title, chart_id=chart_id, today=today)
    return Markup(svg)  # noqa: S704 -- every label in it is escaped by the drawing code


def strategy_chart_markup(lines: Sequence[StrategyLine], *, title: str) -> Markup:
    """:func:`~taperline.adapters.svgcharts.strategy_chart` as markup for a template."""
    svg = strategy_chart(lines, title=title)
    return Markup(svg)  # noqa: S704 -- every label in it is escaped by the drawing code
