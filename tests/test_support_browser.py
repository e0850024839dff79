"""The browser tests' shared Chromium (``tests/support/browser.py``: ``SharedChromium``).

One Playwright driver and one Chromium serve every browser test of a process. Between two
browser tests the other tests of the process must run as if there were none: ``asyncio.run``
and ``anyio.run`` work (Playwright's sync API leaves its loop marked running between calls),
and no context of the last test is left open. A browser that went away is started again.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import anyio
import pytest

from tests.support.browser import SharedChromium


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


@pytest.mark.slow
def test_other_tests_run_asyncio_between_two_browser_tests(
    shared_chromium: SharedChromium,
) -> None:
    from tests.support.browser import require_browser

    require_browser()
    browser = shared_chromium.resume()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.set_content("<p>one</p>")
        assert page.inner_text("p") == "one"
    finally:
        shared_chromium.park()
    assert browser.contexts == []  # the test's context, left open, was closed
    assert asyncio.run(_answer()) == 42
    assert anyio.run(_answer) == 42

    again = shared_chromium.resume()
    try:
        assert again is browser
        page = again.new_context().new_page()
        page.set_content("<p>two</p>")
        assert page.inner_text("p") == "two"
    finally:
        shared_chromium.park()
    assert asyncio.run(_answer()) == 42


@pytest.mark.slow
def test_a_browser_that_went_away_is_started_again(shared_chromium: SharedChromium) -> None:
    from tests.support.browser import require_browser

    require_browser()
    try:
        gone = shared_chromium.resume()
        gone.close()  # a test that closed it, or Chromium crashed
        browser = shared_chromium.resume()
        assert browser is not gone
        assert browser.is_connected()
        assert browser.new_context().new_page().evaluate("1 + 1") == 2
    finally:
        shared_chromium.park()
    assert asyncio.run(_answer()) == 42


class _Page:
    """Stands in for a Playwright page: refuses the whole page ``refusals`` times."""

    def __init__(self, refusals: int, message: str = "") -> None:
        self.refusals = refusals
        self.message = message or (
            "Page.screenshot: Protocol error (Page.captureScreenshot): Unable to capture screenshot"
        )
        self.calls: list[dict[str, object]] = []
        self.waited_ms: list[int] = []

    def screenshot(self, **options: object) -> None:
        from playwright.sync_api import Error

        self.calls.append(options)
        if options.get("full_page") and self.refusals:
            self.refusals -= 1
            raise Error(self.message)
        Path(str(options["path"])).write_bytes(b"png")

    def wait_for_timeout(self, ms: int) -> None:
        self.waited_ms.append(ms)


def test_a_whole_page_chromium_would_not_capture_is_asked_for_again(tmp_path: Path) -> None:
    pytest.importorskip("playwright")
    from tests.support.browser import whole_page_screenshot

    page = _Page(refusals=2)
    whole_page_screenshot(page, tmp_path / "a.png")
    assert [call["full_page"] for call in page.calls] == [True, True, True]
    assert page.waited_ms == [500, 1000]
    assert (tmp_path / "a.png").read_bytes() == b"png"


def test_after_three_refusals_the_visible_part_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("playwright")
    from tests.support.browser import whole_page_screenshot

    page = _Page(refusals=3)
    whole_page_screenshot(page, tmp_path / "b.png")
    assert [call.get("full_page", False) for call in page.calls] == [True, True, True, False]
    assert all(call["scale"] == "css" for call in page.calls)
    assert (tmp_path / "b.png").read_bytes() == b"png"
    assert "b.png: the visible part only" in capsys.readouterr().out


def test_any_other_screenshot_error_is_raised(tmp_path: Path) -> None:
    pytest.importorskip("playwright")
    from playwright.sync_api import Error

    from tests.support.browser import whole_page_screenshot

    page = _Page(refusals=1, message="Target page, context or browser has been closed")
    with pytest.raises(Error, match="has been closed"):
        whole_page_screenshot(page, tmp_path / "c.png")
    assert len(page.calls) == 1
    assert not (tmp_path / "c.png").exists()
