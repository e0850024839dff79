"""Dark mode in a real browser (issue 18, section 4): Debian's chromium at 390 x 844.

For the device's light and dark settings, axe-core finds no violation on any page (signed
out, the patient's and the clinician's), and the main ones are walked with the Tab key:
the focus ring of every element reached must stand out at 3:1 or more from the background
behind it (the computed outline colour against the first opaque background of the
element's parent and above). The switch in the footer chooses dark on a light device.
Screenshots of both themes are saved in the test's temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    PHONE,
    TIME_ZONE,
    TIMEOUT_MS,
    axe_on_every_page,
    axe_source,
    axe_violations,
    close_contexts,
    served,
    watch_console,
    whole_page_screenshot,
)
from tests.support.contrast import FOCUS_MIN, contrast
from tests.support.web import PASSWORD

# The Tab walk goes on until the focus comes back to the first element it reached (every
# element of the page has then had its turn), a few Tabs at a time; a page whose focus has
# not come back after MOST_TABS fails (a trap, or a page too long to walk).
TABS_AT_ONCE = 6
MOST_TABS = 240
# The screenshots: each page whole, one pixel a CSS pixel (a quarter of the pixels of the
# phone's device scale 2 to draw and compress; the same page, both themes).
PAGES = (
    "/dashboard",
    "/checkin",
    "/journal",
    "/plan",
    "/sleep",
    "/sharing",
    "/account",
    "/account/audit",
    "/learn",
)
# The other pages, checked by axe on both themes without the Tab walk (it costs seconds a page):
# signed out, then the patient's. With the walks above, every page the app has is checked.
SIGNED_OUT = ("/", "/signin", "/signup", "/learn/sources")
MORE_PAGES = (
    "/charts",
    "/reminders",
    "/questionnaires",
    "/learn/check",
    "/learn/sleep",
    "/learn/drugs/clonazepam",
    "/nowhere",  # the error page
)
# The focused element's ring and what is behind it, read when the focus lands (a focusin
# listener, set before the walk): one round trip a few Tabs instead of one a Tab. The same values
# as reading them after each key press: no rule of taperline.css has a transition or an
# animation (its one, for reduced motion, sets them to none), no script moves the focus or
# restyles on a key, and a Tab that keeps the focus in one element (the fields of a time
# input) only read it again.
RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const parts = (c) => c.match(/[\\d.]+/g).map(Number);
  let node = el.parentElement, behind = null;
  while (node) {
    const [r, g, b, a] = parts(getComputedStyle(node).backgroundColor).concat([1]);
    if (a > 0 && !/rgba\\(0, 0, 0, 0\\)/.test(getComputedStyle(node).backgroundColor)) {
      behind = [r, g, b]; break;
    }
    node = node.parentElement;
  }
  if (!behind) {
    behind = parts(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
  }
  return {
    what: el.tagName + " " + (el.textContent || el.name || "").trim().slice(0, 30),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    ring: parts(style.outlineColor).slice(0, 3), behind: behind,
  };
}"""


def _hex(rgb: list[float]) -> str:
    return "#" + "".join(f"{round(v):02x}" for v in rgb)


LISTEN = f"""() => {{
  if (!window.taperlineRings) {{
    document.addEventListener("focusin", (event) => {{
      const seen = window.taperlineSeen;
      if (seen.length && event.target === seen[0]) {{ window.taperlineWrapped = true; return; }}
      if (window.taperlineWrapped) return;
      seen.push(event.target);
      window.taperlineRings.push(({RING})());
    }}, true);
  }}
  window.taperlineRings = [];
  window.taperlineSeen = [];
  window.taperlineWrapped = false;
}}"""


def _rings(page: Any) -> list[str]:
    """Tab through the page; the focus rings that do not stand out (empty: all do)."""
    weak = []
    page.evaluate(LISTEN)
    page.locator("body").focus()
    tabs = 0
    while not page.evaluate("() => window.taperlineWrapped"):
        assert tabs < MOST_TABS, f"{page.url}: the focus is not back at the start after {tabs} Tabs"
        for _ in range(TABS_AT_ONCE):
            page.keyboard.press("Tab")
        tabs += TABS_AT_ONCE
    rings = page.evaluate("() => window.taperlineRings")
    assert rings, f"{page.url}: no element took the focus"
    for ring in rings:
        if ring is None:
            continue
        if ring["style"] == "none" or ring["width"] < 2:  # a 2 px ring at least
            weak.append(f"{ring['what']}: no ring")
            continue
        ratio = contrast(_hex(ring["ring"]), _hex(ring["behind"]))
        if ratio < FOCUS_MIN:
            weak.append(
                f"{ring['what']}: {_hex(ring['ring'])} on {_hex(ring['behind'])} {ratio:.2f}"
            )
    return weak


def _background(page: Any) -> str:
    rgb = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return _hex([float(v) for v in re.findall(r"[\d.]+", rgb)[:3]])


