"""The browser tests' shared Chromium (``tests/support/browser.py``: ``SharedChromium``).

One Playwright driver and one Chromium serve every browser test of a process. Between two
browser tests the other tests of the process must run as if there were none: ``asyncio.run``
and ``anyio.run`` work (Playwright's sync API leaves its loop marked running between calls),
and no context of the last test is left open. A browser that went away is started again.
"""

from __future__ import annotations

import asyncio

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
