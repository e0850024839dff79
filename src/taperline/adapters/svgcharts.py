"""The taper drawn as SVG: one drawing for the web pages and the PDF report (no matplotlib).

:func:`taper_chart` draws, over any range of :class:`~taperline.core.series.SeriesDay`, the
daily dose as a step line (taken doses as dots) with each cut marked by a dashed line across
every panel, then hours slept (a hollow square: the person's estimate, from a quick check-in),
sleep efficiency, mood and anxiety, and one small bar row per symptom the person rated; finding
days are marked above. :func:`strategy_chart` draws each strategy's daily dose over time on one
plot. :func:`chart_rows` is the text table of the same numbers, for people who cannot see the
picture (the pages show it under the chart); :func:`strategy_rows` is the strategy chart's.

The SVG scales to its container (``viewBox`` 380 wide: readable on a 320 px phone), uses
presentation attributes only (the web's Content-Security-Policy allows no inline style), has
``role="img"``, a title and a description, and escapes every label. A missing value is a gap,
never zero. Each coloured element has a class (``s-`` for its stroke, ``f-`` for its fill,
e.g. ``s-dose``) that the web stylesheet maps to CSS variables, so a dark theme can recolour
the chart; the attributes are the colours for the PDF. Lines differ by dash as well as colour.

>>> from datetime import date, timedelta
>>> from taperline.core.series import SeriesDay
>>> days = [SeriesDay(date(2027, 1, 1) + timedelta(d), 1.0 if d < 7 else 0.9, slept_h=6.5,
...                   mood=6, anxiety=3, symptoms={"tremor": d % 3}) for d in range(14)]
>>> svg = taper_chart(days, title="14 days")
>>> svg.startswith("<svg") and "tremor" in svg and 'class="s-cut"' in svg
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from typing import Final

from taperline.core.quantity import Mass, fmt
from taperline.core.series import Cut, SeriesDay, cuts, tracked
from taperline.core.values import MONTH_NAMES

__all__ = [
    "COLOURS",
    "ChartRow",
    "Marker",
    "StrategyLine",
    "StrategyRow",
    "chart_rows",
    "describe",
    "strategy_chart",
    "strategy_rows",
    "taper_chart",
]

WIDTH: Final = 380
LEFT: Final = 46
RIGHT: Final = 12
_SPAN: Final = WIDTH - LEFT - RIGHT
_HEAD: Final = 16  # a panel's title line
_GAP: Final = 8
_SYMPTOM_ROW: Final = 13
#: The default colours (the PDF's; the web maps each class to a CSS variable).
COLOURS: Final = {
    "dose": "#1d4ed8",
    "sleep": "#0f766e",
    "se": "#6d28d9",
    "mood": "#15803d",
    "anxiety": "#9a3412",
    "symptom": "#9a3412",
    "cut": "#52525b",
    "urgent": "#b91c1c",
    "warning": "#b45309",
    "grid": "#d4d4d8",
    "text": "#3f3f46",
    "paper": "#ffffff",
}
#: Dash patterns of the strategy chart's lines, so they differ without colour.
_DASHES: Final = ("", "6 3", "2 2", "8 3 2 3", "1 3")
_STRATEGY_COLOURS: Final = ("dose", "anxiety", "se", "sleep", "cut")


@dataclass(frozen=True, slots=True)
class Marker:
    """A finding to mark on its day (``urgent`` or ``warning``)."""

    day: date
    severity: str
    label: str


@dataclass(frozen=True, slots=True)
class StrategyLine:
    """One strategy of a comparison: its name and its steps (start day, mg a day)."""

    name: str
    steps: tuple[tuple[date, float], ...]


def short_day(day: date) -> str:
    """'5 Jan'.

    >>> short_day(date(2027, 1, 5))
    '5 Jan'
    """
    return f"{day.day} {MONTH_NAMES[day.month - 1]}"


def _mg(value: float) -> str:
    return fmt(Mass.of_mg(round(value, 4)))


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


# --- drawing primitives ------------------------------------------------------------------------


def _attr(role: str, kind: str) -> str:
    """The class and colour attribute of a stroke (``s``) or fill (``f``) of ``role``."""
    name = "stroke" if kind == "s" else "fill"
    return f'class="{kind}-{role}" {name}="{COLOURS[role]}"'


def _text(x: float, y: float, label: str, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"'
        f" {_attr('text', 'f')}>{escape(label)}</text>"
    )


def _dose_label(y: float, label: str) -> str:
    """A dose on the y axis, right-aligned to the plot, smaller when long.

    "0.675 mg" must not lose its leading zero off the chart's edge (ISMP: no naked decimal).

    >>> 'font-size="10"' in _dose_label(50, "1 mg"), 'font-size="8"' in _dose_label(50, "0.675 mg")
    (True, True)
    """
    size = max(6, min(10, int((LEFT - 6) / (0.62 * len(label)))))  # DejaVu Sans: ~0.62 em a char
    return _text(LEFT - 4, y + 4, label, "end", size)


def _hline(y: float, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"'
        f" {_attr('grid', 's')}{dashed}/>"
    )


def _path(points: Sequence[tuple[float, float] | None], role: str, dash: str = "") -> str:
    """A line through ``points`` that breaks where one is missing (None)."""
    parts, pen_down = [], False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{point[0]:.1f},{point[1]:.1f}")
        pen_down = True
    if not parts:
        return ""
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<path d="{" ".join(parts)}" fill="none" {_attr(role, "s")} stroke-width="1.8"'
        f' stroke-linejoin="round"{dashed}/>'
    )


def _scale(top: float, bottom: float, low: float, high: float) -> Callable[[float], float]:
    def y(value: float) -> float:
        return bottom - (bottom - top) * ((value - low) / (high - low) if high > low else 0.0)

    return y


@dataclass(frozen=True, slots=True)
class _Frame:
    """The x of each column (a day or a week) and the chart's width per column."""

    xs: tuple[float, ...]
    step: float

    @classmethod
    def of(cls, count: int) -> _Frame:
        step = _SPAN / max(count, 1)
        return cls(tuple(LEFT + step * (i + 0.5) for i in range(count)), step)


