"""What the browser tests share: Debian's chromium driven by Playwright, the app served from a
thread, screenshots, console errors, axe-core, and the clinician's first steps.

A test process starts Playwright's driver and one Chromium once, on its first browser test,
and keeps them for the others (:class:`SharedChromium`, the ``browser`` fixture of
``tests/conftest.py``): each test opens contexts of its own on it (``new_context``: its own
cookies, storage, caches, service workers, offline switch and clock), closed when it ends.
Starting both took 2-3.5 s a test.

Without ``/usr/bin/chromium`` (or Playwright, or axe-core) a browser test is skipped, except
under ``CI`` where it fails.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from taperline.web.app import create_app
from taperline.web.settings import Settings
from tests.pgserver import free_port
from tests.support.web import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

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


class SharedChromium:
    """Playwright's driver and one Chromium for a whole test process, started on first use.

    :meth:`resume` before a browser test gives the browser (started, or started again if it
    went away); :meth:`park` after it closes every context the test left open and parks the
    driver's event loop; :meth:`stop` at the end of the session ends both.

    Parking is what lets the other tests of the process run beside a live driver. Playwright's
    sync API runs its asyncio loop in a greenlet and, between two calls, leaves that loop
    marked as the thread's running loop (``wait_for_future`` in ``playwright._impl._greenlets``),
    so ``asyncio.run`` and ``anyio.run`` in a later test of the same process would refuse to
    start ("cannot be called from a running event loop"). Parking clears the mark and
    :meth:`resume` puts it back before Playwright is called again, as its dispatcher expects
    (with ``asyncio._set_running_loop``, the hook Playwright uses itself).
    """

    def __init__(self) -> None:
        self._manager: Any = None  # playwright's PlaywrightContextManager
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def resume(self) -> Browser:
        """The shared browser, with the driver's loop marked running again."""
        if not self._unpark():
            self.stop()  # the driver went away: start another
        if self._playwright is None:
            from playwright.sync_api import sync_playwright

            self._manager = sync_playwright()
            self._playwright = self._manager.start()
        if self._browser is None or not self._browser.is_connected():
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        return self._browser

    def park(self) -> None:
        """Close the contexts a test left open; unmark the driver's loop until the next test."""
        try:
            if self._browser is not None and self._browser.is_connected():
                close_contexts(self._browser)
        except Exception:
            self.stop()  # the next browser test starts a new driver and browser
            raise
        self._loop = asyncio._get_running_loop()
        asyncio._set_running_loop(None)

    def _unpark(self) -> bool:
        """Mark the parked loop running again; False if the driver stopped meanwhile.

        The loop is running for as long as the driver's dispatcher is inside it.
        """
        loop, self._loop = self._loop, None
        if loop is None:
            return True
        if not loop.is_running():
            return False
        asyncio._set_running_loop(loop)
        return True

    def stop(self) -> None:
        """End the browser and the driver (the next :meth:`resume` starts new ones)."""
        alive = self._unpark()
        manager, self._manager, self._playwright, self._browser = self._manager, None, None, None
        if manager is not None and alive:
            try:
                manager.__exit__(None, None, None)  # closes the browser with the driver
            finally:
                asyncio._set_running_loop(None)


def close_contexts(browser: Browser) -> None:
    """Close every context open on ``browser`` (a test's, before its server stops)."""
    for context in browser.contexts:
        context.close()


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


@contextmanager
def served_record(database: Path, email: str) -> Iterator[tuple[Any, int, date]]:
    """The served app's store (its ``database``), ``email``'s person and their today: to write
    or read their record beside the running app."""
    from taperline.adapters.storage.accounts import Accounts
    from taperline.adapters.storage.db import make_engine
    from taperline.adapters.storage.repo import Store
    from taperline.service import local_today

    engine = make_engine(f"sqlite:///{database}")
    try:
        found = Accounts(engine).credentials(email)
        assert found is not None
        person_id = found[0].person_id
        assert person_id is not None
        store = Store(engine)
        yield store, person_id, local_today(store.profile(person_id).time_zone, datetime.now(UTC))
    finally:
        engine.dispose()


def usual_night(wake: date) -> Any:
    """A night of the sleep diary woken from on ``wake``: 23:00 to 06:40, 20 min to fall
    asleep, woken once for 10 min, quality 3."""
    from taperline.core.journal import SleepDiary, night_times

    return SleepDiary(
        *night_times(wake, bed="23:00", tried="23:10", final_wake="06:40"),
        sol_min=20,
        waso_min=10,
        awakenings=1,
        quality=3,
    )


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
        whole_page_screenshot(page, path)
        self.paths.append(path)
        print(f"screenshot: {path}")


#: What Chromium answers when its compositor hands back no picture of a tall page (a
#: 320 x 14,000 px page once, on a busy CI machine): nothing about the page under test.
NO_PICTURE = "Unable to capture screenshot"


def whole_page_screenshot(page: Any, path: Path, *, tries: int = 3) -> None:
    """The whole page, one pixel a CSS pixel, at ``path``.

    A screenshot is a record for people to look at, not a check: when Chromium cannot
    capture the whole page (:data:`NO_PICTURE`) it is asked again after a pause, and
    after ``tries`` refusals the visible part is kept instead and the refusal printed, so
    the test goes on to its assertions. Any other error is raised.
    """
    from playwright.sync_api import Error

    for attempt in range(1, tries + 1):
        try:
            page.screenshot(path=str(path), full_page=True, scale="css")
            return
        except Error as error:
            if NO_PICTURE not in str(error):
                raise
            print(f"screenshot {path.name}: whole page refused ({attempt} of {tries})")
            page.wait_for_timeout(500 * attempt)
    page.screenshot(path=str(path), scale="css")
    print(f"screenshot {path.name}: the visible part only")


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
        import axe_playwright_python  # type: ignore[import-untyped]  # ships no type hints
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
