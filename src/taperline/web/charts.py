"""Server-side SVG charts of dose against sleep and symptoms, with findings marked.

No JavaScript: the SVG scales to the page (``viewBox``), uses presentation attributes only
(the Content-Security-Policy allows no inline styles) and carries a title and a text
description; every label is escaped. Lines differ by dash pattern as well as colour.

>>> from datetime import date, timedelta
>>> days = [ChartDay(date(2027, 1, 1) + timedelta(d), 1.0, 1.0, 85.0, 10) for d in range(14)]
>>> svg = journal_chart(days, [Marker(date(2027, 1, 5), "warning", "flare")], title="14 days")
>>> svg.startswith("<svg") and "flare" in svg
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from markupsafe import Markup, escape

from taperline.core.metrics import BURDEN_MAX
from taperline.core.quantity import Mass, fmt
from taperline.web.filters import short_day

__all__ = ["COLOURS", "ChartDay", "Marker", "journal_chart"]

WIDTH: Final = 380
LEFT: Final = 58
RIGHT: Final = 28
DOSE_TOP: Final = 22
DOSE_BOTTOM: Final = 92
SLEEP_TOP: Final = 118
SLEEP_BOTTOM: Final = 210
HEIGHT: Final = 236
COLOURS: Final = {
    "dose": "#1d4ed8",
    "sleep": "#0f766e",
    "burden": "#9a3412",
    "urgent": "#b91c1c",
    "warning": "#b45309",
    "grid": "#d4d4d8",
    "text": "#3f3f46",
}


@dataclass(frozen=True, slots=True)
class ChartDay:
    """One day: planned and taken daily dose (mg), sleep efficiency (%) and burden (0-68).

    ``burden`` is :func:`taperline.core.metrics.burden`, shown as the "symptom score".
    """

    day: date
    planned_mg: float | None
    taken_mg: float | None
    se_pct: float | None
    burden: int | None


@dataclass(frozen=True, slots=True)
class Marker:
    """A finding to mark on its day (urgent or warning)."""

    day: date
    severity: str
    label: str


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _scale(top: float, bottom: float, high: float) -> Callable[[float], float]:
    def y(value: float) -> float:
        return bottom - (bottom - top) * (value / high if high else 0.0)

    return y


def _text(x: float, y: float, label: str, anchor: str = "start", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
        f' fill="{COLOURS["text"]}">{escape(label)}</text>'
    )


def _path(points: Sequence[tuple[str, float] | None], colour: str, dash: str = "") -> str:
    """A polyline that breaks where a value is missing; each x comes formatted (``.1f``)."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]},{point[1]:.1f}")
        pen_down = True
    if not parts:
        return ""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path d="{" ".join(parts)}" fill="none" stroke="{colour}" stroke-width="2"'
        f' stroke-linejoin="round"{dash_attr}/>'
    )


@dataclass(frozen=True, slots=True)
class _Columns:
    """The x of each day of a chart (:func:`_x`), and as text (``.1f``): worked out once."""

    xs: list[float]
    texts: list[str]

    @classmethod
    def of(cls, count: int) -> _Columns:
        """The columns of a chart of ``count`` days."""
        xs = [_x(index, count) for index in range(count)]
        return cls(xs, [f"{x:.1f}" for x in xs])


def _step_path(days: Sequence[ChartDay], cols: _Columns, y: Callable[[float], float]) -> str:
    """The planned dose as steps (a dose holds until the next change)."""
    points: list[tuple[str, float] | None] = []
    previous: float | None = None
    for i, d in enumerate(days):
        planned = d.planned_mg
        if planned is None:
            points.append(None)
        else:
            if i and previous not in (None, planned):
                points.append((cols.texts[i], y(previous or 0.0)))
            points.append((cols.texts[i], y(planned)))
        previous = planned
    return _path(points, COLOURS["dose"])


def _dose_panel(days: Sequence[ChartDay], cols: _Columns) -> list[str]:
    values = [v for d in days for v in (d.planned_mg, d.taken_mg) if v is not None]
    high = max(values, default=1.0) * 1.15 or 1.0
    y = _scale(DOSE_TOP, DOSE_BOTTOM, high)
    top_label = fmt(Mass.of_mg(round(high / 1.15, 3)))
    out = [
        _text(4, DOSE_TOP - 8, "Daily dose"),
        f'<line x1="{LEFT}" y1="{DOSE_BOTTOM}" x2="{WIDTH - RIGHT}" y2="{DOSE_BOTTOM}"'
        f' stroke="{COLOURS["grid"]}"/>',
        _text(LEFT - 4, y(high / 1.15) + 4, top_label, "end", 11),
        _text(LEFT - 4, DOSE_BOTTOM + 4, "0", "end", 11),
        _step_path(days, cols, y),
    ]
    dot_fill = COLOURS["dose"]
    out.extend(
        f'<circle cx="{x}" cy="{y(d.taken_mg):.1f}" r="2.6" fill="{dot_fill}"/>'
        for x, d in zip(cols.texts, days, strict=True)
        if d.taken_mg is not None
    )
    return out