def _group(role: str, kind: str, children: Sequence[str], extra: str = "") -> str:
    """Children drawn in one colour (set once on the group: a smaller SVG)."""
    if not children:
        return ""
    return f"<g {_attr(role, kind)}{extra}>{''.join(children)}</g>"


def _dot_path(xs: Sequence[float], ys: Sequence[float | None], r: float) -> str:
    """Dots as one path of small squares: one node, not one per dot.

    A renderer's cost is per node and arcs cost more than lines: WeasyPrint drew the
    90-day chart's dots as ``<circle>`` elements in 0.37-0.68 s, as arcs in one path in
    0.66-0.98 s and as squares in one path in 0.26-0.39 s (/tmp bench, busy machine).
    """
    side = 2 * r
    square = f"h{side:.1f}v{side:.1f}h-{side:.1f}z"  # the same for every dot: formatted once
    return "".join(
        f"M{x - r:.1f},{y - r:.1f}{square}" for x, y in zip(xs, ys, strict=True) if y is not None
    )


def _dots(xs: Sequence[float], ys: Sequence[float | None], role: str, r: float) -> str:
    d = _dot_path(xs, ys, r)
    return f'<path d="{d}" {_attr(role, "f")}/>' if d else ""


def _rings(xs: Sequence[float], ys: Sequence[float | None], role: str, r: float) -> str:
    """Hollow dots: filled with the paper's colour, outlined in ``role``'s."""
    d = _dot_path(xs, ys, r)
    if not d:
        return ""
    return (
        f'<path d="{d}" class="f-paper s-{role}" fill="{COLOURS["paper"]}"'
        f' stroke="{COLOURS[role]}" stroke-width="1.3"/>'
    )


# --- the taper chart's panels -----------------------------------------------------------------


def _steps(
    days: Sequence[SeriesDay],
    frame: _Frame,
    y: Callable[[float], float],
    columns: range,
    level: float | None,
) -> list[tuple[float, float] | None]:
    """The planned dose's step line over ``columns``, from ``level`` (the column before's)."""
    half = frame.step / 2
    points: list[tuple[float, float] | None] = []
    if level is not None and columns:
        points.append((frame.xs[columns[0]] - half, y(level)))  # on from the part before
    for i in columns:  # steps: a point where the dose changes
        x, mg = frame.xs[i], days[i].planned_mg
        if mg is None:
            points.append(None)
        elif mg != level:
            if level is not None:
                points.append((x - half, y(level)))
            points.append((x - half, y(mg)))
        level = mg
    if level is not None and columns:
        points.append((frame.xs[columns[-1]] + half, y(level)))
    return points


