"""What the browser tests share: Debian's chromium driven by Playwright, the app served from a
thread, screenshots, console errors, axe-core, and the clinician's first steps.

Without ``/usr/bin/chromium`` (or Playwright, or axe-core) a browser test is skipped, except
under ``CI`` where it fails.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from taperline.web.app import create_app
from taperline.web.settings import Settings
from tests.pgserver import free_port
from tests.support.web import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
NARROW = 360
TIME_ZONE = "Europe/London"
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def require_browser() -> None:
    problem = ""
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401 -- only checking that it is installed
        except ImportError as error:
            problem = f"the playwright package is missing: {error}"
    if problem:
        if in_ci():
            pytest.fail(f"the browser test must run in CI: {problem}", pytrace=False)
        pytest.skip(problem)


@contextmanager
def served(tmp_path: Path) -> Iterator[str]:
    """Uvicorn serving the app on 127.0.0.1 from a thread; yields the base URL."""
    import uvicorn

    settings = Settings.for_tests(f"sqlite:///{tmp_path / 'browser.db'}")
    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


class Shots:
    """Screenshots, numbered in the order taken; their paths are printed.

    Each is of the whole page, one pixel a CSS pixel (``scale="css"``): on a phone at
    device scale 2 a quarter of the pixels to draw and compress, the same page.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []

    def take(self, page: Any, name: str) -> None:
        path = self.folder / f"{len(self.paths) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True, scale="css")
        self.paths.append(path)
        print(f"screenshot: {path}")


def watch_console(page: Any, errors: list[str]) -> None:
    def on_console(message: Any) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))


def nav(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def clinician_signs_up_and_invites(doc: Any, shots: Shots) -> str:
    from playwright.sync_api import expect

    doc.goto("/signup?role=clinician")
    expect(doc.get_by_label("A clinician")).to_be_checked()
    doc.get_by_label("Your name").fill("Dr Lee")
    doc.get_by_label("E-mail address").fill("dr.lee@example.org")
    doc.get_by_label("Password").fill(PASSWORD)
    doc.get_by_role("button", name="Create account").click()
    expect(doc).to_have_url(re.compile(r"/clinician$"))
    doc.get_by_role("button", name="Make an invite code").click()
    code = str(doc.locator("p.code").inner_text()).strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
    shots.take(doc, "clinician-invite")
    return code


def axe_source() -> str:
    """axe-core's script from the installed wheel (skip, or fail in CI, without it)."""
    try:
        import axe_playwright_python
    except ImportError as error:
        if in_ci():
            pytest.fail(f"axe-core must run in CI: {error}", pytrace=False)
        pytest.skip(f"axe-playwright-python is missing: {error}")
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8")


def axe_on_every_page(context: Any, source: str) -> None:
    """Put axe-core in every page ``context`` opens, before the page's own scripts.

    The browser compiles it on each page (lazily: a few milliseconds) where ``axe_violations``
    would otherwise send its half megabyte through Playwright on every call. Like
    ``page.evaluate``, an init script goes through the debugger: the page's CSP does not apply.
    """
    context.add_init_script(script=source + "\n;0")


AXE_RUN = """(within) => typeof axe === "undefined" ? null
  : axe.run(document.querySelector(within), {resultTypes: ['violations']})"""


def axe_violations(page: Any, source: str, within: str = "html") -> list[dict[str, Any]]:
    """axe-core's violations in the element ``within`` selects (the whole page by default).

    axe-core is injected first unless the page has it (``axe_on_every_page``, or an earlier
    call on the same page).
    """
    found: dict[str, Any] | None = page.evaluate(AXE_RUN, within)
    if found is None:
        page.evaluate(source + "\n;0")  # through the debugger: the page's CSP does not apply
        found = page.evaluate(AXE_RUN, within)
    assert found is not None, "axe-core did not load"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in found["violations"]
    ]


def patient_signs_up_and_shares(ann: Any, code: str, shots: Shots) -> None:
    from playwright.sync_api import expect

    ann.goto("/signup")
    expect(ann.get_by_label("Time zone")).to_have_value(TIME_ZONE)  # filled in by the script
    ann.get_by_label("Your name").fill("Ann")
    ann.get_by_label("E-mail address").fill("ann@example.org")
    ann.get_by_label("Password").fill(PASSWORD)
    shots.take(ann, "patient-signup")
    ann.get_by_role("button", name="Create account").click()
    expect(ann).to_have_url(re.compile(r"/dashboard$"))
    expect(ann.get_by_text("No approved plan yet")).to_be_visible()
    nav(ann, "Sharing").click()
    ann.get_by_label("Invite code").fill(code.lower())  # case does not matter
    ann.get_by_role("button", name="Share my record").click()
    expect(ann.get_by_role("status")).to_contain_text("now shared")
    expect(ann.get_by_role("button", name="Stop sharing with Dr Lee")).to_be_visible()
    shots.take(ann, "patient-shared")