def _sleep_panel(days: Sequence[ChartDay], cols: _Columns) -> list[str]:
    se = _scale(SLEEP_TOP, SLEEP_BOTTOM, 100.0)
    burden = _scale(SLEEP_TOP, SLEEP_BOTTOM, float(BURDEN_MAX))
    out = [_text(4, SLEEP_TOP - 8, "Sleep efficiency % and symptom score")]
    for value in (0, 50, 100):
        out.append(
            f'<line x1="{LEFT}" y1="{se(value):.1f}" x2="{WIDTH - RIGHT}" y2="{se(value):.1f}"'
            f' stroke="{COLOURS["grid"]}" stroke-dasharray="2 3"/>'
        )
        out.append(_text(LEFT - 4, se(value) + 4, f"{value} %", "end", 11))
    out.append(_text(WIDTH - RIGHT + 4, SLEEP_TOP + 4, str(BURDEN_MAX), "start", 11))
    out.append(_text(WIDTH - RIGHT + 4, SLEEP_BOTTOM + 4, "0", "start", 11))
    sleep_points = [
        (x, se(d.se_pct)) if d.se_pct is not None else None
        for x, d in zip(cols.texts, days, strict=True)
    ]
    burden_ys = [burden(float(d.burden)) if d.burden is not None else None for d in days]
    burden_points = [
        (x, y) if y is not None else None for x, y in zip(cols.texts, burden_ys, strict=True)
    ]
    out.append(_path(sleep_points, COLOURS["sleep"]))
    out.append(_path(burden_points, COLOURS["burden"], "5 3"))
    out.extend(
        f'<rect x="{x - 2:.1f}" y="{y - 2:.1f}" width="4" height="4" fill="{COLOURS["burden"]}"/>'
        for x, y in zip(cols.xs, burden_ys, strict=True)
        if y is not None
    )
    return out


def _markers(days: Sequence[ChartDay], cols: _Columns, markers: Sequence[Marker]) -> list[str]:
    index = {d.day: i for i, d in enumerate(days)}
    by_day: dict[date, list[Marker]] = {}
    for marker in markers:
        if marker.day in index:
            by_day.setdefault(marker.day, []).append(marker)
    out = []
    for day, found in sorted(by_day.items()):
        x, x_text = cols.xs[index[day]], cols.texts[index[day]]
        urgent = any(m.severity == "urgent" for m in found)
        colour = COLOURS["urgent" if urgent else "warning"]
        names = found[0].label if len(found) == 1 else ", ".join(sorted({m.label for m in found}))
        label = f"{short_day(day)}: {names}"
        out.append(
            f"<g><title>{escape(label)}</title>"
            f'<line x1="{x_text}" y1="{DOSE_TOP - 4}" x2="{x_text}" y2="{SLEEP_BOTTOM}"'
            f' stroke="{colour}" stroke-width="1.5" stroke-dasharray="1 2"/>'
            f'<path d="M{x - 5:.1f},{DOSE_TOP - 12} L{x + 5:.1f},{DOSE_TOP - 12}'
            f' L{x_text},{DOSE_TOP - 3} Z" fill="{colour}"/></g>'
        )
    return out


def _axis(days: Sequence[ChartDay], cols: _Columns) -> list[str]:
    if not days:
        return []
    picks = sorted({0, len(days) // 2, len(days) - 1})
    anchors = {0: "start", len(days) - 1: "end"}
    return [
        _text(
            cols.xs[i],
            HEIGHT - 6,
            f"{days[i].day.day} {days[i].day:%b}",
            anchors.get(i, "middle"),
            10,
        )
        for i in picks
    ]


def _description(days: Sequence[ChartDay], markers: Sequence[Marker]) -> str:
    doses = [d.planned_mg for d in days if d.planned_mg is not None]
    sleep = [d.se_pct for d in days if d.se_pct is not None]
    parts = []
    if doses:
        parts.append(
            f"Planned daily dose from {fmt(Mass.of_mg(round(doses[0], 4)))}"
            f" to {fmt(Mass.of_mg(round(doses[-1], 4)))}."
        )
    if sleep:
        parts.append(f"Average sleep efficiency {sum(sleep) / len(sleep):.0f} %.")
    parts.append(f"{len([d for d in days if d.burden is not None])} days with a check-in.")
    parts.append(f"{len(markers)} findings marked.")
    return " ".join(parts)


def journal_chart(
    days: Sequence[ChartDay], markers: Sequence[Marker], *, title: str, chart_id: str = "chart"
) -> Markup:
    """A two-panel chart: dose above; sleep efficiency and burden below; findings marked."""
    safe_id = "".join(ch for ch in chart_id if ch.isalnum() or ch == "-") or "chart"
    cols = _Columns.of(len(days))
    body = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-labelledby="{safe_id}-t {safe_id}-d" class="chart"'
        ' font-family="system-ui, sans-serif">',
        f'<title id="{safe_id}-t">{escape(title)}</title>',
        f'<desc id="{safe_id}-d">{escape(_description(days, markers))}</desc>',
        *_dose_panel(days, cols),
        *_sleep_panel(days, cols),
        *_markers(days, cols, markers),
        *_axis(days, cols),
        "</svg>",
    ]
    return Markup("".join(part for part in body if part))  # noqa: S704 -- every label above is escaped