def _dose_panel(
    days: Sequence[SeriesDay], frame: _Frame, top: float, now: int | None
) -> tuple[list[str], float]:
    """The planned dose (steps; dashed after column ``now``, today's) and the doses taken."""
    bottom = top + _HEAD + 58
    values = [v for d in days for v in (d.planned_mg, d.taken_mg) if v is not None]
    high = max(values, default=1.0) or 1.0
    y = _scale(top + _HEAD + 4, bottom, 0.0, high)
    split = len(days) if now is None else now + 1
    past = _steps(days, frame, y, range(split), None)
    before = days[split - 1].planned_mg if 0 < split < len(days) else None
    ahead = _steps(days, frame, y, range(split, len(days)), before)
    taken = [y(d.taken_mg) if d.taken_mg is not None else None for d in days]
    out = [
        _text(
            4,
            top + 11,
            f"Daily dose (line: {'plan, dashed ahead' if ahead else 'planned'}; squares: taken)",
        ),
        _hline(bottom),
        _dose_label(y(high), _mg(high)),
        _text(LEFT - 4, bottom + 4, "0", "end", 10),
        _path(past, "dose"),
        _path(ahead, "dose", "5 3"),
        _dots(frame.xs, taken, "dose", 2.2 if len(days) <= 120 else 1.4),  # noqa: PLR2004
    ]
    if ahead:  # a line at the end of today's column
        x = frame.xs[split - 1] + frame.step / 2 if split else LEFT
        out += [
            f'<line x1="{x:.1f}" y1="{top + _HEAD:.1f}" x2="{x:.1f}" y2="{bottom:.1f}"'
            f' {_attr("text", "s")} stroke-width="1"/>',
            _text(x + 3, top + _HEAD + 9, "today", "start", 9),
        ]
    return out, bottom


def _line_panel(  # noqa: PLR0917 -- one private drawing helper, its parts named
    title: str,
    frame: _Frame,
    top: float,
    height: float,
    limits: tuple[float, float, tuple[float, ...], str],
    lines: Sequence[tuple[str, Sequence[float | None], str, Sequence[bool]]],
) -> tuple[list[str], float]:
    """A panel of lines (role, values, dash, hollow-or-not per value) on a fixed scale."""
    low, high, ticks, unit = limits
    bottom = top + _HEAD + height
    y = _scale(top + _HEAD + 4, bottom, low, high)
    out = [_text(4, top + 11, title)]
    for tick in ticks:
        out.append(_hline(y(tick), "" if tick == low else "2 3"))
        out.append(_text(LEFT - 4, y(tick) + 4, f"{_number(tick)}{unit}", "end", 10))
    r = 2.2 if len(frame.xs) <= 120 else 1.4  # noqa: PLR2004 -- smaller dots on long ranges
    for role, values, dash, hollow in lines:
        ys = [y(v) if v is not None else None for v in values]
        out.append(
            _path(
                [(x, v) if v is not None else None for x, v in zip(frame.xs, ys, strict=True)],
                role,
                dash,
            )
        )
        solid = [v if not h else None for v, h in zip(ys, hollow, strict=True)]
        out.append(_dots(frame.xs, solid, role, r))
        rings = [v if h else None for v, h in zip(ys, hollow, strict=True)]
        out.append(_rings(frame.xs, rings, role, r + 0.6))
    return out, bottom


def _symptom_panel(
    days: Sequence[SeriesDay], frame: _Frame, top: float, names: Sequence[str]
) -> tuple[list[str], float]:
    """One row of bars per symptom: bar height is the rating (0-3); no bar where not rated."""
    out = [_text(4, top + 11, "Symptoms, 0-3 (blank: checklist not filled in)")]
    width = max(frame.step * 0.8, 0.6)
    row_top = top + _HEAD
    for name in names:
        base = row_top + _SYMPTOM_ROW - 2
        out.append(_text(LEFT - 4, base, name[:9], "end", 9))
        out.append(_hline(base))
        bars = []
        for x, d in zip(frame.xs, days, strict=True):
            if d.symptoms is None:
                continue
            rating = d.symptoms.get(name, 0.0)
            height = max((_SYMPTOM_ROW - 3) * rating / 3, 0.8)  # a rated 0 is a thin tick
            bars.append(f"M{x - width / 2:.1f},{base:.1f}h{width:.1f}v-{height:.1f}h-{width:.1f}z")
        if bars:
            out.append(f'<path d="{"".join(bars)}" {_attr("symptom", "f")}/>')
        row_top += _SYMPTOM_ROW
    return out, row_top