@pytest.mark.slow
def test_dark_mode_and_focus_rings_on_a_phone(tmp_path: Path, browser: Any) -> None:
    axe = axe_source()
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    with served(tmp_path) as base:
        try:
            phone = browser.new_context(
                base_url=base,
                viewport=PHONE,
                is_mobile=True,
                has_touch=True,
                device_scale_factor=2,
                timezone_id=TIME_ZONE,
            )
            phone.set_default_timeout(TIMEOUT_MS)
            axe_on_every_page(phone, axe)
            ann = phone.new_page()
            watch_console(ann, errors)
            signed_out = _axe_only(ann, SIGNED_OUT, axe)
            ann.goto("/signup")
            ann.get_by_label("Your name").fill("Ann")
            ann.get_by_label("E-mail address").fill("ann@example.org")
            ann.get_by_label("Password").fill(PASSWORD)
            ann.get_by_role("button", name="Create account").click()
            expect(ann).to_have_url(re.compile(r"/dashboard$"))

            weak: dict[str, list[str]] = {}
            violations: dict[str, list[dict[str, Any]]] = {}
            backgrounds = {}
            for scheme in ("light", "dark"):
                ann.emulate_media(color_scheme=scheme)
                for path in PAGES:
                    ann.goto(path)
                    backgrounds[scheme, path] = _background(ann)
                    weak[f"{scheme} {path}"] = _rings(ann)
                    violations[f"{scheme} {path}"] = axe_violations(ann, axe)
                    whole_page_screenshot(ann, tmp_path / f"{scheme}{path.replace('/', '-')}.png")
            assert not [w for w in weak.values() if w], weak
            assert not [v for v in violations.values() if v], violations
            others = {**signed_out, **_axe_only(ann, MORE_PAGES, axe)}
            assert not others, others
            ann.goto(PAGES[-1])
            assert backgrounds["light", "/dashboard"] == "#f6f5f2"
            assert backgrounds["dark", "/dashboard"] == "#121214"

            # the switch: dark on a light device, kept from page to page, then back
            ann.emulate_media(color_scheme="light")
            ann.get_by_role("button", name="Dark", exact=True).click()
            expect(ann.locator("html")).to_have_attribute("data-theme", "dark")
            assert _background(ann) == "#121214"
            ann.goto("/journal")
            assert _background(ann) == "#121214"
            assert not _rings(ann)
            ann.get_by_role("button", name="As my device").click()
            expect(ann.locator("html")).not_to_have_attribute("data-theme", "dark")
            assert _background(ann) == "#f6f5f2"
        finally:
            close_contexts(browser)
    assert not [e for e in errors if "/nowhere: " not in e], errors  # the 404 page's own


def _axe_only(page: Any, paths: tuple[str, ...], axe: str) -> dict[str, Any]:
    """axe's violations on each path, light and dark (none: an empty dict).

    Each page is loaded once, on a light device, and checked, then checked again with the
    device set to dark: the theme is the style sheet's (its media query, or the server's
    ``data-theme``), no script reads the device's setting, so the page is the one a dark
    device would have loaded.
    """
    violations: dict[str, Any] = {}
    for path in paths:
        page.goto(path)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            found = axe_violations(page, axe)
            if found:
                violations[f"{scheme} {path}"] = found
        page.emulate_media(color_scheme="light")
    return violations


def _walk(page: Any, paths: list[str], axe: str, folder: Path) -> tuple[dict[str, Any], ...]:
    """Each path on both themes: the weak focus rings and axe's violations, screenshots."""
    weak: dict[str, list[str]] = {}
    violations: dict[str, list[dict[str, Any]]] = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for path in paths:
            page.goto(path)
            weak[f"{scheme} {path}"] = _rings(page)
            violations[f"{scheme} {path}"] = axe_violations(page, axe)
            name = re.sub(r"[^a-z0-9]+", "-", f"{scheme}{path.split('?')[0]}")
            whole_page_screenshot(page, folder / f"{name}.png")
    return {k: v for k, v in weak.items() if v}, {k: v for k, v in violations.items() if v}


@pytest.mark.slow
def test_the_clinicians_pages_on_both_themes(tmp_path: Path, browser: Any) -> None:
    axe = axe_source()
    from playwright.sync_api import expect

    from tests.support.browser import (
        Shots,
        clinician_signs_up_and_invites,
        patient_signs_up_and_shares,
    )

    expect.set_options(timeout=TIMEOUT_MS)
    errors: list[str] = []
    shots = Shots(tmp_path)
    with served(tmp_path) as base:
        try:
            contexts = [
                browser.new_context(
                    base_url=base, viewport=PHONE, is_mobile=True, has_touch=True,
                    timezone_id=TIME_ZONE,
                )
                for _ in range(2)
            ]  # fmt: skip
            axe_on_every_page(contexts[0], axe)  # the clinician's pages are checked
            doc, ann = (context.new_page() for context in contexts)
            for page in (doc, ann):
                page.set_default_timeout(TIMEOUT_MS)
                watch_console(page, errors)
            code = clinician_signs_up_and_invites(doc, shots)
            patient_signs_up_and_shares(ann, code, shots)
            doc.goto("/clinician")
            doc.get_by_role("link", name="Ann").click()
            patient = doc.url.removeprefix(base)
            builder = (
                f"{patient}/plan/new?drug=clonazepam&dose_0=1+mg&time_0=22:00&strategy=percent"
                "&percent=10&every=14d&stabilise=14d&compare=percent&compare=fixed"
            )
            weak, violations = _walk(doc, ["/clinician", patient, builder], axe, tmp_path)
            expect(doc.get_by_role("heading", name="Strategies compared")).to_be_visible()
            assert not weak, weak
            assert not violations, violations
            more = _axe_only(doc, (f"{patient}/charts", f"{patient}/sleep-window"), axe)
            assert not more, more
        finally:
            close_contexts(browser)
    assert not errors, errors
