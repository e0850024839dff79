"""Dark mode and the focus ring (issue 18, section 4), from the style sheet and in process.

The colours are read from ``static/taperline.css``: the light variables (``:root``), the
dark ones chosen on the device (``:root[data-theme="dark"]``) and the dark ones of the
device's setting (``prefers-color-scheme: dark``), which must be the same. The focus ring
must stand out at 3:1 or more [WCAG 2.2, 1.4.11 and 2.4.13] from every background it is
drawn on: the page, a card, the notices, the header and the crisis banner. The browser
check of the computed colours is in ``tests/test_web_theme_browser.py``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from tests.support.contrast import FOCUS_MIN, TEXT_MIN, contrast
from tests.support.web import make_site

_BLOCK = r"{selector}\s*\{{(?P<body>[^{{}}]*)\}}"
_VAR = re.compile(r"--(?P<name>[a-z0-9-]+):\s*(?P<value>#[0-9a-fA-F]{6})\s*;")


def _css() -> str:
    return resources.files("taperline").joinpath("static", "taperline.css").read_text("utf-8")


def _variables(selector: str) -> dict[str, str]:
    """The colour variables of every ``selector { ... }`` block (the charts' have their own)."""
    found = list(re.finditer(_BLOCK.format(selector=re.escape(selector)), _css()))
    assert found, f"no {selector} block in taperline.css"
    return {m["name"]: m["value"].lower() for block in found for m in _VAR.finditer(block["body"])}


def themes() -> dict[str, dict[str, str]]:
    """Each theme's colour variables (dark: the light ones overridden)."""
    light = _variables(":root")
    chosen = _variables(':root[data-theme="dark"]')
    device = _variables(':root:not([data-theme="light"])')
    assert chosen == device, "the two dark blocks differ"
    return {"light": light, "dark": {**light, **chosen}}


# Where each focus ring is drawn: (the ring's variable, the backgrounds next to it).
RINGS = (
    ("focus", ("paper", "card", "info-bg", "warning-bg", "urgent-bg", "subtle")),
    ("focus-on-top", ("top-bg", "crisis-bg")),
)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_ring_stands_out_three_to_one(theme: str) -> None:
    colours = themes()[theme]
    for ring, backgrounds in RINGS:
        for background in backgrounds:
            ratio = contrast(colours[ring], colours[background])
            assert ratio >= FOCUS_MIN, f"{theme}: --{ring} on --{background} is {ratio:.2f}:1"


def test_the_rings_use_those_variables() -> None:
    css = _css()
    assert ":focus-visible { outline: 3px solid var(--focus);" in css
    assert (
        ".top :focus-visible, .crisis :focus-visible { outline-color: var(--focus-on-top); }" in css
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_text_colours_are_readable_on_both_themes(theme: str) -> None:
    colours = themes()[theme]
    pairs = [
        ("ink", "paper"),
        ("ink", "card"),
        ("muted", "paper"),
        ("muted", "card"),
        ("brand", "card"),
        ("brand", "paper"),
        ("brand-ink", "brand"),
        ("info", "info-bg"),
        ("urgent", "urgent-bg"),
        ("warning", "warning-bg"),
        ("ink", "warning-bg"),
        ("ok", "ok-bg"),
        ("change-ink", "change-bg"),
    ]
    for text, background in pairs:
        ratio = contrast(colours[text], colours[background])
        assert ratio >= TEXT_MIN, f"{theme}: --{text} on --{background} is {ratio:.2f}:1"
    assert contrast("#ffffff", colours["top-bg"]) >= TEXT_MIN  # the header's white text
    assert contrast("#ffffff", colours["crisis-bg"]) >= TEXT_MIN


def test_the_switch_sets_the_theme_without_javascript(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        page = web.get("/learn").text
        assert '<html lang="en">' in page  # the device decides
        assert '<meta name="color-scheme" content="light dark">' in page
        assert 'value="auto" class="button small secondary" aria-pressed="true"' in page
        chosen = web.post("/theme", {"theme": "dark", "next": "/learn"})
        assert chosen.status_code == 303
        assert chosen.headers["location"] == "/learn"
        assert "theme=dark" in chosen.headers["set-cookie"]
        page = web.get("/learn").text
        assert '<html lang="en" data-theme="dark">' in page
        assert '<meta name="color-scheme" content="dark">' in page
        assert 'value="dark" class="button small secondary" aria-pressed="true"' in page
        web.post("/theme", {"theme": "auto", "next": "https://elsewhere.example/"})
        page = web.get("/learn").text
        assert '<html lang="en">' in page


def test_a_theme_cookie_that_is_not_one_is_ignored(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        web.client.cookies.set("theme", '"><script>')
        page = web.get("/learn").text
        assert '<html lang="en">' in page
        assert "<script>" not in page.split("</head>")[0].split("<html", 1)[1][:200]


def test_the_switch_needs_the_forms_token(tmp_path: Path) -> None:
    with make_site(tmp_path) as site:
        web = site.browser()
        refused = web.post("/theme", {"theme": "dark", "csrf_token": "nope"})
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers or "theme=" not in refused.headers["set-cookie"]


# The charts (adapters/svgcharts.py): every colour each role is drawn in, on the chart's paper.
CHART_TEXT = ("chart-text",)
CHART_MARKS = (
    "chart-dose",
    "chart-sleep",
    "chart-se",
    "chart-mood",
    "chart-anxiety",
    "chart-symptom",
    "chart-cut",
    "chart-urgent",
    "chart-warning",
)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_charts_follow_the_theme_and_stay_readable(theme: str) -> None:
    colours = themes()[theme]
    paper = colours["chart-paper"]
    assert paper == colours["card"], "the chart is drawn on the card's colour"
    for name in CHART_TEXT:
        ratio = contrast(colours[name], paper)
        assert ratio >= TEXT_MIN, f"{theme}: --{name} on the chart is {ratio:.2f}:1"
    for name in CHART_MARKS:  # lines, dots, bars and marks: graphics [WCAG 2.2, 1.4.11]
        ratio = contrast(colours[name], paper)
        assert ratio >= FOCUS_MIN, f"{theme}: --{name} on the chart is {ratio:.2f}:1"
    assert contrast(colours["chart-grid"], paper) > 1.2  # a faint grid, but there


def test_the_light_chart_colours_are_the_pdfs() -> None:
    from taperline.adapters.svgcharts import COLOURS

    light, dark = themes()["light"], themes()["dark"]
    for role, colour in COLOURS.items():
        assert light[f"chart-{role}"] == colour, role  # the web's light chart is the PDF's
        assert dark[f"chart-{role}"] != colour, f"--chart-{role} keeps its light colour in dark"
    css = _css()
    for role in COLOURS:  # each class the drawing uses is mapped to its variable
        assert re.search(
            rf"\.chart \.[sf]-{role} \{{ (stroke|fill): var\(--chart-{role}\); \}}", css
        )