def _cut_marks(  # noqa: PLR0917 -- one private drawing helper, its parts named
    days: Sequence[SeriesDay],
    frame: _Frame,
    found: Sequence[Cut],
    top: float,
    bottom: float,
    today: date | None = None,
) -> list[str]:
    index = {d.day: i for i, d in enumerate(days)}
    out = []
    for cut in found:
        x = frame.xs[index[cut.day]] - frame.step / 2
        planned = "planned: " if today is not None and cut.day > today else ""
        label = (
            f"{short_day(cut.day)}: {planned}dose {_mg(cut.from_mg)} to {_mg(cut.to_mg)} a day"
            f" ({cut.change_pct:+.0f} %)"
        )
        out.append(
            f"<g><title>{escape(label)}</title>"
            f'<line x1="{x:.1f}" y1="{top:.1f}" x2="{x:.1f}" y2="{bottom:.1f}"'
            f' {_attr("cut", "s")} stroke-width="1" stroke-dasharray="4 3"/></g>'
        )
    return out


def _finding_marks(
    days: Sequence[SeriesDay], frame: _Frame, markers: Sequence[Marker], bottom: float
) -> list[str]:
    """Findings on their column (on the week holding their day, on a weekly chart).

    Each day's column is looked up (:func:`_columns_by_day`), not searched for: a year of
    findings on a 90-day chart costs markers + days, not markers x columns.
    """
    by_column: dict[int, list[Marker]] = {}
    columns = _columns_by_day(days)
    for marker in markers:
        column = columns.get(marker.day)
        if column is not None:
            by_column.setdefault(column, []).append(marker)
    out = []
    for column, found in sorted(by_column.items()):
        x = frame.xs[column]
        role = "urgent" if any(m.severity == "urgent" for m in found) else "warning"
        names = ", ".join(sorted({m.label for m in found}))
        label = f"{short_day(days[column].day)}: {names}"
        out.append(
            f"<g><title>{escape(label)}</title>"
            f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{bottom:.1f}" {_attr(role, "s")}'
            ' stroke-width="1.2" stroke-dasharray="1 2"/>'
            f'<path d="M{x - 4:.1f},2 L{x + 4:.1f},2 L{x:.1f},10 Z" {_attr(role, "f")}/></g>'
        )
    return out


def _columns_by_day(days: Sequence[SeriesDay]) -> dict[date, int]:
    """Each date the columns stand for, with the first column holding it (as :func:`_column_of`).

    >>> week = SeriesDay(date(2027, 1, 4), days=7)
    >>> found = _columns_by_day([SeriesDay(date(2027, 1, 1)), week])
    >>> found[date(2027, 1, 1)], date(2027, 1, 2) in found, found[date(2027, 1, 10)], len(found)
    (0, False, 1, 8)
    """
    columns: dict[date, int] = {}
    for i, d in enumerate(days):
        for offset in range(d.days):
            columns.setdefault(d.day + timedelta(days=offset), i)
    return columns


def _column_of(days: Sequence[SeriesDay], day: date) -> int | None:
    for i, d in enumerate(days):
        if d.day <= day and (day - d.day).days < d.days:
            return i
    return None


def _axis(days: Sequence[SeriesDay], frame: _Frame, y: float) -> list[str]:
    if not days:
        return []
    picks = sorted({0, len(days) // 2, len(days) - 1})
    anchors = {0: "start", len(days) - 1: "end"}
    xs = {0: LEFT, len(days) - 1: WIDTH - RIGHT}
    return [
        _text(
            xs.get(i, frame.xs[i]),
            y,
            f"{short_day(days[i].day)} {days[i].day.year}"
            if i == len(days) - 1
            else short_day(days[i].day),
            anchors.get(i, "middle"),
            10,
        )
        for i in picks
    ]


def describe(
    days: Sequence[SeriesDay], markers: Sequence[Marker] = (), today: date | None = None
) -> str:
    """A few sentences of what the chart shows (its ``desc``, and the PDF image's text).

    With ``today`` before the last day, the days after it are the plan's, not yet lived.

    >>> from taperline.core.series import SeriesDay
    >>> describe([SeriesDay(date(2027, 1, 1), 1.0, slept_h=6.0), SeriesDay(date(2027, 1, 2), 0.9)])
    'From 1 Jan 2027 to 2 Jan 2027. Planned daily dose from 1 mg to 0.9 mg; 1 change. Average 6 hours slept (1 night). 0 findings marked.'

    Only the findings on the chart's days are counted (the others are not drawn):

    >>> older = Marker(date(2026, 12, 1), "warning", "flare")
    >>> describe([SeriesDay(date(2027, 1, 1))], [older, Marker(date(2027, 1, 1), "urgent", "red flag")])
    'From 1 Jan 2027 to 1 Jan 2027. 1 finding marked.'
    """  # noqa: E501 -- a doctest line reads better whole
    if not days:
        return "No days to show."
    last = days[-1].day
    parts = [f"From {short_day(days[0].day)} {days[0].day.year} to {short_day(last)} {last.year}."]
    if any(d.days > 1 for d in days):
        parts.append("Weekly means.")
    doses = [d.planned_mg for d in days if d.planned_mg is not None]
    if doses:
        found = cuts(days)
        parts.append(
            f"Planned daily dose from {_mg(doses[0])} to {_mg(doses[-1])};"
            f" {len(found)} change{'s' if len(found) != 1 else ''}."
        )
    slept = [d.slept_h for d in days if d.slept_h is not None]
    if slept:
        nights = "night" if len(slept) == 1 else "nights"
        parts.append(
            f"Average {_number(sum(slept) / len(slept))} hours slept ({len(slept)} {nights})."
        )
    names = tracked(days)
    if names:
        parts.append(f"Symptoms rated: {', '.join(names)}.")
    columns = _columns_by_day(days)
    shown = sum(1 for marker in markers if marker.day in columns)  # those on the chart's days
    parts.append(f"{shown} finding{'' if shown == 1 else 's'} marked.")
    if today is not None and days[0].day <= today < last:
        parts.append(
            f"After today, {short_day(today)}, the plan's steps to {short_day(last)} {last.year}"
            " are drawn dashed: planned, not yet taken."
        )
    return " ".join(parts)


def _svg(chart_id: str, height: float, title: str, desc: str, body: Sequence[str]) -> str:
    safe_id = "".join(ch for ch in chart_id if ch.isalnum() or ch == "-") or "chart"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}"'
        f' width="{WIDTH}" height="{height:.0f}" role="img"'
        f' aria-labelledby="{safe_id}-t {safe_id}-d" class="chart"'
        ' font-family="DejaVu Sans, system-ui, sans-serif">'
        f'<title id="{safe_id}-t">{escape(title)}</title>'
        f'<desc id="{safe_id}-d">{escape(desc)}</desc>'
        f'<rect width="{WIDTH}" height="{height:.0f}" {_attr("paper", "f")}/>'
    )
    return head + "".join(part for part in body if part) + "</svg>"


def taper_chart(
    days: Sequence[SeriesDay],
    markers: Sequence[Marker] = (),
    *,
    title: str,
    chart_id: str = "chart",
    today: date | None = None,
) -> str:
    """Dose (steps), hours slept, sleep efficiency, mood and anxiety, and each symptom rated.

    With ``today`` before the last day (the whole taper to the plan's end), the planned dose
    after today's column is dashed, a line marks today, and a cut to come is titled planned;
    the journal has nothing after today, so its lines stop there.

    >>> from datetime import timedelta
    >>> days = [SeriesDay(date(2027, 1, 1) + timedelta(d), 0.9 if d > 6 else 1) for d in range(14)]
    >>> svg = taper_chart(days, title="plan", today=date(2027, 1, 4))
    >>> 'stroke-dasharray="5 3"' in svg, ">today<" in svg, "8 Jan: planned: dose" in svg
    (True, True, True)
    >>> ">today<" in taper_chart(days, title="lived", today=date(2027, 1, 14))
    False
    """
    frame = _Frame.of(len(days))
    body: list[str] = []
    top = 14.0
    now = _column_of(days, today) if today is not None and days and today < days[-1].day else None
    part, bottom = _dose_panel(days, frame, top, now)
    body += part
    hollow = [d.slept_estimated for d in days]
    solid = [False] * len(days)
    # Device sleep (issue 21): a dotted line beside the diary's, in the same colour.
    device = any(d.device_slept_h is not None for d in days)
    dotted = "; dotted: device" if device else ""
    panels = (
        (
            f"Hours slept (hollow square: your estimate{dotted})",
            44,
            (0.0, 12.0, (0.0, 6.0, 12.0), " h"),
            [("sleep", [d.slept_h for d in days], "", hollow)]
            + ([("sleep", [d.device_slept_h for d in days], "1 3", solid)] if device else []),
        ),
        (
            f"Sleep efficiency (sleep diary{dotted})",
            36,
            (50.0, 100.0, (50.0, 100.0), " %"),
            [("se", [d.se_pct for d in days], "", solid)]
            + ([("se", [d.device_se_pct for d in days], "1 3", solid)] if device else []),
        ),
        (
            "Mood (solid) and anxiety (dashed), 0-10",
            44,
            (0.0, 10.0, (0.0, 5.0, 10.0), ""),
            [
                ("mood", [d.mood for d in days], "", solid),
                ("anxiety", [d.anxiety for d in days], "5 3", solid),
            ],
        ),
    )
    for name, height, limits, lines in panels:
        if name.startswith("Sleep efficiency") and not any(
            d.se_pct is not None or d.device_se_pct is not None for d in days
        ):
            continue  # quick check-ins only: no panel of gaps
        part, bottom = _line_panel(name, frame, bottom + _GAP, height, limits, lines)
        body += part
    names = tracked(days)
    if names:
        part, bottom = _symptom_panel(days, frame, bottom + _GAP, names)
        body += part
    found = cuts(days)
    body[:0] = _cut_marks(days, frame, found, top + _HEAD, bottom, today)  # under the lines
    body += _finding_marks(days, frame, markers, bottom)
    body += _axis(days, frame, bottom + 14)
    return _svg(chart_id, bottom + 20, title, describe(days, markers, today), body)


def strategy_chart(lines: Sequence[StrategyLine], *, title: str, chart_id: str = "compare") -> str:
    """Each strategy's daily dose over time on one plot (steps; a dash pattern each)."""
    starts = [day for line in lines for day, _ in line.steps]
    if not starts:
        return _svg(chart_id, 40, title, "No strategies to show.", [_text(4, 24, "No steps.")])
    first, last = min(starts), max(starts)
    span_days = max((last - first).days, 1)
    high = max((mg for line in lines for _, mg in line.steps), default=1.0) or 1.0
    top, bottom = 16.0, 150.0
    y = _scale(top, bottom, 0.0, high)

    def x(day: date) -> float:
        return LEFT + _SPAN * (day - first).days / span_days

    body = [
        _hline(bottom),
        _hline(y(high / 2), "2 3"),
        _dose_label(y(high), _mg(high)),
        _dose_label(y(high / 2), _mg(high / 2)),
        _text(LEFT - 4, bottom + 4, "0", "end", 10),
    ]
    legend_y = bottom + 30
    described = []
    for i, line in enumerate(lines):
        role, dash = _STRATEGY_COLOURS[i % len(_STRATEGY_COLOURS)], _DASHES[i % len(_DASHES)]
        points: list[tuple[float, float] | None] = []
        for (day, mg), nxt in zip(line.steps, [*line.steps[1:], None], strict=True):
            end = x(nxt[0]) if nxt is not None else x(day) + 2
            points += [(x(day), y(mg)), (end, y(mg))]
        body.append(_path(points, role, dash))
        end_day = line.steps[-1][0] if line.steps else first
        described.append(
            f"{line.name}: {len(line.steps)} steps, to {short_day(end_day)} {end_day.year}"
        )
        row_y = legend_y + 14 * i
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<line x1="{LEFT}" y1="{row_y - 4}" x2="{LEFT + 24}" y2="{row_y - 4}"'
            f' {_attr(role, "s")} stroke-width="1.8"{dashed}/>'
        )
        body.append(_text(LEFT + 30, row_y, line.name, "start", 10))
    body.append(_text(LEFT, bottom + 14, f"{short_day(first)} {first.year}", "start", 10))
    body.append(_text(WIDTH - RIGHT, bottom + 14, f"{short_day(last)} {last.year}", "end", 10))
    height = legend_y + 14 * len(lines)
    return _svg(
        chart_id, height, title, "Daily dose over time. " + "; ".join(described) + ".", body
    )


# --- the text table -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One row of the chart's text table: every cell already in words ("" when not given).

    ``slept`` and ``se`` are the sleep diary's; ``device_slept`` and ``device_se`` the
    device's (docs/device-sleep.md), kept in their own cells, never mixed with the diary's.
    """

    day: str
    dose: str
    slept: str
    se: str
    mood: str
    anxiety: str
    symptoms: str
    change: str
    device_slept: str = ""
    device_se: str = ""


def _symptoms_text(d: SeriesDay) -> str:
    if d.symptoms is None:
        return "not filled in"
    rated = sorted(((n, v) for n, v in d.symptoms.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{n} {_number(v)}" for n, v in rated) or "none"


def chart_rows(days: Sequence[SeriesDay]) -> list[ChartRow]:
    """The chart's numbers as text, one row per column (day or week), oldest first.

    >>> from taperline.core.series import SeriesDay
    >>> row = chart_rows([SeriesDay(date(2027, 1, 2), 1.0, 1.0, 6.5, True, mood=6, anxiety=3)])[0]
    >>> row.day, row.dose, row.slept, row.se, row.symptoms
    ('2 Jan', '1 mg (taken 1 mg)', '6.5 h (estimate)', '', 'not filled in')
    >>> device = SeriesDay(date(2027, 1, 3), None, None, None, False, device_slept_h=7.5,
    ...                    device_se_pct=88.4)
    >>> row = chart_rows([device])[0]
    >>> row.slept, row.device_slept, row.device_se
    ('', '7.5 h', '88 %')
    """
    changes = {c.day: f"{c.change_pct:+.0f} %" for c in cuts(days)}
    rows = []
    for d in days:
        label = short_day(d.day) if d.days == 1 else f"week of {short_day(d.day)}"
        dose = _mg(d.planned_mg) if d.planned_mg is not None else ""
        if d.taken_mg is not None:
            dose = f"{dose} (taken {_mg(d.taken_mg)})".strip()
        slept = ""
        if d.slept_h is not None:
            slept = f"{_number(d.slept_h)} h" + (" (estimate)" if d.slept_estimated else "")
        rows.append(
            ChartRow(
                label,
                dose,
                slept,
                f"{d.se_pct:.0f} %" if d.se_pct is not None else "",
                _number(d.mood) if d.mood is not None else "",
                _number(d.anxiety) if d.anxiety is not None else "",
                _symptoms_text(d) if d.mood is not None or d.symptoms is not None else "",
                changes.get(d.day, ""),
                f"{_number(d.device_slept_h)} h" if d.device_slept_h is not None else "",
                f"{d.device_se_pct:.0f} %" if d.device_se_pct is not None else "",
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class StrategyRow:
    """One row of the strategy chart's text table: a day and each strategy's dose that day."""

    day: str
    week: int
    doses: tuple[str, ...]


def _dose_on(line: StrategyLine, day: date) -> float | None:
    found = None
    for start, mg in line.steps:
        if start > day:
            break
        found = mg
    return found


def strategy_rows(lines: Sequence[StrategyLine], every_days: int = 28) -> list[StrategyRow]:
    """The strategy chart as text: every ``every_days`` from the first start, each line's dose.

    The last row is the day the longest strategy ends; a strategy not yet started is "".

    >>> a = StrategyLine("percent", ((date(2027, 1, 1), 1.0), (date(2027, 2, 1), 0.5)))
    >>> b = StrategyLine("fixed", ((date(2027, 1, 1), 1.0), (date(2027, 1, 15), 0.0)))
    >>> for r in strategy_rows([a, b], every_days=28):
    ...     print(r.day, r.week, r.doses)
    1 Jan 0 ('1 mg', '1 mg')
    29 Jan 4 ('1 mg', '0 mg')
    1 Feb 4 ('0.5 mg', '0 mg')
    """
    starts = [day for line in lines for day, _ in line.steps]
    if not starts:
        return []
    first, last = min(starts), max(starts)
    days = [first + timedelta(days=n) for n in range(0, (last - first).days + 1, every_days)]
    if days[-1] != last:
        days.append(last)
    rows = []
    for day in days:
        doses = tuple(_dose_on(line, day) for line in lines)
        rows.append(
            StrategyRow(
                short_day(day) if day.year == first.year else f"{short_day(day)} {day.year}",
                (day - first).days // 7,
                tuple(_mg(mg) if mg is not None else "" for mg in doses),
            )
        )
    return rows
